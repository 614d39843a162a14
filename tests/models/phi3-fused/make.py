"""Makes this folder's reference: a tiny Phi-3 (random weights, seed 0, f32) whose checkpoint
fuses q, k and v into `qkv_proj` and gate and up into `gate_up_proj`, with partial rotary
(factor 0.5), and the logits transformers computes for input_ids.npy. Run from this folder:
  python3 make.py
Also phi3-sdpa-opset18.onnx (+ .data): the model exported by torch.onnx.export(dynamo=True); and
grads.safetensors: PyTorch's gradient of the mean next-token cross-entropy for the fused
tensors."""
import json, numpy as np, torch, transformers as tf
from safetensors.torch import save_file

cfg = dict(model_type="phi3", architectures=["Phi3ForCausalLM"], hidden_size=64, intermediate_size=96,
           num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, vocab_size=128,
           max_position_embeddings=128, rms_norm_eps=1e-5, hidden_act="silu", tie_word_embeddings=False,
           torch_dtype="float32", partial_rotary_factor=0.5, rope_parameters=dict(rope_type="default", rope_theta=10000.0),
           pad_token_id=0, bos_token_id=1, eos_token_id=2)
json.dump(cfg, open("config.json", "w"), indent=1)
torch.manual_seed(0)
model = tf.Phi3ForCausalLM(tf.Phi3Config(**cfg, attn_implementation="eager")).eval()
q = 4 * 16
state = {}
for k, v in model.state_dict().items():
    v = v.clone()
    if k.endswith("qkv_proj.weight"):
        v[: q + 2 * 16] *= 12.0  # peaked attention: q and k rows large, so rotations decide the result
    state[k] = v.contiguous()
model.load_state_dict(state)
save_file(state, "model.safetensors")
ids = torch.randint(0, 128, (1, 48), generator=torch.Generator().manual_seed(1))
np.save("input_ids.npy", ids[0].numpy().astype(np.int32))
with torch.no_grad():
    out = model(input_ids=ids, output_attentions=True)
np.save("logits.npy", out.logits[0].numpy().astype(np.float32))
print(sorted(state)[:6], out.logits.shape, float(out.attentions[0][0, :, 8:].max(-1).values.mean()))
# The gradient of the mean next-token cross-entropy, for the fused tensors.
model.zero_grad()
logits = model(input_ids=ids).logits[0]
loss = torch.nn.functional.cross_entropy(logits[:-1], ids[0, 1:])
loss.backward()
save_file({k: p.grad.contiguous() for k, p in model.named_parameters() if "qkv_proj" in k or "gate_up_proj" in k}, "grads.safetensors")
print("loss", float(loss))
# The same model as torch.onnx.export(dynamo=True) writes it (weights in phi3-sdpa-opset18.onnx.data):
# q, k and v are Slices of qkv_proj's output, and the partial rotary embedding Slices each head.
model.config._attn_implementation = "sdpa"
model.config.use_cache = False
torch.onnx.export(model, (ids,), "phi3-sdpa-opset18.onnx", dynamo=True, opset_version=18,
                  input_names=["input_ids"], output_names=["logits"])
