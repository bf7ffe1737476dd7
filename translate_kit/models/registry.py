"""The registry of official IndicTrans2 CTranslate2 models: names, shapes, where to download them."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from ..languages import ENGLISH, HINDI, normalize_lang


@dataclass(frozen=True)
class Archive:
    """One published archive of a model; size/sha256 are None where AI4Bharat publishes none."""

    url: str
    size: int | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class ModelShape:
    """Transformer shape as IndicTrans2 published it (same layer count on both sides)."""

    layers: int
    d_model: int
    ffn: int
    heads: int
    source_vocab: int
    target_vocab: int


@dataclass(frozen=True)
class KnownModel:
    """A registry entry: an official IndicTrans2 CTranslate2 model and where to get it."""

    name: str
    src: str
    tgt: str
    variant: str
    shape: ModelShape
    archives: tuple[Archive, ...]

    @property
    def direction(self) -> str:
        return "indic-en" if self.src == HINDI else "en-indic"


_BPCC = "https://huggingface.co/datasets/ai4bharat/BPCC/resolve/main/additional"
_MIRROR = "https://indictrans2-public.objectstore.e2enetworks.net"
_DIST = {"layers": 18, "d_model": 512, "ffn": 2048, "heads": 8}
_BASE = {"layers": 18, "d_model": 1024, "ffn": 8192, "heads": 16}
_VOCAB = {"indic-en": (122706, 32296), "en-indic": (32322, 122672)}


def _known(direction: str, variant: str) -> KnownModel:
    """Entry for one direction and size. Archive sizes and checksums are not published by
    AI4Bharat, so they stay None: an archive is then checked by unpacking and validating it,
    and the sha256 it had is recorded in the installed model's translate_kit.json."""
    src, tgt = (HINDI, ENGLISH) if direction == "indic-en" else (ENGLISH, HINDI)
    dims = _DIST if variant == "dist-200M" else _BASE
    shape = ModelShape(**dims, source_vocab=_VOCAB[direction][0], target_vocab=_VOCAB[direction][1])
    if variant == "dist-200M":
        urls = (f"{_BPCC}/{direction}-dist.tar.gz", f"{_MIRROR}/it2_distilled_ckpts/{direction}.zip")
    else:
        urls = (
            f"{_BPCC}/{direction}-preprint.tar.gz",
            f"{_MIRROR}/it2_preprint_ckpts/{direction}-preprint.zip",
        )
    name = f"indictrans2-{direction}-{variant}"
    return KnownModel(name, src, tgt, variant, shape, tuple(Archive(url) for url in urls))


REGISTRY: dict[str, KnownModel] = {
    entry.name: entry
    for entry in (_known(d, v) for d in ("indic-en", "en-indic") for v in ("dist-200M", "1B"))
}


def default_model_name(src: str, tgt: str) -> str:
    """The distilled model for the direction: what IndicTrans2 recommends for CPU inference."""
    src, tgt = checked_lang(src), checked_lang(tgt)
    if src == tgt:
        raise InputError(f"source and target language are both {src}")
    return "indictrans2-indic-en-dist-200M" if src == HINDI else "indictrans2-en-indic-dist-200M"


def checked_lang(code: str) -> str:
    """`normalize_lang` for user input: an unsupported code is an InputError (a one-line message)."""
    try:
        return normalize_lang(code)
    except ValueError as exc:
        raise InputError(str(exc)) from None
