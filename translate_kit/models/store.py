"""The model store under the translate-kit home: installed model folders and remembered file hashes."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from pathlib import Path

from ..download import file_sha256
from ..paths import hashes_dir, models_dir
from ..textio import atomic_write

# Files at least this large have their sha256 remembered (keyed by size, mtime and inode) so
# that a 200 MB - 1 GB model.bin is hashed once, not on every run.
HASH_CACHE_MIN_BYTES = 16 << 20
#: What a model may be called in the store (a folder name, never a path).
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def installed_path(name: str) -> Path:
    """The folder a model called `name` is (or would be) installed in."""
    return models_dir() / name


def cached_sha256(path: Path) -> str:
    """sha256 of a file; for large files remembered in the cache, keyed by size, mtime and inode."""
    stat = path.stat()
    if stat.st_size < HASH_CACHE_MIN_BYTES:
        return file_sha256(path)
    resolved = str(path.resolve())
    stamp = {"path": resolved, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "inode": stat.st_ino}
    record = hashes_dir() / f"{hashlib.sha1(resolved.encode()).hexdigest()}.json"
    with contextlib.suppress(OSError, ValueError):
        saved = json.loads(record.read_text(encoding="utf-8"))
        if all(saved.get(key) == value for key, value in stamp.items()) and saved.get("sha256"):
            return saved["sha256"]
    digest = file_sha256(path)
    with contextlib.suppress(OSError), atomic_write(record) as handle:
        json.dump({**stamp, "sha256": digest}, handle)
    return digest
