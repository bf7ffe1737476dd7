"""sacrebleu metric objects configured from user-facing names and options.

The numbers come from sacrebleu's own classes (never a re-implementation), so a score here equals the
``sacrebleu`` command line for the same text and options. What this module adds: one name per metric
(``bleu``, ``chrf``, ``chrf++``, ``ter``, ``comet``), a clear error for unknown names, the flores SPM
tokenisers from a local model file (sacrebleu downloads them at first use, which fails offline), and
a scoped random seed for sacrebleu's resampling.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.metrics.base import Metric
from sacrebleu.tokenizers.tokenizer_base import BaseTokenizer

from ..errors import TranslateKitError

SACREBLEU_METRICS = ("bleu", "chrf", "chrf++", "ter")
METRIC_NAMES = (*SACREBLEU_METRICS, "comet")
DEFAULT_METRICS = ("bleu", "chrf++")
LOWER_IS_BETTER = frozenset({"ter"})
DEFAULT_SEED = 12345  # sacrebleu's own default, so unseeded runs match its command line


@dataclass(frozen=True)
class MetricOptions:
    """Options that change how a metric reads text; each one shows up in the signature.

    `tokenize` is BLEU's tokeniser (None: sacrebleu's default 13a, or what the preset implies);
    `lowercase` applies to BLEU and chrF; `spm_model` is a local SentencePiece model for the
    flores101/flores200 tokenisers.
    """

    tokenize: str | None = None
    lowercase: bool = False
    spm_model: str | None = None


def parse_metric_names(spec: str | Sequence[str]) -> list[str]:
    """'bleu,chrf++' or ['bleu', 'chrf++'] -> validated names in the given order, duplicates dropped."""
    raw = spec.split(",") if isinstance(spec, str) else list(spec)
    names: list[str] = []
    for item in raw:
        name = item.strip().lower()
        if not name:
            continue
        if name not in METRIC_NAMES:
            raise TranslateKitError(f"unknown metric {item.strip()!r}: use one of {', '.join(METRIC_NAMES)}")
        if name not in names:
            names.append(name)
    if not names:
        raise TranslateKitError(f"no metric given: use one or more of {', '.join(METRIC_NAMES)}")
    return names


class LocalSPMTokenizer(BaseTokenizer):
    """sacrebleu's SPM tokenisation (pieces joined by spaces) from a model file on disk."""

    def __init__(self, model_path: str, signature: str):
        import sentencepiece

        self._signature = signature
        self._processor = sentencepiece.SentencePieceProcessor()
        try:
            self._processor.Load(model_path)
        except (OSError, RuntimeError) as exc:
            raise TranslateKitError(f"{model_path}: not a usable SentencePiece model ({exc})") from None

    def signature(self) -> str:
        return self._signature

    def __call__(self, line: str) -> str:
        return " ".join(self._processor.EncodeAsPieces(line))


def _spm_models() -> dict:
    from sacrebleu.tokenizers.tokenizer_spm import SPM_MODELS

    return SPM_MODELS


def _cached_spm_path(tokenize: str) -> Path:
    """Where sacrebleu looks for (and would download) the model of an SPM tokeniser."""
    from sacrebleu import utils

    url = _spm_models()[tokenize]["url"]
    return Path(utils.SACREBLEU_DIR) / "models" / os.path.basename(url)


def _bleu(options: MetricOptions, tokenize: str | None, effective_order: bool) -> BLEU:
    spm_names = _spm_models()
    if tokenize not in spm_names:
        if options.spm_model:
            raise TranslateKitError(
                f"--spm-model is only used by the SPM tokenisers ({', '.join(spm_names)}), not {tokenize!r}"
            )
        return BLEU(tokenize=tokenize, lowercase=options.lowercase, effective_order=effective_order)
    if options.spm_model:
        if not Path(options.spm_model).is_file():
            raise TranslateKitError(f"{options.spm_model}: SentencePiece model not found")
        bleu = BLEU(tokenize="none", lowercase=options.lowercase, effective_order=effective_order)
        bleu.tokenizer = LocalSPMTokenizer(options.spm_model, spm_names[tokenize]["signature"])
        bleu.tokenizer_signature = bleu.tokenizer.signature()
        return bleu
    cached = _cached_spm_path(tokenize)
    if not cached.is_file():
        raise TranslateKitError(
            f"the {tokenize} tokeniser needs its SentencePiece model, which sacrebleu downloads at first use "
            f"from {spm_names[tokenize]['url']}; offline, fetch it elsewhere and pass --spm-model PATH "
            f"(or place it at {cached})"
        )
    return BLEU(tokenize=tokenize, lowercase=options.lowercase, effective_order=effective_order)


def build_metric(
    name: str, options: MetricOptions, *, tokenize: str | None = None, sentence_level: bool = False
) -> Metric:
    """One sacrebleu metric object; `tokenize` (BLEU only) overrides options.tokenize.

    Sentence-level BLEU uses effective order, as sacrebleu's own sentence mode does.
    """
    if name == "bleu":
        return _bleu(options, tokenize or options.tokenize, effective_order=sentence_level)
    if name in ("chrf", "chrf++"):
        return CHRF(word_order=2 if name == "chrf++" else 0, lowercase=options.lowercase)
    if name == "ter":
        return TER()
    raise TranslateKitError(f"{name!r} is not a sacrebleu metric: use one of {', '.join(SACREBLEU_METRICS)}")


def cache_references(metric: Metric, references: Sequence[Sequence[str]]) -> None:
    """Pre-compute the reference statistics, as sacrebleu does when given references at construction.

    Done after construction so that a tokeniser swapped in (local SPM model) is the one used; the
    paired tests read references from this cache.
    """
    metric._ref_cache = metric._cache_references(references)


@contextlib.contextmanager
def sacrebleu_seed(seed: int | None) -> Iterator[None]:
    """Run sacrebleu's resampling with `seed` (None: unseeded), restoring SACREBLEU_SEED afterwards.

    sacrebleu reads its seed only from the SACREBLEU_SEED environment variable, so the library
    sets it for the duration of one call rather than re-implementing the resampling.
    """
    previous = os.environ.get("SACREBLEU_SEED")
    os.environ["SACREBLEU_SEED"] = "none" if seed is None else str(int(seed))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SACREBLEU_SEED", None)
        else:
            os.environ["SACREBLEU_SEED"] = previous
