"""`translate-kit translate` as people use it: stdout, never replacing the input, dropped
placeholders, Ctrl-C, notices, renamed language tags, the manifest and --force, progress."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner

from translate_kit.cli import cli
from translate_kit.cli import progress as progress_module
from translate_kit.translate import MANIFEST_NAME

DROPS = "विवरण www.example.com पर उपलब्ध है।\n"  # the tiny model drops this URL's placeholder
HINDI = "मॉस्को में जयशंकर ने लावरोव से मुलाकात की।\n"


@pytest.fixture
def run(tiny_model_hi_en):
    def invoke(*args: str, stdin: str | None = None):
        return CliRunner().invoke(
            cli, ["translate", *args, "--model", str(tiny_model_hi_en), "--threads", "1", "--beam", "1",
                  "--no-cache"], input=stdin,
        )

    return invoke


def test_dash_output_is_standard_output(run, tmp_path):
    source = tmp_path / "a.hi.txt"
    source.write_text(HINDI, encoding="utf-8")
    result = run(str(source), "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1 and not (tmp_path / "-").exists()
    assert not any("\u0900" <= c <= "\u097f" for c in result.stdout)


def test_output_that_is_the_input_is_refused_even_with_overwrite(run, tmp_path):
    source = tmp_path / "a.hi.txt"
    source.write_text(HINDI, encoding="utf-8")
    for output in (str(source), str(tmp_path / "." / "a.hi.txt")):
        result = run(str(source), "-o", output, "--overwrite")
        assert result.exit_code == 1 and "would replace the input" in result.stderr
    assert source.read_text(encoding="utf-8") == HINDI
    result = run(str(tmp_path), "-o", str(tmp_path), "--overwrite")
    assert result.exit_code == 1 and "would replace the inputs" in result.stderr


def test_new_and_old_option_spellings(run):
    for spelling in (["--src-lang", "hi", "--tgt-lang", "en"], ["--src", "hi", "--tgt", "en"]):
        result = run("-", *spelling, stdin=HINDI)
        assert result.exit_code == 0, result.output
    help_text = CliRunner().invoke(cli, ["translate", "--help"]).output
    assert "--src-lang LANG" in help_text and "--src " not in help_text and "Examples:" in help_text
    assert "hi or en" in help_text


def test_keep_source_writes_that_sentence_untranslated_and_records_it(run, tmp_path):
    stats = tmp_path / "stats.json"
    result = run("-", "--on-dropped", "keep-source", "--stats-json", str(stats), stdin=DROPS)
    assert result.exit_code == 0, result.output
    assert result.stdout == DROPS
    recorded = json.loads(stats.read_text(encoding="utf-8"))
    assert recorded["kept_source"] == 1
    assert recorded["dropped"] == [{
        "file": "<stdin>", "line": 1, "sentence": DROPS.strip(), "values": ["www.example.com"],
        "action": "kept source",
    }]


def test_fail_stops_before_writing(run, tmp_path):
    source = tmp_path / "a.hi.txt"
    source.write_text(HINDI + DROPS, encoding="utf-8")
    target = tmp_path / "a.en.txt"
    result = run(str(source), "-o", str(target), "--on-dropped", "fail")
    assert result.exit_code == 1
    assert f"{source}:2: the model dropped 'www.example.com'" in result.stderr
    assert not target.exists()


def test_a_dropped_link_is_reported_as_its_markup_with_its_line(tiny_model_hi_en):
    from translate_kit.api import TranslateOptions, Translation
    from translate_kit.engine import Translation as Sentence

    def drop_everything(prepared, options=None):
        yield [(i, Sentence(p.text, "Nothing.", -1.0, tuple(v for _, v in p.placeholders)))
               for i, p in enumerate(prepared)]

    text = "# शीर्षक\n\nपहली पंक्ति है।\nविवरण [यहाँ](https://e.org/a) पर है।\n"
    with Translation(TranslateOptions(model=str(tiny_model_hi_en), use_memory=False)) as translation:
        translation.engine.translate_stream = drop_everything
        translator = translation.document_translator()
        from translate_kit.documents import parse_document, write_document

        doc = parse_document(text, "a.md", "markdown")
        result = next(translator.translate([translator.plan(doc)]))
    report = translator.dropped_sentences[0]
    assert (report.path, report.line, report.values) == ("a.md", 4, ("[यहाँ](https://e.org/a)",))
    assert report.sentence == "विवरण [यहाँ](https://e.org/a) पर है।"
    assert "[" in write_document(result.document, result.rendered)  # the link is put back


def test_folder_renames_language_tags_and_a_rerun_says_it_is_done(run, tmp_path):
    source = tmp_path / "hi"
    (source / "docs").mkdir(parents=True)
    (source / "docs" / "article.hi.md").write_text("# शीर्षक\n\n" + HINDI, encoding="utf-8")
    (source / "notes.txt").write_text(HINDI, encoding="utf-8")
    (source / "english.txt").write_text("Already English text.\n", encoding="utf-8")
    out = tmp_path / "en"
    result = run(str(source), "-o", str(out), "--src-lang", "hi")
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        MANIFEST_NAME, "docs/article.en.md", "english.txt", "notes.txt",
    ]
    assert "english.txt is already in English: copied unchanged" in result.stderr
    assert "1 already in the target language" in result.stderr
    again = run(str(source), "-o", str(out), "--src-lang", "hi")
    assert again.exit_code == 0 and "all 3 document(s) were finished" in again.stderr
    assert "--force" in again.stderr
    forced = run(str(source), "-o", str(out), "--src-lang", "hi", "--force")
    assert forced.exit_code == 0 and "3 document(s) translated" in forced.stderr


def test_ctrl_c_exits_130_and_says_what_is_saved(run, monkeypatch):
    import translate_kit.cli.translate as command

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "translate_documents", interrupted)
    result = run("-", stdin=HINDI)
    assert result.exit_code == 130
    assert "interrupted:" in result.stderr and "run the same command again to resume" in result.stderr


def test_progress_is_a_plain_line_off_a_terminal(monkeypatch):
    monkeypatch.setattr(progress_module, "PLAIN_EVERY", 0.0)
    stream = io.StringIO()
    with progress_module.Progress("translate", "sentences", stream=stream) as progress:
        progress.update(0, 40)
        progress.update(10, 40)
        progress.update(40, 40)
    lines = stream.getvalue().splitlines()
    assert lines and all(line.startswith("translate: ") for line in lines)
    assert "10/40 sentences (25%)" in stream.getvalue() and "\r" not in stream.getvalue()
    quiet = io.StringIO()
    progress_module.Progress("translate", "sentences", quiet=True, stream=quiet).update(10, 40)
    assert quiet.getvalue() == ""


def test_engine_calls_are_small_at_first_so_progress_moves_per_sentence(tiny_model_hi_en):
    from translate_kit.api import TranslateOptions, Translation

    seen: list[tuple[int, int]] = []
    sentences = [f"वाक्य संख्या {i} यहाँ है।" for i in range(60)]
    with Translation(TranslateOptions(model=str(tiny_model_hi_en), beam_size=1, use_memory=False)) as t:
        t.translate_texts(["\n".join(sentences)], progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 60) and seen[-1] == (60, 60)
    assert seen[1][0] <= 16  # the first engine call is small: progress moves at once


def test_front_matter_keys_and_language_code_from_the_command_line(run, tmp_path):
    source = tmp_path / "page.hi.md"
    source.write_text("---\nlang: hi\ntitle: कानूनी पक्ष\ndescription: लाइसेंस का विवरण\n---\n\n"
                      + HINDI, encoding="utf-8")
    result = run(str(source), "-o", "-")
    assert result.exit_code == 0, result.output
    head = result.stdout.split("---")[1]
    assert "lang: en" in head and not any("\u0900" <= c <= "\u097f" for c in head)
    result = run(str(source), "-o", "-", "--front-matter-keys", "description")
    assert "title: कानूनी पक्ष" in result.stdout and "लाइसेंस" not in result.stdout


def test_numbers_only_document_gets_no_language_notice(run):
    result = run("-", "--src-lang", "hi", stdin="2024 — 15.5%\n")
    assert result.exit_code == 0 and "note:" not in result.stderr
    result = run("-", "--src-lang", "hi", stdin="Already English text.\n")
    assert "<stdin> is already in English: copied unchanged" in result.stderr
