"""Block pairs (heading with heading, paragraphs with paragraphs) derived from sentence beads.

The sentence beads are the finest alignment; the block pairs are the finest grouping of blocks
that agrees with them: two blocks are in the same pair when one sentence bead holds sentences of
both (a sentence joined across a paragraph boundary, or a paragraph split in translation), and a
block whose sentences are all unaligned is a 1-0 or 0-1 pair of its own. So every block is in
exactly one pair, pairs are in order on both sides, and every sentence bead lies inside one pair
that names every block its sentences come from -- by construction, not by a margin.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from .beads import Bead


def group_beads(beads: Sequence[Bead], hi_block: Sequence[int], en_block: Sequence[int]) -> list[int]:
    """The block pair of every sentence bead: beads holding sentences of one block share a pair.

    `hi_block[i]` is the block of Hindi sentence i (likewise English). Beads are in order, so
    block indices never decrease along them; a new bead that reaches back into a block held by an
    open group merges that group and every group after it (a 1-0 bead may have opened a group of
    its own while the other side's block was still being filled).
    """
    starts: list[int] = []  # first bead of each group
    own: list[tuple[int, int]] = []  # last Hindi and English block of each group (-1: none)
    reach: tuple[list[int], list[int]] = ([], [])  # those maxima up to each group: non-decreasing
    for b, bead in enumerate(beads):
        blocks = ([hi_block[i] for i in bead.hi], [en_block[j] for j in bead.en])
        first = len(starts)
        for side, found in enumerate(blocks):
            if found:
                first = min(first, bisect.bisect_left(reach[side], found[0]))
        start, last = b, (max([-1, *blocks[0]]), max([-1, *blocks[1]]))
        if first < len(starts):
            start = starts[first]
            last = (
                max([last[0], *(g[0] for g in own[first:])]),
                max([last[1], *(g[1] for g in own[first:])]),
            )
            del starts[first:], own[first:], reach[0][first:], reach[1][first:]
        starts.append(start)
        own.append(last)
        for side in (0, 1):
            reach[side].append(max(reach[side][-1] if reach[side] else -1, last[side]))
    groups, g = [], -1
    for b in range(len(beads)):
        if g + 1 < len(starts) and starts[g + 1] == b:
            g += 1
        groups.append(g)
    return groups


def block_pairs(
    beads: Sequence[Bead],
    groups: Sequence[int],
    hi_block: Sequence[int],
    en_block: Sequence[int],
    n_hi_blocks: int,
    n_en_blocks: int,
) -> list[Bead]:
    """One block-level bead per group: its blocks, and a score that is the sentence-weighted mean
    of its sentence beads' scores (unaligned sentences count 0, so a paragraph with a dropped
    sentence scores lower). Blocks without sentences join their preceding block's pair."""
    if not groups:
        if not n_hi_blocks and not n_en_blocks:
            return []
        return [Bead(tuple(range(n_hi_blocks)), tuple(range(n_en_blocks)), 0.0, "block", 0)]
    n_groups = max(groups) + 1
    hi_of: list[set[int]] = [set() for _ in range(n_groups)]
    en_of: list[set[int]] = [set() for _ in range(n_groups)]
    weight = [0.0] * n_groups
    total = [0.0] * n_groups
    for bead, g in zip(beads, groups, strict=True):
        hi_of[g].update(hi_block[i] for i in bead.hi)
        en_of[g].update(en_block[j] for j in bead.en)
        size = len(bead.hi) + len(bead.en)
        weight[g] += size
        total[g] += bead.score * size
    _place_empty_blocks(hi_of, n_hi_blocks)
    _place_empty_blocks(en_of, n_en_blocks)
    return [
        Bead(tuple(sorted(h)), tuple(sorted(e)), total[g] / weight[g] if weight[g] else 0.0, "block", g)
        for g, (h, e) in enumerate(zip(hi_of, en_of, strict=True))
    ]


def _place_empty_blocks(groups: list[set[int]], n_blocks: int) -> None:
    """Blocks holding no sentence join the pair of the block before them (else after them)."""
    owner = {block: g for g, blocks in enumerate(groups) for block in blocks}
    for block in range(n_blocks):
        if block in owner:
            continue
        before = [owner[b] for b in range(block - 1, -1, -1) if b in owner][:1]
        after = [owner[b] for b in range(block + 1, n_blocks) if b in owner][:1]
        g = (before or after or [0])[0]
        groups[g].add(block)
        owner[block] = g
