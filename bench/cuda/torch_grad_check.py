"""seqc's decoder-layer training step (a vector-Jacobian step: `seqc compile LAYER --train`) on the
GPU against PyTorch's autograd on identical weights, inputs and output gradient.

Run on the GPU machine from the repository root:
    python3 bench/cuda/torch_grad_check.py --plan .device/train/vjp-layer-32k/plan.json --out $OUT
Draws random bf16 weights (named as the plan's parameters), hidden states and an output gradient,
runs the plan with seqc-run (--weights, --input, --output-grad, --output X.safetensors), and
computes the same layer's output, input gradient and weight gradients in PyTorch twice: in fp32
from the same bf16 values (the reference) and in bf16 as a PyTorch user would. Prints, per tensor,
the relative errors (max and mean |difference| over the reference's largest magnitude) against the
bf16 bars 1e-2 / 2e-3; exit 1 on a failure.
"""
import argparse, json, os, struct, subprocess, sys, time
import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

ap = argparse.ArgumentParser()
ap.add_argument("--plan", required=True)
ap.add_argument("--out", default="/tmp/seqc-torch-grad-check")
ap.add_argument("--bin", default=".device/seqc-run")
a = ap.parse_args()
os.makedirs(a.out, exist_ok=True)
plan = json.load(open(a.plan))
dev = "cuda"
params = {s["attrs"]["name"]: plan["values"][s["results"][0]]["shape"] for s in plan["steps"] if s["op"] == "param"}
attrs = {s["op"]: s.get("attrs", {}) for s in plan["steps"]}
S, HID = plan["values"][plan["inputs"][0]]["shape"]
att = attrs["attention"]
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
dy = torch.randn(S, HID, device=dev).to(torch.bfloat16)

def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        b = t.contiguous().view(torch.int16).cpu().numpy().tobytes()
        header[name] = {"dtype": "BF16", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    hb = json.dumps(header).encode()
    hb += b" " * (-len(hb) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)

def read_safetensors_f32(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        lo, hi = h["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[lo:hi], dtype=np.float32).reshape(h["shape"]).copy())
    return out

write_safetensors(f"{a.out}/w.safetensors", W)
np.save(f"{a.out}/x.npy", x.float().cpu().numpy())
np.save(f"{a.out}/dy.npy", dy.float().cpu().numpy())
t0 = time.time()
r = subprocess.run([a.bin, a.plan, "--weights", f"{a.out}/w.safetensors", "--input", f"{a.out}/x.npy",
                    "--output-grad", f"{a.out}/dy.npy", "--output", f"{a.out}/got.safetensors", "--timeout", "280"],
                   capture_output=True, text=True)
print(f"seqc-run: rc={r.returncode} in {time.time() - t0:.0f}s")
if r.returncode != 0:
    print(r.stdout[-3000:], r.stderr[-3000:])
    sys.exit(1)
got = read_safetensors_f32(f"{a.out}/got.safetensors")

def step(dt):
    """The layer's output, input gradient and weight gradients by autograd in `dt`."""
    w = {k: v.to(dt).requires_grad_() for k, v in W.items()}
    p = lambda n: w[f"model.layers.0.{n}.weight"]
    x0 = x.to(dt).requires_grad_()
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
    h = rms(x0, p("input_layernorm"))
    q, k, v = h @ p("self_attn.q_proj").T, h @ p("self_attn.k_proj").T, h @ p("self_attn.v_proj").T
    q, k, v = rope(q, H), rope(k, KV), v.view(S, KV, D)
    q, k, v = (t.transpose(0, 1)[None] for t in (q, k, v))
    if dt == torch.float32:
        k, v = k.repeat_interleave(H // KV, 1), v.repeat_interleave(H // KV, 1)
        with sdpa_kernel(SDPBackend.EFFICIENT_ATTENTION):
            o = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=att["scale"])
    else:
        o = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=att["scale"], enable_gqa=True)
    o = o[0].transpose(0, 1).reshape(S, H * D)
    x1 = x0 + o @ p("self_attn.o_proj").T
    h = rms(x1, p("post_attention_layernorm"))
    y = x1 + (F.silu(h @ p("mlp.gate_proj").T) * (h @ p("mlp.up_proj").T)) @ p("mlp.down_proj").T
    y.backward(dy.to(dt))
    out = {"output": y.detach(), "input_grad.0": x0.grad}
    out.update({k: t.grad for k, t in w.items()})
    return {k: t.float() for k, t in out.items()}

def compare(y, ref):
    d = (y.to(ref.device).float().reshape(ref.shape) - ref).abs()
    scale = ref.abs().max().item()
    return d.max().item() / scale, d.mean().item() / scale

ref = step(torch.float32)
theirs = step(torch.bfloat16)
ok, worst = True, (0.0, "")
for name, r32 in ref.items():
    if name not in got:
        print(f"{name}: missing from seqc's outputs"); ok = False; continue
    mx, mean = compare(got[name], r32)
    tmx, tmean = compare(theirs[name], r32)
    good = mx <= 1e-2 and mean <= 2e-3 and np.isfinite(mx)
    ok &= good
    worst = max(worst, (mx, name))
    print(f"  {name}: seqc max rel {mx:.3e} mean {mean:.3e} {'PASS' if good else 'FAIL'}; PyTorch bf16 max rel {tmx:.3e} mean {tmean:.3e}")
print(f"layer training step S={S}: seqc vs fp32 PyTorch autograd, {len(ref)} tensors, worst {worst[1]} {worst[0]:.3e} "
      f"(bars 1e-2 / 2e-3): {'PASS' if ok else 'FAIL'}")
for f in ("w.safetensors", "x.npy", "dy.npy", "got.safetensors"):
    os.remove(f"{a.out}/{f}")
sys.exit(0 if ok else 1)
