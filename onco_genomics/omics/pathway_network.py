"""Pathway-informed sparse network (P-NET's idea, Elmarakeby et al. 2021).

Input features are mapped to gene symbols (``TP53``, ``TP53_mut``, ``HS_TP53``, ...); the
first layer connects each gene only to the Reactome pathways that contain it, the next
layers each pathway only to its parent pathways (a pathway without a parent is carried up
by itself), so every hidden unit is a named pathway. Features that name no Reactome gene
(tissue, copy-number segments, clinical) go through a small dense side branch. Pathway
attributions are gradient x activation at every pathway layer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from torch import nn

from onco_genomics.errors import OncogenError
from onco_genomics.omics.reactome import Reactome, load_reactome

log = logging.getLogger(__name__)

_AFFIXES = re.compile(r"^(?:HS_)|(?:_(?:mut|mutation|cna|cnv|amp|del|expr|exp|rna))$",
                      re.IGNORECASE)


def gene_of(feature: str) -> str:
    """The gene symbol a feature name refers to (``TP53_mut`` -> ``TP53``)."""
    return _AFFIXES.sub("", feature.strip())


@dataclass(frozen=True)
class PathwayLayout:
    """Which input feature feeds which pathway, level by level.

    Attributes
    ----------
    gene_features
        Indices (into the input features) of features mapped to a Reactome gene.
    other_features
        Indices of the remaining features (dense side branch).
    genes
        Gene symbol of each of ``gene_features``.
    levels
        Pathway ids per level (level 0 = pathways with member genes).
    masks
        ``masks[0]``: genes x level-0 pathways; ``masks[k]``: level k-1 x level k (0/1).
    """

    gene_features: np.ndarray
    other_features: np.ndarray
    genes: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    masks: tuple[np.ndarray, ...] = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.masks) != len(self.levels):
            raise ValueError("one mask per level")
        rows = len(self.genes)
        for mask, level in zip(self.masks, self.levels, strict=True):
            if mask.shape != (rows, len(level)):
                raise ValueError(f"mask shape {mask.shape} != {(rows, len(level))}")
            rows = len(level)


def build_layout(feature_names: Sequence[str], *, reactome: Reactome | None = None,
                 n_levels: int = 3, min_genes: int = 3) -> PathwayLayout:
    """Lay out the sparse network for ``feature_names``.

    Level-0 pathways are those containing at least ``min_genes`` of the input genes.
    """
    reactome = reactome or load_reactome()
    members = reactome.gene_pathway
    known = set(members["gene"])
    genes = [gene_of(f) for f in feature_names]
    gene_idx = np.asarray([i for i, g in enumerate(genes) if g in known], dtype=int)
    other_idx = np.asarray([i for i, g in enumerate(genes) if g not in known], dtype=int)
    mapped = [genes[i] for i in gene_idx]
    if len(set(mapped)) < min_genes:
        raise OncogenError(
            f"expected feature names that are gene symbols (TP53, TP53_mut, HS_TP53), found "
            f"{len(set(mapped))} of {len(feature_names)} matching Reactome genes; the pathway "
            "network needs gene-level features")
    sub = members[members["gene"].isin(set(mapped))]
    counts = sub["pathway"].value_counts()
    level0 = sorted(counts.index[counts >= min_genes])
    if not level0:
        raise OncogenError(f"no Reactome pathway holds >= {min_genes} of the input genes")
    positions: dict[str, list[int]] = {}
    for i, g in enumerate(mapped):
        positions.setdefault(g, []).append(i)
    mask0 = np.zeros((len(mapped), len(level0)), dtype=np.float32)
    col = {p: j for j, p in enumerate(level0)}
    for gene, pathway in sub[sub["pathway"].isin(col)].itertuples(index=False):
        for i in positions[gene]:
            mask0[i, col[pathway]] = 1.0
    parents = reactome.hierarchy.groupby("child")["parent"].apply(list).to_dict()
    levels: list[tuple[str, ...]] = [tuple(level0)]
    masks: list[np.ndarray] = [mask0]
    for _ in range(1, n_levels):
        below = levels[-1]
        upper = sorted({p for child in below for p in parents.get(child, [child])})
        up = {p: j for j, p in enumerate(upper)}
        mask = np.zeros((len(below), len(upper)), dtype=np.float32)
        for i, child in enumerate(below):
            for p in parents.get(child, [child]):
                mask[i, up[p]] = 1.0
        levels.append(tuple(upper))
        masks.append(mask)
    log.info("pathway network: %d of %d features -> genes; pathways per level %s",
             len(mapped), len(feature_names), [len(level) for level in levels])
    return PathwayLayout(gene_idx, other_idx, tuple(mapped), tuple(levels), tuple(masks))


class MaskedLinear(nn.Module):
    """A linear layer whose weight is zero outside a fixed 0/1 connectivity mask."""

    mask: torch.Tensor

    def __init__(self, mask: np.ndarray) -> None:
        super().__init__()
        n_in, n_out = mask.shape
        self.linear = nn.Linear(n_in, n_out)
        self.register_buffer("mask", torch.as_tensor(mask.T.copy(), dtype=torch.float32))
        fan_in = self.mask.sum(dim=1).clamp(min=1.0)
        with torch.no_grad():  # scale the init to each unit's true fan-in
            self.linear.weight.mul_(self.mask * (n_in / fan_in)[:, None].sqrt())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.linear(x, self.linear.weight * self.mask, self.linear.bias)


class PathwayEncoder(nn.Module):
    """Genes -> pathways -> parent pathways (sparse), plus a dense branch for other features.

    ``forward(x)`` takes all input features (standardised) and returns a code of
    ``code_size``; ``activations`` holds each pathway layer's output of the last call.
    """

    gene_index: torch.Tensor
    other_index: torch.Tensor

    def __init__(self, layout: PathwayLayout, code_size: int, *, dropout: float = 0.1,
                 other_hidden: int = 16) -> None:
        super().__init__()
        self.layout = layout
        self.register_buffer("gene_index", torch.as_tensor(layout.gene_features))
        self.register_buffer("other_index", torch.as_tensor(layout.other_features))
        self.layers = nn.ModuleList(MaskedLinear(m) for m in layout.masks)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(len(layout.levels[-1]), code_size)
        n_other = int(layout.other_features.size)
        self.other: nn.Module | None = (
            nn.Sequential(nn.Linear(n_other, other_hidden), nn.ReLU(),
                          nn.Linear(other_hidden, code_size)) if n_other else None)
        self.activations: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.index_select(1, self.gene_index)
        self.activations = []
        for layer in self.layers:
            h = torch.tanh(layer(self.dropout(h)))
            self.activations.append(h)
        code = self.head(h)
        if self.other is not None:
            code = code + self.other(x.index_select(1, self.other_index))
        out: torch.Tensor = torch.relu(code)
        return out


def pathway_attributions(encoder: PathwayEncoder, x: torch.Tensor,
                         output: Callable[[torch.Tensor], torch.Tensor], *,
                         names: dict[str, str] | None = None) -> pd.DataFrame:
    """Mean |gradient x activation| of ``output(x).sum()`` at each pathway unit.

    ``output`` maps the encoder's input to the explained scalar per sample (a drug's
    ln(IC50), a risk score) and must run the encoder. Returns columns ``level``,
    ``pathway``, ``name``, ``attribution``, sorted by decreasing attribution.
    """
    encoder.eval()
    x = x.detach().clone().requires_grad_(True)
    result = output(x)
    for act in encoder.activations:
        act.retain_grad()
    result.sum().backward()
    names = names if names is not None else load_reactome().names
    rows = []
    for level, (act, ids) in enumerate(zip(encoder.activations, encoder.layout.levels,
                                           strict=True)):
        grad = act.grad if act.grad is not None else torch.zeros_like(act)
        score = (grad * act).abs().mean(dim=0).detach().numpy()
        rows += [{"level": level, "pathway": pid, "name": names.get(pid, ""),
                  "attribution": float(s)} for pid, s in zip(ids, score, strict=True)]
    return pd.DataFrame(rows).sort_values("attribution", ascending=False,
                                          ignore_index=True)
