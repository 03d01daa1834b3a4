"""Prognosis from omics: train, cross-validate and apply survival models.

The API behind ``oncogen train survival`` and ``oncogen survival``:

* :func:`prepare_survival_data` joins a feature table (samples x features) and a clinical
  table (time, event) into a checked :class:`SurvivalData`;
* :func:`train_survival` runs nested cross-validation (scores with scikit-survival's
  metrics) and fits the final model on all samples, returning a :class:`TrainedSurvival`
  ready for :func:`onco_genomics.omics.core.model_dir.save_model`;
* :func:`predict_survival` gives risk scores, risk groups and survival curves per group;
* :func:`feature_effects` measures how the top features move the risk (partial dependence).

Examples
--------
>>> from onco_genomics.datasets.survival import load_survival_dataset  # doctest: +SKIP
>>> data = load_survival_dataset("gse7390")                             # doctest: +SKIP
>>> trained = train_survival(data, model="coxnet", cv_folds=5)           # doctest: +SKIP
>>> trained.cv.summary()["harrell_c_mean"]                               # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from onco_genomics.errors import ModelError, OptionsError, TableFormatError
from onco_genomics.io.tables import orientation_hint
from onco_genomics.omics.survival.base import SurvivalEstimator, _group_labels
from onco_genomics.omics.survival.cv import SurvivalCVResult, nested_cross_validate
from onco_genomics.omics.survival.metrics import RiskGroupComparison, compare_groups
from onco_genomics.omics.survival.models import survival_model_class
from onco_genomics.omics.survival.outcome import SurvivalOutcome, make_outcome

log = logging.getLogger(__name__)

#: largest share of a model's selected features that may be missing (then mean-imputed)
MAX_MISSING_FEATURE_FRACTION = 0.1


@dataclass(frozen=True)
class SurvivalData:
    """Features and outcome of the same samples, in the same order.

    Attributes
    ----------
    features
        Samples x features, numeric and finite; index = sample ids.
    outcome
        Time and event per sample, ``outcome.sample_ids == tuple(features.index)``.
    name
        Data set name (for model cards and tables).
    """

    features: pd.DataFrame
    outcome: SurvivalOutcome
    name: str = "user data"

    def __post_init__(self) -> None:
        if tuple(str(s) for s in self.features.index) != self.outcome.sample_ids:
            raise ValueError("features rows and outcome samples must be the same, in order")
        if self.features.shape[1] == 0:
            raise TableFormatError("expected at least one feature column, found none")

    def summary(self) -> dict[str, Any]:
        """Samples, features, events and follow-up, for model cards."""
        return {"name": self.name, "n_samples": len(self.outcome),
                "n_features": int(self.features.shape[1]), "n_events": self.outcome.n_events,
                "median_time": float(np.median(self.outcome.time))}


def _find_column(table: pd.DataFrame, wanted: str, role: str) -> str:
    lower = {str(c).lower(): str(c) for c in table.columns}
    if wanted.lower() in lower:
        return lower[wanted.lower()]
    raise TableFormatError(
        f"expected a {role} column named {wanted!r} in the clinical table, found columns "
        f"{', '.join(map(str, table.columns[:10]))}; name it {wanted!r} or pass "
        f"--{role}-column")


def read_clinical(path: str | os.PathLike[str], *, time_column: str = "time",
                  event_column: str = "event") -> pd.DataFrame:
    """The time and event columns of a clinical table (sample ids in the first column), as
    :func:`prepare_survival_data` takes them; a missing column is a one-line error naming
    the columns found."""
    from onco_genomics.io.tables import read_labels

    time = read_labels(path, column=time_column)
    event = read_labels(path, column=event_column)
    return pd.DataFrame({time_column: time, event_column: event.reindex(time.index)})


def prepare_survival_data(features: pd.DataFrame, clinical: pd.DataFrame, *,
                          time_column: str = "time", event_column: str = "event",
                          name: str = "user data", min_samples: int = 10) -> SurvivalData:
    """Join features and clinical outcome by sample id and check both.

    Parameters
    ----------
    features
        Samples x features (index = sample ids), numeric.
    clinical
        Samples x clinical columns (index = sample ids) with time and event columns.
    time_column, event_column
        Column names in ``clinical`` (case-insensitive).
    name
        Data set name.
    min_samples
        Fewest samples with both features and outcome that are accepted.

    Raises
    ------
    OncogenError
        Missing columns, non-numeric or missing features, bad times or events, all
        censored, too few shared samples.
    """
    time_col = _find_column(clinical, time_column, "time")
    event_col = _find_column(clinical, event_column, "event")
    feat_ids = pd.Index(features.index.astype(str))
    clin_ids = pd.Index(clinical.index.astype(str))
    if feat_ids.has_duplicates or clin_ids.has_duplicates:
        raise TableFormatError("expected one row per sample, found duplicated sample ids in "
                               f"the {'feature' if feat_ids.has_duplicates else 'clinical'} "
                               "table; remove the duplicates")
    shared = feat_ids.intersection(clin_ids, sort=False)
    only_features = feat_ids.difference(clin_ids)
    only_clinical = clin_ids.difference(feat_ids)
    if len(only_features) or len(only_clinical):
        log.warning("%d samples have features but no outcome and %d an outcome but no "
                    "features; using the %d shared samples (e.g. unmatched: %s)",
                    len(only_features), len(only_clinical), len(shared),
                    ", ".join([*only_features[:3], *only_clinical[:3]]))
    if len(shared) < min_samples:
        raise TableFormatError(
            f"expected at least {min_samples} samples present in both the feature and the "
            f"clinical table, found {len(shared)}; check that both use the same sample ids"
            f"{'; ' + hint if (hint := orientation_hint(features)) else ''}")
    feats = features.copy()
    feats.index = feat_ids
    feats = feats.loc[shared]
    clin = clinical.copy()
    clin.index = clin_ids
    clin = clin.loc[shared]
    non_numeric = [str(c) for c in feats.columns if not pd.api.types.is_numeric_dtype(feats[c])]
    if non_numeric:
        raise TableFormatError(
            f"expected numeric features, found {len(non_numeric)} non-numeric columns (e.g. "
            f"{', '.join(non_numeric[:5])}); one-hot encode categorical columns or drop them")
    values = feats.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        bad = int((~np.isfinite(values)).any(axis=0).sum())
        raise TableFormatError(
            f"expected no missing feature values, found NaN/inf in {bad} columns; impute "
            "them (e.g. with the column median) or drop those features")
    outcome = make_outcome(clin[time_col].to_numpy(), clin[event_col].to_numpy(),
                           sample_ids=list(shared), source="the clinical table")
    return SurvivalData(feats.astype(float), outcome, name)


@dataclass(frozen=True)
class TrainedSurvival:
    """A fitted survival model with its cross-validation and model card.

    Attributes
    ----------
    model
        The estimator fitted on all samples.
    cv
        Nested cross-validation (None when ``cv_folds=0``).
    card
        The model card saved with the model.
    sample_ids
        Training samples, in the order of ``cv.oof_risk``.
    pathway_attributions
        Pathway-level attributions of the risk on the training data (pathway encoders only).
    """

    model: SurvivalEstimator
    cv: SurvivalCVResult | None
    card: dict[str, Any] = field(repr=False)
    sample_ids: tuple[str, ...] = ()
    pathway_attributions: pd.DataFrame | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.cv is not None and self.sample_ids and len(self.sample_ids) != len(
                self.cv.oof_risk):
            raise ValueError("sample_ids must name the out-of-fold risks, one each")

    def oof_table(self) -> pd.DataFrame:
        """Out-of-fold risk score and risk group per training sample (index ``sample``)."""
        if self.cv is None:
            raise OptionsError("no cross-validation was run (cv_folds=0): no out-of-fold risk")
        ids = self.sample_ids or tuple(str(i) for i in range(len(self.cv.oof_risk)))
        return pd.DataFrame({"risk_score": self.cv.oof_risk,
                             "risk_group": self.cv.oof_group.astype(str)},
                            index=pd.Index(ids, name="sample"))

    def save(self, directory: str | os.PathLike[str]) -> Path:
        """Write the model folder with its reports, all or nothing.

        ``model.json`` and weights; with cross-validation ``cv_folds.tsv`` (metrics per
        outer fold), ``cv_risk_groups.tsv`` (:meth:`oof_table`) and ``km_risk_groups.png``
        (Kaplan-Meier of the out-of-fold risk groups with the log-rank p); with a pathway
        encoder ``pathway_attributions.tsv``.
        """
        from onco_genomics.io.atomic import atomic_outputs
        from onco_genomics.io.tables import write_table
        from onco_genomics.omics.core.model_dir import save_model
        from onco_genomics.omics.survival.plots import plot_risk_groups

        with atomic_outputs() as files:  # the model folder with its reports, or nothing
            folder = files.folder(directory)
            save_model(self.model, folder, card=self.card)
            if self.pathway_attributions is not None:
                write_table(self.pathway_attributions.set_index("pathway"),
                            folder / "pathway_attributions.tsv")
            if self.cv is not None:
                write_table(self.cv.table().set_index("fold"), folder / "cv_folds.tsv")
                write_table(self.oof_table(), folder / "cv_risk_groups.tsv")
                plot_risk_groups(self.cv.groups, folder / "km_risk_groups.png",
                                 title=f"{self.card.get('model', 'model')}: out-of-fold "
                                       "risk groups")
        return Path(directory)


def make_survival_model(model: str, *, params: dict[str, Any] | None = None,
                        seed: int = 0) -> SurvivalEstimator:
    """A fresh estimator by ``--model`` name with ``params`` overriding its defaults."""
    estimator = survival_model_class(model)(random_state=seed)
    if params:
        unknown = set(params) - set(estimator.get_params())
        if unknown:
            raise OptionsError(f"unknown parameters for {model}: {', '.join(sorted(unknown))}; "
                               f"valid: {', '.join(sorted(estimator.get_params()))}")
        estimator.set_params(**params)
    return estimator


def train_survival(data: SurvivalData, *, model: str = "coxnet",
                   params: dict[str, Any] | None = None, cv_folds: int = 5,
                   seed: int = 0) -> TrainedSurvival:
    """Nested-cross-validate ``model`` on ``data``, then fit it on all samples.

    Parameters
    ----------
    data
        Features and outcome.
    model
        ``coxnet``, ``deepsurv``, ``autoencoder-cox``, ``xgboost-cox`` or ``ensemble-cox``.
    params
        Hyper-parameters overriding the estimator's defaults.
    cv_folds
        Outer folds of the nested cross-validation (0: skip it).
    seed
        Seed for folds and model initialisation.
    """
    X = data.features.to_numpy(dtype=float)
    if params and params.get("encoder") == "pathway":
        params = {**params, "feature_names": tuple(str(c) for c in data.features.columns)}
    cv = None
    metrics: dict[str, Any] = {}
    if cv_folds:
        cv = nested_cross_validate(
            X, data.outcome, make_model=lambda: make_survival_model(model, params=params,
                                                                    seed=seed),
            name=model, outer_folds=cv_folds, seed=seed)
        metrics = {"cv": f"nested {cv_folds}-fold, selection inside folds", **cv.summary()}
    final = make_survival_model(model, params=params, seed=seed)
    final.fit(X, data.outcome.to_structured())
    card = {
        "feature_names": [str(c) for c in data.features.columns],
        "preprocessing": {"selection": _selection_text(final),
                          "scaling": "standardise selected features (training mean/sd)"},
        "targets": ["risk_score"],
        "risk_groups": list(_group_names(final)),
        "training_data": data.summary(),
        "metrics": metrics,
        "model": model,
        "params": final.get_params(),
    }
    attributions = None
    if getattr(final, "encoder", None) == "pathway":
        attributions = final.pathway_attributions(X)
    return TrainedSurvival(final, cv, card, sample_ids=data.outcome.sample_ids,
                           pathway_attributions=attributions)


def _selection_text(model: SurvivalEstimator) -> str:
    method = getattr(model, "selection", "cox-score")
    what = "variance" if method == "variance" else "univariate Cox score"
    return f"{what}, top max_features ({model.max_features}), in fit"


def _group_names(model: SurvivalEstimator) -> list[str]:
    return [str(g) for g in _group_labels(np.arange(model.n_risk_groups), model.n_risk_groups)]


def align_features(model: SurvivalEstimator, features: pd.DataFrame,
                   feature_names: list[str]) -> np.ndarray:
    """Order ``features`` columns as the model's; impute a few missing selected features.

    Only the features the model selected matter; if more than
    :data:`MAX_MISSING_FEATURE_FRACTION` of them are absent this is an error, otherwise
    they are filled with the training mean and a warning says how many.
    """
    if len(feature_names) != model.n_features_in_:
        raise ModelError(f"the model card lists {len(feature_names)} features but the model "
                         f"expects {model.n_features_in_}; the model directory is damaged")
    columns = pd.Index(features.columns.astype(str))
    if columns.has_duplicates:
        raise TableFormatError("expected unique feature names, found duplicated columns")
    selected_names = [feature_names[i] for i in model.selected_]
    missing = [n for n in selected_names if n not in columns]
    if len(missing) > MAX_MISSING_FEATURE_FRACTION * len(selected_names):
        raise TableFormatError(
            f"expected the model's {len(selected_names)} selected features in the input, "
            f"found {len(missing)} missing (e.g. {', '.join(missing[:5])}); use the same "
            "feature identifiers (gene symbols/probes) as the training data")
    table = features.copy()
    table.columns = columns
    X = np.array(table.reindex(columns=feature_names).to_numpy(dtype=float), copy=True)
    if missing:
        log.warning("%d of the model's %d selected features are missing from the input; "
                    "filled with the training mean", len(missing), len(selected_names))
    col_mean = np.zeros(len(feature_names))
    col_mean[model.selected_] = model.mean_
    nan_rows, nan_cols = np.nonzero(~np.isfinite(X))
    X[nan_rows, nan_cols] = col_mean[nan_cols]
    return X


@dataclass(frozen=True)
class SurvivalPrediction:
    """Risk per sample and survival curves per risk group.

    Attributes
    ----------
    samples
        Columns ``sample``, ``risk_score``, ``risk_group``.
    curves
        Columns ``time``, then one predicted survival probability column per risk group
        (mean of the group's Breslow curves).
    groups
        Kaplan-Meier comparison of the groups when an outcome was given, else None.
    """

    samples: pd.DataFrame
    curves: pd.DataFrame
    groups: RiskGroupComparison | None = None
    effects: list[FeatureEffect] | None = field(default=None, repr=False)

    def write(self, directory: str | os.PathLike[str]) -> Path:
        """Write ``risk.tsv``, ``curves.tsv`` and ``curves.png`` into ``directory``, plus
        ``km.png`` (observed Kaplan-Meier by predicted group) when an outcome was given
        and ``feature_effects.png`` when effects were computed; all or none."""
        from onco_genomics.io.atomic import atomic_outputs
        from onco_genomics.io.tables import write_table
        from onco_genomics.omics.survival.plots import (
            plot_feature_effects,
            plot_predicted_curves,
            plot_risk_groups,
        )

        output = Path(directory)
        with atomic_outputs() as files:  # every file of the folder or none
            write_table(self.samples.set_index("sample"), files.file(output / "risk.tsv"))
            write_table(self.curves.set_index("time"), files.file(output / "curves.tsv"))
            plot_predicted_curves(self.curves, files.file(output / "curves.png"))
            if self.groups is not None:
                plot_risk_groups(self.groups, files.file(output / "km.png"),
                                 title="observed, by risk group")
            if self.effects:
                plot_feature_effects(self.effects, files.file(output / "feature_effects.png"))
        return output


def predict_survival(model: SurvivalEstimator, features: pd.DataFrame, *,
                     feature_names: list[str] | None = None,
                     outcome: SurvivalOutcome | None = None,
                     n_times: int = 50, n_effects: int = 0) -> SurvivalPrediction:
    """Risk scores, risk groups and per-group survival curves for new samples.

    Parameters
    ----------
    model
        A fitted survival estimator (e.g. from :func:`load_model`).
    features
        Samples x features.
    feature_names
        The model's ordered training features (default: ``model.model_card_``).
    outcome
        Optional observed outcome of the same samples: adds Kaplan-Meier curves and a
        log-rank test of the predicted groups.
    n_times
        Points of the survival curves (up to the last training time).
    n_effects
        Also measure the effect on risk of this many top features
        (:func:`feature_effects` on these samples; 0: none).
    """
    if feature_names is None:
        card = getattr(model, "model_card_", None)
        if not card:
            raise OptionsError("feature_names are needed for a model without a model card")
        feature_names = list(card["feature_names"])
    X = align_features(model, features, feature_names)
    risk = model.predict(X)
    groups = model.risk_group(X)
    samples = pd.DataFrame({"sample": features.index.astype(str), "risk_score": risk,
                            "risk_group": groups})
    times = np.linspace(0.0, float(model.baseline_time_.max()), n_times)
    surv = model.predict_survival(X, times)
    curves = pd.DataFrame({"time": times})
    for name in _group_names(model):
        mask = groups == name
        curves[f"survival_{name}"] = surv[mask].mean(axis=0) if mask.any() else np.nan
    comparison = compare_groups(outcome, groups) if outcome is not None else None
    effects = None
    if n_effects > 0:
        aligned = pd.DataFrame(X, index=features.index, columns=feature_names)
        effects = feature_effects(model, aligned, top=n_effects)
    return SurvivalPrediction(samples, curves, comparison, effects)


@dataclass(frozen=True)
class FeatureEffect:
    """Partial dependence of the risk score on one feature.

    ``grid`` are quantiles (5th-95th) of the feature; ``risk`` the mean predicted risk with
    the feature set to each grid value for every sample; ``spread`` = max - min of ``risk``.
    """

    feature: str
    grid: np.ndarray = field(repr=False)
    risk: np.ndarray = field(repr=False)
    spread: float = 0.0


def feature_effects(model: SurvivalEstimator, X: pd.DataFrame, *, top: int = 6,
                    n_grid: int = 11) -> list[FeatureEffect]:
    """The ``top`` selected features with the largest partial-dependence effect on risk."""
    values = X.to_numpy(dtype=float)
    # shortlist by |correlation| of feature and predicted risk, then partial dependence
    risk_all = model.predict(values)
    cols = values[:, model.selected_]
    centred = cols - cols.mean(axis=0)
    r = risk_all - risk_all.mean()
    denom = np.sqrt((centred ** 2).sum(axis=0) * (r ** 2).sum()) + 1e-12
    corr = np.abs(centred.T @ r) / denom
    shortlist = model.selected_[np.argsort(-corr, kind="stable")[: 3 * top]]
    effects = []
    for j in shortlist:
        grid = np.unique(np.quantile(values[:, j], np.linspace(0.05, 0.95, n_grid)))
        risk = np.empty(grid.size)
        for g, value in enumerate(grid):
            probe = values.copy()
            probe[:, j] = value
            risk[g] = model.predict(probe).mean()
        effects.append(FeatureEffect(str(X.columns[j]), grid, risk, float(np.ptp(risk))))
    effects.sort(key=lambda e: -e.spread)
    return effects[:top]
