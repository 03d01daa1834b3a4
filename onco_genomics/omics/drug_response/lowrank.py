"""Reduced-rank ridge regression of a sparse cell lines x drugs response matrix.

The matrix-factorisation view of drug response: drugs share a few response patterns (general
sensitivity, tissue-driven programmes), so the cell-feature -> drug coefficient matrix is
modelled as low rank, ``B = W V^T``: ``X W`` is a ``rank``-dimensional cell-line embedding
shared by all drugs and ``V`` holds one linear head per drug. Fitted as ridge regression
followed by projecting the fitted values onto their top ``rank`` right singular vectors
(reduced-rank ridge, Mukherjee & Zhu 2011), with unmeasured pairs filled in by the current
fit and refitted (EM for missing responses), so one linear solve serves every drug.
"""

from __future__ import annotations

import numpy as np

from onco_genomics.errors import OptionsError


def reduced_rank_ridge(X: np.ndarray, R: np.ndarray, *, ridge: float, rank: int,
                       iterations: int = 5) -> np.ndarray:
    """Coefficients ``B`` (features x drugs, rank <= ``rank``) with ``X @ B ~ R``.

    Parameters
    ----------
    X
        Cell lines x features, standardised (no intercept is fitted).
    R
        Cell lines x drugs responses centred per drug, NaN where not measured.
    ridge
        L2 penalty of the full-rank ridge step.
    rank
        Rank of the coefficient matrix (number of shared response patterns).
    iterations
        EM rounds: unmeasured entries are replaced by the current fit, then refitted.
    """
    if rank < 1 or ridge < 0 or iterations < 1:
        raise OptionsError(f"expected rank >= 1, ridge >= 0 and iterations >= 1, got rank "
                           f"{rank}, ridge {ridge}, iterations {iterations}")
    if X.shape[0] != R.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows, R {R.shape[0]}")
    measured = np.isfinite(R)
    filled = np.where(measured, R, 0.0)
    solver = np.linalg.solve(X.T @ X + ridge * np.eye(X.shape[1]), X.T)
    rank = min(rank, *R.shape, X.shape[1])
    coef = np.zeros((X.shape[1], R.shape[1]))
    for _ in range(iterations):
        coef = solver @ filled
        fitted = X @ coef
        _, _, vt = np.linalg.svd(fitted, full_matrices=False)
        projection = vt[:rank].T @ vt[:rank]
        coef = coef @ projection
        filled = np.where(measured, R, fitted @ projection)
    return coef
