#!/usr/bin/env bash
# Llama-3-8B attention (32 heads, 8 KV heads, head dim 128, causal, bf16) at real sizes.
#   4K tokens:  every strategy on 1 and 2 GPUs against the CPU backend.
#   32K tokens: 1 GPU, and 2 GPUs with ring and Ulysses; GPU times, and the 2-GPU outputs
#               compared with the 1-GPU output (the CPU backend is too slow at this size).
# Plans: .device/scale/attn4k-N-STRATEGY and attn32k-N-STRATEGY from `seqc compile` (see
# README.md). Correctness only: the attention kernel is the simple one; speed is future work.
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-scale}
mkdir -p "$OUT/logs"
summary="$OUT/scale-summary.txt"
: > "$summary"
devices_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["devices"])' "$1"; }

for d in .device/scale/attn4k-*/; do
  name=$(basename "$d"); n=$(devices_of "$d/plan.json"); log="$OUT/logs/$name.log"; t0=$SECONDS
  timeout 300 "$BIN" "$d/plan.json" --nproc "$n" --check-against-cpu --iters 3 --timeout 240 > "$log" 2>&1
  rc=$?
  echo "$name: rc=$rc $(grep -h "check vs CPU" "$log" | sed -E 's/.*(max rel err [^,]*, mean rel err [^ ]*).*: (PASS|FAIL)/\1 \2/') gpu=[$(grep -h "ms GPU time" "$log" | sed -E 's/.* in ([0-9.]+) ms GPU time.*/\1ms/' | tr '\n' ' ')] wall=$((SECONDS - t0))s" | tee -a "$summary"
  [ $rc -ne 0 ] && tail -n 8 "$log"
done

for d in .device/scale/attn32k-*/; do
  name=$(basename "$d"); n=$(devices_of "$d/plan.json"); log="$OUT/logs/$name.log"; t0=$SECONDS
  timeout 300 "$BIN" "$d/plan.json" --nproc "$n" --iters 3 --timeout 240 --output "/tmp/$name.npy" > "$log" 2>&1
  rc=$?
  echo "$name: rc=$rc gpu=[$(grep -h "ms GPU time" "$log" | sed -E 's/.* in ([0-9.]+) ms GPU time.*/\1ms/' | tr '\n' ' ')] alloc=[$(grep -h "peak device bytes" "$log" | sed -E 's/.*seqc-run: ([0-9]+) B.*/\1/' | tr '\n' ' ')] wall=$((SECONDS - t0))s" | tee -a "$summary"
  [ $rc -ne 0 ] && tail -n 8 "$log"
done
python3 - "$summary" <<'PY' 2>&1 | tee -a "$summary"
import glob, numpy as np, sys
ref = np.load("/tmp/attn32k-1-replicate.npy")
scale = np.abs(ref).max()
for f in sorted(glob.glob("/tmp/attn32k-2-*.npy")):
    d = np.abs(np.load(f) - ref)
    print(f"{f.split('/')[-1]} vs 1 GPU: max rel {d.max() / scale:.3e}, mean rel {d.mean() / scale:.3e} (max |ref| {scale:.3e})")
PY
