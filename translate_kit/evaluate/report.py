"""Scores as text, JSON, CSV, Markdown, or a self-contained HTML page with a bar chart.

Tables are pandas DataFrames (what a script post-processes); text is sacrebleu's own line format
for single-system scores, so the output can be pasted next to the ``sacrebleu`` command line's.
The HTML page embeds its chart as a base64 PNG and its style inline: it opens without network.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from .. import __version__
from ..errors import TranslateKitError
from .scorer import MetricScore
from .significance import ALPHA, Comparison, SystemResult

FORMATS = ("text", "json", "csv", "markdown")

SIGNIFICANCE_NOTE = (
    "p-value: the probability of a score difference at least this large if the system and the baseline "
    "were produced by the same underlying process. * p < {alpha}: the system is different from the "
    "baseline. Significance does not say which system is better, only that the difference is unlikely "
    "to be chance."
)


def _check_format(fmt: str, allowed: Sequence[str] = FORMATS) -> None:
    if fmt not in allowed:
        raise TranslateKitError(f"unknown format {fmt!r}: use one of {', '.join(allowed)}")


def _interval_text(score: MetricScore, width: int) -> str:
    if score.mean is None:
        return ""
    return f"{score.mean:.{width}f} ± {score.ci:.{width}f}"


def evaluation_table(scores: Sequence[MetricScore]) -> pd.DataFrame:
    """One row per metric: score, bootstrap mean and 95% interval when computed, detail, signature."""
    rows = []
    for s in scores:
        low, high = s.interval or (None, None)
        rows.append(
            {
                "metric": s.name,
                "score": s.score,
                "mean": s.mean,
                "ci95": s.ci,
                "ci95_low": low,
                "ci95_high": high,
                "detail": s.verbose,
                "signature": s.signature,
            }
        )
    table = pd.DataFrame(rows)
    if all(s.mean is None for s in scores):
        table = table.drop(columns=["mean", "ci95", "ci95_low", "ci95_high"])
    return table


def render_evaluation(
    scores: Sequence[MetricScore], fmt: str = "text", width: int = 1, meta: dict[str, Any] | None = None
) -> str:
    """A single system's corpus scores in `fmt`; `meta` (files, preset, lines) goes into the JSON."""
    _check_format(fmt)
    if fmt == "text":
        return "\n".join(s.line(width) for s in scores) + "\n"
    if fmt == "json":
        document = {"translate_kit": __version__, **(meta or {}), "scores": [s.to_dict() for s in scores]}
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    table = evaluation_table(scores)
    if fmt == "csv":
        return table.to_csv(index=False)
    shown = table.drop(columns=["signature"])
    lines = [shown.to_markdown(index=False, floatfmt=f".{width}f"), "", "Signatures:", ""]
    lines += [f"- {s.name}: `{s.signature}`" for s in scores]
    return "\n".join(lines) + "\n"


def render_sentences(table: pd.DataFrame, fmt: str = "csv", width: int = 1) -> str:
    """The sentence-level table (see `sentences.sentence_scores`); JSON also carries the signatures."""
    _check_format(fmt)
    if fmt == "csv":
        return table.to_csv(index=False)
    if fmt == "json":
        records = json.loads(table.to_json(orient="records", force_ascii=False))
        document = {
            "translate_kit": __version__,
            "signatures": table.attrs.get("signatures", {}),
            "sentences": records,
        }
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    if fmt == "markdown":
        return table.to_markdown(index=False, floatfmt=f".{width}f") + "\n"
    return table.to_string(index=False, max_colwidth=60, float_format=lambda x: f"{x:.{width}f}") + "\n"


def comparison_table(comparison: Comparison, width: int | None = None) -> pd.DataFrame:
    """One row per system (baseline first). Numbers as floats, or as display strings when `width` is set."""
    rows = []
    for system in comparison.systems:
        row: dict[str, Any] = {"system": system.name, "baseline": system.is_baseline}
        for key in comparison.metric_keys:
            score = system.scores[key]
            if width is None:
                row[score.name] = score.score
                if score.mean is not None:
                    row[f"{score.name} mean"] = score.mean
                    row[f"{score.name} ci95"] = score.ci
                if comparison.test is not None:
                    row[f"{score.name} p"] = system.p_values.get(key)
                continue
            text = f"{score.score:.{width}f}"
            if score.mean is not None:
                text += f" ({_interval_text(score, width)})"
            row[score.name] = text
            if comparison.test is not None:
                row[f"{score.name} p"] = _p_text(system, key)
        rows.append(row)
    return pd.DataFrame(rows)


def _p_text(system: SystemResult, key: str) -> str:
    p = system.p_values.get(key)
    if p is None:
        return ""
    if system.identical:
        return f"{p:.4f} (identical output)"
    return f"{p:.4f}" + ("*" if system.different(key) else "")


def _comparison_notes(comparison: Comparison, bullet: str = " - ", code: bool = False) -> list[str]:
    lines = [f"Baseline: {comparison.baseline.name}. Test: {comparison.describe_test()}."]
    if any(s.mean is not None for s in comparison.baseline.scores.values()):
        lines.append("Scores are followed by the bootstrap mean ± half-width of the 95% interval.")
    if comparison.test is not None:
        lines.append(SIGNIFICANCE_NOTE.format(alpha=ALPHA))
    lines += ["", "Signatures:"]
    for key, signature in comparison.signatures.items():
        name = comparison.baseline.scores[key].name
        lines.append(f"{bullet}{name}: " + (f"`{signature}`" if code else signature))
    return lines


def render_comparison(comparison: Comparison, fmt: str = "text", width: int = 1) -> str:
    """Several systems against a baseline in `fmt` (the HTML page is `html_report`)."""
    _check_format(fmt)
    if fmt == "json":
        document = {
            "translate_kit": __version__,
            "test": comparison.test,
            "n_samples": comparison.n_samples,
            "seed": comparison.seed,
            "baseline": comparison.baseline.name,
            "signatures": comparison.signatures,
            "systems": [
                {
                    "system": system.name,
                    "scores": [system.scores[key].to_dict() for key in comparison.metric_keys],
                    "p_values": system.p_values,
                    "identical_to_baseline": system.identical,
                    "different_from_baseline": {key: system.different(key) for key in system.p_values},
                }
                for system in comparison.systems
            ],
        }
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        return comparison_table(comparison).to_csv(index=False)
    table = comparison_table(comparison, width).drop(columns=["baseline"])
    if fmt == "markdown":
        body = table.to_markdown(index=False, stralign="right")
        return "\n".join([body, "", *_comparison_notes(comparison, "- ", code=True)]) + "\n"
    body = table.to_string(index=False)
    return "\n".join([body, "", *_comparison_notes(comparison)]) + "\n"


def bar_chart_png(comparison: Comparison) -> bytes:
    """One panel per metric: a bar per system at its score, whiskers at its 95% interval."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    keys = comparison.metric_keys
    figure = Figure(figsize=(max(4.0, 1.2 * len(comparison.systems) + 1.5) * len(keys), 3.8), dpi=100)
    axes = figure.subplots(1, len(keys), squeeze=False)[0]
    names = [system.name for system in comparison.systems]
    for axis, key in zip(axes, keys, strict=True):
        scores = [system.scores[key] for system in comparison.systems]
        values = [s.score for s in scores]
        colours = ["#7f7f7f" if system.is_baseline else "#1f77b4" for system in comparison.systems]
        axis.bar(range(len(values)), values, color=colours)
        if all(s.interval for s in scores):
            lower = [max(0.0, s.score - s.interval[0]) for s in scores]
            upper = [max(0.0, s.interval[1] - s.score) for s in scores]
            axis.errorbar(
                range(len(values)), values, yerr=[lower, upper], fmt="none", ecolor="black", capsize=4
            )
        labels = [
            name + ("*" if system.different(key) else "")
            for name, system in zip(names, comparison.systems, strict=True)
        ]
        axis.set_xticks(range(len(values)), labels, rotation=20, ha="right", fontsize=8)
        axis.set_title(scores[0].name + (" (lower is better)" if not scores[0].higher_is_better else ""))
        low = min(s.interval[0] if s.interval else s.score for s in scores)
        high = max(s.interval[1] if s.interval else s.score for s in scores)
        margin = 0.15 * (high - low + 1.0)
        axis.set_ylim(max(0.0, low - margin), high + margin)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


_STYLE = (
    "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:.3em .7em;text-align:right}th{background:#f3f3f3}"
    "td:first-child{text-align:left}code{font-size:.85em;word-break:break-all}img{max-width:100%}"
)


def html_report(comparison: Comparison, width: int = 1, title: str = "translate-kit comparison") -> str:
    """A self-contained HTML page: table, chart (inline PNG), test description and signatures."""
    table = comparison_table(comparison, width).drop(columns=["baseline"])
    chart = base64.b64encode(bar_chart_png(comparison)).decode("ascii")
    notes = [
        f"<p>Baseline: <b>{html.escape(comparison.baseline.name)}</b>. "
        f"Test: {html.escape(comparison.describe_test())}.</p>"
    ]
    if comparison.test is not None:
        notes.append(f"<p>{html.escape(SIGNIFICANCE_NOTE.format(alpha=ALPHA))}</p>")
    signatures = "".join(
        f"<li>{html.escape(comparison.baseline.scores[key].name)}: <code>{html.escape(sig)}</code></li>"
        for key, sig in comparison.signatures.items()
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"{table.to_html(index=False, escape=True, border=0)}"
        f'<img alt="scores of each system with 95% intervals" src="data:image/png;base64,{chart}">'
        "<p><small>Bars: scores (grey: the baseline); whiskers: bootstrap 95% intervals; "
        "* after a name: different from the baseline (p &lt; 0.05).</small></p>"
        f"{''.join(notes)}<h2>Signatures</h2><ul>{signatures}</ul>"
        f"<p><small>translate-kit {html.escape(__version__)}</small></p></body></html>\n"
    )
