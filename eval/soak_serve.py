#!/usr/bin/env python3
"""`translate-kit serve` for a long time under mixed load, then killed and stopped: does it stay
right, stay small, and come back whole? Loopback only, bounded in time.

1. soak: `--clients` clients for `--minutes` of mixed requests against a fresh server with a
   translation memory: single sentences (/translate), Markdown documents (/translate, markdown),
   uploads (/translate/file), alignments (/align), clients that disconnect mid-request and clients
   that send bad input (a broken JSONL upload: 422; a body that is not JSON: 400). Every answer is
   compared with what the library gives offline for the same request (`api.translate_texts`,
   `api.align_texts` in this process, same model and settings, batch-invariant decoding); any status
   the client did not cause is an error. The server's RSS is sampled every 2 s (plot), latency p99
   per minute, and /metrics' request counts are compared with what the clients sent.
2. kill -9 under load, then a restart on the same memory: seconds until it answers again,
   `PRAGMA integrity_check` of the memory, no half-written file beside it.
3. SIGTERM with requests in flight: each in-flight request answered (200, or 503 with Retry-After),
   new connections refused, the process gone within its grace period.

A random-weight model of `--shape` (tiny by default: the soak is about the server, not the model's
speed) translates; its output is noise and no quality is reported.

    python eval/soak_serve.py --minutes 10 --clients 16 --record
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "hi-en"
DOCUMENTS = ROOT / "tests" / "data" / "hindi_documents"
RESULTS = ROOT / "eval" / "results"
BAD_JSONL = '{"text": "यह पहला रिकॉर्ड है।"}\n{"text": "अधूरा\n'
# request kind -> its share of what the clients send
KINDS = {
    "sentence": 50, "markdown": 15, "upload": 10, "align": 8, "disconnect": 7, "bad_jsonl": 5, "bad_json": 5,
}
SERVE = [sys.executable, "-c", "from translate_kit.cli import main; main()", "serve"]
LOADER = """import httpx
for _ in range(200):
    try:
        httpx.post("{url}/translate", json={{"text": "भारत और रूस के बीच बातचीत हुई।"}}, timeout=5)
    except httpx.HTTPError:
        pass
"""


@dataclass(frozen=True)
class Request:
    kind: str
    route: str
    payload: dict
    expected_status: int
    expected: object = None  # the offline answer (text, or the alignment's records)


def _catalogue(model: Path, beam: int) -> list[Request]:
    """Every request the clients send, with the library's offline answer for each."""
    sys.path.insert(0, str(ROOT))
    from translate_kit import api

    hindi = (DATA / "newsdev2014.hi").read_text(encoding="utf-8").splitlines()
    english = (DATA / "newsdev2014.en").read_text(encoding="utf-8").splitlines()
    sentences = hindi[:120]
    docs = [p.read_text(encoding="utf-8") for p in sorted(DOCUMENTS.glob("*.md"))[:6]]
    options = api.TranslateOptions(
        model=str(model), beam_size=beam, batch_invariant=True, use_memory=False
    )
    with api.Translation(options) as translation:
        plain = translation.translate_texts(sentences, "text").results
        markdown = translation.translate_texts(docs, "markdown").results
    requests = [Request("sentence", "/translate", {"text": s, "source": "hi"}, 200, r.text)
                for s, r in zip(sentences, plain, strict=True)]
    for i, (doc, result) in enumerate(zip(docs, markdown, strict=True)):
        body = {"text": doc, "source": "hi", "format": "markdown"}
        requests.append(Request("markdown", "/translate", body, 200, result.text))
        requests.append(Request("upload", "/translate/file", {"name": f"doc{i}.md", "data": doc}, 200,
                                result.text))
        requests.append(Request("disconnect", "/translate", body, 0))
    for i in range(0, 40, 4):
        hi, en = "\n".join(hindi[i:i + 4]), "\n".join(english[i:i + 4])
        requests.append(Request("align", "/align", {"hi": hi, "en": en, "output": "json"}, 200,
                                api.align_texts(hi, en)))
    requests.append(Request("bad_jsonl", "/translate/file", {"name": "bad.jsonl", "data": BAD_JSONL}, 422))
    requests.append(Request("bad_json", "/translate", {"raw": "{not json"}, 400))
    return requests


@dataclass
class Tally:
    sent: Counter = field(default_factory=Counter)  # (route, status) the clients saw answered
    wrong: list[str] = field(default_factory=list)  # errors the client did not cause
    latency: list[tuple[float, float]] = field(default_factory=list)  # (time since start, seconds)


async def _send(http: httpx.AsyncClient, request: Request) -> httpx.Response:
    if request.route == "/translate/file":
        files = {"file": (request.payload["name"], request.payload["data"].encode("utf-8"))}
        return await http.post(request.route, files=files, data={"source": "hi"})
    if "raw" in request.payload:
        return await http.post(request.route, content=request.payload["raw"],
                               headers={"Content-Type": "application/json"})
    return await http.post(request.route, json=request.payload)


def _check(request: Request, response: httpx.Response) -> str | None:
    if response.status_code != request.expected_status:
        return f"{request.kind}: {response.status_code} {response.text[:120]}"
    if request.expected is None:
        return None
    if request.kind == "upload":
        answer: object = response.text
    elif request.kind == "align":
        answer = response.json()
    else:
        answer = response.json()["translations"][0]
    return None if answer == request.expected else f"{request.kind}: answer differs from the offline one"


async def _client(
    url: str, requests: list[Request], until: float, seed: int, tally: Tally, start: float
) -> None:
    rng = random.Random(seed)
    by_kind: dict[str, list[Request]] = {}
    for request in requests:
        by_kind.setdefault(request.kind, []).append(request)
    kinds, weights = zip(*KINDS.items(), strict=True)
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        while time.monotonic() < until:
            request = rng.choice(by_kind[rng.choices(kinds, weights)[0]])
            began = time.monotonic()
            if request.kind == "disconnect":
                with contextlib.suppress(TimeoutError, httpx.TransportError):
                    await asyncio.wait_for(_send(http, request), timeout=rng.uniform(0.01, 0.2))
                tally.sent[(request.route, "gone")] += 1
                continue
            try:
                response = await _send(http, request)
            except httpx.TransportError as exc:
                tally.wrong.append(f"{request.kind}: {type(exc).__name__}")
                continue
            tally.sent[(request.route, str(response.status_code))] += 1
            tally.latency.append((began - start, time.monotonic() - began))
            problem = _check(request, response)
            if problem:
                tally.wrong.append(problem)


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _sample_rss(pid: int, until: float, start: float, samples: list[tuple[float, float]]) -> None:
    while time.monotonic() < until:
        samples.append((time.monotonic() - start, _rss_mib(pid)))
        await asyncio.sleep(2)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(model: Path, memory: Path, port: int, beam: int) -> subprocess.Popen:
    command = [*SERVE, "--model", str(model), "--port", str(port), "--beam", str(beam), "--batch-invariant",
               "--cache", str(memory), "--max-sentences", "4000"]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def _wait_ready(url: str, timeout: float = 120) -> float:
    """Seconds until /translate answers a sentence."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        try:
            if httpx.post(url + "/translate", json={"text": "नमस्ते।"}, timeout=5).status_code == 200:
                return time.monotonic() - began
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not answer")


def _metrics_counts(url: str) -> Counter:
    counts: Counter = Counter()
    for line in httpx.get(url + "/metrics").text.splitlines():
        if line.startswith("translate_kit_requests_total{"):
            labels = dict(part.split("=", 1) for part in line[line.index("{") + 1:line.index("}")].split(","))
            route, status = labels["route"].strip('"'), labels["status"].strip('"')
            counts[(route, status)] += int(float(line.rsplit(" ", 1)[1]))
    return counts


def _metrics_check(sent: Counter, served: Counter) -> dict:
    """/metrics against what the clients saw. Answered requests must be counted exactly; a request
    whose client left is counted as 499 (the server noticed) or 200 (it finished first), or not at
    all (the client left before its request was sent), so those are bounded, not matched."""
    gone = Counter({route: n for (route, status), n in sent.items() if status == "gone"})
    mismatched, extra = {}, Counter()
    for (route, status), n in served.items():
        if route == "/metrics":  # the reading before the soak
            continue
        seen = sent.get((route, status), 0)
        if status in ("200", "499") and n >= seen:
            extra[route] += n - seen
        elif n != seen:
            mismatched[f"{route} {status}"] = {"clients": seen, "metrics": n}
    for (route, status), n in sent.items():
        if status != "gone" and (route, status) not in served:
            mismatched[f"{route} {status}"] = {"clients": n, "metrics": 0}
    for route, n in extra.items():
        if n > gone[route] or (n and route not in gone):
            mismatched[f"{route} left early"] = {"clients": gone[route], "metrics": n}
    return {"mismatched": mismatched, "disconnects_counted": dict(extra), "disconnects_sent": dict(gone)}


def soak(url: str, pid: int, requests: list[Request], clients: int, seconds: float) -> dict:
    tally, rss = Tally(), []
    before = _metrics_counts(url)
    start = time.monotonic()
    until = start + seconds

    async def run() -> None:
        tasks = [_client(url, requests, until, seed, tally, start) for seed in range(clients)]
        await asyncio.gather(_sample_rss(pid, until, start, rss), *tasks)

    asyncio.run(run())
    time.sleep(1)  # disconnected requests finish on the server
    served = _metrics_counts(url) - before
    warm = [mib for t, mib in rss if t >= seconds * 0.2]
    minutes = {}
    for t, seconds_taken in tally.latency:
        minutes.setdefault(int(t // 60), []).append(seconds_taken)
    p99 = {m: round(statistics.quantiles(v, n=100)[98], 3) for m, v in sorted(minutes.items())
           if len(v) > 100}
    return {
        "requests": sum(tally.sent.values()),
        "disconnected": sum(n for k, n in tally.sent.items() if k[1] == "gone"),
        "errors": len(tally.wrong), "error_examples": tally.wrong[:5],
        "rss_start_mib": round(warm[0], 1), "rss_end_mib": round(warm[-1], 1),
        "rss_growth": round(warm[-1] / warm[0] - 1, 4), "rss": rss,
        "p99_by_minute": p99,
        "metrics": _metrics_check(tally.sent, served),
    }


def kill_and_restart(model: Path, memory: Path, beam: int, requests: list[Request], clients: int) -> dict:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = _start_server(model, memory, port, beam)
    _wait_ready(url)
    soak(url, server.pid, requests, clients, 15)  # load, then kill in the middle of more load
    loader = subprocess.Popen([sys.executable, "-c", LOADER.format(url=url)])
    time.sleep(2)
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    loader.kill()
    restarted = _start_server(model, memory, port, beam)
    seconds = _wait_ready(url)
    integrity = sqlite3.connect(memory).execute("PRAGMA integrity_check").fetchone()[0]
    leftovers = sorted(p.name for p in memory.parent.iterdir() if p.name.endswith((".tmp", ".part")))
    restarted.send_signal(signal.SIGTERM)
    restarted.wait(30)
    return {"answers_again_s": round(seconds, 2), "integrity_check": integrity, "half_written": leftovers}


def graceful_stop(model: Path, memory: Path, beam: int, requests: list[Request]) -> dict:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = _start_server(model, memory, port, beam)
    _wait_ready(url)
    long = [r for r in requests if r.kind == "markdown"]

    async def run() -> tuple[list[int], str, float]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            flying = [asyncio.ensure_future(_send(http, long[i % len(long)])) for i in range(8)]
            await asyncio.sleep(0.3)
            signalled = time.monotonic()
            server.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.3)
            try:
                late = await httpx.AsyncClient(timeout=5).post(url + "/translate", json={"text": "नमस्ते।"})
                refused = f"answered {late.status_code}"
            except httpx.TransportError as exc:
                refused = f"refused ({type(exc).__name__})"
            done = await asyncio.gather(*flying, return_exceptions=True)
            statuses = [r.status_code if isinstance(r, httpx.Response) else -1 for r in done]
            return statuses, refused, signalled

    statuses, refused, signalled = asyncio.run(run())
    server.wait(30)
    exit_s = round(time.monotonic() - signalled, 2)
    return {"in_flight": Counter(statuses), "new_request": refused, "exit_s": exit_s,
            "exit_code": server.returncode}


def _plot(rss: list[tuple[float, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3))
    ax.plot([t / 60 for t, _ in rss], [mib for _, mib in rss])
    ax.set_xlabel("minutes")
    ax.set_ylabel("server RSS (MiB)")
    ax.set_title("translate-kit serve under mixed load")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--shape", default="tiny")
    parser.add_argument("--beam", type=int, default=1)
    parser.add_argument("--record", action="store_true", help="write eval/results/soak_serve.{md,png}")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from translate_kit.bench.synthetic import ensure_synthetic_model

    model = ensure_synthetic_model(args.shape, "indic-en", DATA)
    requests = _catalogue(model, args.beam)
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"soak-{os.getpid()}"
    work.mkdir()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = _start_server(model, work / "memory.sqlite3", port, args.beam)
    _wait_ready(url)
    result = {"soak": soak(url, server.pid, requests, args.clients, args.minutes * 60)}
    server.send_signal(signal.SIGTERM)
    server.wait(30)
    result["kill"] = kill_and_restart(model, work / "kill.sqlite3", args.beam, requests, args.clients)
    result["sigterm"] = graceful_stop(model, work / "stop.sqlite3", args.beam, requests)
    rss = result["soak"].pop("rss")
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    if args.record:
        _plot(rss, RESULTS / "soak_serve_rss.png")
        command = " ".join(["python eval/soak_serve.py", *sys.argv[1:]])
        text = f"# Service soak\n\n`{command}` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n\n"
        text += "```json\n" + json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n```\n\n"
        text += "![RSS](soak_serve_rss.png)\n"
        (RESULTS / "soak_serve.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
