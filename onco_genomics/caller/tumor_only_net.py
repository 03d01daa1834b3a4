"""The tumor-only network: a residual 1-D CNN over the tumor's pileup plus context inputs.

Input: ``(batch, channels, column)`` tensors holding the encoder's reference, allele and
``tumor_*`` channels (:func:`~onco_genomics.caller.tumor_only_model.tumor_only_channels`)
and ``(batch, context)`` features
(:data:`~onco_genomics.caller.tumor_only_model.CONTEXT_FEATURES`). The tower's centre,
mean and max over columns are concatenated with the context, passed through one hidden
layer and mapped to the logits of three classes (artefact, germline, somatic).
"""

from __future__ import annotations

import torch
from torch import nn

from onco_genomics.caller.network import pool_columns, residual_stem, residual_tower
from onco_genomics.caller.tumor_only_model import TUMOR_ONLY_CLASSES, TumorOnlyConfig


class TumorOnlyNet(nn.Module):
    """Residual CNN with a context input and a three-class head.

    Examples
    --------
    >>> net = TumorOnlyNet(TumorOnlyConfig(in_channels=8, window=41))
    >>> tuple(net(torch.zeros(2, 8, 41), torch.zeros(2, 6)).shape)
    (2, 3)
    """

    def __init__(self, config: TumorOnlyConfig) -> None:
        super().__init__()
        self.config = config
        width = config.width
        self.stem = residual_stem(config.in_channels, width)
        self.tower = residual_tower(width, config.blocks)
        self.context = nn.Sequential(nn.Linear(config.context, 16), nn.ReLU())
        self.shared = nn.Sequential(
            nn.Linear(3 * width + 16, config.hidden),
            nn.ReLU(),
            nn.Dropout(config.dropout),
        )
        self.head = nn.Linear(config.hidden, len(TUMOR_ONLY_CLASSES))

    def forward(self, x: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        if x.ndim != 3 or x.shape[1] != self.config.in_channels:
            raise ValueError(f"expected input (batch, {self.config.in_channels}, columns), "
                             f"got {tuple(x.shape)}")
        if context.shape != (x.shape[0], self.config.context):
            raise ValueError(f"expected context ({x.shape[0]}, {self.config.context}), got "
                             f"{tuple(context.shape)}")
        pooled = torch.cat([pool_columns(self.tower(self.stem(x))), self.context(context)],
                           dim=1)
        return self.head(self.shared(pooled))
