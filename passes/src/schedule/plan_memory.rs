//! `seq-plan-memory`: places every activation of a rank in one arena, reusing space once a value
//! is dead (first fit over live intervals in program order). A collective's input stays live until
//! its wait (the transfer reads it asynchronously) and its output buffer is live from its start.
//! Each op gets `offsets` (one per tensor result); the module gets `seq.arena_bytes`,
//! `seq.param_bytes` and `seq.arg_offsets` (the arguments' places: they share the arena, and the
//! runtime puts them there rather than beside it).

use crate::{Pass, PassError};
use seq_ir::{Attr, Def, Graph, OpKind, ValueId};

pub struct PlanMemory;

pub const ALIGN: u64 = 256;
pub const ARENA_BYTES: &str = "seq.arena_bytes";
pub const PARAM_BYTES: &str = "seq.param_bytes";
pub const ARG_OFFSETS: &str = "seq.arg_offsets";

/// Live range of a value in body positions, inclusive.
#[derive(Clone, Copy, Debug)]
pub struct Interval {
    pub value: ValueId,
    pub start: usize,
    pub end: usize,
    pub bytes: u64,
}

/// Where each value is defined and last used, in body positions: arguments from 0, results of
/// the function until the end (`usize::MAX` start: never defined in the body).
pub(crate) fn def_use(g: &Graph) -> (Vec<usize>, Vec<usize>) {
    let n = g.values.len();
    let mut start = vec![usize::MAX; n];
    let mut end = vec![0usize; n];
    for a in &g.args {
        start[a.0 as usize] = 0;
    }
    for (i, (_, op)) in g.body_ops().enumerate() {
        for r in &op.results {
            start[r.0 as usize] = start[r.0 as usize].min(i);
        }
        for o in &op.operands {
            end[o.0 as usize] = end[o.0 as usize].max(i);
        }
    }
    for r in &g.results {
        end[r.0 as usize] = g.body.len();
    }
    (start, end)
}

/// The arena's intervals from def and last-use positions: tensors on the device only, aligned,
/// in order of start.
pub(crate) fn to_intervals(g: &Graph, start: &[usize], end: &[usize]) -> Vec<Interval> {
    let mut out = Vec::new();
    for (v, info) in g.values.iter().enumerate() {
        let Some(t) = info.ty.tensor() else { continue };
        if off_device(g, ValueId(v as u32), info) || start[v] == usize::MAX {
            continue;
        }
        out.push(Interval { value: ValueId(v as u32), start: start[v], end: end[v].max(start[v]), bytes: t.size_bytes().div_ceil(ALIGN) * ALIGN });
    }
    out.sort_by_key(|i| (i.start, i.value));
    out
}

fn intervals(g: &Graph) -> Vec<Interval> {
    let (mut start, mut end) = def_use(g);
    let mut pos = vec![usize::MAX; g.ops.len()];
    for (i, id) in g.body.iter().enumerate() {
        pos[id.0 as usize] = pos[id.0 as usize].min(i);
    }
    for (i, (_, op)) in g.body_ops().enumerate() {
        if op.kind == OpKind::AsyncWait
            && let Def::Op(s, _) = g.def(op.operands[0])
        {
            let start_pos = if pos[s.0 as usize] == usize::MAX { i } else { pos[s.0 as usize] };
            // The collective writes the result while in flight, and reads its input until the wait.
            start[op.results[0].0 as usize] = start_pos;
            end[g.op(s).operands[0].0 as usize] = end[g.op(s).operands[0].0 as usize].max(i);
        }
    }
    to_intervals(g, &start, &end)
}

/// The arena `PlanMemory` would give `g` in its current order, and the bytes of its weights.
pub(crate) fn arena_and_params(g: &Graph) -> (u64, u64) {
    let params = g
        .ops_of(OpKind::Param)
        .flat_map(|(_, op)| op.results.iter().filter_map(|r| g.ty(*r).tensor()).map(|t| t.size_bytes()))
        .sum();
    (place(&intervals(g), g.values.len()).1, params)
}

/// The most bytes live at once in `g`'s current order: the arena's lower bound, and a quick
/// measure of what a reorder does to it.
pub(crate) fn peak_live(g: &Graph) -> u64 {
    let mut change: Vec<(usize, i64)> = Vec::new();
    for iv in intervals(g) {
        change.push((2 * iv.start, iv.bytes as i64));
        change.push((2 * iv.end + 1, -(iv.bytes as i64)));
    }
    change.sort_unstable();
    let (mut live, mut peak) = (0i64, 0i64);
    for (_, d) in change {
        live += d;
        peak = peak.max(live);
    }
    peak as u64
}

/// First-fit placement; returns offsets per value and the arena size.
/// Values that take no arena space: weights, offloaded activations (in host memory), and results
/// assembled by `unshard` on the host.
pub(crate) fn off_device(g: &Graph, v: ValueId, info: &seq_ir::graph::ValueInfo) -> bool {
    match info.def {
        Def::Op(id, _) => match g.op(id).kind {
            OpKind::Param | OpKind::Offload => true,
            OpKind::Unshard => g.results.contains(&v),
            _ => false,
        },
        Def::Arg(_) => false,
    }
}

pub(crate) fn place(intervals: &[Interval], values: usize) -> (Vec<Option<u64>>, u64) {
    let mut offsets = vec![None; values];
    let mut live: Vec<(u64, u64, usize)> = Vec::new(); // (offset, bytes, end)
    let mut arena = 0u64;
    for iv in intervals {
        live.retain(|&(_, _, end)| end >= iv.start);
        live.sort_unstable();
        let mut at = 0u64;
        for &(off, bytes, _) in &live {
            if off >= at + iv.bytes {
                break;
            }
            at = at.max(off + bytes);
        }
        live.push((at, iv.bytes, iv.end));
        offsets[iv.value.0 as usize] = Some(at);
        arena = arena.max(at + iv.bytes);
    }
    (offsets, arena)
}

impl Pass for PlanMemory {
    fn name(&self) -> &'static str {
        "seq-plan-memory"
    }

    fn summary(&self) -> &'static str {
        "Assign every activation an offset in a per-rank arena, reusing dead space"
    }

    fn run(&self, g: &mut Graph) -> Result<(), PassError> {
        let ivs = intervals(g);
        let (offsets, arena) = place(&ivs, g.values.len());
        let mut params = 0u64;
        for id in g.body.clone() {
            let op = g.op(id);
            if op.kind == OpKind::Param {
                params += op.results.iter().filter_map(|r| g.ty(*r).tensor()).map(|t| t.size_bytes()).sum::<u64>();
                continue;
            }
            let offs: Vec<i64> = op.results.iter().filter_map(|r| offsets[r.0 as usize]).map(|o| o as i64).collect();
            if !offs.is_empty() {
                g.op_mut(id).attrs.insert("offsets".into(), Attr::Ints { values: offs, width: 64 });
            }
        }
        // −1: an argument with no place (a token, or unused).
        let args: Vec<i64> = g.args.iter().map(|a| offsets[a.0 as usize].map_or(-1, |o| o as i64)).collect();
        if !args.is_empty() {
            g.module_attrs.insert(ARG_OFFSETS.into(), Attr::Ints { values: args, width: 64 });
        }
        g.module_attrs.insert(ARENA_BYTES.into(), Attr::Int(arena as i64));
        g.module_attrs.insert(PARAM_BYTES.into(), Attr::Int(params as i64));
        Ok(())
    }
}
