"""De novo signature extraction: NMF on resampled catalogs, clustered for stability.

For every number of signatures ``k`` in the requested range:

1. **Restarts on resampled catalogs**: the catalog (channels x samples) is resampled
   ``n_restarts`` times as independent Poisson counts (means = observed counts) and each
   replicate is factorised by non-negative matrix factorisation with the Kullback-Leibler
   divergence (scikit-learn, multiplicative updates, random start), giving ``k`` signatures
   per replicate (columns normalised to sum 1).
2. **Clustering**: the ``k * n_restarts`` signatures are clustered into ``k`` clusters
   with one signature of each replicate per cluster: starting from the replicate with the
   lowest error, each replicate's signatures are matched to the current centroids by the
   Hungarian algorithm on cosine distance, and centroids are recomputed until the
   assignment no longer changes.
3. **Stability**: the silhouette (cosine distance) of every signature within this
   clustering; a cluster's stability is the mean silhouette of its members. The solution's
   signatures are the cluster centroids, and exposures are their NNLS fit to the original
   catalog.

**Choice of k**: only solutions whose mean stability is at least ``min_stability`` (0.8)
and whose least stable cluster reaches ``min_cluster_stability`` (0.2) are candidates.
Walking up from the smallest candidate, a larger candidate is chosen while it raises the
mean reconstruction cosine of the samples by at least ``min_cosine_gain`` (0.01) over the
currently chosen one. Without candidates, the most stable k is chosen (and a warning logged).

**Matching to a reference** (e.g. COSMIC): the cosine similarity of every extracted
signature to every reference signature, with a one-to-one Hungarian assignment and, for
each extracted signature, its single best match. Because a de novo signature is often a
blend of reference signatures that always co-occur in the cohort (APOBEC's SBS2 + SBS13,
ageing's SBS1 + SBS5), each is also *decomposed*: fitted as a sparse non-negative mixture
of reference signatures with :func:`onco_genomics.spectrum.fit.fit_signatures`.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment, nnls

from onco_genomics.errors import OptionsError
from onco_genomics.progress import Progress
from onco_genomics.spectrum.catalog import CHANNELS, MutationCatalog
from onco_genomics.spectrum.contexts import DISPLAY_NAMES, sbs96_of_1536

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractOptions:
    """Settings of :func:`extract_signatures` (checked on creation)."""

    k_min: int = 2
    k_max: int = 10
    n_restarts: int = 20
    max_iter: int = 2000
    seed: int = 0
    min_stability: float = 0.8
    min_cluster_stability: float = 0.2
    min_cosine_gain: float = 0.01

    def __post_init__(self) -> None:
        if not 1 <= self.k_min <= self.k_max:
            raise OptionsError(f"--k must be a range LOW..HIGH with 1 <= LOW <= HIGH, found "
                               f"{self.k_min}..{self.k_max}; e.g. --k 2..10 or --k 4")
        if self.n_restarts < 2:
            raise OptionsError(f"--restarts must be >= 2 (stability needs replicates), found "
                               f"{self.n_restarts}")
        if self.max_iter < 10:
            raise OptionsError(f"max_iter (--max-iter) must be >= 10 NMF iterations per "
                               f"restart, found {self.max_iter}")
        if self.seed < 0:
            raise OptionsError(f"seed (--seed) must be a non-negative integer, found "
                               f"{self.seed}; give 0 or a positive number")
        if not 0.0 <= self.min_stability <= 1.0:  # also refuses NaN
            raise OptionsError(f"min_stability (--min-stability) is a mean silhouette and "
                               f"must be within [0, 1], found {self.min_stability}; the "
                               "default is 0.8")


def parse_k_range(text: str) -> tuple[int, int]:
    """Parse ``"2..10"``, ``"2-10"`` or ``"4"`` into (low, high).

    Raises
    ------
    OptionsError
        Not a number or range.
    """
    for sep in ("..", "-", ":"):
        if sep in text:
            low, _, high = text.partition(sep)
            break
    else:
        low = high = text
    try:
        return int(low), int(high)
    except ValueError as err:
        raise OptionsError(f"--k takes a number or a range such as 2..10, found {text!r}"
                           ) from err


@dataclass(frozen=True)
class KSolution:
    """The clustered solution for one number of signatures.

    Attributes
    ----------
    k
        Number of signatures.
    signatures
        Channels x k centroid profiles (columns sum to 1), named ``{prefix}{letter}``.
    exposures
        k x samples NNLS exposures (mutations) of the original catalog.
    stability
        Per signature: mean silhouette of its cluster.
    cosine
        Per sample: reconstruction cosine similarity.
    """

    k: int
    signatures: pd.DataFrame
    exposures: pd.DataFrame
    stability: pd.Series
    cosine: pd.Series

    def __post_init__(self) -> None:
        if self.signatures.shape[1] != self.k or self.exposures.shape[0] != self.k:
            raise ValueError("KSolution tables must have k signatures")

    @property
    def mean_stability(self) -> float:
        return float(self.stability.mean())

    @property
    def min_stability(self) -> float:
        return float(self.stability.min())


@dataclass(frozen=True)
class Extraction:
    """All solutions, the chosen k and (optionally) the match to a reference.

    Attributes
    ----------
    solutions
        k -> :class:`KSolution`.
    chosen_k
        The selected number of signatures (see the module docstring).
    matches
        For the chosen solution: extracted signature, Hungarian-assigned reference
        signature and cosine, best single reference match and cosine (None without a
        reference).
    """

    solutions: dict[int, KSolution]
    chosen_k: int
    matches: pd.DataFrame | None = field(default=None)

    def __post_init__(self) -> None:
        if self.chosen_k not in self.solutions:
            raise ValueError("chosen_k must be one of the solutions")

    @property
    def chosen(self) -> KSolution:
        return self.solutions[self.chosen_k]

    def summary(self) -> pd.DataFrame:
        """One row per k: mean and minimum stability, mean reconstruction cosine, chosen."""
        rows = [{"k": k, "mean_stability": round(s.mean_stability, 4),
                 "min_stability": round(s.min_stability, 4),
                 "mean_cosine": round(float(s.cosine.mean()), 4),
                 "chosen": k == self.chosen_k} for k, s in sorted(self.solutions.items())]
        return pd.DataFrame(rows).set_index("k")


def _normalise(columns: np.ndarray) -> np.ndarray:
    sums = columns.sum(axis=0, keepdims=True)
    return columns / np.where(sums > 0, sums, 1.0)


def _cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of the columns of a against the columns of b."""
    na = np.linalg.norm(a, axis=0, keepdims=True)
    nb = np.linalg.norm(b, axis=0, keepdims=True)
    return (a.T @ b) / np.maximum(na.T @ nb, 1e-300)


def _factorise(matrix: np.ndarray, k: int, *, seed: int, max_iter: int) -> tuple[np.ndarray,
                                                                                  float]:
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    model = NMF(n_components=k, init="random", solver="mu", beta_loss="kullback-leibler",
                max_iter=max_iter, tol=1e-6, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # samples x channels = exposures x profiles
        model.fit_transform(matrix.T)
    return _normalise(model.components_.T), float(model.reconstruction_err_)


def _cluster(replicates: list[np.ndarray], errors: list[float],
             ) -> tuple[np.ndarray, np.ndarray]:
    """Centroids (channels x k) and labels (replicate x k -> cluster)."""
    k = replicates[0].shape[1]
    centroids = replicates[int(np.argmin(errors))].copy()
    labels = np.zeros((len(replicates), k), dtype=int)
    for _ in range(50):
        new_labels = np.zeros_like(labels)
        for r, sigs in enumerate(replicates):
            rows, cols = linear_sum_assignment(-_cosine_matrix(sigs, centroids))
            new_labels[r, rows] = cols
        sums = np.zeros_like(centroids)
        for r, sigs in enumerate(replicates):
            sums[:, new_labels[r]] += sigs
        centroids = _normalise(sums / len(replicates))
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return centroids, labels


def _silhouettes(replicates: list[np.ndarray], labels: np.ndarray, k: int) -> np.ndarray:
    """Mean cosine-distance silhouette of each cluster."""
    if k == 1:
        return np.ones(1)
    from sklearn.metrics import silhouette_samples

    points = np.concatenate([sigs.T for sigs in replicates])  # (replicates*k) x channels
    flat = labels.reshape(-1)
    values = silhouette_samples(points, flat, metric="cosine")
    return np.array([values[flat == c].mean() for c in range(k)])


def _nnls_exposures(catalog: np.ndarray, signatures: np.ndarray) -> np.ndarray:
    return np.stack([nnls(signatures, catalog[:, j])[0] for j in range(catalog.shape[1])],
                    axis=1)


def _signature_names(k: int, prefix: str) -> list[str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [f"{prefix}{letters[i] if i < 26 else i + 1}" for i in range(k)]


def solve_k(catalog: pd.DataFrame, k: int, *, options: ExtractOptions,
            prefix: str = "SBS96") -> KSolution:
    """Extract ``k`` signatures with resampled restarts and clustering."""
    counts = catalog.to_numpy(dtype=float)
    rng = np.random.default_rng([options.seed, k])
    replicates, errors = [], []
    for restart in range(options.n_restarts):
        resampled = rng.poisson(counts).astype(float)
        keep = resampled.sum(axis=0) > 0
        sigs, err = _factorise(resampled[:, keep] if keep.any() else counts, k,
                               seed=int(rng.integers(2**31 - 1)) + restart,
                               max_iter=options.max_iter)
        replicates.append(sigs)
        errors.append(err)
    centroids, labels = _cluster(replicates, errors)
    stability = _silhouettes(replicates, labels, k)
    exposures = _nnls_exposures(counts, centroids)
    recon = centroids @ exposures
    cos = np.diag(_cosine_matrix(recon, counts))
    names = _signature_names(k, prefix)
    return KSolution(
        k=k,
        signatures=pd.DataFrame(centroids, index=catalog.index, columns=names),
        exposures=pd.DataFrame(exposures, index=names, columns=catalog.columns),
        stability=pd.Series(stability, index=names),
        cosine=pd.Series(np.nan_to_num(cos), index=catalog.columns),
    )


def choose_k(solutions: dict[int, KSolution], *, options: ExtractOptions) -> int:
    """The number of signatures chosen by stability and reconstruction (module docstring)."""
    candidates = [k for k, s in sorted(solutions.items())
                  if s.mean_stability >= options.min_stability
                  and s.min_stability >= options.min_cluster_stability]
    if not candidates:
        best = max(solutions, key=lambda k: solutions[k].mean_stability)
        log.warning("no k reached mean stability %.2f (best: k=%d, %.2f); choosing it",
                    options.min_stability, best, solutions[best].mean_stability)
        return best
    chosen = candidates[0]
    for k in candidates[1:]:
        gain = float(solutions[k].cosine.mean() - solutions[chosen].cosine.mean())
        if gain >= options.min_cosine_gain:
            chosen = k
    return chosen


def match_signatures(extracted: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Match extracted signatures to reference ones by cosine (Hungarian and best single).

    Returns
    -------
    DataFrame
        Index = extracted signature; columns ``assigned``, ``assigned_cosine`` (one-to-one
        Hungarian assignment), ``best``, ``best_cosine`` (best single match),
        ``decomposition`` (``SBS2:0.55;SBS13:0.45``) and ``decomposition_cosine``.
    """
    from onco_genomics.spectrum.fit import FitOptions, fit_signatures

    if list(extracted.index) != list(reference.index):
        raise OptionsError("extracted and reference signatures have different channels; "
                           "give the reference of the catalog's kind")
    sims = _cosine_matrix(extracted.to_numpy(), reference.to_numpy())
    rows, cols = linear_sum_assignment(-sims)
    assigned = dict(zip(rows, cols, strict=True))
    best = sims.argmax(axis=1)
    names = list(reference.columns)
    table = pd.DataFrame({
        "assigned": [names[assigned[i]] if i in assigned else "" for i in range(len(sims))],
        "assigned_cosine": [round(float(sims[i, assigned[i]]), 4) if i in assigned else 0.0
                            for i in range(len(sims))],
        "best": [names[j] for j in best],
        "best_cosine": [round(float(sims[i, j]), 4) for i, j in enumerate(best)],
    }, index=pd.Index(extracted.columns, name="signature"))
    # a profile scaled to 10,000 "mutations" makes the fit's stop rule act on its shape; the
    # profiles are not a cohort, so no pooled prior
    fit = fit_signatures(extracted * 10_000, reference,
                         options=FitOptions(n_bootstrap=0, max_signatures=6,
                                            pooled_prior=False))
    fractions = fit.fractions
    table["decomposition"] = [
        ";".join(f"{sig}:{fractions.loc[sig, name]:.2f}"
                 for sig in fractions.index[fractions[name] > 0]
                 .sort_values(key=lambda idx: -fractions.loc[idx, name]))
        for name in extracted.columns]
    table["decomposition_cosine"] = fit.cosine.round(4).to_numpy()
    return table


def extract_signatures(catalog: pd.DataFrame, *, options: ExtractOptions | None = None,
                       reference: pd.DataFrame | None = None,
                       prefix: str = "SBS96") -> Extraction:
    """Extract signatures de novo for each k in a range and choose one.

    Parameters
    ----------
    catalog
        Channels x samples counts (``MutationCatalog.counts``).
    options
        k range, restarts and selection thresholds.
    reference
        Reference signatures (same channels) to match the chosen signatures to.
    prefix
        Name prefix of the extracted signatures (``SBS96A``, ``SBS96B``, ...).

    Examples
    --------
    >>> ext = extract_signatures(catalog.counts, options=ExtractOptions(k_min=2, k_max=6),
    ...                          reference=cosmic)  # doctest: +SKIP
    >>> ext.summary(); ext.matches  # doctest: +SKIP
    """
    options = options or ExtractOptions()
    n_samples = catalog.shape[1]
    if (catalog.sum(axis=0) <= 0).any():
        empty = list(catalog.columns[catalog.sum(axis=0) <= 0])
        raise OptionsError(f"samples {empty[:5]} have no mutations; remove them before "
                           "extraction")
    if options.k_max > min(catalog.shape):
        raise OptionsError(f"--k upper bound {options.k_max} exceeds what {n_samples} samples "
                           f"x {catalog.shape[0]} channels can support; use at most "
                           f"{min(catalog.shape)}")
    solutions: dict[int, KSolution] = {}
    ks = range(options.k_min, options.k_max + 1)
    with Progress(len(ks), "k values") as progress:
        for k in ks:
            solutions[k] = solve_k(catalog, k, options=options, prefix=prefix)
            log.info("k=%d: mean stability %.3f (min %.3f), mean cosine %.4f", k,
                     solutions[k].mean_stability, solutions[k].min_stability,
                     solutions[k].cosine.mean())
            progress.update(1)
    chosen = choose_k(solutions, options=options)
    matches = None
    if reference is not None:
        matches = match_signatures(solutions[chosen].signatures, reference)
    return Extraction(solutions=solutions, chosen_k=chosen, matches=matches)


def extract_catalog(catalog: MutationCatalog, *, options: ExtractOptions | None = None,
                    reference: str | os.PathLike[str] | pd.DataFrame | None = None,
                    ) -> Extraction:
    """Extract signatures from a catalog: the API behind ``oncogen signatures extract``.

    ``reference`` may be a signature DataFrame, a COSMIC-format file or
    ``cosmic:vX.Y[:BUILD]`` (SBS1536 catalogs are collapsed to SBS96 when a reference is
    given).
    """
    from onco_genomics.spectrum.reference_signatures import load_reference_signatures

    counts = catalog.counts
    kind = catalog.kind
    ref: pd.DataFrame | None = None
    if reference is not None:
        if kind == "sbs1536":
            counts = counts.groupby([sbs96_of_1536(c) for c in counts.index]).sum()
            counts = counts.loc[list(CHANNELS["sbs96"])]
            kind = "sbs96"
        ref = (reference if isinstance(reference, pd.DataFrame)
               else load_reference_signatures(reference, kind))
    return extract_signatures(counts, options=options, reference=ref,
                              prefix=DISPLAY_NAMES[kind])
