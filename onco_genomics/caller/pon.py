"""Panel of normals: alleles with recurrent non-reference evidence across normal samples.

Each normal BAM is scanned alone with the caller's candidate scan
(:func:`onco_genomics.pileup.scan.scan_region` without a second sample): every allele with at
least ``min_alt_reads`` reads and an allele fraction of at least ``min_af`` is evidence in
that normal. An allele seen in at least ``min_normals`` normals is a panel site: a mapping
or systematic sequencing artefact of the pipeline, or a common germline allele. Calls at
panel sites get FILTER ``panel_of_normals`` (Mutect2's name), in tumor-only and in matched
mode.

The panel is a sites-only VCF (bgzipped, tabix-indexed) whose header names the normals and
the thresholds; INFO ``NORMALS`` (normals with evidence), ``ALT_READS`` and ``DEPTH``
(summed over those normals) and ``MAX_AF`` (largest allele fraction among them).

Examples
--------
>>> import onco_genomics as og
>>> result = og.build_panel_of_normals(["n1.bam", "n2.bam", "n3.bam"], reference="ref.fa",
...                                    output="pon.vcf.gz")  # doctest: +SKIP
>>> result.sites  # doctest: +SKIP
57
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from onco_genomics.errors import InputFileError, OptionsError
from onco_genomics.io.atomic import check_output_path
from onco_genomics.io.variants import HeaderField, Variant, VcfHeader, write_vcf
from onco_genomics.progress import Progress
from onco_genomics.regions import Region

log = logging.getLogger(__name__)

#: chunk of work of the scan (bases)
PON_CHUNK_SIZE = 50_000

PON_INFO = (
    HeaderField("NORMALS", "1", "Integer",
                "Normals of the panel with evidence for the allele (ALT reads >= "
                "min_alt_reads and allele fraction >= min_af)"),
    HeaderField("ALT_READS", "1", "Integer", "ALT reads summed over the normals with evidence"),
    HeaderField("DEPTH", "1", "Integer", "Read depth summed over the normals with evidence"),
    HeaderField("MAX_AF", "1", "Float", "Largest allele fraction among those normals"),
)


@dataclass(frozen=True)
class PonOptions:
    """Settings of :func:`build_panel_of_normals`, checked on construction.

    Attributes
    ----------
    normals
        Indexed BAM/CRAM files of normal samples (at least ``min_normals``).
    reference
        The FASTA they were aligned to.
    output
        ``.vcf.gz`` path (bgzipped and tabix-indexed).
    regions, bed
        What to scan (as ``oncogen call``); neither: every contig.
    min_normals
        Normals that must show an allele for it to enter the panel.
    min_alt_reads, min_af
        Evidence in one normal: ALT reads and allele fraction.
    threads
        Worker processes scanning chunks.
    """

    normals: tuple[Path, ...]
    reference: Path
    output: Path
    regions: tuple[str, ...] = ()
    bed: Path | None = None
    min_normals: int = 2
    min_alt_reads: int = 2
    min_af: float = 0.02
    threads: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "normals", tuple(Path(p) for p in self.normals))
        if self.min_normals < 1:
            raise OptionsError(f"--min-normals: expected >= 1, found {self.min_normals}")
        if len(self.normals) < max(2, self.min_normals):
            raise OptionsError(
                f"expected at least {max(2, self.min_normals)} normal BAMs (an allele enters "
                f"the panel when --min-normals {self.min_normals} of them show it), found "
                f"{len(self.normals)}")
        if self.min_alt_reads < 1:
            raise OptionsError(f"--min-alt-reads: expected >= 1, found {self.min_alt_reads}")
        if not 0.0 <= self.min_af < 1.0:
            raise OptionsError(f"--min-af: expected a fraction in [0, 1), found {self.min_af}")
        if self.threads < 1:
            raise OptionsError(f"--threads: expected >= 1, found {self.threads}")
        if not str(self.output).endswith(".vcf.gz"):
            raise OptionsError(f"-o/--output: expected a .vcf.gz path (the panel is bgzipped "
                               f"and tabix-indexed), found {self.output}")


@dataclass(frozen=True)
class PonResult:
    """What :func:`build_panel_of_normals` wrote: the VCF, its sites and the normals used."""

    output: Path
    sites: int
    normals: tuple[str, ...]


@dataclass
class _Evidence:
    normals: int = 0
    alt_reads: int = 0
    depth: int = 0
    max_af: float = 0.0


def _check_inputs(options: PonOptions) -> tuple[list[tuple[str, int]], list[Region]]:
    from onco_genomics.caller.call_regions import resolve_call_regions
    from onco_genomics.io.alignments import (
        bam_contigs,
        check_contigs,
        check_index_matches,
        open_alignments,
    )
    from onco_genomics.io.reference import Reference

    if not options.reference.is_file():
        raise InputFileError(f"reference FASTA {options.reference} does not exist; check the "
                             "path")
    seen: dict[str, Path] = {}
    for path in options.normals:
        if not path.is_file():
            raise InputFileError(f"normal BAM {path} does not exist; check the path")
        key = os.path.realpath(path)
        if key in seen:
            raise OptionsError(f"normal BAM {path} is given twice (also as {seen[key]}); each "
                               "normal counts once in the panel")
        seen[key] = path
    if options.bed is not None and not options.bed.is_file():
        raise InputFileError(f"BED {options.bed} does not exist; check the path")
    check_output_path(options.output, what="-o/--output")
    with Reference(options.reference) as reference:
        contigs = list(reference.contigs)
    for path in options.normals:
        check_index_matches(path)
        with open_alignments(path, reference=options.reference) as bam:
            check_contigs(bam_contigs(bam), contigs, bam_path=path, ref_path=options.reference)
    return contigs, resolve_call_regions(options, contigs)


def build_panel_of_normals(normals: Sequence[str | os.PathLike[str]], *,
                           reference: str | os.PathLike[str], output: str | os.PathLike[str],
                           regions: Sequence[str] = (),
                           bed: str | os.PathLike[str] | None = None, min_normals: int = 2,
                           min_alt_reads: int = 2, min_af: float = 0.02, threads: int = 1,
                           command_line: str | None = None) -> PonResult:
    """Build a panel of normals from normal BAMs (``oncogen pon``).

    Parameters
    ----------
    normals
        Indexed BAM/CRAM files of normal samples, ideally from the same pipeline as the
        tumors the panel will serve.
    reference
        FASTA the reads were aligned to.
    output
        ``.vcf.gz`` to write (with its ``.tbi``), atomically: on an error nothing is
        written.
    regions, bed
        Regions to scan (1-based strings; BED); neither: every contig.
    min_normals
        Normals that must show an allele (default 2).
    min_alt_reads, min_af
        Evidence in one normal (defaults 2 reads and 2%).
    threads
        Worker processes.
    command_line
        Recorded in the VCF header.

    Returns
    -------
    PonResult
        Output path, number of sites, the normals' file names.

    Raises
    ------
    OptionsError, InputFileError, ContigMismatchError, OutputPathError
        Too few or repeated normals, missing or unindexed files, another genome build, an
        unwritable output.
    """
    from onco_genomics.caller.scanning import ChunkScanner
    from onco_genomics.pileup.candidates import PileupOptions

    options = PonOptions(normals=tuple(Path(p) for p in normals), reference=Path(reference),
                         output=Path(output), regions=tuple(regions),
                         bed=None if bed is None else Path(bed), min_normals=min_normals,
                         min_alt_reads=min_alt_reads, min_af=min_af, threads=threads)
    contigs, selected = _check_inputs(options)
    chunks = [chunk for region in selected for chunk in region.chunks(PON_CHUNK_SIZE)]
    pileup = PileupOptions(min_alt_reads=options.min_alt_reads, min_af=options.min_af)
    evidence: dict[tuple[str, int, str, str], _Evidence] = {}
    with Progress(len(chunks) * len(options.normals), "chunks", rate_label="sites") as bar:
        for path in options.normals:
            with ChunkScanner(path, None, options.reference, chunks, options=pileup,
                              threads=options.threads) as scanner:
                for _, batch in scanner:
                    for cand in batch.candidates:
                        item = evidence.setdefault((cand.chrom, cand.pos, cand.ref, cand.alt),
                                                   _Evidence())
                        item.normals += 1
                        item.alt_reads += cand.tumor.alt
                        item.depth += cand.tumor.depth
                        item.max_af = max(item.max_af, cand.tumor.af)
                    bar.update(1, extra=len(batch.candidates))
    records = [Variant(chrom, pos, ref, alt, info={
        "NORMALS": item.normals, "ALT_READS": item.alt_reads, "DEPTH": item.depth,
        "MAX_AF": round(item.max_af, 4)})
        for (chrom, pos, ref, alt), item in evidence.items()
        if item.normals >= options.min_normals]
    names = tuple(p.name for p in options.normals)
    header = VcfHeader(
        contigs=contigs, reference=str(options.reference), info=PON_INFO,
        command_line=command_line,
        extra_lines=(
            f"##oncogenPanelOfNormals=<Normals={len(names)},MinNormals={options.min_normals},"
            f"MinAltReads={options.min_alt_reads},MinAF={options.min_af:g}>",
            *(f"##oncogenPonNormal={name}" for name in names),
        ))
    write_vcf(options.output, header, records)
    log.info("wrote %s: %d panel sites from %d normals", options.output, len(records),
             len(names))
    return PonResult(output=options.output, sites=len(records), normals=names)
