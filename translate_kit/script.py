"""Script-level character mappings shared by translation and alignment.

IndicTrans2 was trained with Indic digits mapped to ASCII, and the aligner and the pair judge
(translate_kit.checks) compare numbers across the two sides the same way: one table serves all,
so they never disagree on what counts as the same number. `normalize` is what every comparison
of the two sides starts from.
"""

from __future__ import annotations

import functools
import unicodedata

# Zero of each decimal-digit block whose digits IndicTrans2 maps to ASCII (Devanagari first).
_DIGIT_ZEROS = (0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0C66, 0x0CE6, 0x06F0, 0xABF0, 0x1C50, 0x0660)

#: `str.translate` table: every Indic digit to its ASCII digit.
ASCII_DIGITS: dict[int, str] = {zero + k: str(k) for zero in _DIGIT_ZEROS for k in range(10)}


def ascii_digits(text: str) -> str:
    """Devanagari (and other Indic) digits to ASCII: ०१२ -> 012."""
    return text.translate(ASCII_DIGITS)


#: Indic digits to ASCII, zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM) removed.
_CLEAN = {**ASCII_DIGITS, **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))}


@functools.lru_cache(maxsize=65_536)
def normalize(text: str) -> str:
    """NFC, invisible joiners removed, Indic digits as ASCII: what every scorer and check compares."""
    return unicodedata.normalize("NFC", text).translate(_CLEAN)
