//! Predicts one rank's schedule: ops run in program order on their stream (compute = 0,
//! communication = the async start's `stream`); an async wait holds the compute stream until its
//! collective ends. The makespan is the predicted step time; the trace export draws these events.

use crate::strategy::cost_model::{CostContext, OpCost, Resource, Target};
use seq_ir::{Attr, Graph, OpKind};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub name: String,
    pub stream: u32,
    pub start: f64,
    pub seconds: f64,
    pub layer: Option<i64>,
    /// Whether the op belongs to a training step's backward (`seq-autodiff`).
    pub backward: bool,
    pub flops: f64,
    pub bytes_sent: f64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schedule {
    pub events: Vec<Event>,
    pub makespan: f64,
    /// Time the compute stream spends running kernels.
    pub compute_busy: f64,
    /// Time communication streams spend moving data.
    pub comm_busy: f64,
}

impl Schedule {
    /// Communication time not hidden behind compute.
    pub fn exposed_comm(&self) -> f64 {
        (self.makespan - self.compute_busy).max(0.0)
    }
}

/// The stream of copies between device and host memory.
pub const COPY_STREAM: u32 = 2;

/// One body op's place in the predicted schedule.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Slot {
    pub stream: u32,
    pub start: f64,
    pub end: f64,
    /// For an async wait: how long it holds the compute stream idle (exposed communication).
    pub stall: f64,
}

pub fn simulate(g: &Graph, target: &Target, ctx: &CostContext) -> Schedule {
    let mut s = Schedule::default();
    let costs = op_costs(g, target, ctx);
    for ((id, op), slot) in g.body_ops().zip(timeline_of(g, &costs, Some(&mut s))) {
        let cost = costs[id.0 as usize].1;
        s.makespan = s.makespan.max(slot.end);
        if slot.end > slot.start || cost.bytes_sent > 0.0 {
            let name = match op.kind {
                OpKind::AsyncWait => "wait".to_string(),
                OpKind::AsyncStart => op.str("collective").unwrap_or("seq.async_start").trim_start_matches("seq.").to_string(),
                k => k.short_name().to_string(),
            };
            s.events.push(Event {
                name,
                stream: slot.stream,
                start: slot.start,
                seconds: slot.end - slot.start,
                layer: op.int("layer"),
                backward: op.bool(crate::partition::autodiff::BACKWARD).unwrap_or(false),
                flops: cost.flops,
                bytes_sent: cost.bytes_sent,
            });
        }
    }
    s
}

/// Every op's price, by op id (a body op's price does not depend on where it runs).
pub fn op_costs(g: &Graph, target: &Target, ctx: &CostContext) -> Vec<(Resource, OpCost)> {
    let mut costs = vec![(Resource::Free, OpCost::default()); g.ops.len()];
    for (id, op) in g.body_ops() {
        costs[id.0 as usize] = target.op_cost(g, op, ctx);
    }
    costs
}

/// Every body op's slot, in body order (what `simulate` draws), from `op_costs`.
pub fn timeline(g: &Graph, costs: &[(Resource, OpCost)]) -> Vec<Slot> {
    timeline_of(g, costs, None)
}

fn timeline_of(g: &Graph, costs: &[(Resource, OpCost)], mut busy: Option<&mut Schedule>) -> Vec<Slot> {
    let mut ready = vec![0.0f64; g.values.len()];
    let mut stream_free: BTreeMap<u32, f64> = BTreeMap::new();
    let mut slots = Vec::with_capacity(g.body.len());
    for (id, op) in g.body_ops() {
        let inputs = op.operands.iter().map(|v| ready[v.0 as usize]).fold(0.0, f64::max);
        let (resource, cost) = costs[id.0 as usize];
        let compute_free = *stream_free.get(&0).unwrap_or(&0.0);
        let mut stall = 0.0;
        let (stream, start, end) = match (resource, op.kind) {
            (Resource::Free, OpKind::AsyncWait) => {
                // The compute stream stalls until the transfer lands: exposed communication.
                let t = inputs.max(compute_free);
                stream_free.insert(0, t);
                stall = t - compute_free;
                (0, compute_free.min(t), t)
            }
            (Resource::Free, _) => (0, inputs, inputs),
            (Resource::Communication, OpKind::AsyncStart) => {
                let stream = op.int("stream").unwrap_or(1) as u32;
                let start = inputs.max(*stream_free.get(&stream).unwrap_or(&0.0));
                stream_free.insert(stream, start + cost.seconds);
                if let Some(s) = busy.as_deref_mut() {
                    s.comm_busy += cost.seconds;
                }
                (stream, start, start + cost.seconds)
            }
            (Resource::Communication, _) => {
                // A blocking collective holds both the compute and the communication stream.
                let start = inputs.max(compute_free).max(*stream_free.get(&1).unwrap_or(&0.0));
                stream_free.insert(0, start + cost.seconds);
                stream_free.insert(1, start + cost.seconds);
                if let Some(s) = busy.as_deref_mut() {
                    s.comm_busy += cost.seconds;
                }
                (1, start, start + cost.seconds)
            }
            (Resource::Copy, _) => {
                // The copy stream: its consumers wait for it through their inputs, the compute
                // stream does not.
                // Issued by the host in program order: not before the compute stream gets here.
                let start = inputs.max(*stream_free.get(&COPY_STREAM).unwrap_or(&0.0)).max(compute_free);
                stream_free.insert(COPY_STREAM, start + cost.seconds);
                (COPY_STREAM, start, start + cost.seconds)
            }
            (Resource::Compute, _) => {
                let start = inputs.max(compute_free);
                stream_free.insert(0, start + cost.seconds);
                if let Some(s) = busy.as_deref_mut() {
                    s.compute_busy += cost.seconds;
                }
                (0, start, start + cost.seconds)
            }
        };
        for r in &op.results {
            ready[r.0 as usize] = end;
        }
        slots.push(Slot { stream, start, end, stall });
    }
    slots
}

/// The cost context of a compiled program: its mesh's Ulysses axis, and whether its attention
/// layers are shared by all devices (`seq_len`: the global sequence length).
pub fn context_of(g: &Graph, target: &Target, seq_len: i64) -> CostContext {
    let ulysses = g
        .module_attrs
        .get("seq.mesh")
        .and_then(Attr::as_str)
        .and_then(|m| crate::export::plan::parse_mesh(m).into_iter().find(|a| a.name == "ulysses"))
        .map_or(1, |a| a.size);
    // A split program's attention layers are shared by all devices (a layer left in replicate
    // form is priced whole by the cost model itself).
    let split = g.module_attrs.get("seq.split").and_then(Attr::as_bool).unwrap_or(false);
    let share = if split { target.devices } else { 1 };
    CostContext { seq_len, ulysses, attention_share: share }
}

/// The global sequence length of a program after partitioning: what its `shard` steps cut (or
/// its whole attention's rows, `shard_sequence::sequence_length`), else 1.
pub fn sequence_of(g: &Graph) -> i64 {
    let sharded = g.ops_of(OpKind::Shard).filter_map(|(_, op)| op.int("global_size")).max();
    let whole = || crate::partition::shard_sequence::sequence_length(g).ok().flatten();
    sharded.or_else(whole).unwrap_or(1)
}
