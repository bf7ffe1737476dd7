"""Fetching models from a loopback HTTP server: resume, checksums, atomic install, offline message."""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_archives import CHECKPOINT, official_layout, pack

from translate_kit import models
from translate_kit.download import DownloadError, download, unpack_archive
from translate_kit.errors import ModelError
from translate_kit.languages import ENGLISH, HINDI


class ArchiveServer(http.server.ThreadingHTTPServer):
    """Serves `files` under three behaviours chosen by the first path component:
    /ok/ honours Range, /cut/ sends half of what it promised on the first request for each file
    then behaves, /corrupt/ flips one byte in the middle, /norange/ ignores Range."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, str | None]] = []
        self.cut_done: set[str] = set()
        self.cut_at = 0.5  # share of the promised body sent before a /cut/ connection drops
        self.authorizations: list[str | None] = []  # /gated/ needs "Bearer good-token"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{path}"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: ArchiveServer

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        mode, _, name = self.path.lstrip("/").partition("/")
        self.server.requests.append((self.path, self.headers.get("Range")))
        self.server.authorizations.append(self.headers.get("Authorization"))
        if mode == "gated" and self.headers.get("Authorization") != "Bearer good-token":
            self.send_error(401 if self.headers.get("Authorization") is None else 403)
            return
        if name not in self.server.files:
            self.send_error(404)
            return
        data = self.server.files[name]
        if mode == "corrupt":
            middle = len(data) // 2
            data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]
        start = 0
        wanted = self.headers.get("Range")
        if wanted and mode != "norange":
            start = int(wanted.removeprefix("bytes=").rstrip("-"))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "cut" and name not in self.server.cut_done:
            self.server.cut_done.add(name)
            self.wfile.write(body[: int(len(body) * self.server.cut_at)])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[ArchiveServer]:
    httpd = ArchiveServer()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def archives(tiny_model_hi_en, tiny_model_en_hi, tmp_path_factory) -> dict[str, bytes]:
    """The tiny models in the official layout, without translate_kit.json like the real archives."""
    work = tmp_path_factory.mktemp("archives")
    made = {}
    for name, model, suffix, spm_in_fairseq in (
        ("indic-en-dist.tar.gz", tiny_model_hi_en, ".tar.gz", False),
        ("en-indic.zip", tiny_model_en_hi, ".zip", True),
    ):
        stem = name.removesuffix(suffix)
        root = official_layout(model, work / stem / stem, spm_in_fairseq=spm_in_fairseq, with_meta=False)
        made[name] = pack(root, work / name).read_bytes()
    return made


def point_registry(monkeypatch, name: str, *urls: str, sha256: str | None = None, size: int | None = None):
    """Make a registry entry download from the test server instead of the internet."""
    entry = models.REGISTRY[name]
    archives = tuple(models.Archive(url, size=size, sha256=sha256) for url in urls)
    monkeypatch.setitem(models.REGISTRY, name, dataclasses.replace(entry, archives=archives))


def nothing_installed(home: Path) -> bool:
    folder = home / "models"
    return not folder.exists() or not any(folder.iterdir())


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/indic-en-dist.tar.gz"


# ----------------------------------------------------------------------------- fetch

def test_fetch_registry_model_installs_and_verifies(server, archives, home, monkeypatch):
    server.files = archives
    data = archives["indic-en-dist.tar.gz"]
    name = "indictrans2-indic-en-dist-200M"
    point_registry(monkeypatch, name, server.url("ok/indic-en-dist.tar.gz"),
                   sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    model = models.fetch(name, quiet=True)
    assert model.root == home / "models" / name
    assert model.path == home / "models" / name / "ct2_int8_model"
    assert (model.src, model.tgt) == (HINDI, ENGLISH)
    assert not (model.root / CHECKPOINT).exists()  # the fairseq checkpoint is not unpacked
    meta = json.loads((model.root / models.META_FILE).read_text(encoding="utf-8"))
    assert meta["archive_sha256"] == hashlib.sha256(data).hexdigest()
    assert list((home / "downloads").glob("*.part")) == []
    assert [p.name for p in (home / "models").iterdir()] == [name]  # no scratch folder left
    assert models.fetch(name, quiet=True) == model  # already installed: no second request
    assert len(server.requests) == 1


def test_fetch_by_url_zip_with_spm_in_fairseq_vocab(server, archives, home):
    server.files = archives
    model = models.fetch(server.url("ok/en-indic.zip"), name="newsroom-en-hi", quiet=True)
    assert model.root == home / "models" / "newsroom-en-hi"
    assert model.spm_src == model.root / "fairseq_model" / "vocab" / "model.SRC"
    assert (model.src, model.tgt) == (ENGLISH, HINDI)  # from the name in the URL
    assert models.resolve_model("newsroom-en-hi", "en", "hi").fingerprint() == model.fingerprint()


def test_cut_connection_is_resumed_with_a_range_request(server, archives, monkeypatch):
    server.files = archives
    data = archives["indic-en-dist.tar.gz"]
    name = "indictrans2-indic-en-dist-200M"
    point_registry(monkeypatch, name, server.url("cut/indic-en-dist.tar.gz"),
                   sha256=hashlib.sha256(data).hexdigest())
    model = models.fetch(name, quiet=True)
    assert model.src == HINDI
    assert server.requests == [("/cut/indic-en-dist.tar.gz", None),
                               ("/cut/indic-en-dist.tar.gz", f"bytes={len(data) // 2}-")]


def test_interrupted_download_keeps_the_part_and_the_next_call_resumes(server, archives, tmp_path):
    server.files = archives
    data = archives["indic-en-dist.tar.gz"]
    part = tmp_path / "archive.part"
    url = server.url("cut/indic-en-dist.tar.gz")
    with pytest.raises(DownloadError, match=r"interrupted at byte \d+ of \d+ .*run the same command again"):
        download(url, part, retries=0, quiet=True)
    assert part.stat().st_size == len(data) // 2
    download(url, part, retries=0, quiet=True, sha256=hashlib.sha256(data).hexdigest())
    assert part.read_bytes() == data
    assert server.requests[-1][1] == f"bytes={len(data) // 2}-"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=1, max_size=5000), cut_at=st.floats(min_value=0.0, max_value=0.99))
def test_resumed_download_is_byte_identical_wherever_the_cut_falls(server, tmp_path, data, cut_at):
    server.files, server.cut_at, server.cut_done = {"blob": data}, cut_at, set()
    part = tmp_path / "blob.part"
    part.unlink(missing_ok=True)
    download(server.url("cut/blob"), part, quiet=True, sha256=hashlib.sha256(data).hexdigest())
    assert part.read_bytes() == data


def test_server_ignoring_range_restarts_from_zero(server, archives, tmp_path):
    server.files = archives
    data = archives["en-indic.zip"]
    part = tmp_path / "archive.part"
    part.write_bytes(data[:1000])
    download(server.url("norange/en-indic.zip"), part, quiet=True, size=len(data))
    assert part.read_bytes() == data


def test_complete_part_file_is_not_downloaded_again(server, archives, tmp_path):
    server.files = archives
    data = archives["en-indic.zip"]
    part = tmp_path / "archive.part"
    part.write_bytes(data)
    download(server.url("ok/en-indic.zip"), part, quiet=True)  # size unknown: server answers 416
    assert part.read_bytes() == data
    assert server.requests == [("/ok/en-indic.zip", f"bytes={len(data)}-")]


def test_corrupted_download_is_rejected_and_nothing_installed(server, archives, home, monkeypatch):
    server.files = archives
    data = archives["indic-en-dist.tar.gz"]
    name = "indictrans2-indic-en-dist-200M"
    point_registry(monkeypatch, name, server.url("corrupt/indic-en-dist.tar.gz"),
                   sha256=hashlib.sha256(data).hexdigest())
    with pytest.raises(ModelError, match="sha256 mismatch .*the corrupt download was removed"):
        models.fetch(name, quiet=True)
    assert nothing_installed(home)
    assert list((home / "downloads").glob("*.part")) == []


def test_damaged_archive_without_checksum_installs_nothing(server, archives, home):
    server.files = archives
    with pytest.raises(ModelError, match="damaged archive .*downloaded archive was removed"):
        models.fetch(server.url("corrupt/indic-en-dist.tar.gz"), name="broken", quiet=True)
    assert nothing_installed(home)
    assert list((home / "downloads").glob("*.part")) == []


def test_archive_without_a_model_is_refused(server, tmp_path, home):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "README.txt").write_text("IndicTrans2 release notes", encoding="utf-8")
    server.files = {"notes.tar.gz": pack(notes, tmp_path / "notes.tar.gz").read_bytes()}
    with pytest.raises(ModelError, match="holds no CTranslate2 model"):
        models.fetch(server.url("ok/notes.tar.gz"), quiet=True)
    assert nothing_installed(home)


def test_falls_back_to_the_mirror_when_the_first_url_is_missing(server, archives, monkeypatch):
    server.files = archives
    name = "indictrans2-en-indic-dist-200M"
    point_registry(monkeypatch, name, server.url("ok/en-indic-dist.tar.gz"), server.url("ok/en-indic.zip"))
    model = models.fetch(name, quiet=True)
    assert (model.src, model.tgt) == (ENGLISH, HINDI)
    assert [path for path, _ in server.requests] == ["/ok/en-indic-dist.tar.gz", "/ok/en-indic.zip"]


def test_offline_message_says_how_to_get_the_model(monkeypatch, home):
    name = "indictrans2-indic-en-dist-200M"
    point_registry(monkeypatch, name, closed_port_url(), closed_port_url())
    with pytest.raises(ModelError) as caught:
        models.resolve_model(None, "hi", "en")
    message = str(caught.value)
    assert message.startswith(f"cannot download {name}, no connection")
    assert f"translate-kit models fetch {name}` on a connected machine" in message
    assert str(home / "models" / name) in message and "--model PATH" in message
    assert "\n" not in message
    assert nothing_installed(home)


def test_offline_message_for_a_url_repeats_the_url_and_name(home):
    url = closed_port_url()
    with pytest.raises(ModelError) as caught:
        models.fetch(url, "mine", quiet=True)
    assert f"`translate-kit models fetch {url} --name mine` on a connected machine" in str(caught.value)
    assert nothing_installed(home)


def test_unusable_cache_folder_is_a_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(models.HOME_ENV, str(blocker))
    with pytest.raises(ModelError, match=f"cannot use {blocker} as the model cache: Not a directory"):
        models.fetch(closed_port_url(), "mine", quiet=True)


def test_resolve_fetches_the_default_model_on_first_use(server, archives, home, monkeypatch):
    server.files = archives
    point_registry(monkeypatch, "indictrans2-en-indic-dist-200M", server.url("ok/en-indic.zip"))
    model = models.resolve_model(None, "en", quiet=True)
    assert model.root == home / "models" / "indictrans2-en-indic-dist-200M"
    assert models.resolve_model(None, "en", download=False) == model


def test_fetch_refuses_a_broken_installed_model_unless_forced(server, archives, home, monkeypatch):
    server.files = archives
    name = "indictrans2-indic-en-dist-200M"
    point_registry(monkeypatch, name, server.url("ok/indic-en-dist.tar.gz"))
    model = models.fetch(name, quiet=True)
    weights, fingerprint = (model.path / "model.bin").read_bytes(), model.fingerprint()
    (model.path / "model.bin").write_bytes(b"")
    with pytest.raises(ModelError, match="--force` to replace it"):
        models.fetch(name, quiet=True)
    again = models.fetch(name, quiet=True, force=True)
    assert (again.path / "model.bin").read_bytes() == weights and again.fingerprint() == fingerprint
    assert [p.name for p in (home / "models").iterdir()] == [name]


def test_disk_error_while_unpacking_keeps_the_download_for_the_next_try(server, archives, home, monkeypatch):
    server.files = archives
    url = server.url("ok/en-indic.zip")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    real_unpack = models.install.unpack_archive
    monkeypatch.setattr(models.install, "unpack_archive", disk_full)
    with pytest.raises(ModelError, match="No space left on device .*the download is kept in"):
        models.fetch(url, name="en-hi", quiet=True)
    assert nothing_installed(home) and len(list((home / "downloads").glob("*.part"))) == 1
    monkeypatch.setattr(models.install, "unpack_archive", real_unpack)
    assert models.fetch(url, name="en-hi", quiet=True).tgt == HINDI
    complete = f"bytes={len(archives['en-indic.zip'])}-"  # answered 416: nothing downloaded again
    assert server.requests[-1] == ("/ok/en-indic.zip", complete)


def test_killed_unpack_leaves_nothing_that_looks_installed(home, tiny_model_hi_en):
    stale = home / "models" / ".indictrans2-indic-en-dist-200M.x1.unpack"
    official_layout(tiny_model_hi_en, stale / "archive" / "indic-en")
    with pytest.raises(ModelError, match="not installed"):
        models.resolve_model("indictrans2-indic-en-dist-200M", download=False)
    assert "indictrans2-indic-en-dist-200M" in models.catalogue().query("installed == 'no'")["name"].tolist()


# ----------------------------------------------------------------------------- unpacking

def test_unpack_refuses_members_outside_the_target(tmp_path):
    import tarfile

    evil = tmp_path / "evil.tar.gz"
    payload = tmp_path / "payload.txt"
    payload.write_text("x", encoding="utf-8")
    with tarfile.open(evil, "w:gz") as tar:
        tar.add(payload, arcname="../escaped.txt")
    with pytest.raises(ModelError, match="outside the target folder"):
        unpack_archive(evil, tmp_path / "out")
    assert not (tmp_path / "escaped.txt").exists()


def test_unpack_rejects_what_is_not_an_archive(tmp_path):
    page = tmp_path / "download.part"
    page.write_text("<html>rate limited</html>", encoding="utf-8")
    with pytest.raises(ModelError, match="not a .tar.gz or .zip archive"):
        unpack_archive(page, tmp_path / "out")


def test_gated_download_reads_hf_token_and_says_what_to_do(server, tmp_path, monkeypatch):
    import translate_kit.download as download_module

    server.files["model.tar.gz"] = b"x" * 1000
    monkeypatch.setattr(download_module, "TOKEN_HOSTS", ("127.0.0.1",))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    with pytest.raises(DownloadError, match=r"HTTP 401.*gated or private.*set HF_TOKEN"):
        download(server.url("gated/model.tar.gz"), tmp_path / "a.part", quiet=True, retries=0)
    monkeypatch.setenv("HF_TOKEN", "bad-token")
    with pytest.raises(DownloadError, match=r"HTTP 403.*HF_TOKEN is set but was refused"):
        download(server.url("gated/model.tar.gz"), tmp_path / "b.part", quiet=True, retries=0)
    monkeypatch.setenv("HF_TOKEN", "good-token")
    path = download(server.url("gated/model.tar.gz"), tmp_path / "c.part", quiet=True, retries=0)
    assert path.read_bytes() == b"x" * 1000
    monkeypatch.setattr(download_module, "TOKEN_HOSTS", ("huggingface.co",))
    download(server.url("ok/model.tar.gz"), tmp_path / "d.part", quiet=True, retries=0)
    assert server.authorizations[-1] is None  # the token goes to Hugging Face hosts only
