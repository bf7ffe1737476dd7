"""`corpus build`: many pairs -> filtered corpus, report, atomic resumable work."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from translate_kit.align import Aligner
from translate_kit.align.features import AnchorSource
from translate_kit.cli import cli
from translate_kit.corpus import CorpusBuilder, Filters, pair_folders, read_pair_list
from translate_kit.errors import InputError

HI_1 = """# किसानों के लिए नई योजना
सरकार ने सोमवार को किसानों के लिए 6000 रुपये की सहायता योजना शुरू की।
कृषि मंत्री नरेंद्र तोमर ने दिल्ली में इसकी घोषणा की।

COVID-19 vaccine update
विश्व स्वास्थ्य संगठन (WHO) ने 15 अगस्त को चेतावनी जारी की।
"""
EN_1 = """# New scheme for farmers
On Monday the government launched an assistance scheme of 6000 rupees for farmers.
Agriculture Minister Narendra Tomar announced it in Delhi.

COVID-19 vaccine update
The World Health Organization (WHO) issued a warning on 15 August.
"""
HI_2 = """# मुंबई में बारिश
मुंबई में 24 घंटे में 200 मिलीमीटर बारिश दर्ज की गई।
सरकार ने सोमवार को किसानों के लिए 6000 रुपये की सहायता योजना शुरू की।
"""
EN_2 = """# Rain in Mumbai
Mumbai recorded 200 millimetres of rain in 24 hours.
On Monday the government launched an assistance scheme of 6000 rupees for farmers.
"""


@pytest.fixture()
def pairs_tsv(tmp_path):
    for name, text in (("one.hi", HI_1), ("one.en", EN_1), ("two.hi", HI_2), ("two.en", EN_2)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text("# hindi\tenglish\tdoc\none.hi\tone.en\tstory-1\ntwo.hi\ttwo.en\n", encoding="utf-8")
    return tsv


def build(args):
    return CliRunner().invoke(
        cli,
        ["corpus", "build", *args, "--presplit", "--no-freedict", "--min-score", "0.1"],
        catch_exceptions=False,
    )


def test_build_writes_filtered_corpus_and_report(pairs_tsv, tmp_path):
    out = tmp_path / "corpus"
    result = build([str(pairs_tsv), "-o", str(out)])
    assert result.exit_code == 0, result.output
    hi = (out / "corpus.hi").read_text(encoding="utf-8").splitlines()
    en = (out / "corpus.en").read_text(encoding="utf-8").splitlines()
    assert len(hi) == len(en) == 6
    assert "COVID-19 vaccine update" not in hi  # identical on both sides
    assert (
        hi.count("सरकार ने सोमवार को किसानों के लिए 6000 रुपये की सहायता योजना शुरू की।") == 1
    )  # duplicate dropped
    assert en[hi.index("मुंबई में बारिश")] == "Rain in Mumbai"
    pairs = [json.loads(line) for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {p["doc"] for p in pairs} == {"story-1", "two.hi"} and all(0 <= p["score"] <= 1 for p in pairs)
    report = pd.read_csv(out / "report.csv")
    assert list(report["doc"]) == ["story-1", "two.hi"]
    assert list(report["pairs"]) == [4, 2]
    assert report.loc[0, "removed: identical"] == 1 and report.loc[1, "removed: duplicate"] == 1
    assert pd.read_csv(out / "report_scores.csv")["beads"].sum() == 8
    assert "## Bead types" in (out / "report.md").read_text(encoding="utf-8")
    assert not list(out.glob("*.part")) and not list((out / ".work").glob("*.part"))


def test_build_resumes_after_a_crash(pairs_tsv, tmp_path, monkeypatch):
    jobs = read_pair_list(pairs_tsv)
    out = tmp_path / "corpus"
    aligner = Aligner(sources=[AnchorSource()])
    calls = []
    real_align = Aligner.align

    def crash_on_second(self, hi, en):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_align(self, hi, en)

    monkeypatch.setattr(Aligner, "align", crash_on_second)
    builder = CorpusBuilder(aligner, Filters(min_score=0.1), out, presplit=True)
    with pytest.raises(KeyboardInterrupt):
        builder.build(jobs)
    assert len(list((out / ".work").glob("*.json"))) == 1
    calls.clear()
    monkeypatch.setattr(Aligner, "align", real_align)
    summary = builder.build(jobs)
    assert summary.reused == 1 and summary.pairs == 6
    (tmp_path / "two.en").write_text(EN_2.replace("Rain in Mumbai", "Heavy rain in Mumbai"), encoding="utf-8")
    summary = builder.build(jobs)
    assert summary.reused == 1  # the changed document is redone, the other reused


def test_two_folders_with_matching_names(tmp_path):
    (tmp_path / "hi").mkdir()
    (tmp_path / "en").mkdir()
    (tmp_path / "hi" / "story.txt").write_text(HI_2, encoding="utf-8")
    (tmp_path / "en" / "story.txt").write_text(EN_2, encoding="utf-8")
    (tmp_path / "hi" / "lonely.txt").write_text(HI_1, encoding="utf-8")
    jobs, unmatched = pair_folders(tmp_path / "hi", tmp_path / "en")
    assert [j.doc for j in jobs] == ["story.txt"] and unmatched == ["lonely.txt"]
    result = build([str(tmp_path / "hi"), str(tmp_path / "en"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "lonely.txt" in result.stderr
    assert len((tmp_path / "out" / "corpus.en").read_text(encoding="utf-8").splitlines()) == 3


def test_bad_pair_lists_and_bad_documents(tmp_path, pairs_tsv):
    bad = tmp_path / "bad.tsv"
    bad.write_text("one.hi\tone.en\nonly-one-column\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.tsv:2"):
        read_pair_list(bad)
    missing = tmp_path / "missing.tsv"
    missing.write_text("one.hi\tnope.en\n", encoding="utf-8")
    result = build([str(missing), "-o", str(tmp_path / "x")])
    assert result.exit_code == 1 and "missing.tsv:1" in result.output and "no such file" in result.output
    (tmp_path / "two.en").write_bytes(b"\xff\xfe broken")
    result = build([str(pairs_tsv), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0 and "1 document(s) failed" in result.stderr
    report = pd.read_csv(tmp_path / "out" / "report.csv")
    assert "invalid UTF-8" in report.loc[1, "error"]

    result = build([str(pairs_tsv), "-o", str(tmp_path / "out"), "--errors", "replace"])
    assert result.exit_code == 0 and "failed" not in result.stderr, result.output
    report = pd.read_csv(tmp_path / "out" / "report.csv")
    # story-1 keeps the 4 pairs of the clean build; the replaced two.en holds only "broken": no pair.
    assert report["error"].isna().all() and list(report["pairs"]) == [4, 0]


def test_filters_explain_each_removal():
    filters = Filters(min_score=0.5)
    base = {"hi": [0], "en": [0], "hi_text": "यह एक वाक्य है।", "en_text": "This is a sentence.", "score": 0.9}
    assert filters.reason(base) is None
    assert filters.reason({**base, "en": []}) == "unaligned"
    assert filters.reason({**base, "score": 0.2}) == "low score"
    assert (
        filters.reason(
            {**base, "en_text": "This is a sentence that goes on and on for far too long to be it."}
        )
        == "length ratio"
    )
    assert filters.reason({**base, "en_text": "यह एक वाक्य है, सच में।"}) == "script"
    assert filters.reason({**base, "hi": [0, 1], "en": [0, 1]}) == "bead type"


def test_paragraph_level_corpus_pairs_headings_and_paragraphs(pairs_tsv, tmp_path):
    out = tmp_path / "paragraphs"
    result = build([str(pairs_tsv), "-o", str(out), "--level", "paragraph"])
    assert result.exit_code == 0, result.output
    hi = (out / "corpus.hi").read_text(encoding="utf-8").splitlines()
    en = (out / "corpus.en").read_text(encoding="utf-8").splitlines()
    assert en[hi.index("किसानों के लिए नई योजना")] == "New scheme for farmers"
    paragraph = hi.index(
        "सरकार ने सोमवार को किसानों के लिए 6000 रुपये की सहायता योजना शुरू की। "
        "कृषि मंत्री नरेंद्र तोमर ने दिल्ली में इसकी घोषणा की।"
    )
    assert en[paragraph] == (
        "On Monday the government launched an assistance scheme of 6000 rupees for farmers. "
        "Agriculture Minister Narendra Tomar announced it in Delhi."
    )
    assert '"level": "paragraph"' in (out / "report.md").read_text(encoding="utf-8")


def test_a_learning_build_resumes_with_the_same_lexicon(shared_data, tmp_path, monkeypatch):
    """Two passes (confident beads of every document, then realignment with the lexicon learned
    from them), both resumable: an interrupted build and a fresh one write the same corpus."""
    hi_lines = (shared_data / "hi-en" / "newsdev2014.hi").read_text(encoding="utf-8").splitlines()
    en_lines = (shared_data / "hi-en" / "newsdev2014.en").read_text(encoding="utf-8").splitlines()
    rows = []
    for k in range(24):
        (tmp_path / f"{k}.hi").write_text("\n".join(hi_lines[k * 15 : k * 15 + 15]) + "\n", encoding="utf-8")
        (tmp_path / f"{k}.en").write_text("\n".join(en_lines[k * 15 : k * 15 + 15]) + "\n", encoding="utf-8")
        rows.append(f"{k}.hi\t{k}.en")
    (tmp_path / "pairs.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    jobs = read_pair_list(tmp_path / "pairs.tsv")
    aligner = Aligner(sources=[AnchorSource()], learn=True)
    fresh = CorpusBuilder(aligner, Filters(min_score=0.1), tmp_path / "fresh", presplit=True)
    fresh.build(jobs)
    calls = []
    real_align = Aligner.align

    def crash_in_second_pass(self, hi, en):
        calls.append(1)
        if len(calls) == len(jobs) + 3:
            raise KeyboardInterrupt
        return real_align(self, hi, en)

    monkeypatch.setattr(Aligner, "align", crash_in_second_pass)
    resumed = CorpusBuilder(aligner, Filters(min_score=0.1), tmp_path / "resumed", presplit=True)
    with pytest.raises(KeyboardInterrupt):
        resumed.build(jobs)
    monkeypatch.setattr(Aligner, "align", real_align)
    summary = resumed.build(jobs)
    assert summary.reused == 2
    for name in ("corpus.hi", "corpus.en", "corpus.jsonl"):
        assert (tmp_path / "resumed" / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes()
    assert summary.learned.startswith("a lexicon of ")
    assert summary.learned in (tmp_path / "fresh" / "report.md").read_text(encoding="utf-8")


def test_a_binary_file_in_a_folder_and_a_document_listed_twice(tmp_path):
    for side, text in (("hi", HI_2), ("en", EN_2)):
        (tmp_path / side).mkdir()
        (tmp_path / side / "story.txt").write_text(text, encoding="utf-8")
        (tmp_path / side / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00")
    result = build([str(tmp_path / "hi"), str(tmp_path / "en"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0 and "1 document(s) failed" in result.stderr
    report = pd.read_csv(tmp_path / "out" / "report.csv").set_index("doc")
    assert "binary file" in report.loc["logo.png", "error"] and report.loc["story.txt", "pairs"] == 3
    twice = tmp_path / "twice.tsv"
    lines = "hi/story.txt\ten/story.txt\tfirst\nhi/story.txt\ten/story.txt\tsecond\n"
    twice.write_text(lines, encoding="utf-8")
    result = build([str(twice), "-o", str(tmp_path / "twice")])
    assert result.exit_code == 0
    report = pd.read_csv(tmp_path / "twice" / "report.csv").set_index("doc")
    assert report.loc["first", "pairs"] == 3 and report.loc["second", "pairs"] == 0
    assert report.loc["second", "removed: duplicate"] == 3


def test_build_corpus_library_call_checks_its_arguments_before_any_work(pairs_tsv, tmp_path):
    """api.build_corpus: folders matched by name (unmatched names returned, not printed); a TSV with
    a second argument, a lone folder or a bad bead list is an OptionError that names what is wrong;
    the CLI reports the same as a usage error (exit 2)."""
    from translate_kit.api import AlignOptions, CorpusOptions, build_corpus
    from translate_kit.errors import OptionError

    for side, text in (("hi", HI_2), ("en", EN_2)):
        (tmp_path / side).mkdir()
        (tmp_path / side / "story.txt").write_text(text, encoding="utf-8")
    (tmp_path / "hi" / "only-hindi.txt").write_text(HI_1, encoding="utf-8")
    options = CorpusOptions(Filters(min_score=0.1), align=AlignOptions(presplit=True, freedict=False))
    summary = build_corpus(str(tmp_path / "hi"), str(tmp_path / "en"), str(tmp_path / "out"), options)
    assert (summary.documents, summary.pairs, summary.unmatched) == (1, 3, ["only-hindi.txt"])

    with pytest.raises(OptionError, match="takes no second argument"):
        build_corpus(str(pairs_tsv), str(tmp_path / "en"), str(tmp_path / "x"), options)
    with pytest.raises(OptionError, match="give the English folder"):
        build_corpus(str(tmp_path / "hi"), None, str(tmp_path / "x"), options)
    bad_beads = CorpusOptions(align=AlignOptions(beads="9-9", freedict=False))
    with pytest.raises(OptionError, match="bad bead type 9-9") as raised:
        build_corpus(str(pairs_tsv), None, str(tmp_path / "x"), bad_beads)
    assert raised.value.option == "--beads"
    assert not (tmp_path / "x").exists()

    result = build([str(pairs_tsv), "-o", str(tmp_path / "y"), "--beads", "9-9"])
    assert result.exit_code == 2 and "Invalid value for --beads: bad bead type 9-9" in result.output
    result = build([str(pairs_tsv), str(tmp_path / "en"), "-o", str(tmp_path / "y")])
    assert result.exit_code == 2 and "Error: a TSV of pairs takes no second argument" in result.output
