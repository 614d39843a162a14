"""Makes this folder's reference: a tiny Gemma 2 (embeddings times √hidden, RMSNorms of 1 + w
before and after attention and the MLP, a tanh-GELU gate, sliding and global layers in turn,
query_pre_attn_scalar, attention scores capped as c·tanh(s/c) and logits likewise, a tied head;
random weights, seed 0, q and k projections scaled for peaked scores that the caps bend) as a
Hugging Face model folder (config.json, model.safetensors), with transformers' logits for
input_ids.npy and its gradient of the mean next-token cross-entropy for every norm weight and the
tied embedding (grads.st, kept apart from the checkpoint), and the model exported to ONNX
(gemma2-eager-opset18.onnx: transformers' Gemma 2 caps scores in its eager attention only).
Run from this folder:  python3 make.py"""
import json, numpy as np, torch, transformers as tf
from safetensors.torch import save_file

cfg = dict(model_type="gemma2", architectures=["Gemma2ForCausalLM"], hidden_size=64, intermediate_size=96,
           num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=2, head_dim=16, vocab_size=96,
           max_position_embeddings=128, rms_norm_eps=1e-6, tie_word_embeddings=True, torch_dtype="float32",
           query_pre_attn_scalar=24, sliding_window=8, rope_theta=10000.0,
           attn_logit_softcapping=2.0, final_logit_softcapping=0.5, hidden_activation="gelu_pytorch_tanh",
           pad_token_id=None)
json.dump(cfg, open("config.json", "w"), indent=1)
c = dict(cfg); c.pop("model_type"); c.pop("architectures")
torch.manual_seed(0)
model = tf.Gemma2ForCausalLM(tf.Gemma2Config(**c, attn_implementation="eager", use_cache=False)).eval()
with torch.no_grad():
    for layer in model.model.layers:
        layer.self_attn.q_proj.weight.mul_(8.0)
        layer.self_attn.k_proj.weight.mul_(8.0)
        for norm in (layer.input_layernorm, layer.post_attention_layernorm, layer.pre_feedforward_layernorm,
                     layer.post_feedforward_layernorm):
            norm.weight.uniform_(-0.5, 0.5)
save_file({k: v.contiguous() for k, v in model.state_dict().items() if k != "lm_head.weight"}, "model.safetensors")
ids = torch.randint(0, 96, (1, 40), generator=torch.Generator().manual_seed(1))
np.save("input_ids.npy", ids[0].numpy().astype(np.int32))
out = model(input_ids=ids, output_attentions=True)
logits = out.logits[0].detach().numpy().astype(np.float32)
np.save("logits.npy", logits)
loss = torch.nn.functional.cross_entropy(out.logits[0, :-1], ids[0, 1:])
loss.backward()
save_file({k: p.grad.contiguous() for k, p in model.named_parameters() if "norm" in k or "embed" in k}, "grads.st")
with torch.no_grad():
    # How much the caps act: the same model without them.
    model.config.attn_logit_softcapping = None
    model.config.final_logit_softcapping = None
    uncapped = model(input_ids=ids).logits[0].numpy()
print("max |logit|", float(np.abs(logits).max()), "capped vs not", float(np.abs(logits - uncapped).max()),
      "peak", float(out.attentions[2][0, :, 8:].max(-1).values.mean()))
# The same model as torch.onnx.export(dynamo=True) writes it (weights in gemma2-eager-opset18.onnx.data).
model.config.attn_logit_softcapping = cfg["attn_logit_softcapping"]
model.config.final_logit_softcapping = cfg["final_logit_softcapping"]
model.zero_grad()
torch.onnx.export(model, (ids,), "gemma2-eager-opset18.onnx", dynamo=True, opset_version=18,
                  input_names=["input_ids"], output_names=["logits"])
