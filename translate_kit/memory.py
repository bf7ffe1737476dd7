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
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any

from .errors import TranslateKitError
from .paths import cache_home

DEFAULT_FILENAME = "memory.sqlite3"
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


class TranslationMemory:
    """`get_many(keys)` / `put_many({key: Entry})` over one SQLite file; use as a context manager."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.DatabaseError) as exc:
            raise TranslateKitError(
                f"cannot open the translation memory {self.path}: {exc} (use --cache PATH or --no-cache)"
            ) from None

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
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR REPLACE INTO translations (key, text, score, dropped) VALUES (?, ?, ?, ?)", rows
            )

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
