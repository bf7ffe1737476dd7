"""The pair judge: is this Hindi-English pair a translation? A score in 0-1 and the reasons against it.

Each check below weighs one kind of evidence and returns a penalty in 0-1 (1: the pair cannot
be a translation; a small one: a hint); the score is the product of (1 - penalty) over the checks,
so independent doubts add up and one certain fault is enough. A check whose penalty reaches
REASON_PENALTY names its reason. Reasons, in the order the checks run:

| reason | what it sees |
|---|---|
| empty | a side without letters or digits |
| encoding | mojibake, U+FFFD, control characters |
| html | tags, entities or wiki markup left over |
| boilerplate | menus, breadcrumbs, cookie, copyright and share lines |
| identical | the same text on both sides (an untranslated copy), also near-identical |
| script | Hindi side without Devanagari, English side not in Latin letters |
| language | the right script but another language (Marathi, Nepali, romanised Hindi) |
| length ratio | length (chars and words) unlikely for a translation in either direction (`lengths`) |
| numbers | a number on one side only (digits of both scripts, lakh/crore, number words) |
| urls | a URL or e-mail on one side only |
| repetition | a word or phrase repeated back to back on one side only |
| punctuation | one side a question, the other not; or ended sentence vs. cut off (strong when also short) |
| sentence count | more sentences on one side, which is also long for a translation (added content) |
| long word | a "word" over 40 characters (glued text) |
| no shared words | long sides with no word of one accounted for by the other (`evidence`) |

The penalties were set on the tune half of eval/clean_corpus.py's noisy set (held-out half apart).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..languages import ENGLISH, HINDI, is_hindi_by_words
from . import signals
from .langid import language_of
from .lengths import length_z
from .signals import Side

if TYPE_CHECKING:
    from .evidence import Evidence

#: Bumped whenever a check or penalty changes: results saved by `corpus build` are redone.
JUDGE_VERSION = 1
#: A check's penalty from which it is reported as a reason against the pair.
REASON_PENALTY = 0.25
#: |z| of the length model (lengths.length_z) at which the length alone costs half the score,
#: and from which a side counts as short or long when punctuation or sentence counts agree.
LENGTH_Z = 3.3
SHORTER_Z = 1.5
#: Pairs scored below this are rejected by default.
DEFAULT_MIN_SCORE = 0.5
REASONS = (
    "empty", "encoding", "html", "boilerplate", "identical", "script", "language", "length ratio", "numbers",
    "urls", "repetition", "punctuation", "sentence count", "long word", "no shared words",
)


@dataclass(frozen=True)
class Verdict:
    """The judge's answer for one pair: score in 0-1 and the reasons (REASONS) against it."""

    score: float
    reasons: tuple[str, ...] = ()

    def kept(self, min_score: float = DEFAULT_MIN_SCORE) -> bool:
        return self.score >= min_score


@dataclass(frozen=True)
class JudgeSettings:
    """What the judge checks; the defaults suit a crawled Hindi-English corpus.

    `keep_reasons` are still reported but never count against a pair; `max_length_ratio`, when
    set, is a hard cap on the character ratio besides the learned length model (corpus build's
    --max-length-ratio); `script_check` False skips the script and language checks.
    """

    keep_reasons: frozenset[str] = frozenset()
    max_length_ratio: float | None = None
    script_check: bool = True


_Penalty = tuple[str, float]


def default_evidence() -> Evidence:
    """FreeDict where installed, names and terms always (imported here: the evidence module loads
    translate_kit.align, and with it numpy and scipy, which flagging translations does without)."""
    from .evidence import Evidence

    return Evidence.default()


@dataclass
class Judge:
    """Scores pairs. Build once (the lexicon is loaded then) and call `judge(hi, en)` many times.

    `evidence` None leaves out the "no shared words" check (and translate_kit.align with it).
    """

    evidence: Evidence | None = field(default_factory=default_evidence)
    settings: JudgeSettings = field(default_factory=JudgeSettings)

    def judge(self, hi: str, en: str) -> Verdict:
        """The verdict on one pair (Hindi side first)."""
        score, reasons = 1.0, []
        for reason, penalty in self._penalties(hi, en):
            if penalty >= REASON_PENALTY:
                reasons.append(reason)
            if reason not in self.settings.keep_reasons:
                score *= 1.0 - penalty
        return Verdict(round(score, 4), tuple(reasons))

    def _penalties(self, hi_text: str, en_text: str) -> Iterable[_Penalty]:
        hi, en = Side.of(hi_text), Side.of(en_text)
        if not (hi.letters or hi.numbers) or not (en.letters or en.numbers):
            yield "empty", 1.0
            return
        yield "encoding", 1.0 if signals.encoding_noise(hi.text) or signals.encoding_noise(en.text) else 0.0
        tags = signals.has_html(hi.text) or signals.has_html(en.text)
        escaped = (signals.entities(hi.text) > 0) != (signals.entities(en.text) > 0)
        yield "html", 0.9 if tags else 0.6 if escaped else 0.0
        boilerplate = signals.is_boilerplate(hi.text, hi.tokens) or signals.is_boilerplate(en.text, en.tokens)
        yield "boilerplate", 0.9 if boilerplate else 0.0
        yield "identical", _identical(hi, en)
        if self.settings.script_check:
            # Hindi mixes Latin terms in ("GitHub पर इसे private vulnerability reporting कहा जाता है।").
            wrong_hindi = hi.letters and hi.devanagari < 0.3 and not is_hindi_by_words(hi.text)
            wrong = wrong_hindi or (en.letters and (en.latin < 0.8 or en.devanagari > 0.05))
            yield "script", 1.0 if wrong else 0.0
        if self.settings.script_check:
            other = language_of(hi.text, hi.tokens, HINDI) or language_of(en.text, en.tokens, ENGLISH)
            yield "language", 0.9 if other else 0.0
        z = length_z((len(hi.text), len(en.text)), (len(hi.tokens), len(en.tokens)))
        yield "length ratio", self._length(hi, en, z)
        yield "numbers", _numbers(hi, en)
        yield "urls", 0.6 if hi.urls != en.urls else 0.0
        hi_rep, en_rep = hi.repetition[0], en.repetition[0]
        yield "repetition", 0.8 if max(hi_rep, en_rep) >= 3 and abs(hi_rep - en_rep) >= 2 else 0.0
        yield "punctuation", _punctuation(hi.ending, en.ending, z)
        yield "sentence count", _sentences(hi.sentences, en.sentences, z)
        longest = max((len(w) for w in hi.tokens + en.tokens), default=0)
        yield "long word", 0.6 if longest > 40 else 0.0
        if self.evidence is not None:
            yield "no shared words", _unshared(self.evidence, hi, en)

    def _length(self, hi: Side, en: Side, z: float) -> float:
        cap = self.settings.max_length_ratio
        if cap is not None:
            shorter, longer = sorted((len(hi.text), len(en.text)))
            if longer > cap * max(shorter, 1):
                return 1.0
        return _logistic(abs(z), centre=LENGTH_Z, scale=0.3)


def _logistic(value: float, centre: float, scale: float) -> float:
    return 1.0 / (1.0 + math.exp(-(value - centre) / scale))


def _identical(hi: Side, en: Side) -> float:
    """1 for the same text, 0.9 for texts sharing most character trigrams (a partial copy); texts
    in different scripts cannot be copies (and are not compared: trigrams cost time)."""
    a, b = hi.text.casefold(), en.text.casefold()
    if a == b:
        return 1.0
    if abs(hi.latin - en.latin) > 0.5:
        return 0.0
    grams_a, grams_b = _trigrams(a), _trigrams(b)
    if not grams_a or not grams_b:
        return 0.0
    jaccard = len(grams_a & grams_b) / len(grams_a | grams_b)
    return 0.9 if jaccard >= 0.6 else 0.0


def _trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


def _numbers(hi: Side, en: Side) -> float:
    """A number missing on one side is a hint (a translator may write it as a word the tables do
    not know: तेरहवें for 13th); two or more (a number changed, or several lost) condemn the pair."""
    if not hi.numbers and not en.numbers:
        return 0.0
    missing = len(signals.unmatched_numbers(hi, en)) + len(signals.unmatched_numbers(en, hi))
    return 0.0 if not missing else 0.4 if missing == 1 else 0.8


def _punctuation(a: str, b: str, z: float) -> float:
    """A question against a statement is a hint; so is a finished sentence against an unfinished
    one (headings and list items end without punctuation on both sides), a strong one when the
    unfinished side is also short for a translation (`z`: log length ratio in sds): a cut pair."""
    if a == b:
        return 0.0
    if "?" in (a, b):
        return 0.3
    if "" not in (a, b):
        return 0.05
    cut_short = z < -SHORTER_Z if b == "" else z > SHORTER_Z  # b: the English side's ending
    return _agreeing(z) if cut_short else 0.2


def _sentences(hi: int, en: int, z: float) -> float:
    """A side with more sentences than the other that is also long for a translation: content
    added (or a neighbour's sentence glued on) rather than a translator joining two sentences."""
    if hi == en:
        return 0.0
    longer = z > SHORTER_Z if en > hi else z < -SHORTER_Z
    return _agreeing(z) if longer else 0.1


def _agreeing(z: float) -> float:
    """The penalty of a structural hint that the length deviation `z` agrees with: from 0.375 at
    SHORTER_Z, growing with |z|, so that alone it condemns only a clearly long or short side."""
    return min(0.8, 0.25 * abs(z))


def _unshared(evidence: Evidence, hi: Side, en: Side) -> float:
    """High when sides long enough to share words share none or almost none; numbers found on
    both sides count as shared words (a name-less, dictionary-less pair may share only those)."""
    coverage = evidence.coverage(hi.plain, en.plain)
    numbers = len(hi.numbers) + len(en.numbers)
    shared = numbers - len(signals.unmatched_numbers(hi, en)) - len(signals.unmatched_numbers(en, hi))
    words = coverage.hi_words + coverage.en_words + numbers
    if words < 6:
        return 0.0
    share = (coverage.hi_covered + coverage.en_covered + shared) / words
    # Confidence grows with length: a long pair sharing nothing is very unlikely a translation.
    weight = min(1.0, words / 20)
    return weight * _logistic(-share, centre=-0.08, scale=0.02)
