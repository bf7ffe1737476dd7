"""Language-independent evidence that two sentences are translations: anchors, lexicon, MT.

Each source turns a side's sentences into bags of features in one shared namespace, so that a
Hindi sentence and its English translation share features: numbers (`n:`), month names (`m:`),
URLs and e-mails (`u:`), English word stems (`w:`, from Latin tokens inside Hindi, from the
lexicon, or from a machine translation), consonant skeletons of names after transliteration
(`t:`), and character trigrams of a machine translation (`c:`, a chrF-like signal).
Sources are pluggable: anything with `name`, `hindi(sentences)` and `english(sentences)` works.
"""

from __future__ import annotations

import functools
import gzip
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

from indic_transliteration import sanscript

from ..engine import FAST, Translator
from ..errors import InputError
from ..languages import ENGLISH, HINDI
from ..textio import read_lines

Bag = Counter

FREEDICT_ENG_HIN = Path("/usr/share/dictd/freedict-eng-hin.dict.dz")

#: Devanagari digits to ASCII, zero-width characters (ZWJ, ZWNJ, ...) removed.
_CLEAN = str.maketrans("०१२३४५६७८९", "0123456789", "\u200b\u200c\u200d\u2060\ufeff")
_URL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[,.]\d+)*")
_LATIN = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_DEVANAGARI_WORD = re.compile(r"[\u0900-\u0963\u0971-\u097f]+")
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
_HINDI_STOP = frozenset(
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


@functools.lru_cache(maxsize=65_536)
def normalize(text: str) -> str:
    """NFC, invisible joiners removed, Devanagari digits as ASCII: what every scorer compares."""
    return unicodedata.normalize("NFC", text).translate(_CLEAN)


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
        bag.update("w:" + english_stem(w) for w in _LATIN.findall(text))
        for word in _DEVANAGARI_WORD.findall(text):
            if word in self._months:
                bag[f"m:{self._months[word]}"] += 1
            elif self.names and word not in _HINDI_STOP:
                skeleton = skeleton_hindi(word)
                if len(skeleton) >= 3:
                    bag["t:" + skeleton] += 1
        return bag

    def _english_one(self, text: str) -> Bag:
        bag = Counter(_common(text))
        text = _URL.sub(" ", text)
        for word in _LATIN.findall(text):
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


class LexiconSource:
    """A Hindi->English word lexicon: Hindi words vote for the English stems they translate to."""

    name = "lexicon"

    def __init__(self, entries: dict[str, frozenset[str]], origin: str):
        self.entries = entries
        self.origin = origin

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]], origin: str, max_senses: int = 8) -> LexiconSource:
        """Build from (Hindi, English) word pairs; Hindi keys with too many senses are dropped."""
        table: dict[str, set[str]] = {}
        for hindi, english in pairs:
            english = english.strip().lower()
            if not english or " " in english or not english.isalpha():
                continue
            for word in re.split(r"[\s~]+", normalize(hindi)):
                word = re.sub(r"[^\u0900-\u097f]", "", word)
                if len(word) < 2 or word in _HINDI_STOP:
                    continue
                table.setdefault(hindi_key(word), set()).add(english_stem(english))
        entries = {k: frozenset(v) for k, v in table.items() if len(v) <= max_senses}
        return cls(entries, origin)

    @classmethod
    def from_tsv(cls, path: str | Path) -> LexiconSource:
        """A user lexicon: one `Hindi<TAB>English` pair a line; `#` lines are comments."""
        pairs = []
        for number, line in enumerate(read_lines(path), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
                raise InputError("expected 'Hindi<TAB>English'", str(path), number)
            pairs.append((parts[0], parts[1]))
        if not pairs:
            raise InputError("the lexicon has no entries", str(path))
        return cls.from_pairs(pairs, origin=str(path))

    @classmethod
    def from_freedict(cls, path: Path = FREEDICT_ENG_HIN) -> LexiconSource:
        """Invert Debian's dict-freedict-eng-hin where it is installed (GPL: read in place, never copied)."""
        return cls.from_pairs(_freedict_pairs(path), origin=str(path))

    def hindi(self, sentences: Sequence[str]) -> list[Bag]:
        bags = []
        for sentence in sentences:
            bag: Bag = Counter()
            for word in _DEVANAGARI_WORD.findall(normalize(sentence)):
                senses = self.entries.get(hindi_key(word))
                for sense in senses or ():
                    # A word's vote is shared among its senses, so ambiguous words weigh no more.
                    bag["w:" + sense] += 1.0 / len(senses)
            bags.append(bag)
        return bags

    def english(self, sentences: Sequence[str]) -> list[Bag]:
        return [Counter("w:" + english_stem(w) for w in _LATIN.findall(normalize(s))) for s in sentences]


def _freedict_pairs(path: Path) -> Iterable[tuple[str, str]]:
    """(Hindi, English headword) from the dictd source: a headword line, then numbered senses."""
    headword = None
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            if not line[0].isspace() and not line[0].isdigit():
                headword = line.split(" /", 1)[0].split(" <", 1)[0].strip()
                continue
            sense = re.match(r"\s*\d+\.\s+(.+)", line)
            if headword and sense:
                text = re.sub(r"\{[^}]*\}|\([^)]*\)", " ", sense.group(1))
                for hindi in re.split(r"[,;/]", text):
                    yield hindi, headword


def freedict_available(path: Path = FREEDICT_ENG_HIN) -> bool:
    return path.is_file()


class MTSource:
    """Machine translation of the Hindi side: its English word stems and character trigrams.

    Trigram overlap of translation and reference is what chrF measures; as bag features it
    enters the same cosine as the other evidence and is computed in bulk for the whole band.
    Greedy decoding (the engine's FAST preset) is enough for evidence and five times cheaper.
    """

    name = "mt"

    def __init__(self, translator: Translator, batch_size: int = 64):
        self.translator = translator
        self.batch_size = batch_size

    def hindi(self, sentences: Sequence[str]) -> list[Bag]:
        texts: list[str] = []
        for start in range(0, len(sentences), self.batch_size):
            batch = [normalize(s) for s in sentences[start : start + self.batch_size]]
            texts.extend(t.text for t in self.translator.translate(batch, FAST))
        return [_mt_bag(t) for t in texts]

    def english(self, sentences: Sequence[str]) -> list[Bag]:
        return [_mt_bag(normalize(s)) for s in sentences]


def _mt_bag(text: str) -> Bag:
    words = [w.lower() for w in _LATIN.findall(text)]
    bag = Counter("w:" + english_stem(w) for w in words)
    for word in words:
        padded = f" {word} "
        bag.update("c:" + padded[k : k + 3] for k in range(len(padded) - 2))
    return bag


def make_sources(
    lexicon: str | Path | None = None, freedict: bool = True, model: str | None = None, device: str = "cpu"
) -> list[FeatureSource]:
    """Anchors always; a user lexicon and/or the installed freedict lexicon; MT when a model is named."""
    sources: list[FeatureSource] = [AnchorSource()]
    if lexicon is not None:
        sources.append(LexiconSource.from_tsv(lexicon))
    if freedict and freedict_available():
        sources.append(LexiconSource.from_freedict())
    if model is not None:
        sources.append(MTSource(Translator.load(model, src=HINDI, tgt=ENGLISH, device=device)))
    return sources
