"""Prometheus metrics of one server: requests, sentences, batches, queue depth, latency.

Each app gets its own registry (several apps in one process, as in the tests, never share counts);
`/metrics` renders it in Prometheus' text format.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .batcher import BatchReport

CONTENT_TYPE = CONTENT_TYPE_LATEST
_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "translate_kit_requests",
            "HTTP requests answered, by route and status",
            ["route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "translate_kit_request_seconds",
            "Time to answer a request, by route",
            ["route"],
            buckets=_LATENCY,
            registry=self.registry,
        )
        self.sentences = Counter(
            "translate_kit_sentences",
            "Sentences of translate requests, by "
            "direction and how they were answered (model, memory, repeated, kept)",
            ["direction", "via"],
            registry=self.registry,
        )
        self.batch_sentences = Histogram(
            "translate_kit_batch_sentences",
            "Distinct sentences per decoded batch",
            ["direction"],
            buckets=_SIZES,
            registry=self.registry,
        )
        self.batch_requests = Histogram(
            "translate_kit_batch_requests",
            "Requests sharing a decoded batch",
            ["direction"],
            buckets=_SIZES,
            registry=self.registry,
        )
        self.batch_tokens = Histogram(
            "translate_kit_batch_tokens",
            "Source tokens per decoded batch",
            ["direction"],
            buckets=(16, 32, 64, 128, 256, 512, 1024, 2048, 4096),
            registry=self.registry,
        )
        self.decode_seconds = Histogram(
            "translate_kit_decode_seconds",
            "Decode time of one batch",
            ["direction"],
            buckets=_LATENCY,
            registry=self.registry,
        )
        self.queue_wait = Histogram(
            "translate_kit_queue_wait_seconds",
            "Time a sentence waits in the batcher's queue before its batch is decoded",
            ["direction"],
            buckets=_LATENCY,
            registry=self.registry,
        )
        self.stage_seconds = Histogram(
            "translate_kit_stage_seconds",
            "Time of a translate request's stages in its worker thread: plan (parse, split, prepare) "
            "and translate (queue, decode, reassembly)",
            ["stage"],
            buckets=_LATENCY,
            registry=self.registry,
        )
        self.queue = Gauge(
            "translate_kit_queue_sentences",
            "Sentences waiting for a batch",
            ["direction"],
            registry=self.registry,
        )
        self.admitted = Gauge(
            "translate_kit_admitted_sentences",
            "Sentences of admitted, unfinished requests (bounded by --max-queue)",
            ["direction"],
            registry=self.registry,
        )
        self.rejected = Counter(
            "translate_kit_rejected",
            "Requests refused with 503, by reason",
            ["reason"],
            registry=self.registry,
        )

    def batch_observer(self, direction: str) -> Callable[[BatchReport], None]:
        def observe(report: BatchReport) -> None:
            self.batch_sentences.labels(direction).observe(report.sentences)
            self.batch_requests.labels(direction).observe(report.requests)
            self.batch_tokens.labels(direction).observe(report.tokens)
            self.decode_seconds.labels(direction).observe(report.seconds)
            for waited in report.waited:
                self.queue_wait.labels(direction).observe(waited)

        return observe

    def watch_queue(self, direction: str, queued: Callable[[], int], admitted: Callable[[], int]) -> None:
        self.queue.labels(direction).set_function(queued)
        self.admitted.labels(direction).set_function(admitted)

    def count_run(self, direction: str, stats: dict) -> None:
        for via, key in (
            ("model", "translated"),
            ("memory", "cached"),
            ("repeated", "duplicates"),
            ("kept", "passthrough"),
        ):
            if stats.get(key):
                self.sentences.labels(direction, via).inc(stats[key])

    def render(self) -> bytes:
        return generate_latest(self.registry)
