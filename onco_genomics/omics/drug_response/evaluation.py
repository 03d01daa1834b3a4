"""Drug-response evaluation: three hold-out schemes, overall and per-drug metrics.

* ``random-pairs``: a random share of (cell line, drug) pairs is held out. Both the cell
  line and the drug were seen in training with other partners; dominated by per-drug means.
* ``unseen-cell-lines``: a share of cell lines is held out with all their pairs: the
  question a new patient-derived line asks. Per-drug correlations measure whether a model
  ranks cell lines for a drug better than the drug's mean (whose per-drug correlation is 0).
* ``unseen-drugs``: a share of drugs is held out with all their pairs; without drug
  features no model knows anything specific about a new drug.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import pearsonr, spearmanr

from onco_genomics.errors import OptionsError
from onco_genomics.omics.drug_response.base import DrugResponseModel
from onco_genomics.omics.drug_response.data import DrugResponseData

log = logging.getLogger(__name__)

SPLITS: tuple[str, ...] = ("random-pairs", "unseen-cell-lines", "unseen-drugs")


def split_mask(data: DrugResponseData, scheme: str, *, test_fraction: float = 0.2,
               seed: int = 0) -> np.ndarray:
    """Boolean mask over ``data.response`` rows: True = test pair."""
    if not 0 < test_fraction < 1:
        raise OptionsError(f"test_fraction must be in (0, 1), got {test_fraction}")
    rng = np.random.default_rng(seed)
    n = len(data.response)
    if scheme == "random-pairs":
        mask = np.zeros(n, dtype=bool)
        mask[rng.choice(n, size=round(test_fraction * n), replace=False)] = True
        return mask
    if scheme in ("unseen-cell-lines", "unseen-drugs"):
        column = "cell_line" if scheme == "unseen-cell-lines" else "drug"
        groups = np.asarray(sorted(data.response[column].unique()))
        held = rng.choice(groups, size=max(1, round(test_fraction * groups.size)),
                          replace=False)
        return np.asarray(data.response[column].isin(held).to_numpy())
    raise OptionsError(f"unknown split {scheme!r}; expected one of {', '.join(SPLITS)}")


def _corr(fn: Callable[..., object], a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return 0.0  # a constant prediction carries no ranking
    return float(fn(a, b)[0])  # type: ignore[index]


@dataclass(frozen=True)
class DrugResponseScores:
    """Metrics of one model on one split.

    ``per_drug`` has one row per test drug with >= ``min_pairs`` pairs: ``drug``,
    ``n_pairs``, ``rmse``, ``pearson``, ``spearman``; the ``per_drug_*`` fields are their
    means (constant predictions count as correlation 0).
    """

    rmse: float
    pearson: float
    spearman: float
    per_drug_rmse: float
    per_drug_pearson: float
    per_drug_spearman: float
    n_test_pairs: int
    per_drug: pd.DataFrame = field(repr=False)

    def as_dict(self) -> dict[str, float]:
        """Scalar metrics."""
        return {"rmse": self.rmse, "pearson": self.pearson, "spearman": self.spearman,
                "per_drug_rmse": self.per_drug_rmse, "per_drug_pearson": self.per_drug_pearson,
                "per_drug_spearman": self.per_drug_spearman,
                "n_test_pairs": float(self.n_test_pairs)}


def score_drug_response(observed: pd.DataFrame, predicted: np.ndarray, *,
                        min_pairs: int = 10) -> DrugResponseScores:
    """Overall and per-drug RMSE, Pearson and Spearman of ``predicted`` vs
    ``observed["ln_ic50"]`` (``observed`` has columns ``drug`` and ``ln_ic50``)."""
    y = observed["ln_ic50"].to_numpy(dtype=float)
    p = np.asarray(predicted, dtype=float)
    if p.shape != y.shape:
        raise ValueError(f"expected {y.size} predictions, got shape {p.shape}")
    rows = []
    drugs = observed["drug"].to_numpy()
    for drug in np.unique(drugs):
        m = drugs == drug
        if m.sum() < min_pairs:
            continue
        rows.append({"drug": drug, "n_pairs": int(m.sum()),
                     "rmse": float(np.sqrt(np.mean((y[m] - p[m]) ** 2))),
                     "pearson": _corr(pearsonr, p[m], y[m]),
                     "spearman": _corr(spearmanr, p[m], y[m])})
    per_drug = pd.DataFrame(rows, columns=["drug", "n_pairs", "rmse", "pearson", "spearman"])
    return DrugResponseScores(
        rmse=float(np.sqrt(np.mean((y - p) ** 2))), pearson=_corr(pearsonr, p, y),
        spearman=_corr(spearmanr, p, y),
        per_drug_rmse=float(per_drug["rmse"].mean()) if rows else float("nan"),
        per_drug_pearson=float(per_drug["pearson"].mean()) if rows else float("nan"),
        per_drug_spearman=float(per_drug["spearman"].mean()) if rows else float("nan"),
        n_test_pairs=int(y.size), per_drug=per_drug)


def evaluate_split(data: DrugResponseData, make_model: Callable[[], DrugResponseModel], *,
                   scheme: str, test_fraction: float = 0.2,
                   seed: int = 0) -> DrugResponseScores:
    """Fit ``make_model()`` on the training pairs of ``scheme`` and score the test pairs."""
    mask = split_mask(data, scheme, test_fraction=test_fraction, seed=seed)
    train, test = data.subset(~mask), data.subset(mask)
    model = make_model().fit(train)
    predicted = model.predict(data.cell_features, test.response,
                              drug_features=data.drug_features)
    scores = score_drug_response(test.response, predicted)
    log.info("%s on %s: RMSE %.3f, Pearson %.3f, per-drug Pearson %.3f",
             type(model).__name__, scheme, scores.rmse, scores.pearson, scores.per_drug_pearson)
    return scores
