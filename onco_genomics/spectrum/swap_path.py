"""The forward/swap path of signature selection: the best set of each size by NNLS cosine.

Step 1 of :mod:`onco_genomics.spectrum.fit`: start from the best single signature; to grow the
set by one, add the signature that most raises the reconstruction cosine of the NNLS fit, then
improve the set by *swaps* (replace one member by a non-member) while any swap raises the
cosine. The stop rule that picks a size on this path lives in the fit module.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from scipy.optimize import nnls


class SampleProblem:
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


def forward_swap_path(m: np.ndarray, basis: np.ndarray, *, gram: np.ndarray | None = None,
                      candidates: Sequence[int] | None = None,
                      max_size: int | None = None) -> Iterator[tuple[list[int], float]]:
    """The sets of step 1 of the module docstring, one per size: ``(columns, cosine)``.

    Yields the best single signature (swap-refined), then each swap-refined forward
    addition, with the NNLS reconstruction cosine of each (columns in path order, not
    sorted), up to ``max_size`` signatures or a perfect fit. A lazy generator: a caller that
    stops early pays only for the sizes it looked at.
    """
    if m.sum() <= 0:
        return
    gram = basis.T @ basis if gram is None else gram
    columns = list(range(basis.shape[1])) if candidates is None else sorted(candidates)
    if not columns:
        return
    problem = SampleProblem(m, basis[:, columns], gram[np.ix_(columns, columns)])
    limit = len(columns) if max_size is None else min(max_size, len(columns))
    active, cos = problem.best_addition([])
    active, cos = problem.refine_by_swaps(active, cos)
    yield [columns[i] for i in active], cos
    while len(active) < limit and 1.0 - cos > 1e-6:  # a perfect fit needs nothing more
        active, cos = problem.best_addition(active)
        active, cos = problem.refine_by_swaps(active, cos)
        yield [columns[i] for i in active], cos
