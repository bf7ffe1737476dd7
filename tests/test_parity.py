"""Parity with IndicTransToolkit's IndicProcessor on both sides of the real test sets.

Runs when a reference interpreter is available ($TRANSLATE_KIT_REFERENCE_PYTHON, or this one if it
imports IndicTransToolkit) and the shared data is there; skips otherwise. See eval/parity.py.
"""

from __future__ import annotations

import pytest
from project_scripts import load_script

from translate_kit.indictrans import preprocess_batch

pytestmark = pytest.mark.parity
parity = load_script("eval/parity.py")


@pytest.fixture(scope="module")
def reference_python() -> str:
    python = parity.reference_python()
    if python is None:
        pytest.skip(f"no IndicTransToolkit reference (set ${parity.REFERENCE_ENV})")
    return python


def test_canonical_ignores_placeholder_numbering_only():
    assert parity.canonical("a < ID2 > b < ID1 > < ID2 >") == parity.canonical("a <ID1> b <ID2> <ID1>")
    assert parity.canonical("a < ID1 > b < ID2 >") != parity.canonical("a < ID1 > b < ID1 >")


def test_parity_with_the_reference_logic(reference_python, shared_data):
    """The reference's own steps, with indic-nlp-library itself instead of its fork: >= 99.5% everywhere."""
    for side in parity.parity(reference_python, shared_data, indicnlp="upstream"):
        assert side.rate >= 0.995, (side.file, side.rate, dict(side.classes))
        explained = {"upstream-split-number", "ref-set-order"}
        assert set(side.classes) <= explained, (side.file, dict(side.classes))


def test_parity_with_the_shipped_reference(reference_python, shared_data):
    """As shipped, IndicTransToolkit's fork of indic-nlp-library changes Hindi lines (raw agreement
    on newsdev2014.hi about 0.87): no gate on that rate, but every difference must be one of the
    fork's or the reference's own bugs, each shown on a minimal example below; English agrees fully."""
    reference_bugs = {"fork-nukta", "fork-visarga", "fork-no-visarga", "ref-set-order"}
    for side in parity.parity(reference_python, shared_data, indicnlp="shipped"):
        assert set(side.classes) <= reference_bugs | {"postprocess"}, (side.file, side.examples.get("other"))
        assert side.post_rate >= 0.995, (side.file, side.examples["postprocess"][:3])
        if side.src == "eng_Latn":
            assert side.rate == 1.0, (side.file, dict(side.classes))


# One minimal line per difference class, and the reference runs in which it must differ from ours:
# a fork-* difference must vanish when the fork is replaced by indic-nlp-library (upstream), which
# proves it is the fork's; the split number is indic-nlp-library's; the set-order bug is the
# reference's own (it depends on the hash seed, which run_reference fixes at 0).
CLASS_EXAMPLES = {
    "upstream-split-number": ("8,866 मामले दर्ज हुए", {"upstream"}),
    "ref-set-order": ("दर 106.72 और 106.720 रही", {"shipped", "upstream"}),
    "fork-nukta": ("खिला\u095cी मैदान में है", {"shipped"}),
    "fork-visarga": ("सुबह 8:00 बजे बैठक हुई", {"shipped"}),
    "fork-no-visarga": ("आगरा: शहर में बारिश", {"shipped"}),
}


def test_every_difference_class_is_shown_on_a_minimal_example_through_the_reference(reference_python):
    assert set(CLASS_EXAMPLES) == {name for name, _, _ in parity.DIFFERENCE_CLASSES}
    lines = [line for line, _ in CLASS_EXAMPLES.values()]
    ours = [parity.canonical(p.tagged) for p in preprocess_batch(lines, "hin_Deva", "eng_Latn")]
    for mode in ("shipped", "upstream"):
        [reference] = parity.run_reference(
            reference_python, [{"lines": lines, "src": "hin_Deva", "tgt": "eng_Latn"}], mode)
        theirs = [parity.canonical(t) for t in reference["pre"]]
        for (name, (line, modes)), mine, ref in zip(CLASS_EXAMPLES.items(), ours, theirs, strict=True):
            if mode in modes:
                assert parity.classify(mine, ref, line) == name, (mode, line, mine, ref)
            else:
                assert mine == ref, (mode, name, line, mine, ref)
