#!/usr/bin/env bash
# Here (development machine, repository root; no GPU): the plans and files train_job.sh and
# train_bench.sh run on the GPU, under .device/train/.
#   bash bench/cuda/prepare_train.sh
# - .device/seqc-run (release build)
# - tiny-{f32,bf16}: the tiny model's training step (loss and every gradient), one device
# - llama-sdpa, llama-eager, gpt2-sdpa: the shared checkpoints' steps at 48 tokens, with their
#   weights.safetensors and input_ids.npy (../shared/models)
# - l8b-N: a one-layer Llama-3-8B-shaped model (vocab 4096, bf16) at N = 2048, 32768, 131072
# - vjp-{attention,layer}-{4k/2k,32k,128k}: vector-Jacobian steps (`--train` of a program whose
#   result is not logits) of examples/bench's attention and layer
# - fwd-attn-w-N, vjp-attn-w-N: the attention with a causal sliding window (256 at 1K, 1024 at
#   4K, 4096 at 32K and 128K)
set -eu
SEQC=${SEQC:-./target/debug/seqc}
SHARED=${SEQC_SHARED:-../shared}
D=.device/train
cargo build -q -p seqc --bin seqc
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/cuda-target} cargo build -q --release -p seq-runtime --bin seqc-run
mkdir -p "$D"
cp "${CARGO_TARGET_DIR:-/tmp/cuda-target}/release/seqc-run" .device/seqc-run
cp "$SHARED/anchors/torch_peers.py" "$D/torch_peers.py"
cp "$SHARED/models/input_ids.npy" "$D/input_ids.npy"
compile() { rm -rf "${D:?}/$1"; "$SEQC" compile "$2" --devices 1 "${@:3}" -o "$D/$1" > /dev/null; }
sed 's/xf32>/xbf16>/g' examples/tiny.mlir > "$D/tiny-bf16.mlir"
compile tiny-f32 examples/tiny.mlir --train
compile tiny-bf16 "$D/tiny-bf16.mlir" --train
for m in llama-sdpa llama-eager gpt2-sdpa; do
  compile "$m" "$SHARED/models/$m/config.json" --seq-len 48 --train
  cp "$SHARED/models/$m/weights.safetensors" "$D/$m/weights.safetensors"
done
mkdir -p "$D/llama8b-1l"
python3 - "$SHARED/models/llama-sdpa/config.json" "$D/llama8b-1l/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c.update({"hidden_size": 4096, "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128,
          "intermediate_size": 14336, "num_hidden_layers": 1, "vocab_size": 4096, "max_position_embeddings": 131072,
          "rms_norm_eps": 1e-5, "torch_dtype": "bfloat16", "rope_parameters": {"rope_theta": 500000.0, "rope_type": "default"}})
json.dump(c, open(sys.argv[2], "w"), indent=1)
PY
for n in 2048 32768 131072; do compile "l8b-$n" "$D/llama8b-1l/config.json" --seq-len "$n" --train; done
sed 's/tensor<131072x/tensor<4096x/g; s/ on 131072 tokens/ on 4096 tokens/' examples/bench/llama3-8b-attention-128k.mlir > "$D/attn-4k.mlir"
sed 's/32768x/2048x/g; s/tensor<32768xi32>/tensor<2048xi32>/g; s/ on 32768 tokens/ on 2048 tokens/' \
  examples/bench/llama3-8b-layer-32k.mlir > "$D/layer-2k.mlir"
compile vjp-attention-4k "$D/attn-4k.mlir" --train
compile vjp-layer-2k "$D/layer-2k.mlir" --train
for w in attention layer; do for n in 32k 128k; do
  compile "vjp-$w-$n" "examples/bench/llama3-8b-$w-$n.mlir" --train
done; done
window() { sed "s/scale = 0.08838834764831843 : f64}/scale = 0.08838834764831843 : f64, window = $2 : i64}/" "$1"; }
window "$D/attn-4k.mlir" 1024 > "$D/attn-w-4k.mlir"
for n in 32k 128k; do window "examples/bench/llama3-8b-attention-$n.mlir" 4096 > "$D/attn-w-$n.mlir"; done
sed 's/tensor<4096x/tensor<1024x/g; s/ on 4096 tokens/ on 1024 tokens/' "$D/attn-4k.mlir" > "$D/attn-1k.mlir"
window "$D/attn-1k.mlir" 256 > "$D/attn-w-1k.mlir"
for n in 1k 4k 32k 128k; do
  compile "fwd-attn-w-$n" "$D/attn-w-$n.mlir"
  compile "vjp-attn-w-$n" "$D/attn-w-$n.mlir" --train
done
du -sh .device
