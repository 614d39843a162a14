#!/usr/bin/env bash
# Device job (kind nvidia-h200, carry [".device"]) for packed documents and windows (issue 19),
# after `bash bench/cuda/prepare_docs.sh` here:   OUT=$OUT bash bench/cuda/docs_bench.sh
# 1. checks against the CPU backend at 1K (fwd and vjp; three documents with a one-token one,
#    five (padded to 8 with empty ones), 64 sixteen-token ones, one document, ids that come
#    back; a window of 100)
# 2. timings at 32K and 128K: the 8 documents of torch_peers.py --mask docs=8, and plain causal
# 3. the Mistral-7B-shaped two layers at 8K, with and without the window
# 4. the PyTorch peers in the same call (FlexAttention, compiled)
# Everything lands in $OUT/docs.tgz and $OUT/summary.txt (the device tool returns few files).
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-docs}
D=.device/docs
job_start docs "${SEQC_JOB_BUDGET:-540}"
PARTS=${PARTS:-check time mistral peers}
has() { [[ " $PARTS " == *" $1 "* ]]; }
run() {  # name timeout plan [flags...]: one seqc-run, its notes and result on one line
  local name=$1 t=$2 plan=$3; shift 3
  [ "$(left)" -lt $((t / 2 + 10)) ] && { echo "$name: skipped, $(left)s left" | tee -a "$S"; return; }
  timeout "$t" "$BIN" "$plan" --timeout $((t - 10)) "$@" > "$W/$name.log" 2>&1
  echo "$name: rc=$? $(grep -h 'attention command\|packed documents:\|check vs CPU\|ms GPU time\|refused\|peak device' "$W/$name.log" | cut -c1-400 | tr '\n' ' ')" | tee -a "$S"
}
if has check; then
  for seg in three five short one back; do
    run check-fwd-$seg 90 $D/fwd-attn-1k/plan.json --check-against-cpu --segments $D/seg-$seg.npy
    run check-vjp-$seg 90 $D/vjp-attn-1k/plan.json --check-against-cpu --segments $D/seg-$seg.npy
  done
  # The exact document count (no empty documents), as a control.
  SEQC_DOCS_PAD=0 run check-vjp-five-exact 90 $D/vjp-attn-1k/plan.json --check-against-cpu --segments $D/seg-five.npy
  run check-fwd-causal 90 $D/fwd-causal-1k/plan.json --check-against-cpu
  run check-vjp-causal 90 $D/vjp-causal-1k/plan.json --check-against-cpu
  run check-fwd-w-three 90 $D/fwd-attn-w-1k/plan.json --check-against-cpu --segments $D/seg-three.npy
  run check-vjp-w-three 90 $D/vjp-attn-w-1k/plan.json --check-against-cpu --segments $D/seg-three.npy
fi
if has time; then
  for n in 32k 128k; do
    run time-fwd-docs8-$n 90 $D/fwd-attn-$n/plan.json --iters 10 --segments $D/seg-docs8-$n.npy
    run time-vjp-docs8-$n 90 $D/vjp-attn-$n/plan.json --iters 6 --segments $D/seg-docs8-$n.npy
    run time-fwd-causal-$n 90 $D/fwd-causal-$n/plan.json --iters 10
    run time-vjp-causal-$n 90 $D/vjp-causal-$n/plan.json --iters 6
  done
fi
if has mistral; then
  run time-mistral-8k 90 $D/mistral-8k/plan.json --iters 10
  run time-mistral-nowin-8k 90 $D/mistral-nowin-8k/plan.json --iters 10
fi
peers() {  # mode mask [--compile]
  local m=$1 k=$2 c=${3:-} l; l=$(left)
  local name=attn-$m-${k/=/}${c:+-compiled}
  [ "$l" -lt 60 ] && { echo "torch $name: skipped, ${l}s left" | tee -a "$S"; return; }
  timeout $((l - 10)) "$TORCHRUN" --nproc-per-node 1 $D/torch_peers.py --what attn --mode $m --mask $k --seq 32768 131072 \
    --systems single --iters 6 $c --out "$W/peers-$name.json" > "$W/peers-$name.log" 2>&1
  echo "torch $name: rc=$? $(grep -h '^{' "$W/peers-$name.log" | cut -c1-260 | tr '\n' ' ')" | tee -a "$S"
}
if has peers; then
  peers fwd docs=8 --compile; peers fwdbwd docs=8 --compile; peers fwd causal --compile; peers fwdbwd causal --compile
fi
echo "done in $((SECONDS - t0))s" | tee -a "$S"
cp "$S" "$OUT/summary.txt"
tar -czf "$OUT/docs.tgz" -C "$OUT" docs && rm -rf "$W"
