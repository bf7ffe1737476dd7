"""Documents -> sentences -> translation memory -> engine -> documents.

`plan_document` cuts every translatable block of a Document (and the inner text of its protected
spans) into sentences with `translate_kit.segment.sentence_spans` and prepares each one for the
model; `DocumentTranslator.translate` then resolves the sentences of many documents together:

1. sentences are gathered across documents until a window of `window_sentences` is full, so the
   engine sees many short documents' sentences in one length-sorted batch instead of one small,
   badly filled batch per document (see eval/bench_documents.py for the measured gain);
2. equal sentences (same preprocessed text and placeholders) are translated once;
3. the translation memory answers what an earlier run (or window) already translated;
4. the rest goes to the engine in chunks, each chunk stored in the memory as soon as it is done, so
   a killed run loses at most one chunk of work;
5. each document's blocks are rebuilt: the whitespace between sentences (newlines included) is kept,
   span tokens become their markup again.

Blocks already in the target language, or without letters, are kept as they are (a Hindi article
quoting an English paragraph keeps that paragraph); so are single sentences in the target language
inside a block. Protected spans travel through the model as glossary placeholders; a span whose
placeholder the model dropped is appended to its sentence and counted in `dropped_placeholders`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from .documents import Block, Document, render_block
from .documents.model import TOKEN_PATTERN
from .engine import DecodeOptions, Translation, needs_translation
from .indictrans import Prepared, preprocess
from .memory import Entry, TranslationMemory, context_key, sentence_key
from .segment import sentence_spans

_TOKEN_TOUCHING_WORD = re.compile(r"(?<=\w)(⟦\d+⟧)|(⟦\d+⟧)(?=\w)")


class SentenceEngine(Protocol):
    """What the pipeline needs from a translator (translate_kit.engine.Translator provides it)."""

    src: str
    tgt: str
    fingerprint: str

    def translate_prepared(self, prepared: Sequence[Prepared], options: DecodeOptions | None = None) -> list[
        Translation
    ]: ...


@dataclass
class Sentence:
    """One sentence occurrence: where it sits in its unit, and its key (None: copied unchanged)."""

    start: int
    end: int
    source: str
    key: str | None
    prepared: Prepared | None = None


@dataclass
class Unit:
    """A block's text ("" key) or a span's inner text (token key), with its sentences."""

    block: Block
    key: str
    text: str
    sentences: list[Sentence]


@dataclass
class DocumentPlan:
    document: Document
    units: list[Unit]
    kept_blocks: int

    @property
    def sentence_count(self) -> int:
        return sum(len(unit.sentences) for unit in self.units)


@dataclass
class SentenceResult:
    source: str
    translation: str
    score: float
    cached: bool
    dropped: tuple[str, ...] = ()


@dataclass
class TranslatedDocument:
    """`rendered` maps block id -> translated block text in the document's own markup."""

    document: Document
    rendered: dict[str, str]
    sentences: dict[str, list[SentenceResult]] = field(default_factory=dict)


@dataclass
class RunStats:
    """Counts of one run; sentences = passthrough + cached + translated + duplicates."""

    documents: int = 0
    documents_skipped: int = 0
    blocks: int = 0
    blocks_kept: int = 0
    sentences: int = 0
    passthrough: int = 0
    cached: int = 0
    translated: int = 0
    duplicates: int = 0
    dropped_placeholders: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        data["sentences_per_second"] = round(self.sentences / self.seconds, 2) if self.seconds else None
        return data


def _engine_text(sentence: str) -> str:
    """What the model sees: one line, and span tokens set apart so they match as whole words."""
    text = " ".join(sentence.split())
    return _TOKEN_TOUCHING_WORD.sub(lambda m: f" {m.group(1) or m.group(2)} ", text)


def plan_document(
    doc: Document,
    src: str,
    tgt: str,
    context: str,
    glossary: Mapping[str, str] | None = None,
) -> DocumentPlan:
    """Sentences of every block that needs translating, each prepared and keyed for the memory."""
    units: list[Unit] = []
    kept = 0
    for block in doc.translatable():
        if not needs_translation(block.plain_text(), src, tgt):
            kept += 1
            continue
        for key, text in block.units():
            sentences = []
            for start, end in sentence_spans(text, src):
                source = text[start:end]
                if not needs_translation(TOKEN_PATTERN.sub(" ", source), src, tgt):
                    sentences.append(Sentence(start, end, source, None))
                    continue
                tokens = {t: t for t in TOKEN_PATTERN.findall(source)}
                prepared = preprocess(_engine_text(source), src, tgt, {**(glossary or {}), **tokens})
                sentences.append(
                    Sentence(start, end, source, sentence_key(context, prepared.text, prepared.placeholders), prepared)
                )
            units.append(Unit(block, key, text, sentences))
    return DocumentPlan(doc, units, kept)


class DocumentTranslator:
    """Translates documents through a sentence engine with cross-document batching and a memory."""

    def __init__(
        self,
        engine: SentenceEngine,
        options: DecodeOptions | None = None,
        *,
        memory: TranslationMemory | None = None,
        glossary: Mapping[str, str] | None = None,
        window_sentences: int = 4096,
        chunk_sentences: int = 512,
        progress: Callable[[int], None] | None = None,
    ):
        self.engine = engine
        self.options = options or DecodeOptions()
        self.memory = memory
        self.glossary = dict(glossary or {})
        self.window_sentences = max(1, window_sentences)
        self.chunk_sentences = max(1, chunk_sentences)
        self.progress = progress or (lambda _n: None)
        self.context = context_key(engine.fingerprint, engine.src, engine.tgt, self.options)
        self.stats = RunStats()
        self._resolved: dict[str, tuple[Entry, bool]] = {}

    def plan(self, doc: Document) -> DocumentPlan:
        return plan_document(doc, self.engine.src, self.engine.tgt, self.context, self.glossary)

    def translate(self, plans: Iterable[DocumentPlan]) -> Iterator[TranslatedDocument]:
        """Translated documents in input order, each yielded as soon as its window is done."""
        window: list[DocumentPlan] = []
        size = 0
        for plan in plans:
            window.append(plan)
            size += plan.sentence_count
            if size >= self.window_sentences:
                yield from self._finish(window)
                window, size = [], 0
        if window:
            yield from self._finish(window)

    def _finish(self, window: list[DocumentPlan]) -> Iterator[TranslatedDocument]:
        started = time.perf_counter()
        self._resolve(window)
        results = [self._assemble(plan) for plan in window]
        self.stats.seconds += time.perf_counter() - started
        yield from results

    def _resolve(self, window: list[DocumentPlan]) -> None:
        """Find a translation for every keyed sentence of the window: in-run, memory, then engine."""
        occurrences: dict[str, int] = {}
        prepared: dict[str, Prepared] = {}
        passthrough = 0
        for plan in window:
            self.stats.documents += 1
            self.stats.blocks += len(plan.document.blocks)
            self.stats.blocks_kept += plan.kept_blocks
            for unit in plan.units:
                for sentence in unit.sentences:
                    self.stats.sentences += 1
                    if sentence.key is None:
                        passthrough += 1
                        continue
                    occurrences[sentence.key] = occurrences.get(sentence.key, 0) + 1
                    prepared.setdefault(sentence.key, sentence.prepared)
        self.stats.passthrough += passthrough
        new = [key for key in occurrences if key not in self._resolved]
        self.stats.duplicates += sum(occurrences.values()) - len(new)
        remembered = self.memory.get_many(new) if self.memory else {}
        for key, entry in remembered.items():
            self._resolved[key] = (entry, True)
        self.stats.cached += len(remembered)
        self.progress(passthrough + sum(occurrences.values()) - sum(occurrences[k] for k in new)
                      + sum(occurrences[k] for k in remembered))
        missing = [key for key in new if key not in remembered]
        for start in range(0, len(missing), self.chunk_sentences):
            chunk = missing[start : start + self.chunk_sentences]
            translations = self.engine.translate_prepared([prepared[k] for k in chunk], self.options)
            entries = {k: Entry(t.text, t.score, tuple(t.dropped)) for k, t in zip(chunk, translations, strict=True)}
            if self.memory:
                self.memory.put_many(entries)
            for key, entry in entries.items():
                self._resolved[key] = (entry, False)
            self.stats.translated += len(chunk)
            self.progress(sum(occurrences[k] for k in chunk))

    def _assemble(self, plan: DocumentPlan) -> TranslatedDocument:
        texts: dict[str, dict[str, str]] = {}
        details: dict[str, list[SentenceResult]] = {}
        for unit in plan.units:
            pieces: list[str] = []
            last = 0
            for sentence in unit.sentences:
                pieces.append(unit.text[last : sentence.start])
                result = self._sentence_result(sentence)
                self.stats.dropped_placeholders += len(result.dropped)
                pieces.append(result.translation)
                details.setdefault(unit.block.id, []).append(result)
                last = sentence.end
            pieces.append(unit.text[last:])
            texts.setdefault(unit.block.id, {})[unit.key] = "".join(pieces)
        rendered = {}
        for block in plan.document.blocks:
            if block.id in texts:
                parts = texts[block.id]
                rendered[block.id] = render_block(plan.document, block, parts.get("", block.text), parts)
        return TranslatedDocument(plan.document, rendered, details)

    def _sentence_result(self, sentence: Sentence) -> SentenceResult:
        if sentence.key is None:
            return SentenceResult(sentence.source, sentence.source, 0.0, False)
        entry, cached = self._resolved[sentence.key]
        return SentenceResult(sentence.source, entry.text, entry.score, cached, entry.dropped)
