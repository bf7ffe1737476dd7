"""IndicTrans2 models converted to CTranslate2: registry, cache, folder validation, resolution, download.

A model is usable when its CTranslate2 folder (model.bin, config.json, the two vocabularies)
and its two SentencePiece models are found. Two layouts are accepted:

* the official IndicTrans2 archive layout, `<root>/ct2_int8_model/` (or `ct2_fp16_model/`) whose
  `vocab/model.SRC|TGT` holds the SentencePiece models, falling back to `<root>/fairseq_model/vocab/`;
* a plain CTranslate2 folder holding model.bin etc. with `model.SRC` and `model.TGT` in `vocab/`
  or beside model.bin.

The direction (hin_Deva -> eng_Latn or the reverse) comes from `translate_kit.json`, else the
model's name (`indic-en` / `en-indic`), else the vocabulary sizes: the Indic vocabulary of
IndicTrans2 is about four times the English one, so the larger side is Hindi.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import struct
import tempfile
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import platformdirs

from .download import HTTPStatusError, OfflineError, download, file_sha256, unpack_archive
from .errors import InputError, ModelError
from .languages import ENGLISH, HINDI, normalize_lang, other
from .textio import atomic_write

HOME_ENV = "TRANSLATE_KIT_HOME"
MODEL_ENV = "TRANSLATE_KIT_MODEL"
META_FILE = "translate_kit.json"
SPM_SRC = "model.SRC"
SPM_TGT = "model.TGT"
CT2_SUBFOLDERS = ("ct2_int8_model", "ct2_fp16_model")
FAIRSEQ_FOLDER = "fairseq_model"
# Files at least this large have their sha256 remembered (keyed by size, mtime and inode) so
# that a 200 MB - 1 GB model.bin is hashed once, not on every run.
HASH_CACHE_MIN_BYTES = 16 << 20

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DIRECTION_IN_NAME = re.compile(r"(?:^|[^a-z])(indic-en|en-indic)(?:$|[^a-z])", re.IGNORECASE)


# --------------------------------------------------------------------------- cache folders

def cache_home() -> Path:
    """Where models and download state live: $TRANSLATE_KIT_HOME, else the user's cache dir."""
    home = os.environ.get(HOME_ENV)
    return Path(home).expanduser() if home else Path(platformdirs.user_cache_dir("translate-kit"))


def models_dir() -> Path:
    return cache_home() / "models"


def downloads_dir() -> Path:
    return cache_home() / "downloads"


# --------------------------------------------------------------------------- registry

@dataclass(frozen=True)
class Archive:
    """One published archive of a model; size/sha256 are None where AI4Bharat publishes none."""

    url: str
    size: int | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class ModelShape:
    """Transformer shape as IndicTrans2 published it (same layer count on both sides)."""

    layers: int
    d_model: int
    ffn: int
    heads: int
    source_vocab: int
    target_vocab: int


@dataclass(frozen=True)
class KnownModel:
    """A registry entry: an official IndicTrans2 CTranslate2 model and where to get it."""

    name: str
    src: str
    tgt: str
    variant: str
    shape: ModelShape
    archives: tuple[Archive, ...]

    @property
    def direction(self) -> str:
        return "indic-en" if self.src == HINDI else "en-indic"


_BPCC = "https://huggingface.co/datasets/ai4bharat/BPCC/resolve/main/additional"
_MIRROR = "https://indictrans2-public.objectstore.e2enetworks.net"
_DIST = {"layers": 18, "d_model": 512, "ffn": 2048, "heads": 8}
_BASE = {"layers": 18, "d_model": 1024, "ffn": 8192, "heads": 16}
_VOCAB = {"indic-en": (122706, 32296), "en-indic": (32322, 122672)}


def _known(direction: str, variant: str) -> KnownModel:
    """Entry for one direction and size. Archive sizes and checksums are not published by
    AI4Bharat, so they stay None: an archive is then checked by unpacking and validating it,
    and the sha256 it had is recorded in the installed model's translate_kit.json."""
    src, tgt = (HINDI, ENGLISH) if direction == "indic-en" else (ENGLISH, HINDI)
    dims = _DIST if variant == "dist-200M" else _BASE
    shape = ModelShape(**dims, source_vocab=_VOCAB[direction][0], target_vocab=_VOCAB[direction][1])
    if variant == "dist-200M":
        urls = (f"{_BPCC}/{direction}-dist.tar.gz", f"{_MIRROR}/it2_distilled_ckpts/{direction}.zip")
    else:
        urls = (
            f"{_BPCC}/{direction}-preprint.tar.gz",
            f"{_MIRROR}/it2_preprint_ckpts/{direction}-preprint.zip",
        )
    name = f"indictrans2-{direction}-{variant}"
    return KnownModel(name, src, tgt, variant, shape, tuple(Archive(url) for url in urls))


REGISTRY: dict[str, KnownModel] = {
    entry.name: entry
    for entry in (_known(d, v) for d in ("indic-en", "en-indic") for v in ("dist-200M", "1B"))
}


def default_model_name(src: str, tgt: str) -> str:
    """The distilled model for the direction: what IndicTrans2 recommends for CPU inference."""
    src, tgt = _lang(src), _lang(tgt)
    if src == tgt:
        raise InputError(f"source and target language are both {src}")
    return "indictrans2-indic-en-dist-200M" if src == HINDI else "indictrans2-en-indic-dist-200M"


def _lang(code: str) -> str:
    try:
        return normalize_lang(code)
    except ValueError as exc:
        raise InputError(str(exc)) from None


# --------------------------------------------------------------------------- model.bin header

_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
_SCALAR_FORMATS = {"float32": "<f", "int8": "<b", "int16": "<h", "int32": "<i"}
_LEGACY_DTYPES = {4: "float32", 2: "int16", 1: "int8"}


@dataclass(frozen=True)
class ModelBinInfo:
    """What the header of a CTranslate2 model.bin says, read without loading any weights."""

    binary_version: int
    spec: str
    revision: int
    shapes: dict[str, tuple[int, ...]]
    dtypes: dict[str, str]
    scalars: dict[str, float]

    def _rows(self, *names: str) -> int | None:
        return next((self.shapes[n][0] for n in names if n in self.shapes), None)

    def layers(self, side: str) -> int:
        pattern = re.compile(rf"{side}/layer_(\d+)/")
        return len({m.group(1) for name in self.shapes if (m := pattern.match(name))})

    @property
    def d_model(self) -> int | None:
        shape = self.shapes.get("encoder/embeddings_0/weight") or self.shapes.get("encoder/embeddings/weight")
        return shape[1] if shape else None

    @property
    def ffn(self) -> int | None:
        return self._rows("encoder/layer_0/ffn/linear_0/weight")

    @property
    def heads(self) -> int | None:
        heads = self.scalars.get("encoder/num_heads")
        return int(heads) if heads is not None else None

    @property
    def source_vocab(self) -> int | None:
        return self._rows("encoder/embeddings_0/weight", "encoder/embeddings/weight")

    @property
    def target_vocab(self) -> int | None:
        return self._rows("decoder/projection/weight", "decoder/embeddings/weight")

    @property
    def weight_dtype(self) -> str | None:
        return self.dtypes.get("encoder/layer_0/ffn/linear_0/weight")


class _Reader:
    """Sequential reader of model.bin that names the offset where the file ends too early."""

    def __init__(self, handle, path: Path, size: int):
        self.handle, self.path, self.size = handle, path, size

    def read(self, count: int, what: str) -> bytes:
        offset = self.handle.tell()
        data = self.handle.read(count)
        if len(data) < count:
            raise ModelError(
                f"{self.path} is truncated or corrupt: {what} needs {count} bytes at offset {offset}, "
                f"the file has {self.size} bytes (download or convert the model again)"
            )
        return data

    def unpack(self, fmt: str, what: str) -> int:
        return struct.unpack(fmt, self.read(struct.calcsize(fmt), what))[0]

    def string(self, what: str) -> str:
        length = self.unpack("<H", what)
        return self.read(length, what).rstrip(b"\0").decode("utf-8", errors="replace")

    def skip(self, count: int, what: str) -> None:
        offset = self.handle.tell()
        if offset + count > self.size:
            self.read(count, what)  # raises with the same message as a short read
        self.handle.seek(count, os.SEEK_CUR)


def read_model_bin(path: Path) -> ModelBinInfo:
    """Walk the variable headers of a CTranslate2 model.bin, seeking over the weights.

    Costs a few milliseconds even for a 1 GB model, and catches what otherwise only shows up
    as a C++ error at load time: a truncated download, a saved HTML error page, a wrong file.
    Follows the serialisation of CTranslate2 binary versions 1-6 (ctranslate2/specs/model_spec.py).
    """
    size = path.stat().st_size
    with open(path, "rb") as handle:
        reader = _Reader(handle, path, size)
        version = reader.unpack("<I", "the binary version")
        if not 1 <= version <= 64:
            raise ModelError(f"{path} is not a CTranslate2 model (header reads binary version {version})")
        spec, revision = "", 1
        if version >= 2:
            spec = reader.string("the spec name")
            revision = reader.unpack("<I", "the spec revision")
        count = reader.unpack("<I", "the variable count")
        shapes: dict[str, tuple[int, ...]] = {}
        dtypes: dict[str, str] = {}
        scalars: dict[str, float] = {}
        for _ in range(count):
            name = reader.string("a variable name")
            rank = reader.unpack("<B", f"the rank of {name}")
            shape = struct.unpack(f"<{rank}I", reader.read(4 * rank, f"the shape of {name}"))
            if version >= 4:
                type_id = reader.unpack("<B", f"the type of {name}")
                dtype = _DTYPES[type_id] if type_id < len(_DTYPES) else f"type{type_id}"
                nbytes = reader.unpack("<I", f"the size of {name}")
            else:
                item = reader.unpack("<B", f"the item size of {name}")
                dtype = _LEGACY_DTYPES.get(item, f"width{item}")
                nbytes = reader.unpack("<I", f"the size of {name}") * item
            shapes[name], dtypes[name] = shape, dtype
            if rank == 0 and dtype in _SCALAR_FORMATS and nbytes == struct.calcsize(_SCALAR_FORMATS[dtype]):
                scalars[name] = struct.unpack(_SCALAR_FORMATS[dtype], reader.read(nbytes, name))[0]
            else:
                reader.skip(nbytes, f"the weights of {name}")
        if version >= 3:
            for _ in range(reader.unpack("<I", "the alias count")):
                reader.string("an alias")
                reader.string("an aliased variable")
    return ModelBinInfo(version, spec, revision, shapes, dtypes, scalars)


# --------------------------------------------------------------------------- model folders

@dataclass(frozen=True)
class ModelDir:
    """A validated model: every path in it exists and model.bin's header is complete."""

    path: Path
    spm_src: Path
    spm_tgt: Path
    src: str
    tgt: str
    config: dict
    name: str
    root: Path
    source_vocabulary: Path
    target_vocabulary: Path
    source_vocab_size: int
    target_vocab_size: int
    direction_from: str
    header: ModelBinInfo = field(repr=False, compare=False)

    @property
    def model_bin(self) -> Path:
        return self.path / "model.bin"

    def files(self) -> dict[str, Path]:
        """The files that make the model; the fingerprint covers exactly these."""
        return {
            "model.bin": self.model_bin,
            "config.json": self.path / "config.json",
            "source_vocabulary": self.source_vocabulary,
            "target_vocabulary": self.target_vocabulary,
            SPM_SRC: self.spm_src,
            SPM_TGT: self.spm_tgt,
        }

    def fingerprint(self) -> str:
        """16 hex digits from the contents of the model's files (not their paths or times).

        A copied or renamed model keeps its fingerprint, a changed vocabulary changes it, so
        caches such as the translation memory can key on it. model.bin's hash is remembered.
        """
        digest = hashlib.sha256()
        for label, path in self.files().items():
            digest.update(f"{label}\0{cached_sha256(path)}\n".encode())
        return digest.hexdigest()[:16]

    def disk_size(self) -> int:
        """Bytes on disk under the model's root folder (what deleting it would free)."""
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())


def validate_model_dir(path: str | os.PathLike[str], name: str | None = None) -> ModelDir:
    """Check a model folder in either accepted layout; ModelError says exactly what is missing.

    `name` (a registry name, for instance) is used for the direction when the folder carries no
    translate_kit.json; by default the folder's own name is tried.
    """
    root = Path(path).expanduser()
    if not root.exists():
        raise ModelError(f"model folder not found: {root}")
    if not root.is_dir():
        raise ModelError(f"{root} is a file; a model is a folder holding model.bin or ct2_int8_model/")
    root, ct2 = _find_ct2_folder(root)
    model_bin = ct2 / "model.bin"
    source_vocab = _vocabulary(ct2, "source")
    target_vocab = _vocabulary(ct2, "target")
    spm_dirs = (ct2 / "vocab", ct2.parent / FAIRSEQ_FOLDER / "vocab", ct2)
    spm_src = next((d / SPM_SRC for d in spm_dirs if (d / SPM_SRC).is_file()), None)
    spm_tgt = next((d / SPM_TGT for d in spm_dirs if (d / SPM_TGT).is_file()), None)
    missing = [label for label, found in (
        ("model.bin", model_bin.is_file()),
        ("config.json", (ct2 / "config.json").is_file()),
        ("source_vocabulary.json (or .txt)", source_vocab is not None),
        ("target_vocabulary.json (or .txt)", target_vocab is not None),
        (SPM_SRC, spm_src is not None),
        (SPM_TGT, spm_tgt is not None),
    ) if not found]
    if missing:
        looked = ", ".join(str(d) for d in spm_dirs) if spm_src is None or spm_tgt is None else ""
        where = f" (SentencePiece models looked for in {looked})" if looked else ""
        raise ModelError(f"model folder {ct2} is incomplete: missing {', '.join(missing)}{where}")
    assert source_vocab and target_vocab and spm_src and spm_tgt  # narrowed by `missing` above
    config = _read_json(ct2 / "config.json")
    header = read_model_bin(model_bin)
    sizes = (_vocabulary_size(source_vocab), _vocabulary_size(target_vocab))
    _check_vocabularies(header, source_vocab, target_vocab, sizes)
    for spm in (spm_src, spm_tgt):
        _check_sentencepiece(spm)
    model_name = name or (ct2.parent.name if root == ct2 and ct2.name in CT2_SUBFOLDERS else root.name)
    src, tgt, how = _direction(ct2, root, model_name, sizes)
    return ModelDir(
        path=ct2, spm_src=spm_src, spm_tgt=spm_tgt, src=src, tgt=tgt, config=config, name=model_name,
        root=root, source_vocabulary=source_vocab, target_vocabulary=target_vocab,
        source_vocab_size=sizes[0], target_vocab_size=sizes[1], direction_from=how, header=header,
    )


def _find_ct2_folder(root: Path) -> tuple[Path, Path]:
    """(model root, model.bin's folder). The folder is the root itself, its ct2_int8_model/
    (preferred) or ct2_fp16_model/, or the same one level down (an archive's own top folder,
    unpacked by hand), which then becomes the root."""
    for base in (root, *_only_subfolder(root)):
        if (base / "model.bin").exists():
            return base, base
        for sub in CT2_SUBFOLDERS:
            if (base / sub).is_dir():
                return base, base / sub
    if (root / "config.json").exists() or any(root.glob("*_vocabulary.*")):
        return root, root  # a plain CT2 folder without model.bin: report what is missing in it
    raise ModelError(
        f"no CTranslate2 model in {root}: expected model.bin (a plain CTranslate2 folder) "
        f"or {CT2_SUBFOLDERS[0]}/ (the IndicTrans2 archive layout)"
    )


def _only_subfolder(root: Path) -> list[Path]:
    children = [p for p in root.iterdir() if not p.name.startswith(".")]
    return children if len(children) == 1 and children[0].is_dir() else []


def _vocabulary(ct2: Path, side: str) -> Path | None:
    """CTranslate2 >= 3.16 writes .json vocabularies, older versions .txt; shared ones serve both sides."""
    for stem in (f"{side}_vocabulary", "shared_vocabulary"):
        for ext in (".json", ".txt"):
            if (ct2 / f"{stem}{ext}").is_file():
                return ct2 / f"{stem}{ext}"
    return None


def _vocabulary_size(path: Path) -> int:
    if path.suffix == ".json":
        tokens = _read_json(path)
        if not isinstance(tokens, list):
            raise ModelError(f"{path}: expected a JSON list of tokens")
        return len(tokens)
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: not valid JSON ({exc})") from None


def _check_vocabularies(header: ModelBinInfo, source: Path, target: Path, sizes: tuple[int, int]) -> None:
    """CTranslate2's converter writes exactly one token per embedding row: any other count is a
    mixed-up folder (a longer vocabulary would index past the matrix, a shorter one would silently
    turn unknown pieces into <unk> and translate garbage)."""
    pairs = ((source, sizes[0], header.source_vocab), (target, sizes[1], header.target_vocab))
    for path, size, rows in pairs:
        if rows is not None and size != rows:
            raise ModelError(
                f"{path} has {size} tokens but model.bin has {rows} embeddings: "
                "the vocabulary belongs to another model"
            )


def _check_sentencepiece(path: Path) -> None:
    import sentencepiece

    try:
        sentencepiece.SentencePieceProcessor(model_file=str(path))
    except (RuntimeError, OSError) as exc:
        raise ModelError(f"{path} is not a SentencePiece model ({str(exc).splitlines()[0]})") from None


def _direction(ct2: Path, root: Path, name: str, sizes: tuple[int, int]) -> tuple[str, str, str]:
    """(src, tgt, what decided it): translate_kit.json, then the name, then vocabulary sizes."""
    for folder in dict.fromkeys((ct2, root)):
        meta_path = folder / META_FILE
        if meta_path.is_file():
            meta = _read_json(meta_path)
            try:
                return normalize_lang(meta["src"]), normalize_lang(meta["tgt"]), str(meta_path)
            except (KeyError, TypeError, ValueError) as exc:
                raise ModelError(f"{meta_path}: needs \"src\" and \"tgt\" language codes ({exc})") from None
    for candidate in (name, ct2.parent.name, root.name):
        match = _DIRECTION_IN_NAME.search(candidate)
        if match:
            src, tgt = (HINDI, ENGLISH) if match.group(1).lower() == "indic-en" else (ENGLISH, HINDI)
            return src, tgt, f"name {candidate!r}"
    if sizes[0] != sizes[1]:
        src, tgt = (HINDI, ENGLISH) if sizes[0] > sizes[1] else (ENGLISH, HINDI)
        return src, tgt, f"vocabulary sizes {sizes[0]}/{sizes[1]}"
    raise ModelError(
        f"cannot tell the direction of the model in {ct2}: add {META_FILE} with "
        f'{{"src": "{HINDI}", "tgt": "{ENGLISH}"}} (or the reverse)'
    )


def cached_sha256(path: Path) -> str:
    """sha256 of a file; for large files remembered in the cache, keyed by size, mtime and inode."""
    stat = path.stat()
    if stat.st_size < HASH_CACHE_MIN_BYTES:
        return file_sha256(path)
    resolved = str(path.resolve())
    stamp = {"path": resolved, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "inode": stat.st_ino}
    record = cache_home() / "hashes" / f"{hashlib.sha1(resolved.encode()).hexdigest()}.json"
    with contextlib.suppress(OSError, ValueError):
        saved = json.loads(record.read_text(encoding="utf-8"))
        if all(saved.get(key) == value for key, value in stamp.items()) and saved.get("sha256"):
            return saved["sha256"]
    digest = file_sha256(path)
    with contextlib.suppress(OSError), atomic_write(record) as handle:
        json.dump({**stamp, "sha256": digest}, handle)
    return digest


# --------------------------------------------------------------------------- resolution

def installed_path(name: str) -> Path:
    return models_dir() / name


def resolve_model(
    name_or_path: str | os.PathLike[str] | None = None,
    src: str | None = None,
    tgt: str | None = None,
    download: bool = True,
    *,
    quiet: bool = False,
) -> ModelDir:
    """Find the model to use: an explicit folder or name, else $TRANSLATE_KIT_MODEL, else the
    default for the direction; a registry model missing from the cache is fetched when
    `download` is true. A model whose direction differs from src/tgt is refused."""
    src = _lang(src) if src else None
    tgt = _lang(tgt) if tgt else None
    origin = "--model"
    if not name_or_path and os.environ.get(MODEL_ENV):
        name_or_path, origin = os.environ[MODEL_ENV], f"${MODEL_ENV}"
    if not name_or_path:
        if src is None:
            raise ModelError("no model given: pass --model NAME_OR_PATH or the source language")
        name_or_path, origin = default_model_name(src, tgt or other(src)), "default"
    model = _locate(os.fspath(name_or_path), download, quiet)
    if (src and src != model.src) or (tgt and tgt != model.tgt):
        raise ModelError(
            f"model {model.name} ({origin}) translates {model.src} -> {model.tgt}, "
            f"but {src or model.src} -> {tgt or model.tgt} was asked for"
        )
    return model


def _locate(name_or_path: str, download: bool, quiet: bool) -> ModelDir:
    path = Path(name_or_path).expanduser()
    if path.exists():
        return validate_model_dir(path)
    if _looks_like_path(name_or_path):
        raise ModelError(f"model folder not found: {path}")
    if _NAME.fullmatch(name_or_path) and installed_path(name_or_path).is_dir():
        try:
            return validate_model_dir(installed_path(name_or_path), name=name_or_path)
        except ModelError as exc:
            if name_or_path not in REGISTRY:
                raise
            raise ModelError(f"{exc}; run `translate-kit models fetch {name_or_path} --force`") from None
    if name_or_path not in REGISTRY:
        known = ", ".join(REGISTRY)
        raise ModelError(f"unknown model {name_or_path!r}: give a model folder or one of {known}")
    if not download:
        raise ModelError(
            f"model {name_or_path} is not installed in {models_dir()}: "
            f"run `translate-kit models fetch {name_or_path}` or pass --model PATH"
        )
    return fetch(name_or_path, quiet=quiet)


def _looks_like_path(text: str) -> bool:
    return os.sep in text or "/" in text or text.startswith((".", "~"))


# --------------------------------------------------------------------------- fetching

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
    else:
        known = ", ".join(REGISTRY)
        raise ModelError(f"unknown model {name_or_url!r}: give an archive URL or one of {known}")
    if not _NAME.fullmatch(name):
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
    meta = _read_json(meta_path) if meta_path.is_file() else {}
    meta.update({"src": model.src, "tgt": model.tgt, "name": model.name,
                 "url": archive.url, "archive_sha256": digest, "archive_size": size})
    with atomic_write(meta_path) as handle:
        json.dump(meta, handle, indent=2, ensure_ascii=False)
        handle.write("\n")


# --------------------------------------------------------------------------- reports

def human_size(size: int | None) -> str:
    """1536 -> '1.5 KiB'; None (not published) -> 'unknown'."""
    if size is None:
        return "unknown"
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    value, unit = float(size), 0
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
    return f"{size} B" if unit == 0 else f"{value:.1f} {units[unit]}"


def catalogue():
    """A pandas table of the registry models and of any other model installed in the cache."""
    import pandas as pd

    installed = set()
    if models_dir().is_dir():
        installed = {p.name for p in models_dir().iterdir() if p.is_dir() and not p.name.startswith(".")}
    rows = [_registry_row(entry, entry.name in installed) for entry in REGISTRY.values()]
    rows += [_custom_row(name) for name in sorted(installed - REGISTRY.keys())]
    return pd.DataFrame(rows)


def _registry_row(entry: KnownModel, present: bool) -> dict[str, object]:
    shape = entry.shape
    row = {
        "name": entry.name, "direction": f"{entry.src} -> {entry.tgt}", "variant": entry.variant,
        "layers": shape.layers, "d_model": shape.d_model, "heads": shape.heads,
        "vocab": f"{shape.source_vocab}/{shape.target_vocab}", "download": human_size(entry.archives[0].size),
        "installed": "no", "on disk": "",
    }
    if present:
        row.update(_install_state(entry.name)[0])
    return row


def _custom_row(name: str) -> dict[str, object]:
    state, model = _install_state(name)
    row: dict[str, object] = {"name": name, "direction": "", "variant": "custom", "layers": "", "d_model": "",
                              "heads": "", "vocab": "", "download": "", **state}
    if model is not None:
        row.update({
            "direction": f"{model.src} -> {model.tgt}", "layers": model.header.layers("encoder"),
            "d_model": model.header.d_model, "heads": model.header.heads,
            "vocab": f"{model.source_vocab_size}/{model.target_vocab_size}",
        })
    return row


def _install_state(name: str) -> tuple[dict[str, str], ModelDir | None]:
    try:
        model = validate_model_dir(installed_path(name), name=name)
    except ModelError as exc:
        return {"installed": f"broken: {exc}", "on disk": ""}, None
    return {"installed": "yes", "on disk": human_size(model.disk_size())}, model


def describe(model: ModelDir) -> dict[str, object]:
    """What `models info` prints: direction, shape from model.bin, usable compute types, size."""
    import ctranslate2

    header = model.header
    meta_path = model.root / META_FILE
    meta = _read_json(meta_path) if meta_path.is_file() else {}
    facts: dict[str, object] = {
        "name": model.name,
        "path": str(model.path),
        "direction": f"{model.src} -> {model.tgt}",
        "direction from": model.direction_from,
        "spec": f"{header.spec or 'unnamed'} revision {header.revision}, binary v{header.binary_version}",
        "layers (encoder/decoder)": f"{header.layers('encoder')}/{header.layers('decoder')}",
        "d_model": header.d_model,
        "ffn": header.ffn,
        "heads": header.heads,
        "source vocabulary": f"{model.source_vocab_size} ({model.source_vocabulary.name})",
        "target vocabulary": f"{model.target_vocab_size} ({model.target_vocabulary.name})",
        "weights": header.weight_dtype,
        "compute types (cpu)": ", ".join(sorted(ctranslate2.get_supported_compute_types("cpu"))),
        "sentencepiece": f"{model.spm_src}, {model.spm_tgt}",
        "on disk": human_size(model.disk_size()),
        "fingerprint": model.fingerprint(),
    }
    if "url" in meta:
        facts["fetched from"] = meta["url"]
        facts["archive sha256"] = meta.get("archive_sha256", "")
    return facts


def describe_known(entry: KnownModel) -> dict[str, object]:
    """Registry facts for a model that is not installed."""
    shape = entry.shape
    return {
        "name": entry.name,
        "direction": f"{entry.src} -> {entry.tgt}",
        "layers (encoder/decoder)": f"{shape.layers}/{shape.layers}",
        "d_model": shape.d_model,
        "ffn": shape.ffn,
        "heads": shape.heads,
        "vocabulary (source/target)": f"{shape.source_vocab}/{shape.target_vocab}",
        "archives": " | ".join(a.url for a in entry.archives),
        "sha256": entry.archives[0].sha256 or "not published",
        "installed": f"no (run `translate-kit models fetch {entry.name}`)",
    }
