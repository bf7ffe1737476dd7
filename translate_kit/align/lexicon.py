"""Bilingual word lexicons as alignment evidence: a user's TSV, Debian's FreeDict, or one learned.

A lexicon maps light Hindi stems (`features.hindi_key`) to the English stems they translate to;
Hindi words then vote for those stems in the shared feature space (`w:`). FreeDict is an
English-to-Hindi dictionary, so it is inverted once and the inverted table is cached on disk
under the translate-kit home (keyed by the dictionary's bytes, so an updated package is re-read)
and in memory for the rest of the process. `learn_lexicon` builds a lexicon from the
confident beads of a first alignment, as hunalign's realign pass does with its dictionary.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import InputError
from ..textio import atomic_write, read_lines
from .features import DEVANAGARI_WORD, HINDI_STOP, LATIN_WORD, Bag, english_stem, hindi_key, normalize

FREEDICT_ENG_HIN = Path("/usr/share/dictd/freedict-eng-hin.dict.dz")
#: Bumped when the inverted table's shape or the inversion rules change (invalidates caches).
CACHE_VERSION = 1
#: Common English words a learned lexicon must not pair (they co-occur with everything).
ENGLISH_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "as",
        "not",
        "no",
        "he",
        "she",
        "they",
        "we",
        "you",
        "i",
        "his",
        "her",
        "their",
        "our",
        "said",
        "will",
        "would",
        "also",
        "which",
        "who",
        "than",
        "then",
        "there",
    ]
)


class LexiconSource:
    """A Hindi->English word lexicon: Hindi words vote for the English stems they translate to."""

    name = "lexicon"

    def __init__(self, entries: dict[str, frozenset[str]], origin: str, name: str = "lexicon"):
        self.entries = entries
        self.origin = origin
        self.name = name

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
                if len(word) < 2 or word in HINDI_STOP:
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
            for word in DEVANAGARI_WORD.findall(normalize(sentence)):
                senses = self.entries.get(hindi_key(word))
                for sense in senses or ():
                    # A word's vote is shared among its senses, so ambiguous words weigh no more.
                    bag["w:" + sense] += 1.0 / len(senses)
            bags.append(bag)
        return bags

    def english(self, sentences: Sequence[str]) -> list[Bag]:
        return [english_bag(s) for s in sentences]


def english_bag(sentence: str) -> Bag:
    """English word stems of a sentence, as lexicon evidence sees them."""
    return Counter("w:" + english_stem(w) for w in LATIN_WORD.findall(normalize(sentence)))


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


def lexicon_cache_dir() -> Path:
    """Where inverted dictionaries are kept between runs (under the translate-kit home)."""
    from ..paths import cache_home

    return cache_home() / "align"


@functools.lru_cache(maxsize=4)
def load_freedict(path: Path = FREEDICT_ENG_HIN) -> LexiconSource:
    """FreeDict inverted, read once per process and from the disk cache when the file is unchanged.

    The cache file is named by the sha256 of the dictionary's bytes (and CACHE_VERSION), so a
    new package version is inverted afresh; a cache that cannot be read or written is ignored.
    """
    data = Path(path).read_bytes()
    digest = hashlib.sha256(data + f"v{CACHE_VERSION}".encode()).hexdigest()[:24]
    cache = lexicon_cache_dir() / f"freedict-eng-hin-{digest}.json"
    try:
        table = json.loads(cache.read_text(encoding="utf-8"))
        return LexiconSource({k: frozenset(v) for k, v in table.items()}, str(path))
    except (OSError, ValueError):
        pass
    lexicon = LexiconSource.from_freedict(path)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(cache) as handle:
            json.dump({k: sorted(v) for k, v in lexicon.entries.items()}, handle, ensure_ascii=False)
    except OSError:
        pass  # a read-only home only costs the inversion next time
    return lexicon


def learn_lexicon(
    pairs: Iterable[tuple[str, str]], min_count: int = 2, min_dice: float = 0.5, max_senses: int = 2
) -> LexiconSource:
    """Word translations learned from sentence pairs believed parallel, by the Dice coefficient.

    For every Hindi stem h and English stem e seen together in `min_count` pairs or more,
    Dice = 2 c(h, e) / (c(h) + c(e)); each Hindi stem keeps its best `max_senses` English stems
    scoring at least `min_dice`. Names and numbers are already anchors; this finds the common
    words FreeDict lacks or words the documents themselves use (hunalign's bootstrapped dictionary).
    """
    hindi_counts: Counter = Counter()
    english_counts: Counter = Counter()
    joint: Counter = Counter()
    for hindi, english in pairs:
        h_words = {hindi_key(w) for w in DEVANAGARI_WORD.findall(normalize(hindi)) if w not in HINDI_STOP}
        e_words = {
            english_stem(w) for w in LATIN_WORD.findall(normalize(english)) if w.lower() not in ENGLISH_STOP
        }
        h_words.discard("")
        hindi_counts.update(h_words)
        english_counts.update(e_words)
        joint.update((h, e) for h in h_words for e in e_words)
    best: dict[str, list[tuple[float, str]]] = {}
    for (h, e), count in joint.items():
        if count < min_count:
            continue
        dice = 2.0 * count / (hindi_counts[h] + english_counts[e])
        if dice >= min_dice:
            best.setdefault(h, []).append((dice, e))
    entries = {
        h: frozenset(e for _, e in sorted(found, reverse=True)[:max_senses]) for h, found in best.items()
    }
    return LexiconSource(entries, "learned from the aligned documents", name="learned")
