"""Align simulated read pairs with minimap2 (mappy, ``sr`` preset) and write sorted BAMs.

By default the index holds every contig that has a simulated region, so reads are placed
by a real aligner with its own soft clips, MAPQ and CIGARs, and reads from repeats may
align elsewhere on the contig; other contigs are not indexed (a whole-genome index would
cost minutes and gigabytes), so mis-mapping between contigs is not modelled. Records are
written as SAM text, then sorted and indexed by htslib (``samtools sort`` through pysam).

Flags follow the SAM specification: paired, proper pair (same contig, FR orientation,
insert size within :data:`MAX_PROPER_INSERT`), mate unmapped/reverse, first/second in
pair, and 0x400 for PCR duplicates when marking is on (all copies of a family but one, as
``samtools markdup`` leaves them). Mates carry ``MC`` and ``MQ`` tags, as after
``samtools fixmate``.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import mappy
import numpy as np
import pysam

from onco_genomics.io.atomic import atomic_path
from onco_genomics.simulate.genome import Window
from onco_genomics.simulate.reads import ReadPairs

log = logging.getLogger(__name__)

#: largest insert size of a proper pair
MAX_PROPER_INSERT = 2000

#: extra reference bases indexed on each side of a window
INDEX_FLANK = 2000

#: pairs aligned per thread task
BATCH = 2000

_TRANSLATE = str.maketrans("ACGTN", "TGCAN")


@dataclass(frozen=True)
class ReadGroup:
    """The ``@RG`` of one sample."""

    id: str
    sample: str
    library: str
    platform: str = "ILLUMINA"

    def header_line(self) -> str:
        return (f"@RG\tID:{self.id}\tSM:{self.sample}\tLB:{self.library}\t"
                f"PL:{self.platform}\tPU:{self.id}.1")


def write_index_fasta(fasta: Path, windows: Sequence[Window], fetch: Any,
                      contig_lengths: dict[str, int], *, scope: str) -> dict[str, tuple[str, int]]:
    """Write the sequences an aligner indexes; returns index name -> (contig, offset).

    ``scope`` ``contigs``: every contig holding a window, under its own name; ``regions``:
    each window plus :data:`INDEX_FLANK` bases each side, named ``w<index>``.
    """
    if scope not in ("contigs", "regions"):
        raise ValueError(f"index scope must be 'contigs' or 'regions', not {scope!r}")
    offsets: dict[str, tuple[str, int]] = {}
    with open(fasta, "w", encoding="ascii") as handle:
        if scope == "contigs":
            for chrom in dict.fromkeys(w.chrom for w in windows):
                offsets[chrom] = (chrom, 0)
                sequence = fetch(chrom, 0, contig_lengths[chrom]).upper()
                handle.write(f">{chrom}\n{sequence}\n")
        for window in windows if scope == "regions" else ():
            start = max(0, window.start - INDEX_FLANK)
            end = min(contig_lengths[window.chrom], window.end + INDEX_FLANK)
            name = f"w{window.index}"
            offsets[name] = (window.chrom, start)
            handle.write(f">{name}\n{fetch(window.chrom, start, end).upper()}\n")
    return offsets


class WindowIndex:
    """A minimap2 index of the simulated contigs or windows, mapping hits back to contigs.

    Parameters
    ----------
    windows
        Simulated windows.
    fetch
        ``fetch(chrom, start, end) -> str`` of the reference.
    contig_lengths
        Reference contig lengths.
    scope
        ``"contigs"``: index every contig that holds a window, so reads from repeats can
        align elsewhere on it (real MAPQ 0 and mis-mapped reads); ``"regions"``: index only
        the windows plus :data:`INDEX_FLANK` bases each side (faster, no mis-mapping).
    """

    def __init__(self, windows: Sequence[Window], fetch: Any,
                 contig_lengths: dict[str, int], *, scope: str = "contigs") -> None:
        with tempfile.TemporaryDirectory(prefix="oncogen-index-") as tmp:
            fasta = Path(tmp) / "index.fa"
            self.offsets = write_index_fasta(fasta, windows, fetch, contig_lengths, scope=scope)
            self.aligner = mappy.Aligner(str(fasta), preset="sr")
        if not self.aligner:
            raise RuntimeError("minimap2 failed to build an index of the simulated sequence")
        log.info("minimap2 index of the simulated %s: %s", scope, ", ".join(
            self.aligner.seq_names))

    def locate(self, hit: Any) -> tuple[str, int]:
        """Contig and 0-based start of a mappy hit."""
        chrom, offset = self.offsets[hit.ctg]
        return chrom, offset + hit.r_st


@dataclass(frozen=True)
class _Mapped:
    chrom: str
    pos: int  # 0-based
    end: int
    reverse: bool
    cigar: str
    mapq: int
    nm: int
    md: str


def _to_mapped(index: WindowIndex, hit: Any, read_len: int) -> _Mapped:
    chrom, pos = index.locate(hit)
    reverse = hit.strand < 0
    q_st, q_en = hit.q_st, hit.q_en
    if hit.read_num == 2:
        # in paired mode minimap2 reports read 2's query interval on its reverse complement
        # (mappy `map(seq1, seq2)`); without this flip a soft-clipped read 2 gets its clip on
        # the wrong end, which shifts every base against the CIGAR (a read of random
        # mismatches at a proper position).
        q_st, q_en = read_len - hit.q_en, read_len - hit.q_st
    if reverse:
        left_clip, right_clip = read_len - q_en, q_st
    else:
        left_clip, right_clip = q_st, read_len - q_en
    cigar = (f"{left_clip}S" if left_clip else "") + hit.cigar_str + (
        f"{right_clip}S" if right_clip else "")
    return _Mapped(chrom, pos, pos + (hit.r_en - hit.r_st), reverse, cigar, int(hit.mapq),
                   int(hit.NM), str(hit.MD))


class PairAligner:
    """Align :class:`ReadPairs` and format SAM lines (thread-safe, one buffer per thread)."""

    def __init__(self, index: WindowIndex, read_group: ReadGroup, *, mark_duplicates: bool,
                 threads: int) -> None:
        self.index = index
        self.read_group = read_group
        self.mark_duplicates = mark_duplicates
        self.threads = threads
        self._local = threading.local()

    def _buffer(self) -> Any:
        buffer = getattr(self._local, "buffer", None)
        if buffer is None:
            buffer = mappy.ThreadBuffer()
            self._local.buffer = buffer
        return buffer

    def sam_lines(self, pairs: ReadPairs, names: Sequence[str]) -> list[str]:
        """SAM lines of all pairs, in input order (two per pair)."""
        if len(names) != len(pairs):
            raise ValueError("one name per pair is needed")
        seq1 = _strings(pairs.read1)
        seq2 = _strings(pairs.read2)
        qual1 = _strings(pairs.qual1 + 33)
        qual2 = _strings(pairs.qual2 + 33)
        dup = pairs.duplicate.tolist()
        batches = [range(s, min(s + BATCH, len(pairs))) for s in range(0, len(pairs), BATCH)]

        def run(batch: range) -> list[str]:
            out: list[str] = []
            for i in batch:
                out.extend(self._pair(names[i], seq1[i], qual1[i], seq2[i], qual2[i], dup[i]))
            return out

        lines: list[str] = []
        if self.threads > 1 and len(batches) > 1:
            with ThreadPoolExecutor(self.threads) as pool:
                for part in pool.map(run, batches):
                    lines.extend(part)
        else:
            for batch in batches:
                lines.extend(run(batch))
        return lines

    def _pair(self, name: str, seq1: str, qual1: str, seq2: str, qual2: str,
              duplicate: bool) -> tuple[str, str]:
        hits: dict[int, Any] = {}
        for hit in self.index.aligner.map(seq1, seq2, buf=self._buffer(), MD=True):
            if hit.is_primary and hit.read_num not in hits:
                hits[hit.read_num] = hit
        first = _to_mapped(self.index, hits[1], len(seq1)) if 1 in hits else None
        second = _to_mapped(self.index, hits[2], len(seq2)) if 2 in hits else None
        proper = _is_proper(first, second)
        flag_dup = 0x400 if (duplicate and self.mark_duplicates) else 0
        return (self._line(name, 0x40 | flag_dup, seq1, qual1, first, second, proper, True),
                self._line(name, 0x80 | flag_dup, seq2, qual2, second, first, proper, False))

    def _line(self, name: str, flag: int, seq: str, qual: str, read: _Mapped | None,
              mate: _Mapped | None, proper: bool, is_first: bool) -> str:
        flag |= 0x1
        if proper:
            flag |= 0x2
        tags = [f"RG:Z:{self.read_group.id}"]
        if read is None:
            flag |= 0x4
            cigar, mapq = "*", 0
            if mate is None:
                flag |= 0x8
                rname, pos, rnext, pnext = "*", 0, "*", 0
            else:
                rname, pos, rnext, pnext = mate.chrom, mate.pos + 1, "=", mate.pos + 1
                if mate.reverse:
                    flag |= 0x20
                tags += [f"MC:Z:{mate.cigar}", f"MQ:i:{mate.mapq}"]
            return "\t".join([name, str(flag), rname, str(pos), str(mapq), cigar, rnext,
                              str(pnext), "0", seq, qual, *tags])
        if read.reverse:
            flag |= 0x10
            seq = seq.translate(_TRANSLATE)[::-1]
            qual = qual[::-1]
        tlen = 0
        if mate is None:
            flag |= 0x8
            rnext, pnext = "=", read.pos + 1
        else:
            if mate.reverse:
                flag |= 0x20
            rnext = "=" if mate.chrom == read.chrom else mate.chrom
            pnext = mate.pos + 1
            if mate.chrom == read.chrom:
                span = max(read.end, mate.end) - min(read.pos, mate.pos)
                # ties as samtools fixmate: the forward read (then read 1) is positive
                leftmost = read.pos < mate.pos or (read.pos == mate.pos and (
                    (not read.reverse and mate.reverse)
                    or (read.reverse == mate.reverse and is_first)))
                tlen = span if leftmost else -span
            tags += [f"MC:Z:{mate.cigar}", f"MQ:i:{mate.mapq}"]
        tags += [f"NM:i:{read.nm}", f"MD:Z:{read.md}"]
        return "\t".join([name, str(flag), read.chrom, str(read.pos + 1), str(read.mapq),
                          read.cigar, rnext, str(pnext), str(tlen), seq, qual, *tags])


def _is_proper(first: _Mapped | None, second: _Mapped | None) -> bool:
    if first is None or second is None or first.chrom != second.chrom:
        return False
    if first.reverse == second.reverse:
        return False
    forward, reverse = (second, first) if first.reverse else (first, second)
    span = max(first.end, second.end) - min(first.pos, second.pos)
    return forward.pos <= reverse.end and span <= MAX_PROPER_INSERT


def _strings(array: np.ndarray) -> list[str]:
    """Rows of an ASCII uint8 array as str."""
    contiguous = np.ascontiguousarray(array, dtype=np.uint8)
    width = contiguous.shape[1]
    return [row.decode("ascii") for row in contiguous.view(f"S{width}").ravel().tolist()]


def sam_header(contigs: Sequence[tuple[str, int]], read_group: ReadGroup,
               command_line: str, version: str) -> str:
    """SAM header text: ``@HD``, ``@SQ`` for every reference contig, ``@RG``, ``@PG``."""
    lines = ["@HD\tVN:1.6\tSO:unsorted"]
    lines += [f"@SQ\tSN:{name}\tLN:{length}" for name, length in contigs]
    lines.append(read_group.header_line())
    lines.append(f"@PG\tID:oncogen-simulate\tPN:oncogen\tVN:{version}\tCL:{command_line}")
    return "\n".join(lines) + "\n"


class SamSpool:
    """Collects SAM lines in a temporary file, then sorts them into an indexed BAM."""

    def __init__(self, out_bam: Path, header: str) -> None:
        self.out_bam = out_bam
        fd, name = tempfile.mkstemp(prefix=f".{out_bam.name}.", suffix=".sam",
                                    dir=out_bam.parent)
        self.path = Path(name)
        self._handle: IO[str] = os.fdopen(fd, "w", encoding="ascii", buffering=1 << 20)
        self._handle.write(header)
        self.records = 0

    def write(self, lines: Sequence[str]) -> None:
        if lines:
            self._handle.write("\n".join(lines))
            self._handle.write("\n")
            self.records += len(lines)

    def finish(self, *, threads: int) -> Path:
        """Sort (coordinate), write the BAM and its ``.bai`` atomically; remove the spool."""
        self._handle.close()
        try:
            bai = self.out_bam.with_name(self.out_bam.name + ".bai")
            with atomic_path(self.out_bam) as tmp_bam, atomic_path(bai) as tmp_bai:
                sort_prefix = str(self.path) + ".sorttmp"
                pysam.sort("--no-PG", "-@", str(threads), "-m", "512M", "-l", "6",
                           "-T", sort_prefix, "-o", str(tmp_bam), str(self.path))
                pysam.index("-o", str(tmp_bai), str(tmp_bam))
        finally:
            self.path.unlink(missing_ok=True)
        log.info("wrote %s (%s records)", self.out_bam, f"{self.records:,}")
        return self.out_bam

    def abort(self) -> None:
        self._handle.close()
        self.path.unlink(missing_ok=True)


def mappy_version() -> str:
    """Version of the mappy (minimap2) package doing the alignment."""
    return str(getattr(mappy, "__version__", "unknown"))


def read_names(prefix: str, count: int) -> Iterator[str]:
    """``prefix`` + serial numbers, for the pairs of one chunk."""
    for i in range(count):
        yield f"{prefix}{i:07d}"
