#!/usr/bin/env bash
# Device job (kind nvidia-h200, carry [".device"]) after `bash bench/cuda/prepare_blocks.sh`:
#   OUT=$OUT bash bench/cuda/blocks2_job.sh
# The attention forward and backward, and the Llama-3-8B layer's step, on the system's cuDNN and
# on the cuDNN that PyTorch's wheel carries (a `libcudnn.so` link to it first on the library
# path); the block backward with bottom-right diagonal blocks kept or cut
# (SEQC_SDPA_BWD_DIAGONAL=0); torch_peers.py --mode fwdbwd (attention; layer eager and compiled)
# in the same call. Everything lands in $OUT/blocks2.tgz and $OUT/summary.txt.
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-blocks2}
T=.device/blocks
job_start blocks2 "${SEQC_JOB_BUDGET:-560}"
TC=$("$PY" -c "import nvidia.cudnn, os; print(os.path.join(list(nvidia.cudnn.__path__)[0], 'lib'))" 2>/dev/null)
echo "torch: $("$PY" -c 'import torch; print(torch.__version__, "cudnn", torch.backends.cudnn.version())' 2>&1 | tail -1); its cuDNN: $TC $(ls "$TC" 2>/dev/null | head -3 | tr '\n' ' ')" | tee -a "$S"
mkdir -p /tmp/tcudnn && ln -sf "$TC/libcudnn.so.9" /tmp/tcudnn/libcudnn.so
time_plan() {  # name plan iters [flags...]
  local name=$1 plan=$2 it=$3; shift 3
  [ "$(left)" -lt 30 ] && { echo "time $name: skipped" | tee -a "$S"; return; }
  timeout 100 "$BIN" "$plan" --iters "$it" --timeout 90 "$@" > "$W/time-$name.log" 2>&1
  echo "time $name: rc=$? $(grep -h 'attention: \|ms GPU time\|backward blocks\|peak device' "$W/time-$name.log" | cut -c1-180 | tr '\n' ' ')" | tee -a "$S"
}
tc() { LD_LIBRARY_PATH=/tmp/tcudnn:$TC:$LD_LIBRARY_PATH "$@"; }
tc timeout 100 "$BIN" $T/vjp-attn-4k/plan.json --check-against-cpu --timeout 90 > "$W/check-vjp-attn-4k-torch-cudnn.log" 2>&1
echo "check vjp-attn-4k (torch's cuDNN): rc=$? $(grep -h 'attention: \|PASS\|FAIL\|rror' "$W/check-vjp-attn-4k-torch-cudnn.log" | cut -c1-160 | tr '\n' ' ')" | tee -a "$S"
for n in 32k 128k; do
  time_plan fwd-attn-$n $T/fwd-attn-$n/plan.json 4
  tc time_plan fwd-attn-$n-torch-cudnn $T/fwd-attn-$n/plan.json 4
  time_plan vjp-attn-$n $T/vjp-attn-$n/plan.json 4
  tc time_plan vjp-attn-$n-torch-cudnn $T/vjp-attn-$n/plan.json 4
done
time_plan vjp-sa-32k $T/vjp-sa-32k/plan.json 4
SEQC_SDPA_BWD_DIAGONAL=0 time_plan vjp-sa-32k-nodiag $T/vjp-sa-32k/plan.json 4
for n in 32k 128k; do
  time_plan vjp-layer-$n $T/vjp-layer-$n/plan.json 3
  tc time_plan vjp-layer-$n-torch-cudnn $T/vjp-layer-$n/plan.json 3
done
peers() {  # what [--compile]
  local w=$1 c=${2:-} l; l=$(left)
  local name=$w-fwdbwd${c:+-compiled}
  [ "$l" -lt 60 ] && { echo "torch $name: skipped, ${l}s left" | tee -a "$S"; return; }
  timeout $((l - 20)) "$TORCHRUN" --nproc-per-node 1 $T/torch_peers.py --what $w --mode fwdbwd --mask causal --seq 32768 131072 \
    --systems single --iters 4 $c --out "$W/peers-$name.json" > "$W/peers-$name.log" 2>&1
  echo "torch $name: rc=$? $(grep -h '^{' "$W/peers-$name.log" | cut -c1-230 | tr '\n' ' ')" | tee -a "$S"
}
peers attn; peers layer; peers layer --compile
echo "done in $((SECONDS - t0))s" | tee -a "$S"
cp "$S" "$OUT/summary.txt"
tar -czf "$OUT/blocks2.tgz" -C "$OUT" blocks2 && rm -rf "$W"
