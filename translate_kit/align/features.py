"""Language-independent evidence that two sentences are translations, and the anchors source.

Each source turns a side's sentences into bags of features in one shared namespace, so that a
Hindi sentence and its English translation share features: numbers (`n:`), month names (`m:`),
URLs and e-mails (`u:`), English word stems (`w:`, from Latin tokens inside Hindi, from a
lexicon, or from a machine translation), consonant skeletons of names after transliteration
(`t:`), and character trigrams of a machine translation (`c:`, a chrF-like signal).
Sources are pluggable: anything with `name`, `hindi(sentences)` and `english(sentences)` works.
The anchors and the word features every source shares live here; lexicons in `lexicon`, machine
translation in `mt` (which alone loads the engine), and `sources.make_sources` picks among them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol

from indic_transliteration import sanscript

from ..script import normalize

Bag = Counter

_URL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[,.]\d+)*")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
DEVANAGARI_WORD = re.compile(r"[\u0900-\u0963\u0971-\u097f]+")
_MONTHS_EN = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTHS_HI = (
    ["जनवरी", "फरवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर"],
    ["जनवरी", "फ़रवरी", "मार्च", "अप्रेल", "मई", "जून", "जुलाई", "अगस्त", "सितम्बर", "अक्तूबर", "नवम्बर", "दिसम्बर"],
)
#: Hindi function words that carry no lexical evidence (and make lexicon entries ambiguous).
HINDI_STOP = frozenset(
    [
        "का",
        "की",
        "के",
        "को",
        "से",
        "में",
        "पर",
        "है",
        "हैं",
        "था",
        "थी",
        "थे",
        "हो",
        "होना",
        "होता",
        "होती",
        "होते",
        "हुआ",
        "हुई",
        "हुए",
        "ने",
        "और",
        "या",
        "भी",
        "तो",
        "ही",
        "एक",
        "यह",
        "वह",
        "इस",
        "उस",
        "ये",
        "वे",
        "कि",
        "करना",
        "करता",
        "करती",
        "करते",
        "किया",
        "किए",
        "की",
        "गई",
        "गया",
        "देना",
        "लेना",
        "जाना",
        "रहा",
        "रही",
        "रहे",
        "वाला",
        "वाली",
        "वाले",
        "अपना",
        "अपनी",
        "अपने",
        "जो",
        "जिस",
        "तक",
        "साथ",
        "लिए",
        "लिये",
        "द्वारा",
        "नहीं",
        "न",
    ]
)
#: Light inflection suffixes, longest first (after Ramanathan & Rao's light Hindi stemmer).
_HINDI_SUFFIXES = sorted(
    [
        "ाएंगे",
        "ाएंगी",
        "ियों",
        "ियां",
        "ाओं",
        "ाएं",
        "ाने",
        "ाना",
        "ाती",
        "ाते",
        "ाया",
        "ायी",
        "ाए",
        "ने",
        "ना",
        "ती",
        "ते",
        "ता",
        "ों",
        "ें",
        "ीं",
        "ां",
        "ो",
        "े",
        "ी",
        "ा",
        "ि",
        "ु",
        "ू",
        "ं",
    ],
    key=len,
    reverse=True,
)


@functools.lru_cache(maxsize=200_000)
def hindi_key(word: str) -> str:
    """Lookup key for a Hindi word: nukta dropped, light suffix stripping (keeps >= 2 letters)."""
    word = unicodedata.normalize("NFD", word).replace("\u093c", "")
    word = unicodedata.normalize("NFC", word)
    for suffix in _HINDI_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)]
    return word


def english_stem(word: str) -> str:
    """A crude stem (lowercase, first five letters): enough to match inflected forms of a lemma."""
    return word.lower()[:5]


@functools.lru_cache(maxsize=200_000)
def skeleton_hindi(word: str) -> str:
    """Consonant skeleton of a Devanagari word after ITRANS transliteration."""
    latin = sanscript.transliterate(word, sanscript.DEVANAGARI, sanscript.ITRANS)
    return _skeleton(latin.replace(".Dh", "r").replace(".D", "r"))


@functools.lru_cache(maxsize=200_000)
def skeleton_latin(word: str) -> str:
    return _skeleton(word)


_SKELETON_MAP = str.maketrans({"c": "k", "q": "k", "w": "v", "z": "j", "x": "k", "f": "p"})


def _skeleton(word: str) -> str:
    """Lowercase consonants with vowels, h, y and non-letters dropped, doubles collapsed.

    Transliterations of names differ mostly in vowels and aspiration (Medpallivaar/मेडपल्लीवार,
    Gavre/गवरे): the consonant frame survives both spellings.
    """
    letters = re.sub(r"[^a-z]", "", word.lower().translate(_SKELETON_MAP))
    letters = re.sub(r"[aeiouhy]", "", letters)
    return re.sub(r"(.)\1+", r"\1", letters)


class FeatureSource(Protocol):
    name: str

    def hindi(self, sentences: Sequence[str]) -> list[Bag]: ...

    def english(self, sentences: Sequence[str]) -> list[Bag]: ...


def _numbers(text: str) -> Iterable[str]:
    for match in _NUMBER.finditer(text):
        value = re.sub(r"[,.]", "", match.group()).lstrip("0") or "0"
        yield "n:" + value


class AnchorSource:
    """Numbers (both digit scripts), dates' month names, URLs, Latin tokens in Hindi, names."""

    name = "anchors"

    def __init__(self, names: bool = True, loanwords: bool = True):
        self.names = names
        self.loanwords = loanwords
        self._months = {w: i for table in _MONTHS_HI for i, w in enumerate(table)}

    def hindi(self, sentences: Sequence[str]) -> list[Bag]:
        return [self._hindi_one(normalize(s)) for s in sentences]

    def english(self, sentences: Sequence[str]) -> list[Bag]:
        return [self._english_one(normalize(s)) for s in sentences]

    def _hindi_one(self, text: str) -> Bag:
        bag = Counter(_common(text))
        text = _URL.sub(" ", text)
        bag.update("w:" + english_stem(w) for w in LATIN_WORD.findall(text))
        for word in DEVANAGARI_WORD.findall(text):
            if word in self._months:
                bag[f"m:{self._months[word]}"] += 1
            elif self.names and word not in HINDI_STOP:
                skeleton = skeleton_hindi(word)
                if len(skeleton) >= 3:
                    bag["t:" + skeleton] += 1
        return bag

    def _english_one(self, text: str) -> Bag:
        bag = Counter(_common(text))
        text = _URL.sub(" ", text)
        for word in LATIN_WORD.findall(text):
            lower = word.lower()
            bag["w:" + english_stem(lower)] += 1
            if lower in _MONTHS_EN:
                bag[f"m:{_MONTHS_EN.index(lower)}"] += 1
            elif self.names and (word[0].isupper() or self.loanwords):
                skeleton = skeleton_latin(word)
                if len(skeleton) >= 3:
                    bag["t:" + skeleton] += 1
        return bag


def _common(text: str) -> Iterable[str]:
    for url in _URL.findall(text):
        yield "u:" + url.lower().rstrip(".,;)")
    yield from _numbers(_URL.sub(" ", text))
