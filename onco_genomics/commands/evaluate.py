"""``oncogen evaluate``: score somatic calls against a truth VCF."""

from __future__ import annotations

import logging

import click

from onco_genomics.errors import OptionsError

log = logging.getLogger(__name__)


def parse_vaf_bins(text: str) -> tuple[float, ...]:
    """Parse ``--vaf-bins`` (edges in percent, comma-separated) into fractions."""
    try:
        edges = tuple(float(item) / 100.0 for item in text.split(",") if item.strip())
    except ValueError as err:
        raise OptionsError(
            f"--vaf-bins expects comma-separated edges in percent, e.g. 0,7.5,15,30,100; "
            f"found {text!r}") from err
    return edges


@click.command("evaluate")
@click.option("--truth", "truth_path", required=True, type=click.Path(dir_okay=False),
              help="Truth VCF (somatic; INFO VAF gives the VAF bin), or a MAF.")
@click.option("--calls", "calls_path", required=True, type=click.Path(dir_okay=False),
              help="Calls to score (VCF/BCF, or a MAF).")
@click.option("--ref", "ref_path", type=click.Path(dir_okay=False), default=None,
              help="Reference FASTA, to left-align indels (strongly recommended).")
@click.option("--bed", "bed_path", type=click.Path(dir_okay=False), default=None,
              help="Compare only variants overlapping these intervals.")
@click.option("--germline", "germline_path", type=click.Path(dir_okay=False), default=None,
              help="Germline VCF of the patient: count false positives that are germline.")
@click.option("-o", "--output", "prefix", default=None,
              help="Write PREFIX.tsv (metrics), PREFIX.json (metrics, notes, settings) and "
                   "PREFIX.variants.tsv (status of every variant, 1-based positions).")
@click.option("--vaf-bins", default="0,7.5,15,30,100", show_default=True,
              help="VAF bin edges in percent; bins are [a,b), the last one closed.")
@click.option("--all-filters", is_flag=True,
              help="Score every call, not only FILTER PASS/'.'.")
@click.option("--truth-vaf-field", default="VAF", show_default=True,
              help="INFO field of the truth VCF holding the VAF (a fraction).")
@click.option("--tumor-sample", default=None,
              help="Sample of the call VCF whose FORMAT AF/AD bins false positives by VAF "
                   "(default: the only sample, or the one named tumor/tumour).")
def evaluate(truth_path: str, calls_path: str, ref_path: str | None, bed_path: str | None,
             germline_path: str | None, prefix: str | None, vaf_bins: str, all_filters: bool,
             truth_vaf_field: str, tumor_sample: str | None) -> None:
    """Score somatic calls against a truth VCF: TP, FP, FN, precision, recall and F1.

    Both VCFs are split into one ALT per record, normalised (indels left-aligned and
    trimmed against --ref) and matched on (chrom, pos, REF, ALT). Metrics are reported for
    SNVs, indels and all variants, overall and per VAF bin: TPs and FNs by the truth VAF,
    FPs by the call's tumor VAF (or 'unknown').
    """
    from onco_genomics.evaluate.compare import evaluate_calls
    from onco_genomics.evaluate.compare import format_table as format_evaluation
    from onco_genomics.io.atomic import check_output_path
    from onco_genomics.io.variants import read_variants

    bins = parse_vaf_bins(vaf_bins)
    if prefix is not None:
        for suffix in (".tsv", ".variants.tsv", ".json"):
            check_output_path(f"{prefix}{suffix}", what="-o/--output")
    reference = None
    if ref_path is not None:
        from onco_genomics.io.reference import Reference

        reference = Reference(ref_path)
    regions = None
    if bed_path is not None:
        from onco_genomics.io.bed import read_bed

        regions = read_bed(bed_path)
    # the reference also lets MAF inputs turn '-' indels into VCF alleles
    germline = (read_variants(germline_path, reference=reference)
                if germline_path is not None else None)
    result = evaluate_calls(
        read_variants(truth_path, reference=reference),
        read_variants(calls_path, reference=reference), reference=reference,
        regions=regions, germline=germline, vaf_bins=bins, truth_vaf_field=truth_vaf_field,
        tumor_sample=tumor_sample, pass_only=not all_filters)
    click.echo(format_evaluation(result))
    if prefix is not None:
        result.write(prefix, inputs={"truth": truth_path, "calls": calls_path,
                                     "reference": ref_path, "bed": bed_path,
                                     "germline": germline_path})
