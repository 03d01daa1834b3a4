"""Poisson likelihood of mutation counts given signatures: deviance and exposure estimates.

A catalog ``m`` (channels) is modelled as independent Poisson counts with means ``S e``
(signatures ``S``, channels x k, columns summing to 1; exposures ``e >= 0`` in mutations).
:func:`poisson_exposures` maximises that likelihood, or, with ``prior`` pseudo-counts ``a``,
the posterior ``log L(e) + sum_k a_k log e_k`` (a Dirichlet-type prior on the exposures that
pulls each ``e_k`` towards a share ``a_k`` of extra mutations; its weight fades as the sample's
count grows).
"""

from __future__ import annotations

import numpy as np


def poisson_deviance(m: np.ndarray, mu: np.ndarray) -> float:
    """``2 sum(m log(m / mu) - (m - mu))``: 0 for a perfect fit."""
    mu = np.maximum(mu, 1e-300)
    positive = m > 0
    log_term = np.zeros_like(m, dtype=float)
    log_term[positive] = m[positive] * np.log(m[positive] / mu[positive])
    return 2.0 * float((log_term - (m - mu)).sum())


def scaled_deviance(m: np.ndarray, mu: np.ndarray) -> float:
    """Poisson deviance of ``mu`` rescaled to the sample's total (the fit's shape only)."""
    total = float(mu.sum())
    if total <= 0:
        return poisson_deviance(m, np.zeros_like(m, dtype=float))
    return poisson_deviance(m, mu * (float(m.sum()) / total))


def poisson_exposures(counts: np.ndarray, basis: np.ndarray, start: np.ndarray, *,
                      prior: np.ndarray | None = None, max_iter: int = 500,
                      tol: float = 1e-7) -> np.ndarray:
    """Poisson maximum-likelihood (or, with ``prior``, maximum a posteriori) exposures: EM
    (multiplicative updates) with SQUAREM.

    Plain EM is slow where signatures are similar; SQUAREM (Varadhan and Roland 2008)
    extrapolates two EM steps per iteration and falls back to the plain step for a
    replicate whose extrapolation leaves the positive orthant or lowers the objective.

    Parameters
    ----------
    counts
        Channels x replicates counts (or one channel vector).
    basis
        Channels x k signatures.
    start
        k x replicates (or k) non-negative starting exposures.
    prior
        k (or k x replicates) non-negative pseudo-counts ``a``: the objective gains
        ``sum_k a_k log e_k``. None: the maximum-likelihood exposures.
    max_iter, tol
        Stop when no exposure moves by more than ``tol`` times its replicate's total.

    Returns
    -------
    ndarray
        Exposures, the shape of ``start``; they sum to each replicate's total (plus the
        prior's pseudo-counts) when the signatures sum to 1.
    """
    vector = counts.ndim == 1
    m = counts[:, None] if vector else counts
    e = (start[:, None] if vector else start).astype(float)
    totals = np.maximum(m.sum(axis=0), 1e-300)
    e = np.maximum(e, 1e-6 * totals)
    colsum = basis.sum(axis=0)[:, None]
    colsum[colsum <= 0] = 1.0
    pseudo = np.zeros_like(e) if prior is None else np.broadcast_to(
        prior[:, None] if prior.ndim == 1 else prior, e.shape).astype(float)
    if (pseudo < 0).any():
        raise ValueError("prior pseudo-counts must be non-negative")

    def step(x: np.ndarray, observed: np.ndarray, extra: np.ndarray) -> np.ndarray:
        mu = basis @ x
        ratio = np.divide(observed, mu, out=np.zeros_like(mu), where=mu > 0)
        return (x * (basis.T @ ratio) + extra) / colsum

    def objective(x: np.ndarray) -> np.ndarray:
        mu = basis @ x
        logs = np.log(mu, out=np.full_like(mu, -1e300), where=mu > 0)
        value = (m * logs).sum(axis=0) - mu.sum(axis=0)
        if prior is not None:
            log_x = np.log(x, out=np.full_like(x, -1e300), where=x > 0)
            value = value + (pseudo * log_x).sum(axis=0)
        return value

    for _ in range(max_iter):
        x1 = step(e, m, pseudo)
        x2 = step(x1, m, pseudo)
        r = x1 - e
        v = x2 - x1 - r
        v_norm = np.linalg.norm(v, axis=0)
        alpha = -np.linalg.norm(r, axis=0) / np.where(v_norm > 0, v_norm, 1.0)
        alpha = np.minimum(alpha, -1.0)
        jump = e - 2 * alpha * r + alpha ** 2 * v
        ok = (jump > 0).all(axis=0) & (v_norm > 0)
        if ok.any():
            jump[:, ok] = step(jump[:, ok], m[:, ok], pseudo[:, ok])
            ok &= objective(jump) >= objective(x2)
        new = np.where(ok, jump, x2)
        done = (np.abs(new - e) <= tol * totals).all()
        e = new
        if done:
            break
    return e[:, 0] if vector else e
