"""`translate-kit eval` and `translate-kit compare`: scores with signatures, intervals and paired tests.

Thin wrappers over `translate_kit.evaluate`: read and check the files, build a `Scorer`, render.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..errors import TranslateKitError
from ..evaluate import report
from ..evaluate.inputs import (
    TextFile,
    check_references,
    check_same_length,
    empty_hypothesis_warning,
    load_file,
)
from ..evaluate.metrics import DEFAULT_METRICS, DEFAULT_SEED, MetricOptions
from ..evaluate.presets import PRESETS
from ..evaluate.scorer import Scorer
from ..evaluate.sentences import sentence_scores
from ..evaluate.significance import compare_systems
from ..languages import detect_lang
from ..textio import atomic_write
from .options import apply, errors_option, language, writable

_SUFFIX_FORMATS = {
    ".json": "json",
    ".csv": "csv",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
}
_TOKENIZERS = ("none", "13a", "intl", "char", "zh", "flores101", "flores200", "spBLEU-1K")


def _seed(value: str) -> int | None:
    if value.strip().lower() == "none":
        return None
    try:
        return int(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an integer or 'none'", param_hint="--seed") from None


def scoring_options(command: Callable) -> Callable:
    """Options shared by eval and compare: what to score and how the text is prepared."""
    options = [
        click.option(
            "--ref",
            "refs",
            multiple=True,
            type=click.Path(dir_okay=False),
            help="Reference file (repeat for several references).",
        ),
        click.option(
            "--src",
            "src",
            type=click.Path(dir_okay=False),
            help="Source file, line-aligned (sentence table, COMET, --model).",
        ),
        click.option(
            "--metrics",
            "-m",
            default=",".join(DEFAULT_METRICS),
            show_default=True,
            help="Comma-separated: bleu, chrf, chrf++, ter, comet.",
        ),
        click.option(
            "--lang",
            "lang",
            callback=language,
            help="Language of hypotheses and references (hi/en); detected from the references if omitted.",
        ),
        click.option(
            "--preset",
            type=click.Choice(list(PRESETS)),
            default="none",
            show_default=True,
            help="Text preparation: none (as sacrebleu), nfc, indictrans2 (IndicNLP for Hindi).",
        ),
        click.option(
            "--tokenize",
            type=click.Choice(_TOKENIZERS),
            default=None,
            help="BLEU tokeniser (default 13a, or what the preset implies).",
        ),
        click.option("--lowercase", is_flag=True, help="Case-insensitive BLEU and chrF."),
        click.option(
            "--spm-model",
            type=click.Path(dir_okay=False),
            help="Local SentencePiece model for --tokenize flores101/flores200 (else downloaded).",
        ),
        click.option(
            "--comet-model", help="COMET model name or local folder/checkpoint for --metrics comet."
        ),
        click.option(
            "--seed",
            default=str(DEFAULT_SEED),
            envvar="SACREBLEU_SEED",
            show_default=True,
            help="Seed for bootstrap resampling and paired tests ('none': unseeded).",
        ),
        click.option(
            "--format",
            "-f",
            "fmt",
            type=click.Choice([*report.FORMATS, "html"]),
            help="Output format (default: from the -o suffix, else text); html: compare only.",
        ),
        click.option(
            "--output",
            "-o",
            type=click.Path(dir_okay=False),
            callback=writable,
            help="Write here instead of stdout.",
        ),
        click.option(
            "--width", "-w", default=1, show_default=True, type=click.IntRange(0, 10), help="Decimals shown."
        ),
        errors_option,
    ]
    return apply(options)(command)


def _output_format(fmt: str | None, output: str | None, allowed: tuple[str, ...]) -> str:
    if fmt is None and output:
        fmt = _SUFFIX_FORMATS.get(Path(output).suffix.lower())
    fmt = fmt or "text"
    if fmt not in allowed:
        raise TranslateKitError(f"format {fmt!r} is not available here: use one of {', '.join(allowed)}")
    return fmt


def _emit(text: str, output: str | None) -> None:
    if output:
        with atomic_write(output) as handle:
            handle.write(text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


def _target_lang(lang: str | None, refs: list[TextFile]) -> str:
    if lang:
        return lang
    return detect_lang(" ".join(refs[0].lines[:100]), default="eng_Latn")


def _make_scorer(refs: list[TextFile], src: TextFile | None, lang: str, kw: dict[str, Any]) -> Scorer:
    check_references(refs)
    if src is not None:
        check_same_length(refs[0], [src])
    options = MetricOptions(tokenize=kw["tokenize"], lowercase=kw["lowercase"], spm_model=kw["spm_model"])
    return Scorer(
        [ref.lines for ref in refs],
        lang=lang,
        metrics=kw["metrics"],
        preset=kw["preset"],
        options=options,
        sources=src.lines if src else None,
        comet_model=kw["comet_model"],
    )


@click.command("eval")
@click.option("--hyp", type=click.Path(dir_okay=False), help="Hypothesis file (system output).")
@scoring_options
@click.option("--model", help="Translate --src (or the test set) with this model, then score.")
@click.option("--test-set", help="A named test set from the manifest (see --list-test-sets).")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Folder holding test sets [$TRANSLATE_KIT_HOME/data].",
)
@click.option(
    "--src-lang",
    callback=language,
    help="Source language of a test set (default: the model's, else hi).",
)
@click.option("--list-test-sets", is_flag=True, help="List the named test sets and whether they are present.")
@click.option(
    "--beam-size", default=5, show_default=True, type=click.IntRange(1, 64), help="Beam size with --model."
)
@click.option(
    "--save-hyp",
    type=click.Path(dir_okay=False),
    callback=writable,
    help="With --model: keep the translations here.",
)
@click.option("--confidence", is_flag=True, help="Bootstrap 95% confidence intervals.")
@click.option(
    "--confidence-n", default=1000, show_default=True, type=click.IntRange(2), help="Bootstrap resamples."
)
@click.option(
    "--sentences", is_flag=True, help="Sentence-level scores, worst first, instead of corpus scores."
)
@click.option(
    "--sort-by", help="Metric that orders --sentences (default chrf++ when computed, else the first)."
)
def eval_command(
    hyp,
    refs,
    src,
    model,
    test_set,
    data_dir,
    src_lang,
    list_test_sets,
    beam_size,
    save_hyp,
    confidence,
    confidence_n,
    sentences,
    sort_by,
    **kw,
):
    """Score a system's output against references with sacrebleu (signatures included).

    \b
    translate-kit eval --hyp out.en --ref ref.en [--ref ref2.en] --metrics bleu,chrf,chrf++,ter
    translate-kit eval --hyp out.hi --ref ref.hi --lang hi --preset indictrans2
    translate-kit eval --hyp out.en --ref ref.en --sentences -o sentences.csv
    translate-kit eval --model NAME --src test.hi --ref test.en
    translate-kit eval --test-set flores200-devtest --model NAME
    """
    if list_test_sets:
        _emit(_test_set_listing(data_dir), None)
        return
    if sentences and confidence:
        raise TranslateKitError("--confidence applies to corpus scores, not to --sentences")
    fmt = _output_format(kw["fmt"], kw["output"], report.FORMATS)
    errors = kw["errors"]
    translator = None
    if model:
        from ..engine import Translator

        translator = Translator.load(model, src=src_lang)
        src_lang = translator.src
    meta: dict[str, Any] = {}
    src_file = load_file(src, errors) if src else None
    if test_set:
        if refs:
            raise TranslateKitError("--test-set provides the references: drop --ref")
        src_file, ref_files, test_lang = _test_set_files(test_set, data_dir, src_lang, src_file, errors, meta)
        kw["lang"] = kw["lang"] or test_lang
    else:
        ref_files = [load_file(path, errors) for path in refs]
    if not ref_files:
        raise TranslateKitError("no reference: pass --ref FILE or --test-set NAME")
    if translator is not None:
        if hyp:
            raise TranslateKitError("--model translates the source itself: drop --hyp")
        if src_file is None:
            raise TranslateKitError("--model needs the source sentences: pass --src FILE (or --test-set)")
        check_same_length(src_file, ref_files)
        hyp_file = _translate_with(translator, src_file, beam_size, save_hyp)
        kw["lang"] = kw["lang"] or translator.tgt
        meta["model"] = {"path": str(translator.model.path), "fingerprint": translator.fingerprint,
                         "family": translator.family.name}
    elif hyp:
        hyp_file = load_file(hyp, errors)
    else:
        raise TranslateKitError("nothing to score: pass --hyp FILE, or --model NAME to translate the source")
    check_same_length(hyp_file, ref_files)
    warning = empty_hypothesis_warning(hyp_file)
    if warning:
        click.echo(f"warning: {warning}", err=True)
    lang = _target_lang(kw["lang"], ref_files)
    _hint_hindi_preset(lang, kw["preset"])
    scorer = _make_scorer(ref_files, src_file, lang, kw)
    if sentences:
        table = sentence_scores(scorer, hyp_file.lines, sort_by)
        _emit(report.render_sentences(table, fmt, kw["width"]), kw["output"])
        return
    scores = scorer.corpus(
        hyp_file.lines, confidence=confidence_n if confidence else 0, seed=_seed(kw["seed"])
    )
    meta.update(
        hypothesis=hyp_file.path,
        references=[r.path for r in ref_files],
        source=src_file.path if src_file else None,
        lines=len(hyp_file.lines),
        lang=lang,
        preset=kw["preset"],
    )
    _emit(report.render_evaluation(scores, fmt, kw["width"], meta), kw["output"])


def _test_set_files(
    name: str, data_dir: str | None, src_lang: str | None, src_file: TextFile | None, errors: str, meta: dict
) -> tuple[TextFile, list[TextFile], str]:
    """Source, reference and target language of a verified named test set; `meta` records it."""
    from ..evaluate.testsets import locate

    located = locate(name, src_lang or "hi", data_dir)
    if located.first_use:
        click.echo(f"{name}: checksums recorded on first use (the manifest has none)", err=True)
    meta["test_set"] = {"name": name, "sha256": located.sha256, "lines": located.lines}
    source = src_file or load_file(located.source, errors)
    return source, [load_file(located.reference, errors)], located.tgt


def _translate_with(translator, src: TextFile, beam_size: int, save_hyp: str | None) -> TextFile:
    """The source lines translated (one line each), kept in `save_hyp` when given."""
    from ..engine import DecodeOptions

    translations = translator.translate(src.lines, DecodeOptions(beam_size=beam_size))
    lines = [t.text.replace("\n", " ").rstrip() for t in translations]
    if save_hyp:
        with atomic_write(save_hyp) as handle:
            handle.write("".join(line + "\n" for line in lines))
    click.echo(
        f"translated {len(lines)} lines with {translator.model.path} "
        f"({translator.src} -> {translator.tgt}, fingerprint {translator.fingerprint[:12]})",
        err=True,
    )
    return TextFile(save_hyp or f"<{translator.model.path.name} output>", lines)


def _hint_hindi_preset(lang: str, preset: str) -> None:
    if lang == "hin_Deva" and preset == "none":
        click.echo(
            "note: Hindi scored as given; --preset indictrans2 (IndicNLP normalisation) is "
            "IndicTrans2's recipe, --preset nfc only unifies nukta forms",
            err=True,
        )


def _test_set_listing(data_dir: str | None) -> str:
    from ..evaluate.testsets import default_data_dir, load_manifest

    folder = Path(data_dir) if data_dir else default_data_dir()
    lines = [f"test sets (data folder: {folder})"]
    for name, spec in load_manifest().items():
        present = all((folder / side.path).is_file() for side in spec.files.values())
        count = spec.lines if spec.lines is not None else "unknown"
        lines.append(f"  {name:<18} {'present' if present else 'missing':<8} lines: {count:<8} {spec.title}")
    return "\n".join(lines) + "\n"


@click.command("compare")
@click.argument("systems", nargs=-1, required=True, type=click.Path(dir_okay=False))
@scoring_options
@click.option(
    "--paired-bs", "test", flag_value="bs", help="Paired bootstrap resampling against the first system."
)
@click.option(
    "--paired-ar", "test", flag_value="ar", help="Paired approximate randomisation against the first system."
)
@click.option(
    "--samples",
    default=0,
    type=click.IntRange(0),
    help="Resamples (--paired-bs, default 1000) or trials (--paired-ar, default 10000).",
)
@click.option(
    "--confidence-n",
    default=1000,
    show_default=True,
    type=click.IntRange(0),
    help="Bootstrap resamples behind each system's 95% interval (0: none).",
)
@click.option(
    "--name", "names", multiple=True, help="Display name of each system, in order (default: file name)."
)
def compare_command(systems, refs, src, test, samples, confidence_n, names, **kw):
    """Score several systems against the same references; the first one is the baseline.

    \b
    translate-kit compare --ref ref.en baseline.en systemB.en systemC.en --paired-bs
    translate-kit compare --ref ref.en --src src.hi base.en new.en --paired-ar -o report.html
    """
    fmt = _output_format(kw["fmt"], kw["output"], (*report.FORMATS, "html"))
    if not refs:
        raise TranslateKitError("no reference: pass --ref FILE")
    if names and len(names) != len(systems):
        raise TranslateKitError(f"{len(names)} --name given for {len(systems)} systems")
    errors = kw["errors"]
    files = [load_file(path, errors) for path in systems]
    ref_files = [load_file(path, errors) for path in refs]
    check_same_length(files[0], files[1:])
    check_same_length(files[0], ref_files)
    for file in files:
        warning = empty_hypothesis_warning(file)
        if warning:
            click.echo(f"warning: {warning}", err=True)
    src_file = load_file(src, errors) if src else None
    lang = _target_lang(kw["lang"], ref_files)
    _hint_hindi_preset(lang, kw["preset"])
    scorer = _make_scorer(ref_files, src_file, lang, kw)
    labels = list(names) or [file.path for file in files]
    comparison = compare_systems(
        scorer,
        list(zip(labels, [file.lines for file in files], strict=True)),
        test=test,
        n_samples=samples,
        confidence=confidence_n,
        seed=_seed(kw["seed"]),
    )
    if fmt == "html":
        _emit(report.html_report(comparison, kw["width"]), kw["output"])
    else:
        _emit(report.render_comparison(comparison, fmt, kw["width"]), kw["output"])


COMMANDS = [eval_command, compare_command]
