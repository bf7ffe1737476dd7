"""Office files built in code for the document tests: real-looking Hindi news documents in DOCX,
PPTX, ODT, ODP and EPUB, with the things a translator must not break (links, pictures, tables,
heading styles, fields, footnotes, text boxes, comments, notes)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MEA = "https://mea.gov.in/press-releases"


def png() -> bytes:
    """A valid 2x2 red PNG (python-docx and python-pptx read its header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def add_hyperlink(paragraph, text: str, url: str, *, bold: bool = False) -> None:
    """A python-docx paragraph gets an external hyperlink run (python-docx has no API for it)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import parse_xml

    rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    bold_xml = "<w:b/>" if bold else ""
    paragraph._p.append(
        parse_xml(
            f'<w:hyperlink xmlns:w="{W_NS}" xmlns:r="{R_NS}" r:id="{rid}"><w:r><w:rPr>'
            f'<w:rStyle w:val="Hyperlink"/>{bold_xml}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'
            "</w:hyperlink>"
        )
    )


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


FOOTNOTES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W_NS}">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
    '</w:footnote><w:footnote w:id="1"><w:p><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
    '<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> यह जानकारी पीटीआई से ली गई है।</w:t></w:r></w:p>'
    "</w:footnote></w:footnotes>"
)


def _with_part(data: bytes, name: str, content_type: str, rel_type: str, xml: str, rid: str) -> bytes:
    """A package with one more part related from word/document.xml (python-docx writes no footnotes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>'.encode(),
                )
            elif info.filename == "word/_rels/document.xml.rels":
                target_name = name.split("/", 1)[1]
                content = content.replace(
                    b"</Relationships>",
                    f'<Relationship Id="{rid}" Type="{rel_type}" Target="{target_name}"/>'
                    "</Relationships>".encode(),
                )
            target.writestr(info, content)
        target.writestr(name, xml)
    return out.getvalue()


def news_docx() -> bytes:
    """A Hindi news article in Word: heading with a bookmark, a sentence over plain, bold, italic and
    linked runs, a page field, a footnote, a picture, a table, a text box, a header, a comment, and
    Hindi as the document's declared language."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    for lang in document.styles.element.iter(f"{{{W_NS}}}lang"):
        lang.set(f"{{{W_NS}}}val", "hi-IN")
        lang.set(f"{{{W_NS}}}bidi", "hi-IN")
    heading = document.add_heading("जयशंकर की मॉस्को यात्रा", level=1)
    heading._p.insert(1, parse_xml(f'<w:bookmarkStart xmlns:w="{W_NS}" w:id="0" w:name="_Toc1"/>'))
    heading._p.append(parse_xml(f'<w:bookmarkEnd xmlns:w="{W_NS}" w:id="0"/>'))
    body = document.add_paragraph("विदेश मंत्री ने ")
    body.add_run("सोमवार को").bold = True
    body.add_run(" मॉस्को में ")
    body.add_run("रूसी समकक्ष").italic = True
    body.add_run(" से मुलाकात की और ")
    add_hyperlink(body, "संयुक्त बयान", MEA)
    body.add_run(" जारी किया।")
    body._p.append(
        parse_xml(
            f'<w:r xmlns:w="{W_NS}"><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
            '<w:footnoteReference w:id="1"/></w:r>'
        )
    )
    page = document.add_paragraph("पूरा विवरण पृष्ठ ")
    for xml in (
        '<w:fldChar w:fldCharType="begin"/>',
        '<w:instrText xml:space="preserve"> PAGE </w:instrText>',
        '<w:fldChar w:fldCharType="separate"/>',
        "<w:t>2</w:t>",
        '<w:fldChar w:fldCharType="end"/>',
    ):
        page._p.append(parse_xml(f'<w:r xmlns:w="{W_NS}">{xml}</w:r>'))
    page.add_run(" पर है।")
    document.add_picture(io.BytesIO(png()))
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "देश", (0, 1): "राजधानी", (1, 0): "भारत", (1, 1): "नई दिल्ली"}.items():
        table.cell(row, col).text = text
    boxed = document.add_paragraph("चित्र के पास ")
    boxed._p.append(
        parse_xml(
            f'<w:r xmlns:w="{W_NS}"><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml" id="box1" '
            'style="width:120pt;height:40pt"><v:textbox><w:txbxContent><w:p><w:r>'
            "<w:t>पाठ बॉक्स में लिखा वाक्य।</w:t></w:r></w:p></w:txbxContent></v:textbox>"
            "</v:shape></w:pict></w:r>"
        )
    )
    boxed.add_run(" एक टिप्पणी है।")
    commented = document.add_paragraph("दोनों देशों ने व्यापार बढ़ाने पर सहमति जताई।")
    document.add_comment(commented.runs, text="स्रोत जांचें", author="संपादक")
    document.sections[0].header.paragraphs[0].text = "अंतरराष्ट्रीय समाचार"
    return _with_part(
        _save(document),
        "word/footnotes.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        f"{R_NS}/footnotes",
        FOOTNOTES,
        "rIdFootnotes",
    )


def simple_docx(paragraphs, table=None) -> bytes:
    """A DOCX from drawn paragraphs: each a list of (text, bold, italic, link URL or None) runs."""
    import docx

    document = docx.Document()
    for runs in paragraphs:
        paragraph = document.add_paragraph()
        for text, bold, italic, url in runs:
            if url:
                add_hyperlink(paragraph, text, url, bold=bold)
            else:
                run = paragraph.add_run(text)
                run.bold, run.italic = bold or None, italic or None
    if table:
        cells = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                cells.cell(r, c).text = text
    return _save(document)


def news_pptx() -> bytes:
    """Two slides: a title slide, and a slide with bold and linked runs, a line break, a table,
    a picture and speaker notes."""
    import pptx
    from pptx.util import Inches

    deck = pptx.Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = "भारत-रूस संबंध"
    first.placeholders[1].text = "विदेश मंत्रालय की प्रस्तुति"
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "बैठक के मुख्य बिंदु"
    frame = slide.placeholders[1].text_frame
    frame.text = "दोनों देशों ने "
    line = frame.paragraphs[0]
    run = line.add_run()
    run.text, run.font.bold = "व्यापार", True
    line.add_run().text = " और ऊर्जा पर चर्चा की।"
    linked = frame.add_paragraph().add_run()
    linked.text = "पूरा बयान पढ़ें"
    linked.hyperlink.address = MEA
    grid = slide.shapes.add_table(2, 2, Inches(1), Inches(4.5), Inches(4), Inches(1)).table
    for (row, col), text in {(0, 0): "क्षेत्र", (0, 1): "लक्ष्य", (1, 0): "व्यापार", (1, 1): "दोगुना"}.items():
        grid.cell(row, col).text = text
    slide.shapes.add_picture(io.BytesIO(png()), Inches(6), Inches(1))
    slide.notes_slide.notes_text_frame.text = "यहाँ व्यापार के आँकड़े बताएं।"
    for paragraph in (
        p for shape in slide.shapes if shape.has_text_frame for p in shape.text_frame.paragraphs
    ):
        for run in paragraph.runs:
            run.font._rPr.set("lang", "hi-IN")
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def news_odt() -> bytes:
    """An ODT article: heading, a sentence over plain, bold and linked text with double spaces, a
    list, a table and a footnote; Hindi declared in the default style."""
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import A, H, List, ListItem, Note, NoteBody, NoteCitation, P, S, Span

    document = OpenDocumentText()
    bold = Style(name="Strong", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    document.automaticstyles.addElement(bold)
    standard = Style(name="Standard", family="paragraph")
    standard.addElement(
        TextProperties(language="hi", country="IN", languagecomplex="hi", countrycomplex="IN")
    )
    document.styles.addElement(standard)
    document.text.addElement(H(outlinelevel=1, text="मॉस्को में द्विपक्षीय बैठक"))
    body = P(text="विदेश मंत्री ने ")
    body.addElement(Span(stylename=bold, text="सोमवार को"))
    body.addText(" लावरोव से")
    body.addElement(S(c=2))
    body.addText("मुलाकात की और ")
    body.addElement(A(href=MEA, type="simple", text="संयुक्त बयान"))
    body.addText(" जारी किया।")
    note = Note(id="ftn1", noteclass="footnote")
    note.addElement(NoteCitation(text="1"))
    note_body = NoteBody()
    note_body.addElement(P(text="यह जानकारी पीटीआई से ली गई है।"))
    note.addElement(note_body)
    body.addElement(note)
    document.text.addElement(body)
    items = List()
    for text in ("व्यापार बढ़ाने पर सहमति", "ऊर्जा सहयोग पर चर्चा"):
        item = ListItem()
        item.addElement(P(text=text))
        items.addElement(item)
    document.text.addElement(items)
    table = Table(name="Table1")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for row_texts in (("देश", "राजधानी"), ("भारत", "नई दिल्ली")):
        row = TableRow()
        for text in row_texts:
            cell = TableCell()
            cell.addElement(P(text=text))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def news_odp() -> bytes:
    """An ODP slide with a title frame and a text frame, and speaker notes."""
    from odf.draw import Frame, Page, TextBox
    from odf.namespaces import PRESENTATIONNS
    from odf.opendocument import OpenDocumentPresentation
    from odf.presentation import Notes
    from odf.style import MasterPage, PageLayout
    from odf.text import P

    document = OpenDocumentPresentation()
    layout = PageLayout(name="Layout")
    document.automaticstyles.addElement(layout)
    master = MasterPage(name="Default", pagelayoutname=layout)
    document.masterstyles.addElement(master)
    page = Page(masterpagename=master, name="slide1")
    for klass, text in (("title", "भारत-रूस संबंध"), ("outline", "दोनों देशों ने व्यापार पर चर्चा की।")):
        frame = Frame(width="20cm", height="3cm", x="1cm", y="1cm")
        frame.setAttrNS(PRESENTATIONNS, "class", klass)
        box = TextBox()
        box.addElement(P(text=text))
        frame.addElement(box)
        page.addElement(frame)
    notes = Notes()
    frame = Frame(width="20cm", height="3cm", x="1cm", y="1cm")
    frame.setAttrNS(PRESENTATIONNS, "class", "notes")
    box = TextBox()
    box.addElement(P(text="यहाँ आँकड़े बताएं।"))
    frame.addElement(box)
    notes.addElement(frame)
    page.addElement(notes)
    document.presentation.addElement(page)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


CONTAINER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="OEBPS/content.opf" '
    'media-type="application/oebps-package+xml"/></rootfiles></container>'
)
OPF = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
    'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
    '<dc:identifier id="id">urn:uuid:7d3c</dc:identifier><dc:title>मॉस्को यात्रा की डायरी</dc:title>'
    "<dc:description>विदेश मंत्री की रूस यात्रा का विवरण।</dc:description><dc:language>hi</dc:language>"
    '</metadata><manifest><item id="c1" href="text/chapter%201.xhtml" media-type="application/xhtml+xml"/>'
    '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
    '<item id="css" href="style.css" media-type="text/css"/>'
    '<item id="img" href="photo.png" media-type="image/png"/>'
    '</manifest><spine><itemref idref="c1"/></spine></package>'
)
CHAPTER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" '
    'xml:lang="hi" lang="hi"><head><title>पहला दिन</title><link rel="stylesheet" href="../style.css"/></head>'
    '<body><h1>मॉस्को पहुँचे</h1><p>विदेश मंत्री <b>सोमवार</b> को <a href="https://mea.gov.in/">मॉस्को</a> पहुँचे।</p>'
    '<img src="../photo.png" alt="हवाई अड्डे पर स्वागत"/></body></html>\n'
)
NAV = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" '
    'xmlns:epub="http://www.idpf.org/2007/ops"><body><nav epub:type="toc"><ol><li>'
    '<a href="text/chapter%201.xhtml">पहला दिन</a></li></ol></nav></body></html>\n'
)


def news_epub(opf: str = OPF, mimetype: str = "application/epub+zip") -> bytes:
    """An EPUB 3 book: one chapter (in a folder, its name URL-escaped), the nav, a picture, CSS."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # first and stored, as EPUB requires
        book.writestr("META-INF/container.xml", CONTAINER)
        book.writestr("OEBPS/content.opf", opf)
        book.writestr("OEBPS/text/chapter 1.xhtml", CHAPTER)
        book.writestr("OEBPS/nav.xhtml", NAV)
        book.writestr("OEBPS/style.css", "body { font-family: 'Noto Sans Devanagari'; }\n")
        book.writestr("OEBPS/photo.png", png())
    return out.getvalue()


def replace_entry(data: bytes, name: str, content: bytes) -> bytes:
    """The zip `data` with entry `name` replaced (a damaged or hostile part for the error tests)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == name else source.read(info))
    return out.getvalue()


def devanagari(text: str) -> bool:
    return bool(re.search("[\u0900-\u097f]", text))


def simple_odt(paragraphs) -> bytes:
    """An ODT from drawn paragraphs: each a list of (text, bold, italic, link URL or None) runs;
    runs of spaces are written as ``text:s``, as office suites write them."""
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TextProperties
    from odf.text import A, P, S, Span

    document = OpenDocumentText()
    styles = {}
    for name, properties in (("B", {"fontweight": "bold"}), ("I", {"fontstyle": "italic"}),
                             ("BI", {"fontweight": "bold", "fontstyle": "italic"})):
        styles[name] = Style(name=name, family="text")
        styles[name].addElement(TextProperties(**properties))
        document.automaticstyles.addElement(styles[name])

    def add_text(parent, text: str) -> None:
        for index, piece in enumerate(re.split("( {2,})", text)):
            if index % 2:
                parent.addText(" ")
                parent.addElement(S(c=len(piece) - 1))
            elif piece:
                parent.addText(piece)

    for runs in paragraphs:
        paragraph = P()
        for text, bold, italic, url in runs:
            name = ("B" if bold else "") + ("I" if italic else "")
            inner = Span(stylename=styles[name]) if name else None
            outer = A(href=url, type="simple") if url else None
            holder = inner or outer or paragraph
            add_text(holder, text)
            if inner is not None and outer is not None:
                outer.addElement(inner)
            if outer is not None or inner is not None:
                paragraph.addElement(outer if outer is not None else inner)
        document.text.addElement(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
