"""The aligner reading real-looking documents, its block-level output, many pairs, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from translate_kit.align import Aligner, read_article
from translate_kit.align.features import AnchorSource
from translate_kit.align.output import records_at
from translate_kit.cli import cli
from translate_kit.errors import InputError

HI_MD = """---
title: किसानों के लिए नई योजना
lang: hi
---

# किसानों के लिए नई योजना

सरकार ने सोमवार को किसानों के लिए 6000 रुपये की सहायता योजना शुरू की। कृषि मंत्री नरेंद्र तोमर ने दिल्ली में इसकी घोषणा की।

## बारिश

इस साल बारिश सामान्य से कम हुई। विश्व स्वास्थ्य संगठन (WHO) ने 15 अगस्त को चेतावनी जारी की।

- जानकारी www.mygov.in पर उपलब्ध है।
"""
EN_MD = """---
title: New scheme for farmers
lang: en
---

# New scheme for farmers

On Monday the government launched an assistance scheme of 6000 rupees for farmers.

Agriculture Minister Narendra Tomar announced it in Delhi.

## Rain

This year the rainfall was below normal. The World Health Organization (WHO) issued a warning on 15 August.

- Details are available at www.mygov.in.
"""
EN_HTML = """<html><head><title>New scheme for farmers</title></head><body>
<h1>New scheme for farmers</h1>
<p>On Monday the government launched an assistance scheme of 6000 rupees for farmers.</p>
<p>Agriculture Minister Narendra Tomar announced it in Delhi.</p>
<h2>Rain</h2>
<p>This year the rainfall was below normal.
The World Health Organization (WHO) issued a warning on 15 August.</p>
<ul><li>Details are available at www.mygov.in.</li></ul>
<script>var tracking = "not text";</script>
</body></html>
"""


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def aligner() -> Aligner:
    return Aligner(sources=[AnchorSource()])


def test_markdown_front_matter_is_not_aligned_as_text(tmp_path):
    article = read_article(write(tmp_path / "a.md", HI_MD), "hin_Deva")
    assert not any("lang:" in s for s in article.sentences)
    assert [b.kind for b in article.blocks] == ["heading"] * 2 + ["paragraph", "heading"] + ["paragraph"] * 2
    assert article.blocks[0].doc_kind == "field" and article.blocks[-1].doc_kind == "list_item"


def test_block_pairs_mark_headings_and_join_a_split_paragraph(tmp_path, aligner):
    hi = read_article(write(tmp_path / "a.md", HI_MD), "hin_Deva")
    en = read_article(write(tmp_path / "a.en.md", EN_MD), "eng_Latn")
    alignment = aligner.align(hi, en)
    blocks = records_at("block", alignment, hi, en)
    assert [(b["hi"], b["en"], b["type"], b["heading"]) for b in blocks] == [
        ([0], [0], "1-1", True),  # the front-matter titles
        ([1], [1], "1-1", True),
        ([2], [2, 3], "1-2", False),
        ([3], [4], "1-1", True),
        ([4], [5], "1-1", False),
        ([5], [6], "1-1", False),
    ]
    assert blocks[0]["hi_kinds"] == ["field"] and blocks[0]["en_text"] == "New scheme for farmers"
    assert blocks[2]["hi_blocks"] == ["b2"] and blocks[2]["en_blocks"] == ["b2", "b3"]
    assert blocks[2]["en_text"].startswith("On Monday") and "Tomar" in blocks[2]["en_text"]
    assert blocks[5]["hi_kinds"] == ["list_item"]
    assert all(0 < b["score"] <= 1 for b in blocks)
    assert blocks[2]["score"] > 0.5 and blocks[5]["score"] > 0.5  # numbers, names, a URL in common
    both = records_at("both", alignment, hi, en)
    assert [r["level"] for r in both[:4]] == ["block", "sentence", "block", "sentence"]
    split = both[4]
    sentences = [r for r in both if r["level"] == "sentence" and r["block"] == split["block"]]
    assert [(s["hi"], s["en"], s["en_blocks"]) for s in sentences] == [([2], [2], ["b2"]), ([3], [3], ["b3"])]


def test_markdown_against_html_aligns_block_for_block(tmp_path, aligner):
    """Mismatched formats are read each by its own reader; the HTML <title> is one more heading."""
    hi = read_article(write(tmp_path / "a.md", HI_MD), "hin_Deva")
    en = read_article(write(tmp_path / "a.html", EN_HTML), "eng_Latn")
    assert en.blocks[0].doc_kind == "title" and "tracking" not in " ".join(en.sentences)
    alignment = aligner.align(hi, en)
    pairs = [(b.hi, b.en) for b in alignment.blocks]
    assert pairs[:3] == [((0,), (0,)), ((1,), (1,)), ((2,), (2, 3))]  # front-matter title <-> <title>


def test_cli_levels_and_align_eval_on_block_pairs(tmp_path):
    hi, en = write(tmp_path / "a.md", HI_MD), write(tmp_path / "b.md", EN_MD)
    out = tmp_path / "both.jsonl"
    result = run("align", hi, en, "--no-freedict", "--level", "both", "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = records(out.read_text(encoding="utf-8"))
    assert {r["level"] for r in lines} == {"block", "sentence"}
    blocks = records(run("align", hi, en, "--no-freedict", "--level", "block").stdout)
    assert [b["type"] for b in blocks] == ["1-1", "1-1", "1-2", "1-1", "1-1", "1-1"]
    scored = run("align-eval", str(out), str(out), "--level", "block", "--json")
    assert json.loads(scored.stdout)["f1_strict"] == 1.0


def test_many_pairs_in_one_process_with_a_binary_file_skipped(tmp_path):
    hi, en = write(tmp_path / "a.md", HI_MD), write(tmp_path / "b.md", EN_MD)
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    lines = f"{hi}\t{en}\tnews-1\nphoto.txt\t{en}\tnews-2\n{hi}\t{en}\tnews-3\n"
    pairs = write(tmp_path / "pairs.tsv", lines)
    result = run("align", "--pairs", pairs, "--no-freedict", "--level", "block")
    assert result.exit_code == 1
    assert "news-2: skipped:" in result.stderr and "photo.txt" in result.stderr
    assert "2 pair(s) aligned" in result.stderr and "1 pair(s) skipped" in result.stderr
    docs = [r["doc"] for r in records(result.stdout)]
    assert docs.count("news-1") == docs.count("news-3") == 6 and "news-2" not in docs
    duplicate = write(tmp_path / "dup.tsv", f"{hi}\t{en}\tsame\n{hi}\t{en}\tsame\n")
    result = run("align", "--pairs", duplicate)
    assert result.exit_code == 1 and "dup.tsv:2: document 'same' listed twice" in result.output
    assert run("align", hi, en, "--pairs", pairs).exit_code == 2


@pytest.mark.parametrize(
    ("text", "name"),
    [("", "empty.txt"), ("   \n\n", "blank.txt"), ("---\ntitle: \nlang: hi\n---\n", "front.md")],
)
def test_a_side_without_text_is_said_and_the_other_side_left_unaligned(tmp_path, text, name):
    empty, en = write(tmp_path / name, text), write(tmp_path / "b.md", EN_MD)
    result = run("align", empty, en, "--no-freedict", "--level", "both")
    assert result.exit_code == 0
    assert f"{empty} has no text to align" in result.stderr
    beads = [r for r in records(result.stdout) if r["level"] == "sentence"]
    assert beads and all(r["hi"] == [] and r["type"] == "0-1" for r in beads)
    result = run("align", empty, empty, "--no-freedict")
    assert result.exit_code == 0 and result.stdout == ""


def test_formats_that_hold_records_are_refused_in_one_line(tmp_path):
    with pytest.raises(InputError, match=r"a.jsonl: align reads text, Markdown and HTML, not jsonl"):
        read_article(write(tmp_path / "a.jsonl", '{"text": "x"}\n'), "hin_Deva")


def test_aligning_without_a_model_never_imports_ctranslate2(tmp_path):
    hi, en = write(tmp_path / "a.md", HI_MD), write(tmp_path / "b.md", EN_MD)
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from translate_kit.cli import cli\n"
        f"result = CliRunner().invoke(cli, ['align', {hi!r}, {en!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'ctranslate2' or m.endswith('.engine')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_front_matter_fields_pair_as_headings_and_codes_and_attributes_are_left_out():
    from translate_kit.align.article import article_from_document
    from translate_kit.documents import Block as DocBlock
    from translate_kit.documents import Document

    doc = Document(
        "a.md",
        "markdown",
        [
            DocBlock("b1", "paragraph", "सरकार ने योजना शुरू की। मंत्री ने घोषणा की।"),
            DocBlock("b2", "paragraph", "print('code')", translate=False),
        ],
        properties=[
            DocBlock("p1", "field", "किसानों के लिए नई योजना", meta={"front_matter": "title"}),
            DocBlock("p2", "language", "hi", meta={"front_matter": "lang"}),
            DocBlock("p3", "field", "कृषि, योजना", meta={"front_matter": "keywords"}),
            DocBlock("p4", "attribute", "खेत में किसान की तस्वीर", meta={"attribute": "alt"}),
        ],
    )
    article = article_from_document(doc, "hin_Deva")
    assert [(b.id, b.kind, b.sentences) for b in article.blocks] == [
        ("p1", "heading", ("किसानों के लिए नई योजना",)),
        ("b1", "paragraph", ("सरकार ने योजना शुरू की।", "मंत्री ने घोषणा की।")),
    ]


def test_presplit_markdown_takes_each_line_of_a_block_as_a_sentence(tmp_path):
    text = (
        "# किसानों के लिए योजना\n\n"
        "सरकार ने योजना शुरू की। यह पहली पंक्ति है।\nमंत्री ने घोषणा की।\n\n"
        "- सूची का वाक्य।\n"
    )
    article = read_article(write(tmp_path / "a.md", text), "hin_Deva", presplit=True)
    assert [b.sentences for b in article.blocks] == [
        ("किसानों के लिए योजना",),
        ("सरकार ने योजना शुरू की। यह पहली पंक्ति है।", "मंत्री ने घोषणा की।"),
        ("सूची का वाक्य।",),
    ]
