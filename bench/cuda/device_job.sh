#!/usr/bin/env bash
# The whole GPU session in one device call (kind nvidia-h200-x2, carry [".device"]), after
# `bash bench/gpu_bench.sh prepare` here:
#   export NCCL_NVLS_ENABLE=0; OUT=$OUT bash bench/cuda/device_job.sh
# 1. seqc-run --calibrate over both GPUs (the figures behind profiles/h200.json);
# 2. the benchmark with the PyTorch peers in the same job (bench/gpu_bench.sh run);
# 3. the correctness checks against the CPU backend (bench/cuda/run_checks.sh).
# Leaves $OUT/job.tgz (every log) and $OUT/summary.txt: the device tool returns few files.
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-job}
W=$OUT/job
mkdir -p "$W"
t0=$SECONDS
timeout 150 "$BIN" --calibrate "$W/calibration.json" --nproc 2 --timeout 140 > "$W/calibrate.log" 2>&1
echo "calibrate: rc=$? in $((SECONDS - t0))s"
OUT=$W timeout 330 bash bench/gpu_bench.sh run > "$W/bench.log" 2>&1
echo "bench: rc=$? at $((SECONDS - t0))s"
OUT=$W/checks timeout $((560 - (SECONDS - t0))) bash bench/cuda/run_checks.sh > "$W/checks.log" 2>&1
echo "checks: rc=$? at $((SECONDS - t0))s"
{ cat "$W/calibrate.log"; echo; cat "$W/bench/table.md" 2>/dev/null; echo; cat "$W/checks/summary.txt" 2>/dev/null; } > "$OUT/summary.txt"
tar -czf "$OUT/job.tgz" -C "$OUT" job && rm -rf "$W"
cat "$OUT/summary.txt"
