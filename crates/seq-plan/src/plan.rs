//! The plan: what the runtime executes. One SPMD program that every rank runs; rank-dependent
//! behaviour comes only from shard ops and collectives, exactly as in the lowered `seq` IR.
//! Op names and attributes are the `seq` dialect's (see dialects/seq/README.md), without MLIR.

use crate::attrs::Attrs;
use crate::ops::OpKind;
use crate::rules::{self, OpView};
use crate::types::{DType, TensorType, Type};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bumped on any change a reader must know about. Version 2 added `sharded_io`; version 1 plans
/// (every input and output whole) still read.
pub const PLAN_VERSION: u32 = 2;
const OLDEST_READABLE: u32 = 1;

/// The axis that spans every device, in rank order.
pub const ALL_DEVICES_AXIS: &str = "sp";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub version: u32,
    pub devices: usize,
    /// Named mesh axes, major to minor: rank = Σ coordᵢ · Π_{j>i} sizeⱼ. The axis "sp" always
    /// means all devices and is not listed.
    pub mesh: Vec<MeshAxis>,
    /// Function arguments, in order: global tensors the caller supplies (token ids, positions,
    /// segment ids). Values are indices into `values`.
    pub inputs: Vec<u32>,
    /// Function results (global tensors, assembled by `unshard`).
    pub outputs: Vec<u32>,
    pub values: Vec<ValueDesc>,
    /// Program order. Each step runs on its `stream`; streams synchronise through async tokens.
    pub steps: Vec<Step>,
    pub memory: MemoryPlan,
    /// Inputs and outputs that each rank holds as its own rows of the sequence
    /// (`seqc compile --sharded-io`); absent: every input and output is the whole tensor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharded_io: Option<ShardedIo>,
    /// A name per output (a training step's `loss` and each parameter's gradient, under the
    /// parameter's name); empty when the outputs are unnamed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_names: Vec<String>,
    /// Outputs each rank holds a slice of (a training step's gradients reduce-scattered, ZeRO-2
    /// style): rank r holds rows r·c .. (r + 1)·c of the whole, c = ⌈rows / devices⌉, the last
    /// ranks' rows past `rows` being padding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owned_outputs: Vec<OwnedOutput>,
}

/// An output split by rows over every rank (see `Plan::owned_outputs`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedOutput {
    /// Position in `Plan::outputs`.
    pub output: usize,
    /// Rows of the whole tensor.
    pub rows: usize,
}

/// Which of a plan's inputs and outputs are per-rank shards, and their layout. Each such value's
/// rows are `ShardSpec::rows(rank)` of the global tensor, split along dim 0 over all devices
/// (axis `sp`). Padding rows (the layout's rows past the sequence) must be finite in inputs —
/// masked keys still meet their values as 0·v — and the runtimes fill them with zeros; in
/// outputs they hold whatever the program computed for them and are not part of the result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardedIo {
    /// `zigzag` or `block` (see `ShardSpec`).
    pub layout: String,
    /// Rows of the global tensors (the sequence length).
    pub global_size: usize,
    /// Positions in `Plan::inputs` that are sharded, ascending.
    pub inputs: Vec<usize>,
    /// Positions in `Plan::outputs` that are sharded, ascending.
    pub outputs: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeshAxis {
    pub name: String,
    pub size: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValueDesc {
    pub shape: Vec<i64>,
    /// `f32`, `bf16`, `f16`, `f64`, `i32`, `i64`, `i1`, or `token` for async handles.
    pub dtype: String,
    /// Byte offset in the rank's activation arena, when the memory plan placed it there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

impl ValueDesc {
    /// The declared type (`None` for an unknown element type).
    pub fn ty(&self) -> Option<Type> {
        if self.dtype == "token" {
            return Some(Type::Token);
        }
        Some(Type::Tensor(TensorType::new(self.shape.clone(), DType::parse(&self.dtype)?)))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The seq op's name without the `seq.` prefix: `linear`, `attention_partial`, `all_gather`, ...
    pub op: String,
    pub operands: Vec<u32>,
    pub results: Vec<u32>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, AttrValue>,
    /// 0 is the compute stream; communication streams are 1, 2, ...
    #[serde(default)]
    pub stream: u32,
}

impl Step {
    /// The op this step runs (`None`: a name the op table does not know).
    pub fn kind(&self) -> Option<OpKind> {
        OpKind::from_name(&format!("seq.{}", self.op))
    }

    /// Typed access to the step's attributes.
    pub fn attrs(&self) -> Attrs<'_> {
        Attrs::of(&self.attrs)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AttrValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Ints(Vec<i64>),
    /// After `Ints`: an array of whole numbers reads as integers (floats are written with a
    /// decimal point, so a float array never does).
    Floats(Vec<f64>),
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MemoryPlan {
    /// Size of each rank's activation arena (values reuse space once dead).
    pub arena_bytes: u64,
    /// Weights held by each rank (replicated).
    pub param_bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("cannot read plan '{path}': {reason}")]
    Read { path: String, reason: String },
    #[error("plan '{path}' is not valid JSON for this runtime: {reason}")]
    Parse { path: String, reason: String },
    #[error("plan version {found} is not supported (this runtime reads versions {OLDEST_READABLE} to {PLAN_VERSION})")]
    Version { found: u32 },
    #[error("sharded_io: {0}")]
    ShardedIo(String),
    #[error("value %{value} {message}")]
    Value { value: u32, message: String },
    #[error("step {step} ('{op}'): {message}")]
    Invalid { step: usize, op: String, message: String },
    #[error("mesh: {0}")]
    Mesh(String),
}

/// The first result of a step with a loss (a program of logits).
pub const LOSS: &str = "loss";

/// The first result of a vector-Jacobian step: the program's own result.
pub const OUTPUT: &str = "output";

/// What a compiled training step computes, by its first result's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// A program of logits: `(ids, positions[, segments], labels) -> (loss, gradients...)`.
    Loss,
    /// Any other program (a decoder layer, a pipeline stage): its vector-Jacobian product,
    /// `(args..., output_grad) -> (output, input_grad.i..., gradients...)`, as PyTorch's
    /// `y = f(x); y.backward(output_grad)`.
    Vjp,
}

/// The most devices a plan may name: far beyond any cluster, and far from the overflow of the
/// per-device tables built from it.
pub const MAX_DEVICES: usize = 1 << 20;

impl Plan {
    pub fn from_json(text: &str, path: &str) -> Result<Self, PlanError> {
        let plan: Plan =
            serde_json::from_str(text).map_err(|e| PlanError::Parse { path: path.into(), reason: e.to_string() })?;
        if !(OLDEST_READABLE..=PLAN_VERSION).contains(&plan.version) {
            return Err(PlanError::Version { found: plan.version });
        }
        plan.check()?;
        Ok(plan)
    }

    pub fn read(path: &std::path::Path) -> Result<Self, PlanError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| PlanError::Read { path: shown.clone(), reason: e.to_string() })?;
        Self::from_json(&text, &shown)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The type each value declares (`None`: an element type the op table does not know).
    pub fn value_types(&self) -> Vec<Option<Type>> {
        self.values.iter().map(ValueDesc::ty).collect()
    }

    /// Every check a backend relies on before it lowers a step: value ids in range, each value
    /// defined once and before use, and every step against the op table (`rules::check`, the
    /// rule the verifier applies to the lowered program), and the sharded inputs and outputs.
    pub fn check(&self) -> Result<(), PlanError> {
        self.check_mesh()?;
        let n = self.values.len();
        let types = self.value_types();
        let mut defined = vec![false; n];
        for &i in &self.inputs {
            let Some(d) = defined.get_mut(i as usize) else {
                return Err(PlanError::Value {
                    value: i,
                    message: format!("is an input but out of range ({n} values)"),
                });
            };
            *d = true;
        }
        for (v, (desc, ty)) in self.values.iter().zip(&types).enumerate() {
            let message = match ty {
                None => format!("has element type '{}', which no seq op takes", desc.dtype),
                Some(ty) => match rules::check_size(ty) {
                    Some(m) => m,
                    None => continue,
                },
            };
            return Err(PlanError::Value { value: v as u32, message });
        }
        // Before the op table: a wrong shard shape is best explained as the sharding it breaks.
        self.check_sharded_io()?;
        let mut producer = vec![None; n];
        for (s, step) in self.steps.iter().enumerate() {
            let bad = |message: String| PlanError::Invalid { step: s, op: step.op.clone(), message };
            for &o in &step.operands {
                if o as usize >= n || !defined[o as usize] {
                    return Err(bad(format!("operand %{o} is not defined before this step")));
                }
            }
            for &r in &step.results {
                if r as usize >= n {
                    return Err(bad(format!("result %{r} is out of range ({n} values)")));
                }
                if std::mem::replace(&mut defined[r as usize], true) {
                    return Err(bad(format!("result %{r} is defined twice")));
                }
                producer[r as usize] = Some(s);
            }
            let kind = step.kind().ok_or_else(|| bad(format!("unknown op '{}'", step.op)))?;
            let ty = |v: &u32| types[*v as usize].as_ref().unwrap_or(&Type::Token);
            let token_source = match (kind, step.operands.first()) {
                (OpKind::AsyncWait, Some(&t)) => producer[t as usize]
                    .map(|p| &self.steps[p])
                    .filter(|start| start.op == "async_start")
                    .and_then(|start| Some((ty(start.operands.first()?), Attrs::of(&start.attrs)))),
                _ => None,
            };
            let view = OpView {
                kind,
                operands: step.operands.iter().map(ty).collect(),
                results: step.results.iter().map(ty).collect(),
                attrs: Attrs::of(&step.attrs),
                token_source,
            };
            rules::check(&view).map_err(bad)?;
        }
        for &o in &self.outputs {
            if defined.get(o as usize) != Some(&true) {
                return Err(PlanError::Value { value: o, message: "is an output but no step defines it".into() });
            }
        }
        Ok(())
    }

    /// The rows of the whole tensor when output `i` is split over the ranks by rows.
    pub fn owned_rows(&self, i: usize) -> Option<usize> {
        self.owned_outputs.iter().find(|o| o.output == i).map(|o| o.rows)
    }

    /// The layout of sharded inputs and outputs, when the plan has any.
    pub fn io_spec(&self) -> Option<ShardSpec> {
        self.sharded_io.as_ref().map(|io| ShardSpec {
            zigzag: io.layout == "zigzag",
            shards: self.devices,
            global: io.global_size,
        })
    }

    pub fn input_sharded(&self, i: usize) -> bool {
        self.sharded_io.as_ref().is_some_and(|io| io.inputs.contains(&i))
    }

    pub fn output_sharded(&self, i: usize) -> bool {
        self.sharded_io.as_ref().is_some_and(|io| io.outputs.contains(&i))
    }

    /// The shape the caller supplies for input `i`: the global tensor, also when ranks hold shards.
    pub fn global_input_shape(&self, i: usize) -> Option<Vec<i64>> {
        let mut shape = self.values.get(*self.inputs.get(i)? as usize)?.shape.clone();
        if let (true, Some(io), Some(d0)) = (self.input_sharded(i), &self.sharded_io, shape.first_mut()) {
            *d0 = io.global_size as i64;
        }
        Some(shape)
    }

    /// Sharded positions in range, a known layout, and local shapes that match it.
    fn check_sharded_io(&self) -> Result<(), PlanError> {
        let Some(io) = &self.sharded_io else {
            return Ok(());
        };
        let bad = |m: String| Err(PlanError::ShardedIo(m));
        if self.version < 2 {
            return bad(format!("needs plan version 2; this plan says {}", self.version));
        }
        if io.layout != "zigzag" && io.layout != "block" {
            return bad(format!("unknown layout '{}' (zigzag or block)", io.layout));
        }
        // Also keeps the layout arithmetic (2 · devices, devices · rows) far from overflow.
        if self.devices == 0 || self.devices > io.global_size.max(1) {
            return bad(format!("{} devices cannot split {} rows", self.devices, io.global_size));
        }
        for (what, positions) in [("inputs", &io.inputs), ("outputs", &io.outputs)] {
            if positions.windows(2).any(|w| w[0] >= w[1]) {
                return bad(format!("{what} {positions:?} must be ascending without repeats"));
            }
        }
        // The rows a rank is given must be the rows its program believes it holds.
        for (s, step) in self.steps.iter().enumerate().filter(|(_, st)| st.op == "token_index" || st.op == "shard") {
            let a = step.attrs();
            if a.str("axis").unwrap_or(ALL_DEVICES_AXIS) != ALL_DEVICES_AXIS {
                continue;
            }
            let layout = a.str("layout").unwrap_or("");
            let global = a.int("global_size").unwrap_or(-1);
            let shards = a.int("num_shards").unwrap_or(-1);
            if layout != io.layout || global != io.global_size as i64 || shards != self.devices as i64 {
                return bad(format!(
                    "says {} rows in the {} layout over {} devices, but step {s} ('{}') has {global} rows in the '{layout}' layout over {shards}",
                    io.global_size, io.layout, self.devices, step.op
                ));
            }
        }
        let Some(spec) = self.io_spec() else {
            return Ok(());
        };
        let local = spec.local_rows() as i64;
        for (what, positions, ids) in [("input", &io.inputs, &self.inputs), ("output", &io.outputs, &self.outputs)] {
            for &p in positions {
                let Some(&v) = ids.get(p) else {
                    return bad(format!("{what} {p} does not exist (the plan has {})", ids.len()));
                };
                let rows = self.values.get(v as usize).and_then(|d| d.shape.first().copied());
                if rows != Some(local) {
                    return bad(format!(
                        "{what} {p} (%{v}) has {rows:?} rows; each rank's shard of {} rows over {} devices has {local}",
                        io.global_size, self.devices
                    ));
                }
            }
        }
        Ok(())
    }

    /// The kind of training step this plan is; `None` for a forward pass.
    pub fn step_kind(&self) -> Option<StepKind> {
        match self.output_names.first().map(String::as_str) {
            Some(LOSS) => Some(StepKind::Loss),
            Some(OUTPUT) => Some(StepKind::Vjp),
            _ => None,
        }
    }

    /// The device count is sane and the mesh axes, when named, multiply to it: per-device tables
    /// and rank arithmetic rely on both.
    fn check_mesh(&self) -> Result<(), PlanError> {
        if self.devices == 0 || self.devices > MAX_DEVICES {
            return Err(PlanError::Mesh(format!("{} devices (a plan takes 1 to {MAX_DEVICES})", self.devices)));
        }
        if self.mesh.is_empty() {
            return Ok(());
        }
        let mut product = 1usize;
        for a in &self.mesh {
            if a.size == 0 || a.name == ALL_DEVICES_AXIS {
                return Err(PlanError::Mesh(format!("axis '{}' of size {} is not a mesh axis", a.name, a.size)));
            }
            product = product.checked_mul(a.size).filter(|&p| p <= self.devices).ok_or_else(|| {
                PlanError::Mesh(format!("the axes multiply past the plan's {} devices", self.devices))
            })?;
        }
        if product != self.devices {
            return Err(PlanError::Mesh(format!("the axes multiply to {product}, not the plan's {} devices", self.devices)));
        }
        Ok(())
    }

    /// This rank's coordinate and group size along `axis`.
    pub fn axis_coord(&self, axis: &str, rank: usize) -> Option<(usize, usize)> {
        if axis == ALL_DEVICES_AXIS {
            return Some((rank, self.devices));
        }
        let pos = self.mesh.iter().position(|a| a.name == axis)?;
        let inner: usize = self.mesh[pos + 1..].iter().map(|a| a.size).product();
        Some(((rank / inner) % self.mesh[pos].size, self.mesh[pos].size))
    }

    /// The ranks of `rank`'s group along `axis`, ordered by their coordinate on that axis.
    pub fn axis_group(&self, axis: &str, rank: usize) -> Option<Vec<usize>> {
        if axis == ALL_DEVICES_AXIS {
            return Some((0..self.devices).collect());
        }
        let pos = self.mesh.iter().position(|a| a.name == axis)?;
        let inner: usize = self.mesh[pos + 1..].iter().map(|a| a.size).product();
        let size = self.mesh[pos].size;
        let (coord, _) = self.axis_coord(axis, rank)?;
        let base = rank - coord * inner;
        Some((0..size).map(|c| base + c * inner).collect())
    }
}

/// Layout of a sequence split by `shard`, `token_index` and `unshard` (see the dialect README).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardSpec {
    pub zigzag: bool,
    pub shards: usize,
    pub global: usize,
}

impl ShardSpec {
    /// Rows per shard: the padded chunk size (times two chunks for zigzag).
    pub fn local_rows(&self) -> usize {
        if self.zigzag { 2 * self.global.div_ceil(2 * self.shards) } else { self.global.div_ceil(self.shards) }
    }

    /// The global row held by each local row of shard `r` (`None`: padding).
    pub fn rows(&self, r: usize) -> Vec<Option<usize>> {
        let padded: Vec<usize> = if self.zigzag {
            let c = self.global.div_ceil(2 * self.shards);
            (r * c..(r + 1) * c).chain((2 * self.shards - 1 - r) * c..(2 * self.shards - r) * c).collect()
        } else {
            let c = self.global.div_ceil(self.shards);
            (r * c..(r + 1) * c).collect()
        };
        padded.into_iter().map(|g| (g < self.global).then_some(g)).collect()
    }

    /// The inverse of `rows(r)`: for each global row, the row of shard `r` holding it
    /// (None: another shard's). What `shard_grad` takes its rows by.
    pub fn place_of(&self, r: usize) -> Vec<Option<usize>> {
        let mut local = vec![None; self.global];
        for (l, g) in self.rows(r).into_iter().enumerate() {
            if let Some(g) = g {
                local[g] = Some(l);
            }
        }
        local
    }

    /// For `unshard`: global row g comes from row `order[g]` of the shards gathered in rank order.
    pub fn gather_order(&self) -> Vec<usize> {
        let local = self.local_rows();
        let mut order = vec![0; self.global];
        for r in 0..self.shards {
            for (i, g) in self.rows(r).into_iter().enumerate() {
                if let Some(g) = g {
                    order[g] = r * local + i;
                }
            }
        }
        order
    }
}
