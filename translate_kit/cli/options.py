"""Click options and callbacks that several commands share, defined once so that their names,
defaults and help texts cannot drift apart between commands."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from ..errors import OptionError, TranslateKitError
from ..languages import normalize_lang

_Decorator = Callable[[Callable], Callable]


def language(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Click callback: a language option's value as its canonical code (hi -> hin_Deva)."""
    if value is None:
        return None
    try:
        return normalize_lang(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


class Aliased(click.Option):
    """An option whose first name is the one shown in --help; later names are old spellings that
    keep working (``--src-lang`` shown, ``--src`` accepted), so scripts written for them do not break."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        shown, self.opts = self.opts, self.opts[:1]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = shown


LANGUAGE_CODES = "hi or en (also hin_Deva, eng_Latn, hindi, english)"


def src_lang_option(
    help_text: str = "default: detected from the script", *, old_spelling: bool = True, **kwargs
) -> _Decorator:
    """--src-lang (old spelling --src, where --src never named a file): the source language."""
    names = ("--src-lang", "--src", "src") if old_spelling else ("--src-lang", "src_lang")
    return click.option(
        *names, cls=Aliased, callback=language, metavar="LANG",
        help=f"Source language: {LANGUAGE_CODES}; {help_text}.", **kwargs,
    )


def tgt_lang_option(help_text: str = "default: the other one", **kwargs) -> _Decorator:
    """--tgt-lang (old spelling --tgt): the target language."""
    return click.option(
        "--tgt-lang", "--tgt", "tgt", cls=Aliased, callback=language, metavar="LANG",
        help=f"Target language: {LANGUAGE_CODES}; {help_text}.", **kwargs,
    )


def quiet_option(what: str) -> _Decorator:
    """-q/--quiet: `what` is what it silences (warnings and errors always show)."""
    return click.option("-q", "--quiet", is_flag=True, help=f"No {what} on stderr.")


def writable(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback for an output path: its folder (the path itself for a folder option) is
    created now, so that a path that cannot be written fails in one line before any work."""
    if value is None or value == "-":
        return value
    is_folder = getattr(param.type, "file_okay", True) is False
    folder = Path(value) if is_folder else Path(value).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        message = f"cannot write {value}: cannot create folder {folder} ({exc.strerror})"
        raise TranslateKitError(message) from None
    return value


def apply(options: list[_Decorator]) -> _Decorator:
    """One decorator applying `options` so that `--help` lists them in the order given."""
    return lambda command: functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


errors_option = click.option(
    "--errors",
    type=click.Choice(["strict", "replace"]),
    default="strict",
    show_default=True,
    help="Invalid UTF-8: stop with its line and byte offset, or substitute U+FFFD.",
)


def min_score_option(default: float) -> _Decorator:
    return click.option(
        "--min-score",
        type=click.FloatRange(0, 1),
        default=default,
        show_default=True,
        help="Leave out beads scored below this.",
    )


aligner_options = apply(
    [
        click.option(
            "--presplit",
            is_flag=True,
            help="Inputs are one sentence a line, blank line between paragraphs, '# ' heading lines.",
        ),
        click.option(
            "--lexicon",
            type=click.Path(exists=True, dir_okay=False),
            help="Extra Hindi<TAB>English word lexicon.",
        ),
        click.option("--no-freedict", is_flag=True, help="Do not use the installed dict-freedict-eng-hin."),
        click.option(
            "--model", help="Add MT similarity: translate the Hindi side with this model (name or folder)."
        ),
        click.option(
            "--beads",
            "inventory",
            default="1-1,1-0,0-1,2-1,1-2,2-2",
            show_default=True,
            help="Sentence bead types allowed (merges are switchable).",
        ),
        click.option(
            "--no-blocks", is_flag=True, help="Align sentences directly, ignoring headings and paragraphs."
        ),
        click.option(
            "--learn/--no-learn",
            default=True,
            show_default=True,
            help="Learn a word lexicon from the confident beads of all pairs and realign with it "
            "(used from about ten articles on: --pairs, corpus build).",
        ),
        errors_option,
    ]
)
"""Options of `align` and `corpus build`: how articles are read and what evidence aligns them."""


def align_settings(
    *, lexicon: str | None, no_freedict: bool, model: str | None, inventory: str, no_blocks: bool, learn: bool
) -> dict[str, Any]:
    """The values of `aligner_options` (all of them but --presplit and --errors) as AlignOptions fields."""
    return {"lexicon": lexicon, "freedict": not no_freedict, "model": model, "beads": inventory,
            "blocks": not no_blocks, "learn": learn}


@contextlib.contextmanager
def option_errors() -> Iterator[None]:
    """A library OptionError as click's usage error (exit status 2): "Invalid value for --beads: ..."
    when it names its option. Used inside a command, so that click shows that command's usage."""
    try:
        yield
    except OptionError as exc:
        if exc.option:
            raise click.BadParameter(str(exc), param_hint=exc.option) from None
        raise click.UsageError(str(exc)) from None
