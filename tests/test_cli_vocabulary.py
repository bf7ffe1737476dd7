"""One vocabulary of options across commands, shown in every --help with examples."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from translate_kit.cli import cli

COMMANDS = [
    ["translate"], ["preprocess"], ["align"], ["align-eval"], ["corpus", "build"], ["pair-documents"],
    ["eval"], ["compare"], ["bench"], ["serve"], ["models", "list"], ["models", "fetch"], ["models", "info"],
]
QUIET = {"translate", "align", "corpus build", "pair-documents", "eval", "compare", "bench", "serve",
         "models fetch"}


def _help(command: list[str]) -> str:
    result = CliRunner().invoke(cli, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_help_shows_examples(command):
    text = _help(command)
    examples = re.findall(rf"^\s+.*translate-kit {' '.join(command)}\b", text, re.MULTILINE)
    assert len(examples) >= 2, text


def test_one_vocabulary():
    flags = re.compile(r"^\s+(?:-\w, )?(--[a-z-]+)", re.MULTILINE)
    options = {" ".join(c): set(flags.findall(_help(c))) for c in COMMANDS}
    for name, shown in options.items():
        assert not shown & {"--src", "--tgt", "--lang"}, name  # languages are --src-lang/--tgt-lang
        assert "--beam-size" not in shown, name
        if name in QUIET:
            assert "--quiet" in shown, name
    assert {"--src-lang", "--tgt-lang", "--beam"} <= options["translate"]
    assert {"--source", "--tgt-lang", "--beam", "--src-lang"} <= options["eval"]
    assert "--source" in options["bench"] and "--src-lang" in options["preprocess"]
    assert "hi or en" in _help(["translate"]) and "hi or en" in _help(["eval"])


def test_old_spellings_still_work(tmp_path):
    hyp = tmp_path / "hyp.en"
    hyp.write_text("the cat sat\n", encoding="utf-8")
    for spelling in (["--lang", "en"], ["--tgt-lang", "en"]):
        result = CliRunner().invoke(cli, ["eval", "--hyp", str(hyp), "--ref", str(hyp), *spelling, "-q"])
        assert result.exit_code == 0, result.output
    for spelling in (["--src", "hi"], ["--src-lang", "hi"]):
        result = CliRunner().invoke(cli, ["preprocess", *spelling, "-"], input="नमस्ते।\n")
        assert result.exit_code == 0 and result.output.startswith("hin_Deva eng_Latn")
