"""The evaluation workflows: score a system's output, translate-then-score, named test sets, compare.

What `translate-kit eval` and `compare` do, as library calls over plain data (paths, strings and
`EvalOptions`), so the HTTP service and scripts run exactly the same steps: read and check the files,
translate the source first when a model is given, pick the target language, build the `Scorer`,
score. Messages a person should see (warnings, notes, what was translated) go to `notify`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import OptionError
from ..languages import ENGLISH, HINDI, detect_lang
from ..textio import atomic_write
from .inputs import TextFile, check_references, check_same_length, empty_hypothesis_warning, load_file
from .metrics import DEFAULT_METRICS, DEFAULT_SEED, MetricOptions
from .scorer import MetricScore, Scorer
from .significance import Comparison, compare_systems

Notify = Callable[[str], None]


@dataclass(frozen=True)
class EvalOptions:
    """How hypotheses are scored: metrics, language, text preparation, resampling."""

    metrics: str = ",".join(DEFAULT_METRICS)
    lang: str | None = None  # language of hypotheses and references; None: detected from the references
    preset: str = "none"  # none, nfc, indictrans2
    tokenize: str | None = None  # BLEU tokeniser (None: 13a or what the preset implies)
    lowercase: bool = False
    spm_model: str | None = None  # local SentencePiece model for the flores tokenisers
    comet_model: str | None = None
    seed: int | None = DEFAULT_SEED  # bootstrap and paired tests; None: unseeded
    confidence: int = 0  # bootstrap resamples behind 95% intervals (0: none)
    errors: str = "strict"  # undecodable bytes: "strict" or "replace"


@dataclass(frozen=True)
class TranslateFirst:
    """Translate the source with a model before scoring (translate-then-score)."""

    model: str
    beam_size: int = 5
    src_lang: str | None = None  # None: the model's source language
    save_hypotheses: str | None = None  # keep the translations in this file


@dataclass
class Evaluation:
    """Corpus scores (or, with sentence scores asked for, a table worst first) and what they rest on."""

    scores: list[MetricScore] | None
    sentences: Any | None  # pandas.DataFrame of sentence scores
    meta: dict[str, Any] = field(default_factory=dict)


def _quiet(_message: str) -> None:
    """The default `notify`: messages dropped."""


def target_lang(lang: str | None, references: Sequence[TextFile]) -> str:
    """The language scored: the one given, else the references' script (English when unclear)."""
    return lang or detect_lang(" ".join(references[0].lines[:100]), default=ENGLISH)


def make_scorer(
    references: list[TextFile], source: TextFile | None, lang: str, options: EvalOptions
) -> Scorer:
    """A Scorer over checked references (and the line-aligned source, for COMET and tables)."""
    check_references(references)
    if source is not None:
        check_same_length(references[0], [source])
    return Scorer(
        [ref.lines for ref in references],
        lang=lang,
        metrics=options.metrics,
        preset=options.preset,
        options=MetricOptions(
            tokenize=options.tokenize, lowercase=options.lowercase, spm_model=options.spm_model
        ),
        sources=source.lines if source else None,
        comet_model=options.comet_model,
    )


def hindi_preset_note(lang: str, preset: str) -> str | None:
    """A note when Hindi is scored without normalisation (scores then depend on formatting)."""
    if lang == HINDI and preset == "none":
        return (
            "note: Hindi scored as given; --preset indictrans2 (IndicNLP normalisation) is "
            "IndicTrans2's recipe, --preset nfc only unifies nukta forms"
        )
    return None


def translate_source(
    translator: Any, source: TextFile, beam_size: int, save: str | None, notify: Notify = _quiet
) -> TextFile:
    """The source lines translated by a loaded `engine.Translator`, one line each (kept in `save`)."""
    from ..engine import DecodeOptions

    translations = translator.translate(source.lines, DecodeOptions(beam_size=beam_size))
    lines = [t.text.replace("\n", " ").rstrip() for t in translations]
    if save:
        with atomic_write(save) as handle:
            handle.write("".join(line + "\n" for line in lines))
    notify(
        f"translated {len(lines)} lines with {translator.model.path} "
        f"({translator.src} -> {translator.tgt}, fingerprint {translator.fingerprint[:12]})"
    )
    return TextFile(save or f"<{translator.model.path.name} output>", lines)


def test_set_files(
    name: str, data_dir: str | None, src_lang: str | None, errors: str, notify: Notify = _quiet
) -> tuple[TextFile, TextFile, str, dict]:
    """Source, reference, target language and report record of a verified named test set."""
    from .testsets import locate

    located = locate(name, src_lang or "hi", data_dir)
    if located.first_use:
        notify(f"{name}: checksums recorded on first use (the manifest has none)")
    record = {"name": name, "sha256": located.sha256, "lines": located.lines}
    return load_file(located.source, errors), load_file(located.reference, errors), located.tgt, record


def test_set_listing(data_dir: str | None) -> str:
    """The named test sets of the manifest and whether each is in the data folder."""
    from .testsets import default_data_dir, load_manifest

    folder = Path(data_dir) if data_dir else default_data_dir()
    lines = [f"test sets (data folder: {folder})"]
    for name, spec in load_manifest().items():
        present = all((folder / side.path).is_file() for side in spec.files.values())
        count = spec.lines if spec.lines is not None else "unknown"
        lines.append(f"  {name:<18} {'present' if present else 'missing':<8} lines: {count:<8} {spec.title}")
    return "\n".join(lines) + "\n"


def evaluate(
    hypotheses: str | None,
    references: Sequence[str],
    options: EvalOptions = EvalOptions(),
    *,
    source: str | None = None,
    translate: TranslateFirst | None = None,
    test_set: str | None = None,
    data_dir: str | None = None,
    sentences: bool = False,
    sort_by: str | None = None,
    notify: Notify = _quiet,
) -> Evaluation:
    """Score the hypothesis file (or the source translated by `translate`) against the references
    (or the named `test_set`'s); corpus scores, or sentence scores worst first with `sentences`."""
    if sentences and options.confidence:
        raise OptionError("--confidence applies to corpus scores, not to --sentences")
    meta: dict[str, Any] = {}
    translator = None
    src_lang = None
    if translate is not None:
        from ..engine import Translator

        translator = Translator.load(translate.model, src=translate.src_lang)
        src_lang = translator.src
    src_file = load_file(source, options.errors) if source else None
    lang = options.lang
    if test_set:
        if references:
            raise OptionError("--test-set provides the references: drop --ref")
        test_source, reference, test_lang, meta["test_set"] = test_set_files(
            test_set, data_dir, src_lang, options.errors, notify
        )
        src_file, ref_files, lang = src_file or test_source, [reference], lang or test_lang
    else:
        ref_files = [load_file(path, options.errors) for path in references]
    if not ref_files:
        raise OptionError("no reference: pass --ref FILE or --test-set NAME")
    if translator is not None:
        if hypotheses:
            raise OptionError("--model translates the source itself: drop --hyp")
        if src_file is None:
            raise OptionError("--model needs the source sentences: pass --source FILE (or --test-set)")
        check_same_length(src_file, ref_files)
        hyp_file = translate_source(
            translator, src_file, translate.beam_size, translate.save_hypotheses, notify
        )
        lang = lang or translator.tgt
        meta["model"] = {"path": str(translator.model.path), "fingerprint": translator.fingerprint,
                         "family": translator.family.name}
    elif hypotheses:
        hyp_file = load_file(hypotheses, options.errors)
    else:
        raise OptionError("nothing to score: pass --hyp FILE, or --model NAME to translate the source")
    check_same_length(hyp_file, ref_files)
    warning = empty_hypothesis_warning(hyp_file)
    if warning:
        notify(f"warning: {warning}")
    lang = target_lang(lang, ref_files)
    note = hindi_preset_note(lang, options.preset)
    if note:
        notify(note)
    scorer = make_scorer(ref_files, src_file, lang, options)
    if sentences:
        from .sentences import sentence_scores

        return Evaluation(None, sentence_scores(scorer, hyp_file.lines, sort_by), meta)
    scores = scorer.corpus(hyp_file.lines, confidence=options.confidence, seed=options.seed)
    meta.update(
        hypothesis=hyp_file.path,
        references=[r.path for r in ref_files],
        source=src_file.path if src_file else None,
        lines=len(hyp_file.lines),
        lang=lang,
        preset=options.preset,
    )
    return Evaluation(scores, None, meta)


def compare(
    systems: Sequence[str],
    references: Sequence[str],
    options: EvalOptions = EvalOptions(),
    *,
    source: str | None = None,
    test: str | None = None,
    samples: int = 0,
    names: Sequence[str] = (),
    notify: Notify = _quiet,
) -> Comparison:
    """Score several systems' files against the same references; the first is the baseline, and
    `test` ("bs" paired bootstrap, "ar" approximate randomisation, None) compares each with it."""
    if not references:
        raise OptionError("no reference: pass --ref FILE")
    if names and len(names) != len(systems):
        raise OptionError(f"{len(names)} --name given for {len(systems)} systems")
    files = [load_file(path, options.errors) for path in systems]
    ref_files = [load_file(path, options.errors) for path in references]
    check_same_length(files[0], files[1:])
    check_same_length(files[0], ref_files)
    for file in files:
        warning = empty_hypothesis_warning(file)
        if warning:
            notify(f"warning: {warning}")
    src_file = load_file(source, options.errors) if source else None
    lang = target_lang(options.lang, ref_files)
    note = hindi_preset_note(lang, options.preset)
    if note:
        notify(note)
    scorer = make_scorer(ref_files, src_file, lang, options)
    labels = list(names) or [file.path for file in files]
    return compare_systems(
        scorer,
        list(zip(labels, [file.lines for file in files], strict=True)),
        test=test,
        n_samples=samples,
        confidence=options.confidence,
        seed=options.seed,
    )


__all__ = [
    "EvalOptions", "Evaluation", "TranslateFirst", "compare", "evaluate",
    "hindi_preset_note", "make_scorer", "target_lang", "test_set_listing", "translate_source",
]


def evaluate_texts(
    hypotheses: list[str],
    references: list[list[str]],
    *,
    lang: str | None,
    metrics: str,
    preset: str,
    confidence: int,
    sources: list[str] | None = None,
) -> dict[str, Any]:
    """`translate-kit eval --format json`'s document for lines held in memory: scores with their
    signatures, the text report under "text", warnings (an empty hypothesis) under "warnings"."""
    import json

    from . import report

    hyp = TextFile("hypotheses", [line.rstrip() for line in hypotheses])
    refs = [TextFile(f"references[{i}]", [line.rstrip() for line in ref]) for i, ref in enumerate(references)]
    check_references(refs)
    check_same_length(hyp, refs)
    lang = lang or detect_lang(" ".join(refs[0].lines[:100]), default=ENGLISH)
    scorer = Scorer([ref.lines for ref in refs], lang=lang, metrics=metrics, preset=preset, sources=sources)
    scores = scorer.corpus(hyp.lines, confidence=confidence)
    meta = {"lines": len(hyp.lines), "lang": lang, "preset": preset}
    document = json.loads(report.render_evaluation(scores, "json", 4, meta))
    document["text"] = report.render_evaluation(scores, "text", 1)
    warning = empty_hypothesis_warning(hyp)
    if warning:
        document["warnings"] = [warning]
    return document
