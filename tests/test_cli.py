"""The command group: every command is reachable, and loading is lazy."""

from __future__ import annotations

import importlib
import subprocess
import sys

from click.testing import CliRunner

from translate_kit import __version__
from translate_kit.cli import COMMAND_MODULES, cli


def test_every_command_of_every_module_is_registered():
    for module_name in set(COMMAND_MODULES.values()):
        module = importlib.import_module(f"translate_kit.cli.{module_name}")
        for command in module.COMMANDS:
            assert COMMAND_MODULES.get(command.name) == module_name, command.name


def test_help_lists_every_command():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMAND_MODULES:
        assert f"  {name} " in result.output


def test_version_does_not_import_the_heavy_libraries():
    code = (
        "import sys; from translate_kit.cli import cli\n"
        "try: cli(['--version'])\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('pandas', 'scipy', 'sacremoses', 'ctranslate2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [f"translate-kit, version {__version__}", "[]"]


def test_unknown_command_is_one_line():
    result = CliRunner().invoke(cli, ["translat"])
    assert result.exit_code == 2
    assert "No such command 'translat'" in result.output
