"""`corpus clean`: formats in and out, rejected pairs and report, duplicates, bad input in one line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate_kit.api import CleanOptions, clean_corpus
from translate_kit.cli import cli

GOOD = [
    ("सरकार ने सोमवार को किसानों के लिए 6000 रुपये की सहायता योजना शुरू की।",
     "On Monday the government launched an assistance scheme of 6000 rupees for farmers."),
    ("मुंबई में 24 घंटे में 200 मिलीमीटर बारिश दर्ज की गई।", "Mumbai recorded 200 millimetres of rain in 24 hours."),
    ("कृषि मंत्री नरेंद्र तोमर ने दिल्ली में इसकी घोषणा की।",
     "Agriculture Minister Narendra Tomar announced it in Delhi."),
]
BAD = [
    ("Home » News » India", "होम » समाचार » भारत"),
    ("The scheme was launched.", "The scheme was launched."),
    ("ज़िले में बाढ़ आई।", "There was a flood in the district."),
    ("ज़िले में बाढ़ आई.", "There was a flood in the district."),  # near duplicate: nukta form and `.` for `।`
]


def run(*args: str):
    return CliRunner().invoke(cli, ["corpus", "clean", *args], catch_exceptions=False)


def test_tsv_in_tsv_out_with_rejected_and_report(tmp_path):
    source = tmp_path / "crawl.tsv"
    lines = [f"{hi}\t{en}\tsite-{i}" for i, (hi, en) in enumerate(GOOD + BAD)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, rejected, report = tmp_path / "clean.tsv", tmp_path / "rejected.jsonl", tmp_path / "report.md"
    result = run(str(source), "-o", str(out), "--rejected", str(rejected), "--report", str(report))
    assert result.exit_code == 0, result.output
    kept = out.read_text(encoding="utf-8").splitlines()
    assert kept == lines[:3] + [lines[5]]  # extra columns carried, the line as it was
    dropped = [json.loads(line) for line in rejected.read_text(encoding="utf-8").splitlines()]
    assert [d["line"] for d in dropped] == [4, 5, 7]
    assert "boilerplate" in dropped[0]["reasons"] and "duplicate" in dropped[2]["reasons"]
    text = report.read_text(encoding="utf-8")
    assert "| duplicate" in text and "report.png" in text and (tmp_path / "report.png").is_file()


def test_jsonl_and_moses_keep_their_format(tmp_path):
    jsonl = tmp_path / "corpus.jsonl"
    jsonl.write_text("".join(json.dumps({"doc": "a", "hi_text": h, "en_text": e}, ensure_ascii=False) + "\n"
                             for h, e in GOOD + BAD[:1]), encoding="utf-8")
    summary = clean_corpus(str(jsonl), str(tmp_path / "out.jsonl"))
    assert summary.kept == 3 and summary.rejected == 1
    kept = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [k["doc"] for k in kept] == ["a"] * 3
    (tmp_path / "c.hi").write_text("".join(h + "\n" for h, _ in GOOD + BAD[1:2]), encoding="utf-8")
    (tmp_path / "c.en").write_text("".join(e + "\n" for _, e in GOOD + BAD[1:2]), encoding="utf-8")
    assert run(str(tmp_path / "c.hi"), "-o", str(tmp_path / "k.hi"), "-q").exit_code == 0
    assert (tmp_path / "k.en").read_text(encoding="utf-8").splitlines() == [e for _, e in GOOD]


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("a.tsv", "नमस्ते\tHello\nno tab here\n".encode(), "a.tsv:2: expected 'hindi<TAB>english'"),
        ("b.tsv", b"ab\xff\tcd\n", "b.tsv:1: not UTF-8"),
        ("c.tsv", b"", "c.tsv: the file is empty"),
        ("d.jsonl", '{"hi_text": "नमस्ते"}\n'.encode(), "d.jsonl:1: a record needs string fields"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    result = run(str(tmp_path / name), "-o", str(tmp_path / "out" / name))
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert list((tmp_path / "out").iterdir()) == []


def test_unknown_keep_reason_is_a_usage_error(tmp_path):
    (tmp_path / "a.tsv").write_text("नमस्ते\tHello\n", encoding="utf-8")
    result = run(str(tmp_path / "a.tsv"), "-o", str(tmp_path / "b.tsv"), "--keep-reasons", "nonsense")
    assert result.exit_code == 2 and "--keep-reasons" in result.output


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(GOOD + BAD), min_size=1, max_size=15))
def test_every_pair_is_kept_or_rejected_exactly_once(tmp_path_factory, pairs):
    folder = tmp_path_factory.mktemp("clean")
    (folder / "in.tsv").write_text("".join(f"{h}\t{e}\n" for h, e in pairs), encoding="utf-8")
    summary = clean_corpus(str(folder / "in.tsv"), str(folder / "out.tsv"), CleanOptions(learn_pairs=0),
                           rejected=str(folder / "rejected.jsonl"))
    kept = (folder / "out.tsv").read_text(encoding="utf-8").splitlines()
    rejected = (folder / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(kept) + len(rejected) == len(pairs) == summary.pairs
    if kept:  # cleaning what was kept keeps it all: judge and dedup are idempotent
        again = clean_corpus(str(folder / "out.tsv"), str(folder / "again.tsv"), CleanOptions(learn_pairs=0))
        assert again.kept == len(kept)
