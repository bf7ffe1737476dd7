"""Bead costs: Gale-Church length cost plus a cosine over pooled evidence features.

`Evidence` turns both sides' sentences into tf-idf weighted sparse vectors (one row per sentence)
once per document. `UnitScorer` views a range of units (sentences, or blocks as sums of their
sentences) and prices every bead the dynamic program asks about, vectorised over whole rows:
cosines of merged spans come from pairwise dot products (|a+b|^2 = |a|^2 + |b|^2 + 2ab), so a
2-2 bead costs no more to score than a 1-1 bead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.special import log_ndtr

from .band import consistent_anchors, longest_chain
from .features import FeatureSource, normalize

#: Matrices up to this many cells are multiplied densely (a news article's are far below it).
DENSE_CELLS = 1_000_000


@dataclass(frozen=True)
class CostParams:
    """The few numbers of the cost model, tuned on the development gold (eval/align_quality.py).

    `variance` is Gale-Church's s^2 per character; the length ratio is estimated per document.
    `similarity` weighs (1 - cosine) per unit in the bead; `neutral` is the cosine assumed when a
    side has no evidence at all; `skip` is the cost of leaving one unit unaligned; `priors` are
    -log P(bead type); `heading` penalises beads that pair a heading with anything but one heading.
    """

    variance: float = 6.8
    length_weight: float = 1.0
    similarity: float = 10.0
    neutral: float = 0.15
    skip: float = 7.0
    priors: dict = field(
        default_factory=lambda: {(1, 1): 0.0, (2, 1): 2.0, (1, 2): 2.0, (2, 2): 4.0, (1, 0): 0.0, (0, 1): 0.0}
    )
    merge_prior: float = 2.5
    heading: float = 6.0


def length_cost(len_hi: np.ndarray, len_en: np.ndarray, ratio: float, variance: float) -> np.ndarray:
    """Gale-Church: -log P(|delta|) with delta the length difference in standard deviations."""
    mean = np.maximum((len_hi * ratio + len_en) / 2.0, 1.0)
    delta = np.abs(len_en - len_hi * ratio) / np.sqrt(variance * mean)
    return -(np.log(2.0) + log_ndtr(-delta))


class Evidence:
    """Sentence-level lengths and tf-idf vectors for one document pair, from all sources."""

    def __init__(
        self,
        hi: Sequence[str],
        en: Sequence[str],
        sources: Sequence[FeatureSource],
        base: Evidence | None = None,
    ):
        """`base`: evidence of the same sentences from other sources, extended (not recomputed)."""
        self.hi_lengths = np.array([len(normalize(s).strip()) for s in hi], dtype=float)
        self.en_lengths = np.array([len(normalize(s).strip()) for s in en], dtype=float)
        hi_bags = [dict(bag) for bag in base.hi_bags] if base else [dict() for _ in hi]
        en_bags = [dict(bag) for bag in base.en_bags] if base else [dict() for _ in en]
        self.hi_bags, self.en_bags = hi_bags, en_bags
        for source in sources:
            for target, bags in ((hi_bags, source.hindi(hi)), (en_bags, source.english(en))):
                for mine, bag in zip(target, bags, strict=True):
                    for key, count in bag.items():
                        mine[key] = mine.get(key, 0) + count
        vocabulary: dict[str, int] = {}
        self.hi_vectors = _matrix(hi_bags, vocabulary)
        self.en_vectors = _matrix(en_bags, vocabulary)
        size = len(vocabulary)
        self.hi_vectors.resize((len(hi), size))
        self.en_vectors.resize((len(en), size))
        documents = max(len(hi) + len(en), 1)
        df = (
            np.asarray((self.hi_vectors > 0).sum(axis=0)).ravel()
            + np.asarray((self.en_vectors > 0).sum(axis=0)).ravel()
        )
        idf = sp.diags(np.log1p(documents / np.maximum(df, 1)))
        self.hi_vectors = (self.hi_vectors @ idf).tocsr()
        self.en_vectors = (self.en_vectors @ idf).tocsr()
        total_hi, total_en = self.hi_lengths.sum(), self.en_lengths.sum()
        self.ratio = float(min(max(total_en / total_hi, 0.5), 2.0)) if total_hi and total_en else 1.0


def _matrix(bags: list[dict], vocabulary: dict[str, int]) -> sp.csr_matrix:
    rows, cols, values = [], [], []
    for r, bag in enumerate(bags):
        for key, count in bag.items():
            rows.append(r)
            cols.append(vocabulary.setdefault(key, len(vocabulary)))
            values.append(float(count))
    return sp.csr_matrix((values, (rows, cols)), shape=(len(bags), max(len(vocabulary), 1)))


def group_matrix(groups: Sequence[tuple[int, int]], n: int) -> sp.csr_matrix:
    """Indicator matrix summing sentence rows into unit rows (unit k = sentences [a, b))."""
    rows = [k for k, (a, b) in enumerate(groups) for _ in range(a, b)]
    cols = [s for a, b in groups for s in range(a, b)]
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(groups), n))


class UnitScorer:
    """Costs for beads over two sequences of units; callable as the dynamic program's cost."""

    def __init__(
        self,
        hi_lengths: np.ndarray,
        en_lengths: np.ndarray,
        hi_vectors: sp.csr_matrix,
        en_vectors: sp.csr_matrix,
        ratio: float,
        params: CostParams,
        max_merge: int = 2,
        hi_headings: np.ndarray | None = None,
        en_headings: np.ndarray | None = None,
        hi_sizes: np.ndarray | None = None,
        en_sizes: np.ndarray | None = None,
    ):
        self.n_hi, self.n_en = len(hi_lengths), len(en_lengths)
        self.params = params
        self.ratio = ratio
        self.max_merge = max_merge
        self.hi_vectors, self.en_vectors = hi_vectors.tocsr(), en_vectors.tocsr()
        self.hi_sizes = _cumulative(np.ones(self.n_hi) if hi_sizes is None else hi_sizes)
        self.en_sizes = _cumulative(np.ones(self.n_en) if en_sizes is None else en_sizes)
        self.hi_cum = np.concatenate([[0.0], np.cumsum(hi_lengths)])
        self.en_cum = np.concatenate([[0.0], np.cumsum(en_lengths)])
        self.hi_self = _self_dots(self.hi_vectors, max_merge)
        self.en_self = _self_dots(self.en_vectors, max_merge)
        self.hi_headings = np.zeros(self.n_hi, bool) if hi_headings is None else np.asarray(hi_headings)
        self.en_headings = np.zeros(self.n_en, bool) if en_headings is None else np.asarray(en_headings)
        self._cross = None
        self._cross_lo = None

    @classmethod
    def for_sentences(cls, evidence: Evidence, params: CostParams, **options) -> UnitScorer:
        """A scorer over the sentences themselves (blocks build theirs from grouped evidence)."""
        return cls(
            evidence.hi_lengths,
            evidence.en_lengths,
            evidence.hi_vectors,
            evidence.en_vectors,
            evidence.ratio,
            params,
            **options,
        )

    def prepare(self, lo: np.ndarray, hi: np.ndarray) -> None:
        """Precompute Hindi-English dot products for every pair a bead inside the band can touch."""
        n_hi, n_en, m = self.n_hi, self.n_en, self.max_merge
        if n_hi == 0 or n_en == 0:
            self._cross, self._cross_lo = np.zeros((max(n_hi, 1), 1)), np.zeros(max(n_hi, 1), np.int64)
            return
        rows = np.arange(n_hi)
        first = _clamp(lo[np.minimum(rows + 1, n_hi)] - m, 0, n_en - 1)
        last = _clamp(hi[np.minimum(rows + m, n_hi)] - 1, 0, n_en - 1)
        last = np.maximum(last, first)
        width = int((last - first).max()) + 1
        cross = np.zeros((n_hi, width))
        for start in range(0, n_hi, 256):
            stop = min(start + 256, n_hi)
            c0, c1 = int(first[start:stop].min()), int(last[start:stop].max()) + 1
            dense = (self.hi_vectors[start:stop] @ self.en_vectors[c0:c1].T).toarray()
            offsets = first[start:stop, None] - c0 + np.arange(width)[None, :]
            valid = offsets < (c1 - c0)
            picked = np.take_along_axis(dense, np.minimum(offsets, c1 - c0 - 1), axis=1)
            cross[start:stop] = np.where(valid, picked, 0.0)
        self._cross, self._cross_lo = cross, first

    def cross(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Dot product of Hindi unit a and English unit b (0 outside the precomputed band)."""
        a = _clamp(a, 0, self._cross.shape[0] - 1)
        k = b - self._cross_lo[a]
        inside = (k >= 0) & (k < self._cross.shape[1])
        return np.where(inside, self._cross[a, _clamp(k, 0, self._cross.shape[1] - 1)], 0.0)

    def __call__(self, di: int, dj: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        p = self.params
        i1, j1 = _clamp(rows, 0, self.n_hi), _clamp(cols, 0, self.n_en)
        i0, j0 = _clamp(rows - di, 0, self.n_hi), _clamp(cols - dj, 0, self.n_en)
        sentences = (self.hi_sizes[i1] - self.hi_sizes[i0]) + (self.en_sizes[j1] - self.en_sizes[j0])
        if di == 0 or dj == 0:
            return p.skip * sentences
        cost = p.length_weight * length_cost(
            self.hi_cum[i1] - self.hi_cum[i0], self.en_cum[j1] - self.en_cum[j0], self.ratio, p.variance
        )
        dot = sum(self.cross(rows - x, cols - y) for x in range(1, di + 1) for y in range(1, dj + 1))
        norm_hi = _span_norm(self.hi_self, rows, di, self.n_hi)
        norm_en = _span_norm(self.en_self, cols, dj, self.n_en)
        has = (norm_hi > 0) & (norm_en > 0)
        cosine = np.where(has, dot / np.sqrt(np.where(has, norm_hi * norm_en, 1.0)), p.neutral)
        cost = cost + p.similarity * (1.0 - cosine) * sentences / 2.0
        cost = cost + p.priors.get((di, dj), p.merge_prior * (di + dj - 2))
        return cost + p.heading * self._heading_clash(di, dj, rows, cols)

    def _heading_clash(self, di, dj, rows, cols) -> np.ndarray:
        """1 where a heading would be paired with a paragraph or merged with a neighbour."""
        hi_any = sum(self.hi_headings[_clamp(rows - x, 0, max(self.n_hi - 1, 0))] for x in range(1, di + 1))
        en_any = sum(self.en_headings[_clamp(cols - y, 0, max(self.n_en - 1, 0))] for y in range(1, dj + 1))
        hi_any, en_any = hi_any > 0, en_any > 0
        if di == 1 and dj == 1:
            return (hi_any != en_any).astype(float)
        return (hi_any | en_any).astype(float)

    def anchors(self, chunk: int = 256, reach: int = 128) -> list[tuple[int, int]]:
        """Confident 1-1 points for the band: unit pairs sharing a feature seen once on each side
        within a stretch of `chunk` Hindi units and the English units around their expected place.

        Uniqueness is local so that repeated content (boilerplate, a story told twice) still
        yields anchors. The longest chain increasing on both sides keeps the consistent ones
        (Bertalign's idea of anchoring first, with exact rare evidence instead of embeddings).
        """
        if self.n_hi == 0 or self.n_en == 0:
            return []
        hi = (self.hi_vectors > 0).astype(np.int8).tocsr()
        en = (self.en_vectors > 0).astype(np.int8).tocsr()
        slope = self.n_en / self.n_hi
        pairs: set[tuple[int, int]] = set()
        for a0 in range(0, self.n_hi, chunk):
            a1 = min(a0 + chunk, self.n_hi)
            b0, b1 = max(0, int(a0 * slope) - reach), min(self.n_en, int(a1 * slope) + reach)
            h, e = hi[a0:a1].tocsc(), en[b0:b1].tocsc()
            once = np.flatnonzero((np.diff(h.indptr) == 1) & (np.diff(e.indptr) == 1))
            pairs.update(
                zip(
                    (a0 + h.indices[h.indptr[once]]).tolist(),
                    (b0 + e.indices[e.indptr[once]]).tolist(),
                    strict=True,
                )
            )
        chain = [(a + 1, b + 1) for a, b in longest_chain(sorted(pairs))]
        return consistent_anchors(chain, self.n_hi, self.n_en)


def _clamp(values, low, high):
    """np.clip without its Python-level overhead (called ~10^5 times per hundred articles)."""
    return np.minimum(np.maximum(values, low), high)


def _cumulative(values) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(np.asarray(values, dtype=float))])


def _self_dots(vectors: sp.csr_matrix, max_merge: int) -> list[np.ndarray]:
    """[|v_a|^2, v_a.v_(a+1), v_a.v_(a+2), ...] for offsets below max_merge.

    A news article's matrix is small enough to multiply densely, which skips scipy's per-call
    overhead (most of the time of aligning a short article); long documents stay sparse.
    """
    rows, columns = vectors.shape
    small = rows * columns <= DENSE_CELLS
    matrix = vectors.toarray() if small else vectors

    def row_dots(a, b) -> np.ndarray:
        return (a * b).sum(axis=1) if small else np.asarray(a.multiply(b).sum(axis=1)).ravel()

    result = [row_dots(matrix, matrix)]
    for k in range(1, max_merge):
        dots = row_dots(matrix[:-k], matrix[k:]) if rows > k else np.zeros(0)
        result.append(np.concatenate([dots, np.zeros(min(k, rows))]))
    return result


def _span_norm(self_dots: list[np.ndarray], ends: np.ndarray, size: int, n: int) -> np.ndarray:
    """|sum of vectors [end-size, end)|^2 from self and neighbour dot products."""
    if n == 0:
        return np.zeros(np.shape(ends))
    total = 0.0
    for x in range(1, size + 1):
        a = _clamp(ends - x, 0, n - 1)
        total = total + self_dots[0][a]
        for y in range(x + 1, size + 1):
            total = total + 2.0 * self_dots[y - x][_clamp(ends - y, 0, n - 1)]
    return total
