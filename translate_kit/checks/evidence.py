"""Cross-lingual evidence that two sentences say the same thing: the aligner's lexicon and anchors.

Length, script and punctuation cannot see a misaligned pair (two well-formed sentences of the
right languages and lengths that translate different things); words can. The aligner's evidence
(translate_kit.align: FreeDict inverted to Hindi -> English stems, a user's or learned lexicon,
Latin terms inside Hindi, names compared by their consonant skeleton after transliteration) is
read here word by word: `coverage` is the share of content words of both sides that find a
counterpart on the other side. Clean pairs of newsdev2014 and TICO-19 cover about half their
words, shuffled pairs a few percent (eval/clean_corpus.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..align.features import (
    DEVANAGARI_WORD,
    HINDI_STOP,
    LATIN_WORD,
    english_stem,
    hindi_key,
    normalize,
    skeleton_hindi,
    skeleton_latin,
)
from ..align.lexicon import ENGLISH_STOP, LexiconSource, freedict_available, load_freedict


@dataclass(frozen=True)
class Coverage:
    """Content words of each side and how many of them the other side accounts for."""

    hi_words: int
    en_words: int
    hi_covered: int
    en_covered: int

    @property
    def share(self) -> float:
        """Covered share of all content words (1.0 when neither side has any: nothing to judge)."""
        total = self.hi_words + self.en_words
        return (self.hi_covered + self.en_covered) / total if total else 1.0


class Evidence:
    """Word-level evidence from lexicons (Hindi stem -> English stems), Latin terms and names."""

    def __init__(self, lexicons: Sequence[LexiconSource] = ()):
        self.lexicons = list(lexicons)

    @classmethod
    def default(cls) -> Evidence:
        """FreeDict where Debian's dict-freedict-eng-hin is installed; names and terms always."""
        return cls([load_freedict()] if freedict_available() else [])

    @classmethod
    def from_sources(cls, sources: Sequence[object]) -> Evidence:
        """The lexicons among an aligner's feature sources (its anchors are read here anyway)."""
        return cls([s for s in sources if isinstance(s, LexiconSource)])

    @functools.lru_cache(maxsize=200_000)  # noqa: B019 - one Evidence lives for the whole process
    def _hindi_word(self, word: str) -> tuple[frozenset[str], str]:
        senses: set[str] = set()
        key = hindi_key(word)
        for lexicon in self.lexicons:
            senses |= lexicon.entries.get(key, frozenset())
        return frozenset(senses), _fold(skeleton_hindi(word))

    def coverage(self, hi: str, en: str) -> Coverage:
        """How many content words of each side the other side accounts for (URLs removed first)."""
        hi, en = normalize(hi), normalize(en)
        en_words = [w for w in _latin_words(en) if len(w) > 2 and w.lower() not in ENGLISH_STOP]
        en_stems = {english_stem(w) for w in en_words}
        en_skeletons = {_skeleton(w) for w in en_words}
        hi_words = [w for w in DEVANAGARI_WORD.findall(hi) if len(w) > 1 and w not in HINDI_STOP]
        hi_latin = {english_stem(w) for w in LATIN_WORD.findall(hi)}
        hi_senses: set[str] = set()
        hi_skeletons: set[str] = set()
        hi_covered = 0
        for word in hi_words:
            senses, skeleton = self._hindi_word(word)
            hi_senses |= senses
            if len(skeleton) >= 2:
                hi_skeletons.add(skeleton)
            hi_covered += bool(senses & en_stems) or (len(skeleton) >= 2 and skeleton in en_skeletons)
        latin_in_hindi = [w for w in _latin_words(hi) if len(w) > 2 and w.lower() not in ENGLISH_STOP]
        hi_covered += sum(english_stem(w) in en_stems for w in latin_in_hindi)
        en_covered = sum(
            english_stem(w) in hi_senses or english_stem(w) in hi_latin or _skeleton(w) in hi_skeletons
            for w in en_words
        )
        return Coverage(len(hi_words) + len(latin_in_hindi), len(en_words), hi_covered, en_covered)


def _latin_words(text: str) -> list[str]:
    """Latin words with a possessive 's dropped (Komal's is the name Komal)."""
    return [w[:-2] if w[-2:] in ("'s", "’s") else w for w in LATIN_WORD.findall(text)]


@functools.lru_cache(maxsize=200_000)
def _fold(skeleton: str) -> str:
    """m and n as one letter: ITRANS writes the anusvara of कुलविंदर as M, English spells it n."""
    return re.sub(r"(.)\1+", r"\1", skeleton.replace("m", "n"))


@functools.lru_cache(maxsize=200_000)
def _skeleton(word: str) -> str:
    """A Latin word's folded consonant skeleton, or "" when too short to mean anything."""
    skeleton = _fold(skeleton_latin(word))
    return skeleton if len(skeleton) >= 2 else ""
