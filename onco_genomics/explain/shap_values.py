"""SHAP values for every omics model, dispatched on what the estimator exposes (the
protocol written down in :mod:`onco_genomics.explain.protocol`).

- ``booster_`` (xgboost): :class:`shap.TreeExplainer` (exact path-dependent tree SHAP); the
  explained output is the margin (log-odds) of each class (binary models: class 1's
  margin, and its negative for class 0). A booster over (cell, drug) pairs (an estimator
  with ``design_matrix``, the xgboost drug-response model) is explained per drug on the
  rows pairing each sample with that drug.
- ``torch_module_`` and ``to_tensor(X)`` (torch): expected gradients, the values of
  :class:`shap.GradientExplainer`, computed in large batches by
  :mod:`~onco_genomics.explain.expected_gradients`, on the network output (class logits;
  risk score for survival models). ``tensor_feature_index_`` maps tensor columns back to
  features when the network reorders them (the 1D-CNN).
- ``coef_`` / ``intercept_`` (linear): exact interventional linear SHAP,
  ``coef * (x - mean(background))`` on the standardised inputs (what
  :class:`shap.LinearExplainer` computes for independent features), in the model's output
  units: logits for classifiers, log hazard ratio for Cox models, ln(IC50) for drug models.
- ``explain_components_`` (``[(coefficient, member), ...]``, an ensemble whose output is
  the weighted sum of its members'): each member explained as above, the values summed
  with the coefficients (Shapley values are linear in the model).

Background-sample policy: the estimator's own ``background_`` when it has one (up to 50
training samples drawn stratified by class with the model's seed, saved with the model),
else up to ``n_background`` rows of the data being explained, drawn with ``seed``. A
Pipeline is explained on its final estimator's input: the preprocessed, aligned genes.

Outputs: ``outputs=[...]`` explains only those (classes, drugs). The gradient explainer
runs once per output explained (so its time grows with them, with progress reported);
tree and linear SHAP compute every output at once and keep the ones asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from onco_genomics.errors import ModelError
from onco_genomics.explain.protocol import LinearModel, TorchModel, TreeModel, WeightedSum

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Explanation:
    """SHAP values of one model on some samples.

    Attributes
    ----------
    values
        samples x features x outputs (classes, or one risk/target output).
    base_values
        outputs: the expected model output over the background.
    data
        samples x features: the model-input values that were explained.
    feature_names, output_names, sample_ids
        Axis labels.
    method
        Which explainer produced the values.
    """

    values: np.ndarray
    base_values: np.ndarray
    data: np.ndarray
    feature_names: tuple[str, ...]
    output_names: tuple[str, ...]
    sample_ids: tuple[str, ...]
    method: str

    def __post_init__(self) -> None:
        n, f, k = self.values.shape
        if self.data.shape != (n, f):
            raise ValueError(f"data shape {self.data.shape} != values' samples x features {(n, f)}")
        if len(self.feature_names) != f or len(self.sample_ids) != n:
            raise ValueError("feature_names / sample_ids do not match the values")
        if len(self.output_names) != k or self.base_values.shape != (k,):
            raise ValueError("output_names / base_values do not match the values' outputs")

    def output_index(self, output: str) -> int:
        if output not in self.output_names:
            raise ModelError(f"unknown output {output!r}; the model has "
                             f"{', '.join(self.output_names)}")
        return self.output_names.index(output)

    def frame(self, output: str) -> pd.DataFrame:
        """samples x features SHAP values for one output."""
        return pd.DataFrame(self.values[:, :, self.output_index(output)],
                            index=pd.Index(self.sample_ids, name="sample"),
                            columns=list(self.feature_names))

    def predicted_outputs(self) -> list[str]:
        """Output with the largest explained value (base + sum of SHAP) per sample."""
        totals = self.values.sum(axis=1) + self.base_values
        return [self.output_names[i] for i in totals.argmax(axis=1)]


def _split_pipeline(model: Any, X: Any) -> tuple[Any, pd.DataFrame]:
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline):
        data = X
        for _, step in model.steps[:-1]:
            data = step.transform(data)
        return model.steps[-1][1], pd.DataFrame(data)
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    return model, frame


def _outputs(estimator: Any, k: int) -> tuple[str, ...]:
    if hasattr(estimator, "classes_") and len(estimator.classes_) == k:
        return tuple(str(c) for c in estimator.classes_)
    names = getattr(estimator, "output_names_", None)
    if names is not None and len(names) == k:
        return tuple(str(n) for n in names)
    return ("output",) if k == 1 else tuple(f"output_{i}" for i in range(k))


def _as_3d(values: Any, n: int, f: int) -> np.ndarray:
    if isinstance(values, list):  # older shap: one array per output
        values = np.stack([np.asarray(v) for v in values], axis=-1)
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 2:
        array = array[:, :, None]
    if array.shape[:2] != (n, f):
        array = array.reshape(n, f, -1)
    return array


def _background(estimator: Any, data: np.ndarray, *, n_background: int,
                seed: int) -> np.ndarray:
    own = getattr(estimator, "background_", None)
    if own is not None and len(own):
        return np.asarray(own, dtype=np.float32)
    rng = np.random.default_rng(seed)
    take = rng.choice(len(data), size=min(n_background, len(data)), replace=False)
    if len(data) < 10:
        log.warning("explaining with a background of only %d samples (the model has no "
                    "saved background); SHAP values are relative to these", len(take))
    return data[np.sort(take)]


def _explain_weighted_sum(estimator: Any, components: list[tuple[float, Any]],
                          frame: pd.DataFrame, *, n_background: int, seed: int,
                          outputs: Sequence[str] | None, gradient_samples: int) -> Explanation:
    """SHAP values of ``sum(coefficient * member)``: the coefficient-weighted members' values.

    Shapley values are linear in the model, so each member is explained on the same samples
    (and the same background draw) and the results are summed with their coefficients.
    """
    if not components:
        raise ModelError(f"cannot explain a {type(estimator).__name__} without members")
    parts = [(float(c), explain_model(member, frame, n_background=n_background, seed=seed,
                                      outputs=outputs, progress=False,
                                      gradient_samples=gradient_samples))
             for c, member in components]
    first = parts[0][1]
    values = sum((c * e.values for c, e in parts), np.zeros_like(first.values))
    base = sum((c * e.base_values for c, e in parts), np.zeros_like(first.base_values))
    method = " + ".join(f"{c:.3g} x [{e.method}]" for c, e in parts)
    return Explanation(values=values, base_values=base, data=first.data,
                       feature_names=first.feature_names, output_names=first.output_names,
                       sample_ids=first.sample_ids, method=method)


def _unit(estimator: Any, outputs: tuple[str, ...]) -> str:
    """What the explained output is measured in, for the method label."""
    if getattr(estimator, "classes_", None) is not None:
        return "logits"
    if getattr(estimator, "drugs_", None) is not None:
        return "ln(IC50)"
    if outputs == ("risk_score",) or hasattr(estimator, "baseline_survival_"):
        return "log hazard ratio"
    return "model output"


def _explain_pair_booster(estimator: Any, frame: pd.DataFrame, wanted: list[str] | None, *,
                          progress: bool | None) -> Explanation:
    """Tree SHAP of a booster over (cell, drug) pairs, one output per drug.

    The booster's rows are :meth:`design_matrix` rows (cell features, then the drug's
    encoding); each drug is explained on the design rows pairing every sample with it, so
    every output has the same features (``booster_feature_names_``). ``data`` holds the
    first explained drug's rows: the cell columns are the same for every drug, the drug
    columns (``drug_train_mean``, ...) differ by drug.
    """
    import shap

    from onco_genomics.progress import Progress

    drugs = list(wanted) if wanted is not None else [str(d) for d in estimator.drugs_]
    explainer = shap.TreeExplainer(estimator.booster_)
    samples = [str(s) for s in frame.index]
    frame = frame.set_axis(samples, axis=0)
    parts, first = [], None
    with Progress(len(drugs), "drugs explained", enabled=progress, log_every=10.0) as bar:
        for drug in drugs:
            pairs = pd.DataFrame({"cell_line": samples, "drug": drug})
            rows = estimator.design_matrix(frame, pairs)
            first = rows if first is None else first
            parts.append(np.asarray(explainer.shap_values(rows), dtype=np.float64))
            bar.update(1)
    values = np.stack(parts, axis=2)
    base = np.full(len(drugs), float(np.atleast_1d(explainer.expected_value)[0]))
    assert first is not None
    return Explanation(values=values, base_values=base, data=first.astype(np.float64),
                       feature_names=tuple(estimator.booster_feature_names_),
                       output_names=tuple(drugs), sample_ids=tuple(samples),
                       method="shap.TreeExplainer over (cell, drug) pairs; ln(IC50)")


def explain_model(model: Any, X: Any, *, n_background: int = 50, seed: int = 0,
                  outputs: Sequence[str] | None = None, gradient_samples: int = 50,
                  progress: bool | None = None) -> Explanation:
    """SHAP values of ``model`` (estimator or Pipeline) on samples ``X``.

    Parameters
    ----------
    model
        A fitted estimator exposing ``booster_``, ``torch_module_`` + ``to_tensor`` or
        ``coef_``; or a Pipeline ending in one.
    X
        Samples to explain (raw, as the model's input; a Pipeline preprocesses them).
    n_background
        Background size when the estimator has no ``background_`` (rows of ``X`` drawn
        with ``seed``).
    seed
        Seeds the background draw and the gradient explainer's sampling.
    outputs
        Output names (classes, drugs) to explain, in this order; default all. The time of
        the gradient explainer grows with the outputs explained; the others compute all
        outputs at once and keep these.
    gradient_samples
        Expected-gradient draws per sample (torch models; stratified, see
        :mod:`~onco_genomics.explain.expected_gradients`).
    progress
        Progress of the samples explained (torch models): None: a bar when stderr is a
        terminal, else log lines; False: none.

    Returns
    -------
    Explanation
    """
    import shap

    from onco_genomics.explain.expected_gradients import expected_gradients
    from onco_genomics.explain.outputs import check_outputs
    from onco_genomics.progress import Progress

    wanted = check_outputs(model, outputs) if outputs is not None else None
    estimator, frame = _split_pipeline(model, X)
    if isinstance(estimator, WeightedSum):
        components = estimator.explain_components_
        return _explain_weighted_sum(estimator, components, frame, n_background=n_background,
                                     seed=seed, outputs=wanted,
                                     gradient_samples=gradient_samples)
    if isinstance(estimator, TreeModel) and hasattr(estimator, "design_matrix"):
        return _explain_pair_booster(estimator, frame, wanted, progress=progress)
    data = frame.to_numpy(dtype=np.float32)
    n, f = data.shape
    features = tuple(str(c) for c in frame.columns)
    background = _background(estimator, data, n_background=n_background, seed=seed)
    names: tuple[str, ...] | None = None  # set where the branch already selected `wanted`
    if isinstance(estimator, TreeModel):
        explainer = shap.TreeExplainer(estimator.booster_)
        values = _as_3d(explainer.shap_values(data), n, f)
        base = np.atleast_1d(np.asarray(explainer.expected_value, dtype=np.float64))
        method = "shap.TreeExplainer (margin)"
    elif isinstance(estimator, TorchModel):
        import torch

        module = estimator.torch_module_
        module.eval()
        columns = list(frame.columns)
        inputs = estimator.to_tensor(pd.DataFrame(data, columns=columns))
        reference = estimator.to_tensor(pd.DataFrame(background, columns=columns))
        with torch.no_grad():
            mean_out = module(reference).reshape(len(reference), -1).mean(dim=0)
        all_names = _outputs(estimator, int(mean_out.shape[0]))
        chosen = ([all_names.index(w) for w in wanted]
                  if wanted is not None and len(all_names) > 1 else list(range(len(all_names))))
        with Progress(n, "samples explained", enabled=progress, log_every=10.0) as bar:
            values = expected_gradients(module, inputs, reference, chosen,
                                        n_samples=gradient_samples, seed=seed, progress=bar)
        index = getattr(estimator, "tensor_feature_index_", None)
        if index is not None:  # tensor column j holds feature index[j]
            unpermuted = np.empty_like(values)
            unpermuted[:, np.asarray(index), :] = values
            values = unpermuted
        base = mean_out.numpy().astype(np.float64)[chosen]
        method = f"expected gradients, {gradient_samples} stratified draws (network output)"
        if wanted is not None and len(all_names) > 1:
            names = tuple(all_names[c] for c in chosen)
    elif isinstance(estimator, LinearModel):
        coef = np.atleast_2d(np.asarray(estimator.coef_, dtype=np.float64))
        intercept = np.atleast_1d(np.asarray(getattr(estimator, "intercept_", 0.0)))
        all_names = _outputs(estimator, coef.shape[0])
        if wanted is not None and coef.shape[0] > 1:  # keep the rows asked for (memory)
            rows = [all_names.index(w) for w in wanted]
            coef = coef[rows]
            intercept = np.resize(intercept, len(all_names))[rows]
        standardise = getattr(estimator, "standardise", None)
        columns = list(frame.columns)
        x = (standardise(pd.DataFrame(data, columns=columns)) if standardise else data)
        ref = (standardise(pd.DataFrame(background, columns=columns)) if standardise
               else background)
        centre = np.asarray(ref, dtype=np.float64).mean(axis=0)
        values = (np.asarray(x, dtype=np.float64) - centre)[:, :, None] * coef.T[None, :, :]
        base = centre @ coef.T + intercept
        method = "exact linear SHAP (interventional)"
        if wanted is not None and coef.shape[0] == len(wanted) and len(all_names) > 1:
            names = tuple(wanted)
    else:
        raise ModelError(
            f"cannot explain a {type(estimator).__name__}: expected an estimator exposing "
            "booster_ (xgboost), torch_module_ with to_tensor (torch) or coef_ (linear); "
            "see onco_genomics.explain.protocol")
    if names is None:
        classes = getattr(estimator, "classes_", None)
        if classes is not None and len(classes) == 2 and values.shape[2] == 1:
            # binary model explained on the class-1 margin: class 0's margin is its negative
            values = np.concatenate([-values, values], axis=2)
            base = np.array([-base[0], base[0]])
        names = _outputs(estimator, values.shape[2])
        if base.shape != (values.shape[2],):
            base = np.resize(base, values.shape[2])
        if wanted is not None and len(names) > 1:
            keep = [names.index(w) for w in wanted]
            values, base, names = values[:, :, keep], base[keep], tuple(wanted)
    return Explanation(values=values, base_values=base, data=data.astype(np.float64),
                       feature_names=features, output_names=names,
                       sample_ids=tuple(map(str, frame.index)),
                       method=f"{method}; {_unit(estimator, names)}")


def top_features(explanation: Explanation, n: int = 10, *,
                 outputs: Any = None) -> pd.DataFrame:
    """The ``n`` features that push each sample's output up most (largest positive SHAP).

    Parameters
    ----------
    explanation
        From :func:`explain_model`.
    n
        Features per sample.
    outputs
        Per-sample output (class) to explain, e.g. the predicted class; default: the
        output with the largest explained value.

    Returns
    -------
    pandas.DataFrame
        Long format: ``sample``, ``output``, ``rank``, ``feature``, ``shap``, ``value``.
    """
    chosen = list(outputs) if outputs is not None else explanation.predicted_outputs()
    if len(chosen) != len(explanation.sample_ids):
        raise ModelError("need one output per explained sample")
    rows = []
    for i, sample in enumerate(explanation.sample_ids):
        k = explanation.output_index(str(chosen[i]))
        contributions = explanation.values[i, :, k]
        for rank, j in enumerate(np.argsort(-contributions, kind="stable")[:n], start=1):
            rows.append({"sample": sample, "output": str(chosen[i]), "rank": rank,
                         "feature": explanation.feature_names[j],
                         "shap": float(contributions[j]), "value": float(explanation.data[i, j])})
    return pd.DataFrame(rows, columns=["sample", "output", "rank", "feature", "shap", "value"])


def top_features_wide(explanation: Explanation, n: int = 10, *,
                      outputs: Any = None) -> pd.DataFrame:
    """:func:`top_features` as one row per sample: ``top_gene_1``.. and ``top_shap_1``.."""
    long = top_features(explanation, n, outputs=outputs)
    wide = pd.DataFrame(index=pd.Index(explanation.sample_ids, name="sample"))
    for rank in range(1, n + 1):
        part = long[long["rank"] == rank].set_index("sample")
        wide[f"top_gene_{rank}"] = part["feature"]
        wide[f"top_shap_{rank}"] = part["shap"]
    return wide


def global_importance(explanation: Explanation) -> pd.DataFrame:
    """Mean |SHAP| per feature (rows) and output (columns), sorted by the row sum."""
    table = pd.DataFrame(np.abs(explanation.values).mean(axis=0),
                         index=pd.Index(explanation.feature_names, name="feature"),
                         columns=list(explanation.output_names))
    return table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
