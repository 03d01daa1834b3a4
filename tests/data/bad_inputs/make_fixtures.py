"""Re-create the bad-input fixtures of this folder (small files, one per bad input).

    PYTHONPATH=. python tests/data/bad_inputs/make_fixtures.py

Each file is named after what it breaks; README.md lists them. The damaged BAMs are cut
or corrupted copies of tests/data/caller/pair/normal.bam (simulated from GRCh37 chr20,
see tests/data/caller/README.md).
"""

from __future__ import annotations

import gzip
import shutil
import struct
import subprocess
from pathlib import Path

HERE = Path(__file__).parent
DATA = HERE.parent
PAIR = DATA / "caller" / "pair"

SHARD_HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=LowQual,Description="Low quality">
##INFO=<ID=SOMATIC,Number=0,Type=Flag,Description="Somatic call">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction">
##contig=<ID=20,length=1000>
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	NORMAL	TUMOR
"""
GOOD = "20\t10\t.\tA\tG\t50\tPASS\tSOMATIC\tGT:AF\t0/0:0\t0/1:0.3\n"

#: merge shards, each with one bad record after a good one
SHARDS = {
    "shard_good.vcf": GOOD,
    "shard_cut_to_5_columns.vcf": GOOD + "20\t500\t.\tC\tT\n",
    "shard_missing_sample_columns.vcf": GOOD + "20\t500\t.\tC\tT\t50\tPASS\tSOMATIC\n",
    "shard_extra_column.vcf": GOOD + "20\t500\t.\tC\tT\t50\tPASS\tSOMATIC\tGT:AF\t0/0:0\t"
                              "0/1:0.3\t0/1:0.2\n",
    "shard_non_integer_pos.vcf": GOOD + "20\tfive\t.\tC\tT\t50\tPASS\tSOMATIC\tGT:AF\t0/0:0\t"
                                "0/1:0.3\n",
    "shard_bad_ref.vcf": GOOD + "20\t500\t.\t-\tT\t50\tPASS\tSOMATIC\tGT:AF\t0/0:0\t0/1:0.3\n",
    "shard_bad_qual.vcf": GOOD + "20\t500\t.\tC\tT\thigh\tPASS\tSOMATIC\tGT:AF\t0/0:0\t"
                          "0/1:0.3\n",
    "shard_more_sample_values_than_format.vcf": GOOD + "20\t500\t.\tC\tT\t50\tPASS\tSOMATIC\t"
                                                "GT:AF\t0/0:0:9\t0/1:0.3\n",
}


def write_shards() -> None:
    for name, records in SHARDS.items():
        (HERE / name).write_text(SHARD_HEADER + records)


def _bgzf_blocks(data: bytes) -> list[tuple[int, int]]:
    """(offset, size) of each BGZF block."""
    blocks = []
    offset = 0
    while offset < len(data):
        # BSIZE is the 2-byte field of the BC extra subfield at byte 16
        bsize = struct.unpack_from("<H", data, offset + 16)[0] + 1
        blocks.append((offset, bsize))
        offset += bsize
    return blocks


#: the region the small BAMs cover (1-based, inclusive)
SMALL_REGION = "chr20_15M:1-6000"


def _slice(source: Path, target: Path) -> None:
    subprocess.run(["samtools", "view", "-b", "-o", str(target), str(source), SMALL_REGION],
                   check=True)
    subprocess.run(["samtools", "index", str(target)], check=True)


def write_damaged_bams() -> None:
    """Small tumor/normal slices, and damaged copies of the normal."""
    _slice(PAIR / "tumor.bam", HERE / "small_tumor.bam")
    _slice(PAIR / "normal.bam", HERE / "small_normal.bam")
    normal = (HERE / "small_normal.bam").read_bytes()
    blocks = _bgzf_blocks(normal)
    # a corrupt block among the reads: bytes of its deflate payload flipped (EOF intact)
    offset, size = blocks[len(blocks) // 2]
    corrupt = bytearray(normal)
    for i in range(offset + 40, offset + min(size - 10, 240)):
        corrupt[i] ^= 0x5A
    (HERE / "corrupt_block.bam").write_bytes(bytes(corrupt))
    shutil.copy(HERE / "small_normal.bam.bai", HERE / "corrupt_block.bam.bai")
    # cut among the reads, then given a fresh EOF marker (so the end looks complete)
    eof = normal[-28:]
    (HERE / "truncated_reads.bam").write_bytes(normal[:offset] + eof)
    shutil.copy(HERE / "small_normal.bam.bai", HERE / "truncated_reads.bam.bai")
    # the index of another BAM (the whole tumor's), copied beside the normal slice
    shutil.copy(HERE / "small_normal.bam", HERE / "stale_index.bam")
    shutil.copy(PAIR / "tumor.bam.bai", HERE / "stale_index.bam.bai")
    # a header-only BAM (no reads) with the tumor's header and read group
    header = subprocess.run(["samtools", "view", "-H", str(PAIR / "tumor.bam")],
                            capture_output=True, text=True, check=True).stdout
    subprocess.run(["samtools", "view", "-b", "-o", str(HERE / "header_only_tumor.bam"), "-"],
                   input=header, text=True, check=True)
    subprocess.run(["samtools", "index", str(HERE / "header_only_tumor.bam")], check=True)


class _RunsCode:
    """Pickles to a call of print(): a model file that would run code if unpickled."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("oncogen test: this pickled code must never run",))


def write_model_files() -> None:
    """Damaged weight files, each to be put in place of a real one by the tests."""
    import numpy as np
    import torch

    folder = HERE / "models"
    folder.mkdir(exist_ok=True)
    torch.save({"layer.weight": torch.zeros(2, 2), "payload": _RunsCode()},
               folder / "runs_code.pt")
    good = folder / "_good.pt"
    torch.save({"layer.weight": torch.arange(4096, dtype=torch.float32)}, good)
    data = good.read_bytes()
    (folder / "truncated.pt").write_bytes(data[: len(data) // 2])
    good.unlink()
    (folder / "not_a_tensor_file.pt").write_bytes(b"weights\n" * 8)
    np.save(folder / "object_array.npy", np.array([{"a": 1}, None], dtype=object),
            allow_pickle=True)
    (folder / "not_json.json").write_text("{\"coef\": [[0.1, 0.2], [0.3\n")


def write_degenerate_tables() -> None:
    """A catalog whose every count is 0, and VCFs on the spectrum slice with odd records."""
    from onco_genomics.spectrum.catalog import CHANNELS

    rows = "".join(f"{channel}\t0\t0\n" for channel in CHANNELS["sbs96"])
    (HERE / "all_zero.SBS96.tsv").write_text("MutationType\tS1\tS2\n" + rows)
    header = ("##fileformat=VCFv4.2\n##contig=<ID=slice20,length=2000>\n"
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
    (HERE / "alt_x.vcf").write_text(header + "slice20\t11\t.\tC\tT\t50\tPASS\t.\n"
                                    "slice20\t102\t.\tA\tX\t50\tPASS\t.\n")
    (HERE / "contig_not_in_fasta.vcf").write_text(
        header.replace("##contig=<ID=slice20,length=2000>\n",
                       "##contig=<ID=slice20,length=2000>\n##contig=<ID=chrUn,length=500>\n")
        + "slice20\t11\t.\tC\tT\t50\tPASS\t.\n"
        + "chrUn\t20\t.\tA\tG\t50\tPASS\t.\nchrUn\t40\t.\tC\tA\t50\tPASS\t.\n")


def write_generic_files() -> None:
    """An empty file and 512 bytes of binary junk (seeded)."""
    import random

    (HERE / "empty.txt").write_bytes(b"")
    rng = random.Random(14)
    (HERE / "junk.bin").write_bytes(bytes(rng.randrange(256) for _ in range(512)))


def write_wrong_reference() -> None:
    """A FASTA with the name and length of tests/data/io/chr17_4kb.fa but other bases: the
    wrong reference for hg00101_chr17_4kb.cram (seeded)."""
    import random

    import pysam

    with pysam.FastaFile(str(DATA / "io" / "chr17_4kb.fa")) as fasta:
        name = fasta.references[0]
        length = fasta.get_reference_length(name)
    rng = random.Random(17)
    bases = "".join(rng.choice("ACGT") for _ in range(length))
    target = HERE / "wrong_sequence_chr17.fa"
    target.write_text(f">{name}\n" + "".join(bases[i:i + 60] + "\n"
                                              for i in range(0, length, 60)))
    pysam.faidx(str(target))


def main() -> None:
    write_generic_files()
    write_wrong_reference()
    write_degenerate_tables()
    write_shards()
    write_damaged_bams()
    write_model_files()
    with gzip.open(HERE / "not_really.vcf.gz", "wt") as handle:
        handle.write("this is not a VCF\n")


if __name__ == "__main__":
    main()
