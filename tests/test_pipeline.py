"""Document translation (translate_kit.translate) with the tiny random-weight model: output is noise,
so these tests check structure, counts, batching across documents, the translation memory, what is
kept as is, and plain text line by line (the one route plain text takes)."""

from __future__ import annotations

import pytest
from copy_model import copy_translator, sentence_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate_kit.documents import BlockKind, parse_document, write_document
from translate_kit.engine import FAST, MAX_SOURCE_PIECES, DecodeOptions, Translator
from translate_kit.memory import TranslationMemory
from translate_kit.translate import DocumentTranslator

HINDI_ARTICLE = """मॉस्को में जयशंकर ने लावरोव से मुलाकात की। दोनों नेताओं ने व्यापार पर चर्चा की।
द्विपक्षीय संबंधों पर जोर
बैठक के बाद संयुक्त बयान जारी किया गया।
The ministers also met the press in Moscow.
"""


class CountingEngine:
    """Wraps the real translator, recording the size of every engine call."""

    def __init__(self, translator: Translator):
        self.translator = translator
        self.src, self.tgt, self.fingerprint = translator.src, translator.tgt, translator.fingerprint
        self.family = translator.family
        self.calls: list[int] = []

    def prepare(self, sentences, glossary=None):
        return self.translator.prepare(sentences, glossary)

    def translate_stream(self, prepared, options=None):
        self.calls.append(len(prepared))
        return self.translator.translate_stream(prepared, options)


@pytest.fixture(scope="module")
def engine(tiny_model_hi_en):
    return Translator.load(tiny_model_hi_en, threads=1)


@pytest.fixture
def copy_engine(tiny_model_hi_en):
    """The engine with a model that copies its input (tests/copy_model.py): exact outputs."""
    return copy_translator(tiny_model_hi_en)


def _translate(translator: DocumentTranslator, docs):
    return list(translator.translate([translator.plan(doc) for doc in docs]))


def _devanagari(text: str) -> bool:
    return any("\u0900" <= ch <= "\u097f" for ch in text)


def test_article_structure_kept_and_english_paragraph_left_alone(engine):
    doc = parse_document(HINDI_ARTICLE, "a.txt", "text")
    translator = DocumentTranslator(CountingEngine(engine), FAST)
    (result,) = _translate(translator, [doc])
    out = write_document(doc, result.rendered)
    lines = out.split("\n")
    assert len(lines) == len(HINDI_ARTICLE.split("\n"))
    assert not _devanagari(out)
    assert lines[3] == "The ministers also met the press in Moscow."  # already English: kept
    assert [b.kind for b in doc.blocks][:2] == [BlockKind.PARAGRAPH, BlockKind.HEADING]
    stats = translator.stats
    assert (stats.documents, stats.blocks, stats.blocks_kept) == (1, 4, 1)
    assert (stats.sentences, stats.translated) == (4, 4)


def test_sentences_are_batched_across_documents_and_deduplicated(engine):
    docs = [parse_document(f"बैठक {i} बजे शुरू हुई। सभी मंत्री उपस्थित थे।\n", f"d{i}.txt", "text") for i in range(10)]
    counting = CountingEngine(engine)
    translator = DocumentTranslator(counting, FAST)
    results = _translate(translator, docs)
    assert len(results) == 10
    assert counting.calls == [11]  # one call for all documents: 10 distinct first sentences + 1 shared
    assert (translator.stats.sentences, translator.stats.translated, translator.stats.duplicates) == (
        20,
        11,
        9,
    )

    one_by_one = CountingEngine(engine)
    translator = DocumentTranslator(one_by_one, FAST, window_sentences=1)
    _translate(translator, docs)
    assert one_by_one.calls == [2] + [1] * 9  # a window per document


def test_memory_serves_a_second_run_without_the_engine(engine, tmp_path):
    docs = [
        parse_document(HINDI_ARTICLE, "a.txt", "text"),
        parse_document("# शीर्षक\n\nनई दिल्ली में बैठक हुई।\n", "b.md", "markdown"),
    ]
    with TranslationMemory(tmp_path / "m.sqlite3") as memory:
        first = DocumentTranslator(CountingEngine(engine), FAST, memory=memory)
        outputs = [write_document(r.document, r.rendered) for r in _translate(first, docs)]
        assert first.stats.translated == 6 and first.stats.cached == 0
    with TranslationMemory(tmp_path / "m.sqlite3") as memory:
        counting = CountingEngine(engine)
        second = DocumentTranslator(counting, FAST, memory=memory)
        again = [write_document(r.document, r.rendered) for r in _translate(second, docs)]
    assert counting.calls == [] and second.stats.cached == 6 and second.stats.translated == 0
    assert again == outputs
    beam5 = DocumentTranslator(CountingEngine(engine), memory=TranslationMemory(tmp_path / "m.sqlite3"))
    _translate(beam5, docs)
    assert beam5.stats.translated == 6  # other decoding options: not served from the memory


def test_markup_survives_the_model(engine):
    source = (
        "# जयशंकर की **मॉस्को** यात्रा\n\n"
        "विदेश मंत्री ने [बयान](https://mea.gov.in/x?a=1) जारी किया और `code` दिखाया।\n"
    )
    doc = parse_document(source, "a.md", "markdown")
    translator = DocumentTranslator(CountingEngine(engine), FAST)
    (result,) = _translate(translator, [doc])
    out = write_document(doc, result.rendered)
    assert out.startswith("# ") and "⟦" not in out
    assert "](https://mea.gov.in/x?a=1)" in out and "`code`" in out and out.count("**") == 2
    again = parse_document(out, "b.md", "markdown")
    assert [b.kind for b in again.blocks] == [b.kind for b in doc.blocks]
    assert not _devanagari(out)


def test_html_entities_and_tags_through_the_model(engine):
    source = '<p class="x">दिल्ली &amp; मुंबई में <a href="/a?b=1&amp;c=2">बारिश</a> हुई।</p>\n<pre>जैसा</pre>\n'
    doc = parse_document(source, "a.html", "html")
    (result,) = _translate(DocumentTranslator(CountingEngine(engine), FAST), [doc])
    out = write_document(doc, result.rendered)
    assert out.startswith('<p class="x">') and '<a href="/a?b=1&amp;c=2">' in out and "</a>" in out
    assert out.endswith("</p>\n<pre>जैसा</pre>\n")


def test_glossary_terms_travel_as_placeholders_and_come_back(engine, copy_engine):
    doc = parse_document("सूर्या ने मैच जीता.\n", "a.txt", "text")
    translator = DocumentTranslator(copy_engine, FAST, glossary={"सूर्या": "Surya"})
    plan = translator.plan(doc)
    (sentence,) = plan.units[0].sentences
    assert sentence.prepared.placeholders == (("<ID1>", "Surya"),)
    (result,) = translator.translate([plan])
    assert write_document(doc, result.rendered) == "Surya ने मैच जीता.\n"
    assert translator.dropped_values == [] and translator.stats.dropped_placeholders == 0
    # A model that cannot write the placeholder (the tiny one): reported, never silent.
    lossy = DocumentTranslator(CountingEngine(engine), FAST, glossary={"सूर्या": "Surya"})
    (result,) = _translate(lossy, [doc])
    assert lossy.dropped_values == ["Surya"] and lossy.stats.dropped_placeholders == 1


def test_span_tokens_travel_whole_and_come_back_in_place(copy_engine):
    source = "भारत ने `x_1` और **रूस** पर [बयान](https://mea.gov.in/1) दिया.\n"
    doc = parse_document(source, "a.md", "markdown")
    translator = DocumentTranslator(copy_engine, FAST)
    plan = translator.plan(doc)
    (sentence,) = plan.units[0].sentences
    tokens = ("⟦1⟧", "⟦2⟧", "⟦3⟧")  # each span token is one placeholder, never its digit alone
    assert sentence.prepared.placeholders == tuple((f"<ID{i}>", t) for i, t in enumerate(tokens, 1))
    (result,) = translator.translate([plan])
    assert write_document(doc, result.rendered) == source and translator.stats.dropped_placeholders == 0


@pytest.mark.parametrize(("name", "fmt", "source"), [
    ("a.html", "html", "<p><b><code>x_1</code> भारत</b> ने<br>चर्चा की.</p>\n"),
    ("a.md", "markdown", "भारत ने **`x` रूस**की चर्चा\\\nकी.\n"),
])
def test_markup_touching_a_word_still_touches_it_after_translation(copy_engine, name, fmt, source):
    doc = parse_document(source, name, fmt)
    translator = DocumentTranslator(copy_engine, FAST)
    (result,) = _translate(translator, [doc])
    assert write_document(doc, result.rendered) == source


@pytest.mark.parametrize("source", [
    "भारत ने \\* चर्चा \\_ की \\[ बात \\\\ हुई.\n",
    "भारत &amp; रूस ने &nbsp; &copy; &#8377; चर्चा की.\n",
])
def test_markdown_escapes_and_entities_are_kept_byte_for_byte(copy_engine, source):
    doc = parse_document(source, "a.md", "markdown")
    translator = DocumentTranslator(copy_engine, FAST)
    (result,) = _translate(translator, [doc])
    assert write_document(doc, result.rendered) == source and translator.stats.dropped_placeholders == 0


def test_long_paragraph_without_punctuation_is_chunked_and_rejoined(copy_engine):
    text = " ".join(["भारत रूस व्यापार सहयोग"] * 1500) + "\n"  # one 35,000-character sentence
    doc = parse_document(text, "long.txt", "text")
    translator = DocumentTranslator(copy_engine, FAST)
    (result,) = _translate(translator, [doc])
    assert write_document(doc, result.rendered) == text  # the copy model: every chunk back, in order
    assert translator.stats.translated == 1
    chunks = [source[2:] for call in copy_engine.ct2.calls for source in sentence_rows(call)]
    pieces = copy_engine.codec.source.encode(text.strip(), out_type=str)
    assert len(pieces) == 1500 * 17 and sum(len(chunk) for chunk in chunks) == len(pieces)
    # Cut between words (none longer than 6 pieces): every chunk but the last is full to a word.
    assert all(chunk[0].startswith("▁") and len(chunk) <= MAX_SOURCE_PIECES for chunk in chunks)
    assert sum(len(chunk) < MAX_SOURCE_PIECES - 6 for chunk in chunks) == 1
    assert len(chunks) > len(pieces) // MAX_SOURCE_PIECES


@pytest.mark.slow
def test_ten_megabyte_paragraph_plans_without_blowing_up(engine):
    sentence = "भारत और रूस ने व्यापार बढ़ाने पर सहमति जताई। "
    text = sentence * (10_000_000 // len(sentence.encode()))
    doc = parse_document(text, "big.txt", "text")
    translator = DocumentTranslator(CountingEngine(engine), FAST)
    plan = translator.plan(doc)
    assert plan.sentence_count == text.count("।")
    (result,) = translator.translate([plan])
    assert translator.stats.translated == 1 and translator.stats.duplicates == plan.sentence_count - 1
    assert write_document(doc, result.rendered).count("\n") == 0


def test_glossary_file_rules(tmp_path):
    from translate_kit.errors import InputError
    from translate_kit.glossary import read_glossary

    good = tmp_path / "terms.tsv"
    good.write_text("# names\nसूर्या\tSurya\nISRO\n\nचंद्रयान\tChandrayaan\n", encoding="utf-8")
    assert read_glossary(good) == {"सूर्या": "Surya", "ISRO": "ISRO", "चंद्रयान": "Chandrayaan"}
    for content, message in [
        ("a\tb\tc\n", r"terms.tsv:1: expected 'term' or 'term<TAB>translation', found 3 columns"),
        ("सूर्या\tSurya\nसूर्या\tSun\n", r"terms.tsv:2: 'सूर्या' is listed twice .* \(first on line 1\)"),
        ("\tSurya\n", r"terms.tsv:1: empty term"),
    ]:
        good.write_text(content, encoding="utf-8")
        with pytest.raises(InputError, match=message):
            read_glossary(good)


# ----------------------------------------------------------------------------- plain text

HINDI_NEWS = [
    "मॉस्को में विदेश मंत्री एस. जयशंकर ने रूसी विदेश मंत्री सर्गेई लावरोव से मुलाकात की।",
    "राज्य सरकार ने किसानों के लिए राहत पैकेज की घोषणा की।",
    "पुलिस ने बताया कि दुर्घटना में दो लोगों की मौत हो गई।",
]


def plain(engine, text: str, options: DecodeOptions = FAST) -> str:
    """Plain text through the document route: parse as text, plan, translate, write."""
    doc = parse_document(text, "t.txt", "text")
    translator = DocumentTranslator(engine, options)
    (result,) = _translate(translator, [doc])
    return write_document(doc, result.rendered)


def test_plain_text_keeps_lines_blank_lines_and_indentation(engine):
    text = f"{HINDI_NEWS[0]} {HINDI_NEWS[1]}\n\n  {HINDI_NEWS[2]}\nEnglish line stays.\n\n"
    out = plain(engine, text)
    in_lines, out_lines = text.split("\n"), out.split("\n")
    assert len(out_lines) == len(in_lines)
    assert [not line.strip() for line in out_lines] == [not line.strip() for line in in_lines]
    assert out_lines[2].startswith("  ") and not out_lines[2].startswith("   ")
    assert out_lines[3] == "English line stays."
    assert not _devanagari(out)
    assert plain(engine, "") == ""
    assert plain(engine, "\n\n") == "\n\n"


def test_placeholder_lost_in_plain_text_is_reported(engine):
    # The tiny target vocabulary has no "<", so the model cannot reproduce <ID1>.
    doc = parse_document("विवरण www.example.com पर उपलब्ध है।\n", "t.txt", "text")
    translator = DocumentTranslator(engine, FAST)
    (result,) = _translate(translator, [doc])
    assert result.dropped == ["www.example.com"] and translator.stats.dropped_placeholders == 1


def test_huge_line_and_control_characters_do_not_break_plain_text(engine):
    huge = "क" * 50_000
    short = DecodeOptions(beam_size=1, max_decoding_length=4)
    out = plain(engine, f"{huge}\nनमस्ते\x00\x07 दुनिया\x1b।\n", short)
    lines = out.split("\n")
    assert len(lines) == 3 and lines[0] and lines[1] and lines[2] == ""
    assert "\x00" not in out and "\x07" not in out


_WORDS = st.sampled_from(["भारत", "रूस", "ने", "व्यापार", "पर", "चर्चा", "की", "मंत्री", "दिल्ली", "में",
                          "बैठक", "हुई", "Moscow", "2024", "12.5%", "www.mea.gov.in", "ISRO"])
_SENTENCE = st.builds(lambda words, end: " ".join(words) + end, st.lists(_WORDS, min_size=1, max_size=12),
                      st.sampled_from([".", "?", "!", "।", ""]))
_LINE = st.one_of(
    st.just(""),
    st.text(alphabet=" \t", min_size=1, max_size=3),  # whitespace only
    st.builds(lambda indent, sentences: indent + " ".join(sentences),
              st.text(alphabet=" \t", max_size=3), st.lists(_SENTENCE, min_size=1, max_size=3)),
    st.sampled_from(["Already English.", "42", "— 12.5% —"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_LINE, max_size=8), final_newline=st.booleans())
def test_plain_text_never_loses_or_adds_a_line(engine, lines, final_newline):
    text = "\n".join(lines) + ("\n" if final_newline else "")
    out = plain(engine, text, DecodeOptions(beam_size=1, max_decoding_length=6))
    assert out.count("\n") == text.count("\n")
    for before, after in zip(text.split("\n"), out.split("\n"), strict=True):
        assert bool(before.strip()) == bool(after.strip())
        assert after[: len(after) - len(after.lstrip())] == before[: len(before) - len(before.lstrip())]
