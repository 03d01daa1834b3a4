"""Batched scoring of pileup tensors on CPU or GPU.

CPU and CUDA results agree to within float32 rounding of the convolutions: probabilities
differ by less than ``1e-4`` absolute (QUAL by less than 0.1 except where it is capped),
which is the tolerance the project documents in docs/caller.md. Calls can therefore only
differ between devices for a candidate whose probability sits within 1e-4 of the
threshold.

torch is imported on first use, not with this module, so that ``oncogen call --threads N``
can start its scanning workers before the (slow) torch import; see
:mod:`onco_genomics.caller.calling`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from onco_genomics.errors import OptionsError

if TYPE_CHECKING:
    import torch

    from onco_genomics.caller.model import CallerModel

log = logging.getLogger(__name__)

DeviceName = Literal["auto", "cpu", "cuda"]
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda")
#: candidates scored per forward pass
DEFAULT_BATCH_SIZE = 1024


def resolve_device(name: str) -> torch.device:
    """``auto`` -> CUDA when torch sees a GPU, else CPU; ``cuda`` without one is an error."""
    if name not in DEVICES:
        raise OptionsError(f"--device must be one of {', '.join(DEVICES)}, found {name!r}")
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise OptionsError(
            "--device cuda was requested but torch sees no CUDA GPU (torch "
            f"{torch.__version__}, CUDA build: {torch.version.cuda or 'none'}); install a CUDA "
            "build of torch on a machine with an NVIDIA GPU, or use --device auto/cpu"
        )
    return torch.device(name)


def score_tensors(model: CallerModel, tensors: np.ndarray, vartypes: Sequence[str],
                  refs: Sequence[str], alts: Sequence[str], *,
                  batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
    """Somatic probability per candidate allele.

    Parameters
    ----------
    model
        A loaded caller model (its network sits on the device to use).
    tensors
        ``(N, channels, window)`` float32 pileup tensors.
    vartypes, refs, alts
        The candidates' type (SNV/INS/DEL) and VCF alleles, in tensor order.
    batch_size
        Candidates per forward pass.

    Returns
    -------
    numpy.ndarray
        ``(N,)`` float64 probabilities, calibrated where the model carries a calibration
        (:func:`calibrate`).
    """
    if tensors.ndim != 3 or tensors.shape[1:] != (model.config.in_channels, model.config.window):
        raise ValueError(f"expected tensors (N, {model.config.in_channels}, "
                         f"{model.config.window}), got {tensors.shape}")
    n = tensors.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.float64)
    if not len(vartypes) == len(refs) == len(alts) == n:
        raise ValueError("one type and one REF/ALT pair per tensor expected")
    import torch

    from onco_genomics.caller.network import VARIANT_CLASSES, allele_probability

    type_index = np.array([VARIANT_CLASSES.index(v) for v in vartypes], dtype=np.int64)
    model.network.eval()
    device = model.device
    out = np.empty(n, dtype=np.float64)
    with torch.no_grad():
        for start in range(0, n, batch_size):
            stop = min(start + batch_size, n)
            x = torch.from_numpy(np.ascontiguousarray(tensors[start:stop], dtype=np.float32))
            output = model.network(x.to(device))
            out[start:stop] = allele_probability(output, type_index[start:stop])
    return calibrate(out, vartypes, model.calibration) if model.calibration else out


def calibrate(probs: np.ndarray, vartypes: Sequence[str],
              calibration: Mapping[str, tuple[float, float]]) -> np.ndarray:
    """Platt calibration per variant type: ``sigmoid(slope * logit(p) + intercept)``.

    Types without an entry keep their probability. Monotone within a type, so it changes
    which calls pass a threshold only between types.
    """
    out = np.asarray(probs, dtype=np.float64).copy()
    types = np.asarray(vartypes)
    clipped = np.clip(out, 1e-7, 1 - 1e-7)
    logit = np.log(clipped / (1 - clipped))
    for vartype, (slope, intercept) in calibration.items():
        hit = types == vartype
        out[hit] = 1.0 / (1.0 + np.exp(-(slope * logit[hit] + intercept)))
    return out


def phred_quality(prob: np.ndarray, *, cap: float = 99.0) -> np.ndarray:
    """QUAL = -10 log10(1 - p), capped at ``cap`` and rounded to 0.01."""
    error = np.clip(1.0 - np.asarray(prob, dtype=np.float64), 10 ** (-cap / 10), 1.0)
    return np.round(np.minimum(-10.0 * np.log10(error), cap), 2) + 0.0
