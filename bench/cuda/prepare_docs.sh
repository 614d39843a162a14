#!/usr/bin/env bash
# Here (development machine, repository root; no GPU): the plans docs_bench.sh runs on the GPU for
# packed documents and windows (issue 19), under .device/docs/ (carry [".device"]).
#   bash bench/cuda/prepare_docs.sh
# - attn-N: Llama-3-8B-shaped causal attention (32/8 heads, head dim 128, bf16) over N tokens
#   with segment ids (packed documents); fwd-attn-N and vjp-attn-N (its vector-Jacobian step)
#   at 1K (checked against the CPU backend), 32K and 128K (timed); fwd/vjp-causal-N: the plain
#   causal attention of examples/bench at 32K and 128K, timed beside them, and at 1K (checked:
#   the whole-sequence graphs are built by the same code)
# - fwd/vjp-attn-w-1k: the same with a window of 100 (narrower than most documents)
# - seg-*.npy: segment ids. For the checks at 1024 tokens: three documents with a one-token one
#   (seg-three), five (seg-five: the table pads them to 8 with empty ones), 64 documents of 16 tokens (seg-short, shorter than cuDNN's tiles), one document
#   (seg-one), ids that come back (seg-back: the kernel must run it); for the timings: the 8
#   long-tailed documents of torch_peers.py --mask docs=8 at 32K and 128K (seg-docs8-N)
# - mistral-8k, mistral-nowin-8k: a Mistral-7B-shaped two-layer forward at 8192 tokens, with its
#   sliding window of 4096 and without
set -eu
source "$(dirname "$0")/prepare_env.sh"
prepare_start .device/docs
cp "$SHARED/anchors/torch_peers.py" "$D/"
attn() {  # tokens [window] -> mlir on stdout
  local n=$1 w=${2:+, window = $2 : i64}
  cat <<MLIR
// Llama-3-8B-shaped causal attention over $n tokens of packed documents (segment ids).
module {
  func.func @forward(%q: tensor<${n}x4096xbf16>, %k: tensor<${n}x1024xbf16>, %v: tensor<${n}x1024xbf16>, %pos: tensor<${n}xi32>, %seg: tensor<${n}xi32>) -> (tensor<${n}x4096xbf16>) {
    %0 = "seq.attention"(%q, %k, %v, %seg) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64$w} : (tensor<${n}x4096xbf16>, tensor<${n}x1024xbf16>, tensor<${n}x1024xbf16>, tensor<${n}xi32>) -> tensor<${n}x4096xbf16>
    return %0 : tensor<${n}x4096xbf16>
  }
}
MLIR
}
compile() { rm -rf "${D:?}/$1"; "$SEQC" compile "$2" --devices 1 "${@:3}" -o "$D/$1" > /dev/null; }
for n in 1024 32768 131072; do
  k=$((n / 1024))k
  attn $n > "$D/attn-$k.mlir"
  compile "fwd-attn-$k" "$D/attn-$k.mlir"
  compile "vjp-attn-$k" "$D/attn-$k.mlir" --train
done
sed 's/131072x/1024x/g; s/ on 131072 tokens/ on 1024 tokens/' examples/bench/llama3-8b-attention-128k.mlir > "$D/causal-1k.mlir"
compile fwd-causal-1k "$D/causal-1k.mlir"
compile vjp-causal-1k "$D/causal-1k.mlir" --train
for n in 32k 128k; do
  compile "fwd-causal-$n" "examples/bench/llama3-8b-attention-$n.mlir"
  compile "vjp-causal-$n" "examples/bench/llama3-8b-attention-$n.mlir" --train
done
attn 1024 100 > "$D/attn-w-1k.mlir"
compile fwd-attn-w-1k "$D/attn-w-1k.mlir"
compile vjp-attn-w-1k "$D/attn-w-1k.mlir" --train
python3 - "$D" "$D/torch_peers.py" <<'PY'
import sys, numpy as np, importlib.util, types
d = sys.argv[1]
n = 1024
np.save(f"{d}/seg-three.npy", np.array([0] * 300 + [1] * 1 + [2] * (n - 301), dtype=np.int32))
np.save(f"{d}/seg-five.npy", np.repeat(np.arange(5), [100, 1, 300, 23, 600]).astype(np.int32))
np.save(f"{d}/seg-short.npy", np.repeat(np.arange(64), 16).astype(np.int32))
np.save(f"{d}/seg-one.npy", np.zeros(n, dtype=np.int32))
np.save(f"{d}/seg-back.npy", np.array([0] * 400 + [1] * 300 + [0] * (n - 700), dtype=np.int32))
# torch_peers.py's doc_lengths (log-normal, seed 0), so both sides pack the same documents.
import torch
src = open(sys.argv[2]).read()
start = src.index("def doc_lengths")
ns = {"torch": torch}
exec(src[start:src.index("\n\n", start)], ns)
for S in (32768, 131072):
    L = ns["doc_lengths"](S, 8)
    np.save(f"{d}/seg-docs8-{S // 1024}k.npy", np.repeat(np.arange(8), L.numpy()).astype(np.int32))
    print(S, L.tolist())
PY
python3 - "$SHARED/models/llama-sdpa/config.json" "$D" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c.update({"model_type": "mistral", "architectures": ["MistralForCausalLM"], "hidden_size": 4096, "num_attention_heads": 32,
          "num_key_value_heads": 8, "head_dim": 128, "intermediate_size": 14336, "num_hidden_layers": 2, "vocab_size": 32000,
          "max_position_embeddings": 32768, "rms_norm_eps": 1e-5, "torch_dtype": "bfloat16", "sliding_window": 4096,
          "rope_theta": 10000.0})
c.pop("rope_parameters", None); c.pop("rope_scaling", None)
json.dump(c, open(sys.argv[2] + "/mistral.json", "w"), indent=1)
c["sliding_window"] = None
json.dump(c, open(sys.argv[2] + "/mistral-nowin.json", "w"), indent=1)
PY
compile mistral-8k "$D/mistral.json" --seq-len 8192
compile mistral-nowin-8k "$D/mistral-nowin.json" --seq-len 8192
du -sh "$D"
