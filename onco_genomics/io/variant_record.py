"""Variant records and VCF header definitions: the typed objects every variant reader
returns and the VCF writer takes.

Positions are 0-based inside oncogen; :attr:`Variant.vcf_pos` gives the 1-based VCF position.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["FileFormat", "HeaderField", "Variant", "VariantType", "VcfHeader", "VcfInfo"]

VariantType = Literal["SNV", "MNV", "INS", "DEL", "COMPLEX"]


@dataclass(frozen=True)
class Variant:
    """One ALT allele at one site.

    Attributes
    ----------
    chrom, pos
        Contig and 0-based position of the first REF base.
    ref, alt
        Alleles in VCF convention (indels carry the anchor base). Upper case.
    filters
        FILTER values; empty means PASS (or unfiltered ``.``).
    info
        INFO key -> value (flags are ``True``).
    sample_data
        sample name -> FORMAT key -> value (values for this ALT where per-allele).
    sample
        The tumour sample the record belongs to when the source says so (MAF
        ``Tumor_Sample_Barcode``); None for VCF.
    """

    chrom: str
    pos: int
    ref: str
    alt: str
    id: str | None = None
    qual: float | None = None
    filters: tuple[str, ...] = ()
    info: Mapping[str, Any] = field(default_factory=dict)
    sample_data: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sample: str | None = None

    def __post_init__(self) -> None:
        if self.pos < 0:
            raise ValueError(f"Variant position must be >= 0 (0-based), got {self.pos}")
        if not self.ref or not self.alt:
            raise ValueError(f"Variant at {self.chrom}:{self.pos + 1} has an empty allele")

    @property
    def vcf_pos(self) -> int:
        """1-based position, as written in VCF text."""
        return self.pos + 1

    @property
    def end(self) -> int:
        """0-based exclusive end of the REF allele."""
        return self.pos + len(self.ref)

    @property
    def is_pass(self) -> bool:
        return not self.filters or self.filters == ("PASS",)

    @property
    def vartype(self) -> VariantType:
        """SNV, MNV, INS, DEL or COMPLEX, from the alleles as written."""
        nref, nalt = len(self.ref), len(self.alt)
        if nref == nalt:
            return "SNV" if nref == 1 else "MNV"
        if nref == 1 and self.alt[0] == self.ref[0]:
            return "INS"
        if nalt == 1 and self.ref[0] == self.alt[0]:
            return "DEL"
        return "COMPLEX"

    @property
    def is_indel(self) -> bool:
        return self.vartype in ("INS", "DEL")


@dataclass(frozen=True)
class HeaderField:
    """An INFO or FORMAT definition: ``##INFO=<ID=..,Number=..,Type=..,Description="..">``."""

    id: str
    number: str
    type: Literal["Integer", "Float", "Flag", "Character", "String"]
    description: str


@dataclass(frozen=True)
class VcfHeader:
    """Everything :func:`write_vcf` needs for a complete VCF 4.2 header.

    ``contigs`` are (name, length) in reference order; ``filters`` are (id, description)
    and need not include PASS; ``command_line`` goes into ``##oncogenCommand``.
    """

    contigs: Sequence[tuple[str, int]]
    samples: Sequence[str] = ()
    reference: str | None = None
    info: Sequence[HeaderField] = ()
    formats: Sequence[HeaderField] = ()
    filters: Sequence[tuple[str, str]] = ()
    command_line: str | None = None
    extra_lines: Sequence[str] = ()


FileFormat = Literal["vcf", "bcf", "maf"]


@dataclass(frozen=True)
class VcfInfo:
    """What a VCF/BCF header declares.

    Attributes
    ----------
    path
        The file described.
    samples
        Sample names in column order.
    contigs
        ``(name, length)`` from the ``##contig`` lines, in header order (length -1 when
        the header gives none).
    info_ids, format_ids, filter_ids
        IDs of the ``##INFO``, ``##FORMAT`` and ``##FILTER`` definitions.
    """

    path: Path
    samples: tuple[str, ...]
    contigs: tuple[tuple[str, int], ...]
    info_ids: frozenset[str]
    format_ids: frozenset[str]
    filter_ids: frozenset[str]

    def __post_init__(self) -> None:
        if len(set(self.samples)) != len(self.samples):
            raise ValueError(f"duplicated sample names in {self.samples}")

    @property
    def contig_names(self) -> list[str]:
        return [name for name, _ in self.contigs]
