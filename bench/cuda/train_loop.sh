#!/usr/bin/env bash
# Device job (kind nvidia-h200, carry [".device"]): seqc-run's training loop (--steps: AdamW on the
# GPU) against PyTorch's 30-step loss curves of the shared models, a resumed run against an
# uninterrupted one (PARTS check), the throughput of torch_train_peer.py's two presets at 32K
# tokens with the PyTorch peer (eager and --compile) in the same call (bench), and the longest
# sequences of the 8B shape for seqc and PyTorch, with and without its checkpointing (longest),
# and of the 1B shape (longest1b: seqc at 256K, PyTorch with checkpointing at 64K and 128K).
# PARTS (default "check bench longest"; also "checklite": two f32 curves and the bf16 one,
# "profile" or "profile-last", "bench8b": the 8B shape and its eager peer, "serial": the 8B shape
# with the optimizer step before each run instead of overlapped with it, and "cechunk": the 8B
# shape with the fused loss in chunks of 4096 and 8192 rows (CE_ROWS), and its eager peer; "det":
# the shared Llama's loops with and without --deterministic, each twice; "det8b": the 8B shape's
# with it, twice; "det128k": the same at 128K (query chunks), twice; "offload": the 8B shape at
# 256K with --offload against recomputation alone; "fit": the 8B shape at 256K without a budget, refused; "zero2": on 2 GPUs,
# ZeRO and all-reduce curves and a ZeRO resume; "base": the 8B shape with this build and
# .device/seqc-run-base, alternating) picks parts. Everything lands in $OUT/train-loop.tgz and
# $OUT/summary.txt.
# after `bash bench/cuda/prepare_train_loop.sh` here:  OUT=$OUT bash bench/cuda/train_loop.sh
set -u
source "$(dirname "$0")/env.sh"
OUT=${OUT:-/tmp/seqc-train-loop}
L=.device/loop
job_start train-loop 540
pack() { cp "$S" "$OUT/summary.txt"; tar -czf "$OUT/train-loop.tgz" -C "$OUT" train-loop; }
# PyTorch's recipe of train_ref.json.
PARTS=${PARTS:-check bench longest}
has() { case " $PARTS " in *" $1 "*) return 0;; esac; return 1; }
REF=(--data $L/train_tokens.npy --lr 1e-3 --betas 0.9,0.95 --eps 1e-8 --weight-decay 0.1 --grad-clip 1.0)
loop() {  # name plan-dir [flags...]
  local name=$1 dir=$2; shift 2
  timeout 120 "$BIN" "$dir/step/plan.json" --timeout 100 --log "$W/loop-$name.jsonl" "$@" > "$W/loop-$name.log" 2>&1
  echo "loop $name: rc=$? $(grep -h 'steps; step time' "$W/loop-$name.log" | cut -c1-200)" | tee -a "$S"
}
if has checklite; then
for m in llama-sdpa gpt2-sdpa; do
  loop $m $L/$m --steps 30 --weights $L/$m/weights.safetensors "${REF[@]}"
  "$PY" bench/cuda/loss_curve.py "$W/loop-$m.jsonl" $L/$m/train_ref.json --tol 1e-3 --name "$m f32" | tee -a "$S"
done
loop llama-sdpa-bf16 $L/llama-sdpa-bf16 --steps 30 --weights $L/llama-sdpa/weights.safetensors "${REF[@]}"
"$PY" bench/cuda/loss_curve.py "$W/loop-llama-sdpa-bf16.jsonl" $L/llama-sdpa/train_ref.json --tol 2e-2 --name "llama-sdpa bf16 (mixed precision)" | tee -a "$S"
pack
fi
if has check; then
for m in llama-eager llama-sdpa gpt2-sdpa; do
  loop $m $L/$m --steps 30 --weights $L/$m/weights.safetensors "${REF[@]}"
  "$PY" bench/cuda/loss_curve.py "$W/loop-$m.jsonl" $L/$m/train_ref.json --tol 1e-3 --name "$m f32" | tee -a "$S"
done
loop llama-sdpa-bf16 $L/llama-sdpa-bf16 --steps 30 --weights $L/llama-sdpa/weights.safetensors "${REF[@]}"
"$PY" bench/cuda/loss_curve.py "$W/loop-llama-sdpa-bf16.jsonl" $L/llama-sdpa/train_ref.json --tol 2e-2 --name "llama-sdpa bf16 (mixed precision)" | tee -a "$S"
# Resume: 15 steps, saved; then on to 30 from the checkpoint; against the uninterrupted run.
loop resume-a $L/llama-sdpa --steps 15 --save "$W/ck" --weights $L/llama-sdpa/weights.safetensors "${REF[@]}"
cp "$W/loop-resume-a.jsonl" "$W/loop-resumed.jsonl"
loop resume-b $L/llama-sdpa --steps 30 --resume "$W/ck" --weights $L/llama-sdpa/weights.safetensors "${REF[@]}"
cat "$W/loop-resume-b.jsonl" >> "$W/loop-resumed.jsonl"
"$PY" bench/cuda/loss_curve.py "$W/loop-resumed.jsonl" --against "$W/loop-llama-sdpa.jsonl" --within 1e-6 --name "15 + resume + 15 vs 30 (f32 attention backward and embedding gradient sum with atomics: not bit for bit)" | tee -a "$S"
rm -rf "$W/ck"
pack
fi
# Two GPUs (kind nvidia-h200-x2 or more): the shared Llama's curve with ZeRO and with whole
# gradients, f32 and bf16, and ZeRO's 15 + resume + 15 against 30 straight.
if has zero2; then
w=$L/llama-sdpa/weights.safetensors
for g in reduce-scatter all-reduce; do
  loop 2-$g $L/llama-sdpa-2-$g --nproc 2 --steps 30 --weights $w "${REF[@]}"
  "$PY" bench/cuda/loss_curve.py "$W/loop-2-$g.jsonl" $L/llama-sdpa/train_ref.json --tol 1e-3 --name "llama-sdpa f32, 2 GPUs, --grad-reduce $g" | tee -a "$S"
  loop bf16-2-$g $L/llama-sdpa-bf16-2-$g --nproc 2 --steps 30 --weights $w "${REF[@]}"
  "$PY" bench/cuda/loss_curve.py "$W/loop-bf16-2-$g.jsonl" $L/llama-sdpa/train_ref.json --tol 2e-2 --name "llama-sdpa bf16, 2 GPUs, --grad-reduce $g" | tee -a "$S"
done
# The update and the weights' all-gathers overlapped with the next run (SEQC_UPDATE_OVERLAP=1)
# against on the compute stream before it (ZeRO's default until this runs): the same sums, so
# the same curve.
SEQC_UPDATE_OVERLAP=1 loop 2-rs-overlap $L/llama-sdpa-2-reduce-scatter --nproc 2 --steps 30 --weights $w "${REF[@]}"
"$PY" bench/cuda/loss_curve.py "$W/loop-2-rs-overlap.jsonl" --against "$W/loop-2-reduce-scatter.jsonl" --within 1e-6 --name "ZeRO on 2 GPUs: update overlapped vs before each run" | tee -a "$S"
loop zero-a $L/llama-sdpa-2-reduce-scatter --nproc 2 --steps 15 --save "$W/ck2" --weights $w "${REF[@]}"
cp "$W/loop-zero-a.jsonl" "$W/loop-zero-resumed.jsonl"
loop zero-b $L/llama-sdpa-2-reduce-scatter --nproc 2 --steps 30 --resume "$W/ck2" --weights $w "${REF[@]}"
cat "$W/loop-zero-b.jsonl" >> "$W/loop-zero-resumed.jsonl"
"$PY" bench/cuda/loss_curve.py "$W/loop-zero-resumed.jsonl" --against "$W/loop-2-reduce-scatter.jsonl" --within 1e-6 --name "ZeRO on 2 GPUs: 15 + resume + 15 vs 30" | tee -a "$S"
rm -rf "$W/ck2"
pack
fi
# Throughput at 32K tokens: seqc (bf16, AdamW on the GPU) then the PyTorch peer, same recipe.
BENCH=(--steps 8 --lr 1e-4 --betas 0.9,0.95 --weight-decay 0.1 --grad-clip 1.0)
torch() {  # preset seq steps [flags...]
  local p=$1 n=$2 st=$3 l; l=$(left); shift 3
  local name=$p-$n$(echo "$@" | tr -d ' ' | sed 's/--/-/g')
  [ "$l" -lt 60 ] && { echo "torch $name: skipped, ${l}s left" | tee -a "$S"; return; }
  timeout $((l - 15)) "$PY" $L/torch_train_peer.py --preset $p --seq $n --steps $st "$@" --out "$W/torch-$name.json" > "$W/torch-$name.log" 2>&1
  echo "torch $name: rc=$? $(grep -h '^{' "$W/torch-$name.log" | cut -c1-300)" | tee -a "$S"
  pack
}
seqc32k() {  # preset [flags...]
  local p=$1; shift
  timeout 200 "$BIN" $L/$p-32k/plan.json --timeout 150 --log "$W/seqc-$p-32k$*.jsonl" "${BENCH[@]}" "$@" > "$W/seqc-$p-32k$*.log" 2>&1
  echo "seqc $p 32K $*: rc=$? $(grep -h 'steps; step time' "$W/seqc-$p-32k$*.log" | cut -c1-240)" | tee -a "$S"
  pack
}
# The 8B shape's step with --profile (its own run: profiling adds events to every command).
has profile && seqc32k llama3-8b-4l --profile
if has bench; then
seqc32k llama3-8b-4l; seqc32k llama3-1b
torch llama3-8b-4l 32768 8; torch llama3-1b 32768 8 --compile; torch llama3-8b-4l 32768 8 --compile
fi
# The 8B shape twice with this build and twice with an earlier one (.device/seqc-run-base,
# built by hand from the commit the call's README names), alternating: before and after on one
# card, where the peer does not fit (an H100).
if has base; then
for run in $(seq "${BASE_RUNS:-2}"); do
  for b in base new; do
    bin=$BIN; [ $b = base ] && bin=.device/seqc-run-base
    timeout 200 "$bin" $L/llama3-8b-4l-32k/plan.json --timeout 150 --log "$W/$b$run-llama3-8b-4l-32k.jsonl" "${BENCH[@]}" > "$W/$b$run-llama3-8b-4l-32k.log" 2>&1
    echo "seqc ($b) llama3-8b-4l 32K run $run: rc=$? $(grep -h 'steps; step time' "$W/$b$run-llama3-8b-4l-32k.log" | cut -c1-240)" | tee -a "$S"
    pack
  done
done
# Same seed, same tokens: the losses agree within bf16 rounding (the kernels changed, not the math).
"$PY" bench/cuda/loss_curve.py "$W/new1-llama3-8b-4l-32k.jsonl" --against "$W/base1-llama3-8b-4l-32k.jsonl" --within 5e-3 \
  --name "the 8B shape, this build against .device/seqc-run-base" | tee -a "$S"
fi
# The 8B shape against PyTorch eager (its faster peer) alone.
if has bench8b; then
seqc32k llama3-8b-4l; torch llama3-8b-4l 32768 8
[ "$(left)" -gt 40 ] && [ -z "${NO_1B:-}" ] && seqc32k llama3-1b
fi
# The optimizer step on the compute stream before each run (SEQC_UPDATE_OVERLAP=0), against the
# default (overlapped with the next run's first layers) that bench8b ran.
if has serial; then
  SEQC_UPDATE_OVERLAP=0 timeout 200 "$BIN" $L/llama3-8b-4l-32k/plan.json --timeout 150 --log "$W/seqc-llama3-8b-4l-32k-serial.jsonl" "${BENCH[@]}" > "$W/seqc-llama3-8b-4l-32k-serial.log" 2>&1
  echo "seqc llama3-8b-4l 32K, update before each run: rc=$? $(grep -h 'steps; step time' "$W/seqc-llama3-8b-4l-32k-serial.log" | cut -c1-240)" | tee -a "$S"
  pack
fi
# The fused loss's chunk (rows of f32 logits per chunk; each chunk's dW GEMM reads and writes
# the whole f32 weight gradient), then the eager peer.
if has cechunk; then
for rows in ${CE_ROWS:-4096 8192}; do
  SEQC_CE_CHUNK=$((rows * 128256)) timeout 200 "$BIN" $L/llama3-8b-4l-32k/plan.json --timeout 150 --log "$W/seqc-llama3-8b-4l-32k-ce$rows.jsonl" "${BENCH[@]}" > "$W/seqc-llama3-8b-4l-32k-ce$rows.log" 2>&1
  echo "seqc llama3-8b-4l 32K, loss chunks of $rows rows: rc=$? $(grep -h 'steps; step time' "$W/seqc-llama3-8b-4l-32k-ce$rows.log" | cut -c1-240)" | tee -a "$S"
  pack
done
torch llama3-8b-4l 32768 8
fi
# --deterministic: the same run twice gives identical losses and gradient norms (compared bit
# for bit), without it they may not; then the 8B shape's step with it, twice, against without.
same() {  # a.jsonl b.jsonl name
  "$PY" - "$1" "$2" "$3" <<'PY' | tee -a "$S"
import json, sys
rows = [[json.loads(l) for l in open(f) if l.strip()] for f in sys.argv[1:3]]
diff = [a["step"] for a, b in zip(*rows) if (a["loss"], a.get("grad_norm")) != (b["loss"], b.get("grad_norm"))]
n = min(map(len, rows))
print(f"{sys.argv[3]}: {n - len(diff)} of {n} steps identical (loss, grad norm)" + (f"; first differing step {diff[0]}" if diff else ""))
PY
}
if has det; then
for m in llama-sdpa llama-sdpa-bf16; do
  w=$L/llama-sdpa/weights.safetensors
  for run in 1 2; do
    loop det-$m-$run $L/$m --steps 30 --weights $w "${REF[@]}" --deterministic
    loop atomics-$m-$run $L/$m --steps 30 --weights $w "${REF[@]}"
  done
  same "$W/loop-det-$m-1.jsonl" "$W/loop-det-$m-2.jsonl" "$m --deterministic, run 1 vs run 2"
  same "$W/loop-atomics-$m-1.jsonl" "$W/loop-atomics-$m-2.jsonl" "$m without it, run 1 vs run 2"
  pack
done
fi
if has det8b; then
for run in 1 2; do
  timeout 200 "$BIN" $L/llama3-8b-4l-32k/plan.json --timeout 150 --log "$W/seqc-llama3-8b-4l-32k-det$run.jsonl" "${BENCH[@]}" --steps 4 --deterministic > "$W/seqc-llama3-8b-4l-32k-det$run.log" 2>&1
  echo "seqc llama3-8b-4l 32K --deterministic run $run: rc=$? $(grep -h 'steps; step time' "$W/seqc-llama3-8b-4l-32k-det$run.log" | cut -c1-240)" | tee -a "$S"
  pack
done
same "$W/seqc-llama3-8b-4l-32k-det1.jsonl" "$W/seqc-llama3-8b-4l-32k-det2.jsonl" "llama3-8b-4l 32K --deterministic, run 1 vs run 2"
fi
# --deterministic past one call's dP limit (128K: query chunks of 2048 rows), twice.
if has det128k; then
for run in 1 2; do
  [ "$(left)" -lt 80 ] && break
  timeout 240 "$BIN" $L/llama3-8b-4l-128k/plan.json --timeout 200 --log "$W/seqc-llama3-8b-4l-128k-det$run.jsonl" "${BENCH[@]}" --steps 2 --deterministic > "$W/seqc-llama3-8b-4l-128k-det$run.log" 2>&1
  echo "seqc llama3-8b-4l 128K --deterministic run $run: rc=$? $(grep -h 'query chunks of\|steps; step time' "$W/seqc-llama3-8b-4l-128k-det$run.log" | cut -c1-300 | tr '\n' ' ')" | tee -a "$S"
  pack
done
same "$W/seqc-llama3-8b-4l-128k-det1.jsonl" "$W/seqc-llama3-8b-4l-128k-det2.jsonl" "llama3-8b-4l 128K --deterministic, run 1 vs run 2"
fi
[ "$(left)" -gt 40 ] && has profile-last && seqc32k llama3-8b-4l --profile
# A plan that does not fit: refused before allocating, naming the budget that would fit.
if has fit; then
  timeout 120 "$BIN" $L/llama3-8b-4l-256k-all/plan.json --timeout 100 --steps 2 > "$W/seqc-llama3-8b-4l-256k-all.log" 2>&1
  echo "seqc llama3-8b-4l 256K, no budget: rc=$? $(grep -h 'needs' "$W/seqc-llama3-8b-4l-256k-all.log" | cut -c1-600)" | tee -a "$S"
  pack
fi
if has longest; then
for n in 128k 256k; do
  timeout 200 "$BIN" $L/llama3-8b-4l-$n/plan.json --timeout 150 --log "$W/seqc-llama3-8b-4l-$n.jsonl" --steps 3 --lr 1e-4 --betas 0.9,0.95 --weight-decay 0.1 --grad-clip 1.0 > "$W/seqc-llama3-8b-4l-$n.log" 2>&1
  echo "seqc llama3-8b-4l $n: rc=$? $(grep -h 'steps; step time' "$W/seqc-llama3-8b-4l-$n.log" | cut -c1-240)" | tee -a "$S"
  pack
done
torch llama3-8b-4l 65536 3; torch llama3-8b-4l 65536 3 --checkpoint; torch llama3-8b-4l 131072 3 --checkpoint
fi
if has longest1b; then
  timeout 300 "$BIN" $L/llama3-1b-256k/plan.json --timeout 250 --log "$W/seqc-llama3-1b-256k.jsonl" --steps 3 --lr 1e-4 --betas 0.9,0.95 --weight-decay 0.1 --grad-clip 1.0 > "$W/seqc-llama3-1b-256k.log" 2>&1
  echo "seqc llama3-1b 256k: rc=$? $(grep -h 'steps; step time\|error' "$W/seqc-llama3-1b-256k.log" | cut -c1-400)" | tee -a "$S"
  pack
  torch llama3-1b 65536 3 --checkpoint; torch llama3-1b 131072 3 --checkpoint
fi
# Offloaded activations (pinned host memory, a copy stream) against recomputation alone: the 8B
# shape at 256K under an 80 GiB budget, two steps each, the same losses within bf16 rounding.
if has offload; then
loop llama-sdpa-offload $L/llama-sdpa-offload --steps 30 --weights $L/llama-sdpa/weights.safetensors "${REF[@]}"
"$PY" bench/cuda/loss_curve.py "$W/loop-llama-sdpa-offload.jsonl" $L/llama-sdpa/train_ref.json --tol 1e-3 --name "llama-sdpa f32 with offloaded activations" | tee -a "$S"
timeout 60 "$BIN" $L/llama-sdpa-offload/step/plan.json --check-against-cpu --timeout 50 > "$W/check-llama-sdpa-offload.log" 2>&1
echo "check llama-sdpa-offload: rc=$? $(grep -h 'PASS\|FAIL' "$W/check-llama-sdpa-offload.log" | head -3 | cut -c1-200 | tr '\n' ' ')" | tee -a "$S"
for v in 256k 256k-offload; do
  [ "$(left)" -lt 90 ] && break
  timeout 200 "$BIN" $L/llama3-8b-4l-$v/plan.json --timeout 150 --log "$W/seqc-llama3-8b-4l-$v.jsonl" --steps 2 --lr 1e-4 --betas 0.9,0.95 --weight-decay 0.1 --grad-clip 1.0 > "$W/seqc-llama3-8b-4l-$v.log" 2>&1
  echo "seqc llama3-8b-4l $v: rc=$? $(grep -h 'memory per rank\|steps; step time\|error' "$W/seqc-llama3-8b-4l-$v.log" | cut -c1-300 | tr '\n' ' ')" | tee -a "$S"
  pack
done
"$PY" bench/cuda/loss_curve.py "$W/seqc-llama3-8b-4l-256k-offload.jsonl" --against "$W/seqc-llama3-8b-4l-256k.jsonl" --within 5e-3 \
  --name "the 8B shape at 256K, offloads against recomputation alone" | tee -a "$S"
fi
echo "done in $((SECONDS - t0))s" | tee -a "$S"
pack
