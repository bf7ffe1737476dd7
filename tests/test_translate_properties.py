"""Property tests of the whole document translator with a model that copies its input.

Generated Markdown and HTML documents (nesting, escapes, entities, inline code, links inside
emphasis, lists in lists, tables) go through the real path: reader -> sentences -> IndicTrans2
preprocessing -> SentencePiece chunks -> decoder (tests/copy_model.py) -> postprocessing ->
reassembly -> writer. A copy model's translation of these sentences is the sentence itself (Hindi
sentences end in ".", "?" or "!", which the English detokeniser puts back in place), so the output
must equal the input byte for byte (an HTML page's `lang` becomes the target's): any lost, moved or
doubled character is a bug of the pipeline.
"""

from __future__ import annotations

import pytest
from copy_model import copy_translator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate_kit.documents import parse_document, write_document
from translate_kit.engine import FAST
from translate_kit.translate import DocumentTranslator

# Words whose Hindi tokenisation the English detokeniser undoes; Latin words and numbers mixed in
# as in real Hindi news (names, units, a URL, numbers that become placeholders).
HINDI = ["भारत", "रूस", "विदेश", "मंत्री", "बैठक", "व्यापार", "सहयोग", "ने", "में", "की", "और", "पर",
         "दिल्ली", "मॉस्को", "चर्चा", "समझौता", "ऊर्जा", "ज़मीन", "क़ानून", "हुई"]
MIXED = ["Moscow", "BRICS", "2024", "12.5%", "www.mea.gov.in", "(PTI)"]
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

word = st.one_of(st.sampled_from(HINDI), st.sampled_from(HINDI), st.sampled_from(MIXED))
phrase = st.lists(word, min_size=1, max_size=6).map(" ".join)
# A sentence ends in at least two plain words: a lone word before "." reads as a dateline, which
# the splitter joins to the next line's sentence (see test_line_break_inside_a_sentence_is_kept).
ending = st.lists(st.sampled_from(HINDI), min_size=2, max_size=4).map(" ".join)
END = st.sampled_from([".", "?", "!"])


@pytest.fixture(scope="module")
def translator(tiny_model_hi_en):
    return copy_translator(tiny_model_hi_en)


def _translate(translator, source: str, name: str, fmt: str) -> str:
    documents = DocumentTranslator(translator, FAST)
    doc = parse_document(source, name, fmt)
    (result,) = documents.translate([documents.plan(doc)])
    assert documents.dropped_values == []
    return write_document(doc, result.rendered)


# --- Markdown ---------------------------------------------------------------------------------

MD_ESCAPES = ["\\*", "\\_", "\\[", "\\]", "\\#", "\\`", "\\\\"]
MD_ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&#8377;", "&copy;"]


@st.composite
def md_inline(draw, depth: int = 0) -> str:
    """A run of Markdown inline content: text, escapes, entities, code, links, emphasis (nested)."""
    pieces = []
    for _ in range(draw(st.integers(1, 4))):
        kinds = ["text", "text", "escape", "entity", "code", "link", "image"]
        if depth < 2:
            kinds += ["em", "strong", "strike", "link-in-emphasis"]
        kind = draw(st.sampled_from(kinds))
        text = draw(phrase)
        n = draw(st.integers(1, 999))
        if kind == "text":
            pieces.append(text)
        elif kind == "escape":
            pieces.append(f"{text} {draw(st.sampled_from(MD_ESCAPES))} {draw(phrase)}")
        elif kind == "entity":
            pieces.append(f"{text} {draw(st.sampled_from(MD_ENTITIES))} {draw(phrase)}")
        elif kind == "code":
            pieces.append(draw(st.sampled_from([f"`x_{n} = *{n}*`", f"{text}`{n}`", f"`{n}`{text}"])))
        elif kind == "link":
            title = draw(st.sampled_from(["", ' "MEA"']))
            pieces.append(f"[{text}](https://example.org/a_(b)/{n}?q=1&r=2{title})")
        elif kind == "image":
            pieces.append(f"![{text}](img/{n}.png)")
        elif kind == "em":
            pieces.append(f"*{draw(md_inline(depth + 1))}*")
        elif kind == "strong":
            pieces.append(f"**{draw(md_inline(depth + 1))}**")
        elif kind == "strike":
            pieces.append(f"~~{text}~~")
        else:
            pieces.append(f"*[{text}](https://example.org/{n})* और **[{draw(phrase)}](u/{n})**")
    return " ".join(pieces)


@st.composite
def md_sentences(draw) -> str:
    count = draw(st.integers(1, 3))
    return " ".join(f"{draw(md_inline())} {draw(ending)}{draw(END)}" for _ in range(count))


@st.composite
def md_list(draw, depth: int = 0) -> str:
    ordered = draw(st.booleans())
    indent = "  " * depth if not ordered else "   " * depth
    lines = []
    for index in range(1, draw(st.integers(1, 3)) + 1):
        marker = f"{index}." if ordered else "-"
        lines.append(f"{indent}{marker} {draw(md_sentences())}")
        if depth < 2 and draw(st.booleans()):
            lines.append(draw(md_list(depth + 1)))
    return "\n".join(lines)


@st.composite
def md_table(draw) -> str:
    columns = draw(st.integers(1, 3))
    row = lambda: "| " + " | ".join(draw(md_inline()) for _ in range(columns)) + " |"  # noqa: E731
    align = "|" + "|".join(draw(st.sampled_from(["---", ":-:", "--:"])) for _ in range(columns)) + "|"
    return "\n".join([row(), align, *(row() for _ in range(draw(st.integers(1, 3))))])


@st.composite
def markdown_documents(draw) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["heading", "paragraph", "list", "table", "quote", "fence"]))
        if kind == "heading":
            blocks.append("#" * draw(st.integers(1, 4)) + " " + draw(md_inline()))
        elif kind == "paragraph":
            blocks.append("\n".join(draw(md_sentences()) for _ in range(draw(st.integers(1, 3)))))
        elif kind == "list":
            blocks.append(draw(md_list()))
        elif kind == "table":
            blocks.append(draw(md_table()))
        elif kind == "quote":
            blocks.append("> " + draw(md_sentences()) + "\n> " + draw(md_sentences()))
        else:
            blocks.append("```\n" + draw(phrase) + " **not markup** &amp;\n```")
    return "\n\n".join(blocks) + "\n"


@SETTINGS
@given(source=markdown_documents())
def test_markdown_through_the_document_translator_is_byte_identical(translator, source):
    assert _translate(translator, source, "g.md", "markdown") == source


# --- HTML -------------------------------------------------------------------------------------

# The entities the HTML writer writes back as they were; others (&nbsp;, &#39;, &quot;, &#x20B9;)
# come back as the characters they stand for (test_html_entities_other_than_the_escaped_three).
HTML_ENTITIES = ["&amp;", "&lt;", "&gt;"]


@st.composite
def html_inline(draw, depth: int = 0) -> str:
    pieces = []
    for _ in range(draw(st.integers(1, 4))):
        kinds = ["text", "text", "entity", "code", "link", "br"]
        if depth < 2:
            kinds += ["b", "em", "link-in-emphasis", "span"]
        kind = draw(st.sampled_from(kinds))
        text = draw(phrase)
        n = draw(st.integers(1, 999))
        if kind == "text":
            pieces.append(text)
        elif kind == "entity":
            pieces.append(f"{text} {draw(st.sampled_from(HTML_ENTITIES))} {draw(phrase)}")
        elif kind == "code":
            pieces.append(f"<code>x_{n} &lt; {n}</code>")
        elif kind == "link":
            pieces.append(f'<a href="/n?a={n}&amp;b=2" title="MEA">{text}</a>')
        elif kind == "br":
            pieces.append(f"{text}<br>{draw(phrase)}")
        elif kind in ("b", "em", "span"):
            attrs = ' class="x"' if kind == "span" else ""
            pieces.append(f"<{kind}{attrs}>{draw(html_inline(depth + 1))}</{kind}>")
        else:
            pieces.append(f'<em><a href="/m/{n}">{text}</a></em>')
    return " ".join(pieces)


@st.composite
def html_sentences(draw) -> str:
    count = draw(st.integers(1, 3))
    return " ".join(f"{draw(html_inline())} {draw(ending)}{draw(END)}" for _ in range(count))


@st.composite
def html_list(draw, depth: int = 0) -> str:
    tag = draw(st.sampled_from(["ul", "ol"]))
    items = []
    for _ in range(draw(st.integers(1, 3))):
        inner = draw(html_sentences())
        if depth < 2 and draw(st.booleans()):
            inner += "\n" + draw(html_list(depth + 1))
        items.append(f"<li>{inner}</li>")
    return f"<{tag}>\n" + "\n".join(items) + f"\n</{tag}>"


@st.composite
def html_table(draw) -> str:
    columns = draw(st.integers(1, 3))
    header = "<tr>" + "".join(f"<th>{draw(phrase)}</th>" for _ in range(columns)) + "</tr>"
    rows = ["<tr>" + "".join(f"<td>{draw(html_inline())}</td>" for _ in range(columns)) + "</tr>"
            for _ in range(draw(st.integers(1, 3)))]
    return "<table>\n" + "\n".join([header, *rows]) + "\n</table>"


@st.composite
def html_documents(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["p", "h2", "list", "table", "blockquote", "pre", "div"]))
        if kind in ("p", "h2"):
            parts.append(f"<{kind} class='c'>{draw(html_sentences())}</{kind}>")
        elif kind == "list":
            parts.append(draw(html_list()))
        elif kind == "table":
            parts.append(draw(html_table()))
        elif kind == "blockquote":
            parts.append(f"<blockquote><p>{draw(html_sentences())}</p></blockquote>")
        elif kind == "pre":
            parts.append(f"<pre>{draw(phrase)} &lt;b&gt;</pre>")
        else:
            parts.append(f"<div><p>{draw(html_sentences())}</p>\n<p>{draw(html_sentences())}</p></div>")
    head = '<!DOCTYPE html>\n<html lang="hi"><head><meta charset="utf-8"><title>समाचार</title></head>\n'
    return head + "<body>\n" + "\n".join(parts) + "\n</body></html>\n"


@SETTINGS
@given(source=html_documents())
def test_html_through_the_document_translator_is_byte_identical(translator, source):
    # The page's language changes to the target's, as a translated page must declare.
    expected = source.replace('<html lang="hi">', '<html lang="en">', 1)
    assert _translate(translator, source, "g.html", "html") == expected


# --- plain text -------------------------------------------------------------------------------


@st.composite
def text_documents(draw) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["sentences", "sentences", "heading", "blank", "spaces", "english"]))
        indent = draw(st.text(alphabet=" \t", max_size=3))
        if kind == "sentences":
            count = draw(st.integers(1, 3))
            lines.append(indent + " ".join(f"{draw(phrase)} {draw(ending)}{draw(END)}" for _ in range(count)))
        elif kind == "heading":
            lines.append(indent + draw(ending))
        elif kind == "blank":
            lines.append("")
        elif kind == "spaces":
            lines.append(draw(st.text(alphabet=" \t", min_size=1, max_size=3)))
        else:
            lines.append(indent + "The ministers met the press in Moscow.")
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


@SETTINGS
@given(source=text_documents())
def test_plain_text_through_the_document_translator_is_byte_identical(translator, source):
    assert _translate(translator, source, "g.txt", "text") == source
