"""Property tests: structure survives translation for generated Markdown, HTML and plain text."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_documents import identity, shout, translate_doc

from translate_kit.documents import parse_document

WORDS = ["भारत", "रूस", "विदेश", "मंत्री", "बैठक", "व्यापार", "सहयोग", "India", "talks", "trade", "Moscow"]
words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)
sentence = st.builds(lambda w, end: w + end, words, st.sampled_from(["।", ".", "?", "!"]))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _md_inline(draw) -> str:
    pieces = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["text", "link", "em", "strong", "code"]))
        text = draw(words)
        n = draw(st.integers(1, 99))
        pieces.append(
            {
                "text": text,
                "link": f"[{text}](https://example.org/{n}?q=a_b)",
                "em": f"*{text}*",
                "strong": f"**{text}**",
                "code": f"`x_{n} = {n}`",
            }[kind]
        )
    return " ".join(pieces) + draw(st.sampled_from(["।", ".", ""]))


@st.composite
def markdown_docs(draw) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["heading", "paragraph", "list", "fence", "quote"]))
        if kind == "heading":
            blocks.append("#" * draw(st.integers(1, 4)) + " " + _md_inline(draw))
        elif kind == "paragraph":
            blocks.append("\n".join(_md_inline(draw) for _ in range(draw(st.integers(1, 3)))))
        elif kind == "list":
            blocks.append("\n".join("- " + _md_inline(draw) for _ in range(draw(st.integers(1, 3)))))
        elif kind == "quote":
            blocks.append("> " + _md_inline(draw))
        else:
            blocks.append("```\n" + draw(words) + " **not markup**\n```")
    return "\n\n".join(blocks) + "\n"


@st.composite
def html_docs(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        tag = draw(st.sampled_from(["p", "h2", "li", "td", "pre"]))
        inline = []
        for _ in range(draw(st.integers(1, 3))):
            text = draw(words)
            inline.append(
                draw(
                    st.sampled_from(
                        [
                            text,
                            f'<a href="/n?a=1&amp;b=2">{text}</a>',
                            f"<b>{text}</b>",
                            f"<em>{text}</em>",
                            "<br>",
                        ]
                    )
                )
            )
        parts.append(f"<{tag} class='c'>{' '.join(inline)}{draw(st.sampled_from(['।', '.', '']))}</{tag}>")
    return "<html><body>\n" + "\n".join(parts) + "\n</body></html>\n"


@st.composite
def text_docs(draw) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.booleans()):
            lines.append(draw(words))  # heading-like
        else:
            lines.append(" ".join(draw(st.lists(sentence, min_size=1, max_size=3))))
        lines.append(draw(st.sampled_from(["\n", "\n\n"])))
    return "".join(lines)


def _structure(doc):
    return [(b.kind, len(b.spans)) for b in doc.blocks]


@SETTINGS
@given(markdown_docs())
def test_markdown_structure_survives(source):
    doc = parse_document(source, "g.md", "markdown")
    assert translate_doc(doc, identity) == source
    out = translate_doc(doc, shout)
    again = parse_document(out, "t.md", "markdown")
    assert _structure(again) == _structure(doc)
    assert re.findall(r"\]\([^)]*\)", out) == re.findall(r"\]\([^)]*\)", source)  # every URL, in order
    assert re.findall(r"`[^`]*`", out) == re.findall(r"`[^`]*`", source)  # code untouched
    assert "⟦" not in out


@SETTINGS
@given(html_docs())
def test_html_structure_survives(source):
    doc = parse_document(source, "g.html", "html")
    assert translate_doc(doc, identity) == source
    out = translate_doc(doc, shout)
    again = parse_document(out, "t.html", "html")
    assert _structure(again) == _structure(doc)
    assert re.findall(r"<[^>]*>", out) == re.findall(r"<[^>]*>", source)  # every tag and attribute
    assert re.findall(r"<pre.*?</pre>", out) == re.findall(r"<pre.*?</pre>", source)


@SETTINGS
@given(text_docs())
def test_plain_text_structure_survives(source):
    doc = parse_document(source, "g.txt", "text")
    assert translate_doc(doc, identity) == source
    out = translate_doc(doc, lambda s: "T(" + s + ")")  # case kept: the wrapped-line rule looks at case
    assert [b.kind for b in parse_document(out, "t.txt", "text").blocks] == [b.kind for b in doc.blocks]
    assert out.count("\n") == source.count("\n")
