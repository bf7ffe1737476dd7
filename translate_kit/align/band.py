"""The band of the dynamic program: which columns each row may use, and the anchors it follows.

A band is two arrays `lo`, `hi` of length n_hi + 1: row i (i Hindi units consumed) allows column
j (English units consumed) in [lo[i], hi[i]]. Bands follow the diagonal, a chain of confident
anchors, or the rectangles of block beads; none of this knows how beads are scored.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np

MAX_DRIFT = 64


def make_band(n_hi: int, n_en: int, anchors: Sequence[tuple[int, int]], width: int):
    """Rows' column ranges around the line through (0, 0), the anchors and (n_hi, n_en).

    Anchors are positions (i, j) strictly increasing on both axes. Each row spans the centre of
    its neighbours plus `width`, so consecutive rows overlap and a path always exists. Far from
    any anchor the true path drifts from the straight line (deletions pile up like a random walk),
    so rows there get up to MAX_DRIFT more, growing with the square root of the distance.
    """
    xs = np.array([0, *[a[0] for a in anchors], n_hi], dtype=float)
    ys = np.array([0, *[a[1] for a in anchors], n_en], dtype=float)
    rows = np.arange(n_hi + 1)
    centre = np.interp(rows, xs, ys)
    before = np.concatenate([centre[:1], centre[:-1]])
    after = np.concatenate([centre[1:], centre[-1:]])
    right = np.searchsorted(xs, rows, side="left").clip(0, len(xs) - 1)
    distance = np.minimum(np.abs(xs[right] - rows), np.abs(rows - xs[(right - 1).clip(0)]))
    slack = width + np.minimum(MAX_DRIFT, 2.0 * np.sqrt(distance))
    lo = np.floor(np.minimum(before, centre) - slack)
    hi = np.ceil(np.maximum(after, centre) + slack)
    lo = np.clip(lo, 0, n_en).astype(np.int64)
    hi = np.clip(hi, 0, n_en).astype(np.int64)
    lo[0] = 0
    hi[-1] = n_en
    return lo, hi


def consistent_anchors(
    anchors: Sequence[tuple[int, int]], n_hi: int, n_en: int, tolerance: float = 8.0, window: int = 5
) -> list[tuple[int, int]]:
    """Anchors whose offset from the diagonal agrees with their neighbours' median offset.

    A chance match (the same number in two unrelated sentences) can still fall on the monotone
    chain; it bends the band away from the true path, which then touches the edge and costs a
    rerun with a wider band. Neighbours outvote it.
    """
    if len(anchors) < 3:
        return list(anchors)
    points = np.asarray(anchors, dtype=float)
    offsets = points[:, 1] - points[:, 0] * (n_en / max(n_hi, 1))
    padded = np.pad(offsets, window, mode="edge")
    medians = np.median(np.lib.stride_tricks.sliding_window_view(padded, 2 * window + 1), axis=1)
    keep = np.abs(offsets - medians) <= tolerance
    return [a for a, ok in zip(anchors, keep, strict=True) if ok]


def full_band(n_hi: int, n_en: int):
    return np.zeros(n_hi + 1, dtype=np.int64), np.full(n_hi + 1, n_en, dtype=np.int64)


def rectangles_band(
    rectangles: Sequence[tuple[tuple[int, int], tuple[int, int]]], n_hi: int, n_en: int, margin: int
):
    """Band covering consecutive rectangles ((h0, h1), (e0, e1)) of the table, widened by `margin`.

    Block beads tile the table's diagonal this way; their union is connected, so a path exists.
    """
    lo = np.full(n_hi + 1, n_en, dtype=np.int64)
    hi = np.zeros(n_hi + 1, dtype=np.int64)
    for (h0, h1), (e0, e1) in rectangles:
        lo[h0 : h1 + 1] = np.minimum(lo[h0 : h1 + 1], e0)
        hi[h0 : h1 + 1] = np.maximum(hi[h0 : h1 + 1], e1)
    lo_wide = _window(lo, margin).min(axis=1) - margin
    hi_wide = _window(hi, margin).max(axis=1) + margin
    lo, hi = np.clip(lo_wide, 0, n_en), np.clip(hi_wide, 0, n_en)
    lo[0], hi[-1] = 0, n_en
    return lo, hi


def _window(values: np.ndarray, margin: int) -> np.ndarray:
    """Each position's neighbours within `margin` (edges repeated), one row per position."""
    padded = np.pad(values, margin, mode="edge")
    return np.lib.stride_tricks.sliding_window_view(padded, 2 * margin + 1)


def longest_chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest subsequence strictly increasing in both coordinates (patience sorting, O(k log k))."""
    pairs = sorted(pairs, key=lambda p: (p[0], -p[1]))
    tails: list[int] = []
    tail_index: list[int] = []
    parent = [-1] * len(pairs)
    for k, (_, b) in enumerate(pairs):
        pos = bisect.bisect_left(tails, b)
        if pos == len(tails):
            tails.append(b)
            tail_index.append(k)
        else:
            tails[pos] = b
            tail_index[pos] = k
        parent[k] = tail_index[pos - 1] if pos else -1
    chain, k = [], tail_index[-1] if tail_index else -1
    while k >= 0:
        chain.append(pairs[k])
        k = parent[k]
    return chain[::-1]
