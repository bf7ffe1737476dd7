"""Random-weight CTranslate2 models with the exact shape and layout of IndicTrans2 models.

No model weights can be downloaded in tests or on a benchmark machine without network, yet the
engine, the CLI and the benchmarks need a real model folder. A model with random weights and the
exact shape of a published IndicTrans2 model measures speed and memory honestly when decode
lengths are pinned (its translations are noise). The folder is the one `ct2-fairseq-converter`
writes for IndicTrans2, so everything downstream runs unchanged on the real models:

- `model.bin`, `config.json` (fairseq conventions: `</s>` appended to the source, decoding starts
  from `</s>`), `source_vocabulary.json`, `target_vocabulary.json`;
- the fairseq dictionary order: `<s>` 0, `<blank>` 1 (fairseq's `<pad>`, renamed by the
  converter), `</s>` 2, `<unk>` 3, the language tags, the SentencePiece pieces, then
  `madeupwordNNNN` fillers up to the exact vocabulary size (fairseq pads dictionaries the same way);
- `vocab/model.SRC`, `vocab/model.TGT`: real SentencePiece models trained on real lines;
- `translate_kit.json`: the direction, `"synthetic": true` and the shape name.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sentencepiece as spm
from ctranslate2.specs import common_spec, transformer_spec

from ..languages import ENGLISH, HINDI
from ..paths import synthetic_dir

SPECIAL_TOKENS = ("<s>", "<blank>", "</s>", "<unk>")
LANGUAGE_TAGS = (HINDI, ENGLISH)
DIRECTIONS = {"indic-en": (HINDI, ENGLISH), "en-indic": (ENGLISH, HINDI)}
MAX_POSITIONS = 256


@dataclass(frozen=True)
class Shape:
    """Hyper-parameters of a fairseq transformer as IndicTrans2 configures it."""

    name: str
    encoder_layers: int
    decoder_layers: int
    d_model: int
    ffn: int
    heads: int
    layernorm_embedding: bool
    vocab_sizes: dict[str, tuple[int, int]]  # direction -> (source, target)
    spm_pieces: int  # requested SentencePiece vocabulary (a soft limit: small corpora give fewer)


SHAPES = {
    "tiny": Shape("tiny", 2, 2, 64, 128, 4, True, {"indic-en": (1200, 1000), "en-indic": (1000, 1200)}, 900),
    "dist-200M": Shape(
        "dist-200M", 18, 18, 512, 2048, 8, True,
        {"indic-en": (122_706, 32_296), "en-indic": (32_322, 122_672)}, 16_000,
    ),
    "1B": Shape(
        "1B", 18, 18, 1024, 8192, 16, False,
        {"indic-en": (122_706, 32_296), "en-indic": (32_322, 122_672)}, 16_000,
    ),
}


def train_sentencepiece(lines: Iterable[str], vocab_size: int, num_threads: int = 1) -> bytes:
    """Train a unigram SentencePiece model in memory and return its serialised bytes.

    `hard_vocab_limit=False` lets a small corpus yield fewer pieces than asked instead of failing;
    full character coverage keeps every Devanagari sign (matras, nukta) representable.
    """
    sentences = [line.strip() for line in lines if line.strip()]
    if not sentences:
        raise ValueError("cannot train SentencePiece on an empty corpus")
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=model,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        model_type="unigram",
        num_threads=num_threads,
        minloglevel=2,
    )
    return model.getvalue()


def spm_pieces(model: bytes) -> list[str]:
    """The ordinary pieces of a SentencePiece model (control and unknown symbols left out)."""
    processor = spm.SentencePieceProcessor(model_proto=model)
    return [
        processor.id_to_piece(i)
        for i in range(processor.get_piece_size())
        if not (processor.is_control(i) or processor.is_unknown(i))
    ]


def build_vocabulary(pieces: Sequence[str], size: int, tags: Sequence[str] = ()) -> list[str]:
    """Special tokens, tags and pieces in fairseq dictionary order, padded with fillers to `size`."""
    tokens = list(SPECIAL_TOKENS)
    seen = set(tokens)
    for token in (*tags, *pieces):
        if token not in seen:
            seen.add(token)
            tokens.append(token)
    if len(tokens) > size:
        raise ValueError(f"{len(tokens)} tokens do not fit a vocabulary of {size}")
    filler = 0
    while len(tokens) < size:
        name = f"madeupword{filler:04d}"
        filler += 1
        if name not in seen:
            tokens.append(name)
    return tokens


def sinusoidal_positions(length: int, dim: int, padding_idx: int = 1) -> np.ndarray:
    """fairseq's sinusoidal table (sin half, cos half) for positions padding_idx+1 onward.

    fairseq numbers the first real token `padding_idx + 1`; the converter drops the rows before it,
    so row 0 here is what the first token sees.
    """
    half = dim // 2
    freqs = np.exp(np.arange(half, dtype=np.float32) * -(math.log(10000.0) / (half - 1)))
    positions = np.arange(padding_idx + 1, padding_idx + 1 + length, dtype=np.float32)[:, None]
    angles = positions * freqs[None, :]
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1).astype(np.float32)


class _RandomWeights:
    """Fills a spec with random weights scaled like a trained transformer (unit-ish activations)."""

    def __init__(self, d_model: int, seed: int):
        self.d_model = d_model
        self.rng = np.random.default_rng(seed)

    def matrix(self, rows: int, cols: int) -> np.ndarray:
        weight = self.rng.standard_normal((rows, cols), dtype=np.float32)
        weight *= 1.0 / math.sqrt(cols)
        return weight

    def linear(self, spec: common_spec.LinearSpec, out_dim: int, in_dim: int, bias: bool = True) -> None:
        spec.weight = self.matrix(out_dim, in_dim)
        if bias:
            spec.bias = np.zeros(out_dim, dtype=np.float32)

    def layer_norm(self, spec: common_spec.LayerNormSpec) -> None:
        spec.gamma = np.ones(self.d_model, dtype=np.float32)
        spec.beta = np.zeros(self.d_model, dtype=np.float32)

    def attention(self, spec, self_attention: bool) -> None:
        d = self.d_model
        self.layer_norm(spec.layer_norm)
        if self_attention:
            self.linear(spec.linear[0], 3 * d, d)
        else:
            self.linear(spec.linear[0], d, d)
            self.linear(spec.linear[1], 2 * d, d)
        self.linear(spec.linear[-1], d, d)

    def ffn(self, spec, ffn_dim: int) -> None:
        self.layer_norm(spec.layer_norm)
        self.linear(spec.linear_0, ffn_dim, self.d_model)
        self.linear(spec.linear_1, self.d_model, ffn_dim)

    def encoder_layers(self, encoder, ffn_dim: int) -> None:
        for layer in encoder.layer:
            self.attention(layer.self_attention, self_attention=True)
            self.ffn(layer.ffn, ffn_dim)

    def decoder_layers(self, decoder, ffn_dim: int) -> None:
        for layer in decoder.layer:
            self.attention(layer.self_attention, self_attention=True)
            self.attention(layer.attention, self_attention=False)
            self.ffn(layer.ffn, ffn_dim)

    def stack_inputs(self, spec, embeddings, vocab_size: int) -> None:
        embeddings.weight = self.matrix(vocab_size, self.d_model)
        spec.scale_embeddings = True  # fairseq multiplies embeddings by sqrt(d_model)
        spec.position_encodings.encodings = sinusoidal_positions(MAX_POSITIONS, self.d_model)
        self.layer_norm(spec.layer_norm)
        if hasattr(spec, "layernorm_embedding"):
            self.layer_norm(spec.layernorm_embedding)


def _unreachable_tokens_bias(target_vocab: Sequence[str]) -> np.ndarray:
    """An output bias that keeps the random model from emitting what a trained one never does.

    A trained IndicTrans2 model never predicts `<s>`, `<blank>`, `<unk>` or the dictionary fillers;
    a random one would, and its output would then be full of "madeupword0042". (fairseq's output
    projection has no bias; this one vector is the only departure from the real shape.)
    """
    never = {"<s>", "<blank>", "<unk>"}
    return np.array(
        [-1e4 if token in never or token.startswith("madeupword") else 0.0 for token in target_vocab],
        dtype=np.float32,
    )


def build_spec(shape: Shape, source_vocab: list[str], target_vocab: list[str], seed: int = 0):
    """A validated TransformerSpec of `shape` with random weights and the two vocabularies."""
    spec = transformer_spec.TransformerSpec.from_config(
        (shape.encoder_layers, shape.decoder_layers),
        shape.heads,
        pre_norm=True,
        activation=common_spec.Activation.GELU,
        layernorm_embedding=shape.layernorm_embedding,
    )
    weights = _RandomWeights(shape.d_model, seed)
    weights.stack_inputs(spec.encoder, spec.encoder.embeddings[0], len(source_vocab))
    weights.encoder_layers(spec.encoder, shape.ffn)
    weights.stack_inputs(spec.decoder, spec.decoder.embeddings, len(target_vocab))
    weights.decoder_layers(spec.decoder, shape.ffn)
    weights.linear(spec.decoder.projection, len(target_vocab), shape.d_model, bias=False)
    spec.decoder.projection.bias = _unreachable_tokens_bias(target_vocab)
    spec.register_source_vocabulary(source_vocab)
    spec.register_target_vocabulary(target_vocab)
    # What ct2-fairseq-converter sets for fairseq translation models.
    spec.config.decoder_start_token = "</s>"
    spec.config.add_source_eos = True
    return spec


def build_synthetic_model(
    output_dir: str | os.PathLike[str],
    shape: str | Shape,
    direction: str,
    source_lines: Iterable[str],
    target_lines: Iterable[str],
    *,
    seed: int = 0,
    quantization: str | None = "int8",
) -> Path:
    """Write a random-weight model folder in the official IndicTrans2 CT2 layout and return its path.

    The folder is assembled beside `output_dir` and renamed into place, so an interrupted build never
    leaves a folder that looks like a complete model. An existing `output_dir` is replaced.
    """
    shape = SHAPES[shape] if isinstance(shape, str) else shape
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}: use one of {', '.join(DIRECTIONS)}")
    src, tgt = DIRECTIONS[direction]
    source_size, target_size = shape.vocab_sizes[direction]
    spm_src = train_sentencepiece(source_lines, shape.spm_pieces)
    spm_tgt = train_sentencepiece(target_lines, shape.spm_pieces)
    source_vocab = build_vocabulary(spm_pieces(spm_src), source_size, LANGUAGE_TAGS)
    target_vocab = build_vocabulary(spm_pieces(spm_tgt), target_size)
    spec = build_spec(shape, source_vocab, target_vocab, seed)
    spec.validate()
    spec.optimize(quantization=quantization)

    meta = {"src": src, "tgt": tgt, "synthetic": True, "shape": shape.name, "seed": seed,
            "quantization": quantization}
    files = {"vocab/model.SRC": spm_src, "vocab/model.TGT": spm_tgt}
    return write_model_folder(Path(output_dir), spec, files, meta)


def write_model_folder(target: Path, spec, files: dict[str, bytes], meta: dict) -> Path:
    """Save `spec` with `files` (relative path -> bytes) and `meta` as translate_kit.json into a
    folder assembled beside `target` and renamed into place, so an interrupted build never leaves a
    folder that looks like a complete model; an existing `target` is replaced."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        staging.chmod(0o755)
        spec.save(str(staging))
        for name, data in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(data)
        (staging / "translate_kit.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def default_synthetic_path(shape: str, direction: str) -> Path:
    """Where benchmarks keep a synthetic model: $TRANSLATE_KIT_HOME/synthetic/<direction>-<shape>."""
    return synthetic_dir() / f"{direction}-{shape}"


def ensure_synthetic_model(shape: str, direction: str, data_dir: str | os.PathLike[str]) -> Path:
    """The synthetic model of that shape and direction, built on first use from data_dir's *.hi / *.en.

    Benchmarks call this so that a fresh machine needs no manual build step; building the
    dist-200M shape takes about a minute, after which the folder is reused.
    """
    path = default_synthetic_path(shape, direction)
    if (path / "translate_kit.json").is_file():
        return path
    return build_synthetic_model(path, shape, direction, *training_lines(data_dir, direction))


def training_lines(data_dir: str | os.PathLike[str], direction: str) -> tuple[list[str], list[str]]:
    """(source lines, target lines) of the direction from data_dir's *.hi and *.en files: the text
    SentencePiece models of synthetic models are trained on."""
    from ..textio import read_lines

    data = Path(data_dir)
    hindi = [line for file in sorted(data.glob("*.hi")) for line in read_lines(file)]
    english = [line for file in sorted(data.glob("*.en")) for line in read_lines(file)]
    if not hindi or not english:
        raise FileNotFoundError(f"no *.hi / *.en lines in {data} to train SentencePiece on")
    return (hindi, english) if direction == "indic-en" else (english, hindi)
