"""Evaluation: sacrebleu metrics with signatures, Hindi-aware presets, significance tests, reports.

Typical use::

    scorer = Scorer(references, lang="hi", metrics="bleu,chrf++", preset="indictrans2")
    scores = scorer.corpus(hypotheses, confidence=1000)
    comparison = compare_systems(scorer, [("baseline", base), ("new", new)], test="bs")
"""

from .metrics import DEFAULT_METRICS, DEFAULT_SEED, METRIC_NAMES, MetricOptions, parse_metric_names
from .presets import PRESETS, get_preset
from .scorer import MetricScore, Scorer
from .sentences import sentence_scores
from .significance import Comparison, SystemResult, compare_systems

__all__ = [
    "DEFAULT_METRICS",
    "DEFAULT_SEED",
    "METRIC_NAMES",
    "PRESETS",
    "Comparison",
    "MetricOptions",
    "MetricScore",
    "Scorer",
    "SystemResult",
    "compare_systems",
    "get_preset",
    "parse_metric_names",
    "sentence_scores",
]
