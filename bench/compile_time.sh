#!/usr/bin/env bash
# Compile-time benchmark: `seqc compile` (release) on the Llama-3-8B- and 70B-shaped examples for
# 8 devices, against a bare `mlir-opt` parse+verify of the same file measured in the same run.
# Usage: bench/compile_time.sh [runs]   (median of `runs`, default 7)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
cargo build --release -q -p seqc
seqc=target/release/seqc
mlir_opt=/usr/lib/llvm-22/bin/mlir-opt

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_ms() { # command... -> median wall ms over $runs
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N)
    echo $(( (e - s) / 1000000 ))
  done | median
}

printf '%-22s %8s %14s %8s\n' model "seqc ms" "mlir-opt ms" ratio
for model in llama3-8b llama3-70b; do
  f=examples/$model.mlir
  ours=$(time_ms "$seqc" compile "$f" --devices 8)
  peer=$(time_ms "$mlir_opt" --irdl-file=dialects/seq/seq.irdl.mlir "$f")
  printf '%-22s %8s %14s %8s\n' "$model x8" "$ours" "$peer" "$(awk -v a="$ours" -v b="$peer" 'BEGIN {printf "%.2f", a / b}')"
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
