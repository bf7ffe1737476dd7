"""The load client of eval/load_serve.py: closed-loop and overload clients that check every answer
against its request and never crash on a failed connection (counted apart), and the server
snapshots that show where a request's time goes.

One asyncio + httpx process plays every client; its own CPU time is measured so that a report can
say what the client took from the cores it shares with the server.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

RETRIES = 3
"""Attempts per sentence of a closed-loop client whose connection fails."""
MAX_RETRY_WAIT = 10
"""An overloaded client waits what Retry-After says, at most this many seconds (a bounded run)."""


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    answers: dict[int, str] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    retry_after: list[int] = field(default_factory=list)
    connection_errors: dict[str, int] = field(default_factory=dict)  # by exception name: never a crash
    seconds: float = 0.0


async def _send(client: httpx.AsyncClient, index: int, sentence: str, load: Load) -> httpx.Response | None:
    """One request; its answer checked against it (its own sentence echoed, answered once). None
    when the connection failed (counted in `connection_errors`, the caller may retry)."""
    started = time.perf_counter()
    try:
        response = await client.post("/translate", json={"text": sentence, "source": "hi", "target": "en"})
        body = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError) as exc:  # reset, refused, closed mid-answer, not JSON
        name = type(exc).__name__
        load.connection_errors[name] = load.connection_errors.get(name, 0) + 1
        return None
    elapsed = time.perf_counter() - started
    load.statuses[response.status_code] = load.statuses.get(response.status_code, 0) + 1
    if body is not None:
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


async def closed_loop(
    url: str, sentences: list[str], clients: int, probe: Callable[[], Snapshot] | None = None
) -> tuple[Load, list[Snapshot]]:
    """`clients` clients, each sending the next unsent sentence as soon as its last one is answered;
    `probe` is called (off the event loop) just before and after the timed part."""
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
                for _ in range(RETRIES):  # a failed connection is retried on a new one
                    if await _send(client, index, sentences[index], load) is not None:
                        break

        snapshots = [await asyncio.to_thread(probe)] if probe else []
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        load.seconds = time.perf_counter() - started
        if probe:
            snapshots.append(await asyncio.to_thread(probe))
    return load, snapshots


async def overload(url: str, sentences: list[str], clients: int, time_limit: float) -> tuple[Load, Load]:
    """Every client sends at once; then the refused ones retry after Retry-After until served."""
    first, final = Load(), Load()
    limits = httpx.Limits(max_connections=clients + 8, max_keepalive_connections=clients + 8)
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as client:
        started = time.perf_counter()

        async def one(index: int) -> None:
            sentence = sentences[index % len(sentences)] + f" ({index})"
            response = await _send(client, index, sentence, first)
            while _refused(response) and time.perf_counter() - started < time_limit:
                wait = int(response.headers.get("retry-after", "1")) if response is not None else 1
                await asyncio.sleep(min(wait, MAX_RETRY_WAIT))
                response = await _send(client, index, sentence, final)
            if response is not None and response.status_code == 200 and index not in final.answers:
                final.answers[index] = first.answers.get(index, "")

        await asyncio.gather(*(one(index) for index in range(clients)))
        first.seconds = final.seconds = time.perf_counter() - started
    return first, final


def _refused(response: httpx.Response | None) -> bool:
    """Worth retrying: a 503, or a connection that failed."""
    return response is None or response.status_code == 503


@dataclass
class Snapshot:
    """Clock, CPU times of server and client, and the server's metrics at one moment."""

    clock: float
    server_cpu: float
    client_cpu: float
    metrics: str

    def total(self, name: str, labels: str = "") -> tuple[float, float]:
        """(sum, count) of a Prometheus histogram over its series whose labels contain `labels`."""
        found = [0.0, 0.0]
        for i, part in enumerate(("sum", "count")):
            for series, value in re.findall(rf"^{name}_{part}\{{([^}}]*)\}} (\S+)$", self.metrics, re.M):
                if labels in series:
                    found[i] += float(value)
        return found[0], found[1]


def where_time_goes(before: Snapshot, after: Snapshot, load: Load) -> dict[str, float]:
    """What the server did between two snapshots: CPU of server and client (in cores), batches,
    and a request's time split into planning, translating (queue wait, decoding, reassembly) and
    the rest (HTTP, the event loop, the client), from the server's own histograms."""

    def mean(name: str, labels: str = "") -> float:
        (s1, c1), (s0, c0) = after.total(name, labels), before.total(name, labels)
        return (s1 - s0) / (c1 - c0) if c1 > c0 else float("nan")

    wall = after.clock - before.clock
    latency = statistics.mean(load.latencies) if load.latencies else float("nan")
    plan = mean("translate_kit_stage_seconds", 'stage="plan"')
    translate = mean("translate_kit_stage_seconds", 'stage="translate"')
    cpu = after.server_cpu - before.server_cpu + after.client_cpu - before.client_cpu
    return {
        "cpu_ms": 1000 * cpu / max(1, len(load.answers)),
        "server_cores": (after.server_cpu - before.server_cpu) / wall,
        "client_cores": (after.client_cpu - before.client_cpu) / wall,
        "batch_sentences": mean("translate_kit_batch_sentences"),
        "batch_seconds": mean("translate_kit_decode_seconds"),
        "queue_wait_ms": 1000 * mean("translate_kit_queue_wait_seconds"),
        "plan_ms": 1000 * plan,
        "translate_ms": 1000 * translate,
        "latency_ms": 1000 * latency,
        "rest_ms": 1000 * (latency - plan - translate),
    }


PROFILE_HEADER = [
    "| run | CPU ms / sentence (server + client) | server CPU (cores) | client CPU (cores) "
    "| sentences / batch | decode s / batch | queue wait ms | plan ms | translate ms | client latency ms "
    "| HTTP + loop + client ms |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
]


def profile_row(name: str, p: dict[str, float]) -> str:
    return (
        f"| {name} | {p['cpu_ms']:.0f} | {p['server_cores']:.2f} | {p['client_cores']:.3f} | "
        f"{p['batch_sentences']:.1f} | {p['batch_seconds']:.2f} | {p['queue_wait_ms']:.0f} | "
        f"{p['plan_ms']:.1f} | {p['translate_ms']:.0f} | {p['latency_ms']:.0f} | {p['rest_ms']:.1f} |"
    )
