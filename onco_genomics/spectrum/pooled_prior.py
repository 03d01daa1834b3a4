"""Step 4 of signature fitting: a prior from the pooled catalog, for shallow samples.

A sample of 50-500 mutations (an exome or a panel) cannot choose among 80 signatures on its
own: its stepwise set (steps 1-3 of :mod:`onco_genomics.spectrum.fit`) keeps the two or three
signatures that fit its noise best, and the similar flat signatures (SBS3, SBS5, SBS40a) are a
coin toss. The samples of one catalog are pooled instead (summed: a cohort of 30 exomes of
100 mutations is a catalog of 3,000), signatures are selected on the pooled catalog with a
looser stop rule, and each sample gets the maximum a posteriori exposures over that set under
a prior of ``strength`` pseudo-mutations shared as in the pooled fit (an empirical-Bayes prior:
a sample with few mutations is pulled towards the cohort's mix, a deep one hardly at all).
Signatures under ``min_fraction`` of the sample's mutations are dropped.

The sample keeps this fit instead of its stepwise one when its Poisson deviance (both fits
scaled to the sample's total) is lower by at least ``extra_cost`` x mutations for every
signature it has beyond the stepwise set. The cost per signature grows with the count because
real catalogs are not exact mixtures of reference profiles: the deviance left by that mismatch
grows in proportion to the mutations, so the rule asks each extra signature for the same
improvement *per mutation* at every depth, and deep genomes keep their sparse stepwise sets.
A catalog of one sample is its own pool (the looser selection then competes with the
stepwise set on the same terms).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from onco_genomics.spectrum.poisson import poisson_exposures, scaled_deviance


@dataclass(frozen=True)
class PooledPrior:
    """Signatures chosen on the pooled catalog and their shares there.

    Attributes
    ----------
    columns
        Signature columns (indices into the basis), sorted.
    shares
        Their exposure fractions in the pooled catalog (sum to 1, all positive).
    """

    columns: list[int]
    shares: np.ndarray

    def __post_init__(self) -> None:
        if len(self.columns) != len(self.shares):
            raise ValueError("PooledPrior needs one share per column")
        if len(self.shares) and (not np.isclose(self.shares.sum(), 1.0)
                                 or (self.shares <= 0).any()):
            raise ValueError("PooledPrior shares must be positive and sum to 1")


def pooled_prior(pooled: np.ndarray, basis: np.ndarray, columns: Sequence[int],
                 weights: np.ndarray) -> PooledPrior | None:
    """The prior from the pooled catalog's selected ``columns`` and their NNLS ``weights``.

    The shares are the Poisson maximum-likelihood exposures of the pooled catalog over the
    columns; None when nothing was selected.
    """
    if not len(columns) or pooled.sum() <= 0:
        return None
    sub = basis[:, list(columns)]
    start = np.asarray(weights, dtype=float)
    start = start * (pooled.sum() / start.sum()) if start.sum() > 0 else \
        np.full(len(columns), pooled.sum() / len(columns))
    exposures = poisson_exposures(pooled, sub, start)
    keep = exposures > 1e-9 * pooled.sum()
    kept = [int(c) for c, k in zip(columns, keep, strict=True) if k]
    order = np.argsort(kept)
    shares = exposures[keep][order]
    return PooledPrior([kept[i] for i in order], shares / shares.sum())


def prior_fit(m: np.ndarray, basis: np.ndarray, prior: PooledPrior, *, strength: float,
              min_fraction: float) -> tuple[list[int], np.ndarray]:
    """MAP exposures of one sample over the prior's signatures, small ones dropped.

    Returns the kept columns (sorted) and their exposures, rescaled to the sample's total.
    """
    total = float(m.sum())
    sub = basis[:, prior.columns]
    pseudo = strength * prior.shares
    exposures = poisson_exposures(m, sub, prior.shares * total, prior=pseudo)
    keep = exposures >= min_fraction * total
    if not keep.any() or total <= 0:
        return [], np.zeros(0)
    kept = exposures[keep]
    return [c for c, k in zip(prior.columns, keep, strict=True) if k], kept * (total / kept.sum())


def prefer_prior_fit(m: np.ndarray, basis: np.ndarray, own: tuple[Sequence[int], np.ndarray],
                     candidate: tuple[Sequence[int], np.ndarray], *, extra_cost: float) -> bool:
    """Whether ``candidate`` (the prior fit) replaces the stepwise fit ``own``: see the
    module docstring. Both are ``(columns, exposures)``."""
    own_columns, own_weights = own
    columns, weights = candidate
    if not len(columns):
        return False
    if not len(own_columns):
        return True
    own_deviance = scaled_deviance(m, basis[:, list(own_columns)] @ own_weights)
    deviance = scaled_deviance(m, basis[:, list(columns)] @ weights)
    extra = max(0, len(columns) - len(own_columns))
    return deviance <= own_deviance - extra_cost * float(m.sum()) * extra
