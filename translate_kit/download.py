"""Resumable HTTP downloads and safe archive unpacking, for model archives of 200 MB to several GB.

Why not `urllib.request.urlretrieve`: a model archive is large and networks drop; a user who
loses the connection at 80% must not start again from zero. So bytes go to a `.part` file that
a later call continues with an HTTP `Range` request, and the file is checked (size, sha256)
before anyone unpacks it. Unpacking filters members (no absolute paths, no `..`, no links out
of the target) and skips what translation never needs (the fairseq checkpoint).

Gated or private Hugging Face repositories need a token: `HF_TOKEN` (Hugging Face's own variable)
is sent as a bearer token to Hugging Face hosts only, and never forwarded on a redirect (the file
itself comes from a signed CDN address that must not see it); a 401 or 403 from Hugging Face says
what to do.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import lzma
import os
import re
import shutil
import sys
import tarfile
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from tqdm import tqdm

from . import __version__
from .errors import ModelError

CHUNK = 1 << 20
TOKEN_ENV = "HF_TOKEN"
TOKEN_HOSTS = ("huggingface.co", "hf.co")
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")
_CONTENT_RANGE_UNSATISFIED = re.compile(r"bytes\s+\*/(\d+)")


# What a corrupt compressed stream raises; anything else (disk full, permissions) is not the archive's fault.
_CORRUPT_TAR = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError)
_CORRUPT_ZIP = (zipfile.BadZipFile, EOFError, zlib.error)


class ArchiveError(ModelError):
    """The downloaded file is not a usable archive (damaged, unknown format, unsafe member paths)."""


class DownloadError(ModelError):
    """The server answered but the download failed (HTTP error, cut connection, bad checksum)."""


class HTTPStatusError(DownloadError):
    """The server refused the request (404, 403, 500...): another mirror may still have the file."""


class OfflineError(DownloadError):
    """The server could not be reached at all (no network, DNS failure, connection refused)."""


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in 1 MiB chunks so a 1 GB model never sits in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download(
    url: str,
    part: Path,
    *,
    size: int | None = None,
    sha256: str | None = None,
    quiet: bool = False,
    retries: int = 3,
    timeout: float = 30.0,
    label: str | None = None,
) -> Path:
    """Download `url` into `part`, continuing whatever `part` already holds; return `part`.

    A cut connection is retried `retries` times, each time resuming where it stopped; if it
    still fails, `part` is kept so that the next call resumes. A file that fails the size or
    sha256 check is deleted (resuming a corrupt file could never succeed) and DownloadError
    is raised. The progress bar goes to stderr and is off with `quiet`.
    """
    part.parent.mkdir(parents=True, exist_ok=True)
    interruptions = 0
    while True:
        try:
            total = _transfer(url, part, size=size, quiet=quiet, timeout=timeout, label=label)
            break
        except _Interrupted as cut:
            interruptions += 1
            if interruptions > retries:
                have = part.stat().st_size if part.exists() else 0
                of = f" of {cut.total}" if cut.total else ""
                raise DownloadError(
                    f"download of {url} interrupted at byte {have}{of} ({cut.reason}); "
                    "run the same command again to resume"
                ) from None
    _verify(url, part, size if size is not None else total, sha256)
    return part


class _Interrupted(Exception):
    """The connection dropped after the transfer started; resumable."""

    def __init__(self, reason: str, total: int | None):
        super().__init__(reason)
        self.reason = reason
        self.total = total


def _transfer(url: str, part: Path, *, size: int | None, quiet: bool, timeout: float,
              label: str | None) -> int | None:
    """One HTTP request that appends to `part`; returns the full size when the server said it."""
    have = part.stat().st_size if part.exists() else 0
    if size is not None and have > size:
        part.unlink()
        have = 0
    if size is not None and have == size:
        return size
    headers = {"User-Agent": f"translate-kit/{__version__}"}
    if have:
        headers["Range"] = f"bytes={have}-"
    request = urllib.request.Request(url, headers=headers)
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token and _token_host(url):
        request.add_unredirected_header("Authorization", f"Bearer {token}")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:
            return _after_unsatisfiable_range(exc, part, have)
        advice = _token_advice(url, exc.code, token)
        raise HTTPStatusError(f"{url}: HTTP {exc.code} {exc.reason}{advice}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OfflineError(f"{url}: cannot connect ({reason})") from None
    with response:
        start, total = _range_of(response, have)
        mode = "ab" if start else "wb"
        with open(part, mode) as out, tqdm(
            total=total, initial=start, unit="B", unit_scale=True, unit_divisor=1024,
            desc=label or PurePosixPath(url).name, file=sys.stderr, disable=quiet,
        ) as bar:
            try:
                for chunk in iter(lambda: response.read(CHUNK), b""):
                    _write(out, chunk, part)
                    bar.update(len(chunk))
            except (http.client.IncompleteRead, ConnectionError, TimeoutError) as exc:
                raise _Interrupted(type(exc).__name__, total) from None
    got = part.stat().st_size
    if total is not None and got < total:
        raise _Interrupted(f"connection closed after {got} bytes", total)
    return total


def _token_host(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in TOKEN_HOSTS)


def _token_advice(url: str, code: int, token: str) -> str:
    """What to do about a 401/403 from Hugging Face: a gated or private repository needs a token."""
    if code not in (401, 403) or not _token_host(url):
        return ""
    if not token:
        return (f"; the repository is gated or private: accept its terms on huggingface.co, then set "
                f"{TOKEN_ENV} to an access token (huggingface.co/settings/tokens) and run again")
    return (f"; {TOKEN_ENV} is set but was refused: check that the token is valid and that its account "
            "has accepted the repository's terms")


def _write(out, chunk: bytes, part: Path) -> None:
    try:
        out.write(chunk)
    except OSError as exc:  # disk full, quota: keep what we have so a later call resumes
        reason = exc.strerror or exc
        raise DownloadError(f"cannot write {part}: {reason}; free space and run again to resume") from None


def _range_of(response: http.client.HTTPResponse, have: int) -> tuple[int, int | None]:
    """Where this response's body starts in the file, and the full file size if known.

    A server that ignores `Range` answers 200 with the whole file: then we start from zero.
    """
    length = response.headers.get("Content-Length")
    if response.status == 206:
        match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
        if match and int(match.group(1)) == have:
            total = match.group(3)
            return have, int(total) if total != "*" else None
        raise DownloadError(f"{response.url}: server sent a range that does not continue byte {have}")
    return 0, int(length) if length is not None else None


def _after_unsatisfiable_range(exc: urllib.error.HTTPError, part: Path, have: int) -> int | None:
    """HTTP 416 on resume: the part file is already complete, or longer than the remote file."""
    match = _CONTENT_RANGE_UNSATISFIED.match(exc.headers.get("Content-Range", "") if exc.headers else "")
    if match and int(match.group(1)) == have:
        return have
    part.unlink()
    raise _Interrupted("stale partial file discarded", None)


def _verify(url: str, part: Path, size: int | None, sha256: str | None) -> None:
    """Size then sha256; a mismatch deletes the file, since resuming it would never succeed."""
    got_size = part.stat().st_size
    if size is not None and got_size != size:
        part.unlink()
        raise DownloadError(f"{url}: expected {size} bytes, got {got_size}; the bad download was removed")
    if sha256:
        got = file_sha256(part)
        if got != sha256.lower():
            part.unlink()
            raise DownloadError(
                f"{url}: sha256 mismatch (expected {sha256.lower()}, got {got}); "
                "the corrupt download was removed, run again to download it afresh"
            )


def unpack_archive(archive: Path, dest: Path, keep: Callable[[PurePosixPath], bool] = lambda _: True) -> None:
    """Unpack a .tar(.gz|.bz2|.xz) or .zip archive into `dest`, recognised by content, not name.

    Members for which `keep` is false are skipped. A damaged archive or a path that would
    land outside `dest` (absolute, `..`) raises ArchiveError; links are skipped. Disk errors
    stay OSError: they are not the archive's fault.
    """
    dest.mkdir(parents=True, exist_ok=True)
    if tarfile.is_tarfile(archive):
        _unpack_tar(archive, dest, keep)
    elif zipfile.is_zipfile(archive):
        _unpack_zip(archive, dest, keep)
    else:
        raise ArchiveError(f"{archive}: not a .tar.gz or .zip archive")


def _safe_member_path(name: str, archive: Path) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise ArchiveError(f"{archive}: refusing archive member outside the target folder: {name!r}")
    return path


# Python releases before the tarfile extraction filters (3.10.12 / 3.11.4) get our own checks only.
_TAR_FILTER = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


def _unpack_tar(archive: Path, dest: Path, keep: Callable[[PurePosixPath], bool]) -> None:
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:  # streaming: a multi-GB .tar.gz is decompressed once
                path = _safe_member_path(member.name, archive)
                if not (member.isfile() or member.isdir()):
                    continue  # links and devices have no place in a model archive
                if keep(path):
                    tar.extract(member, dest, **_TAR_FILTER)
            # tarfile stops at the end-of-archive blocks, before the gzip/xz/bz2 trailer: read on
            # to the end so the stream's CRC is checked and a flipped byte cannot pass unnoticed.
            while tar.fileobj.read(CHUNK):
                pass
    except _CORRUPT_TAR as exc:
        raise ArchiveError(f"{archive}: damaged archive ({exc})") from None


def _unpack_zip(archive: Path, dest: Path, keep: Callable[[PurePosixPath], bool]) -> None:
    try:
        with zipfile.ZipFile(archive) as zipped:
            for info in zipped.infolist():
                path = _safe_member_path(info.filename, archive)
                if keep(path):
                    target = dest.joinpath(*path.parts)
                    if info.is_dir():
                        target.mkdir(parents=True, exist_ok=True)
                        continue
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with zipped.open(info) as src, open(target, "wb") as out:
                        shutil.copyfileobj(src, out, CHUNK)
    except _CORRUPT_ZIP as exc:
        raise ArchiveError(f"{archive}: damaged archive ({exc})") from None
