"""`corpus build --ray`: each document pair aligned as a Ray task, the corpus assembled here.

CorpusBuilder already makes a pair's work self-contained and resumable (its result saved
atomically under `<out>/.work/`, skipped on a rerun when its inputs and settings match), so a
pair is a natural Ray task: the builder (aligner, filters, settings) goes to the object store once,
every pair becomes one task (retried if its worker dies), and the results come back in order to
be filtered, deduplicated and written by the same `_assemble` as a local build. On a cluster the
input files and the output folder must be on storage every node sees. Document pairing
(`--pair-documents`) is one global matching over both heaps and runs in the driver before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .. import api
from ..corpus import PairJob
from .cluster import connect, require_ray


def build_corpus_on_ray(pairs: str, en_folder: str | None, output: str, options: Any = None, *,
                        progress: Callable[[str, int, int], None] | None = None,
                        address: str | None = None) -> Any:
    """api.build_corpus with every pair aligned as a Ray task (`address` None: a local Ray)."""
    with connect(address):
        return api.build_corpus(pairs, en_folder, output, options, progress=progress,
                                map_jobs=ray_map_jobs())


def ray_map_jobs(retries: int = 3) -> Callable:
    """A `map_jobs` for CorpusBuilder.build that runs every pair as a Ray task (one CPU each)."""

    def run(align_one: Callable[[PairJob], tuple[dict, bool]], jobs: Sequence[PairJob]) -> Iterator:
        ray = require_ray()
        task = ray.remote(num_cpus=1, max_retries=retries)(_align_pair)
        shared = ray.put(align_one)  # the builder, pickled once for every task
        refs = [task.remote(shared, job) for job in jobs]
        for ref in refs:
            yield ray.get(ref)

    return run


def _align_pair(align_one: Callable[[PairJob], tuple[dict, bool]], job: PairJob) -> tuple[dict, bool]:
    return align_one(job)
