#!/usr/bin/env bash
# Device job (kind nvidia-h200, carry [".device"]) after `bash bench/cuda/prepare_blocks.sh`:
#   OUT=$OUT bash bench/cuda/blocks5_job.sh
# Sliding windows on split attention's cuDNN blocks (forward and block backward): checks at 2K
# (window 256) and times at 32K (window 4096) beside the whole windowed attention.
# Lands in $OUT/blocks5.tgz and $OUT/summary.txt.
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-blocks5}
T=.device/blocks
job_start blocks5 "${SEQC_JOB_BUDGET:-200}"
check() {  # name plan
  timeout 60 "$BIN" "$2" --check-against-cpu --timeout 50 > "$W/check-$1.log" 2>&1
  echo "check $1: rc=$? $(grep -h 'attention_partial command\|backward blocks\|refused\|FAIL\|rror' "$W/check-$1.log" | cut -c1-300 | tr '\n' ' ') PASS x$(grep -c PASS "$W/check-$1.log")" | tee -a "$S"
}
time_plan() {  # name plan iters
  [ "$(left)" -lt 25 ] && { echo "time $1: skipped" | tee -a "$S"; return; }
  timeout 60 "$BIN" "$2" --iters "$3" --timeout 50 > "$W/time-$1.log" 2>&1
  echo "time $1: rc=$? $(grep -h 'ms GPU time\|backward blocks' "$W/time-$1.log" | cut -c1-200 | tr '\n' ' ')" | tee -a "$S"
}
for f in zz2w saw; do check fwd-$f-2k $T/fwd-$f-2k/plan.json; check vjp-$f-2k $T/vjp-$f-2k/plan.json; done
for f in attn-w zz2w saw; do time_plan fwd-$f-32k $T/fwd-$f-32k/plan.json 4; time_plan vjp-$f-32k $T/vjp-$f-32k/plan.json 4; done
echo "done in $((SECONDS - t0))s" | tee -a "$S"
cp "$S" "$OUT/summary.txt"
tar -czf "$OUT/blocks5.tgz" -C "$OUT" blocks5 && rm -rf "$W"
