"""``oncogen explain``: SHAP values, per-sample top features and global plots for a model."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from onco_genomics.commands._options import orientation_option

log = logging.getLogger(__name__)


@click.command("explain")
@click.argument("model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output directory.")
@click.option("--top", type=int, default=10, show_default=True,
              help="Features listed per sample.")
@click.option("--max-display", type=int, default=20, show_default=True,
              help="Features shown in the plots.")
@orientation_option("DATA", "the model's feature names")
@click.option("--seed", type=int, default=0, show_default=True)
def explain(model_dir: Path, data: Path, output: Path, top: int, max_display: int,
            orientation: str, seed: int) -> None:
    """Explain MODEL_DIR's predictions on DATA (samples x features) with SHAP.

    Writes top_features.tsv (per sample), importance.tsv (mean |SHAP| per feature and
    output), bar.png and one beeswarm_<output>.png per output.
    """
    from onco_genomics.explain.plots import write_explanation
    from onco_genomics.explain.shap_values import explain_model
    from onco_genomics.io.tables import read_table
    from onco_genomics.omics.model_dir import load_model

    model = load_model(model_dir)
    table = read_table(data, orientation=orientation,  # type: ignore[arg-type]
                       nan_policy="drop-features", duplicates="mean",
                       feature_names=getattr(model, "model_card_", {}).get("feature_names"),
                       features_source=f"model {model_dir}")
    explanation = explain_model(model, table, seed=seed)
    written = write_explanation(explanation, output, top=top, max_display=max_display)
    click.echo(f"{output}: {len(written)} files ({explanation.method})", err=True)
