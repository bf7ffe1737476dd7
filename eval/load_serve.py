#!/usr/bin/env python3
"""`translate-kit serve` under load: throughput and latency against the offline pipeline and against
the same server with batching across requests turned off; an overload run against a small queue.

A random-weight model with the exact IndicTrans2 dist-200M shape (built on first use, as
eval/bench_pipeline.py builds it) translates single sentences of newsdev2014.hi, every output pinned
to the same length (the mean length of the English references in target pieces), so every
configuration decodes exactly the same number of tokens. Loopback only, bounded in count and time:

1. offline: the document pipeline (`translate.DocumentTranslator`: planning, engine, reassembly) on
   the same sentences, one document each, in a fresh process -- the baseline;
2. the server (a fresh `translate-kit serve` process, no translation memory) with 1, 4, 16 and 64
   concurrent clients, each sending one sentence per request and the next when answered;
3. the same server with `--no-cross-request-batching` (at 16 clients by default);
4. overload: 256 clients at once against `--max-queue 32`: answers must be 200 or 503 with
   Retry-After; then the refused clients retry after Retry-After until all are served.

Every answer is checked: it must echo its own sentence as the source (no mixed-up answers) and each
sentence is answered exactly once (no lost or duplicated answers); translations that differ from
the offline pipeline's are counted. Peak RSS is the server process's VmHWM.

    flock /work/bench.lock python eval/load_serve.py --record
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "hi-en"
RESULTS = ROOT / "eval" / "results" / "load_serve.md"
sys.path.insert(0, str(ROOT / "eval"))


# --------------------------------------------------------------------------- offline baseline

OFFLINE = """
import json, sys, time
from translate_kit.documents import parse_document
from translate_kit.engine import DecodeOptions, Translator
from translate_kit.translate import DocumentTranslator
config = json.loads(sys.argv[1])
sentences = config["sentences"]
engine = Translator.load(config["model"])
n = config["length"]
options = DecodeOptions(beam_size=config["beam"], decode_ratio=None,
                        min_decoding_length=n, max_decoding_length=n)
def run(batch):
    translator = DocumentTranslator(engine, options)
    docs = [parse_document(s, f"s{i}", "text") for i, s in enumerate(batch)]
    return [r.rendered for r in translator.translate([translator.plan(d) for d in docs])]
run(sentences[:8])
start = time.perf_counter()
outputs = run(sentences)
seconds = time.perf_counter() - start
texts = [next(iter(r.values())) if r else "" for r in outputs]
single = []
for sentence in sentences[:4]:
    start = time.perf_counter()
    run([sentence])
    single.append(time.perf_counter() - start)
print(json.dumps({"seconds": seconds, "texts": texts, "single": sorted(single)[len(single) // 2]}))
"""


def offline(model: Path, sentences: list[str], beam: int, length: int) -> dict:
    config = json.dumps({"model": str(model), "sentences": sentences, "beam": beam, "length": length})
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


# --------------------------------------------------------------------------- clients


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    answers: dict[int, str] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    retry_after: list[int] = field(default_factory=list)
    seconds: float = 0.0


async def _send(client: httpx.AsyncClient, index: int, sentence: str, load: Load) -> httpx.Response:
    started = time.perf_counter()
    response = await client.post("/translate", json={"text": sentence, "source": "hi", "target": "en"})
    elapsed = time.perf_counter() - started
    load.statuses[response.status_code] = load.statuses.get(response.status_code, 0) + 1
    if response.status_code == 200:
        body = response.json()
        echoed = " ".join(pair["source"] for pair in body["results"][0]["sentences"])
        if echoed != sentence:
            load.errors.append(f"sentence {index}: answer for another sentence ({echoed!r})")
        if index in load.answers:
            load.errors.append(f"sentence {index}: answered twice")
        load.answers[index] = body["translations"][0]
        load.latencies.append(elapsed)
    elif response.status_code == 503:
        if "retry-after" not in response.headers:
            load.errors.append(f"sentence {index}: 503 without Retry-After")
        else:
            load.retry_after.append(int(response.headers["retry-after"]))
    else:
        load.errors.append(f"sentence {index}: status {response.status_code} {response.text[:120]}")
    return response


async def closed_loop(url: str, sentences: list[str], clients: int) -> Load:
    """`clients` clients, each sending the next unsent sentence as soon as its last one is answered."""
    load = Load()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(sentences)):
        queue.put_nowait(index)
    limits = httpx.Limits(max_connections=clients + 8, max_keepalive_connections=clients + 8)
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as client:
        for index in range(min(4, len(sentences))):  # warm-up, untimed
            await client.post("/translate", json={"text": f"{sentences[index]} (तैयारी)", "source": "hi"})

        async def worker() -> None:
            while not queue.empty():
                index = queue.get_nowait()
                await _send(client, index, sentences[index], load)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        load.seconds = time.perf_counter() - started
    return load


async def overload(url: str, sentences: list[str], clients: int, time_limit: float) -> tuple[Load, Load]:
    """Every client sends at once; then the refused ones retry after Retry-After until served."""
    first, final = Load(), Load()
    limits = httpx.Limits(max_connections=clients + 8, max_keepalive_connections=clients + 8)
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as client:
        started = time.perf_counter()

        async def one(index: int) -> None:
            sentence = sentences[index % len(sentences)] + f" ({index})"
            response = await _send(client, index, sentence, first)
            while response.status_code == 503 and time.perf_counter() - started < time_limit:
                await asyncio.sleep(min(int(response.headers.get("retry-after", "1")), 5))
                response = await _send(client, index, sentence, final)
            if response.status_code == 200 and index not in final.answers:
                final.answers[index] = first.answers.get(index, "")

        await asyncio.gather(*(one(index) for index in range(clients)))
        first.seconds = final.seconds = time.perf_counter() - started
    return first, final


# --------------------------------------------------------------------------- report


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return (values[0],) * 3 if values else (float("nan"),) * 3
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def row(name: str, load: Load, sentences: int, rss: float, offline_rate: float, mismatched: int) -> str:
    rate = len(load.answers) / load.seconds
    p50, p95, p99 = (1000 * v for v in percentiles(load.latencies))
    return (
        f"| {name} | {len(load.answers)}/{sentences} | {rate:.2f} | {rate / offline_rate:.2f}x | "
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

    base = offline(args.model, sentences, args.beam, length)
    offline_rate = len(sentences) / base["seconds"]
    expected = base["texts"]
    single = (
        f"offline pipeline, one sentence alone (median of 4): {1000 * base['single']:.0f} ms "
        "(the floor of a single client's latency)"
    )
    print(
        f"offline pipeline: {offline_rate:.2f} sentences/s, peak {base['peak_rss_mib']:.0f} MiB; {single}",
        flush=True,
    )
    rows = [
        f"| offline pipeline (DocumentTranslator) | {len(sentences)}/{len(sentences)} | {offline_rate:.2f} "
        f"| 1.00x | | | | {base['peak_rss_mib']:.0f} | 0 | 0 |"
    ]
    rates: dict[tuple[str, int], float] = {}
    problems: list[str] = []
    for label, extra, counts in (
        ("batching across requests", (), args.clients),
        ("batching off", ("--no-cross-request-batching",), args.baseline_clients),
    ):
        server = Server(args.model, args.beam, length, *extra)
        try:
            for clients in (int(c) for c in counts.split(",") if c):
                size = args.baseline_sentences if extra else max(16, args.per_client * clients)
                run = sentences[: min(len(sentences), size)]
                load = asyncio.run(closed_loop(server.url, run, clients))
                rates[(label, clients)] = len(load.answers) / load.seconds
                rows.append(
                    row(
                        f"serve, {label}, {clients} clients",
                        load,
                        len(run),
                        server.peak_rss_mib(),
                        offline_rate,
                        mismatches(load, expected),
                    )
                )
                problems += load.errors
                if len(load.answers) != len(run):
                    problems.append(f"{label}, {clients} clients: {len(run) - len(load.answers)} lost")
                print(rows[-1], flush=True)
        finally:
            server.stop()

    server = Server(args.model, args.beam, length, "--max-queue", str(args.overload_queue))
    try:
        rss_before = server.peak_rss_mib()
        first, final = asyncio.run(overload(server.url, sentences, args.overload_clients, time_limit=300))
        rss = server.peak_rss_mib()
    finally:
        server.stop()
    served = len(final.answers)
    errors = len(first.errors) + len(final.errors)
    overload_line = (
        f"overload: {args.overload_clients} clients at once, --max-queue {args.overload_queue}: "
        f"first answers {dict(sorted(first.statuses.items()))}, Retry-After "
        f"{min(first.retry_after, default=0)}-{max(first.retry_after, default=0)} s; after retrying: "
        f"{served}/{args.overload_clients} served in {final.seconds:.1f} s, retries answered "
        f"{dict(sorted(final.statuses.items()))}; errors (lost, duplicated, mixed up, 503 without "
        f"Retry-After, other statuses): {errors}; server peak RSS {rss:.0f} MiB ({rss_before:.0f} MiB "
        "after start)"
    )
    problems += first.errors + final.errors
    print(overload_line, flush=True)

    header = [
        "| run | answered | sentences/s | vs offline | p50 ms | p95 ms | p99 ms | peak RSS MiB "
        "| differ from offline | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    on16 = rates.get(("batching across requests", 16))
    off16 = rates.get(("batching off", 16))
    summary = []
    if on16:
        summary.append(
            f"16 clients, batching across requests vs offline pipeline: {on16 / offline_rate:.2f}x "
            "(target >= 0.8x)"
        )
    if on16 and off16:
        summary.append(
            f"16 clients, batching across requests vs batching off: {on16 / off16:.2f}x (target >= 4x)"
        )
    text = "\n".join(
        [
            single,
            *header,
            *rows,
            "",
            *summary,
            overload_line,
            f"problems: {len(problems)}" + (f" (first: {problems[:3]})" if problems else ""),
        ]
    )
    print(text)
    if args.record:
        note = (
            f"{len(sentences)} sentences of {args.data.name}, one per request, outputs pinned to {length} "
            f"tokens, beam {args.beam}, no translation memory; client and server on the same machine."
        )
        record(
            text,
            "python eval/load_serve.py " + shlex.join(sys.argv[1:] if argv is None else argv),
            environment(args.model, args.data),
            note,
        )
    return 1 if problems else 0


def record(text: str, command: str, env: dict[str, str], note: str) -> None:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    block = [
        f"## {now}",
        "",
        f"`flock /work/bench.lock {command}`",
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
