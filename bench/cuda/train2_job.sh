#!/usr/bin/env bash
# Device job (kind nvidia-h200-x2 or larger, carry [".device"]) after
# `bash bench/cuda/prepare_train2.sh` here:  OUT=$OUT bash bench/cuda/train2_job.sh
# Issue 22's training runs on 2 GPUs: the tiny training checks against the CPU backend, the
# Llama-3-8B-shaped attention and layer forward+backward at 32K and 128K (one GPU, then 2 under
# auto, Ulysses and ring; peak memory in the logs), the windowed attention, and in the same call
# torch_peers.py --mode fwdbwd (single, Ulysses, ring; eager, then the layer --compile'd).
# Lands in $OUT/train2.tgz and $OUT/summary.txt.
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-train2}
T=.device/train2
job_start train2 "${SEQC_JOB_BUDGET:-560}"
pack() { cp "$S" "$OUT/summary.txt"; tar -czf "$OUT/train2.tgz" -C "$OUT" train2; }
check() {  # name
  timeout 90 "$BIN" $T/$1/plan.json --check-against-cpu --timeout 80 > "$W/$1.log" 2>&1
  echo "$1: rc=$? PASS x$(grep -c PASS "$W/$1.log") FAIL x$(grep -c FAIL "$W/$1.log")" | tee -a "$S"
}
time_plan() {  # name iters
  [ "$(left)" -lt 40 ] && { echo "time $1: skipped" | tee -a "$S"; return; }
  timeout 120 "$BIN" $T/$1/plan.json --iters "$2" --timeout 100 > "$W/time-$1.log" 2>&1
  echo "time $1: rc=$? $(grep -h 'ms GPU time\|peak' "$W/time-$1.log" | cut -c1-220 | tr '\n' ' ')" | tee -a "$S"
  pack
}
peers() {  # what [--compile]
  local l; l=$(left)
  [ "$l" -lt 60 ] && { echo "torch $1 $2: skipped, ${l}s left" | tee -a "$S"; return; }
  timeout $((l - 10)) "$TORCHRUN" --nproc-per-node 2 $T/torch_peers.py --what "$1" --mode fwdbwd --seq 32768 131072 \
    --iters 4 ${2:-} --out "$W/peers-$1${2:+-compiled}.json" > "$W/peers-$1${2:+-compiled}.log" 2>&1
  echo "torch $1 ${2:-eager}: rc=$? $(grep -h '^{' "$W/peers-$1${2:+-compiled}.log" | cut -c1-200 | tr '\n' ' ')" | tee -a "$S"
  pack
}
for s in ulysses ring allgather-kv halo; do check check-tiny-$s; check check-tiny-bf16-$s; done
pack
for w in attention layer; do for n in 32k 128k; do for s in 1 auto ulysses ring; do time_plan vjp-$w-$n-$s 4; done; done; done
for n in 32k 128k; do for s in auto ulysses halo; do time_plan vjp-attn-w-$n-$s 4; done; done
peers attn; peers layer; peers layer --compile
echo "done in $((SECONDS - t0))s" | tee -a "$S"
pack
