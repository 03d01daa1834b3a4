"""``oncogen spectrum``: mutation catalogs (SBS96/SBS1536/DBS78/ID83) from VCF or MAF files."""

from __future__ import annotations

import logging
from pathlib import Path

import click

log = logging.getLogger(__name__)


def output_path(output: Path, name: str, *, several: bool) -> Path:
    """``-o`` itself for one catalog; ``catalog.SBS96.tsv`` style names for several."""
    if not several:
        return output
    suffix = "".join(output.suffixes[-1:])
    stem = output.name[: len(output.name) - len(suffix)] if suffix else output.name
    return output.with_name(f"{stem}.{name}{suffix}")


@click.command("spectrum")
@click.argument("inputs", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ref", "reference", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Reference FASTA of the build the calls were made on.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Catalog TSV in SigProfiler's layout; with several --context values the "
                   "catalog name is added before the extension (catalog.SBS96.tsv).")
@click.option("--context", "contexts", default="sbs96", show_default=True,
              help="Comma-separated catalogs: sbs96, sbs1536, dbs78, id83.")
@click.option("--all-filters", is_flag=True,
              help="Count records whatever their FILTER [default: PASS (or '.') only].")
@click.option("--min-vaf", type=float, default=None,
              help="Count only records whose sample VAF (FORMAT AF/FA/VAF or AD) is >= this.")
@click.option("--min-depth", type=int, default=None,
              help="Count only records whose sample depth (FORMAT DP or AD sum) is >= this.")
@click.option("--adjacent-snvs", type=click.Choice(["dbs", "dbs+sbs"]), default="dbs",
              show_default=True,
              help="Two adjacent SNVs of a sample: one DBS only (COSMIC), or also two SBS "
                   "(as SigProfilerMatrixGenerator's matrices count them).")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also draw the spectra (.png/.svg/.pdf; named per catalog like -o).")
def spectrum(inputs: tuple[Path, ...], reference: Path, output: Path, contexts: str,
             all_filters: bool, min_vaf: float | None, min_depth: int | None,
             adjacent_snvs: str, plot: Path | None) -> None:
    """Count the mutations of VCF/BCF/MAF INPUTS into COSMIC catalogs.

    Multi-sample VCFs give one column per sample that carries each ALT (GT or AD); a
    tumour/normal VCF (a sample named NORMAL, or ##normal_sample/##tumor_sample) gives one
    column, the tumour; MAF rows go to their Tumor_Sample_Barcode.
    """
    from onco_genomics.io.atomic import atomic_outputs, check_output_path
    from onco_genomics.spectrum.catalog import CatalogOptions, build_catalogs, parse_contexts
    from onco_genomics.spectrum.contexts import DISPLAY_NAMES
    from onco_genomics.spectrum.matrix_files import write_catalog

    options = CatalogOptions(contexts=parse_contexts(contexts), pass_only=not all_filters,
                             min_vaf=min_vaf, min_depth=min_depth,
                             adjacent_snvs=adjacent_snvs)  # type: ignore[arg-type]
    several = len(options.contexts) > 1
    for name in (DISPLAY_NAMES[kind] for kind in options.contexts):
        check_output_path(output_path(output, name, several=several), what="-o/--output")
        if plot is not None:
            check_output_path(output_path(plot, name, several=several), what="--plot")
    catalogs = build_catalogs(list(inputs), reference, options=options)
    several = len(catalogs) > 1
    with atomic_outputs() as files:  # every catalog (and plot) or none
        for catalog in catalogs.values():
            write_catalog(catalog, files.file(output_path(output, catalog.name,
                                                          several=several)))
            if plot is not None:
                from onco_genomics.spectrum.plots import plot_catalog

                plot_catalog(catalog, files.file(output_path(plot, catalog.name,
                                                             several=several)))
    for catalog in catalogs.values():
        target = output_path(output, catalog.name, several=several)
        total = catalog.total
        if len(total) <= 6:
            detail = ", ".join(f"{s}={n:,}" for s, n in total.items())
        else:
            detail = (f"{int(total.sum()):,} mutations; per sample min {int(total.min()):,}, "
                      f"median {int(total.median()):,}, max {int(total.max()):,}")
        click.echo(f"{target}: {catalog.name}, {len(catalog.samples)} samples ({detail})",
                   err=True)
