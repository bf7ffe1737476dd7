"""`translate-kit models`: list, fetch and inspect IndicTrans2 models (a thin layer over `models`)."""

from __future__ import annotations

import click

from .. import models


@click.group("models")
def models_group() -> None:
    """List, download and inspect IndicTrans2 CTranslate2 models."""


@models_group.command("list")
def list_models() -> None:
    """Known models, installed or not, and any other model in the cache.

    \b
    Examples:
      translate-kit models list
      TRANSLATE_KIT_HOME=/data/tk translate-kit models list
    """
    import pandas as pd

    with pd.option_context("display.max_colwidth", 80, "display.width", 200):
        click.echo(models.catalogue().to_string(index=False))
    click.echo(f"\ncache: {models.models_dir()}  (set ${models.HOME_ENV} to move it)")


@models_group.command("fetch")
@click.argument("name_or_url")
@click.option("--name", help="Folder name in the cache (default: the registry name or the archive's name).")
@click.option("--sha256", help="Expected sha256 of the archive at URL; a mismatch is rejected.")
@click.option("--force", is_flag=True, help="Download again even if the model is installed.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def fetch_model(name_or_url: str, name: str | None, sha256: str | None, force: bool, quiet: bool) -> None:
    """Download, verify and install NAME_OR_URL (a registry name or an archive URL).

    A gated or private Hugging Face repository needs HF_TOKEN (an access token) in the environment.

    \b
    Examples:
      translate-kit models fetch indictrans2-indic-en-dist-200M
      translate-kit models fetch https://example.org/model.tar.gz --name my-model --sha256 HASH
      HF_TOKEN=hf_... translate-kit models fetch NAME -q
    """
    model = models.fetch(name_or_url, name, sha256=sha256, quiet=quiet, force=force)
    click.echo(f"{model.name}: {model.src} -> {model.tgt}, installed in {model.root}")


@models_group.command("info")
@click.argument("name_or_path")
def model_info(name_or_path: str) -> None:
    """Validate a model folder (or an installed model) and describe it.

    \b
    Examples:
      translate-kit models info indictrans2-indic-en-dist-200M
      translate-kit models info ./my-model/ct2_int8_model
    """
    facts = models.describe_name(name_or_path)
    width = max(map(len, facts))
    for key, value in facts.items():
        click.echo(f"{key:<{width}}  {value}")


COMMANDS = [models_group]
