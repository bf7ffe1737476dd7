"""Translation routes: /translate (native and LibreTranslate shapes), /translate/file,
/translate/document (the page's, with optional progress streaming), /languages, /detect."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response, StreamingResponse

from ..documents import FORMATS, Document, is_binary
from ..errors import TranslateKitError
from ..languages import ENGLISH, HINDI, detect_lang, devanagari_share, normalize_lang
from .access import check_key
from .errors import ServeError
from .inputs import decode_text, format_of, parse
from .schemas import (
    DetectedLanguage,
    DetectRequest,
    DocumentRequest,
    DocumentResponse,
    ErrorResponse,
    LanguageEntry,
    LibreTranslateResponse,
    TranslateRequest,
    TranslateResponse,
)
from .translation import Translated, TranslationService
from .work import Control

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in (
        (400, "Bad input: invalid UTF-8 or JSON, unsupported language pair"),
        (401, "API key missing or wrong"),
        (413, "Body, sentence count or sentence length over the server's limits"),
        (422, "Malformed request or document"),
        (503, "Queue full (see Retry-After) or model not available"),
        (504, "The request took longer than the server's timeout"),
    )
}
LANGUAGE_NAMES = {HINDI: ("hi", "Hindi"), ENGLISH: ("en", "English")}
MEDIA_TYPES = {
    "text": "text/plain",
    "markdown": "text/markdown",
    "html": "text/html",
    "jsonl": "application/jsonl",
    "tsv": "text/tab-separated-values",
    "csv": "text/csv",
    "srt": "application/x-subrip",
    "vtt": "text/vtt",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "epub": "application/epub+zip",
    "pdf": "text/markdown",  # a PDF's text comes back as Markdown
}

router = APIRouter(responses=ERRORS)
log = logging.getLogger("translate_kit.serve")


def _service(request: Request) -> TranslationService:
    return request.app.state.service


def _language(code: str | None, what: str) -> str | None:
    """A language code as the library's (None for auto/absent); 400 for an unknown one."""
    if code is None or code.strip().lower() in ("auto", ""):
        return None
    try:
        return normalize_lang(code)
    except ValueError as exc:
        raise ServeError(400, f"{what}: {exc}") from None


def _short(code: str) -> str:
    return LANGUAGE_NAMES.get(code, (code, code))[0]


def _confidence(text: str, lang: str) -> float:
    share = devanagari_share(text)
    return round(100 * (share if lang == HINDI else 1 - share), 1)


def _parse(text: str | bytes, name: str, fmt: str, fields=("text",), columns=("text",)) -> Document:
    return parse(text, name, fmt, tuple(fields), tuple(columns))


@router.post(
    "/translate",
    response_model=TranslateResponse | LibreTranslateResponse,
    summary="Translate a text or a list of texts (also LibreTranslate's request shape)",
)
async def translate(body: TranslateRequest, request: Request) -> Any:
    """Each text is read as `format` (text: paragraphs and heading lines; markdown; html), split
    into sentences and translated with its structure kept. With `q` instead of `text` the answer
    is LibreTranslate's: `translatedText` (a list for a list), and `detectedLanguage` for
    `source: "auto"`."""
    settings = request.app.state.settings
    check_key(request, settings.api_key, body.api_key)
    texts = body.texts
    if len(texts) > settings.max_sentences:
        raise ServeError(413, f"{len(texts)} texts in one request; the limit is {settings.max_sentences}")
    source, target = _language(body.source, "source"), _language(body.target, "target")
    done = await _service(request).translate(
        request,
        lambda: [_parse(text, f"text[{i}]", body.format) for i, text in enumerate(texts)],
        source,
        target,
    )
    if body.libretranslate:
        return _libretranslate(body, texts, done)
    results = []
    for result in done.results:
        sentences = [pair.to_dict() for block in result.blocks for pair in block.sentences]
        results.append(
            {
                "translation": result.text,
                "sentences": sentences,
                "dropped_placeholders": [d for s in sentences for d in s["dropped"]],
            }
        )
    return TranslateResponse(
        translations=done.outputs,
        results=results,
        source=done.source,
        target=done.target,
        detected=done.detected,
        model=done.model,
    )


def _libretranslate(body: TranslateRequest, texts: list[str], done: Translated) -> LibreTranslateResponse:
    detected = None
    if done.detected:
        found = [
            DetectedLanguage(language=_short(done.source), confidence=_confidence(t, done.source))
            for t in texts
        ]
        detected = found[0] if body.single else found
    translated = done.outputs[0] if body.single else done.outputs
    return LibreTranslateResponse(translatedText=translated, detectedLanguage=detected)


@router.post(
    "/translate/file",
    response_class=Response,
    summary="Translate an uploaded document; the same format comes back",
    responses={
        200: {"content": {m: {} for m in MEDIA_TYPES.values()}, "description": "The translated document"}
    },
)
async def translate_file(
    request: Request,
    file: Annotated[UploadFile, File(description="txt, md, html, jsonl, tsv, csv, srt, vtt (UTF-8); "
                                     "docx, pptx, odt, odp, epub, pdf")],
    source: Annotated[str, Form(max_length=20)] = "auto",
    target: Annotated[str | None, Form(max_length=20)] = None,
    format: Annotated[str | None, Form(description="Override the format the extension implies")] = None,
    field: Annotated[list[str] | None, Form(description="JSONL field to translate (default: text)")] = None,
    column: Annotated[list[str] | None, Form(description="TSV/CSV column (default: text)")] = None,
) -> Response:
    """Structure is kept as `translate-kit translate` keeps it: headings, lists, tables, links and
    code in Markdown, tags and attributes in HTML, the other fields of JSONL records, the other
    columns of a table. Headers say the languages, the model and the dropped placeholders."""
    name = PurePath(file.filename or "upload.txt").name
    fmt = _format(format, name)
    data = await file.read()

    def read() -> list[Document]:
        source = data if is_binary(fmt) else decode_text(data, name)
        return [_parse(source, name, fmt, field or ("text",), column or ("text",))]

    done = await _service(request).translate(
        request, read, _language(source, "source"), _language(target, "target")
    )
    stem, _, extension = name.rpartition(".")
    extension = "md" if fmt == "pdf" else extension
    out_name = f"{stem or name}.{_short(done.target)}.{extension or 'txt'}"
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(out_name)}",
        "X-Source-Language": done.source,
        "X-Target-Language": done.target,
        "X-Dropped-Placeholders": str(len(done.dropped)),
    }
    if done.model:
        headers["X-Model"] = done.model
    output = done.outputs[0]
    media = MEDIA_TYPES[fmt] if isinstance(output, bytes) else f"{MEDIA_TYPES[fmt]}; charset=utf-8"
    return Response(output, media_type=media, headers=headers)


def _format(explicit: str | None, name: str) -> str:
    if explicit:
        if explicit not in FORMATS:
            raise ServeError(422, f"unknown format {explicit!r}: use one of {', '.join(FORMATS)}")
        return explicit
    return format_of(name)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


@router.post(
    "/translate/document",
    response_model=DocumentResponse,
    summary="Translate a document and see it block by block (what the web page uses)",
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
async def translate_document(
    body: DocumentRequest,
    request: Request,
    stream: Annotated[bool, Query(description="Answer NDJSON: progress lines, then the result line")] = False,
) -> Any:
    """Blocks in reading order with their source and translation side by side (markup dropped),
    each with its sentence pairs; `output` is the translated document in its own format."""
    name = PurePath(body.filename or "pasted.txt").name
    fmt = body.format or format_of(name)
    source, target = _language(body.source, "source"), _language(body.target, "target")
    service = _service(request)

    def read() -> list[Document]:
        return [_parse(body.text, name, fmt, body.fields, body.columns)]

    if not stream:
        return _document_view(name, fmt, await service.translate(request, read, source, target))
    return StreamingResponse(
        _progress_stream(service, name, fmt, read, source, target), media_type="application/x-ndjson"
    )


async def _progress_stream(
    service: TranslationService,
    name: str,
    fmt: str,
    read: Callable[[], list[Document]],
    source: str | None,
    target: str | None,
) -> AsyncIterator[str]:
    """`{"progress": {"done", "total"}}` lines while sentences are translated, then `{"result": ...}`
    (or `{"error": ..., "status": ...}`). The client leaving cancels the request's sentences."""
    loop = asyncio.get_running_loop()
    updates: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
    control = Control(lambda done, total: loop.call_soon_threadsafe(updates.put_nowait, (done, total)))
    task = asyncio.ensure_future(service.translate(None, read, source, target, control))
    try:
        while not task.done():
            getter = asyncio.ensure_future(updates.get())
            await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                getter.cancel()
                continue
            done, total = getter.result()
            while not updates.empty():
                done, total = updates.get_nowait()
            yield json.dumps({"progress": {"done": done, "total": total}}) + "\n"
        try:
            view = _document_view(name, fmt, task.result())
            yield json.dumps({"result": view.model_dump()}, ensure_ascii=False) + "\n"
        except ServeError as exc:
            yield json.dumps({"error": exc.message, "status": exc.status}) + "\n"
        except TranslateKitError as exc:
            yield json.dumps({"error": " ".join(str(exc).split()), "status": 422}) + "\n"
        except Exception:  # a bug: the page still gets one line, not a connection cut mid-answer
            log.exception("unexpected error in a streamed translation")
            yield json.dumps({"error": "internal error (logged on the server)", "status": 500}) + "\n"
    finally:
        if not task.done():
            control.cancel()
            task.add_done_callback(lambda t: t.cancelled() or t.exception())


def _document_view(name: str, fmt: str, done: Translated) -> DocumentResponse:
    result = done.results[0]
    blocks = [block.to_dict() for block in result.blocks]
    return DocumentResponse(
        filename=name,
        format=fmt,
        source=done.source,
        target=done.target,
        detected=done.detected,
        model=done.model,
        output=result.text,
        blocks=blocks,
        dropped_placeholders=done.dropped,
        stats=done.stats,
    )


@router.get(
    "/languages",
    response_model=list[LanguageEntry],
    summary="Languages and their targets (LibreTranslate's shape)",
)
async def languages(request: Request) -> list[LanguageEntry]:
    targets: dict[str, list[str]] = {}
    for src, tgt in request.app.state.pool.directions():
        targets.setdefault(src, []).append(_short(tgt))
    return [
        LanguageEntry(code=_short(src), name=LANGUAGE_NAMES[src][1], targets=sorted(t))
        for src, t in sorted(targets.items())
    ]


@router.post(
    "/detect",
    response_model=list[DetectedLanguage],
    summary="The language of a text (LibreTranslate's shape), from its script",
)
async def detect(body: DetectRequest, request: Request) -> list[DetectedLanguage]:
    check_key(request, request.app.state.settings.api_key, body.api_key)
    lang = detect_lang(body.q)
    return [DetectedLanguage(language=_short(lang), confidence=_confidence(body.q, lang))]
