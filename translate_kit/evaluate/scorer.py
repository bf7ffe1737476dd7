"""Corpus scores with signatures: references prepared once, any number of systems scored against them.

A `Scorer` holds the references (as a preset prepares them) and the configured sacrebleu metrics.
Every score carries sacrebleu's own signature followed by ours (``preset``, ``textnorm`` and the
translate-kit version; not ``norm``, which TER's own signature already uses), so a number can be
reproduced and compared only with numbers made the same way. With ``preset="none"`` the sacrebleu
part equals the ``sacrebleu`` command line's signature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sacrebleu.metrics.base import Metric, Score

from .. import __version__
from ..errors import InputError, TranslateKitError
from ..languages import normalize_lang
from .metrics import (
    DEFAULT_METRICS,
    DEFAULT_SEED,
    LOWER_IS_BETTER,
    SACREBLEU_METRICS,
    MetricOptions,
    build_metric,
    cache_references,
    parse_metric_names,
    sacrebleu_seed,
)
from .presets import get_preset


@dataclass
class MetricScore:
    """One corpus score; `mean` and `ci` (half-width of the 95% interval) come from bootstrap resampling."""

    key: str
    name: str
    score: float
    signature: str
    sacrebleu_signature: str
    verbose: str = ""
    mean: float | None = None
    ci: float | None = None
    raw: Score | None = field(default=None, repr=False, compare=False)

    @property
    def higher_is_better(self) -> bool:
        return self.key not in LOWER_IS_BETTER

    @property
    def interval(self) -> tuple[float, float] | None:
        if self.mean is None or self.ci is None:
            return None
        return (self.mean - self.ci, self.mean + self.ci)

    def line(self, width: int = 1) -> str:
        """sacrebleu's own text line (``NAME|signature = score verbose``) with our signature."""
        raw = self.raw or Score(self.name, self.score)
        return raw.format(width, signature=self.signature)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "metric": self.key,
            "name": self.name,
            "score": self.score,
            "signature": self.signature,
            "sacrebleu_signature": self.sacrebleu_signature,
        }
        if self.verbose:
            data["verbose"] = self.verbose
        if self.mean is not None:
            data.update(mean=self.mean, ci95=self.ci, ci95_low=self.interval[0], ci95_high=self.interval[1])
        return data


def _references_as_streams(references: Sequence[Sequence[str]] | Sequence[str]) -> list[list[str]]:
    """Accept one reference stream (list of lines) or several (list of lists)."""
    if references and isinstance(references[0], str):
        return [list(references)]  # type: ignore[arg-type]
    return [list(stream) for stream in references]


class Scorer:
    """Prepared references and metrics; `corpus()` scores one system, `paired` tests reuse the cache."""

    def __init__(
        self,
        references: Sequence[Sequence[str]] | Sequence[str],
        *,
        lang: str,
        metrics: str | Sequence[str] = DEFAULT_METRICS,
        preset: str = "none",
        options: MetricOptions | None = None,
        sources: Sequence[str] | None = None,
        comet_model: str | None = None,
    ):
        self.lang = normalize_lang(lang)
        self.metric_names = parse_metric_names(metrics)
        self.preset = get_preset(preset)
        self.preparation = self.preset.for_lang(self.lang)
        self.options = options or MetricOptions()
        implied = self.preparation.bleu_tokenize
        if implied and self.options.tokenize and self.options.tokenize != implied:
            raise TranslateKitError(
                f"preset {self.preset.name!r} scores {self.lang} with --tokenize {implied}; "
                f"drop --tokenize {self.options.tokenize} or use --preset none"
            )
        self.references = _references_as_streams(references)
        if not self.references or not self.references[0]:
            raise InputError("no reference lines to score against")
        self.sources = list(sources) if sources is not None else None
        self._prepared_refs = [self.preparation.apply(stream) for stream in self.references]
        self.metrics: dict[str, Metric] = {}
        for name in self.metric_names:
            if name in SACREBLEU_METRICS:
                metric = self.build(name)
                cache_references(metric, self._prepared_refs)
                self.metrics[name] = metric
        self._comet = None
        if "comet" in self.metric_names:
            from .comet import CometScorer

            if self.sources is None:
                raise TranslateKitError("COMET needs the source sentences: pass --source FILE")
            self._comet = CometScorer(comet_model)

    def __len__(self) -> int:
        return len(self.references[0])

    @property
    def signature_suffix(self) -> str:
        preparation = f"preset:{self.preset.name}|textnorm:{self.preparation.normalisation}"
        return f"{preparation}|translate-kit:{__version__}"

    def extend(self, sacrebleu_signature: str) -> str:
        return f"{sacrebleu_signature}|{self.signature_suffix}"

    def build(self, name: str, *, sentence_level: bool = False) -> Metric:
        """A sacrebleu metric configured like this scorer's (without cached references)."""
        return build_metric(
            name, self.options, tokenize=self.preparation.bleu_tokenize, sentence_level=sentence_level
        )

    def prepare(self, hypotheses: Sequence[str]) -> list[str]:
        """Hypotheses as the preset prepares them, after checking they align with the references."""
        if len(hypotheses) != len(self):
            raise InputError(f"{len(hypotheses)} hypotheses for {len(self)} reference lines: they must align")
        return self.preparation.apply(hypotheses)

    @property
    def prepared_references(self) -> list[list[str]]:
        return self._prepared_refs

    def corpus(
        self, hypotheses: Sequence[str], *, confidence: int = 0, seed: int | None = DEFAULT_SEED
    ) -> list[MetricScore]:
        """Corpus scores in the order asked for; `confidence` = bootstrap resamples (0: none)."""
        prepared = self.prepare(hypotheses)
        results = []
        for key in self.metric_names:
            if key == "comet":
                results.append(self._comet_score(hypotheses))
                continue
            metric = self.metrics[key]
            metric.n_bootstrap, metric.seed = None, None  # no resampling record left from an earlier call
            with sacrebleu_seed(seed):
                score = metric.corpus_score(prepared, None, n_bootstrap=max(confidence, 1))
            interval = (score._mean, score._ci) if confidence > 1 else (None, None)
            results.append(self.metric_score(key, score, metric.get_signature().format(), *interval))
        return results

    def metric_score(
        self,
        key: str,
        score: Score,
        sacrebleu_signature: str,
        mean: float | None = None,
        ci: float | None = None,
    ) -> MetricScore:
        return MetricScore(
            key=key,
            name=score.name,
            score=float(score.score),
            signature=self.extend(sacrebleu_signature),
            sacrebleu_signature=sacrebleu_signature,
            verbose=score._verbose,
            mean=None if mean is None else float(mean),
            ci=None if ci is None else float(ci),
            raw=score,
        )

    def _comet_score(self, hypotheses: Sequence[str]) -> MetricScore:
        system, _ = self.comet_segments(hypotheses)
        return system

    def comet_segments(self, hypotheses: Sequence[str]) -> tuple[MetricScore, list[float]]:
        """COMET reads raw text (its model does its own tokenisation); only the first reference is used."""
        assert self._comet is not None and self.sources is not None
        value, segments = self._comet.score(self.sources, list(hypotheses), self.references[0])
        signature = self._comet.signature()
        score = Score("COMET", value)
        return self.metric_score("comet", score, signature), segments
