"""Language codes (FLORES-200 style, as IndicTrans2 uses them) and script detection."""

from __future__ import annotations

import unicodedata

HINDI = "hin_Deva"
ENGLISH = "eng_Latn"
SUPPORTED = (HINDI, ENGLISH)

_ALIASES = {
    "hi": HINDI, "hin": HINDI, "hindi": HINDI, HINDI.lower(): HINDI,
    "en": ENGLISH, "eng": ENGLISH, "english": ENGLISH, ENGLISH.lower(): ENGLISH,
}


def normalize_lang(code: str) -> str:
    """Map 'hi', 'hin_Deva', 'Hindi', ... to the canonical code; reject anything else."""
    canonical = _ALIASES.get(code.strip().lower())
    if canonical is None:
        raise ValueError(f"unsupported language {code!r}: use one of {', '.join(SUPPORTED)} (or hi, en)")
    return canonical


def other(lang: str) -> str:
    """The other side of the Hindi-English pair."""
    return ENGLISH if normalize_lang(lang) == HINDI else HINDI


def is_devanagari(char: str) -> bool:
    return "\u0900" <= char <= "\u097f" or "\ua8e0" <= char <= "\ua8ff"


def devanagari_share(text: str) -> float:
    """Share of letters that are Devanagari (0.0 when the text has no letters)."""
    letters = [c for c in text if unicodedata.category(c)[0] in ("L", "M")]
    if not letters:
        return 0.0
    return sum(is_devanagari(c) for c in letters) / len(letters)


def detect_lang(text: str, default: str = HINDI) -> str:
    """Hindi when at least 30% of the letters are Devanagari, English when there are letters but fewer.

    News Hindi often carries Latin names and acronyms, so a plain majority vote would misfire
    on short headlines; 30% is safely above what English text with a quoted Hindi word reaches.
    """
    letters = [c for c in text if unicodedata.category(c)[0] in ("L", "M")]
    if not letters:
        return default
    return HINDI if devanagari_share(text) >= 0.3 else ENGLISH


def needs_translation(sentence: str, src: str, tgt: str) -> bool:
    """False for text with no letters (numbers, symbols) or already in the target language.

    A Latin-only line inside Hindi text (a quote, a name, a URL) is already English: sending it
    through a Hindi->English model can only damage it, so it is copied unchanged.
    """
    if not any(ch.isalpha() for ch in sentence):
        return False
    return detect_lang(sentence, default=src) != tgt
