"""The aligner's core: bead inventory, banded dynamic program, scoring, hierarchy, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate_kit.align import Aligner, Article, Bead, Block, check_partition, parse_inventory
from translate_kit.align.aligner import select_beads
from translate_kit.align.band import full_band, make_band, rectangles_band
from translate_kit.align.costs import CostParams, Evidence, UnitScorer, length_cost
from translate_kit.align.dp import PlainCosts, align_path, banded_dp
from translate_kit.align.features import AnchorSource, hindi_key, normalize, skeleton_hindi
from translate_kit.align.lexicon import LexiconSource
from translate_kit.errors import InputError

PAIRS = [
    (
        "नई दिल्ली में सोमवार को 25 लोगों की बैठक हुई।",
        "Twenty-five people met in New Delhi on Monday; 25 attended.",
    ),
    (
        "प्रधानमंत्री नरेंद्र मोदी ने कहा कि देश आगे बढ़ रहा है।",
        "Prime Minister Narendra Modi said the country is moving ahead.",
    ),
    ("इस साल बारिश सामान्य से कम हुई।", "This year the rainfall was below normal."),
    ("किसानों को 6000 रुपये की सहायता दी जाएगी।", "Farmers will be given assistance of 6000 rupees."),
    ("विश्व स्वास्थ्य संगठन (WHO) ने चेतावनी जारी की।", "The World Health Organization (WHO) issued a warning."),
    ("मुंबई में 15 अगस्त को स्वतंत्रता दिवस मनाया गया।", "Independence Day was celebrated in Mumbai on 15 August."),
    ("जानकारी www.mygov.in पर उपलब्ध है।", "Details are available at www.mygov.in."),
    ("राहुल गांधी ने लखनऊ में रैली को संबोधित किया।", "Rahul Gandhi addressed a rally in Lucknow."),
]


def sentence_beads(alignment) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(b.hi, b.en) for b in alignment.beads]


@pytest.fixture(scope="module")
def aligner() -> Aligner:
    return Aligner(sources=[AnchorSource()])


def test_parse_inventory_adds_deletions_and_rejects_nonsense():
    assert parse_inventory("1-1,2-1") == ((1, 1), (0, 1), (1, 0), (2, 1))
    with pytest.raises(ValueError, match="bad bead type"):
        parse_inventory("1-x")
    with pytest.raises(ValueError, match="1 to 4"):
        parse_inventory("0-2")


def test_check_partition_catches_a_skipped_sentence():
    beads = [Bead((0,), (0,), 1.0), Bead((2,), (1,), 1.0)]
    with pytest.raises(ValueError, match="Hindi indices"):
        check_partition(beads, 3, 2)


def test_banded_dp_finds_the_diagonal_and_a_deletion():
    # Unit i matches unit j when their labels agree; label 9 on the Hindi side has no partner.
    hi_labels, en_labels = np.array([1, 2, 9, 3, 4]), np.array([1, 2, 3, 4])

    def cost(di, dj, rows, cols):
        if di == 0 or dj == 0:
            return np.full(np.broadcast_shapes(rows.shape, cols.shape), 1.0)
        if (di, dj) != (1, 1):
            return np.full(np.broadcast_shapes(rows.shape, cols.shape), 10.0)
        a = hi_labels[np.clip(rows - 1, 0, 4)]
        b = en_labels[np.clip(cols - 1, 0, 3)]
        return np.where(a == b, 0.0, 5.0)

    inventory = parse_inventory("1-1,2-1,1-2")
    steps = banded_dp(5, 4, inventory, PlainCosts(cost), *full_band(5, 4))
    assert [(s[0], s[1], s[2], s[3]) for s in steps] == [
        (0, 1, 0, 1),
        (1, 2, 1, 2),
        (2, 3, 2, 2),
        (3, 4, 2, 3),
        (4, 5, 3, 4),
    ]
    lo, hi = make_band(5, 4, [], 1)
    assert [s[:4] for s in banded_dp(5, 4, inventory, PlainCosts(cost), lo, hi)] == [s[:4] for s in steps]


def test_band_grows_until_the_path_fits():
    # A long shift that a narrow diagonal band cannot hold: 300 extra English units at the start.
    n_hi, n_en = 400, 700

    def cost(di, dj, rows, cols):
        shape = np.broadcast_shapes(rows.shape, cols.shape)
        if di == 0 or dj == 0:
            return np.full(shape, 1.0)
        return np.where(np.broadcast_to(cols - rows == 300, shape), 0.0, 3.0) + (di + dj - 2) * 5

    steps = align_path(n_hi, n_en, parse_inventory("1-1"), PlainCosts(cost), None, width=4)
    pairs = [(s[0], s[2]) for s in steps if s[1] > s[0] and s[3] > s[2]]
    assert pairs[0] == (0, 300) and len(pairs) == 400


def test_rectangles_band_covers_block_beads_and_margin():
    lo, hi = rectangles_band([((0, 2), (0, 3)), ((2, 4), (3, 3)), ((4, 6), (3, 5))], 6, 5, 0)
    assert list(lo) == [0, 0, 0, 3, 3, 3, 3]
    assert list(hi) == [3, 3, 3, 3, 5, 5, 5]


def test_length_cost_prefers_proportional_lengths():
    costs = length_cost(np.array([100.0, 100.0]), np.array([110.0, 30.0]), ratio=1.1, variance=6.8)
    assert costs[0] < 0.1 < 3 < costs[1]


def test_normalize_and_features_see_through_scripts():
    assert normalize("क\u093c\u200dम २०१४") == normalize("क़म 2014").replace("\u200d", "")
    assert skeleton_hindi("राजेश") == "rjs"
    hi_bag = AnchorSource().hindi(["राजेश गवरे ने २०१४ में COVID-19 पर https://who.int देखा, 5 जनवरी को"])[0]
    en_bag = AnchorSource().english(
        ["Rajesh Gavre read https://who.int about COVID-19 in 2014, on 5 January"]
    )[0]
    shared = set(hi_bag) & set(en_bag)
    assert {"n:2014", "n:19", "u:https://who.int", "w:covid", "t:rjs", "t:gvr", "m:0", "n:5"} <= shared


def test_lexicon_from_pairs_matches_inflected_hindi():
    lexicon = LexiconSource.from_pairs(
        [("किसान", "farmer"), ("सहायता", "help"), ("सहायता", "assistance")], "test"
    )
    assert hindi_key("किसानों") == hindi_key("किसान")
    bag = lexicon.hindi(["किसानों को सहायता"])[0]
    assert bag["w:farme"] == 1.0 and bag["w:help"] == 0.5 and bag["w:assis"] == 0.5


def test_true_pairs_score_higher_than_neighbours():
    hi, en = [p[0] for p in PAIRS], [p[1] for p in PAIRS]
    evidence = Evidence(hi, en, [AnchorSource()])
    scorer = UnitScorer.for_sentences(evidence, CostParams())
    scorer.prepare(*full_band(len(hi), len(en)))
    rows = np.arange(1, len(hi) + 1)[:, None]
    diagonal = scorer(1, 1, rows, rows)
    shifted = scorer(1, 1, rows[1:], rows[:-1])
    assert (diagonal[1:] < shifted).all()


def test_aligns_real_looking_article_with_a_join_and_a_deletion(aligner):
    hi = [p[0] for p in PAIRS]
    en = [p[1] for p in PAIRS]
    en[2] = en[2] + " " + en[3]  # the English side joins two sentences
    del en[3]
    del hi[6]  # the Hindi side lacks the URL sentence
    alignment = aligner.align(Article.flat(hi), Article.flat(en))
    assert sentence_beads(alignment) == [
        ((0,), (0,)),
        ((1,), (1,)),
        ((2, 3), (2,)),
        ((4,), (3,)),
        ((5,), (4,)),
        ((), (5,)),
        ((6,), (6,)),
    ]
    assert all(0.0 <= b.score <= 1.0 for b in alignment.beads)


def test_headings_pair_with_headings_and_paragraphs_guide_sentences(aligner):
    hi = Article(
        (
            Block("heading", ("किसानों के लिए नई योजना",)),
            Block("paragraph", (PAIRS[3][0], PAIRS[2][0])),
            Block("heading", ("मोदी का बयान",)),
            Block("paragraph", (PAIRS[1][0], PAIRS[0][0], PAIRS[5][0])),
        )
    )
    en = Article(
        (
            Block("heading", ("New scheme for farmers",)),
            Block("paragraph", (PAIRS[3][1],)),
            Block("paragraph", (PAIRS[2][1],)),
            Block("heading", ("Modi's statement",)),
            Block("paragraph", (PAIRS[1][1], PAIRS[0][1], PAIRS[5][1])),
        )
    )
    alignment = aligner.align(hi, en)
    assert sentence_beads(alignment) == [((i,), (i,)) for i in range(7)]
    assert not alignment.flattened
    assert [b.kind for b in alignment.blocks] == ["1-1", "1-2", "1-1", "1-1"]
    assert [b.block for b in alignment.beads] == [0, 1, 1, 2, 3, 3, 3]


def test_very_different_paragraph_counts_still_align(aligner):
    hi = Article((Block("paragraph", tuple(p[0] for p in PAIRS)),))
    en = Article(tuple(Block("paragraph", (p[1],)) for p in PAIRS))
    assert sentence_beads(aligner.align(hi, en)) == [((i,), (i,)) for i in range(len(PAIRS))]


def test_degenerate_inputs(aligner):
    hi = [p[0] for p in PAIRS[:3]]
    assert sentence_beads(aligner.align(Article.flat(hi), Article.flat([]))) == [
        ((0,), ()),
        ((1,), ()),
        ((2,), ()),
    ]
    assert sentence_beads(aligner.align(Article.flat([]), Article.flat([]))) == []
    headline_only = Article((Block("heading", ("मोदी का बयान",)),))
    en = Article(
        (Block("heading", ("Modi's statement",)), Block("paragraph", tuple(p[1] for p in PAIRS[:4])))
    )
    beads = sentence_beads(aligner.align(headline_only, en))
    assert beads[0] == ((0,), (0,)) and all(not h for h, _ in beads[1:])


def test_no_anchors_at_all_aligns_by_length(aligner):
    hi = ["यह एक छोटा वाक्य है।", "यह वाक्य उससे काफी लंबा है और इसमें बहुत सारे शब्द हैं जो आगे चलते रहते हैं।", "अंत।"]
    en = [
        "This is a short sentence.",
        "This sentence is much longer than that and has a great many words that keep on going.",
        "End.",
    ]
    assert sentence_beads(aligner.align(Article.flat(hi), Article.flat(en))) == [
        ((0,), (0,)),
        ((1,), (1,)),
        ((2,), (2,)),
    ]


def test_zero_width_joiners_do_not_change_the_alignment(aligner):
    hi = [p[0] for p in PAIRS]
    with_joiners = [s.replace("्", "्\u200d").replace("र", "र\u200c") for s in hi]
    en = [p[1] for p in PAIRS]
    plain = aligner.align(Article.flat(hi), Article.flat(en))
    joined = aligner.align(Article.flat(with_joiners), Article.flat(en))
    assert sentence_beads(plain) == sentence_beads(joined)
    assert [round(b.score, 6) for b in plain.beads] == [round(b.score, 6) for b in joined.beads]


def test_select_beads_high_precision_drops_deletions_and_weak_beads():
    beads = [Bead((0,), (0,), 0.9), Bead((1,), (), 0.0), Bead((2,), (1,), 0.2), Bead((3, 4), (2, 3), 0.95)]
    assert select_beads(beads, high_precision=True) == [beads[0]]
    assert select_beads(beads, min_score=0.1) == [beads[0], beads[2], beads[3]]


def test_twenty_thousand_sentences_stay_banded(aligner):
    rng = np.random.default_rng(7)
    words_hi = ["सरकार", "किसान", "बारिश", "शहर", "लोग", "दिल्ली", "योजना", "बैठक"]
    words_en = ["government", "farmer", "rain", "city", "people", "Delhi", "scheme", "meeting"]
    hi, en = [], []
    for k in range(20_000):
        picks = rng.integers(0, 8, size=int(rng.integers(3, 12)))
        hi.append(" ".join(words_hi[p] for p in picks) + f" {k}।")
        en.append(" ".join(words_en[p] for p in picks) + f" {k}.")
    del en[5000]
    alignment = Aligner(sources=[AnchorSource(names=False, loanwords=False)], use_blocks=False).align(
        Article.flat(hi), Article.flat(en)
    )
    assert alignment.beads[5000] == Bead((5000,), (), 0.0, "sentence", 0)
    assert len(alignment.beads) == 20_000


hindi_text = st.text(alphabet="कखगघचजटडतदनपबमयरलवसहािीुूेैोौं।० ", min_size=1, max_size=40)
english_text = st.text(alphabet="abcdefghij klmnopqrstuvwxyzABC.,0123", min_size=1, max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hi=st.lists(st.lists(hindi_text, min_size=0, max_size=4), max_size=6),
    en=st.lists(st.lists(english_text, min_size=0, max_size=4), max_size=6),
    headings=st.lists(st.booleans(), min_size=6, max_size=6),
    blocks=st.booleans(),
)
def test_every_sentence_in_exactly_one_bead_in_order(hi, en, headings, blocks):
    def article(paragraphs):
        return Article(
            tuple(
                Block("heading" if headings[k] and len(p) == 1 else "paragraph", tuple(p))
                for k, p in enumerate(paragraphs)
            )
        )

    hi_article, en_article = article(hi), article(en)
    alignment = Aligner(sources=[AnchorSource()], use_blocks=blocks).align(hi_article, en_article)
    check_partition(alignment.beads, len(hi_article.sentences), len(en_article.sentences))
    assert all(0.0 <= b.score <= 1.0 for b in alignment.beads)
    assert all(b.block is not None and 0 <= b.block < len(alignment.blocks) for b in alignment.beads)
    # Block pairs partition both sides' blocks in order, and each sentence bead lies in its pair:
    # every block its sentences come from belongs to the pair the bead names.
    check_partition(alignment.blocks, len(hi_article.blocks), len(en_article.blocks))
    assert [pair.block for pair in alignment.blocks] == list(range(len(alignment.blocks)))
    hi_block, en_block = hi_article.sentence_blocks(), en_article.sentence_blocks()
    for bead in alignment.beads:
        pair = alignment.blocks[bead.block]
        assert {hi_block[i] for i in bead.hi} <= set(pair.hi)
        assert {en_block[j] for j in bead.en} <= set(pair.en)
    assert all(0.0 <= pair.score <= 1.0 for pair in alignment.blocks)


def test_user_lexicon_file_and_its_errors(tmp_path):
    good = tmp_path / "lex.tsv"
    good.write_text("# Hindi\tEnglish\nबारिश\train\nकिसान\tfarmer\n", encoding="utf-8")
    lexicon = LexiconSource.from_tsv(good)
    assert lexicon.hindi(["बारिश और किसान"])[0] == {"w:rain": 1.0, "w:farme": 1.0}
    bad = tmp_path / "bad.tsv"
    bad.write_text("बारिश\train\nकिसान farmer\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.tsv:2: expected 'Hindi<TAB>English'"):
        LexiconSource.from_tsv(bad)


def test_freedict_is_read_in_place_when_installed():
    from translate_kit.align.lexicon import FREEDICT_ENG_HIN, freedict_available

    if not freedict_available():
        pytest.skip(f"{FREEDICT_ENG_HIN} not installed (apt-get install dict-freedict-eng-hin)")
    lexicon = LexiconSource.from_freedict()
    assert "w:peasa" in lexicon.hindi(["किसानों"])[0]
    assert lexicon.origin == str(FREEDICT_ENG_HIN)
