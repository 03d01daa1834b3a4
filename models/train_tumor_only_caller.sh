#!/usr/bin/env bash
# Reproduce the shipped tumor-only caller model, onco_genomics/data/models/caller_tumor_only/.
#
#   bash models/train_tumor_only_caller.sh            # simulate, then train (about 25 min on 2 busy cores)
#   bash models/train_tumor_only_caller.sh simulate   # only the training tumors
#   bash models/train_tumor_only_caller.sh train      # only training
#
# Environment: WORK (scratch folder, default /tmp/oncogen_tumor_only_training), THREADS
# (default 2), OUT (model folder, default onco_genomics/data/models/caller_tumor_only).
#
# Data: five tumors simulated by `oncogen simulate --population-sites 10` from real GRCh37
# chromosome 20 sequence (Debian vt-examples, MIT), 0.5 Mb each, 2.5 Mb in all, inside the
# regions reserved for caller training (20:23,000,001-25,500,000, part of
# 20:20,000,001-26,000,000; see models/train_default_caller.sh). The held-out benchmark
# regions 20:40,000,001-48,000,000 are not used. Each tumor's germline is one person drawn
# from a simulated population (site-frequency spectrum ~ 1/AF, 10 sites per kb; the
# population VCF is the germline resource the network reads) plus 20 private variants
# per Mb. Conditions: tumor depth 40-100x, purity 0.5-1.0, VAF 4-50% in a pure clonal
# tumor (heterozygous somatic variants without copy-number change: at most purity / 2 in
# the tumor BAM, below the person's heterozygous germline variants at 0.5), both aligners,
# 8-oxoG, FFPE and PCR-duplicate artefacts. Recurrent (panel-of-normals)
# artefacts are left out of training on purpose: they look like true low-VAF variants in
# the tumor alone, and removing them is the panel of normals' job, not the network's.
# Somatic rates are raised (500 SNVs + 100 indels per Mb) to give enough positives. The
# normal BAM of each simulation is made at 5x and not used.
set -euo pipefail

PHASE=${1:-all}
WORK=${WORK:-/tmp/oncogen_tumor_only_training}
THREADS=${THREADS:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/onco_genomics/data/models/caller_tumor_only}
REF=$WORK/ref/20.fa

mkdir -p "$WORK/ref"
if [ ! -s "$REF.fai" ]; then
    zcat /usr/share/doc/vt/examples/ref/20.fa.gz > "$REF"
    samtools faidx "$REF"
fi

BWA="--aligner bwa --align-to regions"
# name  region  tumor-depth purity vaf  extra options
CONFIGS=(
  "to1 20:23000001-23500000  60 0.8 0.05-0.5"
  "to2 20:23500001-24000000 100 0.5 0.04-0.5 --oxog-sites 40 --mutations random --snv-spectrum SBS1:0.4,SBS5:0.6"
  "to3 20:24000001-24500000  40 1.0 0.05-0.5 $BWA --ffpe-sites 60 --ffpe-rate 0.0005"
  "to4 20:24500001-25000000  80 0.6 0.05-0.5 $BWA --mutations random"
  "to5 20:25000001-25500000  60 0.7 0.05-0.5 --oxog-sites 20 --dup-rate 0.15"
)

if [ "$PHASE" = all ] || [ "$PHASE" = simulate ]; then
  seed=300
  for config in "${CONFIGS[@]}"; do
    read -r name region tdepth purity vaf extra <<< "$config"
    seed=$((seed + 1))
    if [ -s "$WORK/$name/params.json" ]; then continue; fi
    # shellcheck disable=SC2086
    nice -n 10 oncogen -q simulate --ref "$REF" --region "$region" --out-dir "$WORK/$name" \
        --seed "$seed" --tumor-depth "$tdepth" --normal-depth 5 --purity "$purity" \
        --vaf "$vaf" --snv-rate 500 --indel-rate 100 --population-sites 10 \
        --threads "$THREADS" ${extra:-}
    echo "simulated $name ($region, ${tdepth}x, purity $purity, VAF $vaf ${extra:-})"
  done
fi

if [ "$PHASE" = all ] || [ "$PHASE" = train ]; then
  nice -n 10 oncogen train caller-tumor-only --ref "$REF" -o "$OUT" --threads "$THREADS" \
      --data "$WORK/to1" --data "$WORK/to2" --data "$WORK/to3" --data "$WORK/to4" \
      --data "$WORK/to5"
fi
