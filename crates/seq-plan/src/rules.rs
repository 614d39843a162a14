//! The op table: each `seq` op's operands, attributes, result-shape rule and legality checks,
//! written once. The verifier (seq-ir, on MLIR programs), the typed builders (which compute result
//! types with `infer`) and both runtimes' plan loaders (`Plan::check`) all call `check`/`infer`
//! here, so a program the verifier accepts is a plan both backends accept, with the same message.
//! The typed attribute readers (`AttentionAttrs`, `RopeAttrs`, `Collective`, `ShardSpec::read`,
//! `gelu_tanh`) are what the backends' lowerings read; they add only their kernels.

use crate::attrs::Attrs;
use crate::ops::OpKind;
use crate::plan::ShardSpec;
use crate::types::{DType, TensorType, Type};
use std::fmt;

/// The result of inference for one op.
pub enum Inferred {
    /// Result types are fully determined by operands and attributes.
    Types(Vec<Type>),
    /// The op's declared result types are accepted as they are after `check_declared`
    /// (e.g. `seq.param`, whose type is its weight's).
    Declared,
}

/// One op as the table sees it: kind, operand and declared result types, attributes, and for
/// `async_wait` the `async_start` that made its token.
pub struct OpView<'a> {
    pub kind: OpKind,
    pub operands: Vec<&'a Type>,
    pub results: Vec<&'a Type>,
    pub attrs: Attrs<'a>,
    /// `async_wait` only: the input type and attributes of the `async_start` that made its token
    /// (`None`: the token does not come from an `async_start`).
    pub token_source: Option<(&'a Type, Attrs<'a>)>,
}

/// Checks one op against the table: operand count and types, attributes, and that the declared
/// results are what the operands give. The message is located by the caller.
pub fn check(op: &OpView) -> Result<(), String> {
    match infer(op.kind, &op.operands, op.attrs)? {
        Inferred::Types(inferred) => {
            if inferred.len() != op.results.len() {
                return Err(format!("has {} results, expected {}", op.results.len(), inferred.len()));
            }
            if let Some((i, (want, got))) = inferred.iter().zip(&op.results).enumerate().find(|(_, (w, g))| w != *g) {
                return Err(format!("result #{i} is declared {got} but its operands give {want}"));
            }
            Ok(())
        }
        Inferred::Declared => check_declared(op).map_or(Ok(()), Err),
    }
}

// --- typed attributes, read by the rules and by both backends -------------------------------

/// `seq.attention` / `seq.attention_partial` attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct AttentionAttrs {
    pub num_heads: usize,
    pub num_kv_heads: usize,
    pub head_dim: usize,
    pub scale: f64,
    pub causal: bool,
    pub window: Option<usize>,
    /// Scores capped as `softcap · tanh(s / softcap)` (after the scale, before the mask).
    pub softcap: Option<f64>,
}

impl AttentionAttrs {
    pub fn read(a: Attrs) -> Result<Self, String> {
        let spec = Self {
            num_heads: a.count("num_heads")?,
            num_kv_heads: a.count("num_kv_heads")?,
            head_dim: a.count("head_dim")?,
            causal: a.bool("causal")?,
            scale: a.float("scale")?,
            window: a.opt_count("window")?,
            softcap: if a.has("softcap") { Some(a.float("softcap")?) } else { None },
        };
        if spec.scale <= 0.0 {
            return Err("attribute 'scale' must be positive".into());
        }
        if spec.softcap.is_some_and(|c| !(c > 0.0 && c.is_finite())) {
            return Err("attribute 'softcap' must be positive".into());
        }
        if !spec.num_heads.is_multiple_of(spec.num_kv_heads) {
            return Err(format!(
                "num_heads ({}) must be a multiple of num_kv_heads ({}) so query heads form equal GQA groups",
                spec.num_heads, spec.num_kv_heads
            ));
        }
        Ok(spec)
    }
}

/// `seq.rope` attributes (`rotary_dim` defaults to `head_dim`).
#[derive(Clone, Debug, PartialEq)]
pub struct RopeAttrs {
    pub head_dim: usize,
    pub rotary_dim: usize,
    pub theta: f64,
    pub scaling: RopeScaling,
}

/// How a rotary embedding rescales its frequencies (`scaling` and its attributes), as Hugging
/// Face's `rope_type`s compute them. NTK-aware `dynamic` scaling is a different `theta` at a fixed
/// length, which the frontend computes; yarn and longrope also scale the attention, which the
/// frontend puts in the attention's `scale`.
#[derive(Clone, Debug, PartialEq)]
pub enum RopeScaling {
    None,
    /// Every frequency divided by `factor` (positions interpolated).
    Linear { factor: f64 },
    /// Llama 3.1+: wavelengths above `original_max_position / low_freq_factor` divided by
    /// `factor`, those below `original_max_position / high_freq_factor` kept, the band between
    /// interpolated smoothly.
    Llama3 { factor: f64, low_freq_factor: f64, high_freq_factor: f64, original_max_position: f64 },
    /// YaRN: frequencies whose wavelength fits `original_max_position` fewer than `beta_slow`
    /// times are divided by `factor`, those fitting more than `beta_fast` times kept, a linear ramp
    /// over the dims between (bounds rounded outward with `truncate`). YaRN's attention factor is
    /// the attention's `scale`, which the frontend sets.
    Yarn { factor: f64, original_max_position: f64, beta_fast: f64, beta_slow: f64, truncate: bool },
    /// LongRoPE (Phi-3 128K, Phi-3.5): each frequency divided by its own factor (`factors`, one
    /// per rotated pair: the checkpoint's long or short factors, by the built length).
    LongRope { factors: Vec<f64> },
}

impl RopeAttrs {
    pub fn read(a: Attrs) -> Result<Self, String> {
        let head_dim = a.count("head_dim")?;
        let theta = a.float("theta")?;
        if theta <= 0.0 {
            return Err("attribute 'theta' must be positive".into());
        }
        if head_dim % 2 != 0 {
            return Err(format!("head_dim ({head_dim}) must be even: rotary embedding rotates pairs"));
        }
        let rotary_dim = a.opt_count("rotary_dim")?.unwrap_or(head_dim);
        if rotary_dim > head_dim || rotary_dim % 2 != 0 {
            return Err(format!("rotary_dim ({rotary_dim}) must be even and at most head_dim ({head_dim})"));
        }
        let positive = |name: &str| -> Result<f64, String> {
            let v = a.float(name)?;
            if v > 0.0 && v.is_finite() { Ok(v) } else { Err(format!("attribute '{name}' must be positive, got {v}")) }
        };
        let scaling = match a.has("scaling").then(|| a.one_of("scaling", &["linear", "llama3", "yarn", "longrope"])).transpose()? {
            None => RopeScaling::None,
            Some("longrope") => {
                let factors = a.floats("factors")?;
                if factors.len() != rotary_dim / 2 {
                    return Err(format!("'factors' holds {} values; rotary_dim {rotary_dim} rotates {} pairs", factors.len(), rotary_dim / 2));
                }
                if let Some(bad) = factors.iter().find(|f| !(f.is_finite() && **f > 0.0)) {
                    return Err(format!("'factors' must be positive, got {bad}"));
                }
                RopeScaling::LongRope { factors: factors.to_vec() }
            }
            Some("linear") => RopeScaling::Linear { factor: positive("factor")? },
            Some("yarn") => RopeScaling::Yarn {
                factor: positive("factor")?,
                original_max_position: positive("original_max_position")?,
                beta_fast: positive("beta_fast")?,
                beta_slow: positive("beta_slow")?,
                truncate: a.bool("truncate")?,
            },
            Some(_) => {
                let (low, high) = (positive("low_freq_factor")?, positive("high_freq_factor")?);
                if high <= low {
                    return Err(format!("high_freq_factor ({high}) must exceed low_freq_factor ({low})"));
                }
                RopeScaling::Llama3 {
                    factor: positive("factor")?,
                    low_freq_factor: low,
                    high_freq_factor: high,
                    original_max_position: positive("original_max_position")?,
                }
            }
        };
        Ok(Self { head_dim, rotary_dim, theta, scaling })
    }

    /// The angle per position of each rotated pair d < rotary_dim / 2: θ^(−2d/rotary_dim),
    /// rescaled as `scaling` says. Both backends rotate by these (one table, one formula).
    pub fn inv_freq(&self) -> Vec<f64> {
        let half = self.rotary_dim / 2;
        let base = (0..half).map(|d| self.theta.powf(-2.0 * d as f64 / self.rotary_dim as f64));
        match &self.scaling {
            RopeScaling::None => base.collect(),
            RopeScaling::LongRope { factors } => base.zip(factors).map(|(f, s)| f / s).collect(),
            &RopeScaling::Linear { factor } => base.map(|f| f / factor).collect(),
            &RopeScaling::Llama3 { factor, low_freq_factor, high_freq_factor, original_max_position } => base
                .map(|f| {
                    let wavelen = 2.0 * std::f64::consts::PI / f;
                    if wavelen < original_max_position / high_freq_factor {
                        f
                    } else if wavelen > original_max_position / low_freq_factor {
                        f / factor
                    } else {
                        let smooth = (original_max_position / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor);
                        (1.0 - smooth) * f / factor + smooth * f
                    }
                })
                .collect(),
            &RopeScaling::Yarn { factor, original_max_position, beta_fast, beta_slow, truncate } => {
                let d = self.rotary_dim as f64;
                // The dim whose wavelength fits the original length `turns` times.
                let dim_of = |turns: f64| d * (original_max_position / (turns * 2.0 * std::f64::consts::PI)).ln() / (2.0 * self.theta.ln());
                let (mut low, mut high) = (dim_of(beta_fast), dim_of(beta_slow));
                if truncate {
                    (low, high) = (low.floor(), high.ceil());
                }
                let (low, mut high) = (low.max(0.0), high.min(d - 1.0));
                if low == high {
                    high += 0.001;
                }
                base.enumerate()
                    .map(|(j, f)| {
                        let keep = 1.0 - ((j as f64 - low) / (high - low)).clamp(0.0, 1.0);
                        f / factor * (1.0 - keep) + f * keep
                    })
                    .collect()
            }
        }
    }
}

/// `seq.rope`'s attributes that `seq.rope_grad` carries too (the autodiff copies them).
pub const ROPE_ATTRS: [&str; 12] = [
    "head_dim",
    "theta",
    "rotary_dim",
    "scaling",
    "factor",
    "low_freq_factor",
    "high_freq_factor",
    "original_max_position",
    "beta_fast",
    "beta_slow",
    "truncate",
    "factors",
];

/// `seq.embedding`'s `scale` (default 1): the looked-up rows are multiplied by it (Gemma's
/// √hidden), and `seq.embedding_grad`'s rows of the output gradient too.
pub fn embedding_scale(a: Attrs) -> Result<f64, String> {
    if !a.has("scale") {
        return Ok(1.0);
    }
    let s = a.float("scale")?;
    if s.is_finite() && s > 0.0 { Ok(s) } else { Err(format!("attribute 'scale' must be positive, got {s}")) }
}

/// `seq.rms_norm`'s `offset` (default 0): the weight applied is `weight + offset` (Gemma stores
/// its norm weights as `w` for `1 + w`). `rms` false: a layer norm, which takes none.
pub fn norm_offset(a: Attrs, rms: bool) -> Result<f64, String> {
    if !a.has("offset") {
        return Ok(0.0);
    }
    if !rms {
        return Err("attribute 'offset' is rms_norm's".into());
    }
    let o = a.float("offset")?;
    if o.is_finite() { Ok(o) } else { Err(format!("attribute 'offset' must be finite, got {o}")) }
}

/// The width a norm normalises: the input's last dim, or `group` (each group of that many
/// columns on its own with one shared weight: Qwen3's and OLMo 2's per-head q/k norms).
pub fn norm_width(a: Attrs, x: &TensorType) -> Result<i64, String> {
    let hidden = *x.shape.last().ok_or("input must have rank >= 1")?;
    match a.opt_count("group")? {
        None => Ok(hidden),
        Some(g) if g > 0 && hidden % g as i64 == 0 => Ok(g as i64),
        Some(g) => Err(format!("group ({g}) must divide the input's last dim ({hidden})")),
    }
}

/// `seq.gelu`'s `approximate`: true for the tanh form.
pub fn gelu_tanh(a: Attrs) -> Result<bool, String> {
    Ok(a.one_of("approximate", &["none", "tanh"])? == "tanh")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    Sum,
    Max,
}

impl Reduction {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sum" => Some(Self::Sum),
            "max" => Some(Self::Max),
            _ => None,
        }
    }
}

/// A collective and its attributes (the group excluded). `Permute`: member p sends to
/// (p + shift) mod g and receives from (p − shift) mod g.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Collective {
    AllToAll { split_dim: usize, concat_dim: usize },
    AllGather { dim: usize },
    ReduceScatter { dim: usize, reduction: Reduction },
    AllReduce { reduction: Reduction },
    Permute { shift: i64 },
}

impl Collective {
    /// Reads collective `kind` from an op's attributes.
    pub fn read(kind: OpKind, a: Attrs) -> Result<Self, String> {
        let reduction = || {
            let r = a.one_of("reduction", &["sum", "max"])?;
            Reduction::parse(r).ok_or_else(|| format!("unknown reduction \"{r}\""))
        };
        Ok(match kind {
            OpKind::AllToAll => Self::AllToAll { split_dim: a.index("split_dim")?, concat_dim: a.index("concat_dim")? },
            OpKind::AllGather => Self::AllGather { dim: a.index("dim")? },
            OpKind::ReduceScatter => Self::ReduceScatter { dim: a.index("dim")?, reduction: reduction()? },
            OpKind::AllReduce => Self::AllReduce { reduction: reduction()? },
            OpKind::CollectivePermute => Self::Permute { shift: a.int("shift")? },
            other => return Err(format!("{} is not a collective", other.name())),
        })
    }

    /// The collective an `async_start` runs (its `collective` attribute, `seq.all_gather`).
    pub fn started(a: Attrs) -> Result<(OpKind, Self), String> {
        let name = a.str("collective")?;
        let kind = OpKind::from_name(name)
            .filter(|k| k.is_collective())
            .ok_or_else(|| format!("attribute 'collective' must name a collective op, got \"{name}\""))?;
        Ok((kind, Self::read(kind, a)?))
    }

    /// Result shape over a group of `g` ranks; `shown` names the input in messages.
    pub fn result_shape(&self, x: &[i64], g: i64, shown: &dyn fmt::Display) -> Result<Vec<i64>, String> {
        let dim = |d: usize, name: &str| -> Result<usize, String> {
            if d >= x.len() {
                return Err(format!("{name} {d} is out of range for {shown}"));
            }
            Ok(d)
        };
        let divisible = |d: usize| -> Result<(), String> {
            if x[d] % g != 0 {
                return Err(format!("dim {d} of {shown} ({}) does not divide into group_size {g}", x[d]));
            }
            Ok(())
        };
        // A gathered dim must still be a size (a corrupt plan can ask for any group).
        let grown = |n: i64| n.checked_mul(g).ok_or_else(|| format!("{shown} over {g} ranks overflows"));
        let mut y = x.to_vec();
        match *self {
            Self::AllToAll { split_dim, concat_dim } => {
                let (s, c) = (dim(split_dim, "split_dim")?, dim(concat_dim, "concat_dim")?);
                divisible(s)?;
                y[s] /= g;
                y[c] = grown(y[c])?;
            }
            Self::AllGather { dim: d } => {
                let d = dim(d, "dim")?;
                y[d] = grown(y[d])?;
            }
            Self::ReduceScatter { dim: d, .. } => {
                let d = dim(d, "dim")?;
                divisible(d)?;
                y[d] /= g;
            }
            Self::AllReduce { .. } | Self::Permute { .. } => {}
        }
        Ok(y)
    }
}

impl fmt::Display for Collective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AllToAll { split_dim, concat_dim } => {
                write!(f, "all_to_all(split_dim={split_dim}, concat_dim={concat_dim})")
            }
            Self::AllGather { dim } => write!(f, "all_gather(dim={dim})"),
            Self::ReduceScatter { dim, reduction } => {
                write!(f, "reduce_scatter(dim={dim}, {reduction:?})")
            }
            Self::AllReduce { reduction } => write!(f, "all_reduce({reduction:?})"),
            Self::Permute { shift } => write!(f, "collective_permute(shift={shift})"),
        }
    }
}

impl ShardSpec {
    /// The sequence layout a `shard`, `unshard` or `token_index` op names.
    pub fn read(a: Attrs) -> Result<Self, String> {
        let zigzag = a.one_of("layout", &["block", "zigzag"])? == "zigzag";
        Ok(Self { zigzag, shards: a.count("num_shards")?, global: a.count("global_size")? })
    }
}

// --- the rules -------------------------------------------------------------------------------

fn tensor<'a>(t: &'a Type, what: &str) -> Result<&'a TensorType, String> {
    t.tensor().ok_or_else(|| format!("{what} must be a tensor, got !seq.token"))
}

fn rank(t: &TensorType, r: usize, what: &str) -> Result<(), String> {
    if t.rank() != r {
        return Err(format!("{what} must have rank {r}, got {t}"));
    }
    Ok(())
}

fn float(t: &TensorType, what: &str) -> Result<(), String> {
    if !t.dtype.is_float() {
        return Err(format!("{what} must have a float element type, got {t}"));
    }
    Ok(())
}

fn int(t: &TensorType, what: &str) -> Result<(), String> {
    if !t.dtype.is_int() {
        return Err(format!("{what} must have an integer element type, got {t}"));
    }
    Ok(())
}

fn same(a: &TensorType, b: &TensorType, what: &str) -> Result<(), String> {
    if a != b {
        return Err(format!("{what}: {a} vs {b}"));
    }
    Ok(())
}

/// Rows (tokens) held locally by one shard of a sequence of `global` tokens over `n` shards.
/// Shards are padded to equal sizes: collectives need equal counts, and padding rows are masked
/// by their token index (-1). `zigzag` cuts 2n chunks and gives rank r chunks r and 2n-1-r.
pub fn shard_rows(layout: &str, global: i64, n: i64) -> i64 {
    if layout == "zigzag" { 2 * ceil_div(global, 2 * n) } else { ceil_div(global, n) }
}

pub fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1) / b
}

fn attention_heads(a: Attrs, q: &TensorType, k: &TensorType, v: &TensorType) -> Result<AttentionAttrs, String> {
    let spec = AttentionAttrs::read(a)?;
    let (heads, kv_heads, head_dim) = (spec.num_heads as i64, spec.num_kv_heads as i64, spec.head_dim as i64);
    for (t, what) in [(q, "q"), (k, "k"), (v, "v")] {
        rank(t, 2, what)?;
        float(t, what)?;
    }
    let width = heads.checked_mul(head_dim).ok_or_else(|| format!("num_heads x head_dim = {heads} x {head_dim} overflows"))?;
    if q.shape[1] != width {
        return Err(format!("q has {} columns but num_heads x head_dim = {heads} x {head_dim} = {width}", q.shape[1]));
    }
    let kv_width = kv_heads
        .checked_mul(head_dim)
        .ok_or_else(|| format!("num_kv_heads x head_dim = {kv_heads} x {head_dim} overflows"))?;
    for (t, what) in [(k, "k"), (v, "v")] {
        if t.shape[1] != kv_width {
            return Err(format!(
                "{what} has {} columns but num_kv_heads x head_dim = {kv_heads} x {head_dim} = {kv_width}",
                t.shape[1]
            ));
        }
    }
    if k.shape[0] != v.shape[0] {
        return Err(format!("k and v must hold the same number of tokens: {k} vs {v}"));
    }
    Ok(spec)
}

fn index_vector(t: &TensorType, len: i64, what: &str) -> Result<(), String> {
    rank(t, 1, what)?;
    int(t, what)?;
    if t.shape[0] != len {
        return Err(format!("{what} must hold {len} entries, one per token, got {t}"));
    }
    Ok(())
}

/// The shard layout's local and global sizes; `axis` must be named.
fn shard_spec(a: Attrs) -> Result<ShardSpec, String> {
    let spec = ShardSpec::read(a)?;
    a.str("axis")?;
    Ok(spec)
}

/// Infers the result types of `kind` applied to operands of `types` with attributes `a`.
pub fn infer(kind: OpKind, types: &[&Type], a: Attrs) -> Result<Inferred, String> {
    use OpKind::*;
    let n = types.len();
    let expect = |lo: usize, hi: usize| -> Result<(), String> {
        if n < lo || n > hi {
            let want = if lo == hi { format!("{lo}") } else { format!("{lo} to {hi}") };
            return Err(format!("expects {want} operands, got {n}"));
        }
        Ok(())
    };
    let t = |i: usize, what: &str| tensor(types[i], what);
    let out = |t: TensorType| Ok(Inferred::Types(vec![Type::Tensor(t)]));
    match kind {
        Param => {
            expect(0, 0)?;
            a.str("name")?;
            Ok(Inferred::Declared)
        }
        Embedding => {
            expect(2, 2)?;
            let (ids, table) = (t(0, "ids")?, t(1, "table")?);
            rank(ids, 1, "ids")?;
            int(ids, "ids")?;
            rank(table, 2, "table")?;
            float(table, "table")?;
            embedding_scale(a)?;
            out(TensorType::new([ids.shape[0], table.shape[1]], table.dtype))
        }
        RmsNorm | LayerNorm => {
            let want = if kind == RmsNorm { 2 } else { 3 };
            expect(want, want)?;
            norm_offset(a, kind == RmsNorm)?;
            if a.float("eps")? <= 0.0 {
                return Err("attribute 'eps' must be positive".into());
            }
            let x = t(0, "input")?;
            float(x, "input")?;
            let hidden = norm_width(a, x)?;
            for i in 1..n {
                let what = if i == 1 { "weight" } else { "bias" };
                let w = t(i, what)?;
                float(w, what)?;
                if w.shape != [hidden] {
                    let width = if a.has("group") { "its group" } else { "the input's hidden size" };
                    return Err(format!("{what} must have shape [{hidden}] to match {width}, got {w}"));
                }
            }
            out(x.clone())
        }
        Linear | Logits => {
            expect(2, if kind == Linear { 3 } else { 2 })?;
            let (x, w) = (t(0, "input")?, t(1, "weight")?);
            rank(x, 2, "input")?;
            rank(w, 2, "weight")?;
            float(x, "input")?;
            if w.shape[1] != x.shape[1] {
                return Err(if kind == Linear {
                    format!(
                        "weight {w} expects {} input features (weights are [out, in]) but the input has {}",
                        w.shape[1], x.shape[1]
                    )
                } else {
                    format!(
                        "weight {w} is [vocab, hidden] with hidden {} but the input has hidden {}",
                        w.shape[1], x.shape[1]
                    )
                });
            }
            if w.dtype != x.dtype {
                return Err(format!("weight element type {} differs from input {}", w.dtype.name(), x.dtype.name()));
            }
            if n == 3 {
                let b = t(2, "bias")?;
                float(b, "bias")?;
                if b.shape != [w.shape[0]] {
                    return Err(format!("bias must have shape [{}] (one per output feature), got {b}", w.shape[0]));
                }
            }
            out(TensorType::new([x.shape[0], w.shape[0]], x.dtype))
        }
        Rope => {
            expect(2, 2)?;
            let (x, pos) = (t(0, "input")?, t(1, "positions")?);
            rank(x, 2, "input")?;
            float(x, "input")?;
            index_vector(pos, x.shape[0], "positions")?;
            let r = RopeAttrs::read(a)?;
            if x.shape[1] % r.head_dim as i64 != 0 {
                return Err(format!("input has {} columns, not a multiple of head_dim {}", x.shape[1], r.head_dim));
            }
            out(x.clone())
        }
        Attention => {
            expect(3, 4)?;
            let (q, k, v) = (t(0, "q")?, t(1, "k")?, t(2, "v")?);
            attention_heads(a, q, k, v)?;
            if k.shape[0] != q.shape[0] {
                return Err(format!(
                    "self-attention needs q and k over the same tokens: {} vs {}",
                    q.shape[0], k.shape[0]
                ));
            }
            if n == 4 {
                index_vector(t(3, "segment_ids")?, q.shape[0], "segment_ids")?;
            }
            out(q.clone())
        }
        Silu | Gelu | Convert => {
            expect(1, 1)?;
            let x = t(0, "input")?;
            float(x, "input")?;
            if kind == Gelu {
                gelu_tanh(a)?;
            }
            if kind == Convert { Ok(Inferred::Declared) } else { out(x.clone()) }
        }
        Mul | Add | Swiglu => {
            expect(2, 2)?;
            let (x, y) = (t(0, "lhs")?, t(1, "rhs")?);
            same(x, y, "operands must have the same type")?;
            float(x, "lhs")?;
            out(x.clone())
        }
        Shard | Unshard | ShardGrad => {
            expect(1, 1)?;
            let x = t(0, "input")?;
            let dim = a.int("dim")?;
            let spec = shard_spec(a)?;
            if dim < 0 || dim as usize >= x.rank() {
                return Err(format!("dim {dim} is out of range for {x}"));
            }
            let (global, local) = (spec.global as i64, spec.local_rows() as i64);
            let (have, give) = if kind == Shard { (global, local) } else { (local, global) };
            if kind == ShardGrad {
                float(x, "input")?;
            }
            if x.shape[dim as usize] != have {
                return Err(format!("input has {} along dim {dim}, expected {have}", x.shape[dim as usize]));
            }
            out(x.with_dim(dim as usize, give))
        }
        TokenIndex => {
            expect(0, 0)?;
            let spec = shard_spec(a)?;
            out(TensorType::new([spec.local_rows() as i64], DType::I32))
        }
        Slice => {
            expect(1, 1)?;
            let x = t(0, "input")?;
            let dim = a.int("dim")?;
            let start = a.int("start")?;
            let size = a.count("size")? as i64;
            if dim < 0 || dim as usize >= x.rank() {
                return Err(format!("dim {dim} is out of range for {x}"));
            }
            if start < 0 || start + size > x.shape[dim as usize] {
                return Err(format!("slice [{start}, {}) is outside dim {dim} of {x}", start + size));
            }
            out(x.with_dim(dim as usize, size))
        }
        Concat => {
            if n == 0 {
                return Err("expects at least one operand".into());
            }
            let dim = a.int("dim")?;
            let first = t(0, "input")?;
            if dim < 0 || dim as usize >= first.rank() {
                return Err(format!("dim {dim} is out of range for {first}"));
            }
            let mut total = 0;
            for i in 0..n {
                let x = t(i, "input")?;
                if x.rank() != first.rank() || x.with_dim(dim as usize, 0) != first.with_dim(dim as usize, 0) {
                    return Err(format!("operands differ outside dim {dim}: {first} vs {x}"));
                }
                total += x.shape[dim as usize];
            }
            out(first.with_dim(dim as usize, total))
        }
        AllToAll | AllGather | ReduceScatter | AllReduce | CollectivePermute => {
            expect(1, 1)?;
            collective(kind, t(0, "input")?, a).map(|t| Inferred::Types(vec![Type::Tensor(t)]))
        }
        AsyncStart => {
            expect(1, 1)?;
            let (inner, _) = Collective::started(a)?;
            a.int("stream")?;
            collective(inner, t(0, "input")?, a)?;
            Ok(Inferred::Types(vec![Type::Token]))
        }
        AsyncWait => {
            expect(1, 1)?;
            if *types[0] != Type::Token {
                return Err(format!("operand must be a !seq.token, got {}", types[0]));
            }
            Ok(Inferred::Declared)
        }
        AttentionPartial => {
            if n != 5 && n != 7 {
                return Err(format!(
                    "expects 5 operands (q, k, v, q_index, k_index) or 7 (with q_segment, k_segment), got {n}"
                ));
            }
            let (q, k, v) = (t(0, "q")?, t(1, "k")?, t(2, "v")?);
            attention_heads(a, q, k, v)?;
            index_vector(t(3, "q_index")?, q.shape[0], "q_index")?;
            index_vector(t(4, "k_index")?, k.shape[0], "k_index")?;
            if n == 7 {
                index_vector(t(5, "q_segment")?, q.shape[0], "q_segment")?;
                index_vector(t(6, "k_segment")?, k.shape[0], "k_segment")?;
            }
            // The output type is declared: f32 when it is merged with other partials, or q's
            // type when it is the layer's whole result (no f32 copy and no convert).
            Ok(Inferred::Declared)
        }
        LseMerge => {
            expect(4, 4)?;
            let (oa, la, ob, lb) = (t(0, "output_a")?, t(1, "lse_a")?, t(2, "output_b")?, t(3, "lse_b")?);
            same(oa, ob, "partial outputs must have the same type")?;
            same(la, lb, "partial log-sum-exps must have the same type")?;
            for (x, what) in [(oa, "partial output"), (la, "log-sum-exp")] {
                rank(x, 2, what)?;
                if x.dtype != DType::F32 {
                    return Err(format!("{what} must be f32 (merges run in fp32), got {x}"));
                }
            }
            if la.shape[0] != oa.shape[0] || la.shape[1] <= 0 || oa.shape[1] % la.shape[1] != 0 {
                return Err(format!("log-sum-exp {la} does not match partial output {oa} (one per token and head)"));
            }
            Ok(Inferred::Types(vec![Type::Tensor(oa.clone()), Type::Tensor(la.clone())]))
        }
        Pad => {
            expect(1, 1)?;
            let x = t(0, "input")?;
            let dim = a.int("dim")?;
            if dim < 0 || dim as usize >= x.rank() {
                return Err(format!("dim {dim} is out of range for {x}"));
            }
            let (before, after) = (a.index("before")? as i64, a.index("after")? as i64);
            out(x.with_dim(dim as usize, x.shape[dim as usize] + before + after))
        }
        Offload | Reload => {
            expect(1, 1)?;
            let x = t(0, "input")?;
            float(x, "input")?;
            out(x.clone())
        }
        LabelCount => {
            expect(1, 2)?;
            let labels = t(0, "labels")?;
            rank(labels, 1, "labels")?;
            int(labels, "labels")?;
            if n == 2 {
                index_vector(t(1, "index")?, labels.shape[0], "index")?;
            }
            out(TensorType::new([1], DType::F32))
        }
        CrossEntropy | CrossEntropyGrad => {
            expect(4, 5)?;
            if n == 5 {
                index_vector(t(4, "index")?, t(0, "input")?.shape[0], "index")?;
            }
            let (x, w) = (t(0, "input")?, t(1, "weight")?);
            rank(x, 2, "input")?;
            rank(w, 2, "weight")?;
            float(x, "input")?;
            if w.shape[1] != x.shape[1] || w.dtype != x.dtype {
                return Err(format!("weight {w} must be [vocab, hidden] in the input's type, the input is {x}"));
            }
            index_vector(t(2, "labels")?, x.shape[0], "labels")?;
            let count = t(3, "count")?;
            if *count != TensorType::new([1], DType::F32) {
                return Err(format!("count must be tensor<1xf32> (the step's labelled tokens), got {count}"));
            }
            if kind == CrossEntropy {
                out(TensorType::new([1], DType::F32))
            } else {
                Ok(Inferred::Types(vec![Type::Tensor(x.clone()), Type::Tensor(w.with_dtype(DType::F32))]))
            }
        }
        EmbeddingGrad => {
            expect(2, 2)?;
            let (ids, dy) = (t(0, "ids")?, t(1, "output_grad")?);
            rank(ids, 1, "ids")?;
            int(ids, "ids")?;
            rank(dy, 2, "output_grad")?;
            float(dy, "output_grad")?;
            embedding_scale(a)?;
            if dy.shape[0] != ids.shape[0] {
                return Err(format!("output_grad {dy} must have one row per id ({})", ids.shape[0]));
            }
            out(TensorType::new([a.count("vocab")? as i64, dy.shape[1]], DType::F32))
        }
        RmsNormGrad | LayerNormGrad => {
            let params = if kind == RmsNormGrad { 1 } else { 2 };
            expect(params + 2, params + 2)?;
            norm_offset(a, kind == RmsNormGrad)?;
            if a.float("eps")? <= 0.0 {
                return Err("attribute 'eps' must be positive".into());
            }
            let (x, dy) = (t(0, "input")?, t(params + 1, "output_grad")?);
            float(x, "input")?;
            same(x, dy, "output_grad must have the input's type")?;
            let hidden = norm_width(a, x)?;
            for i in 1..=params {
                let w = t(i, if i == 1 { "weight" } else { "bias" })?;
                if w.shape != [hidden] {
                    return Err(format!("weight must have shape [{hidden}], got {w}"));
                }
            }
            let mut types = vec![Type::Tensor(x.clone())];
            types.extend((0..params).map(|_| Type::Tensor(TensorType::new([hidden], DType::F32))));
            Ok(Inferred::Types(types))
        }
        LinearGradInput => {
            expect(2, 2)?;
            let (dy, w) = (t(0, "output_grad")?, t(1, "weight")?);
            rank(dy, 2, "output_grad")?;
            rank(w, 2, "weight")?;
            float(dy, "output_grad")?;
            if w.shape[0] != dy.shape[1] || w.dtype != dy.dtype {
                return Err(format!("weight {w} must be [out, in] with out = {} in {}", dy.shape[1], dy.dtype.name()));
            }
            out(TensorType::new([dy.shape[0], w.shape[1]], dy.dtype))
        }
        LinearGradWeight => {
            expect(2, 2)?;
            let (dy, x) = (t(0, "output_grad")?, t(1, "input")?);
            rank(dy, 2, "output_grad")?;
            rank(x, 2, "input")?;
            float(dy, "output_grad")?;
            float(x, "input")?;
            if dy.shape[0] != x.shape[0] {
                return Err(format!("output_grad {dy} and input {x} must have the same rows"));
            }
            out(TensorType::new([dy.shape[1], x.shape[1]], DType::F32))
        }
        BiasGrad => {
            expect(1, 1)?;
            let dy = t(0, "output_grad")?;
            rank(dy, 2, "output_grad")?;
            float(dy, "output_grad")?;
            out(TensorType::new([dy.shape[1]], DType::F32))
        }
        RopeGrad => infer(Rope, types, a),
        SiluGrad | GeluGrad => {
            expect(2, 2)?;
            let (x, dy) = (t(0, "input")?, t(1, "output_grad")?);
            float(x, "input")?;
            same(x, dy, "output_grad must have the input's type")?;
            if kind == GeluGrad {
                gelu_tanh(a)?;
            }
            out(x.clone())
        }
        SwigluGrad => {
            expect(3, 3)?;
            let (g, u, dy) = (t(0, "gate")?, t(1, "up")?, t(2, "output_grad")?);
            float(g, "gate")?;
            same(g, u, "gate and up must have the same type")?;
            same(g, dy, "output_grad must have the gate's type")?;
            Ok(Inferred::Types(vec![Type::Tensor(g.clone()), Type::Tensor(g.clone())]))
        }
        AttentionGrad => {
            expect(4, 5)?;
            let (q, k, v, dy) = (t(0, "q")?, t(1, "k")?, t(2, "v")?, t(3, "output_grad")?);
            attention_heads(a, q, k, v)?;
            if k.shape[0] != q.shape[0] {
                return Err(format!("self-attention needs q and k over the same tokens: {} vs {}", q.shape[0], k.shape[0]));
            }
            same(q, dy, "output_grad must have q's type")?;
            if n == 5 {
                index_vector(t(4, "segment_ids")?, q.shape[0], "segment_ids")?;
            }
            Ok(Inferred::Types(vec![Type::Tensor(q.clone()), Type::Tensor(k.clone()), Type::Tensor(v.clone())]))
        }
        AttentionPartialGrad => {
            if n != 8 && n != 10 {
                return Err(format!(
                    "expects 8 operands (q, k, v, output, lse, output_grad, q_index, k_index) or 10 (with q_segment, k_segment), got {n}"
                ));
            }
            let (q, k, v) = (t(0, "q")?, t(1, "k")?, t(2, "v")?);
            let spec = attention_heads(a, q, k, v)?;
            let (o, lse, dy) = (t(3, "output")?, t(4, "lse")?, t(5, "output_grad")?);
            for (x, what) in [(o, "output"), (dy, "output_grad")] {
                float(x, what)?;
                if x.shape != q.shape {
                    return Err(format!("{what} must have q's shape {:?}, got {x}", q.shape));
                }
            }
            if *lse != TensorType::new([q.shape[0], spec.num_heads as i64], DType::F32) {
                return Err(format!("lse must be f32 [{}, {}] (one per token and head), got {lse}", q.shape[0], spec.num_heads));
            }
            index_vector(t(6, "q_index")?, q.shape[0], "q_index")?;
            index_vector(t(7, "k_index")?, k.shape[0], "k_index")?;
            if n == 10 {
                index_vector(t(8, "q_segment")?, q.shape[0], "q_segment")?;
                index_vector(t(9, "k_segment")?, k.shape[0], "k_segment")?;
            }
            let f = |x: &TensorType| Type::Tensor(x.with_dtype(DType::F32));
            Ok(Inferred::Types(vec![f(q), f(k), f(v)]))
        }
    }
}

/// Result type of collective `kind` over a group of `group_size` ranks.
fn collective(kind: OpKind, x: &TensorType, a: Attrs) -> Result<TensorType, String> {
    let g = a.count("group_size")? as i64;
    a.str("axis")?;
    let shape = Collective::read(kind, a)?.result_shape(&x.shape, g, x)?;
    Ok(TensorType::new(shape, x.dtype))
}

/// Checks for ops whose result type is declared rather than inferred.
fn check_declared(op: &OpView) -> Option<String> {
    let result = *op.results.first()?;
    match op.kind {
        OpKind::Param => result.tensor().is_none().then(|| "result must be a tensor".to_string()),
        OpKind::Convert => {
            let (x, r) = (op.operands[0].tensor()?, result.tensor()?);
            if !r.dtype.is_float() {
                return Some(format!("converts between float types only, but {x} becomes {r}"));
            }
            (x.shape != r.shape).then(|| format!("changes only the element type, but {x} becomes {r}"))
        }
        OpKind::AttentionPartial => {
            let q = op.operands[0].tensor()?;
            let heads = op.attrs.int("num_heads").ok()?;
            let want_lse = Type::Tensor(TensorType::new([q.shape[0], heads], DType::F32));
            let out = match op.results.as_slice() {
                [o, l] if **l == want_lse => *o,
                _ => return Some(format!("results must be (output, log-sum-exp {want_lse})")),
            };
            let ok = |dt: DType| *out == Type::Tensor(TensorType::new([q.shape[0], q.shape[1]], dt));
            (!ok(DType::F32) && !ok(q.dtype)).then(|| {
                format!(
                    "output must be [{}, {}] in f32 or in q's type {}, got {out}",
                    q.shape[0],
                    q.shape[1],
                    q.dtype.name()
                )
            })
        }
        OpKind::AsyncWait => {
            let Some((input, start)) = op.token_source else {
                return Some("token must come from seq.async_start".into());
            };
            let (inner, _) = Collective::started(start).ok()?;
            match collective(inner, input.tensor()?, start) {
                Ok(want) if Type::Tensor(want.clone()) != *result => {
                    Some(format!("result is declared {result} but the collective produces {want}"))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Largest tensor seqc accepts: sizes are computed in 64-bit bytes everywhere after this check.
pub const MAX_TENSOR_BYTES: u64 = 1 << 60;

/// Why a tensor type cannot be planned, if it cannot.
pub fn check_size(t: &Type) -> Option<String> {
    let t = t.tensor()?;
    if let Some(d) = t.shape.iter().find(|&&d| d <= 0) {
        return Some(format!("{t} has a dimension of size {d}: every dimension needs at least one element"));
    }
    let bytes = t.shape.iter().try_fold(t.dtype.bytes(), |acc, &d| acc.checked_mul(d as u64));
    match bytes {
        Some(b) if b <= MAX_TENSOR_BYTES => None,
        _ => Some(format!("{t} is too large: seqc plans tensors of at most 2^60 bytes")),
    }
}
