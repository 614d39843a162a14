#!/usr/bin/env bash
# Device job (kind nvidia-h200, carry [".device"]) after `bash bench/cuda/prepare_blocks.sh`:
#   OUT=$OUT bash bench/cuda/blocks3_job.sh
# The attention a Ulysses rank runs over a zigzag split (one attention_partial and its cuDNN
# block backward) against the whole attention, and the hand-split attention with the backward's
# default cut (diagonal blocks cut). Everything lands in $OUT/blocks3.tgz and $OUT/summary.txt.
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-blocks3}
T=.device/blocks
job_start blocks3 "${SEQC_JOB_BUDGET:-300}"
time_plan() {  # name plan iters [flags...]
  local name=$1 plan=$2 it=$3; shift 3
  [ "$(left)" -lt 30 ] && { echo "time $name: skipped" | tee -a "$S"; return; }
  timeout 100 "$BIN" "$plan" --iters "$it" --timeout 90 "$@" > "$W/time-$name.log" 2>&1
  echo "time $name: rc=$? $(grep -h 'ms GPU time\|backward blocks\|peak device' "$W/time-$name.log" | cut -c1-180 | tr '\n' ' ')" | tee -a "$S"
}
timeout 100 "$BIN" $T/vjp-zz2-2k/plan.json --check-against-cpu --timeout 90 > "$W/check-vjp-zz2-2k.log" 2>&1
echo "check vjp-zz2-2k: rc=$? $(grep -h 'backward blocks\|PASS\|FAIL\|rror' "$W/check-vjp-zz2-2k.log" | cut -c1-160 | tr '\n' ' ')" | tee -a "$S"
time_plan vjp-sa-32k $T/vjp-sa-32k/plan.json 4
time_plan vjp-attn-32k $T/vjp-attn-32k/plan.json 4
time_plan vjp-zz2-32k $T/vjp-zz2-32k/plan.json 4
time_plan vjp-attn-128k $T/vjp-attn-128k/plan.json 3
time_plan vjp-zz2-128k $T/vjp-zz2-128k/plan.json 3
time_plan vjp-zz4-128k $T/vjp-zz4-128k/plan.json 3
time_plan vjp-zz2-128k-profile $T/vjp-zz2-128k/plan.json 2 --profile
echo "done in $((SECONDS - t0))s" | tee -a "$S"
cp "$S" "$OUT/summary.txt"
tar -czf "$OUT/blocks3.tgz" -C "$OUT" blocks3 && rm -rf "$W"
