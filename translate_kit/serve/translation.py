"""Translating texts and documents for the routes: the library API (`api.Translation`) in a
request thread, its sentences decoded through the model's batcher, limits checked before any
decoding."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
from starlette.requests import Request

from .. import api
from ..documents import Document
from ..errors import ModelError
from ..languages import other
from .batcher import Arrival, QueueFull
from .errors import ServeError
from .metrics import Metrics
from .models import ModelPool, ServedModel
from .settings import ServeSettings
from .work import Control, ShuttingDown, Timeout, run_request

T = TypeVar("T")
LOADING_RETRY_S = 5
SHUTDOWN_RETRY_S = 10
"""Retry-After of a request refused by a stopping server: about what a restart takes."""


def _request_decoder(model: ServedModel, control: Control, arrival: Arrival) -> api.Decoder:
    """Decoding through the model's batcher under the request's ticket, so its sentences share
    batches with other requests': (index, translation) pairs as the batcher finishes them
    (CancelledError once the request is cancelled)."""

    def decode(prepared: Sequence[Any]) -> Iterator[list[tuple[int, Any]]]:
        assert control.ticket is not None, "sentences are decoded only after admission"
        futures = model.batcher.submit(control.ticket, prepared)
        arrival.done()
        index = {future: i for i, future in enumerate(futures)}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield [(index[future], future.result()) for future in finished]

    return decode


@dataclass
class Translated:
    """The outcome of one call: each document's result (its output text and block view) and the counts."""

    source: str
    target: str
    detected: bool
    model: str | None
    results: list[api.TextResult]
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def outputs(self) -> list[str | bytes]:
        return [result.text for result in self.results]

    @property
    def dropped(self) -> list[str]:
        return [value for result in self.results for value in result.dropped]


class TranslationService:
    def __init__(self, pool: ModelPool, settings: ServeSettings, metrics: Metrics):
        self.pool = pool
        self.settings = settings
        self.metrics = metrics
        self.limiter = anyio.CapacityLimiter(settings.max_requests)
        self._draining = False
        self._stopping: asyncio.Event | None = None  # set when the shutdown grace period is over

    def drain(self, grace: float) -> None:
        """The server is stopping (SIGTERM): requests in progress have `grace` seconds to finish,
        then get 503 with Retry-After; requests that arrive meanwhile get it at once. Call on the
        event loop."""
        self._draining = True
        stopping = self._stopping_event()
        asyncio.get_running_loop().call_later(grace, stopping.set)

    def _stopping_event(self) -> asyncio.Event:
        if self._stopping is None:  # made on the event loop, on first use
            self._stopping = asyncio.Event()
        return self._stopping

    async def translate(
        self,
        request: Request | None,
        read: Callable[[], list[Document]],
        source: str | None,
        target: str | None,
        control: Control | None = None,
    ) -> Translated:
        """Translate the documents `read()` parses (in the request's thread, off the event loop);
        source None: detected from their script; target None: the other language. ServeError for
        limits (413), a full queue (503), a missing model (503), the timeout (504)."""
        return await self.run(request, lambda ctl: self._translate(read(), source, target, ctl), control)

    async def run(
        self, request: Request | None, work: Callable[[Control], T], control: Control | None = None
    ) -> T:
        """Any library work of a request in a worker thread, under the server's timeout (504);
        503 with Retry-After when `max_requests` requests are already being worked on, and while
        the server is stopping."""
        if self._draining:
            raise ServeError(503, "the server is shutting down", {"Retry-After": str(SHUTDOWN_RETRY_S)})
        if self.limiter.available_tokens < 1:
            self.metrics.rejected.labels("requests").inc()
            retry = max((model.batcher.retry_after() for model in self.pool.loaded()), default=1)
            raise ServeError(
                503,
                f"server busy: {self.settings.max_requests} requests in progress",
                {"Retry-After": str(retry)},
            )
        try:
            return await run_request(
                request, work, timeout=self.settings.timeout_s, limiter=self.limiter, control=control,
                stopping=self._stopping_event(),
            )
        except ShuttingDown:
            raise ServeError(
                503, "the server is shutting down", {"Retry-After": str(SHUTDOWN_RETRY_S)}
            ) from None
        except Timeout as exc:
            self.metrics.rejected.labels("timeout").inc()
            raise ServeError(504, str(exc)) from None

    def _translate(
        self, documents: list[Document], source: str | None, target: str | None, control: Control
    ) -> Translated:
        control.check()
        detected = source is None
        src = source or api.document_language(documents)
        tgt = target or other(src)
        if src == tgt or not any(doc.translatable() for doc in documents):
            control.report(0, 0)
            kept = api.keep_documents(documents, self.settings.translate_options())
            return Translated(src, tgt, detected, None, kept)
        model = self._model(src, tgt)
        with model.batcher.arriving() as arrival:
            translation = api.Translation(
                model.translate_options,
                model=model.translator,
                decoder=_request_decoder(model, control, arrival),
                memory=api.thread_memory(self.settings.memory),
                decoding=model.options,
            )
            started = time.perf_counter()
            planned = translation.plan_documents(
                documents, progress=control.report, cancel=lambda: control.cancelled
            )
            self.metrics.stage_seconds.labels("plan").observe(time.perf_counter() - started)
            with self._admit(model, planned.sentences, control):
                started = time.perf_counter()
                run = translation.translate_planned(planned)
                run.stats.seconds = time.perf_counter() - started
                self.metrics.stage_seconds.labels("translate").observe(run.stats.seconds)
        stats = run.stats.to_dict()
        self.metrics.count_run(model.direction, stats)
        return Translated(src, tgt, detected, model.name, run.results, stats)

    def _model(self, src: str, tgt: str) -> ServedModel:
        if not self.pool.ready:
            if self.pool.error:
                raise ServeError(503, f"model not available: {self.pool.error}")
            raise ServeError(503, "the models are still loading", {"Retry-After": str(LOADING_RETRY_S)})
        if (src, tgt) not in self.pool.directions():
            served = ", ".join(f"{s}->{t}" for s, t in self.pool.directions()) or "none"
            raise ServeError(400, f"this server does not translate {src} -> {tgt} (it serves {served})")
        try:
            return self.pool.get(src, tgt)
        except ModelError as exc:
            raise ServeError(503, f"model not available: {exc}") from None

    @contextmanager
    def _admit(self, model: ServedModel, sentences: list[str], control: Control) -> Iterator[None]:
        limit = self.settings.max_sentences
        if len(sentences) > limit:
            raise ServeError(413, f"{len(sentences)} sentences in one request; the limit is {limit}")
        longest = max((len(s) for s in sentences), default=0)
        if longest > self.settings.max_sentence_chars:
            raise ServeError(
                413,
                f"a sentence of {longest} characters; the limit is "
                f"{self.settings.max_sentence_chars} (split the text into sentences)",
            )
        control.check()
        try:
            with model.batcher.admit(len(sentences)) as ticket:
                control.attach(ticket)
                yield
        except QueueFull as exc:  # raised by admit only: the translation itself never raises it
            self.metrics.rejected.labels("queue").inc()
            raise ServeError(503, str(exc), {"Retry-After": str(exc.retry_after)}) from None
