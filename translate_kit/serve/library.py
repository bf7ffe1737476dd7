"""The library pieces the service uses besides the library API, in one place.

Translation goes through `translate_kit.api.Translation` (serve/translation.py); this module holds
what the routes need around it: reading and writing documents held in memory, language codes and
detection, the translation memory per request thread, the sentence pairs of a translated document
for the page, and alignment and scoring of texts held in memory (the API's calls take files). The
service never re-implements a stage: each comes from the library module the CLI uses too.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..documents import EXTENSIONS, FORMATS, Document, parse_document, write_document
from ..documents.model import TOKEN_PATTERN
from ..engine import DecodeOptions, Translation, Translator
from ..errors import InputError, ModelError, OptionError, TranslateKitError
from ..indictrans import Prepared
from ..languages import ENGLISH, HINDI, SUPPORTED, detect_lang, devanagari_share, normalize_lang, other
from ..memory import TranslationMemory, default_path
from ..textio import decode
from ..translate import DocumentPlan, TranslatedDocument

__all__ = [
    "ENGLISH",
    "EXTENSIONS",
    "FORMATS",
    "HINDI",
    "SUPPORTED",
    "DecodeOptions",
    "Document",
    "DocumentPlan",
    "InputError",
    "ModelError",
    "OptionError",
    "Prepared",
    "TranslateKitError",
    "TranslatedDocument",
    "Translation",
    "Translator",
    "detect_lang",
    "devanagari_share",
    "normalize_lang",
    "other",
]


def load_translator(name_or_path: str | None, src: str | None, tgt: str | None, **engine: Any) -> Translator:
    """A model by folder or registry name (or the default for src->tgt), loaded into CTranslate2."""
    return Translator.load(name_or_path, src=src, tgt=tgt, **engine)


class BadEncoding(InputError):
    """Bytes that are not UTF-8 text (the service answers 400)."""


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 bytes as text (BOM dropped, line ends unified); BadEncoding naming line and byte."""
    try:
        return decode(data, name)
    except InputError as exc:
        raise BadEncoding(str(exc).split(" (use --errors")[0]) from None


def parse(
    text: str, name: str, fmt: str, fields: tuple[str, ...] = (), columns: tuple[str, ...] = ()
) -> Document:
    """A document of `fmt` read from text (InputError naming the line for a malformed one);
    `fields` are the JSONL fields, `columns` the TSV/CSV columns to translate."""
    return parse_document(text, name, fmt, fields=fields, columns=columns)


def format_of(filename: str) -> str:
    """The document format a file name implies (plain text when the extension is unknown)."""
    return EXTENSIONS.get(Path(filename).suffix.lower(), "text")


def render(result: TranslatedDocument) -> str:
    """The translated document in its own format."""
    return write_document(result.document, result.rendered)


def document_language(documents: Sequence[Document]) -> str:
    """The language of the documents' text, from its script (what the CLI decides from)."""
    sample = "\n".join(block.plain_text() for doc in documents for block in doc.translatable())
    return detect_lang(sample[:20_000])


_memories = threading.local()


def thread_memory(path: str | None) -> TranslationMemory | None:
    """This thread's connection to the translation memory at `path` (None: no memory).

    SQLite connections belong to the thread that opened them; the memory's WAL mode lets the
    request threads of one server share the file, as several translate-kit processes do.
    """
    if path is None:
        return None
    opened = getattr(_memories, "by_path", None)
    if opened is None:
        opened = _memories.by_path = {}
    if path not in opened:
        opened[path] = TranslationMemory(path)
    return opened[path]


def default_memory_path() -> str:
    return str(default_path())


def sentence_pairs(plan: DocumentPlan, result: TranslatedDocument) -> dict[str, list[dict[str, Any]]]:
    """Per block id, its sentences as a reader sees them: source, translation, score, dropped.

    Inline markup (links, emphasis) is cut out of block text as tokens whose inner text is
    translated on its own; here each token shows as that text on both sides, so a page can pair
    the sentences of a block one for one.
    """
    inner: dict[str, dict[str, str]] = {}
    main: dict[str, list[Any]] = {}
    for block_id, details in result.sentences.items():
        remaining = iter(details)
        for unit in (u for u in plan.units if u.block.id == block_id):
            taken = [next(remaining) for _ in unit.sentences]
            if unit.key:
                inner.setdefault(block_id, {})[unit.key] = " ".join(s.translation for s in taken)
            else:
                main[block_id] = taken
    pairs: dict[str, list[dict[str, Any]]] = {}
    blocks = {block.id: block for block in result.document.blocks}
    for block_id, sentences in main.items():
        spans = blocks[block_id].spans
        translated = inner.get(block_id, {})

        def shown(text: str, side: dict[str, str], spans=spans) -> str:
            def token(match):
                span = spans.get(match.group(0))
                if span is None:
                    return match.group(0)
                return side.get(match.group(0), span.text) if span.text else span.open

            return " ".join(TOKEN_PATTERN.sub(token, text).split())

        pairs[block_id] = [
            {
                "source": shown(s.source, {}),
                "translation": shown(s.translation, translated),
                "score": round(s.score, 4),
                "cached": s.cached,
                "dropped": list(s.dropped),
            }
            for s in sentences
        ]
    return pairs


# ------------------------------------------------------------------------------------------ align


def align_texts(hi_text: str, en_text: str, hi_format: str, en_format: str, presplit: bool) -> dict[str, Any]:
    """Align a Hindi article with its English version as `translate-kit align` does: the block
    pairs (headings with headings, paragraphs with paragraphs) and the sentence beads inside them,
    as its block and sentence records."""
    from ..align.article import article_from_document, check_pair, parse_presplit
    from ..align.output import bead_records, block_records

    def article(text: str, fmt: str, lang: str, name: str):
        if presplit and fmt == "text":
            return parse_presplit(text.split("\n"))
        return article_from_document(parse_document(text, name, fmt), lang, presplit)

    hi = article(hi_text, hi_format, HINDI, "hi")
    en = article(en_text, en_format, ENGLISH, "en")
    warnings = check_pair(hi, en, "the Hindi side", "the English side")
    alignment = _aligner().align(hi, en)
    beads = bead_records(alignment, hi, en)
    blocks = block_records(alignment, hi, en)
    for block in blocks:
        block["beads"] = [i for i, bead in enumerate(beads) if bead["block"] == block["block"]]
    return {
        "blocks": blocks,
        "beads": beads,
        "hi_sentences": len(hi.sentences),
        "en_sentences": len(en.sentences),
        "evidence": list(alignment.backends),
        "warnings": warnings,
    }


@functools.cache
def _aligner():
    """The aligner `translate-kit align` builds by default, made once (its lexicon loads in seconds)."""
    from ..align import Aligner
    from ..align.features import make_sources

    return Aligner(sources=make_sources())


def bead_table(aligned: dict[str, Any], fmt: str, level: str = "both") -> str:
    """The records as `translate-kit align --format jsonl|tsv --level LEVEL` writes them."""
    import io

    from ..align.output import write_records

    blocks = [{k: v for k, v in block.items() if k != "beads"} for block in aligned["blocks"]]
    if level == "block":
        records = blocks
    elif level == "sentence":
        records = aligned["beads"]
    else:
        records = []
        for block, full in zip(blocks, aligned["blocks"], strict=True):
            records.append(block)
            records.extend(aligned["beads"][i] for i in full["beads"])
    buffer = io.StringIO()
    write_records(records, buffer, fmt)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------- evaluate


def evaluate(
    hypotheses: list[str],
    references: list[list[str]],
    *,
    lang: str | None,
    metrics: str,
    preset: str,
    confidence: int,
    sources: list[str] | None = None,
) -> dict[str, Any]:
    """`translate-kit eval --format json`'s document: scores with their signatures."""
    import json

    from ..evaluate import report
    from ..evaluate.inputs import TextFile, check_references, check_same_length, empty_hypothesis_warning
    from ..evaluate.scorer import Scorer

    hyp = TextFile("hypotheses", [line.rstrip() for line in hypotheses])
    refs = [TextFile(f"references[{i}]", [line.rstrip() for line in ref]) for i, ref in enumerate(references)]
    check_references(refs)
    check_same_length(hyp, refs)
    lang = lang or detect_lang(" ".join(refs[0].lines[:100]), default=ENGLISH)
    scorer = Scorer([ref.lines for ref in refs], lang=lang, metrics=metrics, preset=preset, sources=sources)
    scores = scorer.corpus(hyp.lines, confidence=confidence)
    meta = {"lines": len(hyp.lines), "lang": lang, "preset": preset}
    document = json.loads(report.render_evaluation(scores, "json", 4, meta))
    document["text"] = report.render_evaluation(scores, "text", 1)
    warning = empty_hypothesis_warning(hyp)
    if warning:
        document["warnings"] = [warning]
    return document
