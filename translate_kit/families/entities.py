"""Numbers, URLs, e-mails and glossary terms for families that were never trained with placeholders.

NLLB-200, M2M-100 and OPUS-MT see such entities as ordinary text: replacing them by `<ID1>` would
feed the model something it never saw. So they stay in the source, are listed as `expected`, and
after decoding each one is looked for in the translation:

- found as written: kept;
- found reformatted (a number with other digits or separators, "२०२४" or "1200" for "1,200"; a
  URL or e-mail with spaces put inside it): the source form is put back in its place;
- not found: reported as dropped, exactly as a lost IndicTrans2 placeholder is.

A glossary term is written into the source as its wanted target string (for a do-not-translate
name that is the name itself), which these models copy through well, and is then checked like an
entity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import regex

from ..indictrans import _CONTROL, _glossary_matcher

_EMAIL = regex.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = regex.compile(r"(?:https?://|www\.)[^\s<>\"']+")
_NUMBER = regex.compile(r"\d+(?:[.,:/-]\d+)*")
_TRAILING = ".,;:!?)]}'\"।"
_SPACES = regex.compile(r"\s+")


def normalize_text(sentence: str) -> str:
    """Control characters removed and whitespace collapsed: all these families' SentencePiece
    models need; their own normaliser does the rest."""
    return _SPACES.sub(" ", _CONTROL.sub("", sentence)).strip()


def apply_glossary(text: str, glossary: Mapping[str, str] | None) -> tuple[str, list[str]]:
    """Each whole-word glossary term replaced by its target string; the targets, in order."""
    if not glossary:
        return text, []
    matcher = _glossary_matcher(text, glossary)
    if matcher is None:
        return text, []
    pattern, targets = matcher
    used: list[str] = []

    def replace(match: regex.Match[str]) -> str:
        used.append(targets[match.group(0)])
        return targets[match.group(0)]

    return pattern.sub(replace, text), used


def find_entities(text: str) -> list[str]:
    """E-mails, URLs and numbers in `text`, in order of appearance (numbers inside a URL or an
    e-mail belong to it; trailing sentence punctuation is not part of a URL)."""
    spans: list[tuple[int, int]] = []
    for pattern in (_EMAIL, _URL):
        for match in pattern.finditer(text):
            start, end = match.span()
            while end > start and text[end - 1] in _TRAILING:
                end -= 1
            if not any(a < end and start < b for a, b in spans):
                spans.append((start, end))
    for match in _NUMBER.finditer(text):
        if not any(a <= match.start() < b for a, b in spans):
            spans.append(match.span())
    return [text[a:b] for a, b in sorted(spans)]


def _digits(number: str) -> str:
    """The ASCII digits of a number, separators dropped: "१,२००" and "1200" -> "1200"."""
    return "".join(str(int(ch)) for ch in number if ch.isdecimal())


def _loose(value: str) -> regex.Pattern[str]:
    """`value` with any whitespace allowed between its characters (how models break URLs)."""
    return regex.compile(r"\s*".join(map(regex.escape, value.replace(" ", ""))))


def check_expected(text: str, expected: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """Look for each expected value in the translation; restore reformatted ones; return the
    text and the values that are missing. Each occurrence in the output serves one value."""
    dropped: list[str] = []
    numbers = [value for value in expected if _NUMBER.fullmatch(value)]
    for value in (v for v in expected if not _NUMBER.fullmatch(v)):
        if value in text:
            continue
        match = _loose(value).search(text)
        if match:
            text = text[: match.start()] + value + text[match.end():]
        else:
            dropped.append(value)
    text, lost = _check_numbers(text, numbers)
    missing = {*dropped, *lost}
    return text, tuple(value for value in expected if value in missing)


def _check_numbers(text: str, numbers: Sequence[str]) -> tuple[str, list[str]]:
    """Match expected numbers to the output's numbers: exact first, then by digits (restored)."""
    found = [(m.start(), m.end(), m.group(0)) for m in _NUMBER.finditer(text)]
    free = list(range(len(found)))
    replace: dict[int, str] = {}
    pending: list[str] = []
    for value in numbers:
        exact = next((i for i in free if found[i][2] == value), None)
        if exact is None:
            pending.append(value)
        else:
            free.remove(exact)
    lost: list[str] = []
    for value in pending:
        same = next((i for i in free if _digits(found[i][2]) == _digits(value)), None)
        if same is None:
            lost.append(value)
        else:
            free.remove(same)
            replace[same] = value
    for index in sorted(replace, reverse=True):
        start, end, _ = found[index]
        text = text[:start] + replace[index] + text[end:]
    return text, lost
