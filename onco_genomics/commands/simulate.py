"""``oncogen simulate``: a tumor/normal BAM pair with its truth VCF."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from onco_genomics.errors import OptionsError

log = logging.getLogger(__name__)


def _count_or_rate(text: str | None, flag: str) -> tuple[float | None, int | None]:
    """``"150"`` -> a rate per Mb; ``"n=40"`` / ``"40n"`` -> an exact count."""
    if text is None:
        return None, None
    value = text.strip().lower()
    try:
        if value.startswith("n="):
            return None, int(value[2:])
        if value.endswith("n"):
            return None, int(value[:-1])
        return float(value), None
    except ValueError as err:
        raise OptionsError(
            f"{flag}: expected a rate per Mb (e.g. 100) or a count (e.g. n=40), found {text!r}"
        ) from err


@click.command("simulate")
@click.option("--ref", "reference", required=True, type=click.Path(dir_okay=False),
              help="Reference FASTA (plain or bgzipped, with .fai).")
@click.option("--region", "regions", multiple=True,
              help="Region to simulate, 1-based inclusive, e.g. 20:10000001-11000000 "
                   "(repeatable).")
@click.option("--bed", type=click.Path(dir_okay=False), default=None,
              help="BED of regions to simulate (added to --region).")
@click.option("--out-dir", required=True, type=click.Path(file_okay=False),
              help="Output folder (tumor.bam, normal.bam, truth.vcf.gz, ...).")
@click.option("--seed", default=1, show_default=True, type=int,
              help="Random seed; the same seed and inputs give identical BAM records.")
@click.option("--tumor-depth", default=60.0, show_default=True, type=float,
              help="Mean read depth of the tumor (both mates, duplicates included).")
@click.option("--normal-depth", default=30.0, show_default=True, type=float,
              help="Mean read depth of the normal.")
@click.option("--purity", default=1.0, show_default=True, type=float,
              help="Tumor cell fraction of the tumor sample.")
@click.option("--vaf", default="0.02-0.5", show_default=True,
              help="Somatic allele fractions in a pure clonal tumor: LOW-HIGH (log-uniform) "
                   "or a list V1,V2,...; the truth VAF is this x purity x clone CCF.")
@click.option("--snv-rate", default="100", show_default=True,
              help="Somatic SNVs per Mb, or a count as n=COUNT.")
@click.option("--indel-rate", default="20", show_default=True,
              help="Somatic indels (1-20 bp) per Mb, or a count as n=COUNT.")
@click.option("--dbs-rate", default=0.0, show_default=True, type=float,
              help="Somatic doublet base substitutions (two adjacent bases on one molecule, "
                   "one MNV truth record) per Mb.")
@click.option("--germline-snv-rate", default=1.0, show_default=True, type=float,
              help="Germline SNPs per kb.")
@click.option("--germline-indel-rate", default=0.12, show_default=True, type=float,
              help="Germline indels per kb.")
@click.option("--germline-hom-fraction", default=0.35, show_default=True, type=float,
              help="Share of homozygous germline variants.")
@click.option("--subclones", default="", show_default=False,
              help="Cancer cell fractions of subclones, e.g. 0.4,0.15 (none by default).")
@click.option("--contamination", default=0.0, show_default=True, type=float,
              help="Fraction of tumor material in the normal sample.")
@click.option("--read-length", default=150, show_default=True, type=int,
              help="Length of each mate.")
@click.option("--fragment-mean", default=350.0, show_default=True, type=float,
              help="Mean fragment (insert) size.")
@click.option("--fragment-sd", default=60.0, show_default=True, type=float,
              help="Standard deviation of the fragment size (normal, truncated).")
@click.option("--dup-rate", default=0.08, show_default=True, type=float,
              help="Fraction of read pairs that are PCR duplicates.")
@click.option("--mark-duplicates/--no-mark-duplicates", default=True, show_default=True,
              help="Flag duplicates 0x400 (all copies but one per family).")
@click.option("--pcr-error-fraction", default=0.3, show_default=True, type=float,
              help="Share of duplicate families carrying one PCR substitution in every copy.")
@click.option("--oxog-rate", default=2e-4, show_default=True, type=float,
              help="Background 8-oxoG G>T rate per G on the strand read 1 sequences.")
@click.option("--oxog-sites", default=20.0, show_default=True, type=float,
              help="Recurrent tumor 8-oxoG hotspots per Mb (listed in artefacts.vcf.gz).")
@click.option("--ffpe-rate", default=0.0, show_default=True, type=float,
              help="Background FFPE deamination rate in the tumor: C>T per C on the strand "
                   "read 1 sequences (C>T on F1R2 pairs, G>A on F2R1 pairs).")
@click.option("--ffpe-sites", default=0.0, show_default=True, type=float,
              help="Recurrent tumor FFPE deamination sites per Mb, 5-25% of the susceptible "
                   "pairs each (listed in artefacts.vcf.gz).")
@click.option("--qualities", type=click.Choice(["continuous", "binned"]),
              default="continuous", show_default=True,
              help="Base qualities as drawn, or binned to Illumina's 8 levels.")
@click.option("--mutations", default="brca-chr20", show_default=True,
              help="Somatic SNV source: brca-chr20 (shipped), random, or a table/VCF/MAF path.")
@click.option("--snv-spectrum", default="", show_default=False,
              help="COSMIC v3.4 SBS signatures that random SNVs follow in trinucleotide "
                   "context, e.g. SBS4:0.6,SBS5:0.4 (needs sigprofilerassignment); use with "
                   "--mutations random.")
@click.option("--threads", default=1, show_default=True, type=int,
              help="Alignment and sorting threads (the output does not depend on it).")
@click.option("--align-to", type=click.Choice(["contigs", "regions"]), default="contigs",
              show_default=True,
              help="minimap2 index: the whole contigs holding the regions (reads from repeats "
                   "may mis-map, as in real data) or only the regions (faster).")
@click.option("--aligner", type=click.Choice(["minimap2", "bwa"]), default="minimap2",
              show_default=True,
              help="Read aligner: minimap2 (built in, mappy) or bwa mem (the bwa program).")
@click.option("--population-sites", default=0.0, show_default=True, type=float,
              help="Population variant sites per kb with allele frequencies from the neutral "
                   "site-frequency spectrum, written to population.vcf.gz (INFO/AF: a "
                   "germline resource); tumor and normal are one person drawn from it plus "
                   "--private-germline-rate private variants (replacing --germline-*-rate). "
                   "0: off.")
@click.option("--private-germline-rate", default=20.0, show_default=True, type=float,
              help="With --population-sites: the person's germline variants per Mb that are "
                   "absent from the population.")
@click.option("--recurrent-artefacts", default=0.0, show_default=True, type=float,
              help="Sites per Mb where every library (tumor, normal, panel normals) shows a "
                   "non-reference base in 4-15% of fragments (recurrent.vcf.gz).")
@click.option("--pon-normals", default=0, show_default=True, type=int,
              help="Extra normals of other people of the population (pon_normal_NN.bam, "
                   "at --normal-depth) for `oncogen pon`; needs --population-sites.")
@click.option("--tumor-sample", default="TUMOR", show_default=True,
              help="SM of the tumor read group.")
@click.option("--normal-sample", default="NORMAL", show_default=True,
              help="SM of the normal read group.")
def simulate(reference: str, regions: tuple[str, ...], bed: str | None, out_dir: str,
             seed: int, tumor_depth: float, normal_depth: float, purity: float, vaf: str,
             snv_rate: str, indel_rate: str, dbs_rate: float, germline_snv_rate: float,
             germline_indel_rate: float, germline_hom_fraction: float, subclones: str,
             contamination: float, read_length: int, fragment_mean: float, fragment_sd: float,
             dup_rate: float, mark_duplicates: bool, pcr_error_fraction: float,
             oxog_rate: float, oxog_sites: float, ffpe_rate: float, ffpe_sites: float,
             qualities: str, mutations: str, snv_spectrum: str, threads: int,
             align_to: str, aligner: str, population_sites: float,
             private_germline_rate: float, recurrent_artefacts: float, pon_normals: int,
             tumor_sample: str, normal_sample: str) -> None:
    """Simulate a matched tumor/normal BAM pair with a truth VCF.

    Reads come from real reference sequence with germline SNPs and indels; the tumor adds
    somatic SNVs (real breast-cancer mutations by default) and 1-20 bp indels at chosen
    VAFs, purity and subclones, plus artefacts a caller must reject (PCR duplicates,
    8-oxoG G>T and optionally FFPE C>T on one pair orientation). Reads are aligned with
    minimap2 or bwa mem. With --population-sites the germline comes from a simulated
    population (population.vcf.gz, a germline resource for tumor-only calling) and
    --pon-normals adds normals of other people for a panel of normals.
    """
    from onco_genomics.commands._options import command_line
    from onco_genomics.simulate import SimulationOptions, VafSpec, simulate_pair

    snv, snv_count = _count_or_rate(snv_rate, "--snv-rate")
    indel, indel_count = _count_or_rate(indel_rate, "--indel-rate")
    try:
        clones = tuple(float(x) for x in subclones.split(",") if x.strip())
    except ValueError as err:
        raise OptionsError(
            f"--subclones: expected comma-separated fractions such as 0.4,0.15, found "
            f"{subclones!r}") from err
    options = SimulationOptions(
        reference=Path(reference), regions=regions, bed=Path(bed) if bed else None, seed=seed,
        tumor_depth=tumor_depth, normal_depth=normal_depth, purity=purity,
        vaf=VafSpec.parse(vaf), snv_rate=snv if snv is not None else 0.0,
        indel_rate=indel if indel is not None else 0.0, snv_count=snv_count,
        indel_count=indel_count, dbs_rate=dbs_rate, germline_snv_rate=germline_snv_rate,
        germline_indel_rate=germline_indel_rate, germline_hom_fraction=germline_hom_fraction,
        subclones=clones, contamination=contamination, read_length=read_length,
        fragment_mean=fragment_mean, fragment_sd=fragment_sd, dup_rate=dup_rate,
        mark_duplicates=mark_duplicates, pcr_error_fraction=pcr_error_fraction,
        oxog_rate=oxog_rate, oxog_sites=oxog_sites, ffpe_rate=ffpe_rate,
        ffpe_sites=ffpe_sites, qualities=qualities, mutations=mutations,
        snv_spectrum=snv_spectrum, threads=threads, align_to=align_to, aligner=aligner,
        tumor_sample=tumor_sample, normal_sample=normal_sample,
        population_sites=population_sites, private_germline_rate=private_germline_rate,
        recurrent_artefacts=recurrent_artefacts, pon_normals=pon_normals)
    result = simulate_pair(options, out_dir, command_line=command_line())
    click.echo(
        f"wrote {result.out_dir}: {len(result.somatic)} somatic variants, "
        f"{len(result.germline)} germline variants, {len(result.artefacts)} artefact sites, "
        + ", ".join(f"{k} {v:,} read pairs" for k, v in result.read_pairs.items()))
