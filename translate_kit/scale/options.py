"""What a caller sets for a Ray run, and what it gets back (importable without Ray)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEFAULT_SHARD_BYTES = 256 << 10
DEFAULT_SHARD_RECORDS = 10_000


@dataclass
class RayOptions:
    """How the work is spread: cluster address, shard size, workers, retries."""

    address: str | None = None  # None: a local instance; "auto", "HOST:PORT" or "ray://HOST:PORT"
    shard_bytes: int = DEFAULT_SHARD_BYTES
    shard_records: int | None = None  # a big JSONL/Parquet file in parts of this many records
    workers: int | None = None  # translator actors (default: the cluster's CPUs / threads per actor)
    ship_model: bool = False  # send the model through the object store instead of a shared path
    max_retries: int = 3  # actor restarts and task retries after a worker dies
    engine_factory: Callable[[Any], Any] | None = None  # a stand-in engine (tests: one that fails)


@dataclass
class RayResult:
    """The run's stats (the local run's keys plus shards, per-shard counts, worker failures) and
    the documents that failed, also written to `errors_path`."""

    stats: dict[str, Any]
    errors: list[dict[str, str]] = field(default_factory=list)
    errors_path: str | None = None
