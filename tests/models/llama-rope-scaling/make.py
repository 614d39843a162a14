"""Makes this folder's reference: a tiny Llama (random weights, seed 0, f32) whose logits
transformers computes under each rotary scaling seqc supports. Run from this folder:
  python3 make.py
Writes weights.safetensors, input_ids.npy, and per scaling KIND config-KIND.json and
logits-KIND.npy (KIND: llama3, linear, dynamic, yarn, longrope, longrope-short; yarn's original
context is 16; yarn's and longrope's attention factors scale q and k). The original context (32) is shorter than the
64 tokens, so llama3's three frequency bands, linear interpolation and the dynamic base all act."""
import json, numpy as np, torch, transformers as tf
from safetensors.torch import save_file

base = dict(model_type="llama", architectures=["LlamaForCausalLM"], hidden_size=64, intermediate_size=96,
            num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=16, vocab_size=128,
            max_position_embeddings=32, rms_norm_eps=1e-6, hidden_act="silu", tie_word_embeddings=False,
            torch_dtype="float32", attention_bias=False, mlp_bias=False)
kinds = {
    "llama3": dict(rope_type="llama3", rope_theta=500000.0, factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                   original_max_position_embeddings=32),
    "linear": dict(rope_type="linear", rope_theta=10000.0, factor=4.0),
    "dynamic": dict(rope_type="dynamic", rope_theta=10000.0, factor=2.0),
    "yarn": dict(rope_type="yarn", rope_theta=10000.0, factor=4.0, original_max_position_embeddings=16,
                 beta_fast=8.0, beta_slow=1.0),
    # LongRoPE: 64 tokens past an original context of 32 take the long factors; within 64, the
    # short ones. max_position_embeddings (set below) over the original context gives the factor
    # behind the attention factor.
    "longrope": dict(rope_type="longrope", rope_theta=10000.0, original_max_position_embeddings=32,
                     long_factor=[1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 12.0, 16.0],
                     short_factor=[1.0, 1.1, 1.2, 1.4, 1.7, 2.0, 2.5, 3.0]),
    "longrope-short": dict(rope_type="longrope", rope_theta=10000.0, original_max_position_embeddings=64,
                           long_factor=[1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 12.0, 16.0],
                           short_factor=[1.0, 1.1, 1.2, 1.4, 1.7, 2.0, 2.5, 3.0]),
}
longest = {"longrope": 128, "longrope-short": 256}
ids = torch.randint(0, 128, (1, 64), generator=torch.Generator().manual_seed(1))
np.save("input_ids.npy", ids[0].numpy().astype(np.int32))
state = None
for kind, rope in kinds.items():
    cfg = dict(base, rope_parameters=rope)
    if kind in longest:
        cfg["max_position_embeddings"] = longest[kind]
    json.dump(cfg, open(f"config-{kind}.json", "w"), indent=1)
    torch.manual_seed(0)
    model = tf.LlamaForCausalLM(tf.LlamaConfig(**cfg, attn_implementation="eager")).eval()
    if state is None:
        # Peaked attention: q and k large enough that scores differ by several units, so the
        # rotation angles (what the scalings change) decide the result.
        state = {k: (v * (12.0 if ("q_proj" in k or "k_proj" in k) else 1.0)).contiguous()
                 for k, v in model.state_dict().items() if "rotary" not in k}
        save_file(state, "weights.safetensors")
    model.load_state_dict(state, strict=False)
    with torch.no_grad():
        out = model(input_ids=ids, output_attentions=True)
    logits = out.logits[0].numpy().astype(np.float32)
    np.save(f"logits-{kind}.npy", logits)
    peak = float(out.attentions[0][0, :, 8:].max(-1).values.mean())
    print(kind, logits.shape, f"max |logit| {np.abs(logits).max():.3f}, mean largest attention weight {peak:.2f}")
