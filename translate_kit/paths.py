"""The translate-kit home folder and every folder and file kept under it.

One place decides where state lives, so the model store, the translation memory, downloaded
test sets and synthetic benchmark models never each work it out again (and never import one
another just to find the home).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

HOME_ENV = "TRANSLATE_KIT_HOME"


def cache_home() -> Path:
    """Where models and download state live: $TRANSLATE_KIT_HOME, else the user's cache dir."""
    home = os.environ.get(HOME_ENV)
    return Path(home).expanduser() if home else Path(platformdirs.user_cache_dir("translate-kit"))


def models_dir() -> Path:
    """Installed models, one folder per name."""
    return cache_home() / "models"


def downloads_dir() -> Path:
    """Partial downloads (resumable `.part` files) and their locks."""
    return cache_home() / "downloads"


def hashes_dir() -> Path:
    """Remembered sha256 digests of large files (keyed by path, size, mtime and inode)."""
    return cache_home() / "hashes"


def data_dir() -> Path:
    """Downloaded evaluation test sets."""
    return cache_home() / "data"


def synthetic_dir() -> Path:
    """Random-weight benchmark models, built on first use."""
    return cache_home() / "synthetic"
