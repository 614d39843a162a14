#!/usr/bin/env bash
# Here (development machine, repository root; no GPU): the plans that run_checks.sh checks on the
# GPUs against the CPU backend, for 1, 2 and 4 devices.
#   bash bench/cuda/prepare_checks.sh
# - .device/seqc-run (release build) and .device/test-plans/ (the runtime tests' plans, 1-2 devices)
# - .device/plans/tiny{,-bf16}-N-STRATEGY: the tiny model, f32 and bf16, N in SEQC_CHECK_GPUS
#   ("1 2 4"), every strategy (replicate ulysses ring allgather-kv hybrid auto)
# - .device/plans/tiny{,-bf16}-N-STRATEGY-sio for N > 1: the same with SEQC_CHECK_SIO_FLAGS
#   (default --sharded-io, the benchmark's N-GPU plans) when `seqc compile` takes it
# - .device/plans/attn4k-N-STRATEGY (N > 1 in SEQC_CHECK_GPUS), attn4k-1-auto: Llama-3-8B-shaped
#   attention (head dim 128, GQA 32/8, bf16) at 4K tokens on N devices and on one, for the cuDNN paths at real head counts
#   (run them with SEQC_SDPA_CHUNK=128 to check the query-chunk path at this size)
# A strategy that does not compile (illegal for the shape) is listed in
# .device/plans/compile-failures.txt and skipped; the rest goes on.
set -u
SEQC=${SEQC:-./target/debug/seqc}
GPUS=${SEQC_CHECK_GPUS:-1 2 4}
SIO=${SEQC_CHECK_SIO_FLAGS---sharded-io}
STRATEGIES="replicate ulysses ring allgather-kv hybrid auto"
P=.device/plans
set -e
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/cuda-target} cargo build --release -p seq-runtime --bin seqc-run
mkdir -p "$P"
cp "${CARGO_TARGET_DIR:-/tmp/cuda-target}/release/seqc-run" .device/seqc-run
SEQC_WRITE_TEST_PLANS=$PWD/.device/test-plans CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/cuda-target} \
  cargo test -q -p seq-runtime write_device_plans > /dev/null
set +e

sed 's/xf32>/xbf16>/g' examples/tiny.mlir > .device/tiny-bf16.mlir
# The same shape as examples/bench at 4096 tokens (these plans need no example file of their own).
sed 's/131072x/4096x/g; s/ on 131072 tokens/ on 4096 tokens/' examples/bench/llama3-8b-attention-128k.mlir > .device/attn-4k.mlir
failures=$P/compile-failures.txt
: > "$failures"
compile() {  # name model devices strategy [flags...]
  local name=$1 model=$2 n=$3 s=$4; shift 4
  rm -rf "${P:?}/$name"
  if ! out=$("$SEQC" compile "$model" --devices "$n" --strategy "$s" "$@" -o "$P/$name" 2>&1); then
    rm -rf "${P:?}/$name"
    echo "$name: $(echo "$out" | grep -m1 -i error)" | tee -a "$failures"
    return
  fi
  # A forced strategy that is illegal for a layer falls back to another there: keep the plan,
  # still worth checking, and say so (on one device every strategy is replicate, as expected).
  local got
  got=$(echo "$out" | awk -v s="$s" '$1 ~ /^[0-9]+$/ && $2 != "devices" && index($2, s) != 1 { $3 = $4 = $5 = $6 = ""; print; exit }')
  if [ "$s" != auto ] && [ "$n" -gt 1 ] && [ -n "$got" ]; then
    echo "$name: compiled, but not $s: layer $(echo "$got" | tr -s ' ')" | tee -a "$failures"
  fi
  return 0
}
sio=no
[ -n "$SIO" ] && "$SEQC" compile --help | grep -q -- "${SIO%% *}" && sio=yes
for m in tiny:examples/tiny.mlir tiny-bf16:.device/tiny-bf16.mlir; do
  for n in $GPUS; do for s in $STRATEGIES; do
    compile "${m%%:*}-$n-$s" "${m#*:}" "$n" "$s"
    if [ "$n" -gt 1 ] && [ $sio = yes ]; then compile "${m%%:*}-$n-$s-sio" "${m#*:}" "$n" "$s" $SIO; fi
  done; done
done
for n in $GPUS; do
  [ "$n" -gt 1 ] || continue
  for s in replicate ulysses ring allgather-kv hybrid; do compile "attn4k-$n-$s" .device/attn-4k.mlir "$n" "$s"; done
done
compile attn4k-1-auto .device/attn-4k.mlir 1 auto   # one whole causal call (query chunks with a small SEQC_SDPA_CHUNK)
[ $sio = yes ] || echo "note: '$SIO' is not a flag of $SEQC compile yet: no -sio plans"
echo "plans: $(ls -d $P/*/ | wc -l) in $P, $(ls .device/test-plans | wc -l) test plans; compile notes: $(wc -l < "$failures")"
du -sh .device
