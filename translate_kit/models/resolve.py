"""Which model to use: an explicit folder or name, $TRANSLATE_KIT_MODEL, or the default for a direction."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from ..errors import ModelError
from ..languages import other
from ..paths import models_dir
from .install import fetch
from .registry import REGISTRY, checked_lang, default_model_name
from .store import NAME_PATTERN, installed_path
from .validate import ModelDir, validate_model_dir

MODEL_ENV = "TRANSLATE_KIT_MODEL"


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
    src = checked_lang(src) if src else None
    tgt = checked_lang(tgt) if tgt else None
    origin = "--model"
    if not name_or_path and os.environ.get(MODEL_ENV):
        name_or_path, origin = os.environ[MODEL_ENV], f"${MODEL_ENV}"
    if not name_or_path:
        if src is None:
            raise ModelError("no model given: pass --model NAME_OR_PATH or the source language")
        name_or_path, origin = default_model_name(src, tgt or other(src)), "default"
    model = _locate(os.fspath(name_or_path), download, quiet)
    if model.multilingual and (src or tgt):  # NLLB-200, M2M-100: the direction asked for
        src = src or (other(tgt) if tgt else model.src)
        tgt = tgt or other(src)
        if src == tgt:
            raise ModelError(f"source and target language are both {src}")
        return replace(model, src=src, tgt=tgt, direction_from="asked for")
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
    if NAME_PATTERN.fullmatch(name_or_path) and installed_path(name_or_path).is_dir():
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
