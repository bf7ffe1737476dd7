"""Where a Ray run reads and writes: local paths or any pyarrow filesystem URI, cut into shards.

Inputs and outputs go through `pyarrow.fs` so the same run reads a local folder, `file://...`,
`s3://bucket/prefix`, `gs://...` or `hdfs://...`; on a cluster every node opens the same URI
(a local path must then be on a shared filesystem). A folder is listed like the local run lists
it (recursively, sorted, hidden files skipped, known extensions only unless a format is given),
and each file's output keeps its relative path under the output folder, so a Ray run writes
exactly the files a local run writes.

Work is cut into shards of whole documents, in listing order, each up to `shard_bytes` of input
(at least one document), so a shard is the unit that is retried, recorded and resumed.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import posixpath
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

import pyarrow.fs as pafs

from ..documents import EXTENSIONS, detect_format
from ..errors import InputError
from ..textio import decode
from ..translate.jobs import retag
from .options import DEFAULT_SHARD_BYTES


@dataclass(frozen=True)
class Place:
    """A path on a pyarrow filesystem; `shown` is how a user wrote it (for messages)."""

    fs: pafs.FileSystem
    path: str
    shown: str

    def join(self, *parts: str) -> Place:
        path = posixpath.join(self.path, *parts)
        return Place(self.fs, path, posixpath.join(self.shown, *parts))

    def kind(self) -> pafs.FileType:
        return self.fs.get_file_info(self.path).type

    def read_bytes(self) -> bytes:
        with self.fs.open_input_stream(self.path) as handle:
            return handle.read()

    def write_bytes(self, data: bytes) -> None:
        """Write atomically where the filesystem can: a temporary name beside it, then a rename
        (a single PUT on object stores, which never show a partial object either)."""
        parent = posixpath.dirname(self.path)
        self.fs.create_dir(parent, recursive=True)
        if isinstance(self.fs, pafs.LocalFileSystem):
            tmp = posixpath.join(parent, f".{posixpath.basename(self.path)}.{uuid.uuid4().hex[:8]}.part")
            try:
                with self.fs.open_output_stream(tmp) as handle:
                    handle.write(data)
                with open(tmp, "rb+") as handle:
                    os.fsync(handle.fileno())
                self.fs.move(tmp, self.path)
            except BaseException:
                if self.fs.get_file_info(tmp).type == pafs.FileType.File:
                    self.fs.delete_file(tmp)
                raise
        else:
            with self.fs.open_output_stream(self.path) as handle:
                handle.write(data)


    def remove_partial(self) -> None:
        """Delete temporary files a worker killed while writing this file left beside it."""
        if isinstance(self.fs, pafs.LocalFileSystem):
            folder, name = posixpath.split(self.path)
            for stale in glob.glob(posixpath.join(glob.escape(folder), f".{glob.escape(name)}.*.part")):
                os.unlink(stale)


def place(target: str) -> Place:
    """A local path (made absolute) or a filesystem URI such as s3://bucket/prefix."""
    if "://" in target:
        try:
            fs, path = pafs.FileSystem.from_uri(target)
        except (ValueError, OSError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise InputError(f"cannot open filesystem: {exc}", target) from None
        return Place(fs, path, target)
    return Place(pafs.LocalFileSystem(), os.path.abspath(target), target)


@dataclass(frozen=True)
class DocItem:
    """One input document and its output (both on their filesystems); `name` is the relative path."""

    name: str
    source: Place
    output: Place
    fmt: str
    size: int
    stamp: str  # size and modification time: what tells a changed input without reading it
    part: tuple[int, int] | None = None  # records mode: a byte range (JSONL) or row groups (Parquet)
    container: str = "file"  # "file", or "jsonl" / "parquet" for a part of a big records file

    def read(self, errors: str) -> tuple[str, str | None]:
        """The document's text, and for a whole file the sha256 of its bytes (what the local run's
        manifest records); a Parquet part becomes JSON lines, one per row."""
        if self.container == "parquet":
            rows = self._rows().to_pylist()
            return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), None
        if self.part is None:
            data = self.source.read_bytes()
            return decode(data, self.source.shown, errors), hashlib.sha256(data).hexdigest()
        with self.source.fs.open_input_file(self.source.path) as handle:
            data = handle.read_at(self.part[1] - self.part[0], self.part[0])
        return decode(data, self.source.shown, errors), None

    def read_text(self, errors: str) -> str:
        return self.read(errors)[0]

    def encode(self, content: str) -> bytes:
        """What to write for translated `content`: the text, or for a Parquet part the same table
        (schema and row order) with the translated values."""
        if self.container != "parquet":
            return content.encode("utf-8")
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows = [json.loads(line) for line in content.splitlines() if line.strip()]
        sink = pa.BufferOutputStream()
        pq.write_table(pa.Table.from_pylist(rows, schema=self._rows().schema), sink)
        return sink.getvalue().to_pybytes()

    def _rows(self):
        import pyarrow.parquet as pq

        with self.source.fs.open_input_file(self.source.path) as handle:
            return pq.ParquetFile(handle).read_row_groups(list(range(*self.part)))


@dataclass(frozen=True)
class Shard:
    index: int
    items: tuple[DocItem, ...]

    @property
    def name(self) -> str:
        return f"shard-{self.index:05d}"

    def fingerprint(self, job_key: str) -> str:
        """What must match for a recorded shard to count as done: settings, and each input's
        name, size and time."""
        digest = hashlib.sha256(job_key.encode("utf-8"))
        for item in self.items:
            digest.update(f"\0{item.name}\0{item.fmt}\0{item.stamp}".encode())
        return digest.hexdigest()[:32]


def collect(
    source: Place, output: Place, fmt: str | None, *, bilingual: bool = False, src: str | None = None,
    tgt: str | None = None,
) -> list[DocItem]:
    """The documents of a file or folder and their outputs, in the local run's order and names
    (a language tag in a file name renamed for the target, as translate.jobs.retag does)."""

    def output_name(name: str) -> str:
        renamed = retag(PurePosixPath(name), src, tgt).as_posix()
        return renamed + ".jsonl" if bilingual else renamed

    info = source.fs.get_file_info(source.path)
    if info.type == pafs.FileType.NotFound:
        raise InputError("no such file or folder", source.shown)
    if info.type == pafs.FileType.File:
        out = output
        if output.kind() == pafs.FileType.Directory:
            out = output.join(output_name(posixpath.basename(source.path)))
        return [DocItem(posixpath.basename(source.path), source, out, detect_format(source.path, fmt),
                        info.size or 0, _stamp(info))]
    selector = pafs.FileSelector(source.path, recursive=True)
    items = []
    for entry in sorted(source.fs.get_file_info(selector), key=lambda e: e.path):
        if entry.type != pafs.FileType.File:
            continue
        name = posixpath.relpath(entry.path, source.path)
        if any(part.startswith(".") for part in name.split("/")) or _inside(entry.path, source, output):
            continue
        if fmt is None and posixpath.splitext(name)[1].lower() not in EXTENSIONS:
            continue
        items.append(DocItem(name, source.join(name), output.join(output_name(name)),
                             detect_format(name, fmt), entry.size or 0, _stamp(entry)))
    return items


def _inside(path: str, source: Place, output: Place) -> bool:
    """An input under the output folder (an output folder inside the input folder) is not input."""
    same_fs = source.fs.type_name == output.fs.type_name
    return same_fs and (path + "/").startswith(output.path.rstrip("/") + "/")


def _stamp(info: pafs.FileInfo) -> str:
    return f"{info.size}:{info.mtime_ns}"


RECORD_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def collect_records(source: Place, output: Place, records: int) -> list[DocItem]:
    """A big JSONL or Parquet file cut into parts of about `records` records, each a document
    written as `<output>/part-NNNNN.jsonl` (or .parquet): JSONL parts are byte ranges of whole
    lines, Parquet parts whole row groups (so a part is at least one row group)."""
    info = source.fs.get_file_info(source.path)
    container = RECORD_FORMATS.get(posixpath.splitext(source.path)[1].lower())
    if info.type != pafs.FileType.File or container is None:
        raise InputError("records mode takes one .jsonl or .parquet file", source.shown)
    ranges = _parquet_parts(source, records) if container == "parquet" else _jsonl_parts(source, records)
    extension = "parquet" if container == "parquet" else "jsonl"
    return [
        DocItem(f"part-{i:05d}.{extension}", source, output.join(f"part-{i:05d}.{extension}"), "jsonl",
                info.size or 0, f"{_stamp(info)}:{start}-{stop}", (start, stop), container)
        for i, (start, stop) in enumerate(ranges)
    ]


def _jsonl_parts(source: Place, records: int) -> list[tuple[int, int]]:
    """Byte ranges holding `records` non-blank lines each (blank lines stay with their part)."""
    ranges, start, offset, count = [], 0, 0, 0
    with source.fs.open_input_stream(source.path) as handle:
        for line in io.BufferedReader(handle):
            offset += len(line)
            count += bool(line.strip())
            if count == records:
                ranges.append((start, offset))
                start, count = offset, 0
    if offset > start:
        ranges.append((start, offset))
    return ranges


def _parquet_parts(source: Place, records: int) -> list[tuple[int, int]]:
    """Runs of consecutive row groups holding at least `records` rows (the last may hold fewer)."""
    import pyarrow.parquet as pq

    with source.fs.open_input_file(source.path) as handle:
        metadata = pq.ParquetFile(handle).metadata
    ranges, start, rows = [], 0, 0
    for group in range(metadata.num_row_groups):
        rows += metadata.row_group(group).num_rows
        if rows >= records:
            ranges.append((start, group + 1))
            start, rows = group + 1, 0
    if start < metadata.num_row_groups:
        ranges.append((start, metadata.num_row_groups))
    return ranges


def cut(items: list[DocItem], shard_bytes: int = DEFAULT_SHARD_BYTES) -> list[Shard]:
    """Consecutive documents up to `shard_bytes` of input each (a bigger document alone)."""
    shards: list[Shard] = []
    current: list[DocItem] = []
    size = 0
    for item in items:
        if current and size + item.size > shard_bytes:
            shards.append(Shard(len(shards), tuple(current)))
            current, size = [], 0
        current.append(item)
        size += item.size
    if current:
        shards.append(Shard(len(shards), tuple(current)))
    return shards
