"""The models a server holds: each direction's model loaded once, with its own request batcher."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from .. import api
from ..errors import ModelError, TranslateKitError
from ..languages import ENGLISH, HINDI
from .batcher import Batcher, Shape
from .metrics import Metrics
from .settings import ServeSettings

log = logging.getLogger("translate_kit.serve")


@dataclass
class ServedModel:
    """A loaded model, the decoding options every request shares (so requests can share batches),
    the library options its requests are translated with, and the batcher their sentences go through."""

    translator: api.Model
    options: api.DecodeOptions
    translate_options: api.TranslateOptions
    batcher: Batcher

    @property
    def src(self) -> str:
        return self.translator.src

    @property
    def tgt(self) -> str:
        return self.translator.tgt

    @property
    def name(self) -> str:
        return self.translator.model.name

    @property
    def direction(self) -> str:
        return f"{self.src}-{self.tgt}"

    def describe(self) -> dict:
        return {
            "name": self.name,
            "path": str(self.translator.model.path),
            "source": self.src,
            "target": self.tgt,
            "fingerprint": self.translator.fingerprint,
            "beam": self.options.beam_size,
            "workers": self.batcher.workers,
        }


class ModelPool:
    """Loads each direction's model once: the `--model` ones at start, else the default model of
    a direction on its first request (fetched into the model cache if it is missing)."""

    def __init__(self, settings: ServeSettings, metrics: Metrics):
        self.settings = settings
        self.metrics = metrics
        self._models: dict[tuple[str, str], ServedModel] = {}
        self._lock = threading.Lock()
        self._loading: dict[tuple[str, str], threading.Lock] = {}
        self.ready = not settings.models
        self.error: str | None = None
        self._closed = False

    def load_configured(self) -> None:
        """Load every `--model` (in a worker thread while the server already answers); `ready`
        once all are in. A model that cannot be loaded is logged and kept in `error`: /ready and
        translation requests then answer 503 with it."""
        try:
            for name in self.settings.models:
                self._add(self._load(name, None, None))
            self.ready = True
        except TranslateKitError as exc:
            self.error = " ".join(str(exc).split())
            log.error("cannot load the models: %s", self.error)

    def directions(self) -> list[tuple[str, str]]:
        """Directions this server translates: its loaded models', or both without --model."""
        if self.settings.models:
            return sorted(self._models)
        return [(HINDI, ENGLISH), (ENGLISH, HINDI)]

    def loaded(self) -> list[ServedModel]:
        return list(self._models.values())

    def get(self, src: str, tgt: str) -> ServedModel:
        """The model for src->tgt, loading the default one on first use (ModelError if none)."""
        key = (src, tgt)
        if key in self._models:
            return self._models[key]
        if self.settings.models:
            known = ", ".join(f"{s}->{t}" for s, t in sorted(self._models)) or "none loaded yet"
            raise ModelError(f"no model for {src}->{tgt} on this server (models: {known})")
        with self._lock:
            lock = self._loading.setdefault(key, threading.Lock())
        with lock:  # one load per direction, however many requests ask at once
            if key not in self._models:
                self._add(self._load(None, src, tgt))
        return self._models[key]

    def _load(self, name: str | None, src: str | None, tgt: str | None) -> api.Model:
        s = self.settings
        return api.load_model(api.TranslateOptions(
            model=name, src=src, tgt=tgt, device=s.device, compute_type=s.compute_type, threads=s.threads
        ))

    def _add(self, translator: api.Model) -> None:
        options = self.settings.decode_options()
        direction = f"{translator.src}-{translator.tgt}"
        batcher = Batcher(
            lambda items: translator.translate_stream(items, options),
            lambda item: Shape(*translator.decode_cost(item, options.batch_invariant)),
            batch_tokens=self.settings.batch_tokens,
            max_wait=self.settings.max_wait_ms / 1000,
            max_pending=self.settings.max_queue,
            workers=translator.inter_threads,
            cross_request=self.settings.cross_request,
            observe=self.metrics.batch_observer(direction),
        )
        batcher.start()
        self.metrics.watch_queue(direction, lambda: batcher.queued, lambda: batcher.admitted)
        key = (translator.src, translator.tgt)
        served = ServedModel(translator, options, self.settings.translate_options(), batcher)
        with self._lock:
            if self._closed:
                stale: Batcher | None = batcher  # the server stopped while this model loaded
            else:
                stale = self._models[key].batcher if key in self._models else None
                self._models[key] = served
        if stale is not None:
            stale.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        for model in self.loaded():
            model.batcher.close()

