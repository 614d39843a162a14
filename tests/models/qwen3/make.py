"""Makes this folder's reference: a tiny Qwen3 (per-head q/k RMSNorm before RoPE, head_dim apart
from hidden / heads, tied head; random weights, seed 0, the q/k norm weights large for peaked
attention) as a Hugging Face model folder (config.json, model.safetensors), with transformers'
logits for input_ids.npy and its gradient of the mean next-token cross-entropy for the q/k norm
weights (grads.st, kept apart from the checkpoint), and the model exported to ONNX
(qwen3-sdpa-opset18.onnx). Run from this folder:  python3 make.py"""
import json, numpy as np, torch, transformers as tf
from safetensors.torch import save_file

cfg = dict(model_type="qwen3", architectures=["Qwen3ForCausalLM"], hidden_size=48, intermediate_size=80,
           num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=16, vocab_size=96,
           max_position_embeddings=128, rms_norm_eps=1e-6, tie_word_embeddings=True, torch_dtype="float32",
           attention_bias=False, use_sliding_window=False, sliding_window=None,
           rope_parameters=dict(rope_type="default", rope_theta=1000000.0))
json.dump(cfg, open("config.json", "w"), indent=1)
c = dict(cfg); c.pop("model_type"); c.pop("architectures")
torch.manual_seed(0)
model = tf.Qwen3ForCausalLM(tf.Qwen3Config(**c, attn_implementation="eager", use_cache=False)).eval()
with torch.no_grad():
    for layer in model.model.layers:
        for norm in (layer.self_attn.q_norm, layer.self_attn.k_norm):
            norm.weight.uniform_(2.0, 4.0)
save_file({k: v.contiguous() for k, v in model.state_dict().items() if k != "lm_head.weight"}, "model.safetensors")
ids = torch.randint(0, 96, (1, 40), generator=torch.Generator().manual_seed(1))
np.save("input_ids.npy", ids[0].numpy().astype(np.int32))
out = model(input_ids=ids, output_attentions=True)
np.save("logits.npy", out.logits[0].detach().numpy().astype(np.float32))
loss = torch.nn.functional.cross_entropy(out.logits[0, :-1], ids[0, 1:])
loss.backward()
save_file({k: p.grad.contiguous() for k, p in model.named_parameters() if "q_norm" in k or "k_norm" in k}, "grads.st")
print("loss", float(loss), "peak", float(out.attentions[0][0, :, 8:].max(-1).values.mean()))
# The same model as torch.onnx.export(dynamo=True) writes it (weights in qwen3-sdpa-opset18.onnx.data).
model.config._attn_implementation = "sdpa"
torch.onnx.export(model, (ids,), "qwen3-sdpa-opset18.onnx", dynamo=True, opset_version=18,
                  input_names=["input_ids"], output_names=["logits"])
