"""Reading user text with clear errors, and writing files atomically.

Every reader in the project goes through here so that bad input is reported the same way
(file, line and byte offset) and every writer can never leave a half-written file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import InputError

BOM = "\ufeff"


def decode(data: bytes, path: str, errors: str = "strict") -> str:
    """Decode UTF-8 (a leading BOM is dropped, CRLF/CR become LF).

    With errors="strict" an invalid byte raises InputError naming the line and byte offset;
    errors="replace" substitutes U+FFFD, which is the documented fallback.
    """
    try:
        text = data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"invalid UTF-8 at byte {exc.start} (use --errors replace to substitute U+FFFD)", path, line
        ) from None
    if b"\x00" in data[:8192]:
        raise InputError("looks like a binary file (NUL bytes), expected UTF-8 text", path)
    if text.startswith(BOM):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def display_name(path: str | os.PathLike[str]) -> str:
    """How errors name an input: the path, or `<stdin>` for '-'."""
    name = os.fspath(path)
    return "<stdin>" if name == "-" else name


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The raw bytes of a file ('-' is standard input); an unreadable file is an InputError."""
    name = os.fspath(path)
    if name == "-":
        import sys

        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", name) from None


def read_text(path: str | os.PathLike[str], errors: str = "strict") -> str:
    """Read a UTF-8 text file ('-' is standard input)."""
    return decode(read_bytes(path), display_name(path), errors)


def read_lines(path: str | os.PathLike[str], errors: str = "strict") -> list[str]:
    """Lines of a text file without their newline; a final newline adds no empty line."""
    text = read_text(path, errors)
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _default_mode() -> int:
    """The mode open() would give a new file (0666 less the umask); mkstemp's 0600 is too private."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8"
) -> Iterator[IO]:
    """Write to a temporary file beside `path`, fsync, then rename over it.

    A crash or kill at any point leaves either the old file or the complete new one, never a
    truncated file that a resumed job would mistake for finished work.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _default_mode())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
