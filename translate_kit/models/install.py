"""Fetching a model: download an archive (resumable, verified), unpack, validate, install atomically."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from ..download import HTTPStatusError, OfflineError, download, file_sha256, unpack_archive
from ..errors import ModelError
from ..paths import HOME_ENV, cache_home, downloads_dir
from ..textio import atomic_write
from .registry import REGISTRY, Archive, KnownModel
from .store import NAME_PATTERN, installed_path
from .validate import CT2_SUBFOLDERS, FAIRSEQ_FOLDER, META_FILE, ModelDir, read_json, validate_model_dir


def fetch(
    name_or_url: str,
    name: str | None = None,
    *,
    sha256: str | None = None,
    quiet: bool = False,
    force: bool = False,
) -> ModelDir:
    """Download, verify and install a registry model or any archive URL in a supported layout.

    The archive goes to `<cache>/downloads/*.part` (resumed if a previous attempt was cut),
    is checked against the known size/sha256, unpacked beside the target folder, validated,
    and only then renamed to `<cache>/models/<name>`: an interrupted fetch never leaves
    anything that looks installed. Without a connection, ModelError says how to get the model.
    """
    if _is_url(name_or_url):
        archives = (Archive(name_or_url, sha256=sha256),)
        name = name or _name_from_url(name_or_url)
    elif name_or_url in REGISTRY:
        archives = REGISTRY[name_or_url].archives
        name = name or name_or_url
        if REGISTRY[name_or_url].hub_repo:
            return _fetch_checkpoint(REGISTRY[name_or_url], name, quiet=quiet, force=force)
    else:
        known = ", ".join(REGISTRY)
        raise ModelError(f"unknown model {name_or_url!r}: give an archive URL or one of {known}")
    if not NAME_PATTERN.fullmatch(name):
        raise ModelError(f"bad model name {name!r}: use letters, digits, '.', '_' and '-'")
    target = installed_path(name)
    if target.exists() and not force:
        try:
            return validate_model_dir(target, name=name)
        except ModelError as exc:
            hint = f"run `translate-kit models fetch {name_or_url} --force` to replace it"
            raise ModelError(f"{exc}; {hint}") from None
    with _lock(name):
        part, archive = _download_first(name, archives, quiet)
        try:
            _install(part, target, name, archive)
        except ModelError as exc:  # a bad archive stays bad: do not resume from it next time
            part.unlink()
            raise ModelError(f"{exc} (the downloaded archive was removed)") from None
        except OSError as exc:  # disk full or permissions: the archive is fine, keep it
            raise ModelError(
                f"cannot install {name} into {target.parent}: {exc.strerror or exc} "
                f"(the download is kept in {part}; run again once fixed)"
            ) from None
        part.unlink()
    return validate_model_dir(target, name=name)


def _fetch_checkpoint(entry: KnownModel, name: str, *, quiet: bool, force: bool) -> ModelDir:
    """A Hub checkpoint: downloaded file by file (resumable), converted to int8, validated, installed."""
    from .convert import fetch_checkpoint

    target = installed_path(name)
    if target.exists() and not force:
        return validate_model_dir(target, name=name)
    with _lock(name):
        assert entry.hub_repo
        model = fetch_checkpoint(entry.hub_repo, entry.family, name, target, downloads_dir(),
                                 direction=(entry.src, entry.tgt), quiet=quiet)
    return model


def _is_url(text: str) -> bool:
    return urllib.parse.urlparse(text).scheme in ("http", "https", "file")


def _name_from_url(url: str) -> str:
    stem = PurePosixPath(urllib.parse.urlparse(url).path).name
    for suffix in (".tar.gz", ".tgz", ".tar", ".zip"):
        stem = stem.removesuffix(suffix)
    return stem or "model"


@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    """One fetch per model at a time, so two processes never append to the same .part file."""
    try:
        downloads_dir().mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(
            f"cannot use {cache_home()} as the model cache: {exc.strerror} "
            f"(set ${HOME_ENV} to another folder)"
        ) from None
    with open(downloads_dir() / f"{name}.lock", "w") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; concurrent fetches are the user's call
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _download_first(name: str, archives: tuple[Archive, ...], quiet: bool) -> tuple[Path, Archive]:
    """Try the archives in order; move to the next mirror only when one is unreachable or
    refuses (an interrupted or corrupt download is reported so that it can be resumed)."""
    failures: list[str] = []
    offline = True
    for archive in archives:
        part = downloads_dir() / f"{name}-{hashlib.sha1(archive.url.encode()).hexdigest()[:10]}.part"
        try:
            return download(archive.url, part, size=archive.size, sha256=archive.sha256,
                            quiet=quiet, label=name), archive
        except OfflineError as exc:
            failures.append(str(exc))
        except HTTPStatusError as exc:
            failures.append(str(exc))
            offline = False
    if offline:
        command = name if name in REGISTRY else f"{archives[0].url} --name {name}"
        raise ModelError(
            f"cannot download {name}, no connection ({'; '.join(failures)}). To get the model: run "
            f"`translate-kit models fetch {command}` on a connected machine and copy its folder "
            f"{installed_path(name)} to the same place here (or under $TRANSLATE_KIT_HOME/models/), "
            "or pass --model PATH to an unpacked model folder"
        )
    raise ModelError(f"cannot download {name}: {'; '.join(failures)}")


def _wanted(member: PurePosixPath) -> bool:
    """Skip the fairseq checkpoint (GBs, only for fine-tuning) but keep its vocab/ (SentencePiece)."""
    parts = member.parts
    if "__MACOSX" in parts:
        return False
    if FAIRSEQ_FOLDER in parts:
        rest = parts[parts.index(FAIRSEQ_FOLDER) + 1:]
        return not rest or rest[0] == "vocab"
    return True


def _install(part: Path, target: Path, name: str, archive: Archive) -> None:
    """Unpack into a hidden folder beside `target`, validate, record provenance, rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{name}.*.unpack"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a fetch that was killed; we hold the lock
    scratch = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".unpack", dir=target.parent))
    try:
        unpack_archive(part, scratch / "archive", keep=_wanted)
        root = _model_root(scratch / "archive", archive.url)
        model = validate_model_dir(root, name=name)
        if model.path.name == CT2_SUBFOLDERS[0]:
            shutil.rmtree(root / CT2_SUBFOLDERS[1], ignore_errors=True)  # fp16 twin: unused on CPU
        _record_provenance(model, archive, file_sha256(part), part.stat().st_size)
        if target.exists():
            target.rename(scratch / "replaced")
        root.rename(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _model_root(unpacked: Path, url: str) -> Path:
    """The folder to install: the parent of ct2_*_model/, or the plain CT2 folder itself."""
    found = sorted(
        unpacked.rglob("model.bin"),
        key=lambda p: (CT2_SUBFOLDERS[0] not in p.parts, len(p.parts))
    )
    if not found:
        raise ModelError(f"the archive from {url} holds no CTranslate2 model (no model.bin)")
    ct2 = found[0].parent
    return ct2.parent if ct2.name in CT2_SUBFOLDERS else ct2


def _record_provenance(model: ModelDir, archive: Archive, digest: str, size: int) -> None:
    """Write translate_kit.json at the model root: direction plus where the archive came from,
    so `models info` can show the checksum a user may pin later."""
    meta_path = model.root / META_FILE
    meta = read_json(meta_path) if meta_path.is_file() else {}
    meta.update({"src": model.src, "tgt": model.tgt, "name": model.name,
                 "url": archive.url, "archive_sha256": digest, "archive_size": size})
    with atomic_write(meta_path) as handle:
        json.dump(meta, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
