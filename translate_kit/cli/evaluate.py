"""`translate-kit eval` and `translate-kit compare`: scores with signatures, intervals and paired tests.

Thin wrappers over `translate_kit.api.evaluate` and `compare` (translate_kit.evaluate.workflow:
reading and checking the files, translating first with --model, named test sets, scoring): this
module parses options, renders and writes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..api import EvalOptions, TranslateFirst, compare, evaluate
from ..errors import TranslateKitError
from ..evaluate import report
from ..evaluate.metrics import DEFAULT_METRICS, DEFAULT_SEED
from ..evaluate.presets import PRESETS
from ..evaluate.workflow import test_set_listing
from ..textio import atomic_write
from .options import (
    LANGUAGE_CODES,
    Aliased,
    apply,
    errors_option,
    language,
    quiet_option,
    src_lang_option,
    writable,
)

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
            "--source",
            "--src",
            "src",
            cls=Aliased,
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
            "--tgt-lang",
            "--lang",
            "lang",
            cls=Aliased,
            callback=language,
            metavar="LANG",
            help=f"Language of hypotheses and references: {LANGUAGE_CODES}; default: detected from the "
            "references.",
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
        quiet_option("notes"),
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


def _emit(text: str, output: str | None, quiet: bool = False) -> None:
    if output:
        with atomic_write(output) as handle:
            handle.write(text)
        if not quiet:
            click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


def _notifier(quiet: bool) -> Callable[[str], None]:
    """Messages to stderr; with -q only warnings."""

    def notify(message: str) -> None:
        if not quiet or message.startswith("warning:"):
            click.echo(message, err=True)

    return notify


def _eval_options(kw: dict[str, Any], confidence: int) -> EvalOptions:
    return EvalOptions(
        metrics=kw["metrics"], lang=kw["lang"], preset=kw["preset"], tokenize=kw["tokenize"],
        lowercase=kw["lowercase"], spm_model=kw["spm_model"], comet_model=kw["comet_model"],
        seed=_seed(kw["seed"]), confidence=confidence, errors=kw["errors"],
    )


@click.command("eval")
@click.option("--hyp", type=click.Path(dir_okay=False), help="Hypothesis file (system output).")
@scoring_options
@click.option("--model", help="Translate --source (or the test set) with this model, then score.")
@click.option("--test-set", help="A named test set from the manifest (see --list-test-sets).")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Folder holding test sets [$TRANSLATE_KIT_HOME/data].",
)
@src_lang_option("of a test set; default: the model's, else hi", old_spelling=False)
@click.option("--list-test-sets", is_flag=True, help="List the named test sets and whether they are present.")
@click.option(
    "--beam", "--beam-size", "beam_size", cls=Aliased, default=5, show_default=True,
    type=click.IntRange(1, 64), help="Beam size with --model: 5 reproduces IndicTrans2, 1 is faster.",
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
    translate-kit eval --hyp out.hi --ref ref.hi --tgt-lang hi --preset indictrans2
    translate-kit eval --hyp out.en --ref ref.en --sentences -o sentences.csv
    translate-kit eval --model NAME --source test.hi --ref test.en --beam 1
    translate-kit eval --test-set flores200-devtest --model NAME
    """
    if list_test_sets:
        _emit(test_set_listing(data_dir), None)
        return
    fmt = _output_format(kw["fmt"], kw["output"], report.FORMATS)
    translate = TranslateFirst(model, beam_size, src_lang, save_hyp) if model else None
    result = evaluate(
        hyp, refs, _eval_options(kw, confidence_n if confidence else 0), source=src, translate=translate,
        test_set=test_set, data_dir=data_dir, sentences=sentences, sort_by=sort_by,
        notify=_notifier(kw["quiet"]),
    )
    if result.sentences is not None:
        text = report.render_sentences(result.sentences, fmt, kw["width"])
    else:
        text = report.render_evaluation(result.scores, fmt, kw["width"], result.meta)
    _emit(text, kw["output"], kw["quiet"])


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
    translate-kit compare --ref ref.en --source src.hi base.en new.en --paired-ar -o report.html
    """
    fmt = _output_format(kw["fmt"], kw["output"], (*report.FORMATS, "html"))
    comparison = compare(
        systems, refs, _eval_options(kw, confidence_n), source=src, test=test, samples=samples,
        names=names, notify=_notifier(kw["quiet"]),
    )
    if fmt == "html":
        _emit(report.html_report(comparison, kw["width"]), kw["output"], kw["quiet"])
    else:
        _emit(report.render_comparison(comparison, fmt, kw["width"]), kw["output"], kw["quiet"])


COMMANDS = [eval_command, compare_command]
