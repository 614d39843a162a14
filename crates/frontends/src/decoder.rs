//! Builds a decoder-only transformer (Llama / GPT-2 families) as a seq program from a few numbers.
//! Parameter names follow Hugging Face checkpoints so weights load by name.

use seq_ir::rules::RopeScaling;
use seq_ir::{AttentionConfig, BuildError, Builder, DType, Graph, OpKind, TensorType, ValueId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Norm {
    /// RMSNorm, RoPE, SwiGLU MLP, no biases (Llama, Mistral, Qwen2 without biases).
    Llama,
    /// LayerNorm, learned positions, GELU MLP, biases (GPT-2).
    Gpt2,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DecoderConfig {
    pub family: Norm,
    pub layers: usize,
    pub hidden: i64,
    pub heads: i64,
    pub kv_heads: i64,
    pub head_dim: i64,
    pub ffn: i64,
    pub vocab: i64,
    pub seq_len: i64,
    pub dtype: DType,
    pub eps: f64,
    pub rope_theta: f64,
    pub window: Option<i64>,
    /// Adds a `segment_ids` argument so packed documents never attend across boundaries.
    pub packed: bool,
    /// Decoders are causal; encoders (and tests of the non-causal paths) are not.
    pub causal: bool,
    /// Biases on the q, k and v projections (Qwen2).
    pub qkv_bias: bool,
    /// The output head reuses the embedding table.
    pub tie_embeddings: bool,
    /// Rotate only the first dims of each head (Phi-3's partial rotary factor).
    pub rotary_dim: Option<i64>,
    /// Rows of GPT-2's learned positions table (`n_positions`); `None`: the sequence length.
    pub max_positions: Option<i64>,
    /// How the rotary frequencies are rescaled (Llama 3.1+'s `llama3`, `linear`, `yarn`).
    pub rope_scaling: RopeScaling,
    /// The attention's softmax scale where it is not 1/√head_dim (YaRN's attention factor
    /// squared over √head_dim).
    pub attention_scale: Option<f64>,
    /// One projection for q, k and v (`qkv_proj`) and one for gate and up (`gate_up_proj`), as
    /// the checkpoint holds them (Phi-3): one GEMM each, cut by columns.
    pub fused_projections: bool,
    /// Where the checkpoint keeps every parameter, before the program's name (a multimodal
    /// Gemma 3's language model: `language_model.`); `hf::checkpoint_layout` maps them.
    pub checkpoint_prefix: &'static str,
    /// Attention scores capped as `c · tanh(s / c)` (Gemma 2's `attn_logit_softcapping`).
    pub attn_softcap: Option<f64>,
    /// Logits capped likewise (Gemma 2's `final_logit_softcapping`).
    pub final_softcap: Option<f64>,
    /// An RMSNorm over each head of q and of k before RoPE (`q_norm`, `k_norm`: Qwen3).
    pub qk_norm: bool,
    /// OLMo 2's layer: no norm in front of attention or the MLP; each one's output is normalised
    /// before it joins the residual (`post_attention_layernorm`, `post_feedforward_layernorm`),
    /// and q and k are normalised over their whole projections before RoPE.
    pub post_norm: bool,
    /// Gemma 2/3's layer: norms before and after attention and the MLP (`input_layernorm`,
    /// `post_attention_layernorm`, `pre_feedforward_layernorm`, `post_feedforward_layernorm`).
    pub sandwich: bool,
    /// Added to every RMSNorm weight (Gemma stores `w` for `1 + w`).
    pub norm_offset: f64,
    /// The token embeddings are multiplied by it (Gemma: √hidden).
    pub embed_scale: Option<f64>,
    /// The MLP's activation: tanh-GELU of the gate times up (Gemma), instead of SwiGLU.
    pub geglu: bool,
    /// Per layer (empty: every layer `window`, `rope_theta` and `rope_scaling`): its sliding
    /// window and its RoPE base and scaling (Gemma 3 alternates local and global layers).
    pub layer_windows: Vec<Option<i64>>,
    pub layer_rope: Vec<(f64, RopeScaling)>,
}

impl DecoderConfig {
    /// The example used by tests and the CPU runtime: small enough to run anywhere.
    pub fn tiny() -> Self {
        Self {
            family: Norm::Llama,
            layers: 2,
            hidden: 64,
            heads: 4,
            kv_heads: 2,
            head_dim: 16,
            ffn: 128,
            vocab: 256,
            seq_len: 64,
            dtype: DType::F32,
            eps: 1e-5,
            rope_theta: 10000.0,
            window: None,
            packed: false,
            causal: true,
            qkv_bias: false,
            tie_embeddings: false,
            rotary_dim: None,
            max_positions: None,
            rope_scaling: RopeScaling::None,
            attention_scale: None,
            fused_projections: false,
            checkpoint_prefix: "",
            attn_softcap: None,
            final_softcap: None,
            qk_norm: false,
            post_norm: false,
            sandwich: false,
            norm_offset: 0.0,
            embed_scale: None,
            geglu: false,
            layer_windows: Vec::new(),
            layer_rope: Vec::new(),
        }
    }

    /// Llama-3-8B's shape at a 128K-token context.
    pub fn llama3_8b() -> Self {
        Self {
            family: Norm::Llama,
            layers: 32,
            hidden: 4096,
            heads: 32,
            kv_heads: 8,
            head_dim: 128,
            ffn: 14336,
            vocab: 128256,
            seq_len: 131072,
            dtype: DType::BF16,
            eps: 1e-5,
            rope_theta: 500000.0,
            window: None,
            packed: false,
            causal: true,
            qkv_bias: false,
            tie_embeddings: false,
            // Plain Llama layers, as the tiny example's.
            ..Self::tiny()
        }
    }

    /// Llama-3-70B's shape (80 layers) at a 128K-token context.
    pub fn llama3_70b() -> Self {
        Self { layers: 80, hidden: 8192, heads: 64, kv_heads: 8, ffn: 28672, ..Self::llama3_8b() }
    }

    fn t(&self, shape: &[i64]) -> TensorType {
        TensorType::new(shape, self.dtype)
    }

    /// Builds the program `forward(input_ids, position_ids[, segment_ids]) -> logits`.
    pub fn build(&self) -> Result<Graph, BuildError> {
        let mut g = Graph::new("forward");
        let s = self.seq_len;
        let ids = g.add_arg(TensorType::new([s], DType::I32).into());
        let pos = g.add_arg(TensorType::new([s], DType::I32).into());
        let seg = self.packed.then(|| g.add_arg(TensorType::new([s], DType::I32).into()));
        let mut b = Builder::new(&mut g);
        let d = self.hidden;
        let gpt2 = self.family == Norm::Gpt2;
        let table = b.param(if gpt2 { "transformer.wte.weight" } else { "model.embed_tokens.weight" }, self.t(&[self.vocab, d]))?;
        let mut h = match self.embed_scale {
            Some(scale) => b.one(OpKind::Embedding, &[ids, table], seq_ir::builder::attrs([("scale", seq_ir::Attr::Float(scale))]))?,
            None => b.embedding(ids, table)?,
        };
        if gpt2 {
            // The checkpoint's whole table: positions index into it like token ids.
            let wpe = b.param("transformer.wpe.weight", self.t(&[self.max_positions.unwrap_or(s), d]))?;
            let p = b.embedding(pos, wpe)?;
            h = b.binary(OpKind::Add, h, p)?;
        }
        for l in 0..self.layers {
            h = self.layer(&mut b, l, h, pos, seg)?;
        }
        let x = self.norm(&mut b, h, if gpt2 { "transformer.ln_f" } else { "model.norm" })?;
        let head_name = match (self.tie_embeddings, gpt2) {
            (true, true) => "transformer.wte.weight",
            (true, false) => "model.embed_tokens.weight",
            (false, _) => "lm_head.weight",
        };
        let head = b.param(head_name, self.t(&[self.vocab, d]))?;
        let logits = match self.final_softcap {
            None => b.logits(x, head)?,
            Some(c) => b.one(OpKind::Logits, &[x, head], seq_ir::builder::attrs([("softcap", seq_ir::Attr::Float(c))]))?,
        };
        g.results = vec![logits];
        Ok(g)
    }


    /// One decoder layer on the residual stream `h`.
    fn layer(&self, b: &mut Builder, l: usize, mut h: ValueId, pos: ValueId, seg: Option<ValueId>) -> Result<ValueId, BuildError> {
        let (d, hq, hkv, hd) = (self.hidden, self.heads, self.kv_heads, self.head_dim);
        let gpt2 = self.family == Norm::Gpt2;
        let attn = AttentionConfig { window: self.layer_windows.get(l).copied().unwrap_or(self.window), ..self.attention_config() };
        let rope = self.layer_rope.get(l).cloned().unwrap_or((self.rope_theta, self.rope_scaling.clone()));
        let p = |n: &str| if gpt2 { format!("transformer.h.{l}.{n}") } else { format!("model.layers.{l}.{n}") };
        let x = if self.post_norm { h } else { self.norm(b, h, &p(if gpt2 { "ln_1" } else { "input_layernorm" }))? };
        let proj = |b: &mut Builder, x: ValueId, name: &str, out: i64, inp: i64| -> Result<ValueId, BuildError> {
            let w = b.param(&p(&format!("{name}.weight")), self.t(&[out, inp]))?;
            let qkv = ["q_proj", "k_proj", "v_proj"].iter().any(|n| name.ends_with(n));
            let bias = if gpt2 || (self.qkv_bias && qkv) { Some(b.param(&p(&format!("{name}.bias")), self.t(&[out]))?) } else { None };
            b.linear(x, w, bias)
        };
        // Columns `start..start + size` of `x`.
        let cols = |b: &mut Builder, x: ValueId, start: i64, size: i64| {
            let a = seq_ir::builder::attrs([("dim", seq_ir::Attr::Int(1)), ("start", seq_ir::Attr::Int(start)), ("size", seq_ir::Attr::Int(size))]);
            b.one(OpKind::Slice, &[x], a)
        };
        let (q, k, v) = if gpt2 {
            (proj(b, x, "attn.q_proj", hq * hd, d)?, proj(b, x, "attn.k_proj", hkv * hd, d)?, proj(b, x, "attn.v_proj", hkv * hd, d)?)
        } else {
            let (mut q, mut k, v) = if self.fused_projections {
                // Phi-3: one GEMM for q, k and v (the checkpoint's qkv_proj), cut by columns.
                let qkv = proj(b, x, "self_attn.qkv_proj", (hq + 2 * hkv) * hd, d)?;
                (cols(b, qkv, 0, hq * hd)?, cols(b, qkv, hq * hd, hkv * hd)?, cols(b, qkv, (hq + hkv) * hd, hkv * hd)?)
            } else {
                let q = proj(b, x, "self_attn.q_proj", hq * hd, d)?;
                let k = proj(b, x, "self_attn.k_proj", hkv * hd, d)?;
                (q, k, proj(b, x, "self_attn.v_proj", hkv * hd, d)?)
            };
            if self.qk_norm {
                // Each head normalised on its own, one weight shared by the heads.
                for (x, name) in [(&mut q, "self_attn.q_norm"), (&mut k, "self_attn.k_norm")] {
                    let w = b.param(&p(&format!("{name}.weight")), self.t(&[hd]))?;
                    *x = self.rms_norm(b, *x, w, Some(hd))?;
                }
            } else if self.post_norm {
                // OLMo 2: over the whole projection.
                for (x, name, width) in [(&mut q, "self_attn.q_norm", hq * hd), (&mut k, "self_attn.k_norm", hkv * hd)] {
                    let w = b.param(&p(&format!("{name}.weight")), self.t(&[width]))?;
                    *x = self.rms_norm(b, *x, w, None)?;
                }
            }
            (self.rope(b, q, pos, rope.clone())?, self.rope(b, k, pos, rope)?, v)
        };
        let a = b.attention(q, k, v, seg, &attn)?;
        let mut o = proj(b, a, if gpt2 { "attn.c_proj" } else { "self_attn.o_proj" }, d, hq * hd)?;
        if self.post_norm || self.sandwich {
            o = self.norm(b, o, &p("post_attention_layernorm"))?;
        }
        h = b.binary(OpKind::Add, h, o)?;
        let pre_mlp = match (gpt2, self.sandwich) {
            (true, _) => "ln_2",
            (false, true) => "pre_feedforward_layernorm",
            (false, false) => "post_attention_layernorm",
        };
        let x = if self.post_norm { h } else { self.norm(b, h, &p(pre_mlp))? };
        let m = if gpt2 {
            let up = proj(b, x, "mlp.c_fc", self.ffn, d)?;
            let act = b.unary(OpKind::Gelu, up)?;
            proj(b, act, "mlp.c_proj", d, self.ffn)?
        } else {
            let (gate, up) = if self.fused_projections {
                // Phi-3: one GEMM for gate and up (gate_up_proj), cut by columns.
                let gu = proj(b, x, "mlp.gate_up_proj", 2 * self.ffn, d)?;
                (cols(b, gu, 0, self.ffn)?, cols(b, gu, self.ffn, self.ffn)?)
            } else {
                (proj(b, x, "mlp.gate_proj", self.ffn, d)?, proj(b, x, "mlp.up_proj", self.ffn, d)?)
            };
            let act = if self.geglu {
                let g = b.unary(OpKind::Gelu, gate)?;
                b.binary(OpKind::Mul, g, up)?
            } else {
                b.binary(OpKind::Swiglu, gate, up)?
            };
            proj(b, act, "mlp.down_proj", d, self.ffn)?
        };
        let m = if self.post_norm || self.sandwich { self.norm(b, m, &p("post_feedforward_layernorm"))? } else { m };
        h = b.binary(OpKind::Add, h, m)?;
        Ok(h)
    }

    /// The attention attributes every layer of this decoder has.
    pub fn attention_config(&self) -> AttentionConfig {
        AttentionConfig {
            causal: self.causal,
            num_heads: self.heads,
            num_kv_heads: self.kv_heads,
            head_dim: self.head_dim,
            scale: self.attention_scale.unwrap_or(1.0 / (self.head_dim as f64).sqrt()),
            window: self.window,
            softcap: self.attn_softcap,
        }
    }

    /// One decoder layer alone: `layer(hidden_states, position_ids) -> hidden_states` (the
    /// benchmark's "layer" workload; weights named as layer 0).
    pub fn build_layer(&self) -> Result<Graph, BuildError> {
        let mut g = Graph::new("forward");
        let x = g.add_arg(self.t(&[self.seq_len, self.hidden]).into());
        let pos = g.add_arg(TensorType::new([self.seq_len], DType::I32).into());
        let seg = self.packed.then(|| g.add_arg(TensorType::new([self.seq_len], DType::I32).into()));
        let mut b = Builder::new(&mut g);
        let y = self.layer(&mut b, 0, x, pos, seg)?;
        g.results = vec![y];
        Ok(g)
    }

    /// Attention alone: `attention(q, k, v) -> o` (the benchmark's "attention" workload).
    pub fn build_attention(&self) -> Result<Graph, BuildError> {
        let mut g = Graph::new("forward");
        let s = self.seq_len;
        let q = g.add_arg(self.t(&[s, self.heads * self.head_dim]).into());
        let k = g.add_arg(self.t(&[s, self.kv_heads * self.head_dim]).into());
        let v = g.add_arg(self.t(&[s, self.kv_heads * self.head_dim]).into());
        let o = Builder::new(&mut g).attention(q, k, v, None, &self.attention_config())?;
        g.results = vec![o];
        Ok(g)
    }

    fn rope(&self, b: &mut Builder, x: ValueId, pos: ValueId, (theta, scaling): (f64, RopeScaling)) -> Result<ValueId, BuildError> {
        let mut a = seq_ir::builder::attrs([("head_dim", seq_ir::Attr::Int(self.head_dim)), ("theta", seq_ir::Attr::Float(theta))]);
        if let Some(rd) = self.rotary_dim.filter(|&rd| rd != self.head_dim) {
            a.insert("rotary_dim".into(), seq_ir::Attr::Int(rd));
        }
        let float = |a: &mut std::collections::BTreeMap<String, seq_ir::Attr>, k: &str, v: f64| a.insert(k.into(), seq_ir::Attr::Float(v));
        match scaling {
            RopeScaling::None => {}
            RopeScaling::Linear { factor } => {
                a.insert("scaling".into(), seq_ir::Attr::Str("linear".into()));
                float(&mut a, "factor", factor);
            }
            RopeScaling::Llama3 { factor, low_freq_factor, high_freq_factor, original_max_position } => {
                a.insert("scaling".into(), seq_ir::Attr::Str("llama3".into()));
                float(&mut a, "factor", factor);
                float(&mut a, "low_freq_factor", low_freq_factor);
                float(&mut a, "high_freq_factor", high_freq_factor);
                float(&mut a, "original_max_position", original_max_position);
            }
            RopeScaling::Yarn { factor, original_max_position, beta_fast, beta_slow, truncate } => {
                a.insert("scaling".into(), seq_ir::Attr::Str("yarn".into()));
                float(&mut a, "factor", factor);
                float(&mut a, "original_max_position", original_max_position);
                float(&mut a, "beta_fast", beta_fast);
                float(&mut a, "beta_slow", beta_slow);
                a.insert("truncate".into(), seq_ir::Attr::Bool(truncate));
            }
            RopeScaling::LongRope { factors } => {
                a.insert("scaling".into(), seq_ir::Attr::Str("longrope".into()));
                a.insert("factors".into(), seq_ir::Attr::Floats(factors));
            }
        }
        b.one(OpKind::Rope, &[x, pos], a)
    }

    fn norm(&self, b: &mut Builder, x: ValueId, prefix: &str) -> Result<ValueId, BuildError> {
        let w = b.param(&format!("{prefix}.weight"), self.t(&[self.hidden]))?;
        if self.family == Norm::Gpt2 {
            let bias = b.param(&format!("{prefix}.bias"), self.t(&[self.hidden]))?;
            b.layer_norm(x, w, bias, self.eps)
        } else {
            self.rms_norm(b, x, w, None)
        }
    }

    /// This model's RMSNorm of `x` with weight `w`: its eps and weight offset, over each `group`
    /// of columns on its own where given (per-head q/k norms).
    fn rms_norm(&self, b: &mut Builder, x: ValueId, w: ValueId, group: Option<i64>) -> Result<ValueId, BuildError> {
        let mut a = seq_ir::builder::attrs([("eps", seq_ir::Attr::Float(self.eps))]);
        if let Some(g) = group {
            a.insert("group".into(), seq_ir::Attr::Int(g));
        }
        if self.norm_offset != 0.0 {
            a.insert("offset".into(), seq_ir::Attr::Float(self.norm_offset));
        }
        b.one(OpKind::RmsNorm, &[x, w], a)
    }
}
