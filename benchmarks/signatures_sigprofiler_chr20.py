"""Check: oncogen's catalogs of the 4 BRCA example genomes on chr20 equal SigProfiler's.

SigProfilerMatrixGenerator (SPMG) ships no GRCh37 sequence, so this script

1. copies the installed SPMG package into a temporary folder (the installed one is not
   touched) and installs GRCh37 chromosome 20 from Debian vt-examples
   (``/usr/share/doc/vt/examples/ref/20.fa.gz``) as a custom SPMG genome, with SPMG's own
   chr20 transcript table, registering the new genome's checksum;
2. runs SPMG on the chromosome-20 rows of its ``BRCA_example_subs_simple.txt`` (699 SNVs);
3. runs ``oncogen spectrum`` on the same rows (tests/data/spectrum/BRCA_example_chr20.maf)
   in both adjacent-SNV modes, and compares the SBS96, SBS1536 and DBS78 matrices.

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
    header = "Project\tSample\tID\tGenome\tmut_type\tchrom\tpos_start\tpos_end\tref\talt\tType"
    (inputs / "BRCA_chr20.txt").write_text("\n".join([header, *rows]) + "\n")  # SPMG skips line 1
    subprocess.run([sys.executable, "-c", RUN.format(inputs=inputs)], env=env, cwd=work,
                   check=True, capture_output=True, text=True)
    out = inputs / "output"
    spmg = {
        "SBS96": pd.read_csv(out / "SBS" / "BRCA_chr20.SBS96.all", sep="\t", index_col=0),
        "SBS1536": pd.read_csv(out / "SBS" / "BRCA_chr20.SBS1536.all", sep="\t", index_col=0),
        "DBS78": pd.read_csv(out / "DBS" / "BRCA_chr20.DBS78.all", sep="\t", index_col=0),
    }
    version = importlib.metadata.version("sigprofilermatrixgenerator")
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
    if args.write_fixtures:
        for name, table in spmg.items():
            table.to_csv(DATA / f"BRCA_example_chr20.SigProfiler.{name}.tsv", sep="\t")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
