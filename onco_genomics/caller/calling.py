"""Somatic calling end to end: options -> chunks -> pileup tensors -> CNN -> VCF.

The work is split into chunks (``chunk_size`` bases of the requested regions). Each chunk
is scanned by :func:`onco_genomics.pileup.scan.scan_region`, in the main process
(``threads=1``) or in worker processes (:class:`~onco_genomics.caller.scanning.ChunkScanner`)
that open their own BAM/FASTA handles and never import torch. The main process scores each
chunk's tensors as one batch set on the chosen device (with one torch thread when there are
workers), so the result of a chunk does not depend on the number of workers and
``--threads N`` writes the same records as ``--threads 1``.

:func:`call_somatic` checks the inputs that need no torch (files, samples, contigs,
regions) with :func:`check_call_inputs`, then starts the workers, and only then imports
torch and loads and checks the model (:func:`load_plan`), so the workers scan the first
chunks during those seconds of start-up. A model or device error stops the workers before
anything is written.

Each finished chunk's calls are written atomically to ``<output>.work/chunk_NNNNNN.json``
beside the output (:mod:`onco_genomics.caller.work_dir`). ``resume=True`` keeps the chunks
already there (after checking that the work folder was made with the same inputs and
settings) and only scans the rest; the final
VCF is assembled from the chunk files in coordinate order, so an interrupted and resumed
run writes the same VCF as an uninterrupted one.

Examples
--------
>>> import onco_genomics as og
>>> result = og.call_somatic("tumor.bam", "normal.bam", reference="ref.fa",
...                          output="calls.vcf.gz", threads=2)  # doctest: +SKIP
>>> result.n_pass  # doctest: +SKIP
42
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onco_genomics.caller import work_dir
from onco_genomics.caller.call_regions import (  # noqa: F401 (RegionSelection: old imports)
    DEFAULT_CHUNK_SIZE,
    RegionSelection,
    check_run_settings,
    resolve_call_regions,
)
from onco_genomics.caller.inference import resolve_device
from onco_genomics.caller.records import FilterOptions, SomaticCall, vcf_header
from onco_genomics.caller.scanning import ChunkScanner
from onco_genomics.caller.scoring import score_batch
from onco_genomics.caller.work_dir import (  # noqa: F401 (CHUNK_FORMAT: kept for old imports)
    CHUNK_FORMAT,
    MANIFEST_NAME,
)
from onco_genomics.errors import (
    InputFileError,
    InterruptedRunError,
    OncogenError,
    OptionsError,
    OutputPathError,
    os_error_message,
)
from onco_genomics.io.atomic import check_output_path
from onco_genomics.progress import Progress
from onco_genomics.regions import Region

if TYPE_CHECKING:
    from onco_genomics.caller.model import CallerModel
    from onco_genomics.pileup.candidates import PileupOptions

log = logging.getLogger(__name__)

WORK_SUFFIX = ".work"


@dataclass(frozen=True)
class CallOptions:
    """Everything ``oncogen call`` needs, checked field by field on construction.

    Cross-field and file checks (identical tumor/normal, contigs, model encoder) are done
    by :func:`check_call_inputs` and :func:`load_plan` (both: :func:`validate_call_options`)
    before anything is written.

    Attributes
    ----------
    tumor, normal, reference
        Indexed BAM/CRAM files and the indexed FASTA.
    output
        VCF path (``.vcf.gz``: bgzipped and tabix-indexed).
    regions
        1-based region strings (``20:1-1000``); with ``bed`` both are intersected.
        Neither: every reference contig.
    bed
        BED file of regions to call.
    threads
        Worker processes scanning chunks.
    model
        Model folder; None: the model shipped with oncogen.
    min_af
        Tumor allele fraction floor for proposing a candidate.
    device
        ``auto``, ``cpu`` or ``cuda`` for the network.
    chunk_size
        Bases per chunk of work.
    resume
        Reuse finished chunks from the work folder of an interrupted run.
    keep_work
        Keep the work folder after success (default: removed).
    tumor_sample, normal_sample
        Override the @RG SM sample names.
    filters
        Hand-filter thresholds.
    panel_of_normals
        ``oncogen pon`` VCF: calls at its alleles get FILTER panel_of_normals.
    """

    tumor: Path
    normal: Path
    reference: Path
    output: Path
    regions: tuple[str, ...] = ()
    bed: Path | None = None
    threads: int = 1
    model: Path | None = None
    min_af: float = 0.02
    device: str = "auto"
    chunk_size: int = DEFAULT_CHUNK_SIZE
    resume: bool = False
    keep_work: bool = False
    tumor_sample: str | None = None
    normal_sample: str | None = None
    filters: FilterOptions = field(default_factory=FilterOptions)
    panel_of_normals: Path | None = None

    def __post_init__(self) -> None:
        check_run_settings(threads=self.threads, min_af=self.min_af, device=self.device,
                           chunk_size=self.chunk_size, output=self.output)

    @property
    def work_dir(self) -> Path:
        """Per-chunk results of this run: ``<output>.work`` beside the output."""
        return self.output.with_name(self.output.name + WORK_SUFFIX)


@dataclass(frozen=True)
class CallInputs:
    """The outcome of :func:`check_call_inputs`: resolved inputs and chunks (no model yet)."""

    options: CallOptions
    tumor_sample: str
    normal_sample: str
    contigs: tuple[tuple[str, int], ...]
    chunks: tuple[Region, ...]

    def __post_init__(self) -> None:
        if self.tumor_sample == self.normal_sample:
            raise OptionsError("tumor and normal sample names must differ")
        names = {name for name, _ in self.contigs}
        for chunk in self.chunks:
            if chunk.chrom not in names:
                raise OptionsError(f"chunk {chunk} is on a contig absent from the reference")


@dataclass(frozen=True)
class ValidatedCall(CallInputs):
    """The outcome of :func:`validate_call_options`: checked inputs and model, ready to run."""

    model: CallerModel


@dataclass(frozen=True)
class CallResult:
    """Summary of a finished run.

    Attributes
    ----------
    output
        The VCF written.
    calls
        Every written call (PASS and filtered), in coordinate order.
    chunks_total, chunks_resumed
        Chunks in the run and how many were taken from an earlier interrupted run.
    candidates
        Candidates scored in this run (excluding resumed chunks).
    """

    output: Path
    calls: tuple[SomaticCall, ...]
    chunks_total: int
    chunks_resumed: int
    candidates: int

    @property
    def n_pass(self) -> int:
        return sum(call.is_pass for call in self.calls)

    def __repr__(self) -> str:  # counts, not every call
        return (f"CallResult(output={str(self.output)!r}, calls={len(self.calls)} "
                f"({self.n_pass} PASS), chunks_total={self.chunks_total}, "
                f"chunks_resumed={self.chunks_resumed}, candidates={self.candidates})")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or os.path.samefile(a, b)
    except OSError:
        return False


def _bam_contigs(path: Path, reference: Path) -> list[tuple[str, int]]:
    from onco_genomics.io.alignments import bam_contigs, open_alignments

    with open_alignments(path, reference=reference) as bam:
        return bam_contigs(bam)


def validate_call_options(options: CallOptions) -> ValidatedCall:
    """Check the options across fields and against the files, before any work.

    Refuses: missing inputs, the same file or sample as tumor and normal, BAM contigs
    absent from the FASTA, a model whose encoder spec differs from the installed
    encoder's, ``--device cuda`` without a GPU. :func:`check_call_inputs` followed by
    :func:`load_plan`.
    """
    return load_plan(check_call_inputs(options))


def check_call_inputs(options: CallOptions) -> CallInputs:
    """The checks of :func:`validate_call_options` that need neither torch nor the model.

    Refuses missing inputs, the same file or sample as tumor and normal, BAM contigs absent
    from the FASTA and an empty region selection; resolves the chunks.
    """
    from onco_genomics.io.alignments import (
        check_contigs,
        check_index_matches,
        mapped_reads,
        sample_name,
    )
    from onco_genomics.io.reference import Reference

    for label, path in (("tumor BAM", options.tumor), ("normal BAM", options.normal),
                        ("reference FASTA", options.reference)):
        if not path.is_file():
            raise InputFileError(f"{label} {path} does not exist; check the path")
    if options.bed is not None and not options.bed.is_file():
        raise InputFileError(f"BED {options.bed} does not exist; check the path")
    # before the model is loaded and any chunk scanned: a run must not find out at the end
    check_output_path(options.output, what="-o/--output")
    if options.work_dir.exists() and not options.work_dir.is_dir():
        raise OutputPathError(f"{options.work_dir} (the work folder of -o {options.output}) "
                              "is a file; remove it or choose another output name")
    if _same_file(options.tumor, options.normal):
        raise OptionsError(f"tumor and normal are the same file ({options.tumor}); expected a "
                           "tumor BAM and its matched normal BAM")
    tumor_sample = sample_name(options.tumor, override=options.tumor_sample,
                               option="--tumor-sample")
    normal_sample = sample_name(options.normal, override=options.normal_sample,
                                option="--normal-sample")
    if tumor_sample == normal_sample:
        raise OptionsError(
            f"tumor {options.tumor} and normal {options.normal} have the same sample name "
            f"{tumor_sample!r} in @RG SM; expected two different samples. If they are, name "
            "them with --tumor-sample/--normal-sample"
        )
    with Reference(options.reference) as reference:
        ref_contigs = list(reference.contigs)
    for label, path in (("tumor", options.tumor), ("normal", options.normal)):
        check_index_matches(path)
        check_contigs(_bam_contigs(path, options.reference), ref_contigs, bam_path=path,
                      ref_path=options.reference)
        if mapped_reads(path, reference=options.reference) == 0:
            log.warning("the %s %s has no mapped reads (its index counts none): %s", label,
                        path, "no candidate can be found" if label == "tumor" else
                        "every call will be FILTER LowNormalDepth")
    if options.panel_of_normals is not None:
        from onco_genomics.io.site_sets import PanelOfNormalsSites

        PanelOfNormalsSites(options.panel_of_normals).close()  # exists, indexed, a VCF
    regions = resolve_call_regions(options, ref_contigs)
    chunks = tuple(chunk for region in regions for chunk in region.chunks(options.chunk_size))
    return CallInputs(options=options, tumor_sample=tumor_sample, normal_sample=normal_sample,
                      contigs=tuple(ref_contigs), chunks=chunks)


def load_plan(inputs: CallInputs) -> ValidatedCall:
    """Resolve the device and load the model (refusing one made for another encoder).

    This imports torch (seconds), which is why :func:`call_somatic` starts its scanning
    workers before calling it.
    """
    from onco_genomics.caller.model import load_caller_model

    device = resolve_device(inputs.options.device)
    model = load_caller_model(inputs.options.model, device=device)
    return ValidatedCall(options=inputs.options, tumor_sample=inputs.tumor_sample,
                         normal_sample=inputs.normal_sample, contigs=inputs.contigs,
                         chunks=inputs.chunks, model=model)


# --- scoring (per chunk: onco_genomics.caller.scoring.score_batch) -----------------------

def _pileup_options(options: CallOptions) -> PileupOptions:
    from onco_genomics.caller.metadata import model_encoder_version
    from onco_genomics.pileup.candidates import PileupOptions

    # the tensors the model was trained on (read from model.json, without torch)
    return PileupOptions(min_af=options.min_af,
                         encoder_version=model_encoder_version(options.model))


# --- work folder ---------------------------------------------------------------------------

def _manifest(plan: ValidatedCall) -> dict[str, Any]:
    options = plan.options
    return work_dir.manifest(
        tumor=options.tumor, normal=options.normal, reference=options.reference,
        model_weights_sha256=plan.model.metadata.get("weights_sha256"),
        settings={"min_af": options.min_af, "filters": options.filters.__dict__,
                  **({"panel_of_normals": str(options.panel_of_normals)}
                     if options.panel_of_normals is not None else {})},
        chunks=plan.chunks)


def _finished_chunks(inputs: CallInputs) -> set[int]:
    """Indices of the chunks whose results a ``--resume`` run would keep from the work folder."""
    return work_dir.finished_chunks(inputs.options.work_dir, inputs.chunks,
                                    resume=inputs.options.resume)


def _chunks_to_scan(inputs: CallInputs) -> list[int]:
    done = _finished_chunks(inputs)
    return [i for i in range(len(inputs.chunks)) if i not in done]


def _scanner(inputs: CallInputs) -> ChunkScanner:
    options = inputs.options
    return ChunkScanner(options.tumor, options.normal, options.reference, inputs.chunks,
                        options=_pileup_options(options), threads=options.threads,
                        only=_chunks_to_scan(inputs))


def _prepare_work_dir(plan: ValidatedCall) -> set[int]:
    """Create or check the work folder; return the indices of chunks already finished."""
    return work_dir.prepare(plan.options.work_dir, _manifest(plan), plan.chunks,
                            resume=plan.options.resume)


def _write_chunk(work: Path, index: int, chunk: Region, calls: Sequence[SomaticCall],
                 candidates: int) -> None:
    work_dir.write_chunk(work, index, chunk, calls, candidates)


def _read_chunk(work: Path, index: int) -> list[SomaticCall]:
    return work_dir.read_chunk(work, index)


# --- run -----------------------------------------------------------------------------------

def run_call(plan: ValidatedCall, *, command_line: str | None = None,
             scanner: ChunkScanner | None = None) -> CallResult:
    """Run a validated call: scan and score every chunk, then write the VCF.

    Parameters
    ----------
    plan
        From :func:`validate_call_options`.
    command_line
        Recorded in the VCF header.
    scanner
        An entered scanner over the chunks still to do (as :func:`call_somatic` starts it
        early); None: one is made here.
    """
    if scanner is None:
        with _scanner(plan) as own:
            return run_call(plan, command_line=command_line, scanner=own)
    options = plan.options
    work = options.work_dir
    fresh = not (options.resume and (work / MANIFEST_NAME).is_file())
    try:
        done = _prepare_work_dir(plan)
        todo = [i for i in range(len(plan.chunks)) if i not in done]
        if list(scanner.indices) != todo:
            raise ValueError(f"the scanner covers chunks {list(scanner.indices)[:5]}..., this "
                             f"run needs {todo[:5]}...")
        log.info("calling %d chunks (%d to do) with %d thread(s) on %s", len(plan.chunks),
                 len(todo), options.threads, plan.model.device)
        n_candidates = _scan_and_score(plan, scanner, done)
        calls = _write_output(plan, command_line=command_line)
    except InterruptedRunError:
        raise
    except OncogenError:
        # bad input found mid-run: the work folder could only be resumed with the same
        # (bad) input, so a folder this run made goes (docs/errors.md)
        if fresh and not options.keep_work:
            shutil.rmtree(work, ignore_errors=True)
        raise
    except BrokenProcessPool:
        raise InterruptedRunError(
            f"a worker process died while scanning (killed, e.g. by the out-of-memory killer); "
            f"the finished chunks are kept in {work}: rerun the same command with --resume "
            "(with fewer --threads if memory is short)") from None
    except OSError as err:
        message = os_error_message(err)
        if message is None:
            raise
        raise InterruptedRunError(
            f"{message}; the finished chunks are kept in {work}: rerun the same command with "
            "--resume") from err
    if not options.keep_work:
        shutil.rmtree(work, ignore_errors=False)
    result = CallResult(output=options.output, calls=tuple(calls),
                        chunks_total=len(plan.chunks), chunks_resumed=len(done),
                        candidates=n_candidates)
    log.info("wrote %s: %d records, %d PASS (%d candidates scored)", options.output,
             len(calls), result.n_pass, n_candidates)
    return result


def _write_output(plan: ValidatedCall, *, command_line: str | None) -> list[SomaticCall]:
    """Assemble the VCF from the chunk files, in coordinate order; return its calls."""
    from onco_genomics.io.variants import write_vcf

    calls: list[SomaticCall] = []
    for index in range(len(plan.chunks)):
        calls.extend(_read_chunk(plan.options.work_dir, index))
    header = vcf_header(plan.contigs, normal_sample=plan.normal_sample,
                        tumor_sample=plan.tumor_sample, reference=str(plan.options.reference),
                        command_line=command_line,
                        extra_lines=[f"##oncogenModel={plan.model.path}"] + (
                            [f"##oncogenPanelOfNormals={plan.options.panel_of_normals}"]
                            if plan.options.panel_of_normals is not None else []),
                        panel_of_normals=plan.options.panel_of_normals is not None)
    variants = [call.to_variant(normal_sample=plan.normal_sample,
                                tumor_sample=plan.tumor_sample) for call in calls]
    write_vcf(plan.options.output, header, variants)
    return calls


def _scan_and_score(plan: ValidatedCall, scanner: ChunkScanner, done: set[int]) -> int:
    """Score each chunk the scanner yields into its chunk file; return the candidates."""
    import torch

    options = plan.options
    n_candidates = 0
    torch_threads = torch.get_num_threads()
    if options.threads > 1:
        # The workers scan on every core; scoring in this process with one intra-op
        # thread keeps it from competing with them (measured: 1.5x faster on 2 cores).
        torch.set_num_threads(1)
    pon = None
    if options.panel_of_normals is not None:
        from onco_genomics.io.site_sets import PanelOfNormalsSites

        pon = PanelOfNormalsSites(options.panel_of_normals)
    try:
        with Progress(len(plan.chunks), "chunks", rate_label="sites") as bar:
            bar.update(len(done))
            for index, batch in scanner:
                scored = score_batch(batch, plan.model, filters=options.filters,
                                     pon_sites=None if pon is None else
                                     pon.alleles(plan.chunks[index]))
                _write_chunk(options.work_dir, index, plan.chunks[index], scored,
                             len(batch.candidates))
                n_candidates += len(batch.candidates)
                bar.update(1, extra=len(batch.candidates))
    finally:
        torch.set_num_threads(torch_threads)
        if pon is not None:
            pon.close()
    return n_candidates


def call_somatic(tumor: str | os.PathLike[str], normal: str | os.PathLike[str], *,
                 reference: str | os.PathLike[str], output: str | os.PathLike[str],
                 regions: Sequence[str] = (), bed: str | os.PathLike[str] | None = None,
                 threads: int = 1, model: str | os.PathLike[str] | None = None,
                 min_af: float = 0.02, device: str = "auto",
                 chunk_size: int = DEFAULT_CHUNK_SIZE, resume: bool = False,
                 keep_work: bool = False, tumor_sample: str | None = None,
                 normal_sample: str | None = None,
                 filters: FilterOptions | None = None,
                 panel_of_normals: str | os.PathLike[str] | None = None,
                 command_line: str | None = None) -> CallResult:
    """Call somatic SNVs and indels from a tumor/normal pair with the CNN.

    Parameters
    ----------
    tumor, normal
        Indexed, coordinate-sorted BAM (or CRAM) files of the tumor and its matched normal.
    reference
        The FASTA the reads were aligned to (indexed or indexable).
    output
        Output VCF (``.vcf.gz`` is bgzipped and tabix-indexed), written atomically.
    regions
        1-based inclusive region strings, e.g. ``["20:1000001-2000000"]``.
    bed
        BED of regions (intersected with ``regions`` when both are given).
    threads
        Worker processes; the output is identical for any value.
    model
        Model folder; None uses the model shipped with oncogen.
    min_af
        Tumor allele fraction floor for proposing candidates.
    device
        ``auto`` (CUDA when available), ``cpu`` or ``cuda``.
    chunk_size
        Bases per unit of work (and per resumable chunk).
    resume
        Continue an interrupted run from ``<output>.work``.
    keep_work
        Keep ``<output>.work`` after success.
    tumor_sample, normal_sample
        Override the sample names from @RG SM.
    filters
        Hand-filter thresholds (default :class:`FilterOptions`).
    panel_of_normals
        ``oncogen pon`` VCF; calls at its alleles get FILTER panel_of_normals.
    command_line
        Recorded in the VCF header.

    Returns
    -------
    CallResult
        Output path, the calls written, chunk and candidate counts.

    Examples
    --------
    >>> from onco_genomics import call_somatic
    >>> result = call_somatic("example_data/pair/tumor.bam", "example_data/pair/normal.bam",
    ...                       reference="example_data/chr20_slice.fa",
    ...                       output="calls.vcf.gz", threads=2)  # doctest: +SKIP
    """
    options = CallOptions(
        tumor=Path(tumor), normal=Path(normal), reference=Path(reference), output=Path(output),
        regions=tuple(regions), bed=None if bed is None else Path(bed), threads=threads,
        model=None if model is None else Path(model), min_af=min_af, device=device,
        chunk_size=chunk_size, resume=resume, keep_work=keep_work, tumor_sample=tumor_sample,
        normal_sample=normal_sample, filters=filters or FilterOptions(),
        panel_of_normals=None if panel_of_normals is None else Path(panel_of_normals),
    )
    inputs = check_call_inputs(options)
    with _scanner(inputs) as scanner:
        # the workers scan the first chunks while torch is imported and the model loaded
        plan = load_plan(inputs)
        return run_call(plan, command_line=command_line, scanner=scanner)

