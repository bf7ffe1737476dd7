"""IndicTrans2 (AI4Bharat): fairseq transformers converted with ct2-fairseq-converter.

- input: IndicTrans2's own preprocessing (translate_kit.indictrans: punctuation, digits, `<IDn>`
  placeholders, IndicNLP / Moses tokenisation), the source SentencePiece model `model.SRC`,
  then the two language tags (`hin_Deva eng_Latn`) prepended as tokens; the converted model
  appends `</s>` itself and starts decoding from `</s>`;
- output: pieces joined, placeholders restored, Moses / IndicNLP detokenised (target model `model.TGT`);
- trained with `<IDn>` placeholders: numbers, URLs, e-mails and glossary terms travel as them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..indictrans import postprocess, preprocess
from .base import Family, Prepared, Restored


class IndicTrans2(Family):
    name = "indictrans2"
    title = "IndicTrans2"
    placeholders = True
    max_positions = 256

    def prepare(
        self, sentence: str, src: str, tgt: str, glossary: Mapping[str, str] | None = None
    ) -> Prepared:
        return preprocess(sentence, src, tgt, glossary)

    overhead = 3  # two language tags and the `</s>` the converted model appends

    @property
    def model_appends_eos(self) -> bool:
        return True  # every IndicTrans2 CTranslate2 model is a fairseq conversion

    def source_tokens(self, pieces: Sequence[str], prepared: Prepared) -> list[str]:
        return [prepared.src, prepared.tgt, *pieces]

    def restore(self, decoded: str, prepared: Prepared) -> Restored:
        return postprocess(decoded, prepared)
