//! `seq-fill-stalls`: moves work off the critical path into the compute stream's waits for
//! collectives. After `seq-overlap-collectives` a wait still stalls the compute stream where
//! nothing independent of the transfer sits between its start and its wait: a Ulysses layer's
//! backward waits for dO's all-to-all right after computing it, and for dq/dk/dv's right after
//! the attention backward. Work the critical path does not need — a weight gradient's GEMM and
//! the reduce-scatter it feeds — can run in that gap instead of before it:
//!
//! ```text
//! dw = linear_grad_weight(dy, x)        dx = linear_grad_input(dy, w)
//! dx = linear_grad_input(dy, w)         t = async_start(dx)   // all_to_all, sooner
//! t = async_start(dx)             =>    dw = linear_grad_weight(dy, x)   // under the transfer
//! dx' = async_wait(t)                   dx' = async_wait(t)   // stalls less, or not at all
//! ```
//!
//! For every stalling wait, in program order, ops from before its transfer's start that the wait
//! does not depend on (its ancestors in the program's petgraph DAG are the critical path into
//! it), that are less critical than the wait (a shorter chain of predicted work to the end: the
//! DAG's bottom level) and that do not already run under another transfer in flight, are taken from the
//! latest back, each with the users it has before the wait, until their predicted time covers the
//! stall; they move to just before the wait. A move is kept only when the predicted step
//! (`simulate`'s timeline) gets shorter, and the arena grows by at most `GROWTH` (within the
//! memory budget). Collectives keep one program on every rank: the order is a function of the
//! program alone.

use crate::{
    Pass, PassError,
    schedule::plan_memory::{arena_and_params, peak_live},
    simulate::{Slot, context_of, op_costs, sequence_of, timeline},
    strategy::cost_model::{OpCost, Resource, Target},
};
use petgraph::{
    graph::{DiGraph, NodeIndex},
    visit::{Bfs, Dfs, NodeFiltered, Reversed},
};
use seq_ir::{Def, Graph, OpId, OpKind};

pub struct FillStalls {
    pub target: Target,
}

/// Module attribute: [waits filled, ops moved, predicted microseconds saved] (absent: none).
pub const FILLED: &str = "seq.filled_stalls";

/// What the pass did to a program, from its `FILLED` attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Filled {
    pub waits: usize,
    pub ops_moved: usize,
    pub saved_ms: f64,
}

pub fn filled(g: &Graph) -> Option<Filled> {
    match g.module_attrs.get(FILLED) {
        Some(seq_ir::Attr::Ints { values, .. }) if values.len() == 3 => Some(Filled {
            waits: values[0] as usize,
            ops_moved: values[1] as usize,
            saved_ms: values[2] as f64 * 1e-3,
        }),
        _ => None,
    }
}

/// A stall shorter than this (seconds) is not worth reordering for.
pub const MIN_STALL: f64 = 1e-6;
/// How much the arena may grow for a shorter step (a fraction of it).
pub const GROWTH: f64 = 0.05;
/// How many ops before a wait are searched for work to defer: bounds how much longer a deferred
/// op's inputs stay live (a layer's backward is about 40 ops).
pub const LOOKBACK: usize = 96;

impl Pass for FillStalls {
    fn name(&self) -> &'static str {
        "seq-fill-stalls"
    }

    fn summary(&self) -> &'static str {
        "Move work off the critical path into the compute stream's waits for collectives"
    }

    fn run(&self, g: &mut Graph) -> Result<(), PassError> {
        if !g.body.iter().any(|&id| g.op(id).kind == OpKind::AsyncWait) {
            return Ok(());
        }
        let ctx = context_of(g, &self.target, sequence_of(g));
        let costs = op_costs(g, &self.target, &ctx);
        let dag = Dag::of(g, &costs);
        // The arena may grow by GROWTH at most, and never past the budget: `seq-recompute`
        // fitted it to the budget, and what the runtime holds beside it (optimizer state,
        // workspaces) is not in it. Each move is held to the peak of live bytes (cheap to
        // measure), the arena itself at the end.
        let (arena, params) = arena_and_params(g);
        let grown = |b: u64| b + (b as f64 * GROWTH) as u64;
        let limit = grown(arena)
            .min(self.target.memory_budget.saturating_sub(params))
            .max(arena);
        let live_limit = grown(peak_live(g));
        let mut slots = timeline(g, &costs);
        let mut makespan = makespan_of(&slots);
        let first = makespan;
        // The body after each kept move (with its step and ops moved so far), the original first.
        let mut kept = vec![(g.body.clone(), makespan, 0usize)];
        let mut moved = 0usize;
        let mut at = 0;
        while at < g.body.len() {
            let stalled =
                g.op(g.body[at]).kind == OpKind::AsyncWait && slots[at].stall >= MIN_STALL;
            if stalled && let Some((body, n)) = deferred(g, &dag, &costs, &slots, at) {
                let before = std::mem::replace(&mut g.body, body);
                let trial = timeline(g, &costs);
                let m = makespan_of(&trial);
                if m < makespan && peak_live(g) <= live_limit {
                    slots = trial;
                    makespan = m;
                    moved += n;
                    kept.push((g.body.clone(), m, moved));
                } else {
                    g.body = before;
                }
            }
            at += 1;
        }
        // First fit can grow where the live peak did not: keep the most moves whose arena fits
        // (found by bisection over the kept bodies; the original always fits).
        let (mut lo, mut hi) = (0, kept.len() - 1);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            g.body = kept[mid].0.clone();
            if arena_and_params(g).0 <= limit {
                lo = mid
            } else {
                hi = mid - 1
            }
        }
        let (body, m, moved) = kept.swap_remove(lo);
        g.body = body;
        if lo > 0 {
            let saved_us = ((first - m) * 1e6).round() as i64;
            g.module_attrs.insert(
                FILLED.into(),
                seq_ir::Attr::Ints {
                    values: vec![lo as i64, moved as i64, saved_us],
                    width: 64,
                },
            );
        }
        Ok(())
    }
}

fn makespan_of(slots: &[Slot]) -> f64 {
    slots.iter().map(|s| s.end).fold(0.0, f64::max)
}

/// The program's dataflow (`analysis::dataflow`) with each op's bottom level. It does not depend
/// on the body's order, so one serves every move.
struct Dag {
    graph: DiGraph<OpId, ()>,
    node: Vec<Option<NodeIndex>>,
    /// Each op's bottom level: the longest chain of predicted work from its start to the end of
    /// the program (its own time included), by op id.
    bottom: Vec<f64>,
}

impl Dag {
    fn of(g: &Graph, costs: &[(Resource, OpCost)]) -> Self {
        let (graph, node) = crate::analysis::dataflow(g);
        let mut bottom = vec![0.0f64; g.ops.len()];
        // A program is acyclic; were it not, no op would count as off the critical path.
        let order = petgraph::algo::toposort(&graph, None).unwrap_or_default();
        for &n in order.iter().rev() {
            let id = graph[n];
            let after = graph
                .neighbors(n)
                .map(|s| bottom[graph[s].0 as usize])
                .fold(0.0, f64::max);
            bottom[id.0 as usize] = costs[id.0 as usize].1.seconds + after;
        }
        Self {
            graph,
            node,
            bottom,
        }
    }
}

/// Ops the runtime pairs by position (the loss with its gradient) stay where they are.
fn pinned(kind: OpKind) -> bool {
    matches!(
        kind,
        OpKind::AsyncWait | OpKind::CrossEntropy | OpKind::CrossEntropyGrad
    )
}

/// The body with work the wait at `at` does not need moved from before its transfer's start to
/// right before the wait, enough to cover its stall in the predicted `slots`, and how many ops
/// moved; None when none.
fn deferred(g: &Graph, dag: &Dag, costs: &[(Resource, OpCost)], slots: &[Slot], at: usize) -> Option<(Vec<OpId>, usize)> {
    let stall = slots[at].stall;
    let wait = dag.node[g.body[at].0 as usize]?;
    let mut pos = vec![usize::MAX; g.ops.len()];
    for (i, id) in g.body.iter().enumerate() {
        pos[id.0 as usize] = i;
    }
    // The wait's ancestors: everything its transfer waits for.
    let mut needed = vec![false; g.ops.len()];
    let mut dfs = Dfs::new(Reversed(&dag.graph), wait);
    while let Some(n) = dfs.next(Reversed(&dag.graph)) {
        needed[dag.graph[n].0 as usize] = true;
    }
    // Only work that runs before the transfer starts delays it; and only work less critical
    // than the wait (a shorter chain to the end) may be put off until the transfer is on its way.
    let start = match g.def(g.op(g.body[at]).operands[0]) {
        Def::Op(s, _) => pos[s.0 as usize],
        Def::Arg(_) => return None,
    };
    let critical = dag.bottom[g.body[at].0 as usize];
    // Work that runs while another transfer the program waits for is still in flight stays
    // where it is: moving it would expose that transfer instead.
    let mut covering = vec![false; g.body.len()];
    for (w, &id) in g.body.iter().enumerate() {
        let op = g.op(id);
        if op.kind != OpKind::AsyncWait || dag.node[id.0 as usize].is_none_or(|n| dag.graph.neighbors(n).next().is_none()) {
            continue;
        }
        if let Def::Op(s, _) = g.def(op.operands[0]) {
            let s = pos[s.0 as usize];
            let lands = slots.get(s).map_or(0.0, |t| t.end);
            for p in s.saturating_add(1)..w {
                if slots[p].start >= lands {
                    break;
                }
                covering[p] = true;
            }
        }
    }
    let mut taken = vec![false; g.ops.len()];
    let mut filled = 0.0;
    for p in (start.saturating_sub(LOOKBACK)..start).rev() {
        let id = g.body[p];
        let (resource, cost) = costs[id.0 as usize];
        if taken[id.0 as usize]
            || covering[p]
            || needed[id.0 as usize]
            || resource != Resource::Compute
            || cost.seconds <= 0.0
            || pinned(g.op(id).kind)
            || dag.bottom[id.0 as usize] >= critical
        {
            continue;
        }
        // The op and its users before the wait move together (users after it stay behind).
        let Some(root) = dag.node[id.0 as usize] else {
            continue;
        };
        let mut group = Vec::new();
        let before = NodeFiltered::from_fn(&dag.graph, |n| pos[dag.graph[n].0 as usize] < at);
        let mut bfs = Bfs::new(&before, root);
        let mut movable = true;
        while let Some(n) = bfs.next(&before) {
            let u = dag.graph[n];
            movable &= !pinned(g.op(u).kind) && !taken[u.0 as usize];
            group.push(u);
        }
        if !movable {
            continue;
        }
        // Each second moved from before the transfer's start starts it a second sooner, up to
        // the stall; the work itself then runs under the transfer.
        filled += group
            .iter()
            .filter(|u| costs[u.0 as usize].0 == Resource::Compute)
            .map(|u| costs[u.0 as usize].1.seconds)
            .sum::<f64>();
        for u in group {
            taken[u.0 as usize] = true;
        }
        if filled >= stall {
            break;
        }
    }
    if filled == 0.0 {
        return None;
    }
    let (moved, kept): (Vec<OpId>, Vec<OpId>) =
        g.body[..at].iter().partition(|id| taken[id.0 as usize]);
    let n = moved.len();
    Some((
        kept.into_iter()
            .chain(moved)
            .chain(g.body[at..].iter().copied())
            .collect(),
        n,
    ))
}
