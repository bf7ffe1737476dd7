"""Document pairing: which Hindi document translates which English one, from content."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from project_scripts import load_script

from translate_kit.align.features import english_stem, hindi_key
from translate_kit.align.pairing import DocumentPairer, PairDocument, PairingSettings, hint_features
from translate_kit.align.pairing_index import hindi_words, learn_translations
from translate_kit.align.pairing_io import read_heap, write_pairs
from translate_kit.cli import cli
from translate_kit.corpus import read_pair_list
from translate_kit.errors import InputError

#: Real-looking news stories: (Hindi, English), each a few paragraphs.
STORIES = {
    "farmers": (
        "किसानों के लिए नई योजना\n\nसरकार ने सोमवार को किसानों के लिए 6000 रुपये की सहायता योजना शुरू की। "
        "कृषि मंत्री नरेंद्र तोमर ने दिल्ली में इसकी घोषणा की।\n\nयोजना से 12 करोड़ किसानों को लाभ होगा।\n",
        "New scheme for farmers\n\nOn Monday the government launched an assistance scheme of 6000 rupees for "
        "farmers. Agriculture Minister Narendra Tomar announced it in Delhi.\n\nThe scheme will benefit 120 "
        "million farmers.\n",
    ),
    "rain": (
        "मुंबई में बारिश\n\nमुंबई में 24 घंटे में 200 मिलीमीटर बारिश दर्ज की गई। "
        "मौसम विभाग ने 15 जुलाई तक भारी बारिश की चेतावनी दी है।\n",
        "Rain in Mumbai\n\nMumbai recorded 200 millimetres of rain in 24 hours. The weather department has "
        "warned of heavy rain until 15 July.\n",
    ),
    "who": (
        "विश्व स्वास्थ्य संगठन की चेतावनी\n\nविश्व स्वास्थ्य संगठन (WHO) ने 15 अगस्त को COVID-19 के नए रूप के "
        "बारे में चेतावनी जारी की। संगठन के प्रमुख टेड्रोस ने जिनेवा में कहा कि 37 देशों में मामले बढ़े हैं।\n"
        "\nअधिक जानकारी https://who.int/news पर है।\n",
        "WHO warning\n\nThe World Health Organization (WHO) issued a warning on 15 August about a new "
        "form of COVID-19. Its chief Tedros said in Geneva that cases have risen in 37 countries.\n\nMore "
        "information is at https://who.int/news.\n",
    ),
    "cricket": (
        "भारत ने श्रृंखला जीती\n\nभारत ने ऑस्ट्रेलिया को 3-1 से हराकर श्रृंखला जीत ली। विराट कोहली ने 2019 "
        "में 183 रन बनाए।\n\nअगला मैच 5 मार्च को अहमदाबाद में होगा।\n",
        "India win the series\n\nIndia beat Australia 3-1 to win the series. Virat Kohli scored 183 runs in "
        "2019.\n\nThe next match will be played in Ahmedabad on 5 March.\n",
    ),
    "budget": (
        "बजट 2023\n\nवित्त मंत्री निर्मला सीतारमण ने 1 फरवरी को 45 लाख करोड़ रुपये का बजट पेश किया।\n",
        "Budget 2023\n\nFinance Minister Nirmala Sitharaman presented a budget of 45 lakh crore rupees on "
        "1 February.\n",
    ),
}
#: Other real-looking news, one side only (no translation in the heap).
HINDI_ONLY = "चुनाव परिणाम\n\nपटना में 7 नवंबर को मतगणना हुई। लालू प्रसाद यादव की पार्टी ने 75 सीटें जीतीं।\n"
ENGLISH_ONLY = (
    "Flood in Assam\n\nFloods in Assam have affected 4.3 lakh people in 22 districts, officials in Guwahati "
    "said on Thursday.\n"
)


def doc(doc_id: str, text: str) -> PairDocument:
    blocks = tuple(b.strip() for b in text.split("\n\n") if b.strip())
    return PairDocument(doc_id, blocks, headings=1)


@pytest.fixture(scope="module")
def pairer() -> DocumentPairer:
    return DocumentPairer(None, PairingSettings())


def test_pairs_shuffled_stories_and_reports_the_documents_without_translation(pairer):
    names = list(STORIES)
    hi = [doc(f"hi-{n}", STORIES[n][0]) for n in names] + [doc("hi-extra", HINDI_ONLY)]
    en = [doc(f"en-{n}", STORIES[n][1]) for n in reversed(names)] + [doc("en-extra", ENGLISH_ONLY)]
    result = pairer.pair(hi, en)
    assert {(p.hi, p.en) for p in result.pairs} == {(f"hi-{n}", f"en-{n}") for n in names}
    assert all(0 < p.score <= 1 for p in result.pairs)
    assert {(u.side, u.id) for u in result.unpaired} == {("hi", "hi-extra"), ("en", "en-extra")}
    assert all(u.reason for u in result.unpaired)


def test_one_side_empty_reports_every_document(pairer):
    result = pairer.pair([doc("hi-rain", STORIES["rain"][0])], [])
    assert result.pairs == []
    assert [(u.side, u.id, u.reason) for u in result.unpaired] == [
        ("hi", "hi-rain", "the other side has no documents")
    ]


def test_greedy_and_hungarian_agree_on_clear_pairs():
    hi = [doc(f"hi-{n}", STORIES[n][0]) for n in STORIES]
    en = [doc(f"en-{n}", STORIES[n][1]) for n in STORIES]
    found = []
    for matching in ("hungarian", "greedy"):
        result = DocumentPairer(None, PairingSettings(matching=matching)).pair(hi, en)
        found.append({(p.hi, p.en) for p in result.pairs})
    assert found[0] == found[1] == {(f"hi-{n}", f"en-{n}") for n in STORIES}


def test_a_story_split_in_two_pairs_each_half_with_its_own_translation(pairer):
    """Near-duplicates: the same topic and names, different paragraphs."""
    hi_text, en_text = STORIES["who"]
    hi_parts, en_parts = hi_text.split("\n\n"), en_text.split("\n\n")
    hi = [doc("hi-a", "\n\n".join(hi_parts[:2])), doc("hi-b", hi_parts[0] + "\n\n" + hi_parts[2])]
    en = [doc("en-b", en_parts[0] + "\n\n" + en_parts[2]), doc("en-a", "\n\n".join(en_parts[:2]))]
    result = pairer.pair(hi, en)
    assert {(p.hi, p.en) for p in result.pairs} == {("hi-a", "en-a"), ("hi-b", "en-b")}


def test_url_hints_use_the_words_and_numbers_of_urls_without_language_markers():
    hindi = hint_features("https://news.example.com/hi/2023/05/budget-17.html")
    english = hint_features("https://news.example.com/en/2023/05/budget-17.html")
    assert hindi == english
    assert {"h:2023", "h:budget", "h:17"} <= set(hindi)
    assert not {"h:hi", "h:en", "h:https", "h:html"} & set(hindi)


def test_url_hints_are_used_only_when_asked_for():
    hi = PairDocument("hi", ("एक छोटी खबर",), hint="https://x.in/hi/story-98765")
    en = PairDocument("en", ("A short item",), hint="https://x.in/en/story-98765")
    assert DocumentPairer(None).pair([hi], [en]).pairs == []
    hinted = DocumentPairer(None, PairingSettings(url_hints=True)).pair([hi], [en])
    assert [(p.hi, p.en) for p in hinted.pairs] == [("hi", "en")]


@st.composite
def heaps(draw):
    """Random subsets of stories on each side, in random order, sometimes one side empty."""
    names = list(STORIES)
    hi_names = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    en_names = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    extra = draw(st.booleans())
    hi = [doc(f"hi-{n}", STORIES[n][0]) for n in hi_names] + ([doc("hi-x", HINDI_ONLY)] if extra else [])
    en = [doc(f"en-{n}", STORIES[n][1]) for n in en_names] + ([doc("en-x", ENGLISH_ONLY)] if extra else [])
    return hi, en, draw(st.sampled_from(["hungarian", "greedy"]))


@settings(max_examples=40, deadline=None)
@given(heaps())
def test_every_document_is_paired_once_or_reported_and_pairs_are_one_to_one(case):
    hi, en, matching = case
    result = DocumentPairer(None, PairingSettings(matching=matching)).pair(hi, en)
    paired_hi = [p.hi for p in result.pairs]
    paired_en = [p.en for p in result.pairs]
    assert len(set(paired_hi)) == len(paired_hi) and len(set(paired_en)) == len(paired_en)
    unpaired_hi = [u.id for u in result.unpaired if u.side == "hi"]
    unpaired_en = [u.id for u in result.unpaired if u.side == "en"]
    assert sorted(paired_hi + unpaired_hi) == sorted(d.id for d in hi)
    assert sorted(paired_en + unpaired_en) == sorted(d.id for d in en)
    assert all(0 < p.score <= 1 for p in result.pairs)


def test_ten_thousand_documents_a_side_pair_through_the_index():
    """Documented behaviour at crawl scale: near-linear work, every document paired or reported."""
    rng = random.Random(3)
    ids = rng.sample(range(10**6, 10**7), 10_000)
    hi = [
        PairDocument(f"hi{k}", (f"मामला संख्या {n}: {n % 997} लोग {n // 7} गांवों में।",))
        for k, n in enumerate(ids)
    ]
    en = [
        PairDocument(f"en{k}", (f"Case number {n}: {n % 997} people in {n // 7} villages.",))
        for k, n in enumerate(ids)
    ]
    rng.shuffle(en)
    result = DocumentPairer(None).pair(hi, en)
    assert len(result.pairs) + sum(1 for u in result.unpaired if u.side == "hi") == 10_000
    correct = sum(1 for p in result.pairs if p.hi[2:] == p.en[2:])
    assert correct == len(result.pairs) >= 9_900


# -- reading heaps ------------------------------------------------------------------------------


def write_folder(folder, files: dict[str, str | bytes]):
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def test_heap_reports_binary_empty_duplicate_and_wrong_script_documents(tmp_path):
    folder = write_folder(
        tmp_path / "hi",
        {
            "rain.txt": STORIES["rain"][0],
            "rain-copy.txt": STORIES["rain"][0].replace("\n\n", "\n\n\n"),
            "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "latin.txt": b"caf\xe9 au lait\n",
            "blank.txt": "\n \n",
            "english.txt": STORIES["rain"][1],
            ".hidden.txt": STORIES["budget"][0],
        },
    )
    heap = read_heap(folder, "hi")
    assert [d.id for d in heap.documents] == [str(folder / "rain-copy.txt")]
    reasons = {p.rsplit("/", 1)[-1]: u.reason for u in heap.skipped for p in [u.id]}
    assert reasons["logo.png"] == "binary file (NUL bytes), not text"
    assert reasons["latin.txt"].startswith("invalid UTF-8 at byte 3")
    assert reasons["blank.txt"] == "no text"
    assert reasons["english.txt"] == "no Devanagari text on the Hindi side"
    assert reasons["rain.txt"] == f"duplicate of {folder / 'rain-copy.txt'}"
    assert ".hidden.txt" not in reasons


def test_heap_errors_are_one_line_naming_the_source(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="empty: no documents found"):
        read_heap(tmp_path / "empty", "hi")
    english = write_folder(tmp_path / "en-as-hi", {"a.txt": STORIES["rain"][1]})
    with pytest.raises(InputError, match="give the Hindi documents first"):
        read_heap(english, "hi")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"url": "u1", "text": "मुंबई में बारिश"}\n{"url": "u2", "text": 5}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:2: each line needs a string 'text' field"):
        read_heap(bad, "hi")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"url": "u1", "text": "x"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.jsonl:1: not JSON"):
        read_heap(broken, "hi")


def test_markdown_and_html_documents_pair_with_each_other(tmp_path, pairer):
    """Mismatched formats: both are read to blocks first, so content decides."""
    hi_md = "# भारत ने श्रृंखला जीती\n\n" + STORIES["cricket"][0].split("\n\n", 1)[1]
    en_html = (
        "<html><head><title>India win the series</title></head><body><h1>India win the series</h1>"
        "<p>India beat Australia 3-1 to win the series. Virat Kohli scored 183 runs in 2019.</p>"
        "<p>The next match will be played in Ahmedabad on 5 March.</p></body></html>"
    )
    hi = read_heap(write_folder(tmp_path / "hi", {"a.md": hi_md, "b.md": STORIES["rain"][0]}), "hi")
    en = read_heap(write_folder(tmp_path / "en", {"x.html": en_html, "y.txt": STORIES["budget"][1]}), "en")
    assert hi.documents[0].headings == 1 and en.documents[0].headings >= 1
    result = pairer.pair(hi.documents, en.documents)
    assert [(p.hi.rsplit("/", 1)[-1], p.en.rsplit("/", 1)[-1]) for p in result.pairs] == [("a.md", "x.html")]


# -- command line -------------------------------------------------------------------------------


def invoke(args):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def story_folders(tmp_path):
    hi = write_folder(tmp_path / "hi", {f"{n}.txt": STORIES[n][0] for n in STORIES} | {"x.txt": HINDI_ONLY})
    en = write_folder(
        tmp_path / "en",
        {f"{k:03d}.md": STORIES[n][1] for k, n in enumerate(STORIES)} | {"logo.png": b"\x00\x01binary"},
    )
    return hi, en


def test_pair_documents_writes_a_pairs_tsv_that_corpus_build_reads(tmp_path):
    hi, en = story_folders(tmp_path)
    out = tmp_path / "out" / "pairs.tsv"
    result = invoke(["pair-documents", str(hi), str(en), "-o", str(out), "--no-freedict"])
    assert result.exit_code == 0, result.output
    assert "5 pairs, 1 Hindi and 0 English unpaired, 1 skipped" in result.output
    jobs = read_pair_list(out)
    assert {(j.hi.name, j.en.name) for j in jobs} == {
        (f"{n}.txt", f"{k:03d}.md") for k, n in enumerate(STORIES)
    }
    assert {j.doc for j in jobs} == {f"{n}.txt" for n in STORIES}
    unpaired = (tmp_path / "out" / "pairs.unpaired.tsv").read_text(encoding="utf-8").splitlines()
    assert unpaired[0] == "side\tdocument\treason\tbest candidate\tbest score"
    assert any(line.startswith("en\t") and "logo.png\tbinary file" in line for line in unpaired)
    assert any(line.startswith("hi\t") and "x.txt" in line for line in unpaired)


def test_pair_documents_reads_jsonl_and_writes_the_paired_texts(tmp_path):
    hi_jsonl, en_jsonl = tmp_path / "hi.jsonl", tmp_path / "en.jsonl"
    with hi_jsonl.open("w", encoding="utf-8") as handle:
        for n in STORIES:
            handle.write(
                json.dumps({"url": f"https://x.in/hi/{n}", "text": STORIES[n][0]}, ensure_ascii=False) + "\n"
            )
    with en_jsonl.open("w", encoding="utf-8") as handle:
        for n in reversed(STORIES):
            handle.write(json.dumps({"url": f"https://x.in/en/{n}", "text": STORIES[n][1]}) + "\n")
    out = tmp_path / "pairs.jsonl"
    result = invoke(["pair-documents", str(hi_jsonl), str(en_jsonl), "-o", str(out), "--no-freedict"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {(r["hi"], r["en"]) for r in records} == {
        (f"https://x.in/hi/{n}", f"https://x.in/en/{n}") for n in STORIES
    }
    for record in records:
        text = (tmp_path / record["hi_path"]).read_text(encoding="utf-8")
        name = record["hi"].rsplit("/", 1)[-1]
        assert text.split("\n\n")[0] == STORIES[name][0].split("\n\n")[0]


def test_corpus_build_pair_documents_pairs_aligns_and_filters(tmp_path):
    hi, en = story_folders(tmp_path)
    out = tmp_path / "corpus"
    args = ["corpus", "build", str(hi), str(en), "--pair-documents", "-o", str(out), "--no-freedict"]
    result = invoke([*args, "--min-score", "0.1"])
    assert result.exit_code == 0, result.output
    assert (out / "pairs.tsv").is_file() and (out / "pairs.unpaired.tsv").is_file()
    assert "5 documents" in result.output
    english = (out / "corpus.en").read_text(encoding="utf-8")
    assert "Mumbai recorded 200 millimetres of rain in 24 hours." in english


def test_corpus_build_pair_documents_needs_two_folders(tmp_path):
    hi, _ = story_folders(tmp_path)
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text("a\tb\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["corpus", "build", str(tsv), "--pair-documents", "-o", str(tmp_path / "c")]
    )
    assert result.exit_code == 2
    assert "--pair-documents takes the Hindi folder and the English folder" in result.output


def test_write_pairs_keeps_the_unpaired_list_beside_the_pairs(tmp_path, pairer):
    hi, en = story_folders(tmp_path)
    hi_heap, en_heap = read_heap(hi, "hi"), read_heap(en, "en")
    result = pairer.pair(hi_heap.documents, en_heap.documents)
    pairs, unpaired = write_pairs(result, hi_heap, en_heap, tmp_path / "o" / "found.tsv")
    assert unpaired == tmp_path / "o" / "found.unpaired.tsv"
    assert pairs.read_text(encoding="utf-8").startswith("# hindi\tenglish\tdoc\tscore\n")


# -- real data ----------------------------------------------------------------------------------


def test_pairs_real_news_documents_with_distractors(shared_data):
    """newsdev2014 and TICO-19 cut into documents, 30% unpaired a side, shuffled file names."""
    quality = load_script("eval/pairing_quality.py")
    row = quality.run_set("dev", quality.dev_streams(shared_data), DocumentPairer.with_freedict(), seed=5)
    assert row["pairs (gold)"] >= 100
    assert row["precision"] >= 0.9 and row["recall"] >= 0.9


def test_translations_are_learned_from_confident_document_pairs():
    """hunalign-style bootstrapping at document level: a word seen with its translation in several
    pairs is learned; a word seen once, or with many different words, is not."""
    hindi = ["मरीजों में संक्रमण फैला", "संक्रमण की जांच हुई", "संक्रमण रोकने के उपाय", "बाजार बंद रहा"]
    english = [
        "infection spread among patients",
        "tests for infection",
        "ways to stop infection",
        "market closed",
    ]
    learned = learn_translations(
        [hindi_words([h]) for h in hindi],
        [Counter({f"w:{english_stem(w)}": 1 for w in e.split()}) for e in english],
    )
    assert learned[f"k:{hindi_key('संक्रमण')}"] == {"w:infec": 1.0}
    assert f"k:{hindi_key('बाजार')}" not in learned


def test_front_matter_is_never_document_text(tmp_path):
    """A page of front matter only has no body: its keys (`lang: hi`) must not become evidence."""
    folder = write_folder(tmp_path / "hi", {"only.md": "---\ntitle: मुंबई में बारिश\nlang: hi\n---\n"})
    heap = read_heap(folder, "hi")
    texts = [" ".join(d.blocks) for d in heap.documents]
    assert not any("lang:" in t or "title:" in t for t in texts)
    assert len(heap.documents) + len(heap.skipped) == 1


def test_align_pairs_reads_the_pairs_tsv(tmp_path):
    hi, en = story_folders(tmp_path)
    pairs = tmp_path / "pairs.tsv"
    assert invoke(["pair-documents", str(hi), str(en), "-o", str(pairs), "--no-freedict"]).exit_code == 0
    beads = tmp_path / "beads.jsonl"
    result = invoke(["align", "--pairs", str(pairs), "-o", str(beads), "--no-freedict", "--level", "block"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in beads.read_text(encoding="utf-8").splitlines()]
    assert {r["doc"] for r in records} == {f"{n}.txt" for n in STORIES}
    rain = [r for r in records if r["doc"] == "rain.txt"]
    assert any(
        "Mumbai recorded 200 millimetres" in r["en_text"] and "200 मिलीमीटर" in r["hi_text"] for r in rain
    )


def test_pair_documents_bad_input_is_one_line(tmp_path):
    hi, _ = story_folders(tmp_path)
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(
        cli, ["pair-documents", str(hi), str(tmp_path / "empty"), "-o", str(tmp_path / "p.tsv")]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: {tmp_path / 'empty'}: no documents found"]
    swapped = CliRunner().invoke(cli, ["pair-documents", str(tmp_path / "en"), str(hi), "--no-freedict"])
    assert swapped.exit_code == 1 and "give the Hindi documents first" in swapped.output
    assert "Traceback" not in result.output + swapped.output


def test_api_pair_documents_then_build_corpus_as_the_cli_does(tmp_path):
    """The library calls behind `corpus build --pair-documents`: the same pairs file, counts and
    corpus as the command, with nothing printed."""
    from translate_kit.api import AlignOptions, CorpusOptions, PairingSettings, build_corpus, pair_documents
    from translate_kit.corpus import Filters

    hi, en = story_folders(tmp_path)
    found = pair_documents(hi, en, tmp_path / "lib" / "pairs.tsv", PairingSettings(), freedict=False)
    assert (found.hi_documents, found.en_documents, found.pairs) == (6, 5, 5)
    assert (found.unpaired_hi, found.unpaired_en, found.skipped) == (1, 0, 1)
    assert found.unpaired_path == tmp_path / "lib" / "pairs.unpaired.tsv"
    options = CorpusOptions(Filters(min_score=0.1), align=AlignOptions(freedict=False))
    passes = []
    summary = build_corpus(str(found.pairs_path), None, str(tmp_path / "lib"), options,
                           progress=lambda *update: passes.append(update))
    assert (summary.documents, summary.errors, summary.reused, summary.unmatched) == (5, 0, 0, [])
    # a learning build: documents counted through both passes (5 pairs: too few to learn from)
    assert passes == [(stage, done, 5) for stage in ("learning", "aligning") for done in range(6)]

    result = invoke(["corpus", "build", str(hi), str(en), "--pair-documents", "-o", str(tmp_path / "cli"),
                     "--no-freedict", "--min-score", "0.1"])
    assert result.exit_code == 0, result.output
    assert f"{summary.documents} documents (0 already done), {summary.pairs} pairs" in result.stderr
    for name in ("pairs.tsv", "corpus.hi", "corpus.en", "corpus.jsonl"):
        assert (tmp_path / "lib" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
