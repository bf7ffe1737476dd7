"""Reading user text with clear errors, and writing atomically."""

from __future__ import annotations

import os
import stat

import pytest

from translate_kit.errors import InputError
from translate_kit.textio import atomic_write, read_lines, read_text


def test_invalid_utf8_names_file_line_and_byte(tmp_path):
    path = tmp_path / "news.hi"
    path.write_bytes("पहली पंक्ति\nदूसरी ".encode() + b"\xff" + " पंक्ति\n".encode())
    with pytest.raises(InputError) as error:
        read_text(path)
    message = str(error.value)
    assert message.startswith(f"{path}:2: invalid UTF-8 at byte ")
    assert "--errors replace" in message


def test_replace_substitutes_and_keeps_every_line(tmp_path):
    path = tmp_path / "news.hi"
    path.write_bytes("पहली\n".encode() + b"\xff\xfe\n" + "तीसरी\n".encode())
    assert read_lines(path, errors="replace") == ["पहली", "\ufffd\ufffd", "तीसरी"]


def test_bom_and_crlf_are_normalised(tmp_path):
    path = tmp_path / "article.en"
    path.write_bytes(b"\xef\xbb\xbfJaishankar met Lavrov.\r\n\r\nTalks went well.\r\n")
    assert read_lines(path) == ["Jaishankar met Lavrov.", "", "Talks went well."]


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(InputError, match="binary"):
        read_text(path)


def test_missing_file_is_one_clear_error(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_text(tmp_path / "absent.txt")


def test_atomic_write_leaves_old_file_when_interrupted(tmp_path):
    target = tmp_path / "out.en"
    target.write_text("finished work\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write("half of a new")
        raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "finished work\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.en"]


def test_atomic_write_gives_ordinary_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "out.en") as handle:
            handle.write("Jaishankar met Lavrov.\n")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "out.en").stat().st_mode) == 0o644


def test_cli_turns_os_errors_into_one_line(tmp_path):
    import click
    from click.testing import CliRunner

    from translate_kit.cli import _Group

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")

    @click.group(cls=_Group)
    def group() -> None:
        pass

    @group.command()
    def write() -> None:
        (blocker / "out.txt").write_text("translation", encoding="utf-8")

    result = CliRunner().invoke(group, ["write"])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {blocker / 'out.txt'}: Not a directory"
