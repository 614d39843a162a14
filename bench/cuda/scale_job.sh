#!/usr/bin/env bash
# One device call on 4 or 8 × H200 (kind nvidia-h200-x4 or -x8, carry [".device"]; each call may run 600 s,
# so this one stops itself within SEQC_JOB_BUDGET, default 560 s):
#   OUT=$OUT PHASE=checks bash bench/cuda/scale_job.sh
# Prepare here first (no GPU): bash bench/cuda/prepare_checks.sh, then
#   SEQC_BENCH_SIZES="32k 128k 512k 1m" SEQC_BENCH_GPUS="1 2 4" bash bench/gpu_bench.sh prepare
# PHASE, one or more in order (each gets what is left of the budget):
#   checks     run_checks.sh: every plan of .device/plans and .device/test-plans against the CPU
#              backend on 1, 2 and 4 GPUs, and the failure cases (~6 min)
#   bench      gpu_bench.sh run with SEQC_BENCH_GPUS="1 4", SEQC_BENCH_SIZES (default
#              "128k 512k 1m") and SEQC_BENCH_WHAT (default "attention layer"). Both workloads
#              at those sizes do not fit one call: run SEQC_BENCH_WHAT=attention (~8 min) and
#              SEQC_BENCH_WHAT=layer (~5 min) as two calls
#   bench2     the 2-GPU benchmark (32K, 128K; SEQC_BENCH2_SIZES) on GPUs 0 and 1 (~4 min)
#   calibrate  seqc-run --calibrate over the 4 GPUs (~1 min)
# Leaves $OUT/summary.txt and $OUT/job.tgz (every log): the device tool returns few files.
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-job}
PHASE=${PHASE:-checks}
BUDGET=${SEQC_JOB_BUDGET:-560}
W=$OUT/job
mkdir -p "$W"
t0=$SECONDS
left() { echo $((BUDGET - (SECONDS - t0) - 10)); }   # 10 s kept for the archive
S=$W/summary.txt
{ date -u; nvidia-smi -L; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  echo "PHASE=[$PHASE] budget ${BUDGET}s"; } > "$S" 2>&1
cat "$S"
ngpu=$(nvidia-smi -L 2>/dev/null | grep -c "^GPU")

for phase in $PHASE; do
  l=$(left)
  if [ "$l" -lt 30 ]; then echo "$phase: not started, ${l}s left" | tee -a "$S"; continue; fi
  p0=$SECONDS
  case $phase in
    checks)
      OUT=$W/checks timeout "$l" bash bench/cuda/run_checks.sh > "$W/checks.log" 2>&1
      rc=$?
      { echo "== checks: rc=$rc in $((SECONDS - p0))s"; cat "$W/checks/summary.txt" 2>/dev/null; } >> "$S";;
    bench|bench2)
      if [ "$phase" = bench ]; then
        gpus=${SEQC_BENCH_GPUS:-1 4} sizes=${SEQC_BENCH_SIZES:-128k 512k 1m} vis=${CUDA_VISIBLE_DEVICES:-}
      else
        gpus="1 2" sizes=${SEQC_BENCH2_SIZES:-32k 128k} vis=0,1
      fi
      for n in $gpus; do
        [ "$n" -gt "$ngpu" ] && echo "warning: $phase asks for $n GPUs, $ngpu present" | tee -a "$S"
      done
      envs=(OUT="$W/$phase" SEQC_BENCH_GPUS="$gpus" SEQC_BENCH_SIZES="$sizes" SEQC_BENCH_BUDGET=$((l - 5)))
      [ -n "$vis" ] && envs+=(CUDA_VISIBLE_DEVICES="$vis")   # an empty value would hide every GPU
      # gpu_bench.sh skips what no longer fits its budget, so the table is always written.
      env "${envs[@]}" timeout "$l" bash bench/gpu_bench.sh run > "$W/$phase.log" 2>&1
      rc=$?
      { echo "== $phase (GPUs [$gpus], sizes [$sizes], what [${SEQC_BENCH_WHAT:-attention layer}]): rc=$rc in $((SECONDS - p0))s"
        grep -h "^seqc \|^torch peers " "$W/$phase.log"
        cat "$W/$phase/bench/table.md" 2>/dev/null; } >> "$S";;
    calibrate)
      n=$ngpu; [ "$n" -gt 4 ] && n=4
      timeout $((l < 150 ? l : 150)) "$BIN" --calibrate "$W/calibration-${n}gpu.json" --nproc "$n" --timeout 140 > "$W/calibrate.log" 2>&1
      rc=$?
      { echo "== calibrate ($n GPUs): rc=$rc in $((SECONDS - p0))s"; tail -n 25 "$W/calibrate.log"; } >> "$S";;
    *) echo "unknown phase '$phase' (checks bench bench2 calibrate)" | tee -a "$S";;
  esac
  echo "$phase done at $((SECONDS - t0))s"
done
echo "job: $((SECONDS - t0))s" >> "$S"
cp "$S" "$OUT/summary.txt"
tar -czf "$OUT/job.tgz" -C "$OUT" job && rm -rf "$W"
cat "$OUT/summary.txt"
