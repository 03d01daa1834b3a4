"""Public survival data sets with expression features, from registry packages.

=========  =========================================  =========  ============  ==========
name       what                                        samples    features      package
=========  =========================================  =========  ============  ==========
gse7390    breast cancer (Desmedt 2007), 76 genes      198        76 probes     scikit-survival
gse1992    breast cancer                               124        15,530 genes  survset
gse4335    breast cancer                               115        12,795 genes  survset
gse3143    breast cancer                               158        8,660 genes   survset
dlbcl      diffuse large B-cell lymphoma (Rosenwald)   240        7,399 genes   survset
chop       DLBCL treated with CHOP                     414        3,833 probes  survset
vdv        breast cancer (van 't Veer 2002)            78         4,705 genes   survset
aml_bull   AML (Bullinger 2004)                        116        6,283 genes   survset
dbcd       breast cancer (Dutch, van Houwelingen)      295        4,919 genes   survset
nsbcd      breast cancer (Norway/Stanford, Sorlie)     115        549 genes     survset
mcl        mantle cell lymphoma (Rosenwald 2003)       92         574 genes     survset
=========  =========================================  =========  ============  ==========

Only expression columns are used as features (SurvSet's clinical ``num_age``-style columns and
factors are left out, so models are compared on omics alone). Samples with a missing or
negative follow-up time are dropped with a warning; times of 0 (chop and aml_bull have a
few) are kept, with the outcome's warning; missing expression values are filled with the
gene's median, with a warning.

The SurvSet package ships its tables as pandas pickles; they are read through SurvSet's own
loader from the installed package (trusted registry data, never a user's file).
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from onco_genomics.errors import OncogenError
from onco_genomics.omics.survival.outcome import make_outcome
from onco_genomics.omics.survival.workflow import SurvivalData

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _SurvSetSpec:
    survset_name: str
    gene_prefix: str
    description: str


_SURVSET: dict[str, _SurvSetSpec] = {
    "gse1992": _SurvSetSpec("gse1992", "num_HS_", "breast cancer, GSE1992"),
    "gse4335": _SurvSetSpec("gse4335", "num_HS_", "breast cancer, GSE4335"),
    "gse3143": _SurvSetSpec("gse3143", "num_HS_", "breast cancer, GSE3143"),
    "dlbcl": _SurvSetSpec("DLBCL", "num_gene_", "DLBCL (Rosenwald 2002)"),
    "chop": _SurvSetSpec("chop", "num_", "DLBCL treated with CHOP"),
    "vdv": _SurvSetSpec("vdv", "num_", "breast cancer (van 't Veer 2002)"),
    "aml_bull": _SurvSetSpec("AML_Bull", "num_gene_", "acute myeloid leukaemia (Bullinger 2004)"),
    "dbcd": _SurvSetSpec("DBCD", "num_gene_",
                         "breast cancer, Dutch Breast Cancer Data (van Houwelingen 2006)"),
    "nsbcd": _SurvSetSpec("NSBCD", "num_gene_", "breast cancer, Norway/Stanford (Sorlie 2003)"),
    "mcl": _SurvSetSpec("MCLcleaned", "num_", "mantle cell lymphoma (Rosenwald 2003)"),
}

#: every data set name :func:`load_survival_dataset` accepts
SURVIVAL_DATASETS: tuple[str, ...] = ("gse7390", *_SURVSET)


def _require(module: str, package: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise OncogenError(f"this data set ships with the {package!r} package, which is not "
                           f"installed; install it with: pip install {package} "
                           "(or pip install 'oncogen[test]')")


def load_survival_dataset(name: str) -> SurvivalData:
    """Load a public survival data set by name (see the module table).

    Raises
    ------
    OncogenError
        Unknown name, or the package that ships the data is not installed.
    """
    key = name.lower()
    if key == "gse7390":
        return _load_gse7390()
    if key not in _SURVSET:
        raise OncogenError(f"unknown survival data set {name!r}; expected one of "
                           f"{', '.join(SURVIVAL_DATASETS)}")
    spec = _SURVSET[key]
    _require("SurvSet", "survset")
    from SurvSet.data import SurvLoader

    frame = SurvLoader().load_dataset(spec.survset_name)["df"]
    genes = [c for c in frame.columns if str(c).startswith(spec.gene_prefix)]
    if key == "chop":
        genes = [c for c in genes if str(c).endswith("_at")]
    features = frame[genes].astype(float)
    features.columns = pd.Index([str(c)[4:] for c in genes])  # drop SurvSet's "num_"
    features.index = pd.Index(frame["pid"].astype(str), name="sample")
    return _finish(features, frame["time"].to_numpy(float), frame["event"].to_numpy(),
                   f"{key} ({spec.description}; SurvSet)")


def _load_gse7390() -> SurvivalData:
    _require("sksurv", "scikit-survival")
    from sksurv.datasets import load_breast_cancer

    X, y = load_breast_cancer()
    probes = [c for c in X.columns if str(c).endswith("_at")]
    features = X[probes].astype(float)
    features.index = pd.Index([f"GSE7390_{i}" for i in range(len(X))], name="sample")
    return _finish(features, np.asarray(y["t.tdm"], float), np.asarray(y["e.tdm"]),
                   "gse7390 (breast cancer, Desmedt 2007; scikit-survival)")


def _finish(features: pd.DataFrame, time: np.ndarray, event: np.ndarray,
            name: str) -> SurvivalData:
    keep = np.isfinite(time) & (time >= 0)
    if not keep.all():
        log.warning("%s: dropped %d samples with a negative or missing follow-up time", name,
                    int((~keep).sum()))
    features = features.loc[keep]
    n_missing = int(features.isna().to_numpy().sum())
    if n_missing:
        log.warning("%s: %d missing expression values filled with the gene median", name,
                    n_missing)
        features = features.fillna(features.median())
    outcome = make_outcome(time[keep], event[keep].astype(bool),
                           sample_ids=list(features.index), source=name)
    return SurvivalData(features, outcome, name)
