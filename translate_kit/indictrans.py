"""IndicTrans2 pre- and post-processing for Hindi (hin_Deva) and English (eng_Latn), both directions.

The models only translate well when their input is prepared exactly as their training data was, so
`preprocess` follows IndicTrans2's inference order step by step (as implemented by IndicTransToolkit's
`IndicProcessor(inference=True)`, whose output `Prepared.tagged` reproduces):

1. punctuation normalisation (IndicTrans2's Moses-style rules: curly quotes, dashes, no-break spaces;
   a no-break space between digits becomes "." as in Moses);
2. Indic digits to ASCII;
3. e-mails, URLs, numerals/dates and @/# handles replaced by `<ID1>`, `<ID2>`, ... placeholders;
4. Hindi: IndicNLP normaliser + trivial tokeniser; English: Moses punctuation normaliser + Moses
   tokeniser (escape off). Both tokenisers split a placeholder into `< ID1 >`, as the reference does.

Unlike the reference, this processor is stateless and deterministic: each `Prepared` carries its own
placeholder map (the reference keeps maps in a queue shared between calls, which hangs or mixes maps
up when counts differ), and placeholders are numbered in order of appearance in the prepared text
(the reference numbers them by iterating a Python set, so numbers change from run to run).

Deliberate differences from IndicTransToolkit 1.1.1 (each measured by eval/parity.py):
- Hindi normalisation uses indic-nlp-library itself. The reference ships a fork
  (indic-nlp-library-itt 0.1.1) whose Devanagari normaliser writes a literal backslash sequence
  "\\u093C" for every precomposed nukta letter (ज़ as U+095B), turns "<char>:" into "\\1ः" for
  ASCII digits, capitals and some symbols ("8:00" becomes "\\1ः00"), and no longer turns a colon
  after Devanagari into a visarga ("आगरा:" -> "आगराः") as the library does.
- Matches of one kind are replaced longest first; the reference's set order sometimes replaces
  "99.99" inside "99.999" first, leaving "<ID2>9".
- A number split by the trivial tokeniser is rejoined also at the very start of a line ("8,866"),
  as the reference's copy of the tokeniser does and indic-nlp-library 0.92 does not.
- C0/C1 control characters (other than whitespace) are removed first: they are invisible, carry
  no meaning for translation and would reach SentencePiece as unknown pieces.
- Text that already looks like a placeholder (`<ID3>`, `[ID3]`) is itself protected by a
  placeholder, so restoring can never confuse it with ours.
- An optional glossary protects source terms through placeholders that restore to the wanted
  target string.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import regex
from indicnlp.normalize.indic_normalize import IndicNormalizerFactory
from indicnlp.tokenize import indic_detokenize, indic_tokenize
from sacremoses import MosesDetokenizer, MosesPunctNormalizer, MosesTokenizer

from .errors import TranslateKitError
from .languages import ENGLISH, SUPPORTED, normalize_lang
from .script import ascii_digits

__all__ = [
    "Prepared",
    "Restored",
    "preprocess",
    "preprocess_batch",
    "postprocess",
    "postprocess_batch",
    "normalize_punctuation",
    "ascii_digits",
    "restore_placeholders",
    "detokenize",
    "check_hindi_normalizer",
]

@dataclass(frozen=True)
class Prepared:
    """One sentence as the model must see it, with what is needed to restore the output.

    `text` is normalised and tokenised, without language tags; placeholders appear in it as the
    tokenisers leave them (`< ID1 >`). `placeholders` maps each placeholder, numbered in order of
    appearance, to the string that must replace it in the translation. `expected` lists strings
    the translation must contain; it is used by model families trained without placeholders
    (translate_kit.families.entities), never here.
    """

    src: str
    tgt: str
    text: str
    placeholders: tuple[tuple[str, str], ...] = ()
    expected: tuple[str, ...] = ()

    @property
    def tagged(self) -> str:
        """What IndicTransToolkit's `preprocess_batch` returns: tags, then the prepared text.

        For display and comparison only: the model's input gets the tags as separate tokens
        after SentencePiece, never by encoding this string.
        """
        return f"{self.src} {self.tgt} {self.text}"


@dataclass(frozen=True)
class Restored:
    """A post-processed translation; `dropped` lists placeholder values the model output lost."""

    text: str
    dropped: tuple[str, ...] = ()


# --- step 0: control characters ---------------------------------------------------------------

# Control characters other than whitespace (whitespace is collapsed to spaces later).
_CONTROL = regex.compile(r"[\p{Cc}--[\t\n\r\f\v\x1c-\x1f\x85]]", flags=regex.V1)

# --- step 1: punctuation normalisation (IndicTrans2's rules, applied in this order) -------------

_PUNCT_RULES: tuple[tuple[regex.Pattern[str], str], ...] = tuple(
    (regex.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\r", ""),
        (r"\(\s*", "("),
        (r"\s*\)", ")"),
        (r"\s:\s?", ":"),
        (r"\s;\s?", ";"),
        (r"[`´‘‚’]", "'"),
        (r"[„“”«»]", '"'),
        (r"[–—]", "-"),
        ("\u00a0%", "%"),
        ("n\u00ba\u00a0", "n\u00ba "),
        ("\u00a0\u00baC", " \u00baC"),
        ("\u00a0([?!;])", r"\1"),
        (",\u00a0", ", "),
        (r"[ ]{2,}", " "),
        (r"\) ([\.!:?;,])", r")\1"),
        (r"(\d) %", r"\1%"),
        (r"\"([,\.]+)", r'\1"'),
        ("(\\d)\u00a0(\\d)", r"\1.\2"),
    )
)


def normalize_punctuation(text: str) -> str:
    """IndicTrans2's Moses-style punctuation rules (curly quotes, dashes, spaces around brackets...)."""
    for pattern, replacement in _PUNCT_RULES:
        text = pattern.sub(replacement, text)
    return text.strip()


# --- step 2: digits ---------------------------------------------------------------------------

# ascii_digits (translate_kit.script): the same table the aligner compares numbers with.


# --- step 3: placeholders ---------------------------------------------------------------------

_EMAIL = regex.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Z|a-z]{2,}")
_URL = regex.compile(
    r"\b(?<![\w/.])(?:(?:https?|ftp)://)?(?:(?:[\w-]+\.)+(?!\.))(?:[\w/\-?#&=%.]+)+(?!\.\w+)\b"
)
_NUMERAL = regex.compile(
    r"(~?\d+\.?\d*\s?%?\s?-?\s?~?\d+\.?\d*\s?%|~?\d+%|\d+[-\/.,:']\d+[-\/.,:'+]\d+(?:\.\d+)?"
    r"|\d+[-\/.:'+]\d+(?:\.\d+)?)"
)
_HANDLE = regex.compile(r"[A-Za-z0-9]*[#|@]\w+")
# Text in the input that already looks like one of our placeholders (or a mangled one).
_LITERAL_PLACEHOLDER = regex.compile(r"[<\[]\s*ID\s*\d+\s*[>\]]", flags=regex.IGNORECASE)
_MARKER = regex.compile(r"<ID(\d+)>")
_SPACES = regex.compile(r"\s+")


def _keep_url(match: str) -> bool:
    return len(match.replace(".", "")) >= 4


def _keep_numeral(match: str) -> bool:
    return len(match.replace(" ", "").replace(".", "").replace(":", "")) >= 4


# In IndicTrans2's order: e-mails before URLs (an e-mail's domain looks like a URL), then numbers.
_ENTITY_PATTERNS = ((_EMAIL, None), (_URL, _keep_url), (_NUMERAL, _keep_numeral), (_HANDLE, None))


class _Masker:
    """Replaces entities by numbered markers, remembering what each marker stands for."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def _marker(self, value: str) -> str:
        marker = f"<ID{len(self.values) + 1}>"
        self.values[marker] = value
        return marker

    def mask_spans(self, text: str, pattern: regex.Pattern[str], value_for) -> str:
        """Replace each match of `pattern` (found on `text`) by a marker whose value is value_for(match)."""
        return pattern.sub(lambda m: self._marker(value_for(m.group(0))), text)

    def mask_strings(self, text: str, pattern: regex.Pattern[str], keep) -> str:
        """IndicTrans2's way: every distinct match (longest first) replaced wherever its string occurs."""
        found = dict.fromkeys(pattern.findall(text))
        for match in sorted(found, key=len, reverse=True):
            if keep is None or keep(match):
                text = text.replace(match, self._marker(match))
        return text

    def renumber(self, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """Number the markers 1, 2, ... in order of appearance; markers no longer in the text go."""
        order: dict[str, str] = {}

        def rename(match: regex.Match[str]) -> str:
            old = match.group(0)
            if old not in order:
                order[old] = f"<ID{len(order) + 1}>"
            return order[old]

        text = _MARKER.sub(rename, text)
        return text, tuple((new, self.values[old]) for old, new in order.items())


@functools.lru_cache(maxsize=65536)
def _glossary_term(source: str) -> str:
    """A glossary term normalised like the text it is looked for in."""
    return ascii_digits(normalize_punctuation(source))


@functools.lru_cache(maxsize=1024)
def _terms_pattern(terms: tuple[str, ...]) -> regex.Pattern[str]:
    """Whole-word alternation of `terms` (given longest first, so "New Delhi" wins over "Delhi")."""
    return regex.compile(r"(?<!\w)(?:" + "|".join(map(regex.escape, terms)) + r")(?!\w)")


def _glossary_matcher(
    text: str, glossary: Mapping[str, str]
) -> tuple[regex.Pattern[str], dict[str, str]] | None:
    """A pattern for the glossary terms present in `text`, and the target string of each.

    Only terms that occur in the text go into the pattern, so a large glossary costs a substring
    test per term and sentence rather than a regex compilation. Matching is case-sensitive; no
    letter, mark or digit may touch either end of a term.
    """
    targets: dict[str, str] = {}
    for source, target in glossary.items():
        term = _glossary_term(source)
        if term and term in text:
            targets.setdefault(term, target)
    if not targets:
        return None
    return _terms_pattern(tuple(sorted(targets, key=lambda term: (-len(term), term)))), targets


def _wrap_placeholders(
    text: str, glossary: Mapping[str, str] | None
) -> tuple[str, tuple[tuple[str, str], ...]]:
    masker = _Masker()
    text = masker.mask_spans(text, _LITERAL_PLACEHOLDER, lambda value: value)
    matcher = _glossary_matcher(text, glossary) if glossary else None
    if matcher is not None:
        pattern, targets = matcher
        text = masker.mask_spans(text, pattern, targets.__getitem__)
    for pattern, keep in _ENTITY_PATTERNS:
        text = masker.mask_strings(text, pattern, keep)
    text = _SPACES.sub(" ", text).replace(">/", ">").replace("]/", "]")
    return masker.renumber(text)


# --- step 4: language-specific normalisation and tokenisation ----------------------------------


# A precomposed nukta letter must come out decomposed; the fork that indictranstoolkit installs under
# the same module name writes a literal "\\u093C" instead (and mangles "8:00").
_NORMALIZER_PROBE = ("\u095c:", "\u0921\u093c\u0903")


def check_hindi_normalizer(normalizer) -> None:
    """Refuse an `indicnlp` that is not indic-nlp-library's: it would silently corrupt model input."""
    probe, expected = _NORMALIZER_PROBE
    if normalizer.normalize(probe) != expected:
        raise TranslateKitError(
            "the installed 'indicnlp' module is not indic-nlp-library's (installing indictranstoolkit "
            "replaces it with indic-nlp-library-itt, which corrupts Hindi): run "
            "'pip install --force-reinstall --no-deps indic-nlp-library' and keep indictranstoolkit "
            "in a separate environment"
        )


@functools.lru_cache(maxsize=1)
def _hindi_normalizer():
    normalizer = IndicNormalizerFactory().get_normalizer("hi")
    check_hindi_normalizer(normalizer)
    return normalizer


@functools.lru_cache(maxsize=1)
def _moses() -> tuple[MosesPunctNormalizer, MosesTokenizer, MosesDetokenizer]:
    return MosesPunctNormalizer(), MosesTokenizer(lang="en"), MosesDetokenizer(lang="en")


# A number that the trivial tokeniser split ("8 , 866"); it rejoins them everywhere but at the very
# start of the text (an off-by-one in indic-nlp-library 0.92, fixed in IndicTransToolkit's copy).
_SPLIT_NUMBER = regex.compile(r"(?:[0-9]+ [,.:/] )+[0-9]+")


def _tokenize_hindi(text: str) -> str:
    normalized = _hindi_normalizer().normalize(text.strip())
    tokens = " ".join(indic_tokenize.trivial_tokenize(normalized, "hi"))
    tokens = _SPLIT_NUMBER.sub(lambda m: m.group(0).replace(" ", ""), tokens)
    return tokens.replace(" ् ", "्")


def _tokenize_english(text: str) -> str:
    normalizer, tokenizer, _ = _moses()
    return " ".join(tokenizer.tokenize(normalizer.normalize(text.strip()), escape=False))


# --- public API -------------------------------------------------------------------------------


def _check_pair(src: str, tgt: str) -> tuple[str, str]:
    src, tgt = normalize_lang(src), normalize_lang(tgt)
    if src == tgt:
        raise ValueError(f"source and target are both {src}: IndicTrans2 translates between {SUPPORTED}")
    return src, tgt


def preprocess(
    sentence: str, src: str, tgt: str, glossary: Mapping[str, str] | None = None
) -> Prepared:
    """Prepare one sentence for an IndicTrans2 model translating `src` into `tgt`.

    `glossary` maps a source term to the exact string the translation must contain (the term itself
    for do-not-translate names); matched terms travel through the model as placeholders.
    """
    src, tgt = _check_pair(src, tgt)
    text = _CONTROL.sub("", sentence)
    text = ascii_digits(normalize_punctuation(text))
    text, placeholders = _wrap_placeholders(text, glossary)
    text = _tokenize_english(text) if src == ENGLISH else _tokenize_hindi(text)
    return Prepared(src=src, tgt=tgt, text=text.strip(), placeholders=placeholders)


def preprocess_batch(
    sentences: Iterable[str], src: str, tgt: str, glossary: Mapping[str, str] | None = None
) -> list[Prepared]:
    """`preprocess` for each sentence, in order."""
    return [preprocess(sentence, src, tgt, glossary) for sentence in sentences]


# --- postprocessing ---------------------------------------------------------------------------

# How models mangle "ID": case, spaces, and Devanagari spellings seen in IndicTrans2 output.
_ID_WORD = r"(?:ID|आई\s?\.?\s?डी\s?\.?|आय\s?\.?\s?डी\s?\.?|आइ\s?\.?\s?डी\s?\.?|आइडि|ऐडि|ऐटि)"


# `<ID7>` and what models make of it: `< ID7 >`, `[ID 7]`, `<id7]`, `< आईडी7 >`; then bare `ID7`.
_BRACKETED = regex.compile(rf"[<\[]\s*{_ID_WORD}\s*(\d+)\s*[>\]]", flags=regex.IGNORECASE)
_BARE = regex.compile(rf"(?<![\w<\[]){_ID_WORD}\s?(\d+)(?!\w)", flags=regex.IGNORECASE)

# Restoring works on pieces: (text, True) for an inserted value, which is never searched again, so
# a value that itself looks like a placeholder cannot be replaced a second time.
_Pieces = list[tuple[str, bool]]


def _substitute(
    pieces: _Pieces, pattern: regex.Pattern[str], values: Mapping[int, str], found: set[int]
) -> _Pieces:
    """Replace placeholders matched by `pattern` in the text pieces; record their numbers in `found`."""
    out: _Pieces = []
    for piece, is_value in pieces:
        if is_value:
            out.append((piece, True))
            continue
        position = 0
        for match in pattern.finditer(piece):
            number = int(match.group(1))
            if number not in values:
                continue
            out += [(piece[position:match.start()], False), (values[number], True)]
            found.add(number)
            position = match.end()
        out.append((piece[position:], False))
    return out


def restore_placeholders(text: str, placeholders: Sequence[tuple[str, str]]) -> tuple[str, tuple[str, ...]]:
    """Put placeholder values back; return the text and the values that could not be placed.

    Bare forms ("ID7") are only looked for when no bracketed form of that number is found, so that a
    genuine "ID 7" in a sentence that kept its placeholder is left alone. A value counts as dropped
    when its placeholder is missing from the output and the value itself is not there either (a
    model sometimes copies a number instead of its placeholder).
    """
    values = {int(name[3:-1]): value for name, value in placeholders}
    found: set[int] = set()
    pieces = _substitute([(text, False)], _BRACKETED, values, found)
    missing = {number: value for number, value in values.items() if number not in found}
    if missing:
        pieces = _substitute(pieces, _BARE, missing, found)
    text = "".join(piece for piece, _ in pieces)
    dropped = tuple(value for number, value in values.items() if number not in found and value not in text)
    return text, dropped


def detokenize(text: str, lang: str) -> str:
    """Moses detokeniser for English, IndicNLP's trivial detokeniser for Hindi."""
    text = _SPACES.sub(" ", text).strip()
    if normalize_lang(lang) == ENGLISH:
        return _moses()[2].detokenize(text.split(" "))
    return indic_detokenize.trivial_detokenize(text, "hi")


def postprocess(decoded: str, prepared: Prepared) -> Restored:
    """Turn the model's decoded output (SentencePiece pieces already joined) into final text."""
    text, dropped = restore_placeholders(decoded, prepared.placeholders)
    return Restored(text=detokenize(text, prepared.tgt), dropped=dropped)


def postprocess_batch(decoded: Sequence[str], prepared: Sequence[Prepared]) -> list[Restored]:
    """`postprocess` for each (output, prepared) pair; the two sequences must have the same length."""
    if len(decoded) != len(prepared):
        raise ValueError(f"{len(decoded)} outputs for {len(prepared)} prepared sentences")
    return [postprocess(text, item) for text, item in zip(decoded, prepared, strict=True)]
