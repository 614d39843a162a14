#!/usr/bin/env bash
# Here (development machine, repository root; no GPU): the plans train8_job.sh runs on 8 GPUs
# (issue 22's whole-model training), under .device/train8/ (carry [".device"]).
#   bash bench/cuda/prepare_train8.sh
# - llama3-8b-{128k,512k,768k,1m}: the Llama-3-8B shape (all 32 layers, bf16, vocabulary 128256)
#   as a training step over 8 devices, at 128K tokens with every activation kept, at 512K, 768K
#   and 1M under --memory-budget 110 (GiB of weights and activations per device; the AdamW state under
#   ZeRO, 11.2 GiB, and the workspaces come on top of it on a 141 GiB H200). Each compile report
#   (strategies, recompute plan, predicted step and memory) is kept beside its plan.
set -eu
source "$(dirname "$0")/prepare_env.sh"
prepare_start .device/train8
python3 - "$SHARED/models/llama-sdpa/config.json" "$D/llama3-8b.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c.update(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
         head_dim=128, vocab_size=128256, tie_word_embeddings=False, max_position_embeddings=1048576, rms_norm_eps=1e-5,
         torch_dtype="bfloat16", rope_parameters={"rope_theta": 500000.0, "rope_type": "default"})
json.dump(c, open(sys.argv[2], "w"), indent=1)
PY
compile() {  # name tokens [options]
  "$SEQC" compile "$D/llama3-8b.json" --seq-len "$2" --devices 8 --train "${@:3}" -o "$D/$1" > "$D/$1.compile.txt"
  rm -f "$D/$1/lowered.mlir" "$D/$1/trace.json"  # only the plan travels
}
compile llama3-8b-128k 131072
compile llama3-8b-512k 524288 --memory-budget 110
compile llama3-8b-768k 786432 --memory-budget 110
compile llama3-8b-1m 1048576 --memory-budget 110
# Past what recomputation alone fits: 1.5M with activations offloaded to pinned host memory
# (52.5 GiB a device of the 8-GPU host's 560 GiB). One step, 558 s predicted: SIZES=1.5m.
compile llama3-8b-1.5m 1572864 --memory-budget 110 --offload
grep -h "^predicted step\|^memory per device\|^recompute:\|^offload:" "$D"/*.compile.txt
du -sh "$D"
