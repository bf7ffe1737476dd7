"""Planned documents -> translation memory -> engine -> documents rebuilt in their own markup.

`DocumentTranslator.translate` resolves the sentences of many documents together:

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
inside a block. Protected spans travel through the model as glossary placeholders. A sentence whose
placeholders the model dropped is reported (`DroppedPlaceholders`: file, line, the sentence and the
values as the source has them) and handled by `on_dropped` (`ON_DROPPED`): "warn" keeps the
translation (lost markup is put back at the end of its block), "keep-source" writes that sentence
untranslated, "fail" stops the run before the document is written. Every translated sentence is also checked
(translate_kit.checks.flags: number lost or added, truncated, repeated, untranslated, wrong
language): its result carries the flags and a confidence, and `on_flag` treats a flagged one as
`on_dropped` treats lost placeholders (`FlaggedSentence` reports it).

The engine streams: it keeps its workers busy with length-sorted token batches and hands each
batch's sentences back as they are done, so progress moves batch by batch, finished sentences
reach the translation memory at once (an interrupted run loses at most the batches in flight), and
cancellation is checked after every batch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from ..checks.flags import TranslationChecker
from ..documents import Block, Document, render_block
from ..documents.model import TOKEN_PATTERN, render_inline
from ..engine import DecodeOptions, Translation
from ..errors import Cancelled, TranslateKitError
from ..families import Family, Prepared
from ..languages import code_like
from ..memory import Entry, TranslationMemory, context_key
from .plan import DocumentPlan, Sentence, Unit, close_up_tokens, plan_document


class SentenceEngine(Protocol):
    """What document translation needs from a translator (translate_kit.engine.Translator provides it):
    the engine prepares sentences for its model and translates what it prepared."""

    src: str
    tgt: str
    fingerprint: str
    family: Family  # its name is part of the memory key

    def prepare(
        self, sentences: Sequence[str], glossary: Mapping[str, str] | None = None
    ) -> list[Prepared]: ...

    def translate_stream(
        self, prepared: Sequence[Prepared], options: DecodeOptions | None = None
    ) -> Iterator[list[tuple[int, Translation]]]:
        """`(index, translation)` pairs as they are done, each index exactly once."""
        ...


@dataclass
class SentenceResult:
    source: str
    translation: str
    score: float
    cached: bool
    dropped: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()  # checks.flags.FLAGS found on the translation (none for copied sentences)
    confidence: float | None = None  # the pair judge's confidence in the translation; None: not translated


@dataclass
class TranslatedDocument:
    """`rendered` maps block id -> translated block text in the document's own markup."""

    document: Document
    rendered: dict[str, str]
    sentences: dict[str, list[SentenceResult]] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)  # values the model lost, as the user wrote them


ON_DROPPED = ("warn", "keep-source", "fail")
#: What --on-flag does with a translation the checks flag: the same choices as --on-dropped.
ON_FLAG = ON_DROPPED


@dataclass(frozen=True)
class DroppedPlaceholders:
    """A sentence whose translation lost values the source had (numbers, URLs, links, markup)."""

    path: str
    line: int | None
    sentence: str  # as the source has it, markup included
    values: tuple[str, ...]  # as the source has them
    action: str  # "warned", "kept source"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        values = ", ".join(repr(v) for v in self.values)
        return f"{where}: the model dropped {values} from {self.sentence!r}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.path, "line": self.line, "sentence": self.sentence, "values": list(self.values),
                "action": self.action}


class DroppedPlaceholderError(TranslateKitError):
    """--on-dropped fail: a translation lost values of its source."""


@dataclass(frozen=True)
class FlaggedSentence:
    """A translated sentence the checks flagged (translate_kit.checks.flags)."""

    path: str
    line: int | None
    sentence: str  # the source, as it has it
    translation: str
    flags: tuple[str, ...]
    confidence: float
    action: str  # "warned", "kept source"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {', '.join(self.flags)} (confidence {self.confidence:.2f}) in {self.translation!r}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.path, "line": self.line, "sentence": self.sentence,
                "translation": self.translation, "flags": list(self.flags), "confidence": self.confidence,
                "action": self.action}


class FlaggedTranslationError(TranslateKitError):
    """--on-flag fail: a translation the checks flagged."""


@dataclass
class RunStats:
    """Counts of one run; sentences = passthrough + cached + translated + duplicates.

    `seconds` is the wall time of a file run (reading excluded; planning, translating, writing in).
    """

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
    kept_source: int = 0  # sentences written untranslated because the model dropped placeholders
    flagged: int = 0  # translated sentences the checks flagged (each in flagged_sentences)
    flagged_kept_source: int = 0  # of them, written untranslated (--on-flag keep-source)
    already_target: int = 0  # documents with text but nothing in the source language
    seconds: float = 0.0
    dropped: list[dict[str, Any]] = field(default_factory=list)  # DroppedPlaceholders.to_dict() of each
    flagged_sentences: list[dict[str, Any]] = field(default_factory=list)  # FlaggedSentence.to_dict() of each

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        data["sentences_per_second"] = round(self.sentences / self.seconds, 2) if self.seconds else None
        return data


def _describe(value: str, block: Block) -> str:
    """A dropped placeholder value as a user knows it (a span token shown as its markup)."""
    span = block.spans.get(value)
    return f"{span.open}{span.text}{span.close}" if span else value


def _has_words(doc: Document) -> bool:
    """Whether a document has any letters to translate (a document of numbers or code has none)."""
    return any(ch.isalpha() for block in doc.translatable() for ch in block.plain_text())


def _source_text(sentence: str, block: Block) -> str:
    """A sentence as its source has it: span tokens shown as their markup (none appended)."""
    tokens = (m.group(0) for m in TOKEN_PATTERN.finditer(sentence))
    spans = {t: block.spans[t] for t in tokens if t in block.spans}
    return render_inline(sentence, spans, {}, lambda text: text)


DEFAULT_WINDOW = 256
"""Sentences gathered across documents before they are translated together and their documents
written. eval/bench_documents.py measures ~2-3x over document-by-document calls; windows of 64, 256
and 1024 were within the noise of a shared 2-core machine (eval/results/bench_documents.md), so the
smaller window is the default: outputs and memory checkpoints come four times as often as at 1024."""


class DocumentTranslator:
    """Translates documents through a sentence engine with cross-document batching and a memory.

    `progress(n)` is called as n more sentences are done; `cancel()` is polled before the engine
    starts and after each of its batches, and raises `Cancelled` when it returns True.
    """

    def __init__(
        self,
        engine: SentenceEngine,
        options: DecodeOptions | None = None,
        *,
        memory: TranslationMemory | None = None,
        glossary: Mapping[str, str] | None = None,
        window_sentences: int = DEFAULT_WINDOW,
        progress: Callable[[int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        on_dropped: str = "warn",
        on_flag: str = "warn",
    ):
        if on_dropped not in ON_DROPPED or on_flag not in ON_FLAG:
            raise ValueError(f"on_dropped and on_flag must be one of {', '.join(ON_DROPPED)}")
        self.on_dropped, self.on_flag = on_dropped, on_flag
        self.checker = TranslationChecker(engine.src, engine.tgt)
        self.engine = engine
        self.options = options or DecodeOptions()
        self.memory = memory
        self.glossary = dict(glossary or {})
        self.window_sentences = max(1, window_sentences)
        self.progress = progress or (lambda _n: None)
        self.cancel = cancel or (lambda: False)
        self.context = context_key(
            engine.fingerprint, engine.src, engine.tgt, self.options, engine.family.name
        )
        self.stats = RunStats()
        self.dropped_values: list[str] = []
        self.dropped_sentences: list[DroppedPlaceholders] = []
        self.flagged_sentences: list[FlaggedSentence] = []
        self.already_target: list[str] = []  # paths of documents with nothing in the source language
        self._resolved: dict[str, tuple[Entry, bool]] = {}

    def plan(self, doc: Document) -> DocumentPlan:
        return plan_document(doc, self.engine, self.engine.src, self.engine.tgt, self.context, self.glossary)

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
        self._resolve(window)
        for plan in window:
            yield self._assemble(plan)

    def _resolve(self, window: list[DocumentPlan]) -> None:
        """Find a translation for every keyed sentence of the window: in-run, memory, then engine."""
        occurrences: dict[str, int] = {}
        prepared: dict[str, Prepared] = {}
        passthrough = 0
        for plan in window:
            self.stats.documents += 1
            self.stats.blocks += len(plan.document.blocks)
            self.stats.blocks_kept += plan.kept_blocks
            if not any(s.key for unit in plan.units for s in unit.sentences) and _has_words(plan.document):
                self.stats.already_target += 1
                self.already_target.append(plan.document.path)
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
        remembered = self.memory.get_many(new) if self.memory is not None else {}
        for key, entry in remembered.items():
            self._resolved[key] = (entry, True)
        self.stats.cached += len(remembered)
        self.progress(
            passthrough
            + sum(occurrences.values())
            - sum(occurrences[k] for k in new)
            + sum(occurrences[k] for k in remembered)
        )
        missing = [key for key in new if key not in remembered]
        if not missing:
            return
        if self.cancel():
            raise Cancelled("translation cancelled")
        for done in self.engine.translate_stream([prepared[k] for k in missing], self.options):
            entries = {missing[i]: Entry(t.text, t.score, tuple(t.dropped)) for i, t in done}
            if self.memory is not None:
                self.memory.put_many(entries)
            for key, entry in entries.items():
                self._resolved[key] = (entry, False)
            self.stats.translated += len(entries)
            self.progress(sum(occurrences[k] for k in entries))
            if self.cancel():
                raise Cancelled("translation cancelled")

    def _assemble(self, plan: DocumentPlan) -> TranslatedDocument:
        texts: dict[str, dict[str, str]] = {}
        details: dict[str, list[SentenceResult]] = {}
        dropped: list[str] = []
        for unit in plan.units:
            pieces: list[str] = []
            last = 0
            for sentence in unit.sentences:
                pieces.append(unit.text[last : sentence.start])
                result = self._sentence_result(sentence)
                if result.dropped:
                    result = self._dropped(plan.document, unit, sentence, result)
                    if self.on_dropped == "warn":  # lost from the output (markup is put back at the end)
                        dropped.extend(_describe(v, unit.block) for v in result.dropped)
                kept_source = result.dropped and self.on_dropped == "keep-source"
                if sentence.key is not None and not kept_source:
                    result = self._checked(plan.document, unit, sentence, result)
                pieces.append(close_up_tokens(sentence.source, result.translation))
                details.setdefault(unit.block.id, []).append(result)
                last = sentence.end
            pieces.append(unit.text[last:])
            texts.setdefault(unit.block.id, {})[unit.key] = "".join(pieces)
        rendered = {}
        for block in plan.document.blocks + plan.document.properties:
            if block.id in texts:
                parts = texts[block.id]
                rendered[block.id] = render_block(plan.document, block, parts.get("", block.text), parts)
        for code in plan.document.language_codes():
            rendered[code.id] = code_like(code.text, self.engine.tgt)
        self.dropped_values.extend(dropped)
        return TranslatedDocument(plan.document, rendered, details, dropped)

    def _dropped(
        self, doc: Document, unit: Unit, sentence: Sentence, result: SentenceResult
    ) -> SentenceResult:
        """Report a sentence that lost placeholders and apply `on_dropped` to it."""
        block = unit.block
        line = _line(unit, sentence)
        action = "kept source" if self.on_dropped == "keep-source" else "warned"
        report = DroppedPlaceholders(
            doc.path, line, _source_text(sentence.source, block),
            tuple(_describe(v, block) for v in result.dropped), action,
        )
        if self.on_dropped == "fail":
            raise DroppedPlaceholderError(f"{report} (--on-dropped fail: nothing written for this document)")
        self.dropped_sentences.append(report)
        self.stats.dropped_placeholders += len(result.dropped)
        self.stats.dropped.append(report.to_dict())
        if self.on_dropped == "keep-source":
            self.stats.kept_source += 1
            return SentenceResult(result.source, sentence.source, result.score, result.cached, result.dropped)
        return result

    def _checked(
        self, doc: Document, unit: Unit, sentence: Sentence, result: SentenceResult
    ) -> SentenceResult:
        """The translation with the checks' flags and confidence; a flagged one reported and
        handled by `on_flag` (as `_dropped` handles lost placeholders)."""
        check = self.checker.check(_plain(sentence.source), _plain(result.translation))
        result = replace(result, flags=check.flags, confidence=check.confidence)
        if not check.flags:
            return result
        action = "kept source" if self.on_flag == "keep-source" else "warned"
        report = FlaggedSentence(doc.path, _line(unit, sentence), _source_text(sentence.source, unit.block),
                                 _source_text(result.translation, unit.block), check.flags, check.confidence,
                                 action)
        if self.on_flag == "fail":
            raise FlaggedTranslationError(f"{report} (--on-flag fail: nothing written for this document)")
        self.flagged_sentences.append(report)
        self.stats.flagged += 1
        self.stats.flagged_sentences.append(report.to_dict())
        if self.on_flag == "keep-source":
            self.stats.flagged_kept_source += 1
            return replace(result, translation=sentence.source)
        return result

    def _sentence_result(self, sentence: Sentence) -> SentenceResult:
        if sentence.key is None:
            return SentenceResult(sentence.source, sentence.source, 0.0, False)
        entry, cached = self._resolved[sentence.key]
        return SentenceResult(sentence.source, entry.text, entry.score, cached, entry.dropped)


def _line(unit: Unit, sentence: Sentence) -> int | None:
    """The line of the input a sentence starts on, where the block knows its line."""
    line = unit.block.meta.get("line")
    if line is not None and unit.key == "":
        line += unit.text.count("\n", 0, sentence.start)
    return line


def _plain(text: str) -> str:
    """A sentence without its span tokens (markup placeholders), as the checks compare it."""
    return TOKEN_PATTERN.sub(" ", text)


def bilingual_jsonl(result: TranslatedDocument) -> str:
    """One JSON line per block: ids, kind, source and translation, and each sentence with its score."""
    doc = result.document
    lines = []
    for block in doc.blocks + doc.properties:
        sentences = result.sentences.get(block.id, [])
        source = render_block(doc, block, block.text, {})
        record = {
            "document": doc.path,
            "block": block.id,
            "kind": block.kind,
            "line": block.meta.get("line"),
            "source": source,
            "translation": result.rendered.get(block.id, source),
            "translated": block.id in result.rendered,
            "sentences": [
                {
                    "index": i,
                    "source": s.source,
                    "translation": s.translation,
                    "score": round(s.score, 4),
                    "cached": s.cached,
                    "dropped": list(s.dropped),
                    "flags": list(s.flags),
                    "confidence": s.confidence,
                }
                for i, s in enumerate(sentences)
            ],
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)
