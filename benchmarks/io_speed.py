"""Throughput of oncogen's file readers and writers on real data; prints a table.

Inputs (registry packages, see /work/shared/DATA.md):

- 32,454 somatic SNVs of 4 breast cancers (sigprofilermatrixgenerator BRCA_example),
  written as a 2-sample VCF (FORMAT AD/AF/DP derived deterministically from the position,
  so the writer and reader do realistic per-sample work) and as a MAF;
- the ALL leukaemia expression matrix, 128 x 12,625 (onco_genomics/data/expression);
- GRCh37 chr20 (Debian vt-examples) for reference fetches, when installed.

Usage::

    nice -n 5 python benchmarks/io_speed.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib.util
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from onco_genomics.io.reference import Reference
from onco_genomics.io.tables import read_table
from onco_genomics.io.variants import HeaderField, Variant, VcfHeader, read_variants, write_vcf
from onco_genomics.regions import Region

ROOT = Path(__file__).resolve().parent.parent
CHR20 = Path("/usr/share/doc/vt/examples/ref/20.fa.gz")


def brca_snvs() -> list[tuple[str, str, int, str, str]]:
    spec = importlib.util.find_spec("SigProfilerMatrixGenerator")
    if spec is None or spec.origin is None:
        raise SystemExit("pip install sigprofilermatrixgenerator (the test extra) first")
    path = (Path(spec.origin).parent / "references" / "vcf_files" / "BRCA_example" / "SNV"
            / "BRCA_example_subs_simple.txt")
    rows = []
    with open(path) as handle:
        for fields in csv.reader(handle, delimiter="\t"):
            rows.append((fields[1], fields[5], int(fields[6]), fields[8], fields[9]))
    return rows


def to_variants(rows: list[tuple[str, str, int, str, str]]) -> tuple[VcfHeader, list[Variant]]:
    order = [str(i) for i in range(1, 23)] + ["X", "Y"]
    lengths: dict[str, int] = {}
    for _, chrom, pos, _, _ in rows:
        lengths[chrom] = max(lengths.get(chrom, 0), pos + 1)
    contigs = [(c, lengths[c]) for c in order if c in lengths]
    header = VcfHeader(
        contigs=contigs, samples=["TUMOR", "NORMAL"],
        info=[HeaderField("SOMATIC", "0", "Flag", "Somatic"),
              HeaderField("TLOD", "A", "Float", "Tumour log odds")],
        formats=[HeaderField("GT", "1", "String", "Genotype"),
                 HeaderField("AD", "R", "Integer", "Allelic depths"),
                 HeaderField("AF", "A", "Float", "Allele fraction"),
                 HeaderField("DP", "1", "Integer", "Depth")],
        command_line="benchmarks/io_speed.py")
    variants = []
    seen = set()
    for _, chrom, pos, ref, alt in rows:
        if (chrom, pos, alt) in seen or chrom not in lengths:
            continue
        seen.add((chrom, pos, alt))
        alt_reads, ref_reads = 3 + pos % 17, 20 + pos % 23
        variants.append(Variant(
            chrom, pos - 1, ref, alt, info={"SOMATIC": True, "TLOD": alt_reads * 1.731},
            sample_data={"TUMOR": {"GT": "0/1", "AD": (ref_reads, alt_reads),
                                   "AF": alt_reads / (ref_reads + alt_reads),
                                   "DP": ref_reads + alt_reads},
                         "NORMAL": {"GT": "0/0", "AD": (ref_reads + 5, 0), "AF": 0.0,
                                    "DP": ref_reads + 5}}))
    return header, variants


def write_maf(rows: list[tuple[str, str, int, str, str]], path: Path) -> None:
    with open(path, "w") as handle:
        handle.write("#version 2.4\nChromosome\tStart_Position\tReference_Allele\t"
                     "Tumor_Seq_Allele2\tTumor_Sample_Barcode\tVariant_Type\n")
        for sample, chrom, pos, ref, alt in rows:
            handle.write(f"{chrom}\t{pos}\t{ref}\t{alt}\t{sample}\tSNP\n")


def fetch_speed(folder: Path, repeat: int) -> list[tuple[str, int, float]]:
    """201-bp fetches from chr20, BGZF (htslib) and plain (pyfaidx), random and sorted."""
    local = folder / "20.fa.gz"
    local.symlink_to(CHR20)
    plain = folder / "20.fa"
    with gzip.open(CHR20, "rb") as src, open(plain, "wb") as dst:
        shutil.copyfileobj(src, dst)
    rng = random.Random(0)
    starts = [rng.randrange(100_000, 62_000_000) for _ in range(20_000)]
    results = []
    for label, path in (("BGZF chr20", local), ("plain chr20", plain)):
        ref = Reference(path)
        for order, positions in (("random", starts), ("sorted", sorted(starts))):
            seconds, n = best_of(repeat, lambda ref=ref, positions=positions: sum(
                len(ref.fetch("20", s, s + 201)) > 0 for s in positions))
            results.append((f"Reference.fetch 201 bp, {label}, {order}", n, seconds))
    return results


def best_of(repeat: int, func: Callable[[], int]) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = func()
        times.append(time.perf_counter() - start)
    return min(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = parser.parse_args()
    rows = brca_snvs()
    header, variants = to_variants(rows)
    results: list[tuple[str, int, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        vcf_gz, vcf_plain, maf = folder / "b.vcf.gz", folder / "b.vcf", folder / "b.maf"
        seconds, n = best_of(args.repeat,
                             lambda: len(variants) if write_vcf(vcf_gz, header, variants) else 0)
        results.append(("write_vcf .vcf.gz + .tbi", n, seconds))
        seconds, n = best_of(args.repeat,
                             lambda: len(variants) if write_vcf(vcf_plain, header, variants)
                             else 0)
        results.append(("write_vcf .vcf", n, seconds))
        seconds, n = best_of(args.repeat, lambda: sum(1 for _ in read_variants(vcf_gz)))
        results.append(("read_variants .vcf.gz (2 samples)", n, seconds))
        regions = [Region("1", start, start + 1_000_000) for start in range(0, 240_000_000,
                                                                             10_000_000)]
        seconds, n = best_of(args.repeat, lambda: sum(
            sum(1 for _ in read_variants(vcf_gz, region=r)) for r in regions))
        results.append((f"read_variants, {len(regions)} 1-Mb region queries", n, seconds))
        write_maf(rows, maf)
        seconds, n = best_of(args.repeat, lambda: sum(1 for _ in read_variants(maf)))
        results.append(("read_variants MAF (SNVs)", n, seconds))
        expression = ROOT / "onco_genomics" / "data" / "expression" / "all_expression.csv.gz"
        if expression.exists():
            seconds, _ = best_of(args.repeat, lambda: read_table(expression).size)
            results.append(("read_table ALL 128 x 12,625 (csv.gz), cells", 128 * 12625,
                            seconds))
        if CHR20.exists():
            results.extend(fetch_speed(folder, args.repeat))
    print(f"{'operation':<48} {'items':>9} {'seconds':>8} {'items/s':>10}")
    for name, count, seconds in results:
        print(f"{name:<48} {count:>9,} {seconds:>8.3f} {count / seconds:>10,.0f}")


if __name__ == "__main__":
    main()
