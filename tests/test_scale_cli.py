"""`--ray` without Ray installed: one line naming the extra to install (no Ray needed here)."""

from __future__ import annotations

import sys

from click.testing import CliRunner

from translate_kit.cli import cli


def test_ray_flag_without_ray_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails as if it were not installed
    source = tmp_path / "article.txt"
    source.write_text("मॉस्को में जयशंकर ने लावरोव से मुलाकात की।\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["translate", str(source), "-o", str(tmp_path / "out.txt"), "--ray"])
    assert result.exit_code == 1
    assert "pip install 'translate-kit[ray]'" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out.txt").exists()
