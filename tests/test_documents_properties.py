"""Property tests of the readers and writers: structure survives when every sentence of generated
Markdown, HTML and plain text is replaced (test_documents.translate_doc splices replacements in
directly). The whole document translator, with a model that copies its input, is tested on
generated documents in test_translate_properties.py."""

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


# --- any input: identity is byte-identical; a translation keeps every target, code span and tag ---

MARKUP = [
    "*", "**", "_", "__", "~~", "`", "``", "[", "]", "(", ")", "![", "](", "<", ">", "</", "/>", "\\", "&",
    "&amp;", "&#38;", "#", "## ", "> ", "- ", "1. ", "|", "\n", "\n\n", "  \n", "    ", "{#x}", "---",
    "+++", '"', "'", "=", "<b>", "</b>", "<a href='#x' title=\"t\">", "</a>", '<img alt="चित्र" src="i.png">',
    "<div markdown=\"1\">", "</div>", "<span translate=\"no\">", "</span>", "<!-- c -->", "```", "\t",
]
any_markup = st.lists(
    st.one_of(st.sampled_from(MARKUP), st.sampled_from(WORDS), st.text(max_size=3)), max_size=40
).map("".join)


@SETTINGS
@given(any_markup)
def test_any_markdown_identity_is_byte_identical(source):
    doc = parse_document(source, "g.md", "markdown")
    assert translate_doc(doc, identity) == source


@SETTINGS
@given(any_markup)
def test_any_html_identity_is_byte_identical(source):
    doc = parse_document(source, "g.html", "html")
    assert translate_doc(doc, identity) == source


@st.composite
def rich_markdown(draw) -> str:
    """Markdown with front matter, HTML blocks, inline HTML, images, titles and in-page links."""
    parts = [f"---\ntitle: {draw(words)}\nlang: hi\ntags:\n  - a\n---\n"] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(1, 6))):
        n = draw(st.integers(1, 99))
        parts.append(draw(st.sampled_from([
            f"## {draw(words)}\n",
            f"{draw(words)} <b>{draw(words)}</b> <code>c_{n}</code> "
            f"[{draw(words)}](#{draw(words)} \"{draw(words)}\")\n",
            f"![{draw(words)}](img/{n}.png) {draw(words)}।\n",
            f'<aside markdown="1">\n{draw(words)} [{draw(words)}](https://e.org/{n})\n</aside>\n',
            f'<div class="x" title="{draw(words)}">{draw(words)} <a href="/p/{n}">{draw(words)}</a></div>\n',
            f"{draw(words)} **{draw(words)} `k = {n}`\n",
        ])))
    return "\n".join(parts)


def _kept_markup(text: str) -> list[str]:
    """Link targets, code spans, URLs, image paths, tag names and non-readable attributes."""
    found = re.findall(r"\]\(([^\s)]+)", text) + re.findall(r"`[^`]*`", text)
    found += re.findall(r"<(/?[a-z]+)", text) + re.findall(r"(?:href|src|class|markdown)=\"[^\"]*\"", text)
    return sorted(set(found))


@SETTINGS
@given(rich_markdown())
def test_translation_keeps_every_target_code_span_and_tag(source):
    doc = parse_document(source, "g.md", "markdown")
    assert translate_doc(doc, identity) == source
    out = translate_doc(doc, shout)
    assert "⟦" not in out
    # in-page links follow their (translated) headings; every other target is kept as it was
    kept = [m for m in _kept_markup(source) if not m.startswith("#")]
    assert set(kept) <= set(_kept_markup(out))
