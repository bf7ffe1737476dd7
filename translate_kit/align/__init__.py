"""Article alignment: block beads, then sentence beads, scored offline and evaluated.

`Aligner().align(hi_article, en_article)` returns an `Alignment` whose beads partition both
sides' sentences in order; `translate_kit.align.io` reads articles and writes the JSONL/TSV
output contract; `translate_kit.align.evaluation` scores alignments against gold.
"""

from __future__ import annotations

from .article import Article, Block
from .beads import DEFAULT_INVENTORY, Bead, check_partition, parse_inventory
from .hierarchy import Aligner, Alignment
from .scorers import CostParams


def gale_church_params() -> CostParams:
    """Length only, with Gale and Church's (1993) bead probabilities as -log P."""
    return CostParams(
        similarity=0.0,
        neutral=0.0,
        skip=4.6,
        priors={(1, 1): 0.12, (2, 1): 2.4, (1, 2): 2.4, (2, 2): 4.5},
        merge_prior=3.0,
    )


__all__ = [
    "DEFAULT_INVENTORY",
    "Aligner",
    "Alignment",
    "Article",
    "Bead",
    "Block",
    "CostParams",
    "check_partition",
    "gale_church_params",
    "parse_inventory",
]
