#!/usr/bin/env bash
# Device job (kind nvidia-h200, carry [".device"]), after `bash bench/cuda/prepare_train_loop.sh`
# (which builds the packed step and .device/loop/docs.bin: uint16 tokens, documents of 3-39
# tokens ended by token 0):
#   OUT=$OUT bash bench/cuda/docs_train.sh
# 1. The shared tiny Llama's bf16 step built for packed documents, trained 20 steps on them
#    (--eos 0: segment ids and restarted positions per row), once through cuDNN's ragged
#    attention and once through the NVRTC kernel (SEQC_ATTENTION=kernel): the loss curves.
# 2. Ctrl-C: the same loop sent SIGINT after 6 s must stop after a step with exit code 130 and
#    a checkpoint, which then resumes.
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-docs-train}
L=.device/loop
job_start docs-train 300
loop() {  # name [env...] -- flags
  local name=$1; shift
  timeout 120 env "$@" > "$W/$name.log" 2>&1
  echo "$name: rc=$? $(grep -h 'packed documents:\|interrupted\|error' "$W/$name.log" | cut -c1-300 | tr '\n' ' ')" | tee -a "$S"
}
STEP=$L/llama-sdpa-bf16-packed/step/plan.json
DATA=(--data $L/docs.bin --token-bytes 2 --eos 0 --weights $L/llama-sdpa/weights.safetensors --lr 1e-3)
loop cudnn "$BIN" $STEP --steps 20 "${DATA[@]}" --log "$W/cudnn.jsonl"
loop kernel SEQC_ATTENTION=kernel "$BIN" $STEP --steps 20 "${DATA[@]}" --log "$W/kernel.jsonl"
"$PY" - "$W/cudnn.jsonl" "$W/kernel.jsonl" <<'PY' | tee -a "$S"
import json, sys
a = [json.loads(l)["loss"] for l in open(sys.argv[1])]
b = [json.loads(l)["loss"] for l in open(sys.argv[2])]
worst = max(abs(x - y) / abs(y) for x, y in zip(a, b))
print(f"loss curves, cuDNN ragged vs NVRTC kernel over {len(a)} steps: worst relative difference {worst:.2e}; first {a[0]:.5f} vs {b[0]:.5f}, last {a[-1]:.5f} vs {b[-1]:.5f}")
PY
timeout --preserve-status -s INT 6 "$BIN" $STEP --steps 100000 "${DATA[@]}" --save "$W/ck" > "$W/ctrl-c.log" 2>&1
echo "ctrl-c: rc=$? (want 130) $(grep -h 'interrupted' "$W/ctrl-c.log" | cut -c1-200) saved: $(cat "$W/ck/state.json" 2>/dev/null | cut -c1-120)" | tee -a "$S"
loop resume "$BIN" $STEP --steps "$(($(python3 -c "import json;print(json.load(open('$W/ck/state.json'))['step'])" 2>/dev/null || echo 0) + 2))" "${DATA[@]}" --resume "$W/ck" --log "$W/resume.jsonl"
echo "resume: $(wc -l < "$W/resume.jsonl") steps logged after the checkpoint" | tee -a "$S"
rm -rf "$W/ck"
echo "done in $((SECONDS - t0))s" | tee -a "$S"
cp "$S" "$OUT/summary.txt"
tar -czf "$OUT/docs-train.tgz" -C "$OUT" docs-train && rm -rf "$W"
