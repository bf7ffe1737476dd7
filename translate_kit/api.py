"""The library calls every front door uses: the CLI, the HTTP service and the Ray runner.

Each call takes plain data (paths, strings, option dataclasses) and returns plain results; progress and
cancellation are callbacks, so a front door only parses its input, calls one of these and presents the result:

- `translate_documents(inputs, output, options)`: a file, standard input or a folder, translated into files
  written atomically and resumed after an interruption (the Ray runner, translate_kit.scale, is a door above);
- `Translation(options)`: a model and memory loaded once, then `translate_texts(texts, fmt)` for documents
  in memory, any number of times (`translate_texts(texts, options)` does both); a door sharing one model
  loads it with `load_model(options)` and passes `model=` and its own `decoder` (the service's batcher);
  each result carries block and sentence pairs (`TextResult.blocks`), each sentence its flags and confidence
  (translate_kit.checks); `keep_documents` gives the same shape for documents left as they are;
- `align_documents`, `align_texts`, `bead_table`, `pair_documents` (translate_kit.align, re-exported);
  `build_corpus(pairs, en_folder, output, CorpusOptions(...))`: article pairs aligned, filtered and written
  as a corpus with a report, resumable; `clean_corpus(source, output, CleanOptions(...))`: a corpus file
  (TSV, JSONL, Moses) judged pair by pair (translate_kit.checks), deduplicated, written in its own format;
- `evaluate`, `evaluate_texts`, `compare`, `TranslateFirst` (translate_kit.evaluate.workflow, re-exported).

`progress(done, total)` counts sentences from `done == 0` (build_corpus's counts documents per pass);
`cancel()`, polled between engine calls, raises `errors.Cancelled` when True; outputs written stay valid.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import Cancelled, OptionError

if TYPE_CHECKING:
    from .align.output import bead_table
    from .align.pairing import PairingSettings
    from .align.workflow import (
        AlignedPair,
        AlignOptions,
        PairingRun,
        align_documents,
        align_texts,
        pair_documents,
    )
    from .checks.clean import CleanOptions, CleanSummary, clean_corpus
    from .corpus import CorpusOptions, CorpusSummary, MapJobs
    from .documents import Document
    from .engine import DecodeOptions, Translator
    from .evaluate.workflow import EvalOptions, Evaluation, TranslateFirst, compare, evaluate, evaluate_texts
    from .memory import TranslationMemory, thread_memory
    from .translate import (
        BlockPair,
        DocumentPlan,
        DocumentTranslator,
        DroppedPlaceholders,
        JobSettings,
        RunStats,
        SentenceEngine,
        SentenceResult,
        TranslatedDocument,
    )

    Model = Translator

_ELSEWHERE = {
    **dict.fromkeys(["EvalOptions", "Evaluation", "TranslateFirst", "compare", "evaluate", "evaluate_texts"],
                    "evaluate.workflow"),
    **dict.fromkeys(["AlignOptions", "AlignedPair", "PairingRun", "align_documents", "align_texts",
                     "pair_documents"], "align.workflow"),
    "bead_table": "align.output",
    "PairingSettings": "align.pairing",
    "DecodeOptions": "engine",
    **dict.fromkeys(["CorpusOptions", "CorpusSummary"], "corpus"),
    **dict.fromkeys(["CleanOptions", "CleanSummary", "clean_corpus"], "checks.clean"),
    "thread_memory": "memory",
}


def __getattr__(name: str) -> Any:
    """The evaluation, alignment and corpus calls, imported on first use (no sacrebleu, scipy, pandas)."""
    if name in _ELSEWHERE:
        return getattr(importlib.import_module(f".{_ELSEWHERE[name]}", __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AlignOptions", "AlignedPair", "Cancel", "Cancelled", "CleanOptions", "CleanSummary", "CorpusOptions",
    "CorpusSummary", "DecodeOptions", "Decoder", "DocumentsResult", "EvalOptions", "Evaluation",
    "OptionError", "PairingRun", "PairingSettings", "PlannedTexts", "Progress", "TextResult",
    "TextsResult", "TranslateFirst", "TranslateOptions", "Translation", "align_documents", "align_texts",
    "bead_table", "build_corpus", "clean_corpus", "compare", "document_language", "evaluate",
    "evaluate_texts", "keep_documents", "load_model", "pair_documents", "thread_memory",
    "translate_documents", "translate_texts",
]

Progress = Callable[[int, int], None]
"""(sentences done so far, total sentences)."""
Cancel = Callable[[], bool]
"""True asks a running call to stop (it raises errors.Cancelled)."""
Decoder = Callable[[Sequence[Any]], Iterator[list[tuple[int, Any]]]]
"""Decodes a model's prepared sentences somewhere else (a batcher shared by many requests): yields
(index, translation) pairs as they are done, each index once (engine.Translator.translate_stream's shape)."""


@dataclass(frozen=True)
class TranslateOptions:
    """Everything that decides a translation run; the defaults are the CLI's."""

    model: str | None = None  # folder or registry name; None: $TRANSLATE_KIT_MODEL, else the default model
    src: str | None = None  # None: detected from the inputs' script
    tgt: str | None = None  # None: the other language
    beam_size: int = 5
    batch_tokens: int = 512
    batch_invariant: bool = False  # each sentence decoded alike in any batch (engine.DecodeOptions)
    window_sentences: int = 256
    threads: int | None = None
    device: str = "cpu"
    compute_type: str = "int8"
    glossary: Mapping[str, str] | None = None  # source term -> required output (glossary.read_glossary)
    memory: str | None = None  # translation-memory file; None: memory.sqlite3 in the translate-kit home
    use_memory: bool = True
    fields: tuple[str, ...] = ()  # JSONL fields to translate
    columns: tuple[str, ...] = ()  # TSV/CSV columns to translate
    errors: str = "strict"  # undecodable bytes: "strict" (an error naming file and line) or "replace"
    bilingual: bool = False  # output JSONL pairs (block and sentence translations) instead of the document
    overwrite: bool = False  # files: replace outputs that an earlier run of this job did not write
    front_matter_keys: tuple[str, ...] | None = None  # Markdown front matter to translate; None: the default
    wrap: str = "join"  # Markdown paragraphs wrapped over lines: "join" or "keep" (documents.WRAP_MODES)
    on_dropped: str = "warn"  # a sentence that lost placeholders: "warn", "keep-source" or "fail"
    on_flag: str = "warn"  # a translation translate_kit.checks flags: the same choices
    force: bool = False  # files: translate again what the output folder's manifest says is done

    def document_settings(self) -> dict[str, Any]:
        """How documents are read (parse_document's keyword arguments)."""
        from .documents import DEFAULT_FRONT_MATTER_KEYS

        keys = DEFAULT_FRONT_MATTER_KEYS if self.front_matter_keys is None else self.front_matter_keys
        return {"fields": self.fields, "columns": self.columns, "front_matter_keys": keys}

    def decode_options(self) -> DecodeOptions:
        """How the engine decodes for these options (what the translation memory keys on)."""
        from .engine import DecodeOptions

        return DecodeOptions(beam_size=self.beam_size, max_batch_tokens=self.batch_tokens,
                             batch_invariant=self.batch_invariant)

    def job_settings(self) -> JobSettings:
        """How a file run reads and writes (the settings its output folder's manifest is keyed on)."""
        from .translate import JobSettings

        return JobSettings(
            fields=self.fields, columns=self.columns, errors=self.errors, bilingual=self.bilingual,
            overwrite=self.overwrite, front_matter_keys=self.document_settings()["front_matter_keys"],
            wrap=self.wrap, force=self.force,
        )


@dataclass
class TextResult:
    """One translated document held in memory: `text` in its format (bytes if binary) or bilingual JSONL."""

    text: str | bytes
    sentences: list[SentenceResult] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # values (numbers, URLs, markup) the model lost
    document: TranslatedDocument | None = None  # the parsed document and its rendered blocks
    blocks: list[BlockPair] = field(default_factory=list)  # properties and blocks side by side, in order


@dataclass
class TextsResult:
    results: list[TextResult]
    stats: RunStats
    src: str
    tgt: str


@dataclass
class DocumentsResult:
    """What a file run did; src/tgt are None when nothing needed translating (no model was loaded)."""

    stats: RunStats
    dropped: list[str]
    src: str | None
    tgt: str | None
    dropped_sentences: list[DroppedPlaceholders] = field(default_factory=list)  # file, line, sentence, values
    already_target: list[str] = field(default_factory=list)  # inputs with nothing in the source language


class _Counter:
    """Turns the translator's "n more sentences done" into progress(done, total)."""

    def __init__(self, progress: Progress | None):
        self.progress, self.done, self.total = progress, 0, 0

    def start(self, total: int) -> None:
        self.total = total
        if self.progress:
            self.progress(0, total)

    def step(self, count: int) -> None:
        self.done += count
        if self.progress:
            self.progress(self.done, self.total)


@dataclass
class PlannedTexts:
    """Documents cut into sentences and prepared for the model, not yet translated, so that a
    caller can look at the work (how many sentences, how long) before `Translation.translate_planned`
    commits to it (the HTTP service checks its limits and queue here)."""

    plans: list[DocumentPlan]
    translator: DocumentTranslator
    counter: _Counter

    @property
    def sentences(self) -> list[str]:
        """The source text of every sentence of the documents, in order."""
        return [s.source for plan in self.plans for unit in plan.units for s in unit.sentences]

    @property
    def stats(self) -> RunStats:
        """The run's counts so far (a door adds the documents it skipped itself)."""
        return self.translator.stats

    def add(self, document: Document) -> None:
        """Plan one more document (a door that reports a document it cannot plan and goes on)."""
        self.plans.append(self.translator.plan(document))

    def job_key(self, settings: JobSettings) -> str:
        """What a file run's manifest keys its outputs on: the model, decoding, glossary, settings."""
        return settings.key(self.translator)


class Translation:
    """A model and its translation memory, loaded once and used for many calls (not thread-safe).

    `sample` (texts of the input) decides the source language when neither `options.src` nor
    `options.model` does, as `languages.detect_source` reads the script. A caller that holds its
    own model (`load_model`, shared by many translations; or any `translate.SentenceEngine`) or
    memory passes them instead, and closes them itself; `decoder` decodes the model's prepared
    sentences instead of the model (the HTTP service's batcher, shared by its requests); `decoding`
    replaces the decoding settings `options` implies (speed tests pin output lengths).
    """

    def __init__(
        self,
        options: TranslateOptions,
        sample: Iterable[str] = (),
        *,
        model: SentenceEngine | None = None,
        decoder: Decoder | None = None,
        memory: TranslationMemory | None = None,
        decoding: DecodeOptions | None = None,
    ):
        from .memory import TranslationMemory, default_path

        self.options = options
        self.model = model if model is not None else load_model(options, sample)
        self.engine = self.model if decoder is None else _SharedDecoding(self.model, decoder)
        self.decoding = decoding
        self._owns_memory = memory is None
        if memory is None and options.use_memory:
            memory = TranslationMemory(options.memory or default_path())
        self.memory = memory

    @property
    def src(self) -> str:
        return self.engine.src

    @property
    def tgt(self) -> str:
        return self.engine.tgt

    def document_translator(
        self, progress: Callable[[int], None] | None = None, cancel: Cancel | None = None
    ) -> DocumentTranslator:
        """A DocumentTranslator over this model and memory with the options' decoding settings."""
        from .translate import DocumentTranslator

        options = self.options
        decoding = self.decoding or options.decode_options()
        return DocumentTranslator(
            self.engine, decoding, memory=self.memory, glossary=options.glossary,
            window_sentences=options.window_sentences, progress=progress, cancel=cancel,
            on_dropped=options.on_dropped,
            on_flag=options.on_flag,
        )

    def translate_texts(
        self,
        texts: Sequence[str],
        fmt: str = "text",
        *,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
    ) -> TextsResult:
        """Translate documents given as strings in format `fmt` (text, markdown, html, jsonl, tsv, csv)."""
        from .documents import parse_document

        settings = self.options.document_settings()
        docs = [parse_document(text, f"<text {i + 1}>", fmt, **settings) for i, text in enumerate(texts)]
        return self.translate_planned(self.plan_documents(docs, progress=progress, cancel=cancel))

    def plan_documents(
        self, documents: Sequence[Document], *, progress: Progress | None = None, cancel: Cancel | None = None
    ) -> PlannedTexts:
        """Cut parsed documents (documents.parse_document) into prepared sentences; nothing is decoded."""
        counter = _Counter(progress)
        translator = self.document_translator(counter.step, cancel)
        return PlannedTexts([translator.plan(doc) for doc in documents], translator, counter)

    def translate_planned(self, planned: PlannedTexts) -> TextsResult:
        """Translate what `plan_documents` planned: one TextResult per document, in order."""
        planned.counter.start(sum(plan.sentence_count for plan in planned.plans))
        done = planned.translator.translate(planned.plans)
        results = [
            _text_result(plan, result, self.options)
            for plan, result in zip(planned.plans, done, strict=True)
        ]
        return TextsResult(results, planned.translator.stats, self.src, self.tgt)

    def close(self) -> None:
        if self.memory is not None and self._owns_memory:
            self.memory.close()

    def __enter__(self) -> Translation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _text_result(
    plan: DocumentPlan | None, result: TranslatedDocument, options: TranslateOptions
) -> TextResult:
    """A document's output text (its format, or bilingual JSONL) and its side-by-side view."""
    from .documents import write_document
    from .translate import bilingual_jsonl, block_pairs

    if options.bilingual:
        text = bilingual_jsonl(result)
    else:
        text = write_document(result.document, result.rendered, wrap=options.wrap)
    doc = result.document
    sentences = [s for block in doc.blocks + doc.properties for s in result.sentences.get(block.id, [])]
    return TextResult(text, sentences, list(result.dropped), result, block_pairs(plan, result))


def keep_documents(documents: Sequence[Document], options: TranslateOptions) -> list[TextResult]:
    """Documents left as they are (nothing in the source language, or source equal to target), in
    the shape of a translation's results, so a door answers them as it answers translations."""
    from .translate import TranslatedDocument

    return [_text_result(None, TranslatedDocument(doc, {}), options) for doc in documents]


def document_language(documents: Sequence[Document]) -> str:
    """The language of documents' text from its script, as a file run decides its source language."""
    from .languages import detect_lang

    sample = "\n".join(block.plain_text() for doc in documents for block in doc.translatable())
    return detect_lang(sample[:20_000])


class _SharedDecoding:
    """A model whose prepared sentences are decoded by a `Decoder` elsewhere (translate.SentenceEngine)."""

    def __init__(self, model: SentenceEngine, decoder: Decoder):
        self.model, self.decoder = model, decoder
        self.src, self.tgt = model.src, model.tgt
        self.fingerprint, self.family = model.fingerprint, model.family

    def prepare(self, sentences: Sequence[str], glossary: Mapping[str, str] | None = None) -> list:
        return self.model.prepare(sentences, glossary)

    def translate_stream(self, prepared: Sequence[Any], options: DecodeOptions | None = None):
        return self.decoder(prepared)


def load_model(options: TranslateOptions, sample: Iterable[str] = ()) -> Model:
    """The model `options` names (or the default one for the languages), loaded into CTranslate2:
    one model that any number of `Translation`s (and a door's own decoder) can share."""
    from .engine import Translator
    from .languages import detect_source, other

    src = options.src
    if src is None and options.model is None:
        src = detect_source(sample)
    return Translator.load(
        options.model,
        src=src,
        tgt=options.tgt or (other(src) if src else None),
        device=options.device,
        compute_type=options.compute_type,
        threads=options.threads,
    )


def translate_texts(
    texts: Sequence[str],
    options: TranslateOptions,
    fmt: str = "text",
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> TextsResult:
    """Load the model (source language detected from `texts` if not given), translate, close."""
    with Translation(options, sample=texts) as translation:
        return translation.translate_texts(texts, fmt, progress=progress, cancel=cancel)


def translate_documents(
    inputs: str,
    output: str | None,
    options: TranslateOptions,
    *,
    fmt: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    stdout: Callable[[str | bytes], None] | None = None,
) -> DocumentsResult:
    """Translate a file, '-' (standard input) or a folder into `output` (None: `stdout`).

    Every input is read and parsed before the model is loaded, so bad input stops the run before
    any work (InputError with file and line); the model is loaded only if something needs
    translating. Outputs are written atomically, each recorded in the output folder's manifest,
    so a rerun skips what an identical earlier run finished. (The Ray runner, a door above this
    library, is `translate_kit.scale.translate_documents_on_ray`.)
    """
    from .translate import collect_jobs, load_jobs, run_jobs

    jobs = collect_jobs(inputs, output, fmt, bilingual=options.bilingual, src=options.src, tgt=options.tgt)
    formats = {job.fmt for job in jobs}
    if options.fields and "jsonl" not in formats:
        raise OptionError("--field applies to JSONL input (use --format jsonl for other extensions)")
    if options.columns and not formats & {"tsv", "csv"}:
        raise OptionError("--column applies to TSV/CSV input (use --format tsv or csv)")
    settings = options.job_settings()
    loaded = load_jobs(jobs, settings)
    counter = _Counter(progress)
    if not any(item.document.translatable() for item in loaded):
        stats = run_jobs(loaded, None, settings, stdout=stdout, on_planned=counter.start)
        return DocumentsResult(stats, [], None, None)
    sample = (block.plain_text() for item in loaded for block in item.document.translatable())
    with Translation(options, sample) as translation:
        translator = translation.document_translator(counter.step, cancel)
        stats = run_jobs(loaded, translator, settings, stdout=stdout, on_planned=counter.start)
        return DocumentsResult(
            stats, translator.dropped_values, translation.src, translation.tgt,
            translator.dropped_sentences, translator.already_target,
        )


def build_corpus(
    pairs: str,
    en_folder: str | None,
    output: str,
    options: CorpusOptions | None = None,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    map_jobs: MapJobs | None = None,
) -> CorpusSummary:
    """Align the article pairs of a TSV (`en_folder` None) or of two folders matched by file name,
    filter their beads and write `output`/corpus.hi, corpus.en, corpus.jsonl and the report.

    Each pair's result is saved under `output` as it finishes, so a rerun skips what an earlier
    run with the same inputs and settings did. `progress(stage, done, total)` counts documents
    through each pass ("learning", then "aligning"). `map_jobs(work, jobs)` runs the pairs'
    alignment elsewhere (translate_kit.scale.build_corpus_on_ray passes Ray tasks); None: here.
    """
    from .corpus import CorpusOptions, collect_pairs

    jobs, unmatched = collect_pairs(pairs, en_folder)
    summary = (options or CorpusOptions()).builder(output).build(jobs, progress, map_jobs=map_jobs)
    summary.unmatched = unmatched
    return summary

