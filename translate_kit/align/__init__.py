"""Article alignment: block beads, then sentence beads, scored offline and evaluated.

`read_article` reads a side through the `documents` readers; `Aligner().align(hi, en)` returns
an `Alignment` whose sentence beads partition both sides' sentences in order and whose block
pairs partition both sides' blocks; `output` writes the JSONL/TSV contract; `evaluation` scores
alignments against gold. Modules in data-flow order: article, features/lexicon/mt (evidence),
costs (bead prices), band + dp (the dynamic program), aligner, block_pairs, batch (many pairs),
output, evaluation; pairing_io, pairing_index and pairing (which document translates which);
workflow (the calls `translate_kit.api` re-exports: AlignOptions, align_documents, pair_documents).
"""

from __future__ import annotations

from .aligner import Aligner, Alignment
from .article import Article, Block, read_article, read_pair
from .beads import DEFAULT_INVENTORY, Bead, check_partition, parse_inventory
from .costs import CostParams


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
    "read_article",
    "read_pair",
]
