"""``oncogen train caller-tumor-only``: thin wrapper over the tumor-only training API."""

from __future__ import annotations

import logging
from pathlib import Path

import click

log = logging.getLogger(__name__)


@click.command("caller-tumor-only")
@click.option("--data", "data_dirs", multiple=True, required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="An `oncogen simulate --population-sites` output folder; repeatable.")
@click.option("--ref", "reference", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Reference FASTA of all sets.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Model folder to write (model.json + weights.pt).")
@click.option("--epochs", type=int, default=20, show_default=True,
              help="Most training epochs (early stopping on the validation blocks).")
@click.option("--negative-keep", type=click.FloatRange(0.01, 1.0), default=1.0,
              show_default=True, help="Share of artefact candidates kept for training.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the validation blocks, initial weights and batches.")
@click.option("--threads", type=int, default=1, show_default=True,
              help="Worker processes for scanning the tumors.")
@click.option("--block-size", type=click.IntRange(min=1000), default=100_000,
              show_default=True, help="Bases per validation block (20% of blocks validate).")
def train_tumor_only(data_dirs: tuple[Path, ...], reference: Path, output: Path, epochs: int,
                     negative_keep: float, seed: int, threads: int, block_size: int) -> None:
    """Train the tumor-only caller (tumor channels + population AF + nearby het VAFs)."""
    from onco_genomics.caller.tumor_only_train import TumorOnlySet, train_tumor_only_caller

    sets = [TumorOnlySet.from_simulation(folder) for folder in data_dirs]
    report = train_tumor_only_caller(sets, reference=reference, output=output, epochs=epochs,
                                     negative_keep=negative_keep, seed=seed, threads=threads,
                                     block_size=block_size)
    snv = report["metrics"]["validation_snv_at_threshold"]
    click.echo(f"{output}: threshold {report['threshold']:.2f}, validation SNV precision "
               f"{snv['precision']:.3f} recall {snv['recall']:.3f} F1 {snv['f1']:.3f}",
               err=True)
