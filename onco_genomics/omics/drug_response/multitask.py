"""The DeepDR-style multitask network (a cell-line encoder shared by all drugs, a code per
drug): the only drug-response module that imports torch."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
import torch
from torch import nn

from onco_genomics.errors import OncogenError
from onco_genomics.omics.core.model_dir import (
    load_torch_state,
    register_model_kind,
)
from onco_genomics.omics.core.torch_training import TrainConfig, train_module
from onco_genomics.omics.drug_response.base import DrugResponseModel, _pairs_check
from onco_genomics.omics.drug_response.data import DrugResponseData

log = logging.getLogger(__name__)


class MultitaskNet(nn.Module):
    """Cell encoder shared by all drugs; one code and bias per drug.

    ``forward(cells)`` (standardised cell features, (n, n_in)) returns ln(IC50) for every
    training drug, shape (n, n_drugs).
    """

    drug_features: torch.Tensor

    def __init__(self, cell_encoder: nn.Module, code_size: int, n_drugs: int,
                 drug_features: np.ndarray | None, drug_hidden: int = 64) -> None:
        super().__init__()
        self.cell_encoder = cell_encoder
        self.drug_code = nn.Embedding(n_drugs, code_size)
        nn.init.normal_(self.drug_code.weight, std=0.05)
        self.drug_bias = nn.Parameter(torch.zeros(n_drugs))
        self.sensitivity = nn.Linear(code_size, 1)
        n_drug_features = 0 if drug_features is None else drug_features.shape[1]
        self.drug_encoder: nn.Module | None = None
        if n_drug_features:
            self.drug_encoder = nn.Sequential(nn.Linear(n_drug_features, drug_hidden),
                                              nn.ReLU(), nn.Linear(drug_hidden, code_size))
        self.register_buffer("drug_features", torch.tensor(
            np.zeros((n_drugs, 0)) if drug_features is None else drug_features,
            dtype=torch.float32))

    def codes(self, drug_features: torch.Tensor | None = None) -> torch.Tensor:
        """Drug codes of the training drugs, or of new drugs from their features."""
        if drug_features is not None:
            if self.drug_encoder is None:
                raise OncogenError("this model was trained without drug features")
            out: torch.Tensor = self.drug_encoder(drug_features)
            return out
        codes: torch.Tensor = self.drug_code.weight
        if self.drug_encoder is not None:
            codes = codes + self.drug_encoder(self.drug_features)
        return codes

    def cell_code(self, cells: torch.Tensor) -> torch.Tensor:
        """Code of each cell line, (n, code_size)."""
        out: torch.Tensor = self.cell_encoder(cells)
        return out

    def forward(self, cells: torch.Tensor) -> torch.Tensor:
        z = self.cell_code(cells)
        out: torch.Tensor = z @ self.codes().T + self.drug_bias + self.sensitivity(z)
        return out


class _RawInput(nn.Module):
    """Raw cell features (all input columns) -> standardised used features -> network."""

    used: torch.Tensor
    mean: torch.Tensor
    scale: torch.Tensor

    def __init__(self, net: MultitaskNet, used: np.ndarray, mean: np.ndarray,
                 scale: np.ndarray) -> None:
        super().__init__()
        self.net = net
        self.register_buffer("used", torch.as_tensor(used, dtype=torch.long))
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.net((x.index_select(1, self.used) - self.mean) / self.scale)
        return out


def masked_mse(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error over the measured (non-NaN) entries of ``target``."""
    measured = torch.isfinite(target)
    diff = torch.where(measured, prediction - torch.nan_to_num(target), 0.0)
    return (diff * diff).sum() / measured.sum().clamp(min=1)


@register_model_kind
class MultitaskDrugResponse(DrugResponseModel):
    """DeepDR-style multi-task network over the cell lines x drugs response matrix.

    Parameters
    ----------
    hidden
        Widths of the cell encoder's hidden layers.
    code_size
        Size of cell and drug codes.
    encoder
        ``"mlp"``, or ``"pathway"``: the sparse genes -> Reactome pathways encoder of
        :mod:`onco_genomics.omics.pathway_network` (features named by gene symbol, e.g.
        ``TP53_mut``; other features through a dense side branch);
        :meth:`pathway_attributions` then reports pathway-level attributions.
    """

    model_kind: ClassVar[str] = "drug-response/multitask"

    def __init__(self, *, hidden: tuple[int, ...] = (256,), code_size: int = 32,
                 dropout: float = 0.3, lr: float = 1e-3, weight_decay: float = 1e-4,
                 epochs: int = 300, batch_size: int = 32, patience: int = 30,
                 encoder: str = "mlp", min_feature_count: int = 5,
                 random_state: int = 0) -> None:
        self.hidden = hidden
        self.code_size = code_size
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.patience = patience
        self.encoder = encoder
        self.min_feature_count = min_feature_count
        self.random_state = random_state

    def _build(self, drug_features: np.ndarray | None) -> MultitaskNet:
        torch.manual_seed(self.random_state)
        n_in = int(self.used_features_.size)
        if self.encoder == "pathway":
            from onco_genomics.omics.pathway_network import PathwayEncoder, build_layout

            names = [self.feature_names_[i] for i in self.used_features_]
            cell_encoder: nn.Module = PathwayEncoder(build_layout(names), self.code_size,
                                                     dropout=self.dropout)
        elif self.encoder == "mlp":
            layers: list[nn.Module] = []
            width = n_in
            for h in self.hidden:
                layers += [nn.Linear(width, h), nn.ReLU(), nn.Dropout(self.dropout)]
                width = h
            layers += [nn.Linear(width, self.code_size), nn.ReLU()]
            cell_encoder = nn.Sequential(*layers)
        else:
            raise OncogenError(f"unknown encoder {self.encoder!r}; expected mlp or pathway")
        return MultitaskNet(cell_encoder, self.code_size, len(self.drugs_), drug_features)

    def _drug_feature_matrix(self, drug_features: pd.DataFrame, drugs: list[str]) -> np.ndarray:
        table = drug_features.copy()
        table.index = pd.Index(table.index.astype(str))
        values = table.reindex(index=drugs, columns=self.drug_feature_names_)
        return values.fillna(0.0).to_numpy(dtype=np.float32)

    def fit(self, data: DrugResponseData) -> Self:
        """Train on the cell lines x drugs matrix (masked MSE), early-stopped on held-out
        cell lines."""
        self._fit_common(data)
        cells = data.cell_lines
        X = self._cell_matrix(data.cell_features, cells).astype(np.float32)
        Y = data.matrix(cells, self.drugs_).astype(np.float32)
        drug_feats = (None if data.drug_features is None
                      else self._drug_feature_matrix(data.drug_features, self.drugs_))
        self.net_ = self._build(drug_feats)
        with torch.no_grad():
            self.net_.drug_bias.copy_(torch.tensor(self.drug_mean_, dtype=torch.float32))
        config = TrainConfig(max_epochs=self.epochs, batch_size=self.batch_size,
                             learning_rate=self.lr, weight_decay=self.weight_decay,
                             patience=self.patience, validation_fraction=0.15,
                             seed=self.random_state, device="cpu")
        result = train_module(self.net_, X, Y, loss=masked_mse, config=config)
        self.best_epoch_ = result.best_epoch
        log.info("multitask: best epoch %d of %d, validation MSE %.3f", result.best_epoch,
                 result.epochs_run, min(result.validation_loss, default=float("nan")))
        self.net_.cpu().eval()
        self._wrap()
        return self

    def _wrap(self) -> None:
        self.torch_module_ = _RawInput(self.net_, self.used_features_, self.mean_, self.scale_)
        self.torch_module_.eval()

    def to_tensor(self, X: np.ndarray | pd.DataFrame) -> torch.Tensor:
        """Raw cell features (all input columns, in ``feature_names_`` order) as a tensor."""
        if isinstance(X, pd.DataFrame):
            X = X.reindex(columns=self.feature_names_).to_numpy(dtype=np.float32)
        return torch.as_tensor(np.array(X, dtype=np.float32, copy=True))

    def predict(self, cell_features: pd.DataFrame, pairs: pd.DataFrame, *,
                drug_features: pd.DataFrame | None = None) -> np.ndarray:
        """Network prediction per pair; unseen drugs from drug features or the mean drug."""
        _pairs_check(pairs)
        cells = pd.Index(pairs["cell_line"].astype(str).unique())
        x = torch.as_tensor(self._cell_matrix(cell_features, list(cells)), dtype=torch.float32)
        rows = cells.get_indexer(pairs["cell_line"].astype(str))
        idx = self._drug_index(pairs["drug"])
        with torch.no_grad():
            z = self.net_.cell_code(x)
            seen = (z @ self.net_.codes().T + self.net_.drug_bias
                    + self.net_.sensitivity(z)).numpy()
            out = np.empty(len(pairs))
            known = idx >= 0
            out[known] = seen[rows[known], idx[known]]
            if (~known).any():
                new_drugs = sorted(set(pairs.loc[~known, "drug"].astype(str)))
                if self.drug_feature_names_ and drug_features is not None:
                    feats = torch.as_tensor(self._drug_feature_matrix(drug_features, new_drugs))
                    codes = self.net_.codes(feats)
                else:
                    codes = self.net_.codes().mean(dim=0, keepdim=True).expand(
                        len(new_drugs), -1)
                bias = float(self.net_.drug_bias.mean())
                new = (z @ codes.T + bias + self.net_.sensitivity(z)).numpy()
                unseen = pd.Index(pairs.loc[~known, "drug"].astype(str))
                col = pd.Index(new_drugs).get_indexer(unseen)
                out[~known] = new[rows[~known], col]
        return out

    def pathway_attributions(self, cell_features: pd.DataFrame, drug: str) -> pd.DataFrame:
        """Pathway-level attributions of ``drug``'s predicted ln(IC50) (``encoder="pathway"``).

        Mean |gradient x activation| per pathway unit over the given cell lines.
        """
        from onco_genomics.omics.pathway_network import PathwayEncoder, pathway_attributions

        encoder = self.net_.cell_encoder
        if not isinstance(encoder, PathwayEncoder):
            raise OncogenError("pathway attributions need a model trained with "
                               "encoder='pathway'")
        if drug not in self.drugs_:
            raise OncogenError(f"unknown drug {drug!r}; the model knows {len(self.drugs_)} "
                               "training drugs")
        d = self.drugs_.index(drug)
        x = torch.as_tensor(self._cell_matrix(cell_features, list(cell_features.index)),
                            dtype=torch.float32)
        return pathway_attributions(encoder, x, lambda inp: self.net_(inp)[:, d])

    def save_payload(self, directory: Path) -> dict[str, Any]:
        """Write ``multitask.pt`` (state_dict) and the JSON metadata."""
        torch.save(self.net_.state_dict(), directory / "multitask.pt")
        params = {**self.get_params(), "hidden": list(self.hidden)}
        return {**self._common_payload(), "params": params, "weights": "multitask.pt"}

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Self:
        """Rebuild from :meth:`save_payload` (``weights_only=True``)."""
        params = {**payload["params"], "hidden": tuple(payload["params"]["hidden"])}
        model = cls(**params)
        model._restore_common(payload)
        state = load_torch_state(directory / payload["weights"])
        n_drug_features = int(state["drug_features"].shape[1])
        model.net_ = model._build(np.zeros((len(model.drugs_), n_drug_features), np.float32)
                                  if n_drug_features else None)
        model.net_.load_state_dict(state)
        model.net_.eval()
        model._wrap()
        return model
