"""Makes this folder's reference: a tiny multimodal Gemma 3 (Gemma3ForConditionalGeneration: a
vision tower, a projector and the Gemma 3 language model of ../gemma3's shape; random weights,
seed 0, q/k norm weights large for peaked attention) saved by transformers as a model folder
(config.json with the language model under text_config, model.safetensors with its tensors under
language_model.*), with transformers' logits for a text-only input_ids.npy and its gradient of the mean next-token
cross-entropy for every norm weight and the tied embedding (grads.st, under the checkpoint's names).
Run from this folder:  python3 make.py"""
import json, numpy as np, torch, transformers as tf

text = dict(hidden_size=64, intermediate_size=96, num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=2,
            head_dim=16, vocab_size=96, max_position_embeddings=128, rms_norm_eps=1e-6, query_pre_attn_scalar=24,
            sliding_window=8, layer_types=["sliding_attention", "sliding_attention", "full_attention"],
            rope_parameters={"sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
                             "full_attention": {"rope_type": "default", "rope_theta": 1000000.0}},
            hidden_activation="gelu_pytorch_tanh", pad_token_id=None)
vision = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2, image_size=28,
              patch_size=14)
torch.manual_seed(0)
cfg = tf.Gemma3Config(text_config=text, vision_config=vision, mm_tokens_per_image=4, image_token_index=95,
                      boi_token_index=93, eoi_token_index=94, attn_implementation="eager")
model = tf.Gemma3ForConditionalGeneration(cfg).eval()
lm = model.model.language_model
with torch.no_grad():
    for layer in lm.layers:
        for norm in (layer.self_attn.q_norm, layer.self_attn.k_norm):
            norm.weight.uniform_(2.0, 4.0)
        for norm in (layer.input_layernorm, layer.post_attention_layernorm, layer.pre_feedforward_layernorm,
                     layer.post_feedforward_layernorm):
            norm.weight.uniform_(-0.5, 0.5)
model.save_pretrained(".")
# Text only: no image tokens (ids below boi_token_index).
ids = torch.randint(0, 93, (1, 40), generator=torch.Generator().manual_seed(1))
np.save("input_ids.npy", ids[0].numpy().astype(np.int32))
out = model(input_ids=ids)
np.save("logits.npy", out.logits[0].detach().numpy().astype(np.float32))
loss = torch.nn.functional.cross_entropy(out.logits[0, :-1], ids[0, 1:])
loss.backward()
from safetensors.torch import save_file
# transformers names the language model's parameters model.language_model.*; its checkpoint
# keeps them as language_model.model.*.
save_file({k.replace("model.language_model.", "language_model.model."): p.grad.contiguous()
           for k, p in model.named_parameters()
           if k.startswith("model.language_model.") and ("norm" in k or "embed" in k)}, "grads.st")
print("logits", out.logits.shape, float(out.logits.abs().max()), "loss", float(loss))
print({k: v for k, v in json.load(open("config.json")).items() if k not in ("text_config", "vision_config")})
