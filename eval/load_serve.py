#!/usr/bin/env python3
"""`translate-kit serve` under load: throughput and latency against the offline pipeline and against
the same server with batching across requests turned off; an overload run against a small queue.

A random-weight model with the exact IndicTrans2 dist-200M shape (built on first use, as
eval/bench_pipeline.py builds it) translates single sentences of newsdev2014.hi, every output pinned
to the same length (the mean length of the English references in target pieces), so every
configuration decodes exactly the same number of tokens. Loopback only, bounded in count and time:

1. offline: the library API (`api.Translation.translate_texts`: planning, engine, reassembly) on
   the same sentences, one document each, all in one call, in a fresh process -- the baseline,
   run before and after the server runs (the faster of the two counts); the same process then
   measures the ceiling of any batcher at each `--baseline-clients` count: every worker always
   decoding a batch of clients / workers sentences, with no HTTP and no waiting;
2. the server (a fresh `translate-kit serve` process, no translation memory) with 1, 4, 16 and 64
   concurrent clients, each sending one sentence per request and the next when answered;
3. the same server with `--no-cross-request-batching` (at 16 clients by default), then `--pairs` more
   16-client runs with batching on and off back to back (a shared machine's load changes from minute
   to minute: pairs side by side show the spread), both servers up throughout;
4. overload: 256 clients at once against `--max-queue 32`: answers must be 200 or 503 with
   Retry-After; then the refused clients retry after Retry-After until all are served.

Every answer is checked: it must echo its own sentence as the source (no mixed-up answers) and each
sentence is answered exactly once (no lost or duplicated answers); translations that differ from
the offline pipeline's are counted; a failed connection is counted by kind and retried, never a
crash. Peak RSS is the server process's VmHWM. Each run also shows where the time goes (CPU of
server and client, batch sizes, queue wait, planning, decoding, HTTP; eval/load_client.py).

    flock /work/bench.lock python eval/load_serve.py --record
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import resource
import shlex
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from load_client import PROFILE_HEADER, Load, Snapshot, closed_loop, overload, profile_row, where_time_goes

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "hi-en"
RESULTS = ROOT / "eval" / "results" / "load_serve.md"
sys.path.insert(0, str(ROOT / "eval"))


# --------------------------------------------------------------------------- offline baseline

OFFLINE = """
import json, sys, time
from translate_kit.api import TranslateOptions, Translation
from translate_kit.engine import DecodeOptions
config = json.loads(sys.argv[1])
sentences = config["sentences"]
n = config["length"]
options = TranslateOptions(model=config["model"], beam_size=config["beam"], use_memory=False)
pinned = DecodeOptions(beam_size=config["beam"], decode_ratio=None,
                       min_decoding_length=n, max_decoding_length=n)
translation = Translation(options, decoding=pinned)
def run(batch):
    return [result.text for result in translation.translate_texts(batch, "text").results]
run(sentences[:8])
start, cpu = time.perf_counter(), time.process_time()
texts = run(sentences)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
single = []
for sentence in sentences[:4]:
    start = time.perf_counter()
    run([sentence])
    single.append(time.perf_counter() - start)
single = sorted(single)[len(single) // 2]
# The ceiling of a server: every worker always busy with a batch of k sentences (what clients / workers
# closed-loop clients can fill), no HTTP, no gathering; k = 1 is the ceiling of batching off.
from translate_kit.engine import MAX_POSITIONS, Translator
translator = Translator.load(config["model"])
rows = [chunk for item in translator.prepare(sentences)
        for chunk in translator.family.encode(item, MAX_POSITIONS)]
workers = translator.inter_threads
def batches_of(k):
    start = time.perf_counter()
    for i in range(0, len(rows), workers * k):
        group = rows[i:i + workers * k]
        running = [translator.ct2.translate_batch(group[j:j + k], asynchronous=True,
                                                  beam_size=pinned.beam_size,
                                                  no_repeat_ngram_size=pinned.no_repeat_ngram_size,
                                                  min_decoding_length=n, max_decoding_length=n)
                   for j in range(0, len(group), k)]
        [result.result() for batch in running for result in batch]
    return len(sentences) / (time.perf_counter() - start)
ideal = {k: batches_of(k) for k in sorted({1, *(max(1, c // workers) for c in config["clients"])})}
print(json.dumps({"seconds": seconds, "cpu": cpu, "texts": texts, "single": single, "ideal": ideal,
                  "workers": workers}))
"""


def offline(model: Path, sentences: list[str], beam: int, length: int, clients: list[int]) -> dict:
    """The offline pipeline's run (the baseline) and the ideal server's rates for these client counts."""
    config = json.dumps(
        {"model": str(model), "sentences": sentences, "beam": beam, "length": length, "clients": clients}
    )
    process = subprocess.Popen([sys.executable, "-c", OFFLINE, config], stdout=subprocess.PIPE, cwd=ROOT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("the offline run failed")
    result = json.loads(output)
    result["peak_rss_mib"] = usage.ru_maxrss / 1024
    return result


# --------------------------------------------------------------------------- server


class Server:
    """`translate-kit serve` in its own process on a free loopback port."""

    def __init__(self, model: Path, beam: int, length: int, *extra: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-c",
            "from translate_kit.cli import main; main()",
            "serve",
            "--model",
            str(model),
            "--port",
            str(self.port),
            "--beam",
            str(beam),
            "--no-cache",
            "--pin-output-length",
            str(length),
            "--log-level",
            "warning",
            *extra,
        ]
        self.process = subprocess.Popen(command, cwd=ROOT)
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(self.url + "/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.2)

    def peak_rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def metrics(self) -> str:
        return httpx.get(self.url + "/metrics", timeout=10).text

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process (all its threads) so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def snapshot(self) -> Snapshot:
        usage = resource.getrusage(resource.RUSAGE_SELF)  # this process: the load client
        client = usage.ru_utime + usage.ru_stime
        return Snapshot(time.perf_counter(), self.cpu_seconds(), client, self.metrics())

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- report


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return (values[0],) * 3 if values else (float("nan"),) * 3
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def row(name: str, load: Load, sentences: int, rss: float, mismatched: int) -> str:
    """A table row; its ratio to the offline pipeline is filled in once the baseline is final."""
    rate = len(load.answers) / load.seconds
    p50, p95, p99 = (1000 * v for v in percentiles(load.latencies))
    return (
        f"| {name} | {len(load.answers)}/{sentences} | {rate:.2f} | @RATIO@ | "
        f"{p50:.0f} | {p95:.0f} | {p99:.0f} | {rss:.0f} | {mismatched} | {len(load.errors)} |"
    )


def mismatches(load: Load, expected: list[str]) -> int:
    return sum(1 for index, text in load.answers.items() if text != expected[index])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="model folder (default: the synthetic dist-200M model)")
    parser.add_argument("--data", type=Path, default=DATA / "newsdev2014.hi")
    parser.add_argument("--references", type=Path, default=DATA / "newsdev2014.en")
    parser.add_argument("--sentences", type=int, default=128, help="sentences per run (bounded)")
    parser.add_argument(
        "--per-client",
        type=int,
        default=8,
        help="a run sends min(--sentences, max(16, this x clients)) sentences",
    )
    parser.add_argument(
        "--baseline-sentences",
        type=int,
        default=48,
        help="sentences of each run with batching off (it is slow)",
    )
    parser.add_argument("--beam", type=int, default=1, help="1: the fast preset (what MinT serves with)")
    parser.add_argument("--length", type=int, help="pinned output length (default: mean reference length)")
    parser.add_argument("--clients", default="1,4,16,64", help="client counts with batching on")
    parser.add_argument("--baseline-clients", default="16", help="client counts with batching off")
    parser.add_argument(
        "--pairs", type=int, default=2, help="extra back-to-back on/off runs at each baseline count"
    )
    parser.add_argument("--overload-clients", type=int, default=256)
    parser.add_argument("--overload-queue", type=int, default=32)
    parser.add_argument("--record", action="store_true", help=f"append the results to {RESULTS}")
    args = parser.parse_args(argv)

    from bench_pipeline import environment, pinned_length

    if args.model is None:
        from translate_kit.bench.synthetic import ensure_synthetic_model

        args.model = ensure_synthetic_model("dist-200M", "indic-en", DATA)
    sentences = [line.strip() for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    sentences = sentences[: args.sentences]
    length = args.length or pinned_length(args.model, args.references, len(sentences))
    print(f"{len(sentences)} sentences, outputs pinned to {length} tokens, beam {args.beam}", flush=True)

    baseline_clients = [int(c) for c in args.baseline_clients.split(",")]
    before = offline(args.model, sentences, args.beam, length, baseline_clients)
    print(f"offline pipeline: {len(sentences) / before['seconds']:.2f} sentences/s", flush=True)
    rows, profile, rates, problems = closed_loops(args, sentences, length, before["texts"])
    overload_line, overload_problems = overload_run(args, sentences, length)
    problems += overload_problems
    after = offline(args.model, sentences, args.beam, length, baseline_clients)
    problems += [
        f"offline run {i}: differs from the first"
        for i, (a, b) in enumerate(zip(before["texts"], after["texts"], strict=True))
        if a != b
    ]
    # The baseline is the faster of the two offline runs (before and after the server runs), so that
    # a machine slowed by other work during one of them does not flatter the server.
    offline_rate = max(len(sentences) / before["seconds"], len(sentences) / after["seconds"])
    single = (
        f"offline pipeline, one sentence alone (median of 4): {1000 * before['single']:.0f} ms "
        "(the floor of a single client's latency)"
    )
    offline_line = (
        f"offline pipeline: {len(sentences) / before['seconds']:.2f} sentences/s before the server runs, "
        f"{len(sentences) / after['seconds']:.2f} after; the baseline is the faster, {offline_rate:.2f}; "
        f"CPU {1000 * before['cpu'] / len(sentences):.0f} and {1000 * after['cpu'] / len(sentences):.0f} "
        "ms a sentence"
    )
    ceiling = ceiling_lines(before, after, baseline_clients, offline_rate)
    table = [
        f"| offline pipeline (api.Translation) | {len(sentences)}/{len(sentences)} | {offline_rate:.2f} "
        f"| 1.00x | | | | {max(before['peak_rss_mib'], after['peak_rss_mib']):.0f} | 0 | 0 |",
        *(line.replace("@RATIO@", f"{rate / offline_rate:.2f}x") for line, rate in rows),
    ]
    text = "\n".join(
        [
            offline_line,
            single,
            *ceiling,
            *TABLE_HEADER,
            *table,
            "",
            *summary(rates, offline_rate),
            "",
            "Where the time goes (per run; server CPU counts all its threads, 2 cores at most):",
            "",
            *PROFILE_HEADER,
            *profile,
            "",
            overload_line,
            f"problems: {len(problems)}" + (f" (first: {problems[:3]})" if problems else ""),
        ]
    )
    print(text)
    if args.record:
        note = (
            f"{len(sentences)} sentences of {args.data.name}, one per request, outputs pinned to {length} "
            f"tokens, beam {args.beam}, no translation memory; one load-client process (asyncio + httpx) "
            "and the server process on the same machine, at the same priority."
        )
        record(
            text,
            "python eval/load_serve.py " + shlex.join(sys.argv[1:] if argv is None else argv),
            environment(args.model, args.data),
            note,
        )
    return 1 if problems else 0


TABLE_HEADER = [
    "| run | answered | sentences/s | vs offline | p50 ms | p95 ms | p99 ms | peak RSS MiB "
    "| differ from offline | errors |",
    "|---|---|---|---|---|---|---|---|---|---|",
]


def closed_loops(
    args: argparse.Namespace, sentences: list[str], length: int, expected: list[str]
) -> tuple[list[tuple[str, float]], list[str], dict[tuple[str, int], list[float]], list[str]]:
    """The closed-loop runs: the sweep (batching across requests at each of --clients, then off at each
    of --baseline-clients), then --pairs more runs of each baseline count, on and off back to back, so
    that a change in the machine's load between two runs shows as a spread rather than as a ratio.
    Both servers are up throughout (the idle one costs nothing). Returns (table rows with their rates,
    profile rows, rates by (label, clients), problems)."""
    rows: list[tuple[str, float]] = []
    profile: list[str] = []
    rates: dict[tuple[str, int], list[float]] = {}
    problems: list[str] = []
    on, off = "batching across requests", "batching off"
    counts = {
        label: [int(c) for c in text.split(",") if c]
        for label, text in ((on, args.clients), (off, args.baseline_clients))
    }
    schedule = [(on, c) for c in counts[on]] + [(off, c) for c in counts[off]]
    schedule += [(label, c) for _ in range(args.pairs) for c in counts[off] for label in (on, off)]
    servers: dict[str, Server] = {}
    try:
        servers[on] = Server(args.model, args.beam, length)
        servers[off] = Server(args.model, args.beam, length, "--no-cross-request-batching")
        for label, clients in schedule:
            server = servers[label]
            size = args.baseline_sentences if label == off else max(16, args.per_client * clients)
            run = sentences[: min(len(sentences), size)]
            load, (start, end) = asyncio.run(closed_loop(server.url, run, clients, server.snapshot))
            rate = len(load.answers) / load.seconds
            rates.setdefault((label, clients), []).append(rate)
            name = f"serve, {label}, {clients} clients"
            rows.append((row(name, load, len(run), server.peak_rss_mib(), mismatches(load, expected)), rate))
            profile.append(profile_row(name, where_time_goes(start, end, load)))
            problems += load.errors
            problems += [f"{name}: {n} x {kind}" for kind, n in load.connection_errors.items()]
            if len(load.answers) != len(run):
                problems.append(f"{name}: {len(run) - len(load.answers)} lost")
            print(rows[-1][0].replace("@RATIO@", "-"), profile[-1], sep="\n", flush=True)
    finally:
        for server in servers.values():
            server.stop()
    return rows, profile, rates, problems


def overload_run(args: argparse.Namespace, sentences: list[str], length: int) -> tuple[str, list[str]]:
    """Every client at once against a small queue; then the refused ones retry as told."""
    server = Server(args.model, args.beam, length, "--max-queue", str(args.overload_queue))
    try:
        rss_before = server.peak_rss_mib()
        first, final = asyncio.run(overload(server.url, sentences, args.overload_clients, time_limit=300))
        rss = server.peak_rss_mib()
    finally:
        server.stop()
    served = len(final.answers)
    errors = first.errors + final.errors
    connection = {
        k: first.connection_errors.get(k, 0) + final.connection_errors.get(k, 0)
        for k in {*first.connection_errors, *final.connection_errors}
    }
    line = (
        f"overload: {args.overload_clients} clients at once, --max-queue {args.overload_queue}: "
        f"first answers {dict(sorted(first.statuses.items()))}, every 503 with Retry-After "
        f"{min(first.retry_after, default=0)}-{max(first.retry_after, default=0)} s; after retrying as told: "
        f"{served}/{args.overload_clients} served in {final.seconds:.1f} s, retries answered "
        f"{dict(sorted(final.statuses.items()))}; connection errors {connection or 0}; errors (answer for "
        f"another request, answered twice, 503 without Retry-After, other statuses): {len(errors)}; "
        f"server peak RSS {rss:.0f} MiB ({rss_before:.0f} MiB after start)"
    )
    print(line, flush=True)
    problems = errors + [f"overload: {n} x {kind}" for kind, n in connection.items()]
    if served != args.overload_clients:
        problems.append(f"overload: {args.overload_clients - served} never served")
    return line, problems


def ceiling_lines(before: dict, after: dict, clients: list[int], offline_rate: float) -> list[str]:
    """What a server could reach at each baseline client count: every worker always busy with a
    batch of clients / workers sentences, no HTTP and no gathering (the faster of the two offline
    processes' measurements), against the offline pipeline and against one sentence per batch."""
    workers = before["workers"]
    ideal = {int(k): max(before["ideal"][k], after["ideal"][k]) for k in before["ideal"]}
    lines = []
    for count in clients:
        k = max(1, count // workers)
        lines.append(
            f"ceiling at {count} clients: {workers} workers each always decoding a batch of {k} "
            f"(no HTTP, no gathering) {ideal[k]:.2f} sentences/s = {ideal[k] / offline_rate:.2f}x the "
            f"offline pipeline and {ideal[k] / ideal[1]:.2f}x batches of one ({ideal[1]:.2f} sentences/s)"
        )
    return lines


def summary(rates: dict[tuple[str, int], list[float]], offline_rate: float) -> list[str]:
    """The 16-client ratios: against the offline pipeline (each run, and their median), and against
    batching off, each on run with the off run next to it (and the median of those pairs)."""
    on16 = rates.get(("batching across requests", 16), [])
    off16 = rates.get(("batching off", 16), [])
    lines = []
    if on16:
        each = ", ".join(f"{rate / offline_rate:.2f}x" for rate in on16)
        lines.append(
            f"16 clients, batching across requests vs offline pipeline: median "
            f"{statistics.median(on16) / offline_rate:.2f}x (runs: {each}; target >= 0.8x)"
        )
    if on16 and off16:
        pairs = [a / b for a, b in zip(on16, off16, strict=False)]
        each = ", ".join(f"{ratio:.2f}x" for ratio in pairs)
        lines.append(
            f"16 clients, batching across requests vs batching off: median {statistics.median(pairs):.2f}x "
            f"(pairs: {each}; the first pair is the sweep's, the others back to back; target >= 4x)"
        )
    return lines


def _niceness() -> str:
    """How the run was niced (every process of it alike), as the command prefix that did it."""
    level = os.nice(0)
    return f"nice -n {level} " if level else ""


def record(text: str, command: str, env: dict[str, str], note: str) -> None:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    block = [
        f"## {now}",
        "",
        f"`flock /work/bench.lock {_niceness()}{command}`",
        "",
        note,
        "",
        *(f"- {k}: {v}" for k, v in env.items()),
        f"- machine: {platform.node()}",
        "",
        text,
    ]
    existing = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# load_serve results\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(existing.rstrip("\n") + "\n\n" + "\n".join(block) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
