"""NLLB-200 (Meta): `facebook/nllb-200-distilled-600M`, `-1.3B`, converted with ct2-transformers-converter.

- input: the text as written (control characters removed, whitespace collapsed), one shared
  SentencePiece model (`sentencepiece.bpe.model`, copied beside model.bin by `--copy_files`),
  then `[source language token] + pieces + ["</s>"]`, the language tokens being FLORES-200 codes
  (`hin_Deva`, `eng_Latn`: the codes translate-kit uses everywhere);
- decoding starts from `</s>` (the converted config) with `target_prefix=[[target language token]]`;
  the engine drops that forced token from the output; the pieces are joined;
- not trained with placeholders: numbers, URLs, e-mails and glossary terms stay in the text and
  are checked (and restored where only reformatted) after decoding.
"""

from __future__ import annotations

from collections.abc import Sequence

from .base import CheckedFamily, Prepared


class NLLB(CheckedFamily):
    name = "nllb"
    title = "NLLB-200"
    max_positions = 1024
    spm_file = "sentencepiece.bpe.model"

    @staticmethod
    def language_token(lang: str) -> str:
        """The model's token for a translate-kit language code (FLORES-200 codes are used as is)."""
        return lang

    overhead = 2  # source language token and `</s>`

    def source_tokens(self, pieces: Sequence[str], prepared: Prepared) -> list[str]:
        eos = [] if self.model_appends_eos else ["</s>"]
        return [self.language_token(prepared.src), *pieces, *eos]

    def target_prefix(self, prepared: Prepared) -> list[str] | None:
        return [self.language_token(prepared.tgt)]
