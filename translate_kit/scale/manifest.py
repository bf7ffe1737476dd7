"""Which existing outputs a Ray run may replace, and the local run's manifest kept in step with it.

A local run records each finished output in `<folder>/.translate-kit-manifest.jsonl` (input and
output sha256, job key; translate_kit.translate.jobs) and refuses to replace an output it has no
entry for. A Ray run records shards instead (`.translate-kit-shards/`). So that either kind of run
can follow the other into the same folder:

- the Ray driver adds a manifest entry for every output its shards write (workers compute them
  with the local run's formula; only the driver appends, so the file has one writer), which makes
  a later local run skip those outputs as done;
- a Ray run hands each shard the manifest's entries for its outputs, and the worker keeps an
  output whose entry matches its input and job as it is (a local run did it), and
- an output counts as the run's own (replaced without --overwrite, as locally) when the manifest
  knows it, a shard record lists it, or an earlier attempt at a shard named it before writing
  (a worker killed between writing outputs and its record leaves such outputs).

Only outputs on the local filesystem have a manifest (the local run writes nowhere else), and only
whole-file outputs: `part-NNNNN` files of a big JSONL/Parquet input are Ray's alone.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable
from pathlib import Path

import pyarrow.fs as pafs

from ..translate.jobs import Manifest
from .inputs import Place, Shard
from .stages import ATTEMPTS_SUFFIX, RECORD_SUFFIX


class LocalManifest:
    """The local run's manifest of the folder that holds a run's outputs (`root`), or nothing."""

    def __init__(self, root: Place | None):
        self.root = root if root is not None and isinstance(root.fs, pafs.LocalFileSystem) else None
        self.manifest = Manifest(Path(self.root.path)) if self.root is not None else None

    def _name(self, path: str) -> str:
        return posixpath.relpath(path, self.root.path)

    def knows(self, path: str) -> bool:
        return self.manifest is not None and self.manifest.knows(self._name(path))

    def entries_for(self, shard: Shard) -> dict[str, dict[str, str]]:
        """The entries of the shard's outputs, by output path (what its worker checks)."""
        if self.manifest is None:
            return {}
        paths = (item.output.path for item in shard.items)
        found = {path: self.manifest.entries.get(self._name(path)) for path in paths}
        return {path: entry for path, entry in found.items() if entry}

    def note(self, record: dict) -> None:
        """Add the shard's outputs to the manifest (entries already there unchanged are not repeated)."""
        if self.manifest is None:
            return
        entries = [{**entry, "output": self._name(entry["output"])} for entry in record.get("manifest", ())]
        new = [entry for entry in entries if self.manifest.entries.get(entry["output"]) != entry]
        if new:
            self.manifest.add(*new)


def earlier_outputs(work: Place) -> set[str]:
    """Every output path a shard record of an earlier run lists or an earlier attempt named."""
    selector = pafs.FileSelector(work.path, recursive=True, allow_not_found=True)
    paths: set[str] = set()
    for info in work.fs.get_file_info(selector):
        parent = posixpath.basename(posixpath.dirname(info.path))
        is_record = info.path.endswith(RECORD_SUFFIX) and posixpath.dirname(info.path) == work.path
        if info.type != pafs.FileType.File or not (is_record or parent.endswith(ATTEMPTS_SUFFIX)):
            continue
        paths.update(_listed(Place(work.fs, info.path, info.path).read_bytes(), is_record))
    return paths


def _listed(data: bytes, is_record: bool) -> Iterable[str]:
    try:
        found = json.loads(data)
        return found["outputs"] if is_record else found
    except (ValueError, KeyError, TypeError):  # a marker of an older version, or a cut record
        return ()
