"""Compares a training log (JSON lines: step, loss, ...) with PyTorch's losses in train_ref.json.

  python3 bench/cuda/loss_curve.py LOG.jsonl train_ref.json --tol 1e-3 [--name NAME]
  python3 bench/cuda/loss_curve.py A.jsonl --against B.jsonl [--within X]   # two seqc logs: bit for
                                                                             # bit, or within X relative

Prints one line: the worst relative difference over the steps and PASS or FAIL against --tol."""
import argparse, json

p = argparse.ArgumentParser()
p.add_argument("log")
p.add_argument("ref", nargs="?")
p.add_argument("--against", help="another seqc log: the losses must be identical")
p.add_argument("--tol", type=float, default=1e-3)
p.add_argument("--within", type=float, default=0.0, help="with --against: the relative difference allowed")
p.add_argument("--name", default=None)
a = p.parse_args()
got = [json.loads(l) for l in open(a.log) if l.strip()]
if a.against:
    other = {r["step"]: r["loss"] for r in (json.loads(l) for l in open(a.against) if l.strip())}
    rel = lambda x, y: abs(x - y) / max(abs(y), 1e-30)
    diff = [r["step"] for r in got if r["step"] not in other or rel(r["loss"], other[r["step"]]) > a.within]
    worst = max((rel(r["loss"], other[r["step"]]) for r in got if r["step"] in other), default=0.0)
    identical = sum(other.get(r["step"]) == r["loss"] for r in got)
    same = len(got) == len(other) and not diff
    print(f"{a.name or a.log}: {len(got)} steps vs {len(other)}; {identical} identical, worst relative difference "
          f"{worst:.2e} (allowed {a.within:g}){'' if same else f'; beyond at steps {diff[:5]}'}: {'PASS' if same else 'FAIL'}")
    raise SystemExit(0 if same else 1)
want = json.load(open(a.ref))["losses"]
worst, at = 0.0, 0
for r in got:
    w = want[r["step"] - 1]
    e = abs(r["loss"] - w) / abs(w)
    if e > worst:
        worst, at = e, r["step"]
ok = len(got) == len(want) and worst <= a.tol
print(f"{a.name or a.log}: {len(got)}/{len(want)} steps, worst relative difference {worst:.2e} at step {at} "
      f"(step {len(got)}: {got[-1]['loss']:.6f} vs PyTorch {want[len(got) - 1]:.6f}; limit {a.tol:g}): {'PASS' if ok else 'FAIL'}")
raise SystemExit(0 if ok else 1)
