"""`ray://HOST:PORT` (Ray Client): the run's driver as one task inside the cluster.

Ray Data does not run through Ray Client: its executor needs the core worker a client process does
not have (ray-project/ray#42739, "Ray client does not work with Ray Data"; Ray advises `ray job
submit` instead). So through a `ray://` address the whole driver -- listing inputs, the Ray Data
pipeline, merging memories, the errors file -- runs as one Ray task on the cluster, as a submitted
job's driver would, and its progress comes back through a Ray queue. Inputs, outputs, the model
and the translation memory are therefore paths as the cluster's nodes see them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import TranslateKitError
from .cluster import ClusterError, connect, require_ray

POLL_SECONDS = 0.5


def is_client_address(address: str | None) -> bool:
    return bool(address) and address.startswith("ray://")


def run_through_client(
    address: str,
    run: Callable[..., Any],
    args: tuple,
    kwargs: dict[str, Any],
    progress: Callable[[int, int, int], None] | None,
) -> Any:
    """`run(*args, progress=..., **kwargs)` as a task in the cluster at `address`, its progress
    relayed here; its TranslateKitError (bad input, unwritable output) is raised here as one line."""
    ray = require_ray()
    from ray.util.queue import Queue

    with connect(address):
        updates = Queue()
        driver = ray.remote(num_cpus=0, max_retries=0)(_drive).remote(run, updates, args, kwargs)
        while True:
            ready, _ = ray.wait([driver], timeout=POLL_SECONDS)
            for update in updates.get_nowait_batch(updates.qsize()):
                if progress:
                    progress(*update)
            if ready:
                break
        try:
            return ray.get(driver)
        except ray.exceptions.RayTaskError as exc:
            cause = getattr(exc, "cause", None)
            if isinstance(cause, TranslateKitError):
                raise TranslateKitError(str(cause)) from None
            lines = [line for line in str(cause or exc).splitlines() if line.strip()]
            raise ClusterError(f"the Ray run failed: {lines[-1] if lines else type(exc).__name__}") from None


def _drive(run: Callable[..., Any], updates: Any, args: tuple, kwargs: dict[str, Any]) -> Any:
    return run(*args, progress=lambda *update: updates.put(update), **kwargs)
