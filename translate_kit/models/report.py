"""What `translate-kit models list|info` shows: the registry and the store as tables and facts."""

from __future__ import annotations

from ..errors import ModelError
from ..paths import models_dir
from .registry import REGISTRY, KnownModel
from .resolve import resolve_model
from .store import installed_path
from .validate import META_FILE, ModelDir, read_json, validate_model_dir


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
        "name": entry.name, "family": entry.family, "direction": _direction(entry), "variant": entry.variant,
        "layers": shape.layers, "d_model": shape.d_model, "heads": shape.heads,
        "vocab": f"{shape.source_vocab}/{shape.target_vocab}", "download": _download(entry),
        "installed": "no", "on disk": "",
    }
    if present:
        row.update(_install_state(entry.name)[0])
    return row


def _direction(entry: KnownModel) -> str:
    both = entry.family in ("nllb", "m2m100")
    return f"{entry.src} <-> {entry.tgt}" if both else f"{entry.src} -> {entry.tgt}"


def _download(entry: KnownModel) -> str:
    if entry.hub_repo:
        return f"{human_size(entry.checkpoint_size)} checkpoint, converted"
    return human_size(entry.archives[0].size)


def _custom_row(name: str) -> dict[str, object]:
    state, model = _install_state(name)
    row: dict[str, object] = {"name": name, "family": "", "direction": "", "variant": "custom", "layers": "",
                              "d_model": "", "heads": "", "vocab": "", "download": "", **state}
    if model is not None:
        row.update({
            "family": model.family,
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
    meta = read_json(meta_path) if meta_path.is_file() else {}
    facts: dict[str, object] = {
        "name": model.name,
        "path": str(model.path),
        "direction": f"{model.src} -> {model.tgt}",
        "direction from": model.direction_from,
        **model.load_family().describe(),
        "family from": model.recognised.evidence if model.recognised else "model.SRC + model.TGT",
        "spec": f"{header.spec or 'unnamed'} revision {header.revision}, binary v{header.binary_version}",
        "layers (encoder/decoder)": f"{header.layers('encoder')}/{header.layers('decoder')}",
        "d_model": header.d_model,
        "ffn": header.ffn,
        "heads": header.heads,
        "source vocabulary": f"{model.source_vocab_size} ({model.source_vocabulary.name})",
        "target vocabulary": f"{model.target_vocab_size} ({model.target_vocabulary.name})",
        "weights": header.weight_dtype,
        "compute types (cpu)": ", ".join(sorted(ctranslate2.get_supported_compute_types("cpu"))),
        "on disk": human_size(model.disk_size()),
        "fingerprint": model.fingerprint(),
    }
    meta = meta or (read_json(model.path / META_FILE) if (model.path / META_FILE).is_file() else {})
    if "converted_from" in meta:
        facts["converted from"] = f"{meta['converted_from']} ({meta.get('quantization', '?')})"
    if "url" in meta:
        facts["fetched from"] = meta["url"]
        facts["archive sha256"] = meta.get("archive_sha256", "")
    return facts


def describe_name(name_or_path: str) -> dict[str, object]:
    """What `models info NAME_OR_PATH` prints: an installed model or a folder, validated and
    described; a registry model not installed yet, its registry facts. A broken installed model or
    folder raises ModelError saying what is wrong."""
    try:
        return describe(resolve_model(name_or_path, download=False))
    except ModelError:
        known = REGISTRY.get(name_or_path)
        if known is None or installed_path(name_or_path).exists():
            raise
        return describe_known(known)


def describe_known(entry: KnownModel) -> dict[str, object]:
    """Registry facts for a model that is not installed."""
    shape = entry.shape
    return {
        "name": entry.name,
        "family": entry.family,
        "direction": _direction(entry),
        "layers (encoder/decoder)": f"{shape.layers}/{shape.layers}",
        "d_model": shape.d_model,
        "ffn": shape.ffn,
        "heads": shape.heads,
        "vocabulary (source/target)": f"{shape.source_vocab}/{shape.target_vocab}",
        **({"checkpoint": f"https://huggingface.co/{entry.hub_repo} (converted to CTranslate2 int8 on fetch)",
            "sha256": "not published (each downloaded file's sha256 is recorded)"} if entry.hub_repo else
           {"archives": " | ".join(a.url for a in entry.archives),
            "sha256": entry.archives[0].sha256 or "not published"}),
        "installed": f"no (run `translate-kit models fetch {entry.name}`)",
    }
