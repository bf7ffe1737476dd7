"""The registry of known models: names, shapes, where to download them.

IndicTrans2's CTranslate2 archives are downloaded as they are; NLLB-200 and OPUS-MT are Hugging Face
checkpoints that `translate-kit models fetch` downloads and converts (translate_kit.models.convert).
Sizes and checksums stay None where the publisher gives none: nothing here is made up.
"""

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
    """A registry entry: a published model and where to get it (CTranslate2 archives, or the Hub
    repository of a checkpoint to convert). A multilingual model's src/tgt is its default direction."""

    name: str
    src: str
    tgt: str
    variant: str
    shape: ModelShape
    archives: tuple[Archive, ...]
    family: str = "indictrans2"
    hub_repo: str | None = None
    checkpoint_size: int | None = None  # bytes of the checkpoint to download, where known

    @property
    def source(self) -> str:
        """Where the model comes from, as `models list` shows it."""
        return f"convert {self.hub_repo}" if self.hub_repo else self.archives[0].url

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


def _hub(repo: str, family: str, variant: str, direction: tuple[str, str], dims: tuple[int, ...]
         ) -> KnownModel:
    """A Hub checkpoint; dims are (layers, d_model, ffn, heads, shared vocabulary)."""
    layers, d_model, ffn, heads, vocab = dims
    shape = ModelShape(layers, d_model, ffn, heads, vocab, vocab)
    return KnownModel(repo.split("/")[1], *direction, variant, shape, (), family, repo)


# Shapes from the checkpoints' config.json; OPUS-MT vocabularies as CTranslate2 holds them (the
# Transformers `<pad>` dropped: 61,127 -> 61,126 for hi-en, 61,950 -> 61,949 for en-hi).
_HUB_MODELS = (
    _hub("facebook/nllb-200-distilled-600M", "nllb", "600M", (HINDI, ENGLISH), (12, 1024, 4096, 16, 256_206)),
    _hub("facebook/nllb-200-distilled-1.3B", "nllb", "1.3B", (HINDI, ENGLISH), (24, 1024, 8192, 16, 256_206)),
    _hub("Helsinki-NLP/opus-mt-hi-en", "marian", "base", (HINDI, ENGLISH), (6, 512, 2048, 8, 61_126)),
    _hub("Helsinki-NLP/opus-mt-en-hi", "marian", "base", (ENGLISH, HINDI), (6, 512, 2048, 8, 61_949)),
)

REGISTRY: dict[str, KnownModel] = {
    entry.name: entry
    for entry in (
        *(_known(d, v) for d in ("indic-en", "en-indic") for v in ("dist-200M", "1B")),
        *_HUB_MODELS,
    )
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
