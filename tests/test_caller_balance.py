"""Substitution-class balancing of the caller's training loss."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from onco_genomics.caller.network import NetworkOutput
from onco_genomics.caller.train import (
    SUBSTITUTION_CLASSES,
    batch_loss,
    substitution_class,
    substitution_weights,
)


def test_substitution_class_is_pyrimidine_centred() -> None:
    ref = np.array(["C", "G", "T", "A", "C", "A", "CA", "N", "g"])
    alt = np.array(["A", "T", "G", "C", "T", "G", "C", "A", "a"])
    names = [SUBSTITUTION_CLASSES[i] if i >= 0 else None for i in substitution_class(ref, alt)]
    assert names == ["C>A", "C>A", "T>G", "T>G", "C>T", "T>C", None, None, "C>T"]


def test_weights_equalise_classes_and_keep_the_positive_total() -> None:
    # 6 C>T positives, 2 C>A positives, 1 T>G positive, 3 negatives, 1 indel positive
    classes = np.array([2] * 6 + [0] * 2 + [5] + [2, 0, 5] + [-1])
    positive = np.array([True] * 9 + [False] * 3 + [True])
    w = substitution_weights(positive, classes)
    snv_pos = positive & (classes >= 0)
    totals = [w[snv_pos & (classes == c)].sum() for c in (0, 2, 5)]
    assert totals == pytest.approx([3.0, 3.0, 3.0])
    assert w[snv_pos].sum() == pytest.approx(snv_pos.sum())
    assert np.all(w[~positive] == 1.0) and w[-1] == 1.0


def test_weights_without_snv_positives_are_ones() -> None:
    w = substitution_weights(np.array([False, True]), np.array([1, -1]))
    assert np.all(w == 1.0)


def test_weighted_loss_equals_unweighted_for_unit_weights_and_moves_with_weights() -> None:
    gen = torch.Generator().manual_seed(0)
    out = NetworkOutput(type_logits=torch.randn(4, 4, generator=gen),
                        alt_logits=torch.randn(4, 5, generator=gen),
                        length_logits=torch.randn(4, 3, generator=gen))
    types = np.array([0, 1, 1, 0])
    alt = np.array([-1, 2, 0, -1])
    length = np.array([-1, -1, -1, -1])
    plain = batch_loss(out, types, alt, length)
    ones = batch_loss(out, types, alt, length, np.ones(4))
    assert float(plain) == pytest.approx(float(ones), rel=1e-6)
    heavy = batch_loss(out, types, alt, length, np.array([1.0, 10.0, 1.0, 1.0]))
    assert float(heavy) != pytest.approx(float(plain), rel=1e-3)
