#!/usr/bin/env bash
# Regenerate everything in example_data/ from registry-installed data:
#   - Debian vt-examples: GRCh37 chromosome 20 (/usr/share/doc/vt/examples/ref/20.fa.gz, MIT)
#   - oncogen's shipped BRCA_bench chr20 SNVs (SigProfilerMatrixGenerator, BSD-2-Clause)
# Usage (from anywhere, with oncogen installed): bash example_data/make_example_data.sh
# The same oncogen version gives byte-identical BAM records and VCF records (seed 20).
set -euo pipefail
cd "$(dirname "$0")"
CHR20="${CHR20:-/usr/share/doc/vt/examples/ref/20.fa.gz}"
START=10000000   # 0-based start of the slice on GRCh37 chr20
END=10200000     # exclusive end: 200 kb, 20:10,000,001-10,200,000
CONTIG="20_${START}"

python - "$CHR20" "$START" "$END" "$CONTIG" <<'PY'
"""Cut the chr20 slice and lift the BRCA SNVs inside it onto the slice's coordinates."""
import sys
import textwrap

import pysam

from onco_genomics.io.reference import Reference
from onco_genomics.simulate import load_mutations

chr20, start, end, contig = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sequence = Reference(chr20).fetch("20", start, end)
assert len(sequence) == end - start and sequence.count("N") == 0
with open("chr20_slice.fa", "w", encoding="ascii") as handle:
    handle.write(f">{contig} GRCh37 20:{start + 1}-{end}\n")
    handle.write("\n".join(textwrap.wrap(sequence, 60)) + "\n")
pysam.faidx("chr20_slice.fa")

table = load_mutations("brca-chr20")
inside = table[(table["pos"] >= start) & (table["pos"] < end)]
with open("brca_snvs_slice.tsv", "w", encoding="ascii") as handle:
    handle.write("# BRCA_bench somatic SNVs (SigProfilerMatrixGenerator, BSD-2-Clause) on GRCh37\n")
    handle.write(f"# 20:{start + 1}-{end}, lifted to contig {contig} (slice pos = GRCh37 pos - {start})\n")
    handle.write("chrom\tpos\tref\talt\tgrch37_pos\n")
    for row in inside.itertuples(index=False):
        assert sequence[row.pos - start] == row.ref
        handle.write(f"{contig}\t{row.pos - start + 1}\t{row.ref}\t{row.alt}\t{row.pos + 1}\n")
print(f"slice {contig}: {len(sequence):,} bases; {len(inside)} BRCA SNVs inside")
PY

rm -rf pair
oncogen simulate --ref chr20_slice.fa --region "$CONTIG" --out-dir pair --seed 20 \
    --tumor-depth 60 --normal-depth 30 --vaf 0.05-0.5 \
    --mutations brca_snvs_slice.tsv --snv-rate n=27 --indel-rate n=13 \
    --oxog-sites 50 --threads 2
du -sh .
