"""File jobs: inputs collected from a file, standard input or a folder, translated into outputs that
are written atomically and recorded in a manifest, so an interrupted run resumes where it stopped.

Document translation itself (planning, memory, engine, reassembly) is `translate.documents`; this
module only decides what to read, what is already done, and how each result is written.

Output names: `-o -` is standard output. An output folder mirrors the input folder, and a language
tag in a file name is renamed to the target's (``article.hi.md`` -> ``article.en.md``,
``post.hin_Deva.html`` -> ``post.eng_Latn.html``). An output that resolves to its input is refused,
``--overwrite`` or not: a translation never replaces its source.

The manifest (``.translate-kit-manifest.jsonl`` in the output folder) has one JSON line per finished
output: ``{"output": name relative to the folder, "input": sha256 of the input bytes, "job": the
settings and model key, "sha256": of the output bytes}``. A rerun skips an output whose entry
matches its input, settings and bytes; `force` translates everything again.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..documents import (
    BILINGUAL_IN_PLACE,
    DEFAULT_FRONT_MATTER_KEYS,
    EXTENSIONS,
    Document,
    detect_format,
    follow_pages,
    heading_maps,
    is_binary,
    parse_document,
    write_document,
)
from ..errors import InputError
from ..languages import code_like, normalize_lang, other
from ..textio import atomic_write, decode, display_name, read_bytes
from .documents import DocumentTranslator, RunStats, TranslatedDocument, bilingual_jsonl

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


def collect_jobs(
    source: str,
    output: str | None,
    fmt: str | None,
    *,
    bilingual: bool = False,
    src: str | None = None,
    tgt: str | None = None,
) -> list[Job]:
    """A file gives one job; a folder gives one per file in it (recursively, sorted, hidden files
    skipped; without --format only known extensions), written under `output` with the same
    relative path, language tags in names renamed for `tgt` (bilingual output: a .jsonl suffix, except
    subtitles, which hold both languages in each cue).

    `output` "-" (or None) is standard output, for a single input. InputError for an output that
    would replace its input.
    """
    output = None if output == "-" else output
    path = Path(source)
    if source != "-" and path.is_dir():
        if output is None:
            raise InputError("translating a folder needs -o OUTPUT_FOLDER", source)
        out_dir = Path(output)
        if out_dir.exists() and not out_dir.is_dir():
            raise InputError("output for a folder must be a folder", output)
        if out_dir.exists() and out_dir.resolve() == path.resolve():
            raise InputError("the output folder is the input folder: it would replace the inputs", output)
        files = [
            f
            for f in sorted(path.rglob("*"))
            if f.is_file()
            and not any(part.startswith(".") for part in f.relative_to(path).parts)
            and not _inside(f, out_dir)
            and (fmt is not None or f.suffix.lower() in EXTENSIONS)
        ]
        formats = [detect_format(f, fmt) for f in files]
        jobs = [
            Job(
                str(f),
                str(_output_name(out_dir / retag(f.relative_to(path), src, tgt), bilingual, file_format)),
                file_format,
                str(out_dir),
            )
            for f, file_format in zip(files, formats, strict=True)
        ]
    else:
        if source != "-" and not path.exists():
            raise InputError("no such file or folder", source)
        if output is not None and Path(output).is_dir():
            named = Path(output) / retag(Path(path.name), src, tgt)
            output = str(_output_name(named, bilingual, detect_format(source, fmt)))
        jobs = [Job(source, output, detect_format(source, fmt))]
    for job in jobs:
        if job.source != "-" and job.output is not None and _same_file(job.source, job.output):
            message = "would replace the input: choose another output (--overwrite never does)"
            raise InputError(message, job.output)
    return jobs


def retag(relative: Path, src: str | None, tgt: str | None) -> Path:
    """`relative` with a language tag in its file name renamed for the target language.

    A tag is a dot-separated part of the name after its first part and before its extension
    (``article.hi.md``, ``notes.hin_Deva.txt``); the target is `tgt`, else the other language of
    the tag's. A tag already naming the target, or not naming `src` when it is given, stays.
    """
    parts = relative.name.split(".")
    for index in range(len(parts) - 2, 0, -1):
        tag = _tag_language(parts[index])
        if tag is None:
            continue
        target = normalize_lang(tgt) if tgt else other(tag)
        if tag == target or (src and normalize_lang(src) != tag):
            return relative
        parts[index] = code_like(parts[index], target)
        return relative.with_name(".".join(parts))
    return relative


def _tag_language(part: str) -> str | None:
    """The language a file-name part names ("hi", "hin_Deva", "hi-IN"), if any."""
    for candidate in (part, part.split("-")[0], part.split("_")[0]):
        try:
            return normalize_lang(candidate)
        except ValueError:
            continue
    return None


def _same_file(source: str, output: str) -> bool:
    out = Path(output)
    return out.resolve() == Path(source).resolve() or (out.exists() and os.path.samefile(source, out))


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _output_name(path: Path, bilingual: bool, fmt: str) -> Path:
    """Bilingual output is a JSONL side file, except for formats that hold both languages in place;
    a PDF is written as Markdown (its text, not its layout, is what is translated)."""
    if fmt == "pdf":
        path = path.with_suffix(".md")
    return path.with_name(path.name + ".jsonl") if bilingual and fmt not in BILINGUAL_IN_PLACE else path


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
        self.add({"output": name, "input": input_hash, "job": job_key, "sha256": _sha256(content)})

    def add(self, *entries: dict[str, str]) -> None:
        """Append finished outputs' entries (also a Ray run's, writing into a local folder)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write("".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in entries))
            handle.flush()
            os.fsync(handle.fileno())
        self.entries.update((entry["output"], entry) for entry in entries)


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
    force: bool = False  # translate again what the manifest says is done

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
        name = display_name(job.source)
        data = read_bytes(job.source)
        manifest = None
        if job.output is not None:
            output = Path(job.output)
            root, entry = job.manifest_entry()
            manifest = manifests.setdefault(root, Manifest(root))
            if output.exists() and not settings.overwrite and not manifest.knows(entry):
                raise InputError("output exists (use --overwrite to replace it)", job.output)
            for stale in output.parent.glob(f".{glob.escape(output.name)}.*.part"):
                stale.unlink(missing_ok=True)  # left by a run killed while writing this output
        source = data if is_binary(job.fmt) else decode(data, name, settings.errors)
        doc = parse_document(
            source, name, job.fmt, fields=settings.fields, columns=settings.columns,
            front_matter_keys=settings.front_matter_keys,
        )
        loaded.append(LoadedJob(job, _sha256(data), manifest, doc))
    return loaded


def run_jobs(
    loaded: Sequence[LoadedJob],
    translator: DocumentTranslator | None,
    settings: JobSettings,
    *,
    stdout: Callable[[str | bytes], None] | None = None,
    on_planned: Callable[[int], None] | None = None,
) -> RunStats:
    """Translate and write `loaded` jobs; outputs an identical earlier run finished are skipped.

    Each output is written atomically after its manifest entry, so a run killed at any moment
    leaves complete outputs only, and rerunning it redoes just the rest (the translation memory
    answers the sentences that were done). Without a `translator` (nothing needs translating,
    e.g. empty inputs) documents are written back as they are. `on_planned(total_sentences)` is
    called before translating starts (for a progress bar). Standard output gets text, or bytes for
    a binary format (an office file).
    """
    started = time.perf_counter()
    stats = translator.stats if translator else RunStats()
    job_key = settings.key(translator) if translator else ""
    todo: list[LoadedJob] = []
    for item in loaded:
        output = item.job.output
        if not settings.force and item.manifest and item.manifest.is_done(
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
    pages: dict[str, list[dict[str, str]]] = {}
    written: list[tuple[LoadedJob, str, str]] = []
    names = _page_names([item.job.source for item in todo])
    for item, result in zip(todo, results, strict=True):
        in_place = result.document.format in BILINGUAL_IN_PLACE
        if settings.bilingual and not in_place:
            content = bilingual_jsonl(result)
        else:
            content = write_document(
                result.document, result.rendered, wrap=settings.wrap, bilingual=settings.bilingual
            )
        if item.job.output is None:
            (stdout or _write_stdout)(content)
            continue
        _write_output(item, content, job_key)
        maps = [] if settings.bilingual else heading_maps(result.document, result.rendered)
        if maps:
            pages[names[item.job.source]] = maps
        if result.document.format == "markdown" and not settings.bilingual:
            written.append((item, names[item.job.source], content))
    # Links to another page's headings can follow them only once that page is translated too.
    for item, name, content in written:
        linked = follow_pages(content, name, pages)
        if linked != content:
            _write_output(item, linked, job_key)
    stats.seconds = time.perf_counter() - started  # the whole run: planning, translating, writing
    return stats


def _write_stdout(content: str | bytes) -> None:
    if isinstance(content, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(content)
    else:
        sys.stdout.write(content)


def _write_output(item: LoadedJob, content: str | bytes, job_key: str) -> None:
    """Record `content` in the manifest, then write it atomically (a killed run leaves whole files;
    a failed write leaves no partial one). A full disk or a vanished folder: one line naming the
    output and how to go on."""
    output = Path(item.job.output)
    encoded = content if isinstance(content, bytes) else content.encode("utf-8")
    try:
        name, job_id = item.job.manifest_entry()[1], _job_id(job_key, item)
        item.manifest.record(name, item.input_hash, job_id, encoded)
        with atomic_write(output, "wb") as handle:
            handle.write(encoded)
    except OSError as exc:
        raise OSError(exc.errno, f"{exc.strerror or exc}; finished outputs are kept, run the same "
                      "command again to resume", str(output)) from None


def _page_names(sources: list[str]) -> dict[str, str]:
    """Each source path relative to the run's common folder (POSIX): how pages link to each other."""
    folders = [os.path.dirname(os.path.abspath(s)) for s in sources if s != "-"]
    root = os.path.commonpath(folders) if folders else "."
    return {s: Path(os.path.relpath(os.path.abspath(s), root)).as_posix() for s in sources}


def _job_id(job_key: str, item: LoadedJob) -> str:
    """What must match for an earlier output to count as done: settings, model, and input format."""
    return f"{job_key}:{item.job.fmt}"
