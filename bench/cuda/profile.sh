#!/usr/bin/env bash
# Where the time goes: seqc-run --profile on the benchmark plans, per rank, in one device call.
#
# Here (development machine, repository root):   bash bench/cuda/profile.sh prepare
#   builds seqc-run (release) and compiles the Llama-3-8B attention and layer plans at 32K and 128K
#   for 1 and 2 devices (auto), plus the 2-device attention and layer plans at 128K forced to
#   ulysses and ring, into .device/profile/NAME/.
# On 2 x H200 (device tool, kind nvidia-h200-x2, carry [".device"]):
#   export NCCL_NVLS_ENABLE=0; OUT=$OUT bash bench/cuda/profile.sh run
#   first checks the SDPA block path against the CPU backend on small plans, then profiles.
#   Writes $OUT/profile.tgz (every log) and $OUT/profile-summary.txt, and prints the summary.
#   SEQC_PROFILE_ONLY="attention-128k-2 ..." limits the plans.
set -u
mode=${1:-run}
if [ "$mode" = prepare ]; then
  set -e
  CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/cuda-target} cargo build --release -p seq-runtime --bin seqc-run
  cp "${CARGO_TARGET_DIR:-/tmp/cuda-target}/release/seqc-run" .device/seqc-run
  cargo build -p seqc --bin seqc
  rm -rf .device/profile && mkdir -p .device/profile
  for w in attention layer; do for s in 32k 128k; do
    for n in 1 2; do
      ./target/debug/seqc compile "examples/bench/llama3-8b-$w-$s.mlir" --devices $n -o ".device/profile/$w-$s-$n" > /dev/null
    done
    if [ $s = 128k ]; then for st in ulysses ring; do
      ./target/debug/seqc compile "examples/bench/llama3-8b-$w-$s.mlir" --devices 2 --strategy $st \
        -o ".device/profile/$w-$s-2-$st" > /dev/null
    done; fi
  done; done
  ls .device/profile
  exit 0
fi

source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-profile}
L=$OUT/profile
mkdir -p "$L"
S=$OUT/profile-summary.txt
: > "$S"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee -a "$S"

# 1. The SDPA block path (keys in token order, diagonal masks) against the CPU backend.
for plan in .device/plans/tiny-bf16-2-{allgather-kv,ring,ulysses,auto}/plan.json \
            .device/scale/attn4k-2-{allgather-kv,ring}/plan.json; do
  [ -f "$plan" ] || continue
  name=check-$(basename "$(dirname "$plan")")
  timeout 200 "$BIN" "$plan" --nproc 2 --check-against-cpu --iters 3 --timeout 190 > "$L/$name.log" 2>&1
  echo "$name: rc=$? $(grep -h 'check vs CPU' "$L/$name.log" | sed -E 's/.*(max rel err.*)/\1/')" | tee -a "$S"
done

# 2. Profiles: every rank's longest commands and SDPA blocks, and the total per op.
prof() {  # name plan nproc [env...]
  local name=$1 plan=$2 n=$3; shift 3
  env "$@" timeout 300 "$BIN" "$plan" --nproc "$n" --iters 4 --profile --timeout 280 > "$L/$name.log" 2>&1
  echo "== $name: rc=$? $(grep -h 'ms GPU time' "$L/$name.log" | sed -E 's/.*\[rank ([0-9]+)\].* in ([0-9.]+) ms GPU time.*/rank \1 \2 ms/' | tr '\n' ' ')" | tee -a "$S"
  grep -h "profile:" "$L/$name.log" | grep -v "^\[rank [0-9]*\] profile:    " | head -n 4 >> "$S"
}
only=${SEQC_PROFILE_ONLY:-}
for d in .device/profile/*/; do
  name=$(basename "$d")
  if [ -n "$only" ] && ! [[ " $only " == *" $name "* ]]; then continue; fi
  n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["devices"])' "$d/plan.json")
  prof "$name" "$d/plan.json" "$n"
  case $name in attention-128k-2|attention-32k-2) prof "$name-unsorted" "$d/plan.json" "$n" SEQC_SDPA_SORT=0;; esac
done
tar -czf "$OUT/profile.tgz" -C "$OUT" profile
cat "$S"
