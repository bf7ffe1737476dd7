"""Documents: blocks, kinds and stable ids per format; identity round trips; bad input."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from translate_kit.documents import (
    BlockKind,
    Document,
    detect_format,
    parse_document,
    read_document,
    render_block,
    write_document,
)
from translate_kit.documents.model import InlineSpan, render_inline
from translate_kit.documents.text import is_heading_like
from translate_kit.errors import InputError
from translate_kit.segment import sentence_spans

ARTICLE = """मॉस्को में जयशंकर ने लावरोव से मुलाकात की। दोनों देशों के बीच व्यापार पर चर्चा हुई।
Moscow: विदेश मंत्री डॉ. एस. जयशंकर ने रूसी समकक्ष से बातचीत की।
द्विपक्षीय संबंधों को मजबूत करने का उद्देश्य
जयशंकर ने कहा कि दोनों देशों के संबंध मजबूत हैं। उन्होंने सहयोग बढ़ाने की बात कही।
ऊर्जा सहयोग पर जोर
बैठक में परमाणु ऊर्जा पर भी चर्चा हुई।
"""


def translate_doc(doc: Document, fn: Callable[[str], str], lang: str = "hin_Deva") -> str:
    """Write `doc` with every sentence of every unit replaced by fn(sentence), as the pipeline does."""
    rendered = {}
    for block in doc.translatable():
        parts = {}
        for key, text in block.units():
            out, last = [], 0
            for start, end in sentence_spans(text, lang):
                out += [text[last:start], fn(text[start:end])]
                last = end
            parts[key] = "".join(out) + text[last:]
        rendered[block.id] = render_block(doc, block, parts[""], parts)
    return write_document(doc, rendered)


def identity(text: str) -> str:
    return text


def shout(text: str) -> str:
    """A fake 'translation' that changes every word but keeps span tokens (as the model must)."""
    return "T(" + text.upper() + ")"


# --- plain text ------------------------------------------------------------------------------------


def test_plain_text_one_paragraph_per_line_with_headings():
    doc = parse_document(ARTICLE, "a.txt", "text")
    assert [b.kind for b in doc.blocks] == [
        BlockKind.PARAGRAPH,
        BlockKind.PARAGRAPH,
        BlockKind.HEADING,
        BlockKind.PARAGRAPH,
        BlockKind.HEADING,
        BlockKind.PARAGRAPH,
    ]
    assert [b.id for b in doc.blocks] == [f"b{i}" for i in range(1, 7)]
    assert doc.blocks[2].text == "द्विपक्षीय संबंधों को मजबूत करने का उद्देश्य"
    assert [b.meta["line"] for b in doc.blocks] == [1, 2, 3, 4, 5, 6]


def test_seed_article_headings(shared_data):
    doc = read_document(shared_data / "articles" / "jaishankar-lavrov.hi.txt")
    headings = [b.meta["line"] for b in doc.blocks if b.kind == BlockKind.HEADING]
    assert headings == [3, 5, 7, 9, 13, 16]
    assert len(doc.blocks) == 17


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("रणनीतिक सहयोग पर जोर", True),
        ("Talks in Moscow", True),
        ("बैठक में चर्चा हुई।", False),
        ("He said:", False),
        ("2024", False),
        ("यह एक बहुत लंबी पंक्ति है जिसमें बहुत सारे शब्द हैं और जो किसी शीर्षक जैसी नहीं लगती है", False),
    ],
)
def test_heading_like(line, expected):
    assert is_heading_like(line) is expected


def test_hard_wrapped_paragraph_is_one_block_with_its_newlines():
    text = (
        "Indian Foreign Minister S. Jaishankar met his Russian\ncounterpart in Moscow on Tuesday and\n"
        "discussed trade.\n\nA second paragraph.\n"
    )
    doc = parse_document(text, "a.txt", "text")
    assert [b.kind for b in doc.blocks] == [BlockKind.PARAGRAPH, BlockKind.PARAGRAPH]
    assert doc.blocks[0].text.count("\n") == 2
    assert translate_doc(doc, identity, "eng_Latn") == text


def test_short_last_line_is_not_a_heading():
    doc = parse_document("पहला अनुच्छेद यहाँ है।\n\nपीटीआई\n", "a.txt", "text")
    assert [b.kind for b in doc.blocks] == [BlockKind.PARAGRAPH, BlockKind.PARAGRAPH]


def test_plain_text_translation_keeps_layout():
    text = "  शीर्षक यहाँ\n\n\tपहला वाक्य। दूसरा वाक्य।  \n\n\nअंतिम पंक्ति।"
    out = translate_doc(parse_document(text, "a.txt", "text"), shout)
    assert out == "  T(शीर्षक यहाँ)\n\n\tT(पहला वाक्य।) T(दूसरा वाक्य।)  \n\n\nT(अंतिम पंक्ति।)"


# --- Markdown ----------------------------------------------------------------------------------------

MARKDOWN = """---
title: मुलाकात
---
# जयशंकर और **लावरोव** की मुलाकात #

मॉस्को में [विदेश मंत्री](https://mea.gov.in/a_(b) "MEA") ने *बातचीत* की।\\
दूसरी पंक्ति `code x` और ![चित्र](photo.jpg) \\* और &amp; ~~पुराना~~।

> उद्धरण की पहली पंक्ति
> दूसरी पंक्ति [यहाँ](u)

- पहला बिंदु
- दूसरा **बिंदु**
  जारी

| देश | राजधानी |
|---|:-:|
| भारत | नई **दिल्ली** |

Setext शीर्षक
======

```python
print("नमस्ते")
```

    indented code

<div>html block</div>

[r]: http://ref
"""


def test_markdown_blocks_and_kinds():
    doc = parse_document(MARKDOWN, "a.md", "markdown")
    kinds = [b.kind for b in doc.blocks]
    assert kinds == [
        BlockKind.HEADING,
        BlockKind.PARAGRAPH,
        BlockKind.QUOTE,
        BlockKind.LIST_ITEM,
        BlockKind.LIST_ITEM,
        BlockKind.TABLE_CELL,
        BlockKind.TABLE_CELL,
        BlockKind.TABLE_CELL,
        BlockKind.TABLE_CELL,
        BlockKind.HEADING,
        BlockKind.PARAGRAPH,  # the <div> of the HTML block
    ]
    assert all(b.meta.get("inline", "spans") in ("spans", "plain") for b in doc.blocks)
    assert [(p.kind, p.text, p.meta["front_matter"]) for p in doc.properties] == [
        (BlockKind.FIELD, "मुलाकात", "title")
    ]
    link = next(s for s in doc.blocks[1].spans.values() if s.open == "[")
    assert link.text == "विदेश मंत्री" and link.close == '](https://mea.gov.in/a_(b) "MEA")'
    assert doc.blocks[0].meta["level"] == 1


def test_markdown_identity_round_trip_is_byte_identical():
    doc = parse_document(MARKDOWN, "a.md", "markdown")
    assert translate_doc(doc, identity) == MARKDOWN


def test_markdown_translation_keeps_markup_code_and_structure():
    out = translate_doc(parse_document(MARKDOWN, "a.md", "markdown"), shout)
    assert "# T(जयशंकर और **T(लावरोव)** की मुलाकात) #\n" in out and "⟦" not in out  # tokens never leak
    assert "**T(लावरोव)**" in out
    assert '[T(विदेश मंत्री)](https://mea.gov.in/a_(b) "T(MEA)")' in out
    assert "`code x`" in out and "![T(चित्र)](photo.jpg)" in out and "~~T(पुराना)~~" in out
    assert '```python\nprint("नमस्ते")\n```' in out and "    indented code" in out
    assert "---\ntitle: T(मुलाकात)\n---" in out and "<div>T(HTML BLOCK)</div>" in out
    assert "> T(उद्धरण की पहली पंक्ति\n> दूसरी पंक्ति [T(यहाँ)](u))" in out  # one sentence over two lines
    assert "- T(दूसरा **T(बिंदु)**\n  जारी)" in out
    assert "| T(भारत) | T(नई **T(दिल्ली)**) |" in out
    again = parse_document(out, "b.md", "markdown")
    assert [b.kind for b in again.blocks] == [
        b.kind for b in parse_document(MARKDOWN, "a.md", "markdown").blocks
    ]


# --- HTML --------------------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html lang="hi"><head><meta charset="utf-8"><title>बैठक &amp; चर्चा</title>
<style>p { color: red }</style></head>
<body class='main'>
<h1 id=t>मॉस्को में <b>जयशंकर</b></h1>
<p>विदेश मंत्री ने <a href="https://mea.gov.in" title='MEA'>बयान</a> दिया&nbsp;और &copy; कहा।<br>
दूसरी पंक्ति <!-- टिप्पणी --> <code>x&lt;y</code>.</p>
<ul><li>पहला<li>दूसरा <em>ज़रूरी</ul>
<script>var s = "<p>नहीं</p>";</script>
<pre>  जैसा है  </pre>
<p translate="no">अनुवाद नहीं</p>
<table><tr><td>भारत</td><td>2024</td></tr></table>
</body></html>
"""


def test_html_blocks_and_identity_round_trip():
    doc = parse_document(HTML, "a.html", "html")
    assert [b.kind for b in doc.blocks] == [
        BlockKind.TITLE,
        BlockKind.HEADING,
        BlockKind.PARAGRAPH,
        BlockKind.LIST_ITEM,
        BlockKind.LIST_ITEM,
        BlockKind.TABLE_CELL,
        BlockKind.TABLE_CELL,
    ]
    assert doc.blocks[0].text == "बैठक & चर्चा"  # entities decoded for the model
    assert translate_doc(doc, identity) == HTML


def test_html_translation_keeps_tags_attributes_and_untouched_elements():
    out = translate_doc(parse_document(HTML, "a.html", "html"), lambda s: s + " & <x>")
    assert "<title>बैठक &amp; चर्चा &amp; &lt;x&gt;</title>" in out
    assert "<a href=\"https://mea.gov.in\" title='MEA &amp; &lt;x&gt;'>बयान &amp; &lt;x&gt;</a>" in out
    assert "<!-- टिप्पणी --> <code>x&lt;y</code>" in out
    for untouched in (
        '<script>var s = "<p>नहीं</p>";</script>',
        "<pre>  जैसा है  </pre>",
        '<p translate="no">अनुवाद नहीं</p>',
        "<style>p { color: red }</style>",
        "<h1 id=t>",
    ):
        assert untouched in out


def test_malformed_html_is_read_and_written_without_error():
    src = "<p>खुला <b>मोटा <i>तिरछा</p><div>भटका</span> अंत</div><p>अधूरा"
    doc = parse_document(src, "bad.html", "html")
    assert [b.plain_text() for b in doc.blocks] == ["खुला मोटा तिरछा", "भटका अंत", "अधूरा"]
    assert translate_doc(doc, identity) == src
    assert translate_doc(doc, shout) == (
        "<p>T(खुला <b>T(मोटा <i>T(तिरछा)))</p><div>T(भटका</span> अंत)</div><p>T(अधूरा)"
    )


# --- JSONL -------------------------------------------------------------------------------------------

JSONL = (
    '{"id": 1, "title": "जयशंकर मॉस्को में", "body": "बैठक हुई। चर्चा हुई।", "meta": {"lang": "hi"}}\n'
    "\n"
    '{"id":2,"title":"दूसरा","body":null,"meta":{"lang":"hi"}}\n'
)


def test_jsonl_fields_other_fields_and_identity():
    doc = parse_document(JSONL, "n.jsonl", "jsonl", fields=("title", "body"))
    assert [b.id for b in doc.blocks] == ["L1.title", "L1.body", "L3.title"]
    assert translate_doc(doc, identity) == JSONL
    out = translate_doc(doc, shout).split("\n")
    assert out[0] == (
        '{"id": 1, "title": "T(जयशंकर मॉस्को में)", "body": "T(बैठक हुई।) T(चर्चा हुई।)", "meta": {"lang": "hi"}}'
    )
    assert out[1] == "" and out[2] == '{"id":2,"title":"T(दूसरा)","body":null,"meta":{"lang":"hi"}}'


def test_jsonl_nested_field():
    doc = parse_document('{"a": {"b": "नमस्ते"}}\n', "n.jsonl", "jsonl", fields=("a.b",))
    assert translate_doc(doc, shout) == '{"a": {"b": "T(नमस्ते)"}}\n'


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "n.jsonl:2: not valid JSON"),
        ('{"title": "x"}', "n.jsonl:2: record has no field 'body'"),
        ('{"body": 5}', "n.jsonl:2: field 'body' holds a JSON int"),
        ("[1, 2]", "n.jsonl:2: expected a JSON object"),
    ],
)
def test_jsonl_bad_line_names_file_and_line(line, message):
    with pytest.raises(InputError, match=message):
        parse_document('{"body": "ठीक"}\n' + line + "\n", "n.jsonl", "jsonl", fields=("body",))


# --- tables ------------------------------------------------------------------------------------------


def test_tsv_column_translated_rest_kept_byte_identical():
    tsv = 'id\ttext\tnote\n1\tवह "घर" गया।\t007\n2\t\tखाली\n3\tनमस्ते\t\n'
    doc = parse_document(tsv, "s.tsv", "tsv", columns=("text",))
    assert [(b.id, b.meta["line"]) for b in doc.blocks] == [("r1.text", 2), ("r3.text", 4)]
    assert translate_doc(doc, identity) == tsv
    assert translate_doc(doc, shout) == 'id\ttext\tnote\n1\tT(वह "घर" गया।)\t007\n2\t\tखाली\n3\tT(नमस्ते)\t\n'


def test_csv_quoting_round_trip():
    csv_text = 'id,text\n1,"नमस्ते, दुनिया"\n2,"वह ""घर"" गया"\n'
    doc = parse_document(csv_text, "s.csv", "csv", columns=("text",))
    assert translate_doc(doc, identity) == csv_text


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("a\ttext\n1\tठीक\n2\tएक\tदो\n", r"s.tsv:3: row has 3 fields but the header has 2"),
        ("a\ttext\n1\n", r"s.tsv:2: row has 1 fields but the header has 2"),
        ("", r"s.tsv:1: empty table"),
        ("a\tb\n1\t2\n", r"s.tsv:1: no column 'text' \(columns: a, b\)"),
    ],
)
def test_bad_tables_name_file_and_line(table, message):
    with pytest.raises(InputError, match=message):
        parse_document(table, "s.tsv", "tsv", columns=("text",))


# --- reading files -----------------------------------------------------------------------------------


def test_detect_format():
    assert [
        detect_format(p)
        for p in ("a.hi.txt", "a.MD", "b.htm", "c.jsonl", "d.tsv", "e.csv", "f.srt", "g.VTT", "-")
    ] == ["text", "markdown", "html", "jsonl", "tsv", "csv", "srt", "vtt", "text"]
    assert [detect_format(p) for p in ("a.DOCX", "b.pptx", "c.odt", "d.odp", "e.epub")] == [
        "docx", "pptx", "odt", "odp", "epub",
    ]
    assert detect_format("x.txt", "markdown") == "markdown"
    with pytest.raises(InputError, match="unknown format"):
        detect_format("x.txt", "xlsx")


def test_invalid_utf8_binary_and_empty_files(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes("पहली पंक्ति\nदूसरी ".encode() + b"\xff\xfe\n")
    with pytest.raises(InputError, match=r"bad.txt:2: invalid UTF-8 at byte"):
        read_document(bad)
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(InputError, match="binary"):
        read_document(binary)
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    for fmt in ("text", "markdown", "html", "jsonl"):
        doc = read_document(empty, fmt, fields=("body",))
        assert doc.blocks == [] and write_document(doc, {}) == ""


def test_ten_megabyte_paragraph_is_one_block_split_into_sentences():
    sentence = "भारत और रूस ने व्यापार बढ़ाने पर सहमति जताई। "
    text = sentence * (10_000_000 // len(sentence.encode()))
    doc = parse_document(text, "big.txt", "text")
    assert len(doc.blocks) == 1
    spans = sentence_spans(doc.blocks[0].text, "hin_Deva")
    assert len(spans) == text.count("।")


def test_lost_or_repeated_span_tokens_never_lose_or_duplicate_markup():
    spans = {"⟦1⟧": InlineSpan("[", "बयान", "](https://mea.gov.in)"), "⟦2⟧": InlineSpan("`x`")}
    assert render_inline("See ⟦1⟧ and ⟦1⟧ ⟦2⟧.", spans, {"⟦1⟧": "statement"}, identity) == (
        "See [statement](https://mea.gov.in) and  `x`."
    )
    assert render_inline("The model lost them.", spans, {}, identity) == (
        "The model lost them. [बयान](https://mea.gov.in) `x`"
    )
    assert render_inline("Literal ⟦7⟧ text", spans, {}, identity).startswith("Literal ⟦7⟧ text")
