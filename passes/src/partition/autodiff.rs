//! `seq-autodiff`: turns the partitioned forward program into one training step,
//! `(ids, positions[, segments], labels) -> (loss, grad_0, grad_1, ...)` for a program of logits,
//! or, for a program whose result is anything else (a decoder layer, a pipeline stage), its
//! vector-Jacobian product, `(args..., output_grad) -> (output, input_grad.i..., grad_0, ...)`:
//! what PyTorch's `y = f(x); y.backward(dy)` computes. `output_grad` has the result's global
//! type and is split like the result was assembled; each float argument's gradient comes out
//! whole on every rank (an argument cut into rows is assembled from them by `seq.unshard`).
//!
//! It differentiates the per-rank SPMD program, after partitioning, so every split strategy's
//! backward comes from the exact transpose of what its forward does: the adjoint of an
//! all-to-all is the all-to-all with its dims swapped (Ulysses sends dO out and dq/dk/dv back),
//! of a collective-permute the permute the other way (ring: dK/dV travel back to their owner),
//! of an all-gather a reduce-scatter (all-gather-KV: dK/dV reduce-scattered), and a hybrid gets
//! both on their axes. What the forward proves equal to the unsplit model, the backward inherits.
//!
//! Cotangents follow one convention: each rank holds its own contribution, and the derivative of
//! a value every rank holds (replicated) is the sum of the ranks' contributions. The transposes
//! above respect it, and so weight gradients are summed over the sequence group once, at the end,
//! as their partial sums over each rank's tokens: reduce-scattered (each rank owns a slice of
//! every gradient's rows, ZeRO-2) or all-reduced (`GradReduce`).
//!
//! The loss is the mean next-token cross-entropy over every labelled token of the step: each
//! rank sums its rows' losses and divides by the global count of labels (an all-reduce of the
//! ranks' counts), so the ranks' shares add up to the mean (token-weighted, not a mean of
//! per-rank means). Labels are a new last argument, shifted by the caller before sharding
//! (label i is token i + 1; a negative label, at a document's end or the sequence's, is
//! ignored), and sharded like the token ids. `seq.cross_entropy` never holds [S, vocab] logits.
//!
//! Split attention: partial results merged by `seq.lse_merge` are differentiated as the one
//! attention they form, so each block's backward (`seq.attention_partial_grad`) is given the
//! final merged output and log-sum-exp with dO, as flash-attention's backward is.
//!
//! A ring layer's backward may instead run as Ulysses (`BackwardStrategy`): dO, O, LSE, q and the
//! rank's own k, v go to head groups by all-to-all, one attention backward per group, and dq,
//! dk, dv come back; the chooser picks it per layer where the cost model prices it cheaper.

use crate::{
    Pass, PassError,
    config::{BackwardStrategy, GradReduce},
};
use seq_ir::{
    Attr, Builder, DType, Graph, OpKind, TensorType, Type, ValueId,
    builder::attrs,
    diag::Loc,
    graph::Op,
    verify::SEGMENT_SIZES,
};
use std::collections::BTreeMap;

pub struct Autodiff {
    pub grad_reduce: GradReduce,
    pub backward: BackwardStrategy,
}

/// The axis of all devices (the sequence group) over which weight gradients are summed.
const ALL_DEVICES: &str = "sp";

/// Names of the training step's results, in order: `loss` then each parameter's name, or, for
/// a vector-Jacobian step, `output`, `input_grad.<argument>` for each float argument, then each
/// parameter's name.
pub const RESULT_NAMES: &str = "seq.result_names";

/// The first results' names (the plan crate's, which every reader of a plan uses).
pub use seq_plan::{LOSS, OUTPUT};

/// Prefix of a vector-Jacobian step's argument gradients, followed by the argument's index.
pub const INPUT_GRAD: &str = "input_grad.";

/// The attributes of a sequence layout (`seq.shard`, `seq.unshard`).
const LAYOUT_KEYS: [&str; 5] = ["axis", "dim", "layout", "num_shards", "global_size"];

/// Marks the ops of the backward, which carry their forward op's `layer`, so the schedule and
/// the report tell a layer's backward from its forward.
pub const BACKWARD: &str = "backward";

/// Ring layers whose backward the chooser gave to Ulysses (`BackwardStrategy::Auto`).
pub const ULYSSES_BACKWARD: &str = "seq.ulysses_backward_layers";

/// Results each rank holds a slice of rows of (reduce-scattered gradients), as
/// `position:rows` pairs joined by commas.
pub const OWNED_RESULTS: &str = "seq.owned_results";

impl Pass for Autodiff {
    fn name(&self) -> &'static str {
        "seq-autodiff"
    }

    fn summary(&self) -> &'static str {
        "Make the forward program a training step: next-token loss and reverse-mode gradients"
    }

    fn run(&self, g: &mut Graph) -> Result<(), PassError> {
        let mut d = Differentiator::new(g, self.grad_reduce)?;
        d.mode = self.backward;
        d.run()
    }
}

/// Appends the backward of a program fragment whose results are its outputs (the chooser prices
/// a layer's training step with it): a cotangent argument per result, the reverse sweep, and the
/// cotangents of its float arguments as the new results. No loss, no weights summed.
pub fn append_backward(g: &mut Graph, mode: BackwardStrategy) -> Result<(), PassError> {
    let mut d = Differentiator::new(g, GradReduce::AllReduce)?;
    d.mode = mode;
    let forward: Vec<_> = d.g.body.clone();
    let args = d.g.args.clone();
    for r in d.g.results.clone() {
        let seed = d.g.add_arg(d.g.ty(r).clone());
        d.grow();
        d.accumulate(r, seed)?;
    }
    d.backward = true;
    d.reverse(&forward)?;
    d.g.results = args.iter().filter_map(|a| d.ct[a.0 as usize]).collect();
    Ok(())
}

fn fail(message: impl Into<String>) -> PassError {
    PassError::Precondition { pass: "seq-autodiff", message: message.into() }
}

/// Where an op is, for messages: its source location when it has one.
fn at(op: &Op) -> String {
    match &op.loc {
        Some(l) => format!("{} at {l}", op.kind.name()),
        None => op.kind.name(),
    }
}

/// The cotangent of an attention partial's (output, lse) pair: the final merged output and
/// log-sum-exp of the attention it is part of, and dO.
#[derive(Clone, Copy)]
struct AttentionCotangent {
    d_o: ValueId,
    o: ValueId,
    lse: ValueId,
    /// The whole attention's backward is already emitted (a Ulysses backward of a ring layer).
    done: bool,
}

/// A sequence layout's attributes (`LAYOUT_KEYS`).
type Layout = BTreeMap<String, Attr>;

/// The logits' input rows, the output projection, and the layout the logits were assembled from.
/// The head's input and weight, how its rows are laid out, and its logits' cap (Gemma 2).
type LossHead = (ValueId, ValueId, Option<Layout>, Option<f64>);

/// What a training step differentiates (`Differentiator::head`).
enum Head {
    /// The logits: the step appends the loss.
    Logits(LossHead),
    /// Any other result: the step takes its vector-Jacobian product. `local` is the value whose
    /// cotangent the seed gives (the unshard's operand, or the result), `layout` the unshard's.
    Output { result: ValueId, local: ValueId, layout: Option<Layout> },
}

struct Differentiator<'g> {
    g: &'g mut Graph,
    /// Cotangent of each value (indexed by value id; grows as ops are added).
    ct: Vec<Option<ValueId>>,
    attention_ct: Vec<Option<AttentionCotangent>>,
    /// Values that are parameters or conversions of one: their cotangents stay f32.
    weight: Vec<bool>,
    devices: i64,
    /// Whether ranks hold different rows (false: every rank runs the whole program).
    split: bool,
    grad_reduce: GradReduce,
    loc: Option<Loc>,
    /// The `layer` of the forward op being differentiated, given to its derivative's ops.
    layer: Option<Attr>,
    /// Whether ops emitted now belong to the backward (not the loss head).
    backward: bool,
    /// How ring layers run their backward.
    mode: BackwardStrategy,
}

impl<'g> Differentiator<'g> {
    fn new(g: &'g mut Graph, grad_reduce: GradReduce) -> Result<Self, PassError> {
        if let Some((_, op)) = g.body_ops().find(|(_, op)| matches!(op.kind, OpKind::AsyncStart | OpKind::AsyncWait)) {
            return Err(fail(format!(
                "{} is asynchronous: run seq-autodiff before seq-overlap-collectives",
                at(op)
            )));
        }
        if let Some((_, op)) = g.body_ops().find(|(_, op)| op.kind.class() == seq_ir::OpClass::Gradient) {
            return Err(fail(format!("the program is already a training step ({})", at(op))));
        }
        let devices = g.module_attrs.get("seq.devices").and_then(Attr::as_int).unwrap_or(1);
        let split = g.module_attrs.get("seq.split").and_then(Attr::as_bool).unwrap_or(false) && devices > 1;
        let mut weight = vec![false; g.values.len()];
        for (_, op) in g.body_ops() {
            let w = match op.kind {
                OpKind::Param => true,
                OpKind::Convert => weight[op.operands[0].0 as usize],
                _ => false,
            };
            for r in &op.results {
                weight[r.0 as usize] = w;
            }
        }
        let n = g.values.len();
        Ok(Self { g, ct: vec![None; n], attention_ct: vec![None; n], weight, devices, split, grad_reduce, loc: None, layer: None, backward: false, mode: BackwardStrategy::AsForward })
    }

    fn run(mut self) -> Result<(), PassError> {
        let forward: Vec<_> = self.g.body.clone();
        let args = self.g.args.clone();
        let (mut results, mut names) = match self.head()? {
            Head::Logits((x, w, labels_shard, cap)) => {
                let loss = self.loss(x, w, labels_shard, cap)?;
                self.reverse(&forward)?;
                (vec![loss], vec![LOSS.to_string()])
            }
            Head::Output { result, local, layout } => {
                self.seed_output(result, local, layout)?;
                self.reverse(&forward)?;
                let (mut results, mut names) = (vec![result], vec![OUTPUT.to_string()]);
                for (i, &a) in args.iter().enumerate() {
                    if let Some(grad) = self.argument_gradient(a, &forward)? {
                        results.push(grad);
                        names.push(format!("{INPUT_GRAD}{i}"));
                    }
                }
                (results, names)
            }
        };
        let mut owned = Vec::new();
        for &id in &forward {
            let op = self.g.op(id).clone();
            let (OpKind::Param, Some(name)) = (op.kind, op.str("name")) else { continue };
            let Some(grad) = self.ct[op.results[0].0 as usize] else { continue };
            self.loc = op.loc.clone();
            let grad = self.convert_to(grad, DType::F32)?;
            let grad = if self.split && self.grad_reduce == GradReduce::ReduceScatter {
                let rows = self.tensor(grad)?.shape[0];
                owned.push(format!("{}:{rows}", results.len()));
                self.scatter_over_ranks(grad)?
            } else {
                self.sum_over_ranks(grad)?
            };
            results.push(grad);
            names.push(name.to_string());
        }
        self.g.results = results;
        self.g.module_attrs.insert(RESULT_NAMES.into(), Attr::Str(names.join(",")));
        if !owned.is_empty() {
            self.g.module_attrs.insert(OWNED_RESULTS.into(), Attr::Str(owned.join(",")));
        }
        crate::import::Dce.run(self.g)
    }

    /// The loss head: labels (a new last argument, split like the token ids), the fused
    /// cross-entropy summed over the ranks, and its derivative seeding x's and w's cotangents.
    fn loss(&mut self, x: ValueId, w: ValueId, labels_shard: Option<Layout>, cap: Option<f64>) -> Result<ValueId, PassError> {
        // The labels arrive whole and are split like the token ids.
        let global = self.rows_of(self.g.results[0]);
        let labels = self.g.add_arg(Type::Tensor(TensorType::new([global], DType::I32)));
        // Padding rows of an uneven split (token index -1) hold a copy of some label: the loss
        // ignores them by their index.
        let (labels, index) = match labels_shard {
            Some(a) => {
                let mut layout = a.clone();
                layout.remove("dim");
                let index = self.emit1(OpKind::TokenIndex, &[], layout)?;
                (self.emit1(OpKind::Shard, &[labels], a)?, Some(index))
            }
            None => (labels, None),
        };
        let count = self.emit1(OpKind::LabelCount, &[labels].into_iter().chain(index).collect::<Vec<_>>(), BTreeMap::new())?;
        let count = self.sum_over_ranks(count)?;
        let operands: Vec<ValueId> = [x, w, labels, count].into_iter().chain(index).collect();
        // The logits' cap (Gemma 2) goes with the fused loss and its gradient.
        let capped = || cap.map(|c| ("softcap".to_string(), Attr::Float(c))).into_iter().collect::<BTreeMap<_, _>>();
        let local_loss = self.emit1(OpKind::CrossEntropy, &operands, capped())?;
        let loss = self.sum_over_ranks(local_loss)?;
        self.backward = true;
        let grads = self.emit(OpKind::CrossEntropyGrad, &operands, capped())?;
        self.accumulate(x, grads[0])?;
        self.accumulate(w, grads[1])?;
        Ok(loss)
    }

    /// The vector-Jacobian product's seed: a new last argument `output_grad` of the result's
    /// global type, split like the result was assembled (each rank seeds its own rows: the
    /// unshard's transpose would sum the ranks' copies) or, unsplit, the result's cotangent.
    fn seed_output(&mut self, result: ValueId, local: ValueId, layout: Option<Layout>) -> Result<(), PassError> {
        let output_grad = self.g.add_arg(self.g.ty(result).clone());
        self.grow();
        self.backward = true;
        let seed = match layout {
            Some(a) => self.emit1(OpKind::Shard, &[output_grad], a)?,
            None => output_grad,
        };
        self.accumulate(local, seed)
    }

    /// The gradient of argument `a` (f32, whole on every rank), or `None` for an integer
    /// argument or one the result does not depend on. An argument the split program only cuts
    /// into rows (`seq.shard`) is assembled from each rank's rows (`seq.unshard`, of the
    /// shard's cotangent: the sum of the ranks' `shard_grad`s, without the zeros); any other is
    /// summed over the ranks (each holds its contribution).
    fn argument_gradient(&mut self, a: ValueId, forward: &[seq_ir::OpId]) -> Result<Option<ValueId>, PassError> {
        if !self.tensor(a)?.dtype.is_float() {
            return Ok(None);
        }
        let users: Vec<&Op> = forward.iter().map(|&id| self.g.op(id)).filter(|op| op.operands.contains(&a)).collect();
        if let [op] = users[..]
            && self.split
            && op.kind == OpKind::Shard
        {
            let (op, rows) = (op.clone(), op.results[0]);
            let Some(d) = self.ct[rows.0 as usize] else { return Ok(None) };
            self.loc = op.loc.clone();
            let d = self.convert_to(d, DType::F32)?;
            return Ok(Some(self.emit1(OpKind::Unshard, &[d], Self::copy_attrs(&op, &LAYOUT_KEYS))?));
        }
        let Some(d) = self.ct[a.0 as usize] else { return Ok(None) };
        self.loc = None;
        let d = self.convert_to(d, DType::F32)?;
        Ok(Some(self.sum_over_ranks(d)?))
    }

    /// The derivatives of the `forward` ops, last first, each with its op's location and layer.
    fn reverse(&mut self, forward: &[seq_ir::OpId]) -> Result<(), PassError> {
        for &id in forward.iter().rev() {
            let op = self.g.op(id).clone();
            self.loc = op.loc.clone();
            self.layer = op.attrs.get("layer").cloned();
            self.adjoint(&op)?;
        }
        self.layer = None;
        Ok(())
    }

    /// What the step differentiates: the logits of `seq.logits(x, w)` (a loss is appended), or
    /// any other float result (its vector-Jacobian product), possibly assembled by `seq.unshard`.
    fn head(&self) -> Result<Head, PassError> {
        let [result] = self.g.results[..] else {
            return Err(fail(format!(
                "a training step needs a program with one result (the logits, or an output to take the \
                 vector-Jacobian product of); this one has {}",
                self.g.results.len()
            )));
        };
        let (local, layout) = match self.g.producer(result) {
            Some(op) if op.kind == OpKind::Unshard => (op.operands[0], Some(Self::copy_attrs(op, &LAYOUT_KEYS))),
            _ => (result, None),
        };
        match self.g.producer(local) {
            Some(op) if op.kind == OpKind::Logits => {
                let cap = op.attrs.get("softcap").and_then(Attr::as_float);
                Ok(Head::Logits((op.operands[0], op.operands[1], layout, cap)))
            }
            Some(op) => match self.g.ty(result).tensor() {
                Some(t) if t.dtype.is_float() => Ok(Head::Output { result, local, layout }),
                _ => Err(fail(format!(
                    "the program's result, of {}, is {}: a vector-Jacobian step needs a float tensor",
                    at(op),
                    self.g.ty(result)
                ))),
            },
            None => Err(fail("the program's result is one of its arguments: there is nothing to differentiate")),
        }
    }

    fn rows_of(&self, v: ValueId) -> i64 {
        self.g.ty(v).tensor().map_or(0, |t| t.shape[0])
    }

    fn tensor(&self, v: ValueId) -> Result<TensorType, PassError> {
        self.g.ty(v).tensor().cloned().ok_or_else(|| fail(format!("value #{} is a token", v.0)))
    }

    fn emit(&mut self, kind: OpKind, operands: &[ValueId], a: BTreeMap<String, Attr>) -> Result<Vec<ValueId>, PassError> {
        self.emit_typed(kind, operands, a, None)
    }

    fn emit_typed(
        &mut self,
        kind: OpKind,
        operands: &[ValueId],
        a: BTreeMap<String, Attr>,
        declared: Option<Vec<Type>>,
    ) -> Result<Vec<ValueId>, PassError> {
        let mut b = Builder::new(self.g);
        b.loc = self.loc.clone();
        // A derivative that breaks an op's rule is seqc's bug, reported with the op's message.
        let id = b.build(kind, operands, a, declared).map_err(|e| fail(format!("internal: {e}")))?;
        let op = self.g.op_mut(id);
        if self.backward {
            op.attrs.insert(BACKWARD.into(), Attr::Bool(true));
        }
        if let Some(l) = &self.layer {
            op.attrs.insert("layer".into(), l.clone());
        }
        let results = self.g.op(id).results.clone();
        self.grow();
        Ok(results)
    }

    /// Room for the values added since the tables were sized.
    fn grow(&mut self) {
        let n = self.g.values.len();
        self.ct.resize(n, None);
        self.attention_ct.resize(n, None);
        self.weight.resize(n, false);
    }

    fn emit1(&mut self, kind: OpKind, operands: &[ValueId], a: BTreeMap<String, Attr>) -> Result<ValueId, PassError> {
        Ok(self.emit(kind, operands, a)?[0])
    }

    /// The sum over every rank when ranks hold different rows; the value itself otherwise.
    fn sum_over_ranks(&mut self, v: ValueId) -> Result<ValueId, PassError> {
        if !self.split {
            return Ok(v);
        }
        let a = attrs([
            ("axis", Attr::Str(ALL_DEVICES.into())),
            ("group_size", Attr::Int(self.devices)),
            ("reduction", Attr::Str("sum".into())),
        ]);
        self.emit1(OpKind::AllReduce, &[v], a)
    }

    /// The sum over every rank, each rank keeping its slice of rows: ⌈rows / N⌉ of them, the
    /// rows padded with zeros to a multiple of N first.
    fn scatter_over_ranks(&mut self, v: ValueId) -> Result<ValueId, PassError> {
        let rows = self.tensor(v)?.shape[0];
        let padded = (rows + self.devices - 1) / self.devices * self.devices;
        let v = if padded == rows {
            v
        } else {
            let a = attrs([("dim", Attr::Int(0)), ("before", Attr::Int(0)), ("after", Attr::Int(padded - rows))]);
            self.emit1(OpKind::Pad, &[v], a)?
        };
        let a = attrs([
            ("axis", Attr::Str(ALL_DEVICES.into())),
            ("group_size", Attr::Int(self.devices)),
            ("dim", Attr::Int(0)),
            ("reduction", Attr::Str("sum".into())),
        ]);
        self.emit1(OpKind::ReduceScatter, &[v], a)
    }

    fn convert_to(&mut self, v: ValueId, dtype: DType) -> Result<ValueId, PassError> {
        let t = self.tensor(v)?;
        if t.dtype == dtype {
            return Ok(v);
        }
        Ok(self.emit_typed(OpKind::Convert, &[v], BTreeMap::new(), Some(vec![t.with_dtype(dtype).into()]))?[0])
    }

    /// Adds `c` to the cotangent of `v`, in v's type (f32 for weights). Integer values (ids,
    /// positions, indices) have none.
    fn accumulate(&mut self, v: ValueId, c: ValueId) -> Result<(), PassError> {
        let primal = self.tensor(v)?;
        if !primal.dtype.is_float() {
            return Ok(());
        }
        let want = if self.weight[v.0 as usize] { DType::F32 } else { primal.dtype };
        let c = self.convert_to(c, want)?;
        if self.tensor(c)?.shape != primal.shape {
            return Err(fail(format!("internal: cotangent {} of value #{} with type {primal}", self.g.ty(c), v.0)));
        }
        let sum = match self.ct[v.0 as usize] {
            None => c,
            Some(old) => self.emit1(OpKind::Add, &[old, c], BTreeMap::new())?,
        };
        self.ct[v.0 as usize] = Some(sum);
        Ok(())
    }

    fn copy_attrs(op: &Op, keys: &[&str]) -> BTreeMap<String, Attr> {
        op.attrs.iter().filter(|(k, _)| keys.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    fn collective_attrs(op: &Op, more: &[(&str, Attr)]) -> BTreeMap<String, Attr> {
        let mut a = Self::copy_attrs(op, &["axis", "group_size"]);
        a.extend(more.iter().map(|(k, v)| (k.to_string(), v.clone())));
        a
    }

    /// Emits the derivative of one forward op from its results' cotangents.
    fn adjoint(&mut self, op: &Op) -> Result<(), PassError> {
        use OpKind::*;
        let dy = op.results.first().and_then(|r| self.ct[r.0 as usize]);
        let has_attention_ct = op.results.first().is_some_and(|r| self.attention_ct[r.0 as usize].is_some());
        if dy.is_none() && !has_attention_ct {
            return Ok(());
        }
        let x = |i: usize| op.operands[i];
        match op.kind {
            Param | TokenIndex => Ok(()),
            Embedding => {
                let Some(dy) = dy else { return Ok(()) };
                let vocab = self.tensor(x(1))?.shape[0];
                let mut a = Self::copy_attrs(op, &["scale"]);
                a.insert("vocab".into(), Attr::Int(vocab));
                let d = self.emit1(EmbeddingGrad, &[x(0), dy], a)?;
                self.accumulate(x(1), d)
            }
            RmsNorm | LayerNorm => {
                let Some(dy) = dy else { return Ok(()) };
                let kind = if op.kind == RmsNorm { RmsNormGrad } else { LayerNormGrad };
                let mut operands = op.operands.clone();
                operands.push(dy);
                let d = self.emit(kind, &operands, Self::copy_attrs(op, &["eps", "group", "offset"]))?;
                for (i, &di) in d.iter().enumerate() {
                    self.accumulate(x(i), di)?;
                }
                Ok(())
            }
            Linear | Logits => {
                let Some(dy) = dy else { return Ok(()) };
                let dx = self.emit1(LinearGradInput, &[dy, x(1)], BTreeMap::new())?;
                self.accumulate(x(0), dx)?;
                let dw = self.emit1(LinearGradWeight, &[dy, x(0)], BTreeMap::new())?;
                self.accumulate(x(1), dw)?;
                if op.operands.len() == 3 {
                    let db = self.emit1(BiasGrad, &[dy], BTreeMap::new())?;
                    self.accumulate(x(2), db)?;
                }
                Ok(())
            }
            Rope => {
                let Some(dy) = dy else { return Ok(()) };
                let d = self.emit1(RopeGrad, &[dy, x(1)], Self::copy_attrs(op, &seq_plan::rules::ROPE_ATTRS))?;
                self.accumulate(x(0), d)
            }
            Silu | Gelu => {
                let Some(dy) = dy else { return Ok(()) };
                let kind = if op.kind == Silu { SiluGrad } else { GeluGrad };
                let d = self.emit1(kind, &[x(0), dy], Self::copy_attrs(op, &["approximate"]))?;
                self.accumulate(x(0), d)
            }
            Swiglu => {
                let Some(dy) = dy else { return Ok(()) };
                let d = self.emit(SwigluGrad, &[x(0), x(1), dy], BTreeMap::new())?;
                self.accumulate(x(0), d[0])?;
                self.accumulate(x(1), d[1])
            }
            Mul => {
                let Some(dy) = dy else { return Ok(()) };
                let da = self.emit1(Mul, &[dy, x(1)], BTreeMap::new())?;
                let db = self.emit1(Mul, &[dy, x(0)], BTreeMap::new())?;
                self.accumulate(x(0), da)?;
                self.accumulate(x(1), db)
            }
            Add => {
                let Some(dy) = dy else { return Ok(()) };
                self.accumulate(x(0), dy)?;
                self.accumulate(x(1), dy)
            }
            Convert => dy.map_or(Ok(()), |dy| self.accumulate(x(0), dy)),
            Attention => {
                let Some(dy) = dy else { return Ok(()) };
                let mut operands = vec![x(0), x(1), x(2), dy];
                operands.extend(op.operands.get(3).copied());
                let d = self.emit(AttentionGrad, &operands, attention_attrs(op))?;
                for (i, di) in d.into_iter().enumerate() {
                    self.accumulate(x(i), di)?;
                }
                Ok(())
            }
            AttentionPartial => self.attention_partial(op),
            LseMerge => {
                let (o, l) = (op.results[0], op.results[1]);
                if self.ct[l.0 as usize].is_some() {
                    return Err(fail(format!("{}: its log-sum-exp is used beyond merges, which has no derivative rule", at(op))));
                }
                let mut t = self.merged_cotangent(op, o, l)?;
                // The outermost merge of a ring layer: its backward may run as Ulysses instead.
                if !t.done && self.attention_ct[o.0 as usize].is_none() && self.ulysses_for(op) {
                    t.done = self.ulysses_backward(op, t)?;
                }
                for i in [0, 2] {
                    self.attention_ct[x(i).0 as usize] = Some(t);
                }
                Ok(())
            }
            Slice => {
                let Some(dy) = dy else { return Ok(()) };
                let (dim, start, size) = (op.int("dim").unwrap_or(0), op.int("start").unwrap_or(0), op.int("size").unwrap_or(0));
                let extent = self.tensor(x(0))?.shape[dim as usize];
                let a = attrs([("dim", Attr::Int(dim)), ("before", Attr::Int(start)), ("after", Attr::Int(extent - start - size))]);
                let d = self.emit1(Pad, &[dy], a)?;
                self.accumulate(x(0), d)
            }
            Pad => {
                let Some(dy) = dy else { return Ok(()) };
                let (dim, before) = (op.int("dim").unwrap_or(0), op.int("before").unwrap_or(0));
                let size = self.tensor(x(0))?.shape[dim as usize];
                let a = attrs([("dim", Attr::Int(dim)), ("start", Attr::Int(before)), ("size", Attr::Int(size))]);
                let d = self.emit1(Slice, &[dy], a)?;
                self.accumulate(x(0), d)
            }
            Concat => {
                let Some(dy) = dy else { return Ok(()) };
                let dim = op.int("dim").unwrap_or(0);
                let mut start = 0;
                for &part in &op.operands {
                    let size = self.tensor(part)?.shape[dim as usize];
                    let a = attrs([("dim", Attr::Int(dim)), ("start", Attr::Int(start)), ("size", Attr::Int(size))]);
                    let d = self.emit1(Slice, &[dy], a)?;
                    self.accumulate(part, d)?;
                    start += size;
                }
                Ok(())
            }
            AllToAll => {
                let Some(dy) = dy else { return Ok(()) };
                // Each member's part p went to member p along split_dim and came back along
                // concat_dim: the transpose swaps the two.
                let a = Self::collective_attrs(
                    op,
                    &[("split_dim", attr(op, "concat_dim")?), ("concat_dim", attr(op, "split_dim")?)],
                );
                let d = self.emit1(AllToAll, &[dy], a)?;
                self.accumulate(x(0), d)
            }
            AllGather => {
                let Some(dy) = dy else { return Ok(()) };
                let a = Self::collective_attrs(op, &[("dim", attr(op, "dim")?), ("reduction", Attr::Str("sum".into()))]);
                let d = self.emit1(ReduceScatter, &[dy], a)?;
                self.accumulate(x(0), d)
            }
            ReduceScatter | AllReduce => {
                let Some(dy) = dy else { return Ok(()) };
                if op.str("reduction") != Some("sum") {
                    return Err(fail(format!("{}: only sum reductions have a derivative rule", at(op))));
                }
                let (kind, a) = if op.kind == ReduceScatter {
                    (AllGather, Self::collective_attrs(op, &[("dim", attr(op, "dim")?)]))
                } else {
                    (AllReduce, Self::collective_attrs(op, &[("reduction", Attr::Str("sum".into()))]))
                };
                let d = self.emit1(kind, &[dy], a)?;
                self.accumulate(x(0), d)
            }
            CollectivePermute => {
                let Some(dy) = dy else { return Ok(()) };
                // What went to member p + shift comes back from it: the shift the other way.
                let (g, shift) = (op.int("group_size").unwrap_or(1), op.int("shift").unwrap_or(0));
                let back = (g - shift.rem_euclid(g)) % g;
                let d = self.emit1(CollectivePermute, &[dy], Self::collective_attrs(op, &[("shift", Attr::Int(back))]))?;
                self.accumulate(x(0), d)
            }
            Shard => {
                // Each rank's share of a replicated value's derivative: its own rows, in place.
                let Some(dy) = dy else { return Ok(()) };
                let d = self.emit1(ShardGrad, &[dy], op.attrs.clone())?;
                self.accumulate(x(0), d)
            }
            Unshard => {
                // Every rank's rows of the assembled value: the sum of the ranks' contributions,
                // then this rank's rows.
                let Some(dy) = dy else { return Ok(()) };
                let a = attrs([
                    ("axis", attr(op, "axis")?),
                    ("group_size", attr(op, "num_shards")?),
                    ("reduction", Attr::Str("sum".into())),
                ]);
                let total = self.emit1(AllReduce, &[dy], a)?;
                let d = self.emit1(Shard, &[total], op.attrs.clone())?;
                self.accumulate(x(0), d)
            }
            AsyncStart | AsyncWait => Err(fail(format!("{}: run seq-autodiff before seq-overlap-collectives", at(op)))),
            ShardGrad | Offload | Reload | LabelCount | CrossEntropy | CrossEntropyGrad | EmbeddingGrad | RmsNormGrad | LayerNormGrad | LinearGradInput
            | LinearGradWeight | BiasGrad | RopeGrad | SiluGrad | GeluGrad | SwigluGrad | AttentionGrad
            | AttentionPartialGrad => Err(fail(format!("{} is already a derivative", at(op)))),
        }
    }

    /// The attention cotangent of a merge's result: inherited from an outer merge, or begun
    /// here from its output's plain cotangent.
    fn merged_cotangent(&mut self, op: &Op, o: ValueId, l: ValueId) -> Result<AttentionCotangent, PassError> {
        match (self.attention_ct[o.0 as usize], self.ct[o.0 as usize]) {
            (Some(t), None) => Ok(t),
            (None, Some(d_o)) => Ok(AttentionCotangent { d_o, o, lse: l, done: false }),
            _ => Err(fail(format!("{}: its output is used both by merges and elsewhere", at(op)))),
        }
    }

    /// Whether the ring layer merged by `merge` runs its backward as Ulysses: forced, or chosen
    /// for its layer by the chooser.
    fn ulysses_for(&self, merge: &Op) -> bool {
        match self.mode {
            BackwardStrategy::Ulysses => true,
            BackwardStrategy::AsForward => false,
            BackwardStrategy::Auto => match (self.g.module_attrs.get(ULYSSES_BACKWARD), merge.int("layer")) {
                (Some(Attr::Ints { values, .. }), Some(l)) => values.contains(&l),
                _ => false,
            },
        }
    }

    /// The partial attentions a merge tree combines.
    fn leaves(&self, merge: &Op) -> Vec<Op> {
        let mut out = Vec::new();
        for i in [0, 2] {
            match self.g.producer(merge.operands[i]) {
                Some(p) if p.kind == OpKind::LseMerge => out.extend(self.leaves(p)),
                Some(p) if p.kind == OpKind::AttentionPartial => out.push(p.clone()),
                _ => {}
            }
        }
        out
    }

    /// The Ulysses backward of a ring layer whose merged result is `merge`'s, with cotangent `t`:
    /// dO, O, LSE, q and this rank's k, v go to head groups by all-to-all, one attention
    /// backward runs over the whole sequence per group, and dq, dk, dv come back. Returns false
    /// (and emits nothing) where the heads do not divide over the devices or the layer is not a
    /// ring over every device.
    fn ulysses_backward(&mut self, merge: &Op, t: AttentionCotangent) -> Result<bool, PassError> {
        let leaves = self.leaves(merge);
        // This rank's own block attends its queries to its own keys: the same index vector.
        let Some(local) = leaves.iter().find(|p| p.operands[3] == p.operands[4]).cloned() else { return Ok(false) };
        let n = self.devices;
        let (heads, kv_heads) = (local.int("num_heads").unwrap_or(0), local.int("num_kv_heads").unwrap_or(0));
        let whole_ring = leaves.len() as i64 == n;
        if !self.split || !whole_ring || heads % n != 0 || kv_heads % n != 0 {
            return Ok(false);
        }
        let group = |extra: &[(&str, Attr)]| {
            let mut a = attrs([("axis", Attr::Str(ALL_DEVICES.into())), ("group_size", Attr::Int(n))]);
            a.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
            a
        };
        let to_heads = group(&[("split_dim", Attr::Int(1)), ("concat_dim", Attr::Int(0))]);
        let to_rows = group(&[("split_dim", Attr::Int(0)), ("concat_dim", Attr::Int(1))]);
        let gather = group(&[("dim", Attr::Int(0))]);
        let mut operands = Vec::new();
        for v in [local.operands[0], local.operands[1], local.operands[2], t.o, t.lse, t.d_o] {
            operands.push(self.emit1(OpKind::AllToAll, &[v], to_heads.clone())?);
        }
        let index = self.emit1(OpKind::AllGather, &[local.operands[3]], gather.clone())?;
        operands.extend([index, index]);
        if local.operands.len() == 7 {
            let segments = self.emit1(OpKind::AllGather, &[local.operands[5]], gather)?;
            operands.extend([segments, segments]);
        }
        let mut a = attention_attrs(&local);
        a.insert("num_heads".into(), Attr::Int(heads / n));
        a.insert("num_kv_heads".into(), Attr::Int(kv_heads / n));
        let segs = i64::from(local.operands.len() == 7);
        a.insert(SEGMENT_SIZES.into(), Attr::Ints { values: vec![1, 1, 1, 1, 1, 1, 1, 1, segs, segs], width: 32 });
        let d = self.emit(OpKind::AttentionPartialGrad, &operands, a)?;
        for (&x, di) in local.operands.iter().zip(d) {
            let back = self.emit1(OpKind::AllToAll, &[di], to_rows.clone())?;
            self.accumulate(x, back)?;
        }
        Ok(true)
    }

    fn attention_partial(&mut self, op: &Op) -> Result<(), PassError> {
        let (o, l) = (op.results[0], op.results[1]);
        if self.ct[l.0 as usize].is_some() {
            return Err(fail(format!("{}: its log-sum-exp is used beyond merges, which has no derivative rule", at(op))));
        }
        let t = self.merged_cotangent(op, o, l)?;
        if t.done {
            return Ok(());
        }
        let mut operands = vec![op.operands[0], op.operands[1], op.operands[2], t.o, t.lse, t.d_o];
        operands.extend_from_slice(&op.operands[3..]);
        let mut a = attention_attrs(op);
        let segs = i64::from(op.operands.len() == 7);
        a.insert(SEGMENT_SIZES.into(), Attr::Ints { values: vec![1, 1, 1, 1, 1, 1, 1, 1, segs, segs], width: 32 });
        let d = self.emit(OpKind::AttentionPartialGrad, &operands, a)?;
        for (&x, di) in op.operands.iter().zip(d) {
            self.accumulate(x, di)?;
        }
        Ok(())
    }
}

/// A required attribute of a verified op (a missing one is reported, not a panic).
fn attr(op: &Op, name: &str) -> Result<Attr, PassError> {
    op.attrs.get(name).cloned().ok_or_else(|| fail(format!("{} has no '{name}' attribute", at(op))))
}

fn attention_attrs(op: &Op) -> BTreeMap<String, Attr> {
    Differentiator::copy_attrs(op, &["causal", "num_heads", "num_kv_heads", "head_dim", "scale", "window", "softcap", crate::partition::lowering::HALO])
}
