"""seqc's decoder layer on GPUs against PyTorch on identical weights and inputs (large shapes).

Run on the GPU machine from the repository root, after `bash bench/gpu_bench.sh prepare` here
(it leaves .device/seqc-run and the Llama-3-8B layer plans in .device/bench/plans/):
    python3 bench/cuda/torch_check.py --plan .device/bench/plans/layer-32k-2/plan.json --out $OUT
Draws random bf16 weights (named as the plan's parameters) and hidden states, runs the plan with
seqc-run (--weights, --input, --output), and computes the same layer in PyTorch twice: in fp32
from the same bf16 values (the reference) and in bf16 as a PyTorch user would run it. Prints
the relative errors (max and mean |difference| over the reference's largest magnitude, as
seqc-run --check-against-cpu does) against the bf16 bars 1e-2 / 2e-3; exit 1 on a failure.
"""
import argparse, json, os, struct, subprocess, sys, time
import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

ap = argparse.ArgumentParser()
ap.add_argument("--plan", required=True)
ap.add_argument("--out", default="/tmp/seqc-torch-check")
ap.add_argument("--bin", default=".device/seqc-run")
a = ap.parse_args()
os.makedirs(a.out, exist_ok=True)
plan = json.load(open(a.plan))
dev = "cuda"
params = {}
for s in plan["steps"]:
    if s["op"] == "param":
        params[s["attrs"]["name"]] = plan["values"][s["results"][0]]["shape"]
attrs = {s["op"]: s.get("attrs", {}) for s in plan["steps"]}
x_desc = plan["values"][plan["inputs"][0]]
S, HID = x_desc["shape"]
if plan.get("sharded_io"):  # each rank's argument holds its rows; --input takes the whole sequence
    S = plan["sharded_io"]["global_size"]
att = attrs.get("attention_partial") or attrs.get("attention")
H, KV, D = att["num_heads"], att["num_kv_heads"], att["head_dim"]
theta, eps = attrs["rope"]["theta"], attrs["rms_norm"]["eps"]

torch.manual_seed(0)
W = {}
for name, shape in sorted(params.items()):
    if len(shape) == 1:
        W[name] = (1.0 + 0.1 * torch.randn(shape, device=dev)).to(torch.bfloat16)
    else:
        W[name] = (torch.randn(shape, device=dev) / shape[1] ** 0.5).to(torch.bfloat16)
x = (torch.rand(S, HID, device=dev) * 2 - 1).to(torch.bfloat16)

# safetensors: 8-byte header length, JSON header, raw little-endian data.
header, blobs, off = {}, [], 0
for name, t in W.items():
    b = t.contiguous().view(torch.int16).cpu().numpy().tobytes()
    header[name] = {"dtype": "BF16", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
    blobs.append(b)
    off += len(b)
hb = json.dumps(header).encode()
hb += b" " * (-len(hb) % 8)
with open(f"{a.out}/w.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(hb)))
    f.write(hb)
    for b in blobs:
        f.write(b)
np.save(f"{a.out}/x.npy", x.float().cpu().numpy())

t0 = time.time()
r = subprocess.run([a.bin, a.plan, "--nproc", str(plan["devices"]), "--weights", f"{a.out}/w.safetensors",
                    "--input", f"{a.out}/x.npy", "--output", f"{a.out}/y.npy", "--timeout", "280"],
                   capture_output=True, text=True)
print(f"seqc-run: rc={r.returncode} in {time.time() - t0:.0f}s")
if r.returncode != 0:
    print(r.stdout[-3000:], r.stderr[-3000:])
    sys.exit(1)
got = torch.from_numpy(np.load(f"{a.out}/y.npy")).to(dev)

def layer(x, dt):
    w = {k: v.to(dt) for k, v in W.items()}
    p = lambda n: w[f"model.layers.0.{n}.weight"]
    x = x.to(dt)
    def rms(t, g):
        v = t.float()
        return (v * torch.rsqrt(v.pow(2).mean(-1, keepdim=True) + eps)).to(dt) * g
    pos = torch.arange(S, device=dev, dtype=torch.float64)
    inv = theta ** (-torch.arange(0, D // 2, device=dev, dtype=torch.float64) * 2 / D)
    ang = pos[:, None] * inv[None]
    cos, sin = ang.cos().to(dt)[:, None, :], ang.sin().to(dt)[:, None, :]
    def rope(t, heads):
        t = t.view(S, heads, D)
        t1, t2 = t[..., : D // 2], t[..., D // 2:]
        return torch.cat([t1 * cos - t2 * sin, t2 * cos + t1 * sin], -1)
    h = rms(x, p("input_layernorm"))
    q, k, v = h @ p("self_attn.q_proj").T, h @ p("self_attn.k_proj").T, h @ p("self_attn.v_proj").T
    q, k, v = rope(q, H), rope(k, KV), v.view(S, KV, D)
    rep = H // KV
    q, k, v = (t.transpose(0, 1)[None] for t in (q, k, v))
    if dt == torch.float32:
        k, v = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
        with sdpa_kernel(SDPBackend.EFFICIENT_ATTENTION):
            o = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=att["scale"])
    else:
        o = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=att["scale"], enable_gqa=True)
    o = o[0].transpose(0, 1).reshape(S, H * D)
    x = x + o @ p("self_attn.o_proj").T
    h = rms(x, p("post_attention_layernorm"))
    return x + (F.silu(h @ p("mlp.gate_proj").T) * (h @ p("mlp.up_proj").T)) @ p("mlp.down_proj").T

def compare(y, ref):
    ref = ref.float()
    d = (y.float() - ref).abs()
    scale = ref.abs().max().item()
    return d.max().item() / scale, d.mean().item() / scale

with torch.no_grad():
    ref = layer(x, torch.float32)
    ours = compare(got, ref)
    theirs = compare(layer(x, torch.bfloat16), ref)
ok = ours[0] <= 1e-2 and ours[1] <= 2e-3 and all(np.isfinite(ours))
print(f"layer S={S} on {plan['devices']} GPU(s): seqc vs fp32 PyTorch: max rel {ours[0]:.3e}, mean rel {ours[1]:.3e} "
      f"(bars 1e-2 / 2e-3): {'PASS' if ok else 'FAIL'}; PyTorch bf16 vs fp32: max rel {theirs[0]:.3e}, mean rel {theirs[1]:.3e}")
for f in ("w.safetensors", "x.npy", "y.npy"):
    os.remove(f"{a.out}/{f}")
sys.exit(0 if ok else 1)
