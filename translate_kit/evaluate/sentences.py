"""Sentence-level scores as a table, worst first: where to look when a corpus score disappoints.

Each row is one line of the test set with its source (when given), reference(s), hypothesis,
lengths in words and one column per metric. Sentence BLEU uses effective order, as sacrebleu's
sentence mode does; chrF++ is the default sort key because it is the steadier sentence-level
metric. Signatures are kept in ``DataFrame.attrs["signatures"]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..errors import TranslateKitError
from .metrics import LOWER_IS_BETTER
from .scorer import Scorer


def default_sort_key(metric_names: Sequence[str]) -> str:
    return "chrf++" if "chrf++" in metric_names else metric_names[0]


def sentence_scores(scorer: Scorer, hypotheses: Sequence[str], sort_by: str | None = None) -> pd.DataFrame:
    """One row per sentence, sorted worst first by `sort_by` (ties keep file order)."""
    prepared = scorer.prepare(hypotheses)
    columns: dict[str, list] = {"line": list(range(1, len(hypotheses) + 1))}
    if scorer.sources is not None:
        columns["source"] = list(scorer.sources)
    for number, stream in enumerate(scorer.references, 1):
        columns["reference" if number == 1 else f"reference_{number}"] = list(stream)
    columns["hypothesis"] = list(hypotheses)
    columns["ref_words"] = [len(line.split()) for line in scorer.references[0]]
    columns["hyp_words"] = [len(line.split()) for line in hypotheses]
    signatures: dict[str, str] = {}
    refs_by_line = list(zip(*scorer.prepared_references, strict=True))
    for key in scorer.metric_names:
        if key == "comet":
            system, segments = scorer.comet_segments(hypotheses)
            columns[key], signatures[key] = segments, system.signature
            continue
        metric = scorer.build(key, sentence_level=True)
        columns[key] = [
            metric.sentence_score(hyp, list(refs)).score
            for hyp, refs in zip(prepared, refs_by_line, strict=True)
        ]
        signatures[key] = scorer.extend(metric.get_signature().format())
    table = pd.DataFrame(columns)
    sort_by = sort_by or default_sort_key(scorer.metric_names)
    if sort_by not in scorer.metric_names:
        raise TranslateKitError(f"cannot sort by {sort_by!r}: it is not among the metrics computed")
    table = table.sort_values(sort_by, ascending=sort_by not in LOWER_IS_BETTER, kind="stable")
    table = table.reset_index(drop=True)
    table.attrs["signatures"] = signatures
    return table
