"""`--ray [ADDRESS]` and its options, shared by `translate` and `corpus build`.

Ray is imported only when `--ray` is given, and a missing Ray is one line saying which extra to
install (translate_kit.scale.cluster.require_ray).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..textio import atomic_write
from .options import apply

LOCAL = "local"


def ray_address(value: str | None) -> str | None:
    """None for a private local instance (`--ray` alone or `--ray local`), else the address."""
    return None if value in (None, LOCAL) else value


ray_option = click.option(
    "--ray",
    "ray",
    is_flag=False,
    flag_value=LOCAL,
    default=None,
    metavar="[ADDRESS]",
    help="Run on Ray (pip install 'translate-kit[ray]'): alone, a local Ray instance on this machine's "
    "cores; 'auto' joins the cluster this node is part of; HOST:PORT or ray://HOST:10001 joins that "
    "cluster. Put it after the other arguments, or write --ray=ADDRESS.",
)


ray_options = apply(
    [
        ray_option,
        click.option(
            "--shard-size",
            type=click.IntRange(1),
            default=256,
            show_default=True,
            metavar="KIB",
            help="With --ray: input per shard (the unit that is retried, recorded and resumed).",
        ),
        click.option(
            "--shard-records",
            type=click.IntRange(1),
            metavar="N",
            help="With --ray: cut one big JSONL or Parquet file into parts of N records, written as "
            "OUTPUT/part-NNNNN.jsonl or .parquet (a Parquet input always is, 10000 records a part).",
        ),
        click.option(
            "--workers",
            type=click.IntRange(1),
            help="With --ray: translator actors (default: the cluster's CPUs / threads per actor, "
            "or its GPUs with --device cuda).",
        ),
        click.option(
            "--ship-model",
            is_flag=True,
            help="With --ray: send the model to the nodes through Ray's object store (default: every "
            "node reads it from the same path).",
        ),
    ]
)
"""--ray [ADDRESS] with the translation run's --shard-size, --shard-records, --workers, --ship-model."""


def write_stats(path: str | None, stats: dict[str, Any]) -> None:
    """--stats-json: the run's counts written atomically as JSON (nothing without a path)."""
    if path:
        with atomic_write(path) as handle:
            json.dump(stats, handle, indent=2, ensure_ascii=False)
            handle.write("\n")


def progress_bar(desc: str, unit: str, total: int):
    """A tqdm bar on stderr."""
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, file=sys.stderr, dynamic_ncols=True, desc=desc)


def translate_on_ray(
    source: str,
    output: str | None,
    options: Any,
    fmt: str | None,
    address: str,
    *,
    shard_kib: int,
    shard_records: int | None,
    workers: int | None,
    ship_model: bool,
    quiet: bool,
    stats_json: str | None,
) -> None:
    """`translate --ray`: the run on Ray (api.TranslateOptions `options`), its summary, failed
    documents and stats."""
    from ..scale import RayOptions, translate_documents_on_ray

    if output in (None, "-"):
        raise click.UsageError("--ray writes files: give -o OUTPUT (a file, folder or URI)")
    bars: list = []

    def progress(done: int, total: int, sentences: int) -> None:
        """Shards done of all shards, and sentences; the bar appears once the cluster is joined."""
        if quiet:
            return
        if not bars:
            bars.append(progress_bar("translate", "shard", total))
        bars[0].n = done
        bars[0].set_postfix(sentences=sentences)
        bars[0].refresh()

    ray_options = RayOptions(ray_address(address), shard_kib << 10, shard_records, workers, ship_model)
    try:
        result = translate_documents_on_ray(source, output, options, fmt=fmt, ray_options=ray_options,
                                            progress=progress)
    finally:
        for bar in bars:
            bar.close()
    stats = result.stats
    write_stats(stats_json, stats)
    if not quiet:
        click.echo(
            f"{stats['documents']} document(s) translated, {stats['documents_skipped']} already done "
            f"({stats['shards']} shards, {stats['shards_skipped']} done before, {stats['worker_failures']} "
            f"worker failure(s) retried); {stats['sentences']} sentences: {stats['translated']} translated, "
            f"{stats['cached']} from memory, {stats['duplicates']} repeated, {stats['passthrough']} kept; "
            f"{stats['seconds']:.1f} s",
            err=True,
        )
    if result.errors:
        click.echo(
            f"error: {len(result.errors)} document(s) failed (the rest is done), see {result.errors_path}: "
            f"{result.errors[0]['error']}",
            err=True,
        )
        sys.exit(1)
