"""A model that copies its input, so tests can assert exact translations.

`CopyTranslator` stands in for `ctranslate2.Translator`, the one object translate_kit's engine
creates to decode. Every `translate_batch` answers each source sequence with its own tokens after
the two language tags: the output of a perfect identity model. Everything around the decoder is the
real code (IndicTrans2 pre- and post-processing, SentencePiece chunking, batching, placeholder
restoring, the document translator), so with it a test knows the exact translation: placeholders
and glossary terms come back, chunks are rejoined in order, documents reassemble.

The translation of a copy model is the source after pre- and post-processing. That is the source
itself whenever the target language's detokeniser undoes the source language's tokeniser: Hindi
sentences ending in `.`, `?` or `!` into English, English sentences into Hindi. A danda keeps the
space the Hindi tokeniser put before it (the English detokeniser does not know `।`), and Hindi
normalisation changes what it always changes (a colon after Devanagari becomes a visarga).

Why a stand-in rather than a real CTranslate2 model built to copy: a transformer copies only with
hand-set attention over positions and a target vocabulary holding every source piece, which would
make the test model a project of its own; the engine's contract with CTranslate2 is just
`translate_batch` (tokens in, hypotheses and scores out), and real decoding stays covered by the
tiny random-weight models (tests/conftest.py). What the stand-in does of CTranslate2's work: it
stops at `max_decoding_length` and answers asynchronous calls with futures. It has no
alternatives to choose between, so beam size, penalties and `no_repeat_ngram_size` change nothing;
each call's options are recorded (`calls`) so tests can assert what reached the decoder.
`LoopingTranslator` is the model that never stops: it repeats its last piece until the length
cap, which is what the engine's repetition guard must contain.

Use it through the engine's own loading path, `copy_translator(model_folder)`, or patch
`ctranslate2.Translator` with `CopyTranslator` for a command run in-process.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import ctranslate2

from translate_kit.engine import Translator

TAGS = 2  # the source and target language tags the engine puts before the pieces


@dataclass
class CopyResult:
    """What `ctranslate2.TranslationResult` offers the engine: hypotheses and their scores."""

    hypotheses: list[list[str]]
    scores: list[float] = field(default_factory=lambda: [0.0])


class _Done:
    """A finished `AsyncTranslationResult`."""

    def __init__(self, result: CopyResult):
        self._result = result

    def result(self) -> CopyResult:
        return self._result

    def done(self) -> bool:
        return True


class CopyTranslator:
    """`ctranslate2.Translator` whose every translation is a copy of its source pieces."""

    instances: list[CopyTranslator] = []

    def __init__(self, model_path: str | os.PathLike[str], **options: Any):
        self.model_path = os.fspath(model_path)
        self.options = options  # device, compute_type, inter_threads, intra_threads
        self.calls: list[dict[str, Any]] = []
        CopyTranslator.instances.append(self)

    def output(self, source: Sequence[str], max_decoding_length: int) -> list[str]:
        return list(source[TAGS:])[:max_decoding_length]

    def translate_batch(self, source: Sequence[Sequence[str]], *, asynchronous: bool = False,
                        max_decoding_length: int = 256, **options: Any):
        self.calls.append({"source": [list(s) for s in source], "asynchronous": asynchronous,
                           "max_decoding_length": max_decoding_length, **options})
        results = [CopyResult([self.output(s, max_decoding_length)]) for s in source]
        return [_Done(r) for r in results] if asynchronous else results


def sentence_rows(call: dict[str, Any]) -> list[list[str]]:
    """The rows of a recorded call that are sentences: the engine pads a batch to its length bucket
    with a filler row, put last and longer than the batch's longest sentence (which comes first)."""
    rows = call["source"]
    return rows[:-1] if len(rows) > 1 and len(rows[-1]) > len(rows[0]) else rows


class LoopingTranslator(CopyTranslator):
    """A model caught in a loop: the source pieces, then the last piece again until the length cap."""

    def output(self, source: Sequence[str], max_decoding_length: int) -> list[str]:
        pieces = list(source[TAGS:])
        pieces += pieces[-1:] * max_decoding_length
        return pieces[:max_decoding_length]


@contextmanager
def patched_ctranslate2(stand_in: type[CopyTranslator] = CopyTranslator):
    """Within the block, every model the engine loads decodes with `stand_in`."""
    with mock.patch.object(ctranslate2, "Translator", stand_in):
        yield


def copy_translator(model: str | os.PathLike[str], stand_in: type[CopyTranslator] = CopyTranslator,
                    **load_options: Any) -> Translator:
    """`Translator.load(model)` (its real SentencePiece models and language pair) decoding with
    `stand_in`; the stand-in is `translator.ct2`."""
    with patched_ctranslate2(stand_in):
        return Translator.load(model, threads=1, **load_options)
