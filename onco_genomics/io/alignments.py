"""Aligned reads (BAM, CRAM) through pysam: opening with index checks, sample names, contigs.

Random access (``fetch`` over a region) needs an index: ``.bai``/``.csi`` for BAM and
``.crai`` for CRAM. CRAM decoding also needs the reference FASTA, which oncogen never
fetches from the network.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from onco_genomics.errors import (
    ContigMismatchError,
    IndexMissingError,
    InputFileError,
    OptionsError,
)

if TYPE_CHECKING:
    import pysam

    from onco_genomics.io.reference import Reference

log = logging.getLogger(__name__)

AlignmentFormat = Literal["bam", "cram", "sam"]

_BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def alignment_format(path: str | os.PathLike[str]) -> AlignmentFormat:
    """``"bam"``, ``"cram"`` or ``"sam"`` from the file's content.

    Raises
    ------
    InputFileError
        Missing, empty or truncated files, and files that are none of these.
    """
    import gzip

    path = Path(path)
    if not path.exists():
        raise InputFileError(f"alignment file {path} does not exist")
    if path.is_dir():
        raise InputFileError(f"alignment file {path} is a folder, expected a BAM or CRAM file")
    with open(path, "rb") as handle:
        head = handle.read(4)
    if not head:
        raise InputFileError(f"alignment file {path} is empty (0 bytes); expected BAM or CRAM")
    if head == b"CRAM":
        return "cram"
    if head[:2] == b"\x1f\x8b":
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - len(_BGZF_EOF)))
            if handle.read() != _BGZF_EOF:
                raise InputFileError(
                    f"alignment file {path} is truncated (the BGZF end-of-file marker is "
                    "missing); re-create or re-copy it")
        try:
            with gzip.open(path, "rb") as handle:
                magic = handle.read(4)
        except (OSError, EOFError) as err:
            raise InputFileError(f"alignment file {path} is not readable BGZF: {err}") from err
        if magic == b"BAM\x01":
            return "bam"
    elif head[:1] == b"@":
        return "sam"
    raise InputFileError(
        f"{path} is not a BAM or CRAM file (first bytes {head!r}); expected aligned reads "
        "in BAM (`samtools view -b`) or CRAM format")


def _index_candidates(path: Path, kind: AlignmentFormat) -> list[Path]:
    if kind == "cram":
        return [path.with_name(path.name + ".crai"), path.with_suffix(".crai")]
    return [path.with_name(path.name + ".bai"), path.with_suffix(".bai"),
            path.with_name(path.name + ".csi")]


def find_index(path: str | os.PathLike[str]) -> Path | None:
    """The index file of a BAM/CRAM (``x.bam.bai``, ``x.bai``, ``x.bam.csi``, ``x.cram.crai``)."""
    path = Path(path)
    kind = alignment_format(path)
    for candidate in _index_candidates(path, kind):
        if candidate.exists():
            return candidate
    return None


def open_alignments(path: str | os.PathLike[str], *,
                    reference: Reference | str | os.PathLike[str] | None = None,
                    require_index: bool = True) -> pysam.AlignmentFile:
    """Open a BAM or CRAM for reading, checking its index first.

    Parameters
    ----------
    path
        BAM or CRAM file.
    reference
        Reference FASTA (path or :class:`Reference`); required for CRAM.
    require_index
        Refuse files without an index (random access by region needs one).

    Raises
    ------
    IndexMissingError
        No index; the message gives the ``samtools index`` command.
    OptionsError
        A CRAM without a reference.
    InputFileError
        Missing, empty, truncated or unreadable files; SAM text.
    """
    import pysam

    path = Path(path)
    kind = alignment_format(path)
    if kind == "sam":
        raise InputFileError(
            f"{path} is SAM text, which cannot be indexed for random access; convert it with "
            f"`samtools sort -o {path.with_suffix('.bam')} {path} && "
            f"samtools index {path.with_suffix('.bam')}`")
    if require_index:
        index = find_index(path)
        if index is None:
            sort_hint = "" if kind == "cram" or _is_sorted(path) else (
                " (it is not coordinate-sorted: run `samtools sort` first)")
            raise IndexMissingError(
                f"{kind.upper()} {path} has no index (looked for "
                f"{', '.join(p.name for p in _index_candidates(path, kind))}); create one "
                f"with `samtools index {path}`{sort_hint}")
        if index.stat().st_mtime < path.stat().st_mtime:
            log.warning("index %s is older than %s; if the file changed, re-run "
                        "`samtools index %s`", index, path, path)
    reference_path: str | None = None
    if reference is not None:
        reference_path = str(getattr(reference, "path", reference))
    if kind == "cram" and reference_path is None:
        raise OptionsError(
            f"CRAM {path} stores reads relative to the reference, so it needs the reference "
            "FASTA it was written against: pass --ref / reference=...")
    try:
        handle = pysam.AlignmentFile(str(path), "rc" if kind == "cram" else "rb",
                                     reference_filename=reference_path)
    except (OSError, ValueError) as err:
        raise InputFileError(f"cannot open {kind.upper()} {path}: {err}") from err
    return handle


def _is_sorted(path: Path) -> bool:
    """Whether a BAM header declares ``SO:coordinate``."""
    import pysam

    try:
        with pysam.AlignmentFile(str(path), "rb", check_sq=False) as handle:
            header = handle.header.to_dict()
    except (OSError, ValueError):
        return True  # unknown; the index hint alone is the best advice
    return str(header.get("HD", {}).get("SO", "")) == "coordinate"


def sample_name(path_or_file: str | os.PathLike[str] | pysam.AlignmentFile, *,
                override: str | None = None, option: str = "--sample") -> str:
    """The sample name from the ``@RG SM`` tags of a BAM/CRAM header.

    Parameters
    ----------
    path_or_file
        A path or an open :class:`pysam.AlignmentFile`.
    override
        Use this name instead (for files without, or with several, SM values).
    option
        The command-line option that sets ``override`` (e.g. ``--tumor-sample``), named in
        error messages.

    Raises
    ------
    InputFileError
        No ``@RG`` with ``SM``, or several distinct SM values, and no override.
    """
    if override:
        return override
    import pysam

    if isinstance(path_or_file, pysam.AlignmentFile):
        header = path_or_file.header.to_dict()
        name = str(path_or_file.filename.decode() if isinstance(path_or_file.filename, bytes)
                   else path_or_file.filename)
    else:
        path = Path(path_or_file)
        kind = alignment_format(path)
        with pysam.AlignmentFile(str(path), "rc" if kind == "cram" else "rb",
                                 check_sq=False) as handle:
            header = handle.header.to_dict()
        name = str(path)
    samples = sorted({str(rg["SM"]) for rg in header.get("RG", []) if rg.get("SM")})
    if not samples:
        raise InputFileError(
            f"{name} has no @RG header line with an SM (sample) tag, so its sample name is "
            f"unknown; give one with {option} NAME (or add a read group with "
            "`samtools addreplacerg -r 'ID:rg1\\tSM:NAME'`)")
    if len(samples) > 1:
        raise InputFileError(
            f"{name} has read groups from {len(samples)} samples ({', '.join(samples[:5])}); "
            f"expected one sample per file. Choose the name with {option} NAME, or split "
            "the file by sample")
    return samples[0]


def mapped_reads(path: str | os.PathLike[str], *,
                 reference: str | os.PathLike[str] | None = None) -> int | None:
    """Mapped reads counted by the index (``samtools idxstats``), or None if unknown (CRAM)."""
    try:
        with open_alignments(path, reference=reference) as handle:
            return int(handle.mapped)
    except (ValueError, AttributeError, OSError):
        return None


def bam_contigs(handle: pysam.AlignmentFile) -> list[tuple[str, int]]:
    """``(name, length)`` of the ``@SQ`` lines, in header order."""
    return list(zip(handle.references, handle.lengths, strict=True))


def _toggle_chr(name: str) -> str:
    if name.startswith("chr"):
        rest = name[3:]
        return "MT" if rest == "M" else rest
    return "chrM" if name == "MT" else f"chr{name}"


def check_contigs(bam_contigs: Sequence[tuple[str, int]], ref_contigs: Sequence[tuple[str, int]],
                  *, bam_path: str | os.PathLike[str],
                  ref_path: str | os.PathLike[str]) -> list[str]:
    """Check that a BAM/CRAM and a reference FASTA describe the same assembly.

    Contigs present in both must have equal lengths. Contigs of the FASTA missing from the
    BAM are allowed (no reads there); BAM contigs missing from the FASTA are logged.

    Returns
    -------
    list of str
        Names shared by both, in reference order.

    Raises
    ------
    ContigMismatchError
        No shared contig (with a specific message when the names differ only by a
        ``chr`` prefix), or a shared contig whose lengths differ.
    """
    bam = dict(bam_contigs)
    ref = dict(ref_contigs)
    shared = [name for name, _ in ref_contigs if name in bam]
    toggled = [name for name, _ in ref_contigs if name not in bam and _toggle_chr(name) in bam]
    if len(toggled) > len(shared):
        bam_style = "chr1.." if any(n.startswith("chr") for n in bam) else "1.."
        ref_style = "chr1.." if any(n.startswith("chr") for n in ref) else "1.."
        example = toggled[0]
        raise ContigMismatchError(
            f"contig names differ by a 'chr' prefix: BAM {bam_path} uses {bam_style} "
            f"(e.g. {_toggle_chr(example)!r}) and the FASTA {ref_path} uses {ref_style} "
            f"(e.g. {example!r}); use a reference with the same naming or rename the BAM "
            "contigs with `samtools reheader`")
    if not shared:
        raise ContigMismatchError(
            f"BAM {bam_path} and FASTA {ref_path} share no contig name (BAM: "
            f"{list(bam)[:5]}, FASTA: {list(ref)[:5]}); expected reads aligned to this "
            "reference")
    differing = [(name, bam[name], ref[name]) for name in shared if bam[name] != ref[name]]
    if differing:
        detail = ", ".join(f"{name}: BAM {b:,} vs FASTA {r:,}" for name, b, r in differing[:5])
        raise ContigMismatchError(
            f"contig lengths differ between BAM {bam_path} and FASTA {ref_path} ({detail}"
            f"{', ...' if len(differing) > 5 else ''}): a different assembly? Use the "
            "FASTA the reads were aligned to (e.g. GRCh37 vs GRCh38)")
    only_bam = [name for name in bam if name not in ref]
    if only_bam:
        log.warning("%d contig(s) of %s are not in %s and will be ignored: %s", len(only_bam),
                    bam_path, ref_path, ", ".join(only_bam[:5]))
    return shared


#: the BAI pseudo-bin whose one chunk spans the reads of a reference
_BAI_PSEUDO_BIN = 37450


def bai_end_offset(index: str | os.PathLike[str]) -> int | None:
    """The largest file offset a ``.bai`` points to (end of the last read), or None.

    Read from each reference's pseudo-bin, walking the bins without unpacking their chunks,
    so a whole-genome index takes milliseconds. None for a file that is not a BAI or has
    no pseudo-bins (old indexers).
    """
    import struct

    data = Path(index).read_bytes()
    if data[:4] != b"BAI\x01":
        return None
    try:
        (n_ref,) = struct.unpack_from("<i", data, 4)
        at = 8
        end: int | None = None
        for _ in range(n_ref):
            (n_bin,) = struct.unpack_from("<i", data, at)
            at += 4
            for _ in range(n_bin):
                bin_id, n_chunk = struct.unpack_from("<Ii", data, at)
                at += 8
                if bin_id == _BAI_PSEUDO_BIN and n_chunk >= 1:
                    _, ref_end = struct.unpack_from("<QQ", data, at)
                    end = max(end or 0, ref_end >> 16)
                at += 16 * n_chunk
            (n_intv,) = struct.unpack_from("<i", data, at)
            at += 4 + 8 * n_intv
    except struct.error:
        return None
    return end


def check_index_matches(path: str | os.PathLike[str]) -> None:
    """Refuse a BAM whose ``.bai`` points past the end of the file.

    That happens when the BAM was cut short after it was indexed (an incomplete copy whose
    end still looks complete) or when the index belongs to another, larger file; reads
    would otherwise be lost without notice or fail mid-run.

    Raises
    ------
    InputFileError
        The index points past the end of the file.
    """
    path = Path(path)
    if alignment_format(path) != "bam":
        return
    index = find_index(path)
    if index is None or index.suffix != ".bai":
        return
    end = bai_end_offset(index)
    size = path.stat().st_size
    if end is not None and end > size:
        raise InputFileError(
            f"the index {index} points past the end of {path} (offset {end:,} > file size "
            f"{size:,} bytes): the BAM was cut short after it was indexed (an incomplete copy) "
            f"or the index belongs to another file. Re-copy the BAM, or if it is complete, "
            f"re-create the index with `samtools index {path}`")


def read_error(paths: Sequence[str | os.PathLike[str]], err: BaseException, *,
               where: str = "") -> InputFileError:
    """An :class:`InputFileError` for an htslib failure while reading alignments.

    Names the file when htslib's message does (else every candidate), keeps htslib's text
    on one line, and gives the fixes: a damaged or truncated file, a stale index, or (for
    CRAM) a reference other than the one it was written with.
    """
    import re

    text = re.sub(r"\[Errno \d+\] ", "", " ".join(str(err).split())) or type(err).__name__
    if "Closing failed" in text:  # htslib reports a failed block read only when closing
        text = "a compressed block failed to decompress"
    named = [Path(p) for p in paths if str(p) in str(err)] or [Path(p) for p in paths]
    crams = [p for p in named if p.exists() and alignment_format(p) == "cram"]
    if crams:  # the usual cause: a reference other than the one the CRAM was written with
        return InputFileError(
            f"reading CRAM {crams[0]}{' in ' + where if where else ''} failed ({text}): "
            f"--ref is probably not the FASTA it was written with (compare the @SQ M5 "
            f"checksums of `samtools view -H {crams[0]}` with `samtools dict` of the FASTA), "
            f"or the file is damaged (check it with `samtools quickcheck -v {crams[0]}`)")
    files = " or ".join(str(p) for p in named)
    hint = ""
    return InputFileError(
        f"reading {files}{' in ' + where if where else ''} failed ({text}): the file is "
        f"damaged or truncated, or its index belongs to another version of it. Check it with "
        f"`samtools quickcheck -v {named[0]}`; re-copy or re-create it, or re-index it with "
        f"`samtools index {named[0]}`{hint}")
