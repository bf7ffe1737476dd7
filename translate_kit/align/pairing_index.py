"""The inverted index, the scores and the one-to-one matching behind document pairing.

Documents are rows of sparse matrices over the features seen on both sides (`FeatureSpace`).
The index lookup is a sparse product of rows cut to their rare anchors, which walks each anchor's
postings once; only the candidates it proposes are scored in full, so the work grows with the
number of documents times the candidates kept, not with N x M.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components

from .features import DEVANAGARI_WORD, HINDI_STOP, Bag, hindi_key, normalize


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

    def idf(self, side: str) -> np.ndarray:
        return np.log((self.n[side] + 1) / (self.df[side] + 0.5))

    def weighted(self, bags: Sequence[Bag], side: str) -> sparse.csr_matrix:
        """Rows of log(1 + tf) x idf over the shared columns, divided by the norm of the whole bag."""
        idf = self.idf(side).tolist()
        counts, total = self.counts[side], self.n[side] + 1
        indptr, indices, values, norms = [0], [], [], []
        for bag in bags:
            norm = 0.0
            for feature, count in bag.items():
                if count <= 0:
                    continue
                column = self.column.get(feature)
                if column is None:
                    weight = math.log1p(count) * math.log(total / (counts[feature] + 0.5))
                else:
                    weight = math.log1p(count) * idf[column]
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

    def index_matrix(self, matrix: sparse.csr_matrix, max_postings: int, keys: int) -> sparse.csr_matrix:
        """Each row cut to its `keys` heaviest features among those in at most `max_postings`
        documents on either side: the anchors looked up in the inverted index."""
        rare = (self.df["hi"] <= max_postings) & (self.df["en"] <= max_postings)
        matrix = sparse.csr_matrix(matrix @ sparse.diags(rare.astype(np.float64)))
        matrix.eliminate_zeros()
        return _top_per_row(matrix, keys)


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
    hi_index: sparse.csr_matrix, en_index: sparse.csr_matrix, per_doc: int, slice_rows: int = 512
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
    k: int = 4,
    background: float = 0.05,
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
    around = 0.5 * (
        neighbourhood(similarity, rows, n_hi, k, background)[rows]
        + neighbourhood(similarity, cols, n_en, k, background)[cols]
    )
    margin = similarity / np.maximum(around, 1e-9)
    standout = np.clip(1.0 - 1.0 / np.maximum(margin, 1e-9), 0.0, 1.0)
    return standout * np.sqrt(similarity)


def structure_agreement(
    hi_docs: Sequence, en_docs: Sequence, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """0-1 agreement of length (characters), block counts and heading counts of each pair.

    Documents are `pairing.PairDocument`s. A translation keeps a document's shape: Hindi runs
    about as many characters as its English source (the ratio spreads roughly 0.7-1.5 on real
    news), and paragraphs and headings mostly survive. Each factor stays above one half, so
    structure refines content evidence but never vetoes it.
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


def learn_translations(
    hi_bags: Sequence[Bag], en_bags: Sequence[Bag], min_count: int = 2, min_dice: float = 0.5, senses: int = 2
) -> dict[str, dict[str, float]]:
    """Hindi word -> English stems learned from document pairs believed parallel, by Dice.

    Hindi words are `k:` features (`hindi_words`), English words their stem features (`w:`).
    Dice = 2 c(h, e) / (c(h) + c(e)) over the pairs, kept from `min_count` joint pairs and
    `min_dice` up, best `senses` per Hindi word, each sense weighing 1/senses. The joint counts
    are one sparse product of the two binary pair-by-word matrices, because the word-by-word
    loop of `lexicon.learn_lexicon` (built for sentence pairs) is too slow for whole documents.
    """
    hi_words = _binary(hi_bags, "k:", min_count)
    en_words = _binary(en_bags, "w:", min_count)
    if hi_words is None or en_words is None:
        return {}
    (hi_matrix, hi_vocab), (en_matrix, en_vocab) = hi_words, en_words
    joint = sparse.csr_matrix(hi_matrix.T @ en_matrix).tocoo()
    hi_count = np.asarray(hi_matrix.sum(axis=0)).ravel()
    en_count = np.asarray(en_matrix.sum(axis=0)).ravel()
    keep = joint.data >= min_count
    rows, cols, counts = joint.row[keep], joint.col[keep], joint.data[keep]
    dice = 2.0 * counts / (hi_count[rows] + en_count[cols])
    keep = dice >= min_dice
    best: dict[int, list[tuple[float, int]]] = {}
    for row, col, value in zip(rows[keep].tolist(), cols[keep].tolist(), dice[keep].tolist(), strict=True):
        best.setdefault(row, []).append((value, col))
    learned = {}
    for row, found in best.items():
        chosen = [en_vocab[col] for _, col in sorted(found, reverse=True)[:senses]]
        learned[hi_vocab[row]] = {english: 1.0 / len(chosen) for english in chosen}
    return learned


def hindi_words(blocks: Sequence[str]) -> Bag:
    """Lookup keys (`k:`) of the content words of Hindi text: what translations are learned for."""
    return Counter(
        "k:" + hindi_key(word)
        for block in blocks
        for word in DEVANAGARI_WORD.findall(normalize(block))
        if word not in HINDI_STOP and len(word) > 1
    )


def _binary(bags: Sequence[Bag], prefix: str, min_count: int) -> tuple[sparse.csr_matrix, list[str]] | None:
    """Pair-by-word presence matrix of the `prefix` features in at least `min_count` bags."""
    counts = Counter(f for bag in bags for f in bag if f.startswith(prefix))
    vocab = sorted(f for f, c in counts.items() if c >= min_count)
    if not vocab:
        return None
    column = {f: k for k, f in enumerate(vocab)}
    rows, cols = [], []
    for r, bag in enumerate(bags):
        for feature in bag:
            k = column.get(feature)
            if k is not None:
                rows.append(r)
                cols.append(k)
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(bags), len(vocab)))
    return matrix, vocab
