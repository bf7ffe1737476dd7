"""Model families: how text becomes model input and how output becomes text, per family.

`recognise(folder)` tells a CTranslate2 model folder's family from its files (config.json,
vocabulary, SentencePiece models), never by guessing: a folder that matches no family, or more
than one, is a one-line ModelError naming what was found and what each family needs
(`translate_kit.json` may name the family to settle a tie; its files are still checked).

| family | SentencePiece | source | decoder | placeholders |
|---|---|---|---|---|
| indictrans2 | `model.SRC`, `model.TGT` | `src tgt` + pieces (model adds `</s>`) | from `</s>` | `<IDn>` |
| nllb | `sentencepiece.bpe.model` | `hin_Deva` + pieces + `</s>` | prefix `eng_Latn` | checked |
| m2m100 | `sentencepiece.bpe.model` | `__hi__` + pieces + `</s>` | prefix `__en__` | checked |
| marian | `source.spm`, `target.spm` | pieces + `</s>` | from the model's start | checked |
"""

from __future__ import annotations

from .base import CheckedFamily, Family, FamilyFiles, Prepared, Restored
from .detect import FAMILIES, Recognised, family_direction, recognise
from .indictrans2 import IndicTrans2
from .m2m100 import M2M100
from .marian import Marian
from .nllb import NLLB

__all__ = [
    "FAMILIES", "CheckedFamily", "Family", "FamilyFiles", "IndicTrans2", "M2M100", "Marian", "NLLB",
    "Prepared", "Recognised", "Restored", "family_direction", "recognise",
]
