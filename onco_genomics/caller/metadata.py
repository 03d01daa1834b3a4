"""Caller model metadata (``model.json``): read and checked without torch.

``oncogen call`` needs the model's encoder version before it starts its scanning workers,
and those workers must not import torch, so this module reads and checks ``model.json``
with the standard library only; :mod:`onco_genomics.caller.model` loads the weights.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from onco_genomics.errors import ModelError

MODEL_FORMAT = "oncogen-model"
MODEL_KIND = "caller/cnn"
FORMAT_VERSION = 1
METADATA_NAME = "model.json"
WEIGHTS_NAME = "weights.pt"


def default_model_path() -> Path:
    """Folder of the model shipped inside the package (package data)."""
    return Path(str(resources.files("onco_genomics") / "data" / "models" / "caller_default"))


def canonical_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The encoder spec as it reads back from JSON (tuples become lists)."""
    result: dict[str, Any] = json.loads(json.dumps(dict(spec), sort_keys=True))
    return result


def spec_differences(expected: Mapping[str, Any], found: Mapping[str, Any]) -> list[str]:
    """Human-readable differences between two encoder specs (empty when equal)."""
    left, right = canonical_spec(expected), canonical_spec(found)
    diffs = []
    for key in sorted(set(left) | set(right)):
        if left.get(key) != right.get(key):
            a, b = repr(left.get(key)), repr(right.get(key))
            diffs.append(f"{key}: installed {a[:80]} vs model {b[:80]}")
    return diffs


def parse_model_json(meta_path: Path) -> dict[str, Any]:
    """Parse a caller model's ``model.json`` (either mode) and check it is an oncogen model;
    the caller checks its kind."""
    try:
        metadata = json.loads(meta_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ModelError(f"{meta_path} is not valid JSON ({err}); the model file is "
                         "damaged") from err
    if not isinstance(metadata, dict) or metadata.get("format") != MODEL_FORMAT:
        raise ModelError(f"{meta_path}: expected an oncogen model ('format': '{MODEL_FORMAT}'), "
                         f"found {str(metadata)[:80]!r}")
    return metadata


def read_metadata(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """Find and parse ``model.json`` for a model folder (or the file itself)."""
    target = Path(path)
    meta_path = target / METADATA_NAME if target.is_dir() else target
    if not meta_path.is_file():
        found = (f"no {METADATA_NAME} in {target}" if target.is_dir()
                 else f"no file or folder {target}")
        raise ModelError(
            f"expected a caller model folder with {METADATA_NAME} and {WEIGHTS_NAME}, "
            f"found {found}; pass --model a folder written by `oncogen train caller`"
        )
    metadata = parse_model_json(meta_path)
    if metadata.get("kind") == "caller/cnn-tumor-only":
        raise ModelError(f"model {meta_path.parent} is a tumor-only model; call a tumor alone "
                         "with it (oncogen call TUMOR --tumor-only), or give a matched "
                         "tumor/normal model for TUMOR NORMAL")
    if metadata.get("kind") != MODEL_KIND:
        raise ModelError(f"{meta_path}: expected a model of kind {MODEL_KIND!r}, found "
                         f"{metadata.get('kind')!r}; use the command that matches this model")
    if int(metadata.get("format_version", 0)) > FORMAT_VERSION:
        raise ModelError(f"{meta_path}: model format version {metadata.get('format_version')} is "
                         f"newer than this oncogen supports ({FORMAT_VERSION}); upgrade oncogen")
    return meta_path.parent, metadata


def check_encoder(metadata: Mapping[str, Any], encoder: Mapping[str, Any], *,
                  source: str) -> None:
    """Raise :class:`ModelError` if the model's encoder spec differs from ``encoder``."""
    diffs = spec_differences(encoder, metadata.get("encoder", {}))
    if diffs:
        raise ModelError(
            f"model {source} was trained with a different pileup encoder than the installed one "
            f"({'; '.join(diffs[:3])}); retrain it with `oncogen train caller` or install the "
            f"oncogen version it was made with ({metadata.get('oncogen_version')})"
        )


def model_encoder_version(path: str | Path | None) -> str:
    """The encoder version a model was trained with (``path`` None: the shipped model).

    Raises
    ------
    ModelError
        Unreadable ``model.json``, or a version this oncogen cannot encode.
    """
    from onco_genomics.pileup.encode import ENCODER_VERSIONS

    folder, metadata = read_metadata(default_model_path() if path is None else path)
    encoder = metadata.get("encoder")
    version = encoder.get("version") if isinstance(encoder, dict) else None
    if version not in ENCODER_VERSIONS:
        raise ModelError(
            f"model {folder} was trained with pileup encoder version {version!r}, which this "
            f"oncogen cannot produce (it encodes {', '.join(ENCODER_VERSIONS)}); use the "
            f"oncogen version the model was made with ({metadata.get('oncogen_version')}) "
            "or retrain it with `oncogen train caller`")
    return str(version)


#: variant types a calibration may name (``model.json`` ``calibration``)
CALIBRATED_TYPES = ("SNV", "INS", "DEL")


def parse_calibration(metadata: Mapping[str, Any], *,
                      source: str) -> dict[str, tuple[float, float]]:
    """The optional Platt calibration of a model: variant type -> (slope, intercept).

    ``model.json`` may hold ``"calibration": {"method": "platt", "SNV": [a, b], ...}``:
    the network's probability ``p`` of a candidate of that type is reported as
    ``sigmoid(a * logit(p) + b)``; types not named are reported uncalibrated. Fitted on
    held-out pairs by ``benchmarks/caller_calibration.py --fit-calibration``.

    Raises
    ------
    ModelError
        An unknown method or type, or a slope that is not a positive finite number.
    """
    import math

    found = metadata.get("calibration")
    if not found:
        return {}
    if not isinstance(found, dict) or found.get("method") != "platt":
        raise ModelError(f"model {source}: calibration must be {{'method': 'platt', ...}}, "
                         f"found {str(found)[:80]!r}")
    result: dict[str, tuple[float, float]] = {}
    for key, value in found.items():
        if key in ("method", "fitted_on"):
            continue
        if key not in CALIBRATED_TYPES:
            raise ModelError(f"model {source}: calibration names an unknown variant type "
                             f"{key!r}; expected {', '.join(CALIBRATED_TYPES)}")
        try:
            slope, intercept = (float(v) for v in value)
        except (TypeError, ValueError):
            raise ModelError(f"model {source}: calibration of {key} must be [slope, "
                             f"intercept], found {value!r}") from None
        if not (math.isfinite(slope) and math.isfinite(intercept) and slope > 0):
            raise ModelError(f"model {source}: calibration of {key} needs a positive finite "
                             f"slope and a finite intercept, found {value!r}")
        result[key] = (slope, intercept)
    return result
