"""What a caller sets for a Ray run, and what it gets back (importable without Ray)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .cluster import ClusterError

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


@dataclass(frozen=True)
class ActorLayout:
    """The translator actors a cluster can hold: how many, the Ray resources each asks for, and the
    device and CTranslate2 threads each one's model runs with."""

    count: int
    resources: dict[str, float]
    device: str
    threads: int


def wants_gpu(device: str, nodes: Sequence[Mapping[str, float]]) -> bool:
    """`cuda`/`cuda:N` always; `auto` when the cluster has a GPU (as CTranslate2's auto picks one)."""
    if device.startswith("cuda"):
        return True
    return device == "auto" and any(node.get("GPU", 0) >= 1 for node in nodes)


def actor_layout(
    nodes: Sequence[Mapping[str, float]], device: str, threads: int, workers: int | None = None
) -> ActorLayout:
    """How translator actors fit the cluster's nodes (each node's Ray resources, e.g. {"CPU": 8,
    "GPU": 1}), for `threads` CPU threads per actor (thread_layout's intra threads).

    CPU: an actor asks for `threads` CPUs, fewer when no node has that many (an actor bigger than
    every node would never be placed and the run would wait forever); one actor per `threads`
    CPUs of each node. GPU: one GPU and one CPU (tokenising) per actor, one actor per GPU; Ray
    gives each actor its own GPU through CUDA_VISIBLE_DEVICES, so its model runs on `cuda` (index
    0 of what it sees) whatever index the user named. `workers` overrides the count.
    """
    if wants_gpu(device, nodes):
        gpus = sum(int(node.get("GPU", 0)) for node in nodes)
        if gpus == 0:
            raise ClusterError(f"--device {device}: the Ray cluster has no GPU (start nodes with GPUs, "
                               "or use --device cpu)")
        return ActorLayout(workers or gpus, {"num_gpus": 1, "num_cpus": 1}, "cuda", 1)
    largest = max((int(node.get("CPU", 0)) for node in nodes), default=0)
    if largest == 0:
        raise ClusterError("the Ray cluster has no CPU to run translators on")
    per_actor = max(1, min(threads, largest))
    fitting = sum(int(node.get("CPU", 0)) // per_actor for node in nodes)
    device = "cpu" if device == "auto" else device
    return ActorLayout(workers or max(1, fitting), {"num_cpus": per_actor}, device, per_actor)
