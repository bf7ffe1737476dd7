"""The `translate-kit` command: a click group whose commands live one module per job.

Each module named in `COMMAND_MODULES` exposes `COMMANDS`, a list of click commands or groups;
they stay thin wrappers over the library. A command's module is imported only when that command
runs (or `--help` lists them all), so `translate-kit --version` does not pay for pandas, scipy
and sacremoses. Library errors (`TranslateKitError`) and operating-system errors (disk full,
permission denied) become one clear line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import importlib

import click

from .. import __version__
from ..errors import TranslateKitError
from .interrupts import leave_at_once

COMMAND_MODULES = {
    "models": "models",
    "preprocess": "preprocess",
    "translate": "translate",
    "align": "align",
    "align-eval": "align",
    "corpus": "corpus",
    "pair-documents": "pair",
    "eval": "evaluate",
    "compare": "evaluate",
    "bench": "bench",
    "serve": "serve",
}


class _Group(click.Group):
    """Loads commands on demand and turns errors into one line at the place every command passes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMAND_MODULES:
            module = importlib.import_module(f".{COMMAND_MODULES[name]}", __name__)
            return next(command for command in module.COMMANDS if command.name == name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except TranslateKitError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # a full disk, a read-only folder: the path and the reason, no traceback
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="translate-kit")
def cli() -> None:
    """Hindi-English machine translation, alignment and evaluation."""


def main() -> None:
    """The console entry. A command stopped by a signal exits with os._exit, so engine calls still
    queued in CTranslate2's workers are abandoned rather than decoded (translate_kit.cli.interrupts)."""
    try:
        cli(prog_name="translate-kit")
    except SystemExit as exc:
        if exc.code in (130, 143):
            leave_at_once(exc.code)
        raise
