"""Align simulated read pairs with ``bwa mem`` (the second aligner, ``--aligner bwa``).

Most cancer sequencing data are aligned with BWA-MEM, whose soft clips, MAPQ, supplementary
alignments and indel placement differ from minimap2's; a caller trained on one aligner's
BAMs should be tested on the other's. The simulated sequence (whole contigs or windows, as
for minimap2) is indexed with ``bwa index`` in a temporary folder, and each chunk of pairs
is aligned by one ``bwa mem -p`` run with a fixed batch size (``-K``), so the records do not
depend on the thread count. Duplicate flags come from the simulator's truth (as
:class:`~onco_genomics.simulate.align.PairAligner` sets them); the read group is the
sample's.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from onco_genomics.errors import OptionsError
from onco_genomics.simulate.align import ReadGroup, write_index_fasta
from onco_genomics.simulate.genome import Window
from onco_genomics.simulate.reads import ReadPairs

log = logging.getLogger(__name__)

#: bases per bwa mem batch (-K): fixed so the output does not depend on -t
BATCH_BASES = 10_000_000


def bwa_version() -> str:
    """``bwa`` version string (e.g. ``0.7.17-r1188``), or ``unknown``."""
    program = shutil.which("bwa")
    if program is None:
        return "unknown"
    text = subprocess.run([program], capture_output=True, text=True, check=False).stderr
    for line in text.splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


class BwaIndex:
    """A ``bwa index`` of the simulated contigs or windows, kept until :meth:`close`."""

    def __init__(self, windows: Sequence[Window], fetch: Any, contig_lengths: dict[str, int],
                 *, scope: str = "contigs") -> None:
        program = shutil.which("bwa")
        if program is None:
            raise OptionsError("--aligner bwa: the bwa program is not on PATH; install it "
                               "(apt-get install bwa) or use --aligner minimap2")
        self.program = program
        self._tmp = tempfile.TemporaryDirectory(prefix="oncogen-bwa-")
        self.fasta = Path(self._tmp.name) / "index.fa"
        self.offsets = write_index_fasta(self.fasta, windows, fetch, contig_lengths, scope=scope)
        result = subprocess.run([program, "index", str(self.fasta)], capture_output=True,
                                text=True, check=False)
        if result.returncode != 0:
            self.close()
            raise RuntimeError(f"bwa index failed: {result.stderr.strip()[-500:]}")
        log.info("bwa index of the simulated %s: %s", scope, ", ".join(self.offsets))

    def close(self) -> None:
        self._tmp.cleanup()


class BwaPairAligner:
    """Align :class:`ReadPairs` with ``bwa mem -p`` and return SAM lines (same interface as
    :class:`~onco_genomics.simulate.align.PairAligner`)."""

    def __init__(self, index: BwaIndex, read_group: ReadGroup, *, mark_duplicates: bool,
                 threads: int) -> None:
        self.index = index
        self.read_group = read_group
        self.mark_duplicates = mark_duplicates
        self.threads = threads

    def sam_lines(self, pairs: ReadPairs, names: Sequence[str]) -> list[str]:
        """SAM lines of all pairs (primary, plus bwa's supplementary alignments)."""
        if len(names) != len(pairs):
            raise ValueError("one name per pair is needed")
        if not len(pairs):
            return []
        fastq = _interleaved_fastq(pairs, names)
        result = subprocess.run(
            [self.index.program, "mem", "-p", "-v", "1", "-t", str(self.threads),
             "-K", str(BATCH_BASES), str(self.index.fasta), "/dev/stdin"],
            input=fastq, capture_output=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"bwa mem failed: {result.stderr.decode(errors='replace')[-500:]}")
        duplicates = {names[i] for i in np.flatnonzero(pairs.duplicate).tolist()}
        offsets = self.index.offsets
        rg_tag = f"RG:Z:{self.read_group.id}"
        lines = []
        for line in result.stdout.decode("ascii").splitlines():
            if not line or line[0] == "@":
                continue
            fields = line.split("\t")
            if self.mark_duplicates and fields[0] in duplicates:
                fields[1] = str(int(fields[1]) | 0x400)
            if fields[2] != "*":
                chrom, offset = offsets[fields[2]]
                fields[2] = chrom
                if offset:
                    fields[3] = str(int(fields[3]) + offset)
            if fields[6] not in ("*", "="):
                chrom, offset = offsets[fields[6]]
                fields[6] = "=" if chrom == fields[2] else chrom
                if offset:
                    fields[7] = str(int(fields[7]) + offset)
            elif fields[6] == "=" and fields[2] != "*":
                # same index sequence: same contig and offset as the read
                _, offset = offsets[line.split("\t", 3)[2]]
                if offset:
                    fields[7] = str(int(fields[7]) + offset)
            fields.append(rg_tag)
            lines.append("\t".join(fields))
        return lines


def _interleaved_fastq(pairs: ReadPairs, names: Sequence[str]) -> bytes:
    """Read 1 then read 2 of every pair, in sequencing orientation (FASTQ, Phred+33)."""
    parts: list[np.ndarray] = []
    for reads, quals in ((pairs.read1, pairs.qual1), (pairs.read2, pairs.qual2)):
        parts.append(np.ascontiguousarray(reads, dtype=np.uint8))
        parts.append(np.ascontiguousarray(quals + 33, dtype=np.uint8))
    r1, q1, r2, q2 = (p.view(f"S{p.shape[1]}").ravel().tolist() for p in parts)
    out = []
    for name, s1, s2, a1, a2 in zip(names, r1, r2, q1, q2, strict=True):
        head = name.encode("ascii")
        out.append(b"@%s/1\n%s\n+\n%s\n@%s/2\n%s\n+\n%s\n" % (head, s1, a1, head, s2, a2))
    return b"".join(out)
