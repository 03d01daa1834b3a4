"""``oncogen report``: a self-contained HTML report (and MultiQC content) for call sets."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("report")
@click.argument("calls", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="HTML report to write (one file, plots embedded).")
@click.option("--ref", "reference", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="FASTA of the calls: adds the SBS96 spectrum and signature exposures.")
@click.option("--truth", default=None, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Truth VCF: adds precision/recall/F1 by type and VAF (one call set).")
@click.option("--bed", default=None, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Confident regions for --truth.")
@click.option("--signatures", default="cosmic:v3.4", show_default=True,
              help="Reference signatures fitted with --ref ('none': no fit).")
@click.option("--multiqc", "multiqc_dir", default=None,
              type=click.Path(file_okay=False, path_type=Path),
              help="Also write MultiQC custom-content files (*_mqc.tsv) into this folder.")
@click.option("--title", default="oncogen report", show_default=True, help="Page title.")
def report(calls: tuple[Path, ...], output: Path, reference: Path | None, truth: Path | None,
           bed: Path | None, signatures: str, multiqc_dir: Path | None, title: str) -> None:
    """Summarise somatic call sets (CALLS: VCFs) as one HTML page.

    Per call set: records by FILTER and type, the tumour VAF histogram, substitution
    classes, and with --ref the SBS96 spectrum and signature exposures; with --truth the
    evaluation table. Several call sets add a cohort table.
    """
    from onco_genomics.errors import OptionsError
    from onco_genomics.report import summarise_calls, write_html_report, write_multiqc

    if truth is not None and len(calls) > 1:
        raise OptionsError("--truth scores one call set; give one VCF with --truth")
    if bed is not None and truth is None:
        raise OptionsError("--bed restricts the evaluation; it needs --truth")
    fit = None if signatures.lower() == "none" else signatures
    summaries = [summarise_calls(path, reference=reference, truth=truth, bed=bed,
                                 signatures=fit) for path in calls]
    write_html_report(summaries, output, title=title)
    click.echo(f"{output}: report of {len(summaries)} call set(s)", err=True)
    if multiqc_dir is not None:
        for path in write_multiqc(summaries, multiqc_dir):
            click.echo(f"{path}", err=True)
