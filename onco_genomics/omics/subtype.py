"""Unsupervised subtype discovery: consensus clustering over resampled NMF runs.

For each k, NMF (scikit-learn, ``nndsvda`` init) is run on ``n_resamples`` random
subsets of the samples; each run assigns every sampled sample to its largest metagene.
The consensus matrix holds, for each pair of samples, how often they fell in the same
cluster among the runs that sampled both (Monti et al. 2003; Brunet et al. 2004). The
consensus is cut into k clusters by average linkage on ``1 - consensus``; k is chosen by
the mean of the cophenetic correlation (stability, Brunet) and the mean silhouette width
on ``1 - consensus`` (separation), ties to the smaller k.

NMF needs non-negative input: the ``n_genes`` most variable genes of the log expression
are shifted per gene to a minimum of zero.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from onco_genomics.errors import OptionsError, TableFormatError
from onco_genomics.io.atomic import atomic_path
from onco_genomics.progress import Progress

log = logging.getLogger(__name__)


def parse_k_range(text: str) -> list[int]:
    """``"2..8"`` / ``"2-8"`` / ``"3,5,7"`` -> list of k >= 2.

    Examples
    --------
    >>> parse_k_range("2..5"), parse_k_range("3,6")
    ([2, 3, 4, 5], [3, 6])
    """
    text = text.strip()
    match = re.fullmatch(r"(\d+)\s*(?:\.\.|-|:)\s*(\d+)", text)
    try:
        values = (list(range(int(match.group(1)), int(match.group(2)) + 1)) if match
                  else [int(v) for v in text.split(",") if v.strip()])
    except ValueError as err:
        raise OptionsError(f"expected -k like 2..8 or 3,4,5; got {text!r}") from err
    if not values or min(values) < 2:
        raise OptionsError(f"expected k values >= 2 (e.g. 2..8); got {text!r}")
    return sorted(set(values))


@dataclass(frozen=True)
class SubtypeDiscovery:
    """Result of :func:`discover_subtypes`.

    Attributes
    ----------
    scores
        One row per k: ``cophenetic``, ``silhouette``, ``score`` (their mean).
    best_k
        The chosen k.
    assignments
        Sample -> cluster name (``C1``..``Ck``) at ``best_k``.
    consensus
        samples x samples consensus matrix at ``best_k`` (values in [0, 1]).
    """

    scores: pd.DataFrame
    best_k: int
    assignments: pd.Series
    consensus: pd.DataFrame

    def __post_init__(self) -> None:
        if self.best_k not in self.scores.index:
            raise ValueError("best_k must be one of the scored k")
        if self.consensus.shape != (len(self.assignments), len(self.assignments)):
            raise ValueError("consensus must be samples x samples")
        if self.assignments.nunique() > self.best_k:
            raise ValueError("more clusters than best_k")

    def write(self, directory: str | os.PathLike[str]) -> Path:
        """Write ``assignments.tsv``, ``k_scores.tsv`` and ``consensus_heatmap.png`` into
        ``directory``, all three or none."""
        from onco_genomics.io.atomic import atomic_outputs
        from onco_genomics.io.tables import write_table

        output = Path(directory)
        with atomic_outputs() as files:  # all three or none
            write_table(self.assignments.to_frame(), files.file(output / "assignments.tsv"))
            write_table(self.scores, files.file(output / "k_scores.tsv"))
            plot_consensus(self, files.file(output / "consensus_heatmap.png"))
        return output


def _nmf_input(expression: pd.DataFrame, n_genes: int) -> np.ndarray:
    values = expression.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        raise TableFormatError("expected finite expression values for subtype discovery; "
                               "impute or drop NaNs first (--nan-policy)")
    variance = values.var(axis=0)
    keep = np.argsort(-variance, kind="stable")[:n_genes]
    chosen = values[:, keep]
    return chosen - chosen.min(axis=0)


def _cluster_consensus(consensus: np.ndarray, k: int) -> tuple[np.ndarray, float, float]:
    from scipy.cluster.hierarchy import cophenet, fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.metrics import silhouette_score

    distance = 1.0 - consensus
    np.fill_diagonal(distance, 0.0)
    condensed = squareform(distance, checks=False)
    tree = linkage(condensed, method="average")
    cophenetic = float(cophenet(tree, condensed)[0])
    labels = fcluster(tree, t=k, criterion="maxclust")
    silhouette = (float(silhouette_score(distance, labels, metric="precomputed"))
                  if 1 < len(set(labels)) < len(labels) else 0.0)
    return labels, (cophenetic if np.isfinite(cophenetic) else 0.0), silhouette


def consensus_matrix(data: np.ndarray, k: int, *, n_resamples: int, subsample: float,
                     seed: int) -> np.ndarray:
    """Co-clustering frequency of sample pairs over resampled NMF runs."""
    from sklearn.decomposition import NMF

    n = data.shape[0]
    together = np.zeros((n, n))
    sampled = np.zeros((n, n))
    rng = np.random.default_rng(seed)
    size = max(k + 1, round(subsample * n))
    for run in range(n_resamples):
        rows = np.sort(rng.choice(n, size=min(size, n), replace=False))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning on short runs is expected
            weights = NMF(n_components=k, init="nndsvda", max_iter=300,
                          random_state=seed + run).fit_transform(data[rows])
        labels = weights.argmax(axis=1)
        same = (labels[:, None] == labels[None, :]).astype(float)
        together[np.ix_(rows, rows)] += same
        sampled[np.ix_(rows, rows)] += 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        consensus = np.where(sampled > 0, together / sampled, 0.0)
    np.fill_diagonal(consensus, 1.0)
    return consensus


def discover_subtypes(expression: pd.DataFrame, *, k_values: list[int] | None = None,
                      n_resamples: int = 30, subsample: float = 0.8, n_genes: int = 1000,
                      seed: int = 0) -> SubtypeDiscovery:
    """Consensus NMF clustering of samples for each k; choose k.

    Parameters
    ----------
    expression
        Samples x genes, log scale.
    k_values
        Cluster numbers to try (default 2..8).
    n_resamples
        NMF runs per k.
    subsample
        Share of samples drawn in each run.
    n_genes
        Most variable genes used.
    seed
        Seeds the resampling and NMF.
    """
    ks = sorted(set(k_values or range(2, 9)))
    n = len(expression)
    if n < 6:
        raise TableFormatError(f"expected at least 6 samples for subtype discovery, got {n}")
    too_big = [k for k in ks if k >= n // 2]
    if too_big:
        raise OptionsError(f"k must be below half the samples ({n}); drop k {too_big}")
    if not 0.3 <= subsample <= 1.0:
        raise OptionsError(f"subsample must be in [0.3, 1], got {subsample}")
    data = _nmf_input(expression, n_genes)
    rows = []
    results = {}
    with Progress(len(ks), "k values", enabled=False) as progress:
        for k in ks:
            consensus = consensus_matrix(data, k, n_resamples=n_resamples, subsample=subsample,
                                         seed=seed)
            labels, cophenetic, silhouette = _cluster_consensus(consensus, k)
            results[k] = (consensus, labels)
            rows.append({"k": k, "cophenetic": cophenetic, "silhouette": silhouette,
                         "score": (cophenetic + silhouette) / 2})
            log.info("k=%d: cophenetic %.3f, silhouette %.3f", k, cophenetic, silhouette)
            progress.update(1)
    scores = pd.DataFrame(rows).set_index("k")
    best_k = int(scores.index[int(np.argmax(scores["score"].to_numpy()))])
    consensus, labels = results[best_k]
    # name clusters by size, largest first
    sizes = pd.Series(labels).value_counts()
    names = {label: f"C{rank}" for rank, label in enumerate(sizes.index, start=1)}
    samples = pd.Index(expression.index.astype(str), name="sample")
    assignments = pd.Series([names[label] for label in labels], index=samples, name="subtype")
    return SubtypeDiscovery(scores=scores, best_k=best_k, assignments=assignments,
                            consensus=pd.DataFrame(consensus, index=samples, columns=samples))


def plot_consensus(discovery: SubtypeDiscovery, path: str | os.PathLike[str]) -> None:
    """Consensus heatmap at the chosen k, samples ordered by cluster, with the k scores."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = discovery.assignments.sort_values(kind="stable").index
    matrix = discovery.consensus.loc[order, order].to_numpy()
    fig, (heat, curve) = plt.subplots(1, 2, figsize=(10, 4.5),
                                      gridspec_kw={"width_ratios": [1.3, 1]})
    image = heat.imshow(matrix, cmap="Blues", vmin=0, vmax=1, interpolation="nearest")
    heat.set_title(f"consensus at k={discovery.best_k}")
    heat.set_xticks([])
    heat.set_yticks([])
    bounds = discovery.assignments.loc[order].to_numpy()
    for edge in np.flatnonzero(bounds[1:] != bounds[:-1]) + 0.5:
        heat.axhline(edge, color="red", lw=0.8)
        heat.axvline(edge, color="red", lw=0.8)
    fig.colorbar(image, ax=heat, fraction=0.046, label="co-clustering frequency")
    scores = discovery.scores
    curve.plot(scores.index, scores["cophenetic"], "o-", label="cophenetic")
    curve.plot(scores.index, scores["silhouette"], "s-", label="silhouette")
    curve.axvline(discovery.best_k, color="grey", ls="--")
    curve.set_xlabel("k")
    curve.legend()
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
