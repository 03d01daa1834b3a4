"""``oncogen models list``: the models shipped with oncogen and their cards."""

from __future__ import annotations

import logging

import click

log = logging.getLogger(__name__)


@click.group("models")
def models() -> None:
    """Shipped models and their model cards."""


@models.command("list")
@click.option("--cards", is_flag=True, help="Print each model's full MODEL_CARD.md.")
def list_command(cards: bool) -> None:
    """List the shipped models (name, kind, features, classes, training data)."""
    from onco_genomics.omics.core.model_dir import list_models

    shipped = list_models()
    if not shipped:
        click.echo("no shipped models found")
        return
    click.echo("name\tkind\tfeatures\toutputs\ttrained on")
    for model in shipped:
        click.echo(model.summary())
        if cards and model.card_text:
            click.echo(model.card_text)
