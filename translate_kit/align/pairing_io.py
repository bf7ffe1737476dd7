"""Reading two heaps of crawled documents for pairing, and writing the pairs and the unpaired list.

A heap is a folder (every non-hidden file under it, read through the `documents` readers: Markdown
and HTML by extension, anything else as plain text) or a JSON Lines file with one document a line:
``{"url": ..., "text": ...}`` (`text` required, read as plain text; `url` optional, the document's
id and its hint). Documents that cannot take part are reported, never silently dropped: binary or
non-UTF-8 files, documents without text, documents in the wrong script for their side, and exact
duplicates (same text after normalisation) of an earlier document on the same side.

The pairs file is a TSV of `hindi_path<TAB>english_path<TAB>doc id<TAB>score` (a `#` header line
first), which `corpus build` and `align --pairs` read; paths are relative to the TSV's folder. For
JSON Lines heaps the paired texts are written as files under `<pairs file>.docs/{hi,en}/` so that
the TSV can name them. Unpaired and skipped documents go to `<pairs file stem>.unpaired.tsv`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..documents import BlockKind, detect_format, parse_document
from ..errors import InputError
from ..textio import atomic_write, decode, read_lines
from .pairing import PairDocument, PairingResult, Unpaired

_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_LATIN = re.compile(r"[A-Za-z]")
_URL = re.compile(r"(?:https?://|www\.)[^\s\"'<>)\]]+")
_FOLDER_FORMATS = ("text", "markdown", "html")
_HEADINGS = (BlockKind.HEADING, BlockKind.TITLE)


@dataclass
class Heap:
    """The documents of one side, where each came from, and what was left out and why."""

    side: str  # "hi" or "en"
    source: str
    documents: list[PairDocument] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)  # id -> file (folders only)
    skipped: list[Unpaired] = field(default_factory=list)


def read_heap(path: str | os.PathLike[str], side: str, errors: str = "strict") -> Heap:
    """A folder of documents or a JSON Lines file of {url, text} records; empty heaps are an error."""
    path = Path(path)
    heap = Heap(side, str(path))
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p, path))
        for file in files:
            _read_file(heap, file, errors)
    elif path.is_file():
        _read_jsonl(heap, path)
    else:
        raise InputError("no such file or folder", str(path))
    if not heap.documents and not heap.skipped:
        raise InputError("no documents found", str(path))
    _check_documents(heap)
    return heap


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _read_file(heap: Heap, file: Path, errors: str) -> None:
    try:
        data = file.read_bytes()
        if b"\x00" in data[:8192]:
            heap.skipped.append(Unpaired(heap.side, str(file), "binary file (NUL bytes), not text"))
            return
        source = decode(data, str(file), errors)
    except InputError as exc:
        heap.skipped.append(Unpaired(heap.side, str(file), _reason(exc, str(file))))
        return
    except OSError as exc:
        heap.skipped.append(Unpaired(heap.side, str(file), f"cannot read: {exc.strerror}"))
        return
    fmt = detect_format(file)
    try:
        doc = parse_document(source, str(file), fmt if fmt in _FOLDER_FORMATS else "text")
    except InputError as exc:
        heap.skipped.append(Unpaired(heap.side, str(file), _reason(exc, str(file))))
        return
    blocks = [b for b in doc.blocks if b.translate]
    texts = tuple(t for t in (" ".join(b.plain_text().split()) for b in blocks) if t)
    headings = sum(1 for b in blocks if b.kind in _HEADINGS)
    urls = tuple(dict.fromkeys(_URL.findall(source)))
    heap.documents.append(PairDocument(str(file), texts, headings, urls, hint=file.name))
    heap.paths[str(file)] = file


def _reason(exc: InputError, where: str) -> str:
    """The error message without the file name in front (the report names the file already)."""
    return re.sub(rf"^{re.escape(where)}(:\d+)?: ", "", str(exc))


def _read_jsonl(heap: Heap, path: Path) -> None:
    seen: set[str] = set()
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f'not JSON ({exc.msg}); expected {{"url": ..., "text": ...}}', str(path), number
            ) from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise InputError(
                "each line needs a string 'text' field (and optionally 'url')", str(path), number
            )
        url = record.get("url")
        doc_id = url if isinstance(url, str) and url.strip() else f"{path}:{number}"
        if doc_id in seen:
            raise InputError(f"url {doc_id!r} appears twice", str(path), number)
        seen.add(doc_id)
        doc = parse_document(record["text"], f"{path}:{number}", "text")
        texts = tuple(t for t in (" ".join(b.plain_text().split()) for b in doc.blocks) if t)
        headings = sum(1 for b in doc.blocks if b.kind in _HEADINGS)
        urls = tuple(dict.fromkeys(_URL.findall(record["text"])))
        hint = url if isinstance(url, str) else ""
        heap.documents.append(PairDocument(doc_id, texts, headings, urls, hint=hint))


def _check_documents(heap: Heap) -> None:
    """Move documents without text, in the wrong script, or duplicating another one to `skipped`."""
    keep: list[PairDocument] = []
    first: dict[str, str] = {}
    wrong = 0
    for doc in heap.documents:
        text = " ".join(doc.blocks)
        reason = None
        if not any(ch.isalnum() for ch in text):
            reason = "no text"
        elif heap.side == "hi" and not _DEVANAGARI.search(text):
            reason = "no Devanagari text on the Hindi side"
        elif heap.side == "en" and len(_DEVANAGARI.findall(text)) > len(_LATIN.findall(text)):
            reason = "mostly Devanagari text on the English side"
        if reason and reason != "no text":
            wrong += 1
        if reason is None:
            key = hashlib.sha1(" ".join(unicodedata.normalize("NFC", text).split()).encode()).hexdigest()
            if key in first:
                reason = f"duplicate of {first[key]}"
            else:
                first[key] = doc.id
        if reason:
            heap.skipped.append(Unpaired(heap.side, doc.id, reason))
        else:
            keep.append(doc)
    if wrong and not keep:
        language = "Hindi" if heap.side == "hi" else "English"
        raise InputError(
            f"no document is {language}: give the Hindi documents first, then the English ones", heap.source
        )
    heap.documents = keep


def write_pairs(
    result: PairingResult, hi: Heap, en: Heap, output: str | os.PathLike[str], fmt: str | None = None
) -> tuple[Path, Path]:
    """Write the pairs (TSV or JSONL, from `fmt` or the extension) and the unpaired list beside them.

    Returns the two paths written. Documents of JSON Lines heaps are written out as text files first.
    """
    output = Path(output)
    fmt = fmt or ("jsonl" if output.suffix.lower() in (".jsonl", ".ndjson") else "tsv")
    output.parent.mkdir(parents=True, exist_ok=True)
    files = {"hi": _files_for(result, hi, output), "en": _files_for(result, en, output)}
    with atomic_write(output) as handle:
        if fmt == "tsv":
            handle.write("# hindi\tenglish\tdoc\tscore\n")
        for pair in result.pairs:
            hi_path = _relative(files["hi"][pair.hi], output.parent)
            en_path = _relative(files["en"][pair.en], output.parent)
            if fmt == "tsv":
                doc = _relative(Path(pair.hi), Path(hi.source)) if hi.paths else pair.hi
                handle.write(f"{hi_path}\t{en_path}\t{_cell(doc)}\t{pair.score:.4f}\n")
            else:
                record = {
                    "hi": pair.hi,
                    "en": pair.en,
                    "score": pair.score,
                    "hi_path": hi_path,
                    "en_path": en_path,
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    unpaired_path = output.with_name(output.stem + ".unpaired.tsv")
    with atomic_write(unpaired_path) as handle:
        handle.write("side\tdocument\treason\tbest candidate\tbest score\n")
        for item in [*hi.skipped, *en.skipped, *result.unpaired]:
            handle.write(
                f"{item.side}\t{_cell(item.id)}\t{_cell(item.reason)}\t{_cell(item.best)}\t{item.best_score:.4f}\n"
            )
    return output, unpaired_path


def _files_for(result: PairingResult, heap: Heap, output: Path) -> dict[str, Path]:
    """Each paired document's file: its own for folders, a written copy for JSON Lines heaps."""
    if heap.paths:
        return heap.paths
    ids = {getattr(pair, heap.side) for pair in result.pairs}
    folder = output.with_name(output.name + ".docs") / heap.side
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for number, doc in enumerate(heap.documents, start=1):
        if doc.id in ids:
            files[doc.id] = folder / f"{number:06d}.txt"
            with atomic_write(files[doc.id]) as handle:
                handle.write("\n\n".join(doc.blocks) + "\n")
    return files


def _relative(path: Path, base: Path) -> str:
    return os.path.relpath(path.resolve(), base.resolve())


def _cell(text: str) -> str:
    return " ".join(str(text).replace("\t", " ").split())
