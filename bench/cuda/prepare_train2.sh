#!/usr/bin/env bash
# Here (development machine, repository root; no GPU): the plans train2_job.sh runs on 2 GPUs
# (issue 22's training runs), under .device/train2/ (carry [".device"]).
#   bash bench/cuda/prepare_train2.sh
# - vjp-{attention,layer}-{32k,128k}-{auto,ulysses,ring}: vector-Jacobian steps of examples/bench's
#   Llama-3-8B-shaped attention and layer split over 2 devices (and -1: one device, the base of
#   the scaling efficiency against seqc's own single GPU)
# - vjp-attn-w-{32k,128k}-{auto,ulysses,halo}: the attention with a causal window of 4096 (halo:
#   only the 4095-row chunk tails move)
# - check-{tiny,tiny-bf16}-{ulysses,ring,allgather-kv}: the tiny model's training step over 2
#   devices, checked against the CPU backend (--check-against-cpu); check-tiny{,-bf16}-halo: the
#   same with a causal window of 8 (tiny-w*.mlir) split by halo exchange
set -eu
source "$(dirname "$0")/prepare_env.sh"
prepare_start .device/train2
cp "$SHARED/anchors/torch_peers.py" "$D/"
compile() { "$SEQC" compile "$2" "${@:3}" -o "$D/$1" > "$D/$1.compile.txt"; }
for w in attention layer; do for n in 32k 128k; do
  compile "vjp-$w-$n-1" "examples/bench/llama3-8b-$w-$n.mlir" --train --devices 1
  for s in auto ulysses ring; do compile "vjp-$w-$n-$s" "examples/bench/llama3-8b-$w-$n.mlir" --train --devices 2 --strategy $s; done
done; done
for n in 32k 128k; do
  sed 's/scale = 0.08838834764831843 : f64}/scale = 0.08838834764831843 : f64, window = 4096 : i64}/' \
    "examples/bench/llama3-8b-attention-$n.mlir" > "$D/attn-w-$n.mlir"
  for s in auto ulysses halo; do compile "vjp-attn-w-$n-$s" "$D/attn-w-$n.mlir" --train --devices 2 --strategy $s; done
done
sed 's/xf32>/xbf16>/g' examples/tiny.mlir > "$D/tiny-bf16.mlir"
for s in ulysses ring allgather-kv; do
  compile "check-tiny-$s" examples/tiny.mlir --train --devices 2 --strategy $s
  compile "check-tiny-bf16-$s" "$D/tiny-bf16.mlir" --train --devices 2 --strategy $s
done
for t in tiny tiny-bf16; do
  src=examples/tiny.mlir; [ $t = tiny ] || src="$D/tiny-bf16.mlir"
  sed 's/scale = 0.25 : f64}/scale = 0.25 : f64, window = 8 : i64}/' "$src" > "$D/$t-w.mlir"
  compile "check-$t-halo" "$D/$t-w.mlir" --train --devices 2 --strategy halo
  grep -q "halo" "$D/check-$t-halo.compile.txt" || { echo "check-$t-halo is not split by halo"; exit 1; }
done
du -sh "$D"
