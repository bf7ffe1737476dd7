"""Documents -> sentences -> translation memory -> engine -> documents.

`plan_document` cuts every translatable block of a Document (and the inner text of its protected
spans) into sentences with `translate_kit.segment.sentence_spans` and prepares each one for the
model; `DocumentTranslator.translate` then resolves the sentences of many documents together:

1. sentences are gathered across documents until a window of `window_sentences` is full, so the
   engine sees many short documents' sentences in one length-sorted batch instead of one small,
   badly filled batch per document (see eval/bench_documents.py for the measured gain);
2. equal sentences (same preprocessed text and placeholders) are translated once;
3. the translation memory answers what an earlier run (or window) already translated;
4. the rest goes to the engine in chunks, each chunk stored in the memory as soon as it is done, so
   a killed run loses at most one chunk of work;
5. each document's blocks are rebuilt: the whitespace between sentences (newlines included) is kept,
   span tokens become their markup again.

Blocks already in the target language, or without letters, are kept as they are (a Hindi article
quoting an English paragraph keeps that paragraph); so are single sentences in the target language
inside a block. Protected spans travel through the model as glossary placeholders; a span whose
placeholder the model dropped is appended to its sentence and counted in `dropped_placeholders`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .documents import EXTENSIONS, Block, Document, detect_format, parse_document, render_block, write_document
from .documents.model import TOKEN_PATTERN
from .engine import DecodeOptions, Translation, needs_translation
from .errors import InputError
from .indictrans import Prepared, preprocess
from .memory import Entry, TranslationMemory, context_key, sentence_key
from .segment import sentence_spans
from .textio import atomic_write, decode

_TOKEN_TOUCHING_WORD = re.compile(r"(?<=\w)(⟦\d+⟧)|(⟦\d+⟧)(?=\w)")


class SentenceEngine(Protocol):
    """What the pipeline needs from a translator (translate_kit.engine.Translator provides it)."""

    src: str
    tgt: str
    fingerprint: str

    def translate_prepared(self, prepared: Sequence[Prepared], options: DecodeOptions | None = None) -> list[
        Translation
    ]: ...


@dataclass
class Sentence:
    """One sentence occurrence: where it sits in its unit, and its key (None: copied unchanged)."""

    start: int
    end: int
    source: str
    key: str | None
    prepared: Prepared | None = None


@dataclass
class Unit:
    """A block's text ("" key) or a span's inner text (token key), with its sentences."""

    block: Block
    key: str
    text: str
    sentences: list[Sentence]


@dataclass
class DocumentPlan:
    document: Document
    units: list[Unit]
    kept_blocks: int

    @property
    def sentence_count(self) -> int:
        return sum(len(unit.sentences) for unit in self.units)


@dataclass
class SentenceResult:
    source: str
    translation: str
    score: float
    cached: bool
    dropped: tuple[str, ...] = ()


@dataclass
class TranslatedDocument:
    """`rendered` maps block id -> translated block text in the document's own markup."""

    document: Document
    rendered: dict[str, str]
    sentences: dict[str, list[SentenceResult]] = field(default_factory=dict)


@dataclass
class RunStats:
    """Counts of one run; sentences = passthrough + cached + translated + duplicates."""

    documents: int = 0
    documents_skipped: int = 0
    blocks: int = 0
    blocks_kept: int = 0
    sentences: int = 0
    passthrough: int = 0
    cached: int = 0
    translated: int = 0
    duplicates: int = 0
    dropped_placeholders: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        data["sentences_per_second"] = round(self.sentences / self.seconds, 2) if self.seconds else None
        return data


def _engine_text(sentence: str) -> str:
    """What the model sees: one line, and span tokens set apart so they match as whole words."""
    text = " ".join(sentence.split())
    return _TOKEN_TOUCHING_WORD.sub(lambda m: f" {m.group(1) or m.group(2)} ", text)


def plan_document(
    doc: Document,
    src: str,
    tgt: str,
    context: str,
    glossary: Mapping[str, str] | None = None,
) -> DocumentPlan:
    """Sentences of every block that needs translating, each prepared and keyed for the memory."""
    units: list[Unit] = []
    kept = 0
    for block in doc.translatable():
        if not needs_translation(block.plain_text(), src, tgt):
            kept += 1
            continue
        for key, text in block.units():
            sentences = []
            for start, end in sentence_spans(text, src):
                source = text[start:end]
                if not needs_translation(TOKEN_PATTERN.sub(" ", source), src, tgt):
                    sentences.append(Sentence(start, end, source, None))
                    continue
                tokens = {t: t for t in TOKEN_PATTERN.findall(source)}
                prepared = preprocess(_engine_text(source), src, tgt, {**(glossary or {}), **tokens})
                sentences.append(
                    Sentence(start, end, source, sentence_key(context, prepared.text, prepared.placeholders), prepared)
                )
            units.append(Unit(block, key, text, sentences))
    return DocumentPlan(doc, units, kept)


class DocumentTranslator:
    """Translates documents through a sentence engine with cross-document batching and a memory."""

    def __init__(
        self,
        engine: SentenceEngine,
        options: DecodeOptions | None = None,
        *,
        memory: TranslationMemory | None = None,
        glossary: Mapping[str, str] | None = None,
        window_sentences: int = 4096,
        chunk_sentences: int = 512,
        progress: Callable[[int], None] | None = None,
    ):
        self.engine = engine
        self.options = options or DecodeOptions()
        self.memory = memory
        self.glossary = dict(glossary or {})
        self.window_sentences = max(1, window_sentences)
        self.chunk_sentences = max(1, chunk_sentences)
        self.progress = progress or (lambda _n: None)
        self.context = context_key(engine.fingerprint, engine.src, engine.tgt, self.options)
        self.stats = RunStats()
        self._resolved: dict[str, tuple[Entry, bool]] = {}

    def plan(self, doc: Document) -> DocumentPlan:
        return plan_document(doc, self.engine.src, self.engine.tgt, self.context, self.glossary)

    def translate(self, plans: Iterable[DocumentPlan]) -> Iterator[TranslatedDocument]:
        """Translated documents in input order, each yielded as soon as its window is done."""
        window: list[DocumentPlan] = []
        size = 0
        for plan in plans:
            window.append(plan)
            size += plan.sentence_count
            if size >= self.window_sentences:
                yield from self._finish(window)
                window, size = [], 0
        if window:
            yield from self._finish(window)

    def _finish(self, window: list[DocumentPlan]) -> Iterator[TranslatedDocument]:
        started = time.perf_counter()
        self._resolve(window)
        results = [self._assemble(plan) for plan in window]
        self.stats.seconds += time.perf_counter() - started
        yield from results

    def _resolve(self, window: list[DocumentPlan]) -> None:
        """Find a translation for every keyed sentence of the window: in-run, memory, then engine."""
        occurrences: dict[str, int] = {}
        prepared: dict[str, Prepared] = {}
        passthrough = 0
        for plan in window:
            self.stats.documents += 1
            self.stats.blocks += len(plan.document.blocks)
            self.stats.blocks_kept += plan.kept_blocks
            for unit in plan.units:
                for sentence in unit.sentences:
                    self.stats.sentences += 1
                    if sentence.key is None:
                        passthrough += 1
                        continue
                    occurrences[sentence.key] = occurrences.get(sentence.key, 0) + 1
                    prepared.setdefault(sentence.key, sentence.prepared)
        self.stats.passthrough += passthrough
        new = [key for key in occurrences if key not in self._resolved]
        self.stats.duplicates += sum(occurrences.values()) - len(new)
        remembered = self.memory.get_many(new) if self.memory else {}
        for key, entry in remembered.items():
            self._resolved[key] = (entry, True)
        self.stats.cached += len(remembered)
        self.progress(passthrough + sum(occurrences.values()) - sum(occurrences[k] for k in new)
                      + sum(occurrences[k] for k in remembered))
        missing = [key for key in new if key not in remembered]
        for start in range(0, len(missing), self.chunk_sentences):
            chunk = missing[start : start + self.chunk_sentences]
            translations = self.engine.translate_prepared([prepared[k] for k in chunk], self.options)
            entries = {k: Entry(t.text, t.score, tuple(t.dropped)) for k, t in zip(chunk, translations, strict=True)}
            if self.memory:
                self.memory.put_many(entries)
            for key, entry in entries.items():
                self._resolved[key] = (entry, False)
            self.stats.translated += len(chunk)
            self.progress(sum(occurrences[k] for k in chunk))

    def _assemble(self, plan: DocumentPlan) -> TranslatedDocument:
        texts: dict[str, dict[str, str]] = {}
        details: dict[str, list[SentenceResult]] = {}
        for unit in plan.units:
            pieces: list[str] = []
            last = 0
            for sentence in unit.sentences:
                pieces.append(unit.text[last : sentence.start])
                result = self._sentence_result(sentence)
                self.stats.dropped_placeholders += len(result.dropped)
                pieces.append(result.translation)
                details.setdefault(unit.block.id, []).append(result)
                last = sentence.end
            pieces.append(unit.text[last:])
            texts.setdefault(unit.block.id, {})[unit.key] = "".join(pieces)
        rendered = {}
        for block in plan.document.blocks:
            if block.id in texts:
                parts = texts[block.id]
                rendered[block.id] = render_block(plan.document, block, parts.get("", block.text), parts)
        return TranslatedDocument(plan.document, rendered, details)

    def _sentence_result(self, sentence: Sentence) -> SentenceResult:
        if sentence.key is None:
            return SentenceResult(sentence.source, sentence.source, 0.0, False)
        entry, cached = self._resolved[sentence.key]
        return SentenceResult(sentence.source, entry.text, entry.score, cached, entry.dropped)


# --- jobs: files in, files out, resumable ---------------------------------------------------------

MANIFEST_NAME = ".translate-kit-manifest.jsonl"


@dataclass(frozen=True)
class Job:
    """One input document and where its translation goes (None: standard output)."""

    source: str
    output: str | None
    fmt: str


def collect_jobs(source: str, output: str | None, fmt: str | None, *, bilingual: bool = False) -> list[Job]:
    """A file gives one job; a folder gives one per file in it (recursively, sorted, hidden files
    skipped; without --format only known extensions), written under `output` with the same
    relative path (bilingual output: the same path with a .jsonl suffix)."""
    path = Path(source)
    if source != "-" and path.is_dir():
        if output is None:
            raise InputError("translating a folder needs -o OUTPUT_FOLDER", source)
        out_dir = Path(output)
        if out_dir.exists() and not out_dir.is_dir():
            raise InputError("output for a folder must be a folder", output)
        files = [
            f for f in sorted(path.rglob("*"))
            if f.is_file()
            and not any(part.startswith(".") for part in f.relative_to(path).parts)
            and not _inside(f, out_dir)
            and (fmt is not None or f.suffix.lower() in EXTENSIONS)
        ]
        return [
            Job(str(f), str(_output_name(out_dir / f.relative_to(path), bilingual)), detect_format(f, fmt))
            for f in files
        ]
    if source != "-" and not path.exists():
        raise InputError("no such file or folder", source)
    if output is not None and Path(output).is_dir():
        output = str(_output_name(Path(output) / path.name, bilingual))
    return [Job(source, output, detect_format(source, fmt))]


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _output_name(path: Path, bilingual: bool) -> Path:
    return path.with_name(path.name + ".jsonl") if bilingual else path


class Manifest:
    """What earlier runs finished in an output folder: output -> input hash, job key, output hash.

    One JSON line is appended (and fsynced) per finished document *before* its output is renamed
    into place, so after a kill an entry without a matching output file just means "redo".
    """

    def __init__(self, folder: Path):
        self.path = folder / MANIFEST_NAME
        self.entries: dict[str, dict[str, str]] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                    self.entries[entry["output"]] = entry
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue  # a line cut short by a kill

    def is_done(self, name: str, input_hash: str, job_key: str, output: Path) -> bool:
        entry = self.entries.get(name)
        return (
            entry is not None and entry.get("input") == input_hash and entry.get("job") == job_key
            and output.exists() and _sha256(output.read_bytes()) == entry.get("sha256")
        )

    def knows(self, name: str) -> bool:
        return name in self.entries

    def record(self, name: str, input_hash: str, job_key: str, content: bytes) -> None:
        entry = {"output": name, "input": input_hash, "job": job_key, "sha256": _sha256(content)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.entries[name] = entry


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class JobSettings:
    """How to read inputs and what to write; `key` names everything that changes an output."""

    fields: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    errors: str = "strict"
    bilingual: bool = False
    overwrite: bool = False

    def key(self, translator: DocumentTranslator) -> str:
        payload = json.dumps(
            [translator.context, self.fields, self.columns, self.errors, self.bilingual,
             sorted(translator.glossary.items())],
            ensure_ascii=False,
        )
        return _sha256(payload.encode("utf-8"))[:16]


@dataclass
class _Pending:
    job: Job
    input_hash: str
    manifest: Manifest | None


def run_jobs(
    jobs: Sequence[Job],
    translator: DocumentTranslator,
    settings: JobSettings,
    *,
    stdout: Callable[[str], None] | None = None,
    on_planned: Callable[[int], None] | None = None,
) -> RunStats:
    """Translate `jobs`; finished outputs of an earlier identical run are skipped.

    Everything a user can get wrong is checked before any translation starts: unreadable or
    malformed inputs (InputError with file and line) and outputs that exist but were not written by
    an earlier run of this job (refused unless `overwrite`). `on_planned(total_sentences)` is called
    once all documents are read, before translating (for a progress bar).
    """
    job_key = settings.key(translator)
    manifests: dict[Path, Manifest] = {}
    todo: list[_Pending] = []
    plans: list[DocumentPlan] = []
    for job in jobs:
        data = sys.stdin.buffer.read() if job.source == "-" else _read_bytes(job.source)
        input_hash = _sha256(data)
        manifest = None
        if job.output is not None:
            output = Path(job.output)
            manifest = manifests.setdefault(output.parent, Manifest(output.parent))
            if manifest.is_done(output.name, input_hash, job_key, output):
                translator.stats.documents_skipped += 1
                continue
            if output.exists() and not settings.overwrite and not manifest.knows(output.name):
                raise InputError("output exists (use --overwrite to replace it)", job.output)
        text = decode(data, "<stdin>" if job.source == "-" else job.source, settings.errors)
        doc = parse_document(text, job.source, job.fmt, fields=settings.fields, columns=settings.columns)
        plans.append(translator.plan(doc))
        todo.append(_Pending(job, input_hash, manifest))
    if on_planned:
        on_planned(sum(plan.sentence_count for plan in plans))
    for pending, result in zip(todo, translator.translate(plans), strict=True):
        content = bilingual_jsonl(result) if settings.bilingual else write_document(result.document, result.rendered)
        if pending.job.output is None:
            (stdout or sys.stdout.write)(content)
            continue
        output = Path(pending.job.output)
        encoded = content.encode("utf-8")
        pending.manifest.record(output.name, pending.input_hash, job_key, encoded)
        with atomic_write(output, "wb") as handle:
            handle.write(encoded)
    return translator.stats


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path) from None


def bilingual_jsonl(result: TranslatedDocument) -> str:
    """One JSON line per block: ids, kind, source and translation, and each sentence with its score."""
    doc = result.document
    lines = []
    for block in doc.blocks:
        sentences = result.sentences.get(block.id, [])
        record = {
            "document": doc.path,
            "block": block.id,
            "kind": block.kind,
            "line": block.meta.get("line"),
            "source": block.source(lambda s: s),
            "translation": result.rendered.get(block.id, block.source(lambda s: s)),
            "translated": block.id in result.rendered,
            "sentences": [
                {"index": i, "source": s.source, "translation": s.translation, "score": round(s.score, 4),
                 "cached": s.cached, "dropped": list(s.dropped)}
                for i, s in enumerate(sentences)
            ],
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)
