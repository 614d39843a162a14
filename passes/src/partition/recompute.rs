//! `seq-recompute`: trades recomputation for memory in a training step, after `seq-autodiff`.
//!
//! Every forward activation the backward reads ("saved activations") is live from its forward
//! definition to its backward use, so the step's peak sits where the backward starts. This pass
//! decides which saved activations to keep and which to recompute right before the backward
//! needs them, as PyTorch AOTAutograd's min-cut partitioner does:
//!
//! - **Analysis** (petgraph): the step's DAG (ops as nodes, values on the edges) in topological
//!   order, per-value liveness in program order, and the predicted arena: `seq-plan-memory`'s
//!   first fit over those live ranges, with collectives in flight as `seq-overlap-collectives`
//!   will schedule them (a collective's result is live from its start, right after its input is
//!   produced; its input until its wait, right before the result's first use). Weights
//!   (`seq.param`) are counted apart, as the memory plan does.
//! - **Plan**: a minimum s-t cut over the forward values. Each value v is an edge in(v) → out(v)
//!   weighted by its bytes (cutting it = saving v); the source feeds in(v) with λ·time(v) when
//!   v's op may be recomputed (cutting it = recomputing v) and with ∞ otherwise; out(u) → in(v)
//!   is ∞ for each operand u of v (a recomputed value needs its operands saved or recomputed);
//!   out(v) → sink is ∞ when the backward reads v. The cut minimises saved bytes + λ·recompute
//!   seconds. λ (bytes per second) is bisected: the largest λ whose plan fits the budget, i.e.
//!   the least recomputation that brings the predicted peak under it. No pressure, no change.
//! - **Recomputable**: cheap token-wise ops (rms_norm, layer_norm, rope, silu, gelu, swiglu, mul,
//!   add, convert, and linear priced by its FLOPs), each priced by the cost model; and the
//!   all-gather of all-gather-KV's K/V and Ulysses' all-to-alls of q, k and v, priced at their
//!   transfer (every rank re-runs the same collectives in the same order, so they stay matched);
//!   and attention itself (whole, or a split form's block: its output and log-sum-exp come from
//!   one clone), priced at its mask's pairs and the rate of its length, so it is recomputed
//!   only where nothing cheaper fits. No other collective; their results are saved. A value
//!   read by another layer (the residual stream between layers) is never recomputed either: its
//!   clone would be made in one layer's backward and held until the next one's, keeping what
//!   the cut counts as freed (selective activation checkpointing at layer inputs).
//! - **Realised**: each chosen op is cloned (new values, `recompute = true`) right before its
//!   first backward use, the backward reads the clones, and the forward originals die at their
//!   last forward use. The module records what was decided (`seq.recomputed`, `seq.saved`,
//!   `seq.saved_bytes`, ...; [`report`] reads them back).

use crate::export::report::{RecomputeLayer, RecomputeReport};
use crate::schedule::plan_memory::{ALIGN, ARENA_BYTES, Interval, def_use, place, to_intervals};
use crate::strategy::cost_model::{CostContext, Target};
use crate::{Pass, PassError};
use petgraph::algo::{dinics, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::{Direction, Graph as PetGraph};
use seq_ir::{Attr, Def, Graph, OpClass, OpId, OpKind, ValueId};
use std::collections::{BTreeMap, BTreeSet};

pub struct Recompute {
    pub target: Target,
    /// Offload activations to host memory where the host link hides the copies (`--offload`).
    pub offload: bool,
}

/// Offloaded activations, as `layer:bytes` items joined by commas.
pub const OFFLOADED: &str = "seq.offloaded";
/// The host memory (bytes) a device's offloaded activations could take (`Target::host_budget`).
pub const OFFLOAD_HOST_BUDGET: &str = "seq.offload_host_budget";

/// The attribute that marks an op cloned into the backward.
pub const RECOMPUTE: &str = "recompute";
/// Recomputed values in forward order, `layer:op:bytes` joined by commas (`-`: no layer).
pub const RECOMPUTED: &str = "seq.recomputed";
/// Saved activations per layer, `layer:bytes` joined by commas.
pub const SAVED: &str = "seq.saved";
/// Bytes of forward activations the backward reads from the forward, after the plan.
pub const SAVED_BYTES: &str = "seq.saved_bytes";
pub const RECOMPUTED_BYTES: &str = "seq.recomputed_bytes";
/// Predicted seconds of recomputation (cost model).
pub const RECOMPUTE_SECONDS: &str = "seq.recompute_seconds";
/// Predicted bytes per device (weights + arena) without and with recomputation, and the budget.
pub const RECOMPUTE_MEMORY: &str = "seq.recompute_memory";

const PASS: &str = "seq-recompute";
/// Capacity standing for ∞: far above any finite cut, and sums of a few never overflow.
const INF: u64 = 1 << 60;

fn fail(message: impl Into<String>) -> PassError {
    PassError::Precondition { pass: PASS, message: message.into() }
}

/// What may be recomputed: cheap token-wise ops, and the all-gather of K/V with the slices and
/// concats around it, so the planner can choose between keeping all-gather-KV's gathered K/V
/// for the backward and gathering them again there (priced at the transfer's time); likewise
/// Ulysses' all-to-alls of q, k and v, the largest tensors a long Ulysses step keeps, and the
/// attention whose output the backward reads (Llama-3-8B on 8 GPUs under 110 GiB a device: 576K
/// tokens at most with neither, 1M with the all-to-alls, 1.375M with the attention too;
/// predicted).
pub fn recomputable(kind: OpKind) -> bool {
    use OpKind::*;
    matches!(
        kind,
        RmsNorm | LayerNorm | Rope | Silu | Gelu | Swiglu | Mul | Add | Convert | Linear | AllGather | AllToAll | Slice | Concat | Attention
            | AttentionPartial
    )
}

/// The cost model's view of `g` (`simulate::context_of`): its global sequence, the devices that
/// share its attention and its Ulysses group, so that a recomputed attention is priced at its
/// mask's pairs and the rate of its length, and a re-run all-to-all on its own link.
fn cost_context(g: &Graph, target: &Target) -> CostContext {
    crate::simulate::context_of(g, target, crate::simulate::sequence_of(g))
}

fn aligned(g: &Graph, v: ValueId) -> u64 {
    g.ty(v).tensor().map_or(0, |t| t.size_bytes().div_ceil(ALIGN) * ALIGN)
}

/// The step as a DAG with its forward/backward boundary.
pub struct StepGraph {
    pub dag: DiGraph<OpId, ValueId>,
    /// Body ops in a topological order of the DAG.
    pub order: Vec<OpId>,
    /// DAG node and body position by op id (None: not in the body).
    node: Vec<Option<NodeIndex>>,
    pos: Vec<usize>,
    /// Position of the first op of the loss and backward (`OpClass::Gradient`).
    pub boundary: usize,
}

impl StepGraph {
    pub fn new(g: &Graph) -> Result<Self, PassError> {
        let mut dag = DiGraph::new();
        let mut node = vec![None; g.ops.len()];
        let mut pos = vec![usize::MAX; g.ops.len()];
        for (i, &id) in g.body.iter().enumerate() {
            node[id.0 as usize] = Some(dag.add_node(id));
            pos[id.0 as usize] = i;
        }
        for (id, op) in g.body_ops() {
            for &o in &op.operands {
                if let Def::Op(p, _) = g.def(o)
                    && let (Some(from), Some(to)) = (node[p.0 as usize], node[id.0 as usize])
                {
                    dag.add_edge(from, to, o);
                }
            }
        }
        let order = toposort(&dag, None)
            .map_err(|c| fail(format!("internal: the program has a cycle through op #{}", dag[c.node_id()].0)))?
            .into_iter()
            .map(|n| dag[n])
            .collect();
        let boundary = g.body_ops().position(|(_, op)| op.kind.class() == OpClass::Gradient).ok_or_else(|| {
            fail("the program is not a training step (no loss or backward): run seq-autodiff first, or compile with --train")
        })?;
        Ok(Self { dag, order, node, pos, boundary })
    }

    pub fn position(&self, id: OpId) -> usize {
        self.pos[id.0 as usize]
    }

    fn is_forward(&self, id: OpId) -> bool {
        self.position(id) < self.boundary
    }

    /// The users of `v` (an op result), from the DAG's edges.
    fn users(&self, g: &Graph, v: ValueId) -> impl Iterator<Item = OpId> + '_ {
        let from = match g.def(v) {
            Def::Op(p, _) => self.node[p.0 as usize],
            Def::Arg(_) => None,
        };
        from.into_iter()
            .flat_map(move |n| self.dag.edges_directed(n, Direction::Outgoing))
            .filter(move |e| *e.weight() == v)
            .map(|e| self.dag[e.target()])
    }
}

/// Predicted memory of one rank, in `seq-plan-memory`'s accounting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Weights (`seq.param` results): outside the arena.
    pub params: u64,
    /// The largest sum of live activation bytes at one program point.
    pub peak_live: u64,
    /// The arena first fit needs over the same live ranges (what `seq-plan-memory` reports).
    pub arena: u64,
}

impl MemoryEstimate {
    pub fn total(&self) -> u64 {
        self.params + self.arena
    }
}

/// Live ranges of every activation, as `seq-plan-memory` will see them once
/// `seq-overlap-collectives` has run (programs already scheduled are taken as they are).
pub fn live_ranges(g: &Graph) -> Vec<Interval> {
    let last = g.body.len();
    let (mut start, mut end) = def_use(g);
    let mut pos = vec![usize::MAX; g.ops.len()];
    let mut first_use = vec![usize::MAX; g.values.len()];
    for (i, (id, op)) in g.body_ops().enumerate() {
        pos[id.0 as usize] = i;
        for o in &op.operands {
            first_use[o.0 as usize] = first_use[o.0 as usize].min(i);
        }
    }
    for r in &g.results {
        first_use[r.0 as usize] = first_use[r.0 as usize].min(last);
    }
    // Where a value becomes available: its producer, or the wait of the collective producing it.
    let ready = |v: ValueId, start: &[usize], first_use: &[usize]| match g.producer(v) {
        Some(p) if p.kind.is_collective() => first_use[v.0 as usize].min(last),
        _ => start[v.0 as usize].min(last),
    };
    for (i, (_, op)) in g.body_ops().enumerate() {
        match op.kind {
            k if k.is_collective() => {
                // In flight from right after its input is ready until right before its first use.
                let (x, r) = (op.operands[0], op.results[0]);
                let wait = first_use[r.0 as usize].min(last).max(i);
                let begin = if matches!(g.def(x), Def::Arg(_)) { 0 } else { ready(x, &start, &first_use) };
                // A recomputed collective starts at its own place (`seq-overlap-collectives`).
                let begin = if op.bool(RECOMPUTE) == Some(true) { begin.max(i) } else { begin };
                start[r.0 as usize] = begin.min(i);
                end[x.0 as usize] = end[x.0 as usize].max(wait);
            }
            OpKind::AsyncWait => {
                // As `seq-plan-memory`: the result is written from the start, the input read until the wait.
                if let Def::Op(s, _) = g.def(op.operands[0]) {
                    let sp = pos[s.0 as usize].min(i);
                    start[op.results[0].0 as usize] = sp;
                    let x = g.op(s).operands[0];
                    end[x.0 as usize] = end[x.0 as usize].max(i);
                }
            }
            _ => {}
        }
    }
    to_intervals(g, &start, &end)
}

/// Predicts the memory plan of `g` (weights apart; activations by live range).
pub fn estimate(g: &Graph) -> MemoryEstimate {
    let ranges = live_ranges(g);
    let mut delta = vec![0i128; g.body.len() + 2];
    for r in &ranges {
        delta[r.start] += r.bytes as i128;
        delta[r.end + 1] -= r.bytes as i128;
    }
    let (mut live, mut peak) = (0i128, 0i128);
    for d in delta {
        live += d;
        peak = peak.max(live);
    }
    let params = g
        .body_ops()
        .filter(|(_, op)| op.kind == OpKind::Param)
        .flat_map(|(_, op)| op.results.iter().filter_map(|r| g.ty(*r).tensor()).map(|t| t.size_bytes()))
        .sum();
    // `seq-plan-memory`'s first fit, for its arena size.
    MemoryEstimate { params, peak_live: peak as u64, arena: place(&ranges, g.values.len()).1 }
}

/// What the forward offers the planner: per forward value, whether it may be recomputed, what
/// that costs, and whether the backward reads it.
struct Candidates {
    /// Forward tensor values, in forward order (op order, then result order).
    values: Vec<ValueId>,
    /// Seconds to recompute each value's op (None: never recomputed).
    seconds: BTreeMap<ValueId, Option<f64>>,
    /// Values the backward reads.
    needed: BTreeSet<ValueId>,
    /// Layer of each forward op.
    layer: BTreeMap<OpId, Option<i64>>,
}

/// The first all-digit component of a weight's name: `model.layers.3.mlp...` → 3.
fn layer_of_name(name: &str) -> Option<i64> {
    name.split('.').find(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())).and_then(|p| p.parse().ok())
}

impl Candidates {
    fn new(g: &Graph, step: &StepGraph, target: &Target) -> Self {
        let ctx = cost_context(g, target);
        let forward: Vec<OpId> = step.order.iter().copied().filter(|&id| step.is_forward(id)).collect();
        // Layers: an op's own tag, else its weights' layer, else the latest of its operands'.
        let mut layer: BTreeMap<OpId, Option<i64>> = BTreeMap::new();
        let mut value_layer: BTreeMap<ValueId, Option<i64>> = BTreeMap::new();
        for &id in &forward {
            let op = g.op(id);
            let from_params = op.operands.iter().find_map(|&o| match g.producer(o) {
                Some(p) if p.kind == OpKind::Param => p.str("name").and_then(layer_of_name),
                _ => None,
            });
            let l = op
                .int("layer")
                .or(from_params)
                .or_else(|| op.operands.iter().filter_map(|o| value_layer.get(o).copied().flatten()).max());
            layer.insert(id, l);
            for &r in &op.results {
                value_layer.insert(r, l);
            }
        }
        let mut values = Vec::new();
        let mut seconds = BTreeMap::new();
        let mut needed = BTreeSet::new();
        for &id in &forward {
            let op = g.op(id);
            if op.kind == OpKind::Param {
                continue;
            }
            for &r in &op.results {
                if g.ty(r).tensor().is_none() {
                    continue;
                }
                let users: Vec<OpId> = step.users(g, r).collect();
                let crosses_layers =
                    users.iter().any(|&u| step.is_forward(u) && layer.get(&u).copied().flatten() != layer[&id]);
                let cheap = recomputable(op.kind) && !crosses_layers;
                // An op of several results (attention's output and log-sum-exp) is recomputed
                // once for all of them: each carries its share of the time.
                let share = op.results.iter().filter(|r| g.ty(**r).tensor().is_some()).count().max(1) as f64;
                seconds.insert(r, cheap.then(|| target.op_cost(g, op, &ctx).1.seconds.max(0.0) / share));
                if users.iter().any(|&u| !step.is_forward(u)) || g.results.contains(&r) {
                    needed.insert(r);
                }
                values.push(r);
            }
        }
        Self { values, seconds, needed, layer }
    }

    /// These candidates with attention never recomputed (the first, cheaper search).
    fn without_attention(&self, g: &Graph) -> Self {
        let mut seconds = self.seconds.clone();
        for (v, s) in seconds.iter_mut() {
            if g.producer(*v).is_some_and(|op| matches!(op.kind, OpKind::Attention | OpKind::AttentionPartial)) {
                *s = None;
            }
        }
        Self { values: self.values.clone(), seconds, needed: self.needed.clone(), layer: self.layer.clone() }
    }

    /// The minimum cut at exchange rate `lambda` (bytes per second of recomputation): the
    /// forward ops to recompute.
    fn cut(&self, g: &Graph, lambda: f64) -> BTreeSet<ValueId> {
        let mut net: PetGraph<(), u64> = PetGraph::new();
        let source = net.add_node(());
        let sink = net.add_node(());
        let mut io: BTreeMap<ValueId, (NodeIndex, NodeIndex)> = BTreeMap::new();
        for &v in &self.values {
            let (i, o) = (net.add_node(()), net.add_node(()));
            io.insert(v, (i, o));
            net.add_edge(i, o, aligned(g, v).max(1));
            let recompute = match self.seconds[&v] {
                Some(s) => ((lambda * s).round().clamp(1.0, (1u64 << 50) as f64)) as u64,
                None => INF,
            };
            net.add_edge(source, i, recompute);
            if self.needed.contains(&v) {
                net.add_edge(o, sink, INF);
            }
        }
        // The results of one op are recomputed together (one clone makes them all).
        for &v in &self.values {
            if let Def::Op(p, i) = g.def(v)
                && i > 0
                && let Some(&(first, _)) = io.get(&g.op(p).results[0])
            {
                let (here, _) = io[&v];
                net.add_edge(first, here, INF);
                net.add_edge(here, first, INF);
            }
        }
        for &v in &self.values {
            let Some(op) = g.producer(v) else { continue };
            for u in &op.operands {
                if let Some(&(_, uo)) = io.get(u) {
                    net.add_edge(uo, io[&v].0, INF);
                }
                // Weights and arguments are at hand in the backward: no edge.
            }
        }
        let (_, flows) = dinics(&net, source, sink);
        // The source side: reachable from the source through edges with room left.
        let mut reach = vec![false; net.node_count()];
        let mut stack = vec![source];
        reach[source.index()] = true;
        while let Some(n) = stack.pop() {
            let out = net.edges_directed(n, Direction::Outgoing).filter(|e| flows[e.id().index()] < *e.weight());
            let back = net.edges_directed(n, Direction::Incoming).filter(|e| flows[e.id().index()] > 0);
            let next: Vec<NodeIndex> = out.map(|e| e.target()).chain(back.map(|e| e.source())).collect();
            for m in next {
                if !reach[m.index()] {
                    reach[m.index()] = true;
                    stack.push(m);
                }
            }
        }
        io.iter().filter(|(_, (i, _))| !reach[i.index()]).map(|(v, _)| *v).collect()
    }
}

/// Clones the producers of `recompute` into the backward, each right before its first backward
/// use (operands first), and points the backward at the clones. Returns the clones' count.
/// Offloads forward activations (largest first) whose copy to host memory hides under the
/// compute up to their last forward use, and whose copy back under the backward's compute before
/// their first backward use, by the cost model's host link, until the estimate fits `budget`
/// (within the host memory a device may pin): `seq.offload` right after the activation is made,
/// `seq.reload` early enough in the backward for its copy to finish before the first use.
/// Returns the program, `layer:bytes` of each offloaded activation, and its planned total
/// (weights + arena) where that fits `budget`.
fn offload_hidden(g: &Graph, step: &StepGraph, target: &Target, budget: u64) -> Result<(Graph, Vec<String>, Option<u64>), PassError> {
    use crate::strategy::cost_model::Resource;
    let ctx = cost_context(g, target);
    // Compute time before each body position.
    let mut before = vec![0.0f64; g.body.len() + 1];
    for (i, (_, op)) in g.body_ops().enumerate() {
        let (resource, cost) = target.op_cost(g, op, &ctx);
        before[i + 1] = before[i] + if resource == Resource::Compute { cost.seconds } else { 0.0 };
    }
    let one_way = |bytes: u64| target.profile.kernel_launch_us * 1e-6 + bytes as f64 / (target.profile.host_link_gbs * 1e9);
    let mut candidates = Vec::new();
    for (i, (_, op)) in g.body_ops().enumerate().take(step.boundary) {
        if matches!(op.kind, OpKind::Param | OpKind::TokenIndex) {
            continue;
        }
        for &r in &op.results {
            if !g.ty(r).tensor().is_some_and(|t| t.dtype.is_float()) {
                continue;
            }
            let users: Vec<OpId> = step.users(g, r).collect();
            let last_forward = users.iter().filter(|&&u| step.is_forward(u)).map(|&u| step.position(u)).max().unwrap_or(i);
            let Some(first_backward) = users.iter().filter(|&&u| !step.is_forward(u)).map(|&u| step.position(u)).min()
            else {
                continue;
            };
            let (bytes, copy) = (aligned(g, r), one_way(aligned(g, r)));
            // The copy out runs beside the forward's compute up to the value's last forward use
            // (where the runtime waits for it: the arena frees the value there); the copy back
            // beside the backward's compute before its first use.
            let out = before[last_forward + 1] - before[i + 1];
            if out >= copy && before[first_backward] - before[step.boundary] >= copy {
                // The latest position in the backward whose compute before the use covers the copy.
                let reload_at = (step.boundary..=first_backward)
                    .rev()
                    .find(|&p| before[first_backward] - before[p] >= copy)
                    .unwrap_or(step.boundary);
                candidates.push((bytes, r, i, reload_at));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut h = g.clone();
    let mut inserted: Vec<(usize, OpId)> = Vec::new();
    let mut items = Vec::new();
    // Every offloaded activation holds host memory from its forward to its backward, so their
    // sum must fit the device's share of the host.
    let (host, mut pinned) = (target.host_budget(), 0u64);
    let mut fits = None;
    for (bytes, v, def, reload_at) in candidates {
        h.body = with_inserted(&g.body, &inserted);
        // The estimate first (cheap); the plan has the last word (its collectives' overlap
        // keeps values live longer than the estimate).
        if estimate(&h).total() <= budget {
            let total = planned_total(&h)?;
            if total <= budget {
                fits = Some(total);
                break;
            }
        }
        if pinned + bytes > host {
            continue;
        }
        pinned += bytes;
        let op = g.producer(v).ok_or_else(|| fail("internal: an offloaded value has no producer"))?;
        let layer = op.attrs.get("layer").cloned();
        let ty = h.ty(v).clone();
        let mut attrs = BTreeMap::new();
        if let Some(l) = &layer {
            attrs.insert("layer".to_string(), l.clone());
        }
        let off = h.create_op(OpKind::Offload, vec![v], vec![ty.clone()], attrs.clone(), op.loc.clone());
        let host = h.op(off).results[0];
        attrs.insert(crate::partition::autodiff::BACKWARD.into(), Attr::Bool(true));
        let back = h.create_op(OpKind::Reload, vec![host], vec![ty], attrs, op.loc.clone());
        let reloaded = h.op(back).results[0];
        for &id in &g.body[step.boundary..] {
            for o in &mut h.op_mut(id).operands {
                if *o == v {
                    *o = reloaded;
                }
            }
        }
        inserted.push((def + 1, off));
        inserted.push((reload_at, back));
        items.push(format!("{}:{bytes}", op.int("layer").map_or("-".to_string(), |l| l.to_string())));
    }
    h.body = with_inserted(&g.body, &inserted);
    if fits.is_none() {
        fits = Some(planned_total(&h)?).filter(|&t| t <= budget);
    }
    // Nothing offloaded is no offload plan.
    let fits = fits.filter(|_| !items.is_empty());
    Ok((h, items, fits))
}

/// `body` with each (position, op) placed before the op now at that position, in order.
fn with_inserted(body: &[OpId], inserted: &[(usize, OpId)]) -> Vec<OpId> {
    let mut at: BTreeMap<usize, Vec<OpId>> = BTreeMap::new();
    for &(p, id) in inserted {
        at.entry(p).or_default().push(id);
    }
    let mut out = Vec::with_capacity(body.len() + inserted.len());
    for (i, &id) in body.iter().enumerate() {
        out.extend(at.remove(&i).unwrap_or_default());
        out.push(id);
    }
    out.extend(at.into_values().flatten());
    out
}

fn realise(g: &mut Graph, step: &StepGraph, recompute: &BTreeSet<ValueId>) -> usize {
    let mut clone_of: BTreeMap<ValueId, ValueId> = BTreeMap::new();
    let mut body: Vec<OpId> = g.body[..step.boundary].to_vec();
    fn ensure(
        g: &mut Graph,
        v: ValueId,
        recompute: &BTreeSet<ValueId>,
        clone_of: &mut BTreeMap<ValueId, ValueId>,
        body: &mut Vec<OpId>,
    ) -> ValueId {
        if let Some(&c) = clone_of.get(&v) {
            return c;
        }
        let Def::Op(p, _) = g.def(v) else { return v };
        // One clone serves every result of its op.
        let op = g.op(p).clone();
        let operands: Vec<ValueId> = op
            .operands
            .iter()
            .map(|&o| if recompute.contains(&o) { ensure(g, o, recompute, clone_of, body) } else { o })
            .collect();
        let mut attrs = op.attrs.clone();
        attrs.insert(RECOMPUTE.into(), Attr::Bool(true));
        // It runs in the backward, and is counted there.
        attrs.insert(crate::partition::autodiff::BACKWARD.into(), Attr::Bool(true));
        let types = op.results.iter().map(|r| g.ty(*r).clone()).collect();
        let id = g.create_op(op.kind, operands, types, attrs, op.loc.clone());
        body.push(id);
        for (&r, &c) in op.results.iter().zip(&g.op(id).results.clone()) {
            clone_of.insert(r, c);
        }
        clone_of.get(&v).copied().unwrap_or(v)
    }
    for id in g.body.clone().into_iter().skip(step.boundary) {
        let operands = g.op(id).operands.clone();
        for (k, o) in operands.into_iter().enumerate() {
            if recompute.contains(&o) {
                let c = ensure(g, o, recompute, &mut clone_of, &mut body);
                g.op_mut(id).operands[k] = c;
            }
        }
        body.push(id);
    }
    g.body = body;
    clone_of.len()
}

/// The program with `recompute` realised, dead forward ops removed.
fn apply(g: &Graph, step: &StepGraph, recompute: &BTreeSet<ValueId>) -> Result<Graph, PassError> {
    let mut out = g.clone();
    if !recompute.is_empty() {
        realise(&mut out, step, recompute);
        crate::import::Dce.run(&mut out)?;
    }
    Ok(out)
}

/// The arena `seq-overlap-collectives` and `seq-plan-memory` give `g`, run on a copy.
/// Weights + the arena `seq-plan-memory` gives `g`.
fn planned_total(g: &Graph) -> Result<u64, PassError> {
    Ok(estimate(g).params + planned_arena(g)?)
}

fn planned_arena(g: &Graph) -> Result<u64, PassError> {
    let mut h = g.clone();
    crate::schedule::OverlapCollectives.run(&mut h)?;
    crate::schedule::PlanMemory.run(&mut h)?;
    Ok(h.module_attrs.get(ARENA_BYTES).and_then(Attr::as_int).unwrap_or(0) as u64)
}


/// One evaluated plan.
struct Trial {
    recompute: BTreeSet<ValueId>,
    program: Graph,
    memory: MemoryEstimate,
}

/// Plans evaluated so far, by the set of values they recompute.
struct Planner<'a> {
    g: &'a Graph,
    step: &'a StepGraph,
    cands: &'a Candidates,
    budget: u64,
    trials: BTreeMap<BTreeSet<ValueId>, Trial>,
    /// Weights + the arena `seq-plan-memory` gives each tried plan, once planned.
    planned: BTreeMap<BTreeSet<ValueId>, u64>,
}

impl Planner<'_> {
    /// The cut at rate `lambda`, and whether its predicted peak fits the budget.
    fn evaluate(&mut self, lambda: f64) -> Result<(BTreeSet<ValueId>, bool), PassError> {
        let set = self.cands.cut(self.g, lambda);
        if !self.trials.contains_key(&set) {
            let program = apply(self.g, self.step, &set)?;
            let memory = estimate(&program);
            self.trials.insert(set.clone(), Trial { recompute: set.clone(), program, memory });
        }
        let fits = self.trials[&set].memory.total() <= self.budget;
        Ok((set, fits))
    }

    /// Weights + the arena the memory plan gives a tried plan (planned once).
    fn planned(&mut self, set: &BTreeSet<ValueId>) -> Result<u64, PassError> {
        if let Some(&bytes) = self.planned.get(set) {
            return Ok(bytes);
        }
        let t = &self.trials[set];
        let bytes = t.memory.params + planned_arena(&t.program)?;
        self.planned.insert(set.clone(), bytes);
        Ok(bytes)
    }

    /// What a tried plan needs to be accepted: its estimate and its memory plan both within.
    fn needs(&mut self, set: &BTreeSet<ValueId>) -> Result<u64, PassError> {
        Ok(self.planned(set)?.max(self.trials[set].memory.total()))
    }
}

impl Pass for Recompute {
    fn name(&self) -> &'static str {
        "seq-recompute"
    }

    fn summary(&self) -> &'static str {
        "Recompute cheap forward activations in the backward (min-cut) to bring a training step under --memory-budget"
    }

    fn run(&self, g: &mut Graph) -> Result<(), PassError> {
        let budget = self.target.memory_budget;
        let before = planned_total(g)?;
        if self.offload && before > budget {
            let step = StepGraph::new(g)?;
            // The third choice first: a copy the host link hides costs no time, recomputation does.
            if let (h, items, Some(after)) = offload_hidden(g, &step, &self.target, budget)? {
                *g = self.offloaded(h, items, [before, after, budget]);
                return Ok(());
            }
            // Else recompute down to a looser budget and offload what that plan keeps for the
            // backward (its checkpoints, as activation-checkpointing offloaders do): the loosest
            // whose keeps the host takes, so that the least is recomputed.
            let host = self.target.host_budget();
            for share in [1.0, 0.75, 0.5, 0.375, 0.25, 0.125, 0.0625] {
                // Looser by a share of what is over the budget (at most the host's room): a
                // ladder on the host's size alone skips small shortfalls.
                let looser = budget.saturating_add((host.min(before - budget) as f64 * share) as u64);
                let mut r = g.clone();
                if self.recompute_under(&mut r, looser).is_err() {
                    continue;
                }
                let step = StepGraph::new(&r)?;
                if let (h, items, Some(after)) = offload_hidden(&r, &step, &self.target, budget)? {
                    *g = self.offloaded(h, items, [before, after, budget]);
                    return Ok(());
                }
            }
        }
        self.recompute_under(g, budget)
    }
}

impl Recompute {
    /// `h` with its offloads (`items`) recorded, and the memory before, after and the budget.
    fn offloaded(&self, mut h: Graph, items: Vec<String>, memory: [u64; 3]) -> Graph {
        let a = &mut h.module_attrs;
        a.insert(OFFLOADED.into(), Attr::Str(items.join(",")));
        a.insert(OFFLOAD_HOST_BUDGET.into(), Attr::Int(self.target.host_budget() as i64));
        a.insert(RECOMPUTE_MEMORY.into(), Attr::Ints { values: memory.iter().map(|&b| b as i64).collect(), width: 64 });
        h
    }

    /// The min-cut search under the budget (nothing when the step fits): first without
    /// recomputing attention (the cheap candidates), then, where nothing fits, with it.
    fn recompute_under(&self, g: &mut Graph, budget: u64) -> Result<(), PassError> {
        let step = StepGraph::new(g)?;
        // Decisions that the compile's fit check will repeat use the real memory plan; the
        // search between them uses the estimate (the same first fit, without running passes).
        let base = estimate(g);
        let base_total = base.params + planned_arena(g)?;
        if base_total <= budget {
            return Ok(());
        }
        let all = Candidates::new(g, &step, &self.target);
        let cheap = all.without_attention(g);
        let mut best = base_total;
        for cands in [&cheap, &all] {
            match search(g, &step, cands, budget)? {
                Ok((t, after)) => {
                    *g = record(g, cands, t, [base_total, after, budget]);
                    return Ok(());
                }
                Err(smallest) => best = best.min(smallest),
            }
        }
        Err(PassError::OverBudget { pass: PASS, peak: base_total, params: base.params, budget, smallest: best })
    }
}

/// The least recomputation among `cands` whose plan fits `budget`: the plan and its planned
/// total (weights + arena), or the smallest total of the plans tried.
fn search(g: &Graph, step: &StepGraph, cands: &Candidates, budget: u64) -> Result<Result<(Trial, u64), u64>, PassError> {
    let mut p = Planner { g, step, cands, budget, trials: BTreeMap::new(), planned: BTreeMap::new() };
    // λ = 0: the fewest saved bytes (recomputation only breaks ties). They need not give the
    // smallest arena (first fit; a recomputed attention's output lives through its backward):
    // where it does not fit, a larger λ still may, and the least any plan tried needs is the
    // budget to name.
    let (most, _) = p.evaluate(0.0)?;
    let mut best = p.needs(&most)?;
    let mut chosen = (best <= budget).then(|| most.clone());
    // The largest λ that still fits: the least recomputation under the budget. Fitting is not
    // monotone in λ (first fit), so scan down from `hi`, where recomputing anything costs more
    // than every saved byte together, by halves, then refine the first fit found.
    let total_bytes: u64 = cands.values.iter().map(|&v| aligned(g, v)).sum();
    let fastest = cands.seconds.values().flatten().copied().filter(|s| *s > 0.0).fold(f64::INFINITY, f64::min);
    let hi = 4.0 * (total_bytes as f64 + 1.0) / fastest.min(1.0);
    let (mut lambda, mut above) = (hi, hi * 2.0);
    while lambda > 1e-6 {
        let (set, ok) = p.evaluate(lambda)?;
        if chosen.is_none() && p.trials[&set].memory.total() < best {
            best = best.min(p.needs(&set)?);
        }
        // The estimate models the schedule; the plan has the last word.
        if ok && p.planned(&set)? <= budget {
            chosen = Some(set);
            for _ in 0..12 {
                let mid = (lambda * above).sqrt();
                let (set, ok) = p.evaluate(mid)?;
                if ok && p.planned(&set)? <= budget {
                    (lambda, chosen) = (mid, Some(set));
                } else {
                    above = mid;
                }
            }
            break;
        }
        (above, lambda) = (lambda, lambda / 2.0);
    }
    let Some(chosen) = chosen else { return Ok(Err(best)) };
    let after = p.planned(&chosen)?;
    let t = p.trials.remove(&chosen).ok_or_else(|| fail("internal: the chosen plan was not evaluated"))?;
    Ok(Ok((t, after)))
}

/// The realised program, with what was decided in its module attributes.
/// `memory`: weights + arena per device without and with recomputation, and the budget.
fn record(g: &Graph, cands: &Candidates, t: Trial, memory: [u64; 3]) -> Graph {
    let layer_of = |v: &ValueId| match g.def(*v) {
        Def::Op(id, _) => cands.layer.get(&id).copied().flatten(),
        Def::Arg(_) => None,
    };
    let name = |l: Option<i64>| l.map_or("-".to_string(), |l| l.to_string());
    // Saved: forward values that the backward, clones included, reads from the forward.
    let forward: BTreeSet<ValueId> = cands.values.iter().copied().collect();
    let mut saved: BTreeMap<Option<i64>, u64> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let program = &t.program;
    let first = program.body.iter().position(|&id| {
        let op = program.op(id);
        op.kind.class() == OpClass::Gradient || op.bool(RECOMPUTE) == Some(true)
    });
    for &id in &program.body[first.unwrap_or(program.body.len())..] {
        for o in &program.op(id).operands {
            if forward.contains(o) && seen.insert(*o) {
                *saved.entry(layer_of(o)).or_default() += aligned(g, *o);
            }
        }
    }
    let recomputed: Vec<String> = cands
        .values
        .iter()
        .filter(|v| t.recompute.contains(v))
        .map(|v| {
            let kind = g.producer(*v).map_or(String::new(), |op| op.kind.short_name().to_string());
            format!("{}:{kind}:{}", name(layer_of(v)), aligned(g, *v))
        })
        .collect();
    let seconds: f64 = t.recompute.iter().filter_map(|v| cands.seconds[v]).sum();
    let mut out = t.program;
    let a = &mut out.module_attrs;
    a.insert(RECOMPUTED.into(), Attr::Str(recomputed.join(",")));
    a.insert(
        SAVED.into(),
        Attr::Str(saved.iter().map(|(l, b)| format!("{}:{b}", name(*l))).collect::<Vec<_>>().join(",")),
    );
    a.insert(SAVED_BYTES.into(), Attr::Int(saved.values().sum::<u64>() as i64));
    a.insert(RECOMPUTED_BYTES.into(), Attr::Int(t.recompute.iter().map(|v| aligned(g, *v)).sum::<u64>() as i64));
    a.insert(RECOMPUTE_SECONDS.into(), Attr::Float(seconds));
    a.insert(RECOMPUTE_MEMORY.into(), Attr::Ints { values: memory.iter().map(|&b| b as i64).collect(), width: 64 });
    out
}

/// The report's account of the plan, from the module attributes this pass leaves (None: nothing
/// was recomputed). Call it on the compiled program.
pub fn report(g: &Graph) -> Option<RecomputeReport> {
    let a = &g.module_attrs;
    let offloaded: Vec<&str> =
        a.get(OFFLOADED).and_then(Attr::as_str).unwrap_or("").split(',').filter(|s| !s.is_empty()).collect();
    let recomputed = match a.get(RECOMPUTED).and_then(Attr::as_str) {
        Some(r) => r,
        None if !offloaded.is_empty() => "",
        None => return None,
    };
    let int = |k: &str| a.get(k).and_then(Attr::as_int).unwrap_or(0);
    let gib = |b: i64| b as f64 / (1u64 << 30) as f64;
    let memory = match a.get(RECOMPUTE_MEMORY) {
        Some(Attr::Ints { values, .. }) if values.len() == 3 => [values[0], values[1], values[2]],
        _ => [0; 3],
    };
    let parse_layer = |s: &str| s.parse::<i64>().ok();
    let mut layers: BTreeMap<Option<i64>, RecomputeLayer> = BTreeMap::new();
    fn row(layers: &mut BTreeMap<Option<i64>, RecomputeLayer>, l: Option<i64>) -> &mut RecomputeLayer {
        layers.entry(l).or_insert_with(|| RecomputeLayer {
            layer: l,
            saved_mb: 0.0,
            recomputed_mb: 0.0,
            recomputed: Vec::new(),
        })
    }
    for item in a.get(SAVED).and_then(Attr::as_str).unwrap_or("").split(',').filter(|s| !s.is_empty()) {
        let Some((l, b)) = item.split_once(':') else { continue };
        row(&mut layers, parse_layer(l)).saved_mb += b.parse::<f64>().unwrap_or(0.0) / 1e6;
    }
    for item in recomputed.split(',').filter(|s| !s.is_empty()) {
        let mut parts = item.splitn(3, ':');
        let (Some(l), Some(kind), Some(b)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let r = row(&mut layers, parse_layer(l));
        r.recomputed_mb += b.parse::<f64>().unwrap_or(0.0) / 1e6;
        r.recomputed.push(kind.to_string());
    }
    Some(RecomputeReport {
        budget_gib: gib(memory[2]),
        predicted_gib_before: gib(memory[0]),
        predicted_gib_after: gib(memory[1]),
        saved_mb: int(SAVED_BYTES) as f64 / 1e6,
        recomputed_mb: int(RECOMPUTED_BYTES) as f64 / 1e6,
        recompute_ms: a.get(RECOMPUTE_SECONDS).and_then(Attr::as_float).unwrap_or(0.0) * 1e3,
        recomputed_ops: recomputed.split(',').filter(|s| !s.is_empty()).count(),
        offloaded: offloaded.len(),
        offloaded_mb: offloaded.iter().filter_map(|i| i.split_once(':')?.1.parse::<f64>().ok()).sum::<f64>() / 1e6,
        host_budget_gib: gib(int(OFFLOAD_HOST_BUDGET)),
        layers: layers.into_values().collect(),
    })
}
