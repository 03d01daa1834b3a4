"""Check: oncogen's catalogs of the 4 BRCA example genomes on chr20 equal SigProfiler's.

SigProfilerMatrixGenerator (SPMG) ships no GRCh37 sequence, so this script

1. copies the installed SPMG package into a temporary folder (the installed one is not
   touched) and installs GRCh37 chromosome 20 from Debian vt-examples
   (``/usr/share/doc/vt/examples/ref/20.fa.gz``) as a custom SPMG genome, with SPMG's own
   chr20 transcript table, registering the new genome's checksum;
2. runs SPMG on the chromosome-20 rows of its ``BRCA_example_subs_simple.txt`` (699 SNVs);
3. runs ``oncogen spectrum`` on the same rows (tests/data/spectrum/BRCA_example_chr20.maf)
   in both adjacent-SNV modes, and compares the SBS96, SBS1536 and DBS78 matrices;
4. for ID83 (SPMG ships no indels for chr20): draws 900 left-aligned indels (seed 20) on
   real chr20 sequence (20:30,000,001-32,000,000), a third at random positions and two
   thirds in homopolymers and short tandem repeats, deletions of 1-8 bp and insertions of
   1-7 bp (copies of the following bases or random), runs SPMG on them and compares its
   ID83 matrix with oncogen's (tests/data/spectrum/chr20_indels.maf).

    python benchmarks/signatures_sigprofiler_chr20.py [--write-fixtures]

``--write-fixtures`` copies SPMG's matrices to tests/data/spectrum/ (the fixtures the
tests compare against).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "spectrum"
FASTA = Path("/usr/share/doc/vt/examples/ref/20.fa.gz")
GENOME = "GRCh37chr20"
HEADER = "Project\tSample\tID\tGenome\tmut_type\tchrom\tpos_start\tpos_end\tref\talt\tType"

INSTALL = f"""
from SigProfilerMatrixGenerator import install
install.install({GENOME!r}, custom=True, fastaPath=r"{{fasta}}",
                transcriptPath=r"{{tx}}", exomePath=None)
"""
RUN = f"""
import hashlib
from SigProfilerMatrixGenerator.scripts import reference_genome_manager as rgm, ref_install
from SigProfilerMatrixGenerator.scripts import SigProfilerMatrixGeneratorFunc as spmg
tsb = ref_install.reference_dir().get_tsb_dir() / {GENOME!r} / "20.txt"
rgm.CHECKSUMS[{GENOME!r}] = dict([("20", hashlib.md5(tsb.read_bytes()).hexdigest())])
spmg.SigProfilerMatrixGeneratorFunc("BRCA_chr20", {GENOME!r}, r"{{inputs}}", plot=False,
                                    exome=False, bed_file=None, chrom_based=False,
                                    tsb_stat=False, seqInfo=False, cushion=100)
"""


def draw_indels(seq: str, offset: int, n: int = 900, seed: int = 20,
                ) -> list[tuple[int, str, str]]:
    """Left-aligned indels as (1-based VCF position of the anchor, REF, ALT)."""
    import random
    import re

    rng = random.Random(seed)
    homopolymers = [m.start() for m in re.finditer(r"(A{3,}|C{3,}|G{3,}|T{3,})", seq)]
    repeats = [m.start() for m in re.finditer(r"(([ACGT]{2,4})\2{2,})", seq)]
    records: set[tuple[int, str, str]] = set()
    while len(records) < n:
        kind, source = rng.random(), rng.random()
        if source < 0.34:
            p = rng.randrange(100, len(seq) - 100)
        else:
            p = rng.choice(homopolymers if source < 0.67 else repeats)
        p += rng.randrange(0, 4)
        if "N" in seq[p - 20:p + 20]:
            continue
        if kind < 0.5:  # deletion of seq[p:p+size], shifted left
            size = rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 6, 8])
            while p > 1 and seq[p - 1] == seq[p + size - 1]:
                p -= 1
            records.add((offset + p, seq[p - 1:p + size], seq[p - 1]))
        else:  # insertion of `ins` before seq[p], shifted left
            size = rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 7])
            ins = (seq[p:p + size] if rng.random() < 0.6
                   else "".join(rng.choice("ACGT") for _ in range(size)))
            while p > 1 and seq[p - 1] == ins[-1]:
                ins, p = ins[-1] + ins[:-1], p - 1
            records.add((offset + p, seq[p - 1], seq[p - 1] + ins))
    return sorted(records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-fixtures", action="store_true")
    args = parser.parse_args()
    import SigProfilerMatrixGenerator

    from onco_genomics.spectrum.catalog import CatalogOptions, build_catalogs

    package = Path(os.path.dirname(SigProfilerMatrixGenerator.__file__))
    work = Path(tempfile.mkdtemp(prefix="spmg_chr20_"))
    shutil.copytree(package, work / "pkg" / "SigProfilerMatrixGenerator")
    (work / "fasta").mkdir()
    shutil.copy(FASTA, work / "fasta" / "20.fa.gz")
    transcripts = package / "references" / "chromosomes" / "transcripts" / "GRCh37"
    env = {**os.environ, "PYTHONPATH": str(work / "pkg")}
    subprocess.run([sys.executable, "-c", INSTALL.format(
        fasta=work / "fasta", tx=transcripts / "20_transcripts.txt")], env=env, cwd=work,
        check=True, input="yes\n" * 10, text=True, capture_output=True)

    inputs = work / "inputs"
    inputs.mkdir()
    simple = package / "references" / "vcf_files" / "BRCA_example" / "SNV"
    rows = [line for line in (simple / "BRCA_example_subs_simple.txt").read_text().splitlines()
            if line.split("\t")[5] == "20"]
    (inputs / "BRCA_chr20.txt").write_text("\n".join([HEADER, *rows]) + "\n")  # SPMG skips line 1
    subprocess.run([sys.executable, "-c", RUN.format(inputs=inputs)], env=env, cwd=work,
                   check=True, capture_output=True, text=True)
    out = inputs / "output"
    spmg = {
        "SBS96": pd.read_csv(out / "SBS" / "BRCA_chr20.SBS96.all", sep="\t", index_col=0),
        "SBS1536": pd.read_csv(out / "SBS" / "BRCA_chr20.SBS1536.all", sep="\t", index_col=0),
        "DBS78": pd.read_csv(out / "DBS" / "BRCA_chr20.DBS78.all", sep="\t", index_col=0),
    }
    version = importlib.metadata.version("sigprofilermatrixgenerator")
    from onco_genomics.io.reference import Reference

    start = 30_000_000
    seq = Reference(FASTA).fetch("20", start, start + 2_000_000)
    indels = draw_indels(seq, start)
    samples = ("IDA", "IDB", "IDC")
    id_inputs = work / "id_inputs"
    id_inputs.mkdir()
    maf = work / "chr20_indels.maf"
    with open(id_inputs / "ID_chr20.txt", "w") as simple_out, open(maf, "w") as maf_out:
        simple_out.write(HEADER + "\n")
        maf_out.write("#synthetic left-aligned indels on GRCh37 chr20:30-32 Mb (vt-examples), "
                      "see benchmarks/signatures_sigprofiler_chr20.py\n")
        maf_out.write("Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\t"
                      "Reference_Allele\tTumor_Seq_Allele2\tTumor_Sample_Barcode\t"
                      "Variant_Type\n")
        for i, (pos, ref, alt) in enumerate(indels):
            sample = samples[i % 3]
            simple_out.write(f"ID\t{sample}\t.\tGRCh37\tINDEL\t20\t{pos}\t"
                             f"{pos + len(ref) - 1}\t{ref}\t{alt}\tSOMATIC\n")
            if len(ref) > len(alt):
                maf_out.write(f"Unknown\t20\t{pos + 1}\t{pos + len(ref) - 1}\t{ref[1:]}\t-\t"
                              f"{sample}\tDEL\n")
            else:
                maf_out.write(f"Unknown\t20\t{pos}\t{pos + 1}\t-\t{alt[1:]}\t{sample}\t"
                              "INS\n")
    subprocess.run([sys.executable, "-c", RUN.format(inputs=id_inputs).replace(
        '"BRCA_chr20"', '"ID_chr20"')], env=env, cwd=work, check=True, capture_output=True,
        text=True)
    spmg["ID83"] = pd.read_csv(id_inputs / "output" / "ID" / "ID_chr20.ID83.all", sep="\t",
                               index_col=0)
    id_ours = build_catalogs([maf], FASTA, options=CatalogOptions(contexts=("id83",)))["id83"]

    print(f"## oncogen vs SigProfilerMatrixGenerator {version} on the {len(rows)} chr20 SNVs "
          "of BRCA_example\n")
    print("| catalog | --adjacent-snvs | mutations (SPMG) | mutations (oncogen) | "
          "cells differing | max abs difference |")
    print("|---|---|---:|---:|---:|---:|")
    for mode in ("dbs+sbs", "dbs"):
        options = CatalogOptions(contexts=("sbs96", "sbs1536", "dbs78"), adjacent_snvs=mode)
        ours = build_catalogs([DATA / "BRCA_example_chr20.maf"], FASTA, options=options)
        for name, kind in (("SBS96", "sbs96"), ("SBS1536", "sbs1536"), ("DBS78", "dbs78")):
            theirs = spmg[name]
            mine = ours[kind].counts.loc[theirs.index, theirs.columns]  # type: ignore[index]
            diff = (mine - theirs).abs()
            print(f"| {name} | {mode} | {int(theirs.to_numpy().sum())} | "
                  f"{int(mine.to_numpy().sum())} | {int((diff > 0).to_numpy().sum())} | "
                  f"{int(diff.to_numpy().max())} |")
    theirs = spmg["ID83"]
    diff = (id_ours.counts.loc[theirs.index, theirs.columns] - theirs).abs()
    print(f"| ID83 ({len(indels)} drawn indels) | - | {int(theirs.to_numpy().sum())} | "
          f"{int(id_ours.counts.to_numpy().sum())} | {int((diff > 0).to_numpy().sum())} | "
          f"{int(diff.to_numpy().max())} |")
    if args.write_fixtures:
        for name, table in spmg.items():
            target = (DATA / "chr20_indels.SigProfiler.ID83.tsv" if name == "ID83" else
                      DATA / f"BRCA_example_chr20.SigProfiler.{name}.tsv")
            table.to_csv(target, sep="\t")
        shutil.copy(maf, DATA / "chr20_indels.maf")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
