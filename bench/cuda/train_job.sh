#!/usr/bin/env bash
# Device job for the training step on one H200 (kind nvidia-h200, carry [".device"]), after
# `bash bench/cuda/prepare_train.sh` here:  OUT=$OUT bash bench/cuda/train_job.sh
#   1. every training check plan against the CPU backend (--check-against-cpu): the tiny model
#      f32/bf16, the shared Llama and GPT-2 checkpoints (their gradients written to
#      $OUT/grads-*.safetensors, compared with PyTorch's here by bench/cuda/compare_grads.py),
#      and a Llama-3-8B-shaped one-layer model (bf16) at 2K tokens;
#   2. timings of the vector-Jacobian steps of Llama-3-8B-shaped attention and layer at 32K and
#      128K tokens (bf16), and the PyTorch peers (torch_peers.py --what attn/layer --mode fwdbwd,
#      eager and --compile) in the same call.
# Leaves $OUT/summary.txt and one log per run.
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-train}
T=.device/train
mkdir -p "$OUT"
S=$OUT/summary.txt
{ date -u; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1; } > "$S"
t0=$SECONDS
TORCHRUN=${TORCHRUN:-$(command -v torchrun || echo /opt/torch/.venv/bin/torchrun)}
PY=$(dirname "$TORCHRUN")/python3; [ -x "$PY" ] || PY=python3
check() {  # name plan [flags...]; SEQC_ATTENTION in the environment passes through
  local name=$1 plan=$2; shift 2
  timeout 200 "$BIN" "$plan" --check-against-cpu --timeout 180 "$@" > "$OUT/check-$name.log" 2>&1
  local rc=$?
  echo "check $name: rc=$rc ($((SECONDS - t0))s) $(grep -c 'PASS\|within' "$OUT/check-$name.log") lines ok; worst: $(grep -ho 'max rel err [0-9.e+-]*' "$OUT/check-$name.log" | sort -t' ' -k4 -g | tail -1)" | tee -a "$S"
  [ $rc -ne 0 ] && tail -n 4 "$OUT/check-$name.log" | tee -a "$S"
}
check tiny-f32 $T/tiny-f32/plan.json
check tiny-bf16 $T/tiny-bf16/plan.json
for m in llama-sdpa llama-eager gpt2-sdpa; do
  check "$m" $T/$m/plan.json --weights $T/$m/weights.safetensors --input $T/input_ids.npy --output "$OUT/grads-$m.safetensors"
done
check l8b-2048 $T/l8b-2048/plan.json
SEQC_ATTENTION=kernel check l8b-2048-nvrtc $T/l8b-2048/plan.json
check vjp-attention-4k $T/vjp-attention-4k/plan.json
check vjp-layer-2k $T/vjp-layer-2k/plan.json
check fwd-attn-w-4k $T/fwd-attn-w-4k/plan.json
check vjp-attn-w-4k $T/vjp-attn-w-4k/plan.json
time_plan() {  # name plan iters [flags...]
  local name=$1 plan=$2 it=$3; shift 3
  timeout 100 "$BIN" "$plan" --iters "$it" --timeout 90 "$@" > "$OUT/time-$name.log" 2>&1
  echo "time $name: rc=$? $(grep -h 'ms GPU time' "$OUT/time-$name.log" | head -1 | cut -c1-220)" | tee -a "$S"
  grep -h "peak device bytes\|attention command" "$OUT/time-$name.log" | head -3 | cut -c1-300 >> "$S"
}
for w in attention layer; do for n in 32k 128k; do time_plan vjp-$w-$n $T/vjp-$w-$n/plan.json 4; done; done
for n in 32k 128k; do time_plan fwd-attn-w-$n $T/fwd-attn-w-$n/plan.json 4; time_plan vjp-attn-w-$n $T/vjp-attn-w-$n/plan.json 4; done
time_plan vjp-layer-32k-profile $T/vjp-layer-32k/plan.json 2 --profile
peers() {  # what mode mask [--compile]
  local w=$1 m=$2 k=$3 c=${4:-} left=$((570 - (SECONDS - t0)))
  local name=$w-$m-${k/=/}${c:+-compiled}
  [ $left -lt 40 ] && { echo "torch $name: skipped, ${left}s left" | tee -a "$S"; return; }
  timeout $((left - 10)) "$TORCHRUN" --nproc-per-node 1 $T/torch_peers.py --what $w --mode $m --mask $k --seq 32768 131072 \
    --systems single --iters 4 $c --out "$OUT/peers-$name.json" > "$OUT/peers-$name.log" 2>&1
  echo "torch $name: rc=$? $(grep -h '^{' "$OUT/peers-$name.log" | cut -c1-300)" | tee -a "$S"
}
peers attn fwdbwd causal; peers layer fwdbwd causal
timeout 150 "$PY" bench/cuda/torch_grad_check.py --plan $T/vjp-layer-32k/plan.json --out "$OUT/gradcheck" > "$OUT/torch-grad-check-32k.log" 2>&1
echo "torch grad check 32K: rc=$? $(tail -n 1 "$OUT/torch-grad-check-32k.log")" | tee -a "$S"
peers attn fwd window=4096; peers attn fwdbwd window=4096
peers attn fwdbwd causal --compile; peers layer fwdbwd causal --compile
echo "done in $((SECONDS - t0))s" | tee -a "$S"
