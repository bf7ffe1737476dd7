"""Everything `translate-kit serve` can be told, with the defaults a laptop or a small server wants."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..api import DecodeOptions, TranslateOptions


@dataclass(frozen=True)
class ServeSettings:
    """Models, decoding, batching, limits and access of one server.

    Batching: a model's sentences wait while others arrive, until `max_wait_ms` pass without one
    (20 ms: the answers of a batch come back as the next requests over 10-20 ms on loopback; 5 ms
    cut those batches short, 0.64x the offline pipeline against 0.71x at 16 clients,
    eval/results/load_serve.md), to fill `batch_tokens`
    SentencePiece tokens (2 x the engine's 512-token batches: the engine splits them again by
    length, one half per CTranslate2 worker). `cross_request=False` decodes each request on its
    own (the baseline of eval/load_serve.py).
    Limits: `max_body_bytes` (413), `max_sentences` per request and `max_sentence_chars` per
    sentence (413), `timeout_s` per request (504), `max_queue` sentences admitted per model and
    `max_requests` requests in flight (503 with Retry-After).
    """

    models: tuple[str, ...] = ()
    device: str = "cpu"
    compute_type: str = "int8"
    threads: int | None = None
    beam: int = 5
    batch_invariant: bool = False  # every sentence decoded alike whatever shares its batch
    memory: str | None = None  # translation memory file; None: no memory
    batch_tokens: int = 1024
    max_wait_ms: float = 20.0
    cross_request: bool = True
    max_body_bytes: int = 2 * 1024 * 1024
    max_sentences: int = 2000
    max_sentence_chars: int = 2000
    max_queue: int = 4096
    max_requests: int = 256
    timeout_s: float = 120.0
    api_key: str | None = field(default=None, repr=False)
    cors_origins: tuple[str, ...] = ()
    pinned_length: int | None = None  # decode exactly this many tokens (benchmarks with random weights)

    def __post_init__(self) -> None:
        for name in (
            "batch_tokens",
            "max_body_bytes",
            "max_sentences",
            "max_sentence_chars",
            "max_queue",
            "max_requests",
            "beam",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive")
        if self.max_wait_ms < 0 or self.timeout_s <= 0:
            raise ValueError("max_wait_ms must be >= 0 and timeout_s > 0")

    def translate_options(self) -> TranslateOptions:
        """How the library translates a request: every document of it in one window (so all its
        sentences reach the batcher together), memory and engine supplied by the server."""
        return TranslateOptions(
            beam_size=self.beam,
            batch_invariant=self.batch_invariant,
            window_sentences=self.max_sentences,
            use_memory=False,
        )

    def decode_options(self) -> DecodeOptions:
        """What every request of the server is decoded with (one set, so requests share batches)."""
        if self.pinned_length:
            return DecodeOptions(
                beam_size=self.beam,
                batch_invariant=self.batch_invariant,
                decode_ratio=None,
                min_decoding_length=self.pinned_length,
                max_decoding_length=self.pinned_length,
            )
        return DecodeOptions(beam_size=self.beam, batch_invariant=self.batch_invariant)
