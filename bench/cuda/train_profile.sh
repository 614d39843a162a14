#!/usr/bin/env bash
# Device job (kind nvidia-h200, carry [".device"]): where the Llama-3-8B-shaped 4-layer training
# step (32K tokens, bf16) spends its time: the loop with --profile, the loss in larger row chunks
# (SEQC_CE_CHUNK logits per chunk), and cuDNN's other execution plans for the attention backward
# (SEQC_SDPA_BWD_PLAN) on the 32K attention. $OUT/train-profile.tgz and $OUT/summary.txt.
# after `bash bench/cuda/prepare_train.sh` and `bash bench/cuda/prepare_train_loop.sh`:
#   OUT=$OUT bash bench/cuda/train_profile.sh
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-train-profile}
W=$OUT/train-profile
L=.device/loop
mkdir -p "$W"
S=$W/summary.txt
{ date -u; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1; } > "$S"
pack() { cp "$S" "$OUT/summary.txt"; tar -czf "$OUT/train-profile.tgz" -C "$OUT" train-profile; }
BENCH=(--lr 1e-4 --betas 0.9,0.95 --weight-decay 0.1 --grad-clip 1.0)
run() {  # name env-assignment plan [flags...]
  local name=$1 envs=$2 plan=$3 t=$SECONDS; shift 3
  env $envs timeout 200 "$BIN" "$plan" --timeout 150 "$@" > "$W/$name.log" 2>&1
  echo "$name ($envs): rc=$? in $((SECONDS - t)) s: $(grep -h 'steps; step time\|ms GPU time' "$W/$name.log" | head -1 | cut -c1-230)" | tee -a "$S"
  pack
}
run 8b4l-profile "X=0" $L/llama3-8b-4l-32k/plan.json --steps 4 --profile --log "$W/8b4l-profile.jsonl" "${BENCH[@]}"
for c in 268435456 536870912; do
  run 8b4l-ce$c "SEQC_CE_CHUNK=$c" $L/llama3-8b-4l-32k/plan.json --steps 4 --log "$W/8b4l-ce$c.jsonl" "${BENCH[@]}"
done
for k in 0 1 2 3 4 5; do
  run attn-bwd-plan$k "SEQC_SDPA_BWD_PLAN=$k" .device/train/vjp-attention-32k/plan.json --iters 4
done
run 1b-ce536870912 "SEQC_CE_CHUNK=536870912" $L/llama3-1b-32k/plan.json --steps 4 --profile --log "$W/1b-ce.jsonl" "${BENCH[@]}"
echo "done in ${SECONDS}s" | tee -a "$S"
pack
