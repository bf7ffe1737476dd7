"""translate-kit bench: grid, test set, records -> table, Pareto front, child failures, the CLI end to end."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from project_scripts import load_script

from translate_kit.bench import report
from translate_kit.bench.grid import KNOBS, expand, label, parse_grid, slug
from translate_kit.bench.plot import pareto_front
from translate_kit.bench.runner import Bench, Plan, TestSet, run_bench, run_child
from translate_kit.bench.worker import classify, peak_rss_kb
from translate_kit.cli import cli
from translate_kit.errors import InputError, ModelError, TranslateKitError

HINDI = [
    "मॉस्को में विदेश मंत्री जयशंकर ने लावरोव से मुलाकात की।",
    "दोनों नेताओं ने व्यापार और ऊर्जा सहयोग पर चर्चा की।",
    "",
    "बैठक के बाद एक संयुक्त बयान जारी किया गया।",
    "भारत और रूस के बीच व्यापार 65 अरब डॉलर तक पहुंच गया है।",
]
ENGLISH = [
    "In Moscow, External Affairs Minister Jaishankar met Lavrov.",
    "The two leaders discussed trade and energy cooperation.",
    "This line pairs with an empty source line.",
    "A joint statement was issued after the meeting.",
    "Trade between India and Russia has reached 65 billion dollars.",
]


@pytest.fixture
def test_files(tmp_path: Path) -> tuple[Path, Path]:
    src, ref = tmp_path / "test.hi", tmp_path / "test.en"
    src.write_text("\n".join(HINDI) + "\n", encoding="utf-8")
    ref.write_text("\n".join(ENGLISH) + "\n", encoding="utf-8")
    return src, ref


# --------------------------------------------------------------------------- grid


def test_grid_parses_typed_values_in_order_and_expands_with_defaults():
    grid = parse_grid(["compute_type=int8,float32", "beam=1,5,5", "threads= 1 ,2"])
    assert grid == {"compute_type": ["int8", "float32"], "beam": [1, 5], "threads": [1, 2]}
    settings = expand(grid)
    assert len(settings) == 8
    assert settings[0]["compute_type"] == "int8" and settings[0]["beam"] == 1 and settings[0]["threads"] == 1
    assert settings[1]["threads"] == 2  # last key varies fastest
    assert all(set(s) == set(KNOBS) for s in settings)
    assert settings[0]["batch_tokens"] == KNOBS["batch_tokens"].default
    assert len({slug(s) for s in settings}) == 8
    assert label(settings[0], ["compute_type", "beam"]) == "int8 beam=1"


@pytest.mark.parametrize("spec, message", [
    (["speed=1"], "unknown key 'speed'"),
    (["beam=one"], "'one' is not a whole number"),
    (["beam=0"], "below the minimum 1"),
    (["beam"], "expected KEY=V1,V2"),
    (["beam=1", "beam=5"], "given twice"),
    (["compute_type=int8,"], "empty value"),
])
def test_grid_refuses_bad_specs_before_anything_runs(spec, message):
    with pytest.raises(TranslateKitError, match=message):
        parse_grid(spec)


def test_no_grid_is_one_setting_with_the_pipeline_defaults():
    assert expand({}) == [{name: knob.default for name, knob in KNOBS.items()}]


# --------------------------------------------------------------------------- test set


def test_empty_source_lines_are_skipped_with_their_references_and_counted(test_files):
    src, ref = test_files
    test_set = TestSet.load(src, ref)
    assert test_set.sentences == [line for line in HINDI if line]
    assert test_set.references == [ENGLISH[i] for i, line in enumerate(HINDI) if line]
    assert test_set.skipped_lines == [3]


def test_reference_of_another_length_is_refused_naming_both_counts(test_files, tmp_path):
    src, _ = test_files
    short = tmp_path / "short.en"
    short.write_text("only one line\n", encoding="utf-8")
    with pytest.raises(InputError, match="5 source lines but 1 reference lines"):
        TestSet.load(src, short)


def test_blank_source_is_refused(tmp_path):
    blank = tmp_path / "blank.hi"
    blank.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(InputError, match="no sentences"):
        TestSet.load(blank)


# --------------------------------------------------------------------------- records -> table


def _record(status: str = "ok", seconds=(2.0, 2.5, 4.0), **extra) -> dict:
    setting = {name: knob.default for name, knob in KNOBS.items()}
    runs = [{"seconds": s, "cpu_seconds": s * 1.5, "target_tokens": 1000} for s in seconds]
    record = {**setting, "status": status, "error": None, "runs": runs if status == "ok" else [],
              "latency_ms": list(map(float, range(1, 101))) if status == "ok" else [], "load_s": 1.0,
              "sentences": 100, "source_words": 2000, "peak_rss_mb": 300.0, "model_mb": 230.0, "quality": {}}
    record.update(extra)
    return record


def test_summary_gives_medians_spreads_percentiles_and_end_to_end_time():
    row = report.summarize_record(_record())
    assert row["tok_s"] == pytest.approx(400.0)  # 1000 tokens / 2.5 s (median run)
    assert row["tok_s_spread_pct"] == pytest.approx((500 - 250) / 400 * 100)
    assert row["words_s"] == pytest.approx(800.0) and row["sent_s"] == pytest.approx(40.0)
    assert row["translate_s"] == pytest.approx(2.5) and row["e2e_s"] == pytest.approx(3.5)
    assert row["cpu_per_wall"] == pytest.approx(1.5)
    assert row["latency_p50_ms"] == pytest.approx(50.5) and row["latency_p99_ms"] == pytest.approx(99.01)
    assert math.isnan(row["bleu"])


def test_failed_rows_show_their_status_and_no_numbers_in_markdown():
    table = report.summarize([_record(), _record("unsupported", compute_type="float16", error="no float16")])
    text = report.markdown_table(table, ["compute_type"])
    failed = next(line for line in text.splitlines() if "float16" in line)
    assert "unsupported" in failed and "nan" not in failed
    assert failed.count(" - ") >= 10


def test_compare_matches_settings_and_gives_ratios(tmp_path):
    first = report.summarize([_record(beam=1), _record(beam=5, seconds=(4.0, 5.0, 8.0))])
    second = report.summarize([_record(beam=1, seconds=(1.0, 1.25, 2.0)), _record(beam=5)])
    table = report.compare(first, second)
    assert list(table["setting"]) == ["beam=1", "beam=5"]
    assert list(table["tok/s b/a"]) == pytest.approx([2.0, 2.0])
    assert list(table["RSS MB b/a"]) == pytest.approx([1.0, 1.0])


def test_results_csv_that_is_not_ours_is_refused(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a translate-kit bench results.csv"):
        report.read_results(other)


@settings(deadline=None)  # quadratic in the points drawn: no per-example time limit on a shared machine
@given(st.lists(st.tuples(st.floats(0, 1e4), st.floats(0, 1e4)), max_size=30))
def test_pareto_front_is_exactly_the_undominated_points(points):
    cost = [c for c, _ in points]
    gain = [g for _, g in points]
    front = set(pareto_front(cost, gain))

    def dominated(i: int) -> bool:
        return any(cost[j] <= cost[i] and gain[j] >= gain[i] and (cost[j], gain[j]) != (cost[i], gain[i])
                   for j in range(len(points)))

    for i in range(len(points)):
        if i in front:
            assert not dominated(i)
        else:  # dominated, or a duplicate of a point already on the front
            assert dominated(i) or any((cost[j], gain[j]) == (cost[i], gain[i]) for j in front)


# --------------------------------------------------------------------------- child failures


def test_failures_are_classified_from_the_exception_chain():
    assert classify(MemoryError(), "run 1") == "out of memory"
    assert classify(RuntimeError("mkl_malloc: failed to allocate memory"), "run 1") == "out of memory"
    try:
        try:
            raise OSError("libfoo.so: failed to map segment from shared object")
        except OSError as cause:
            raise ImportError("Unable to import required dependency numpy") from cause
    except ImportError as exc:
        assert classify(exc, "load") == "out of memory"
    assert classify(TranslateKitError("cannot run as float16"), "load") == "unsupported"
    assert classify(ModelError("corrupt model.bin"), "load") == "error"
    assert classify(ValueError("boom"), "run 1") == "error"


def test_peak_rss_is_the_childs_own_not_inherited_from_a_big_parent(tmp_path):
    ballast = bytearray(200 * 2**20)
    ballast[:: 4096] = b"\x01" * len(ballast[:: 4096])  # touch every page: the parent is now > 200 MB
    outcome = run_child([sys.executable, "-c", "import time; time.sleep(0.3)"], tmp_path / "log", None)
    assert outcome.exit_code == 0 and not outcome.timed_out
    assert outcome.peak_rss_kb is not None and outcome.peak_rss_kb < 100 * 1024
    assert peak_rss_kb() > 200 * 1024 and peak_rss_kb(2**22 + 12345) is None
    del ballast


FAKE_WORKER = """
import json, os, signal, sys
job = json.load(open(sys.argv[1]))
if job["beam"] == 3:
    os.kill(os.getpid(), signal.SIGKILL)     # what the kernel's OOM killer does
if job["beam"] == 4:
    print("Segmentation fault in a kernel", file=sys.stderr)
    sys.exit(2)
if job["beam"] == 6:
    import time; time.sleep(30)
runs = [{"seconds": 0.5, "cpu_seconds": 0.5, "target_tokens": 100 * job["beam"]}] * job["repeat"]
open(job["hypotheses"], "w").write("".join("hyp %d\\n" % i for i in range(4)))
json.dump({"status": "ok", "error": None, "runs": runs, "latency_ms": [5.0], "load_s": 0.1},
          open(sys.argv[2], "w"))
"""


def test_a_killed_crashed_or_hung_child_marks_its_row_and_the_others_are_measured(
    tiny_model_hi_en, test_files, tmp_path
):
    fake = tmp_path / "fake_worker.py"
    fake.write_text(FAKE_WORKER, encoding="utf-8")
    src, ref = test_files
    out = tmp_path / "out"
    records, env = run_bench(tiny_model_hi_en, src, parse_grid(["beam=1,3,4,6,5"]), out,
                             plan=Plan(repeat=2, timeout_s=5), worker=[sys.executable, str(fake)])
    status = {r["beam"]: r["status"] for r in records}
    assert status == {1: "ok", 3: "out of memory", 4: "error", 6: "timeout", 5: "ok"}
    errors = {r["beam"]: r["error"] for r in records}
    assert "SIGKILL" in errors[3] and "Segmentation fault" in errors[4] and "5 s" in errors[6]
    assert all(r["peak_rss_mb"] > 0 for r in records if r["status"] == "ok")
    table = pd.read_csv(out / "results.csv")
    assert list(table["status"]) == ["ok", "out of memory", "error", "timeout", "ok"]
    assert table.loc[table["beam"] == 5, "tok_s"].item() == pytest.approx(1000.0)
    md = (out / "results.md").read_text(encoding="utf-8")
    assert "Settings not measured" in md and "beam=3: out of memory" in md
    assert env["test_set"]["skipped_empty_lines"] == 1

    # --resume reuses the finished settings and measures only the failed ones again.
    log: list[str] = []
    run_bench(tiny_model_hi_en, src, parse_grid(["beam=1,3,5"]), out, plan=Plan(repeat=2, timeout_s=5),
              worker=[sys.executable, str(fake)], resume=True, log=log.append)
    assert [line.split(": ")[-1].split()[0] for line in log if line.startswith("[")] == [
        "reused", "measuring", "reused"]


def test_the_scorer_reads_references_of_the_kept_lines(tiny_model_hi_en, test_files, tmp_path):
    src, ref = test_files
    bench = Bench(tiny_model_hi_en, TestSet.load(src, ref), expand({}), Plan(), tmp_path)
    bench.synthetic = False  # score as if the weights were real
    hypotheses = tmp_path / "hyp.txt"
    hypotheses.write_text("".join(f"{line}\n" for line in bench.test_set.references), encoding="utf-8")
    quality = bench.score(hypotheses)
    assert quality["bleu"]["score"] == pytest.approx(100.0)
    assert quality["chrf++"]["signature"].startswith("nrefs:1")


# --------------------------------------------------------------------------- the command


def test_bench_command_end_to_end_on_a_tiny_model(tiny_model_hi_en, test_files, tmp_path):
    src, ref = test_files
    out = tmp_path / "results"
    result = CliRunner().invoke(cli, [
        "bench", "--model", str(tiny_model_hi_en), "--src", str(src), "--ref", str(ref),
        "--grid", "compute_type=int8,float16", "--grid", "beam=1,2", "--repeat", "2", "--warmup", "2",
        "--latency-sentences", "2", "--pin-length", "7", "-o", str(out),
    ])
    assert result.exit_code == 0, result.output
    for name in ("results.csv", "results.json", "results.md", "pareto.png", "environment.json"):
        assert (out / name).is_file(), name
    assert (out / "pareto.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(out / "results.csv")
    ok = table[table["status"] == "ok"]
    assert list(ok["compute_type"]) == ["int8", "int8"]
    assert list(table.loc[table["compute_type"] == "float16", "status"]) == ["unsupported"] * 2
    assert "float16" in table.loc[table["compute_type"] == "float16", "error"].iloc[0]
    assert list(ok["target_tokens"]) == [4 * 7, 4 * 7]  # pinned: 4 kept sentences x 7 tokens
    assert (ok["tok_s"] > 0).all() and (ok["latency_p90_ms"] >= ok["latency_p50_ms"]).all()
    assert (ok["peak_rss_mb"] > 50).all() and (ok["load_s"] > 0).all()
    assert set(ok["quality_note"]) == {"not meaningful: synthetic model"}
    env = json.loads((out / "environment.json").read_text(encoding="utf-8"))
    assert env["model"]["synthetic"] is True and len(env["model"]["fingerprint"]) == 16
    assert env["test_set"]["source_sha256"] == __import__("hashlib").sha256(src.read_bytes()).hexdigest()
    assert env["test_set"]["sentences"] == 4 and env["test_set"]["skipped_empty_lines"] == 1
    assert env["plan"]["pin_length"] == 7 and len(env["settings"]) == 4
    assert "| int8 beam=1" in result.output and "not meaningful: synthetic model" in result.output
    hyp = Path(json.loads(next((out / "runs").glob("*int8_beam-1*[0-9].json")).read_text())["hypotheses"])
    assert len(hyp.read_text(encoding="utf-8").splitlines()) == 4

    # --compare of two different runs: a second run twice as fast in half the memory.
    second = tmp_path / "second.csv"
    faster = pd.read_csv(out / "results.csv")
    faster["tok_s"] *= 2
    faster["peak_rss_mb"] /= 2
    faster.to_csv(second, index=False)
    compared = CliRunner().invoke(cli, ["bench", "--compare", str(out / "results.csv"), str(second)])
    assert compared.exit_code == 0, compared.output
    rows = [[cell.strip() for cell in line.strip("|").split("|")]
            for line in compared.output.splitlines() if line.startswith("|")]
    header = rows[0]
    body = [row for row in rows[2:] if row[header.index("status a")] == "ok"]
    labels = [row[header.index("setting")].split(" inter_threads")[0] for row in body]  # threads vary
    assert labels == ["int8 beam=1", "int8 beam=2"]
    assert {row[header.index("tok/s b/a")] for row in body} == {"2.00"}
    assert {row[header.index("RSS MB b/a")] for row in body} == {"0.50"}


@pytest.mark.memory_cap
@pytest.mark.skipif(sys.platform != "linux", reason="--max-memory caps RLIMIT_AS, which only Linux enforces")
def test_a_memory_cap_too_small_marks_the_setting_out_of_memory(tiny_model_hi_en, test_files, tmp_path):
    """150 MB of address space is below what the child maps before it translates anything
    (importing the interpreter, numpy and CTranslate2 alone maps about 250 MB of virtual memory,
    measured with CPython 3.11 on Linux x86-64; the model and thread arenas come on top), so the
    child always fails while loading, whatever the machine's RAM: the test checks how that failure
    is classified and reported, not a memory figure. A build that maps less at import could pass."""
    src, _ = test_files
    result = CliRunner().invoke(cli, [
        "bench", "--model", str(tiny_model_hi_en), "--src", str(src), "--repeat", "1",
        "--max-memory", "150", "-o", str(tmp_path / "out"),
    ])
    assert result.exit_code == 1
    assert "out of memory" in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: no setting could be measured")


def test_timeout_and_resume_from_the_command_line(tiny_model_hi_en, test_files, tmp_path):
    src, _ = test_files
    out = tmp_path / "out"
    common = ["bench", "--model", str(tiny_model_hi_en), "--source", str(src), "--repeat", "1",
              "--warmup", "0", "--latency-sentences", "1", "--grid", "beam=1", "-o", str(out)]
    # 10 ms is far less than the child needs to import CTranslate2: it is always given up on.
    timed_out = CliRunner().invoke(cli, [*common, "--timeout", "0.01"])
    assert timed_out.exit_code == 1 and "timeout" in timed_out.output
    assert list(pd.read_csv(out / "results.csv")["status"]) == ["timeout"]
    measured = CliRunner().invoke(cli, [*common, "--resume"])  # the failed setting is measured again
    assert measured.exit_code == 0, measured.output
    first = pd.read_csv(out / "results.csv")
    assert list(first["status"]) == ["ok"] and "measuring" in measured.output
    reused = CliRunner().invoke(cli, [*common, "--resume"])
    assert reused.exit_code == 0 and "reused" in reused.output and "measuring" not in reused.output
    pd.testing.assert_frame_equal(pd.read_csv(out / "results.csv"), first)


def test_a_missing_model_is_one_clear_line(test_files, tmp_path):
    src, _ = test_files
    result = CliRunner().invoke(cli, ["bench", "--model", str(tmp_path / "nope"), "--src", str(src)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: model folder not found: {tmp_path / 'nope'}"


def test_bench_without_model_or_source_is_a_usage_error():
    result = CliRunner().invoke(cli, ["bench", "--grid", "beam=1"])
    assert result.exit_code == 2 and "--model and --source are needed" in result.output


# --------------------------------------------------------------------------- the PyTorch baseline script


bench_vs_pytorch = load_script("eval/bench_vs_pytorch.py")


@settings(deadline=None)  # up to 60 x 40 ids per example: no per-example time limit on a shared machine
@given(st.lists(st.lists(st.integers(4, 100), min_size=1, max_size=40), min_size=1, max_size=60),
       st.integers(1, 200))
def test_baseline_batches_cover_every_sentence_once_longest_first_within_budget(ids, budget):
    batches = bench_vs_pytorch.token_batches(ids, budget)
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(len(ids)))
    assert [len(ids[i]) for i in flat] == sorted((len(x) for x in ids), reverse=True)
    assert all(len(batch) == 1 or sum(len(ids[i]) for i in batch) <= budget for batch in batches)
