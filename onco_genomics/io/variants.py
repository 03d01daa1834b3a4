"""Variant records: read VCF/BCF and TCGA-style MAF, write VCF 4.2 (bgzip + tabix).

Every reader returns :class:`Variant` records, one per ALT allele (multi-allelic
records are split), with 0-based positions. This module is the entry point; the work is
in :mod:`.variant_record` (records and header definitions), :mod:`.vcf_reader` (format
detection, VCF/BCF reading), :mod:`.maf` (MAF reading) and :mod:`.vcf_writer`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from onco_genomics.io.maf import read_maf
from onco_genomics.io.variant_record import (
    FileFormat,
    HeaderField,
    Variant,
    VariantType,
    VcfHeader,
    VcfInfo,
)
from onco_genomics.io.vcf_reader import detect_format, read_vcf, vcf_info
from onco_genomics.io.vcf_writer import header_lines, write_bgzip_indexed, write_vcf
from onco_genomics.regions import Region

if TYPE_CHECKING:
    from onco_genomics.io.reference import Reference

__all__ = ["FileFormat", "HeaderField", "Variant", "VariantType", "VcfHeader", "VcfInfo",
           "detect_format", "header_lines", "read_variants", "vcf_info", "write_bgzip_indexed",
           "write_vcf"]


def read_variants(path: str | os.PathLike[str], *, pass_only: bool = False,
                  region: Region | None = None,
                  reference: Reference | None = None) -> Iterator[Variant]:
    """Read a VCF, BCF or MAF file as :class:`Variant` records, one per ALT allele.

    Multi-allelic VCF records are split; per-allele values (INFO/FORMAT ``Number=A`` or
    ``R``, e.g. AF, AD) are reduced to this allele (``R`` keeps REF and this ALT).
    Symbolic (``<DEL>``), breakend and ``*`` alleles are skipped. For a split record GT is
    rewritten so that this ALT is allele 1 and other ALTs are missing (``.``).

    Parameters
    ----------
    path
        VCF/BCF (plain or bgzipped) or TCGA-style MAF (plain or gzipped).
    pass_only
        Keep only records whose FILTER is PASS or ``.``.
    region
        Keep records whose start lies in this region. VCF/BCF need an index
        (``.tbi``/``.csi``); a MAF is filtered while reading.
    reference
        For MAF insertions and deletions written with ``-``: supplies the anchor base
        that VCF-style alleles need.

    Raises
    ------
    InputFileError
        Missing, empty, truncated or non-variant files; malformed VCF records or MAF rows
        (with the line number). Format errors are raised on the call; record errors
        while iterating.
    IndexMissingError
        ``region`` given for a file without an index.
    """
    path = Path(path)
    kind = detect_format(path)
    if kind == "maf":
        return read_maf(path, pass_only=pass_only, region=region, reference=reference)
    return read_vcf(path, kind, pass_only=pass_only, region=region)

