"""Fitting known signatures to catalogs: NNLS with stepwise selection and bootstrap.

For each sample with catalog ``m`` (channels) and reference signatures ``S`` (channels x
K), exposures ``e >= 0`` minimise ``||m - S e||`` (NNLS) over a subset of signatures chosen
per sample:

1. **Forward with swaps**: start from the single best signature. To grow the set by one,
   add the signature that most raises the reconstruction cosine similarity, then improve
   the set by *swaps* (replace one member by a non-member) while any swap raises the
   cosine. Swapping escapes most of the local optima that plain greedy selection (and
   SigProfilerAssignment's add/remove walk) gets stuck in, so a given cosine is reached
   with fewer signatures.
2. **Stop rule**: the larger set is kept only if it removes at least ``min_improvement``
   (default 20%) of the remaining dissimilarity ``1 - cosine``. A relative rule adapts to
   the sample: a clean, deeply sequenced catalog keeps gaining small absolute cosine
   steps that are real, a noisy one does not.
3. Signatures whose NNLS exposure is zero are dropped; at most ``max_signatures``.

Exposures are reported in mutations: the NNLS solution rescaled so that they sum to the
sample's mutation count (the reconstruction's shape, hence its cosine, is unchanged).

Bootstrap confidence intervals: the sample's catalog is resampled ``n_bootstrap`` times
as independent Poisson counts with the observed channel counts as means (so the total
varies too), the selected signatures are refitted by NNLS, and the 2.5th and 97.5th
percentiles of each exposure are reported. The signature set is held fixed, so these are
intervals *given* the selection.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from onco_genomics.errors import OptionsError
from onco_genomics.progress import Progress
from onco_genomics.spectrum.catalog import CHANNELS, MutationCatalog
from onco_genomics.spectrum.contexts import sbs96_of_1536

log = logging.getLogger(__name__)


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else 0.0


@dataclass(frozen=True)
class FitOptions:
    """Settings of :func:`fit_signatures` (checked on creation).

    Attributes
    ----------
    min_improvement
        A signature is added only if the (swap-refined) larger set removes at least this
        fraction of the remaining ``1 - cosine``.
    max_signatures
        Most signatures per sample.
    n_bootstrap
        Bootstrap replicates for confidence intervals (0: none).
    seed
        Seed of the bootstrap.
    """

    min_improvement: float = 0.2
    max_signatures: int = 15
    n_bootstrap: int = 100
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_improvement < 1.0:
            raise OptionsError(f"--min-improvement must be within [0, 1), found "
                               f"{self.min_improvement}")
        if self.n_bootstrap < 0:
            raise OptionsError(f"--bootstrap must be >= 0, found {self.n_bootstrap}")
        if self.max_signatures < 1:
            raise OptionsError(f"--max-signatures must be >= 1, found {self.max_signatures}")


@dataclass(frozen=True)
class SignatureFit:
    """Exposures of reference signatures in each sample.

    Attributes
    ----------
    exposures
        Signatures x samples, mutations attributed to each signature (0 where not selected).
    cosine
        Per sample: cosine similarity of the reconstruction ``S e`` to the catalog.
    residual_l1
        Per sample: ``sum |m - S e| / sum m`` (0 = perfect).
    ci_low, ci_high
        Signatures x samples bootstrap 95% bounds of the exposures (None without bootstrap).
    mutations
        Per sample: mutations in the catalog.
    """

    exposures: pd.DataFrame
    cosine: pd.Series
    residual_l1: pd.Series
    mutations: pd.Series
    ci_low: pd.DataFrame | None = field(default=None, repr=False)
    ci_high: pd.DataFrame | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        samples = list(self.exposures.columns)
        for name in ("cosine", "residual_l1", "mutations"):
            if list(getattr(self, name).index) != samples:
                raise ValueError(f"SignatureFit.{name} must be indexed by the exposure samples")
        for name in ("ci_low", "ci_high"):
            table = getattr(self, name)
            if table is not None and table.shape != self.exposures.shape:
                raise ValueError(f"SignatureFit.{name} must have the exposures' shape")
        if (self.exposures.to_numpy() < 0).any():
            raise ValueError("exposures must be non-negative")

    @property
    def fractions(self) -> pd.DataFrame:
        """Exposures as fractions of each sample's attributed mutations."""
        totals = self.exposures.sum(axis=0).replace(0, 1)
        return self.exposures / totals

    @property
    def n_signatures(self) -> pd.Series:
        """Signatures with non-zero exposure, per sample."""
        return (self.exposures > 0).sum(axis=0)

    def sample_table(self) -> pd.DataFrame:
        """One row per sample: mutations, signatures used, cosine, L1 residual."""
        return pd.DataFrame({
            "mutations": self.mutations,
            "n_signatures": self.n_signatures,
            "cosine": self.cosine.round(6),
            "residual_l1": self.residual_l1.round(6),
        }).rename_axis("sample")

    def exposure_table(self) -> pd.DataFrame:
        """Long table of the non-zero exposures: sample, signature, mutations, fraction, CI."""
        rows = []
        fractions = self.fractions
        for sample in self.exposures.columns:
            column = self.exposures[sample]
            for signature in column.index[column > 0]:
                row = {"sample": sample, "signature": signature,
                       "mutations": round(float(column[signature]), 3),
                       "fraction": round(float(fractions.loc[signature, sample]), 6)}
                if self.ci_low is not None and self.ci_high is not None:
                    row["ci95_low"] = round(float(self.ci_low.loc[signature, sample]), 3)
                    row["ci95_high"] = round(float(self.ci_high.loc[signature, sample]), 3)
                rows.append(row)
        columns = ["sample", "signature", "mutations", "fraction"]
        if self.ci_low is not None:
            columns += ["ci95_low", "ci95_high"]
        return pd.DataFrame(rows, columns=columns)


class _SampleProblem:
    """NNLS fits of subsets of the signatures to one catalog vector, via the Gram matrix.

    For a subset A the unconstrained least-squares solution of ``G_AA e = S_A^T m`` is the
    NNLS solution when it is non-negative (the usual case for small, well-chosen sets);
    otherwise scipy's NNLS is run. Cosines come from ``G`` without forming ``S e``.
    """

    def __init__(self, m: np.ndarray, basis: np.ndarray, gram: np.ndarray) -> None:
        self.m = m
        self.basis = basis
        self.gram = gram
        self.proj = basis.T @ m
        self.norm2 = float(m @ m)

    def solve(self, active: Sequence[int]) -> tuple[np.ndarray, float]:
        idx = list(active)
        g = self.gram[np.ix_(idx, idx)]
        try:
            weights = np.linalg.solve(g, self.proj[idx])
        except np.linalg.LinAlgError:
            weights = -np.ones(len(idx))
        if (weights < 0).any():
            weights, _ = nnls(self.basis[:, idx], self.m)
        fitted2 = float(weights @ g @ weights)
        if fitted2 <= 0 or self.norm2 <= 0:
            return weights, 0.0
        return weights, float(weights @ self.proj[idx] / np.sqrt(fitted2 * self.norm2))

    def batch_cosines(self, candidates: np.ndarray) -> np.ndarray:
        """Cosines of many same-size subsets (rows of ``candidates``) in one batched solve.

        A subset whose least-squares solution gives some member a negative weight gets
        -inf: its NNLS fit is a smaller subset, which the search meets on its own.
        """
        g = self.gram[candidates[:, :, None], candidates[:, None, :]]
        rhs = self.proj[candidates]
        try:
            weights = np.linalg.solve(g, rhs[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:  # a singular subset (duplicated signatures)
            return np.array([self.solve(row)[1] for row in candidates])
        fitted2 = np.einsum("ni,nij,nj->n", weights, g, weights)
        with np.errstate(invalid="ignore", divide="ignore"):
            cosines = (weights * rhs).sum(axis=1) / np.sqrt(fitted2 * self.norm2)
        cosines[(weights < 0).any(axis=1) | ~np.isfinite(cosines)] = -np.inf
        return cosines

    def best_addition(self, active: list[int]) -> tuple[list[int], float]:
        others = [k for k in range(self.basis.shape[1]) if k not in active]
        candidates = np.array([[*active, k] for k in others], dtype=np.intp)
        cosines = self.batch_cosines(candidates)
        best = int(np.argmax(cosines))
        return [int(x) for x in candidates[best]], float(cosines[best])

    def refine_by_swaps(self, active: list[int], cos: float) -> tuple[list[int], float]:
        n_sigs = self.basis.shape[1]
        for _ in range(10 * n_sigs):
            others = [k for k in range(n_sigs) if k not in active]
            if not others:
                break
            candidates = np.array([[*active[:i], k, *active[i + 1:]]
                                   for i in range(len(active)) for k in others], dtype=np.intp)
            cosines = self.batch_cosines(candidates)
            best = int(np.argmax(cosines))
            if cosines[best] <= cos + 1e-12:
                break
            active, cos = [int(x) for x in candidates[best]], float(cosines[best])
        return active, cos


def select_signatures(m: np.ndarray, basis: np.ndarray, *, options: FitOptions,
                      gram: np.ndarray | None = None) -> tuple[list[int], np.ndarray]:
    """The selected signature columns (sorted) and their NNLS weights for one catalog vector.

    See the module docstring for the rule.
    """
    if m.sum() <= 0:
        return [], np.zeros(0)
    problem = _SampleProblem(m, basis, basis.T @ basis if gram is None else gram)
    active, cos = problem.best_addition([])
    active, cos = problem.refine_by_swaps(active, cos)
    limit = min(options.max_signatures, basis.shape[1])
    while len(active) < limit and 1.0 - cos > 1e-6:  # a perfect fit needs nothing more
        candidate, candidate_cos = problem.best_addition(active)
        candidate, candidate_cos = problem.refine_by_swaps(candidate, candidate_cos)
        if (1.0 - candidate_cos) > (1.0 - cos) * (1.0 - options.min_improvement):
            break
        active, cos = candidate, candidate_cos
    active = sorted(active)
    weights, _ = problem.solve(active)
    keep = [i for i, w in enumerate(weights) if w > 0]
    return [active[i] for i in keep], weights[keep]


def _check_inputs(catalog: pd.DataFrame, signatures: pd.DataFrame) -> None:
    if list(catalog.index) != list(signatures.index):
        raise OptionsError(
            f"catalog channels ({len(catalog.index)}, first {list(catalog.index[:2])}) differ "
            f"from the signatures' ({len(signatures.index)}, first "
            f"{list(signatures.index[:2])}); fit an SBS96 catalog with SBS96 signatures, etc.")
    if signatures.shape[1] == 0:
        raise OptionsError("no reference signatures to fit (all excluded?)")


def fit_signatures(catalog: pd.DataFrame, signatures: pd.DataFrame, *,
                   options: FitOptions | None = None,
                   exclude: Sequence[str] = ()) -> SignatureFit:
    """Fit reference signatures to every sample of a catalog.

    Parameters
    ----------
    catalog
        Channels x samples counts (``MutationCatalog.counts``).
    signatures
        Channels x signatures profiles, same channels in the same order (columns sum to 1).
    options
        Selection thresholds and bootstrap settings.
    exclude
        Signature names not to use (e.g. sequencing artefacts).

    Returns
    -------
    SignatureFit

    Examples
    --------
    >>> from onco_genomics.spectrum.reference_signatures import load_reference_signatures
    >>> sigs = load_reference_signatures("cosmic:v3.4", "sbs96")  # doctest: +SKIP
    >>> fit = fit_signatures(catalog.counts, sigs)  # doctest: +SKIP
    >>> fit.sample_table()  # doctest: +SKIP
    """
    options = options or FitOptions()
    unknown = [name for name in exclude if name not in signatures.columns]
    if unknown:
        raise OptionsError(f"--exclude names {unknown}, which are not in the reference "
                           f"(it has {list(signatures.columns[:8])}...)")
    signatures = signatures.drop(columns=list(exclude))
    _check_inputs(catalog, signatures)
    basis = signatures.to_numpy(dtype=float)
    counts = catalog.to_numpy(dtype=float)
    n_sigs, n_samples = basis.shape[1], counts.shape[1]
    exposures = np.zeros((n_sigs, n_samples))
    low = np.zeros_like(exposures)
    high = np.zeros_like(exposures)
    cosines = np.zeros(n_samples)
    residuals = np.zeros(n_samples)
    rng = np.random.default_rng(options.seed)
    gram = basis.T @ basis
    with Progress(n_samples, "samples") as progress:
        for j in range(n_samples):
            m = counts[:, j]
            total = m.sum()
            if total <= 0:
                progress.update(1)
                continue
            active, weights = select_signatures(m, basis, options=options, gram=gram)
            if active:
                reconstruction = basis[:, active] @ weights
                scale = total / weights.sum()
                exposures[active, j] = weights * scale
                cosines[j] = _cosine(reconstruction, m)
                residuals[j] = float(np.abs(m - reconstruction).sum() / total)
                if options.n_bootstrap:
                    replicates = _bootstrap(m, basis[:, active], options.n_bootstrap, rng)
                    low[active, j], high[active, j] = np.percentile(replicates, [2.5, 97.5],
                                                                    axis=0)
            progress.update(1)
    names = list(signatures.columns)
    samples = list(catalog.columns)

    def frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, index=pd.Index(names, name="Signature"), columns=samples)

    return SignatureFit(
        exposures=frame(exposures),
        cosine=pd.Series(cosines, index=samples),
        residual_l1=pd.Series(residuals, index=samples),
        mutations=pd.Series(counts.sum(axis=0), index=samples),
        ci_low=frame(low) if options.n_bootstrap else None,
        ci_high=frame(high) if options.n_bootstrap else None,
    )


def _bootstrap(m: np.ndarray, basis: np.ndarray, n: int,
               rng: np.random.Generator) -> np.ndarray:
    """Exposures (rescaled to each replicate's total) of ``n`` Poisson resamples of ``m``."""
    resamples = rng.poisson(np.broadcast_to(m, (n, m.size))).astype(float)
    out = np.zeros((n, basis.shape[1]))
    for b in range(n):
        weights, _ = nnls(basis, resamples[b])
        if weights.sum() > 0:
            out[b] = weights * (resamples[b].sum() / weights.sum())
    return out


def fit_catalog(catalog: MutationCatalog, reference: str | os.PathLike[str] | pd.DataFrame, *,
                options: FitOptions | None = None, exclude: Sequence[str] = (),
                opportunity: str | None = None, genome_build: str = "GRCh37") -> SignatureFit:
    """Fit reference signatures to a catalog: the API behind ``oncogen signatures fit``.

    Parameters
    ----------
    catalog
        SBS96, DBS78 or ID83 catalog (an SBS1536 catalog is collapsed to SBS96).
    reference
        Signatures (channels x signatures DataFrame), a COSMIC-format file, or
        ``cosmic:vX.Y[:BUILD][:exome]``.
    options
        Selection and bootstrap settings.
    exclude
        Signatures not to fit.
    opportunity
        ``"exome"``, ``"genome"`` or a counts file: re-weight the signatures for the
        catalog's territory (see :mod:`onco_genomics.spectrum.reference_signatures`).
    genome_build
        Build of the genome-wide counts for ``opportunity``.

    Examples
    --------
    >>> from onco_genomics.spectrum.matrix_files import read_catalog
    >>> fit = fit_catalog(read_catalog("catalog.tsv"), "cosmic:v3.4")  # doctest: +SKIP
    >>> fit.exposure_table().head()  # doctest: +SKIP
    """
    from onco_genomics.spectrum.reference_signatures import (
        apply_opportunity,
        load_reference_signatures,
        opportunity_weights,
    )

    if catalog.kind == "sbs1536":
        counts = catalog.counts.groupby([sbs96_of_1536(c) for c in catalog.counts.index]).sum()
        catalog = MutationCatalog("sbs96", counts.loc[list(CHANNELS["sbs96"])])
    if isinstance(reference, pd.DataFrame):
        signatures = reference
    else:
        signatures = load_reference_signatures(reference, catalog.kind)
    if opportunity is not None:
        weights = opportunity_weights(opportunity, catalog.kind, build=genome_build)
        signatures = apply_opportunity(signatures, weights)
    return fit_signatures(catalog.counts, signatures, options=options, exclude=exclude)
