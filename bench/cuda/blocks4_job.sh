#!/usr/bin/env bash
# Device job (kind nvidia-h200, carry [".device"]) after `bash bench/cuda/prepare_blocks.sh`:
#   OUT=$OUT bash bench/cuda/blocks4_job.sh
# The whole attention backward in one cuDNN call per KV head (the default) against one call over
# every head (SEQC_SDPA_BWD_SPLIT=1): checks, then the attention and layer steps' time and peak
# memory at 32K and 128K; the NVRTC backward's temporaries allocated only when it runs (f32
# Gemma 2, and bf16 with SEQC_ATTENTION=kernel). Lands in $OUT/blocks4.tgz and $OUT/summary.txt.
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-blocks4}
T=.device/blocks
job_start blocks4 "${SEQC_JOB_BUDGET:-420}"
check() {  # name plan [flags...]
  local name=$1 plan=$2; shift 2
  timeout 120 "$BIN" "$plan" --check-against-cpu --timeout 110 "$@" > "$W/check-$name.log" 2>&1
  echo "check $name: rc=$? $(grep -h 'backward command\|backward blocks\|packed documents\|FAIL\|rror\|peak device' "$W/check-$name.log" | cut -c1-200 | tr '\n' ' ') PASS x$(grep -c PASS "$W/check-$name.log")" | tee -a "$S"
}
time_plan() {  # name plan iters [flags...]
  local name=$1 plan=$2 it=$3; shift 3
  [ "$(left)" -lt 30 ] && { echo "time $name: skipped" | tee -a "$S"; return; }
  timeout 100 "$BIN" "$plan" --iters "$it" --timeout 90 "$@" > "$W/time-$name.log" 2>&1
  echo "time $name: rc=$? $(grep -h 'ms GPU time\|peak device' "$W/time-$name.log" | cut -c1-420 | tr '\n' ' ')" | tee -a "$S"
}
check vjp-attn-4k $T/vjp-attn-4k/plan.json
check gemma2 $T/gemma2/plan.json --weights $T/gemma2/weights.safetensors
SEQC_ATTENTION=kernel check vjp-sa-small-1k-kernel $T/vjp-sa-small-1k/plan.json
check l8b-packed-2k $T/l8b-packed-2k/plan.json --segments $T/seg-2k.npy
for n in 32k 128k; do
  time_plan vjp-attn-$n $T/vjp-attn-$n/plan.json 4
  SEQC_SDPA_BWD_SPLIT=1 time_plan vjp-attn-$n-split1 $T/vjp-attn-$n/plan.json 4
  time_plan vjp-layer-$n $T/vjp-layer-$n/plan.json 3
  SEQC_SDPA_BWD_SPLIT=1 time_plan vjp-layer-$n-split1 $T/vjp-layer-$n/plan.json 3
done
SEQC_SDPA_BWD_SPLIT=2 time_plan vjp-attn-128k-split2 $T/vjp-attn-128k/plan.json 4
echo "done in $((SECONDS - t0))s" | tee -a "$S"
cp "$S" "$OUT/summary.txt"
tar -czf "$OUT/blocks4.tgz" -C "$OUT" blocks4 && rm -rf "$W"
