"""Named ways to prepare text before scoring, so that formatting noise is not counted as error.

Devanagari text differs in ways that cost BLEU points without changing a word: precomposed versus
combining nukta, `|` versus `।`, zero-width joiners. A preset fixes the preparation of hypotheses and
references alike and names itself in the signature, so two numbers are only compared when they
were made the same way:

- ``none``: the text as given; scores equal the ``sacrebleu`` command line.
- ``nfc``: Unicode NFC only, then sacrebleu's defaults. NFC gives each nukta letter one form (base letter
  + combining nukta: the precomposed letters are composition exclusions).
- ``indictrans2``: IndicTrans2's recipe. Hindi targets are normalised with IndicNLP's Devanagari
  normaliser and split with its trivial tokeniser, then scored with ``--tokenize none``; English
  targets are scored with plain sacrebleu (13a), exactly as its ``compute_metrics.sh`` does.
"""

from __future__ import annotations

import importlib.metadata
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from ..errors import TranslateKitError
from ..languages import HINDI


@dataclass(frozen=True)
class Preparation:
    """What a preset does for one target language: a line transform and the BLEU tokeniser it implies."""

    transform: Callable[[str], str] | None
    normalisation: str
    bleu_tokenize: str | None = None

    def apply(self, lines: Sequence[str]) -> list[str]:
        if self.transform is None:
            return list(lines)
        return [self.transform(line) for line in lines]


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    hindi: Preparation
    english: Preparation

    def for_lang(self, lang: str) -> Preparation:
        return self.hindi if lang == HINDI else self.english


def _nfc(line: str) -> str:
    return unicodedata.normalize("NFC", line)


@cache
def _indicnlp_normaliser():
    from indicnlp.normalize.indic_normalize import IndicNormalizerFactory

    return IndicNormalizerFactory().get_normalizer("hi")


def _indicnlp_tokenise(line: str) -> str:
    """IndicNLP normalisation then trivial tokenisation, tokens joined by single spaces."""
    from indicnlp.tokenize.indic_tokenize import trivial_tokenize

    return " ".join(trivial_tokenize(_indicnlp_normaliser().normalize(line.strip()), "hi"))


def _indicnlp_version() -> str:
    try:
        return importlib.metadata.version("indic-nlp-library")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


_AS_IS = Preparation(None, "none")
_NFC = Preparation(_nfc, "nfc")

PRESETS: dict[str, Preset] = {
    "none": Preset("none", "text as given (equal to the sacrebleu command line)", _AS_IS, _AS_IS),
    "nfc": Preset("nfc", "Unicode NFC, then sacrebleu defaults", _NFC, _NFC),
    "indictrans2": Preset(
        "indictrans2",
        "IndicTrans2 recipe: Hindi IndicNLP-normalised and tokenised, then --tokenize none; English 13a",
        Preparation(_indicnlp_tokenise, f"indicnlp-{_indicnlp_version()}+trivial", bleu_tokenize="none"),
        _AS_IS,
    ),
}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise TranslateKitError(f"unknown preset {name!r}: use one of {', '.join(PRESETS)}") from None
