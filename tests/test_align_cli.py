"""Reading articles, the output contract, `align` and `align-eval` through the CLI, and evaluation."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_kit.align.article import article_from_document, parse_presplit
from translate_kit.align.evaluation import read_beads, score_alignments
from translate_kit.cli import cli
from translate_kit.documents import parse_document
from translate_kit.errors import InputError

HI_PRESPLIT = """# किसानों के लिए नई योजना
सरकार ने सोमवार को किसानों के लिए 6000 रुपये की सहायता योजना शुरू की।
कृषि मंत्री नरेंद्र तोमर ने दिल्ली में इसकी घोषणा की।

इस साल बारिश सामान्य से कम हुई।
विश्व स्वास्थ्य संगठन (WHO) ने 15 अगस्त को चेतावनी जारी की।
"""
EN_PRESPLIT = """# New scheme for farmers
On Monday the government launched an assistance scheme of 6000 rupees for farmers.
Agriculture Minister Narendra Tomar announced it in Delhi.

This year the rainfall was below normal.
The World Health Organization (WHO) issued a warning on 15 August.
"""


def parse(text: str, lang: str, fmt: str):
    return article_from_document(parse_document(text, "doc", fmt), lang)


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return str(path)


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_presplit_counts_every_nonempty_line_and_strips_heading_marks():
    article = parse_presplit(HI_PRESPLIT.splitlines())
    assert [b.kind for b in article.blocks] == ["heading", "paragraph", "paragraph"]
    assert article.sentences[0] == "किसानों के लिए नई योजना"
    assert len(article.sentences) == 5


def test_plain_text_lines_and_headings():
    text = "मॉस्को में जयशंकर और लावरोव की मुलाकात\nदोनों नेताओं ने व्यापार पर चर्चा की। उन्होंने रक्षा पर भी बात की।\n"
    article = parse(text, "hin_Deva", "text")
    assert [b.kind for b in article.blocks] == ["heading", "paragraph"]
    assert article.blocks[1].sentences == ("दोनों नेताओं ने व्यापार पर चर्चा की।", "उन्होंने रक्षा पर भी बात की।")
    blank_separated = "Farmers get help\n\nThe scheme starts today. It pays 6000 rupees\nto each farmer.\n"
    article = parse(blank_separated, "eng_Latn", "text")
    assert [b.kind for b in article.blocks] == ["heading", "paragraph"]
    assert article.blocks[1].sentences == ("The scheme starts today.", "It pays 6000 rupees to each farmer.")


def test_markdown_headings_and_list_items():
    article = parse(
        "# Farmers get help\n\nThe scheme starts **today**. See [the site](http://x.in).\n\n- One item.\n",
        "eng_Latn",
        "markdown",
    )
    assert [b.kind for b in article.blocks] == ["heading", "paragraph", "paragraph"]
    assert article.blocks[1].sentences == ("The scheme starts today.", "See the site.")


def test_markdown_table_cells_are_blocks_without_pipes():
    table = "| देश | व्यापार |\n|---|---|\n| रूस | 65 अरब डॉलर |\n"
    article = parse("व्यापार के आंकड़े:\n\n" + table, "hin_Deva", "markdown")
    assert [b.sentences for b in article.blocks] == [
        ("व्यापार के आंकड़े:",),
        ("देश",),
        ("व्यापार",),
        ("रूस",),
        ("65 अरब डॉलर",),
    ]


def test_align_writes_the_output_contract(tmp_path):
    hi = write(tmp_path / "a.hi", HI_PRESPLIT)
    en = write(tmp_path / "a.en", EN_PRESPLIT)
    result = run("align", hi, en, "--presplit", "--no-freedict")
    assert result.exit_code == 0, result.output
    beads = records(result.stdout)
    assert [(b["hi"], b["en"]) for b in beads] == [([i], [i]) for i in range(5)]
    first = beads[0]
    assert first["hi_text"] == "किसानों के लिए नई योजना" and first["en_text"] == "New scheme for farmers"
    assert set(first) >= {"hi", "en", "hi_text", "en_text", "score", "type", "level", "block"}
    assert all(0 <= b["score"] <= 1 for b in beads)
    assert "evidence: length, anchors" in result.stderr


def test_align_tsv_output_file_and_crlf_bom_inputs(tmp_path):
    hi = write(tmp_path / "a.hi", "\ufeff" + HI_PRESPLIT.replace("\n", "\r\n"))
    en = write(tmp_path / "a.en", EN_PRESPLIT.replace("\n", "\r\n"))
    out = tmp_path / "pairs.tsv"
    result = run("align", hi, en, "--presplit", "--no-freedict", "--format", "tsv", "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == ["level", "hi", "en", "score", "type", "block", "hi_text", "en_text"]
    assert [line.split("\t")[1:3] for line in lines[1:]] == [[str(i), str(i)] for i in range(5)]
    assert lines[1].split("\t")[6] == "किसानों के लिए नई योजना"
    assert "\r" not in out.read_text(encoding="utf-8")


def test_align_high_precision_and_bad_inputs(tmp_path):
    hi = write(tmp_path / "a.hi", HI_PRESPLIT)
    en = write(
        tmp_path / "a.en", EN_PRESPLIT + "\nAn extra English sentence without any Hindi counterpart at all.\n"
    )
    full = records(run("align", hi, en, "--presplit", "--no-freedict").stdout)
    assert full[-1]["hi"] == [] and full[-1]["score"] == 0.0
    kept = records(run("align", hi, en, "--presplit", "--no-freedict", "--high-precision").stdout)
    assert kept and all(b["hi"] and b["en"] and b["score"] >= 0.5 for b in kept)
    empty = write(tmp_path / "empty.hi", "")
    beads = records(run("align", empty, en, "--presplit", "--no-freedict").stdout)
    assert all(b["hi"] == [] for b in beads) and len(beads) == 6
    bad = tmp_path / "bad.hi"
    bad.write_bytes(b"\xe0\xa4 broken\n")
    result = run("align", str(bad), en, "--presplit")
    assert result.exit_code == 1 and "bad.hi:1" in result.output and "invalid UTF-8" in result.output
    result = run("align", hi, en, "--beads", "1-x")
    assert result.exit_code == 2 and "bad bead type" in result.output


def test_align_eval_hand_made_case(tmp_path):
    gold = [([0], [0]), ([1], [1, 2]), ([2], []), ([3], [3])]
    test = [([0], [0]), ([1], [1]), ([], [2]), ([2], []), ([3], [3])]
    scores = score_alignments([gold], [test])
    assert scores.precision_strict == pytest.approx(3 / 5) and scores.recall_strict == pytest.approx(2 / 3)
    assert scores.precision_lax == pytest.approx(4 / 5) and scores.recall_lax == pytest.approx(1.0)
    assert scores.f1_strict == pytest.approx(2 * 0.6 * (2 / 3) / (0.6 + 2 / 3))
    gold_path = write(
        tmp_path / "gold.jsonl", "".join(json.dumps({"hi": h, "en": e}) + "\n" for h, e in gold)
    )
    test_path = write(
        tmp_path / "test.jsonl", "".join(json.dumps({"hi": h, "en": e}) + "\n" for h, e in test)
    )
    result = run("align-eval", test_path, gold_path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["f1_lax"] == pytest.approx(0.8889, abs=1e-4)
    table = run("align-eval", test_path, gold_path).stdout
    assert "F1         0.6316  0.8889" in table


def test_align_eval_rejects_out_of_range_and_malformed_gold(tmp_path):
    test_path = write(tmp_path / "test.jsonl", '{"hi": [0], "en": [0]}\n{"hi": [1], "en": [1]}\n')
    gold_path = write(tmp_path / "gold.jsonl", '{"hi": [0], "en": [0]}\n{"hi": [7], "en": [1]}\n')
    result = run("align-eval", test_path, gold_path)
    assert result.exit_code == 1
    assert "hi index 7 out of range: the alignment has 2 hi sentences" in result.output
    assert "Traceback" not in result.output
    bad = write(tmp_path / "bad.jsonl", '{"hi": [0], "en": [0]}\n{"hi": "1", "en": [1]}\n')
    result = run("align-eval", test_path, bad)
    assert result.exit_code == 1 and "bad.jsonl:2" in result.output
    with pytest.raises(InputError, match="not valid JSON"):
        read_beads(write(tmp_path / "broken.jsonl", "{oops\n"))


def test_align_real_news_with_a_deletion_and_a_join(shared_data, tmp_path):
    hi = (shared_data / "hi-en" / "newsdev2014.hi").read_text(encoding="utf-8").splitlines()[:40]
    en = (shared_data / "hi-en" / "newsdev2014.en").read_text(encoding="utf-8").splitlines()[:40]
    del hi[10]  # Hindi sentence 10 missing: English 10 is a 0-1 bead
    en[20:22] = [
        en[20] + " " + en[21]
    ]  # English joins 20 and 21: Hindi 19, 20 (after the shift) -> English 20
    gold = [([i], [i]) for i in range(10)] + [([], [10])] + [([i - 1], [i]) for i in range(11, 20)]
    gold += [([19, 20], [20])] + [([k], [k]) for k in range(21, 39)]
    hi_path, en_path = (
        write(tmp_path / "n.hi", "\n".join(hi) + "\n"),
        write(tmp_path / "n.en", "\n".join(en) + "\n"),
    )
    gold_path = write(
        tmp_path / "gold.jsonl", "".join(json.dumps({"hi": h, "en": e}) + "\n" for h, e in gold)
    )
    out = str(tmp_path / "test.jsonl")
    assert run("align", hi_path, en_path, "--presplit", "-o", out).exit_code == 0
    scores = json.loads(run("align-eval", out, gold_path, "--json").stdout)
    assert scores["f1_strict"] >= 0.95, scores


def test_model_adds_mt_evidence(tiny_model_hi_en, tmp_path):
    """The tiny model's output is noise: this checks the plumbing, not the quality."""
    from collections import Counter

    from copy_model import copy_translator

    from translate_kit.align.mt import MTSource
    from translate_kit.align.sources import make_sources
    from translate_kit.engine import Translator

    # A model that copies its input: the bag is exactly that of the English words it carries over.
    copying = copy_translator(tiny_model_hi_en)
    bags = MTSource(copying).hindi(["जयशंकर ने Moscow में Lavrov से बात की।", "बारिश हुई।"])
    assert bags == [MTSource(copying).english(["Moscow Lavrov"])[0], Counter()]
    assert bags[0]["c:mos"] == 1 and bags[0]["c:lav"] == 1 and len(bags[0]) == 14
    translator = Translator.load(str(tiny_model_hi_en), src="hin_Deva", tgt="eng_Latn")
    bags = MTSource(translator).hindi(["सरकार ने किसानों को 6000 रुपये दिए।", "बारिश हुई।"])
    assert len(bags) == 2 and all(any(k.startswith("c:") for k in bag) for bag in bags)  # none empty
    assert [s.name for s in make_sources(freedict=False, model=str(tiny_model_hi_en))] == ["anchors", "mt"]
    hi = write(tmp_path / "a.hi", HI_PRESPLIT)
    en = write(tmp_path / "a.en", EN_PRESPLIT)
    result = run("align", hi, en, "--presplit", "--no-freedict", "--model", str(tiny_model_hi_en))
    assert result.exit_code == 0, result.output
    assert "evidence: length, anchors, mt" in result.stderr
    assert len(records(result.stdout)) == 5


def random_partition(draw_sizes: list[tuple[int, int]]) -> list[tuple[list[int], list[int]]]:
    beads, i, j = [], 0, 0
    for dh, de in draw_sizes:
        if dh or de:
            beads.append((list(range(i, i + dh)), list(range(j, j + de))))
        i, j = i + dh, j + de
    return beads


bead_sizes = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=12)


@settings(max_examples=80, deadline=None)
@given(gold_sizes=bead_sizes, test_sizes=bead_sizes)
def test_scores_are_bounded_and_lax_is_never_below_strict(gold_sizes, test_sizes):
    gold, test = random_partition(gold_sizes), random_partition(test_sizes)
    scores = score_alignments([gold], [test])
    assert 0 <= scores.f1_strict <= scores.f1_lax <= 1
    assert scores.precision_strict <= scores.precision_lax and scores.recall_strict <= scores.recall_lax
    same = score_alignments([gold], [gold])
    assert same.precision_strict == (1.0 if gold else 0.0)
    assert same.recall_strict == (1.0 if any(h and e for h, e in gold) else 0.0)


def test_align_errors_replace_reads_invalid_utf8(tmp_path):
    hi = tmp_path / "hi.txt"
    hi.write_bytes(HI_PRESPLIT.encode("utf-8").replace("सोमवार".encode(), b"\xff"))
    en = write(tmp_path / "en.txt", EN_PRESPLIT)
    result = run("align", str(hi), en, "--presplit", "--no-freedict")
    assert result.exit_code == 1 and "hi.txt:2: invalid UTF-8" in result.output
    result = run("align", str(hi), en, "--presplit", "--no-freedict", "--errors", "replace")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert "\ufffd" in records[1]["hi_text"] and sum(len(r["hi"]) for r in records) == 5


def test_align_eval_names_the_line_of_a_bad_index_and_refuses_empty_files(tmp_path):
    test_path = write(tmp_path / "test.jsonl", '{"hi": [0], "en": [0]}\n{"hi": [1], "en": [1]}\n')
    gold_path = write(tmp_path / "gold.jsonl", '{"hi": [0], "en": [0]}\n\n{"hi": [1, 7], "en": [1]}\n')
    result = run("align-eval", test_path, gold_path)
    assert result.exit_code == 1 and "gold.jsonl:3: hi index 7 out of range" in result.output
    twice = write(tmp_path / "twice.jsonl", '{"hi": [0], "en": [0]}\n{"hi": [0], "en": [1]}\n')
    result = run("align-eval", twice, test_path)
    assert result.exit_code == 1 and "twice.jsonl:2: hi index 0 appears in two beads" in result.output
    empty = write(tmp_path / "empty.jsonl", "")
    result = run("align-eval", empty, gold_path)
    assert result.exit_code == 1 and "empty.jsonl: no sentence beads" in result.output


def test_align_eval_on_tsv_output_says_to_write_jsonl(tmp_path):
    hi, en = write(tmp_path / "hi.txt", HI_PRESPLIT), write(tmp_path / "en.txt", EN_PRESPLIT)
    pairs = tmp_path / "pairs.tsv"
    result = run("align", hi, en, "--presplit", "--no-freedict", "--format", "tsv", "-o", str(pairs))
    assert result.exit_code == 0, result.output
    result = run("align-eval", str(pairs), str(pairs))
    assert result.exit_code == 1 and "pairs.tsv:1: not valid JSON" in result.output
    assert "--format jsonl" in result.output


def test_align_refuses_swapped_inputs_and_warns_about_a_wrong_script(tmp_path):
    hi, en = write(tmp_path / "hi.txt", HI_PRESPLIT), write(tmp_path / "en.txt", EN_PRESPLIT)
    result = run("align", en, hi, "--presplit", "--no-freedict")
    assert result.exit_code == 1
    expected = f"Error: {en} is English and {hi} Hindi: give the Hindi file first"
    assert result.output.strip().splitlines() == [expected]
    result = run("align", en, en, "--presplit", "--no-freedict")
    assert result.exit_code == 0 and f"warning: {en} does not look like Hindi text" in result.stderr


def test_unwritable_outputs_fail_in_one_line_before_any_work(tmp_path):
    hi, en = write(tmp_path / "hi.txt", HI_PRESPLIT), write(tmp_path / "en.txt", EN_PRESPLIT)
    pairs = write(tmp_path / "pairs.tsv", "hi.txt\ten.txt\n")
    blocker = write(tmp_path / "a-file", "")
    cases = (
        (["align", hi, en], f"{blocker}/pairs.jsonl", blocker),
        (["corpus", "build", pairs], f"{blocker}/corpus", f"{blocker}/corpus"),
    )
    for args, output, folder in cases:
        result = run(*args, "-o", output, "--presplit", "--no-freedict")
        assert result.exit_code == 1, result.output
        assert result.output.startswith(f"Error: cannot write {output}: cannot create folder {folder} (")
        assert len(result.output.strip().splitlines()) == 1
