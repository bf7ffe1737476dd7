"""Beads: the units of an alignment, their inventory, and the invariants every alignment keeps.

A bead pairs a run of consecutive Hindi units with a run of consecutive English units (either run
may be empty). A valid alignment is a partition: every unit in exactly one bead, beads in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

BeadType = tuple[int, int]

#: Gale-Church's inventory plus 2-2: enough for news translations, where editors join or split
#: sentences pairwise; larger merges are rarer than the errors a bigger inventory invites.
DEFAULT_INVENTORY: tuple[BeadType, ...] = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2))


@dataclass(frozen=True)
class Bead:
    """`hi` and `en` hold 0-based unit indices; `score` is a confidence in [0, 1], higher is better."""

    hi: tuple[int, ...]
    en: tuple[int, ...]
    score: float
    level: str = "sentence"
    block: int | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def kind(self) -> str:
        """The bead type as people write it, e.g. '2-1'."""
        return f"{len(self.hi)}-{len(self.en)}"


def parse_inventory(spec: str | Iterable[BeadType]) -> tuple[BeadType, ...]:
    """'1-1,1-2,2-1' (or pairs) -> ((1, 1), (1, 2), (2, 1)); 1-0 and 0-1 are always added.

    Deletions are always allowed so that any two inputs (one side empty, nothing alike) have an
    alignment; without them the dynamic program could find no path.
    """
    if isinstance(spec, str):
        pairs = []
        for item in spec.replace(" ", "").split(","):
            if not item:
                continue
            parts = item.split("-")
            if len(parts) != 2 or not all(p.isdigit() for p in parts):
                raise ValueError(f"bad bead type {item!r}: write types like 1-1,1-2,2-1")
            pairs.append((int(parts[0]), int(parts[1])))
    else:
        pairs = [tuple(p) for p in spec]
    for di, dj in pairs:
        if di < 0 or dj < 0 or max(di, dj) > 4 or (min(di, dj) == 0 and di + dj != 1):
            raise ValueError(f"bad bead type {di}-{dj}: each side takes 1 to 4 units (or 1-0, 0-1)")
    inventory = list(dict.fromkeys([*pairs, (1, 0), (0, 1)]))
    return tuple(sorted(inventory, key=lambda t: (t != (1, 1), t[0] + t[1], t)))


def check_partition(beads: Sequence[Bead], n_hi: int, n_en: int) -> None:
    """Raise ValueError unless the beads cover 0..n_hi-1 and 0..n_en-1 once each, in order."""
    hi = [i for bead in beads for i in bead.hi]
    en = [j for bead in beads for j in bead.en]
    if hi != list(range(n_hi)):
        raise ValueError(f"Hindi indices are not 0..{n_hi - 1} in order: {hi[:20]}...")
    if en != list(range(n_en)):
        raise ValueError(f"English indices are not 0..{n_en - 1} in order: {en[:20]}...")
    if any(not bead.hi and not bead.en for bead in beads):
        raise ValueError("an empty bead (no Hindi and no English unit)")
