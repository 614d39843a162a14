//! Runs one rank's copy of the SPMD plan.
//!
//! Steps run in program order on one thread per rank; streams are not modelled. That is a
//! correct schedule: program order respects every data and token dependency, and since all
//! ranks issue their collectives in the same order, running `async_start`'s collective eagerly
//! cannot deadlock. Values are freed after their last use, which gives the peak live bytes.

use super::collectives::{Hub, Site};
use super::grad_kernels;
use super::kernels::{self, AttentionSpec, Float, Masking};
use super::tensor::{Data, HostTensor};
use super::weights::{ParamRole, WeightSource};
use super::{RankStats, RuntimeError};
use crate::plan::{Plan, ShardSpec, Step, ValueDesc};
use seq_plan::attrs::Attrs;
use seq_plan::ops::OpKind;
use seq_plan::rules::{Collective, RopeAttrs, embedding_scale, gelu_tanh, norm_offset};
use std::marker::PhantomData;

/// An RMSNorm's weight as applied: `w + offset` (Gemma's `1 + w`).
fn offset_weight<T: Float>(w: &[T], offset: f64) -> Vec<T> {
    let o = T::from_f64(offset);
    w.iter().map(|&x| x + o).collect()
}

/// How a declared element type is held on the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// f32, bf16, f16, f64: held in the run's compute precision.
    Float,
    I32,
    I64,
    Token,
}

fn kind(dtype: &str) -> Result<Kind, String> {
    match dtype {
        "f32" | "bf16" | "f16" | "f64" => Ok(Kind::Float),
        "i32" => Ok(Kind::I32),
        "i64" => Ok(Kind::I64),
        "token" => Ok(Kind::Token),
        other => Err(format!("element type '{other}' is not supported by the CPU backend")),
    }
}

/// Bytes per element at the declared type (what a device would hold), for memory statistics.
fn declared_bytes(dtype: &str) -> u64 {
    match dtype {
        "f64" | "i64" => 8,
        "f32" | "i32" => 4,
        "bf16" | "f16" => 2,
        _ => 0,
    }
}

fn declared_shape(desc: &ValueDesc) -> Result<Vec<usize>, String> {
    desc.shape
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| format!("declared shape {:?} has a negative extent", desc.shape)))
        .collect()
}

/// Never freed: plan outputs.
const KEEP: usize = usize::MAX;

/// What every rank shares: the plan, its inputs in compute precision, and per-value facts.
pub struct Program<'a> {
    plan: &'a Plan,
    weights: &'a WeightSource,
    inputs: Vec<HostTensor>,
    /// The step after which each value is dead (`None`: never used; `KEEP`: an output).
    last_use: Vec<Option<usize>>,
    /// How each parameter is used, which scales its random values.
    roles: Vec<Option<ParamRole>>,
    /// Values defined by `param` steps.
    params: Vec<bool>,
}

impl<'a> Program<'a> {
    pub fn new<T: Float>(
        plan: &'a Plan,
        inputs: &[HostTensor],
        weights: &'a WeightSource,
    ) -> Result<Self, RuntimeError> {
        if inputs.len() != plan.inputs.len() {
            return Err(RuntimeError::Input {
                index: inputs.len().min(plan.inputs.len()),
                message: format!("the plan takes {} inputs, {} were given", plan.inputs.len(), inputs.len()),
            });
        }
        let inputs = plan
            .inputs
            .iter()
            .zip(inputs)
            .enumerate()
            .map(|(index, (&v, t))| {
                // Sharded inputs arrive whole; each rank takes its rows in `Rank::run`.
                let mut desc = plan.values[v as usize].clone();
                if let Some(shape) = plan.global_input_shape(index) {
                    desc.shape = shape;
                }
                adopt::<T>(t, &desc).map_err(|message| RuntimeError::Input { index, message })
            })
            .collect::<Result<_, _>>()?;
        let mut last_use = vec![None; plan.values.len()];
        for (s, step) in plan.steps.iter().enumerate() {
            for &o in &step.operands {
                last_use[o as usize] = Some(s);
            }
        }
        for &o in &plan.outputs {
            last_use[o as usize] = Some(KEEP);
        }
        let mut params = vec![false; plan.values.len()];
        for step in plan.steps.iter().filter(|s| s.op == "param") {
            for &r in &step.results {
                params[r as usize] = true;
            }
        }
        let mut roles = vec![None; plan.values.len()];
        for p in param_specs(plan).map_err(RuntimeError::Setup)? {
            roles[p.value as usize] = Some(p.role);
        }
        Ok(Self { plan, weights, inputs, last_use, roles, params })
    }
}

/// One parameter of a plan: what every weight source and loader needs to read it.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSpec {
    pub name: String,
    /// The `param` step's result.
    pub value: u32,
    pub shape: Vec<usize>,
    pub role: ParamRole,
}

/// Every `param` step's parameter, in plan order, with its role: an embedding table or norm
/// scale by use (`param_roles`), else a matrix (rank 2) or a vector.
pub fn param_specs(plan: &Plan) -> Result<Vec<ParamSpec>, String> {
    let roles = param_roles(plan);
    plan.steps
        .iter()
        .filter(|s| s.op == "param")
        .map(|s| {
            let name = s.attrs().str("name")?.to_string();
            let value = *s.results.first().ok_or_else(|| format!("parameter '{name}' has no result"))?;
            let desc = plan.values.get(value as usize).ok_or_else(|| format!("parameter '{name}' is not a value of the plan"))?;
            let shape = declared_shape(desc)?;
            let role = roles[value as usize].unwrap_or(if shape.len() == 2 { ParamRole::Matrix } else { ParamRole::Vector });
            Ok(ParamSpec { name, value, shape, role })
        })
        .collect()
}

/// Embedding tables and norm scales, found by use (through `convert`s); the other parameters'
/// roles follow from their shapes (`param_specs`).
fn param_roles(plan: &Plan) -> Vec<Option<ParamRole>> {
    let mut roles = vec![None; plan.values.len()];
    for step in plan.steps.iter().rev() {
        let role = match step.op.as_str() {
            "embedding" => Some((1, ParamRole::Embedding)),
            "rms_norm" | "layer_norm" => Some((1, ParamRole::NormWeight)),
            "convert" => step.results.first().and_then(|&r| roles[r as usize]).map(|role| (0, role)),
            _ => None,
        };
        if let Some((i, role)) = role
            && let Some(&o) = step.operands.get(i)
        {
            roles[o as usize].get_or_insert(role);
        }
    }
    roles
}

/// A caller's input checked against its declaration and converted to the compute precision
/// (floats) or the declared integer type.
fn adopt<T: Float>(t: &HostTensor, desc: &ValueDesc) -> Result<HostTensor, String> {
    let shape = declared_shape(desc)?;
    if t.shape != shape {
        return Err(format!("expected shape {shape:?} ({}), got {t}", desc.dtype));
    }
    if t.numel() != shape.iter().product::<usize>() {
        return Err(format!(
            "shape {shape:?} needs {} values, the tensor holds {}",
            shape.iter().product::<usize>(),
            t.numel()
        ));
    }
    let data = match (kind(&desc.dtype)?, &t.data) {
        (Kind::Float, Data::F32(v)) => T::wrap(v.iter().map(|&x| T::from_f64(x as f64)).collect()),
        (Kind::Float, Data::F64(v)) => T::wrap(v.iter().map(|&x| T::from_f64(x)).collect()),
        (Kind::I32, Data::I32(v)) => Data::I32(v.clone()),
        (Kind::I32, Data::I64(v)) => Data::I32(
            v.iter()
                .map(|&x| i32::try_from(x).map_err(|_| format!("value {x} does not fit in i32")))
                .collect::<Result<_, _>>()?,
        ),
        (Kind::I64, Data::I32(v)) => Data::I64(v.iter().map(|&x| x as i64).collect()),
        (Kind::I64, Data::I64(v)) => Data::I64(v.clone()),
        _ => return Err(format!("expected {}, got {t}", desc.dtype)),
    };
    Ok(HostTensor { shape, data })
}

enum Value {
    Tensor(HostTensor),
    /// An `async_start`'s finished collective, waiting for its `async_wait`, and its declared
    /// size (a token's own declaration has no shape).
    Token(HostTensor, u64),
}

/// Why a step failed: a message (the site is added by the caller) or a collective's own error.
enum Fail {
    Msg(String),
    Runtime(RuntimeError),
}

impl From<String> for Fail {
    fn from(m: String) -> Self {
        Self::Msg(m)
    }
}

impl From<&str> for Fail {
    fn from(m: &str) -> Self {
        Self::Msg(m.into())
    }
}

impl From<RuntimeError> for Fail {
    fn from(e: RuntimeError) -> Self {
        Self::Runtime(e)
    }
}

type StepResult = Result<Vec<Value>, Fail>;

pub struct Rank<'a, T> {
    prog: &'a Program<'a>,
    hub: &'a Hub,
    rank: usize,
    values: Vec<Option<Value>>,
    /// Declared bytes of each live value.
    bytes: Vec<u64>,
    live: u64,
    peak: u64,
    param_bytes: u64,
    precision: PhantomData<T>,
}

impl<'a, T: Float> Rank<'a, T> {
    pub fn new(prog: &'a Program<'a>, hub: &'a Hub, rank: usize) -> Self {
        let n = prog.plan.values.len();
        Self {
            prog,
            hub,
            rank,
            values: (0..n).map(|_| None).collect(),
            bytes: vec![0; n],
            live: 0,
            peak: 0,
            param_bytes: 0,
            precision: PhantomData,
        }
    }

    /// Runs every step; returns this rank's copies of the plan outputs.
    pub fn run(mut self) -> Result<(Vec<HostTensor>, RankStats), RuntimeError> {
        let plan = self.prog.plan;
        let inputs = crate::shards::local_inputs(plan, &self.prog.inputs, self.rank)?;
        for (&v, t) in plan.inputs.iter().zip(inputs) {
            self.define(v, Value::Tensor(t.into_owned()));
            self.free_if_unused(v);
        }
        for (s, step) in plan.steps.iter().enumerate() {
            let site = Site { rank: self.rank, step: s, op: step.op.clone() };
            self.hub.at(&site);
            let results = self.step(&site, step).and_then(|r| self.check_results(step, r)).map_err(|f| match f {
                Fail::Msg(m) => site.error(m),
                Fail::Runtime(e) => e,
            })?;
            for (&r, value) in step.results.iter().zip(results) {
                self.define(r, value);
            }
            for &o in &step.operands {
                if self.prog.last_use[o as usize] == Some(s) {
                    self.free(o);
                }
            }
            for &r in &step.results {
                self.free_if_unused(r);
            }
        }
        self.hub.finished(self.rank);
        let outputs = plan
            .outputs
            .iter()
            .map(|&o| match &self.values[o as usize] {
                Some(Value::Tensor(t)) => Ok(t.clone()),
                _ => Err(RuntimeError::Output { rank: self.rank, value: o, message: "is not a tensor".into() }),
            })
            .collect::<Result<_, _>>()?;
        Ok((outputs, RankStats { peak_live_bytes: self.peak, param_bytes: self.param_bytes }))
    }

    fn define(&mut self, v: u32, value: Value) {
        let desc = &self.prog.plan.values[v as usize];
        let b = match &value {
            // Parameters are replicated weights, counted apart from activations.
            _ if self.prog.params[v as usize] => 0,
            Value::Tensor(t) => t.numel() as u64 * declared_bytes(&desc.dtype),
            Value::Token(_, bytes) => *bytes,
        };
        self.bytes[v as usize] = b;
        self.live += b;
        self.peak = self.peak.max(self.live);
        self.values[v as usize] = Some(value);
    }

    fn free(&mut self, v: u32) {
        self.values[v as usize] = None;
        self.live -= std::mem::take(&mut self.bytes[v as usize]);
    }

    fn free_if_unused(&mut self, v: u32) {
        if self.prog.last_use[v as usize].is_none() {
            self.free(v);
        }
    }

    /// Results must be what the plan declares: catches plan/kernel disagreements at the step.
    fn check_results(&self, step: &Step, results: Vec<Value>) -> Result<Vec<Value>, Fail> {
        if results.len() != step.results.len() {
            return Err(format!("produced {} results, the plan declares {}", results.len(), step.results.len()).into());
        }
        for (i, (&r, value)) in step.results.iter().zip(&results).enumerate() {
            let desc = &self.prog.plan.values[r as usize];
            let ok = match (kind(&desc.dtype)?, value) {
                (Kind::Token, Value::Token(..)) => true,
                (Kind::Float, Value::Tensor(t)) => t.data.is_float() && t.shape == declared_shape(desc)?,
                (Kind::I32 | Kind::I64, Value::Tensor(t)) => !t.data.is_float() && t.shape == declared_shape(desc)?,
                _ => false,
            };
            if !ok {
                let got = match value {
                    Value::Tensor(t) => t.to_string(),
                    Value::Token(..) => "a token".into(),
                };
                return Err(
                    format!("result #{i} (%{r}) is {got}, the plan declares {:?} {}", desc.shape, desc.dtype).into()
                );
            }
        }
        Ok(results)
    }

    fn tensor(&self, step: &Step, i: usize) -> Result<&HostTensor, Fail> {
        let v = *step.operands.get(i).ok_or_else(|| format!("missing operand #{i}"))?;
        match &self.values[v as usize] {
            Some(Value::Tensor(t)) => Ok(t),
            Some(Value::Token(..)) => Err(format!("operand #{i} (%{v}) is a token, not a tensor").into()),
            None => Err(format!("operand #{i} (%{v}) has no value").into()),
        }
    }

    fn floats<'t>(&self, t: &'t HostTensor, what: &str) -> Result<&'t [T], Fail> {
        t.view::<T>().ok_or_else(|| format!("{what} must be a float tensor, got {t}").into())
    }

    fn ints(&self, t: &HostTensor, what: &str) -> Result<Vec<i64>, Fail> {
        t.to_i64().ok_or_else(|| format!("{what} must be an integer tensor, got {t}").into())
    }

    fn out(shape: Vec<usize>, values: Vec<T>) -> Value {
        Value::Tensor(HostTensor { shape, data: T::wrap(values) })
    }

    /// This rank's coordinate on `axis` and the axis size, which must equal `count`.
    fn coord(&self, a: &Attrs, count: usize, what: &str) -> Result<usize, Fail> {
        let axis = a.str("axis")?;
        let (coord, size) =
            self.prog.plan.axis_coord(axis, self.rank).ok_or_else(|| format!("unknown mesh axis '{axis}'"))?;
        if size != count {
            return Err(format!("{what} is {count} but axis '{axis}' has {size} ranks").into());
        }
        Ok(coord)
    }

    /// The ranks of this rank's group on `axis`, in axis order; `group_size` must match.
    fn group(&self, a: &Attrs) -> Result<Vec<usize>, Fail> {
        let axis = a.str("axis")?;
        let group = self.prog.plan.axis_group(axis, self.rank).ok_or_else(|| format!("unknown mesh axis '{axis}'"))?;
        self.coord(a, a.count("group_size")?, "group_size")?;
        Ok(group)
    }

    /// Runs one step. `Plan::check` has held it to the op table (operand count, shapes,
    /// element types, attributes), so only what is this backend's own is checked here.
    fn step(&mut self, site: &Site, step: &Step) -> StepResult {
        use OpKind::*;
        let a = step.attrs();
        let kind = step.kind().ok_or_else(|| format!("unknown op '{}'", step.op))?;
        let same_shape = |values: Vec<T>, x: &HostTensor| Self::out(x.shape.clone(), values);
        match kind {
            Param => self.param(step, &a),
            Embedding => {
                let ids = self.ints(self.tensor(step, 0)?, "ids")?;
                let table = self.tensor(step, 1)?;
                let hidden = table.shape[1];
                let mut y = kernels::embedding(&ids, self.floats(table, "table")?, hidden)?;
                let scale = embedding_scale(a)?;
                if scale != 1.0 {
                    let s = T::from_f64(scale);
                    y.iter_mut().for_each(|v| *v *= s);
                }
                Ok(vec![Self::out(vec![ids.len(), hidden], y)])
            }
            RmsNorm | LayerNorm => {
                let x = self.tensor(step, 0)?;
                let params: Vec<&[T]> = (1..step.operands.len())
                    .map(|i| self.floats(self.tensor(step, i)?, "weight"))
                    .collect::<Result<_, _>>()?;
                let (xs, eps) = (self.floats(x, "input")?, a.float("eps")?);
                let y = if kind == LayerNorm {
                    kernels::layer_norm(xs, params[0], params[1], eps)
                } else {
                    kernels::rms_norm(xs, &offset_weight(params[0], norm_offset(a, true)?), eps)
                };
                Ok(vec![same_shape(y, x)])
            }
            Linear | Logits => {
                let (x, w) = (self.tensor(step, 0)?, self.tensor(step, 1)?);
                let ((rows, inp), out) = ((x.shape[0], x.shape[1]), w.shape[0]);
                let bias = match step.operands.len() {
                    3 => Some(self.floats(self.tensor(step, 2)?, "bias")?),
                    _ => None,
                };
                let mut y = kernels::linear(self.floats(x, "input")?, self.floats(w, "weight")?, bias, rows, inp, out);
                if kind == Logits && a.has("softcap") {
                    // Gemma 2's final cap: c · tanh(y / c).
                    let c = T::from_f64(a.float("softcap")?);
                    y.iter_mut().for_each(|v| *v = c * (*v / c).tanh());
                }
                Ok(vec![Self::out(vec![rows, out], y)])
            }
            Rope => {
                let x = self.tensor(step, 0)?;
                let pos = self.ints(self.tensor(step, 1)?, "positions")?;
                let r = RopeAttrs::read(a)?;
                let y = kernels::rope(self.floats(x, "input")?, x.shape[1], &pos, r.head_dim, &r.inv_freq());
                Ok(vec![same_shape(y, x)])
            }
            Attention => {
                let spec = AttentionSpec::read(a)?;
                let rows = self.tensor(step, 0)?.shape[0];
                let index: Vec<i64> = (0..rows as i64).collect();
                let seg = match step.operands.len() {
                    4 => Some(self.ints(self.tensor(step, 3)?, "segment_ids")?),
                    _ => None,
                };
                let mask = Masking { q_index: &index, k_index: &index, segments: seg.as_deref().map(|s| (s, s)) };
                let (o, _) = self.attend(step, &spec, &mask)?;
                Ok(vec![o])
            }
            AttentionPartial => {
                let spec = AttentionSpec::read(a)?;
                let qi = self.ints(self.tensor(step, 3)?, "q_index")?;
                let ki = self.ints(self.tensor(step, 4)?, "k_index")?;
                let segs = match step.operands.len() {
                    7 => Some((
                        self.ints(self.tensor(step, 5)?, "q_segment")?,
                        self.ints(self.tensor(step, 6)?, "k_segment")?,
                    )),
                    _ => None,
                };
                let mask =
                    Masking { q_index: &qi, k_index: &ki, segments: segs.as_ref().map(|(q, k)| (&q[..], &k[..])) };
                let (o, l) = self.attend(step, &spec, &mask)?;
                Ok(vec![o, l])
            }
            LseMerge => {
                let t: Vec<&HostTensor> = (0..4).map(|i| self.tensor(step, i)).collect::<Result<_, _>>()?;
                let ((rows, cols), heads) = ((t[0].shape[0], t[0].shape[1]), t[1].shape[1]);
                let f = |i: usize| self.floats(t[i], "merge operand");
                let (o, l) = kernels::lse_merge(f(0)?, f(1)?, f(2)?, f(3)?, heads, cols);
                Ok(vec![Self::out(vec![rows, cols], o), Self::out(vec![rows, heads], l)])
            }
            Silu | Gelu => {
                let x = self.tensor(step, 0)?;
                let xs = self.floats(x, "input")?;
                let y = if kind == Silu {
                    xs.iter().map(|&v| kernels::silu(v)).collect()
                } else {
                    let tanh = gelu_tanh(a)?;
                    xs.iter().map(|&v| kernels::gelu(v, tanh)).collect()
                };
                Ok(vec![same_shape(y, x)])
            }
            Mul | Add | Swiglu => {
                let (x, y) = (self.tensor(step, 0)?, self.tensor(step, 1)?);
                let (xs, ys) = (self.floats(x, "lhs")?, self.floats(y, "rhs")?);
                let f: fn(T, T) -> T = match kind {
                    Mul => |x, y| x * y,
                    Add => |x, y| x + y,
                    _ => |gate, up| kernels::silu(gate) * up,
                };
                Ok(vec![same_shape(xs.iter().zip(ys).map(|(&p, &q)| f(p, q)).collect(), x)])
            }
            Convert => {
                // Values stay in the compute precision: an f64 run is a reference for the
                // model's math, and an f32 run rounds exactly where the f32 device math does.
                Ok(vec![Value::Tensor(self.tensor(step, 0)?.clone())])
            }
            Shard => {
                let x = self.tensor(step, 0)?;
                let spec = ShardSpec::read(a)?;
                let r = self.coord(&a, spec.shards, "num_shards")?;
                Ok(vec![Value::Tensor(x.take(a.index("dim")?, &spec.rows(r))?)])
            }
            TokenIndex => {
                let spec = ShardSpec::read(a)?;
                let r = self.coord(&a, spec.shards, "num_shards")?;
                let index = spec.rows(r).iter().map(|g| g.map_or(Ok(-1), i32::try_from)).collect::<Result<Vec<_>, _>>();
                let index = index.map_err(|_| format!("global_size {} does not fit in i32 indices", spec.global))?;
                Ok(vec![Value::Tensor(HostTensor::from_i32(vec![spec.local_rows()], index)?)])
            }
            Unshard => self.unshard(site, step, &a),
            Slice => {
                let x = self.tensor(step, 0)?;
                Ok(vec![Value::Tensor(x.slice(a.index("dim")?, a.index("start")?, a.count("size")?)?)])
            }
            Concat => {
                let parts: Vec<&HostTensor> =
                    (0..step.operands.len()).map(|i| self.tensor(step, i)).collect::<Result<_, _>>()?;
                Ok(vec![Value::Tensor(HostTensor::concat(&parts, a.index("dim")?)?)])
            }
            AllToAll | AllGather | ReduceScatter | AllReduce | CollectivePermute => {
                Ok(vec![Value::Tensor(self.collective(site, step, &a, Collective::read(kind, a)?)?)])
            }
            AsyncStart => {
                let (_, op) = Collective::started(a)?;
                let result = self.collective(site, step, &a, op)?;
                let input = &self.prog.plan.values[step.operands[0] as usize];
                let bytes = result.numel() as u64 * declared_bytes(&input.dtype);
                Ok(vec![Value::Token(result, bytes)])
            }
            // The host copy and its way back hold the same values: on CPU ranks, a copy.
            Offload | Reload => Ok(vec![Value::Tensor(self.tensor(step, 0)?.clone())]),
            ShardGrad => {
                // This rank's rows at their global rows, zeros elsewhere (padding rows dropped).
                let x = self.tensor(step, 0)?;
                let spec = ShardSpec::read(a)?;
                let r = self.coord(&a, spec.shards, "num_shards")?;
                Ok(vec![Value::Tensor(x.take(a.index("dim")?, &spec.place_of(r))?)])
            }
            Pad => {
                let x = self.tensor(step, 0)?;
                let (dim, before, after) = (a.index("dim")?, a.index("before")?, a.index("after")?);
                let extent = x.shape[dim];
                let rows: Vec<Option<usize>> =
                    (0..before + extent + after).map(|i| (before..before + extent).contains(&i).then(|| i - before)).collect();
                Ok(vec![Value::Tensor(x.take(dim, &rows)?)])
            }
            LabelCount => {
                let labels = self.labels(step, 0, 1)?;
                let n = labels.iter().filter(|&&l| l >= 0).count();
                Ok(vec![Self::out(vec![1], vec![T::from_f64(n as f64)])])
            }
            CrossEntropy | CrossEntropyGrad => {
                let (x, w) = (self.tensor(step, 0)?, self.tensor(step, 1)?);
                let labels = self.labels(step, 2, 4)?;
                let count = self.floats(self.tensor(step, 3)?, "count")?[0];
                let (rows, hidden, vocab) = (x.shape[0], x.shape[1], w.shape[0]);
                let (xs, ws) = (self.floats(x, "input")?, self.floats(w, "weight")?);
                let cap = if a.has("softcap") { Some(T::from_f64(a.float("softcap")?)) } else { None };
                // The mean over the step's labelled tokens: each rank sums its rows over the
                // global count, so the ranks' sums add up to the mean.
                if kind == CrossEntropy {
                    let losses = grad_kernels::cross_entropy(xs, ws, &labels, rows, hidden, vocab, cap)?;
                    let sum = losses.iter().fold(T::ZERO, |acc, &l| acc + l);
                    let loss = if count > T::ZERO { sum / count } else { T::ZERO };
                    Ok(vec![Self::out(vec![1], vec![loss])])
                } else {
                    let seed = if count > T::ZERO { T::ONE / count } else { T::ZERO };
                    let dloss = vec![seed; rows];
                    let (dx, dw) = grad_kernels::cross_entropy_grad(xs, ws, &labels, &dloss, rows, hidden, vocab, cap)?;
                    Ok(vec![same_shape(dx, x), same_shape(dw, w)])
                }
            }
            EmbeddingGrad => {
                let ids = self.ints(self.tensor(step, 0)?, "ids")?;
                let dy = self.tensor(step, 1)?;
                let (vocab, hidden) = (a.count("vocab")?, dy.shape[1]);
                let s = T::from_f64(embedding_scale(a)?);
                let dys: Vec<T> = self.floats(dy, "output_grad")?.iter().map(|&v| v * s).collect();
                let dt = grad_kernels::embedding_grad(&ids, &dys, vocab, hidden)?;
                Ok(vec![Self::out(vec![vocab, hidden], dt)])
            }
            RmsNormGrad | LayerNormGrad => {
                let x = self.tensor(step, 0)?;
                let f = |i: usize| self.tensor(step, i).and_then(|t| self.floats(t, "operand"));
                let eps = a.float("eps")?;
                // The weight's length: the normalised width (`group`, or the last dim).
                let hidden = vec![self.tensor(step, 1)?.numel()];
                if kind == RmsNormGrad {
                    // d(w + offset)/dw = 1: the gradient of the shifted weight is the weight's.
                    let w = offset_weight(f(1)?, norm_offset(a, true)?);
                    let (dx, dw) = grad_kernels::rms_norm_grad(f(0)?, &w, f(2)?, eps);
                    Ok(vec![same_shape(dx, x), Self::out(hidden, dw)])
                } else {
                    let (dx, dw, db) = grad_kernels::layer_norm_grad(f(0)?, f(1)?, f(2)?, f(3)?, eps);
                    Ok(vec![same_shape(dx, x), Self::out(hidden.clone(), dw), Self::out(hidden, db)])
                }
            }
            LinearGradInput | LinearGradWeight | BiasGrad => {
                let dy = self.tensor(step, 0)?;
                let (rows, out) = (dy.shape[0], dy.shape[1]);
                let dys = self.floats(dy, "output_grad")?;
                match kind {
                    LinearGradInput => {
                        let w = self.tensor(step, 1)?;
                        let inp = w.shape[1];
                        let dx = grad_kernels::linear_grad_input(dys, self.floats(w, "weight")?, rows, inp, out);
                        Ok(vec![Self::out(vec![rows, inp], dx)])
                    }
                    LinearGradWeight => {
                        let x = self.tensor(step, 1)?;
                        let inp = x.shape[1];
                        let dw = grad_kernels::linear_grad_weight(dys, self.floats(x, "input")?, rows, inp, out);
                        Ok(vec![Self::out(vec![out, inp], dw)])
                    }
                    _ => Ok(vec![Self::out(vec![out], grad_kernels::bias_grad(dys, rows, out))]),
                }
            }
            RopeGrad => {
                let dy = self.tensor(step, 0)?;
                let pos = self.ints(self.tensor(step, 1)?, "positions")?;
                let r = RopeAttrs::read(a)?;
                let cols = dy.shape[1];
                let dx = grad_kernels::rope_grad(self.floats(dy, "output_grad")?, cols, &pos, r.head_dim, &r.inv_freq());
                Ok(vec![same_shape(dx, dy)])
            }
            SiluGrad | GeluGrad => {
                let (x, dy) = (self.tensor(step, 0)?, self.tensor(step, 1)?);
                let (xs, dys) = (self.floats(x, "input")?, self.floats(dy, "output_grad")?);
                let dx = if kind == SiluGrad {
                    grad_kernels::silu_grad(xs, dys)
                } else {
                    grad_kernels::gelu_grad(xs, dys, gelu_tanh(a)?)
                };
                Ok(vec![same_shape(dx, x)])
            }
            SwigluGrad => {
                let (g, u, dy) = (self.tensor(step, 0)?, self.tensor(step, 1)?, self.tensor(step, 2)?);
                let (dg, du) = grad_kernels::swiglu_grad(
                    self.floats(g, "gate")?,
                    self.floats(u, "up")?,
                    self.floats(dy, "output_grad")?,
                );
                Ok(vec![same_shape(dg, g), same_shape(du, u)])
            }
            AttentionGrad | AttentionPartialGrad => self.attention_grad(step, a, kind == AttentionPartialGrad),
            AsyncWait => {
                let v = step.operands[0];
                match &self.values[v as usize] {
                    Some(Value::Token(t, _)) => Ok(vec![Value::Tensor(t.clone())]),
                    _ => Err(format!("operand %{v} is not a token from async_start").into()),
                }
            }
        }
    }

    fn param(&mut self, step: &Step, a: &Attrs) -> StepResult {
        let name = a.str("name")?;
        let r = *step.results.first().ok_or("has no result")? as usize;
        let desc = &self.prog.plan.values[r];
        if kind(&desc.dtype)? != Kind::Float {
            return Err(format!("parameter '{name}' is {}; only float parameters are supported", desc.dtype).into());
        }
        let shape = declared_shape(desc)?;
        let role = self.prog.roles[r].ok_or_else(|| format!("parameter '{name}' has no role"))?;
        let values = self.prog.weights.load(name, &shape, role)?;
        self.param_bytes += values.len() as u64 * declared_bytes(&desc.dtype);
        Ok(vec![Self::out(shape, values.into_iter().map(T::from_f64).collect())])
    }

    /// The labels of operand `at`, with the rows whose token index (optional operand `index`)
    /// is -1 (padding of an uneven split) ignored.
    fn labels(&self, step: &Step, at: usize, index: usize) -> Result<Vec<i64>, Fail> {
        let mut labels = self.ints(self.tensor(step, at)?, "labels")?;
        if step.operands.len() > index {
            let index = self.ints(self.tensor(step, index)?, "index")?;
            for (l, i) in labels.iter_mut().zip(index) {
                if i < 0 {
                    *l = -1;
                }
            }
        }
        Ok(labels)
    }

    /// Attention backward. The whole form recomputes the forward's output and log-sum-exp (the
    /// reference favours clarity over saving them); the block form is given the final ones.
    fn attention_grad(&self, step: &Step, a: Attrs, partial: bool) -> StepResult {
        let spec = AttentionSpec::read(a)?;
        let f = |i: usize, what: &str| self.tensor(step, i).and_then(|t| self.floats(t, what));
        let (q, k, v) = (f(0, "q")?, f(1, "k")?, f(2, "v")?);
        let (sq, sk) = (self.tensor(step, 0)?.shape[0], self.tensor(step, 1)?.shape[0]);
        let (qi, ki, segs) = if partial {
            let segs = match step.operands.len() {
                10 => Some((self.ints(self.tensor(step, 8)?, "q_segment")?, self.ints(self.tensor(step, 9)?, "k_segment")?)),
                _ => None,
            };
            (self.ints(self.tensor(step, 6)?, "q_index")?, self.ints(self.tensor(step, 7)?, "k_index")?, segs)
        } else {
            let index: Vec<i64> = (0..sq as i64).collect();
            let segs = match step.operands.len() {
                5 => self.ints(self.tensor(step, 4)?, "segment_ids").map(|s| Some((s.clone(), s)))?,
                _ => None,
            };
            (index.clone(), index, segs)
        };
        let mask = Masking { q_index: &qi, k_index: &ki, segments: segs.as_ref().map(|(q, k)| (&q[..], &k[..])) };
        let (dq, dk, dv) = if partial {
            grad_kernels::attention_partial_grad(&spec, q, k, v, f(3, "output")?, f(4, "lse")?, f(5, "output_grad")?, &mask)?
        } else {
            let (o, l) = kernels::attention_partial(&spec, q, k, v, &mask)?;
            grad_kernels::attention_partial_grad(&spec, q, k, v, &o, &l, f(3, "output_grad")?, &mask)?
        };
        let (qc, kc) = (spec.num_heads * spec.head_dim, spec.num_kv_heads * spec.head_dim);
        Ok(vec![Self::out(vec![sq, qc], dq), Self::out(vec![sk, kc], dk), Self::out(vec![sk, kc], dv)])
    }

    /// Runs the attention kernel on operands 0..3; returns (output, lse) as values.
    fn attend(&self, step: &Step, spec: &AttentionSpec, mask: &Masking) -> Result<(Value, Value), Fail> {
        let f = |i: usize, what: &str| self.tensor(step, i).and_then(|t| self.floats(t, what));
        let (q, k, v) = (f(0, "q")?, f(1, "k")?, f(2, "v")?);
        let rows = mask.q_index.len();
        let (o, l) = kernels::attention_partial(spec, q, k, v, mask)?;
        Ok((Self::out(vec![rows, spec.num_heads * spec.head_dim], o), Self::out(vec![rows, spec.num_heads], l)))
    }

    /// Runs collective `op` (step attributes `a`) on operand 0 over this rank's group.
    fn collective(&self, site: &Site, step: &Step, a: &Attrs, op: Collective) -> Result<HostTensor, Fail> {
        let group = self.group(a)?;
        let input = self.tensor(step, 0)?.clone();
        Ok(self.hub.exchange(site, &group, &op, input)?)
    }

    /// Gathers every shard along `dim` over the axis group and puts rows back in global order.
    fn unshard(&self, site: &Site, step: &Step, a: &Attrs) -> StepResult {
        let x = self.tensor(step, 0)?;
        let spec = ShardSpec::read(*a)?;
        let dim = a.index("dim")?;
        self.coord(a, spec.shards, "num_shards")?;
        let local = spec.local_rows();
        let axis = a.str("axis")?;
        let group = self.prog.plan.axis_group(axis, self.rank).ok_or_else(|| format!("unknown mesh axis '{axis}'"))?;
        let gathered = self.hub.exchange(site, &group, &Collective::AllGather { dim }, x.clone())?;
        let mut order = vec![None; spec.global];
        for r in 0..spec.shards {
            for (i, g) in spec.rows(r).into_iter().enumerate() {
                if let Some(g) = g {
                    order[g] = Some(r * local + i);
                }
            }
        }
        Ok(vec![Value::Tensor(gathered.take(dim, &order)?)])
    }
}
