"""Truth files of a simulation: somatic and germline VCFs, artefact sites, confident BED.

``truth.vcf.gz`` holds the somatic variants only, left-normalised, with the expected tumor
VAF (after purity and subclone fraction), TYPE, CLONE and repeat CONTEXT.
``germline.vcf.gz`` holds the germline variants with a phased GT for both samples.
``artefacts.vcf.gz`` lists the recurrent 8-oxoG (and FFPE deamination) sites of the tumor:
any call there is a false positive, which makes a caller's precision testable.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from onco_genomics.io.atomic import atomic_path
from onco_genomics.io.bed import write_bed
from onco_genomics.io.variants import HeaderField, Variant, VcfHeader, write_vcf
from onco_genomics.regions import Region
from onco_genomics.simulate.plant import ArtefactSite, PlantedVariant

log = logging.getLogger(__name__)

SOMATIC_INFO = (
    HeaderField("VAF", "1", "Float",
                "Expected variant allele fraction in the tumor BAM (after purity and clone "
                "cancer cell fraction)"),
    HeaderField("TYPE", "1", "String", "Variant type: SNV, MNV (adjacent substitutions on one "
                "molecule, e.g. a DBS), INS or DEL"),
    HeaderField("CLONE", "1", "Integer", "Clone carrying the variant: 0 founder, 1.. subclones"),
    HeaderField("CCF", "1", "Float", "Cancer cell fraction of the clone"),
    HeaderField("CONTEXT", "1", "String", "Repeat context: none, homopolymer or str"),
    HeaderField("SOURCE", "1", "String", "Origin of the allele (mutation table or random)"),
    HeaderField("HAP", ".", "String", "Haplotype(s) carrying the allele, e.g. 0 or 0,1"),
)

GERMLINE_INFO = (
    HeaderField("TYPE", "1", "String", "Variant type: SNV, INS or DEL"),
    HeaderField("CONTEXT", "1", "String", "Repeat context: none, homopolymer or str"),
)

ARTEFACT_INFO = (
    HeaderField("TYPE", "1", "String", "Artefact type (OXOG: 8-oxoguanine G>T / C>A; FFPE: "
                "cytosine deamination C>T / G>A)"),
    HeaderField("FRACTION", "1", "Float",
                "Share of the susceptible-orientation fragments that carry the artefact"),
    HeaderField("ORIENTATION", "1", "String",
                "Pair orientation that shows the artefact: F1R2 (G>T, FFPE C>T) or F2R1 "
                "(C>A, FFPE G>A)"),
)

GT_FORMAT = (HeaderField("GT", "1", "String", "Phased genotype"),)


def somatic_records(variants: Sequence[PlantedVariant],
                    clone_fractions: Sequence[float]) -> list[Variant]:
    """Truth records of somatic variants."""
    return [Variant(v.chrom, v.pos, v.ref, v.alt, info={
        "VAF": v.vaf, "TYPE": v.kind, "CLONE": v.clone, "CCF": clone_fractions[v.clone],
        "CONTEXT": v.context, "SOURCE": v.source,
        "HAP": ",".join(str(h) for h in v.haplotypes)}) for v in variants]


def germline_records(variants: Sequence[PlantedVariant], samples: Sequence[str]) -> list[Variant]:
    """Germline records with a phased genotype (haplotype 0|1) for every sample."""
    records = []
    for v in variants:
        gt = "1|1" if v.is_hom else ("1|0" if v.haplotypes == (0,) else "0|1")
        records.append(Variant(v.chrom, v.pos, v.ref, v.alt,
                               info={"TYPE": v.kind, "CONTEXT": v.context},
                               sample_data={s: {"GT": gt} for s in samples}))
    return records


def artefact_records(sites: Sequence[ArtefactSite]) -> list[Variant]:
    return [Variant(s.chrom, s.pos, s.ref, s.alt, info={
        "TYPE": s.kind, "FRACTION": s.fraction,
        "ORIENTATION": s.orientation}) for s in sites]


def write_truth(out_dir: Path, *, contigs: Sequence[tuple[str, int]], reference: str,
                command_line: str, somatic: Sequence[PlantedVariant],
                germline: Sequence[PlantedVariant], artefacts: Sequence[ArtefactSite],
                confident: Sequence[Region], clone_fractions: Sequence[float],
                samples: Sequence[str]) -> dict[str, Path]:
    """Write truth.vcf.gz, germline.vcf.gz, artefacts.vcf.gz and confident.bed."""
    extra = ("##oncogenSimulation=truth of oncogen simulate",)
    paths = {
        "truth": write_vcf(out_dir / "truth.vcf.gz", VcfHeader(
            contigs=contigs, reference=reference, info=SOMATIC_INFO,
            command_line=command_line, extra_lines=extra),
            somatic_records(somatic, clone_fractions)),
        "germline": write_vcf(out_dir / "germline.vcf.gz", VcfHeader(
            contigs=contigs, samples=samples, reference=reference, info=GERMLINE_INFO,
            formats=GT_FORMAT, command_line=command_line, extra_lines=extra),
            germline_records(germline, samples)),
        "artefacts": write_vcf(out_dir / "artefacts.vcf.gz", VcfHeader(
            contigs=contigs, reference=reference, info=ARTEFACT_INFO,
            command_line=command_line, extra_lines=extra), artefact_records(artefacts)),
        "confident": write_bed(out_dir / "confident.bed", confident),
    }
    return paths


def write_params(path: Path, params: Mapping[str, Any]) -> Path:
    """Write ``params.json`` atomically (sorted keys, stable across runs)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(params, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
