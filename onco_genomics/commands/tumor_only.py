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
@click.option("--learning-rate", type=click.FloatRange(min=0.0, min_open=True), default=2e-3,
              show_default=True, help="AdamW learning rate.")
@click.option("--weight-decay", type=click.FloatRange(min=0.0), default=1e-4,
              show_default=True, help="AdamW decoupled weight decay.")
@click.option("--dropout", type=click.FloatRange(0.0, 1.0, max_open=True), default=0.2,
              show_default=True, help="Dropout of the network's head.")
@click.option("--tune-on", "tune_dirs", multiple=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="A simulated tumor (not among --data) on which to choose the PASS and "
                   "germline thresholds after training; repeatable.")
@click.option("--tune-min-recall", type=click.FloatRange(0.0, 1.0, min_open=True),
              default=0.85, show_default=True,
              help="Validation SNV recall (VAF >= 10%) the chosen thresholds must reach.")
@click.option("--tune-germline-weight", type=click.FloatRange(min=0.0), default=1.0,
              show_default=True,
              help="Weight of a private germline call in tuning (e.g. 0.2 for tumors "
                   "simulated with 5x the target's private germline rate).")
def train_tumor_only(data_dirs: tuple[Path, ...], reference: Path, output: Path, epochs: int,
                     negative_keep: float, seed: int, threads: int, block_size: int,
                     learning_rate: float, weight_decay: float, dropout: float,
                     tune_dirs: tuple[Path, ...], tune_min_recall: float,
                     tune_germline_weight: float) -> None:
    """Train the tumor-only caller (tumor channels + population AF + nearby het VAFs)."""
    from onco_genomics.caller.tumor_only_operating_point import tune_operating_point
    from onco_genomics.caller.tumor_only_train import TumorOnlySet, train_tumor_only_caller
    from onco_genomics.errors import OptionsError

    sets = [TumorOnlySet.from_simulation(folder) for folder in data_dirs]
    tune = [TumorOnlySet.from_simulation(folder) for folder in tune_dirs]
    overlap = {s.tumor.resolve() for s in sets} & {s.tumor.resolve() for s in tune}
    if overlap:
        raise OptionsError(f"--tune-on tumors must not be training data: {sorted(overlap)[0]} "
                           "is given to both --data and --tune-on")
    report = train_tumor_only_caller(sets, reference=reference, output=output, epochs=epochs,
                                     negative_keep=negative_keep, seed=seed, threads=threads,
                                     block_size=block_size, learning_rate=learning_rate,
                                     weight_decay=weight_decay, dropout=dropout)
    snv = report["metrics"]["validation_snv_at_threshold"]
    click.echo(f"{output}: threshold {report['threshold']:.2f}, validation SNV precision "
               f"{snv['precision']:.3f} recall {snv['recall']:.3f} F1 {snv['f1']:.3f}",
               err=True)
    if tune_dirs:
        chosen = tune_operating_point(output, tune_dirs, reference=reference,
                                      min_recall=tune_min_recall,
                                      germline_weight=tune_germline_weight,
                                      threads=threads)["chosen"]
        click.echo(f"{output}: operating point threshold {chosen['threshold']:.2f}, germline "
                   f"threshold {chosen['germline_threshold']:.2f} (tuning tumors: SNV "
                   f"precision {chosen['precision']:.3f}, recall {chosen['recall']:.3f}, "
                   f"{chosen['germline_per_mb']:.2f} germline per Mb)", err=True)
