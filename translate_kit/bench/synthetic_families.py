"""Random-weight CTranslate2 models with the exact shape and layout of NLLB-200 and OPUS-MT models.

The companion of translate_kit.synthetic (IndicTrans2): the same random-weight recipe, laid out as
`ct2-transformers-converter` writes these families, so the benchmark compares the three families'
speed and memory through the same pipeline (their translations are noise). What each layout
follows (CTranslate2's transformers converter, `M2M100Loader` and `MarianMTLoader`):

- NLLB-200 (M2M-100 architecture): pre-norm with a final layer norm, ReLU, embeddings scaled by
  sqrt(d), fairseq sinusoidal positions from position 2 (1024 of them), one vocabulary for both
  sides and one embedding matrix shared by encoder, decoder and output projection; vocabulary
  `<s> <pad> </s> <unk>`, the pieces, then the language tokens and `<mask>` at the end; decoding
  starts from `</s>`; one `sentencepiece.bpe.model`.
- OPUS-MT (Marian): post-norm, no final layer norm, SiLU ("swish"), embeddings scaled by sqrt(d),
  Marian's sinusoidal positions from position 0 (512), shared vocabulary (`</s>` 0, `<unk>` 1,
  pieces; the `<pad>` that Transformers adds is dropped by the converter) and shared embedding
  matrix, an output bias (Marian's `final_logits_bias`), decoding from a zero embedding;
  `source.spm` and `target.spm`.

Shapes (`SHAPES`): `nllb-600M` is facebook/nllb-200-distilled-600M (12+12 layers, d 1024, ffn 4096,
16 heads, 256,206 tokens); `opus-mt` is Helsinki-NLP/opus-mt-hi-en / opus-mt-en-hi (6+6, d 512,
ffn 2048, 8 heads, 61,126 / 61,949 tokens after the converter drops `<pad>`, from their configs'
`pad_token_id` 61126 / 61949); `*-tiny` are the same layouts small enough for tests.
As in the IndicTrans2 synthetic models, the output bias keeps the random model from emitting
tokens a trained one never predicts (fillers, language tokens, `<unk>`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ctranslate2.specs import common_spec, transformer_spec

from ..languages import ENGLISH, HINDI
from .synthetic import (
    _RandomWeights,
    default_synthetic_path,
    sinusoidal_positions,
    spm_pieces,
    train_sentencepiece,
    training_lines,
    write_model_folder,
)

DIRECTIONS = {"indic-en": (HINDI, ENGLISH), "en-indic": (ENGLISH, HINDI)}


@dataclass(frozen=True)
class FamilyShape:
    """Hyper-parameters of one published model of a family (the vocabulary is shared by both sides)."""

    name: str
    family: str  # "nllb" or "marian"
    layers: tuple[int, int]
    d_model: int
    ffn: int
    heads: int
    vocab: dict[str, int]  # direction -> vocabulary size (NLLB: the same both ways)
    max_positions: int
    spm_pieces: int  # requested SentencePiece vocabulary (a soft limit)


_NLLB_VOCAB = 256_206
SHAPES = {
    shape.name: shape
    for shape in (
        FamilyShape("nllb-600M", "nllb", (12, 12), 1024, 4096, 16,
                    {"indic-en": _NLLB_VOCAB, "en-indic": _NLLB_VOCAB}, 1024, 16_000),
        FamilyShape("opus-mt", "marian", (6, 6), 512, 2048, 8,
                    {"indic-en": 61_126, "en-indic": 61_949}, 512, 16_000),
        FamilyShape("nllb-tiny", "nllb", (2, 2), 64, 128, 4,
                    {"indic-en": 2000, "en-indic": 2000}, 1024, 900),
        FamilyShape("opus-mt-tiny", "marian", (2, 2), 64, 128, 4,
                    {"indic-en": 1500, "en-indic": 1500}, 512, 600),
    )
}
NLLB_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")
NLLB_TAIL = (HINDI, ENGLISH, "<mask>")  # the real vocabulary ends with its 202 language tokens, then <mask>
MARIAN_SPECIALS = ("</s>", "<unk>")


def _vocabulary(head: Sequence[str], pieces: Iterable[str], tail: Sequence[str], size: int) -> list[str]:
    """`head`, the distinct pieces, `madeupwordNNNN` fillers, then `tail`: exactly `size` tokens."""
    tokens = list(dict.fromkeys((*head, *pieces)))
    for token in tail:
        if token in tokens:
            tokens.remove(token)
    room = size - len(tail)
    if len(tokens) > room:
        raise ValueError(f"{len(tokens) + len(tail)} tokens do not fit a vocabulary of {size}")
    seen = set(tokens)
    fillers = (f"madeupword{i:05d}" for i in range(size))
    tokens += [name for name in fillers if name not in seen][: room - len(tokens)]
    return tokens + list(tail)


def marian_positions(length: int, dim: int) -> np.ndarray:
    """Marian's sinusoidal table from position 0: sines of the even dimensions in the first half,
    cosines of the odd ones in the second (what Transformers' MarianSinusoidalPositionalEmbedding holds)."""
    positions = np.arange(length, dtype=np.float64)[:, None]
    rates = np.power(10000.0, 2 * (np.arange(dim) // 2) / dim)[None, :]
    angles = positions / rates
    return np.concatenate([np.sin(angles[:, 0::2]), np.cos(angles[:, 1::2])], axis=1).astype(np.float32)


def _never_bias(vocab: Sequence[str], never: set[str]) -> np.ndarray:
    values = [-1e4 if token in never or token.startswith("madeupword") else 0.0 for token in vocab]
    return np.array(values, dtype=np.float32)


def build_spec(shape: FamilyShape, vocab: list[str], seed: int = 0):
    """A validated TransformerSpec of `shape` with random weights and one shared vocabulary."""
    nllb = shape.family == "nllb"
    spec = transformer_spec.TransformerSpec.from_config(
        shape.layers, shape.heads, pre_norm=nllb,
        activation=common_spec.Activation.RELU if nllb else common_spec.Activation.SWISH,
    )
    weights = _RandomWeights(shape.d_model, seed)
    shared = weights.matrix(len(vocab), shape.d_model)  # one matrix: aliased once in model.bin
    positions = (sinusoidal_positions(shape.max_positions, shape.d_model) if nllb
                 else marian_positions(shape.max_positions, shape.d_model))
    sides = ((spec.encoder, spec.encoder.embeddings[0]), (spec.decoder, spec.decoder.embeddings))
    for side, embeddings in sides:
        embeddings.weight = shared
        side.scale_embeddings = True
        side.position_encodings.encodings = positions
        if nllb:
            weights.layer_norm(side.layer_norm)
    weights.encoder_layers(spec.encoder, shape.ffn)
    weights.decoder_layers(spec.decoder, shape.ffn)
    spec.decoder.projection.weight = shared
    never = {"<s>", "<pad>", "<unk>", "<mask>", HINDI, ENGLISH} if nllb else {"<unk>"}
    spec.decoder.projection.bias = _never_bias(vocab, never)
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.config.decoder_start_token = "</s>"
    spec.config.add_source_eos = False
    if not nllb:
        spec.decoder.start_from_zero_embedding = True
    return spec


def build_family_model(
    output_dir: str | os.PathLike[str],
    shape: str | FamilyShape,
    direction: str,
    source_lines: Sequence[str],
    target_lines: Sequence[str],
    *,
    seed: int = 0,
    quantization: str | None = "int8",
) -> Path:
    """Write a random-weight model folder in the layout ct2-transformers-converter writes for the
    shape's family (with its SentencePiece files copied in) and return its path. Assembled beside
    `output_dir` and renamed into place; an existing `output_dir` is replaced."""
    shape = SHAPES[shape] if isinstance(shape, str) else shape
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}: use one of {', '.join(DIRECTIONS)}")
    src, tgt = DIRECTIONS[direction]
    size = shape.vocab[direction]
    if shape.family == "nllb":
        model = train_sentencepiece([*source_lines, *target_lines], shape.spm_pieces)
        spm_files = {"sentencepiece.bpe.model": model}
        vocab = _vocabulary(NLLB_SPECIALS, spm_pieces(model), NLLB_TAIL, size)
    else:
        spm_files = {"source.spm": train_sentencepiece(source_lines, shape.spm_pieces),
                     "target.spm": train_sentencepiece(target_lines, shape.spm_pieces)}
        pieces = [p for data in spm_files.values() for p in spm_pieces(data)]
        vocab = _vocabulary(MARIAN_SPECIALS, pieces, (), size)
    spec = build_spec(shape, vocab, seed)
    spec.validate()
    spec.optimize(quantization=quantization)
    meta = {"src": src, "tgt": tgt, "family": shape.family, "synthetic": True, "shape": shape.name,
            "seed": seed, "quantization": quantization}
    return write_model_folder(Path(output_dir), spec, spm_files, meta)


def ensure_family_model(shape: str, direction: str, data_dir: str | os.PathLike[str]) -> Path:
    """The synthetic model of that shape and direction under $TRANSLATE_KIT_HOME/synthetic/, built on
    first use from data_dir's *.hi / *.en lines (NLLB-600M takes a few minutes, then it is reused)."""
    path = default_synthetic_path(shape, direction)
    if (path / "translate_kit.json").is_file():
        return path
    return build_family_model(path, shape, direction, *training_lines(data_dir, direction))
