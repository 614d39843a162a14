"""Makes this folder's reference: a tiny Gemma 3 text model (embeddings times √hidden, RMSNorms
of 1 + w before and after attention and the MLP, per-head q/k norms, tanh-GELU gate, sliding and
global layers with their own RoPE bases, query_pre_attn_scalar, tied head; random weights, seed 0,
the q/k norm weights large for peaked attention) as a Hugging Face model folder (config.json,
model.safetensors), with transformers' logits for input_ids.npy and its gradient of the mean
next-token cross-entropy for every norm weight (grads.st, kept apart from the checkpoint), and the
model exported to ONNX (gemma3-sdpa-opset18.onnx). Run from this folder:  python3 make.py"""
import json, numpy as np, torch, transformers as tf
from safetensors.torch import save_file

cfg = dict(model_type="gemma3_text", architectures=["Gemma3ForCausalLM"], hidden_size=64, intermediate_size=96,
           num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=2, head_dim=16, vocab_size=96,
           max_position_embeddings=128, rms_norm_eps=1e-6, tie_word_embeddings=True, torch_dtype="float32",
           query_pre_attn_scalar=24, sliding_window=8,
           layer_types=["sliding_attention", "sliding_attention", "full_attention"],
           rope_parameters={"sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
                            "full_attention": {"rope_type": "default", "rope_theta": 1000000.0}},
           final_logit_softcapping=None, attn_logit_softcapping=None, hidden_activation="gelu_pytorch_tanh",
           pad_token_id=None)  # no padding row: PyTorch would zero that row's gradient
json.dump(cfg, open("config.json", "w"), indent=1)
c = dict(cfg); c.pop("model_type"); c.pop("architectures")
torch.manual_seed(0)
model = tf.Gemma3ForCausalLM(tf.Gemma3TextConfig(**c, attn_implementation="eager", use_cache=False)).eval()
with torch.no_grad():
    for layer in model.model.layers:
        for norm in (layer.self_attn.q_norm, layer.self_attn.k_norm):
            norm.weight.uniform_(2.0, 4.0)
        for norm in (layer.input_layernorm, layer.post_attention_layernorm, layer.pre_feedforward_layernorm,
                     layer.post_feedforward_layernorm):
            norm.weight.uniform_(-0.5, 0.5)
save_file({k: v.contiguous() for k, v in model.state_dict().items() if k != "lm_head.weight"}, "model.safetensors")
ids = torch.randint(0, 96, (1, 40), generator=torch.Generator().manual_seed(1))
np.save("input_ids.npy", ids[0].numpy().astype(np.int32))
out = model(input_ids=ids, output_attentions=True)
np.save("logits.npy", out.logits[0].detach().numpy().astype(np.float32))
loss = torch.nn.functional.cross_entropy(out.logits[0, :-1], ids[0, 1:])
loss.backward()
save_file({k: p.grad.contiguous() for k, p in model.named_parameters() if "norm" in k or "embed" in k}, "grads.st")
print("loss", float(loss), "peak", float(out.attentions[2][0, :, 8:].max(-1).values.mean()))
# The same model as torch.onnx.export(dynamo=True) writes it (weights in gemma3-sdpa-opset18.onnx.data).
model.config._attn_implementation = "sdpa"
model.zero_grad()
torch.onnx.export(model, (ids,), "gemma3-sdpa-opset18.onnx", dynamo=True, opset_version=18,
                  input_names=["input_ids"], output_names=["logits"])
