#!/usr/bin/env bash
# Here (development machine, repository root; no GPU): training steps of the model families the
# frontends took on in session 10 (tests/models fixtures), for models_check.sh on the GPU, under
# .device/models/ (carry [".device"]).
#   bash bench/cuda/prepare_models.sh
# For each of gemma3, qwen3, olmo2, phi3-fused, llama3 (rope scaling llama3) and yarn: the
# checkpoint in the program's layout (`seqc import --weights`), and the training step at 64 tokens
# in f32 (NVRTC kernels throughout) and bf16 (cuDNN attention). These run kernels no GPU has run
# yet: k_rope's frequency table, per-head (grouped) norms, the norm's weight offset, the
# embedding's scale. llama3-bf16 is also checked with packed documents (segment ids).
set -eu
SEQC=${SEQC:-./target/debug/seqc}
D=.device/models
M=tests/models
cargo build -q -p seqc --bin seqc
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/cuda-target} cargo build -q --release -p seq-runtime --bin seqc-run
rm -rf "$D"; mkdir -p "$D"
cp "${CARGO_TARGET_DIR:-/tmp/cuda-target}/release/seqc-run" .device/seqc-run
model() {  # name config.json checkpoint
  "$SEQC" import "$2" --seq-len 64 --weights "$3" -o "$D/$1" > /dev/null
  "$SEQC" compile "$2" --seq-len 64 --devices 1 --train --dtype f32 -o "$D/$1/f32" > /dev/null
  "$SEQC" compile "$2" --seq-len 64 --devices 1 --train --dtype bf16 -o "$D/$1/bf16" > /dev/null
  rm -f "$D/$1/model.mlir"
}
for m in gemma3 qwen3 olmo2 phi3-fused; do model $m $M/$m/config.json $M/$m/model.safetensors; done
for r in llama3 yarn; do model $r $M/llama-rope-scaling/config-$r.json $M/llama-rope-scaling/weights.safetensors; done
python3 -c 'import numpy as np; np.save(".device/models/seg3.npy", np.repeat(np.arange(3), [20, 1, 43]).astype(np.int32))'
du -sh "$D"
