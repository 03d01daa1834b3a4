"""``oncogen example``: write small example inputs for the omics commands."""

from __future__ import annotations

from pathlib import Path

import click

from onco_genomics.datasets.examples import EXAMPLES


@click.command("example")
@click.argument("name", type=click.Choice(list(EXAMPLES)))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the example tables into (created).")
def example(name: str, output: Path) -> None:
    """Write the example tables NAME into a folder, ready for the documented commands.

    \b
    cup            Khan SRBCT expression + tumour types (bundled)
    subtype        ALL leukaemia expression + molecular subtypes (bundled)
    survival       breast cancer GSE7390 genes + time/event (scikit-survival)
    drug-response  GDSC v17 ln(IC50) + cell-line features (pip install --no-deps gdsctools)
    """
    from onco_genomics.datasets.examples import write_example

    written = write_example(name, output)
    for path in written:
        click.echo(str(path))
