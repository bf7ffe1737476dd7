"""Document pairing: which Hindi document of a crawl translates which English one, from content.

Each document becomes a bag of the aligner's evidence features (`translate_kit.align.features`):
numbers in both digit scripts, month names, URLs, Latin words inside Hindi, consonant skeletons of
transliterated names, and English stems voted for by the Hindi words through the lexicon. Only
features seen on both sides can connect documents; each is weighted by log-scaled frequency times
its inverse document frequency on its own side, so a name or a figure that few documents mention
weighs far more than "government".

Work stays near-linear in the number of documents: candidates come from an inverted index over
each document's most distinctive rare anchors (a sparse matrix product over postings whose
document frequency is capped, done in slices), only the best few candidates of every document on
either side are re-scored in full (cosine of the whole weighted bags, times agreement of length
and of block and heading counts), and a one-to-one matching (Hungarian, within each connected
group of candidates) keeps the pairs at or above a score threshold. Every document ends up either
in exactly one pair or in the unpaired list with a reason.

URL or file-name hints (`url_hints=True`) add the words and numbers of each document's URL or
file name as features, so that `/2023/05/budget-17.html` and `/hi/2023/05/budget-17.html` agree;
they are used only when asked for, since crawled names are often unrelated across languages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .features import AnchorSource, Bag
from .lexicon import LexiconSource, freedict_available, load_freedict
from .pairing_index import (
    FeatureSpace,
    assignment_matching,
    candidate_pairs,
    cosine,
    greedy_matching,
    hindi_words,
    learn_translations,
    margin_score,
    structure_agreement,
)

#: Pairs scoring below this are not trusted (chosen on the development documents, see eval/).
DEFAULT_MIN_SCORE = 0.04
#: Words of URLs and file names that say nothing about content (language markers, site furniture).
_HINT_STOP = frozenset(
    ["http", "https", "www", "com", "org", "net", "in", "co", "html", "htm", "php", "aspx", "index"]
    + ["hi", "en", "hin", "eng", "hindi", "english", "lang", "txt", "md", "markdown", "news", "amp"]
)
_HINT_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class PairDocument:
    """What pairing needs of one document: an id, its block texts, its structure, an optional hint.

    `urls` are link targets and other URLs of the source that block texts no longer show.
    """

    id: str
    blocks: tuple[str, ...]
    headings: int = 0
    urls: tuple[str, ...] = ()
    hint: str = ""

    @property
    def chars(self) -> int:
        return sum(len(b) for b in self.blocks)


@dataclass(frozen=True)
class DocumentPair:
    hi: str
    en: str
    score: float


@dataclass(frozen=True)
class Unpaired:
    side: str  # "hi" or "en"
    id: str
    reason: str
    best: str = ""  # best candidate on the other side, if any
    best_score: float = 0.0


@dataclass
class PairingResult:
    pairs: list[DocumentPair] = field(default_factory=list)
    unpaired: list[Unpaired] = field(default_factory=list)


@dataclass(frozen=True)
class PairingSettings:
    """The few knobs; defaults were chosen on development documents (eval/pairing_quality.py)."""

    min_score: float = DEFAULT_MIN_SCORE
    url_hints: bool = False
    matching: str = "hungarian"  # or "greedy"
    candidates: int = 8  # best candidates kept per document and side
    index_features: int = 48  # most distinctive features of a document looked up in the index
    max_postings: int = 600  # features in more documents than this (per side) are not index keys
    neighbours: int = 3  # k of the margin's k-nearest mean
    background: float = 0.05  # similarity assumed for missing neighbours (small heaps)
    relative: float = 0.5  # a pair must score this share of each document's best candidate
    learn_rounds: int = 1  # passes adding word translations learned from the confident pairs
    learn_from: float = 0.05  # score of the pairs learned from
    learn_pairs: int = 1000  # at most this many (the best) pairs learned from


class DocumentPairer:
    """Pairs two heaps of documents; build once (the lexicon loads once), call `pair` many times."""

    def __init__(self, lexicon: LexiconSource | None = None, settings: PairingSettings | None = None):
        self.anchors = AnchorSource()
        self.lexicon = lexicon
        self.settings = settings or PairingSettings()

    @classmethod
    def with_freedict(cls, settings: PairingSettings | None = None) -> DocumentPairer:
        """Anchors plus Debian's FreeDict lexicon where it is installed."""
        lexicon = load_freedict() if freedict_available() else None
        return cls(lexicon, settings)

    # -- features -------------------------------------------------------------------------------

    def hindi_bag(self, doc: PairDocument) -> Bag:
        bag: Bag = Counter()
        for block_bag in self.anchors.hindi(doc.blocks):
            bag.update(block_bag)
        if self.lexicon is not None:
            for block_bag in self.lexicon.hindi(doc.blocks):
                bag.update(block_bag)
        return self._extras(bag, doc)

    def english_bag(self, doc: PairDocument) -> Bag:
        bag: Bag = Counter()
        for block_bag in self.anchors.english(doc.blocks):
            bag.update(block_bag)
        return self._extras(bag, doc)

    def _extras(self, bag: Bag, doc: PairDocument) -> Bag:
        for url_bag in self.anchors.english(doc.urls):
            bag.update({k: v for k, v in url_bag.items() if k.startswith("u:")})
        if self.settings.url_hints and doc.hint:
            bag.update(hint_features(doc.hint))
        return bag

    # -- pairing --------------------------------------------------------------------------------

    def pair(self, hi_docs: Sequence[PairDocument], en_docs: Sequence[PairDocument]) -> PairingResult:
        """One-to-one pairs scoring at least `min_score`; every other document reported unpaired."""
        hi_bags = [self.hindi_bag(d) for d in hi_docs]
        en_bags = [self.english_bag(d) for d in en_docs]
        return self.pair_bags(hi_docs, en_docs, hi_bags, en_bags)

    def pair_bags(
        self,
        hi_docs: Sequence[PairDocument],
        en_docs: Sequence[PairDocument],
        hi_bags: Sequence[Bag],
        en_bags: Sequence[Bag],
    ) -> PairingResult:
        """Pair documents whose feature bags are already computed (bags in document order).

        With `learn`, a first pairing's confident pairs teach word translations the lexicon
        lacks (hunalign's bootstrapped dictionary, at document level), and the documents are
        paired again with those words added to the Hindi bags.
        """
        if not hi_docs or not en_docs:
            return _all_unpaired(hi_docs, en_docs, "the other side has no documents")
        rows, cols, scores = self._score(hi_docs, en_docs, hi_bags, en_bags)
        words = [hindi_words(doc.blocks) for doc in hi_docs] if self.settings.learn_rounds else []
        base = hi_bags
        for _ in range(self.settings.learn_rounds):
            confident = self._match(hi_docs, en_docs, rows, cols, scores, self.settings.learn_from)
            confident = sorted(confident, key=lambda c: -c[2])[: self.settings.learn_pairs]
            learned = learn_translations(
                [words[i] for i, _, _ in confident], [en_bags[j] for _, j, _ in confident]
            )
            if not learned:
                break
            hi_bags = [_with_translations(bag, w, learned) for bag, w in zip(base, words, strict=True)]
            rows, cols, scores = self._score(hi_docs, en_docs, hi_bags, en_bags)
        chosen = self._match(hi_docs, en_docs, rows, cols, scores, self.settings.min_score)
        return self._result(hi_docs, en_docs, rows, cols, scores, chosen)

    def _score(self, hi_docs, en_docs, hi_bags, en_bags) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate pairs from the index and their 0-1 scores."""
        settings = self.settings
        space = FeatureSpace(hi_bags, en_bags)
        hi_matrix, en_matrix = space.weighted(hi_bags, "hi"), space.weighted(en_bags, "en")
        rows, cols = candidate_pairs(
            space.index_matrix(hi_matrix, settings.max_postings, settings.index_features),
            space.index_matrix(en_matrix, settings.max_postings, settings.index_features),
            settings.candidates,
        )
        similarity = cosine(hi_matrix, en_matrix, rows, cols)
        content = margin_score(
            similarity, rows, cols, len(hi_docs), len(en_docs), settings.neighbours, settings.background
        )
        return rows, cols, content * structure_agreement(hi_docs, en_docs, rows, cols)

    def _match(self, hi_docs, en_docs, rows, cols, scores, min_score: float) -> list[tuple[int, int, float]]:
        """One-to-one (Hindi row, English row, score) among candidates scoring at least `min_score`
        and at least `relative` times the best score of both their documents."""
        keep = scores >= min_score
        if self.settings.relative > 0 and len(scores):
            top_hi = np.zeros(len(hi_docs))
            np.maximum.at(top_hi, rows, scores)
            top_en = np.zeros(len(en_docs))
            np.maximum.at(top_en, cols, scores)
            keep &= scores >= self.settings.relative * np.maximum(top_hi[rows], top_en[cols])
        if self.settings.matching == "greedy":
            chosen = greedy_matching(rows[keep], cols[keep], scores[keep])
        else:
            chosen = assignment_matching(rows[keep], cols[keep], scores[keep], len(hi_docs), len(en_docs))
        return chosen

    def _result(self, hi_docs, en_docs, rows, cols, scores, chosen) -> PairingResult:
        """The chosen pairs, and every other document with the reason it stays unpaired."""
        result = PairingResult()
        paired_hi, paired_en = set(), set()
        for i, j, score in chosen:
            result.pairs.append(DocumentPair(hi_docs[i].id, en_docs[j].id, round(float(score), 4)))
            paired_hi.add(i)
            paired_en.add(j)
        best_hi = _best(rows, cols, scores, len(hi_docs))
        best_en = _best(cols, rows, scores, len(en_docs))
        for side, docs, others, paired, best in (
            ("hi", hi_docs, en_docs, paired_hi, best_hi),
            ("en", en_docs, hi_docs, paired_en, best_en),
        ):
            for k, doc in enumerate(docs):
                if k in paired:
                    continue
                other, score = best.get(k, (None, 0.0))
                if other is None:
                    reason = "no candidate shares a distinctive anchor"
                elif score < self.settings.min_score:
                    reason = f"best score {score:.3f} below {self.settings.min_score}"
                else:
                    reason = "its best candidate pairs better with another document"
                name = others[other].id if other is not None else ""
                result.unpaired.append(Unpaired(side, doc.id, reason, name, round(float(score), 4)))
        return result


def _with_translations(bag: Bag, words: Bag, learned: dict[str, dict[str, float]]) -> Bag:
    """A Hindi bag plus the English stems its words (`hindi_words`) were learned to translate to."""
    extra: Bag = Counter()
    for feature, count in words.items():
        for english, share in learned.get(feature, {}).items():
            extra[english] += count * share
    return bag + extra if extra else bag


def hint_features(hint: str) -> Bag:
    """Words and numbers of a URL or file name, language markers and site furniture dropped."""
    words = (w.lower() for w in _HINT_WORD.findall(hint))
    return Counter("h:" + w for w in words if w not in _HINT_STOP and len(w) > 1)


def _best(mine: np.ndarray, other: np.ndarray, scores: np.ndarray, n: int) -> dict[int, tuple[int, float]]:
    best: dict[int, tuple[int, float]] = {}
    for a, b, s in zip(mine.tolist(), other.tolist(), scores.tolist(), strict=True):
        if a not in best or s > best[a][1]:
            best[a] = (b, s)
    return best


def _all_unpaired(hi_docs, en_docs, reason: str) -> PairingResult:
    result = PairingResult()
    result.unpaired += [Unpaired("hi", d.id, reason) for d in hi_docs]
    result.unpaired += [Unpaired("en", d.id, reason) for d in en_docs]
    return result
