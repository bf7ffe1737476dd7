"""`translate-kit translate` on documents, folders and bad input, with the tiny random-weight model."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from copy_model import patched_ctranslate2

from translate_kit.cli import cli
from translate_kit.documents import parse_document

ARTICLE = """मॉस्को में जयशंकर ने लावरोव से मुलाकात की। दोनों नेताओं ने व्यापार पर चर्चा की।
द्विपक्षीय संबंधों पर जोर
बैठक के बाद संयुक्त बयान जारी किया गया।
"""
MARKDOWN = """# जयशंकर की **मॉस्को** यात्रा

विदेश मंत्री ने [बयान](https://mea.gov.in/x) जारी किया।

- पहला बिंदु यहाँ है।
- दूसरा बिंदु यहाँ है।

```
कोड जैसा है
```
"""
HTML = (
    '<html><body><h1>बैठक</h1><p>दिल्ली में <a href="/a">बारिश</a> हुई।</p>'
    '<script>x="दिल्ली"</script></body></html>\n'
)
JSONL = '{"id": 7, "title": "मॉस्को में बैठक", "body": "दोनों देशों ने चर्चा की।", "tags": ["a"]}\n'
TSV = "id\ttext\tsource\n1\tभारत और रूस ने समझौता किया।\tpti\n2\tनई दिल्ली में बारिश हुई।\tani\n"


@pytest.fixture
def run(tiny_model_hi_en):
    def invoke(*args: str, stdin: str | None = None, model: bool = True):
        extra = ["--model", str(tiny_model_hi_en), "--beam", "1", "--threads", "1"] if model else []
        return CliRunner().invoke(cli, ["translate", *args, *extra], input=stdin)

    return invoke


def _devanagari(text: str) -> bool:
    return bool(re.search("[\u0900-\u097f]", text))


def _write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "source", "extra"),
    [
        ("a.txt", ARTICLE, ()),
        ("a.md", MARKDOWN, ()),
        ("a.html", HTML, ()),
        ("a.jsonl", JSONL, ("--field", "title", "--field", "body")),
        ("a.tsv", TSV, ("--column", "text")),
    ],
    ids=["text", "markdown", "html", "jsonl", "tsv"],
)
def test_each_format_keeps_its_structure(run, tmp_path, name, source, extra):
    src = _write(tmp_path, name, source)
    out = tmp_path / ("out-" + name)
    result = run(str(src), "-o", str(out), *extra)
    assert result.exit_code == 0, result.output
    translated = out.read_text(encoding="utf-8")
    fmt = {"txt": "text", "md": "markdown", "html": "html", "jsonl": "jsonl", "tsv": "tsv"}[
        name.split(".")[1]
    ]
    options = (
        {"fields": ("title", "body")} if fmt == "jsonl" else {"columns": ("text",)} if fmt == "tsv" else {}
    )
    assert [bool(line.strip()) for line in translated.split("\n")] == [
        bool(line.strip()) for line in source.split("\n")
    ]
    if fmt != "text":  # noise from the tiny model need not look like headings again
        before = parse_document(source, name, fmt, **options)
        after = parse_document(translated, name, fmt, **options)
        assert [(b.id, b.kind, len(b.spans)) for b in after.blocks] == [
            (b.id, b.kind, len(b.spans)) for b in before.blocks
        ]
    assert "⟦" not in translated


def test_markdown_html_jsonl_tsv_keep_what_is_not_text(run, tmp_path):
    for name, source, extra in [
        ("a.md", MARKDOWN, ()),
        ("a.html", HTML, ()),
        ("a.jsonl", JSONL, ("--field", "body")),
        ("a.tsv", TSV, ("--column", "text")),
    ]:
        assert (
            run(str(_write(tmp_path, name, source)), "-o", str(tmp_path / ("o" + name)), *extra).exit_code
            == 0
        )
    md = (tmp_path / "oa.md").read_text()
    assert "](https://mea.gov.in/x)" in md and "```\nकोड जैसा है\n```" in md and md.startswith("# ")
    html = (tmp_path / "oa.html").read_text()
    assert (
        re.findall(r"<[^>]+>", html) == re.findall(r"<[^>]+>", HTML) and '<script>x="दिल्ली"</script>' in html
    )
    record = json.loads((tmp_path / "oa.jsonl").read_text())
    assert record["id"] == 7 and record["title"] == "मॉस्को में बैठक" and record["tags"] == ["a"]
    assert not _devanagari(record["body"])
    rows = [line.split("\t") for line in (tmp_path / "oa.tsv").read_text().splitlines()]
    assert [r[0] for r in rows] == ["id", "1", "2"] and [r[2] for r in rows] == ["source", "pti", "ani"]


def test_folder_run_stats_resume_and_cache(run, tmp_path):
    corpus = tmp_path / "corpus"
    _write(corpus, "one.txt", ARTICLE)
    _write(corpus, "sub/two.md", MARKDOWN)
    _write(corpus, "three.txt", ARTICLE)  # same sentences as one.txt: translated once
    _write(corpus, "notes.xlsx", "ignored: unknown extension")
    out, stats = tmp_path / "out", tmp_path / "stats.json"
    result = run(str(corpus), "-o", str(out), "--stats-json", str(stats))
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".translate-kit-manifest.jsonl",
        "one.txt",
        "sub/two.md",
        "three.txt",
    ]
    first = json.loads(stats.read_text())
    assert first["documents"] == 3 and first["duplicates"] == 4 and first["cached"] == 0
    assert first["sentences"] == first["translated"] + first["duplicates"] + first["passthrough"]
    assert first["translated"] == 4 + 6 and first["dropped_placeholders"] == 2 and first["seconds"] > 0
    assert "sent" in result.stderr  # progress bar with sentences per second

    result = run(str(corpus), "-o", str(out), "--stats-json", str(stats), "-q")
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(stats.read_text())["documents_skipped"] == 3

    (corpus / "one.txt").write_text(ARTICLE + "नया अनुच्छेद जोड़ा गया।\n", encoding="utf-8")
    result = run(str(corpus), "-o", str(out), "--stats-json", str(stats), "-q")
    again = json.loads(stats.read_text())
    assert (again["documents"], again["documents_skipped"], again["translated"]) == (1, 2, 1)
    assert again["cached"] == 4  # the unchanged sentences of the changed file came from the memory

    result = run(str(corpus), "-o", str(tmp_path / "out2"), "--stats-json", str(stats), "-q", "--no-cache")
    assert json.loads(stats.read_text())["cached"] == 0


def test_existing_output_is_refused_without_overwrite(run, tmp_path):
    src = _write(tmp_path, "a.txt", ARTICLE)
    out = _write(tmp_path, "a.en.txt", "keep me\n")
    result = run(str(src), "-o", str(out))
    assert (
        result.exit_code == 1
        and "output exists (use --overwrite" in result.stderr
        and str(out) in result.stderr
    )
    assert out.read_text() == "keep me\n"
    assert run(str(src), "-o", str(out), "--overwrite").exit_code == 0
    assert out.read_text().count("\n") == 3 and not _devanagari(out.read_text())


def test_bilingual_output_has_blocks_sentences_ids_and_scores(run, tmp_path):
    src = _write(tmp_path, "a.txt", ARTICLE + "\nThe ministers spoke to reporters.\n")
    result = run(str(src), "--bilingual", "-o", str(tmp_path / "pairs.jsonl"))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (tmp_path / "pairs.jsonl").read_text().splitlines()]
    assert [r["block"] for r in records] == ["b1", "b2", "b3", "b4"]
    assert [r["kind"] for r in records] == ["paragraph", "heading", "paragraph", "paragraph"]
    assert len(records[0]["sentences"]) == 2 and records[0]["sentences"][1]["index"] == 1
    assert all(
        isinstance(s["score"], float) and not _devanagari(s["translation"]) for s in records[0]["sentences"]
    )
    assert (
        records[3]["translated"] is False and records[3]["translation"] == "The ministers spoke to reporters."
    )


def test_glossary_and_custom_cache_path(run, tmp_path):
    src = _write(tmp_path, "a.txt", "सूर्या ने मैच जीता.\n")
    terms = _write(tmp_path, "terms.tsv", "# name\tspelling\nसूर्या\tSurya\n")
    cache = tmp_path / "tm" / "memory.sqlite3"
    with patched_ctranslate2():  # a model that copies its input: the term must come back as given
        result = run(str(src), "--glossary", str(terms), "--cache", str(cache))
    assert result.exit_code == 0, result.output
    assert result.stdout == "Surya ने मैच जीता.\n" and "dropped" not in result.stderr
    assert cache.exists()
    result = run(str(src), "--glossary", str(terms), "--no-cache")  # the tiny model loses <ID1>
    assert result.exit_code == 0 and "Surya" not in result.stdout
    assert "a.txt:1: the model dropped 'Surya'" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "extra", "message"),
    [
        (
            "n.jsonl",
            b'{"body": "\xe0\xa4\xa0\xe0\xa5\x80\xe0\xa4\x95"}\nnot json\n',
            ("--field", "body"),
            "Error: {path}:2: not valid JSON",
        ),
        (
            "n.jsonl",
            b'{"body": "x"}\n{"title": "y"}\n',
            ("--field", "body"),
            "Error: {path}:2: record has no field 'body'",
        ),
        ("s.tsv", b"id\ttext\n1\tx\t\n", ("--column", "text"), "Error: {path}:2: row has 3 fields"),
        ("b.txt", "ठीक है।\n".encode() + b"\xc3\x28\n", (), "Error: {path}:2: invalid UTF-8 at byte"),
        ("img.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", (), "Error: {path}:1: invalid UTF-8 at byte 0"),
        ("data.txt", b"\x00\x01\x02\x03 raw", (), "Error: {path}: looks like a binary file"),
    ],
    ids=["jsonl-not-json", "jsonl-no-field", "tsv-ragged", "invalid-utf8", "png", "binary"],
)
def test_bad_input_is_one_clear_line_and_no_output(run, tmp_path, name, content, extra, message):
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out"
    result = run(str(path), "-o", str(out), *extra)
    assert result.exit_code == 1
    assert result.stderr.strip() == message.format(path=path) or result.stderr.startswith(
        message.format(path=path)
    )
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.output
    assert not out.exists()


def test_empty_and_malformed_inputs(run, tmp_path):
    empty = _write(tmp_path, "empty.md", "")
    result = run(str(empty), "-o", str(tmp_path / "empty.out.md"), model=False)
    assert result.exit_code == 0 and (tmp_path / "empty.out.md").read_text() == ""
    bad_html = _write(tmp_path, "bad.html", "<p>खुला <b>मोटा<div>भटका</span> अंत</p></i>")
    result = run(str(bad_html), "-o", str(tmp_path / "bad.out.html"))
    assert result.exit_code == 0, result.output
    out = (tmp_path / "bad.out.html").read_text()
    assert re.findall(r"<[^>]+>", out) == re.findall(r"<[^>]+>", bad_html.read_text())


def test_mixed_hindi_english_paragraphs(run, tmp_path):
    src = _write(
        tmp_path,
        "mixed.txt",
        "मॉस्को में बैठक हुई।\n\nThe talks lasted two hours.\n\nदोनों देशों ने बयान जारी किया।\n",
    )
    result = run(str(src), "--src", "hi")
    assert result.exit_code == 0, result.output
    paragraphs = result.stdout.split("\n\n")
    assert paragraphs[1] == "The talks lasted two hours." and not _devanagari(result.stdout)


def test_format_option_and_missing_folder_output(run, tmp_path):
    src = _write(tmp_path, "page.hi", "# शीर्षक\n\nपाठ यहाँ है।\n")
    result = run(str(src), "--format", "markdown")
    assert result.exit_code == 0 and result.stdout.startswith("# ")
    result = run(str(tmp_path), model=False)
    assert result.exit_code == 1 and "needs -o OUTPUT_FOLDER" in result.stderr


def test_field_and_column_need_their_formats(run, tmp_path):
    src = _write(tmp_path, "a.txt", ARTICLE)
    result = run(str(src), "--field", "body", model=False)
    assert result.exit_code == 2 and "--field applies to JSONL input" in result.stderr
    result = run(str(src), "--column", "text", model=False)
    assert result.exit_code == 2 and "--column applies to TSV/CSV input" in result.stderr
    missing = run(str(_write(tmp_path, "n.jsonl", JSONL)), model=False)
    assert missing.exit_code == 1 and "needs at least one --field" in missing.stderr
