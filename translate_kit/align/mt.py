"""Machine-translation evidence: the Hindi side translated, compared with the English side.

The only alignment module that loads the engine (and so CTranslate2): it is imported when a
model is named, never otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..engine import FAST, Translator
from ..languages import ENGLISH, HINDI
from .features import LATIN_WORD, Bag, english_stem, normalize


class MTSource:
    """Machine translation of the Hindi side: its English word stems and character trigrams.

    Trigram overlap of translation and reference is what chrF measures; as bag features it
    enters the same cosine as the other evidence and is computed in bulk for the whole band.
    Greedy decoding (the engine's FAST preset) is enough for evidence and five times cheaper.
    """

    name = "mt"

    def __init__(self, translator: Translator, batch_size: int = 64):
        self.translator = translator
        self.batch_size = batch_size

    @classmethod
    def load(cls, model: str, device: str = "cpu") -> MTSource:
        """A source over the Hindi-to-English model `model` (a registry name or a folder)."""
        return cls(Translator.load(model, src=HINDI, tgt=ENGLISH, device=device))

    def hindi(self, sentences: Sequence[str]) -> list[Bag]:
        texts: list[str] = []
        for start in range(0, len(sentences), self.batch_size):
            batch = [normalize(s) for s in sentences[start : start + self.batch_size]]
            texts.extend(t.text for t in self.translator.translate(batch, FAST))
        return [_mt_bag(t) for t in texts]

    def english(self, sentences: Sequence[str]) -> list[Bag]:
        return [_mt_bag(normalize(s)) for s in sentences]


def _mt_bag(text: str) -> Bag:
    words = [w.lower() for w in LATIN_WORD.findall(text)]
    bag = Counter("w:" + english_stem(w) for w in words)
    for word in words:
        padded = f" {word} "
        bag.update("c:" + padded[k : k + 3] for k in range(len(padded) - 2))
    return bag
