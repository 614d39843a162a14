//! Hugging Face `config.json` → decoder configuration, for the decoder families seqc knows.
//! Weights come random (seeded) or from a checkpoint whose tensor names match the program's
//! parameters (Llama, Mistral, Qwen2 and, with its fused `qkv_proj` and `gate_up_proj` built as
//! one GEMM each, Phi-3 checkpoints do), or whose layout `checkpoint_layout` maps (GPT-2's
//! `c_attn` and `Conv1D`, a multimodal Gemma 3's `language_model.` prefix).

use crate::decoder::{DecoderConfig, Norm};
use seq_ir::DType;
use seq_ir::rules::RopeScaling;
use serde_json::Value;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("error: cannot read '{path}': {reason}")]
    Read { path: String, reason: String },
    #[error("error: '{path}' is not valid JSON: {reason}")]
    Json { path: String, reason: String },
    #[error("error: {path}: model_type '{found}' is not supported (supported: llama, mistral, qwen2, qwen3, olmo2, gemma2, gemma3_text, gemma3 (its language model), phi3, gpt2)")]
    Family { path: String, found: String },
    #[error("error: {path}: field '{field}' {problem}")]
    Field { path: String, field: String, problem: String },
}

pub const FAMILIES: [&str; 9] = ["llama", "mistral", "qwen2", "qwen3", "olmo2", "gemma2", "gemma3_text", "phi3", "gpt2"];

struct Fields<'a> {
    v: &'a Value,
    path: &'a str,
}

impl Fields<'_> {
    fn bad(&self, field: &str, problem: impl Into<String>) -> ConfigError {
        ConfigError::Field { path: self.path.into(), field: field.into(), problem: problem.into() }
    }

    fn int(&self, field: &str) -> Result<i64, ConfigError> {
        self.opt_int(field)?.ok_or_else(|| self.bad(field, "is missing"))
    }

    fn opt_int(&self, field: &str) -> Result<Option<i64>, ConfigError> {
        match self.v.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(x) => x.as_i64().filter(|&n| n > 0).map(Some).ok_or_else(|| self.bad(field, format!("must be a positive integer, got {x}"))),
        }
    }

    fn float(&self, field: &str) -> Result<Option<f64>, ConfigError> {
        match self.v.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(x) => x.as_f64().map(Some).ok_or_else(|| self.bad(field, format!("must be a number, got {x}"))),
        }
    }

    fn bool(&self, field: &str) -> bool {
        self.v.get(field).and_then(Value::as_bool).unwrap_or(false)
    }

    fn str(&self, field: &str) -> Option<&str> {
        self.v.get(field).and_then(Value::as_str)
    }
}

/// A multimodal Gemma 3 (`Gemma3ForConditionalGeneration`): its language model, from
/// `text_config` (the top level's dtype and head tying where it has none), whose tensors the
/// checkpoint keeps under `language_model.`. Images are not taken: the program is the text model.
fn multimodal_gemma3(v: &Value, path: &str, seq_len: i64) -> Result<DecoderConfig, ConfigError> {
    let Some(Value::Object(text)) = v.get("text_config") else {
        return Err(ConfigError::Field {
            path: path.into(),
            field: "text_config".into(),
            problem: "a multimodal Gemma 3 config (model_type 'gemma3') keeps its language model here".into(),
        });
    };
    let mut text = text.clone();
    text.insert("model_type".into(), Value::from("gemma3_text"));
    for key in ["torch_dtype", "dtype", "tie_word_embeddings"] {
        if let (false, Some(top)) = (text.contains_key(key), v.get(key)) {
            text.insert(key.into(), top.clone());
        }
    }
    let cfg = from_config(&Value::Object(text).to_string(), &format!("{path} (text_config)"), seq_len)?;
    Ok(DecoderConfig { checkpoint_prefix: "language_model.", ..cfg })
}

/// Reads a decoder configuration; `seq_len` is the sequence to compile for.
pub fn from_config(text: &str, path: &str, seq_len: i64) -> Result<DecoderConfig, ConfigError> {
    let v: Value = serde_json::from_str(text).map_err(|e| ConfigError::Json { path: path.into(), reason: e.to_string() })?;
    let f = Fields { v: &v, path };
    if v.get("steps").is_some() {
        return Err(ConfigError::Field { path: path.into(), field: "steps".into(), problem: "marks a compiled plan, not a model: run it with `seqc run`".into() });
    }
    let family = f.str("model_type").unwrap_or("").to_string();
    if family == "gemma3" {
        return multimodal_gemma3(&v, path, seq_len);
    }
    if !FAMILIES.contains(&family.as_str()) {
        return Err(ConfigError::Family { path: path.into(), found: family });
    }
    let dtype = match f.str("torch_dtype").or(f.str("dtype")) {
        Some("bfloat16") => DType::BF16,
        Some("float16") => DType::F16,
        _ => DType::F32,
    };
    if family == "gpt2" {
        let hidden = f.int("n_embd")?;
        let positions = f.opt_int("n_positions")?.unwrap_or(1024);
        if seq_len > positions {
            return Err(f.bad("n_positions", format!("the model has {positions} learned positions; {seq_len} tokens need more")));
        }
        let heads = f.int("n_head")?;
        if let Some(act) = f.str("activation_function").filter(|a| !matches!(*a, "gelu_new" | "gelu_pytorch_tanh")) {
            return Err(f.bad("activation_function", format!("'{act}' is not supported (gelu_new)")));
        }
        return Ok(DecoderConfig {
            family: Norm::Gpt2,
            layers: f.int("n_layer")? as usize,
            hidden,
            heads,
            kv_heads: heads,
            head_dim: hidden / heads,
            ffn: f.opt_int("n_inner")?.unwrap_or(4 * hidden),
            vocab: f.int("vocab_size")?,
            seq_len,
            dtype,
            eps: f.float("layer_norm_epsilon")?.unwrap_or(1e-5),
            rope_theta: 10000.0,
            window: None,
            packed: false,
            causal: true,
            qkv_bias: true,
            tie_embeddings: v.get("tie_word_embeddings").and_then(Value::as_bool).unwrap_or(true),
            rotary_dim: None,
            max_positions: Some(positions),
            // No rotary embedding or Llama-family variant applies to GPT-2.
            ..DecoderConfig::tiny()
        });
    }
    // Gemma 2 is Gemma 3's layer without the q/k norms, one RoPE base, and capped scores and logits.
    let (gemma, gemma2) = (family == "gemma3_text" || family == "gemma2", family == "gemma2");
    let (mut attn_softcap, mut final_softcap) = (None, None);
    if gemma {
        if let Some(act) = f.str("hidden_activation").filter(|a| !matches!(*a, "gelu_pytorch_tanh" | "gelu_tanh")) {
            return Err(f.bad("hidden_activation", format!("'{act}' is not supported (gelu_pytorch_tanh)")));
        }
        for (cap, slot) in [("attn_logit_softcapping", &mut attn_softcap), ("final_logit_softcapping", &mut final_softcap)] {
            *slot = match v.get(cap) {
                None | Some(Value::Null) => None,
                Some(c) => Some(c.as_f64().filter(|c| *c > 0.0).ok_or_else(|| f.bad(cap, "must be a positive number or null"))?),
            };
        }
    } else if let Some(act) = f.str("hidden_act").filter(|a| *a != "silu") {
        return Err(f.bad("hidden_act", format!("'{act}' is not supported (silu)")));
    }
    let hidden = f.int("hidden_size")?;
    let heads = f.int("num_attention_heads")?;
    let head_dim = f.opt_int("head_dim")?.unwrap_or(hidden / heads);
    // Transformers 5 keeps rope settings in rope_parameters; older configs at the top level.
    let mut theta = v.get("rope_parameters").and_then(|r| r.get("rope_theta")).and_then(Value::as_f64).or(f.float("rope_theta")?).unwrap_or(10000.0);
    let rope = v.get("rope_parameters").or(v.get("rope_scaling")).filter(|r| r.is_object());
    let kind = rope.and_then(|r| r.get("rope_type").or(r.get("type"))).and_then(Value::as_str).unwrap_or("default");
    let rope_opt = |name: &str| rope.and_then(|r| r.get(name)).and_then(Value::as_f64);
    let rope_field = |name: &str| -> Result<f64, ConfigError> {
        rope_opt(name).ok_or_else(|| f.bad(name, format!("'{kind}' rope scaling needs '{name}' (a number)")))
    };
    // The context the model was trained for: the rope parameters', else max_position_embeddings.
    let original_length = || -> Result<f64, ConfigError> {
        rope_opt("original_max_position_embeddings")
            .or(f.opt_int("max_position_embeddings")?.map(|m| m as f64))
            .ok_or_else(|| f.bad("max_position_embeddings", format!("'{kind}' rope scaling needs the original length")))
    };
    let rotary_dim = f.float("partial_rotary_factor")?.map(|p| ((head_dim as f64 * p) as i64) & !1);
    let mut attention_scale = None;
    let rope_scaling = match kind {
        "default" => RopeScaling::None,
        // YaRN, as transformers computes it; its attention factor scales q and k after RoPE
        // (cos and sin), which is the attention's scale times its square.
        "yarn" => {
            let original = original_length()?;
            let factor = match rope_opt("factor") {
                Some(x) => x,
                None => f.opt_int("max_position_embeddings")?.map(|m| m as f64 / original).ok_or_else(|| f.bad("factor", "'yarn' rope scaling needs 'factor'"))?,
            };
            let mscale = |m: f64| if factor <= 1.0 { 1.0 } else { 0.1 * m * factor.ln() + 1.0 };
            let af = match (rope_opt("attention_factor"), rope_opt("mscale").filter(|&m| m != 0.0), rope_opt("mscale_all_dim").filter(|&m| m != 0.0)) {
                (Some(a), _, _) => a,
                (None, Some(m), Some(all)) => mscale(m) / mscale(all),
                _ => mscale(1.0),
            };
            attention_scale = Some(af * af / (head_dim as f64).sqrt());
            RopeScaling::Yarn {
                factor,
                original_max_position: original,
                beta_fast: rope_opt("beta_fast").filter(|&b| b != 0.0).unwrap_or(32.0),
                beta_slow: rope_opt("beta_slow").filter(|&b| b != 0.0).unwrap_or(1.0),
                truncate: rope.and_then(|r| r.get("truncate")).and_then(Value::as_bool).unwrap_or(true),
            }
        }
        // LongRoPE (Phi-3 128K, Phi-3.5), as transformers computes it: per-pair factors, the long
        // ones when the built length exceeds the original context; the attention factor scales
        // cos and sin, which is the attention's scale times its square, as for YaRN.
        "longrope" => {
            let original = match rope_opt("original_max_position_embeddings").or(f.opt_int("original_max_position_embeddings")?.map(|m| m as f64)) {
                Some(o) => o,
                None => original_length()?,
            };
            let factor = match rope_opt("factor") {
                Some(x) => x,
                None => f.opt_int("max_position_embeddings")?.map_or(1.0, |m| m as f64 / original),
            };
            let af = rope_opt("attention_factor").unwrap_or(if factor <= 1.0 { 1.0 } else { (1.0 + factor.ln() / original.ln()).sqrt() });
            attention_scale = Some(af * af / (head_dim as f64).sqrt());
            let which = if seq_len as f64 > original { "long_factor" } else { "short_factor" };
            let factors: Option<Vec<f64>> =
                rope.and_then(|r| r.get(which)).and_then(Value::as_array).and_then(|a| a.iter().map(Value::as_f64).collect());
            let factors = factors.ok_or_else(|| f.bad(which, "'longrope' rope scaling needs it (an array of numbers)"))?;
            let pairs = (rotary_dim.unwrap_or(head_dim) / 2) as usize;
            if factors.len() != pairs {
                return Err(f.bad(which, format!("holds {} factors; the rotary embedding rotates {pairs} pairs", factors.len())));
            }
            RopeScaling::LongRope { factors }
        }
        "linear" => RopeScaling::Linear { factor: rope_field("factor")? },
        "llama3" => RopeScaling::Llama3 {
            factor: rope_field("factor")?,
            low_freq_factor: rope_field("low_freq_factor")?,
            high_freq_factor: rope_field("high_freq_factor")?,
            original_max_position: rope_field("original_max_position_embeddings")?,
        },
        // NTK-aware scaling: past the original length the base grows, as transformers computes it
        // for the longest position (the built length); within it, nothing changes.
        "dynamic" => {
            let factor = rope_field("factor")?;
            let original = original_length()?;
            let len = seq_len as f64;
            if len > original {
                let d = rotary_dim.unwrap_or(head_dim) as f64;
                theta *= (factor * len / original - (factor - 1.0)).powf(d / (d - 2.0));
            }
            RopeScaling::None
        }
        other => {
            return Err(f.bad(
                "rope_type",
                format!("'{other}' rope scaling is not supported (default, linear, dynamic, llama3, yarn and longrope are)"),
            ));
        }
    };
    let window = match family.as_str() {
        "qwen2" | "qwen3" if !f.bool("use_sliding_window") => None,
        _ => f.opt_int("sliding_window")?,
    };
    let layers = f.int("num_hidden_layers")? as usize;
    let (mut layer_windows, mut layer_rope) = (Vec::new(), Vec::new());
    if gemma {
        // Local (sliding) and global layers, each with its own RoPE: Transformers 5 nests the
        // rope parameters by layer type; older configs give rope_local_base_freq.
        let pattern = f.opt_int("sliding_window_pattern")?.unwrap_or(if gemma2 { 2 } else { 6 }).max(1) as usize;
        let types: Vec<String> = match v.get("layer_types").and_then(Value::as_array) {
            Some(t) => t.iter().map(|x| x.as_str().unwrap_or("").to_string()).collect(),
            None => (0..layers).map(|i| if (i + 1) % pattern == 0 { "full_attention" } else { "sliding_attention" }.to_string()).collect(),
        };
        if types.len() != layers {
            return Err(f.bad("layer_types", format!("names {} layers; the model has {layers}", types.len())));
        }
        let nested = |t: &str| v.get("rope_parameters").and_then(|r| r.get(t)).filter(|r| r.is_object());
        let rope_of = |t: &str, default_theta: f64| -> Result<(f64, RopeScaling), ConfigError> {
            let r = nested(t);
            let theta = r.and_then(|r| r.get("rope_theta")).and_then(Value::as_f64).unwrap_or(default_theta);
            match r.and_then(|r| r.get("rope_type")).and_then(Value::as_str).unwrap_or("default") {
                "default" => Ok((theta, RopeScaling::None)),
                "linear" => match r.and_then(|r| r.get("factor")).and_then(Value::as_f64) {
                    Some(factor) => Ok((theta, RopeScaling::Linear { factor })),
                    None => Err(f.bad("rope_parameters", format!("{t}'s linear scaling needs 'factor'"))),
                },
                other => Err(f.bad("rope_parameters", format!("{t}'s '{other}' rope scaling is not supported for Gemma (default, linear)"))),
            }
        };
        let global = rope_of("full_attention", theta)?;
        let local = match gemma2 {
            true => global.clone(),
            false => rope_of("sliding_attention", f.float("rope_local_base_freq")?.unwrap_or(10000.0))?,
        };
        for t in &types {
            match t.as_str() {
                "full_attention" => {
                    layer_windows.push(None);
                    layer_rope.push(global.clone());
                }
                "sliding_attention" => {
                    layer_windows.push(window.filter(|&w| w < seq_len));
                    layer_rope.push(local.clone());
                }
                other => return Err(f.bad("layer_types", format!("layer type '{other}' (sliding_attention, full_attention)"))),
            }
        }
        let scalar = f.float("query_pre_attn_scalar")?.unwrap_or(head_dim as f64);
        attention_scale = Some(1.0 / scalar.sqrt());
    }
    Ok(DecoderConfig {
        family: Norm::Llama,
        layers,
        hidden,
        heads,
        kv_heads: f.opt_int("num_key_value_heads")?.unwrap_or(heads),
        head_dim,
        ffn: f.int("intermediate_size")?,
        vocab: f.int("vocab_size")?,
        seq_len,
        dtype,
        eps: f.float("rms_norm_eps")?.unwrap_or(1e-6),
        rope_theta: theta,
        window: window.filter(|&w| w < seq_len),
        packed: false,
        causal: true,
        qkv_bias: family == "qwen2" || f.bool("attention_bias"),
        tie_embeddings: v.get("tie_word_embeddings").and_then(Value::as_bool).unwrap_or(gemma),
        rotary_dim,
        max_positions: None,
        rope_scaling,
        attention_scale,
        fused_projections: family == "phi3",
        checkpoint_prefix: "",
        attn_softcap,
        final_softcap,
        qk_norm: family == "qwen3" || (gemma && !gemma2),
        post_norm: family == "olmo2",
        sandwich: gemma,
        norm_offset: if gemma { 1.0 } else { 0.0 },
        embed_scale: gemma.then(|| (hidden as f64).sqrt()),
        geglu: gemma,
        layer_windows,
        layer_rope,
    })
}

pub fn read_config(path: &std::path::Path, seq_len: i64) -> Result<DecoderConfig, ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read { path: shown.clone(), reason: e.to_string() })?;
    from_config(&text, &shown, seq_len)
}

/// Where a parameter of the built model lies in a Hugging Face checkpoint whose layout differs:
/// GPT-2 keeps q, k and v in one `attn.c_attn` and stores every projection as `Conv1D`,
/// `[in, out]`, where seq's `linear` takes `[out, in]`. The parameter is `cols` (a column range of
/// the checkpoint's `[in, out_total]` matrix, transposed), or for a vector `cols` of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointSlice {
    /// The parameter's name in the built program.
    pub param: String,
    /// The checkpoint tensor it comes from.
    pub source: String,
    /// Of the source: columns of a transposed matrix, rows of a matrix stored as the parameter
    /// is (`[out, in]`), or entries of a vector: start, length.
    pub cols: (usize, usize),
    /// Whether the source is a matrix stored `[in, out]` (transposed into the parameter).
    pub transposed: bool,
}

/// The parameters of `cfg`'s program that a checkpoint holds in another layout (empty when every
/// parameter is the checkpoint's tensor as it is, as for Llama-family models).
pub fn checkpoint_layout(cfg: &DecoderConfig) -> Vec<CheckpointSlice> {
    if !cfg.checkpoint_prefix.is_empty() {
        // Every parameter whole, under the prefix: rows 0..all of a matrix, or all of a vector.
        let Ok(g) = cfg.build() else { return Vec::new() };
        return g
            .ops_of(seq_ir::OpKind::Param)
            .filter_map(|(_, op)| {
                let name = op.str("name")?.to_string();
                let rows = g.ty(op.results[0]).tensor()?.shape.first().copied()? as usize;
                Some(CheckpointSlice { source: format!("{}{name}", cfg.checkpoint_prefix), param: name, cols: (0, rows), transposed: false })
            })
            .collect();
    }
    let (d, kv, ffn) = (cfg.hidden as usize, (cfg.kv_heads * cfg.head_dim) as usize, cfg.ffn as usize);
    let q = (cfg.heads * cfg.head_dim) as usize;
    let mut out = Vec::new();
    if cfg.family != Norm::Gpt2 {
        return out;
    }
    for l in 0..cfg.layers {
        let p = |n: &str| format!("transformer.h.{l}.{n}");
        let mut piece = |param: &str, source: &str, cols: (usize, usize), matrix: bool| {
            out.push(CheckpointSlice { param: p(param), source: p(source), cols, transposed: matrix });
        };
        for (name, cols) in [("q_proj", (0, q)), ("k_proj", (q, kv)), ("v_proj", (q + kv, kv))] {
            piece(&format!("attn.{name}.weight"), "attn.c_attn.weight", cols, true);
            piece(&format!("attn.{name}.bias"), "attn.c_attn.bias", cols, false);
        }
        piece("attn.c_proj.weight", "attn.c_proj.weight", (0, d), true);
        piece("mlp.c_fc.weight", "mlp.c_fc.weight", (0, ffn), true);
        piece("mlp.c_proj.weight", "mlp.c_proj.weight", (0, d), true);
    }
    out
}

/// A parameter's values from its checkpoint source `(shape, values)`.
pub fn from_checkpoint(slice: &CheckpointSlice, shape: &[usize], values: &[f64]) -> Result<Vec<f64>, String> {
    let (start, len) = slice.cols;
    match (slice.transposed, shape) {
        (true, [rows, cols]) if start + len <= *cols => {
            // Parameter [len, rows] = columns start..start+len of the source [rows, cols], transposed.
            Ok((0..len).flat_map(|o| (0..*rows).map(move |i| values[i * cols + start + o])).collect())
        }
        (false, [n]) if start + len <= *n => Ok(values[start..start + len].to_vec()),
        // Rows start..start+len of a matrix stored as the parameter is.
        (false, [rows, cols]) if start + len <= *rows => Ok(values[start * cols..(start + len) * cols].to_vec()),
        _ => Err(format!("'{}' has shape {shape:?}, which does not hold '{}'", slice.source, slice.param)),
    }
}

/// A tensor by name: (name, shape, values).
pub type NamedTensor = (String, Vec<usize>, Vec<f64>);

/// Gradients in the checkpoint's own layout: each parameter's gradient written back into its
/// source tensor (transposed, at its columns), the others as they are. `grads` are (name,
/// shape, values); the result keeps the first appearance's order.
pub fn to_checkpoint(layout: &[CheckpointSlice], grads: Vec<NamedTensor>) -> Result<Vec<NamedTensor>, String> {
    let mut out: Vec<NamedTensor> = Vec::new();
    for (name, shape, values) in grads {
        let Some(slice) = layout.iter().find(|s| s.param == name) else {
            out.push((name, shape, values));
            continue;
        };
        let (start, len) = slice.cols;
        // The source's shape: [in, total columns] or [total], total from every piece of it.
        let total = layout.iter().filter(|s| s.source == slice.source).map(|s| s.cols.0 + s.cols.1).max().unwrap_or(len);
        let source_shape = match (slice.transposed, &shape[..]) {
            (true, [rows, inp]) if *rows == len => vec![*inp, total],
            (false, [rows, inp]) if *rows == len => vec![total, *inp],
            (false, [n]) if *n == len => vec![total],
            _ => return Err(format!("gradient of '{name}' has shape {shape:?}, not that of its slice of '{}'", slice.source)),
        };
        let at = match out.iter().position(|(n, _, _)| *n == slice.source) {
            Some(i) => i,
            None => {
                let n = source_shape.iter().product();
                out.push((slice.source.clone(), source_shape.clone(), vec![0.0; n]));
                out.len() - 1
            }
        };
        let dst = &mut out[at].2;
        if slice.transposed {
            let inp = source_shape[0];
            for o in 0..len {
                for i in 0..inp {
                    dst[i * total + start + o] += values[o * inp + i];
                }
            }
        } else {
            // Rows (or entries) start.. of the source: one contiguous run.
            let width = source_shape.get(1).copied().unwrap_or(1);
            for (j, v) in values.iter().enumerate() {
                dst[start * width + j] += v;
            }
        }
    }
    Ok(out)
}
