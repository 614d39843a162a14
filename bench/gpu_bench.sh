#!/usr/bin/env bash
# seqc vs PyTorch peers on the same GPUs, in ONE device call (nothing is built on the device).
#
# Prepare here (development machine, from the repository root):
#   bash bench/gpu_bench.sh prepare
# which builds seqc-run (release), compiles the Llama-3-8B attention and layer plans at 32K and
# 128K for 1 and 2 devices (auto strategy) into .device/bench/plans/NAME/ with the cost model's
# report (predicted_step_ms), and copies ../shared/anchors/torch_peers.py into .device/bench/.
# Then on 2 × H200 (the `run` tool, kind nvidia-h200-x2, carry [".device"]):
#   export NCCL_NVLS_ENABLE=0; OUT=$OUT bash bench/gpu_bench.sh run
# Writes $OUT/bench/{seqc-*.log,peers-*.json,table.md} and prints the table.
#   SEQC_BENCH_SIZES="32k 128k" (default) limits the sizes; SEQC_BENCH_ITERS (default 6) sets
#   seqc's iterations; the time reported is the median of runs 2..N (each run starts after a
#   barrier over the ranks; the slower rank's time is shown), as torch's is a median after warm-up.
set -u
mode=${1:-run}
SIZES=${SEQC_BENCH_SIZES:-32k 128k}

if [ "$mode" = prepare ]; then
  set -e
  CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/cuda-target} cargo build --release -p seq-runtime --bin seqc-run
  mkdir -p .device/bench/plans
  cp "${CARGO_TARGET_DIR:-/tmp/cuda-target}/release/seqc-run" .device/seqc-run
  cp ../shared/anchors/torch_peers.py .device/bench/torch_peers.py
  for w in attention layer; do for s in $SIZES; do for n in 1 2; do
    d=.device/bench/plans/$w-$s-$n
    ./target/debug/seqc compile "examples/bench/llama3-8b-$w-$s.mlir" --devices "$n" -o "$d" > "$d.compile.txt" 2>&1 \
      || { cat "$d.compile.txt"; exit 1; }
    ./target/debug/seqc compile "examples/bench/llama3-8b-$w-$s.mlir" --devices "$n" --emit json > "$d/emit.json"
  done; done; done
  ls .device/bench/plans
  exit 0
fi

source "$(dirname "$0")/cuda/env.sh"
OUT=${OUT:-/tmp/seqc-bench}
R=$OUT/bench
mkdir -p "$R"
ITERS=${SEQC_BENCH_ITERS:-6}
TORCHRUN=${TORCHRUN:-$(command -v torchrun || echo /opt/torch/.venv/bin/torchrun)}
{ date -u; nvidia-smi -L; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; } > "$R/machine.txt" 2>&1
cat "$R/machine.txt"

seqs=""
for s in $SIZES; do case $s in 32k) seqs="$seqs 32768";; 128k) seqs="$seqs 131072";; esac; done

# The peers first (they leave nothing behind on the GPUs).
for what in attn layer; do
  t0=$SECONDS
  timeout 240 "$TORCHRUN" --nproc-per-node 2 .device/bench/torch_peers.py --what $what --mode fwd \
    --seq $seqs --out "$R/peers-$what.json" > "$R/peers-$what.log" 2>&1
  echo "torch peers $what: rc=$? in $((SECONDS - t0))s"
  tail -n 8 "$R/peers-$what.log"
done

run_seqc() {  # name plan nproc iters [env...]
  local name=$1 plan=$2 n=$3 iters=$4; shift 4
  local t0=$SECONDS
  env "$@" timeout 300 "$BIN" "$plan" --nproc "$n" --iters "$iters" --timeout 280 > "$R/seqc-$name.log" 2>&1
  echo "seqc $name: rc=$? iters=$iters wall=$((SECONDS - t0))s"
  grep -h "attention:\|ms GPU time\|error" "$R/seqc-$name.log" | head -n 6
}
for w in attention layer; do for s in $SIZES; do for n in 1 2; do
  name=$w-$s-$n
  plan=.device/bench/plans/$name/plan.json
  [ -f "$plan" ] || { echo "$name: no plan"; continue; }
  run_seqc "$name" "$plan" "$n" "$ITERS"
done; done; done

python3 - "$R" "$SIZES" <<'EOF'
import json, re, sys, os, glob
R, sizes = sys.argv[1], sys.argv[2].split()
S = {"32k": 32768, "128k": 131072}
def seqc(name):
    try: t = open(f"{R}/seqc-{name}.log").read()
    except OSError: return None, None
    ms = [float(x) for x in re.findall(r"in ([0-9.]+) ms GPU time", t)]
    mem = [int(x) for x in re.findall(r"in use on the device \(cuMemGetInfo\): ([0-9]+) B", t)]
    alloc = [int(x) for x in re.findall(r"allocated by seqc-run: ([0-9]+) B", t)]
    return (max(ms) if ms else None), (max(alloc) / 2**30 if alloc else None)
def predicted(name):
    try: return json.load(open(f".device/bench/plans/{name}/emit.json"))["predicted_step_ms"]
    except Exception: return None
peers = {}
for what in ("attn", "layer"):
    try:
        for r in json.load(open(f"{R}/peers-{what}.json")):
            if "ms" in r: peers[(what, r["S"], r["system"])] = r
    except Exception: pass
f = lambda x, d=2: "-" if x is None else f"{x:.{d}f}"
rows = ["| workload | S | seqc 1 GPU ms | seqc 2 GPU ms | torch single ms | torch ulysses ms | torch ring ms | seqc2 / ulysses | seqc2 / best peer | scaling eff. (seqc1 / 2·seqc2) | scaling eff. (torch single / 2·seqc2) | seqc peak alloc GiB/GPU (1 / 2) | torch peak GiB (single / ulysses) | predicted ms (1 / 2) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
for w, what in (("attention", "attn"), ("layer", "layer")):
    for s in sizes:
        n = S[s]
        m1, a1 = seqc(f"{w}-{s}-1"); m2, a2 = seqc(f"{w}-{s}-2")
        p = {k: peers.get((what, n, k)) for k in ("single", "ulysses", "ring")}
        pm = {k: (v["ms"] if v else None) for k, v in p.items()}
        best = min([v for k, v in pm.items() if v is not None and k != "single"], default=None)
        r = lambda a, b: None if a is None or b is None else a / b
        eff = lambda a: None if a is None or m2 is None else a / (2 * m2)
        rows.append(f"| {w} | {s} | {f(m1)} | {f(m2)} | {f(pm['single'])} | {f(pm['ulysses'])} | {f(pm['ring'])} | "
                    f"{f(r(m2, pm['ulysses']))} | {f(r(m2, best))} | {f(eff(m1))} | {f(eff(pm['single']))} | "
                    f"{f(a1)} / {f(a2)} | {f(p['single']['peak_mem_gib'] if p['single'] else None)} / "
                    f"{f(p['ulysses']['peak_mem_gib'] if p['ulysses'] else None)} | "
                    f"{f(predicted(f'{w}-{s}-1'))} / {f(predicted(f'{w}-{s}-2'))} |")
table = "\n".join(rows)
open(f"{R}/table.md", "w").write(table + "\n")
print(table)
EOF
