"""The tumor-only caller's model: its inputs, network and model files.

A tumor-only model is its own kind (:data:`TUMOR_ONLY_KIND`), not the paired network with
a zero-filled normal: its pileup input is the encoder's reference, allele and ``tumor_*``
channels only (:func:`tumor_only_channels`; the ``normal_*`` channels are never read), and it
gets per-candidate *context* inputs that stand in for the missing normal
(:data:`CONTEXT_FEATURES`, computed by :func:`context_features`):

``in_resource``, ``population_af``
    Whether the allele is in the germline resource (gnomAD, or the simulator's population)
    and its population allele frequency as ``1 + log10(AF) / 6`` (AF 1 -> 1, 1e-6 -> 0;
    0 when absent).
``tumor_vaf``
    The allele's fraction of the tumor reads.
``het_vaf``
    Median VAF of the nearby heterozygous germline sites: candidates of the same chunk
    (50 kb) that the resource holds at AF >= 1% with VAF 0.15-0.85 and depth >= 10. In
    normal cells such a site is at 0.5; in the tumor sample it moves with copy number and
    purity, and a germline allele moves with it while a somatic one sits below it.
``het_z``
    ``(alt - depth * het_vaf) / sqrt(depth * het_vaf * (1 - het_vaf))`` clipped to
    [-5, 5] / 5: how many binomial standard deviations the allele lies from those sites.
``het_sites``
    Number of those sites / 20, clipped to 1 (how much to trust ``het_vaf``).

The network (:class:`TumorOnlyNet`) has three classes, :data:`TUMOR_ONLY_CLASSES`: not a
variant (sequencing or mapping artefact), germline, somatic. PROB is ``P(somatic)``,
GERMLINE_PROB ``P(germline)``.

A model folder holds ``model.json`` (kind, mode ``tumor-only``, encoder spec, channel list,
context feature names, network shape, thresholds, training summary, metrics) and
``weights.pt`` (loaded with ``weights_only=True``).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from onco_genomics.errors import ModelError

if TYPE_CHECKING:
    import torch

    from onco_genomics.pileup.candidates import Candidate

log = logging.getLogger(__name__)

TUMOR_ONLY_KIND = "caller/cnn-tumor-only"
TUMOR_ONLY_MODE = "tumor-only"
#: classes of the network's output, in order
TUMOR_ONLY_CLASSES: tuple[str, ...] = ("artefact", "germline", "somatic")
CONTEXT_FEATURES: tuple[str, ...] = ("in_resource", "population_af", "tumor_vaf", "het_vaf",
                                     "het_z", "het_sites")
#: resource AF from which a candidate counts as a likely germline site for ``het_vaf``
HET_MIN_POPULATION_AF = 0.01
#: VAF range and depth of those sites
HET_VAF_RANGE = (0.15, 0.85)
HET_MIN_DEPTH = 10


def default_tumor_only_model_path() -> Path:
    """Folder of the tumor-only model shipped inside the package."""
    return Path(str(resources.files("onco_genomics") / "data" / "models"
                    / "caller_tumor_only"))


def tumor_only_channels(channels: Sequence[str]) -> list[int]:
    """Indices of the encoder channels a tumor-only model reads (all but ``normal_*``)."""
    return [i for i, name in enumerate(channels) if not name.startswith("normal_")]


def population_feature(af: np.ndarray) -> np.ndarray:
    """``1 + log10(AF) / 6`` clipped to [0, 1]; 0 where AF is NaN (not in the resource)."""
    af = np.asarray(af, dtype=np.float64)
    out = np.zeros(af.shape, dtype=np.float64)
    known = np.isfinite(af) & (af > 0)
    out[known] = np.clip(1.0 + np.log10(af[known]) / 6.0, 0.0, 1.0)
    return out


def context_features(candidates: Sequence[Candidate], population_af: np.ndarray
                     ) -> np.ndarray:
    """The context inputs of one chunk's candidates, ``(N, len(CONTEXT_FEATURES))`` float32.

    Parameters
    ----------
    candidates
        All candidates of one chunk (the nearby heterozygous sites are taken among them).
    population_af
        Resource AF per candidate, NaN where the resource does not hold the allele.
    """
    n = len(candidates)
    af = np.asarray(population_af, dtype=np.float64)
    if af.shape != (n,):
        raise ValueError(f"expected one population AF per candidate ({n}), got {af.shape}")
    alt = np.array([c.tumor.alt for c in candidates], dtype=np.float64)
    depth = np.array([c.tumor.depth for c in candidates], dtype=np.float64)
    vaf = np.divide(alt, depth, out=np.zeros(n), where=depth > 0)
    het = ((np.nan_to_num(af, nan=0.0) >= HET_MIN_POPULATION_AF) & (depth >= HET_MIN_DEPTH)
           & (vaf >= HET_VAF_RANGE[0]) & (vaf <= HET_VAF_RANGE[1]))
    n_het = int(het.sum())
    het_vaf = float(np.median(vaf[het])) if n_het >= 3 else 0.5
    expected = depth * het_vaf
    spread = np.sqrt(np.maximum(depth * het_vaf * (1.0 - het_vaf), 1e-9))
    z = np.where(depth > 0, (alt - expected) / spread, 0.0)
    out = np.stack([
        np.isfinite(af).astype(np.float64),
        population_feature(af),
        vaf,
        np.full(n, het_vaf),
        np.clip(z, -5.0, 5.0) / 5.0,
        np.full(n, min(n_het / 20.0, 1.0)),
    ], axis=1) if n else np.zeros((0, len(CONTEXT_FEATURES)))
    return out.astype(np.float32)


@dataclass(frozen=True)
class TumorOnlyConfig:
    """Shape of a :class:`TumorOnlyNet` (stored in ``model.json``)."""

    in_channels: int
    window: int
    context: int = len(CONTEXT_FEATURES)
    width: int = 24
    blocks: int = 2
    hidden: int = 48
    dropout: float = 0.2

    def __post_init__(self) -> None:
        for name in ("in_channels", "window", "context", "width", "blocks", "hidden"):
            if int(getattr(self, name)) <= 0:
                raise ValueError(f"TumorOnlyConfig.{name} must be positive")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"TumorOnlyConfig.dropout must be in [0, 1), got {self.dropout}")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TumorOnlyConfig:
        return cls(**{k: data[k] for k in ("in_channels", "window", "context", "width",
                                           "blocks", "hidden", "dropout") if k in data})


def build_network(config: TumorOnlyConfig) -> Any:
    """A :class:`TumorOnlyNet` (imports torch)."""
    from onco_genomics.caller.tumor_only_net import TumorOnlyNet

    return TumorOnlyNet(config)


@dataclass(frozen=True)
class TumorOnlyModel:
    """A loaded tumor-only network and its metadata.

    Attributes
    ----------
    network
        The torch module (eval mode).
    config
        Its shape.
    encoder
        Encoder spec it was trained with (JSON form); the scan uses its version.
    channels
        Indices of the encoder channels it reads.
    threshold
        ``P(somatic)`` at or above which a call is PASS.
    germline_threshold
        ``P(germline)`` at or above which a call gets FILTER germline.
    metadata, path
        ``model.json`` content and folder.
    """

    network: Any
    config: TumorOnlyConfig
    encoder: Mapping[str, Any]
    channels: tuple[int, ...]
    threshold: float = 0.5
    germline_threshold: float = 0.5
    metadata: Mapping[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def __post_init__(self) -> None:
        for name in ("threshold", "germline_threshold"):
            if not 0.0 < getattr(self, name) < 1.0:
                raise ModelError(f"model {name} must be in (0, 1), found {getattr(self, name)}")

    @property
    def device(self) -> torch.device:
        return next(self.network.parameters()).device

    def predict(self, tensors: np.ndarray, context: np.ndarray, *,
                batch_size: int = 512) -> np.ndarray:
        """Class probabilities ``(N, 3)`` (:data:`TUMOR_ONLY_CLASSES`) for full encoder
        tensors ``(N, channels, window)`` and context ``(N, len(CONTEXT_FEATURES))``."""
        import torch

        n = tensors.shape[0]
        if n == 0:
            return np.zeros((0, len(TUMOR_ONLY_CLASSES)))
        index = np.asarray(self.channels)
        out = np.empty((n, len(TUMOR_ONLY_CLASSES)), dtype=np.float64)
        self.network.eval()
        with torch.no_grad():
            for start in range(0, n, batch_size):
                stop = min(start + batch_size, n)
                x = torch.from_numpy(np.ascontiguousarray(tensors[start:stop][:, index],
                                                          dtype=np.float32))
                c = torch.from_numpy(np.ascontiguousarray(context[start:stop],
                                                          dtype=np.float32))
                logits = self.network(x.to(self.device), c.to(self.device))
                out[start:stop] = torch.softmax(logits.float(), dim=1).cpu().numpy()
        return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_tumor_only_model(directory: str | Path, network: Any, *, encoder: Mapping[str, Any],
                          threshold: float, germline_threshold: float,
                          training: Mapping[str, Any] | None = None,
                          metrics: Mapping[str, Any] | None = None) -> Path:
    """Write ``weights.pt`` and ``model.json`` of a tumor-only model into ``directory``."""
    import torch

    from onco_genomics import __version__
    from onco_genomics.caller.metadata import (
        FORMAT_VERSION,
        METADATA_NAME,
        MODEL_FORMAT,
        WEIGHTS_NAME,
        canonical_spec,
    )
    from onco_genomics.io.atomic import atomic_path

    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in network.state_dict().items()}
    weights = folder / WEIGHTS_NAME
    buffer = io.BytesIO()  # not the temporary path: torch.save records the file's name in it
    torch.save(state, buffer)
    with atomic_path(weights) as tmp:
        tmp.write_bytes(buffer.getvalue())
    channels = [str(c) for c in encoder["channels"]]
    metadata = {
        "format": MODEL_FORMAT, "format_version": FORMAT_VERSION, "kind": TUMOR_ONLY_KIND,
        "mode": TUMOR_ONLY_MODE, "oncogen_version": __version__, "weights": WEIGHTS_NAME,
        "weights_sha256": _sha256(weights),
        "parameters": sum(int(v.numel()) for v in state.values()),
        "network": network.config.to_json(), "encoder": canonical_spec(encoder),
        "input_channels": [channels[i] for i in tumor_only_channels(channels)],
        "context_features": list(CONTEXT_FEATURES), "classes": list(TUMOR_ONLY_CLASSES),
        "threshold": float(threshold), "germline_threshold": float(germline_threshold),
        "training": dict(training or {}), "metrics": dict(metrics or {}),
    }
    with atomic_path(folder / METADATA_NAME) as tmp:
        tmp.write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
    for path in (weights, folder / METADATA_NAME):
        path.chmod(0o644)
    return folder


def read_tumor_only_metadata(path: str | Path | None) -> tuple[Path, dict[str, Any]]:
    """``model.json`` of a tumor-only model (None: the shipped one), checked without torch.

    Raises
    ------
    ModelError
        Not a model, or a model of another mode (one line naming the fix).
    """
    from onco_genomics.caller.metadata import METADATA_NAME, parse_model_json

    target = Path(default_tumor_only_model_path() if path is None else path)
    meta_path = target / METADATA_NAME if target.is_dir() else target
    if not meta_path.is_file():
        raise ModelError(f"expected a tumor-only caller model folder with {METADATA_NAME}, "
                         f"found no such file at {meta_path}; pass --model a folder written "
                         "by `oncogen train caller-tumor-only`")
    metadata = parse_model_json(meta_path)
    kind = metadata.get("kind")
    if kind != TUMOR_ONLY_KIND or metadata.get("mode") != TUMOR_ONLY_MODE:
        raise ModelError(f"model {meta_path.parent} is a {kind!r} model, not a tumor-only "
                         f"one ({TUMOR_ONLY_KIND!r}); --tumor-only needs a tumor-only model "
                         "(leave out --model for the shipped one), a matched model needs the "
                         "normal BAM")
    return meta_path.parent, metadata


def load_tumor_only_model(path: str | Path | None = None, *,
                          device: str | Any = "cpu") -> TumorOnlyModel:
    """Load a tumor-only model folder (None: the shipped one) without executing code.

    Raises
    ------
    ModelError
        Wrong mode or kind, damaged files, or an encoder this oncogen cannot produce.
    """
    from onco_genomics.caller.metadata import WEIGHTS_NAME, canonical_spec, check_encoder
    from onco_genomics.omics.model_dir import damaged, load_state_dict, load_torch_state
    from onco_genomics.pileup.encode import ENCODER_VERSIONS, encoder_spec

    folder, metadata = read_tumor_only_metadata(path)
    version = (metadata.get("encoder") or {}).get("version")
    if version not in ENCODER_VERSIONS:
        raise ModelError(f"model {folder} was trained with pileup encoder version {version!r}, "
                         f"which this oncogen cannot produce ({', '.join(ENCODER_VERSIONS)})")
    encoder = encoder_spec(str(version))
    check_encoder(metadata, encoder, source=str(folder))
    channels = tumor_only_channels(list(encoder["channels"]))  # type: ignore[call-overload]
    names = [encoder["channels"][i] for i in channels]  # type: ignore[index]
    if metadata.get("input_channels") != names:
        raise damaged(folder / "model.json", "its input_channels differ from the encoder's "
                      "non-normal channels")
    if metadata.get("context_features") != list(CONTEXT_FEATURES):
        raise ModelError(f"model {folder} uses context features "
                         f"{metadata.get('context_features')}, this oncogen computes "
                         f"{list(CONTEXT_FEATURES)}; use the oncogen version it was made with")
    weights = folder / str(metadata.get("weights", WEIGHTS_NAME))
    if not weights.is_file():
        raise ModelError(f"model {folder}: weights file {weights.name} is missing")
    if metadata.get("weights_sha256") and _sha256(weights) != metadata["weights_sha256"]:
        raise ModelError(f"model {folder}: {weights.name} does not match the checksum in "
                         "model.json; the file is damaged or was replaced")
    try:
        config = TumorOnlyConfig.from_json(metadata["network"])
        if config.in_channels != len(channels):
            raise ValueError(f"in_channels {config.in_channels} != {len(channels)}")
        network = build_network(config)
        threshold = float(metadata["threshold"])
        germline_threshold = float(metadata["germline_threshold"])
    except (KeyError, TypeError, ValueError) as err:
        raise damaged(folder / "model.json", f"unusable settings: {err}") from None
    load_state_dict(network, load_torch_state(weights), weights)
    network.eval()
    network.to(device)
    return TumorOnlyModel(network=network, config=config, encoder=canonical_spec(encoder),
                          channels=tuple(channels), threshold=threshold,
                          germline_threshold=germline_threshold, metadata=metadata,
                          path=folder)
