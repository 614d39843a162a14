"""How the fused attention kernel's rate depends on how one long causal call is cut.

One rank's attention after a Ulysses all-to-all at S tokens is one causal call over S keys. This
times that call against the same work cut into C-token chunks, each result computed exactly
(the merge of partial results is not timed here; it is memory-bound and small):
  whole        one causal S x S call
  key-chunks   for each key chunk j: its C x C causal diagonal, and every later query against it
               (one unmasked call of S - (j+1)C rows x C keys)
  query-chunks for each query chunk i: its diagonal, and one unmasked call of C rows against the
               i*C keys before it
SM clock and power are sampled while each variant runs (a long run may be clock-bound).

  python bench/cuda/attention_blocking.py --seq 131072 1048576 --heads 8 --kv-heads 2
"""
import argparse, json, subprocess, threading, time
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

p = argparse.ArgumentParser()
p.add_argument("--seq", type=int, nargs="+", default=[131072, 524288, 1048576])
p.add_argument("--heads", type=int, default=8)
p.add_argument("--kv-heads", type=int, default=8)
p.add_argument("--head-dim", type=int, default=128)
p.add_argument("--chunks", type=int, nargs="+", default=[32768, 65536, 131072])
p.add_argument("--iters", type=int, default=2)
p.add_argument("--out", default=None)
a = p.parse_args()


class Clock:
    """Samples SM clock (MHz) and power (W) of GPU 0 every 100 ms while active."""

    def __init__(self):
        self.samples, self.on, self.stop = [], False, False
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while not self.stop:
            if self.on:
                try:
                    q = subprocess.run(["nvidia-smi", "-i", "0", "--query-gpu=clocks.sm,power.draw",
                                        "--format=csv,noheader,nounits"], capture_output=True, text=True, timeout=5)
                    mhz, w = (float(x) for x in q.stdout.strip().split(","))
                    self.samples.append((mhz, w))
                except Exception:
                    pass
            time.sleep(0.1)

    def window(self):
        s, self.samples = self.samples, []
        if not s:
            return None, None
        return round(sum(x[0] for x in s) / len(s)), round(sum(x[1] for x in s) / len(s))


clock = Clock()
dev, dt, D = torch.device("cuda", 0), torch.bfloat16, a.head_dim
gqa = a.heads != a.kv_heads


def sdpa(q, k, v, causal):
    return F.scaled_dot_product_attention(q, k, v, is_causal=causal, enable_gqa=gqa)


def timeit(fn):
    fn()
    torch.cuda.synchronize()
    clock.window()
    clock.on = True
    ts = []
    for _ in range(a.iters):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record(); fn(); e.record(); torch.cuda.synchronize(); ts.append(s.elapsed_time(e))
    clock.on = False
    ts.sort()
    return ts[len(ts) // 2], *clock.window()


rows = []
for S in a.seq:
    torch.manual_seed(0)
    q = torch.randn(1, a.heads, S, D, device=dev, dtype=dt)
    k = torch.randn(1, a.kv_heads, S, D, device=dev, dtype=dt)
    v = torch.randn(1, a.kv_heads, S, D, device=dev, dtype=dt)
    flops = 2 * S * S * a.heads * D

    def whole():
        sdpa(q, k, v, True)

    variants = [("whole", 0, whole)]
    for C in a.chunks:
        if C >= S or S % C:
            continue
        n = S // C

        def key_chunks(C=C, n=n):
            for j in range(n):
                ks, vs = k[:, :, j * C:(j + 1) * C], v[:, :, j * C:(j + 1) * C]
                sdpa(q[:, :, j * C:(j + 1) * C], ks, vs, True)
                if j + 1 < n:
                    sdpa(q[:, :, (j + 1) * C:], ks, vs, False)

        def query_chunks(C=C, n=n):
            for i in range(n):
                qs = q[:, :, i * C:(i + 1) * C]
                sdpa(qs, k[:, :, i * C:(i + 1) * C], v[:, :, i * C:(i + 1) * C], True)
                if i:
                    sdpa(qs, k[:, :, :i * C], v[:, :, :i * C], False)

        variants += [("key-chunks", C, key_chunks), ("query-chunks", C, query_chunks)]
    for name, C, fn in variants:
        with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
            try:
                ms, mhz, w = timeit(fn)
                r = dict(S=S, variant=name, chunk=C, ms=round(ms, 2), tflops=round(flops / ms / 1e9, 1), sm_mhz=mhz, watts=w)
            except Exception as e:
                r = dict(S=S, variant=name, chunk=C, error=str(e)[-200:])
        print(json.dumps(r), flush=True)
        rows.append(r)
    del q, k, v
    torch.cuda.empty_cache()
clock.stop = True
if a.out:
    with open(a.out, "w") as f:
        json.dump(rows, f, indent=1)
