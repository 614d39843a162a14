#!/usr/bin/env bash
# seqc vs PyTorch peers on the same GPUs, in ONE device call (nothing is built on the device).
#
# Prepare here (development machine, from the repository root):
#   bash bench/gpu_bench.sh prepare
# which builds seqc-run (release), compiles the Llama-3-8B attention and layer plans (auto
# strategy) for every size and device count below into .device/bench/plans/WHAT-SIZE-N/ with the
# cost model's report (emit.json: predicted_step_ms), and copies ../shared/anchors/torch_peers.py
# into .device/bench/. Then on the GPU machine (the `run` tool, carry [".device"]):
#   export NCCL_NVLS_ENABLE=0; OUT=$OUT bash bench/gpu_bench.sh run
# Writes $OUT/bench/{seqc-*.log,peers-*.json,status.txt,table.md} and prints the table.
#   bash bench/gpu_bench.sh table DIR...   remakes the table from the logs of one or more runs
#     (DIR holds seqc-*.log; later DIRs win; SEQC_BENCH_TABLE=FILE also writes it); no GPU needed.
#
# Settings (the same in prepare and run):
#   SEQC_BENCH_SIZES  "32k 128k" (default); any of 32k 128k 512k 1m
#   SEQC_BENCH_GPUS   "1 2" (default): device counts; the largest is torchrun's --nproc-per-node
#                     (torch measures `single` on rank 0, ulysses and ring over all ranks)
#   SEQC_BENCH_WHAT   "attention layer" (default); either one alone splits a long job into two
#                     device calls (at 4 GPUs, 128k..1m: attention ~8 min, layer ~5 min)
#   SEQC_COMPILE_FLAGS  extra `seqc compile` flags for plans with N > 1 devices; default
#                     --sharded-io (each rank takes and returns its shard, as the peers do)
#   SEQC_BENCH_SKIP   plans not run, and torch rows not measured (default "layer-1m-1": torch's
#                     single-GPU layer at 1M needs ~154 GiB, more than an H200 has)
#   SEQC_BENCH_ITERS, SEQC_BENCH_TORCH_ITERS  override the per-size iteration counts below
#   SEQC_BENCH_BUDGET seconds the whole run may take (default: no limit): a step whose estimate
#                     does not fit in what is left is skipped ("-" in the table), and timeouts
#                     are cut to what is left
# seqc's time is the median of runs 2..N (each run starts after a barrier over the ranks; the
# slower rank's time is shown), as torch's is a median after 2 warm-ups.
set -u
mode=${1:-run}
SIZES=${SEQC_BENCH_SIZES:-32k 128k}
GPUS=${SEQC_BENCH_GPUS:-1 2}
WHAT=${SEQC_BENCH_WHAT:-attention layer}
FLAGS=${SEQC_COMPILE_FLAGS---sharded-io}   # unset: --sharded-io; set to "": no flags
SKIP=${SEQC_BENCH_SKIP:-layer-1m-1}
PLANS=${SEQC_BENCH_PLANS:-.device/bench/plans}
SEQC=${SEQC:-./target/debug/seqc}

tokens() {
  case $1 in 32k) echo 32768;; 128k) echo 131072;; 512k) echo 524288;; 1m) echo 1048576;;
    *) echo "unknown size '$1' (32k 128k 512k 1m)" >&2; return 1;; esac
}
skipped() { case " $SKIP " in *" $1 "*) return 0;; esac; return 1; }
for s in $SIZES; do tokens "$s" > /dev/null || exit 2; done
for w in $WHAT; do case $w in attention|layer) ;; *) echo "unknown workload '$w' (attention layer)" >&2; exit 2;; esac; done
MAXN=1
for n in $GPUS; do [ "$n" -gt "$MAXN" ] && MAXN=$n; done
# Device counts, largest first: the N-GPU rows are the ones that matter when time runs short.
GPUS_DESC=$(printf '%s\n' $GPUS | sort -rn | tr '\n' ' ')

if [ "$mode" = prepare ]; then
  set -e
  CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/cuda-target} cargo build --release -p seq-runtime --bin seqc-run
  mkdir -p "$PLANS" .device/bench
  cp "${CARGO_TARGET_DIR:-/tmp/cuda-target}/release/seqc-run" .device/seqc-run
  cp ../shared/anchors/torch_peers.py .device/bench/torch_peers.py
  for w in $WHAT; do for s in $SIZES; do for n in $GPUS; do
    name=$w-$s-$n d=$PLANS/$w-$s-$n
    if skipped "$name"; then echo "$name: skipped (SEQC_BENCH_SKIP)"; continue; fi
    flags=()
    [ "$n" -gt 1 ] && read -ra flags <<< "$FLAGS"
    # A plan left from a compile with other flags must not survive a failed one.
    rm -rf "$d" "$d.compile.txt"
    "$SEQC" compile "examples/bench/llama3-8b-$w-$s.mlir" --devices "$n" "${flags[@]}" -o "$d" > "$d.compile.txt" 2>&1 \
      || { cat "$d.compile.txt"; exit 1; }
    "$SEQC" compile "examples/bench/llama3-8b-$w-$s.mlir" --devices "$n" "${flags[@]}" --emit json > "$d/emit.json"
    echo "${flags[*]}" > "$d/flags.txt"
    echo "$name: $(grep -ho "predicted step: [0-9.]* ms" "$d.compile.txt") flags=[${flags[*]}]"
  done; done; done
  exit 0
fi

# The table: one row per workload, size and device count N > 1 (or N = 1 when that is all),
# from whatever logs exist; a missing figure is "-" and the reason is listed under the table.
make_table() {  # OUT_FILE|"" DIR...
  python3 - "$PLANS" "$SIZES" "$GPUS" "$WHAT" "$@" <<'EOF'
import json, re, sys, os, glob
plans, sizes, gpus, what, out, dirs = sys.argv[1], sys.argv[2].split(), [int(g) for g in sys.argv[3].split()], sys.argv[4].split(), sys.argv[5], sys.argv[6:]
S = {"32k": 32768, "128k": 131072, "512k": 524288, "1m": 1048576}
def seqc(name):
    ms = alloc = None
    for d in dirs:
        try: t = open(f"{d}/seqc-{name}.log", errors="replace").read()
        except OSError: continue
        m = [float(x) for x in re.findall(r"in ([0-9.]+) ms GPU time", t)]
        a = [int(x) for x in re.findall(r"allocated by seqc-run: ([0-9]+) B", t)]
        if m: ms, alloc = max(m), (max(a) / 2**30 if a else None)
    return ms, alloc
def predicted(name):
    try: return json.load(open(f"{plans}/{name}/emit.json"))["predicted_step_ms"]
    except Exception: return None
def flags(name):
    try: return open(f"{plans}/{name}/flags.txt").read().strip()
    except OSError: return None
peers, errors, status = {}, {}, {}
for d in dirs:
    for fn in sorted(glob.glob(f"{d}/peers-*.json")):
        try: rows = json.load(open(fn))
        except Exception as e: errors[fn] = f"{os.path.basename(fn)}: unreadable ({e})"; continue
        for r in rows:
            key = (r.get("what"), r.get("S"), r.get("system"))
            if "ms" in r: peers[key + (r.get("gpus"),)] = r; errors.pop(key, None)
            elif not any(k[:3] == key for k in peers):
                err = (r.get("error") or "").strip().splitlines()
                errors[key] = f"torch {r.get('what')} S={r.get('S')} {r.get('system')}: {err[-1] if err else 'no time'}"
    try:
        # Runs merged: a step that succeeded in any of them counts as done.
        for line in open(f"{d}/status.txt"):
            p = line.rstrip("\n").split("\t")
            if len(p) >= 3 and status.get((p[0], p[1]), ["?"])[0] != "ok": status[(p[0], p[1])] = p[2:]
    except OSError: pass
f = lambda x, d=2: "-" if x is None else f"{x:.{d}f}"
pct = lambda x: "-" if x is None else f"{x * 100:+.0f}%"
div = lambda a, b: None if a is None or b is None or b == 0 else a / b
Ns = [n for n in gpus if n > 1] or [max(gpus)]
rows = ["| workload | S | N | seqc 1 GPU ms | seqc N GPUs ms | torch single ms | torch ulysses ms | torch ring ms "
        "| seqcN / best peer | eff. torch single / (N·seqcN) | eff. seqc1 / (N·seqcN) "
        "| seqc peak alloc GiB/GPU (1 / N) | torch ulysses peak GiB | predicted ms (1 / N) | model error (1 / N) | targets |",
        "|" + "---|" * 16]
used_flags = set()
for w in what:
    tw = "attn" if w == "attention" else "layer"
    for s in sizes:
        n_tok = S[s]
        m1, a1 = seqc(f"{w}-{s}-1")
        p1 = predicted(f"{w}-{s}-1")
        single = peers.get((tw, n_tok, "single", 1))
        for N in Ns:
            name = f"{w}-{s}-{N}"
            mN, aN = seqc(name) if N > 1 else (m1, a1)
            pN = predicted(name)
            if N > 1 and flags(name) is not None: used_flags.add(flags(name) or "(none)")
            uly, ring = peers.get((tw, n_tok, "ulysses", N)), peers.get((tw, n_tok, "ring", N))
            best = min([r["ms"] for r in (uly, ring) if r], default=None)
            ms = lambda r: r["ms"] if r else None
            ratio = div(mN, best)
            e1, eN = div(p1, m1), div(pN, mN)
            e1 = None if e1 is None else e1 - 1
            eN = None if eN is None else eN - 1
            speed = "-" if ratio is None else ("ok" if ratio <= 0.95 else "MISS")
            errs = [e for e in (e1, eN) if e is not None]
            model = "-" if not errs else ("ok" if all(abs(e) <= 0.15 for e in errs) else "MISS")
            rows.append(f"| {w} | {s} | {N} | {f(m1)} | {f(mN)} | {f(ms(single))} | {f(ms(uly))} | {f(ms(ring))} "
                        f"| {f(ratio, 3)} | {f(div(ms(single), None if mN is None else N * mN))} | {f(div(m1, None if mN is None else N * mN))} "
                        f"| {f(a1)} / {f(aN)} | {f(uly['peak_mem_gib'] if uly else None)} | {f(p1)} / {f(pN)} | {pct(e1)} / {pct(eN)} "
                        f"| speed ≤0.95: {speed}; model ±15%: {model} |")
notes = [f"{k[0]} {k[1]}: {' '.join(v)}" for k, v in sorted(status.items()) if v[0] != "ok"] + list(errors.values())
table = "\n".join(rows)
if used_flags: table += "\n\nN-GPU plans compiled with: " + ", ".join(sorted(used_flags))
if notes: table += "\n\nMissing or failed:\n" + "\n".join(f"- {n}" for n in notes)
if out: open(out, "w").write(table + "\n")
print(table)
EOF
}

if [ "$mode" = table ]; then
  shift
  [ $# -gt 0 ] || set -- "${OUT:-/tmp/seqc-bench}/bench"
  make_table "${SEQC_BENCH_TABLE:-}" "$@"
  exit
fi

source "$(dirname "$0")/cuda/env.sh"
OUT=${OUT:-/tmp/seqc-bench}
R=$OUT/bench
mkdir -p "$R"
: > "$R/status.txt"
TORCHRUN=${TORCHRUN:-$(command -v torchrun || echo /opt/torch/.venv/bin/torchrun)}
BUDGET=${SEQC_BENCH_BUDGET:-0}
RESERVE=15   # seconds kept for the table
start=$SECONDS
{ date -u; nvidia-smi -L; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; } > "$R/machine.txt" 2>&1
cat "$R/machine.txt"
echo "sizes=[$SIZES] gpus=[$GPUS] what=[$WHAT] budget=${BUDGET}s skip=[$SKIP]"

# Iterations per size: enough runs for a median where a run is short, few where one run of the
# single-GPU attention takes 4 s (512K) or 16 s (1M) on an H200.
params() {  # size -> IT1 (seqc, 1 GPU), ITN (seqc, N GPUs), ITT (torch timed runs after 2 warm-ups)
  case $1 in
    32k|128k) IT1=6 ITN=6 ITT=5;;
    512k) IT1=3 ITN=5 ITT=3;;
    1m) IT1=2 ITN=4 ITT=2;;
  esac
  IT1=${SEQC_BENCH_ITERS:-$IT1} ITN=${SEQC_BENCH_ITERS:-$ITN} ITT=${SEQC_BENCH_TORCH_ITERS:-$ITT}
}
# Estimated seconds, from cuDNN causal attention at ~600 TFLOP/s on one H200 (15.6 s at 1M, grows
# with S^2), the rest of the layer (~0.8 s at 1M on one GPU, grows with S), and process start
# plus host-side inputs (every seqc-run rank makes the global inputs in f32, then keeps its rows:
# up to ~35 s at 1M).
est_seqc() {  # what size n iters
  awk -v w="$1" -v t="$(tokens "$2")" -v n="$3" -v it="$4" 'BEGIN { f = t / 1048576
    step = (15.6 * f * f + (w == "layer" ? 0.8 * f : 0)) / n * (n > 1 ? 1.1 : 1)
    printf "%d\n", 10 + 35 * f + it * step + 0.999 }'
}
est_torch() {  # what "sizes" n iters systems...
  local w=$1 toks="" n=$3 it=$4 s
  for s in $2; do toks="$toks $(tokens "$s")"; done
  shift 4
  awk -v w="$w" -v toks="$toks" -v n="$n" -v it="$it" -v sys="$*" 'BEGIN { k = split(sys, a, " "); m = split(toks, t, " ")
    tot = 0
    for (j = 1; j <= m; j++) { f = t[j] / 1048576; one = 15.6 * f * f + (w == "layer" ? 0.8 * f : 0)
      for (i = 1; i <= k; i++) tot += (a[i] == "single" ? one : one / n * 1.15) }
    printf "%d\n", 30 + (2 + it) * tot + 0.999 }'
}
left() { if [ "$BUDGET" -gt 0 ]; then echo $((BUDGET - (SECONDS - start) - RESERVE)); else echo 100000; fi; }
# Timeout for a step estimated at $1 s: twice the estimate plus a margin, within what is left;
# prints nothing when even the estimate does not fit.
timeout_for() {
  local est=$1 l
  l=$(left)
  [ "$l" -lt "$est" ] && return 1
  local to=$((2 * est + 30))
  [ "$to" -gt "$l" ] && to=$l
  echo "$to"
}
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$R/status.txt"; }
why_failed() {  # rc log -> status text
  local rc=$1 log=$2
  case $rc in
    0) echo ok;;
    124|137) echo "timeout (rc=$rc)";;
    *) if grep -qi "out of memory\|OUT_OF_MEMORY\|OutOfMemoryError" "$log"; then echo "OOM (rc=$rc)"
       else echo "failed (rc=$rc): $(grep -hi "error" "$log" | head -1 | cut -c1-160)"; fi;;
  esac
}

systems_for() {  # what size -> the peers' systems
  local w=$1 s=$2
  skipped "$w-$s-1" || printf 'single '
  printf 'ulysses'
  [ "$w" = attention ] && printf ' ring'   # the script measures ring for attention only
  echo
}
peers() {  # what "sizes": one torchrun for sizes with the same systems (it starts in ~20 s)
  local w=$1 s sys done_sys=""
  for s in $2; do
    sys=$(systems_for "$w" "$s")
    case "|$done_sys|" in *"|$sys|"*) continue;; esac
    done_sys="$done_sys|$sys"
    local group=""
    for s2 in $2; do [ "$(systems_for "$w" "$s2")" = "$sys" ] && group="$group $s2"; done
    peers_one "$w" "${group# }" $sys
  done
}
peers_one() {  # what "sizes" systems...
  local w=$1 sizes=$2 tw name seqs=() s; shift 2
  local systems=("$@")
  tw=$([ "$w" = attention ] && echo attn || echo layer)
  name=$tw-${sizes// /_}
  for s in $sizes; do seqs+=("$(tokens "$s")"); done
  local est to t0=$SECONDS
  est=$(est_torch "$w" "$sizes" "$MAXN" "$ITT" "${systems[*]}")
  if ! to=$(timeout_for "$est"); then
    echo "torch peers $name: skipped, needs ~${est}s, $(left)s left"; record peers "$name" "no time (needs ~${est}s)"; return
  fi
  timeout "$to" "$TORCHRUN" --nproc-per-node "$MAXN" .device/bench/torch_peers.py --what "$tw" --mode fwd \
    --seq "${seqs[@]}" --systems "${systems[@]}" --iters "$ITT" --out "$R/peers-$name.json" > "$R/peers-$name.log" 2>&1
  local rc=$?
  echo "torch peers $name [${systems[*]}] iters=$ITT: rc=$rc in $((SECONDS - t0))s (est ${est}s, timeout ${to}s)"
  record peers "$name" "$(why_failed "$rc" "$R/peers-$name.log")"
  grep -h '^{' "$R/peers-$name.log" | cut -c1-200
  [ $rc -ne 0 ] && tail -n 5 "$R/peers-$name.log"
}

run_seqc() {  # what size n iters [env...]
  local w=$1 s=$2 n=$3 iters=$4; shift 4
  local name=$w-$s-$n plan=$PLANS/$w-$s-$n/plan.json
  if skipped "$name"; then record seqc "$name" "skip (SEQC_BENCH_SKIP)"; return; fi
  if [ ! -f "$plan" ]; then echo "$name: no plan"; record seqc "$name" "no plan"; return; fi
  local est to t0=$SECONDS
  est=$(est_seqc "$w" "$s" "$n" "$iters")
  if ! to=$(timeout_for "$est"); then
    echo "seqc $name: skipped, needs ~${est}s, $(left)s left"; record seqc "$name" "no time (needs ~${est}s)"; return
  fi
  # seqc-run's own deadline comes first, so it names the step that hung.
  env "$@" timeout "$to" "$BIN" "$plan" --nproc "$n" --iters "$iters" --timeout $((to > 40 ? to - 20 : to)) > "$R/seqc-$name.log" 2>&1
  local rc=$?
  echo "seqc $name: rc=$rc iters=$iters wall=$((SECONDS - t0))s (est ${est}s, timeout ${to}s)"
  record seqc "$name" "$(why_failed "$rc" "$R/seqc-$name.log")"
  grep -m1 -h "attention:" "$R/seqc-$name.log"
  grep -h "ms GPU time\|error" "$R/seqc-$name.log" | head -n 8
}

# Size by size (sizes with the same torch iterations together: 32k and 128k), so that a run cut
# short keeps its smaller sizes whole; the peers first, then seqc from the most devices down.
groups=() prev=""
for s in $SIZES; do
  params "$s"
  if [ "$ITT" = "$prev" ]; then groups[-1]="${groups[-1]} $s"; else groups+=("$s"); fi
  prev=$ITT
done
for g in "${groups[@]}"; do
  params "${g%% *}"
  for w in $WHAT; do
    peers "$w" "$g"
    for s in $g; do
      params "$s"
      for n in $GPUS_DESC; do
        run_seqc "$w" "$s" "$n" "$([ "$n" -gt 1 ] && echo "$ITN" || echo "$IT1")"
      done
    done
  done
done
echo "bench done in $((SECONDS - start))s"
make_table "$R/table.md" "$R"
