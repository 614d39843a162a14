#!/usr/bin/env bash
# Device check of seqc-run's CUDA backend against the CPU backend, for every plan under .device/.
#
# Run on the GPU machine from the repository root, after copying a release build of seqc-run
# and the plans there (bench/cuda/prepare_checks.sh; see bench/cuda/README.md):
#   .device/seqc-run                  the binary
#   .device/plans/NAME/plan.json      plans from `seqc compile` (tiny f32 and bf16, 1, 2 and 4
#                                     devices, every strategy; -sio: sharded inputs and outputs)
#   .device/test-plans/*.json         plans from the runtime tests (SEQC_WRITE_TEST_PLANS)
# Plans for more devices than this machine has are skipped. SEQC_CHECK_PLANS="tiny-4-* attn4k-*"
# limits the plans (shell patterns on the name). Writes logs under $OUT (or /tmp/seqc-checks) and
# prints one line per plan, then the launches without --nproc, --check-steps, attention on the
# NVRTC kernel and the failure tests (a missing GPU, a rank killed mid-run, a rank that never starts), which
# SEQC_CHECK_EXTRAS=0 leaves out.
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-checks}
mkdir -p "$OUT/logs"
GPUS=$(nvidia-smi -L 2>/dev/null | wc -l)
{
  echo "== machine"; nvidia-smi -L; nvidia-smi --query-gpu=driver_version,memory.total --format=csv,noheader
  ldconfig -p | grep -E "libnccl|libnvrtc|libcublasLt|libcuda\." | head -8
} 2>&1 | tee "$OUT/machine.txt"

# Segment ids for the test plans that pack documents: three documents, boundaries at 28% and 65%.
segments_for() {  # global length -> path of an int32 .npy
  python3 -c 'import numpy as np, sys; g = int(sys.argv[1]); a, b = g * 28 // 100, g * 65 // 100
np.save(sys.argv[2], np.array([0] * a + [1] * (b - a) + [2] * (g - b), dtype=np.int32))' "$1" "/tmp/seg$1.npy"
  echo "/tmp/seg$1.npy"
}
# The sequence length; a plan with sharded inputs holds only its rows, the global size is recorded.
global_of() { python3 -c 'import json,sys; p = json.load(open(sys.argv[1]))
print(p["sharded_io"]["global_size"] if p.get("sharded_io") else p["values"][0]["shape"][0])' "$1"; }
wanted() {  # name: in SEQC_CHECK_PLANS (default: every plan)?
  local pat
  [ -z "${SEQC_CHECK_PLANS:-}" ] && return 0
  for pat in $SEQC_CHECK_PLANS; do
    # shellcheck disable=SC2053  # a pattern on purpose
    [[ $1 == $pat ]] && return 0
  done
  return 1
}

summary="$OUT/summary.txt"
: > "$summary"
run_plan() {  # name plan.json
  local name=$1 plan=$2
  local devices extra=() log="$OUT/logs/$name.log"
  wanted "$name" || return 0
  devices=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["devices"])' "$plan")
  if [ "$devices" -gt "$GPUS" ]; then echo "$name: SKIP (needs $devices GPUs)" | tee -a "$summary"; return; fi
  case "$name" in *seg*) extra=(--segments "$(segments_for "$(global_of "$plan")")");; esac
  local t0=$SECONDS
  timeout 180 "$BIN" "$plan" --nproc "$devices" --check-against-cpu --iters 3 --timeout 90 "${extra[@]}" > "$log" 2>&1
  local rc=$?
  local check gpu mem
  check=$(grep -h "check vs CPU" "$log" | sed -E 's/.*max rel err ([^,]*), mean rel err ([^ ]*) .*: (PASS|FAIL)/max \1 mean \2 \3/' | head -1)
  gpu=$(grep -h "ms GPU time" "$log" | sed -E 's/.* in ([0-9.]+) ms GPU time.*/\1ms/' | tr '\n' ' ')
  mem=$(grep -h "peak device bytes" "$log" | sed -E 's/.*seqc-run: ([0-9]+) B.*in use on the device \(cuMemGetInfo\): ([0-9]+) B.*/\1\/\2/' | tr '\n' ' ')
  echo "$name: devices=$devices rc=$rc $check gpu=[$gpu] alloc/in-use=[$mem] wall=$((SECONDS - t0))s" | tee -a "$summary"
  if [ $rc -ne 0 ]; then
    tail -n 15 "$log"
    # Locate the first step that differs from the host emulation of the lowered plan.
    timeout 180 "$BIN" "$plan" --nproc "$devices" --check-steps --timeout 90 "${extra[@]}" > "$OUT/logs/$name.steps.log" 2>&1
    grep -h "step check\|error" "$OUT/logs/$name.steps.log" | head -n 12
  fi
}

echo "== plans"
for d in .device/plans/*/; do
  [ -f "$d/plan.json" ] && run_plan "$(basename "$d")" "$d/plan.json"
done
for f in .device/test-plans/*.json; do
  [ -f "$f" ] && run_plan "$(basename "$f" .json)" "$f"
done

summarize() {
  echo "== summary"
  cat "$summary"
  ran=$(grep " devices=" "$summary")
  echo "plans: $(grep -c " PASS " <<< "$ran") PASS, $(grep -c " FAIL " <<< "$ran") FAIL, $(grep -c " rc=[1-9]" <<< "$ran") rc != 0, $(grep -c ": SKIP" "$summary") SKIP" | tee -a "$summary"
}
if [ "${SEQC_CHECK_EXTRAS:-1}" = 0 ]; then summarize; exit 0; fi

echo "== launched without --nproc, as torchrun would (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_*)"
for r in 0 1; do
  RANK=$r WORLD_SIZE=2 LOCAL_RANK=$r MASTER_ADDR=127.0.0.1 MASTER_PORT=29650 timeout 120 "$BIN" \
    .device/plans/tiny-2-ulysses/plan.json --check-against-cpu --timeout 60 > "$OUT/logs/manual-rank$r.log" 2>&1 &
done
wait
echo "manual launch: $(grep -h "check vs CPU" "$OUT/logs/manual-rank0.log" | sed -E 's/.*(max rel err.*)/\1/')" | tee -a "$summary"

if [ "$GPUS" -ge 4 ] && [ -f .device/plans/tiny-4-ulysses/plan.json ]; then
  for r in 0 1 2 3; do
    RANK=$r WORLD_SIZE=4 LOCAL_RANK=$r MASTER_ADDR=127.0.0.1 MASTER_PORT=29651 timeout 120 "$BIN" \
      .device/plans/tiny-4-ulysses/plan.json --check-against-cpu --timeout 60 > "$OUT/logs/manual4-rank$r.log" 2>&1 &
  done
  wait
  echo "manual launch, 4 ranks: $(grep -h "check vs CPU" "$OUT/logs/manual4-rank0.log" | sed -E 's/.*(max rel err.*)/\1/')" | tee -a "$summary"
fi

echo "== --check-steps (every step against the host emulation), with --sync-steps"
timeout 120 "$BIN" .device/test-plans/test-hybrid-u2-seg-bf16.json --nproc 2 --check-steps --sync-steps \
  --segments "$(segments_for 61)" > "$OUT/logs/check-steps-bf16.log" 2>&1
echo "check-steps hybrid bf16: rc=$? $(grep -h "results compared" "$OUT/logs/check-steps-bf16.log" | tr '\n' ' ')" | tee -a "$summary"
timeout 120 "$BIN" .device/plans/tiny-2-ring/plan.json --nproc 2 --check-steps > "$OUT/logs/check-steps-f32.log" 2>&1
echo "check-steps tiny f32 ring: rc=$? $(grep -h "results compared" "$OUT/logs/check-steps-f32.log" | tr '\n' ' ')" | tee -a "$summary"
if [ "$GPUS" -ge 4 ]; then
  for p in tiny-4-hybrid tiny-bf16-4-ring-sio; do
    [ -f ".device/plans/$p/plan.json" ] || continue
    timeout 120 "$BIN" ".device/plans/$p/plan.json" --nproc 4 --check-steps > "$OUT/logs/check-steps-$p.log" 2>&1
    echo "check-steps $p: rc=$? $(grep -h "results compared" "$OUT/logs/check-steps-$p.log" | tr '\n' ' ')" | tee -a "$summary"
  done
fi

echo "== attention on the NVRTC kernel (the fallback when cuDNN is absent), against the CPU backend"
for p in attn4k-2-allgather-kv tiny-bf16-2-ring-sio tiny-bf16-2-ulysses-sio; do
  [ -f ".device/plans/$p/plan.json" ] || continue
  SEQC_ATTENTION=kernel timeout 120 "$BIN" ".device/plans/$p/plan.json" --nproc 2 --check-against-cpu --iters 2 --timeout 90 > "$OUT/logs/kernel-$p.log" 2>&1
  echo "kernel attention $p: rc=$? $(grep -h "check vs CPU" "$OUT/logs/kernel-$p.log" | sed -E 's/.*(max rel err [^,]*, mean rel err [^ ]*).*(PASS|FAIL).*/\1 \2/' | head -1) $(grep -ho "[0-9of ]*attention command(s) on [A-Za-z ]*" "$OUT/logs/kernel-$p.log" | head -1)" | tee -a "$summary"
done

echo "== failure handling"
ring=.device/plans/tiny-bf16-2-ring/plan.json
# No GPU visible: a clear error, non-zero exit.
CUDA_VISIBLE_DEVICES='' timeout 60 "$BIN" .device/plans/tiny-1-replicate/plan.json > "$OUT/logs/fail-nogpu.log" 2>&1
echo "no GPU visible: rc=$? $(grep -h error "$OUT/logs/fail-nogpu.log" | head -1)" | tee -a "$summary"
# Rank 1 never starts: rank 0 gives up at its timeout, naming what it waited for.
t0=$SECONDS
RANK=0 WORLD_SIZE=2 LOCAL_RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT=29611 timeout 60 "$BIN" "$ring" --timeout 8 > "$OUT/logs/fail-alone.log" 2>&1
echo "rank 1 never starts: rc=$? after $((SECONDS - t0))s: $(grep -h error "$OUT/logs/fail-alone.log" | head -1)" | tee -a "$summary"
# A rank killed mid-run: the launcher stops the other one (which says the step it waited for) and
# exits with 128 + 9.
t0=$SECONDS
"$BIN" "$ring" --nproc 2 --iters 2000000 --timeout 120 > "$OUT/logs/fail-kill.log" 2>&1 &
parent=$!
sleep 12
victim=$(pgrep -P "$parent" | tail -1)
[ -n "$victim" ] && kill -9 "$victim"
wait "$parent"
echo "rank killed mid-run (pid $victim): rc=$? after $((SECONDS - t0))s: $(grep -h "error" "$OUT/logs/fail-kill.log" | head -3 | tr '\n' ' ')" | tee -a "$summary"

summarize
