"""M2M-100 (Meta): `facebook/m2m100_418M`, `_1.2B`, converted with ct2-transformers-converter.

The NLLB-200 conventions (translate_kit.families.nllb: one `sentencepiece.bpe.model`, source
language token + pieces + `</s>`, target language token as `target_prefix`, dropped from the
output, entities checked after decoding) with M2M-100's own language tokens, `__hi__` and `__en__`.
"""

from __future__ import annotations

from ..languages import ENGLISH, HINDI
from .nllb import NLLB

M2M100_CODES = {HINDI: "__hi__", ENGLISH: "__en__"}


class M2M100(NLLB):
    name = "m2m100"
    title = "M2M-100"
    max_positions = 1024

    @staticmethod
    def language_token(lang: str) -> str:
        return M2M100_CODES[lang]
