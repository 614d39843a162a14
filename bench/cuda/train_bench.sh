#!/usr/bin/env bash
# Device job (kind nvidia-h200, carry [".device"]): timings of the vector-Jacobian steps of the
# Llama-3-8B-shaped attention and layer (bf16, 32K and 128K tokens) and, in the same call, the
# PyTorch peers (torch_peers.py --mode fwdbwd, eager then --compile) and the layer's gradients
# against PyTorch autograd in fp32 (torch_grad_check.py). The correctness checks against the CPU
# backend are train_job.sh's (their CPU references take minutes). Everything lands in
# $OUT/train-bench.tgz and $OUT/summary.txt (the device tool returns few files).
# after `bash bench/cuda/prepare_train.sh` here:  OUT=$OUT bash bench/cuda/train_bench.sh
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-train-bench}
T=.device/train
job_start train-bench 500
time_plan() {  # name plan iters [flags...]
  local name=$1 plan=$2 it=$3; shift 3
  [ "$(left)" -lt 30 ] && { echo "time $name: skipped" | tee -a "$S"; return; }
  timeout 90 "$BIN" "$plan" --iters "$it" --timeout 80 "$@" > "$W/time-$name.log" 2>&1
  echo "time $name: rc=$? $(grep -h 'ms GPU time' "$W/time-$name.log" | head -1 | cut -c1-240)" | tee -a "$S"
}
peers() {  # what mode mask [--compile]
  local w=$1 m=$2 k=$3 c=${4:-} l; l=$(left)
  local name=$w-$m-${k/=/}${c:+-compiled}
  [ "$l" -lt 40 ] && { echo "torch $name: skipped, ${l}s left" | tee -a "$S"; return; }
  timeout $((l - 10)) "$TORCHRUN" --nproc-per-node 1 $T/torch_peers.py --what $w --mode $m --mask $k --seq 32768 131072 \
    --systems single --iters 4 $c --out "$W/peers-$name.json" > "$W/peers-$name.log" 2>&1
  echo "torch $name: rc=$? $(grep -h '^{' "$W/peers-$name.log" | cut -c1-260 | tr '\n' ' ')" | tee -a "$S"
}
for w in attention layer; do for n in 32k 128k; do time_plan vjp-$w-$n $T/vjp-$w-$n/plan.json 4; done; done
time_plan vjp-layer-32k-profile $T/vjp-layer-32k/plan.json 2 --profile
peers attn fwdbwd causal; peers layer fwdbwd causal
timeout 120 "$PY" bench/cuda/torch_grad_check.py --plan $T/vjp-layer-32k/plan.json --out "$W/gradcheck" > "$W/torch-grad-check-32k.log" 2>&1
echo "torch grad check 32K: rc=$? $(tail -n 1 "$W/torch-grad-check-32k.log")" | tee -a "$S"
# Sliding window 4096 (issue 19): only where cuDNN takes the window graph (the 1K check says so);
# the NVRTC fallback at 128K would take minutes.
timeout 60 "$BIN" $T/fwd-attn-w-1k/plan.json --check-against-cpu --timeout 50 > "$W/check-fwd-attn-w-1k.log" 2>&1
echo "check fwd-attn-w-1k: rc=$? $(grep -h 'attention command\|PASS\|FAIL' "$W/check-fwd-attn-w-1k.log" | cut -c1-200 | tr '\n' ' ')" | tee -a "$S"
timeout 60 "$BIN" $T/vjp-attn-w-1k/plan.json --check-against-cpu --timeout 50 > "$W/check-vjp-attn-w-1k.log" 2>&1
echo "check vjp-attn-w-1k: rc=$? $(grep -h 'backward command\|PASS\|FAIL' "$W/check-vjp-attn-w-1k.log" | cut -c1-200 | tr '\n' ' ')" | tee -a "$S"
if grep -q "1 of 1 attention command(s) on cuDNN" "$W/check-fwd-attn-w-1k.log"; then
  for n in 32k 128k; do time_plan fwd-attn-w-$n $T/fwd-attn-w-$n/plan.json 4; time_plan vjp-attn-w-$n $T/vjp-attn-w-$n/plan.json 4; done
  peers attn fwd window=4096; peers attn fwdbwd window=4096
fi
peers attn fwdbwd causal --compile; peers layer fwdbwd causal --compile
echo "done in $((SECONDS - t0))s" | tee -a "$S"
rm -rf "$W/gradcheck"
cp "$S" "$OUT/summary.txt"
tar -czf "$OUT/train-bench.tgz" -C "$OUT" train-bench && rm -rf "$W"
