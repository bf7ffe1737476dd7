"""Parallel corpora as streams of pairs, read and written in their own format.

FORMATS: `tsv` (`hindi<TAB>english`, further columns carried through), `jsonl` (records with
`hi_text` and `en_text`, as `corpus build` writes corpus.jsonl; other fields carried through) and
`moses` (a `.hi` file and an `.en` file, one side of a pair per line). A pair written out is the
line it was read from, byte for byte, so cleaning only ever removes lines. Bad input stops with
one line naming the file and line (`errors.InputError`).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import InputError
from ..textio import atomic_write

FORMATS = ("tsv", "jsonl", "moses")


@dataclass(frozen=True)
class Pair:
    """One pair and where it came from: `line` (1-based) and `lines`, its text in each output file."""

    hi: str
    en: str
    line: int
    lines: tuple[str, ...]


def detect_format(path: str | os.PathLike[str]) -> str:
    """From the name: .jsonl -> jsonl; .hi or .en, or a prefix P with P.hi and P.en -> moses; else tsv."""
    path = Path(path)
    if path.suffix == ".jsonl":
        return "jsonl"
    if path.suffix in (".hi", ".en") or (not path.exists() and Path(f"{path}.hi").exists()):
        return "moses"
    return "tsv"


def moses_paths(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """The Hindi and English files of a Moses pair named by either file or by their prefix."""
    path = Path(path)
    prefix = path.with_suffix("") if path.suffix in (".hi", ".en") else path
    return Path(f"{prefix}.hi"), Path(f"{prefix}.en")


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text without its newline), decoded line by line so a bad byte names its line."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", str(path)) from None
    with handle:
        number = 0
        for number, raw in enumerate(handle, start=1):  # noqa: B007 - the count is used after the loop
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"not UTF-8 (byte {exc.start + 1} of the line)", str(path), number) from None
            yield number, text.rstrip("\n").removesuffix("\r")
        if number == 0:
            raise InputError("the file is empty", str(path))


def read_pairs(path: str | os.PathLike[str], fmt: str | None = None) -> Iterator[Pair]:
    """The pairs of a corpus file (or Moses pair), streamed; `fmt` None: `detect_format`."""
    fmt = fmt or detect_format(path)
    if fmt == "moses":
        yield from _read_moses(*moses_paths(path))
        return
    path = Path(path)
    for number, line in _lines(path):
        if fmt == "tsv":
            parts = line.split("\t")
            if len(parts) < 2:
                raise InputError("expected 'hindi<TAB>english' (no tab on this line)", str(path), number)
            yield Pair(parts[0], parts[1], number, (line,))
        elif fmt == "jsonl":
            yield _jsonl_pair(line, path, number)
        else:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def _jsonl_pair(line: str, path: Path, number: int) -> Pair:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not a JSON record ({exc.msg})", str(path), number) from None
    fields = ("hi_text", "en_text")
    if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in fields):
        raise InputError("a record needs string fields 'hi_text' and 'en_text'", str(path), number)
    return Pair(record["hi_text"], record["en_text"], number, (line,))


def _read_moses(hi_path: Path, en_path: Path) -> Iterator[Pair]:
    for hi, en in itertools.zip_longest(_lines(hi_path), _lines(en_path)):
        if hi is None or en is None:
            longer, other, number = (en_path, hi_path, en[0]) if hi is None else (hi_path, en_path, hi[0])
            raise InputError(f"{other} has fewer lines: it ends before this line", str(longer), number)
        yield Pair(hi[1], en[1], hi[0], (hi[1], en[1]))


class PairWriter:
    """Writes pairs to `path` in `fmt`, atomically: the files appear complete when `close` runs
    without error, and a crash leaves any earlier output as it was."""

    def __init__(self, path: str | os.PathLike[str], fmt: str):
        self._stack = contextlib.ExitStack()
        paths = moses_paths(path) if fmt == "moses" else (Path(path),)
        self._handles: list[IO] = [self._stack.enter_context(atomic_write(p)) for p in paths]

    def write(self, pair: Pair) -> None:
        for handle, line in zip(self._handles, pair.lines, strict=True):
            handle.write(line + "\n")

    def __enter__(self) -> PairWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.__exit__(*exc)
