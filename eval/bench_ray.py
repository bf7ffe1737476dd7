#!/usr/bin/env python3
"""Ray's overhead against the local pipeline, measured in one run on the same documents and cores.

The synthetic dist-200M model (exact IndicTrans2 shape, random weights; scripts/build_synthetic_model.py)
translates newsdev2014.hi + tico19-test.hi (2,620 sentences), cut into text documents of 50
sentences, with every output pinned to the same length (min = max decoding length: the mean
English reference length in target pieces), batch-invariant decoding (the deterministic setting under
which the outputs must be equal), no translation memory, at the same core count:

- local:        the local pipeline (Translator with the thread layout's workers, DocumentTranslator,
                run_jobs), model load included;
- ray local:    `translate_documents_on_ray` on a local Ray instance with the same cores (one
                translator actor per core), the actors' model loads included, Ray start-up apart;
- ray 2 nodes:  the same on a `ray.cluster_utils.Cluster` of two one-CPU nodes on this machine.

Each configuration runs in a fresh process; each Ray run's outputs are compared with the local run's
(differing files and lines counted; the documents hold one sentence a line).
It prints wall times, Ray start-up, sentences/s, the overhead ratio against local (target <= 1.10)
and a capacity estimate for 10 million sentences in one hour from the measured sentences/s per core.

    flock /work/bench.lock python eval/bench_ray.py --record
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "hi-en"
RESULTS = ROOT / "eval" / "results" / "bench_ray.md"
SOURCES = ("newsdev2014", "tico19-test")
CONFIGS = ("local", "ray local", "ray 2 nodes")
TARGET_SENTENCES, TARGET_SECONDS = 10_000_000, 3600


def write_documents(folder: Path, per_document: int, limit: int | None = None) -> int:
    """The test sets' Hindi sentences (the first `limit`) as text documents of `per_document` lines;
    returns the count."""
    sentences = [line for name in SOURCES for line in (DATA / f"{name}.hi").read_text("utf-8").splitlines()]
    sentences = sentences[:limit]
    folder.mkdir(parents=True)
    for start in range(0, len(sentences), per_document):
        lines = sentences[start : start + per_document]
        (folder / f"doc-{start // per_document:04d}.txt").write_text("\n".join(lines) + "\n", "utf-8")
    return len(sentences)


# --------------------------------------------------------------------------- worker (child process)

def worker(config: dict) -> dict:
    from translate_kit.engine import DecodeOptions

    options = DecodeOptions(beam_size=config["beam"], decode_ratio=None, batch_invariant=True,
                            min_decoding_length=config["length"], max_decoding_length=config["length"])
    if config["mode"] == "local":
        return _local(config, options)
    return _ray(config, options)


def _local(config: dict, options) -> dict:
    from translate_kit.engine import Translator
    from translate_kit.translate import DocumentTranslator, JobSettings, collect_jobs, load_jobs, run_jobs

    start = time.perf_counter()
    engine = Translator.load(config["model"], threads=config["cores"])
    loaded = time.perf_counter()
    settings = JobSettings()
    jobs = load_jobs(collect_jobs(config["input"], config["output"], None), settings)
    stats = run_jobs(jobs, DocumentTranslator(engine, options), settings)
    end = time.perf_counter()
    return {"startup": 0.0, "load": loaded - start, "run": end - start, "sentences": stats.sentences}


def _ray(config: dict, options) -> dict:
    import ray

    from translate_kit.api import TranslateOptions
    from translate_kit.scale import RayOptions, translate_documents_on_ray

    start = time.perf_counter()
    cluster = None
    if config["mode"] == "ray 2 nodes":
        from ray.cluster_utils import Cluster

        cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
        cluster.add_node(num_cpus=1)
        ray.init(address=cluster.address, logging_level="WARNING", log_to_driver=False)
        cluster.wait_for_nodes()
    else:
        ray.init(address="local", num_cpus=config["cores"], include_dashboard=False,
                 logging_level="WARNING", log_to_driver=False)
    started = time.perf_counter()
    run = TranslateOptions(model=config["model"], threads=config["cores"], use_memory=False)
    result = translate_documents_on_ray(config["input"], config["output"], run, decoding=options,
                                        ray_options=RayOptions())
    end = time.perf_counter()
    ray.shutdown()
    if cluster is not None:
        cluster.shutdown()
    stats = result.stats
    return {"startup": started - start, "load": None, "run": end - started, "sentences": stats["sentences"],
            "shards": stats["shards"], "failures": stats["worker_failures"]}


# --------------------------------------------------------------------------- driver

def run_child(config: dict) -> dict:
    output = subprocess.run([sys.executable, __file__, "--worker", json.dumps(config)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.txt"))}


def differences(run: dict[str, bytes], local: dict[str, bytes]) -> dict[str, int]:
    """Files and lines (one sentence a line in these documents) where `run` differs from `local`:
    a missing or extra file counts as differing in all its lines."""
    files = lines = total = 0
    for name in sorted(set(run) | set(local)):
        ours = run.get(name, b"").decode("utf-8").splitlines()
        theirs = local.get(name, b"").decode("utf-8").splitlines()
        differing = sum(a != b for a, b in zip(ours, theirs, strict=False)) + abs(len(ours) - len(theirs))
        files += bool(differing) or name not in run or name not in local
        lines += differing
        total += len(theirs)
    return {"files": files, "of_files": len(local), "lines": lines, "of_lines": total}


def measure(base: dict, work: Path, repeats: int) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """Interleaved rounds of the three configurations, and each run's differences from the local
    run of its round."""
    runs: dict[str, list[dict]] = {name: [] for name in CONFIGS}
    diffs: dict[str, list[dict]] = {name: [] for name in CONFIGS}
    for round_ in range(repeats):
        for name in CONFIGS:
            out = work / f"out-{round_}-{name.replace(' ', '-')}"
            result = run_child({**base, "mode": name, "output": str(out)})
            runs[name].append(result)
            diffs[name].append(differences(outputs(out), outputs(work / f"out-{round_}-local")))
            speed = result["sentences"] / result["run"]
            print(f"  round {round_ + 1} {name:<12} run {result['run']:7.1f} s  start-up "
                  f"{result['startup']:5.1f} s  {speed:6.1f} sent/s  differing from local: "
                  f"{diffs[name][-1]['files']} files, {diffs[name][-1]['lines']} lines", flush=True)
    return runs, diffs


def report(runs: dict[str, list[dict]], diffs: dict[str, list[dict]], cores: int) -> str:
    local = statistics.median(r["run"] for r in runs["local"])
    sentences = runs["local"][0]["sentences"]  # as the pipeline counts them (lines cut into sentences)
    rows = ["| configuration | run s median (all) | Ray start-up s | sentences/s | sentences/s per core "
            "| run / local (per round) |", "|---|---|---|---|---|---|"]
    speeds = {}
    for name, results in runs.items():
        seconds = statistics.median(r["run"] for r in results)
        startup = statistics.median(r["startup"] for r in results)
        speeds[name] = sentences / seconds
        paired = ", ".join(f"{r['run'] / b['run']:.3f}" for r, b in zip(results, runs["local"], strict=True))
        each = ", ".join(f"{r['run']:.1f}" for r in results)
        rows.append(f"| {name} | {seconds:.1f} ({each}) | "
                    f"{startup:.1f} | {speeds[name]:.1f} | {speeds[name] / cores:.1f} | "
                    f"{seconds / local:.3f}x ({paired}) |")
    rows.append("")
    for name in CONFIGS[1:]:
        ratio = statistics.median(r["run"] for r in runs[name]) / local
        rows.append(f"Ray overhead, {name}: {ratio:.3f}x the local run time (target <= 1.10x)")
    for name in CONFIGS[1:]:
        each = "; ".join(f"{d['files']} of {d['of_files']} files, {d['lines']} of {d['of_lines']} lines"
                         for d in diffs[name])
        rows.append(f"Outputs of {name} differing from the local run's (per round): {each}")
    same = all(d["files"] == 0 and d["lines"] == 0 for name in CONFIGS[1:] for d in diffs[name])
    rows.append(f"Outputs byte-identical to the local run in every round: {same}")
    need = TARGET_SENTENCES / TARGET_SECONDS
    for name in ("local", "ray 2 nodes"):
        per_core = speeds[name] / cores
        rows.append(f"Capacity ({name} rate, {per_core:.1f} sentences/s per core): 10M sentences in one "
                    f"hour need {need:.0f} sentences/s = about {need / per_core:,.0f} cores of this kind")
    return "\n".join(rows)


def record(text: str, command: str, note: str) -> None:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    existing = RESULTS.read_text("utf-8") if RESULTS.exists() else "# bench_ray results\n"
    block = [f"## {now}", "", f"`{command}`", "", note, "", text]
    RESULTS.write_text(existing.rstrip("\n") + "\n\n" + "\n".join(block) + "\n", "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, help="model folder (default: the synthetic dist-200M model)")
    parser.add_argument("--beam", type=int, default=1, help="beam size (1: the fast preset)")
    parser.add_argument("--per-document", type=int, default=50, help="sentences per input document")
    parser.add_argument("--lines", type=int, help="only the first N lines (a quick check; default: all)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--record", action="store_true", help=f"append the results to {RESULTS}")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0
    sys.path.insert(0, str(ROOT / "eval"))
    from bench_pipeline import environment, pinned_length

    if args.model is None:
        from translate_kit.bench.synthetic import ensure_synthetic_model

        args.model = ensure_synthetic_model("dist-200M", "indic-en", DATA)
    cores = len(os.sched_getaffinity(0))
    length = pinned_length(args.model, DATA / "newsdev2014.en", 10**9)
    work = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    try:
        sentences = write_documents(work / "input", args.per_document, args.lines)
        base = {"model": str(args.model), "input": str(work / "input"), "beam": args.beam, "length": length,
                "cores": cores}
        note = (f"{sentences} lines ({' + '.join(SOURCES)}) in documents of {args.per_document}, "
                f"beam {args.beam}, every output pinned to {length} tokens, no memory, {cores} cores; "
                f"{args.repeats} interleaved round(s), each configuration in a fresh process.")
        print(note)
        runs, diffs = measure(base, work, args.repeats)
        text = report(runs, diffs, cores)
        print(text)
        if args.record:
            env = environment(args.model, DATA / "newsdev2014.hi")
            import ray

            env["ray"] = ray.__version__
            note += "\n\n" + "\n".join(f"- {k}: {v}" for k, v in env.items())
            command = "flock /work/bench.lock python eval/bench_ray.py " + " ".join(
                sys.argv[1:] if argv is None else argv)
            record(text, command, note)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
