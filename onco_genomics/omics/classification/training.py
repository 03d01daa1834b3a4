"""Train omics classifiers and call new samples: the one training path of tumour type (CUP),
tumour type from mutation features and supervised subtypes (``task`` and ``input_type``
differ).

:func:`train_classifier` builds ``preprocessing -> classifier`` as an sklearn Pipeline,
cross-validates it (stratified, repeated), fits a temperature on the out-of-fold
probabilities, chooses the confidence threshold that reaches a target precision on them
(OncoNPC's rule), refits on all samples and returns everything for the model card.

:func:`predict_classes` applies a saved model: per sample the calibrated top class,
its probability, the top 3, and whether the call is confident.

Examples
--------
>>> from onco_genomics.datasets import load_expression_set
>>> data = load_expression_set("khan")  # doctest: +SKIP
>>> trained = train_classifier(data.expression, data.labels, model="logistic")  # doctest: +SKIP
>>> trained.report.macro_f1 > 0.9  # doctest: +SKIP
True
"""

from __future__ import annotations

import datetime
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from onco_genomics import __version__
from onco_genomics.errors import ModelError, OptionsError, TableFormatError
from onco_genomics.io.tables import orientation_hint
from onco_genomics.omics.classification.calibration import (
    ConfidenceRule,
    apply_temperature,
    choose_threshold,
)
from onco_genomics.omics.classification.calibration import fit_temperature as fit_temperature_on
from onco_genomics.omics.classification.estimators import CLASSIFIER_NAMES, make_classifier
from onco_genomics.omics.classification.evaluation import CrossValidationReport, cross_validate
from onco_genomics.omics.classification.model_choice import AutoClassifier
from onco_genomics.omics.core.model_dir import load_model, save_model, shipped_model_path
from onco_genomics.omics.core.preprocess import (
    INPUT_TYPES,
    build_preprocessing,
    describe_preprocessing,
)

log = logging.getLogger(__name__)

#: the model `oncogen cup` uses when no --model is given
DEFAULT_CUP_MODEL = "cup_example"
TASKS: tuple[str, ...] = ("cup", "subtype", "cup-mutations")
#: every ``--model`` of ``train cup``/``train subtype``: ``auto`` and the classifiers
MODEL_NAMES: tuple[str, ...] = ("auto", *CLASSIFIER_NAMES)


@dataclass(frozen=True)
class TrainingOptions:
    """Options of :func:`train_classifier`, checked together before any work.

    Attributes
    ----------
    model
        ``auto`` (the candidate with the best inner-CV score, see
        :class:`~onco_genomics.omics.classification.model_choice.AutoClassifier`),
        ``cnn1d``, ``mlp``, ``xgboost`` or ``logistic``.
    task
        ``cup``, ``subtype`` or ``cup-mutations`` (recorded in the card).
    input_type
        What the values are (see
        :class:`~onco_genomics.omics.core.preprocess.ExpressionNormaliser`).
    n_features
        Genes kept by variance (None: all).
    cv_splits, cv_repeats
        Cross-validation design (0 splits: no cross-validation, no calibration).
    min_class_size
        Classes with fewer samples are dropped with a warning.
    target_precision
        Precision the confidence threshold must reach on out-of-fold calls.
    max_missing
        Largest share of model genes a new sample may lack.
    seed
        Seeds folds and networks.
    model_params
        Extra estimator parameters (e.g. ``max_epochs``).
    """

    model: str = "auto"
    task: str = "cup"
    input_type: str = "log"
    n_features: int | None = 2000
    cv_splits: int = 5
    cv_repeats: int = 1
    min_class_size: int = 2
    target_precision: float = 0.95
    max_missing: float = 0.2
    seed: int = 0
    model_params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.model not in MODEL_NAMES:
            raise OptionsError(f"--model must be one of {', '.join(MODEL_NAMES)}, got "
                               f"{self.model!r}")
        if self.task not in TASKS:
            raise OptionsError(f"task must be one of {', '.join(TASKS)}, got {self.task!r}")
        if self.input_type not in INPUT_TYPES:
            raise OptionsError(f"--input-type must be one of {', '.join(INPUT_TYPES)}, got "
                               f"{self.input_type!r}")
        if self.cv_splits == 1 or self.cv_splits < 0:
            raise OptionsError(f"--cv-splits must be 0 (none) or >= 2, got {self.cv_splits}")
        if self.cv_repeats < 1:
            raise OptionsError(f"--cv-repeats must be >= 1, got {self.cv_repeats}")
        if self.min_class_size < 2:
            raise OptionsError(f"--min-class-size must be >= 2, got {self.min_class_size}")
        if self.n_features is not None and self.n_features < 1:
            raise OptionsError(f"--n-features must be >= 1, got {self.n_features}")


@dataclass(frozen=True)
class TrainedClassifier:
    """A fitted classifier Pipeline with its validation results.

    Attributes
    ----------
    pipeline
        Preprocessing steps plus the classifier, fitted on all (kept) samples.
    report
        Cross-validation report (None when ``cv_splits == 0``).
    temperature
        Calibration temperature (1.0 without cross-validation).
    confidence
        Confidence rule from the out-of-fold calls (None without cross-validation).
    card
        The model card saved with the model.
    """

    pipeline: Any
    report: CrossValidationReport | None
    temperature: float
    confidence: ConfidenceRule | None
    card: dict[str, Any]

    def __post_init__(self) -> None:
        if self.temperature <= 0:
            raise ValueError("temperature must be > 0")

    def report_table(self) -> pd.DataFrame:
        """Out-of-fold recall and sample count per class (index ``class``)."""
        if self.report is None:
            raise OptionsError("no cross-validation was run (cv_splits=0): no report")
        report = self.report
        counts = report.confusion.to_numpy().sum(axis=1) // report.n_repeats
        table = pd.DataFrame({"recall": [report.per_class_recall[name]
                                         for name in report.classes],
                              "n": counts.astype(int)},
                             index=pd.Index(report.classes, name="class"))
        return table

    def save(self, directory: str | os.PathLike[str]) -> Path:
        """Write the model directory, all or nothing: model.json, weights, MODEL_CARD.md and,
        with cross-validation, ``cv_report.tsv`` (:meth:`report_table`) and
        ``confusion_matrix.png``."""
        from onco_genomics.io.atomic import atomic_outputs
        from onco_genomics.io.tables import write_table
        from onco_genomics.omics.classification.evaluation import plot_confusion

        with atomic_outputs() as files:  # the model folder with its report, or nothing
            folder = save_model(self.pipeline, files.folder(directory), card=self.card)
            (folder / "MODEL_CARD.md").write_text(model_card_markdown(self.card))
            if self.report is not None:
                write_table(self.report_table(), folder / "cv_report.tsv")
                plot_confusion(self.report, folder / "confusion_matrix.png")
        return Path(directory)


def match_labels(expression: pd.DataFrame, labels: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """Samples present in both, in the table's order; errors/warnings on mismatches."""
    labels = labels.copy()
    labels.index = labels.index.astype(str)
    samples = expression.index.astype(str)
    common = samples[samples.isin(labels.index)]
    if len(common) == 0:
        raise TableFormatError(
            f"expected labels for the table's samples; none of the {len(samples)} sample ids "
            f"(e.g. {', '.join(samples[:3])}) is in the labels (e.g. "
            f"{', '.join(labels.index[:3])}). Check the id columns"
            f"{'; ' + hint if (hint := orientation_hint(expression)) else ''}.")
    if len(common) < len(samples):
        log.warning("%d of %d samples have no label and are left out", len(samples) - len(common),
                    len(samples))
    extra = len(set(labels.index) - set(samples))
    if extra:
        log.warning("%d labelled samples are not in the table", extra)
    frame = expression.set_axis(samples, axis=0).loc[common]
    return frame, labels.loc[common].astype(str)


def drop_small_classes(expression: pd.DataFrame, labels: pd.Series, *,
                       min_class_size: int) -> tuple[pd.DataFrame, pd.Series]:
    """Remove classes with fewer than ``min_class_size`` samples (warning naming them)."""
    counts = labels.value_counts()
    small = counts[counts < min_class_size]
    if len(small):
        log.warning("classes with fewer than %d samples are dropped: %s", min_class_size,
                    ", ".join(f"{name} ({n})" for name, n in small.items()))
        keep = ~labels.isin(small.index)
        expression, labels = expression.loc[keep], labels.loc[keep]
    if labels.nunique() < 2:
        raise TableFormatError(
            f"expected at least 2 classes with >= {min_class_size} samples; found "
            f"{labels.value_counts().to_dict()}. Add samples or lower --min-class-size.")
    return expression, labels


def make_pipeline(options: TrainingOptions, **overrides: Any) -> Any:
    """An unfitted ``preprocessing -> classifier`` Pipeline for ``options``."""
    from sklearn.pipeline import Pipeline

    params = {**options.model_params, **overrides}
    steps = build_preprocessing(input_type=options.input_type, n_features=options.n_features,
                                max_missing=options.max_missing)
    model = (AutoClassifier(seed=options.seed, **params) if options.model == "auto"
             else make_classifier(options.model, seed=options.seed, **params))
    return Pipeline([*steps, ("model", model)])


def train_classifier(expression: pd.DataFrame, labels: pd.Series, *,
                     options: TrainingOptions | None = None,
                     training_data: dict[str, Any] | None = None,
                     **option_values: Any) -> TrainedClassifier:
    """Cross-validate, calibrate and fit a classifier.

    Parameters
    ----------
    expression
        Samples x genes (or features).
    labels
        Sample id -> class.
    options
        All settings; or give them as keywords (``model="mlp"``, ...).
    training_data
        Extra description of the data for the card (name, source).

    Returns
    -------
    TrainedClassifier
    """
    opts = options or TrainingOptions(**option_values)
    X, y = match_labels(expression, labels)
    X, y = drop_small_classes(X, y, min_class_size=opts.min_class_size)
    log.info("training %s (%s) on %d samples x %d features, %d classes", opts.model, opts.task,
             X.shape[0], X.shape[1], y.nunique())
    report = None
    temperature = 1.0
    confidence = None
    if opts.cv_splits:
        report = cross_validate(lambda: make_pipeline(opts), X, y, n_splits=opts.cv_splits,
                                n_repeats=opts.cv_repeats, seed=opts.seed)
        log.debug("%s", report.table())  # the CLI prints it once
        encoded = np.searchsorted(np.asarray(report.classes), y.to_numpy())
        oof = report.probabilities.to_numpy()
        temperature = fit_temperature_on(oof, encoded)
        confidence = choose_threshold(apply_temperature(oof, temperature), encoded,
                                      target_precision=opts.target_precision)
        log.info("temperature %.3f; confidence threshold %.3f calls %.1f%% of samples at "
                 "precision %.3f", temperature, confidence.threshold,
                 100 * confidence.confident_share, confidence.precision)
    pipeline = make_pipeline(opts)
    pipeline.fit(X, y)
    choice: dict[str, Any] = {}
    if isinstance(pipeline.named_steps["model"], AutoClassifier):
        # the chosen model is saved in its own format; the card says how it was chosen
        auto = pipeline.named_steps["model"]
        choice = {"model_choice": auto.choice_summary()}
        pipeline.steps[-1] = ("model", auto.chosen_model_)
        log.info("--model auto chose %s", auto.chosen_)
    aligner = pipeline.named_steps["align"]
    final_features = [str(f) for f in pipeline.named_steps["model"].feature_names_in_]
    card: dict[str, Any] = {
        "task": opts.task,
        "model": opts.model,
        **choice,
        "feature_names": list(aligner.genes_),
        "model_features": final_features,
        "preprocessing": describe_preprocessing(pipeline.steps[:-1]),
        "classes": [str(c) for c in pipeline.named_steps["model"].classes_],
        "training_data": {**(training_data or {}), "n_samples": int(X.shape[0]),
                          "n_features": int(X.shape[1]),
                          "class_counts": {str(k): int(v) for k, v in
                                           y.value_counts().sort_index().items()},
                          "input_type": opts.input_type},
        "metrics": report.to_dict() if report is not None else {},
        "calibration": {"method": "temperature scaling on out-of-fold probabilities",
                        "temperature": temperature,
                        **({"confidence_threshold": confidence.threshold,
                            "target_precision": confidence.target_precision,
                            "precision_confident": confidence.precision,
                            "confident_share": confidence.confident_share}
                           if confidence is not None else {})},
        "options": {k: v for k, v in vars(opts).items() if k != "model_params"},
        "oncogen_version": __version__,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    return TrainedClassifier(pipeline=pipeline, report=report, temperature=temperature,
                             confidence=confidence, card=card)


def read_gene_positions(path: str | os.PathLike[str]) -> dict[str, tuple[str, int]]:
    """Gene -> (chromosome, start) from a BED of genes (4th column = name), names harmonised
    as the preprocessing harmonises them: the ``gene_positions`` of the 1D-CNN's
    ``gene_order="chromosome"``."""
    from onco_genomics.omics.core.preprocess import harmonise_gene_id
    from onco_genomics.omics.mutation_features import read_gene_intervals

    return {harmonise_gene_id(g.gene): (g.chrom, g.start) for g in read_gene_intervals(path)}


def load_classifier(model: str | os.PathLike[str] | None = None, *,
                    task: str | None = None) -> Any:
    """Load a classifier Pipeline: a directory, a shipped model name, or the default CUP one."""
    if model is None:
        path = shipped_model_path(DEFAULT_CUP_MODEL)
    elif Path(model).exists():
        path = Path(model)
    else:
        path = shipped_model_path(str(model))
    pipeline = load_model(path, expect_kind="classifier/")
    card_task = pipeline.model_card_.get("task")
    if task is not None and card_task is not None and not str(card_task).startswith(task):
        raise ModelError(f"expected a {task!r} model, found a {card_task!r} model in {path}")
    return pipeline


def predict_classes(pipeline: Any, expression: pd.DataFrame, *, top: int = 3,
                        temperature: float | None = None,
                        threshold: float | None = None) -> pd.DataFrame:
    """Calibrated calls for new samples.

    Parameters
    ----------
    pipeline
        A loaded classifier (with ``model_card_``) or a fitted Pipeline.
    expression
        Samples x genes, raw as stated by the model's input type.
    top
        How many ranked classes to report.
    temperature, threshold
        Override the card's calibration.

    Returns
    -------
    pandas.DataFrame
        Index = sample; columns ``predicted``, ``probability``, ``confident``,
        ``top1``..``topN`` (class) and ``top1_probability``..; then one ``p_<class>``
        column per class.
    """
    card = getattr(pipeline, "model_card_", {})
    calibration = card.get("calibration", {})
    temperature = temperature if temperature is not None else float(
        calibration.get("temperature", 1.0))
    threshold = threshold if threshold is not None else float(
        calibration.get("confidence_threshold", 1.0))
    classes = [str(c) for c in pipeline.classes_]
    prob = apply_temperature(pipeline.predict_proba(expression), temperature)
    order = np.argsort(-prob, axis=1, kind="stable")
    n_top = min(top, len(classes))
    out = pd.DataFrame(index=pd.Index(expression.index.astype(str), name="sample"))
    out["predicted"] = [classes[i] for i in order[:, 0]]
    out["probability"] = prob[np.arange(len(prob)), order[:, 0]]
    out["confident"] = out["probability"] >= threshold
    for rank in range(n_top):
        out[f"top{rank + 1}"] = [classes[i] for i in order[:, rank]]
        out[f"top{rank + 1}_probability"] = prob[np.arange(len(prob)), order[:, rank]]
    for j, name in enumerate(classes):
        out[f"p_{name}"] = prob[:, j]
    task = str(getattr(pipeline, "model_card_", {}).get("task") or "classifier")
    log.info("%s: %d samples, %d called confidently (threshold %.3f)", task, len(out),
             int(out["confident"].sum()), threshold)
    return out


def model_card_markdown(card: dict[str, Any], *, intended_use: str | None = None) -> str:
    """A readable MODEL_CARD.md from a card dictionary."""
    data = card.get("training_data", {})
    metrics = card.get("metrics", {})
    calibration = card.get("calibration", {})
    lines = [f"# Model card: {data.get('name', card.get('task', 'classifier'))}", ""]
    if intended_use:
        lines += [intended_use, ""]
    lines += [f"- task: {card.get('task')}; model: {card.get('model')}; oncogen "
              f"{card.get('oncogen_version')}; created {card.get('created', '?')}",
              f"- training data: {data.get('n_samples')} samples x {data.get('n_features')} "
              f"features ({data.get('input_type')}); source: {data.get('source', 'user data')}",
              "- classes: " + ", ".join(f"{k} ({v})" for k, v in
                                        data.get("class_counts", {}).items()),
              f"- features used by the classifier: {len(card.get('model_features', []))} of "
              f"{len(card.get('feature_names', []))} input genes",
              ""]
    choice = card.get("model_choice")
    if choice:
        scores = ", ".join(f"{name} macro-F1 {s['macro_f1']:.3f} (log-loss {s['log_loss']:.3f})"
                           for name, s in choice.get("inner_scores", {}).items())
        lines += [f"- `--model auto` chose **{choice['chosen']}** among "
                  f"{', '.join(choice['candidates'])} ({choice['inner_cv']}): "
                  f"{scores or 'not scored (too few samples per class)'}", ""]
    if metrics:
        lines += [f"## Cross-validation ({metrics.get('cv')})", "",
                  f"accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f}"
                  + ("" if str(metrics.get("cv", "")).startswith("1x") else
                     f" (sd over repeats {metrics['macro_f1_sd']:.3f})"),
                  "", "| class | recall |", "|---|---|"]
        lines += [f"| {k} | {v:.3f} |" for k, v in metrics.get("per_class_recall", {}).items()]
        lines.append("")
    if "confidence_threshold" in calibration:
        lines += ["## Calibration and confidence", "",
                  f"Temperature {calibration['temperature']:.3f} (fitted on out-of-fold "
                  f"probabilities). A call is confident when its calibrated probability is >= "
                  f"{calibration['confidence_threshold']:.3f}, chosen so that out-of-fold "
                  f"confident calls reach precision {calibration['target_precision']:.2f}; "
                  f"{100 * calibration['confident_share']:.1f}% of training samples were "
                  f"called confidently (precision {calibration['precision_confident']:.3f}).",
                  ""]
    return "\n".join(lines)


#: the name `oncogen cup` users know (:mod:`onco_genomics.omics.cup`)
predict_tumour_type = predict_classes
