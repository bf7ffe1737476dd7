"""Scale-out on Ray: the translation pipeline as a Ray Data job over shards of documents, and
corpus alignment as Ray tasks, with the same outputs as a local run (`pip install
'translate-kit[ray]'`).

Importing this package needs neither Ray nor pyarrow: a missing Ray is reported, with the extra
to install, only when a run asks for it.
"""

from __future__ import annotations

from typing import Any

from .cluster import INSTALL_HINT, ClusterError, require_ray
from .options import RayOptions, RayResult

__all__ = ["INSTALL_HINT", "ClusterError", "RayOptions", "RayResult", "require_ray",
           "translate_documents_on_ray"]


def translate_documents_on_ray(source: str, output: str, options: Any, **run: Any) -> RayResult:
    """translate_kit.scale.runner.translate_documents_on_ray, once Ray is known to be there."""
    require_ray()
    from .runner import translate_documents_on_ray as translate

    return translate(source, output, options, **run)
