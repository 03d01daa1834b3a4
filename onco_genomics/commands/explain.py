"""``oncogen explain``: SHAP values, per-sample top features and global plots for a model."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from onco_genomics.commands._options import orientation_option

log = logging.getLogger(__name__)


@click.command("explain")
@click.argument("model")
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output directory.")
@click.option("--outputs", "--drugs", "--classes", "outputs", default=None,
              help="Comma-separated outputs to explain: drugs of a drug-response model, "
                   "classes of a classifier [default: see --top-outputs].")
@click.option("--top-outputs", type=click.IntRange(min=0), default=10, show_default=True,
              help="Without --outputs, a model with more outputs explains this many: the "
                   "classes with the highest mean probability, or the drugs whose prediction "
                   "varies most across DATA (0: all outputs).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Features listed per sample.")
@click.option("--max-display", type=click.IntRange(min=1), default=20, show_default=True,
              help="Features shown in the plots.")
@click.option("--background", "n_background", type=click.IntRange(min=1), default=50,
              show_default=True,
              help="Background samples drawn from DATA when the model has no saved "
                   "background (SHAP values are relative to their mean output).")
@click.option("--gradient-samples", type=click.IntRange(min=1), default=50, show_default=True,
              help="Torch models: stratified expected-gradient draws per sample (more: "
                   "less noise, proportionally slower).")
@orientation_option("DATA", "the model's feature names")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the background draw and of the gradient explainer's sampling.")
def explain(model: str, data: Path, output: Path, outputs: str | None, top_outputs: int,
            top: int, max_display: int, n_background: int, gradient_samples: int,
            orientation: str, seed: int) -> None:
    """Explain MODEL's predictions on DATA (samples x features) with SHAP.

    MODEL is a model directory or a shipped model name (`oncogen models list`). Writes
    top_features.tsv (per sample), importance.tsv (mean |SHAP| per feature and output),
    bar.png (importance of the top features, coloured by output) and one
    beeswarm_<output>.png per explained output (up to 20).
    """
    from onco_genomics.explain.inputs import read_model_input
    from onco_genomics.explain.outputs import rank_outputs
    from onco_genomics.explain.plots import write_explanation
    from onco_genomics.explain.shap_values import explain_model
    from onco_genomics.models import load_omics_model

    fitted = load_omics_model(model)
    table = read_model_input(fitted, data, orientation=orientation,  # type: ignore[arg-type]
                             source=model)
    chosen = ([o.strip() for o in outputs.split(",") if o.strip()] if outputs
              else rank_outputs(fitted, table, top_outputs) or None)
    explanation = explain_model(fitted, table, outputs=chosen, n_background=n_background,
                                gradient_samples=gradient_samples, seed=seed)
    written = write_explanation(explanation, output, top=top, max_display=max_display)
    click.echo(f"{output}: {len(written)} files, {len(explanation.output_names)} output(s) "
               f"explained on {len(explanation.sample_ids)} samples ({explanation.method})",
               err=True)

