"""TCGA-style MAF reading: rows become VCF-style :class:`Variant` records (``-`` indels
anchored on the reference base before them), with a check of Reference_Allele against the
genome that catches a MAF from another assembly."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from onco_genomics.errors import InputFileError
from onco_genomics.io.variant_record import Variant
from onco_genomics.io.vcf_reader import _open_text
from onco_genomics.regions import Region

if TYPE_CHECKING:
    from onco_genomics.io.reference import Reference

__all__ = ["read_maf"]

log = logging.getLogger(__name__)

_MAF_REF_CHECKS = 10_000  # records whose REF is compared with the genome (assembly check)
_MAF_REQUIRED = ("Chromosome", "Start_Position", "Reference_Allele", "Tumor_Seq_Allele2")


def read_maf(path: Path, *, pass_only: bool, region: Region | None,
             reference: Reference | None) -> Iterator[Variant]:
    """Records of the MAF ``path`` (plain or gzipped)."""
    handle = _open_text(path)
    return _iter_maf(handle, path, pass_only=pass_only, region=region, reference=reference)


def _iter_maf(handle: io.TextIOBase, path: Path, *, pass_only: bool, region: Region | None,
              reference: Reference | None) -> Iterator[Variant]:
    with handle:
        lines = (line for line in handle if not line.startswith("#") and line.strip())
        reader = csv.DictReader(lines, delimiter="\t")
        columns = reader.fieldnames or []
        missing = [name for name in _MAF_REQUIRED if name not in columns]
        if "Tumor_Seq_Allele2" in missing and "Tumor_Seq_Allele1" in columns:
            missing.remove("Tumor_Seq_Allele2")
        if missing:
            raise InputFileError(
                f"MAF {path} lacks the column(s) {missing}; expected TCGA MAF columns "
                f"{list(_MAF_REQUIRED)} (+ Tumor_Sample_Barcode); found {columns[:12]}")
        checked = mismatched = 0
        example = ""
        for row in reader:
            line_no = reader.line_num
            variant = _maf_row(row, path, line_no, reference)
            if variant is None:
                continue
            if (reference is not None and checked < _MAF_REF_CHECKS
                    and variant.end <= reference.lengths.get(variant.chrom, -1)):
                checked += 1
                genome = reference.fetch(variant.chrom, variant.pos, variant.end)
                if genome != variant.ref:
                    mismatched += 1
                    example = example or (f"{variant.chrom}:{variant.vcf_pos} MAF "
                                          f"{variant.ref}, reference {genome}")
            if pass_only and not variant.is_pass:
                continue
            if region is not None and not region.contains(variant.chrom, variant.pos):
                continue
            yield variant
        if mismatched:
            log.warning("%s: %d of %d Reference_Allele values checked differ from %s (e.g. %s); "
                        "is the MAF from another assembly (see its NCBI_Build column)?", path,
                        mismatched, checked, reference.path if reference else "", example)


def _maf_row(row: Mapping[str, str | None], path: Path, line_no: int,
             reference: Reference | None) -> Variant | None:
    where = f"MAF {path} record {line_no}"
    chrom = (row.get("Chromosome") or "").strip()
    start_text = (row.get("Start_Position") or "").strip()
    ref = (row.get("Reference_Allele") or "").strip().upper()
    alt = (row.get("Tumor_Seq_Allele2") or "").strip().upper()
    if not alt or alt == ref:
        alt = (row.get("Tumor_Seq_Allele1") or "").strip().upper()
    if not chrom or not start_text or not ref:
        raise InputFileError(f"{where}: Chromosome, Start_Position and Reference_Allele "
                             f"must be filled, found {chrom!r}, {start_text!r}, {ref!r}")
    try:
        start = int(start_text)
    except ValueError as err:
        raise InputFileError(f"{where}: Start_Position must be an integer, "
                             f"found {start_text!r}") from err
    if start < 1:
        raise InputFileError(f"{where}: Start_Position must be >= 1 (1-based), found {start}")
    if not alt or alt == ref:
        log.debug("%s: no tumour allele differs from the reference; skipped", where)
        return None
    for allele in (ref, alt):
        if allele != "-" and set(allele) - set("ACGTN"):
            raise InputFileError(f"{where}: allele {allele!r} is not '-' or A/C/G/T/N bases")
    barcode = (row.get("Tumor_Sample_Barcode") or "").strip() or None
    filter_text = (row.get("FILTER") or "").strip()
    filters = () if filter_text in ("", ".", "PASS") else tuple(filter_text.split(";"))
    if ref != "-" and alt != "-":
        return Variant(chrom, start - 1, ref, alt, filters=filters, sample=barcode)
    if reference is None:
        raise InputFileError(
            f"{where} is an indel written with '-' ({ref}>{alt}); converting it to VCF "
            "alleles needs the preceding reference base: pass the reference FASTA "
            "(reference=Reference(...) / --ref)")
    if ref == "-":  # insertion after Start_Position
        anchor_pos = start - 1
        anchor = reference.fetch(chrom, anchor_pos, anchor_pos + 1)
        return Variant(chrom, anchor_pos, anchor, anchor + alt, filters=filters, sample=barcode)
    # deletion of Start_Position..End_Position: anchor is the base before
    anchor_pos = start - 2
    if anchor_pos < 0:
        raise InputFileError(f"{where}: a deletion at the first base of {chrom} has no anchor")
    anchor = reference.fetch(chrom, anchor_pos, anchor_pos + 1)
    return Variant(chrom, anchor_pos, anchor + ref, anchor, filters=filters, sample=barcode)
