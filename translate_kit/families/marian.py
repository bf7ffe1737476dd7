"""OPUS-MT (Helsinki-NLP, Marian): `opus-mt-hi-en`, `opus-mt-en-hi`.

Converted with ct2-transformers-converter (`--copy_files source.spm target.spm`) or with
ct2-marian-converter from Marian's own npz (which sets `add_source_eos`).

- input: the text as written (control characters removed, whitespace collapsed), the source
  SentencePiece model `source.spm`, then `</s>` (unless the converted model appends it itself);
  no language tokens: one model per direction;
- output: decoding starts from the model's start token (a zero embedding), pieces from the
  target vocabulary (`target.spm`) joined;
- not trained with placeholders: numbers, URLs, e-mails and glossary terms stay in the text and
  are checked (and restored where only reformatted) after decoding.
"""

from __future__ import annotations

from collections.abc import Sequence

from .base import CheckedFamily, Prepared


class Marian(CheckedFamily):
    name = "marian"
    title = "OPUS-MT (Marian)"
    max_positions = 512
    spm_files = ("source.spm", "target.spm")

    overhead = 1  # `</s>`

    def source_tokens(self, pieces: Sequence[str], prepared: Prepared) -> list[str]:
        return [*pieces] if self.model_appends_eos else [*pieces, "</s>"]
