"""Can I trust this translation? Flags on one translated sentence, from the pair judge's signals.

A model that drops a number, stops half-way, loops on a phrase or returns its input untranslated
still returns a fluent-looking string; `TranslationChecker.check(source, translation)` compares the
two and returns the flags (FLAGS) it finds and a confidence in 0-1:

| flag | when |
|---|---|
| untranslated | the translation is the source, or still in the source's script |
| wrong_language | the target's script, but another language (py3langid), or a third script |
| number_lost | a number of the source (digits of either script, lakh/crore, number words) is missing |
| number_added | the translation has a number the source does not |
| truncated | too short for a translation of the source (the learned length model), or short and cut off |
| repeated | a phrase of 2+ words repeated back to back, or a word 3+ times, unlike the source |

The confidence is the judge's score of the pair without word evidence (so checking translations
loads no lexicon, numpy or scipy), halved for each flag. The thresholds were set on corrupted
references of the tune half of newsdev2014 and TICO-19 (eval/clean_corpus.py, flags table).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..languages import ENGLISH, HINDI, normalize_lang
from .judge import Judge
from .langid import language_of
from .lengths import length_z
from .signals import Side, unmatched_numbers

FLAGS = ("untranslated", "wrong_language", "number_lost", "number_added", "truncated", "repeated")
#: |z| of the length model beyond which a translation is called truncated on length alone, and
#: from which it is when it also stops before the source's final punctuation.
TRUNCATED_Z = 3.0
CUT_OFF_Z = 1.5


@dataclass(frozen=True)
class TranslationCheck:
    """Flags (FLAGS, in that order) on one translated sentence and the confidence in it."""

    flags: tuple[str, ...] = ()
    confidence: float = 1.0


class TranslationChecker:
    """Checks translations from `src` to `tgt` (language codes, hi/en or FLORES)."""

    def __init__(self, src: str, tgt: str):
        self.src, self.tgt = normalize_lang(src), normalize_lang(tgt)
        self.judge = Judge(evidence=None)

    def check(self, source: str, translation: str) -> TranslationCheck:
        """The flags on `translation` of `source` and the confidence in it."""
        src, out = Side.of(source), Side.of(translation)
        if not src.letters and not src.numbers:
            return TranslationCheck()
        flags = []
        if self._untranslated(src, out):
            flags.append("untranslated")
        elif self._wrong_language(out):
            flags.append("wrong_language")
        if unmatched_numbers(src, out):
            flags.append("number_lost")
        if unmatched_numbers(out, src):
            flags.append("number_added")
        if "untranslated" not in flags and self._truncated(src, out):
            flags.append("truncated")
        copies, size = out.repetition
        if (copies >= 3 or (copies >= 2 and size >= 2)) and src.repetition < (copies, size):
            flags.append("repeated")
        hi, en = (source, translation) if self.src == HINDI else (translation, source)
        confidence = self.judge.judge(hi, en).score * 0.5 ** len(flags)
        return TranslationCheck(tuple(flags), round(confidence, 4))

    def _untranslated(self, src: Side, out: Side) -> bool:
        if out.text.casefold() == src.text.casefold():
            return True
        if self.tgt == ENGLISH:
            return out.devanagari >= 0.3
        return bool(src.latin) and out.letters > 0 and out.devanagari == 0 and out.latin > 0.5

    def _wrong_language(self, out: Side) -> bool:
        if not out.letters:
            return False
        script = out.latin if self.tgt == ENGLISH else out.devanagari
        if script < 0.5:
            return True  # a third script (Urdu, Bengali, ...)
        return language_of(out.text, out.tokens, self.tgt) is not None

    def _truncated(self, src: Side, out: Side) -> bool:
        hi, en = (src, out) if self.src == HINDI else (out, src)
        z = length_z((len(hi.text), len(en.text)), (len(hi.tokens), len(en.tokens)))
        short = -z if self.tgt == ENGLISH else z  # how far the translation is too short
        cut_off = src.ending in (".", "?", "!") and out.ending == ""
        return short > TRUNCATED_Z or (cut_off and short > CUT_OFF_Z)
