"""The feature sources an alignment uses, chosen from the options: anchors, lexicons, MT.

This module sits above `features`, `lexicon` and `mt` (each of which builds on `features`' word
features), so no source module imports another that imports it back.
"""

from __future__ import annotations

from pathlib import Path

from .features import AnchorSource, FeatureSource
from .lexicon import LexiconSource, freedict_available, load_freedict


def make_sources(
    lexicon: str | Path | None = None, freedict: bool = True, model: str | None = None, device: str = "cpu"
) -> list[FeatureSource]:
    """Anchors always; a user lexicon and/or the installed freedict lexicon; MT when a model is named.

    The MT module is imported on demand: the engine (and CTranslate2) only when a model is named.
    """
    sources: list[FeatureSource] = [AnchorSource()]
    if lexicon is not None:
        sources.append(LexiconSource.from_tsv(lexicon))
    if freedict and freedict_available():
        sources.append(load_freedict())
    if model is not None:
        from .mt import MTSource

        sources.append(MTSource.load(model, device))
    return sources
