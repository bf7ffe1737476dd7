"""Translating texts and documents for the routes: library work in a request thread, sentences
through the model's batcher, limits checked before any decoding."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
from starlette.requests import Request

from . import library
from .batcher import QueueFull
from .errors import ServeError
from .metrics import Metrics
from .models import ModelPool, ServedModel
from .settings import ServeSettings
from .work import Control, Timeout, run_request

T = TypeVar("T")


class _RequestEngine:
    """The engine a request's DocumentTranslator sees: the model's batcher, under its ticket."""

    def __init__(self, model: ServedModel, control: Control):
        self.model = model
        self.control = control
        self.src = model.src
        self.tgt = model.tgt
        self.fingerprint = model.translator.fingerprint
        self.family = model.translator.family

    def prepare(self, sentences, glossary=None) -> list[library.Prepared]:
        """The engine owns preparation: the model's own; only decoding goes through the batcher."""
        return self.model.translator.prepare(sentences, glossary)

    def translate_stream(self, prepared, options=None) -> Iterator[list[tuple[int, library.Translation]]]:
        """The request's sentences through the batcher, handed back together once all are done."""
        assert self.control.ticket is not None, "sentences are decoded only after admission"
        yield list(enumerate(self.model.batcher.run(self.control.ticket, prepared)))


@dataclass
class Translated:
    """The outcome of one call: each document translated (or kept), its plan and the counts."""

    source: str
    target: str
    detected: bool
    model: str | None
    documents: list[library.Document]
    outputs: list[str]
    sentences: list[dict[str, list[dict[str, Any]]]]  # per document: block id -> sentence pairs
    dropped: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


class TranslationService:
    def __init__(self, pool: ModelPool, settings: ServeSettings, metrics: Metrics):
        self.pool = pool
        self.settings = settings
        self.metrics = metrics
        self.limiter = anyio.CapacityLimiter(settings.max_requests)

    async def translate(
        self,
        request: Request | None,
        read: Callable[[], list[library.Document]],
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
        """Any library work of a request in a worker thread, under the server's timeout (504)."""
        try:
            return await run_request(
                request, work, timeout=self.settings.timeout_s, limiter=self.limiter, control=control
            )
        except Timeout as exc:
            self.metrics.rejected.labels("timeout").inc()
            raise ServeError(504, str(exc)) from None

    def _translate(
        self, documents: list[library.Document], source: str | None, target: str | None, control: Control
    ) -> Translated:
        control.check()
        detected = source is None
        src = source or library.document_language(documents)
        tgt = target or library.other(src)
        if src == tgt or not any(doc.translatable() for doc in documents):
            control.planned(0)
            outputs = [library.render(library.TranslatedDocument(doc, {})) for doc in documents]
            return Translated(src, tgt, detected, None, documents, outputs, [{} for _ in documents])
        model = self._model(src, tgt)
        run = library.translate_documents(
            _RequestEngine(model, control),
            model.options,
            documents,
            library.thread_memory(self.settings.memory),
            admit=lambda plans: self._admit(model, plans, control),
            progress=control.advance,
            cancel=lambda: control.cancelled,
        )
        self.metrics.count_run(model.direction, run.stats)
        return Translated(
            src,
            tgt,
            detected,
            model.name,
            documents,
            [library.render(result) for result in run.results],
            [
                library.sentence_pairs(plan, result)
                for plan, result in zip(run.plans, run.results, strict=True)
            ],
            run.dropped,
            run.stats,
        )

    def _model(self, src: str, tgt: str) -> ServedModel:
        if (src, tgt) not in self.pool.directions():
            served = ", ".join(f"{s}->{t}" for s, t in self.pool.directions()) or "none"
            raise ServeError(400, f"this server does not translate {src} -> {tgt} (it serves {served})")
        try:
            return self.pool.get(src, tgt)
        except library.ModelError as exc:
            raise ServeError(503, f"model not available: {exc}") from None

    @contextmanager
    def _admit(
        self, model: ServedModel, plans: list[library.DocumentPlan], control: Control
    ) -> Iterator[None]:
        sentences = [s for plan in plans for s in library.plan_sentences(plan)]
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
                control.planned(len(sentences))
                yield
        except QueueFull as exc:  # raised by admit only: the translation itself never raises it
            self.metrics.rejected.labels("queue").inc()
            raise ServeError(503, str(exc), {"Retry-After": str(exc.retry_after)}) from None
