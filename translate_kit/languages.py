"""Language codes (FLORES-200 style, as IndicTrans2 uses them), script detection, and the
per-sentence decision whether a text needs translating at all.

The decision (`needs_translation`) is made per sentence from its script, because Hindi technical
writing and news mix Latin-script terms into Hindi sentences ("GitHub पर इसे private vulnerability
reporting कहा जाता है।"): a share-of-letters vote calls such a sentence English and copies it.

* Hindi -> English: a text with any Devanagari letter is Hindi, however many Latin tokens it holds;
  only text without one (a quoted English sentence, a name, a URL, a number) is copied.
* English -> Hindi: a text with no Latin letter is copied; so is a text that is Hindi by its words
  (`is_hindi_by_words`: code-mixed Hindi with English terms is not English to translate).
* URLs and e-mail addresses are not words of either language.

eval/language_decision.py measures it on real sentences (eval/results/language_decision.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

HINDI = "hin_Deva"
ENGLISH = "eng_Latn"
SUPPORTED = (HINDI, ENGLISH)

_ALIASES = {
    "hi": HINDI, "hin": HINDI, "hindi": HINDI, HINDI.lower(): HINDI,
    "en": ENGLISH, "eng": ENGLISH, "english": ENGLISH, ENGLISH.lower(): ENGLISH,
}


def normalize_lang(code: str) -> str:
    """Map 'hi', 'hin_Deva', 'Hindi', ... to the canonical code; reject anything else."""
    canonical = _ALIASES.get(code.strip().lower())
    if canonical is None:
        raise ValueError(f"unsupported language {code!r}: use one of {', '.join(SUPPORTED)} (or hi, en)")
    return canonical


def other(lang: str) -> str:
    """The other side of the Hindi-English pair."""
    return ENGLISH if normalize_lang(lang) == HINDI else HINDI


def is_devanagari(char: str) -> bool:
    return "\u0900" <= char <= "\u097f" or "\ua8e0" <= char <= "\ua8ff"


def devanagari_share(text: str) -> float:
    """Share of letters that are Devanagari (0.0 when the text has no letters)."""
    letters = [c for c in text if unicodedata.category(c)[0] in ("L", "M")]
    if not letters:
        return 0.0
    return sum(is_devanagari(c) for c in letters) / len(letters)


def detect_lang(text: str, default: str = HINDI) -> str:
    """Hindi when at least 30% of the letters are Devanagari, English when there are letters but fewer.

    News Hindi often carries Latin names and acronyms, so a plain majority vote would misfire
    on short headlines; 30% is safely above what English text with a quoted Hindi word reaches.
    """
    letters = [c for c in text if unicodedata.category(c)[0] in ("L", "M")]
    if not letters:
        return default
    return HINDI if devanagari_share(text) >= 0.3 else ENGLISH


def _is_devanagari_letter(char: str) -> bool:
    """A Devanagari letter, vowel sign or virama (not a danda, digit or abbreviation sign)."""
    return is_devanagari(char) and unicodedata.category(char)[0] in ("L", "M")


def _is_latin_letter(char: str) -> bool:
    return char.isalpha() and "LATIN" in unicodedata.name(char, "")


_WORD = re.compile(r"[^\W\d_][\w\u0900-\u097f]*")
_URL_OR_EMAIL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+")
HINDI_WORD_SHARE = 0.2
"""In English -> Hindi, a text of which at least this share of words is Devanagari is Hindi already
("Next.js का App Router"). Chosen on the development part of eval/language_decision.py's set as the
highest share that copies no English sentence of it and translates every one, so that an English
sentence quoting a Hindi word or two ("The festival of दिवाली is in autumn.") is still translated;
the held-out part is reported in eval/results/language_decision.md."""


def is_hindi_by_words(text: str) -> bool:
    """At least one Devanagari word, and at least HINDI_WORD_SHARE of the words."""
    words = _WORD.findall(text)
    hindi = sum(1 for w in words if any(_is_devanagari_letter(c) for c in w))
    return hindi >= 1 and hindi >= HINDI_WORD_SHARE * len(words)


def needs_translation(text: str, src: str, tgt: str) -> bool:
    """Whether `text` (a sentence) must go through a `src` -> `tgt` model, or be copied as it is.

    See the module docstring for the rule. URLs and e-mail addresses are not words of any
    language (a Hindi Wikipedia link is no Hindi sentence); text without letters never needs it.
    """
    if normalize_lang(src) == normalize_lang(tgt):
        return False
    text = _URL_OR_EMAIL.sub(" ", text)
    if normalize_lang(src) == HINDI:
        return any(_is_devanagari_letter(c) for c in text)
    return any(_is_latin_letter(c) for c in text) and not is_hindi_by_words(text)


_LANGUAGE_NAMES = {HINDI: ("hindi", "हिन्दी", "हिंदी"), ENGLISH: ("english", "अंग्रेज़ी", "अंग्रेजी")}
_SUBTAG = re.compile(r"([A-Za-z]{2,3})((?:[-_][A-Za-z0-9]{2,8})*)")


def code_like(value: str, lang: str) -> str:
    """The code of `lang` written the way `value` names a language ("hi" -> "en", "hi-IN" ->
    "en-IN", "hin_Deva" -> "eng_Latn", "Hindi" -> "English"); `value`'s spacing is kept."""
    lang = normalize_lang(lang)
    stripped = value.strip()
    lead = value[: len(value) - len(value.lstrip())]
    trail = value[len(value.rstrip()) :]
    if stripped.lower() in {n for names in _LANGUAGE_NAMES.values() for n in names}:
        name = _LANGUAGE_NAMES[lang][0]
        new = name.capitalize() if stripped[:1].isupper() or not stripped.isascii() else name
    elif re.fullmatch(r"[a-z]{3}_[A-Z][a-z]{3}", stripped):
        new = lang
    elif match := _SUBTAG.fullmatch(stripped):
        primary = lang[:3] if len(match.group(1)) == 3 else lang[:2]
        new = (primary.upper() if match.group(1).isupper() else primary) + match.group(2)
    else:
        new = lang[:2]
    return lead + new + trail


def detect_source(texts: Iterable[str], sample_chars: int = 20_000) -> str:
    """The language of a whole input from its script: `detect_lang` over its first texts, until
    `sample_chars` characters are seen (enough to decide, cheap on a large folder)."""
    sample, size = [], 0
    for text in texts:
        sample.append(text)
        size += len(text)
        if size > sample_chars:
            break
    return detect_lang("\n".join(sample))
