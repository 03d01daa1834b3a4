"""Caller model files: a torch ``state_dict`` plus JSON metadata, loaded without executing code.

A model is a folder::

    model.json    format, kind, oncogen version, encoder spec, network config,
                  decision threshold, training data summary, held-out metrics
    weights.pt    the network's state_dict (loaded with ``torch.load(weights_only=True)``)

Loading refuses a model whose encoder spec (version, window, channel layout,
normalisation) differs from the installed encoder's, so a model can never silently read
tensors laid out differently from those it was trained on.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from onco_genomics import __version__
from onco_genomics.caller.metadata import (
    FORMAT_VERSION,
    METADATA_NAME,
    MODEL_FORMAT,
    MODEL_KIND,
    WEIGHTS_NAME,
    canonical_spec,
    check_encoder,
    default_model_path,
    model_encoder_version,
    parse_calibration,
    read_metadata,
)
from onco_genomics.caller.network import NetworkConfig, SomaticNet
from onco_genomics.errors import ModelError
from onco_genomics.io.atomic import atomic_path

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class CallerModel:
    """A loaded caller network with its metadata.

    Attributes
    ----------
    network
        The torch module in eval mode, on ``device``.
    config
        Its shape.
    encoder
        The encoder spec it was trained with (JSON form).
    threshold
        Probability at or above which a call is PASS (below: LowQual).
    calibration
        Variant type -> (slope, intercept) of the Platt calibration applied to the
        network's probability (:func:`~onco_genomics.caller.metadata.parse_calibration`);
        empty: uncalibrated.
    metadata
        The full ``model.json`` content.
    path
        Where it was loaded from (None if built in memory).
    """

    network: SomaticNet
    config: NetworkConfig
    encoder: Mapping[str, Any]
    threshold: float = 0.5
    metadata: Mapping[str, Any] = field(default_factory=dict)
    path: Path | None = None
    calibration: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ModelError(f"model threshold must be in (0, 1), found {self.threshold}")

    @property
    def device(self) -> torch.device:
        return next(self.network.parameters()).device


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_caller_model(directory: str | Path, network: SomaticNet, *,
                      encoder: Mapping[str, Any], threshold: float = 0.5,
                      training: Mapping[str, Any] | None = None,
                      metrics: Mapping[str, Any] | None = None) -> Path:
    """Write ``weights.pt`` and ``model.json`` into ``directory`` (created if needed).

    Returns
    -------
    pathlib.Path
        The folder.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in network.state_dict().items()}
    weights = folder / WEIGHTS_NAME
    with atomic_path(weights) as tmp:
        torch.save(state, tmp)
    metadata = {
        "format": MODEL_FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": MODEL_KIND,
        "oncogen_version": __version__,
        "weights": WEIGHTS_NAME,
        "weights_sha256": _sha256(weights),
        "parameters": sum(int(v.numel()) for v in state.values()),
        "network": network.config.to_json(),
        "encoder": canonical_spec(encoder),
        "threshold": float(threshold),
        "training": dict(training or {}),
        "metrics": dict(metrics or {}),
    }
    with atomic_path(folder / METADATA_NAME) as tmp:
        tmp.write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
    for path in (weights, folder / METADATA_NAME):
        path.chmod(0o644)  # readable by every user once installed as package data
    log.info("saved caller model to %s (%d parameters)", folder, metadata["parameters"])
    return folder


def load_caller_model(path: str | Path | None = None, *,
                      encoder: Mapping[str, Any] | None = None,
                      device: torch.device | str = "cpu") -> CallerModel:
    """Load a caller model folder (default: the shipped model) without executing code.

    Parameters
    ----------
    path
        Model folder or its ``model.json``; None loads the packaged default model.
    encoder
        Encoder spec to check against; None uses the installed
        :func:`onco_genomics.pileup.encode.encoder_spec` of the version the model records
        (refused when this oncogen cannot encode that version).
    device
        Where to put the network.

    Raises
    ------
    ModelError
        Missing or damaged files, wrong kind, or an encoder mismatch.
    """
    folder, metadata = read_metadata(default_model_path() if path is None else path)
    if encoder is None:
        from onco_genomics.pileup.encode import encoder_spec

        encoder = encoder_spec(model_encoder_version(folder))
    check_encoder(metadata, encoder, source=str(folder))
    calibration = parse_calibration(metadata, source=str(folder))
    weights = folder / str(metadata.get("weights", WEIGHTS_NAME))
    if not weights.is_file():
        raise ModelError(f"model {folder}: weights file {weights.name} is missing")
    expected_sha = metadata.get("weights_sha256")
    if expected_sha and _sha256(weights) != expected_sha:
        raise ModelError(f"model {folder}: {weights.name} does not match the checksum in "
                         f"{METADATA_NAME}; the file is damaged or was replaced")
    from onco_genomics.omics.core.model_dir import damaged, load_state_dict, load_torch_state

    try:
        config = NetworkConfig.from_json(metadata["network"])
        network = SomaticNet(config)
    except (KeyError, TypeError, ValueError, RuntimeError) as err:
        raise damaged(folder / METADATA_NAME,
                      f"its 'network' settings are unusable: {type(err).__name__}: "
                      f"{str(err).splitlines()[0] if str(err) else ''}") from None
    state = load_torch_state(weights)  # weights_only=True; a refusal is 'damaged'
    load_state_dict(network, state, weights)  # a mismatch is one line, not torch's dump
    try:
        threshold = float(metadata.get("threshold", 0.5))
    except (TypeError, ValueError):
        raise damaged(folder / METADATA_NAME, "its 'threshold' is not a number") from None
    network.eval()
    network.to(device)
    return CallerModel(network=network, config=config, encoder=canonical_spec(encoder),
                       threshold=threshold, metadata=metadata,
                       path=folder, calibration=calibration)


#: the names of :func:`save_caller_model` / :func:`load_caller_model` before they were told
#: apart from the omics ``model_dir.save_model`` / ``load_model``; kept for existing code
save_model = save_caller_model
load_model = load_caller_model
