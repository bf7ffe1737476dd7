"""The stages a Ray run maps over its shards, each calling the library the local run calls.

    read_shard      (tasks)         read bytes -> decode -> parse_document
    ShardTranslator (actor pool)    api.Translation over the actor's model: plan (sentences), the
                                    main memory's answers (through MemoryService, one actor beside
                                    the memory file), engine batches, the documents written in
                                    their format (or bilingual JSONL) -> outputs, shard memory,
                                    shard record

A row is one shard; its Python objects travel pickled in the `payload` column. Each stage turns
a failing document into an error entry (document, reason) and lets the rest of the shard go on.
The shard record is written last, atomically, so its presence means every output of the shard
and its memory file are complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow.fs as pafs

from ..api import DecodeOptions, PlannedTexts, TranslateOptions, Translation
from ..documents import parse_document
from ..errors import TranslateKitError
from ..memory import Entry, TranslationMemory
from .inputs import DocItem, Place, Shard

RECORD_SUFFIX = ".json"
MEMORY_SUFFIX = ".memory.jsonl"
ATTEMPTS_SUFFIX = ".attempts"


@dataclass
class RunSpec:
    """Everything a worker needs, pickled once into each actor and task: the run's
    api.TranslateOptions (model path as every node sees it, direction, threads per actor, no
    memory of its own), the decoding options and where shard records go."""

    options: TranslateOptions
    decode: DecodeOptions
    work: Place
    model_files: Any = None  # an ObjectRef to {relative path: bytes} when the model is shipped
    memory_service: Any = None  # a MemoryService actor handle (None: no translation memory)
    engine_wrapper: Callable[[Any], Any] | None = None  # tests: a failing stand-in for the model
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])  # tells this run's attempts apart


def _error(item: DocItem, exc: BaseException) -> dict[str, str]:
    reason = str(exc) if isinstance(exc, TranslateKitError | OSError) else f"{type(exc).__name__}: {exc}"
    return {"document": item.source.shown, "error": reason}


def read_shard(row: dict[str, Any], spec: RunSpec) -> dict[str, Any]:
    """Read, decode and parse every document of the shard; a bad one becomes an error entry.

    The payload is the Shard and the local manifest's entries for its outputs ({output path:
    entry}); it leaves as (shard, entries, [(item, document, input sha256)], errors).
    """
    shard, entries = pickle.loads(row["payload"])
    documents, errors = [], []
    for item in shard.items:
        try:
            text, digest = item.read(spec.options.errors)
            doc = parse_document(text, item.source.shown, item.fmt, **spec.options.document_settings())
            documents.append((item, doc, digest))
        except Exception as exc:  # any reader failure is this document's, never the shard's
            errors.append(_error(item, exc))
    return {**row, "payload": pickle.dumps((shard, entries, documents, errors))}


class MemoryService:
    """The main translation memory, served to every worker by one actor on the driver's node (where
    the memory file is): workers ask it for their sentences and translate only what it lacks, and
    hand it what they translate, so a sentence repeated in a later shard is not translated again
    (as a local run translates a repeated sentence once)."""

    def __init__(self, path: str):
        self.memory = TranslationMemory(path)

    def get_many(self, keys: list[str]) -> dict[str, Entry]:
        return self.memory.get_many(keys)

    def put_many(self, entries: dict[str, Entry]) -> None:
        self.memory.put_many(entries)


class ShardMemory:
    """The memory a worker's DocumentTranslator sees: lookups go to the memory service (if any);
    what the worker translates goes to the service without waiting for it, and is kept apart to be
    written as the shard's memory (merged into the main memory by the driver, also after a crash)."""

    def __init__(self, service: Any = None):
        self.service = service
        self.new: dict[str, Entry] = {}

    def get_many(self, keys: Iterable[str]) -> dict[str, Entry]:
        if self.service is None:
            return {}
        import ray

        return ray.get(self.service.get_many.remote(list(keys)))

    def put_many(self, entries: Mapping[str, Entry]) -> None:
        self.new.update(entries)
        if self.service is not None:
            self.service.put_many.remote(dict(entries))


def load_translation(spec: RunSpec) -> Translation:
    """The run's model as api.Translation (one per actor), from the shared path or the shipped files."""
    options = spec.options
    if spec.model_files is not None:
        import ray

        options = replace(options, model=_materialise(ray.get(spec.model_files)))
    return Translation(options)


def _materialise(files: Mapping[str, bytes]) -> str:
    """Write shipped model files to a local folder once per node (kept for the node's later actors)."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(files[name]).digest())
    folder = Path(tempfile.gettempdir()) / f"translate-kit-model-{digest.hexdigest()[:16]}"
    if not (folder / ".complete").exists():
        staging = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
        for name, data in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(data)
        (staging / ".complete").touch()
        try:
            staging.rename(folder)
        except OSError:  # another actor on this node got there first
            shutil.rmtree(staging, ignore_errors=True)
    return str(folder)


class _Written:
    """A shard's outputs, and the local run's manifest entry of each (input and output sha256)."""

    def __init__(self):
        self.outputs: list[str] = []
        self.manifest: list[dict[str, str]] = []

    def write(self, item: DocItem, data: bytes, digest: str | None, job: str) -> None:
        item.output.write_bytes(data)
        self.outputs.append(item.output.path)
        if digest is not None:  # a whole input file (not a part of a big one): the manifest knows it
            self.manifest.append({"output": item.output.path, "input": digest, "job": job,
                                  "sha256": hashlib.sha256(data).hexdigest()})

    def keep(self, item: DocItem, entry: Mapping[str, str]) -> None:
        self.outputs.append(item.output.path)
        self.manifest.append({**entry, "output": item.output.path})


class ShardTranslator:
    """One model per actor, loaded once; each call translates one shard and writes its results."""

    def __init__(self, spec: RunSpec):
        self.spec = spec
        self.model = load_translation(spec).model
        if spec.engine_wrapper is not None:
            self.model = spec.engine_wrapper(self.model)

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        shard, entries, documents, errors = pickle.loads(row["payload"])
        attempts, earlier = self._count_attempt(shard)
        if earlier:  # an attempt before this one may have died while writing
            for item in shard.items:
                item.output.remove_partial()
        memory = ShardMemory(self.spec.memory_service)
        options, decode = self.spec.options, self.spec.decode
        translation = Translation(options, model=self.model, memory=memory, decoding=decode)
        planned = translation.plan_documents([])
        done = _Written()
        items = self._plan(planned, documents, entries, done, errors)
        run = translation.translate_planned(planned)
        for (item, digest, job), result in zip(items, run.results, strict=True):
            try:
                done.write(item, item.encode(result.text), digest, job)
            except OSError as exc:
                reason = f"cannot write {item.output.shown}: {exc}"
                errors.append({"document": item.source.shown, "error": reason})
        self._write_memory(shard, memory.new)
        record = {
            "shard": shard.name,
            "fingerprint": row["fingerprint"],
            "documents": len(shard.items),
            "outputs": done.outputs,
            "manifest": done.manifest,
            "errors": errors,
            "attempts": attempts,
            "node": _node_id(),
            "new_memory": len(memory.new),
            "stats": run.stats.to_dict(),
        }
        self.spec.work.join(shard.name + RECORD_SUFFIX).write_bytes(
            json.dumps(record, ensure_ascii=False).encode("utf-8")
        )
        return {"shard": row["shard"], "record": json.dumps(record, ensure_ascii=False)}

    def _plan(self, planned: PlannedTexts, documents, entries, done: _Written, errors: list) -> list:
        """(item, input sha256, manifest job id) of every document planned for translation; a
        document a local run into this folder already finished (its manifest entry matches) is
        kept as it is, one the planner cannot handle is reported and left out."""
        job_key = planned.job_key(self.spec.options.job_settings())
        items = []
        for item, doc, digest in documents:
            job = f"{job_key}:{item.fmt}"
            entry = entries.get(item.output.path)
            if entry and _finished(item, entry, digest, job):
                planned.stats.documents_skipped += 1
                done.keep(item, entry)
                continue
            try:
                planned.add(doc)
                items.append((item, digest, job))
            except Exception as exc:  # a document the planner cannot handle is reported, not fatal
                errors.append(_error(item, exc))
        return items

    def _count_attempt(self, shard: Shard) -> tuple[int, bool]:
        """Leave a marker per attempt at a shard (naming the outputs it may write, so a rerun knows
        them as its own); returns this run's attempts so far and whether any run tried before."""
        folder = self.spec.work.join(shard.name + ATTEMPTS_SUFFIX)
        names = json.dumps([item.output.path for item in shard.items]).encode("utf-8")
        folder.join(f"{self.spec.run_id}-{os.getpid()}-{uuid.uuid4().hex[:8]}").write_bytes(names)
        selector = pafs.FileSelector(folder.path)
        infos = folder.fs.get_file_info(selector)
        markers = [info.base_name for info in infos if info.type == pafs.FileType.File]
        mine = sum(name.startswith(self.spec.run_id + "-") for name in markers)
        return mine, len(markers) > mine

    def _write_memory(self, shard: Shard, entries: Mapping[str, Entry]) -> None:
        lines = (
            json.dumps({"key": k, "text": e.text, "score": e.score, "dropped": list(e.dropped)},
                       ensure_ascii=False) + "\n"
            for k, e in entries.items()
        )
        self.spec.work.join(shard.name + MEMORY_SUFFIX).write_bytes("".join(lines).encode("utf-8"))


def _finished(item: DocItem, entry: Mapping[str, str], digest: str | None, job: str) -> bool:
    """Whether the output is what a local run recorded for this very input and job."""
    if digest is None or entry.get("input") != digest or entry.get("job") != job:
        return False
    try:
        return hashlib.sha256(item.output.read_bytes()).hexdigest() == entry.get("sha256")
    except OSError:
        return False


def _node_id() -> str:
    import ray

    return ray.get_runtime_context().get_node_id()


def read_memory(place: Place) -> dict[str, Entry]:
    """A shard's memory file as entries (for merging into the main memory)."""
    entries = {}
    for line in place.read_bytes().decode("utf-8").splitlines():
        data = json.loads(line)
        entries[data["key"]] = Entry(data["text"], data["score"], tuple(data["dropped"]))
    return entries
