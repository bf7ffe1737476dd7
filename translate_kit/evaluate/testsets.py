"""Named Hindi-English test sets: where each comes from, and whether the copy on disk is the right one.

The manifest (``eval/testsets.json``, or ``$TRANSLATE_KIT_TESTSETS``) lists each set's origin, how to
get it, its line count and the sha256 of each side. Nothing is downloaded at run time: the user
places the files in the data folder (``--data-dir``, default ``$TRANSLATE_KIT_HOME/data``), and a
set is used only when its files match. Where the manifest does not know a checksum or line count,
the first use records what it finds (in the translate-kit home) and every later use must match it,
so a silently replaced file cannot change a benchmark.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..download import file_sha256
from ..errors import InputError, TranslateKitError
from ..languages import normalize_lang, other
from ..paths import cache_home
from ..paths import data_dir as home_data_dir
from ..textio import atomic_write, read_lines

MANIFEST_ENV = "TRANSLATE_KIT_TESTSETS"
_REPO_MANIFEST = Path(__file__).resolve().parents[2] / "eval" / "testsets.json"
_RECORD_NAME = "testsets-verified.json"


@dataclass(frozen=True)
class SideSpec:
    path: str
    sha256: str | None


@dataclass(frozen=True)
class TestSetSpec:
    name: str
    title: str
    origin: str
    licence: str
    get: str
    lines: int | None
    files: dict[str, SideSpec]

    __test__ = False  # not a pytest test class despite the name


@dataclass(frozen=True)
class LocatedTestSet:
    """A verified test set on disk, oriented source -> target."""

    spec: TestSetSpec
    src: str
    tgt: str
    source: Path
    reference: Path
    lines: int
    sha256: dict[str, str]
    first_use: bool

    __test__ = False


def manifest_path() -> Path:
    return Path(os.environ.get(MANIFEST_ENV) or _REPO_MANIFEST)


def default_data_dir() -> Path:
    return home_data_dir()


def load_manifest(path: str | os.PathLike[str] | None = None) -> dict[str, TestSetSpec]:
    """The named sets of a manifest file."""
    source = Path(path) if path is not None else manifest_path()
    try:
        document = json.loads("\n".join(read_lines(source)))
    except InputError as exc:
        raise TranslateKitError(f"test-set manifest unavailable ({exc}); set ${MANIFEST_ENV}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", str(source), exc.lineno) from None
    return {name: _spec(name, entry) for name, entry in document["sets"].items()}


def _spec(name: str, entry: dict[str, Any]) -> TestSetSpec:
    files = {
        normalize_lang(lang): SideSpec(side["path"], side.get("sha256"))
        for lang, side in entry["files"].items()
    }
    return TestSetSpec(
        name=name,
        title=entry["title"],
        origin=entry["origin"],
        licence=entry.get("licence", "unknown"),
        get=entry["get"],
        lines=entry.get("lines"),
        files=files,
    )


def _how_to_get(spec: TestSetSpec, data_dir: Path) -> str:
    return f"{spec.get.replace('DATA_DIR', str(data_dir))} (origin: {spec.origin})"


def _load_record(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _check_known(
    spec: TestSetSpec, lang: str, path: Path, digest: str, recorded: dict[str, Any], data_dir: Path
) -> None:
    expected = spec.files[lang].sha256 or recorded.get(str(path.resolve()))
    if expected and expected != digest:
        origin = "manifest" if spec.files[lang].sha256 else "first use"
        raise InputError(
            f"sha256 {digest[:12]}... differs from the {origin} ({expected[:12]}...): not the standard "
            f"{spec.name} file; get it again: {_how_to_get(spec, data_dir)}",
            str(path),
        )


def locate(
    name: str,
    src: str,
    data_dir: str | os.PathLike[str] | None = None,
    manifest: dict[str, TestSetSpec] | None = None,
) -> LocatedTestSet:
    """Find set `name` in the data folder, oriented from language `src`, and verify it."""
    sets = manifest if manifest is not None else load_manifest()
    if name not in sets:
        raise TranslateKitError(f"unknown test set {name!r}: use one of {', '.join(sets)}")
    spec = sets[name]
    src, tgt = normalize_lang(src), other(src)
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    paths = {lang: folder / spec.files[lang].path for lang in (src, tgt)}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise TranslateKitError(
            f"test set {name} not found ({', '.join(missing)}): {_how_to_get(spec, folder)}"
        )
    record_path = cache_home() / _RECORD_NAME
    record = _load_record(record_path)
    digests = {}
    for lang, path in paths.items():
        digests[lang] = file_sha256(path)
        _check_known(spec, lang, path, digests[lang], record, folder)
    counts = {lang: len(read_lines(path)) for lang, path in paths.items()}
    for lang, path in paths.items():
        if spec.lines is not None and counts[lang] != spec.lines:
            raise InputError(f"has {counts[lang]} lines, {name} has {spec.lines}", str(path))
    if counts[src] != counts[tgt]:
        raise InputError(f"{paths[src]} has {counts[src]} lines but {paths[tgt]} has {counts[tgt]}")
    unrecorded = {
        str(path.resolve()): digests[lang]
        for lang, path in paths.items()
        if spec.files[lang].sha256 is None and str(path.resolve()) not in record
    }
    if unrecorded:
        with atomic_write(record_path) as handle:
            json.dump({**record, **unrecorded}, handle, indent=1, sort_keys=True)
    return LocatedTestSet(spec, src, tgt, paths[src], paths[tgt], counts[src], digests, bool(unrecorded))
