"""Which records of which input file belong to which sample, after the user's filters.

Sample rule (documented in docs/spectrum.md)
--------------------------------------------
* **MAF**: a record belongs to its ``Tumor_Sample_Barcode`` (the file name without
  extension when the column is empty).
* **Tumour/normal VCF** (oncogen's own, Mutect2, Strelka, ...): when the header names the
  tumour (``##tumor_sample=T``), or names the normal (``##normal_sample=N``) of a two-sample
  VCF, or a two-sample VCF has a sample called ``NORMAL`` (any case), the file is ONE tumour
  sample and every record counts for the tumour: a somatic VCF lists the tumour's calls, and
  the normal's FORMAT values say nothing about membership.
* **Single-sample VCF**: every record counts for that sample; **sites-only VCF**: for a
  sample named after the file.
* **Other multi-sample VCFs**: a record counts for each sample that carries the ALT: its GT
  holds that allele, or its AD for that allele is above 0.

A sample name that more than one input file contributes is prefixed with the file name
(``file:sample``; a single-tumour file is then named by the file alone), so catalogs of
several oncogen VCFs whose tumour is always ``TUMOR`` keep one column per file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from onco_genomics.errors import InputFileError, OptionsError
from onco_genomics.io.reference import Reference
from onco_genomics.io.variants import Variant, detect_format, read_variants, vcf_info
from onco_genomics.progress import Progress

log = logging.getLogger(__name__)

_VAF_KEYS = ("AF", "FA", "VAF")


def _number(value: object, *, last: bool = False) -> float | None:
    if isinstance(value, tuple | list):
        if not value:
            return None
        value = value[-1] if last else value[0]
    if isinstance(value, str):  # a value the header does not declare stays text
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value):
        return float(value)
    return None


def _allele_depths(data: dict[str, object] | object) -> list[float] | None:
    ad = data.get("AD") if isinstance(data, dict) else None
    if not isinstance(ad, tuple | list) or len(ad) < 2:
        return None
    numbers = [_number(x) for x in ad]
    if any(x is None for x in numbers):
        return None
    return [x for x in numbers if x is not None]


def variant_vaf(variant: Variant, sample: str | None) -> float | None:
    """The sample's allele fraction of this ALT, or None when the record does not say.

    FORMAT AF, FA or VAF; else AD alt / DP (or / the sum of AD).

    Examples
    --------
    >>> v = Variant("1", 10, "C", "T", sample_data={"T": {"AD": (6, 2)}})
    >>> variant_vaf(v, "T")
    0.25
    """
    data = dict(variant.sample_data.get(sample, {})) if sample is not None else {}
    for key in _VAF_KEYS:
        value = _number(data.get(key))
        if value is not None:
            return value
    depths = _allele_depths(data)
    if depths is None:
        return None
    denominator = _number(data.get("DP")) or sum(depths)
    return depths[-1] / denominator if denominator else None


def variant_depth(variant: Variant, sample: str | None) -> float | None:
    """The sample's read depth: FORMAT DP, else the sum of AD, else INFO DP; or None."""
    data = dict(variant.sample_data.get(sample, {})) if sample is not None else {}
    depth = _number(data.get("DP"))
    if depth is not None:
        return depth
    depths = _allele_depths(data)
    if depths is not None:
        return sum(depths)
    return _number(variant.info.get("DP"))


def carries_allele(variant: Variant, sample: str) -> bool:
    """Whether ``sample`` carries this ALT: GT holds it (allele 1 after splitting) or AD alt > 0.

    Examples
    --------
    >>> v = Variant("1", 10, "C", "T", sample_data={"A": {"GT": "0/1"}, "B": {"GT": "0/0"}})
    >>> carries_allele(v, "A"), carries_allele(v, "B")
    (True, False)
    """
    data = dict(variant.sample_data.get(sample, {}))
    gt = data.get("GT")
    if isinstance(gt, str) and any(a not in ("0", ".", "")
                                   for a in gt.replace("|", "/").split("/")):
        return True
    depths = _allele_depths(data)
    return depths is not None and depths[-1] > 0


def _header_roles(path: Path) -> dict[str, str]:
    """``tumor_sample`` / ``normal_sample`` header values (GATK/oncogen convention)."""
    from cyvcf2 import VCF

    roles: dict[str, str] = {}
    vcf = VCF(str(path), lazy=True)
    try:
        for line in vcf.raw_header.splitlines():
            key, _, value = line[2:].partition("=")
            if line.startswith("##") and key.lower() in ("tumor_sample", "normal_sample"):
                roles[key.lower()] = value.strip()
    finally:
        vcf.close()
    return roles


@dataclass(frozen=True)
class SampleLayout:
    """How one VCF's records map to catalog samples.

    Attributes
    ----------
    path
        The VCF.
    tumour
        The one tumour sample of a tumour/normal or single-sample VCF (every record is
        its); None for a multi-sample VCF decided by FORMAT, or a sites-only VCF.
    samples
        The samples the file contributes (in file order).
    """

    path: Path
    tumour: str | None
    samples: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.tumour is not None and self.samples != (self.tumour,):
            raise ValueError("a tumour/normal layout contributes exactly the tumour sample")


def vcf_layout(path: str | os.PathLike[str]) -> SampleLayout:
    """Decide how the records of a VCF/BCF map to samples (see the module docstring)."""
    path = Path(path)
    info = vcf_info(path)
    samples = info.samples
    if not samples:
        return SampleLayout(path, None, ())
    if len(samples) == 1:
        return SampleLayout(path, samples[0], samples)
    roles = _header_roles(path)
    tumour = roles.get("tumor_sample")
    normal = roles.get("normal_sample")
    if tumour is not None and tumour not in samples:
        raise InputFileError(f"{path} declares ##tumor_sample={tumour} but its samples are "
                             f"{list(samples)}; fix the header line or the sample column")
    if tumour is None and len(samples) == 2:
        if normal is None:
            named = [s for s in samples if s.upper() == "NORMAL"]
            normal = named[0] if len(named) == 1 else None
        if normal in samples:
            tumour = next(s for s in samples if s != normal)
    if tumour is not None:
        return SampleLayout(path, tumour, (tumour,))
    return SampleLayout(path, None, samples)


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".bgz", ".vcf", ".bcf", ".maf", ".txt", ".tsv"):
        name = name.removesuffix(suffix)
    return name or path.name


def variants_by_sample(paths: Sequence[str | os.PathLike[str]], *,
                       reference: Reference | None = None, pass_only: bool = True,
                       min_vaf: float | None = None, min_depth: float | None = None,
                       ) -> dict[str, list[Variant]]:
    """Read VCF/BCF/MAF files and group their records by sample, applying the filters.

    Parameters
    ----------
    paths
        Input files (any mix of VCF, BCF and MAF).
    reference
        Needed for MAF indels written with ``-``.
    pass_only
        Keep only FILTER PASS (or ``.``) records.
    min_vaf, min_depth
        Keep only records whose sample VAF / depth reach these floors; a record that does
        not give the value is dropped when a floor is set (counted in the log).

    Returns
    -------
    dict
        Sample name -> records, samples in input order.

    Raises
    ------
    OptionsError
        No input file.
    """
    if not paths:
        raise OptionsError("no input file given; expected one or more VCF, BCF or MAF files")
    per_file: list[tuple[Path, dict[str, list[Variant]]]] = []
    dropped_filter = dropped_value = 0
    with Progress(len(paths), "input files", rate_label="records") as progress:
        for raw_path in paths:
            path = Path(raw_path)
            groups: dict[str, list[Variant]] = {}
            kind = detect_format(path)
            layout = None if kind == "maf" else vcf_layout(path)
            if layout is not None:
                for sample in layout.samples or (_stem(path),):
                    groups[sample] = []
            n_total = 0
            for variant in read_variants(path, pass_only=pass_only, reference=reference):
                n_total += 1
                if n_total % 10_000 == 0:
                    progress.update(0, extra=10_000)
                if layout is None:
                    owners: tuple[str, ...] = (variant.sample or _stem(path),)
                elif layout.tumour is not None:
                    owners = (layout.tumour,)
                elif not layout.samples:
                    owners = (_stem(path),)
                else:
                    owners = tuple(s for s in layout.samples if carries_allele(variant, s))
                for owner in owners:
                    sample_key = owner if layout is not None and layout.samples else None
                    if min_vaf is not None or min_depth is not None:
                        vaf = variant_vaf(variant, sample_key)
                        depth = variant_depth(variant, sample_key)
                        if (min_vaf is not None and vaf is None) or (
                                min_depth is not None and depth is None):
                            dropped_value += 1
                            continue
                        if (min_vaf is not None and vaf is not None and vaf < min_vaf) or (
                                min_depth is not None and depth is not None and depth < min_depth):
                            dropped_filter += 1
                            continue
                    groups.setdefault(owner, []).append(variant)
            log.info("%s: %d records (%s) in %d sample(s)", path, n_total,
                     "PASS only" if pass_only else "all filters", len(groups))
            per_file.append((path, groups))
            progress.update(1, extra=n_total % 10_000)
    if dropped_filter:
        log.info("%d records below the VAF/depth floors were not counted", dropped_filter)
    if dropped_value:
        log.warning("%d records give no VAF or depth for their sample (FORMAT AF/AD/DP) and "
                    "were not counted because a floor was set", dropped_value)
    seen: dict[str, int] = {}
    for _, groups in per_file:
        for sample in groups:
            seen[sample] = seen.get(sample, 0) + 1
    merged: dict[str, list[Variant]] = {}
    for path, groups in per_file:
        for sample, records in groups.items():
            name = sample
            if seen[sample] > 1:
                name = _stem(path) if len(groups) == 1 else f"{_stem(path)}:{sample}"
            if name in merged:
                raise InputFileError(f"sample {name!r} comes from two inputs (last {path}); "
                                     "give each input file a distinct name")
            merged[name] = records
    return merged
