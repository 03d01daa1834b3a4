"""Fitting known signatures to catalogs: stepwise selection, cohort priors, Poisson exposures.

For each sample with catalog ``m`` (channels) and reference signatures ``S`` (channels x
K), a subset of signatures is chosen and exposures ``e >= 0`` with ``m ~ S e`` estimated:

1. **Forward with swaps** (least squares, fast): start from the single best signature. To
   grow the set by one, add the signature that most raises the reconstruction cosine
   similarity of the NNLS fit, then improve the set by *swaps* (replace one member by a
   non-member) while any swap raises the cosine. Swapping escapes most of the local optima
   that plain greedy selection (and SigProfilerAssignment's add/remove walk) gets stuck in,
   so a given cosine is reached with fewer signatures.
2. **Stop rule**: the larger set is kept only if it removes at least ``min_improvement``
   (default 20%) of the remaining dissimilarity ``1 - cosine``. At most ``max_signatures``.
3. **Cohort prior** (catalogs of at least ``cohort_min_samples`` samples): a signature
   selected by steps 1-2 in at least ``cohort_fraction`` of the samples (and in at least
   two) is a *cohort signature*. Every sample is then selected again (steps 1-2) among the
   cohort signatures only. The sample keeps its own unrestricted set instead only when the
   data demand it: when the Poisson deviance of the unrestricted fit is lower than the
   cohort fit's by more than ``private_deviance`` per signature outside the cohort set. A
   shallow sample (a few hundred mutations) cannot tell similar flat signatures (SBS5,
   SBS40a, SBS3) apart on its own, so it borrows the choice from the cohort, while a deep
   sample with a signature of its own keeps it. This is an empirical-Bayes step: the
   samples of one catalog are taken to share processes.
4. **Exposures** (``objective="poisson"``, the default) maximise the Poisson likelihood of
   the counts given the selected signatures (EM, started from NNLS): mutation counts are
   Poisson, and least squares over-weights the many channels with 0-2 counts in a shallow
   catalog. ``objective="least-squares"`` keeps the NNLS exposures, which maximise the
   reconstruction cosine of the chosen set instead.
5. **Pooled prior** (``pooled_prior``, with Poisson exposures): signatures are selected on
   the sum of all samples with the looser stop rule ``pooled_min_improvement`` (0.1), and each
   sample gets its maximum a posteriori exposures over them under a prior of
   ``prior_strength`` (5) pseudo-mutations shared as in the pooled fit; signatures under
   ``min_fraction`` (5%) of the sample are dropped. The sample takes this fit instead of its
   steps 1-4 fit when its Poisson deviance is lower by at least ``extra_signature_deviance``
   (0.01) x its mutations per signature it adds: shallow (exome, panel) samples mostly take
   it, deep genomes mostly keep their sparse stepwise sets. See
   :mod:`onco_genomics.spectrum.pooled_prior`.

Exposures are reported in mutations: rescaled so that they sum to the sample's mutation
count (the Poisson MLE already does, for signatures that sum to 1).

Bootstrap confidence intervals: the sample's catalog is resampled ``n_bootstrap`` times
as independent Poisson counts with the observed channel counts as means (so the total
varies too), the selected signatures are refitted with the same objective, and the 2.5th
and 97.5th percentiles of each exposure are reported. The signature set is held fixed, so
these are intervals *given* the selection.

The defaults (``min_improvement`` 0.2, ``cohort_fraction`` 0.05, ``private_deviance`` 20,
Poisson exposures) were chosen on synthetic COSMIC mixtures with seed 101 of
``benchmarks/signatures_synthetic.py``, not on the reported benchmarks (seed 7 and the 21
breast cancers); those of step 5 on the tuning settings of
``benchmarks/signatures_exome_scale.py`` (breast- and lung-like sets, seed 101), with the
21 breast cancers as a check; see docs/benchmarks/signatures.md.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from onco_genomics.errors import InputFileError, OptionsError
from onco_genomics.progress import Progress
from onco_genomics.spectrum.catalog import CHANNELS, MutationCatalog
from onco_genomics.spectrum.contexts import sbs96_of_1536
from onco_genomics.spectrum.poisson import poisson_deviance, poisson_exposures
from onco_genomics.spectrum.pooled_prior import (
    PooledPrior,
    pooled_prior,
    prefer_prior_fit,
    prior_fit,
)
from onco_genomics.spectrum.swap_path import SampleProblem, forward_swap_path

log = logging.getLogger(__name__)


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else 0.0


OBJECTIVES = ("poisson", "least-squares")


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
    objective
        ``"poisson"``: exposures maximise the Poisson likelihood of the counts;
        ``"least-squares"``: NNLS exposures (highest cosine for the chosen set).
    cohort_fraction
        A signature selected in at least this fraction of the samples (and in at least two)
        is a cohort signature, which the cohort step restricts samples to (0: no cohort
        step).
    cohort_min_samples
        The cohort step runs only for catalogs with at least this many samples.
    private_deviance
        Poisson deviance, per signature outside the cohort set, by which a sample's own
        unrestricted fit must beat its cohort fit to be kept.
    pooled_prior
        Run step 5 (the pooled-catalog prior; only with ``objective="poisson"``).
    pooled_min_improvement
        Stop rule (as ``min_improvement``) of the selection on the pooled catalog.
    prior_strength
        Pseudo-mutations of the pooled prior (0: maximum-likelihood exposures over the
        pooled set).
    min_fraction
        The prior fit drops signatures with less than this fraction of a sample's
        mutations.
    extra_signature_deviance
        Deviance per mutation that each signature the prior fit adds beyond the stepwise
        set must remove for the prior fit to be taken.
    """

    min_improvement: float = 0.2
    max_signatures: int = 15
    n_bootstrap: int = 100
    seed: int = 0
    objective: str = "poisson"
    cohort_fraction: float = 0.05
    cohort_min_samples: int = 10
    private_deviance: float = 20.0
    pooled_prior: bool = True
    pooled_min_improvement: float = 0.1
    prior_strength: float = 5.0
    min_fraction: float = 0.05
    extra_signature_deviance: float = 0.01

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_improvement < 1.0:
            raise OptionsError(f"--min-improvement must be within [0, 1), found "
                               f"{self.min_improvement}")
        if self.n_bootstrap < 0:
            raise OptionsError(f"--bootstrap must be >= 0, found {self.n_bootstrap}")
        if self.max_signatures < 1:
            raise OptionsError(f"--max-signatures must be >= 1, found {self.max_signatures}")
        if self.seed < 0:
            raise OptionsError(f"seed (--seed) must be a non-negative integer, found "
                               f"{self.seed}; give 0 or a positive number")
        if self.objective not in OBJECTIVES:
            raise OptionsError(f"objective (--objective) must be one of "
                               f"{', '.join(OBJECTIVES)}, found {self.objective!r}")
        if not 0.0 <= self.cohort_fraction <= 1.0:
            raise OptionsError(f"cohort_fraction (--cohort-fraction) must be within [0, 1] "
                               f"(0 turns the cohort prior off), found {self.cohort_fraction}")
        if self.cohort_min_samples < 2:
            raise OptionsError(f"cohort_min_samples (--cohort-min-samples) must be >= 2, "
                               f"found {self.cohort_min_samples}")
        if not self.private_deviance >= 0:  # also refuses NaN
            raise OptionsError(f"private_deviance (--private-deviance) must be >= 0, found "
                               f"{self.private_deviance}")
        if not 0.0 <= self.pooled_min_improvement < 1.0:
            raise OptionsError(f"pooled_min_improvement must be within [0, 1), found "
                               f"{self.pooled_min_improvement}")
        if not self.prior_strength >= 0:
            raise OptionsError(f"prior_strength (--prior-strength) must be >= 0, found "
                               f"{self.prior_strength}")
        if not 0.0 <= self.min_fraction < 1.0:
            raise OptionsError(f"min_fraction must be within [0, 1), found "
                               f"{self.min_fraction}")
        if not self.extra_signature_deviance >= 0:
            raise OptionsError(f"extra_signature_deviance must be >= 0, found "
                               f"{self.extra_signature_deviance}")


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


def select_signatures(m: np.ndarray, basis: np.ndarray, *, options: FitOptions,
                      gram: np.ndarray | None = None,
                      candidates: Sequence[int] | None = None) -> tuple[list[int], np.ndarray]:
    """The selected signature columns (sorted) and their NNLS weights for one catalog vector.

    Steps 1-2 of the module docstring, among ``candidates`` (column indices; all columns
    when None).
    """
    chosen: list[int] = []
    cos = 0.0
    for active, candidate_cos in forward_swap_path(m, basis, gram=gram, candidates=candidates,
                                                   max_size=options.max_signatures):
        if chosen and (1.0 - candidate_cos) > (1.0 - cos) * (1.0 - options.min_improvement):
            break
        chosen, cos = active, candidate_cos
    if not chosen:
        return [], np.zeros(0)
    chosen = sorted(chosen)
    gram = basis.T @ basis if gram is None else gram
    weights, _ = SampleProblem(m, basis[:, chosen],
                                gram[np.ix_(chosen, chosen)]).solve(range(len(chosen)))
    keep = [i for i, w in enumerate(weights) if w > 0]
    return [chosen[i] for i in keep], weights[keep]


def _scaled_nnls_deviance(m: np.ndarray, basis: np.ndarray, active: Sequence[int]) -> float:
    """Poisson deviance of the NNLS fit of ``active``, rescaled to the sample's total."""
    weights, _ = nnls(basis[:, list(active)], m)
    if weights.sum() <= 0:
        return poisson_deviance(m, np.zeros_like(m))
    return poisson_deviance(m, basis[:, list(active)] @ (weights * m.sum() / weights.sum()))


def _check_inputs(catalog: pd.DataFrame, signatures: pd.DataFrame) -> None:
    if list(catalog.index) != list(signatures.index):
        raise OptionsError(
            f"catalog channels ({len(catalog.index)}, first {list(catalog.index[:2])}) differ "
            f"from the signatures' ({len(signatures.index)}, first "
            f"{list(signatures.index[:2])}); fit an SBS96 catalog with SBS96 signatures, etc.")
    if signatures.shape[1] == 0:
        raise OptionsError("no reference signatures to fit (all excluded?); keep at least "
                           "one: --exclude fewer names or give a reference with signatures")


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
        names = list(signatures.columns)
        shown = f"{names[:8]}{'...' if len(names) > 8 else ''}"
        raise OptionsError(f"--exclude names {unknown}, which are not in the reference "
                           f"(it has {len(names)} signatures: {shown}); give names exactly "
                           "as in the reference's header (case matters)")
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
    nonempty = set(np.flatnonzero(counts.sum(axis=0) > 0).tolist())
    cohort_step = (options.cohort_fraction > 0
                   and len(nonempty) >= options.cohort_min_samples)
    with Progress(n_samples + (len(nonempty) if cohort_step else 0), "samples") as progress:
        selected: dict[int, list[int]] = {}
        for j in range(n_samples):
            if j in nonempty:
                selected[j], _ = select_signatures(counts[:, j], basis, options=options,
                                                   gram=gram)
            progress.update(1)
        if cohort_step:
            selected = _apply_cohort_prior(counts, basis, gram, selected, options, progress)
    fits: dict[int, tuple[list[int], np.ndarray]] = {
        j: (active, _exposures(counts[:, j], basis[:, active], options))
        for j, active in selected.items() if active}
    priors: dict[int, np.ndarray] = {}
    if options.pooled_prior and options.objective == "poisson" and nonempty:
        prior = _pooled_prior(counts, basis, gram, sorted(nonempty), options)
        if prior is not None:
            for j in sorted(nonempty):
                m = counts[:, j]
                candidate = prior_fit(m, basis, prior, strength=options.prior_strength,
                                      min_fraction=options.min_fraction)
                if prefer_prior_fit(m, basis, fits.get(j, ([], np.zeros(0))), candidate,
                                    extra_cost=options.extra_signature_deviance):
                    fits[j] = candidate
                    share = dict(zip(prior.columns, prior.shares, strict=True))
                    priors[j] = options.prior_strength * np.array(
                        [share[c] for c in candidate[0]])
            log.info("pooled prior: %d signatures (%s); %d of %d samples take the prior fit",
                     len(prior.columns), ", ".join(signatures.columns[prior.columns]),
                     len(priors), len(nonempty))
    for j, (active, weights) in fits.items():
        m = counts[:, j]
        total = m.sum()
        sub = basis[:, active]
        reconstruction = sub @ weights
        exposures[active, j] = weights
        cosines[j] = _cosine(reconstruction, m)
        residuals[j] = float(np.abs(m - reconstruction).sum() / total)
        if options.n_bootstrap:
            replicates = _bootstrap(m, sub, weights, options, rng, prior=priors.get(j))
            low[active, j], high[active, j] = np.percentile(replicates, [2.5, 97.5], axis=0)
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


def _exposures(m: np.ndarray, sub: np.ndarray, options: FitOptions) -> np.ndarray:
    """Exposures (step 4) of the chosen signatures ``sub``, summing to the sample's total."""
    total = m.sum()
    weights, _ = nnls(sub, m)
    weights = weights * (total / weights.sum()) if weights.sum() > 0 else weights
    if options.objective == "poisson":
        weights = poisson_exposures(m, sub, weights)
        weights[weights < 1e-6 * total] = 0.0
        weights *= total / weights.sum()
    return weights


def _pooled_prior(counts: np.ndarray, basis: np.ndarray, gram: np.ndarray,
                  samples: list[int], options: FitOptions) -> PooledPrior | None:
    """Step 5's prior: the selection (looser stop rule) on the sum of the samples."""
    pooled = counts[:, samples].sum(axis=1)
    looser = replace(options, min_improvement=options.pooled_min_improvement)
    columns, weights = select_signatures(pooled, basis, options=looser, gram=gram)
    return pooled_prior(pooled, basis, columns, weights)


def _apply_cohort_prior(counts: np.ndarray, basis: np.ndarray, gram: np.ndarray,
                        selected: dict[int, list[int]], options: FitOptions,
                        progress: Progress) -> dict[int, list[int]]:
    """Step 3 of the module docstring: reselect every sample among the cohort signatures."""
    used = np.zeros(basis.shape[1])
    for active in selected.values():
        used[active] += 1
    needed = max(2.0, options.cohort_fraction * len(selected))
    cohort = [k for k in range(basis.shape[1]) if used[k] >= needed]
    log.info("cohort prior: %d signatures selected in >= %.0f of %d samples: %s",
             len(cohort), needed, len(selected), cohort)
    out = {}
    for j, own in selected.items():
        progress.update(1)
        m = counts[:, j]
        restricted, _ = select_signatures(m, basis, options=options, gram=gram,
                                          candidates=cohort)
        out[j] = own
        if not restricted or not own or set(restricted) == set(own):
            continue
        private = len(set(own) - set(cohort))
        gain = _scaled_nnls_deviance(m, basis, restricted) - _scaled_nnls_deviance(m, basis, own)
        if gain <= options.private_deviance * max(1, private):
            out[j] = restricted
    return out


def _bootstrap(m: np.ndarray, basis: np.ndarray, estimate: np.ndarray, options: FitOptions,
               rng: np.random.Generator, *, prior: np.ndarray | None = None) -> np.ndarray:
    """Exposures (summing to each replicate's total) of Poisson resamples of ``m``; with
    ``prior`` (pseudo-counts of the chosen signatures) the MAP exposures of step 5."""
    n = options.n_bootstrap
    resamples = rng.poisson(np.broadcast_to(m, (n, m.size))).astype(float)
    totals = resamples.sum(axis=1)
    if options.objective == "poisson":
        start = estimate[:, None] * (totals / max(m.sum(), 1e-300))[None, :]
        fitted = poisson_exposures(resamples.T, basis, start, prior=prior, max_iter=100,
                                   tol=1e-5)
        return (fitted * (totals / np.maximum(fitted.sum(axis=0), 1e-300))).T
    out = np.zeros((n, basis.shape[1]))
    for b in range(n):
        weights, _ = nnls(basis, resamples[b])
        if weights.sum() > 0:
            out[b] = weights * (totals[b] / weights.sum())
    return out


#: below this many mutations a sample's exposures are mostly noise: on the exome-scale
#: synthetic mixtures at 100 mutations the mean L1 error of the exposure fractions was 0.47
#: (of 2) for samples fitted as a cohort and 0.70 for a sample fitted alone, against 0.27 and
#: 0.36 at 1,000 (docs/benchmarks/signatures.md)
MIN_RELIABLE_MUTATIONS = 100


def warn_shallow_samples(counts: pd.DataFrame) -> list[str]:
    """Warn about (and return) the non-empty samples with fewer than
    :data:`MIN_RELIABLE_MUTATIONS` mutations."""
    totals = counts.sum(axis=0)
    shallow = [str(name) for name, total in totals.items()
               if 0 < total < MIN_RELIABLE_MUTATIONS]
    if shallow:
        examples = ", ".join(f"{name} ({int(totals[name])})" for name in shallow[:5])
        log.warning("%d sample(s) have fewer than %d mutations (%s%s): their signature "
                    "exposures are unreliable (at 100 mutations the exposure fractions were "
                    "off by 0.5-0.7 in L1 on synthetic mixtures, less when many such "
                    "samples are fitted together in one catalog); use them as a rough hint "
                    "only",
                    len(shallow), MIN_RELIABLE_MUTATIONS, examples,
                    ", ..." if len(shallow) > 5 else "")
    return shallow


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
    totals = catalog.counts.sum(axis=0)
    if len(totals) and float(totals.max()) <= 0:
        raise InputFileError(
            f"the catalog has no mutations (all {len(totals)} samples count 0 in every "
            "channel): nothing to fit. Check that it was built from the right calls (e.g. "
            "`oncogen spectrum --all-filters` when no record is PASS)")
    empty = [str(s) for s, n in totals.items() if n <= 0]
    if empty:
        log.warning("%d of %d samples have no mutations (%s%s); their exposures are 0 and "
                    "their cosine is not defined", len(empty), len(totals),
                    ", ".join(empty[:5]), ", ..." if len(empty) > 5 else "")
    warn_shallow_samples(catalog.counts)
    if isinstance(reference, pd.DataFrame):
        signatures = reference
    else:
        signatures = load_reference_signatures(reference, catalog.kind)
    if opportunity is not None:
        weights = opportunity_weights(opportunity, catalog.kind, build=genome_build)
        signatures = apply_opportunity(signatures, weights)
    return fit_signatures(catalog.counts, signatures, options=options, exclude=exclude)
