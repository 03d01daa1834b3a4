"""Training sets: (tumor, normal, truth VCF, confident BED) -> labelled pileup tensors.

Each set is scanned over its confident regions, labelled against its truth (see
:mod:`onco_genomics.caller.labels`) and cached as one ``.npz`` file per set (tensors stored
as float16), keyed by the inputs' sizes and modification times, the encoder spec and the
pileup options, so re-training with other network settings does not scan again.
The cache holds only numeric and unicode arrays and loads with ``allow_pickle=False``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from onco_genomics.caller.labels import label_candidates, load_truth
from onco_genomics.caller.network import VARIANT_CLASSES
from onco_genomics.caller.scanning import scan_chunks
from onco_genomics.errors import InputFileError
from onco_genomics.io.atomic import atomic_path
from onco_genomics.progress import Progress
from onco_genomics.regions import merge_regions

log = logging.getLogger(__name__)

CACHE_VERSION = 1
#: chunk size used when scanning training sets
TRAIN_CHUNK_SIZE = 200_000


@dataclass(frozen=True)
class TrainingSet:
    """Input files of one training pair.

    Attributes
    ----------
    name
        Label used in logs, cache names and the model's training summary.
    tumor, normal
        Indexed BAMs.
    truth
        Somatic truth VCF (INFO VAF optional).
    bed
        Confident regions: only these are scanned.
    germline
        Optional germline VCF (germline candidates are negatives either way; the flag is
        used for reporting).
    params
        Optional simulation parameters recorded in the model's training summary.
    """

    name: str
    tumor: Path
    normal: Path
    truth: Path
    bed: Path
    germline: Path | None = None
    params: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        for label in ("tumor", "normal", "truth", "bed"):
            path = getattr(self, label)
            if not Path(path).is_file():
                raise InputFileError(f"training set {self.name!r}: {label} file {path} does not "
                                     "exist; check the path")

    @classmethod
    def from_simulation(cls, folder: str | Path) -> TrainingSet:
        """A set from an ``oncogen simulate`` output folder."""
        root = Path(folder)
        names = {"tumor": "tumor.bam", "normal": "normal.bam", "truth": "truth.vcf.gz",
                 "bed": "confident.bed"}
        missing = [f for f in names.values() if not (root / f).is_file()]
        if missing:
            raise InputFileError(
                f"{root} is not an `oncogen simulate` output folder: expected "
                f"{', '.join(names.values())}, missing {', '.join(missing)}"
            )
        germline = root / "germline.vcf.gz"
        params_path = root / "params.json"
        params = json.loads(params_path.read_text()) if params_path.is_file() else None
        return cls(name=root.name, tumor=root / names["tumor"], normal=root / names["normal"],
                   truth=root / names["truth"], bed=root / names["bed"],
                   germline=germline if germline.is_file() else None, params=params)

    def summary(self) -> dict[str, Any]:
        """JSON-able description for the model's metadata (simulation settings if known)."""
        keys = ("seed", "regions", "tumor_depth", "normal_depth", "purity", "vaf", "snv_rate",
                "indel_rate", "subclones", "contamination", "dup_rate", "pcr_error_fraction",
                "oxog_rate", "oxog_sites", "mutations")
        params = dict(self.params or {})
        options = params.get("options", params)
        simulation = {k: options[k] for k in keys if k in options}
        return {"name": self.name, "truth": self.truth.name, "simulation": simulation}


@dataclass(frozen=True)
class EncodedSet:
    """Labelled tensors of one training set (arrays of equal length N).

    Attributes
    ----------
    tensors
        ``(N, channels, window)`` float16 pileup tensors.
    type_target, alt_target, length_target
        Targets of the three heads (see :mod:`onco_genomics.caller.labels`).
    vartype
        Candidate type class (1 SNV, 2 INS, 3 DEL).
    chrom, pos, ref, alt
        The candidate alleles.
    truth_vaf, germline, tumor_af
        For reporting (VAF bins, germline false positives).
    n_truth
        Truth variants inside the scanned regions (recall denominator: those no candidate
        matched were missed by the candidate scan).
    """

    name: str
    tensors: np.ndarray
    type_target: np.ndarray
    alt_target: np.ndarray
    length_target: np.ndarray
    vartype: np.ndarray
    chrom: np.ndarray
    pos: np.ndarray
    ref: np.ndarray
    alt: np.ndarray
    truth_vaf: np.ndarray
    germline: np.ndarray
    tumor_af: np.ndarray
    n_truth: int
    summary: Mapping[str, Any]

    def __post_init__(self) -> None:
        if self.tensors.ndim != 3:
            raise ValueError(f"tensors must be (N, C, W), got {self.tensors.shape}")
        n = self.tensors.shape[0]
        for name in ("type_target", "alt_target", "length_target", "vartype", "chrom", "pos",
                     "ref", "alt", "truth_vaf", "germline", "tumor_af"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"EncodedSet.{name} has {len(getattr(self, name))} entries, "
                                 f"expected {n}")

    def __len__(self) -> int:
        return int(self.tensors.shape[0])

    @property
    def positives(self) -> int:
        return int(np.count_nonzero(self.type_target))


_ARRAYS = ("tensors", "type_target", "alt_target", "length_target", "vartype", "chrom", "pos",
           "ref", "alt", "truth_vaf", "germline", "tumor_af")


def _stamp(path: Path | None) -> list[Any]:
    if path is None:
        return []
    stat = Path(path).stat()
    return [str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns]


def cache_key(training_set: TrainingSet, reference: Path, encoder: Mapping[str, Any],
              pileup_options: Any) -> str:
    """Hash of everything the encoded tensors depend on."""
    payload = json.dumps({
        "cache_version": CACHE_VERSION,
        "files": [_stamp(p) for p in (training_set.tumor, training_set.normal, training_set.truth,
                                       training_set.bed, training_set.germline, reference)],
        "encoder": encoder,
        "pileup": repr(pileup_options),
    }, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def save_encoded(path: Path, encoded: EncodedSet) -> None:
    """Write an :class:`EncodedSet` to ``.npz`` (atomically, no pickled objects)."""
    arrays = {name: getattr(encoded, name) for name in _ARRAYS}
    meta = json.dumps({"name": encoded.name, "n_truth": encoded.n_truth,
                       "summary": dict(encoded.summary)})
    with atomic_path(path, suffix=".npz") as tmp, tmp.open("wb") as handle:
        np.savez_compressed(handle, meta=np.array(meta), **arrays)


def load_encoded(path: Path) -> EncodedSet:
    """Read an :class:`EncodedSet` written by :func:`save_encoded`."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        arrays = {name: data[name] for name in _ARRAYS}
    return EncodedSet(name=meta["name"], n_truth=int(meta["n_truth"]), summary=meta["summary"],
                      **arrays)


def encode_training_set(training_set: TrainingSet, *, reference: str | Path,
                        cache_dir: str | Path | None = None, cache: bool = True,
                        min_af: float = 0.02, threads: int = 1) -> EncodedSet:
    """Scan, encode and label one training set (or load it from the cache).

    Parameters
    ----------
    training_set
        The input files.
    reference
        FASTA the reads were aligned to.
    cache_dir
        Folder for ``<name>-<hash>.npz`` caches; None: ``.oncogen_cache`` beside the
        tumor BAM.
    cache
        False: neither read nor write a cache.
    min_af
        Candidate allele-fraction floor (as in calling).
    threads
        Worker processes for the scan.
    """
    from onco_genomics.io.bed import read_bed
    from onco_genomics.io.reference import Reference
    from onco_genomics.pileup.candidates import PileupOptions
    from onco_genomics.pileup.encode import encoder_spec

    reference = Path(reference)
    options = PileupOptions(min_af=min_af)
    spec = json.loads(json.dumps(encoder_spec(), default=str))
    cache_path = None
    if cache:
        if cache_dir is None:
            cache_dir = training_set.tumor.parent / ".oncogen_cache"
        key = cache_key(training_set, reference, spec, options)
        cache_path = Path(cache_dir) / f"{training_set.name}-{key}.npz"
        if cache_path.is_file():
            log.info("training set %s: using cached tensors %s", training_set.name, cache_path)
            return load_encoded(cache_path)
    regions = merge_regions(read_bed(training_set.bed))
    chunks = [chunk for region in regions for chunk in region.chunks(TRAIN_CHUNK_SIZE)]
    with Reference(reference) as ref:
        truth = load_truth(training_set.truth, ref, germline_vcf=training_set.germline)
        truth = truth.in_regions(regions)
        parts: dict[int, tuple[Any, Any]] = {}
        with Progress(len(chunks), f"chunks of {training_set.name}", rate_label="sites") as bar:
            for index, batch in scan_chunks(training_set.tumor, training_set.normal, reference,
                                            chunks, options=options, threads=threads):
                labels = label_candidates(batch.candidates, truth, ref)
                parts[index] = (batch, labels)
                bar.update(1, extra=len(batch.candidates))
    ordered = [parts[i] for i in range(len(chunks))]
    candidates = [c for batch, _ in ordered for c in batch.candidates]
    window_shape = (len(spec["channels"]), int(spec["window"]))
    tensors = (np.concatenate([b.tensors for b, _ in ordered]).astype(np.float16)
               if candidates else np.zeros((0, *window_shape), dtype=np.float16))

    def stack(attr: str, dtype: Any) -> np.ndarray:
        return (np.concatenate([getattr(lab, attr) for _, lab in ordered]).astype(dtype)
                if candidates else np.zeros(0, dtype=dtype))

    encoded = EncodedSet(
        name=training_set.name,
        tensors=tensors,
        type_target=stack("type_target", np.int64),
        alt_target=stack("alt_target", np.int64),
        length_target=stack("length_target", np.int64),
        vartype=np.array([VARIANT_CLASSES.index(c.vartype) for c in candidates], dtype=np.int64),
        chrom=np.array([c.chrom for c in candidates], dtype=str),
        pos=np.array([c.pos for c in candidates], dtype=np.int64),
        ref=np.array([c.ref for c in candidates], dtype=str),
        alt=np.array([c.alt for c in candidates], dtype=str),
        truth_vaf=stack("truth_vaf", np.float64),
        germline=stack("germline", bool),
        tumor_af=np.array([c.tumor.af for c in candidates], dtype=np.float64),
        n_truth=len(truth.somatic),
        summary={**training_set.summary(), "bases": sum(len(r) for r in regions)},
    )
    found = encoded.positives
    log.info("training set %s: %d candidates, %d somatic (%d of %d truth variants proposed, "
             "%.1f%%), %d germline", training_set.name, len(encoded), found, found,
             encoded.n_truth, 100.0 * found / max(encoded.n_truth, 1),
             int(encoded.germline.sum()))
    if cache_path is not None:
        save_encoded(cache_path, encoded)
    return encoded

