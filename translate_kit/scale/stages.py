"""The stages a Ray run maps over its shards, each calling the library the local run calls.

    plan_shard      (task)          read bytes -> decode -> parse_document -> plan_document
    MemoryLookup    (one actor)     TranslationMemory.get_many for the shard's sentence keys
    ShardTranslator (actor pool)    DocumentTranslator.translate (engine batches, reassembly)
                                    -> write_document / bilingual_jsonl -> outputs, shard memory,
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.fs as pafs

from ..documents import parse_document, write_document
from ..engine import DecodeOptions
from ..errors import TranslateKitError
from ..memory import Entry, TranslationMemory
from ..pipeline import DocumentTranslator, SentenceEngine, bilingual_jsonl, plan_document
from ..textio import decode
from .inputs import DocItem, Place, Shard

RECORD_SUFFIX = ".json"
MEMORY_SUFFIX = ".memory.jsonl"


@dataclass
class RunSpec:
    """Everything a worker needs, pickled once into each actor and task."""

    model_path: str
    src: str
    tgt: str
    context: str
    options: DecodeOptions
    work: Place
    glossary: dict[str, str] = field(default_factory=dict)
    fields: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    errors: str = "strict"
    bilingual: bool = False
    device: str = "cpu"
    compute_type: str = "int8"
    threads: int = 1
    window_sentences: int = 256
    chunk_sentences: int = 512
    model_files: Any = None  # an ObjectRef to {relative path: bytes} when the model is shipped
    engine_factory: Callable[[RunSpec], SentenceEngine] | None = None


def _error(item: DocItem, exc: BaseException) -> dict[str, str]:
    reason = str(exc) if isinstance(exc, TranslateKitError | OSError) else f"{type(exc).__name__}: {exc}"
    return {"document": item.source.shown, "error": reason}


def plan_shard(row: dict[str, Any], spec: RunSpec) -> dict[str, Any]:
    """Read, decode, parse and plan every document of the shard; a bad one becomes an error."""
    shard: Shard = pickle.loads(row["payload"])
    planned, errors = [], []
    for item in shard.items:
        try:
            text = decode(item.source.read_bytes(), item.source.shown, spec.errors)
            doc = parse_document(text, item.source.shown, item.fmt, fields=spec.fields, columns=spec.columns)
            planned.append((item, plan_document(doc, spec.src, spec.tgt, spec.context, spec.glossary)))
        except Exception as exc:  # any parser failure is this document's, never the shard's
            errors.append(_error(item, exc))
    return {**row, "payload": pickle.dumps((shard, planned, errors, {}))}


def _keys(planned: Iterable) -> list[str]:
    return list(dict.fromkeys(
        s.key for _, plan in planned for unit in plan.units for s in unit.sentences if s.key is not None
    ))


class MemoryLookup:
    """Answers each shard's sentences from the main translation memory (one actor on the driver's
    node, where the memory file is), so workers translate only what no earlier run did."""

    def __init__(self, path: str):
        self.path = path
        TranslationMemory(path).close()  # a bad path fails here, once

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        shard, planned, errors, _ = pickle.loads(row["payload"])
        with TranslationMemory(self.path) as memory:  # Ray Data calls from a thread of its own
            remembered = memory.get_many(_keys(planned))
        return {**row, "payload": pickle.dumps((shard, planned, errors, remembered))}


class ShardMemory:
    """The memory a worker's DocumentTranslator sees: what the main memory answered for this
    shard, plus what the worker translates (kept apart, to be written as the shard's memory)."""

    def __init__(self, remembered: Mapping[str, Entry]):
        self.remembered = dict(remembered)
        self.new: dict[str, Entry] = {}

    def get_many(self, keys: Iterable[str]) -> dict[str, Entry]:
        return {k: self.remembered[k] for k in keys if k in self.remembered}

    def put_many(self, entries: Mapping[str, Entry]) -> None:
        self.new.update(entries)


def load_engine(spec: RunSpec) -> SentenceEngine:
    """The CTranslate2 translator, from the shared model path or from the shipped files."""
    from ..engine import Translator
    from ..models import validate_model_dir

    path = spec.model_path
    if spec.model_files is not None:
        import ray

        path = _materialise(ray.get(spec.model_files))
    return Translator(validate_model_dir(path), device=spec.device, compute_type=spec.compute_type,
                      inter_threads=1, intra_threads=spec.threads)


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


class ShardTranslator:
    """One model per actor, loaded once; each call translates one shard and writes its results."""

    def __init__(self, spec: RunSpec):
        self.spec = spec
        self.engine = (spec.engine_factory or load_engine)(spec)

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        shard, planned, errors, remembered = pickle.loads(row["payload"])
        attempts = self._count_attempt(shard)
        memory = ShardMemory(remembered)
        translator = DocumentTranslator(
            self.engine, self.spec.options, memory=memory, glossary=self.spec.glossary,
            window_sentences=self.spec.window_sentences, chunk_sentences=self.spec.chunk_sentences,
        )
        results = translator.translate(plan for _, plan in planned)
        outputs = []
        for (item, _), result in zip(planned, results, strict=True):
            content = bilingual_jsonl(result) if self.spec.bilingual else write_document(result.document, result.rendered)
            try:
                item.output.write_bytes(content.encode("utf-8"))
                outputs.append(item.output.path)
            except OSError as exc:
                errors.append({"document": item.source.shown, "error": f"cannot write {item.output.shown}: {exc}"})
        self._write_memory(shard, memory.new)
        record = {
            "shard": shard.name,
            "fingerprint": row["fingerprint"],
            "documents": len(shard.items),
            "outputs": outputs,
            "errors": errors,
            "attempts": attempts,
            "new_memory": len(memory.new),
            "stats": translator.stats.to_dict(),
        }
        self.spec.work.join(shard.name + RECORD_SUFFIX).write_bytes(
            json.dumps(record, ensure_ascii=False).encode("utf-8")
        )
        return {"shard": row["shard"], "record": json.dumps(record, ensure_ascii=False)}

    def _count_attempt(self, shard: Shard) -> int:
        """Leave a marker per attempt at a shard, so the record can say how often a worker died on it."""
        folder = self.spec.work.join(shard.name + ".attempts")
        folder.join(f"{os.getpid()}-{uuid.uuid4().hex[:8]}").write_bytes(b"")
        selector = pafs.FileSelector(folder.path)
        return sum(1 for info in folder.fs.get_file_info(selector) if info.type == pafs.FileType.File)

    def _write_memory(self, shard: Shard, entries: Mapping[str, Entry]) -> None:
        lines = (
            json.dumps({"key": k, "text": e.text, "score": e.score, "dropped": list(e.dropped)},
                       ensure_ascii=False) + "\n"
            for k, e in entries.items()
        )
        self.spec.work.join(shard.name + MEMORY_SUFFIX).write_bytes("".join(lines).encode("utf-8"))


def read_memory(place: Place) -> dict[str, Entry]:
    """A shard's memory file as entries (for merging into the main memory)."""
    entries = {}
    for line in place.read_bytes().decode("utf-8").splitlines():
        data = json.loads(line)
        entries[data["key"]] = Entry(data["text"], data["score"], tuple(data["dropped"]))
    return entries
