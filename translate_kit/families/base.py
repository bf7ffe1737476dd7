"""What every model family states: how a sentence becomes model input and how output becomes text.

A family binds one model folder's SentencePiece model(s) to the conventions the model was trained
with. The engine only moves token sequences: it asks the family to `prepare` each sentence (text
normalisation, placeholders or protected entities, glossary), to `encode` it into one or more
complete source sequences (language tokens and `</s>` included) that fit the model, for the
`target_prefix` the decoder must start from, and to `finish` the decoded pieces of a sentence's
chunks into final text, reporting the numbers, URLs and glossary terms the model lost.

Families trained with `<IDn>` placeholders (IndicTrans2) hide such entities from the model and put
them back; the others (NLLB-200, M2M-100, OPUS-MT) never saw a placeholder, so the entities stay
in the text and are checked, and restored where the model only reformatted them, after decoding
(translate_kit.families.entities). Either way a lost value is reported in `Restored.dropped`.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from ..indictrans import Prepared, Restored
from ..spm import SubwordCodec

# Prepared: `text` is what SentencePiece encodes; `placeholders` maps each `<IDn>` to its value
# (families trained with placeholders); `expected` lists the strings the translation must contain
# (the other families: numbers, URLs, e-mails and glossary targets left in the text).
# Restored: the final text and the values the model's output lost.
__all__ = ["CheckedFamily", "Family", "FamilyFiles", "Prepared", "Restored"]


@dataclass(frozen=True)
class FamilyFiles:
    """The SentencePiece model(s) a family needs (one file may serve both sides) and config.json."""

    source_spm: Path
    target_spm: Path
    config: dict = field(default_factory=dict)  # the CTranslate2 config.json

    @property
    def model_adds_eos(self) -> bool:
        """True when CTranslate2 appends `</s>` to the source itself (fairseq and Marian converters)."""
        return bool(self.config.get("add_source_eos"))


class Family(ABC):
    """The text <-> tokens conventions of one model family, bound to a model's SentencePiece files.

    `max_positions` is what the model's position table holds; chunks and decoding stay within
    the engine's own limit as well (256), so every family is cut the same way.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    placeholders: ClassVar[bool]
    max_positions: ClassVar[int]
    overhead: ClassVar[int]  # source positions taken by other tokens than pieces (language tokens, `</s>`)

    def __init__(self, files: FamilyFiles):
        self.files = files
        self.codec = SubwordCodec(files.source_spm, files.target_spm)

    @abstractmethod
    def prepare(
        self, sentence: str, src: str, tgt: str, glossary: Mapping[str, str] | None = None
    ) -> Prepared:
        """Normalise one sentence for this family translating `src` into `tgt`."""

    @abstractmethod
    def source_tokens(self, pieces: Sequence[str], prepared: Prepared) -> list[str]:
        """One chunk of SentencePiece pieces as the complete source sequence the model reads."""

    @property
    def model_appends_eos(self) -> bool:
        """True when CTranslate2 appends `</s>` itself (config `add_source_eos`), so the family must not."""
        return self.files.model_adds_eos

    @property
    def extra_tokens(self) -> int:
        """Tokens other than pieces in each sequence `encode` returns."""
        return self.overhead - (1 if self.model_appends_eos else 0)

    def target_prefix(self, prepared: Prepared) -> list[str] | None:
        """Tokens the decoder is forced to start with (None: the model's own start token only)."""
        return None

    @abstractmethod
    def restore(self, decoded: str, prepared: Prepared) -> Restored:
        """Decoded text (pieces joined) into the final translation, with what was lost."""

    def encode(self, prepared: Prepared, limit: int) -> list[list[str]]:
        """Complete source sequences for a prepared sentence, cut so that each holds at most
        `limit` positions (language tokens and `</s>` included); none for an empty sentence."""
        room = min(limit, self.max_positions) - self.overhead
        return [self.source_tokens(chunk, prepared) for chunk in self.codec.encode(prepared.text, room)]

    def finish(self, hypotheses: Sequence[Sequence[str]], prepared: Prepared) -> Restored:
        """The decoded chunks of one sentence (after any target prefix), joined and restored."""
        texts = (self.codec.decode(pieces) for pieces in hypotheses)
        return self.restore(" ".join(filter(None, texts)), prepared)

    def describe(self) -> dict[str, object]:
        """What `models info` shows about the family."""
        spm = dict.fromkeys(map(os.fspath, (self.files.source_spm, self.files.target_spm)))
        return {
            "family": f"{self.title} ({self.name})",
            "placeholders": "<IDn> (trained with them)" if self.placeholders
            else "none: numbers, URLs and glossary terms checked after decoding",
            "sentencepiece": ", ".join(spm),
        }


class CheckedFamily(Family):
    """A family trained without placeholders: the text goes in as written, and numbers, URLs,
    e-mails and glossary targets are checked after decoding (translate_kit.families.entities)."""

    placeholders = False

    def prepare(
        self, sentence: str, src: str, tgt: str, glossary: Mapping[str, str] | None = None
    ) -> Prepared:
        from .entities import apply_glossary, find_entities, normalize_text

        text, terms = apply_glossary(normalize_text(sentence), glossary)
        return Prepared(src=src, tgt=tgt, text=text, expected=(*terms, *find_entities(text)))

    def restore(self, decoded: str, prepared: Prepared) -> Restored:
        from .entities import check_expected

        text, dropped = check_expected(decoded, prepared.expected)
        return Restored(text=text, dropped=dropped)
