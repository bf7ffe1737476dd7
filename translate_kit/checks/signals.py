"""What one side of a pair shows on its own: scripts, numbers, links, punctuation, noise.

Every function here reads one string and needs no model. Text is compared after `normalize`
(NFC, joiners removed, Indic digits as ASCII) so that `१२.५%` and `12.5%`, or a precomposed and a
combining nukta, are the same thing. Letters are matched with the `regex` module's `\\p{L}\\p{M}`:
Python's `re` counts Devanagari vowel signs (categories Mn/Mc) as non-word characters, so
`[^\\w\\s]` would turn `सरकार ने सोमवार` into `सरकर न समवर` and merge different sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex

from ..script import normalize

#: str.translate tables deleting Devanagari, or Latin letters (counting by C loops, not Python ones).
_NOT_DEVANAGARI = dict.fromkeys(range(0x0900, 0x0980))
_NOT_LATIN = dict.fromkeys([*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250)])
_NOT_LETTERS = dict.fromkeys(map(ord, "0123456789'’-"))
_WORD = regex.compile(r"[\p{L}\p{M}\p{Nd}]+(?:['’-][\p{L}\p{M}\p{Nd}]+)*")
URL_OR_EMAIL = regex.compile(r"(?:https?://|www\.)[^\s<>\"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", regex.IGNORECASE)
#: A number as written in either language: 1,00,000 (lakh grouping), 100,000, 12.5, 2023.
_NUMBER = regex.compile(r"(?<!\d)(?<!\d[.,])\d+(?:,\d+)*(?:\.\d+)?")
_MULTIPLIERS = {
    "hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "lakh": 1e5, "lakhs": 1e5,
    "crore": 1e7, "crores": 1e7, "सौ": 1e2, "हजार": 1e3, "हज़ार": 1e3, "लाख": 1e5, "करोड़": 1e7,
    "करोड": 1e7, "अरब": 1e9, "मिलियन": 1e6, "बिलियन": 1e9,
}
_UNITS = "|".join(sorted(_MULTIPLIERS, key=len, reverse=True))
_UNIT_AFTER = regex.compile(r"\s*(" + _UNITS + r")(?![\p{L}\p{M}])", regex.IGNORECASE)
#: Numbers often written as words on one side and digits on the other.
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100,
    "thousand": 1000, "million": 1e6, "billion": 1e9, "first": 1, "second": 2, "third": 3, "half": 0.5,
    "एक": 1, "दो": 2, "तीन": 3, "चार": 4, "पांच": 5, "पाँच": 5, "छह": 6, "छः": 6, "सात": 7, "आठ": 8,
    "नौ": 9, "दस": 10, "ग्यारह": 11, "बारह": 12, "बीस": 20, "तीस": 30, "पचास": 50, "सौ": 100,
    "हजार": 1000, "हज़ार": 1000, "पहला": 1, "पहली": 1, "पहले": 1, "दूसरा": 2, "दूसरी": 2, "दूसरे": 2,
    "तीसरा": 3, "तीसरी": 3, "आधा": 0.5, "आधी": 0.5, "दर्जन": 12, "dozen": 12, "once": 1, "twice": 2,
    "single": 1, "both": 2, "दोनों": 2, "लाख": 1e5, "करोड़": 1e7, "crore": 1e7, "lakh": 1e5,
}
#: Sentence ends: the danda and double danda count as full stops (and `|`, typed for a danda).
FULL_STOPS = frozenset(".।॥|")
#: A sentence end inside a text: a full stop, danda, question or exclamation mark, then more text.
#: In Hindi a `.` ends a sentence only between Devanagari words ("Zhou et al. का" goes on).
_INNER_END = regex.compile(
    r"(?:[।॥|?!]|(?<=\p{Devanagari})\.|(?<=[\p{Ll})\d])\.(?=\s+[\p{Lu}\d\"“‘(]))(?=\s+[\p{Lu}\p{Devanagari}\d\"“‘(])"
)
_TERMINAL = regex.compile(r"([.।॥|?!:;…]+)[\"'”’»)\]\s]*$")
_HTML = regex.compile(
    r"</?(?:a|p|div|span|br|b|i|u|em|strong|img|li|ul|ol|td|tr|table|h[1-6]|font|script|style|iframe)\b[^>]*>"
    r"|\{\{|\}\}|\[\[|\]\]",
    regex.IGNORECASE,
)
_ENTITY = regex.compile(r"&(?:amp|nbsp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);", regex.IGNORECASE)
_BOILERPLATE = regex.compile(
    r"©|\bcopyright\b|all rights reserved|\bcookies?\b|privacy policy|terms of (?:use|service)"
    r"|\bclick here\b|\bread more\b|\bsubscribe\b|\bsign (?:in|up)\b|\blog ?in\b|share (?:on|this)\b"
    r"|\bnewsletter\b|skip to (?:main )?content|\bfollow us\b|\bjavascript\b|back to top"
    r"|सर्वाधिकार सुरक्षित|कॉपीराइट|कुकी|कुकीज़|गोपनीयता नीति|यह भी पढ़ें|यहां क्लिक करें|यहाँ क्लिक करें"
    r"|और पढ़ें|सब्सक्राइब|लॉग ?इन|हमें फॉलो करें|शेयर करें",
    regex.IGNORECASE,
)
_BOILERPLATE_WORDS = frozenset(
    ["copyright", "rights", "cookie", "cookies", "privacy", "terms", "click", "read", "subscribe", "sign",
     "log", "login", "share", "newsletter", "skip", "follow", "javascript", "back", "सर्वाधिकार", "कॉपीराइट",
     "कुकी", "कुकीज़", "गोपनीयता", "पढ़ें", "क्लिक", "सब्सक्राइब", "लॉग", "लॉगइन", "फॉलो", "शेयर"]
)
#: Menus and breadcrumbs: short items joined by these.
_SEPARATORS = regex.compile(r"\s(?:[|»›>/•·]|::|-{2,})\s|\s[»›]|[»›]\s")
#: UTF-8 read as Latin-1 or Windows-1252 (Devanagari comes out as "à¤…"), replacement and control characters.
_MOJIBAKE = regex.compile(r"[ÃÂ][\x80-\xbf\u0152-\u0178\u2018-\u203a]|à¤|à¥|â€|Ã©|Ã¨|ï»¿|\ufffd")
_CONTROL = regex.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e]")


def has_url(text: str) -> bool:
    """A cheap test before the URL pattern (which is slow to try at every position)."""
    return "@" in text or "://" in text or "www." in text


def without_urls(text: str) -> str:
    return URL_OR_EMAIL.sub(" ", text) if has_url(text) else text


def words(text: str) -> list[str]:
    """Words of letters, marks and digits (vowel signs stay inside their words)."""
    return _WORD.findall(text)


def numbers(text: str) -> list[frozenset[float]]:
    """Each number of normalised, URL-free `text` as the values it may stand for: `5 लाख` is 5 or
    500000, `1,00,000` is 100000, `१२.५` (normalised: 12.5) is 12.5."""
    found = []
    for match in _NUMBER.finditer(text):
        value = float(match.group().replace(",", ""))
        values = {value}
        unit = _UNIT_AFTER.match(text, match.end())
        if unit:
            values.add(value * _MULTIPLIERS[unit.group(1).lower()])
        found.append(frozenset(values))
    return found


def unmatched_numbers(mine: Side, theirs: Side) -> list[float]:
    """The numbers of one side that the other side has neither in digits nor in words, counted as
    a multiset: a number written twice on one side and once on the other is missing once."""
    pool = list(theirs.numbers)
    missing = []
    for values in mine.numbers:
        match = next((i for i, other in enumerate(pool) if values & other), None)
        if match is not None:
            pool.pop(match)
        elif not values & theirs.number_words:
            missing.append(min(values))
    return missing


def terminal(text: str) -> str:
    """How a sentence ends: "." (full stop or danda), "?", "!", ":" or "" (no terminal punctuation)."""
    match = _TERMINAL.search(text.rstrip())
    if not match:
        return ""
    mark = match.group(1)[-1]
    if mark in FULL_STOPS or mark == "…":
        return "."
    return ":" if mark in ":;" else mark


def repetition(tokens: Sequence[str]) -> tuple[int, int]:
    """(copies, size): the most back-to-back copies of a phrase of 1-4 tokens, and that phrase's
    length in tokens ((1, 1) without repetition; ties go to the longer phrase).

    A phrase of n tokens repeated k times makes n(k-1) consecutive positions i where
    tokens[i] == tokens[i + n]; one pass per n finds the longest such stretch.
    """
    best = (1, 1)
    for size in range(1, 5):
        stretch = 0
        for i in range(len(tokens) - size):
            stretch = stretch + 1 if tokens[i] == tokens[i + size] else 0
            if stretch >= size:
                best = max(best, (1 + stretch // size, size))
    return best


def has_html(text: str) -> bool:
    """Tags or wiki markup left over from the page the text was cut from."""
    return "<" in text and bool(_HTML.search(text)) or ("{{" in text or "[[" in text or "]]" in text)


def entities(text: str) -> int:
    """HTML entities (&amp;, &#8220;): leftovers when one side has them, an escaped corpus when both do."""
    return len(_ENTITY.findall(text)) if "&" in text else 0


def is_boilerplate(text: str, tokens: Sequence[str]) -> bool:
    """Cookie, copyright, share and login lines; menus and breadcrumbs (short items joined by | » >).

    The pattern runs only where one of its words is among `tokens` (the text's lowercased words):
    it is slow to try on every pair.
    """
    if ("©" in text or not _BOILERPLATE_WORDS.isdisjoint(tokens)) and _BOILERPLATE.search(text):
        return True
    return len(_SEPARATORS.findall(text)) >= 2 and not _TERMINAL.search(text.rstrip())


def encoding_noise(text: str) -> bool:
    """Mojibake, U+FFFD replacement characters or control characters (tabs allowed)."""
    return bool(_MOJIBAKE.search(text) or _CONTROL.search(text))


@dataclass(frozen=True)
class Side:
    """What the checks read from one side, computed once: `Side.of(text)`."""

    text: str  # normalised (NFC, joiners removed, ASCII digits), spaces collapsed
    plain: str  # the same without URLs and e-mail addresses
    tokens: tuple[str, ...]  # lowercased words
    letters: int
    devanagari: float  # share of letters
    latin: float
    numbers: tuple[frozenset[float], ...]
    number_words: frozenset[float]
    urls: frozenset[str]
    ending: str  # terminal()
    sentences: int  # sentence ends inside the text, plus one

    @classmethod
    def of(cls, text: str) -> Side:
        text = " ".join(normalize(text).split())
        plain = without_urls(text)
        tokens = tuple(w.lower() for w in words(plain))
        letters = "".join(tokens).translate(_NOT_LETTERS)
        count = len(letters)
        deva = count - len(letters.translate(_NOT_DEVANAGARI))
        latin = count - len(letters.translate(_NOT_LATIN))
        found = URL_OR_EMAIL.findall(text) if plain is not text else []
        return cls(
            text, plain, tokens, count, deva / count if count else 0.0, latin / count if count else 0.0,
            tuple(numbers(plain)), frozenset(NUMBER_WORDS[w] for w in tokens if w in NUMBER_WORDS),
            frozenset(u.lower().rstrip(".,;:)।") for u in found), terminal(text),
            1 + len(_INNER_END.findall(plain)),
        )

    @property
    def repetition(self) -> tuple[int, int]:
        return repetition(self.tokens)
