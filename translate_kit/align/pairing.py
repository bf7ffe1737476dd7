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

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components

from .features import AnchorSource, Bag
from .lexicon import LexiconSource, freedict_available, load_freedict

#: Pairs scoring below this are not trusted (chosen on the development documents, see eval/).
DEFAULT_MIN_SCORE = 0.03
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
    max_postings: int = 64  # features in more documents than this (per side) are not index keys
    neighbours: int = 4  # k of the margin's k-nearest mean
    background: float = 0.05  # similarity assumed for missing neighbours (small heaps)


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
        if not hi_docs or not en_docs:
            return _all_unpaired(hi_docs, en_docs, "the other side has no documents")
        space = FeatureSpace(hi_bags, en_bags)
        hi_matrix, en_matrix = space.weighted(hi_bags, "hi"), space.weighted(en_bags, "en")
        rows, cols = candidate_pairs(
            space.index_matrix(hi_matrix, "hi", self.settings),
            space.index_matrix(en_matrix, "en", self.settings),
            self.settings.candidates,
        )
        similarity = cosine(hi_matrix, en_matrix, rows, cols)
        content = margin_score(similarity, rows, cols, len(hi_docs), len(en_docs), self.settings)
        scores = content * structure_agreement(hi_docs, en_docs, rows, cols)
        return self._match(hi_docs, en_docs, rows, cols, scores)

    def _match(self, hi_docs, en_docs, rows, cols, scores) -> PairingResult:
        keep = scores >= self.settings.min_score
        if self.settings.matching == "greedy":
            chosen = greedy_matching(rows[keep], cols[keep], scores[keep])
        else:
            chosen = assignment_matching(rows[keep], cols[keep], scores[keep], len(hi_docs), len(en_docs))
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


def hint_features(hint: str) -> Bag:
    """Words and numbers of a URL or file name, language markers and site furniture dropped."""
    words = (w.lower() for w in _HINT_WORD.findall(hint))
    return Counter("h:" + w for w in words if w not in _HINT_STOP and len(w) > 1)


class FeatureSpace:
    """Columns for the features seen on both sides, with per-side document frequencies.

    Only shared features can connect two documents, so only they get columns; a document's
    norm still counts all its features, so that one shared number among forty unshared words
    is weak evidence, not a perfect match.
    """

    def __init__(self, hi_bags: Sequence[Bag], en_bags: Sequence[Bag]):
        self.counts = {
            "hi": Counter(f for bag in hi_bags for f in bag),
            "en": Counter(f for bag in en_bags for f in bag),
        }
        shared = sorted(self.counts["hi"].keys() & self.counts["en"].keys())
        self.column = {f: k for k, f in enumerate(shared)}
        self.df = {
            side: np.array([self.counts[side][f] for f in shared], dtype=np.float64) for side in self.counts
        }
        self.n = {"hi": len(hi_bags), "en": len(en_bags)}

    def _idf(self, side: str, df):
        return np.log((self.n[side] + 1) / (df + 0.5))

    def idf(self, side: str) -> np.ndarray:
        return self._idf(side, self.df[side])

    def weighted(self, bags: Sequence[Bag], side: str) -> sparse.csr_matrix:
        """Rows of log(1 + tf) x idf over the shared columns, divided by the norm of the whole bag."""
        idf = self.idf(side)
        indptr, indices, values, norms = [0], [], [], []
        for bag in bags:
            norm = 0.0
            for feature, count in bag.items():
                if count <= 0:
                    continue
                column = self.column.get(feature)
                if column is None:
                    weight = math.log1p(count) * float(self._idf(side, self.counts[side][feature]))
                else:
                    weight = math.log1p(count) * float(idf[column])
                    indices.append(column)
                    values.append(weight)
                norm += weight * weight
            indptr.append(len(indices))
            norms.append(math.sqrt(norm))
        matrix = sparse.csr_matrix(
            (np.array(values, dtype=np.float64), np.array(indices, dtype=np.int64), np.array(indptr)),
            shape=(len(bags), len(self.column)),
        )
        return sparse.csr_matrix(sparse.diags(1.0 / np.maximum(np.array(norms), 1e-12)) @ matrix)

    def index_matrix(
        self, matrix: sparse.csr_matrix, side: str, settings: PairingSettings
    ) -> sparse.csr_matrix:
        """Each row cut to its `index_features` heaviest features among those rare on both sides."""
        rare = (self.df["hi"] <= settings.max_postings) & (self.df["en"] <= settings.max_postings)
        matrix = sparse.csr_matrix(matrix @ sparse.diags(rare.astype(np.float64)))
        matrix.eliminate_zeros()
        return _top_per_row(matrix, settings.index_features)


def _top_per_row(matrix: sparse.csr_matrix, k: int) -> sparse.csr_matrix:
    """Keep the k largest entries of each row."""
    matrix = matrix.tocsr(copy=True)
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if end - start > k:
            values = matrix.data[start:end]
            cut = np.partition(values, -k)[-k]
            values[values < cut] = 0.0
    matrix.eliminate_zeros()
    return matrix


def candidate_pairs(
    hi_index: sparse.csr_matrix, en_index: sparse.csr_matrix, per_doc: int, slice_rows: int = 2048
) -> tuple[np.ndarray, np.ndarray]:
    """(Hindi row, English row) pairs among the `per_doc` best index matches of every document.

    The product of the two index matrices walks the postings of each shared anchor, which is the
    inverted-index lookup; slicing the rows bounds memory on large heaps.
    """
    found: set[tuple[int, int]] = set()
    for left, right, flip in ((hi_index, en_index, False), (en_index, hi_index, True)):
        right_t = sparse.csc_matrix(right.T)
        for start in range(0, left.shape[0], slice_rows):
            block = sparse.csr_matrix(left[start : start + slice_rows] @ right_t)
            for offset in range(block.shape[0]):
                lo, hi = block.indptr[offset], block.indptr[offset + 1]
                if lo == hi:
                    continue
                others, values = block.indices[lo:hi], block.data[lo:hi]
                if len(values) > per_doc:
                    others = others[np.argpartition(values, -per_doc)[-per_doc:]]
                row = start + offset
                found.update((int(o), row) if flip else (row, int(o)) for o in others)
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    pairs = np.array(sorted(found), dtype=np.int64)
    return pairs[:, 0], pairs[:, 1]


def cosine(
    hi_matrix: sparse.csr_matrix,
    en_matrix: sparse.csr_matrix,
    rows: np.ndarray,
    cols: np.ndarray,
    chunk: int = 4096,
) -> np.ndarray:
    """Cosine of the full weighted bags for each (row, col) pair (rows are L2-normalised)."""
    out = np.zeros(len(rows))
    for start in range(0, len(rows), chunk):
        r, c = rows[start : start + chunk], cols[start : start + chunk]
        out[start : start + chunk] = np.asarray(hi_matrix[r].multiply(en_matrix[c]).sum(axis=1)).ravel()
    return np.clip(out, 0.0, 1.0)


def neighbourhood(
    similarity: np.ndarray, owners: np.ndarray, n: int, k: int, background: float
) -> np.ndarray:
    """Mean of each document's k best candidate similarities, missing candidates counted as `background`."""
    order = np.lexsort((-similarity, owners))
    sorted_owners, sorted_sims = owners[order], similarity[order]
    starts = np.searchsorted(sorted_owners, np.arange(n))
    rank = np.arange(len(order)) - starts[sorted_owners]
    top = rank < k
    totals = np.bincount(sorted_owners[top], weights=sorted_sims[top], minlength=n)
    counts = np.bincount(sorted_owners[top], minlength=n)
    return (totals + (k - counts) * background) / k


def margin_score(
    similarity: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    n_hi: int,
    n_en: int,
    settings: PairingSettings,
) -> np.ndarray:
    """How far a pair's similarity stands out from both documents' best candidates, in [0, 1).

    A ratio margin as in bitext mining (Artetxe & Schwenk 2019): similarity over the mean of the
    two documents' k-nearest similarities. A translation stands out from the other documents of
    its topic; a same-topic document that has no translation in the heap does not. Mapped to
    1 - 1/margin and multiplied by the similarity itself pulled towards 1, so that a standout
    with almost no shared evidence still scores low.
    """
    if len(similarity) == 0:
        return similarity
    k, b = settings.neighbours, settings.background
    around = 0.5 * (
        neighbourhood(similarity, rows, n_hi, k, b)[rows] + neighbourhood(similarity, cols, n_en, k, b)[cols]
    )
    margin = similarity / np.maximum(around, 1e-9)
    standout = np.clip(1.0 - 1.0 / np.maximum(margin, 1e-9), 0.0, 1.0)
    return standout * np.sqrt(similarity)


def structure_agreement(
    hi_docs: Sequence[PairDocument], en_docs: Sequence[PairDocument], rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """0-1 agreement of length (characters), block counts and heading counts of each pair.

    A translation keeps a document's shape: Hindi runs about as many characters as its English
    source (the ratio spreads roughly 0.7-1.5 on real news), and paragraphs and headings mostly
    survive. Each factor stays above one half, so structure refines content evidence but never
    vetoes it.
    """
    if len(rows) == 0:
        return np.zeros(0)
    hi_chars = np.array([max(d.chars, 1) for d in hi_docs], dtype=np.float64)[rows]
    en_chars = np.array([max(d.chars, 1) for d in en_docs], dtype=np.float64)[cols]
    length = np.exp(-0.5 * (np.log(hi_chars / en_chars) / 0.35) ** 2)
    hi_blocks = np.array([len(d.blocks) for d in hi_docs], dtype=np.float64)[rows]
    en_blocks = np.array([len(d.blocks) for d in en_docs], dtype=np.float64)[cols]
    blocks = (np.minimum(hi_blocks, en_blocks) + 1) / (np.maximum(hi_blocks, en_blocks) + 1)
    hi_heads = np.array([d.headings for d in hi_docs], dtype=np.float64)[rows]
    en_heads = np.array([d.headings for d in en_docs], dtype=np.float64)[cols]
    heads = (np.minimum(hi_heads, en_heads) + 1) / (np.maximum(hi_heads, en_heads) + 1)
    return (0.5 + 0.5 * length) * (0.5 + 0.5 * blocks) * (0.75 + 0.25 * heads)


def greedy_matching(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray) -> list[tuple[int, int, float]]:
    """Best-scoring pair first, skipping documents already taken (competitive linking)."""
    taken_hi, taken_en, chosen = set(), set(), []
    for k in np.argsort(-scores, kind="stable"):
        i, j = int(rows[k]), int(cols[k])
        if i not in taken_hi and j not in taken_en:
            taken_hi.add(i)
            taken_en.add(j)
            chosen.append((i, j, float(scores[k])))
    return chosen


def assignment_matching(
    rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, n_hi: int, n_en: int, max_group: int = 3000
) -> list[tuple[int, int, float]]:
    """Maximum total score one-to-one, solved by Hungarian per connected group of candidates.

    Groups are small in practice (a story and its near-duplicates); a group larger than
    `max_group` documents a side falls back to greedy matching to bound the cubic cost.
    """
    if len(rows) == 0:
        return []
    graph = sparse.coo_matrix((np.ones(len(rows)), (rows, cols + n_hi)), shape=(n_hi + n_en,) * 2)
    _, labels = connected_components(graph, directed=False)
    order = np.argsort(labels[rows], kind="stable")
    bounds = np.flatnonzero(np.diff(labels[rows][order])) + 1
    chosen = []
    for group in np.split(order, bounds):
        g_rows, g_cols, g_scores = rows[group], cols[group], scores[group]
        hi_ids, hi_pos = np.unique(g_rows, return_inverse=True)
        en_ids, en_pos = np.unique(g_cols, return_inverse=True)
        if max(len(hi_ids), len(en_ids)) > max_group:
            chosen.extend(greedy_matching(g_rows, g_cols, g_scores))
            continue
        table = np.zeros((len(hi_ids), len(en_ids)))
        table[hi_pos, en_pos] = g_scores
        for a, b in zip(*linear_sum_assignment(table, maximize=True), strict=True):
            if table[a, b] > 0:
                chosen.append((int(hi_ids[a]), int(en_ids[b]), float(table[a, b])))
    return chosen


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
