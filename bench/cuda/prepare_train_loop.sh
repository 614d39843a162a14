#!/usr/bin/env bash
# Here (development machine, repository root; no GPU): the plans train_loop.sh runs on the GPU,
# under .device/loop/ (carry [".device"]).
#   bash bench/cuda/prepare_train_loop.sh
# - llama-eager, llama-sdpa, gpt2-sdpa: the shared models' training steps at 64 tokens (f32), with
#   their checkpoints in the program's layout, train_tokens.npy and PyTorch's train_ref.json
# - llama-sdpa-bf16: the same Llama step in bf16 (mixed precision: f32 master weights)
# - llama-sdpa-bf16-packed and docs.bin: that step built for packed documents (--packed), and
#   uint16 tokens of documents of 3-39 tokens each ended by token 0, for docs_train.sh
# - llama3-8b-4l, llama3-1b: torch_train_peer.py's presets as config.json (bf16), at 32768 tokens;
#   llama3-8b-4l also at 131072 and 262144 (recomputing under --memory-budget 80)
set -eu
source "$(dirname "$0")/prepare_env.sh"
prepare_start .device/loop
cp "$SHARED/anchors/torch_train_peer.py" "$SHARED/models/train_tokens.npy" "$D/"
for m in llama-eager llama-sdpa gpt2-sdpa; do
  "$SEQC" import "$SHARED/models/$m/config.json" --seq-len 64 --weights "$SHARED/models/$m/weights.safetensors" -o "$D/$m" > /dev/null
  "$SEQC" compile "$D/$m/model.mlir" --devices 1 --train -o "$D/$m/step" > /dev/null
  cp "$SHARED/models/$m/train_ref.json" "$D/$m/"
done
# The same Llama step over 2 GPUs (Ulysses): ZeRO (the default: each rank owns rows of every
# gradient and of the optimizer state) and whole gradients all-reduced, f32 and bf16.
for g in reduce-scatter all-reduce; do
  "$SEQC" compile "$D/llama-sdpa/model.mlir" --devices 2 --strategy ulysses --train --grad-reduce $g -o "$D/llama-sdpa-2-$g/step" > /dev/null
  "$SEQC" compile "$SHARED/models/llama-sdpa/config.json" --seq-len 64 --dtype bf16 --devices 2 --strategy ulysses --train --grad-reduce $g -o "$D/llama-sdpa-bf16-2-$g/step" > /dev/null
done
# The f32 Llama step with offloaded activations (PARTS=offload): a profile whose arithmetic is
# slow next to the host link (so the copies hide) and a budget of 90% of its arena.
python3 - "$D/slow.json" <<'PY'
import json, sys
link = {"alpha_us": 1.0, "bus_gbs": 300.0}
links = {"all_to_all": link, "all_gather": link, "send_recv": link}
json.dump({"name": "slow", "description": "slow arithmetic next to the host link (forces offloads)", "gemm_tflops": 1e-4,
           "attention_tflops": 1e-4, "memory_gbs": 4100.0, "memory_gib": 141.0, "kernel_launch_us": 0.0, "gpus_per_node": 8,
           "intra_node": links, "inter_node": links}, open(sys.argv[1], "w"))
PY
m=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["memory"]; print((m["param_bytes"] + 0.9 * m["arena_bytes"]) / 2**30)' "$D/llama-sdpa/step/plan.json")
"$SEQC" compile "$D/llama-sdpa/model.mlir" --devices 1 --train --profile "$D/slow.json" --memory-budget "$m" --offload -o "$D/llama-sdpa-offload/step" > "$D/llama-sdpa-offload.compile.txt"
grep '^offload:' "$D/llama-sdpa-offload.compile.txt"
mkdir -p "$D/llama-sdpa-bf16"
"$SEQC" compile "$SHARED/models/llama-sdpa/config.json" --seq-len 64 --dtype bf16 --devices 1 --train -o "$D/llama-sdpa-bf16/step" > /dev/null
"$SEQC" compile "$SHARED/models/llama-sdpa/config.json" --seq-len 64 --dtype bf16 --devices 1 --train --packed -o "$D/llama-sdpa-bf16-packed/step" > /dev/null
python3 - "$D/docs.bin" <<'PY'
import sys, numpy as np
rng, toks = np.random.default_rng(0), []
while len(toks) < 64 * 64:
    toks += list(rng.integers(1, 256, int(rng.integers(3, 40)))) + [0]
np.array(toks[:64 * 64], dtype=np.uint16).tofile(sys.argv[1])
PY
python3 - "$SHARED/models/llama-sdpa/config.json" "$D" <<'PY'
import json, sys
base = json.load(open(sys.argv[1]))
presets = {  # torch_train_peer.py's PRESETS
    "llama3-1b": dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32,
                      num_key_value_heads=8, head_dim=64, vocab_size=128256, tie_word_embeddings=True),
    "llama3-8b-4l": dict(hidden_size=4096, intermediate_size=14336, num_hidden_layers=4, num_attention_heads=32,
                         num_key_value_heads=8, head_dim=128, vocab_size=128256, tie_word_embeddings=False),
}
for name, p in presets.items():
    c = dict(base, **p, max_position_embeddings=131072, rms_norm_eps=1e-5, torch_dtype="bfloat16",
             rope_parameters={"rope_theta": 500000.0, "rope_type": "default"})
    json.dump(c, open(f"{sys.argv[2]}/{name}.json", "w"), indent=1)
PY
for m in llama3-8b-4l llama3-1b; do
  "$SEQC" compile "$D/$m.json" --seq-len 32768 --devices 1 --train -o "$D/$m-32k" > "$D/$m-32k.compile.txt"
done
# Longer sequences of the 8B shape: 128K keeps every activation; 256K recomputes under an 80 GiB
# budget for weights and activations (the optimizer's 21.5 GiB and the workspaces come on top).
"$SEQC" compile "$D/llama3-8b-4l.json" --seq-len 131072 --devices 1 --train -o "$D/llama3-8b-4l-128k" > "$D/llama3-8b-4l-128k.compile.txt"
"$SEQC" compile "$D/llama3-8b-4l.json" --seq-len 262144 --devices 1 --train --memory-budget 80 -o "$D/llama3-8b-4l-256k" > "$D/llama3-8b-4l-256k.compile.txt"
# The same with --offload (the one-GPU machine has 128 GiB of host memory: 80 of it pinned at most).
"$SEQC" compile "$D/llama3-8b-4l.json" --seq-len 262144 --devices 1 --train --memory-budget 80 --offload --host-memory 80 -o "$D/llama3-8b-4l-256k-offload" > "$D/llama3-8b-4l-256k-offload.compile.txt"
# The 1B shape at 256K under a 95 GiB budget (its optimizer's 14.9 GiB and the workspaces on top).
"$SEQC" compile "$D/llama3-1b.json" --seq-len 262144 --devices 1 --train --memory-budget 95 -o "$D/llama3-1b-256k" > "$D/llama3-1b-256k.compile.txt"
# ... and without a budget, which seqc-run refuses (with what would fit) before allocating.
"$SEQC" compile "$D/llama3-8b-4l.json" --seq-len 262144 --devices 1 --train -o "$D/llama3-8b-4l-256k-all" > "$D/llama3-8b-4l-256k-all.compile.txt"
du -sh "$D"
