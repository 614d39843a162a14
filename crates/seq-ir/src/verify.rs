//! Shape and type inference, and the verifier that runs after IRDL's structural checks.
//! `infer` is shared by the typed builders (which compute result types) and by `verify` (which
//! compares them with what the program declares), so the two can never disagree.

use crate::{
    attr::Attr,
    diag::Diagnostic,
    graph::{Def, Graph, Op},
    ops::OpKind,
    types::{DType, TensorType, Type},
};
use std::collections::BTreeMap;

/// The result of inference for one op.
pub enum Inferred {
    /// Result types are fully determined by operands and attributes.
    Types(Vec<Type>),
    /// The op's declared result types are accepted as they are after these checks
    /// (e.g. `seq.param`, whose type is its weight's).
    Declared,
}

type Attrs = BTreeMap<String, Attr>;

/// MLIR's attribute telling which operands fill which optional slot (seq.attention_partial has two).
pub const SEGMENT_SIZES: &str = "operandSegmentSizes";

fn req_int(attrs: &Attrs, name: &str) -> Result<i64, String> {
    match attrs.get(name) {
        Some(Attr::Int(v)) => Ok(*v),
        Some(other) => Err(format!("attribute '{name}' must be an integer, got {}", other.kind())),
        None => Err(format!("requires integer attribute '{name}'")),
    }
}

fn req_pos(attrs: &Attrs, name: &str) -> Result<i64, String> {
    let v = req_int(attrs, name)?;
    if v <= 0 {
        return Err(format!("attribute '{name}' must be positive, got {v}"));
    }
    Ok(v)
}

fn req_float(attrs: &Attrs, name: &str) -> Result<f64, String> {
    match attrs.get(name) {
        Some(Attr::Float(v)) => Ok(*v),
        Some(other) => Err(format!("attribute '{name}' must be a float, got {}", other.kind())),
        None => Err(format!("requires float attribute '{name}'")),
    }
}

fn req_bool(attrs: &Attrs, name: &str) -> Result<bool, String> {
    match attrs.get(name) {
        Some(Attr::Bool(v)) => Ok(*v),
        Some(other) => Err(format!("attribute '{name}' must be true or false, got {}", other.kind())),
        None => Err(format!("requires bool attribute '{name}'")),
    }
}

fn req_str<'a>(attrs: &'a Attrs, name: &str, allowed: &[&str]) -> Result<&'a str, String> {
    match attrs.get(name) {
        Some(Attr::Str(v)) if allowed.is_empty() || allowed.contains(&v.as_str()) => Ok(v),
        Some(Attr::Str(v)) => Err(format!("attribute '{name}' must be one of {allowed:?}, got \"{v}\"")),
        Some(other) => Err(format!("attribute '{name}' must be a string, got {}", other.kind())),
        None => Err(format!("requires string attribute '{name}'")),
    }
}

fn opt_pos(attrs: &Attrs, name: &str) -> Result<Option<i64>, String> {
    if attrs.contains_key(name) { req_pos(attrs, name).map(Some) } else { Ok(None) }
}

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
    if layout == "zigzag" {
        2 * ceil_div(global, 2 * n)
    } else {
        ceil_div(global, n)
    }
}

pub fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1) / b
}

fn attention_heads(attrs: &Attrs, q: &TensorType, k: &TensorType, v: &TensorType) -> Result<(), String> {
    let heads = req_pos(attrs, "num_heads")?;
    let kv_heads = req_pos(attrs, "num_kv_heads")?;
    let head_dim = req_pos(attrs, "head_dim")?;
    req_bool(attrs, "causal")?;
    if req_float(attrs, "scale")? <= 0.0 {
        return Err("attribute 'scale' must be positive".into());
    }
    opt_pos(attrs, "window")?;
    for (t, what) in [(q, "q"), (k, "k"), (v, "v")] {
        rank(t, 2, what)?;
        float(t, what)?;
    }
    if heads % kv_heads != 0 {
        return Err(format!(
            "num_heads ({heads}) must be a multiple of num_kv_heads ({kv_heads}) so query heads form equal GQA groups"
        ));
    }
    if q.shape[1] != heads * head_dim {
        return Err(format!(
            "q has {} columns but num_heads x head_dim = {heads} x {head_dim} = {}",
            q.shape[1],
            heads * head_dim
        ));
    }
    for (t, what) in [(k, "k"), (v, "v")] {
        if t.shape[1] != kv_heads * head_dim {
            return Err(format!(
                "{what} has {} columns but num_kv_heads x head_dim = {kv_heads} x {head_dim} = {}",
                t.shape[1],
                kv_heads * head_dim
            ));
        }
    }
    if k.shape[0] != v.shape[0] {
        return Err(format!("k and v must hold the same number of tokens: {k} vs {v}"));
    }
    Ok(())
}

fn index_vector(t: &TensorType, len: i64, what: &str) -> Result<(), String> {
    rank(t, 1, what)?;
    int(t, what)?;
    if t.shape[0] != len {
        return Err(format!("{what} must hold {len} entries, one per token, got {t}"));
    }
    Ok(())
}

fn shard_spec(attrs: &Attrs) -> Result<(String, i64, i64), String> {
    let layout = req_str(attrs, "layout", &["block", "zigzag"])?.to_string();
    let n = req_pos(attrs, "num_shards")?;
    let global = req_pos(attrs, "global_size")?;
    req_str(attrs, "axis", &[])?;
    Ok((layout, n, global))
}

/// Infers the result types of `kind` applied to operands of `types` with `attrs`.
pub fn infer(kind: OpKind, types: &[&Type], attrs: &Attrs) -> Result<Inferred, String> {
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
            req_str(attrs, "name", &[])?;
            Ok(Inferred::Declared)
        }
        Embedding => {
            expect(2, 2)?;
            let (ids, table) = (t(0, "ids")?, t(1, "table")?);
            rank(ids, 1, "ids")?;
            int(ids, "ids")?;
            rank(table, 2, "table")?;
            float(table, "table")?;
            out(TensorType::new([ids.shape[0], table.shape[1]], table.dtype))
        }
        RmsNorm | LayerNorm => {
            expect(if kind == RmsNorm { 2 } else { 3 }, if kind == RmsNorm { 2 } else { 3 })?;
            if req_float(attrs, "eps")? <= 0.0 {
                return Err("attribute 'eps' must be positive".into());
            }
            let x = t(0, "input")?;
            float(x, "input")?;
            let hidden = *x.shape.last().ok_or("input must have rank >= 1")?;
            for i in 1..n {
                let w = t(i, if i == 1 { "weight" } else { "bias" })?;
                if w.shape != [hidden] {
                    return Err(format!(
                        "{} must have shape [{hidden}] to match the input's hidden size, got {w}",
                        if i == 1 { "weight" } else { "bias" }
                    ));
                }
            }
            out(x.clone())
        }
        Linear => {
            expect(2, 3)?;
            let (x, w) = (t(0, "input")?, t(1, "weight")?);
            rank(x, 2, "input")?;
            rank(w, 2, "weight")?;
            float(x, "input")?;
            if w.shape[1] != x.shape[1] {
                return Err(format!(
                    "weight {w} expects {} input features (weights are [out, in]) but the input has {}",
                    w.shape[1], x.shape[1]
                ));
            }
            if w.dtype != x.dtype {
                return Err(format!("weight element type {} differs from input {}", w.dtype.name(), x.dtype.name()));
            }
            if n == 3 {
                let b = t(2, "bias")?;
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
            let hd = req_pos(attrs, "head_dim")?;
            if req_float(attrs, "theta")? <= 0.0 {
                return Err("attribute 'theta' must be positive".into());
            }
            if hd % 2 != 0 {
                return Err(format!("head_dim ({hd}) must be even: rotary embedding rotates pairs"));
            }
            if x.shape[1] % hd != 0 {
                return Err(format!("input has {} columns, not a multiple of head_dim {hd}", x.shape[1]));
            }
            if let Some(rd) = opt_pos(attrs, "rotary_dim")?
                && (rd > hd || rd % 2 != 0)
            {
                return Err(format!("rotary_dim ({rd}) must be even and at most head_dim ({hd})"));
            }
            out(x.clone())
        }
        Attention => {
            expect(3, 4)?;
            let (q, k, v) = (t(0, "q")?, t(1, "k")?, t(2, "v")?);
            attention_heads(attrs, q, k, v)?;
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
                req_str(attrs, "approximate", &["none", "tanh"])?;
            }
            if kind == Convert { Ok(Inferred::Declared) } else { out(x.clone()) }
        }
        Mul | Add | Swiglu => {
            expect(2, 2)?;
            let (a, b) = (t(0, "lhs")?, t(1, "rhs")?);
            same(a, b, "operands must have the same type")?;
            out(a.clone())
        }
        Logits => {
            expect(2, 2)?;
            let (x, w) = (t(0, "input")?, t(1, "weight")?);
            rank(x, 2, "input")?;
            rank(w, 2, "weight")?;
            if w.shape[1] != x.shape[1] {
                return Err(format!(
                    "weight {w} is [vocab, hidden] with hidden {} but the input has hidden {}",
                    w.shape[1], x.shape[1]
                ));
            }
            out(TensorType::new([x.shape[0], w.shape[0]], x.dtype))
        }
        Shard | Unshard => {
            expect(1, 1)?;
            let x = t(0, "input")?;
            let dim = req_int(attrs, "dim")?;
            let (layout, shards, global) = shard_spec(attrs)?;
            if dim < 0 || dim as usize >= x.rank() {
                return Err(format!("dim {dim} is out of range for {x}"));
            }
            let local = shard_rows(&layout, global, shards);
            let (have, give) = if kind == Shard { (global, local) } else { (local, global) };
            if x.shape[dim as usize] != have {
                return Err(format!("input has {} along dim {dim}, expected {have}", x.shape[dim as usize]));
            }
            out(x.with_dim(dim as usize, give))
        }
        TokenIndex => {
            expect(0, 0)?;
            let (layout, shards, global) = shard_spec(attrs)?;
            out(TensorType::new([shard_rows(&layout, global, shards)], DType::I32))
        }
        Slice => {
            expect(1, 1)?;
            let x = t(0, "input")?;
            let dim = req_int(attrs, "dim")?;
            let start = req_int(attrs, "start")?;
            let size = req_pos(attrs, "size")?;
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
            let dim = req_int(attrs, "dim")?;
            let first = t(0, "input")?;
            if dim < 0 || dim as usize >= first.rank() {
                return Err(format!("dim {dim} is out of range for {first}"));
            }
            let mut total = 0;
            for i in 0..n {
                let x = t(i, "input")?;
                if x.with_dim(dim as usize, 0) != first.with_dim(dim as usize, 0) {
                    return Err(format!("operands differ outside dim {dim}: {first} vs {x}"));
                }
                total += x.shape[dim as usize];
            }
            out(first.with_dim(dim as usize, total))
        }
        AllToAll | AllGather | ReduceScatter | AllReduce | CollectivePermute => {
            expect(1, 1)?;
            collective(kind, t(0, "input")?, attrs).map(|t| Inferred::Types(vec![Type::Tensor(t)]))
        }
        AsyncStart => {
            expect(1, 1)?;
            let name = req_str(attrs, "collective", &[])?;
            let inner = OpKind::from_name(name)
                .filter(|k| k.is_collective())
                .ok_or_else(|| format!("attribute 'collective' must name a collective op, got \"{name}\""))?;
            req_int(attrs, "stream")?;
            collective(inner, t(0, "input")?, attrs)?;
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
            let segs = if n == 7 { 1 } else { 0 };
            let want = Attr::Ints { values: vec![1, 1, 1, 1, 1, segs, segs], width: 32 };
            if attrs.get(SEGMENT_SIZES) != Some(&want) {
                return Err(format!("requires {SEGMENT_SIZES} = {want} for its {n} operands"));
            }
            let (q, k, v) = (t(0, "q")?, t(1, "k")?, t(2, "v")?);
            attention_heads(attrs, q, k, v)?;
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
            if la.shape[0] != oa.shape[0] || oa.shape[1] % la.shape[1] != 0 {
                return Err(format!("log-sum-exp {la} does not match partial output {oa} (one per token and head)"));
            }
            Ok(Inferred::Types(vec![Type::Tensor(oa.clone()), Type::Tensor(la.clone())]))
        }
    }
}

/// Result type of a collective over a group of `group_size` ranks.
fn collective(kind: OpKind, x: &TensorType, attrs: &Attrs) -> Result<TensorType, String> {
    let g = req_pos(attrs, "group_size")?;
    req_str(attrs, "axis", &[])?;
    let dim_of = |name: &str| -> Result<usize, String> {
        let d = req_int(attrs, name)?;
        if d < 0 || d as usize >= x.rank() {
            return Err(format!("{name} {d} is out of range for {x}"));
        }
        Ok(d as usize)
    };
    let divisible = |d: usize| -> Result<(), String> {
        if x.shape[d] % g != 0 {
            return Err(format!("dim {d} of {x} ({}) does not divide into group_size {g}", x.shape[d]));
        }
        Ok(())
    };
    match kind {
        OpKind::AllToAll => {
            let (s, c) = (dim_of("split_dim")?, dim_of("concat_dim")?);
            divisible(s)?;
            let mut t = x.with_dim(s, x.shape[s] / g);
            t.shape[c] *= g;
            Ok(t)
        }
        OpKind::AllGather => {
            let d = dim_of("dim")?;
            Ok(x.with_dim(d, x.shape[d] * g))
        }
        OpKind::ReduceScatter => {
            let d = dim_of("dim")?;
            req_str(attrs, "reduction", &["sum", "max"])?;
            divisible(d)?;
            Ok(x.with_dim(d, x.shape[d] / g))
        }
        OpKind::AllReduce => {
            req_str(attrs, "reduction", &["sum", "max"])?;
            Ok(x.clone())
        }
        OpKind::CollectivePermute => {
            req_int(attrs, "shift")?;
            Ok(x.clone())
        }
        other => Err(format!("{} is not a collective", other.name())),
    }
}

fn op_error(op: &Op, msg: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(op.loc.clone(), format!("'{}' op {msg}", op.kind.name()))
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

/// Verifies a whole program: every op's shapes and attributes, def-before-use, and that async
/// waits return what their collective produces. Returns every problem found, in program order.
pub fn verify(g: &Graph) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut defined = vec![false; g.values.len()];
    for (i, &a) in g.args.iter().enumerate() {
        defined[a.0 as usize] = true;
        if let Some(msg) = check_size(g.ty(a)) {
            diags.push(Diagnostic::error(g.loc.clone(), format!("argument #{i}: {msg}")));
        }
    }
    if !diags.is_empty() {
        return diags;
    }
    for (_, op) in g.body_ops() {
        if let Some(msg) = op.results.iter().find_map(|r| check_size(g.ty(*r))) {
            diags.push(op_error(op, msg));
            continue;
        }
        if let Some(bad) = op.operands.iter().find(|o| !defined[o.0 as usize]) {
            diags.push(op_error(op, format!("uses value #{} before it is defined", bad.0)));
            continue;
        }
        let types: Vec<&Type> = op.operands.iter().map(|o| g.ty(*o)).collect();
        let declared: Vec<&Type> = op.results.iter().map(|r| g.ty(*r)).collect();
        match infer(op.kind, &types, &op.attrs) {
            Err(msg) => diags.push(op_error(op, msg)),
            Ok(Inferred::Types(inferred)) => {
                if inferred.len() != declared.len() {
                    diags.push(op_error(op, format!("has {} results, expected {}", declared.len(), inferred.len())));
                } else if let Some((i, (want, got))) =
                    inferred.iter().zip(&declared).enumerate().find(|(_, (w, g))| w != *g)
                {
                    diags.push(op_error(op, format!("result #{i} is declared {got} but its operands give {want}")));
                }
            }
            Ok(Inferred::Declared) => {
                if let Some(msg) = check_declared(g, op) {
                    diags.push(op_error(op, msg));
                }
            }
        }
        for r in &op.results {
            defined[r.0 as usize] = true;
        }
    }
    diags
}

/// Checks for ops whose result type is declared rather than inferred.
fn check_declared(g: &Graph, op: &Op) -> Option<String> {
    let result = g.ty(*op.results.first()?);
    match op.kind {
        OpKind::Param => result.tensor().is_none().then(|| "result must be a tensor".to_string()),
        OpKind::Convert => {
            let (x, r) = (g.ty(op.operands[0]).tensor()?, result.tensor()?);
            (x.shape != r.shape).then(|| format!("changes only the element type, but {x} becomes {r}"))
        }
        OpKind::AttentionPartial => {
            let q = g.ty(op.operands[0]).tensor()?;
            let heads = op.int("num_heads")?;
            let want_lse = Type::Tensor(TensorType::new([q.shape[0], heads], DType::F32));
            let out = match op.results.as_slice() {
                [o, l] if *g.ty(*l) == want_lse => g.ty(*o),
                _ => return Some(format!("results must be (output, log-sum-exp {want_lse})")),
            };
            let ok = |dt: DType| *out == Type::Tensor(TensorType::new([q.shape[0], q.shape[1]], dt));
            (!ok(DType::F32) && !ok(q.dtype)).then(|| {
                format!("output must be [{}, {}] in f32 or in q's type {}, got {out}", q.shape[0], q.shape[1], q.dtype.name())
            })
        }
        OpKind::AsyncWait => {
            let start = match g.def(op.operands[0]) {
                Def::Op(id, _) => g.op(id),
                Def::Arg(_) => return Some("token must come from seq.async_start".into()),
            };
            let inner = start.str("collective").and_then(OpKind::from_name)?;
            let input = g.ty(start.operands[0]).tensor()?;
            match collective(inner, input, &start.attrs) {
                Ok(want) if Type::Tensor(want.clone()) != *result => {
                    Some(format!("result is declared {result} but the collective produces {want}"))
                }
                _ => None,
            }
        }
        _ => None,
    }
}
