"""Lexicons for alignment: FreeDict's inverted cache and the lexicon learned from aligned pairs."""

from __future__ import annotations

import gzip
import random
import sys
from pathlib import Path

import pytest

from translate_kit.align import Aligner, Article
from translate_kit.align.features import AnchorSource, hindi_key
from translate_kit.align.lexicon import LexiconSource, learn_lexicon, lexicon_cache_dir, load_freedict

DICTD = """00-database-info
farmer /ˈfɑːmə/
1. किसान, कृषक
rain
1. बारिश; वर्षा
"""


def fake_freedict(path: Path, text: str) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(text)
    return path


def test_freedict_is_inverted_once_and_cached_until_the_dictionary_changes(tmp_path):
    dictionary = fake_freedict(tmp_path / "eng-hin.dict.dz", DICTD)
    load_freedict.cache_clear()
    lexicon = load_freedict(dictionary)
    assert lexicon.entries["किसान"] == {"farme"} and lexicon.entries[hindi_key("वर्षा")] == {"rain"}
    cached = list(lexicon_cache_dir().glob("freedict-eng-hin-*.json"))
    assert len(cached) == 1
    cached[0].write_text('{"किसान": ["peasa"]}', encoding="utf-8")  # proves the next load reads the cache
    load_freedict.cache_clear()
    assert load_freedict(dictionary).entries == {"किसान": frozenset({"peasa"})}
    assert load_freedict(dictionary) is load_freedict(dictionary)  # once per process
    fake_freedict(dictionary, DICTD + "water\n1. पानी\n")
    load_freedict.cache_clear()
    assert hindi_key("पानी") in load_freedict(dictionary).entries  # a changed dictionary is inverted afresh
    assert len(list(lexicon_cache_dir().glob("freedict-eng-hin-*.json"))) == 2
    load_freedict.cache_clear()


def test_learned_lexicon_pairs_words_that_travel_together():
    pairs = [
        ("सरकार ने नई योजना शुरू की।", "The government started a new scheme."),
        ("सरकार ने किसानों की मदद की।", "The government helped farmers."),
        ("नई योजना से किसानों को लाभ होगा।", "The new scheme will benefit farmers."),
        ("मौसम विभाग ने चेतावनी दी।", "The weather department issued a warning."),
    ]
    lexicon = learn_lexicon(pairs)
    assert "gover" in lexicon.entries[hindi_key("सरकार")]
    assert "schem" in lexicon.entries[hindi_key("योजना")]
    assert "मौसम" not in lexicon.entries  # seen once: no evidence
    assert all("the" not in senses for senses in lexicon.entries.values())
    assert lexicon.name == "learned"


def test_too_few_confident_pairs_learn_nothing():
    aligner = Aligner(sources=[AnchorSource()], learn=True)
    assert aligner.with_lexicon_from([("सरकार", "government")] * 99) is aligner
    learned = aligner.with_lexicon_from([("सरकार", "government")] * 100)
    assert isinstance(learned.sources[-1], LexiconSource) and not learned.learn


def test_learning_from_many_real_news_articles_improves_the_alignment(shared_data):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval"))
    from align_devset import build_dev_set

    from translate_kit.align.article import parse_presplit
    from translate_kit.align.evaluation import score_alignments

    docs = [d for d in build_dev_set(shared_data, seed=5, doc_size=(14, 14)) if d.name.startswith("tico")]
    docs = random.Random(5).sample(docs, 40)
    articles = [(parse_presplit(d.hi_lines), parse_presplit(d.en_lines)) for d in docs]
    gold = [d.gold for d in docs]

    def f1(aligner: Aligner) -> float:
        beads = [[(b.hi, b.en) for b in a.beads] for a in aligner.align_many(articles)]
        return score_alignments(gold, beads).f1_strict

    plain, learned = f1(Aligner(sources=[AnchorSource()])), f1(Aligner(sources=[AnchorSource()], learn=True))
    assert learned > plain + 0.005, (plain, learned)


def test_one_article_is_aligned_without_learning():
    hi = Article.flat(["सरकार ने नई योजना शुरू की।"])
    en = Article.flat(["The government started a new scheme."])
    assert Aligner(learn=True).align(hi, en).backends == ("length", "anchors")


@pytest.mark.parametrize("learn", [True, False])
def test_every_pair_keeps_its_partition_with_or_without_learning(learn):
    hi = Article.flat(["सरकार ने नई योजना शुरू की।", "किसानों को 6000 रुपये मिलेंगे।"])
    en = Article.flat(["The government started a new scheme.", "Farmers will get 6000 rupees."])
    alignments = Aligner(learn=learn).align_many([(hi, en)] * 120)
    assert all([(b.hi, b.en) for b in a.beads] == [((0,), (0,)), ((1,), (1,))] for a in alignments)
