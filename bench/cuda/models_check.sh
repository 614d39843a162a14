#!/usr/bin/env bash
# Device job (kind nvidia-h200, carry [".device"]), after `bash bench/cuda/prepare_models.sh`:
#   OUT=$OUT bash bench/cuda/models_check.sh
# Each model's training step (loss and every gradient) on the GPU against the CPU backend
# (--check-against-cpu: f32 1e-4; bf16 max 1e-2, mean 2e-3 per tensor), and llama3 bf16 with
# three packed documents (cuDNN's ragged attention inside a training step).
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-models}
D=.device/models
job_start models "${SEQC_JOB_BUDGET:-300}"
check() {  # name plan weights [flags...]
  local name=$1 plan=$2 w=$3; shift 3
  timeout 120 "$BIN" "$plan" --weights "$w" --check-against-cpu --timeout 100 "$@" > "$W/$name.log" 2>&1
  local rc=$? pass fail
  pass=$(grep -c ": PASS" "$W/$name.log"); fail=$(grep -c ": FAIL" "$W/$name.log")
  echo "$name: rc=$rc $pass PASS $fail FAIL; worst $(grep -h 'check vs CPU' "$W/$name.log" | sed -E 's/.*max rel err ([^,]*),.*/\1/' | sort -g | tail -1) $(grep -h 'packed documents:\|refused' "$W/$name.log" | cut -c1-200 | tr '\n' ' ')" | tee -a "$S"
}
for m in gemma3 qwen3 olmo2 phi3-fused llama3 yarn; do
  for t in f32 bf16; do check "$m-$t" $D/$m/$t/plan.json $D/$m/weights.safetensors; done
done
check llama3-bf16-docs $D/llama3/bf16/plan.json $D/llama3/weights.safetensors --segments $D/seg3.npy
echo "done in $((SECONDS - t0))s" | tee -a "$S"
cp "$S" "$OUT/summary.txt"
tar -czf "$OUT/models.tgz" -C "$OUT" models && rm -rf "$W"
