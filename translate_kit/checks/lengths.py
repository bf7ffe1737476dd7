"""How long a translation should be: the length ratio of clean pairs, learned per direction.

The log ratio r = log(English length / Hindi length) of a clean pair is close to normal with a
mean that depends on the direction of translation (English translated into Hindi comes out longer
in Hindi than Hindi news translated into English) and a spread that shrinks with length, as in
Gale and Church: sd(n)^2 = floor^2 + spread / n, n the mean length of the two sides. A pair is
judged by the direction that explains it best (the smaller |z|), since a crawl does not say
which side was the original.

The constants below were fitted by `fit_length_model` on the tune half (first half of each file)
of /work/shared/data/hi-en: newsdev2014 (260 pairs of Hindi news with English translations, the
`hi-en` direction) and TICO-19 test (1,050 pairs translated from English, `en-hi`); run
`python eval/clean_corpus.py --fit-lengths` to refit them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..script import normalize
from .signals import words


@dataclass(frozen=True)
class LengthModel:
    """Mean and spread of log(English / Hindi) length for one direction and unit (chars or words)."""

    mean: float
    floor: float  # sd of long pairs
    spread: float  # extra variance of short pairs, divided by length

    def z(self, hi_length: int, en_length: int) -> float:
        """Standard deviations between the pair's log ratio and the mean (lengths floored at 1)."""
        hi_length, en_length = max(hi_length, 1), max(en_length, 1)
        n = (hi_length + en_length) / 2
        sd = math.sqrt(self.floor**2 + self.spread / n)
        return (math.log(en_length / hi_length) - self.mean) / sd


#: Fitted on the tune halves (see the module docstring): {direction: {unit: model}}.
LENGTH_MODELS: dict[str, dict[str, LengthModel]] = {
    "hi-en": {
        "chars": LengthModel(mean=0.1409, floor=0.1081, spread=1.7293),
        "words": LengthModel(mean=0.0000, floor=0.1129, spread=0.3707),
    },
    "en-hi": {
        "chars": LengthModel(mean=0.0317, floor=0.0680, spread=1.0786),
        "words": LengthModel(mean=-0.1398, floor=0.0608, spread=0.3487),
    },
}


def lengths(hi: str, en: str) -> dict[str, tuple[int, int]]:
    """(Hindi, English) lengths in characters (NFC, spaces collapsed) and in words."""
    hi, en = " ".join(normalize(hi).split()), " ".join(normalize(en).split())
    return {"chars": (len(hi), len(en)), "words": (len(words(hi)), len(words(en)))}


def length_z(
    chars: tuple[int, int], words: tuple[int, int], models: dict[str, dict[str, LengthModel]] = LENGTH_MODELS
) -> float:
    """The pair's length deviation from its (Hindi, English) lengths in characters and words: per
    direction the larger |z| of the two units, then the direction that fits best; signed
    (negative: English too short for the Hindi)."""
    sizes = {"chars": chars, "words": words}
    best = math.inf
    for by_unit in models.values():
        worst = max((by_unit[unit].z(*sizes[unit]) for unit in by_unit), key=abs)
        best = worst if abs(worst) < abs(best) else best
    return best


def fit_length_model(pairs: Iterable[tuple[str, str]], unit: str) -> LengthModel:
    """Median log ratio as the mean; floor and spread by least squares of the squared residuals
    on 1/n (robust: residuals beyond 4 robust sds are dropped first)."""
    ratios, sizes = [], []
    for hi, en in pairs:
        h, e = lengths(hi, en)[unit]
        if h and e:
            ratios.append(math.log(e / h))
            sizes.append((h + e) / 2)
    mean = _median(ratios)
    mad = 1.4826 * _median([abs(r - mean) for r in ratios])
    kept = [(r, n) for r, n in zip(ratios, sizes, strict=True) if abs(r - mean) <= 4 * mad]
    xs = [1 / n for _, n in kept]
    ys = [(r - mean) ** 2 for r, _ in kept]
    x_bar, y_bar = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - x_bar) * (y - y_bar) for x, y in zip(xs, ys, strict=True)) / max(
        sum((x - x_bar) ** 2 for x in xs), 1e-12
    )
    slope = max(slope, 0.0)
    floor = math.sqrt(max(y_bar - slope * x_bar, 1e-4))
    return LengthModel(round(mean, 4), round(floor, 4), round(slope, 4))


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
