"""Optional COMET scores through unbabel-comet, never a hard dependency.

COMET needs the `unbabel-comet` package (PyTorch) and a model checkpoint; both are large and the
model is downloaded from the Hugging Face hub, which fails offline. Either missing piece is one clear
line telling the user what to install or where to point ``--comet-model``.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from pathlib import Path

from ..errors import TranslateKitError

DEFAULT_COMET_MODEL = "Unbabel/wmt22-comet-da"
_INSTALL_HINT = "pip install 'translate-kit[comet]' (unbabel-comet)"


def _import_comet():
    try:
        import comet
    except ImportError:
        raise TranslateKitError(
            f"--metrics comet needs the optional COMET package: {_INSTALL_HINT}, then a model "
            f"(default {DEFAULT_COMET_MODEL}); the other metrics work without it"
        ) from None
    return comet


def _checkpoint(path: Path) -> Path:
    """A model folder (as downloaded) or its checkpoint file."""
    if path.is_dir():
        return path / "checkpoints" / "model.ckpt"
    return path


class CometScorer:
    """A loaded COMET model; `score()` returns the system score and one score per segment."""

    def __init__(self, model: str | None = None, batch_size: int = 16, gpus: int = 0):
        comet = _import_comet()
        self.model_name = model or DEFAULT_COMET_MODEL
        self.batch_size = batch_size
        self.gpus = gpus
        local = Path(self.model_name).expanduser()
        try:
            if local.exists():
                checkpoint = _checkpoint(local)
                if not checkpoint.is_file():
                    raise TranslateKitError(f"{local}: no COMET checkpoint (expected {checkpoint})")
                self._model = comet.load_from_checkpoint(str(checkpoint))
            else:
                self._model = comet.load_from_checkpoint(comet.download_model(self.model_name))
        except TranslateKitError:
            raise
        except Exception as exc:  # the hub client raises many kinds when offline
            raise TranslateKitError(
                f"COMET model {self.model_name!r} is not available ({type(exc).__name__}): download it where "
                "there is network and pass --comet-model PATH (its folder or checkpoints/model.ckpt)"
            ) from None

    def signature(self) -> str:
        try:
            version = importlib.metadata.version("unbabel-comet")
        except importlib.metadata.PackageNotFoundError:
            version = "unknown"
        return f"model:{self.model_name}|nrefs:1|comet:{version}"

    def score(
        self, sources: Sequence[str], hypotheses: Sequence[str], references: Sequence[str]
    ) -> tuple[float, list[float]]:
        data = [
            {"src": s, "mt": h, "ref": r} for s, h, r in zip(sources, hypotheses, references, strict=True)
        ]
        output = self._model.predict(data, batch_size=self.batch_size, gpus=self.gpus, progress_bar=False)
        return float(output.system_score), [float(value) for value in output.scores]
