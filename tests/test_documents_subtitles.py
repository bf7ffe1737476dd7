"""SRT and WebVTT: cue grouping, spreading a translation over cues, byte-identical identity round trips."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_kit.cli import cli
from translate_kit.documents import parse_document, subtitles, write_document
from translate_kit.documents.subtitles import spread
from translate_kit.errors import InputError

SRT = """1
00:00:01,000 --> 00:00:03,200
मैंने सोचा था कि हम
<i>कल सुबह</i> जल्दी

2
00:00:03,300 --> 00:00:05,000
{\\an8}दिल्ली के लिए निकलेंगे।

3
00:00:09,000 --> 00:00:10,500
<font color="#ffff00">ठीक है, मैं तैयार रहूँगा।</font>

4
00:00:10,600 --> 00:00:12,000
क्या तुम टिकट ले आओगे?
"""

VTT = """WEBVTT
Kind: captions
Language: hi

NOTE यह टिप्पणी अनुवाद नहीं होती

STYLE
::cue { color: yellow }

intro
00:01.000 --> 00:03.000 align:start position:10%
<v राम>बैठक के बाद दोनों नेताओं ने

00:03.100 --> 00:05.000 line:0
संयुक्त बयान जारी किया।

00:08.000 --> 00:10.000
<c.yellow>धन्यवाद!</c>
"""


_TAGS = re.compile(r"<[^>]*>")


def _identity(doc) -> dict[str, str]:
    return {block.id: block.source(lambda text: text) for block in doc.blocks}


def _timecodes(text: str) -> list[str]:
    return [line for line in text.splitlines() if "-->" in line]


def test_cues_grouped_into_sentences():
    doc = parse_document(SRT, "a.srt", "srt")
    assert [b.meta["cues"] for b in doc.blocks] == [2, 1, 1]
    assert doc.blocks[0].text.startswith("मैंने सोचा था कि हम ⟦1⟧कल सुबह⟦2⟧ जल्दी दिल्ली")
    assert "{\\an8}" not in doc.blocks[0].text  # a position tag stays with its cue
    vtt = parse_document(VTT, "a.vtt", "vtt")
    assert [b.meta["cues"] for b in vtt.blocks] == [2, 1]


def test_long_gap_ends_a_sentence():
    source = "1\n00:00:01,000 --> 00:00:02,000\nपहला हिस्सा\n\n2\n00:00:06,000 --> 00:00:07,000\nदूसरा हिस्सा\n"
    assert len(parse_document(source, "a.srt", "srt").blocks) == 2


@pytest.mark.parametrize(("source", "fmt"), [(SRT, "srt"), (VTT, "vtt"), (SRT.replace("\n", "\r\n"), "srt")])
def test_identity_round_trip_is_byte_identical(source, fmt):
    doc = parse_document(source, "a." + fmt, fmt)
    assert write_document(doc, _identity(doc)) == source


def test_translation_spread_keeps_timing_tags_and_line_limits():
    doc = parse_document(SRT, "a.srt", "srt")
    rendered = {"b1": "I had thought that we would leave early for <i>Delhi</i> tomorrow morning."}
    out = write_document(doc, rendered)
    assert _timecodes(out) == _timecodes(SRT)
    assert out.splitlines()[:2] == ["1", "00:00:01,000 --> 00:00:03,200"]
    cue1, cue2 = out.split("\n\n")[:2]
    assert len(cue1.splitlines()) - 2 <= 2 and len(cue2.splitlines()) - 2 == 1
    assert cue2.splitlines()[2].startswith("{\\an8}")
    assert all(len(line) <= 42 for part in (cue1, cue2) for line in part.splitlines())
    text = " ".join(line for part in (cue1, cue2) for line in part.splitlines()[2:]).replace("{\\an8}", "")
    assert text.split() == rendered["b1"].split()


def test_bilingual_cues_hold_source_and_translation():
    doc = parse_document(SRT, "a.srt", "srt")
    out = subtitles.write(doc, {"b2": '<font color="#ffff00">Fine, I will be ready.</font>'}, bilingual=True)
    cue = out.split("\n\n")[2].splitlines()
    assert cue[2] == '<font color="#ffff00">ठीक है, मैं तैयार रहूँगा।</font>'
    assert cue[3] == '<font color="#ffff00">Fine, I will be ready.</font>'


def test_bad_files_are_one_line_errors():
    with pytest.raises(InputError, match="not a WebVTT file"):
        parse_document("00:01.000 --> 00:02.000\nx\n", "a.vtt", "vtt")
    with pytest.raises(InputError, match="not a valid SRT file"):
        parse_document("1\n00:00:01,000 -> 00:00:02\nx\n", "a.srt", "srt")


_words = st.lists(st.text("अकखगabc", min_size=1, max_size=8), min_size=1, max_size=40)


@given(_words, st.lists(st.integers(0, 60), min_size=1, max_size=8))
def test_spread_properties(words, weights):
    runs = spread(words, weights)
    assert len(runs) == len(weights)
    assert [w for run in runs for w in run] == words
    if len(words) >= len(weights):
        assert all(runs)


_line = st.text(st.sampled_from("अआकखग मैं है। abc<i></i>,?"), min_size=1, max_size=30).filter(
    lambda s: s.strip() == s and s.strip() and "-->" not in s
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_line, min_size=1, max_size=2), min_size=1, max_size=6), st.booleans())
def test_identity_round_trip_generated(cues, vtt):
    parts = ["WEBVTT\n"] if vtt else []
    for number, lines in enumerate(cues, start=1):
        stamp = f"00:00:{number:02d}{'.' if vtt else ','}000 --> 00:00:{number:02d}{'.' if vtt else ','}900"
        parts.append(("" if vtt else f"{number}\n") + stamp + "\n" + "\n".join(lines) + "\n")
    source = "\n".join(parts)
    fmt = "vtt" if vtt else "srt"
    doc = parse_document(source, "a." + fmt, fmt)
    assert write_document(doc, _identity(doc)) == source
    translated = write_document(doc, {b.id: "x " * (len(b.text) // 3 + 1) for b in doc.blocks})
    assert _timecodes(translated) == _timecodes(source)


def test_cli_translates_subtitles_keeping_every_timecode(tiny_model_hi_en, tmp_path):
    for name, source in (("film.srt", SRT), ("film.vtt", VTT)):
        src = tmp_path / name
        src.write_text(source, encoding="utf-8")
        out = tmp_path / ("en-" + name)
        result = CliRunner().invoke(
            cli,
            ["translate", str(src), "-o", str(out), "--model", str(tiny_model_hi_en), "--beam", "1",
             "--threads", "1"],
        )
        assert result.exit_code == 0, result.output
        translated = out.read_text(encoding="utf-8")
        assert _timecodes(translated) == _timecodes(source)
        cues = [part.splitlines() for part in translated.strip().split("\n\n")]
        timed = [cue for cue in cues if any("-->" in line for line in cue)]
        assert all(cue[-1].strip() and "-->" not in cue[-1] for cue in timed)  # no cue left empty
        assert "⟦" not in translated
        spoken = [line for cue in timed for line in cue[cue.index(next(x for x in cue if "-->" in x)) + 1 :]]
        assert not any(re.search("[\u0900-\u097f]", _TAGS.sub("", line)) for line in spoken)


def test_cli_bilingual_subtitles_keep_both_lines_in_each_cue(tiny_model_hi_en, tmp_path):
    src = tmp_path / "film.srt"
    src.write_text(SRT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(
        cli, ["translate", str(src), "-o", str(out), "--bilingual", "--model", str(tiny_model_hi_en),
              "--beam", "1", "--threads", "1"],
    )
    assert result.exit_code == 0, result.output
    written = (out / "film.srt").read_text(encoding="utf-8")  # a subtitle file, no .jsonl side file
    assert _timecodes(written) == _timecodes(SRT)
    source_cues = [part.splitlines() for part in SRT.strip().split("\n\n")]
    written_cues = [part.splitlines() for part in written.strip().split("\n\n")]
    for before, after in zip(source_cues, written_cues, strict=True):
        assert after[: len(before)] == before and len(after) > len(before)


def test_real_sentences_split_over_cues_round_trip_and_spread(shared_data):
    """WMT sentences cut over 1-3 cues of up to two lines, 'translated' by their English references."""
    hindi = (shared_data / "hi-en" / "newsdev2014.hi").read_text(encoding="utf-8").splitlines()[:40]
    english = (shared_data / "hi-en" / "newsdev2014.en").read_text(encoding="utf-8").splitlines()[:40]
    cues: list[list[str]] = []
    for sentence in hindi:
        words = sentence.split()
        pieces = max(1, min(3, len(words) // 8))
        size = -(-len(words) // pieces)
        for start in range(0, len(words), size):
            chunk = words[start : start + size]
            half = -(-len(chunk) // 2)
            cues.append([" ".join(chunk[:half]), " ".join(chunk[half:])] if len(chunk) > 1 else chunk)
    parts = []
    for number, lines in enumerate(cues, start=1):
        stamp = f"00:{number // 60:02d}:{number % 60:02d},000 --> 00:{number // 60:02d}:{number % 60:02d},900"
        parts.append(f"{number}\n{stamp}\n" + "\n".join(line for line in lines if line) + "\n")
    source = "\n".join(parts)
    doc = parse_document(source, "news.srt", "srt")
    assert write_document(doc, _identity(doc)) == source
    assert len(doc.blocks) <= len(hindi) + 5  # sentences, not cues (a few lines end mid-sentence with a '.')
    by_text = dict(zip((" ".join(s.split()) for s in hindi), english, strict=True))
    rendered = {b.id: by_text.get(" ".join(b.text.split()), "Translated text.") for b in doc.blocks}
    out = write_document(doc, rendered)
    assert _timecodes(out) == _timecodes(source)
    for before, after in zip(source.split("\n\n"), out.split("\n\n"), strict=True):
        text = after.strip().splitlines()[2:]
        assert text and all(line.strip() for line in text)
        assert len(text) <= len(before.strip().splitlines()[2:])
