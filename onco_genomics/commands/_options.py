"""Click options shared by several commands (derived from the library's own definitions,
or pinned equal to them in tests/test_public_api.py where deriving would import heavy
modules at ``--help`` time)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
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


#: ``--input-type`` of the classifier trainers (= ``omics.preprocess.INPUT_TYPES``)
INPUT_TYPES = click.Choice(["counts", "tpm", "fpkm", "microarray", "log", "none"])
#: ``--model`` of the classifier trainers (= ``omics.classification.MODEL_NAMES``)
CLASSIFIER_MODELS = click.Choice(["auto", "cnn1d", "mlp", "xgboost", "logistic"])


def classifier_training_options(what: str) -> Callable[[Any], Any]:
    """The arguments and options ``train cup`` and ``train subtype`` share; ``what`` names
    a class in the help ("tumour type", "subtype"). Defaults are those of
    :class:`onco_genomics.omics.classification.TrainingOptions`."""
    decorators = [
        click.argument("expression", type=click.Path(exists=True, dir_okay=False,
                                                     path_type=Path)),
        click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        click.option("-o", "--output", required=True,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="Model directory to write."),
        click.option("--model", "model_name", type=CLASSIFIER_MODELS, default="auto",
                     show_default=True,
                     help="Classifier: auto (L2 logistic or xgboost, chosen by inner CV on the "
                          "training data; the choice is in the model card), 1D-CNN over "
                          "ordered genes, MLP, xgboost or L2 logistic."),
        click.option("--input-type", type=INPUT_TYPES, default="log", show_default=True,
                     help="What the values are (counts: log2 CPM; tpm/fpkm: log2; microarray: "
                          "log2 if linear + median centring; log/none: unchanged)."),
        click.option("--label-column", default=None,
                     help=f"Column of LABELS holding the {what}."),
        click.option("--n-features", type=int, default=2000, show_default=True,
                     help="Most variable genes kept (0: all)."),
        click.option("--cv-splits", type=int, default=5, show_default=True,
                     help="Stratified folds (0: no cross-validation and no calibration)."),
        click.option("--min-class-size", type=int, default=2, show_default=True,
                     help=f"Each {what} with fewer samples is dropped (with a warning)."),
        orientation_option("EXPRESSION", "the sample ids of LABELS"),
        click.option("--seed", type=int, default=0, show_default=True,
                     help="Seed of the folds and the classifier."),
    ]

    def apply(function: Any) -> Any:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


def command_line() -> str:
    """The command line as typed, for VCF ##oncogenCommand and SAM @PG headers."""
    return " ".join(["oncogen", *sys.argv[1:]])
