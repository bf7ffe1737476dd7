"""Several systems against one baseline: scores, 95% intervals and paired significance tests.

The tests are sacrebleu's own (`sacrebleu.significance.PairedTest`): paired bootstrap resampling
(``bs``, 1000 resamples by default) and paired approximate randomisation (``ar``, 10000 trials),
the first system being the baseline. With the same seed the p-values equal the ``sacrebleu``
command line's ``--paired-bs`` / ``--paired-ar``. A small p-value says a system is *different from
the baseline*, not that it is better; the reports keep that wording.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sacrebleu.metrics.base import Score
from sacrebleu.significance import PairedTest, Result

from ..errors import TranslateKitError
from .metrics import DEFAULT_SEED, sacrebleu_seed
from .scorer import MetricScore, Scorer

TESTS = {"bs": "paired bootstrap resampling", "ar": "paired approximate randomization"}
ALPHA = 0.05


@dataclass
class SystemResult:
    name: str
    scores: dict[str, MetricScore]
    p_values: dict[str, float] = field(default_factory=dict)
    identical: bool = False  # every line equal to the baseline's

    @property
    def is_baseline(self) -> bool:
        return not self.p_values

    def different(self, key: str, alpha: float = ALPHA) -> bool:
        """True when the paired test rejects 'same process as the baseline' for this metric.

        sacrebleu's tests give output identical to the baseline's their smallest p-value (a zero
        difference is "not attributed to chance"); such a system is reported as identical instead.
        """
        p = self.p_values.get(key)
        return p is not None and p < alpha and not self.identical


@dataclass
class Comparison:
    systems: list[SystemResult]
    metric_keys: list[str]
    signatures: dict[str, str]
    test: str | None = None
    n_samples: int | None = None
    seed: int | None = DEFAULT_SEED

    @property
    def baseline(self) -> SystemResult:
        return self.systems[0]

    def describe_test(self) -> str:
        if self.test is None:
            return "no paired test"
        unit = "resamples" if self.test == "bs" else "trials"
        return f"{TESTS[self.test]} with {self.n_samples} {unit} (seed {self.seed})"


def _check_names(systems: Sequence[tuple[str, Sequence[str]]]) -> None:
    if len(systems) < 2:
        raise TranslateKitError("compare needs at least two systems: the baseline first, then the others")
    names = [name for name, _ in systems]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise TranslateKitError(f"system names must differ: {', '.join(duplicates)} given twice")


def compare_systems(
    scorer: Scorer,
    systems: Sequence[tuple[str, Sequence[str]]],
    *,
    test: str | None = None,
    n_samples: int = 0,
    confidence: int = 1000,
    seed: int | None = DEFAULT_SEED,
) -> Comparison:
    """Score every system; with `test` ('bs' or 'ar') also test each one against the first.

    The paired tests cover sacrebleu's metrics; COMET, when asked for, is reported without a p-value.

    `confidence` is the number of bootstrap resamples behind each system's 95% interval (0: none);
    the paired bootstrap test gives intervals from its own resamples.
    """
    _check_names(systems)
    if test is None:
        results = [
            SystemResult(name, {s.key: s for s in scorer.corpus(hyps, confidence=confidence, seed=seed)})
            for name, hyps in systems
        ]
        signatures = {key: score.signature for key, score in results[0].scores.items()}
        return Comparison(results, list(scorer.metric_names), signatures, None, None, seed)
    if test not in TESTS:
        raise TranslateKitError(f"unknown paired test {test!r}: use one of {', '.join(TESTS)}")
    named = [(name, scorer.prepare(hyps)) for name, hyps in systems]
    with sacrebleu_seed(seed):
        paired = PairedTest(
            named,
            scorer.metrics,
            references=None,
            test_type=test,
            n_samples=n_samples,
            n_ar_confidence=confidence if (test == "ar" and confidence > 0) else -1,
        )
        sacrebleu_signatures, table = paired()
    score_names = [name for name in table if name != "System"]
    keys = list(scorer.metrics)  # PairedTest keeps the order it was given
    results = []
    for index, (name, _) in enumerate(systems):
        scores, p_values = {}, {}
        for key, score_name in zip(keys, score_names, strict=True):
            outcome = table[score_name][index]
            signature = sacrebleu_signatures[score_name].format()
            scores[key] = _from_outcome(scorer, key, score_name, outcome, signature)
            if index > 0:
                p_values[key] = float(outcome.p_value)
        identical = index > 0 and list(systems[index][1]) == list(systems[0][1])
        results.append(SystemResult(name, scores, p_values, identical))
    if "comet" in scorer.metric_names:  # no paired test for COMET here: its score only
        for result, (_, hyps) in zip(results, systems, strict=True):
            result.scores["comet"] = scorer.comet_segments(hyps)[0]
    signatures = {key: results[0].scores[key].signature for key in scorer.metric_names}
    return Comparison(results, list(scorer.metric_names), signatures, test, paired.n_samples, seed)


def _from_outcome(scorer: Scorer, key: str, score_name: str, outcome: Result, signature: str) -> MetricScore:
    """A sacrebleu significance `Result` as a MetricScore."""
    return scorer.metric_score(key, Score(score_name, outcome.score), signature, outcome.mean, outcome.ci)
