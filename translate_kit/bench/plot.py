"""The Pareto plot: what each setting gives (quality, or speed) against what it costs (memory, latency).

With quality measured, the panels are quality against memory and against time per sentence;
without it (synthetic models), speed against memory and latency. Several models share one plot.

A setting is on the frontier when no other setting is at least as good on both axes and better
on one; those are the only settings worth choosing between, and the plot joins them with a line.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # files only: never needs a display
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

COSTS = (("peak_rss_mb", "peak RSS (MB)"), ("latency_p90_ms", "latency p90, one sentence (ms)"))
# With quality measured, speed becomes a cost too: batch time per sentence beside memory.
QUALITY_COSTS = (("peak_rss_mb", "peak RSS (MB)"), ("ms_per_sentence", "batch time per sentence (ms)"))


def pareto_front(cost: Sequence[float], gain: Sequence[float]) -> list[int]:
    """Indices of the points that no other point dominates (lower cost, higher gain), by cost."""
    points = [(c, g, i) for i, (c, g) in enumerate(zip(cost, gain, strict=True))
              if np.isfinite(c) and np.isfinite(g)]
    points.sort(key=lambda p: (p[0], -p[1]))
    front, best = [], -np.inf
    for _cost, g, i in points:
        if g > best:
            front.append(i)
            best = g
    return front


def gain_column(table: pd.DataFrame) -> tuple[str, str]:
    """chrF++ when the run measured quality, else target tokens/s."""
    if "chrf++" in table and table["chrf++"].notna().any():
        return "chrf++", "chrF++"
    return "tok_s", "target tokens/s"


def pareto_png(table: pd.DataFrame, labels: Sequence[str]) -> bytes:
    """Two panels (gain vs memory, gain vs latency) as PNG bytes; failed settings are left out."""
    gain, gain_label = gain_column(table)
    quality = gain != "tok_s"
    table = table.assign(ms_per_sentence=1000.0 / table["sent_s"])
    ok = (table["status"] == "ok").to_numpy()
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.5), constrained_layout=True)
    for axis, (cost, cost_label) in zip(axes, QUALITY_COSTS if quality else COSTS, strict=True):
        x = table[cost].to_numpy(dtype=float)
        y = table[gain].to_numpy(dtype=float)
        x, y = np.where(ok, x, np.nan), np.where(ok, y, np.nan)
        axis.scatter(x, y, color="tab:blue", zorder=3)
        front = pareto_front(x, y)
        axis.plot(x[front], y[front], color="tab:orange", marker="o", markersize=11, markerfacecolor="none",
                  zorder=2, label="Pareto front")
        for i, text in enumerate(labels):
            if np.isfinite(x[i]) and np.isfinite(y[i]):
                axis.annotate(text, (x[i], y[i]), textcoords="offset points", xytext=(4, 4), fontsize=7)
        axis.set_xlabel(cost_label)
        axis.set_ylabel(gain_label)
        axis.grid(alpha=0.3)
        if front:
            axis.legend(loc="best", fontsize=8)
    against = "memory and speed" if quality else "memory and latency"
    figure.suptitle(f"{gain_label} against {against} (up and left is better)")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=120)
    plt.close(figure)
    return buffer.getvalue()
