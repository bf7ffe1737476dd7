"""Sentence splitting for Hindi and English paragraphs, as exact character spans.

Why not call a library splitter directly: IndicNLP's `sentence_split` returns stripped strings (no
offsets, so documents cannot be rebuilt), stops treating "." as an end mark as soon as a paragraph
holds one danda (news Hindi mixes "।", "." and "|"), never splits after a digit ("... 2014."), and
puts a closing quote after the end mark into the next sentence; sacremoses has no sentence splitter.
So the boundary logic is ours, in the style of Moses' split-sentences (an end mark, optional closing
quotes/brackets, then whitespace), and the knowledge comes from those libraries: IndicNLP's list of
Devanagari letter names and honorifics that end with a non-final "." (`एस.`, `डॉ.`, `श्री.`) and
Moses' English non-breaking prefixes (`Dr.`, `Rs.`, `No. 5`), plus the few news abbreviations they
lack (listed below).

Rules, in short: "।", "॥" always end a sentence; "?", "!", "|" (Hindi) and "." end one when
whitespace or the end of the text follows (so decimals, URLs, e-mails and "U.S." inside a token
never split, but see glued sentences below); "." after an abbreviation, an initial, a dotted acronym
or a list number at the start does not, except that an acronym, initial or company suffix before a
capitalised closed-class sentence opener does ("8% D.A. After this ..."); "." and "..." followed by
a lowercase Latin word do not, nor do "?" and "!" closing a quotation ('"Why?" he asked.'); in
Hindi, "..." never does. "a.m."/"p.m." end one unless a time zone follows ("10 a.m. IST"). A "."
with no space after it ends a sentence only between a lowercase-ending word and a capitalised one
("in January.During March", as scraped web text glues them). A lone word with "." ("रोहतक.") is a
dateline, part of the next sentence, unless it is a sentence by itself ("Yes.", "नहीं."). A blank
line always ends a sentence.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from pathlib import Path

import regex
from sacremoses import MosesTokenizer

from .languages import ENGLISH, normalize_lang

__all__ = ["split_sentences", "sentence_spans"]

# Abbreviations common in Indian news that the libraries' lists lack (compared without the dot).
_EXTRA_HINDI = frozenset({"श्रीमती", "सुश्री", "प्रो", "पं", "मो", "रु", "स्व", "सं", "ले", "मि"})
_EXTRA_ENGLISH = frozenset(
    {"Re", "Govt", "Dept", "Ltd", "Inc", "Co", "Jr", "Mt", "Fig", "Vol", "approx", "viz", "cf", "ca", "Sept",
     "Est", "Ave", "Blvd", "Univ", "Hon'ble", "Shri", "Smt", "a.k.a"}
)
# "etc." and "et al." often end an English sentence: they only protect a following lowercase word
# (in Hindi text, also a following Devanagari word: "Zhou et al. ने ...").
_ENGLISH_LOWERCASE_ONLY = frozenset({"etc", "al"})

# Capitalised closed-class words that open sentences but are neither names nor parts of names: an
# acronym, initial or company suffix before one of them ends its sentence ("a rise of 8% D.A. After
# this ...", "part of S. There ...", "joined Infosys Ltd. The company ..."), where before any other
# capitalised word ("U.S. Army", "J. R. Kumar") it does not. "A" and "I" are left out: they are initials too.
_SENTENCE_STARTERS = frozenset(
    {"The", "This", "That", "These", "Those", "There", "Then", "Thus", "Hence", "It", "Its", "He", "She",
     "We", "They", "You", "His", "Her", "Our", "Their", "My", "In", "On", "At", "After", "Before", "But",
     "And", "Or", "Nor", "However", "Meanwhile", "Moreover", "Also", "As", "If", "When", "While", "Since",
     "Although", "Though", "So", "For", "With", "Without", "During", "Earlier", "Later", "According",
     "Yet", "Still", "Now", "Some", "Many", "Most", "All", "Both", "Each", "Such", "What", "Why", "How",
     "Who", "Where", "Which", "Today", "Yesterday", "Tomorrow"}
)
# Abbreviations that also end sentences; before a starter word they do too ("Novavax Inc. in" does not).
_SENTENCE_FINAL_ABBREVIATIONS = frozenset({"Inc", "Ltd", "Co", "Corp", "Pvt", "Jr", "Sr", "Bros"})
# Time-zone words that go on a clock time ("10 a.m. Central European Time", "9 p.m. IST"); before
# any other capitalised word "a.m."/"p.m." ends its sentence ("at 6 a.m. Shops stay shut.").
_CLOCK_ABBREVIATIONS = frozenset({"a.m", "p.m"})  # "A.M." is also a pair of initials ("A.M. Naik")
_TIME_ZONES = frozenset(
    {"IST", "GMT", "UTC", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "CET", "CEST", "BST", "JST",
     "Indian", "Eastern", "Central", "Pacific", "Mountain", "Greenwich", "Coordinated", "Moscow", "Beijing"}
)
# Words that make a sentence on their own ("Yes. The plan stands."), never a dateline.
_ONE_WORD_SENTENCES = frozenset(
    {"Yes", "No", "Okay", "OK", "Ok", "Sure", "Thanks", "Right", "Hello", "Hi", "Indeed", "Exactly",
     "Absolutely", "Correct", "Agreed", "हाँ", "हां", "नहीं", "ठीक", "अच्छा", "धन्यवाद", "शुक्रिया",
     "बिल्कुल", "बिलकुल"}
)

_OPENERS = "\"'“‘«([{"
_CLOSERS = "\"'”’»)]}"

# An end-mark cluster: its marks, then closing quotes/brackets.
_END = regex.compile(
    r"(?P<mark>[।॥]+(?:\s*[।॥])*|[?!]+|\.{2,}|…|\.|\|)(?P<close>[" + regex.escape(_CLOSERS) + r"]*)"
)
_BLANK_LINE = regex.compile(r"\n[^\S\n]*\n")
_GLUED_BEFORE = regex.compile(r"[A-Za-z]*[a-z]{2}")
_GLUED_AFTER = regex.compile(r"[A-Z][a-z]+(?=[\s,;:]|$)")
_LATIN_ACRONYM = regex.compile(r"(?:[A-Z]\.)+[A-Z]")


@functools.lru_cache(maxsize=1)
def _moses_prefixes() -> tuple[frozenset[str], frozenset[str]]:
    tokenizer = MosesTokenizer(lang="en")
    prefixes = frozenset(p.split()[0] for p in tokenizer.NONBREAKING_PREFIXES)
    return prefixes | _EXTRA_ENGLISH, frozenset(tokenizer.NUMERIC_ONLY_PREFIXES)


def _word_before(text: str, end: int) -> str:
    """The whitespace-delimited word that ends at `end`, without leading quotes/brackets."""
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end].lstrip(_OPENERS)


def _next_visible(text: str, pos: int) -> str:
    """The first character at or after `pos` that is neither whitespace nor an opening quote."""
    while pos < len(text) and (text[pos].isspace() or text[pos] in _OPENERS):
        pos += 1
    return text[pos] if pos < len(text) else ""


def _next_word(text: str, pos: int) -> str:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    end = pos
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[pos:end]


def _starter_follows(text: str, pos: int) -> bool:
    """The next word is a capitalised closed-class word that opens sentences ("After", "There")."""
    return _bare_next_word(text, pos) in _SENTENCE_STARTERS


def _bare_next_word(text: str, pos: int) -> str:
    return _next_word(text, pos).lstrip(_OPENERS).rstrip(_CLOSERS + ".,;:!?")


def _is_lower_latin(char: str) -> bool:
    return char.isascii() and char.islower()


def _lowercase_word_follows(text: str, pos: int) -> bool:
    """A lowercase Latin word comes next, which never starts a sentence ("mRNA" may: it has a capital)."""
    following = _next_visible(text, pos)
    return _is_lower_latin(following) and not any(c.isupper() for c in _next_word(text, pos))


def _dot_continues(text: str, dot: int, after: int, lang: str, sentence_start: int) -> bool:
    """Whether the "." (or "...") at `dot` is inside a sentence rather than at its end."""
    word = _word_before(text, dot)
    following = _next_visible(text, after)
    if not following:
        return False
    latin = lang == ENGLISH or word.isascii()
    if latin and _lowercase_word_follows(text, after):
        return True  # "e.g. this", "3 p.m. and", "... and": a lowercase word goes on
    if text[dot] == "…" or text[dot:dot + 2] == "..":
        # An ellipsis ends an English sentence before a capital; in Hindi, which has no capitals to
        # tell, it more often marks a pause inside a quoted sentence ("मैं... मैं नहीं जानता").
        return lang != ENGLISH
    if not word:
        return False
    bare = word.rstrip(".")
    if bare.isdigit():
        # "1. पहला बिंदु": a list number opening the sentence
        return _word_start(text, dot) == sentence_start
    if latin and bare in _CLOCK_ABBREVIATIONS:
        return _bare_next_word(text, after) in _TIME_ZONES
    if latin and _starter_follows(text, after) and (
        _LATIN_ACRONYM.fullmatch(bare) or bare in _SENTENCE_FINAL_ABBREVIATIONS
        or (len(bare) == 1 and bare.isupper())
    ):
        return False  # "8% D.A. After this ...", "part of S. There ..."
    if _LATIN_ACRONYM.fullmatch(bare) or ("." in bare and all(map(_is_hindi_initial, bare.split(".")))):
        return True  # "U.S.", "U.D.F.", "एस.एन."
    if latin:
        prefixes, numeric_only = _moses_prefixes()
        if bare in numeric_only:
            return following.isdigit()
        if bare in _ENGLISH_LOWERCASE_ONLY:
            return lang != ENGLISH and not following.isascii()
        return bare in prefixes or (len(bare) == 1 and bare.isupper())
    return _is_hindi_initial(bare)


def _is_hindi_initial(word: str) -> bool:
    """A Devanagari letter name, single letter or honorific that IndicNLP knows takes a "."."""
    if word in _EXTRA_HINDI:
        return True
    known = _indicnlp_nonbreaking()
    if known is not None:
        return word in known
    from indicnlp.tokenize.sentence_tokenize import is_acronym_abbvr

    return is_acronym_abbvr(word, "hi")


@functools.lru_cache(maxsize=1)
def _indicnlp_nonbreaking() -> frozenset[str] | None:
    """IndicNLP's words that a non-final "." follows (Devanagari letters, English letter names
    such as एस and डब्ल्यू, the honorifics डॉ, श्री, कु, ...), read from the installed library.

    Why read rather than import: the list is a literal inside `is_acronym_abbvr`, whose module
    imports IndicNLP's transliterator, which loads pandas for its script tables (about 90 MiB
    of a translate process, measured, for a set of 125 words). For Hindi that function only
    transliterates Devanagari to Devanagari (the identity) and tests membership, so the literal
    is all it uses; `ast.literal_eval` reads it without running the module. None where an
    IndicNLP release keeps the list elsewhere: `_is_hindi_initial` then calls the function.
    """
    spec = importlib.util.find_spec("indicnlp")  # finds the package without importing it
    if spec is None or spec.origin is None:
        return None
    source = Path(spec.origin).parent / "tokenize" / "sentence_tokenize.py"
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and function.name == "is_acronym_abbvr":
            for node in ast.walk(function):
                if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["ack_chars"]:
                    try:
                        return frozenset(ast.literal_eval(node.value))
                    except ValueError:
                        return None
    return None


def _word_start(text: str, end: int) -> int:
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while start < end and text[start] in _OPENERS:
        start += 1
    return start


def _is_boundary(text: str, match: regex.Match[str], lang: str, sentence_start: int) -> bool:
    mark = match.group("mark")
    after = match.end()
    followed_by_space = after == len(text) or text[after].isspace()
    if mark[0] in "।॥":
        return True
    if not followed_by_space:
        return mark == "." and not match.group("close") and _glued_sentence_start(text, match.start())
    if mark == "|":
        # "|" typed for a danda: only in Hindi, after a word (not a table or "a | b" separator)
        return lang != ENGLISH and match.start() > 0 and not text[match.start() - 1].isspace()
    if mark[0] in "?!":
        # '"Why?" he asked.' is one sentence; a bare "why? and" is not (lowercase chat text)
        return not (match.group("close") and _lowercase_word_follows(text, after))
    return not _dot_continues(text, match.start(), after, lang, sentence_start)


def _glued_sentence_start(text: str, dot: int) -> bool:
    """A sentence glued to the previous one with no space ("shutting down.On 6 March ..."), as
    scraped and concatenated web text often has: a word of letters ending in two lowercase ones,
    not an abbreviation ("Dr.Rao"), then "." and a capitalised word ("Node.js", "www.mea.gov.in",
    "U.S.Army" and "3.5" are not)."""
    word = _word_before(text, dot)
    if not _GLUED_BEFORE.fullmatch(word) or word in _moses_prefixes()[0]:
        return False
    return bool(_GLUED_AFTER.match(text, dot + 1))


def _is_dateline(text: str, begin: int, match: regex.Match[str]) -> bool:
    """A lone word and "." ("Rohtak. Akhil ...", "जयपुर. ..."): a news dateline, not a sentence.

    IndicNLP's splitter merges such one-word pieces into the next sentence for the same reason; a
    word that is a sentence by itself ("Yes.", "नहीं.") or opens one ("Then.") is no dateline.
    """
    piece = text[begin:match.start()].strip(_OPENERS + _CLOSERS)
    return (match.group("mark") == "." and bool(piece) and piece not in _ONE_WORD_SENTENCES
            and piece not in _SENTENCE_STARTERS and not any(c.isspace() or c.isdigit() for c in piece))


def _spans_in_block(text: str, start: int, end: int, lang: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _END.finditer(text, start, end):
        while begin < match.start() and text[begin].isspace():
            begin += 1
        if _is_boundary(text, match, lang, begin) and not _is_dateline(text, begin, match):
            spans.append((begin, match.end()))
            begin = match.end()
    while begin < end and text[begin].isspace():
        begin += 1
    stop = end
    while stop > begin and text[stop - 1].isspace():
        stop -= 1
    if stop > begin:
        spans.append((begin, stop))
    return spans


def sentence_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Character spans (start, end) of the sentences of `text`, in order and non-overlapping.

    Together they cover every non-whitespace character; the whitespace between sentences belongs
    to none, so `text[start:end]` never has leading or trailing whitespace.
    """
    lang = normalize_lang(lang)
    spans: list[tuple[int, int]] = []
    block_start = 0
    for blank in _BLANK_LINE.finditer(text):
        spans.extend(_spans_in_block(text, block_start, blank.start(), lang))
        block_start = blank.end()
    spans.extend(_spans_in_block(text, block_start, len(text), lang))
    return spans


def split_sentences(text: str, lang: str) -> list[str]:
    """The sentences of a Hindi or English paragraph, exactly as they appear in `text`."""
    return [text[start:end] for start, end in sentence_spans(text, lang)]
