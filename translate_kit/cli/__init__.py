"""The `translate-kit` command: a click group whose commands live one module per job.

Each module in `_COMMAND_MODULES` exposes `COMMANDS`, a list of click commands or groups;
they stay thin wrappers over the library. Library errors (`TranslateKitError`) and operating-system
errors (disk full, permission denied) become one clear line on stderr and exit status 1, never a
traceback.
"""

from __future__ import annotations

import importlib

import click

from .. import __version__
from ..errors import TranslateKitError

_COMMAND_MODULES = ("models", "preprocess", "translate", "align", "corpus", "evaluate", "bench")


class _Group(click.Group):
    """Turns library errors into click errors at the single place every command passes through."""

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


for _name in _COMMAND_MODULES:
    for _command in importlib.import_module(f".{_name}", __name__).COMMANDS:
        cli.add_command(_command)


def main() -> None:
    cli(prog_name="translate-kit")
