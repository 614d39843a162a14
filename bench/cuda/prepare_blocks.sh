#!/usr/bin/env bash
# Here (development machine, repository root; no GPU): the plans blocks_job.sh runs on one GPU
# for the cuDNN block backward (attention split into key blocks, and a long attention's backward
# cut into query chunks), under .device/blocks/ (carry [".device"]).
#   bash bench/cuda/prepare_blocks.sh
# - sa-N (vjp-sa-N: its vector-Jacobian step): attention split into key blocks by hand on one
#   device (bench/cuda/split_attention_mlir.py: keys out of token order, unmasked, causal and
#   bottom-right diagonal blocks), Llama-3-8B-shaped (32/8 heads of 128, bf16); sa-small-1k with
#   4/2 heads of 64. Checked at 1K/2K against the CPU backend, timed at 32K.
# - zz2-N, zz4-128k (vjp-*): the whole attention over tokens in the order a Ulysses rank holds
#   them after a zigzag split over 2 (4) ranks, one `attention_partial` (checked at 2K, timed).
# - zz2w-N, saw-N (fwd-*, vjp-*): the same two with a sliding window (256 at 2K, checked; 4096
#   at 32K, timed beside the whole windowed attention attn-w-32k)
# - vjp-attn-N: examples/bench's whole causal attention (4K checked with its backward cut into
#   1K-row chunks; 32K and 128K timed, one call and chunked)
# - fwd-attn-N: that attention's forward; vjp-layer-N: the Llama-3-8B layer's step (timed)
# - gemma2: the tiny Gemma 2 (f32: capped attention and loss on the NVRTC kernels), trained
#   step checked against the CPU backend with its checkpoint
# - sad-N, zz2d-N (fwd-*, vjp-*): the two split attentions with packed documents (segment ids;
#   blocks6_job.sh, SEQC_SDPA_DOC_BLOCKS=1): checked at 2K with seg-2k.npy (five documents, one
#   of one token), seg-2k-64.npy (64 of 32) and seg-2k-1.npy (one), timed at 32K with
#   seg-32k-8.npy (torch_peers' --mask docs=8 lengths); sadw-2k, zz2dw-2k: the same with a
#   window of 256 (checked)
# - l8b-packed-2k: a one-layer Llama-3-8B-shaped model (vocab 4096, bf16) at 2048 tokens built
#   for packed documents (--packed), checked with seg-2k.npy (five documents, one of one token)
set -eu
source "$(dirname "$0")/prepare_env.sh"
prepare_start .device/blocks
cp "$SHARED/anchors/torch_peers.py" "$D/"
compile() { rm -rf "${D:?}/$1"; "$SEQC" compile "$2" --devices 1 "${@:3}" -o "$D/$1" > /dev/null; }
python3 bench/cuda/split_attention_mlir.py 1024 4 2 64 > "$D/sa-small-1k.mlir"
compile vjp-sa-small-1k "$D/sa-small-1k.mlir" --train
for n in 2048 32768; do
  k=$((n / 1024))k
  python3 bench/cuda/split_attention_mlir.py $n > "$D/sa-$k.mlir"
  compile "fwd-sa-$k" "$D/sa-$k.mlir"
  compile "vjp-sa-$k" "$D/sa-$k.mlir" --train
done
for n in 2048 32768 131072; do
  k=$((n / 1024))k
  python3 bench/cuda/split_attention_mlir.py $n --zigzag 2 > "$D/zz2-$k.mlir"
  compile "vjp-zz2-$k" "$D/zz2-$k.mlir" --train
done
for n in 2048 32768; do
  k=$((n / 1024))k; w=$([ $n = 2048 ] && echo 256 || echo 4096)
  python3 bench/cuda/split_attention_mlir.py $n --zigzag 2 --window $w > "$D/zz2w-$k.mlir"
  python3 bench/cuda/split_attention_mlir.py $n --window $w > "$D/saw-$k.mlir"
  for f in zz2w saw; do compile "fwd-$f-$k" "$D/$f-$k.mlir"; compile "vjp-$f-$k" "$D/$f-$k.mlir" --train; done
done
sed 's/scale = 0.08838834764831843 : f64}/scale = 0.08838834764831843 : f64, window = 4096 : i64}/' examples/bench/llama3-8b-attention-32k.mlir > "$D/attn-w-32k.mlir"
compile fwd-attn-w-32k "$D/attn-w-32k.mlir"
compile vjp-attn-w-32k "$D/attn-w-32k.mlir" --train
python3 bench/cuda/split_attention_mlir.py 131072 --zigzag 4 > "$D/zz4-128k.mlir"
compile vjp-zz4-128k "$D/zz4-128k.mlir" --train
sed 's/tensor<131072x/tensor<4096x/g; s/ on 131072 tokens/ on 4096 tokens/' examples/bench/llama3-8b-attention-128k.mlir > "$D/attn-4k.mlir"
compile vjp-attn-4k "$D/attn-4k.mlir" --train
for n in 32k 128k; do
  compile "fwd-attn-$n" "examples/bench/llama3-8b-attention-$n.mlir"
  compile "vjp-attn-$n" "examples/bench/llama3-8b-attention-$n.mlir" --train
  compile "vjp-layer-$n" "examples/bench/llama3-8b-layer-$n.mlir" --train
done
compile gemma2 tests/models/gemma2/config.json --seq-len 32 --train
cp tests/models/gemma2/model.safetensors "$D/gemma2/weights.safetensors"
mkdir -p "$D/l8b"
python3 - "$SHARED/models/llama-sdpa/config.json" "$D/l8b/config.json" "$D/seg-2k.npy" <<'PY'
import json, sys
import numpy as np
c = json.load(open(sys.argv[1]))
c.update({"hidden_size": 4096, "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128,
          "intermediate_size": 14336, "num_hidden_layers": 1, "vocab_size": 4096, "max_position_embeddings": 131072,
          "rms_norm_eps": 1e-5, "torch_dtype": "bfloat16", "rope_parameters": {"rope_theta": 500000.0, "rope_type": "default"}})
json.dump(c, open(sys.argv[2], "w"), indent=1)
np.save(sys.argv[3], np.repeat(np.arange(5), [700, 1, 900, 47, 400]).astype(np.int32))
PY
compile l8b-packed-2k "$D/l8b/config.json" --seq-len 2048 --packed --train
for n in 2048 32768; do
  k=$((n / 1024))k
  python3 bench/cuda/split_attention_mlir.py $n --docs > "$D/sad-$k.mlir"
  python3 bench/cuda/split_attention_mlir.py $n --zigzag 2 --docs > "$D/zz2d-$k.mlir"
  for f in sad zz2d; do compile "fwd-$f-$k" "$D/$f-$k.mlir"; compile "vjp-$f-$k" "$D/$f-$k.mlir" --train; done
done
python3 bench/cuda/split_attention_mlir.py 2048 --docs --window 256 > "$D/sadw-2k.mlir"
python3 bench/cuda/split_attention_mlir.py 2048 --zigzag 2 --docs --window 256 > "$D/zz2dw-2k.mlir"
for f in sadw zz2dw; do compile "fwd-$f-2k" "$D/$f-2k.mlir"; compile "vjp-$f-2k" "$D/$f-2k.mlir" --train; done
python3 - "$D" <<'PY'
import sys
import numpy as np
d = sys.argv[1]
np.save(f"{d}/seg-2k-64.npy", np.repeat(np.arange(64), 32).astype(np.int32))
np.save(f"{d}/seg-2k-1.npy", np.zeros(2048, np.int32))
lengths = [14954, 1654, 172, 4654, 640, 439, 3818, 6437]
np.save(f"{d}/seg-32k-8.npy", np.repeat(np.arange(8), lengths).astype(np.int32))
PY
du -sh .device
