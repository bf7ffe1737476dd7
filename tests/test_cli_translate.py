"""`translate-kit translate` on plain text with the tiny random-weight models (output is noise:
these tests check structure, options and errors; other formats are tested with the documents)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from copy_model import CopyTranslator, patched_ctranslate2, sentence_rows

from translate_kit.cli import cli

ARTICLE = (
    "मॉस्को में जयशंकर ने लावरोव से मुलाकात की। दोनों नेताओं ने व्यापार पर चर्चा की।\n"
    "\n"
    "द्विपक्षीय संबंध\n"
    "बैठक के बाद संयुक्त बयान जारी किया गया।\n"
)


@pytest.fixture
def run():
    def invoke(*args: str, stdin: str | bytes | None = None):
        return CliRunner().invoke(cli, ["translate", *args, "--threads", "1"], input=stdin)

    return invoke


def test_file_to_output_keeps_lines_and_blank_lines(run, tiny_model_hi_en, tmp_path):
    source = tmp_path / "article.hi.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    target = tmp_path / "article.en.txt"
    result = run(str(source), "-o", str(target), "--model", str(tiny_model_hi_en), "--beam", "1")
    assert result.exit_code == 0, result.output
    out = target.read_text(encoding="utf-8")
    assert out.endswith("\n")
    lines = out.split("\n")
    assert len(lines) == len(ARTICLE.split("\n"))
    assert [bool(line.strip()) for line in lines] == [bool(line.strip()) for line in ARTICLE.split("\n")]
    assert not any("\u0900" <= ch <= "\u097f" for ch in out)  # Hindi in, English pieces out


def test_stdin_to_stdout_with_explicit_languages_beam_and_batch_tokens(run, tiny_model_en_hi):
    text = ("The court fixed the next hearing for January 15. The police said two people died.\n"
            "Both sides agreed to raise bilateral trade to 100 billion dollars by 2030.\n")
    with patched_ctranslate2():  # a model that copies its input: the output is known exactly
        result = run("-", "--model", str(tiny_model_en_hi), "--src", "en", "--tgt", "hi", "--beam", "2",
                     "--batch-tokens", "64", "--batch-invariant", "--no-cache", stdin=text)
    assert result.exit_code == 0, result.output
    assert result.stdout == text
    calls = CopyTranslator.instances[-1].calls
    assert {call["beam_size"] for call in calls} == {2}
    assert all(call["source"][0][:2] == ["eng_Latn", "hin_Deva"] for call in calls)  # the target tag
    # Three sentences of ~20 tokens, each decoded padded to its 32-token bucket: one per 64-token
    # batch (beside its filler row); a batch holds one sentence or fits the budget.
    batches = [sentence_rows(call) for call in calls]
    assert sorted(len(batch) for batch in batches) == [1, 1, 1]
    assert all(len(call["source"]) * 32 <= 64 for call in calls if len(call["source"][0]) < 32)


def test_default_decoding_is_beam_five_with_both_repetition_guards(run, tiny_model_hi_en):
    with patched_ctranslate2():
        result = run("-", "--model", str(tiny_model_hi_en), "--no-cache", stdin="क्या यह सच है?\n")
    assert result.exit_code == 0 and result.stdout == "क्या यह सच है?\n"
    [call] = CopyTranslator.instances[-1].calls
    assert (call["beam_size"], call["no_repeat_ngram_size"], call["max_input_length"]) == (5, 4, 0)
    # The decode cap of a short sentence: decoded padded to 16 positions, which hold 13 pieces
    # beside the two tags and the `</s>` the model appends.
    assert call["max_decoding_length"] == 2 * (16 - 3) + 10


def test_device_reaches_ctranslate2_and_an_unknown_one_is_one_clear_line(run, tiny_model_hi_en):
    with patched_ctranslate2():
        result = run("-", "--model", str(tiny_model_hi_en), "--device", "cpu", "--compute-type", "float32",
                     "--no-cache", stdin="क्या यह सच है?\n")
    assert result.exit_code == 0, result.output
    assert CopyTranslator.instances[-1].options["device"] == "cpu"
    assert CopyTranslator.instances[-1].options["compute_type"] == "float32"
    result = run("-", "--model", str(tiny_model_hi_en), "--device", "tpu", stdin="क्या यह सच है?\n")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith("Error: cannot run ") and " on tpu as int8" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_csv_columns_and_nested_jsonl_fields_translate_only_what_is_named(run, tiny_model_hi_en, tmp_path):
    # With a copy model and a glossary, "भारत" becomes "India" exactly where text went through the model.
    terms = tmp_path / "terms.tsv"
    terms.write_text("भारत\tIndia\n", encoding="utf-8")
    table = tmp_path / "news.csv"
    table.write_text('id,title,note\n1,"भारत ने, आज, समझौता किया.",भारत पहला\n2,भारत जीता.,भारत दूसरा\n',
                     encoding="utf-8")
    records = tmp_path / "news.jsonl"
    records.write_text('{"id": 1, "meta": {"title": "भारत जीता.", "tag": "भारत"}, "body": "भारत हारा."}\n',
                       encoding="utf-8")
    with patched_ctranslate2():
        csv_out = run(str(table), "--model", str(tiny_model_hi_en), "--column", "title", "--no-cache",
                      "--glossary", str(terms))
        jsonl_out = run(str(records), "--model", str(tiny_model_hi_en), "--field", "meta.title", "--no-cache",
                        "--glossary", str(terms))
    assert csv_out.exit_code == 0, csv_out.output
    assert csv_out.stdout == (
        'id,title,note\n1,"India ने, आज, समझौता किया.",भारत पहला\n2,India जीता.,भारत दूसरा\n'
    )
    assert jsonl_out.exit_code == 0, jsonl_out.output
    assert json.loads(jsonl_out.stdout) == {"id": 1, "meta": {"title": "India जीता.", "tag": "भारत"},
                                            "body": "भारत हारा."}


def test_empty_input_gives_empty_output_without_a_model(run, tmp_path):
    result = run("-", "--model", str(tmp_path / "no-model"), stdin="")
    assert result.exit_code == 0 and result.stdout == ""
    result = run("-", "--model", str(tmp_path / "no-model"), stdin="\n\n")
    assert result.exit_code == 0 and result.stdout == "\n\n"


def test_huge_line_and_control_characters(run, tiny_model_hi_en):
    text = "क " * 25_000 + "\nनमस्ते\x07 दुनिया\x00।\n"
    result = run("-", "--model", str(tiny_model_hi_en), "--beam", "1", stdin=text)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 2
    assert "\x00" not in result.stdout and "\x07" not in result.stdout


def test_dropped_placeholders_are_reported_on_stderr(run, tiny_model_hi_en):
    result = run("-", "--model", str(tiny_model_hi_en), "--beam", "1",
                 stdin="विवरण www.example.com पर उपलब्ध है।\n")
    assert result.exit_code == 0
    assert "<stdin>:1: the model dropped 'www.example.com'" in result.stderr
    assert "warning" not in result.stdout


def test_missing_model_is_one_clear_line(run, tmp_path):
    result = run("-", "--model", str(tmp_path / "no-model"), stdin="नमस्ते दुनिया।\n")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("Error: model folder not found")


def test_direction_mismatch_is_refused(run, tiny_model_en_hi):
    result = run("-", "--model", str(tiny_model_en_hi), "--src", "hi", stdin="नमस्ते दुनिया।\n")
    assert result.exit_code == 1 and "Error:" in result.stderr and "Traceback" not in result.output


def test_invalid_utf8_names_line_and_byte_or_is_replaced(run, tiny_model_hi_en, tmp_path):
    source = tmp_path / "bad.txt"
    source.write_bytes("नमस्ते।\n".encode() + b"\xff\xfe bad\n")
    result = run(str(source), "--model", str(tiny_model_hi_en))
    assert result.exit_code == 1 and f"{source}:2" in result.stderr and "byte" in result.stderr
    result = run(str(source), "--model", str(tiny_model_hi_en), "--errors", "replace", "--beam", "1")
    assert result.exit_code == 0 and result.stdout.count("\n") == 2


def test_bad_options_are_rejected(run, tiny_model_hi_en):
    assert run("-", "--beam", "0", stdin="x").exit_code == 2
    assert run("-", "--src", "fr", stdin="x").exit_code == 2
    result = run("-", "--model", str(tiny_model_hi_en), "--compute-type", "int3", stdin="नमस्ते।\n")
    assert result.exit_code == 1 and "int3" in result.stderr


LEAN_CHECK = """
import sys
from translate_kit.cli import cli
cli(["translate", sys.argv[1], "--model", sys.argv[2], "--no-cache", "--threads", "1", "--beam", "1", "-q",
     "-o", sys.argv[3]], standalone_mode=False)
heavy = {"pandas", "scipy", "matplotlib", "markdown_it", "ruamel", "tomlkit", "sacrebleu", "bs4", "lxml",
         "torch"}
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m == "html.parser")))
"""


def test_translating_plain_text_imports_no_table_markup_or_plotting_library(tiny_model_hi_en, tmp_path):
    """A translate process holds the model and its buffers: no pandas, scipy, matplotlib, Markdown,
    YAML/TOML or HTML parser unless the input's format needs one (checked in a fresh interpreter),
    also when Hindi abbreviations ask IndicNLP's list (डॉ., श्री., एस.) and English ones Moses' (Ph.D.)."""
    import subprocess
    import sys

    source = tmp_path / "article.hi.txt"
    abbreviations = "डॉ. एस. के. शर्मा ने श्री. वर्मा से बात की. He holds a Ph.D. The minister agreed.\n"
    text = ARTICLE + "जयशंकर ने कहा। The minister spoke in Moscow.\n" + abbreviations
    source.write_text(text, encoding="utf-8")
    target = tmp_path / "article.en.txt"
    done = subprocess.run([sys.executable, "-c", LEAN_CHECK, str(source), str(tiny_model_hi_en), str(target)],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", done.stdout
    assert target.read_text(encoding="utf-8").count("\n") == source.read_text(encoding="utf-8").count("\n")
