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

import glob
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

from .documents import (
    DEFAULT_FRONT_MATTER_KEYS,
    EXTENSIONS,
    Block,
    Document,
    detect_format,
    parse_document,
    render_block,
    write_document,
)
from .documents.model import TOKEN_PATTERN
from .engine import DecodeOptions, Translation
from .errors import InputError
from .families import Family, Prepared
from .languages import code_like, needs_translation
from .memory import Entry, TranslationMemory, context_key, sentence_key
from .segment import sentence_spans
from .textio import atomic_write, decode

_TOKEN_TOUCHING_WORD = re.compile(r"(?<=\w)(⟦\d+⟧)|(⟦\d+⟧)(?=\w)")


class SentenceEngine(Protocol):
    """What the pipeline needs from a translator (translate_kit.engine.Translator provides it)."""

    src: str
    tgt: str
    fingerprint: str
    family: Family  # how the model's sentences are prepared (translate_kit.families)

    def translate_prepared(
        self, prepared: Sequence[Prepared], options: DecodeOptions | None = None
    ) -> list[Translation]: ...


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
    """Counts of one run; sentences = passthrough + cached + translated + duplicates.

    `seconds` is the wall time of `run_jobs` (reading excluded; planning, translating, writing in).
    """

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


def _describe(value: str, block: Block) -> str:
    """A dropped placeholder value as a user knows it (a span token shown as its markup)."""
    span = block.spans.get(value)
    return f"{span.open}{span.text}{span.close}" if span else value


def _engine_text(sentence: str) -> str:
    """What the model sees: one line, and span tokens set apart so they match as whole words."""
    text = " ".join(sentence.split())
    return _TOKEN_TOUCHING_WORD.sub(lambda m: f" {m.group(1) or m.group(2)} ", text)


HARD_NEWLINE_FORMATS = frozenset({"text", "jsonl", "tsv", "csv"})
"""Formats whose line breaks are meant: no sentence runs over one, so every newline survives.
In Markdown and HTML a line break inside a paragraph is a space, and a sentence may run over it."""


def _sentence_spans(text: str, lang: str, hard_newlines: bool) -> list[tuple[int, int]]:
    if not hard_newlines:
        return sentence_spans(text, lang)
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        spans.extend((offset + a, offset + b) for a, b in sentence_spans(line, lang))
        offset += len(line) + 1
    return spans


def plan_document(
    doc: Document,
    family: Family,
    src: str,
    tgt: str,
    context: str,
    glossary: Mapping[str, str] | None = None,
) -> DocumentPlan:
    """Sentences of every block that needs translating, each prepared and keyed for the memory."""
    units: list[Unit] = []
    kept = 0
    hard_newlines = doc.format in HARD_NEWLINE_FORMATS
    seen: dict[str, tuple[str, Prepared]] = {}  # a sentence repeated in the document is prepared once
    for block in doc.translatable():
        todo = [(key, text) for key, text in block.units() if needs_translation(text, src, tgt)]
        if not todo:
            kept += 1
            continue
        for key, text in todo:
            sentences = []
            for start, end in _sentence_spans(text, src, hard_newlines):
                source = text[start:end]
                if not needs_translation(TOKEN_PATTERN.sub(" ", source), src, tgt):
                    sentences.append(Sentence(start, end, source, None))
                    continue
                if source not in seen:
                    tokens = {t: t for t in TOKEN_PATTERN.findall(source)}
                    prepared = family.prepare(_engine_text(source), src, tgt, {**(glossary or {}), **tokens})
                    seen[source] = (sentence_key(context, prepared.text, prepared.placeholders), prepared)
                sentences.append(Sentence(start, end, source, *seen[source]))
            units.append(Unit(block, key, text, sentences))
    return DocumentPlan(doc, units, kept)


DEFAULT_WINDOW = 256
"""Sentences gathered across documents before they are translated together and their documents
written. eval/bench_documents.py measures ~2-3x over document-by-document calls; windows of 64, 256
and 1024 were within the noise of a shared 2-core machine (eval/results/bench_documents.md), so the
smaller window is the default: outputs and memory checkpoints come four times as often as at 1024."""
DEFAULT_CHUNK = 512
"""Most sentences per engine call: a default window's new sentences go in one call (the engine sorts
them by length into token batches); each finished call is stored in the memory at once."""


class DocumentTranslator:
    """Translates documents through a sentence engine with cross-document batching and a memory."""

    def __init__(
        self,
        engine: SentenceEngine,
        options: DecodeOptions | None = None,
        *,
        memory: TranslationMemory | None = None,
        glossary: Mapping[str, str] | None = None,
        window_sentences: int = DEFAULT_WINDOW,
        chunk_sentences: int = DEFAULT_CHUNK,
        progress: Callable[[int], None] | None = None,
    ):
        self.engine = engine
        self.options = options or DecodeOptions()
        self.memory = memory
        self.glossary = dict(glossary or {})
        self.window_sentences = max(1, window_sentences)
        self.chunk_sentences = max(1, chunk_sentences)
        self.progress = progress or (lambda _n: None)
        self.context = context_key(
            engine.fingerprint, engine.src, engine.tgt, self.options, engine.family.name
        )
        self.stats = RunStats()
        self.dropped_values: list[str] = []
        self._resolved: dict[str, tuple[Entry, bool]] = {}

    def plan(self, doc: Document) -> DocumentPlan:
        engine = self.engine
        return plan_document(doc, engine.family, engine.src, engine.tgt, self.context, self.glossary)

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
        self._resolve(window)
        for plan in window:
            yield self._assemble(plan)

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
        remembered = self.memory.get_many(new) if self.memory is not None else {}
        for key, entry in remembered.items():
            self._resolved[key] = (entry, True)
        self.stats.cached += len(remembered)
        self.progress(
            passthrough
            + sum(occurrences.values())
            - sum(occurrences[k] for k in new)
            + sum(occurrences[k] for k in remembered)
        )
        missing = [key for key in new if key not in remembered]
        for start in range(0, len(missing), self.chunk_sentences):
            chunk = missing[start : start + self.chunk_sentences]
            translations = self.engine.translate_prepared([prepared[k] for k in chunk], self.options)
            entries = {
                k: Entry(t.text, t.score, tuple(t.dropped)) for k, t in zip(chunk, translations, strict=True)
            }
            if self.memory is not None:
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
                self.dropped_values.extend(_describe(v, unit.block) for v in result.dropped)
                pieces.append(result.translation)
                details.setdefault(unit.block.id, []).append(result)
                last = sentence.end
            pieces.append(unit.text[last:])
            texts.setdefault(unit.block.id, {})[unit.key] = "".join(pieces)
        rendered = {}
        for block in plan.document.blocks + plan.document.properties:
            if block.id in texts:
                parts = texts[block.id]
                rendered[block.id] = render_block(plan.document, block, parts.get("", block.text), parts)
        for code in plan.document.language_codes():
            rendered[code.id] = code_like(code.text, self.engine.tgt)
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
    root: str | None = None  # the output folder whose manifest records this job (default: output's folder)

    def manifest_entry(self) -> tuple[Path, str]:
        """(manifest folder, output name relative to it)."""
        output = Path(self.output)
        root = Path(self.root) if self.root else output.parent
        return root, output.relative_to(root).as_posix()


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
            f
            for f in sorted(path.rglob("*"))
            if f.is_file()
            and not any(part.startswith(".") for part in f.relative_to(path).parts)
            and not _inside(f, out_dir)
            and (fmt is not None or f.suffix.lower() in EXTENSIONS)
        ]
        return [
            Job(
                str(f),
                str(_output_name(out_dir / f.relative_to(path), bilingual)),
                detect_format(f, fmt),
                str(out_dir),
            )
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
            entry is not None
            and entry.get("input") == input_hash
            and entry.get("job") == job_key
            and output.exists()
            and _sha256(output.read_bytes()) == entry.get("sha256")
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
    front_matter_keys: tuple[str, ...] = DEFAULT_FRONT_MATTER_KEYS
    wrap: str = "join"

    def key(self, translator: DocumentTranslator) -> str:
        payload = json.dumps(
            [
                translator.context,
                self.fields,
                self.columns,
                self.errors,
                self.bilingual,
                sorted(translator.glossary.items()),
                *([self.front_matter_keys, self.wrap] if self.changes_defaults else []),
            ],
            ensure_ascii=False,
        )
        return _sha256(payload.encode("utf-8"))[:16]


    @property
    def changes_defaults(self) -> bool:
        """Whether Markdown settings differ from the defaults (keys of earlier runs stay valid)."""
        return self.front_matter_keys != DEFAULT_FRONT_MATTER_KEYS or self.wrap != "join"


@dataclass
class LoadedJob:
    """A job whose input is read and parsed, with the manifest of its output folder."""

    job: Job
    input_hash: str
    manifest: Manifest | None
    document: Document


def load_jobs(jobs: Sequence[Job], settings: JobSettings) -> list[LoadedJob]:
    """Read and parse every input before any translation, so a bad file fails the run at once.

    An output that exists and was not written by an earlier run into the same folder is refused
    unless `settings.overwrite` (InputError naming it).
    """
    manifests: dict[Path, Manifest] = {}
    loaded: list[LoadedJob] = []
    for job in jobs:
        name = "<stdin>" if job.source == "-" else job.source
        data = sys.stdin.buffer.read() if job.source == "-" else _read_bytes(job.source)
        manifest = None
        if job.output is not None:
            output = Path(job.output)
            root, entry = job.manifest_entry()
            manifest = manifests.setdefault(root, Manifest(root))
            if output.exists() and not settings.overwrite and not manifest.knows(entry):
                raise InputError("output exists (use --overwrite to replace it)", job.output)
            for stale in output.parent.glob(f".{glob.escape(output.name)}.*.part"):
                stale.unlink(missing_ok=True)  # left by a run killed while writing this output
        text = decode(data, name, settings.errors)
        doc = parse_document(
            text, name, job.fmt, fields=settings.fields, columns=settings.columns,
            front_matter_keys=settings.front_matter_keys,
        )
        loaded.append(LoadedJob(job, _sha256(data), manifest, doc))
    return loaded


def run_jobs(
    loaded: Sequence[LoadedJob],
    translator: DocumentTranslator | None,
    settings: JobSettings,
    *,
    stdout: Callable[[str], None] | None = None,
    on_planned: Callable[[int], None] | None = None,
) -> RunStats:
    """Translate and write `loaded` jobs; outputs an identical earlier run finished are skipped.

    Each output is written atomically after its manifest entry, so a run killed at any moment
    leaves complete outputs only, and rerunning it redoes just the rest (the translation memory
    answers the sentences that were done). Without a `translator` (nothing needs translating,
    e.g. empty inputs) documents are written back as they are. `on_planned(total_sentences)` is
    called before translating starts (for a progress bar).
    """
    started = time.perf_counter()
    stats = translator.stats if translator else RunStats()
    job_key = settings.key(translator) if translator else ""
    todo: list[LoadedJob] = []
    for item in loaded:
        output = item.job.output
        if item.manifest and item.manifest.is_done(
            item.job.manifest_entry()[1], item.input_hash, _job_id(job_key, item), Path(output)
        ):
            stats.documents_skipped += 1
        else:
            todo.append(item)
    plans = [translator.plan(item.document) for item in todo] if translator else []
    if on_planned:
        on_planned(sum(plan.sentence_count for plan in plans))
    results = (
        translator.translate(plans) if translator else (TranslatedDocument(i.document, {}) for i in todo)
    )
    for item, result in zip(todo, results, strict=True):
        if settings.bilingual:
            content = bilingual_jsonl(result)
        else:
            content = write_document(result.document, result.rendered, wrap=settings.wrap)
        if item.job.output is None:
            (stdout or sys.stdout.write)(content)
            continue
        output = Path(item.job.output)
        encoded = content.encode("utf-8")
        item.manifest.record(item.job.manifest_entry()[1], item.input_hash, _job_id(job_key, item), encoded)
        with atomic_write(output, "wb") as handle:
            handle.write(encoded)
    stats.seconds = time.perf_counter() - started  # the whole run: planning, translating, writing
    return stats


def _job_id(job_key: str, item: LoadedJob) -> str:
    """What must match for an earlier output to count as done: settings, model, and input format."""
    return f"{job_key}:{item.job.fmt}"


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path) from None


def bilingual_jsonl(result: TranslatedDocument) -> str:
    """One JSON line per block: ids, kind, source and translation, and each sentence with its score."""
    doc = result.document
    lines = []
    for block in doc.blocks + doc.properties:
        sentences = result.sentences.get(block.id, [])
        source = render_block(doc, block, block.text, {})
        record = {
            "document": doc.path,
            "block": block.id,
            "kind": block.kind,
            "line": block.meta.get("line"),
            "source": source,
            "translation": result.rendered.get(block.id, source),
            "translated": block.id in result.rendered,
            "sentences": [
                {
                    "index": i,
                    "source": s.source,
                    "translation": s.translation,
                    "score": round(s.score, 4),
                    "cached": s.cached,
                    "dropped": list(s.dropped),
                }
                for i, s in enumerate(sentences)
            ],
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)
