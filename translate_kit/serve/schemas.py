"""Request and response bodies of the HTTP API (they make its OpenAPI schema)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Texts = str | list[str]
LanguageCode = Field(description="hi, en, hin_Deva, eng_Latn; 'auto' (source only): detected from the script")


class TranslateRequest(BaseModel):
    """Native shape (`text`) or LibreTranslate's (`q`): give exactly one of them."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"text": "मॉस्को में जयशंकर ने लावरोव से मुलाकात की।", "source": "auto"},
                {"q": ["नमस्ते।", "धन्यवाद।"], "source": "hi", "target": "en", "format": "text"},
            ]
        }
    )

    text: Texts | None = Field(None, description="A text or a list of texts (native shape).")
    q: Texts | None = Field(None, description="A text or a list of texts (LibreTranslate shape).")
    source: str = Field("auto", max_length=20, description=LanguageCode.description)
    target: str | None = Field(None, max_length=20, description="Default: the other language.")
    format: Literal["text", "markdown", "html", "jsonl", "tsv", "csv"] = "text"
    api_key: str | None = Field(None, max_length=512, description="LibreTranslate clients send the key here.")
    alternatives: int | None = Field(None, ge=0, le=0, description="LibreTranslate: only 0 is supported.")

    @model_validator(mode="after")
    def _one_input(self) -> TranslateRequest:
        if (self.text is None) == (self.q is None):
            raise ValueError("give either 'text' or 'q' (a text or a list of texts)")
        return self

    @property
    def libretranslate(self) -> bool:
        return self.q is not None

    @property
    def texts(self) -> list[str]:
        value = self.q if self.q is not None else self.text
        return [value] if isinstance(value, str) else list(value)

    @property
    def single(self) -> bool:
        return isinstance(self.q if self.q is not None else self.text, str)


class SentencePair(BaseModel):
    source: str
    translation: str
    score: float = Field(description="Mean log-probability per output token (0 for kept text).")
    cached: bool = Field(description="Answered by the translation memory.")
    dropped: list[str] = Field(description="Placeholder values (numbers, URLs) the model lost.")
    flags: list[str] = Field(
        default_factory=list,
        description="What the pair judge holds against the translation: number_lost, truncated, "
        "repeated, untranslated, wrong_language, ... (empty: nothing).",
    )
    confidence: float | None = Field(None, description="The judge's confidence (None: not translated).")


class TextResult(BaseModel):
    translation: str
    sentences: list[SentencePair]
    dropped_placeholders: list[str]


class TranslateResponse(BaseModel):
    translations: list[str]
    results: list[TextResult]
    source: str
    target: str
    detected: bool = Field(description="The source language was detected from the script.")
    model: str | None = Field(description="The model's name (None when nothing needed translating).")


class DetectedLanguage(BaseModel):
    language: str
    confidence: float


class LibreTranslateResponse(BaseModel):
    translatedText: str | list[str]  # noqa: N815 - LibreTranslate's field name
    detectedLanguage: DetectedLanguage | list[DetectedLanguage] | None = None  # noqa: N815


class DocumentRequest(BaseModel):
    """A whole document to translate for the page: its text, and its name or format."""

    text: str
    filename: str | None = Field(None, max_length=255, description="Gives the format by extension.")
    format: Literal["text", "markdown", "html", "jsonl", "tsv", "csv"] | None = None
    fields: list[str] = Field(default_factory=lambda: ["text"], max_length=50, description="JSONL fields.")
    columns: list[str] = Field(default_factory=lambda: ["text"], max_length=50, description="Table columns.")
    source: str = Field("auto", max_length=20)
    target: str | None = Field(None, max_length=20)


class BlockPair(BaseModel):
    id: str
    kind: str
    source: str = Field(description="The block's text as a reader sees it (markup dropped).")
    translation: str
    translated: bool = Field(
        description="False for blocks kept as they are (already in the target language, code, no letters)."
    )
    sentences: list[SentencePair]


class DocumentResponse(BaseModel):
    filename: str
    format: str
    source: str
    target: str
    detected: bool
    model: str | None
    output: str = Field(description="The translated document in its own format.")
    blocks: list[BlockPair]
    dropped_placeholders: list[str]
    stats: dict[str, Any]


class LanguageEntry(BaseModel):
    code: str
    name: str
    targets: list[str]


class DetectRequest(BaseModel):
    q: str
    api_key: str | None = Field(None, max_length=512)


class AlignRequest(BaseModel):
    """A Hindi article and its English version; each side plain text, Markdown or HTML."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "hi": "मॉस्को में बैठक\n\nजयशंकर ने लावरोव से मुलाकात की।",
                    "en": "Meeting in Moscow\n\nJaishankar met Lavrov.",
                    "output": "json",
                },
            ]
        }
    )

    hi: str
    en: str
    hi_format: Literal["text", "markdown", "html"] = "text"
    en_format: Literal["text", "markdown", "html"] = "text"
    presplit: bool = Field(
        False, description="One sentence a line, blank line between paragraphs, '# ' heading lines."
    )
    output: Literal["json", "jsonl", "tsv"] = "json"
    level: Literal["block", "sentence", "both"] = Field(
        "both", description="jsonl/tsv: block pairs, sentence beads, or each block pair then its beads."
    )


class AlignResponse(BaseModel):
    blocks: list[dict[str, Any]] = Field(
        description="Block pairs (headings with headings, paragraphs with paragraphs), as `translate-kit "
        "align --level block` writes them, each with `beads`: the indices of its sentence beads."
    )
    beads: list[dict[str, Any]] = Field(description="Sentence beads, as `translate-kit align` writes them.")
    hi_sentences: int
    en_sentences: int
    evidence: list[str]
    warnings: list[str] = Field(
        default_factory=list,
        description="What `translate-kit align` warns about: a side with no text or in the wrong script.",
    )


class EvaluateRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "hypotheses": ["Jaishankar met Lavrov in Moscow."],
                    "references": [["Jaishankar met Lavrov in Moscow on Monday."]],
                    "metrics": "bleu,chrf++",
                },
            ]
        }
    )

    hypotheses: list[str] = Field(min_length=1, description="One system output line per segment.")
    references: list[list[str]] = Field(
        min_length=1, max_length=10, description="One or more reference streams, line-aligned."
    )
    sources: list[str] | None = None
    lang: str | None = Field(None, max_length=20, description="Target language (default: detected).")
    metrics: str = Field(
        "bleu,chrf,chrf++", pattern=r"^\s*(bleu|chrf\+\+|chrf|ter)(\s*,\s*(bleu|chrf\+\+|chrf|ter))*\s*$"
    )
    preset: Literal["none", "nfc", "indictrans2"] = "none"
    confidence: int = Field(0, ge=0, le=2000, description="Bootstrap resamples for 95% intervals (0: none).")


class ErrorResponse(BaseModel):
    error: str
