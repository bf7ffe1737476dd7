"""Which language a side is in, beyond its script: Hindi or Marathi/Nepali, English or romanised Hindi.

Script alone cannot tell Hindi from Marathi or Nepali (all Devanagari), nor English from other
Latin-script text. py3langid (its model ships in the wheel) was measured against Lingua on the
Hindi of newsdev2014 and TICO-19 (2,620 sentences; 920 with Latin terms; 1,009 with their digits
written in Devanagari), with the languages limited to hi, mr, ne, en, ur, bn, pa, gu, sa:

| tool | Hindi | Hinglish | Devanagari digits | sentences/s |
|---|---|---|---|---|
| py3langid 0.4, limited set, digits removed | 0.998 | 0.996 | 0.997 | ~10,000 |
| py3langid 0.4, limited set | 0.999 | 0.998 | 0.945 (Nepali) | ~10,000 |
| Lingua 2.1 low-accuracy mode, all languages | 0.917 | 0.904 | 0.924 (Marathi) | ~5,000 |
| Lingua 2.1, the same limited set | 0.940 | 0.932 | 0.947 (Marathi) | ~7,000 |

So py3langid with digits removed is used. It costs ~100 µs a sentence, so a cheap vote comes
first: a side with at least two distinct function words only Hindi (or English) uses is taken as
that language without asking the model.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import regex

from ..languages import ENGLISH, HINDI

#: Languages the model chooses among: the pair's two and the ones crawls confuse them with.
CANDIDATES = ("hi", "mr", "ne", "en", "ur", "bn", "pa", "gu", "sa", "fr", "de", "es", "id", "ms", "tl", "sw")
_CODES = {"hi": HINDI, "en": ENGLISH}
#: Function words of Hindi that Marathi and Nepali do not use as words (Nepali shares को, का, मा).
_HINDI_ONLY = frozenset(
    [
        "है", "हैं", "था", "थी", "थे", "के", "की", "में", "ने", "से", "और", "लिए", "गया", "गई",
        "किया", "कहा", "नहीं", "भी", "इस", "उन्होंने",
    ]
)
_ENGLISH_ONLY = frozenset(
    [
        "the", "of", "and", "to", "in", "is", "was", "are", "for", "that", "with", "on", "by",
        "from", "this", "has", "have", "be", "it", "an",
    ]
)
_NO_DIGITS = regex.compile(r"\p{Nd}+")


@functools.lru_cache(maxsize=1)
def _identifier():
    """py3langid's identifier limited to CANDIDATES (loaded on first use: ~0.3 s)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(CANDIDATES))
    return identifier


def identify(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, probability) from py3langid, digits removed first (they read as Nepali)."""
    code, probability = _identifier().classify(_NO_DIGITS.sub(" ", text))
    return code, float(probability)


def language_of(text: str, tokens: Sequence[str], expected: str) -> str | None:
    """The language of `text` (its lowercased words: `tokens`) when it is clearly not `expected`
    (a FLORES code), else None.

    Short texts (under four words) are given the benefit of the doubt: headings, names and
    numbers are too short for any identifier to be trusted. The model must be sure (0.9) unless
    the text has none of the expected function words: then 0.6 will do (short Marathi and Nepali
    sentences), or any guess for six English words (romanised Hindi gets a low-confidence Tagalog
    or Swahili and is still not English) or ten Hindi ones. On newsdev2014 and TICO-19 no English
    reference and no Hindi one is called another language by these rules.
    """
    cue = _HINDI_ONLY if expected == HINDI else _ENGLISH_ONLY
    found = len(cue.intersection(tokens))
    if len(tokens) < 4 or found >= 2:
        return None
    code, probability = identify(text)
    if _CODES.get(code) == expected:
        return None
    if probability >= 0.9:
        return code
    if found == 0 and (probability >= 0.6 or len(tokens) >= (6 if expected == ENGLISH else 10)):
        return code
    return None
