#!/usr/bin/env bash
# Device job (kind nvidia-h200, carry [".device"]) after `bash bench/cuda/prepare_blocks.sh`:
#   OUT=$OUT bash bench/cuda/blocks6_job.sh
# Packed documents on split attention's cuDNN blocks (SEQC_SDPA_DOC_BLOCKS=1): forward and block
# backward of the hand-split (sad) and zigzag (zz2d) attentions checked against the CPU backend
# at 2K with three document sets (and a window of 256), then timed at 32K (8 long-tailed documents) against the same
# plans on the NVRTC kernel, and the kernel's masked-tile skip on the whole windowed attention. Lands in $OUT/blocks6.tgz and $OUT/summary.txt.
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-blocks6}
T=.device/blocks
job_start blocks6 "${SEQC_JOB_BUDGET:-200}"
check() {  # name plan segments
  SEQC_SDPA_DOC_BLOCKS=1 timeout 60 "$BIN" "$2" --segments "$3" --check-against-cpu --timeout 50 > "$W/check-$1.log" 2>&1
  echo "check $1: rc=$? $(grep -h 'packed documents\|attention_partial command\|refused\|FAIL\|rror' "$W/check-$1.log" | cut -c1-300 | tr '\n' ' ') PASS x$(grep -c PASS "$W/check-$1.log")" | tee -a "$S"
}
time_plan() {  # name plan segments(- for none) iters [env]
  [ "$(left)" -lt 25 ] && { echo "time $1: skipped" | tee -a "$S"; return; }
  local seg=(); [ "$3" = - ] || seg=(--segments "$3")
  env ${5:-X=0} timeout 90 "$BIN" "$2" "${seg[@]}" --iters "$4" --timeout 80 > "$W/time-$1.log" 2>&1
  echo "time $1: rc=$? $(grep -h 'ms GPU time\|packed documents' "$W/time-$1.log" | cut -c1-240 | tr '\n' ' ')" | tee -a "$S"
}
for f in sad zz2d sadw zz2dw; do
  for s in seg-2k seg-2k-64 seg-2k-1; do
    check "fwd-$f-2k-$s" "$T/fwd-$f-2k/plan.json" "$T/$s.npy"
    check "vjp-$f-2k-$s" "$T/vjp-$f-2k/plan.json" "$T/$s.npy"
  done
done
for f in sad zz2d; do
  time_plan "fwd-$f-32k-cudnn" "$T/fwd-$f-32k/plan.json" "$T/seg-32k-8.npy" 4 SEQC_SDPA_DOC_BLOCKS=1
  time_plan "vjp-$f-32k-cudnn" "$T/vjp-$f-32k/plan.json" "$T/seg-32k-8.npy" 4 SEQC_SDPA_DOC_BLOCKS=1
  time_plan "fwd-$f-32k-kernel" "$T/fwd-$f-32k/plan.json" "$T/seg-32k-8.npy" 2
done
# The NVRTC kernel's masked-tile skip: the whole windowed attention at 32K (1693.6 ms before).
time_plan fwd-attn-w-32k-kernel "$T/fwd-attn-w-32k/plan.json" - 2 SEQC_ATTENTION=kernel
echo "done in $((SECONDS - t0))s" | tee -a "$S"
cp "$S" "$OUT/summary.txt"
tar -czf "$OUT/blocks6.tgz" -C "$OUT" blocks6 && rm -rf "$W"
