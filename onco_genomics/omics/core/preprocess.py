"""Shared preprocessing of expression tables as scikit-learn transformers.

All transformers take and return a :class:`pandas.DataFrame` with samples as rows and
genes as columns, so gene names travel through a Pipeline. The usual order is::

    GeneIdHarmoniser -> GeneAligner -> ExpressionNormaliser -> FeatureSelector -> estimator

- :class:`GeneIdHarmoniser` strips Ensembl version suffixes (``ENSG00000141510.17`` ->
  ``ENSG00000141510``), upper-cases gene symbols, turns ``7157.0`` into ``7157`` (Entrez),
  optionally maps identifiers through a user table, and averages columns that become
  duplicates.
- :class:`GeneAligner` remembers the training genes and their medians; on new data it
  reorders columns to the model's genes, refuses data missing more than ``max_missing`` of
  them (a table with genes as rows is recognised and named in the error), and otherwise
  imputes missing genes and NaN values with the training medians and logs how many.
- :class:`ExpressionNormaliser` applies the transform for the input type the user states:
  counts -> log2(CPM + 1); TPM/FPKM -> rescaled to a per-million total, log2(x + 1);
  microarray -> log2 when the values are on a linear scale, then per-sample median
  centring; ``log`` -> unchanged (already log-scale and normalised); ``none`` ->
  unchanged (feature tables that are not expression, e.g. mutation features).
- :class:`FeatureSelector` keeps the ``n_features`` most variable genes, or the top genes
  by ANOVA F against the labels.

Each transformer is registered in :mod:`onco_genomics.omics.core.model_dir` and saves its state
as JSON, so a whole Pipeline is saved without pickle.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from onco_genomics.errors import OptionsError, TableFormatError
from onco_genomics.omics.core.model_dir import register_model_kind

log = logging.getLogger(__name__)

InputType = Literal["counts", "tpm", "fpkm", "microarray", "log", "none"]
INPUT_TYPES: tuple[str, ...] = ("counts", "tpm", "fpkm", "microarray", "log", "none")

_ENSEMBL_VERSION = re.compile(r"^(ENS[A-Z]*[GTP]\d{6,})\.\d+(_PAR_Y)?$", re.IGNORECASE)
_ENTREZ_FLOAT = re.compile(r"^(\d+)\.0+$")


def as_frame(X: Any, *, what: str = "expression table") -> pd.DataFrame:
    """``X`` as a float DataFrame (samples x genes); arrays get columns ``f0..fN``."""
    if isinstance(X, pd.DataFrame):
        frame = X
    else:
        array = np.asarray(X)
        if array.ndim != 2:
            raise TableFormatError(f"expected a 2-D {what} (samples x genes), found shape "
                                   f"{array.shape}")
        frame = pd.DataFrame(array, columns=[f"f{i}" for i in range(array.shape[1])])
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise TableFormatError(f"expected a non-empty {what}, found shape {frame.shape}")
    numeric = frame.dtypes.map(pd.api.types.is_numeric_dtype).to_numpy(dtype=bool)
    non_numeric = list(frame.columns[~numeric])
    if non_numeric:
        raise TableFormatError(
            f"expected numeric values in the {what}; columns {non_numeric[:5]} are not numeric. "
            "Remove annotation columns or move them to the index.")
    if (frame.dtypes == np.float64).all():
        return frame
    return frame.astype(np.float64)


def harmonise_gene_id(gene: Any) -> str:
    """One identifier in canonical form (see :class:`GeneIdHarmoniser`).

    Examples
    --------
    >>> harmonise_gene_id("ENSG00000141510.17"), harmonise_gene_id(" tp53 ")
    ('ENSG00000141510', 'TP53')
    >>> harmonise_gene_id(7157.0)
    '7157'
    """
    text = str(gene).strip()
    match = _ENSEMBL_VERSION.match(text)
    if match:
        return match.group(1).upper()
    match = _ENTREZ_FLOAT.match(text)
    if match:
        return match.group(1)
    return text.upper()


class _JsonTransformer(TransformerMixin, BaseEstimator):
    """Save fitted state (the attributes in ``_state``) and parameters as JSON."""

    _state: ClassVar[tuple[str, ...]] = ()

    def save_payload(self, directory: Path) -> dict[str, Any]:
        state = {}
        for name in self._state:
            value = getattr(self, name)
            state[name] = value.tolist() if isinstance(value, np.ndarray) else value
        (directory / "state.json").write_text(json.dumps(
            {"params": self.get_params(deep=False), "state": state}))
        return {"file": "state.json"}

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Any:
        document = json.loads((directory / payload["file"]).read_text())
        obj = cls(**document["params"])
        for name, value in document["state"].items():
            setattr(obj, name, np.asarray(value) if isinstance(value, list) and name.endswith(
                "_values_") else value)
        return obj

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(getattr(self, "feature_names_out_", input_features), dtype=object)


@register_model_kind
class GeneIdHarmoniser(_JsonTransformer):
    """Bring gene identifiers to one canonical form; merge resulting duplicates by mean.

    Parameters
    ----------
    mapping
        Optional identifier -> target identifier table (keys are harmonised too), e.g.
        Ensembl -> symbol; identifiers absent from it are kept.
    """

    model_kind: ClassVar[str] = "preprocess/gene-ids"

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping = mapping

    def fit(self, X: Any, y: Any = None) -> GeneIdHarmoniser:
        self.transform(X)
        return self

    def transform(self, X: Any) -> pd.DataFrame:
        frame = as_frame(X)
        mapping = {harmonise_gene_id(k): str(v) for k, v in (self.mapping or {}).items()}
        names = [harmonise_gene_id(c) for c in frame.columns]
        names = [mapping.get(n, n) for n in names]
        out = frame.set_axis(names, axis=1)
        if out.columns.has_duplicates:
            n_dup = int(out.columns.duplicated().sum())
            log.warning("%d gene columns became duplicates after harmonising identifiers; "
                        "averaging them", n_dup)
            out = out.T.groupby(level=0, sort=False).mean().T
        return out


@dataclass(frozen=True)
class AlignmentReport:
    """How new data were aligned to a model's genes.

    Attributes
    ----------
    n_model_genes
        Genes the model expects.
    n_missing
        Model genes absent from the data (imputed with the training median).
    n_extra
        Data genes the model does not use (dropped).
    n_nan_filled
        NaN values filled with the training median.
    """

    n_model_genes: int
    n_missing: int
    n_extra: int
    n_nan_filled: int

    def __post_init__(self) -> None:
        if not 0 <= self.n_missing <= self.n_model_genes:
            raise ValueError("n_missing must be between 0 and n_model_genes")

    @property
    def missing_fraction(self) -> float:
        return self.n_missing / self.n_model_genes if self.n_model_genes else 0.0


@register_model_kind
class GeneAligner(_JsonTransformer):
    """Align samples to the genes seen in training, imputing what is missing.

    Parameters
    ----------
    max_missing
        Largest share of the model's genes that may be absent from new data; above it,
        :class:`TableFormatError`. Below it, missing genes get the training median and a
        warning says how many.
    """

    model_kind: ClassVar[str] = "preprocess/align"
    _state = ("genes_", "median_values_")

    def __init__(self, max_missing: float = 0.2) -> None:
        self.max_missing = max_missing

    def fit(self, X: Any, y: Any = None) -> GeneAligner:
        if not 0.0 <= self.max_missing < 1.0:
            raise OptionsError(f"max_missing must be in [0, 1), got {self.max_missing}")
        frame = as_frame(X)
        if frame.columns.has_duplicates:
            dups = frame.columns[frame.columns.duplicated()].unique().tolist()
            raise TableFormatError(
                f"expected unique gene names; found duplicates {dups[:5]}. Harmonise or "
                "aggregate them first (GeneIdHarmoniser averages duplicates).")
        values = frame.to_numpy()
        n_nan = int(np.isnan(values).sum())
        all_nan = np.isnan(values).all(axis=0)
        if all_nan.any():
            log.warning("%d genes are NaN in every training sample; they are set to 0",
                        int(all_nan.sum()))
        with np.errstate(all="ignore"):
            medians = np.where(all_nan, 0.0, np.nanmedian(np.where(all_nan, 0.0, values), axis=0))
        if n_nan:
            log.warning("training data hold %d NaN values (%.2f%%); each is imputed with its "
                        "gene's training median", n_nan, 100 * n_nan / values.size)
        self.genes_ = [str(c) for c in frame.columns]
        self.median_values_ = medians
        self.feature_names_out_ = self.genes_
        return self

    def report(self, X: Any) -> AlignmentReport:
        """What :meth:`transform` would do with ``X``, without doing it."""
        frame = as_frame(X)
        model = set(self.genes_)
        present = set(map(str, frame.columns))
        overlap = model & present
        missing = len(model) - len(overlap)
        sub = frame.loc[:, [c for c in frame.columns if str(c) in model]]
        return AlignmentReport(n_model_genes=len(self.genes_), n_missing=missing,
                               n_extra=len(present - model),
                               n_nan_filled=int(sub.isna().to_numpy().sum()))

    def transform(self, X: Any) -> pd.DataFrame:
        frame = as_frame(X)
        if not hasattr(self, "genes_"):
            raise OptionsError("GeneAligner is not fitted; call fit() first")
        frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
        if frame.columns.has_duplicates:
            frame = frame.T.groupby(level=0, sort=False).mean().T
        report = self.report(frame)
        if report.missing_fraction > self.max_missing:
            by_rows = len(set(map(str, frame.index)) & set(self.genes_))
            hint = (f" The row names match {by_rows} model genes: the table seems to have "
                    "genes as rows; pass --orientation features-rows (orientation='features-rows')."
                    if by_rows > len(self.genes_) - report.n_missing else
                    " Check that the identifiers are of the same kind as the model's "
                    f"(e.g. {', '.join(self.genes_[:3])}).")
            raise TableFormatError(
                f"expected the model's {report.n_model_genes} genes; found "
                f"{report.n_model_genes - report.n_missing} of them ({report.missing_fraction:.1%} "
                f"missing, above the {self.max_missing:.0%} limit).{hint}")
        if report.n_missing:
            log.warning("%d of %d model genes are missing from the data (%.1f%%); imputed "
                        "with their training medians", report.n_missing, report.n_model_genes,
                        100 * report.missing_fraction)
        if report.n_nan_filled:
            log.warning("%d NaN values imputed with the genes' training medians",
                        report.n_nan_filled)
        if report.n_extra:
            log.info("%d genes not used by the model are dropped", report.n_extra)
        values = frame.reindex(columns=self.genes_).to_numpy(dtype=np.float64, copy=True)
        missing = np.isnan(values)
        if missing.any():
            values[missing] = np.broadcast_to(np.asarray(self.median_values_, dtype=np.float64),
                                              values.shape)[missing]
        out = pd.DataFrame(values, index=frame.index, columns=list(self.genes_))
        self.last_report_ = report
        return out


@register_model_kind
class ExpressionNormaliser(_JsonTransformer):
    """Log transform and per-sample normalisation for a stated input type.

    Parameters
    ----------
    input_type
        ``counts``, ``tpm``, ``fpkm``, ``microarray`` or ``log`` (already normalised log
        values, e.g. RMA or log-ratios: left unchanged) or ``none`` (not expression).
    center_samples
        Subtract each sample's median after the log transform (microarray only).
    """

    model_kind: ClassVar[str] = "preprocess/normalise"
    _state = ("log_transform_",)

    def __init__(self, input_type: str = "log", center_samples: bool = True) -> None:
        self.input_type = input_type
        self.center_samples = center_samples

    def _check(self, frame: pd.DataFrame) -> None:
        if self.input_type not in INPUT_TYPES:
            raise OptionsError(f"input_type must be one of {', '.join(INPUT_TYPES)}, "
                               f"got {self.input_type!r}")
        values = frame.to_numpy()
        if np.isnan(values).any():
            raise TableFormatError(
                "expected no NaN values at normalisation; align the data with GeneAligner "
                "first (it imputes NaNs with training medians)")
        if self.input_type in ("counts", "tpm", "fpkm"):
            if (values < 0).any():
                raise TableFormatError(
                    f"expected non-negative {self.input_type} values; found "
                    f"{int((values < 0).sum())} negative values. Are the data already "
                    "log-transformed? Then state --input-type log.")
            zero = frame.index[(values == 0).all(axis=1)]
            if len(zero):
                raise TableFormatError(
                    f"expected some expression in every sample; samples "
                    f"{list(map(str, zero[:5]))} are all zero over the model's genes. "
                    "Remove them (failed libraries) or check the gene identifiers.")

    def fit(self, X: Any, y: Any = None) -> ExpressionNormaliser:
        frame = as_frame(X)
        self._check(frame)
        values = frame.to_numpy()
        self.log_transform_ = bool(self.input_type in ("counts", "tpm", "fpkm") or (
            self.input_type == "microarray" and np.nanpercentile(values, 99) > 100))
        self.feature_names_out_ = [str(c) for c in frame.columns]
        return self

    def transform(self, X: Any) -> pd.DataFrame:
        frame = as_frame(X)
        self._check(frame)
        values = frame.to_numpy().copy()
        if self.input_type in ("counts", "tpm", "fpkm"):
            values = values / values.sum(axis=1, keepdims=True) * 1e6
            values = np.log2(values + 1.0)
        elif self.input_type == "microarray":
            if self.log_transform_:
                values = np.log2(np.clip(values, 1.0, None))
            if self.center_samples:
                values = values - np.median(values, axis=1, keepdims=True)
        return pd.DataFrame(values, index=frame.index, columns=frame.columns)


@register_model_kind
class FeatureSelector(_JsonTransformer):
    """Keep ``n_features`` genes: the most variable, or the top ANOVA F against the labels.

    Parameters
    ----------
    n_features
        Genes to keep (all when the data have fewer).
    method
        ``"variance"`` (unsupervised) or ``"anova"`` (needs ``y`` in fit).
    """

    model_kind: ClassVar[str] = "preprocess/select"
    _state = ("selected_",)

    def __init__(self, n_features: int = 2000, method: str = "variance") -> None:
        self.n_features = n_features
        self.method = method

    def fit(self, X: Any, y: Any = None) -> FeatureSelector:
        if self.n_features < 1:
            raise OptionsError(f"n_features must be >= 1, got {self.n_features}")
        frame = as_frame(X)
        values = frame.to_numpy()
        if self.method == "variance":
            score = np.nanvar(values, axis=0)
        elif self.method == "anova":
            if y is None:
                raise OptionsError("method='anova' needs labels y in fit()")
            from sklearn.feature_selection import f_classif

            with np.errstate(all="ignore"):
                score = np.nan_to_num(f_classif(np.nan_to_num(values), np.asarray(y))[0])
        else:
            raise OptionsError(f"method must be 'variance' or 'anova', got {self.method!r}")
        keep = np.sort(np.argsort(-score, kind="stable")[: self.n_features])
        self.selected_ = [str(frame.columns[i]) for i in keep]
        self.feature_names_out_ = self.selected_
        return self

    def transform(self, X: Any) -> pd.DataFrame:
        frame = as_frame(X)
        missing = [g for g in self.selected_ if g not in frame.columns]
        if missing:
            raise TableFormatError(f"expected the selected genes; {len(missing)} are absent "
                                   f"(e.g. {missing[:3]}); align the data first")
        return frame.loc[:, self.selected_]


def build_preprocessing(*, input_type: str = "log", n_features: int | None = 2000,
                        selection: str = "variance", max_missing: float = 0.2,
                        mapping: Mapping[str, str] | None = None) -> list[tuple[str, Any]]:
    """The standard preprocessing steps, ready to prepend to an estimator in a Pipeline."""
    steps: list[tuple[str, Any]] = [
        ("gene_ids", GeneIdHarmoniser(mapping=mapping)),
        ("align", GeneAligner(max_missing=max_missing)),
        ("normalise", ExpressionNormaliser(input_type=input_type)),
    ]
    if n_features:
        steps.append(("select", FeatureSelector(n_features=n_features, method=selection)))
    return steps


def describe_preprocessing(steps: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """JSON-able description of preprocessing steps for a model card."""
    return [{"step": name, "kind": getattr(step, "model_kind", type(step).__name__),
             "params": step.get_params(deep=False) if hasattr(step, "get_params") else {}}
            for name, step in steps]
