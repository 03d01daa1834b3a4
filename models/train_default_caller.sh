#!/usr/bin/env bash
# Reproduce the shipped caller model, onco_genomics/data/models/caller_default/.
#
#   bash models/train_default_caller.sh            # simulate, then train (about 30-40 min on 2 cores)
#   bash models/train_default_caller.sh simulate   # only the training pairs
#   bash models/train_default_caller.sh train      # only training (pairs already simulated)
#
# Environment: WORK (scratch folder, default /tmp/oncogen_caller_training), THREADS (default 2),
# OUT (model folder, default onco_genomics/data/models/caller_default).
#
# Data: twelve tumor/normal pairs simulated by `oncogen simulate` from real GRCh37 chromosome 20
# sequence (Debian vt-examples, /usr/share/doc/vt/examples/ref/20.fa.gz, MIT), 0.75 Mb each,
# 9 Mb in all (two of them low-VAF only, 2-15 %), inside the regions reserved for caller training (20:20,000,001-26,000,000 and
# 20:30,000,001-34,000,000; the held-out benchmark region 20:40,000,001-42,000,000 and the
# example_data slice 20:10,000,001-10,200,000 are not used). Settings span tumor depth 30-150x,
# normal 20-60x, purity 0.2-1.0, truth VAF about 2-50%, subclones, tumor-in-normal
# contamination, and the simulator's artefacts (PCR duplicates with PCR errors, 8-oxoG).
# Somatic SNVs come from real breast-cancer positions (brca-chr20) topped up at random;
# mutation rates are raised (500 SNVs + 150 indels per Mb) to give enough positives.
set -euo pipefail

PHASE=${1:-all}
WORK=${WORK:-/tmp/oncogen_caller_training}
THREADS=${THREADS:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/onco_genomics/data/models/caller_default}
REF=$WORK/ref/20.fa

mkdir -p "$WORK/ref"
if [ ! -s "$REF.fai" ]; then
    zcat /usr/share/doc/vt/examples/ref/20.fa.gz > "$REF"
    samtools faidx "$REF"
fi

# name  region  tumor-depth normal-depth purity vaf  extra options
CONFIGS=(
  "t01 20:20000001-20750000  60 30 1.0 0.02-0.5"
  "t02 20:20750001-21500000 150 60 0.5 0.04-1.0"
  "t03 20:21500001-22250000  30 20 1.0 0.05-0.5"
  "t04 20:22250001-23000000 100 40 0.8 0.02-0.5 --oxog-sites 80 --oxog-rate 0.001"
  "t05 20:23000001-23750000  80 30 0.2 0.1-1.0"
  "t06 20:30000001-30750000  60 30 0.6 0.03-0.8 --contamination 0.05"
  "t07 20:30750001-31500000 120 50 1.0 0.02-0.5 --subclones 0.4,0.15"
  "t08 20:31500001-32250000  45 25 0.9 0.02-0.5 --dup-rate 0.2 --pcr-error-fraction 0.5"
  "t09 20:23750001-24500000  60 30 0.7 0.03-0.7"
  "t10 20:24500001-25250000  90 35 1.0 0.02-0.3 --oxog-sites 40"
  "t11 20:32250001-33000000  60 30 1.0 0.02-0.12"
  "t12 20:33000001-33750000  80 30 0.9 0.02-0.15 --oxog-sites 40"
)

if [ "$PHASE" = all ] || [ "$PHASE" = simulate ]; then
  seed=100
  for config in "${CONFIGS[@]}"; do
    read -r name region tdepth ndepth purity vaf extra <<< "$config"
    seed=$((seed + 1))
    if [ -s "$WORK/$name/params.json" ]; then continue; fi
    # shellcheck disable=SC2086
    nice -n 5 oncogen -q simulate --ref "$REF" --region "$region" --out-dir "$WORK/$name" \
        --seed "$seed" --tumor-depth "$tdepth" --normal-depth "$ndepth" --purity "$purity" \
        --vaf "$vaf" --snv-rate 500 --indel-rate 150 --threads "$THREADS" ${extra:-}
    echo "simulated $name ($region, ${tdepth}x/${ndepth}x, purity $purity, VAF $vaf ${extra:-})"
  done
fi

if [ "$PHASE" = all ] || [ "$PHASE" = train ]; then
  data=()
  for config in "${CONFIGS[@]}"; do
    read -r name _ <<< "$config"
    data+=(--data "$WORK/$name")
  done
  # scanning runs in THREADS workers (cached as .npz); the network is small enough that one
  # torch thread is fastest on a shared 2-core machine
  nice -n 5 oncogen train caller "${data[@]}" --ref "$REF" -o "$OUT" \
      --cache-dir "$WORK/cache" --threads "$THREADS" --torch-threads 1 --seed 1 --epochs 40 \
      --patience 5 --block-size 100000 --val-fraction 0.2 --width 32 --blocks 3 \
      --negative-ratio 3
fi
