"""``oncogen call`` and ``oncogen train caller``: thin wrappers over the caller API."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from onco_genomics.caller.records import (
    DAMAGE_CLASSES,
    DEFAULT_INDEL_RESCUE_AF,
    DEFAULT_INDEL_RESCUE_READS,
    DEFAULT_MIN_INDEL_ALT_READS,
    DEFAULT_ORIENTATION_BIAS_MAX_MINOR,
    DEFAULT_ORIENTATION_BIAS_P,
    SUBSTITUTION_CLASSES,
    substitution_class,
)

log = logging.getLogger(__name__)

_DEVICE = click.Choice(["auto", "cpu", "cuda"])


def _substitution_classes(ctx: click.Context, param: click.Parameter,
                          value: str) -> tuple[str, ...]:
    """``C>A,G>A`` -> ``("C>A", "C>T")``: SNV classes, either strand, comma-separated."""
    classes: list[str] = []
    for item in (part.strip().upper() for part in value.split(",")):
        if not item:
            continue
        ref, sep, alt = item.partition(">")
        cls = substitution_class(ref, alt) if sep else item
        if cls not in SUBSTITUTION_CLASSES:
            raise click.BadParameter(
                f"expected SNV classes such as C>A or G>T, comma-separated (any of "
                f"{', '.join(SUBSTITUTION_CLASSES)} or their complements), found {item!r}",
                ctx=ctx, param=param)
        if cls not in classes:
            classes.append(cls)
    if not classes and value.strip():
        raise click.BadParameter("expected at least one SNV class, e.g. C>A", ctx=ctx,
                                 param=param)
    return tuple(classes)


@click.command("call")
@click.argument("tumor", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("normal", required=False, default=None,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ref", "reference", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Reference FASTA the reads were aligned to.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output VCF (.vcf.gz: bgzipped and tabix-indexed).")
@click.option("--region", "regions", multiple=True,
              help="Region to call, 1-based inclusive (20:1000001-2000000); repeatable.")
@click.option("--bed", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="BED of regions to call (intersected with --region).")
@click.option("--threads", type=int, default=1, show_default=True,
              help="Worker processes (output is identical for any number).")
@click.option("--model", type=click.Path(path_type=Path), default=None,
              help="Model folder from `oncogen train caller` [default: the shipped model].")
@click.option("--min-af", type=float, default=0.02, show_default=True,
              help="Tumor allele fraction floor for candidate sites.")
@click.option("--min-snv-alt-reads", type=click.IntRange(min=1), default=3, show_default=True,
              help="SNVs with fewer tumor ALT reads get FILTER LowAltReads (2-read SNVs are "
                   "mostly coincident sequencing errors; see docs/benchmarks/caller.md).")
@click.option("--min-indel-alt-reads", type=click.IntRange(min=1),
              default=DEFAULT_MIN_INDEL_ALT_READS, show_default=True,
              help="Indels with fewer tumor ALT reads get FILTER LowAltReads. The default, "
                   "the candidate floor, flags none: a floor of 3 lost more true low-VAF "
                   "indels than false ones on the tuning pair (docs/caller.md).")
@click.option("--indel-rescue-reads", "indel_rescue_min_alt_reads", type=click.IntRange(min=0),
              default=DEFAULT_INDEL_RESCUE_READS, show_default=True,
              help="Matched mode: an indel with at least this many tumor ALT reads (and "
                   "--indel-rescue-af), whose normal passes the allele-count rule, is not "
                   "LowQual whatever its PROB (INFO RESCUED); 0 turns this off.")
@click.option("--indel-rescue-af", "indel_rescue_min_af",
              type=click.FloatRange(min=0.0, max=1.0), default=DEFAULT_INDEL_RESCUE_AF,
              show_default=True, help="Tumor allele fraction the indel rescue needs.")
@click.option("--min-normal-depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="Calls with fewer normal reads get FILTER LowNormalDepth: without normal "
                   "evidence a germline variant looks somatic (0 turns the filter off).")
@click.option("--orientation-bias-p", type=click.FloatRange(min=0.0, max=1.0, max_open=True),
              default=DEFAULT_ORIENTATION_BIAS_P, show_default=True,
              help="C>A/G>T and C>T/G>A SNVs whose tumor ALT reads are concentrated in one "
                   "pair orientation (F1R2 or F2R1; one-sided binomial p below this) get "
                   "FILTER OrientationBias, as 8-oxoG and deamination artefacts do; 0 "
                   "turns the filter off.")
@click.option("--orientation-bias-max-minor", type=click.FloatRange(min=0.0, max=1.0),
              default=DEFAULT_ORIENTATION_BIAS_MAX_MINOR, show_default=True,
              help="... and only when at most this fraction of the ALT reads is in the other "
                   "orientation (artefacts are one-sided; true variants are at most "
                   "unbalanced by chance).")
@click.option("--orientation-bias-classes", default=",".join(DAMAGE_CLASSES),
              show_default=True, callback=_substitution_classes,
              help="SNV classes the OrientationBias filter applies to, comma-separated (a "
                   "class and its complement are the same: C>A is also G>T). The default "
                   "covers 8-oxoG (C>A) and FFPE deamination (C>T); fresh-frozen samples "
                   "may keep only C>A.")
@click.option("--device", type=_DEVICE, default="auto", show_default=True,
              help="Run the network on the GPU (cuda), CPU, or CUDA when available (auto).")
@click.option("--chunk-size", type=int, default=50_000, show_default=True,
              help="Bases per unit of work (and per resumable chunk).")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run from OUTPUT.work (finished chunks are kept).")
@click.option("--keep-work", is_flag=True, help="Keep OUTPUT.work after success.")
@click.option("--tumor-sample", default=None, help="Tumor sample name [default: @RG SM].")
@click.option("--normal-sample", default=None, help="Normal sample name [default: @RG SM].")
@click.option("--tumor-only", is_flag=True,
              help="Call TUMOR without a matched normal (no NORMAL argument) with the "
                   "tumor-only model; use --germline-resource and --panel-of-normals.")
@click.option("--germline-resource", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help="Tumor-only: bgzipped, tabix-indexed VCF with INFO/AF (population allele "
                   "frequencies, e.g. gnomAD).")
@click.option("--panel-of-normals", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help="Panel of normals from `oncogen pon`: calls at its alleles get FILTER "
                   "panel_of_normals (both modes).")
def call(tumor: Path, normal: Path | None, reference: Path, output: Path, regions: tuple[str, ...],
         bed: Path | None, threads: int, model: Path | None, min_af: float,
         min_snv_alt_reads: int, min_indel_alt_reads: int,
         indel_rescue_min_alt_reads: int, indel_rescue_min_af: float, min_normal_depth: int,
         orientation_bias_p: float,
         orientation_bias_max_minor: float, orientation_bias_classes: tuple[str, ...],
         device: str, chunk_size: int,
         resume: bool, keep_work: bool,
         tumor_sample: str | None, normal_sample: str | None, tumor_only: bool,
         germline_resource: Path | None, panel_of_normals: Path | None) -> None:
    """Call somatic SNVs and indels in TUMOR against its matched NORMAL (indexed BAM/CRAM),
    or in TUMOR alone with --tumor-only."""
    from onco_genomics.caller.calling import call_somatic
    from onco_genomics.caller.records import FilterOptions
    from onco_genomics.commands._options import command_line
    from onco_genomics.errors import OptionsError

    filters = FilterOptions(min_snv_alt_reads=min_snv_alt_reads,
                            min_indel_alt_reads=min_indel_alt_reads,
                            indel_rescue_min_alt_reads=indel_rescue_min_alt_reads,
                            indel_rescue_min_af=indel_rescue_min_af,
                            min_normal_depth=min_normal_depth,
                            orientation_bias_p=orientation_bias_p,
                            orientation_bias_max_minor=orientation_bias_max_minor,
                            orientation_bias_classes=orientation_bias_classes)
    if tumor_only:
        _check_tumor_only_flags(click.get_current_context(), normal)
        from onco_genomics.caller.tumor_only_calling import call_tumor_only

        only = call_tumor_only(tumor, reference=reference, output=output,
                               germline_resource=germline_resource,
                               panel_of_normals=panel_of_normals, regions=regions, bed=bed,
                               threads=threads, model=model, min_af=min_af, device=device,
                               chunk_size=chunk_size, tumor_sample=tumor_sample,
                               filters=filters, command_line=command_line())
        click.echo(f"{only.output}: {len(only.calls)} records, {only.n_pass} PASS", err=True)
        return
    if normal is None:
        raise OptionsError("expected a NORMAL BAM after TUMOR; for a tumor without a matched "
                           "normal add --tumor-only")
    if germline_resource is not None:
        raise OptionsError("--germline-resource is read in tumor-only mode only (the matched "
                           "normal tells germline variants apart); add --tumor-only without "
                           "NORMAL, or drop it")
    result = call_somatic(tumor, normal, reference=reference, output=output, regions=regions,
                          bed=bed, threads=threads, model=model, min_af=min_af, device=device,
                          chunk_size=chunk_size, resume=resume, keep_work=keep_work,
                          tumor_sample=tumor_sample, normal_sample=normal_sample,
                          filters=filters, panel_of_normals=panel_of_normals,
                          command_line=command_line())
    click.echo(f"{result.output}: {len(result.calls)} records, {result.n_pass} PASS", err=True)


#: options of ``oncogen call`` that mean nothing without a matched normal (or a work folder),
#: with why; refused when given with --tumor-only
_MATCHED_ONLY_OPTIONS = {
    "min_normal_depth": "it sets the LowNormalDepth floor on the matched normal's reads",
    "normal_sample": "it names the matched normal's sample",
    "resume": "a tumor-only run keeps no OUTPUT.work folder to resume",
    "keep_work": "a tumor-only run keeps no OUTPUT.work folder",
    "indel_rescue_min_alt_reads": "the indel rescue needs the normal's reads",
    "indel_rescue_min_af": "the indel rescue needs the normal's reads",
}


def _check_tumor_only_flags(ctx: click.Context, normal: Path | None) -> None:
    """Refuse a NORMAL and every matched-mode option the user set (a default is fine)."""
    from click.core import ParameterSource

    from onco_genomics.errors import OptionsError

    if normal is not None:
        raise OptionsError(f"--tumor-only calls TUMOR alone, but a NORMAL BAM was given "
                           f"({normal}); drop --tumor-only to call against it, or drop it")
    for param in ctx.command.params:
        why = _MATCHED_ONLY_OPTIONS.get(param.name or "")
        source = ctx.get_parameter_source(param.name or "")
        if why is None or source in (None, ParameterSource.DEFAULT,
                                     ParameterSource.DEFAULT_MAP):
            continue
        flag = max(param.opts, key=len)
        value = ctx.params[param.name or ""]
        given = flag if isinstance(value, bool) else f"{flag} {value}"
        raise OptionsError(f"{flag} is not available with --tumor-only: {given} was given, "
                           f"but {why}; drop {flag} (or call against a matched NORMAL "
                           "without --tumor-only)")


@click.command("caller")
@click.option("--data", "data_dirs", multiple=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="An `oncogen simulate` output folder; repeatable.")
@click.option("--set", "file_sets", multiple=True, nargs=4,
              type=click.Path(dir_okay=False, path_type=Path),
              metavar="TUMOR NORMAL TRUTH BED",
              help="A tumor BAM, normal BAM, truth VCF and confident BED; repeatable.")
@click.option("--ref", "reference", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Reference FASTA of all sets.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Model folder to write (model.json + weights.pt).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Cache encoded tensors here (.npz per set) [default: .oncogen_cache "
                   "beside each tumor BAM].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write tensor caches.")
@click.option("--epochs", type=int, default=30, show_default=True,
              help="Most training epochs (early stopping on the validation split).")
@click.option("--batch-size", type=int, default=256, show_default=True,
              help="Candidates per training batch.")
@click.option("--learning-rate", type=float, default=2e-3, show_default=True,
              help="AdamW learning rate.")
@click.option("--patience", type=int, default=4, show_default=True,
              help="Early stopping: epochs without validation improvement.")
@click.option("--val-fraction", type=float, default=0.2, show_default=True,
              help="Fraction of region blocks held out for validation.")
@click.option("--block-size", type=int, default=100_000, show_default=True,
              help="Bases per region block of the validation split.")
@click.option("--negative-ratio", type=float, default=3.0, show_default=True,
              help="Negatives sampled per positive in each epoch (class balancing).")
@click.option("--no-augment", is_flag=True, help="Turn augmentation off.")
@click.option("--balance-substitutions/--no-balance-substitutions", default=True,
              show_default=True,
              help="Weight SNV positives so each substitution class (C>A ... T>G) counts "
                   "equally in the loss, so the training set's spectrum is not learnt as a "
                   "prior.")
@click.option("--width", type=int, default=32, show_default=True,
              help="Convolution channels of the network.")
@click.option("--blocks", type=int, default=3, show_default=True, help="Residual blocks.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the validation split, initial weights and batches.")
@click.option("--min-af", type=float, default=0.02, show_default=True,
              help="Candidate allele fraction floor (use the same when calling).")
@click.option("--threads", type=int, default=1, show_default=True,
              help="Worker processes for scanning the training BAMs.")
@click.option("--torch-threads", type=int, default=None,
              help="Torch threads for training on the CPU [default: torch's choice].")
@click.option("--device", type=_DEVICE, default="auto", show_default=True,
              help="auto: CUDA when torch sees a GPU, else the CPU.")
def train_caller(data_dirs: tuple[Path, ...], file_sets: tuple[tuple[Path, Path, Path, Path], ...],
                 reference: Path, output: Path, cache_dir: Path | None, no_cache: bool,
                 epochs: int,
                 batch_size: int, learning_rate: float, patience: int, val_fraction: float,
                 block_size: int, negative_ratio: float, no_augment: bool,
                 balance_substitutions: bool, width: int,
                 blocks: int, seed: int, min_af: float, threads: int, torch_threads: int | None,
                 device: str) -> None:
    """Train the CNN somatic caller from (tumor, normal, truth VCF, confident BED) sets."""
    from onco_genomics.caller.dataset import TrainingSet
    from onco_genomics.caller.train import TrainOptions
    from onco_genomics.caller.train import train_caller as train_api

    sets = [TrainingSet.from_simulation(folder) for folder in data_dirs]
    for i, (tumor, normal, truth, bed) in enumerate(file_sets, start=1):
        sets.append(TrainingSet(name=f"set{i}", tumor=tumor, normal=normal, truth=truth, bed=bed))
    options = TrainOptions(epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
                           patience=patience, seed=seed, val_fraction=val_fraction,
                           block_size=block_size, negative_ratio=negative_ratio,
                           augment=not no_augment, balance_substitutions=balance_substitutions,
                           width=width, blocks=blocks, device=device)
    report = train_api(sets, reference=reference, output=output,
                       cache_dir=cache_dir, cache=not no_cache,
                       options=options, threads=threads, torch_threads=torch_threads,
                       min_af=min_af)
    overall = report.metrics["all"]
    click.echo(f"{report.model_dir}: best epoch {report.best_epoch} of {report.epochs_run}, "
               f"threshold {report.threshold:.2f}, validation precision "
               f"{overall['precision']:.3f} recall {overall['recall']:.3f} F1 "
               f"{overall['f1']:.3f}", err=True)
