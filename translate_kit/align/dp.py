"""The monotonic dynamic program over beads, restricted to a band so that time stays linear.

Positions are prefix lengths: (i, j) means i Hindi and j English units consumed. A bead of type
(di, dj) ending at (i, j) covers Hindi units [i-di, i) and English units [j-dj, j). Row i of the
band allows j in [lo[i], hi[i]]. The band follows a centre line through confident anchors (or the
diagonal); when the best path touches the band's edge the band is widened and the program rerun,
so a band that is too narrow costs time, never quality.

The cost function is asked for whole chunks of rows at once (vectorised numpy), and the row loop
only gathers and takes minima: about 20 numpy calls per row, whatever the scorer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .band import full_band, make_band
from .beads import BeadType

#: cost(di, dj, I, J) -> costs of beads of type (di, dj) ending at rows I (shape (r, 1)) and
#: columns J (shape (r, w)); values at positions outside the inputs are ignored.
CostFn = Callable[[int, int, np.ndarray, np.ndarray], np.ndarray]


class BandCosts(Protocol):
    """What the program asks of whatever prices beads: told each band once, then asked for costs.

    `prepare(lo, hi)` comes before any cost inside that band (a scorer precomputes what the
    band can touch); `__call__` is a CostFn. The program knows nothing else about scoring.
    """

    def prepare(self, lo: np.ndarray, hi: np.ndarray) -> None: ...

    def __call__(self, di: int, dj: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class PlainCosts:
    """A CostFn with nothing to precompute, as BandCosts (tests, simple scorers)."""

    fn: CostFn

    def prepare(self, lo: np.ndarray, hi: np.ndarray) -> None:
        return None

    def __call__(self, di: int, dj: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return self.fn(di, dj, rows, cols)


#: A path step: (i0, i1, j0, j1, cost of the bead).
Step = tuple[int, int, int, int, float]

FULL_TABLE_CELLS = 40_000
_CHUNK_ROWS = 512


def banded_dp(n_hi: int, n_en: int, inventory: Sequence[BeadType], cost: BandCosts, lo, hi) -> list[Step]:
    """Best path from (0, 0) to (n_hi, n_en) inside the band; each step is one bead."""
    cost.prepare(lo, hi)
    width = int((hi - lo).max()) + 1
    jump_types = [(t, di, dj) for t, (di, dj) in enumerate(inventory) if di > 0]
    skip_en = next((t for t, bead in enumerate(inventory) if bead == (0, 1)), None)
    table = np.full((n_hi + 1, width), np.inf)
    back = np.full((n_hi + 1, width), -1, dtype=np.int8)
    offsets = np.arange(width)
    for start in range(0, n_hi + 1, _CHUNK_ROWS):
        rows = np.arange(start, min(start + _CHUNK_ROWS, n_hi + 1))
        cols = lo[rows, None] + offsets[None, :]
        inside = cols <= hi[rows, None]
        jumps = [_jump_costs(di, dj, rows, cols, inside, lo, hi, cost) for _, di, dj in jump_types]
        skips = cost(0, 1, rows[:, None], cols) if skip_en is not None else None
        for r, i in enumerate(rows):
            best = np.full(width, np.inf)
            arg = np.full(width, -1, dtype=np.int8)
            if i == 0:
                best[0] = 0.0
            for (t, di, _), (index, costs) in zip(jump_types, jumps, strict=True):
                if di > i:
                    continue
                candidate = table[i - di, index[r]] + costs[r]
                better = candidate < best
                best[better] = candidate[better]
                arg[better] = t
            if skips is not None:
                best, arg = _relax_skips(best, arg, skips[r], inside[r], skip_en)
            table[i] = best
            back[i] = arg
    return _backtrace(back, lo, inventory, table, n_hi, n_en)


def _jump_costs(di, dj, rows, cols, inside, lo, hi, cost):
    """Gather indices into row i-di and the bead costs, +inf where the predecessor is out of band."""
    prev_rows = np.maximum(rows - di, 0)
    prev_cols = cols - dj
    valid = (
        inside
        & (rows[:, None] >= di)
        & (prev_cols >= lo[prev_rows, None])
        & (prev_cols <= hi[prev_rows, None])
    )
    index = np.where(valid, prev_cols - lo[prev_rows, None], 0)
    costs = np.where(valid, cost(di, dj, rows[:, None], cols), np.inf)
    return index, costs


def _relax_skips(best, arg, skip_costs, inside, skip_type):
    """0-1 beads move along a row: F[k] = min(best[k], F[k-1] + skip[k]) as a prefix minimum."""
    steps = np.where(inside, skip_costs, np.inf)
    steps[0] = 0.0
    steps = np.where(np.isfinite(steps), steps, 1e30)
    total = np.cumsum(steps)
    final = total + np.minimum.accumulate(best - total)
    final = np.where(inside, final, np.inf)
    moved = final < best - 1e-9 * (1.0 + np.abs(np.where(np.isfinite(best), best, 0.0)))
    arg = np.where(moved, skip_type, arg).astype(np.int8)
    return np.where(moved, final, best), arg


def _backtrace(back, lo, inventory, table, n_hi, n_en) -> list[Step]:
    steps: list[Step] = []
    i, j = n_hi, n_en
    while i > 0 or j > 0:
        t = back[i, j - lo[i]]
        if t < 0:
            raise RuntimeError(f"no path through the band at ({i}, {j})")
        di, dj = inventory[t]
        here = table[i, j - lo[i]]
        there = table[i - di, j - dj - lo[i - di]]
        steps.append((i - di, i, j - dj, j, float(here - there)))
        i, j = i - di, j - dj
    steps.reverse()
    return steps


def touches_edge(steps: Sequence[Step], lo, hi, n_en: int) -> bool:
    """True when the path runs along the band's border (where the band is not the table's border)."""
    return any((j == lo[i] and lo[i] > 0) or (j == hi[i] and hi[i] < n_en) for _, i, _, j, _ in steps)


BandFn = Callable[[int], tuple[np.ndarray, np.ndarray]]


def align_path(
    n_hi: int,
    n_en: int,
    inventory: Sequence[BeadType],
    cost: BandCosts,
    band: BandFn | None = None,
    width: int = 16,
    grow: bool = True,
) -> list[Step]:
    """Best monotonic path inside `band(width)`, the width doubled until the path fits.

    With `grow=False` the band is a hard constraint (e.g. block beads taken as given).

    Without a band function, the band follows the diagonal and small tables are solved whole.
    """
    if band is None:
        if (n_hi + 1) * (n_en + 1) <= FULL_TABLE_CELLS:
            lo, hi = full_band(n_hi, n_en)
            return banded_dp(n_hi, n_en, inventory, cost, lo, hi)

        def band(w: int):
            return make_band(n_hi, n_en, (), w)

    while True:
        lo, hi = band(width)
        steps = banded_dp(n_hi, n_en, inventory, cost, lo, hi)
        if not grow or not touches_edge(steps, lo, hi, n_en) or ((lo == 0).all() and (hi == n_en).all()):
            return steps
        width *= 2
