"""Translation memory: a SQLite cache of sentence translations that survives across runs.

A sentence's translation is a function of the model (its fingerprint), the direction, the decoding
options that change the output and the preprocessed source (IndicTrans2's normalised, tokenised text
plus the values of its placeholders). That tuple, hashed, is the key, so two surface forms that
preprocess alike share an entry and a changed model or beam size never serves a stale translation.

SQLite in WAL mode: readers never block the writer, each batch of new translations is one
transaction (a killed run loses at most the batch it was writing, never the file), and several
processes may share a memory (a busy writer is waited for, not failed on).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any

from .errors import TranslateKitError
from .paths import cache_home

DEFAULT_FILENAME = "memory.sqlite3"
SCHEMA_VERSION = 1
"""`PRAGMA user_version` of the files this version writes; a higher one is a newer translate-kit's."""
LOCK_TIMEOUT = 60.0
"""Seconds to wait for another process's write before saying the memory is locked."""
_ADVICE = "use --cache PATH or --no-cache"
# Options that decide how work is batched, not what is decoded.
_NOT_IN_KEY = frozenset({"max_batch_tokens", "call_seconds"})
_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    score REAL NOT NULL,
    dropped TEXT NOT NULL,
    created REAL NOT NULL DEFAULT (julianday('now'))
) WITHOUT ROWID
"""


def default_path() -> Path:
    """`<translate-kit home>/memory.sqlite3` (TRANSLATE_KIT_HOME or the user's cache dir)."""
    return cache_home() / DEFAULT_FILENAME


@dataclass(frozen=True)
class Entry:
    """A remembered translation: restored text, model score, placeholder values the model dropped."""

    text: str
    score: float
    dropped: tuple[str, ...] = ()


def options_key(options: Any) -> str:
    """Canonical JSON of the decoding options that change the output (batching excluded)."""
    fields = asdict(options) if is_dataclass(options) else dict(options or {})
    if not fields.get("batch_invariant"):  # the default: memories kept before the option stay valid
        fields.pop("batch_invariant", None)
    return json.dumps({k: v for k, v in sorted(fields.items()) if k not in _NOT_IN_KEY}, sort_keys=True)


def context_key(fingerprint: str, src: str, tgt: str, options: Any, family: str = "indictrans2") -> str:
    """The part of every key shared by one run: model and its family, direction and decoding options."""
    return json.dumps([fingerprint, family, src, tgt, options_key(options)])


def sentence_key(context: str, text: str, placeholders: Iterable[tuple[str, str]] = ()) -> str:
    """The key of one preprocessed sentence (Prepared.text and .placeholders) in `context`."""
    payload = json.dumps([context, text, [list(p) for p in placeholders]], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class MemoryRecovered(UserWarning):
    """A damaged memory file was moved aside and a fresh one started (the run goes on)."""


class TranslationMemory:
    """`get_many(keys)` / `put_many({key: Entry})` over one SQLite file; use as a context manager.

    A file that is not a readable database (truncated, overwritten) is only a cache, so it is moved
    aside to `<name>.corrupt-<time>` (kept for inspection) and a fresh memory started, with a
    `MemoryRecovered` warning; a newer schema, a read-only file or a writer holding the lock past
    `timeout` stop the run with one line naming the file and what to do, as nothing may be lost.
    """

    def __init__(self, path: str | os.PathLike[str], timeout: float = LOCK_TIMEOUT):
        self.path = Path(path)
        self.timeout = timeout
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):  # locked, read-only, unopenable: not damage
                raise self._error(exc) from None
            aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            warnings.warn(f"the translation memory {self.path} was damaged ({exc}); moved it to "
                          f"{aside} and started a fresh one", MemoryRecovered, stacklevel=2)
            self._db = self._open()
        except OSError as exc:
            raise self._error(exc) from None

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]  # reads the header: damage shows
            if version > SCHEMA_VERSION:
                raise TranslateKitError(
                    f"the translation memory {self.path} was written by a newer translate-kit (schema "
                    f"{version}, this one reads {SCHEMA_VERSION}): upgrade translate-kit or {_ADVICE}"
                )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
            if version < SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.execute("SELECT key FROM translations LIMIT 1").fetchall()
        except BaseException:
            db.close()
            raise
        return db

    def _error(self, exc: BaseException) -> TranslateKitError:
        """One line naming the file, the cause and what to do."""
        message = str(exc)
        if "locked" in message:
            hint = f"another process held it for over {self.timeout:.0f} s; wait for it, or {_ADVICE}"
        elif "readonly" in message or "read-only" in message:
            hint = f"it is read-only; make it and its folder writable, or {_ADVICE}"
        else:
            hint = _ADVICE
        return TranslateKitError(f"cannot open the translation memory {self.path}: {message} ({hint})")

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def get_many(self, keys: Iterable[str]) -> dict[str, Entry]:
        """The remembered entries among `keys` (missing keys are simply absent)."""
        found: dict[str, Entry] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):  # stay under SQLite's bound-parameter limit
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, text, score, dropped FROM translations WHERE key IN ({marks})", chunk
            )
            for key, text, score, dropped in rows:
                found[key] = Entry(text, score, tuple(json.loads(dropped)))
        return found

    def put_many(self, entries: Mapping[str, Entry]) -> None:
        """Remember `entries` in one transaction (all or nothing if the process dies meanwhile)."""
        if not entries:
            return
        rows = [
            (k, e.text, e.score, json.dumps(list(e.dropped), ensure_ascii=False)) for k, e in entries.items()
        ]
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany(
                    "INSERT OR REPLACE INTO translations (key, text, score, dropped) VALUES (?, ?, ?, ?)",
                    rows,
                )
        except sqlite3.OperationalError as exc:  # locked past the timeout, read-only, disk full
            raise self._error(exc) from None

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]


_thread_memories = threading.local()


def thread_memory(path: str | None) -> TranslationMemory | None:
    """This thread's connection to the translation memory at `path` (None: no memory).

    SQLite connections belong to the thread that opened them; the memory's WAL mode lets the
    request threads of one server share the file, as several translate-kit processes do.
    """
    if path is None:
        return None
    opened = _thread_memories.__dict__.setdefault("by_path", {})
    if path not in opened:
        opened[path] = TranslationMemory(path)
    return opened[path]
