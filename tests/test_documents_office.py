"""DOCX, PPTX, ODT, ODP and EPUB: identity round trips, rewritten paragraphs that keep their
formatting, translation through the tiny model that keeps links, pictures, tables, heading styles
and spans, and bad or hostile files refused with one line."""

from __future__ import annotations

import io
import json
import pickle
import zipfile

import docx
import pptx
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from office_files import (
    MEA,
    W_NS,
    devanagari,
    news_docx,
    news_epub,
    news_odp,
    news_odt,
    news_pptx,
    replace_entry,
    simple_docx,
    simple_odt,
)

from translate_kit.cli import cli
from translate_kit.documents import parse_document, render_block, write_document
from translate_kit.documents.package import escape
from translate_kit.errors import InputError

BUILDERS = {"docx": news_docx, "pptx": news_pptx, "odt": news_odt, "odp": news_odp, "epub": news_epub}
W = f"{{{W_NS}}}"
SUFFIX = " यह अंत है।"


@pytest.fixture(scope="module")
def files():
    return {fmt: build() for fmt, build in BUILDERS.items()}


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def _identity(doc) -> dict[str, str]:
    return {block.id: render_block(doc, block, block.text, {}) for block in doc.blocks + doc.properties}


def _suffixed(doc) -> dict[str, str]:
    """Every block rendered from its own text and spans plus a Hindi sentence: all are rewritten."""
    return {block.id: render_block(doc, block, block.text + SUFFIX, {}) for block in doc.blocks}


def _formatted(doc) -> list[int]:
    """How many formatted or linked spans each block has (an atom the tiny model drops moves to the
    block's end, where a reader leaves it outside the block)."""
    return [sum(bool(span.text) for span in block.spans.values()) for block in doc.blocks]


def _shape(doc) -> list[tuple]:
    return [(b.kind, b.text, [(s.open, s.text, s.close) for s in b.spans.values()]) for b in doc.blocks]


@pytest.mark.parametrize("fmt", BUILDERS)
def test_identity_translation_gives_back_the_same_bytes(files, fmt):
    doc = parse_document(files[fmt], f"news.{fmt}", fmt)
    assert doc.blocks and all(devanagari(block.plain_text()) for block in doc.blocks)
    assert write_document(doc, _identity(doc)) == files[fmt]
    again = pickle.loads(pickle.dumps(doc))  # the Ray runner ships parsed documents
    assert write_document(again, _identity(again)) == files[fmt]


@pytest.mark.parametrize("fmt", BUILDERS)
def test_rewritten_paragraphs_keep_their_formatting_and_the_rest_stays_byte_identical(files, fmt):
    doc = parse_document(files[fmt], f"news.{fmt}", fmt)
    out = write_document(doc, _suffixed(doc))
    after = parse_document(out, f"news.{fmt}", fmt)
    assert _shape(after) == [(kind, text + SUFFIX, spans) for kind, text, spans in _shape(doc)]
    parts = {block.meta["part"] for block in doc.blocks} | {"word/styles.xml"}
    before_entries, after_entries = _entries(files[fmt]), _entries(out)
    assert list(after_entries) == list(before_entries)
    assert {n: c for n, c in after_entries.items() if n not in parts} == {
        n: c for n, c in before_entries.items() if n not in parts
    }


def test_docx_rewrite_keeps_links_fields_footnotes_pictures_and_heading_styles(files):
    doc = parse_document(files["docx"], "news.docx", "docx")
    out = write_document(doc, _suffixed(doc))
    root = etree.fromstring(_entries(out)["word/document.xml"])
    original = etree.fromstring(_entries(files["docx"])["word/document.xml"])
    for tag in (
        "fldChar",
        "instrText",
        "footnoteReference",
        "drawing",
        "bookmarkStart",
        "bookmarkEnd",
        "commentRangeStart",
        "commentReference",
        "pPr",
        "tblPr",
        "sectPr",
    ):
        assert [etree.tostring(e, method="c14n") for e in root.iter(W + tag)] == [
            etree.tostring(e, method="c14n") for e in original.iter(W + tag)
        ], tag
    assert [len(list(t.iter(W + "tc"))) for t in root.iter(W + "tbl")] == [4]
    assert [h.attrib for h in root.iter(W + "hyperlink")] == [
        h.attrib for h in original.iter(W + "hyperlink")
    ]
    reopened = docx.Document(io.BytesIO(out))
    body = reopened.paragraphs[1]
    assert [r.text for r in body.runs if r.bold] == ["सोमवार को"]
    assert [r.text for r in body.runs if r.italic] == ["रूसी समकक्ष"]
    assert body.hyperlinks[0].address == MEA and body.hyperlinks[0].text == "संयुक्त बयान"
    assert reopened.paragraphs[0].style.name == "Heading 1"


def test_docx_identity_holds_after_c14n_for_every_xml_part(files):
    doc = parse_document(files["docx"], "news.docx", "docx")
    before, after = _entries(files["docx"]), _entries(write_document(doc, _identity(doc)))
    for name, content in before.items():
        if name.endswith((".xml", ".rels")):
            assert etree.tostring(etree.fromstring(after[name]), method="c14n") == etree.tostring(
                etree.fromstring(content), method="c14n"
            )


WORD_SPLIT = (
    '<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r w:rsidR="00A1"><w:t>विदेश मंत्री</w:t></w:r>'
    '<w:proofErr w:type="spellStart"/><w:r w:rsidR="00B2"><w:t xml:space="preserve"> ने </w:t></w:r>'
    '<w:proofErr w:type="spellEnd"/><w:r w:rsidR="00C3"><w:rPr><w:b/></w:rPr><w:t>बयान</w:t></w:r>'
    '<w:r w:rsidR="00D4"><w:rPr><w:b/></w:rPr><w:t xml:space="preserve"> दिया</w:t></w:r>'
    '<w:r><w:t>।</w:t></w:r><w:fldSimple w:instr=" PAGE "><w:r><w:t>3</w:t></w:r></w:fldSimple></w:p>'
)


def test_runs_word_split_at_editing_sessions_are_one_sentence_and_come_back_as_one_run(files):
    """Word cuts runs at every editing session (rsid) and spelling mark; the model must see one
    sentence, and equal formatting goes back as one run."""
    original = _entries(files["docx"])["word/document.xml"].decode()
    start = original.index("<w:body>") + len("<w:body>")
    data = replace_entry(
        files["docx"], "word/document.xml", (original[:start] + WORD_SPLIT + original[start:]).encode()
    )
    doc = parse_document(data, "split.docx", "docx")
    block = doc.blocks[0]
    assert (block.kind, block.text) == ("heading", "विदेश मंत्री ने ⟦1⟧।")
    assert block.spans["⟦1⟧"].text == "बयान दिया"
    rendered = render_block(doc, block, "The minister ⟦1⟧.", {"⟦1⟧": "made a statement"})
    paragraph = docx.Document(io.BytesIO(write_document(doc, {block.id: rendered}))).paragraphs[0]
    assert [(run.text, run.bold) for run in paragraph.runs] == [
        ("The minister ", None),
        ("made a statement", True),
        (".", None),
    ]
    assert paragraph.style.name == "Heading 2" and 'w:instr=" PAGE "' in paragraph._p.xml


WORDS = [
    "भारत",
    "और",
    "रूस",
    "ने",
    "व्यापार",
    "पर",
    "चर्चा",
    "की।",
    "मॉस्को",
    "India",
    "trade",
    "talks",
    "GitHub",
    "2024",
    "विदेश",
    "मंत्री",
    "Delhi",
]
_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)
_run = st.tuples(
    st.tuples(_text, st.sampled_from(["", " "])).map("".join),
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, None, None, MEA, "https://pib.gov.in/?id=7&x=1"]),
)
_paragraphs = st.lists(st.lists(_run, min_size=1, max_size=6), min_size=1, max_size=5)
_table = st.one_of(st.none(), st.lists(st.lists(_text, min_size=2, max_size=2), min_size=1, max_size=3))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paragraphs=_paragraphs, table=_table)
def test_drawn_docx_round_trips_and_keeps_every_formatted_word(paragraphs, table):
    data = simple_docx(paragraphs, table)
    doc = parse_document(data, "drawn.docx", "docx")
    assert write_document(doc, _identity(doc)) == data
    out = write_document(doc, _suffixed(doc))
    after = parse_document(out, "drawn.docx", "docx")
    assert _shape(after) == [(kind, text + SUFFIX, spans) for kind, text, spans in _shape(doc)]
    reopened = docx.Document(io.BytesIO(out))
    for source, paragraph in zip(paragraphs, reopened.paragraphs, strict=True):
        assert paragraph.text == "".join(text for text, *_ in source) + SUFFIX
        bold = "".join(r.text for r in paragraph.runs if r.bold)  # the added sentence may be bold too
        assert all(text in bold for text, is_bold, _, url in source if is_bold and not url)
        links = [(url, text) for text, _, _, url in source if url]
        assert [(link.address, link.text) for link in paragraph.hyperlinks] == links
    if table:
        cells = [[cell.text for cell in row.cells] for row in reopened.tables[0].rows]
        assert cells == [[text + SUFFIX for text in row] for row in table]


_odt_run = st.tuples(
    st.tuples(_text, st.sampled_from(["", " ", "  "])).map("".join),
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, None, MEA]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paragraphs=st.lists(st.lists(_odt_run, min_size=1, max_size=6), min_size=1, max_size=4))
def test_drawn_odt_round_trips_and_keeps_spans_links_and_spaces(paragraphs):
    data = simple_odt(paragraphs)
    doc = parse_document(data, "drawn.odt", "odt")
    assert write_document(doc, _identity(doc)) == data
    out = write_document(doc, _suffixed(doc))
    after = parse_document(out, "drawn.odt", "odt")
    assert _shape(after) == [(kind, text + SUFFIX, spans) for kind, text, spans in _shape(doc)]
    texts = ["".join(text for text, *_ in runs).rstrip() for runs in paragraphs]  # trailing spaces: outside
    assert [b.plain_text().rstrip() for b in doc.blocks] == texts
    links = sum(url is not None for runs in paragraphs for *_, url in runs)
    content = _entries(out)["content.xml"].decode()
    assert content.count(f'xlink:href="{MEA}"') == links and "  " not in content


@pytest.fixture
def translate(tiny_model_hi_en, tmp_path):
    def run(fmt: str, data: bytes, *extra: str) -> bytes:
        source, out = tmp_path / f"news.hi.{fmt}", tmp_path / f"news.en.{fmt}"
        source.write_bytes(data)
        result = CliRunner().invoke(
            cli,
            [
                "translate",
                str(source),
                "-o",
                str(out),
                "--model",
                str(tiny_model_hi_en),
                "--beam",
                "1",
                "--threads",
                "1",
                *extra,
            ],
        )
        assert result.exit_code == 0, result.output
        return out.read_bytes()

    return run


def test_docx_translation_keeps_links_pictures_tables_styles_and_spans(files, translate):
    out = translate("docx", files["docx"])
    before, after = parse_document(files["docx"], "a", "docx"), parse_document(out, "b", "docx")
    assert [(b.kind, b.meta["part"]) for b in after.blocks] == [
        (b.kind, b.meta["part"]) for b in before.blocks
    ]
    assert not any(devanagari(block.plain_text()) for block in after.blocks)
    assert _formatted(after) == _formatted(before)
    entries, original = _entries(out), _entries(files["docx"])
    media = [name for name in original if name.startswith("word/media/")]
    assert media and all(entries[name] == original[name] for name in media)
    for kept in ("word/comments.xml", "word/_rels/document.xml.rels", "word/settings.xml"):
        assert entries[kept] == original[kept]
    reopened = docx.Document(io.BytesIO(out))
    assert reopened.paragraphs[0].style.name == "Heading 1"
    body = reopened.paragraphs[1]
    assert body.hyperlinks[0].address == MEA and not devanagari(body.hyperlinks[0].text)
    assert sum(bool(r.bold) for r in body.runs) == 1 and sum(bool(r.italic) for r in body.runs) == 1
    assert len(reopened.tables[0].rows) == 2 and not devanagari(reopened.tables[0].cell(1, 1).text)
    assert len(reopened.inline_shapes) == 1
    styles = entries["word/styles.xml"].decode()
    assert 'w:val="en-IN"' in styles and 'w:bidi="en-IN"' in styles and "hi-IN" not in styles
    document = entries["word/document.xml"].decode()
    assert "PAGE" in document and 'w:footnoteReference w:id="1"' in document


def test_binary_output_goes_to_standard_output_as_bytes_and_bilingual_output_is_jsonl(
    files, tiny_model_hi_en, tmp_path
):
    source = tmp_path / "news.hi.docx"
    source.write_bytes(files["docx"])
    model = ["--model", str(tiny_model_hi_en), "--beam", "1", "--threads", "1", "-q"]
    result = CliRunner().invoke(cli, ["translate", str(source), "-o", "-", *model])
    assert result.exit_code == 0, result.output
    assert docx.Document(io.BytesIO(result.stdout_bytes)).paragraphs[0].style.name == "Heading 1"
    result = CliRunner().invoke(cli, ["translate", str(source), "--bilingual", "-o", "-", *model])
    records = [json.loads(line) for line in result.stdout.splitlines()]
    body = next(r for r in records if r["block"] == "b2")
    assert body["kind"] == "paragraph" and "सोमवार को" in body["source"]
    assert not devanagari(body["translation"])


def test_pptx_translation_keeps_titles_links_tables_pictures_and_notes(files, translate):
    out = translate("pptx", files["pptx"])
    deck = pptx.Presentation(io.BytesIO(out))
    slide = deck.slides[1]
    texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    assert texts and not any(devanagari(text) for text in texts)
    link_runs = [
        r for p in slide.placeholders[1].text_frame.paragraphs for r in p.runs if r.hyperlink.address
    ]
    assert [r.hyperlink.address for r in link_runs] == [MEA]
    assert sum(bool(r.font.bold) for r in slide.placeholders[1].text_frame.paragraphs[0].runs) == 1
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    assert not devanagari(table.cell(1, 0).text)
    assert not devanagari(slide.notes_slide.notes_text_frame.text)
    entries, original = _entries(out), _entries(files["pptx"])
    assert all(
        entries[n] == original[n] for n in original if n.startswith(("ppt/media/", "ppt/slideLayouts/"))
    )
    assert b'lang="hi-IN"' not in entries["ppt/slides/slide2.xml"]


@pytest.mark.parametrize("fmt", ["odt", "odp"])
def test_opendocument_translation_keeps_links_headings_lists_tables_and_notes(files, translate, fmt):
    out = translate(fmt, files[fmt])
    before, after = parse_document(files[fmt], "a", fmt), parse_document(out, "b", fmt)
    assert [b.kind for b in after.blocks] == [b.kind for b in before.blocks]
    assert _formatted(after) == _formatted(before)
    assert not any(devanagari(block.plain_text()) for block in after.blocks)
    content = _entries(out)["content.xml"].decode()
    if fmt == "odt":
        assert f'xlink:href="{MEA}"' in content and 'text:style-name="Strong"' in content
        assert "<text:note " in content and 'text:outline-level="1"' in content
        assert 'fo:language="en"' in _entries(out)["styles.xml"].decode()


def test_epub_translation_keeps_markup_pictures_and_sets_the_language(files, translate):
    out = translate("epub", files["epub"])
    entries, original = _entries(out), _entries(files["epub"])
    assert (
        list(entries)[0] == "mimetype" and zipfile.ZipFile(io.BytesIO(out)).infolist()[0].compress_type == 0
    )
    for kept in ("OEBPS/photo.png", "OEBPS/style.css", "META-INF/container.xml"):
        assert entries[kept] == original[kept]
    chapter = entries["OEBPS/text/chapter 1.xhtml"].decode()
    assert (
        '<a href="https://mea.gov.in/">' in chapter and "<b>" in chapter and 'src="../photo.png"' in chapter
    )
    assert 'xml:lang="en"' in chapter and not devanagari(chapter)
    opf = entries["OEBPS/content.opf"].decode()
    assert "<dc:language>en</dc:language>" in opf and not devanagari(opf)


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in entries.items():
            package.writestr(name, content)
    return out.getvalue()


XXE = (
    b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<w:document xmlns:w="'
    + W_NS.encode()
    + b'"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>'
)
BAD = {
    "renamed-text": ("docx", lambda f: "यह एक सादा पाठ है।\n".encode(), "not a DOCX file: not a zip package"),
    "truncated": (
        "docx",
        lambda f: f["docx"][: len(f["docx"]) // 2],
        "not a DOCX file: a damaged or truncated zip",
    ),
    "encrypted": (
        "docx",
        lambda f: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
        "not a DOCX file: an encrypted or legacy binary Office file",
    ),
    "zip-bomb": (
        "docx",
        lambda f: _zip({**_entries(f["docx"]), "word/media/big.bin": b"\0" * (4 << 20)}),
        "refused: word/media/big.bin inflates over 200x (zip bomb?)",
    ),
    "external-entity": (
        "docx",
        lambda f: replace_entry(f["docx"], "word/document.xml", XXE),
        "refused: word/document.xml declares a DTD",
    ),
    "not-xml": (
        "pptx",
        lambda f: replace_entry(f["pptx"], "ppt/slides/slide1.xml", b"<p:sld>"),
        "ppt/slides/slide1.xml is not well-formed XML",
    ),
    "epub-as-docx": ("docx", lambda f: f["epub"], "not a DOCX file: [Content_Types].xml is missing"),
    "spreadsheet-as-odt": (
        "odt",
        lambda f: replace_entry(f["odt"], "mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        "not an ODT or ODP file: its mimetype is",
    ),
    "epub-without-container": (
        "epub",
        lambda f: _zip({"mimetype": b"application/epub+zip"}),
        "not a EPUB file: META-INF/container.xml is missing",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_files_are_refused_with_one_line_naming_the_file(files, tmp_path, case):
    fmt, build, message = BAD[case]
    path = tmp_path / f"bad.{fmt}"
    path.write_bytes(build(files))
    with pytest.raises(InputError) as caught:
        parse_document(path.read_bytes(), str(path), fmt)
    assert str(caught.value).startswith(f"{path}: {message}") and "\n" not in str(caught.value)
    result = CliRunner().invoke(cli, ["translate", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: {path}: {message}")
    assert result.stderr.strip().count("\n") == 0 and not (tmp_path / "out").exists()


def test_text_is_not_taken_for_a_binary_format_and_escape_keeps_xml_valid():
    with pytest.raises(InputError, match="docx is a binary format"):
        parse_document("भारत", "<text 1>", "docx")
    assert escape("a < b & c\x01") == "a &lt; b &amp; c"
