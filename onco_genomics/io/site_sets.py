"""Indexed site VCFs the caller looks alleles up in: a germline resource and a panel of normals.

:class:`GermlineResource` reads population allele frequencies (INFO ``AF``, one per ALT) from
a bgzipped, tabix-indexed VCF such as gnomAD or the simulator's ``population.vcf.gz``;
:class:`PanelOfNormalsSites` reads the alleles of an ``oncogen pon`` panel (or any sites
VCF). Both are opened once and queried one chunk at a time; alleles are keyed
``(pos, ref, alt)`` with 0-based ``pos`` after splitting multi-allelic records and trimming
the common suffix of REF and ALT, so they meet the caller's left-aligned candidates.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from types import TracebackType
from typing import Self

import pysam

from onco_genomics.errors import IndexMissingError, InputFileError, OptionsError
from onco_genomics.regions import Region

log = logging.getLogger(__name__)

SiteKey = tuple[int, str, str]


def _trim(pos: int, ref: str, alt: str) -> SiteKey:
    """Drop the common suffix (multi-allelic records pad every ALT to the longest REF)."""
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    return pos, ref.upper(), alt.upper()


class _IndexedSites:
    """A bgzipped, indexed VCF opened with pysam, queried by region."""

    what = "sites VCF"
    option = "--sites"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise InputFileError(f"{self.option}: {self.what} {self.path} does not exist; "
                                 "check the path")
        if not any(Path(f"{self.path}{ext}").is_file() for ext in (".tbi", ".csi")):
            raise IndexMissingError(
                f"{self.option}: {self.what} {self.path} needs a tabix index; bgzip it and "
                f"create one with: tabix -p vcf {self.path}")
        try:
            self._vcf = pysam.VariantFile(str(self.path))
        except (OSError, ValueError) as err:
            raise InputFileError(f"{self.option}: cannot read {self.what} {self.path} as a "
                                 f"VCF ({err})") from None
        self.contigs = frozenset(self._vcf.header.contigs)
        self._missing_contigs: set[str] = set()

    def _fetch(self, region: Region) -> list[pysam.VariantRecord]:
        try:
            return list(self._vcf.fetch(region.chrom, region.start, region.end))
        except ValueError:
            if region.chrom not in self._missing_contigs:
                self._missing_contigs.add(region.chrom)
                log.warning("%s %s has no contig %s (naming chr20 vs 20?): no sites there",
                            self.what, self.path, region.chrom)
            return []
        except OSError as err:
            raise InputFileError(f"{self.option}: {self.what} {self.path} is damaged near "
                                 f"{region} ({err})") from None

    def close(self) -> None:
        self._vcf.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class GermlineResource(_IndexedSites):
    """Population allele frequencies from a VCF with INFO ``AF`` (Number=A).

    Raises
    ------
    InputFileError, IndexMissingError
        Missing, unreadable or unindexed file.
    OptionsError
        The header declares no INFO ``AF``.
    """

    what = "germline resource"
    option = "--germline-resource"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(path)
        if "AF" not in self._vcf.header.info:
            self.close()
            raise OptionsError(
                f"--germline-resource: expected a VCF with INFO/AF (population allele "
                f"frequency per ALT, as gnomAD's), found none declared in {self.path}; add "
                "AF (e.g. bcftools +fill-tags -- -t AF) or pass another resource")

    def allele_frequencies(self, region: Region) -> dict[SiteKey, float]:
        """``(pos, ref, alt) -> AF`` for the resource's alleles starting in ``region``."""
        out: dict[SiteKey, float] = {}
        for record in self._fetch(region):
            if not region.start <= record.pos - 1 < region.end:
                continue
            values = record.info.get("AF")
            if values is None:
                continue
            values = values if isinstance(values, tuple) else (values,)
            for alt, af in zip(record.alts or (), values, strict=False):
                if af is None or alt.startswith("<") or "*" in alt:
                    continue
                key = _trim(record.pos - 1, record.ref or "", alt)
                out[key] = max(float(af), out.get(key, 0.0))
        return out


class PanelOfNormalsSites(_IndexedSites):
    """The alleles of a panel of normals (``oncogen pon`` output or any sites VCF)."""

    what = "panel of normals"
    option = "--panel-of-normals"

    def alleles(self, region: Region) -> set[SiteKey]:
        """Alleles of the panel starting in ``region``."""
        out: set[SiteKey] = set()
        for record in self._fetch(region):
            if region.start <= record.pos - 1 < region.end:
                out.update(_trim(record.pos - 1, record.ref or "", alt)
                           for alt in record.alts or ()
                           if not alt.startswith("<"))
        return out
