"""Alignment and evaluation routes: /align (texts), /align/files (uploads), /evaluate."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import PlainTextResponse

from .. import api
from ..languages import normalize_lang
from .errors import ServeError
from .inputs import decode_text, format_of
from .routes_translate import ERRORS
from .schemas import AlignRequest, AlignResponse, EvaluateRequest

router = APIRouter(responses=ERRORS)
BEAD_MEDIA = {"jsonl": "application/jsonl", "tsv": "text/tab-separated-values"}
ALIGN_CONTENT = {200: {"content": {"application/jsonl": {}, "text/tab-separated-values": {}}}}


async def _align(
    request: Request,
    hi: str,
    en: str,
    hi_format: str,
    en_format: str,
    presplit: bool,
    output: str,
    level: str = "both",
) -> Any:
    settings = request.app.state.settings
    for side, text in (("hi", hi), ("en", en)):
        lines = text.count("\n") + 1
        if lines > settings.max_sentences * 2:
            raise ServeError(
                413, f"{side}: {lines} lines in one request; the limit is {settings.max_sentences * 2}"
            )
    aligned = await request.app.state.service.run(
        request, lambda _control: api.align_texts(hi, en, hi_format, en_format, presplit)
    )
    if output == "json":
        return AlignResponse(**aligned)
    return PlainTextResponse(
        api.bead_table(aligned, output, level), media_type=f"{BEAD_MEDIA[output]}; charset=utf-8"
    )


@router.post(
    "/align",
    response_model=AlignResponse,
    responses=ALIGN_CONTENT,
    summary="Align a Hindi article with its English version: block pairs, then sentence beads",
)
async def align(body: AlignRequest, request: Request) -> Any:
    """Headings pair with headings and paragraphs with paragraphs, then sentences inside each
    block pair, scored offline (length, anchors, the installed lexicon). `output` json gives both
    levels; jsonl and tsv give the records `translate-kit align --level LEVEL` writes."""
    return await _align(
        request, body.hi, body.en, body.hi_format, body.en_format, body.presplit, body.output, body.level
    )


@router.post(
    "/align/files",
    response_model=AlignResponse,
    responses=ALIGN_CONTENT,
    summary="Align two uploaded files (txt, md or html): the Hindi one and the English one",
)
async def align_files(
    request: Request,
    hi: Annotated[UploadFile, File(description="The Hindi article (UTF-8 .txt or .md)")],
    en: Annotated[UploadFile, File(description="The English article (UTF-8 .txt or .md)")],
    presplit: Annotated[bool, Form()] = False,
    output: Annotated[str, Form(pattern="^(json|jsonl|tsv)$")] = "json",
    level: Annotated[str, Form(pattern="^(block|sentence|both)$")] = "both",
) -> Any:
    texts, formats = [], []
    for upload in (hi, en):
        name = PurePath(upload.filename or "upload.txt").name
        texts.append(decode_text(await upload.read(), name))
        fmt = format_of(name)
        formats.append(fmt if fmt in ("markdown", "html") else "text")
    return await _align(request, texts[0], texts[1], formats[0], formats[1], presplit, output, level)


@router.post("/evaluate", summary="Score hypotheses against references (the eval command's JSON)")
async def evaluate(body: EvaluateRequest, request: Request) -> dict[str, Any]:
    """sacrebleu's BLEU, chrF, chrF++ and TER with their signatures (ours add the preset and
    normalisation), optional bootstrap 95% intervals; the same numbers as `translate-kit eval`."""
    limit = request.app.state.settings.max_sentences * 10
    if len(body.hypotheses) > limit:
        raise ServeError(413, f"{len(body.hypotheses)} lines in one request; the limit is {limit}")
    lang = None
    if body.lang:
        try:
            lang = normalize_lang(body.lang)
        except ValueError as exc:
            raise ServeError(400, f"lang: {exc}") from None
    return await request.app.state.service.run(
        request,
        lambda _control: api.evaluate_texts(
            body.hypotheses,
            body.references,
            lang=lang,
            metrics=body.metrics,
            preset=body.preset,
            confidence=body.confidence,
            sources=body.sources,
        ),
    )
