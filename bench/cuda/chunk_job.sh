#!/usr/bin/env bash
# Device job for the query-chunk attention path (runtime/src/cuda/sdpa/plan.rs, `Cut`), on 4 × H200
# (kind nvidia-h200-x4, carry [".device"]), after bash bench/cuda/prepare_checks.sh and
#   SEQC_BENCH_SIZES="32k 128k 512k 1m" SEQC_BENCH_GPUS="1 2 4" bash bench/gpu_bench.sh prepare
#   mkdir -p .device/bench/extra && ./target/debug/seqc compile examples/bench/llama3-8b-attention-32k.mlir \
#     --devices 2 --sharded-io --strategy ulysses -o .device/bench/extra/attention-32k-2-ulysses
# then: OUT=$OUT bash bench/cuda/chunk_job.sh
#   1. GPU vs CPU backend on the 4K-token attention plans with SEQC_SDPA_CHUNK=128, so that their
#      causal squares take the query-chunk path (plain attention, and attention_partial blocks
#      with SEQC_SDPA_DIAGONAL=0); tolerances as run_checks.sh
#   2. the same plan with the path on and off, one after the other: attention 32K on 2 GPUs
#      (diagonal blocks whole up to 8K rows, never, forced Ulysses) and 512K on 4 GPUs (chunks of
#      32K rows, one call)
#   3. PHASE=bench2 of scale_job.sh (2-GPU benchmark with the PyTorch peers) in what is left
# Leaves $OUT/chunk-summary.txt (and scale_job.sh's summary.txt, job.tgz).
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-chunk}
BUDGET=${SEQC_JOB_BUDGET:-570}
t0=$SECONDS
S=$OUT/chunk-summary.txt
mkdir -p "$OUT/chunk"
{ date -u; nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1; } > "$S"

SEQC_CHECK_EXTRAS=0 SEQC_CHECK_PLANS="attn4k-*" SEQC_SDPA_CHUNK=128 OUT=$OUT/chunk/checks1 \
  timeout 200 bash bench/cuda/run_checks.sh > "$OUT/chunk/checks1.log" 2>&1
{ echo "== checks, SEQC_SDPA_CHUNK=128"; grep -h "devices=\|PASS, " "$OUT/chunk/checks1/summary.txt"; } >> "$S"
SEQC_CHECK_EXTRAS=0 SEQC_CHECK_PLANS="attn4k-4-ring attn4k-4-allgather-kv attn4k-4-hybrid" SEQC_SDPA_CHUNK=128 \
  SEQC_SDPA_DIAGONAL=0 OUT=$OUT/chunk/checks2 timeout 120 bash bench/cuda/run_checks.sh > "$OUT/chunk/checks2.log" 2>&1
{ echo "== checks, SEQC_SDPA_CHUNK=128 SEQC_SDPA_DIAGONAL=0"; grep -h "devices=\|PASS, " "$OUT/chunk/checks2/summary.txt"; } >> "$S"

ab() {  # label plan nproc iters env...
  local label=$1 plan=$2 n=$3 it=$4; shift 4
  local log=$OUT/chunk/ab-$label.log
  env "$@" timeout 150 "$BIN" "$plan" --nproc "$n" --iters "$it" --timeout 130 > "$log" 2>&1
  echo "$label [$*]: rc=$? $(grep -h "ms GPU time" "$log" | sed -E 's/.* in ([0-9.]+) ms GPU time.*/\1 ms/' | tr '\n' ' ')" \
    "$(grep -h "peak device bytes" "$log" | head -1 | sed -E 's/.*seqc-run: ([0-9]+) B.*/alloc \1 B/')" | tee -a "$S"
}
echo "== A/B (GPU time per rank, median of runs 2..N)" >> "$S"
P=.device/bench/plans
for rep in 1 2; do
  ab "attn32k-2-diag8k-$rep" $P/attention-32k-2/plan.json 2 12
  ab "attn32k-2-diag0-$rep" $P/attention-32k-2/plan.json 2 12 SEQC_SDPA_DIAGONAL=0
done
ab attn32k-2-ulysses .device/bench/extra/attention-32k-2-ulysses/plan.json 2 12
ab attn512k-4-chunked $P/attention-512k-4/plan.json 4 4
ab attn512k-4-whole $P/attention-512k-4/plan.json 4 4 SEQC_SDPA_CHUNK=0

left=$((BUDGET - (SECONDS - t0)))
echo "== bench2 with ${left}s left" >> "$S"
OUT=$OUT PHASE=bench2 SEQC_JOB_BUDGET=$left bash bench/cuda/scale_job.sh > "$OUT/chunk/bench2.log" 2>&1
cat "$S"
