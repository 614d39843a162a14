#!/usr/bin/env bash
# Device job for the training step on one H200 (kind nvidia-h200, carry [".device"]), after
# `bash bench/cuda/prepare_train.sh` here:  OUT=$OUT bash bench/cuda/train_job.sh
#   1. every training check plan against the CPU backend (--check-against-cpu): the tiny model
#      f32/bf16, the shared Llama and GPT-2 checkpoints (their gradients written to
#      $OUT/grads-*.safetensors, compared with PyTorch's here by bench/cuda/compare_grads.py),
#      and a Llama-3-8B-shaped one-layer model (bf16) at 2K tokens;
#   2. timings of that model's step at 32K and 128K tokens, and the PyTorch layer peers
#      (torch_peers.py --what layer/attn --mode fwdbwd, eager and --compile) in the same call.
# Leaves $OUT/summary.txt and one log per run.
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-train}
T=.device/train
mkdir -p "$OUT"
S=$OUT/summary.txt
{ date -u; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1; } > "$S"
t0=$SECONDS
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
time_plan() {  # name plan iters
  timeout 240 "$BIN" "$2" --iters "$3" --timeout 230 > "$OUT/time-$1.log" 2>&1
  echo "time $1: rc=$? $(grep -h 'ms GPU time' "$OUT/time-$1.log" | head -1 | cut -c1-220)" | tee -a "$S"
  grep -h "peak device bytes\|attention command" "$OUT/time-$1.log" | head -3 | cut -c1-300 >> "$S"
}
time_plan l8b-32768 $T/l8b-32768/plan.json 3
for c in "" "--compile"; do
  timeout 200 python3 $T/torch_peers.py --what layer --mode fwdbwd --seq 32768 131072 --systems single --iters 3 $c \
    --out "$OUT/peers-layer-fwdbwd${c:+-compiled}.json" > "$OUT/peers-layer${c:+-compiled}.log" 2>&1
  echo "torch layer fwdbwd ${c:-eager}: rc=$? $(grep -h '^{' "$OUT/peers-layer${c:+-compiled}.log" | cut -c1-300)" | tee -a "$S"
done
left=$((560 - (SECONDS - t0)))
[ $left -gt 150 ] && time_plan l8b-131072 $T/l8b-131072/plan.json 2
echo "done in $((SECONDS - t0))s" | tee -a "$S"
