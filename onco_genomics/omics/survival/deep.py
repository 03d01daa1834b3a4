"""The torch survival models: DeepSurv (an MLP or a sparse pathway network on the Cox
partial likelihood) and the Chaudhary-style autoencoder-Cox. The only survival module
that imports torch."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
import torch
from scipy.stats import chi2
from sklearn.cluster import KMeans
from sksurv.linear_model import CoxnetSurvivalAnalysis
from torch import nn

from onco_genomics.errors import OncogenError
from onco_genomics.omics.core.model_dir import (
    load_torch_state,
    register_model_kind,
)
from onco_genomics.omics.core.torch_training import TrainConfig, train_module
from onco_genomics.omics.survival.base import SurvivalEstimator, _group_labels, cox_score_statistic
from onco_genomics.omics.survival.outcome import SurvivalOutcome

log = logging.getLogger(__name__)



def cox_partial_likelihood_loss(risk: torch.Tensor, time: torch.Tensor,
                                event: torch.Tensor) -> torch.Tensor:
    """Negative Cox partial log-likelihood (Breslow ties), averaged over events."""
    order = torch.argsort(time, descending=True)
    risk, event = risk[order], event[order]
    log_risk_set = torch.logcumsumexp(risk, dim=0)
    n_events = event.sum().clamp(min=1.0)
    return -((risk - log_risk_set) * event).sum() / n_events


class _FeatureSelectingModule(nn.Module):
    """Full feature vector -> selected, standardised features -> inner network -> risk."""

    selected: torch.Tensor
    mean: torch.Tensor
    scale: torch.Tensor

    def __init__(self, n_features_in: int, selected: np.ndarray, mean: np.ndarray,
                 scale: np.ndarray, inner: nn.Module) -> None:
        super().__init__()
        self.register_buffer("selected", torch.as_tensor(selected, dtype=torch.long))
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))
        self.n_features_in = n_features_in
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xs = (x.index_select(1, self.selected) - self.mean) / self.scale
        out: torch.Tensor = self.inner(xs)
        return out


def _mlp(n_in: int, hidden: tuple[int, ...], n_out: int, dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = n_in
    for h in hidden:
        layers += [nn.Linear(width, h), nn.SELU(), nn.AlphaDropout(dropout)]
        width = h
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


def cox_loss_on_outcome(risk: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """:func:`cox_partial_likelihood_loss` with ``target[:, 0]`` = time, ``target[:, 1]`` = event.

    The shape :func:`~onco_genomics.omics.core.torch_training.train_module` passes to its loss.
    """
    return cox_partial_likelihood_loss(risk.squeeze(-1), target[:, 0], target[:, 1])


def outcome_target(outcome: SurvivalOutcome) -> np.ndarray:
    """(n, 2) float32 array of time and event, the target of :func:`cox_loss_on_outcome`."""
    return np.column_stack([outcome.time, outcome.event.astype(float)]).astype(np.float32)


class _TorchSurvival(SurvivalEstimator):
    """Shared torch plumbing: ``torch_module_`` over the full feature space, ``to_tensor``."""

    torch_module_: _FeatureSelectingModule
    net_: nn.Module

    def _wrap(self) -> None:
        self.torch_module_ = _FeatureSelectingModule(self.n_features_in_, self.selected_,
                                                     self.mean_, self.scale_, _RiskHead(self))
        self.torch_module_.eval()

    def to_tensor(self, X: np.ndarray) -> torch.Tensor:
        """Features (samples x all input features) as the tensor ``torch_module_`` takes."""
        return torch.as_tensor(np.array(X, dtype=np.float32, copy=True))

    def _risk_selected(self, Xs: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self._risk_tensor(torch.as_tensor(Xs, dtype=torch.float32)).numpy()

    def _risk_tensor(self, xs: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


class _RiskHead(nn.Module):
    """Adapter so ``torch_module_`` returns the estimator's risk score, shape (n, 1)."""

    def __init__(self, owner: _TorchSurvival) -> None:
        super().__init__()
        self.net = owner.net_
        self._owner_risk = owner._risk_tensor

    def forward(self, xs: torch.Tensor) -> torch.Tensor:
        return self._owner_risk(xs).unsqueeze(-1)


@register_model_kind
class DeepSurv(_TorchSurvival):
    """DeepSurv (Katzman et al. 2018): an MLP trained on the Cox partial likelihood.

    Parameters
    ----------
    hidden
        Hidden layer widths (SELU, alpha-dropout).
    max_features
        Features kept by univariate Cox score, inside ``fit``.
    encoder
        ``"mlp"``, or ``"pathway"``: the selected features go through the sparse
        genes -> Reactome pathways network of :mod:`onco_genomics.omics.pathway_network`
        (needs ``feature_names`` that are gene symbols), then a linear risk head;
        :meth:`pathway_attributions` reports pathway-level attributions of the risk.
    feature_names
        Names of the input columns (for ``encoder="pathway"``).
    """

    model_kind: ClassVar[str] = "survival/deepsurv"

    def __init__(self, *, hidden: tuple[int, ...] = (64, 32), dropout: float = 0.2,
                 lr: float = 1e-3, weight_decay: float = 1e-2, epochs: int = 200,
                 batch_size: int = 64, patience: int = 20, validation_fraction: float = 0.2,
                 max_features: int | None = 500, n_risk_groups: int = 2,
                 encoder: str = "mlp", feature_names: tuple[str, ...] | None = None,
                 random_state: int = 0) -> None:
        self.hidden = hidden
        self.dropout = dropout
        self.encoder = encoder
        self.feature_names = feature_names
        self.lr = lr
        self.weight_decay = weight_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.max_features = max_features
        self.n_risk_groups = n_risk_groups
        self.random_state = random_state

    def _build(self, n_in: int) -> nn.Module:
        torch.manual_seed(self.random_state)
        if self.encoder == "mlp":
            return _mlp(n_in, tuple(self.hidden), 1, self.dropout)
        if self.encoder != "pathway":
            raise OncogenError(f"unknown encoder {self.encoder!r}; expected mlp or pathway")
        if self.feature_names is None or len(self.feature_names) != self.n_features_in_:
            raise OncogenError("encoder='pathway' needs feature_names, one per input column "
                               "(gene symbols)")
        from onco_genomics.omics.pathway_network import PathwayEncoder, build_layout

        names = [self.feature_names[i] for i in self.selected_]
        code = self.hidden[-1] if self.hidden else 8
        return nn.Sequential(PathwayEncoder(build_layout(names), code, dropout=self.dropout),
                             nn.Linear(code, 1))

    def pathway_attributions(self, X: np.ndarray) -> pd.DataFrame:
        """Mean |gradient x activation| of the risk at each pathway unit over ``X``."""
        from onco_genomics.omics.pathway_network import PathwayEncoder, pathway_attributions

        encoder = self.net_[0] if isinstance(self.net_, nn.Sequential) else None
        if not isinstance(encoder, PathwayEncoder):
            raise OncogenError("pathway attributions need a model trained with "
                               "encoder='pathway'")
        xs = torch.as_tensor(self._transform(X), dtype=torch.float32)
        return pathway_attributions(encoder, xs, lambda inp: self.net_(inp).squeeze(-1))

    def _fit_selected(self, Xs: np.ndarray, outcome: SurvivalOutcome) -> None:
        self.net_ = self._build(Xs.shape[1])
        config = TrainConfig(max_epochs=self.epochs, batch_size=self.batch_size,
                             learning_rate=self.lr, weight_decay=self.weight_decay,
                             patience=self.patience,
                             validation_fraction=self.validation_fraction,
                             seed=self.random_state, device="cpu")
        result = train_module(self.net_, Xs, outcome_target(outcome), loss=cox_loss_on_outcome,
                              config=config, stratify=outcome.event.astype(int))
        self.best_epoch_ = result.best_epoch
        log.info("deepsurv: best epoch %d of %d", result.best_epoch, result.epochs_run)
        self.net_.cpu().eval()
        self._wrap()

    def _risk_tensor(self, xs: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.net_(xs).squeeze(-1)
        return out

    def save_payload(self, directory: Path) -> dict[str, Any]:
        """Write ``deepsurv.pt`` (state_dict) and return the JSON metadata."""
        torch.save(self.net_.state_dict(), directory / "deepsurv.pt")
        params = {**self.get_params(), "hidden": list(self.hidden),
                  "feature_names": (None if self.feature_names is None
                                    else list(self.feature_names))}
        return {**self._common_payload(), "params": params, "weights": "deepsurv.pt",
                "n_selected": int(self.selected_.size)}

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Self:
        """Rebuild from :meth:`save_payload` (weights loaded with ``weights_only=True``)."""
        names = payload["params"].get("feature_names")
        params = {**payload["params"], "hidden": tuple(payload["params"]["hidden"]),
                  "feature_names": None if names is None else tuple(names)}
        model = cls(**params)
        model._restore_common(payload)
        model.net_ = model._build(int(payload["n_selected"]))
        model.net_.load_state_dict(load_torch_state(directory / payload["weights"]))
        model.net_.eval()
        model._wrap()
        return model


class _AutoencoderCoxNet(nn.Module):
    """Encoder, decoder, and the Cox layer and k-means centroids on the kept latent nodes."""

    kept: torch.Tensor
    latent_mean: torch.Tensor
    latent_scale: torch.Tensor
    centroids: torch.Tensor
    centroid_rank: torch.Tensor

    def __init__(self, n_in: int, hidden: int, latent: int, n_kept: int, n_groups: int,
                 dropout: float) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Dropout(dropout), nn.Linear(n_in, hidden), nn.Tanh(),
                                     nn.Linear(hidden, latent), nn.Tanh())
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.Tanh(),
                                     nn.Linear(hidden, n_in))
        self.cox = nn.Linear(n_kept, 1, bias=False)
        self.register_buffer("kept", torch.zeros(n_kept, dtype=torch.long))
        self.register_buffer("latent_mean", torch.zeros(n_kept))
        self.register_buffer("latent_scale", torch.ones(n_kept))
        self.register_buffer("centroids", torch.zeros(n_groups, n_kept))
        self.register_buffer("centroid_rank", torch.zeros(n_groups, dtype=torch.long))

    def forward(self, xs: torch.Tensor) -> torch.Tensor:
        """Risk score of standardised, selected features, shape (n,)."""
        z = self.encoder(xs).index_select(1, self.kept)
        out: torch.Tensor = self.cox((z - self.latent_mean) / self.latent_scale)
        return out.squeeze(-1)


@register_model_kind
class AutoencoderCox(_TorchSurvival):
    """Chaudhary et al. (2018) style: autoencoder, Cox-selected latent nodes, risk clusters.

    1. an autoencoder compresses the (selected, standardised) features to ``latent`` nodes;
    2. latent nodes whose univariate Cox score test has p < ``latent_p`` are kept (at least
       ``min_latent``, by score);
    3. k-means (k = ``n_risk_groups``) on the kept nodes gives risk groups, ordered by the
       groups' observed hazard; new samples go to the nearest centroid;
    4. a ridge-penalised Cox model on the kept nodes gives the continuous risk score.

    All four steps run inside ``fit``, so cross-validation keeps every selection in its fold
    (the leakage that inflated the original study's C-index from ~0.56 to 0.68).
    """

    model_kind: ClassVar[str] = "survival/autoencoder-cox"

    def __init__(self, *, hidden: int = 256, latent: int = 50, dropout: float = 0.2,
                 lr: float = 1e-3, epochs: int = 200, latent_p: float = 0.05,
                 min_latent: int = 3, cox_penalty: float = 1.0,
                 max_features: int | None = 2000, n_risk_groups: int = 2,
                 random_state: int = 0) -> None:
        self.hidden = hidden
        self.latent = latent
        self.dropout = dropout
        self.lr = lr
        self.epochs = epochs
        self.latent_p = latent_p
        self.min_latent = min_latent
        self.cox_penalty = cox_penalty
        self.max_features = max_features
        self.n_risk_groups = n_risk_groups
        self.random_state = random_state

    def _build(self, n_in: int, n_kept: int) -> _AutoencoderCoxNet:
        torch.manual_seed(self.random_state)
        return _AutoencoderCoxNet(n_in, self.hidden, self.latent, n_kept, self.n_risk_groups,
                                  self.dropout)

    net_: _AutoencoderCoxNet

    def _latent(self, xs: torch.Tensor) -> torch.Tensor:
        net = self.net_
        z = net.encoder(xs).index_select(1, net.kept)
        return (z - net.latent_mean) / net.latent_scale

    def _fit_selected(self, Xs: np.ndarray, outcome: SurvivalOutcome) -> None:
        n_in = Xs.shape[1]
        ae = self._build(n_in, 1)
        autoencoder = nn.Sequential(ae.encoder, ae.decoder)
        config = TrainConfig(max_epochs=self.epochs, batch_size=64, learning_rate=self.lr,
                             weight_decay=1e-4, patience=20, validation_fraction=0.1,
                             seed=self.random_state, device="cpu")
        result = train_module(autoencoder, Xs, Xs.astype(np.float32),
                              loss=nn.functional.mse_loss, config=config)
        log.info("autoencoder: best epoch %d, validation MSE %.3f", result.best_epoch,
                 min(result.validation_loss, default=float("nan")))
        autoencoder.cpu().eval()
        x = torch.as_tensor(Xs, dtype=torch.float32)
        with torch.no_grad():
            z = ae.encoder(x).numpy().astype(float)
        stat = cox_score_statistic(z, outcome.time, outcome.event)
        pvals = chi2.sf(stat, df=1)
        kept = np.flatnonzero(pvals < self.latent_p)
        if kept.size < self.min_latent:
            kept = np.sort(np.argsort(-stat)[: self.min_latent])
        self.latent_pvalues_ = pvals
        zk = z[:, kept]
        zmean, zscale = zk.mean(axis=0), zk.std(axis=0)
        zscale = np.where(zscale > 1e-12, zscale, 1.0)
        zs = (zk - zmean) / zscale
        cox = CoxnetSurvivalAnalysis(l1_ratio=1e-3, alphas=[self.cox_penalty * 1e-1],
                                     max_iter=20000).fit(zs, outcome.to_structured())
        beta = np.asarray(cox.coef_[:, -1], dtype=float)
        kmeans = KMeans(self.n_risk_groups, n_init=10, random_state=self.random_state).fit(zs)
        # order clusters by mean Cox risk of their members: rank 0 = lowest risk
        cluster_risk = [float((zs[kmeans.labels_ == k] @ beta).mean())
                        for k in range(self.n_risk_groups)]
        rank = np.argsort(np.argsort(cluster_risk))
        net = self._build(n_in, kept.size)
        net.encoder.load_state_dict(ae.encoder.state_dict())
        net.decoder.load_state_dict(ae.decoder.state_dict())
        with torch.no_grad():
            net.cox.weight.copy_(torch.as_tensor(beta[None, :], dtype=torch.float32))
            net.kept.copy_(torch.as_tensor(kept))
            net.latent_mean.copy_(torch.as_tensor(zmean, dtype=torch.float32))
            net.latent_scale.copy_(torch.as_tensor(zscale, dtype=torch.float32))
            net.centroids.copy_(torch.as_tensor(kmeans.cluster_centers_, dtype=torch.float32))
            net.centroid_rank.copy_(torch.as_tensor(rank))
        net.eval()
        self.net_ = net
        log.info("autoencoder-cox: %d of %d latent nodes kept (p < %g)", kept.size,
                 self.latent, self.latent_p)
        self._wrap()

    def _risk_tensor(self, xs: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.net_(xs)
        return out

    def risk_group(self, X: np.ndarray) -> np.ndarray:
        """Risk group by nearest k-means centroid in the kept latent space."""
        with torch.no_grad():
            z = self._latent(torch.as_tensor(self._transform(X), dtype=torch.float32))
            nearest = torch.cdist(z, self.net_.centroids).argmin(dim=1)
            codes = self.net_.centroid_rank[nearest].numpy()
        return _group_labels(codes, self.n_risk_groups)

    def save_payload(self, directory: Path) -> dict[str, Any]:
        """Write ``autoencoder_cox.pt`` and return the JSON metadata."""
        torch.save(self.net_.state_dict(), directory / "autoencoder_cox.pt")
        return {**self._common_payload(), "weights": "autoencoder_cox.pt",
                "n_selected": int(self.selected_.size), "n_kept": int(self.net_.kept.numel())}

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Self:
        """Rebuild from :meth:`save_payload` (weights loaded with ``weights_only=True``)."""
        model = cls(**payload["params"])
        model._restore_common(payload)
        model.net_ = model._build(int(payload["n_selected"]), int(payload["n_kept"]))
        model.net_.load_state_dict(load_torch_state(directory / payload["weights"]))
        model.net_.eval()
        model._wrap()
        return model
