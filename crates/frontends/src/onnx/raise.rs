//! Raises an ONNX graph into a seq program by abstract interpretation. Every ONNX value is given
//! a meaning — a constant, token ids, an activation (rows of the sequence), a per-head view of an
//! activation, or a partial pattern (the `x²` of an RMSNorm, a rotate-half of RoPE, attention
//! scores) — and each node either refines a meaning or completes a pattern, which emits seq ops.
//! Patterns are recognised by structure (shapes, constants, dataflow), never by node names.

use super::constant::{Const, attr_float, attr_int, attr_ints, attr_tensor, decode};
use super::proto::{GraphProto, NodeProto};
use seq_ir::{Attr, AttentionConfig, Builder, DType, Graph, OpKind, TensorType, ValueId, builder::attrs};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

/// How an activation's heads sit in the ONNX tensor (b = batch of 1, s = sequence, h = heads,
/// d = head dim).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Bshd,
    Bhsd,
    Bhds,
    Hsd,
    Hds,
}

#[derive(Clone, Debug, PartialEq)]
struct Heads {
    /// The seq value: [S, heads * dim], one head after another in the columns.
    v: ValueId,
    heads: i64,
    dim: i64,
    layout: Layout,
    /// Each head repeated this many times (GQA expansion of K and V).
    rep: i64,
    /// A scalar the exporter folded into q or k (scaled dot-product split over both).
    scale: f64,
    /// The head dim of `v` itself; `dim` is less where this is the rotated part of a partial
    /// rotary embedding (its first `dim` dims).
    full: i64,
}

#[derive(Clone, Debug, PartialEq)]
struct Scores {
    q: Heads,
    k: Heads,
    scale: f64,
    mask: Option<(bool, Option<i64>)>,
    /// Capped as c · tanh(s / c) (Gemma 2).
    softcap: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
enum V {
    Const(Rc<Const>),
    Ids(ValueId),
    Rows(ValueId),
    Heads(Heads),
    Sq(ValueId),
    MeanSq(ValueId),
    MeanSqEps(ValueId, f64),
    Den(ValueId, f64),
    InvDen(ValueId, f64),
    Normed(ValueId, f64),
    Sig(ValueId),
    GeluHalf(ValueId),
    GeluCube(ValueId),
    GeluCubeS(ValueId),
    GeluInner(ValueId),
    GeluInnerS(ValueId),
    GeluTanh(ValueId),
    GeluTanh1(ValueId),
    /// x / c and tanh(x / c) on the way to c · tanh(x / c) (Gemma 2's caps): of scores, or of
    /// rows (the logits).
    CapDiv(Box<V>, f64),
    CapTanh(Box<V>, f64),
    /// 0.5·(1 + tanh(...)) of x, before the product with x (the order torch.export writes).
    GeluHalfTanh1(ValueId),
    RopeCos(Heads, Rc<Const>),
    /// Dims [start, end) of each head (a rotate-half half, or a partial rotary's parts).
    HeadSlice(Heads, i64, i64),
    RopeNegHalf(Heads),
    RopeRot(Heads),
    RopeSin(Heads, Rc<Const>),
    /// The first `dim` dims of `full`-dim heads rotated (theta), waiting for the rest (Concat).
    RopedPart(Heads, f64),
    Unsq(Heads),
    Expanded(Heads, i64),
    Scores(Box<Scores>),
    Probs(Box<Scores>),
    NanMask(Box<Scores>),
}

/// Why a node could not be raised.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsupported {
    pub node: String,
    pub op: String,
    pub message: String,
    pub nearest: &'static str,
}

/// A weight the program reads, with its data in the program's layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Weight {
    pub name: String,
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

pub struct Raised {
    pub graph: Graph,
    pub weights: Vec<Weight>,
}

const NEAREST_NORM: &str = "RMSNorm as Pow(x,2) -> ReduceMean(-1) -> Add(eps) -> Sqrt -> Reciprocal -> Mul(x) -> Mul(weight), or RMSNormalization / LayerNormalization";
const NEAREST_ROPE: &str = "RoPE as Mul(x, cos) + Mul(Concat(Neg(Slice(x, d/2:)), Slice(x, :d/2)), sin) with cos/sin tables for positions 0..S-1";
const NEAREST_ATTN: &str = "attention as MatMul(q, Transpose(k)) -> Mul(scale) -> Add(causal mask) -> Softmax(-1) -> MatMul(v), or the Attention op";
const NEAREST_LINEAR: &str = "a linear layer as MatMul(x, W) or Gemm(x, W, b), with W a constant";
const NEAREST_MLP: &str = "SiLU as Mul(x, Sigmoid(x)), tanh-GELU as 0.5x(1+Tanh(0.79788(x+0.044715x^3))), or elementwise Mul/Add of activations";
const NEAREST_VIEW: &str = "head views Reshape([1,S,H,D]) / Transpose([0,2,1,3]) and GQA's Unsqueeze -> Expand -> Reshape of K and V";

struct Raiser<'a> {
    b: Builder<'a>,
    vals: HashMap<String, V>,
    seq: i64,
    dtype: DType,
    positions: ValueId,
    weights: Vec<Weight>,
    by_origin: HashMap<(String, bool), (String, Vec<usize>)>,
    layer: usize,
    counters: BTreeMap<(usize, &'static str), usize>,
    /// Linear ops without bias, by result: a following Add of a constant row folds in as bias.
    biasless: HashMap<ValueId, seq_ir::OpId>,
    /// Per-head views whose RMSNorm chain is under way (Qwen3's q/k norms), by value.
    head_norms: HashMap<ValueId, Heads>,
}

type R<T> = Result<T, (String, &'static str)>;

fn err<T>(msg: impl Into<String>, nearest: &'static str) -> R<T> {
    Err((msg.into(), nearest))
}

impl<'a> Raiser<'a> {
    fn get(&self, name: &str) -> R<V> {
        if name.is_empty() {
            return err("missing input", NEAREST_VIEW);
        }
        self.vals.get(name).cloned().ok_or_else(|| (format!("input '{name}' is not produced by any node before this one"), NEAREST_VIEW))
    }

    fn cols(&self, v: ValueId) -> i64 {
        self.b.graph.ty(v).tensor().map_or(0, |t| t.shape[1])
    }

    /// A parameter for a constant, named by its role; the same initializer gives the same name.
    /// The op of `kind` that produced `v`, when it has no attribute `attr` yet (an embedding not
    /// yet scaled, an output head not yet capped).
    fn producer_without(&self, v: ValueId, kind: OpKind, attr: &str) -> Option<seq_ir::OpId> {
        match self.b.graph.def(v) {
            seq_ir::Def::Op(id, _) if self.b.graph.op(id).kind == kind && !self.b.graph.op(id).attrs.contains_key(attr) => Some(id),
            _ => None,
        }
    }

    /// The bias-free linear that produced `v` (the output head, which becomes `seq.logits`), when
    /// it has no cap yet.
    fn uncapped_head(&self, v: ValueId) -> Option<seq_ir::OpId> {
        self.producer_without(v, OpKind::Linear, "softcap").filter(|&id| self.b.graph.op(id).operands.len() == 2)
    }

    fn param(&mut self, c: &Const, role: &'static str, suffix: &str) -> R<ValueId> {
        let shape: Vec<i64> = c.shape.iter().map(|&d| d as i64).collect();
        let ty = TensorType::new(shape, self.dtype);
        let name = match c.origin.as_ref().and_then(|o| self.by_origin.get(o)) {
            Some((n, s)) if *s == c.shape => n.clone(),
            _ => {
                let n = self.counters.entry((self.layer, role)).or_insert(0);
                let name = format!("layers.{}.{role}{}.{suffix}", self.layer, *n);
                *n += usize::from(suffix == "weight");
                if let Some(o) = &c.origin {
                    self.by_origin.insert(o.clone(), (name.clone(), c.shape.clone()));
                }
                self.weights.push(Weight { name: name.clone(), shape: c.shape.clone(), data: c.data.iter().map(|&x| x as f32).collect() });
                name
            }
        };
        self.b.param(&name, ty).map_err(|e| (e.to_string(), NEAREST_LINEAR))
    }

    fn emit(&mut self, kind: OpKind, operands: &[ValueId], a: BTreeMap<String, Attr>, nearest: &'static str) -> R<ValueId> {
        self.b.one(kind, operands, a).map_err(|e| (e.message, nearest))
    }

    fn linear(&mut self, x: ValueId, w_in_out: &Const, bias: Option<&Const>) -> R<ValueId> {
        let w = w_in_out.transposed().ok_or(("the weight is not a matrix".to_string(), NEAREST_LINEAR))?;
        let wp = self.param(&w, "linear", "weight")?;
        let mut ops = vec![x, wp];
        if let Some(b) = bias {
            if b.data.len() != w.shape[0] {
                return err(format!("bias has {} values for {} outputs", b.data.len(), w.shape[0]), NEAREST_LINEAR);
            }
            let b = b.reshaped(vec![b.data.len()]);
            ops.push(self.param(&b, "linear", "bias")?);
        }
        let y = self.emit(OpKind::Linear, &ops, BTreeMap::new(), NEAREST_LINEAR)?;
        if bias.is_none()
            && let seq_ir::Def::Op(id, _) = self.b.graph.def(y)
        {
            self.biasless.insert(y, id);
        }
        Ok(y)
    }

    fn onnx_shape(&self, h: &Heads) -> Vec<i64> {
        let (s, n, d) = (self.seq, h.heads * h.rep, h.dim);
        match h.layout {
            Layout::Bshd => vec![1, s, n, d],
            Layout::Bhsd => vec![1, n, s, d],
            Layout::Bhds => vec![1, n, d, s],
            Layout::Hsd => vec![n, s, d],
            Layout::Hds => vec![n, d, s],
        }
    }

    /// Resolves a Reshape target (-1 filled from the element count).
    fn target(&self, shape: &Const, elements: i64) -> Vec<i64> {
        let mut t = shape.ints();
        // A shape too large to multiply out (a corrupt model) infers nothing; no pattern matches it.
        let known: i64 = t.iter().filter(|&&d| d > 0).try_fold(1i64, |a, &d| a.checked_mul(d)).unwrap_or(0);
        for d in t.iter_mut() {
            if *d == -1 && known > 0 {
                *d = elements / known;
            }
        }
        t
    }

    fn reshape(&mut self, x: V, shape: &Const) -> R<V> {
        match x {
            V::Const(c) => {
                let n = c.data.len() as i64;
                let t = self.target(shape, n);
                Ok(V::Const(Rc::new(c.reshaped(t.iter().map(|&d| d.max(0) as usize).collect()))))
            }
            V::Ids(v) => Ok(V::Ids(v)),
            V::Rows(v) => {
                let c = self.cols(v);
                let t = self.target(shape, self.seq * c);
                match t[..] {
                    [1, s, c2] | [s, c2] if s == self.seq && c2 == c => Ok(V::Rows(v)),
                    [1, s, h, d] if s == self.seq && h.checked_mul(d) == Some(c) => {
                        Ok(V::Heads(Heads { v, heads: h, dim: d, layout: Layout::Bshd, rep: 1, scale: 1.0, full: d }))
                    }
                    _ => err(format!("reshape of a [{}, {c}] activation to {t:?}", self.seq), NEAREST_VIEW),
                }
            }
            V::Heads(h) => {
                let n = h.heads * h.rep;
                let t = self.target(shape, self.seq * n * h.dim);
                let with = |layout| V::Heads(Heads { layout, ..h.clone() });
                if h.layout == Layout::Bshd && h.rep == 1 && (t == [1, self.seq, n * h.dim] || t == [self.seq, n * h.dim]) {
                    return Ok(V::Rows(h.v));
                }
                for layout in [Layout::Bshd, Layout::Bhsd, Layout::Bhds, Layout::Hsd, Layout::Hds] {
                    let same_order = matches!(
                        (h.layout, layout),
                        (Layout::Bhsd | Layout::Hsd, Layout::Bhsd | Layout::Hsd) | (Layout::Bhds | Layout::Hds, Layout::Bhds | Layout::Hds)
                    ) || h.layout == layout;
                    if same_order && self.onnx_shape(&Heads { layout, ..h.clone() }) == t {
                        return Ok(with(layout));
                    }
                }
                err(format!("reshape of heads {:?} to {t:?}", self.onnx_shape(&h)), NEAREST_VIEW)
            }
            V::Expanded(h, rep) => {
                let t = self.target(shape, self.seq * h.heads * rep * h.dim);
                let expanded = Heads { rep: h.rep * rep, ..h.clone() };
                for layout in [Layout::Bhsd, Layout::Hsd] {
                    if self.onnx_shape(&Heads { layout, ..expanded.clone() }) == t {
                        return Ok(V::Heads(Heads { layout, ..expanded }));
                    }
                }
                err(format!("reshape of expanded KV heads to {t:?}"), NEAREST_VIEW)
            }
            other => err(format!("reshape of {}", kind(&other)), NEAREST_VIEW),
        }
    }

    fn transpose(&mut self, x: V, perm: &[i64]) -> R<V> {
        match x {
            V::Const(c) if c.shape.len() == 2 && perm == [1, 0] => Ok(V::Const(Rc::new(c.transposed().ok_or(("".to_string(), NEAREST_VIEW))?))),
            V::Heads(h) => {
                use Layout::*;
                let layout = match (h.layout, perm) {
                    (Bshd, [0, 2, 1, 3]) => Bhsd,
                    (Bhsd, [0, 2, 1, 3]) => Bshd,
                    (Bshd, [0, 2, 3, 1]) => Bhds,
                    (Bhsd, [0, 1, 3, 2]) => Bhds,
                    (Bhds, [0, 1, 3, 2]) => Bhsd,
                    (Hsd, [0, 2, 1]) => Hds,
                    (Hds, [0, 2, 1]) => Hsd,
                    _ => return err(format!("transpose {perm:?} of heads laid out {:?}", h.layout), NEAREST_VIEW),
                };
                Ok(V::Heads(Heads { layout, ..h }))
            }
            other => err(format!("transpose {perm:?} of {}", kind(&other)), NEAREST_VIEW),
        }
    }

    fn rope(&mut self, h: &Heads, cos: &Const, sin: &Const) -> R<V> {
        let d = h.dim as usize;
        let s = self.seq as usize;
        if cos.data.len() != s * d || sin.data.len() != s * d {
            return err(format!("cos/sin tables hold {} values, expected {s} positions x {d} dims", cos.data.len()), NEAREST_ROPE);
        }
        // cos[p, j] = cos(p * inv[j mod d/2]) with inv[j] = theta^(-2j/d): read theta off position 1.
        if s < 2 {
            return err("a one-token sequence does not determine the rotary frequencies", NEAREST_ROPE);
        }
        let inv1 = sin.data[d + 1].atan2(cos.data[d + 1]);
        let theta = inv1.powf(-(d as f64) / 2.0);
        for p in 0..s {
            for j in 0..d {
                let inv = theta.powf(-2.0 * (j % (d / 2)) as f64 / d as f64);
                let (c, sn) = ((p as f64 * inv).cos(), (p as f64 * inv).sin());
                if (cos.data[p * d + j] - c).abs() > 1e-3 || (sin.data[p * d + j] - sn).abs() > 1e-3 {
                    return err(
                        format!("the cos/sin tables are not standard rotary embeddings of positions 0..{} (theta {theta:.1}) at position {p}, dim {j}", s - 1),
                        NEAREST_ROPE,
                    );
                }
            }
        }
        let theta = (theta * 1e3).round() / 1e3;
        if h.dim < h.full {
            // The first dims of partial rotary: one rope op once the rest is concatenated.
            return Ok(V::RopedPart(h.clone(), theta));
        }
        self.emit_rope(h, h.dim, theta)
    }

    /// `seq.rope` of the first `rotary` dims of each of `h`'s heads (all of them: `h.dim`).
    fn emit_rope(&mut self, h: &Heads, rotary: i64, theta: f64) -> R<V> {
        let mut a = attrs([("head_dim", Attr::Int(h.dim)), ("theta", Attr::Float(theta))]);
        if rotary < h.dim {
            a.insert("rotary_dim".into(), Attr::Int(rotary));
        }
        let y = self.emit(OpKind::Rope, &[h.v, self.positions], a, NEAREST_ROPE)?;
        Ok(V::Heads(Heads { v: y, ..h.clone() }))
    }

    /// Columns `start..start + size` of activation `r`.
    fn columns(&mut self, r: ValueId, start: i64, size: i64) -> R<V> {
        let a = attrs([("dim", Attr::Int(1)), ("start", Attr::Int(start)), ("size", Attr::Int(size))]);
        Ok(V::Rows(self.emit(OpKind::Slice, &[r], a, NEAREST_VIEW)?))
    }

    fn mask(&self, c: &Const) -> R<(bool, Option<i64>)> {
        let s = self.seq as usize;
        if c.data.len() != s * s {
            return err(format!("a mask of {} values for {s} tokens", c.data.len()), NEAREST_ATTN);
        }
        // Boolean masks say where attention is allowed; additive ones add 0 there and -inf elsewhere.
        let boolean = c.ints.is_some();
        let allowed = |i: usize, j: usize| if boolean { c.data[i * s + j] != 0.0 } else { c.data[i * s + j] > -1e4 };
        let causal = (0..s).all(|i| (i + 1..s).all(|j| !allowed(i, j)));
        let reach = (0..s).map(|i| (0..=i).filter(|&j| allowed(i, j)).count()).max().unwrap_or(0);
        let window = (reach < s).then_some(reach as i64);
        let matches = (0..s).all(|i| {
            (0..s).all(|j| {
                let want = (!causal || j <= i) && window.is_none_or(|w| i.abs_diff(j) < w as usize);
                allowed(i, j) == want && (boolean || !want || c.data[i * s + j].abs() < 1e-6)
            })
        });
        if !matches {
            return err("the mask is neither causal, nor a sliding window, nor empty", NEAREST_ATTN);
        }
        Ok((causal, window))
    }

    fn attention(&mut self, sc: &Scores, v: &Heads, extra_mask: Option<(bool, Option<i64>)>) -> R<V> {
        let (q, k) = (&sc.q, &sc.k);
        if q.rep != 1 || k.heads * k.rep != q.heads || v.heads != k.heads || v.rep != k.rep || q.dim != k.dim || v.dim != q.dim {
            return err(
                format!("q has {} heads, k {}x{} and v {}x{} (heads x repeats): they do not form GQA groups", q.heads, k.heads, k.rep, v.heads, v.rep),
                NEAREST_ATTN,
            );
        }
        let (causal, window) = extra_mask.or(sc.mask).unwrap_or((false, None));
        let cfg = AttentionConfig { causal, num_heads: q.heads, num_kv_heads: k.heads, head_dim: q.dim, scale: sc.scale, window, softcap: sc.softcap };
        let y = self.b.attention(q.v, k.v, v.v, None, &cfg).map_err(|e| (e.message, NEAREST_ATTN))?;
        self.layer += 1;
        Ok(V::Heads(Heads { v: y, heads: q.heads, dim: q.dim, layout: Layout::Bhsd, rep: 1, scale: 1.0, full: q.dim }))
    }

    fn node(&mut self, n: &NodeProto, inits: &HashMap<String, Const>) -> R<Vec<V>> {
        let op = n.op_type.as_deref().unwrap_or("");
        let a = &n.attribute;
        let inp = |i: usize| n.input.get(i).map(String::as_str).unwrap_or("");
        let x = |s: &Self, i: usize| -> R<V> {
            if let Some(c) = inits.get(inp(i)) {
                return Ok(V::Const(Rc::new(c.clone())));
            }
            s.get(inp(i))
        };
        let cst = |v: &V| if let V::Const(c) = v { Some(c.clone()) } else { None };
        let scalar = |v: &V| cst(v).and_then(|c| c.scalar());
        let close = |v: Option<f64>, want: f64| v.is_some_and(|v| (v - want).abs() <= 1e-4 * want.abs().max(1.0));
        let one = |v: V| Ok(vec![v]);
        match op {
            "Identity" | "Dropout" | "Cast" | "Contiguous" => one(x(self, 0)?),
            "Constant" => {
                let t = attr_tensor(a, "value").ok_or(("Constant without a tensor value".to_string(), NEAREST_VIEW))?;
                let c = decode(t, n.output.first().map(String::as_str).unwrap_or("constant")).map_err(|m| (m, NEAREST_VIEW))?;
                one(V::Const(Rc::new(Const { origin: None, ..c })))
            }
            "Gather" => match (x(self, 0)?, x(self, 1)?) {
                (V::Const(table), V::Ids(ids)) => {
                    let p = self.param(&table, "embed", "weight")?;
                    one(V::Rows(self.emit(OpKind::Embedding, &[ids, p], BTreeMap::new(), NEAREST_LINEAR)?))
                }
                (V::Const(table), V::Const(idx)) if idx.ints().iter().enumerate().all(|(i, &v)| v == i as i64) && idx.data.len() == self.seq as usize => {
                    // Learned positions looked up for 0..S-1: the positions argument does the same.
                    let p = self.param(&table, "pos_embed", "weight")?;
                    one(V::Rows(self.emit(OpKind::Embedding, &[self.positions, p], BTreeMap::new(), NEAREST_LINEAR)?))
                }
                (t, i) => err(format!("Gather of {} by {}", kind(&t), kind(&i)), "an embedding: Gather(table, input_ids) or Gather(positions table, 0..S-1)"),
            },
            "Reshape" => {
                let shape = cst(&x(self, 1)?).ok_or(("a Reshape whose shape is not constant".to_string(), NEAREST_VIEW))?;
                let v = x(self, 0)?;
                one(self.reshape(v, &shape)?)
            }
            "Transpose" => {
                let perm = attr_ints(a, "perm").unwrap_or_default();
                let v = x(self, 0)?;
                one(self.transpose(v, &perm)?)
            }
            "Unsqueeze" => match x(self, 0)? {
                V::Heads(h) if h.layout == Layout::Bhsd => one(V::Unsq(h)),
                V::Const(c) => {
                    let mut shape = c.shape.clone();
                    let axes = attr_ints(a, "axes").or_else(|| x(self, 1).ok().and_then(|v| cst(&v)).map(|c| c.ints())).unwrap_or_default();
                    for ax in axes {
                        let ax = if ax < 0 { shape.len() as i64 + 1 + ax } else { ax } as usize;
                        shape.insert(ax.min(shape.len()), 1);
                    }
                    one(V::Const(Rc::new(c.reshaped(shape))))
                }
                v => err(format!("Unsqueeze of {}", kind(&v)), NEAREST_VIEW),
            },
            "Expand" => match (x(self, 0)?, x(self, 1)?) {
                (V::Unsq(h), V::Const(shape)) => {
                    let s = shape.ints();
                    if s.len() == 5 && s[1] == h.heads && s[3] == self.seq && s[4] == h.dim {
                        one(V::Expanded(h, s[2]))
                    } else {
                        err(format!("Expand of KV heads to {s:?}"), NEAREST_VIEW)
                    }
                }
                (v, _) => err(format!("Expand of {}", kind(&v)), NEAREST_VIEW),
            },
            "MatMul" => match (x(self, 0)?, x(self, 1)?) {
                (V::Rows(r), V::Const(w)) if w.shape.len() == 2 => one(V::Rows(self.linear(r, &w, None)?)),
                (V::Heads(q), V::Heads(k)) if matches!(q.layout, Layout::Bhsd | Layout::Hsd) && matches!(k.layout, Layout::Bhds | Layout::Hds) => {
                    let scale = q.scale * k.scale;
                    one(V::Scores(Box::new(Scores { q, k, scale, mask: None, softcap: None })))
                }
                (V::Probs(sc), V::Heads(v)) if matches!(v.layout, Layout::Bhsd | Layout::Hsd) => one(self.attention(&sc, &v, None)?),
                (l, r) => err(format!("MatMul of {} and {}", kind(&l), kind(&r)), NEAREST_LINEAR),
            },
            "Gemm" => {
                let (ta, tb) = (attr_int(a, "transA").unwrap_or(0), attr_int(a, "transB").unwrap_or(0));
                let (alpha, beta) = (attr_float(a, "alpha").unwrap_or(1.0), attr_float(a, "beta").unwrap_or(1.0));
                match (x(self, 0)?, x(self, 1)?) {
                    (V::Rows(r), V::Const(w)) if ta == 0 && close(Some(alpha), 1.0) && close(Some(beta), 1.0) => {
                        let w = if tb == 1 { w.transposed().ok_or(("".to_string(), NEAREST_LINEAR))? } else { (*w).clone() };
                        let bias = if n.input.len() > 2 { cst(&x(self, 2)?) } else { None };
                        one(V::Rows(self.linear(r, &w, bias.as_deref())?))
                    }
                    (l, r) => err(format!("Gemm of {} and {} (transA {ta}, alpha {alpha}, beta {beta})", kind(&l), kind(&r)), NEAREST_LINEAR),
                }
            }
            "Split" => {
                let V::Rows(r) = x(self, 0)? else { return err("Split of something other than an activation", NEAREST_VIEW) };
                let axis = attr_int(a, "axis").unwrap_or(0);
                if axis != 2 && axis != -1 {
                    return err(format!("Split along axis {axis}"), "Split of a [1, S, C] activation along its last axis");
                }
                let c = self.cols(r);
                let sizes = match n.input.get(1).filter(|s| !s.is_empty()) {
                    Some(_) => cst(&x(self, 1)?).map(|c| c.ints()).unwrap_or_default(),
                    None => {
                        let parts = attr_int(a, "num_outputs").unwrap_or(n.output.len() as i64).max(1);
                        // One part per output the node declares: a larger count is a corrupt file.
                        if parts > n.output.len().max(1) as i64 {
                            return err(format!("Split into {parts} parts with {} outputs", n.output.len()), NEAREST_VIEW);
                        }
                        vec![c / parts; parts as usize]
                    }
                };
                let mut start = 0;
                let mut outs = Vec::new();
                for size in sizes {
                    outs.push(self.columns(r, start, size)?);
                    start += size;
                }
                Ok(outs)
            }
            "Slice" => {
                let v = x(self, 0)?;
                let get = |i: usize| -> Option<i64> { n.input.get(i).and_then(|s| inits.get(s).map(|c| c.ints())).or_else(|| x(self, i).ok().and_then(|v| cst(&v)).map(|c| c.ints())).and_then(|v| v.first().copied()) };
                let (start, end, axis, step) = (get(1), get(2), get(3).unwrap_or(0), get(4).unwrap_or(1));
                match v {
                    // Dims of each head: a rotate-half half, or a partial rotary's rotated part
                    // and pass-through (told apart by what reads them). A slice of the rotated
                    // part slices its `dim` dims.
                    V::Heads(ref h) | V::HeadSlice(ref h, 0, _) if step == 1 && (axis == -1 || axis == 3) && h.layout == Layout::Bhsd => {
                        let h = match &v {
                            V::HeadSlice(h, 0, e) => Heads { dim: *e, ..h.clone() },
                            _ => h.clone(),
                        };
                        let (s, e) = (start.unwrap_or(0).max(0), end.unwrap_or(h.dim).min(h.dim));
                        if s >= e || (s > 0 && e < h.dim) {
                            return err(format!("Slice [{start:?}, {end:?}) of a head of {} dims", h.dim), NEAREST_ROPE);
                        }
                        one(V::HeadSlice(h, s, e))
                    }
                    // Columns of an activation: a fused projection's output cut into its parts
                    // (Phi-3's qkv_proj, gate_up_proj), as Split does.
                    V::Rows(r) if step == 1 && (axis == -1 || axis == 2) => {
                        let c = self.cols(r);
                        let (s, e) = (start.unwrap_or(0).clamp(0, c), end.unwrap_or(c).clamp(0, c));
                        if s >= e {
                            return err(format!("Slice [{s}, {e}) of {c} columns"), NEAREST_VIEW);
                        }
                        one(self.columns(r, s, e - s)?)
                    }
                    v => err(format!("Slice of {}", kind(&v)), NEAREST_ROPE),
                }
            }
            "Neg" => match x(self, 0)? {
                V::HeadSlice(h, s, e) if 2 * s == h.dim && e == h.dim => one(V::RopeNegHalf(h)),
                v => err(format!("Neg of {}", kind(&v)), NEAREST_ROPE),
            },
            "Concat" => match (x(self, 0)?, x(self, 1)?) {
                (V::RopeNegHalf(h), V::HeadSlice(h2, 0, e)) if h == h2 && 2 * e == h.dim => one(V::RopeRot(h)),
                // Partial rotary: the rotated first dims, then the rest as they were.
                (V::RopedPart(p, theta), V::HeadSlice(h, s, e)) if p.v == h.v && p.dim == s && e == h.dim && h.dim == p.full => {
                    one(self.emit_rope(&h, p.dim, theta)?)
                }
                (l, r) => err(format!("Concat of {} and {}", kind(&l), kind(&r)), NEAREST_ROPE),
            },
            "Pow" => match (x(self, 0)?, scalar(&x(self, 1)?)) {
                (V::Rows(r), Some(2.0)) => one(V::Sq(r)),
                // An RMSNorm of each head ([1, S, heads, dim], or its [1, heads, S, dim] view: a head's dims
                // are contiguous either way).
                (V::Heads(h), Some(2.0)) if matches!(h.layout, Layout::Bshd | Layout::Bhsd) && h.rep == 1 && h.scale == 1.0 && h.dim == h.full => {
                    self.head_norms.insert(h.v, h.clone());
                    one(V::Sq(h.v))
                }
                (V::Rows(r), Some(3.0)) => one(V::GeluCube(r)),
                (v, e) => err(format!("Pow of {} by {e:?}", kind(&v)), NEAREST_NORM),
            },
            "ReduceMean" => {
                let axes = attr_ints(a, "axes").or_else(|| x(self, 1).ok().and_then(|v| cst(&v)).map(|c| c.ints())).unwrap_or_default();
                match x(self, 0)? {
                    V::Sq(r) if (axes == [-1] || axes == [2] || (axes == [3] && self.head_norms.contains_key(&r))) && attr_int(a, "keepdims").unwrap_or(1) == 1 => {
                        one(V::MeanSq(r))
                    }
                    v => err(format!("ReduceMean of {} over {axes:?}", kind(&v)), NEAREST_NORM),
                }
            }
            "Sqrt" => match x(self, 0)? {
                V::MeanSqEps(r, e) => one(V::Den(r, e)),
                v => err(format!("Sqrt of {}", kind(&v)), NEAREST_NORM),
            },
            "Reciprocal" => match x(self, 0)? {
                V::Den(r, e) => one(V::InvDen(r, e)),
                v => err(format!("Reciprocal of {}", kind(&v)), NEAREST_NORM),
            },
            "Div" => match (x(self, 0)?, x(self, 1)?) {
                (V::Rows(r), V::Den(r2, e)) if r == r2 => one(V::Normed(r, e)),
                (v @ (V::Scores(_) | V::Rows(_)), c) if scalar(&c).is_some_and(|c| c > 0.0) => {
                    one(V::CapDiv(Box::new(v), scalar(&c).unwrap_or(1.0)))
                }
                (l, V::Den(r, e)) if close(scalar(&l), 1.0) => one(V::InvDen(r, e)),
                (l, r) => err(format!("Div of {} by {}", kind(&l), kind(&r)), NEAREST_NORM),
            },
            "Sigmoid" => match x(self, 0)? {
                V::Rows(r) => one(V::Sig(r)),
                v => err(format!("Sigmoid of {}", kind(&v)), NEAREST_MLP),
            },
            "Tanh" => match x(self, 0)? {
                V::GeluInnerS(r) => one(V::GeluTanh(r)),
                V::CapDiv(v, c) => one(V::CapTanh(v, c)),
                v => err(format!("Tanh of {}", kind(&v)), NEAREST_MLP),
            },
            "Softmax" => match x(self, 0)? {
                V::Scores(s) if matches!(attr_int(a, "axis").unwrap_or(-1), -1 | 3) => one(V::Probs(s)),
                v => err(format!("Softmax of {}", kind(&v)), NEAREST_ATTN),
            },
            "IsNaN" => match x(self, 0)? {
                V::Probs(s) => one(V::NanMask(s)),
                v => err(format!("IsNaN of {}", kind(&v)), NEAREST_ATTN),
            },
            "Where" => match (x(self, 0)?, x(self, 1)?, x(self, 2)?) {
                // Rows that see no key give NaN in softmax; the exporter zeroes them, as seq does.
                (V::NanMask(s), z, V::Probs(s2)) if s == s2 && close(scalar(&z), 0.0) => one(V::Probs(s)),
                (c, _, _) => err(format!("Where on {}", kind(&c)), NEAREST_ATTN),
            },
            "RMSNormalization" | "LayerNormalization" => {
                let eps = attr_float(a, "epsilon").unwrap_or(1e-5);
                let eps = (eps as f32) as f64;
                if !matches!(attr_int(a, "axis").unwrap_or(-1), -1 | 2) {
                    return err("normalization over an axis other than the last", NEAREST_NORM);
                }
                let V::Rows(r) = x(self, 0)? else { return err("normalization of something other than an activation", NEAREST_NORM) };
                let w = cst(&x(self, 1)?).ok_or(("a normalization weight that is not constant".to_string(), NEAREST_NORM))?;
                let w = self.param(&w.reshaped(vec![w.data.len()]), "norm", "weight")?;
                let (kind, mut ops) = if op == "RMSNormalization" { (OpKind::RmsNorm, vec![r, w]) } else { (OpKind::LayerNorm, vec![r, w]) };
                if op == "LayerNormalization" {
                    let b = match n.input.get(2).filter(|s| !s.is_empty()) {
                        Some(_) => cst(&x(self, 2)?).ok_or(("a LayerNormalization bias that is not constant".to_string(), NEAREST_NORM))?,
                        None => Rc::new(Const { shape: vec![self.cols(r) as usize], data: vec![0.0; self.cols(r) as usize], ints: None, origin: None }),
                    };
                    ops.push(self.param(&b.reshaped(vec![b.data.len()]), "norm", "bias")?);
                }
                one(V::Rows(self.emit(kind, &ops, attrs([("eps", Attr::Float(eps))]), NEAREST_NORM)?))
            }
            "Attention" => {
                let (V::Heads(q), V::Heads(k), V::Heads(v)) = (x(self, 0)?, x(self, 1)?, x(self, 2)?) else {
                    return err("Attention on inputs that are not 4-D head views", NEAREST_ATTN);
                };
                if n.output.len() > 1 && n.output[1..].iter().any(|o| !o.is_empty()) {
                    return err("Attention with KV-cache outputs", NEAREST_ATTN);
                }
                let scale = attr_float(a, "scale").unwrap_or(1.0 / (q.dim as f64).sqrt());
                let mut mask = if attr_int(a, "is_causal").unwrap_or(0) == 1 { Some((true, None)) } else { None };
                if let Some(m) = n.input.get(3).filter(|s| !s.is_empty()) {
                    let c = cst(&x(self, 3)?).ok_or((format!("Attention mask '{m}' is not constant"), NEAREST_ATTN))?;
                    mask = Some(self.mask(&c)?);
                }
                let k = Heads { layout: Layout::Bhds, ..k };
                let sc = Scores { q, k, scale, mask, softcap: None };
                one(self.attention(&sc, &v, None)?)
            }
            "Mul" => {
                let (l, r) = (x(self, 0)?, x(self, 1)?);
                for (p, o) in [(&l, &r), (&r, &l)] {
                    let done = match (p, o) {
                        (V::Rows(a), V::InvDen(b, e)) if a == b => Some(V::Normed(*a, *e)),
                        (V::Heads(h), V::InvDen(b, e)) if h.v == *b && self.head_norms.contains_key(b) => Some(V::Normed(*b, *e)),
                        (V::Const(w), V::Normed(r, e)) if self.head_norms.get(r).is_some_and(|h| w.data.len() as i64 == h.dim) => {
                            // Each head on its own: `rms_norm` with `group`, still a per-head view.
                            let h = self.head_norms.remove(r).unwrap_or_else(|| unreachable!());
                            let wp = self.param(&w.reshaped(vec![w.data.len()]), "norm", "weight")?;
                            let a = attrs([("eps", Attr::Float((*e as f32) as f64)), ("group", Attr::Int(h.dim))]);
                            Some(V::Heads(Heads { v: self.emit(OpKind::RmsNorm, &[*r, wp], a, NEAREST_NORM)?, ..h }))
                        }
                        (V::Const(w), V::Normed(r, e)) if w.data.len() as i64 == self.cols(*r) => {
                            let wp = self.param(&w.reshaped(vec![w.data.len()]), "norm", "weight")?;
                            Some(V::Rows(self.emit(OpKind::RmsNorm, &[*r, wp], attrs([("eps", Attr::Float((*e as f32) as f64))]), NEAREST_NORM)?))
                        }
                        (V::Rows(a), V::Sig(b)) if a == b => Some(V::Rows(self.emit(OpKind::Silu, &[*a], BTreeMap::new(), NEAREST_MLP)?)),
                        // Looked-up rows times a constant (Gemma's √hidden): the embedding's `scale`.
                        (V::Rows(a), V::Const(c)) if c.scalar().is_some() && self.producer_without(*a, OpKind::Embedding, "scale").is_some() => {
                            let id = self.producer_without(*a, OpKind::Embedding, "scale").unwrap_or_else(|| unreachable!());
                            self.b.graph.op_mut(id).attrs.insert("scale".into(), Attr::Float(c.data[0]));
                            Some(V::Rows(*a))
                        }
                        (V::Rows(a), V::Const(c)) if close(c.scalar(), 0.5) => Some(V::GeluHalf(*a)),
                        (V::GeluCube(a), V::Const(c)) if close(c.scalar(), 0.044715) => Some(V::GeluCubeS(*a)),
                        (V::GeluInner(a), V::Const(c)) if close(c.scalar(), (2.0 / std::f64::consts::PI).sqrt()) => Some(V::GeluInnerS(*a)),
                        (V::GeluTanh1(a), V::Const(c)) if close(c.scalar(), 0.5) => Some(V::GeluHalfTanh1(*a)),
                        (V::Rows(a), V::GeluHalfTanh1(b)) if a == b => {
                            Some(V::Rows(self.emit(OpKind::Gelu, &[*a], attrs([("approximate", Attr::Str("tanh".into()))]), NEAREST_MLP)?))
                        }
                        (V::GeluHalf(a), V::GeluTanh1(b)) if a == b => {
                            Some(V::Rows(self.emit(OpKind::Gelu, &[*a], attrs([("approximate", Attr::Str("tanh".into()))]), NEAREST_MLP)?))
                        }
                        (V::Heads(h), V::Const(c)) if c.scalar().is_some() => Some(V::Heads(Heads { scale: h.scale * c.data[0], ..h.clone() })),
                        (V::Heads(h), V::Const(c)) if c.data.len() as i64 == self.seq * h.dim => Some(V::RopeCos(h.clone(), c.clone())),
                        // The rotated part of a partial rotary embedding.
                        (V::HeadSlice(h, 0, e), V::Const(c)) if *e < h.dim && c.data.len() as i64 == self.seq * e => {
                            Some(V::RopeCos(Heads { dim: *e, ..h.clone() }, c.clone()))
                        }
                        (V::RopeRot(h), V::Const(c)) if c.data.len() as i64 == self.seq * h.dim => Some(V::RopeSin(h.clone(), c.clone())),
                        (V::Scores(s), V::Const(c)) if c.scalar().is_some() => Some(V::Scores(Box::new(Scores { scale: s.scale * c.data[0], ..(**s).clone() }))),
                        // c · tanh(s / c): capped scores (before any mask), or capped logits.
                        (V::CapTanh(v, cap), V::Const(c)) if close(c.scalar(), *cap) => match &**v {
                            V::Scores(s) if s.mask.is_none() && s.softcap.is_none() => {
                                Some(V::Scores(Box::new(Scores { softcap: Some(*cap), ..(**s).clone() })))
                            }
                            V::Rows(r) if self.uncapped_head(*r).is_some() => {
                                let id = self.uncapped_head(*r).unwrap_or_else(|| unreachable!());
                                self.b.graph.op_mut(id).attrs.insert("softcap".into(), Attr::Float(*cap));
                                Some(V::Rows(*r))
                            }
                            _ => None,
                        },
                        (V::Rows(a), V::Rows(b)) => Some(V::Rows(self.emit(OpKind::Mul, &[*a, *b], BTreeMap::new(), NEAREST_MLP)?)),
                        _ => None,
                    };
                    if let Some(v) = done {
                        return one(v);
                    }
                }
                err(format!("Mul of {} and {}", kind(&l), kind(&r)), NEAREST_MLP)
            }
            "Add" => {
                let (l, r) = (x(self, 0)?, x(self, 1)?);
                for (p, o) in [(&l, &r), (&r, &l)] {
                    let done = match (p, o) {
                        (V::MeanSq(a), V::Const(c)) if c.scalar().is_some() => Some(V::MeanSqEps(*a, (c.data[0] as f32) as f64)),
                        (V::Rows(a), V::GeluCubeS(b)) if a == b => Some(V::GeluInner(*a)),
                        (V::GeluTanh(a), V::Const(c)) if close(c.scalar(), 1.0) => Some(V::GeluTanh1(*a)),
                        (V::RopeCos(h, cos), V::RopeSin(h2, sin)) if h == h2 => Some(self.rope(h, cos, sin)?),
                        (V::Scores(s), V::Const(m)) => Some(V::Scores(Box::new(Scores { mask: Some(self.mask(m)?), ..(**s).clone() }))),
                        (V::Rows(a), V::Rows(b)) => Some(V::Rows(self.emit(OpKind::Add, &[*a, *b], BTreeMap::new(), NEAREST_MLP)?)),
                        (V::Rows(a), V::Const(c)) if c.data.len() as i64 == self.cols(*a) && self.biasless.contains_key(a) => {
                            // A bias added after MatMul folds into its linear layer.
                            let id = self.biasless.remove(a).unwrap_or_else(|| unreachable!());
                            let bp = self.param(&c.reshaped(vec![c.data.len()]), "linear", "bias")?;
                            self.b.graph.op_mut(id).operands.push(bp);
                            // The bias's `param` was appended after the linear that now reads it
                            // (exporters put the Add anywhere after the MatMul): define it first.
                            if let seq_ir::Def::Op(param, _) = self.b.graph.def(bp) {
                                let body = &mut self.b.graph.body;
                                if let (Some(at), Some(from)) = (body.iter().position(|&o| o == id), body.iter().position(|&o| o == param))
                                    && from > at
                                {
                                    body.remove(from);
                                    body.insert(at, param);
                                }
                            }
                            Some(V::Rows(*a))
                        }
                        _ => None,
                    };
                    if let Some(v) = done {
                        return one(v);
                    }
                }
                err(format!("Add of {} and {}", kind(&l), kind(&r)), NEAREST_MLP)
            }
            other => err(
                format!("op type '{other}' is not supported"),
                "the ops Hugging Face decoders export: MatMul/Gemm, Gather, norms, RoPE, attention, SiLU/GELU, Reshape/Transpose views",
            ),
        }
    }
}

fn kind(v: &V) -> &'static str {
    match v {
        V::Const(_) => "a constant",
        V::Ids(_) => "token ids",
        V::Rows(_) => "an activation",
        V::Heads(_) => "a per-head view",
        V::Sq(_) | V::MeanSq(_) | V::MeanSqEps(..) | V::Den(..) | V::InvDen(..) | V::Normed(..) => "part of an RMSNorm",
        V::Sig(_) => "a sigmoid",
        V::GeluHalf(_) | V::GeluCube(_) | V::GeluCubeS(_) | V::GeluInner(_) | V::GeluInnerS(_) | V::GeluTanh(_) | V::GeluTanh1(_) | V::GeluHalfTanh1(_) => "part of a GELU",
        V::CapDiv(..) | V::CapTanh(..) => "part of a softcap c·tanh(x/c)",
        V::RopeCos(..) | V::HeadSlice(..) | V::RopeNegHalf(_) | V::RopeRot(_) | V::RopeSin(..) | V::RopedPart(..) => {
            "part of a rotary embedding"
        }
        V::Unsq(_) | V::Expanded(..) => "part of a GQA expansion",
        V::Scores(_) => "attention scores",
        V::Probs(_) | V::NanMask(_) => "attention probabilities",
    }
}

/// Raises `g` (one sequence: input_ids of shape `[1, S]` or `[S]`) into a seq program
/// `forward(input_ids, position_ids) -> outputs`.
pub fn raise(g: &GraphProto) -> Result<Raised, Unsupported> {
    let fail = |node: &str, op: &str, message: String, nearest| Unsupported { node: node.into(), op: op.into(), message, nearest };
    let mut inits = HashMap::new();
    for t in &g.initializer {
        let name = t.name.clone().unwrap_or_default();
        let c = decode(t, &name).map_err(|m| fail(&name, "initializer", m, "weights stored inside the model"))?;
        inits.insert(name, c);
    }
    let inputs: Vec<_> = g.input.iter().filter(|i| !inits.contains_key(i.name.as_deref().unwrap_or(""))).collect();
    let [ids] = inputs[..] else {
        return Err(fail("graph", "input", format!("{} graph inputs; seqc imports models whose only input is input_ids", inputs.len()), "a decoder exported with input_ids only"));
    };
    let dims: Vec<i64> = ids
        .r#type
        .as_ref()
        .and_then(|t| match &t.value {
            Some(super::proto::type_proto::Value::TensorType(tt)) => tt.shape.as_ref(),
            _ => None,
        })
        .map(|s| s.dim.iter().map(|d| match &d.value {
            Some(super::proto::tensor_shape_proto::dimension::Value::DimValue(v)) => *v,
            _ => -1,
        }).collect())
        .unwrap_or_default();
    let seq = match dims[..] {
        [1, s] | [s] if s > 0 => s,
        _ => return Err(fail("input_ids", "input", format!("input_ids has shape {dims:?}; seqc needs a static [1, S] (export with a fixed sequence length)"), "input_ids of shape [1, S]")),
    };
    // Weights are written as f32 whatever the export stored; the program computes in f32.
    let dtype = DType::F32;
    let mut graph = Graph::new("forward");
    let ids_v = graph.add_arg(TensorType::new([seq], DType::I32).into());
    let positions = graph.add_arg(TensorType::new([seq], DType::I32).into());
    let mut r = Raiser {
        b: Builder::new(&mut graph),
        vals: HashMap::new(),
        seq,
        dtype,
        positions,
        weights: Vec::new(),
        by_origin: HashMap::new(),
        layer: 0,
        counters: BTreeMap::new(),
        biasless: HashMap::new(),
        head_norms: HashMap::new(),
    };
    r.vals.insert(ids.name.clone().unwrap_or_default(), V::Ids(ids_v));
    for n in &g.node {
        let name = n.name.clone().filter(|s| !s.is_empty()).or_else(|| n.output.first().cloned()).unwrap_or_default();
        let op = n.op_type.clone().unwrap_or_default();
        let outs = r.node(n, &inits).map_err(|(m, nearest)| fail(&name, &op, m, nearest))?;
        for (o, v) in n.output.iter().zip(outs) {
            r.vals.insert(o.clone(), v);
        }
    }
    let mut results = Vec::new();
    for o in &g.output {
        let name = o.name.clone().unwrap_or_default();
        match r.vals.get(&name) {
            Some(V::Rows(v)) => results.push(*v),
            other => {
                return Err(fail(&name, "output", format!("the graph output is {}", other.map_or("missing", kind)), "a graph whose outputs are activations such as logits"));
            }
        }
    }
    // The output head: a bias-free linear feeding a result is the logits op.
    for v in &results {
        if let seq_ir::Def::Op(id, _) = r.b.graph.def(*v)
            && r.b.graph.op(id).kind == OpKind::Linear
            && r.b.graph.op(id).operands.len() == 2
        {
            r.b.graph.op_mut(id).kind = OpKind::Logits;
        }
    }
    let weights = std::mem::take(&mut r.weights);
    drop(r);
    graph.results = results;
    Ok(Raised { graph, weights })
}
