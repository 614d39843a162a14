#!/usr/bin/env bash
# Device job (kind nvidia-h200, carry [".device"]) after `bash bench/cuda/prepare_blocks.sh`:
#   OUT=$OUT bash bench/cuda/blocks_job.sh
# Checks against the CPU backend (split attention's block backward on cuDNN, the chunked whole
# backward, Gemma 2's capped kernels, a packed training step), then timings of the backward as
# one call and in query chunks (SEQC_SDPA_BWD_CHUNK), and torch_peers.py --mode fwdbwd in the
# same call. Everything lands in $OUT/blocks.tgz and $OUT/summary.txt.
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-blocks}
T=.device/blocks
job_start blocks "${SEQC_JOB_BUDGET:-540}"
check() {  # name plan [flags...] (env before the call applies)
  local name=$1 plan=$2; shift 2
  [ "$(left)" -lt 40 ] && { echo "check $name: skipped" | tee -a "$S"; return; }
  timeout 120 "$BIN" "$plan" --check-against-cpu --timeout 110 "$@" > "$W/check-$name.log" 2>&1
  echo "check $name: rc=$? $(grep -h 'on cuDNN\|backward blocks\|packed documents\|PASS\|FAIL\|rror' "$W/check-$name.log" | cut -c1-220 | tr '\n' ' ')" | tee -a "$S"
}
time_plan() {  # name plan iters [flags...]
  local name=$1 plan=$2 it=$3; shift 3
  [ "$(left)" -lt 30 ] && { echo "time $name: skipped" | tee -a "$S"; return; }
  timeout 100 "$BIN" "$plan" --iters "$it" --timeout 90 "$@" > "$W/time-$name.log" 2>&1
  echo "time $name: rc=$? $(grep -h 'ms GPU time\|backward blocks\|peak device' "$W/time-$name.log" | cut -c1-200 | tr '\n' ' ')" | tee -a "$S"
}
check vjp-sa-small-1k $T/vjp-sa-small-1k/plan.json
check fwd-sa-2k $T/fwd-sa-2k/plan.json
check vjp-sa-2k $T/vjp-sa-2k/plan.json
SEQC_SDPA_BWD_CHUNK=1024 check vjp-attn-4k-chunked $T/vjp-attn-4k/plan.json
check vjp-attn-4k $T/vjp-attn-4k/plan.json
check gemma2 $T/gemma2/plan.json --weights $T/gemma2/weights.safetensors
check l8b-packed-2k $T/l8b-packed-2k/plan.json --segments $T/seg-2k.npy
time_plan vjp-sa-32k $T/vjp-sa-32k/plan.json 4
time_plan vjp-sa-32k-profile $T/vjp-sa-32k/plan.json 2 --profile
time_plan vjp-attn-32k $T/vjp-attn-32k/plan.json 4
SEQC_SDPA_BWD_CHUNK=16384 time_plan vjp-attn-32k-c16k $T/vjp-attn-32k/plan.json 4
time_plan vjp-attn-128k $T/vjp-attn-128k/plan.json 4
SEQC_SDPA_BWD_CHUNK=32768 time_plan vjp-attn-128k-c32k $T/vjp-attn-128k/plan.json 4
SEQC_SDPA_BWD_CHUNK=16384 time_plan vjp-attn-128k-c16k $T/vjp-attn-128k/plan.json 4
SEQC_SDPA_BWD_CHUNK=32768 time_plan vjp-attn-128k-c32k-profile $T/vjp-attn-128k/plan.json 2 --profile
l=$(left)
if [ "$l" -gt 120 ]; then
  timeout $((l - 90)) "$TORCHRUN" --nproc-per-node 1 $T/torch_peers.py --what attn --mode fwdbwd --mask causal --seq 32768 131072 \
    --systems single --iters 4 --out "$W/peers-attn-fwdbwd.json" > "$W/peers-attn-fwdbwd.log" 2>&1
  echo "torch attn fwdbwd: rc=$? $(grep -h '^{' "$W/peers-attn-fwdbwd.log" | cut -c1-260 | tr '\n' ' ')" | tee -a "$S"
fi
time_plan vjp-layer-128k $T/vjp-layer-128k/plan.json 3
SEQC_SDPA_BWD_CHUNK=32768 time_plan vjp-layer-128k-c32k $T/vjp-layer-128k/plan.json 3
echo "done in $((SECONDS - t0))s" | tee -a "$S"
cp "$S" "$OUT/summary.txt"
tar -czf "$OUT/blocks.tgz" -C "$OUT" blocks && rm -rf "$W"
