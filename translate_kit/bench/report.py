"""Benchmark records -> one pandas table (median and spread per setting), files, and comparisons.

Spread is the range of the repeats relative to their median, `(max - min) / median` in percent:
with three repeats it says plainly how far apart the runs were, which matters more on a shared
machine than a standard deviation of three numbers would. Latency percentiles pool every
one-sentence call of every repeat.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..textio import atomic_write, read_text
from .grid import KNOBS, label

SETTING_COLUMNS = list(KNOBS)
QUALITY_METRICS = ("bleu", "chrf++")
SPEED_METRICS = ("tok_s", "words_s", "sent_s", "translate_s")

# Markdown headers for the columns worth reading at a glance (the CSV keeps every column).
SHOWN = {
    "tok_s": "target tok/s",
    "tok_s_spread_pct": "± %",
    "words_s": "src words/s",
    "sent_s": "sent/s",
    "translate_s": "time s",
    "e2e_s": "time+load s",
    "latency_p50_ms": "p50 ms",
    "latency_p90_ms": "p90 ms",
    "latency_p99_ms": "p99 ms",
    "peak_rss_mb": "peak RSS MB",
    "model_mb": "model MB",
    "bleu": "BLEU",
    "chrf++": "chrF++",
}


def render_markdown(table: pd.DataFrame, floatfmt: str = ".1f") -> str:
    """A pipe table; missing numbers (NaN) print as "-", not "nan"."""
    shown = table.astype(object).where(table.notna(), None)
    return shown.to_markdown(index=False, floatfmt=floatfmt, missingval="-")


def median_and_spread(values: Sequence[float]) -> tuple[float, float]:
    """(median, (max - min) / median * 100); NaNs for no values."""
    if not len(values):
        return math.nan, math.nan
    array = np.asarray(values, dtype=float)
    middle = float(np.median(array))
    spread = float((array.max() - array.min()) / middle * 100.0) if middle else math.nan
    return middle, spread


def summarize_record(record: dict[str, Any]) -> dict[str, Any]:
    """One table row from one setting's record (the worker's raw runs plus the parent's facts)."""
    row: dict[str, Any] = {"model": record.get("model", ""), "family": record.get("family", "")}
    row.update({key: record.get(key) for key in SETTING_COLUMNS})
    row.update(status=record["status"], error=record.get("error") or "")
    runs = record.get("runs") or []
    seconds = [run["seconds"] for run in runs]
    per_run = {
        "tok_s": [run["target_tokens"] / run["seconds"] for run in runs],
        "words_s": [record["source_words"] / s for s in seconds],
        "sent_s": [record["sentences"] / s for s in seconds],
        "translate_s": seconds,
        "cpu_per_wall": [run["cpu_seconds"] / run["seconds"] for run in runs],
    }
    for name, values in per_run.items():
        row[name], row[f"{name}_spread_pct"] = median_and_spread(values)
    row["target_tokens"] = float(np.median([run["target_tokens"] for run in runs])) if runs else math.nan
    row["sentences"] = record["sentences"]
    row["import_s"] = record.get("import_s", math.nan)
    row["load_s"] = record.get("load_s", math.nan)
    row["e2e_s"] = row["load_s"] + row["translate_s"]
    latency = record.get("latency_ms") or []
    for pct in (50, 90, 99):
        row[f"latency_p{pct}_ms"] = float(np.percentile(latency, pct)) if latency else math.nan
    row["peak_rss_mb"] = record["peak_rss_mb"]
    row["model_mb"] = record["model_mb"]
    row["intra_threads"] = record.get("intra_threads")
    row["inter_threads_used"] = record.get("inter_threads")
    quality = record.get("quality") or {}
    for metric in QUALITY_METRICS:
        row[metric] = quality[metric]["score"] if metric in quality else math.nan
    row["quality_note"] = quality.get("note", "")
    return row


def summarize(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The results table: one row per setting, in the order measured."""
    return pd.DataFrame([summarize_record(record) for record in records])


def signatures(records: Sequence[dict[str, Any]]) -> dict[str, str]:
    """The metric signatures (the same for every setting of a run, so the first one found)."""
    found: dict[str, str] = {}
    for record in records:
        for metric, value in (record.get("quality") or {}).items():
            if isinstance(value, dict) and "signature" in value:
                found.setdefault(metric, value["signature"])
    return found


def _several_models(table: pd.DataFrame) -> bool:
    return "model" in table and table["model"].nunique() > 1


def _setting_labels(table: pd.DataFrame, varied: Sequence[str]) -> list[str]:
    """`beam=5 threads=2`, prefixed by the model's name when the table holds several models."""
    keys = list(varied) or ([] if _several_models(table) else SETTING_COLUMNS)
    labels = [label(row, keys) for row in table[SETTING_COLUMNS].to_dict("records")]
    if _several_models(table):
        labels = [f"{model} {text}".strip() for model, text in zip(table["model"], labels, strict=True)]
    return labels


def markdown_table(table: pd.DataFrame, varied: Sequence[str]) -> str:
    """The table ready to paste: the varied knobs as the setting, a failed row shows its status."""
    keys = list(varied) or ([] if _several_models(table) else SETTING_COLUMNS)
    settings = [label(row, keys) for row in table[SETTING_COLUMNS].to_dict("records")]
    shown = pd.DataFrame({"setting": settings, "status": table["status"]})
    if _several_models(table):
        shown.insert(0, "model", [f"{m} ({f})" for m, f in zip(table["model"], table["family"], strict=True)])
        if not keys:
            shown = shown.drop(columns="setting")
    for column, header in SHOWN.items():
        if column in ("bleu", "chrf++") and table[column].isna().all():
            continue
        shown[header] = table[column]
    if table["quality_note"].astype(bool).any():
        shown["quality"] = table["quality_note"]
    measured = [header for column, header in SHOWN.items() if column != "model_mb" and header in shown]
    shown.loc[table["status"] != "ok", measured] = math.nan  # a failed setting measured nothing
    return render_markdown(shown)


def _model_line(model: dict[str, Any], named: bool) -> str:
    synthetic = " (synthetic: random weights, speed only)" if model["synthetic"] else ""
    name = f" {model['name']}" if named else ""
    return f"- model{name}: fingerprint {model['fingerprint']}, {model['disk_mb']} MB on disk{synthetic}"


def markdown_report(
    table: pd.DataFrame, env: dict[str, Any], varied: Sequence[str], sigs: dict[str, str]
) -> str:
    """results.md: what was measured, on what, how, the table, and the failed rows explained."""
    machine, test, plan = env["machine"], env["test_set"], env["plan"]
    models = env.get("models") or [env["model"]]
    software = ", ".join(f"{name} {version}" for name, version in env["software"].items())
    first = env["settings"][0] if env["settings"] else {}
    fixed = {key: first[key] for key in SETTING_COLUMNS if key not in varied and key in first}
    title = " vs ".join(model["name"] for model in models)
    lines = [
        f"# translate-kit bench: {title} ({models[0]['direction']})",
        "",
        f"- date: {env['date']}",
        f"- command: `{env['command']}`",
        f"- machine: {machine['cpu']}, {machine['usable_cores']} usable cores "
        f"({', '.join(machine['cpu_flags']) or 'no AVX2'}), {machine['memory_total_mb']} MB RAM, "
        f"load average at start {machine['load_average']}, {machine['os']}",
        f"- software: {software}",
        *(_model_line(model, len(models) > 1) for model in models),
        f"- test set: {test['source']} (sha256 {test['source_sha256'][:16]}...), "
        f"{test['sentences']} sentences"
        + (f", {test['skipped_empty_lines']} empty lines skipped" if test.get("skipped_empty_lines") else "")
        + (f"; references {test['reference']}" if test.get("reference") else ""),
        f"- plan: {plan['repeat']} repeats after a warm-up of {plan['warmup']} sentences, each setting in a "
        f"fresh process; latency over {plan['latency_sentences']} sentences one at a time per repeat"
        + (f"; output length pinned to {plan['pin_length']} tokens" if plan.get("pin_length") else "")
        + (f"; memory capped at {plan['max_memory_mb']} MB" if plan.get("max_memory_mb") else ""),
        f"- fixed settings: {', '.join(f'{k}={v}' for k, v in fixed.items()) or 'none'}",
        "",
        markdown_table(table, varied),
        "",
        "Speeds are medians over the repeats; ± is (max - min) / median of target tokens/s. "
        "time+load adds the model load to the translation time. Peak RSS is the whole child process.",
    ]
    if sigs:
        lines += ["", "Signatures:", ""] + [f"- {metric}: `{sig}`" for metric, sig in sigs.items()]
    failed = table[table["status"] != "ok"]
    if len(failed):
        lines += ["", "Settings not measured:", ""]
        lines += [f"- {row_label}: {status}: {error}" for row_label, status, error in zip(
            _setting_labels(failed, varied), failed["status"], failed["error"], strict=True)]
    return "\n".join(lines) + "\n"


def write_all(
    records: Sequence[dict[str, Any]], env: dict[str, Any], output: Path, varied: Sequence[str]
) -> None:
    """results.csv, results.json (rows + environment + signatures), results.md, pareto.png."""
    from .plot import pareto_png

    table = summarize(records)
    sigs = signatures(records)
    with atomic_write(output / "results.csv") as handle:
        table.to_csv(handle, index=False)
    payload = {"environment": env, "signatures": sigs, "results": json.loads(table.to_json(orient="records"))}
    with atomic_write(output / "results.json") as handle:
        json.dump(payload, handle, indent=1, ensure_ascii=False)
    with atomic_write(output / "results.md") as handle:
        handle.write(markdown_report(table, env, varied, sigs))
    with atomic_write(output / "pareto.png", "wb") as handle:
        handle.write(pareto_png(table, _setting_labels(table, varied)))


def read_results(path: str | Path) -> pd.DataFrame:
    """A results.csv written by `bench`; anything else is refused with the reason."""
    import io

    try:
        table = pd.read_csv(io.StringIO(read_text(path)))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"not a results.csv: {exc}", str(path)) from None
    missing = [c for c in (*SETTING_COLUMNS, "status", "tok_s", "peak_rss_mb") if c not in table.columns]
    if missing:
        raise InputError(f"not a translate-kit bench results.csv (missing {', '.join(missing)})", str(path))
    return table


COMPARED = {"tok_s": "tok/s", "latency_p50_ms": "p50 ms", "peak_rss_mb": "RSS MB", "chrf++": "chrF++"}


def compare(first: pd.DataFrame, second: pd.DataFrame, names: tuple[str, str] = ("a", "b")) -> pd.DataFrame:
    """Two runs side by side, matched on the setting (and the model, when both runs name several);
    ratios b/a for speed, latency and memory, differences b - a for quality. A setting present in
    only one run keeps its row."""
    a, b = names
    keys = [*(["model"] if _several_models(first) and _several_models(second) else []), *SETTING_COLUMNS]
    keyed = [t.assign(**{k: t[k].astype(str) for k in keys}) for t in (first, second)]
    merged = keyed[0].merge(keyed[1], on=keys, how="outer", suffixes=(f" {a}", f" {b}"))
    varied = [k for k in SETTING_COLUMNS if merged[k].nunique() > 1]
    out = pd.DataFrame({"setting": _setting_labels(merged, varied)})
    out[f"status {a}"], out[f"status {b}"] = merged[f"status {a}"], merged[f"status {b}"]
    for column, header in COMPARED.items():
        if f"{column} {a}" not in merged or merged[[f"{column} {a}", f"{column} {b}"]].isna().all().all():
            continue
        left, right = merged[f"{column} {a}"], merged[f"{column} {b}"]
        out[f"{header} {a}"], out[f"{header} {b}"] = left, right
        if column in QUALITY_METRICS:
            out[f"{header} {b}-{a}"] = right - left
        else:
            out[f"{header} {b}/{a}"] = right / left
    return out
