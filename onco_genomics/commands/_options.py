"""Click options shared by several commands (derived from the library's own definitions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

import click

from onco_genomics.io.orientation import Orientation

ORIENTATIONS = click.Choice(list(get_args(Orientation)))


def orientation_option(table: str, decided_by: str) -> Callable[[Any], Any]:
    """``--orientation`` for the table argument ``table``; ``decided_by`` names what the
    command compares its ids with under ``auto`` (e.g. "the sample ids of LABELS")."""
    return click.option(
        "--orientation", type=ORIENTATIONS, default="auto", show_default=True,
        help=f"Samples as rows (samples-rows) or as columns (features-rows) of {table}. "
             f"auto: decided by {decided_by}, else by gene-like or sample-like names, else "
             "by the shape (with a warning); an error when nothing decides.")
