"""Step 5 of signature fitting: the pooled-catalog prior (MAP exposures, the switch rule)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from onco_genomics.spectrum.catalog import CHANNELS
from onco_genomics.spectrum.fit import FitOptions, fit_signatures
from onco_genomics.spectrum.poisson import poisson_exposures
from onco_genomics.spectrum.pooled_prior import PooledPrior, prefer_prior_fit, prior_fit

SBS96 = list(CHANNELS["sbs96"])


def _signatures(n: int = 12, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = rng.dirichlet(np.full(96, 0.3), size=n).T
    # two flat, similar profiles as well, like SBS5 and SBS40a
    flat = rng.dirichlet(np.full(96, 20.0))
    values = np.column_stack([values, flat, 0.8 * flat + 0.2 * rng.dirichlet(np.full(96, 5.0))])
    return pd.DataFrame(values, index=SBS96, columns=[f"SIG{i}" for i in range(n + 2)])


def test_map_exposures_satisfy_the_posterior_optimality_conditions() -> None:
    sigs = _signatures().to_numpy()[:, :4]
    rng = np.random.default_rng(4)
    counts = rng.poisson(sigs @ np.array([30.0, 15.0, 4.0, 1.0])).astype(float)
    prior = np.array([1.0, 2.0, 0.5, 1.5])
    e = poisson_exposures(counts, sigs, np.full(4, counts.sum() / 4), prior=prior)
    # stationary point of sum(m log mu - mu) + sum(a log e): S^T (m / mu) - 1 + a / e = 0
    gradient = sigs.T @ (counts / (sigs @ e)) - 1.0 + prior / e
    assert np.abs(gradient).max() < 1e-4
    assert e.sum() == pytest.approx(counts.sum() + prior.sum(), rel=1e-5)
    # the prior pulls towards its shares: a larger prior moves e towards them
    strong = poisson_exposures(counts, sigs, e, prior=1000 * prior / prior.sum())
    assert np.abs(strong / strong.sum() - prior / prior.sum()).sum() < \
        np.abs(e / e.sum() - prior / prior.sum()).sum()
    with pytest.raises(ValueError, match="non-negative"):
        poisson_exposures(counts, sigs, e, prior=-prior)


def test_prior_fit_drops_small_signatures_and_the_switch_charges_extra_ones() -> None:
    sigs = _signatures().to_numpy()
    rng = np.random.default_rng(5)
    m = rng.poisson(sigs[:, [0, 1]] @ np.array([300.0, 100.0])).astype(float)
    prior = PooledPrior([0, 1, 2], np.array([0.6, 0.3, 0.1]))
    columns, exposures = prior_fit(m, sigs, prior, strength=5.0, min_fraction=0.05)
    assert columns == [0, 1]
    assert exposures.sum() == pytest.approx(m.sum())
    own = ([0], np.array([m.sum()]))
    assert prefer_prior_fit(m, sigs, own, (columns, exposures), extra_cost=0.0)
    # one extra signature must remove extra_cost x mutations of deviance
    assert not prefer_prior_fit(m, sigs, own, (columns, exposures), extra_cost=10.0)
    with pytest.raises(ValueError, match="sum to 1"):
        PooledPrior([0, 1], np.array([0.5, 0.6]))


def _shallow_cohort(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """30 samples of ~100 mutations from 2-4 of six signatures (the flat pair included)."""
    sigs = _signatures()
    pool = ["SIG0", "SIG2", "SIG4", "SIG6", "SIG12", "SIG13"]
    rng = np.random.default_rng(seed)
    columns, truth = {}, {}
    for i in range(30):
        names = list(rng.choice(pool, size=int(rng.integers(2, 5)), replace=False))
        weights = rng.dirichlet(np.ones(len(names)))
        columns[f"S{i}"] = rng.poisson(sigs[names].to_numpy() @ weights * 100)
        truth[f"S{i}"] = pd.Series(weights, index=names)
    catalog = pd.DataFrame(columns, index=SBS96).astype(np.int64)
    return sigs, catalog, pd.DataFrame(truth).fillna(0.0).reindex(sigs.columns, fill_value=0.0)


def test_pooled_prior_lowers_the_error_of_shallow_samples() -> None:
    sigs, catalog, truth = _shallow_cohort(seed=21)
    with_prior = fit_signatures(catalog, sigs, options=FitOptions(n_bootstrap=0))
    without = fit_signatures(catalog, sigs, options=FitOptions(n_bootstrap=0,
                                                               pooled_prior=False))

    def error(fit: object) -> float:
        fractions = fit.fractions.reindex(truth.index)  # type: ignore[attr-defined]
        return float((fractions - truth).abs().sum(axis=0).mean())

    assert error(with_prior) < error(without) - 0.05
    # exposures still sum to each sample's mutations
    np.testing.assert_allclose(with_prior.exposures.sum(axis=0), catalog.sum(axis=0))


def test_pooled_prior_bootstrap_intervals_bracket_the_estimates() -> None:
    sigs, catalog, _ = _shallow_cohort(seed=22)
    fit = fit_signatures(catalog.iloc[:, :12], sigs, options=FitOptions(n_bootstrap=30,
                                                                        seed=1))
    assert fit.ci_low is not None and fit.ci_high is not None
    used = fit.exposures.to_numpy() > 0
    low, high = fit.ci_low.to_numpy()[used], fit.ci_high.to_numpy()[used]
    assert (low <= high).all() and (high > 0).all()
    assert (fit.ci_low.to_numpy()[~used] == 0).all()


def test_pooled_prior_is_off_with_least_squares_exposures() -> None:
    sigs, catalog, _ = _shallow_cohort(seed=23)
    options = FitOptions(n_bootstrap=0, objective="least-squares")
    pd.testing.assert_frame_equal(
        fit_signatures(catalog, sigs, options=options).exposures,
        fit_signatures(catalog, sigs,
                       options=FitOptions(n_bootstrap=0, objective="least-squares",
                                          pooled_prior=False)).exposures)
