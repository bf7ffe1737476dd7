"""Exact and near-duplicate pairs, kept once.

Two pairs are near duplicates when both sides are equal after `near_key`: Unicode NFC, the nukta
dropped (क़ and क, precomposed or combining, are one letter to a reader), ZWJ/ZWNJ removed,
Indic digits as ASCII, case folded, and every run of punctuation, symbols (danda `।` and `.`
alike) and spaces made one space. Letters are matched with the `regex` module's `\\p{L}\\p{M}`;
Python's `re` `[^\\w\\s]` would delete Devanagari vowel signs and merge different sentences.

`Deduper` remembers an 8-byte digest per pair kept (about 80 bytes of memory each in a Python
set: ~80 MB for a million unique pairs). With `minhash=True` it also finds pairs whose English
and Hindi word sets are alike beyond those normalisations (a word changed, added or dropped),
through datasketch's MinHash LSH (its index grows with the corpus too).
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata

import regex

from ..script import normalize

_NOT_LETTER_OR_DIGIT = regex.compile(r"[^\p{L}\p{M}\p{Nd}]+")
_NUKTA = "\u093c"
#: MODES: "exact" (the texts as given, spaces trimmed), "near" (after near_key), "none".
MODES = ("exact", "near", "none")


@functools.lru_cache(maxsize=65_536)
def near_key(text: str) -> str:
    """The text as near-duplicate detection compares it (see the module docstring)."""
    text = unicodedata.normalize("NFD", normalize(text)).replace(_NUKTA, "")
    text = unicodedata.normalize("NFC", text).casefold()
    return _NOT_LETTER_OR_DIGIT.sub(" ", text).strip()


def pair_key(hi: str, en: str, mode: str = "near") -> bytes:
    """An 8-byte digest of the pair as `mode` compares it."""
    if mode == "near":
        hi, en = near_key(hi), near_key(en)
    else:
        hi, en = hi.strip(), en.strip()
    return hashlib.blake2b(f"{hi}\t{en}".encode(), digest_size=8).digest()


class Deduper:
    """`seen(hi, en)`: True when an equal pair (by `mode`, or by MinHash) was offered before."""

    def __init__(self, mode: str = "near", minhash: bool = False, threshold: float = 0.8, num_perm: int = 64):
        if mode not in MODES:
            raise ValueError(f"dedup mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode
        self._keys: set[bytes] = set()
        self._lsh = None
        if minhash:
            from datasketch import MinHashLSH

            self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
            self._num_perm = num_perm

    def seen(self, hi: str, en: str) -> bool:
        """Whether this pair duplicates one offered before; a new pair is remembered."""
        if self.mode == "none":
            return False
        key = pair_key(hi, en, self.mode)
        if key in self._keys:
            return True
        if self._lsh is not None:
            signature = self._signature(hi, en)
            if self._lsh.query(signature):
                return True
            self._lsh.insert(key.hex(), signature)
        self._keys.add(key)
        return False

    def _signature(self, hi: str, en: str):
        from datasketch import MinHash

        signature = MinHash(num_perm=self._num_perm)
        tokens = {f"h:{w}" for w in near_key(hi).split()} | {f"e:{w}" for w in near_key(en).split()}
        signature.update_batch(token.encode() for token in tokens)
        return signature
