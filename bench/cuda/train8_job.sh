#!/usr/bin/env bash
# Device job (kind nvidia-h200-x8, carry [".device"]) after `bash bench/cuda/prepare_train8.sh`:
#   OUT=$OUT bash bench/cuda/train8_job.sh                  (128K and 512K)
#   SIZES=768k OUT=$OUT bash bench/cuda/train8_job.sh       (a call of its own: ~143 s a step)
#   SIZES=1m OUT=$OUT bash bench/cuda/train8_job.sh         (one step, ~311 s predicted)
#   SIZES=1.5m OUT=$OUT bash bench/cuda/train8_job.sh       (one step, 558 s predicted, offloads)
# Issue 22's whole-model training on 8 GPUs: the Llama-3-8B shape (32 layers) trained (AdamW,
# ZeRO over the sequence group, seeded random tokens; 3 steps at 128K, 2 longer) at 128K, 512K
# and 768K tokens per step; each run's log says the step time, tokens/s and peak memory per rank, and
# the fit check's verdict. Useful TFLOP/s per GPU come from torch_train_peer.py's FLOP count
# (6 x parameters x tokens + attention's 12 x layers x tokens^2 x hidden / 2, causal) afterwards.
# Lands in $OUT/train8.tgz and $OUT/summary.txt.
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-train8}
T=.device/train8
job_start train8 "${SEQC_JOB_BUDGET:-560}"
for n in ${SIZES:-128k 512k}; do
  steps=$(case $n in 128k) echo 3;; 1m|1.5m) echo 1;; *) echo 2;; esac)
  [ "$(left)" -lt 120 ] && { echo "llama3-8b $n: skipped (time)" | tee -a "$S"; continue; }
  cp "$T/llama3-8b-$n.compile.txt" "$W/"
  timeout $(( $(left) - 20 )) "$BIN" "$T/llama3-8b-$n/plan.json" --nproc 8 --steps "$steps" --lr 1e-4 --betas 0.9,0.95 \
    --weight-decay 0.1 --grad-clip 1.0 --timeout 900 --log "$W/llama3-8b-$n.jsonl" > "$W/llama3-8b-$n.log" 2>&1
  echo "llama3-8b $n: rc=$? $(grep -h 'memory per rank\|steps; step time\|needs\|rror' "$W/llama3-8b-$n.log" | cut -c1-300 | tr '\n' ' ')" | tee -a "$S"
done
echo "done in $((SECONDS - t0))s" | tee -a "$S"
cp "$S" "$OUT/summary.txt"
tar -czf "$OUT/train8.tgz" -C "$OUT" train8 && rm -rf "$W"
