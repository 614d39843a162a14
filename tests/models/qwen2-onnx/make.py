"""Makes this folder's reference: a tiny Qwen2 (q/k/v biases, GQA, tied head; random weights,
seed 0, q and k scaled for peaked attention) exported with torch.onnx.export(dynamo=True) as the
exporter writes it by default (weights in a `.onnx.data` file beside the model), with sdpa
attention at opset 18 and eager attention at opset 23, and transformers' logits for
input_ids.npy; also the same model as a Hugging Face folder (config.json, model.safetensors,
logits.npy) with its gradient of the mean next-token cross-entropy for the q/k biases, the norm
weights and the tied embedding (grads.st). Run from this folder:  python3 make.py"""
import numpy as np, torch, transformers as tf

cfg = dict(hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1,
           vocab_size=64, max_position_embeddings=64, rms_norm_eps=1e-6, tie_word_embeddings=True, use_cache=False,
           rope_parameters=dict(rope_type="default", rope_theta=10000.0))
ids = torch.randint(0, 64, (1, 40), generator=torch.Generator().manual_seed(1))
np.save("input_ids.npy", ids[0].numpy().astype(np.int32))
for attn, opset in [("sdpa", 18), ("eager", 23)]:
    torch.manual_seed(0)
    model = tf.Qwen2ForCausalLM(tf.Qwen2Config(**cfg, attn_implementation=attn)).eval()
    with torch.no_grad():
        for layer in model.model.layers:
            for proj in (layer.self_attn.q_proj, layer.self_attn.k_proj):
                proj.weight.mul_(12.0)
                proj.bias.normal_(0.0, 0.5)
        logits = model(input_ids=ids).logits[0].numpy()
    np.save(f"logits-{attn}.npy", logits)
    torch.onnx.export(model, (ids,), f"qwen2-{attn}-opset{opset}.onnx", dynamo=True, opset_version=opset,
                      input_names=["input_ids"], output_names=["logits"])
    print(attn, opset, logits.shape)
# The model folder: the sdpa model's weights (the same as the eager one's), its logits and gradients.
import json
from safetensors.torch import save_file
json.dump(dict(cfg, model_type="qwen2", architectures=["Qwen2ForCausalLM"], torch_dtype="float32"),
          open("config.json", "w"), indent=1)
torch.manual_seed(0)
model = tf.Qwen2ForCausalLM(tf.Qwen2Config(**cfg, attn_implementation="eager")).eval()
with torch.no_grad():
    for layer in model.model.layers:
        for proj in (layer.self_attn.q_proj, layer.self_attn.k_proj):
            proj.weight.mul_(12.0)
            proj.bias.normal_(0.0, 0.5)
save_file({k: v.contiguous() for k, v in model.state_dict().items() if k != "lm_head.weight"}, "model.safetensors")
out = model(input_ids=ids)
np.save("logits.npy", out.logits[0].detach().numpy().astype(np.float32))
loss = torch.nn.functional.cross_entropy(out.logits[0, :-1], ids[0, 1:])
loss.backward()
save_file({k: p.grad.contiguous() for k, p in model.named_parameters()
           if "norm" in k or "embed" in k or ("bias" in k and ("q_proj" in k or "k_proj" in k))}, "grads.st")
print("folder: loss", float(loss))
