//! `seq-lower-attention`: rewrites each attention layer from the replicate form that
//! `seq-shard-sequence` emits into its chosen strategy (ulysses, ring, allgather-kv, hybrid),
//! built by `partition::lowering`. Layers chosen as `replicate` stay as they are.

use crate::{
    Pass, PassError,
    config::Strategy,
    partition::lowering::{AttnInputs, emit},
};
use seq_ir::{AttentionConfig, Attr, Builder, Graph, OpId, OpKind, ValueId};

pub struct LowerAttention;

/// Test-only: deliberately broken lowerings, so that the equivalence tests can show they catch
/// a wrong ring. The switch is thread-local and read only by `seq-lower-attention`, which runs
/// on the thread that compiles; tests running in parallel threads never see each other's switch.
/// Nothing outside tests sets it.
#[doc(hidden)]
pub mod mutation {
    use std::cell::Cell;

    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub enum Mutation {
        #[default]
        None,
        /// Every rotated K/V block is masked as if its keys sat at the query block's positions
        /// (the key-index operand of each ring step's partial is the local query index).
        RingMask,
        /// Each ring merge weighs the incoming block with the running block's log-sum-exp instead
        /// of its own (the new block's LSE term is dropped).
        DropLseTerm,
    }

    thread_local! {
        static ACTIVE: Cell<Mutation> = const { Cell::new(Mutation::None) };
    }

    /// Sets this thread's mutation; returns the previous one.
    pub fn set(m: Mutation) -> Mutation {
        ACTIVE.with(|a| a.replace(m))
    }

    pub fn active() -> Mutation {
        ACTIVE.with(Cell::get)
    }
}

/// Applies the test-only mutation (if one is set on this thread) to a layer's new ops.
fn mutate(g: &mut Graph, new_ops: &[OpId]) {
    use mutation::Mutation;
    let m = mutation::active();
    if m == Mutation::None {
        return;
    }
    for &id in new_ops {
        let op = g.op_mut(id);
        match (m, op.kind) {
            // Operands: q, k, v, query index, key index (then segments).
            (Mutation::RingMask, OpKind::AttentionPartial) if op.operands[3] != op.operands[4] => op.operands[4] = op.operands[3],
            // Operands: running output, running lse, block output, block lse.
            (Mutation::DropLseTerm, OpKind::LseMerge) => op.operands[3] = op.operands[1],
            _ => {}
        }
    }
}

/// Reads a layer's strategy from the attributes `seq-choose-strategy` sets.
pub fn strategy_of(op: &seq_ir::Op) -> Option<Strategy> {
    Some(match op.str("strategy")? {
        "replicate" => Strategy::Replicate,
        "ulysses" => Strategy::Ulysses,
        "ring" => Strategy::Ring,
        "allgather-kv" => Strategy::AllGatherKv,
        "halo" => Strategy::Halo,
        "hybrid" => Strategy::Hybrid { ulysses: op.int("ulysses")? as usize, ring: op.int("ring")? as usize },
        _ => return None,
    })
}

/// The input of the op defining `v`, if that op is of `kind`.
fn through(g: &Graph, v: ValueId, kind: OpKind) -> Option<ValueId> {
    g.producer(v).filter(|op| op.kind == kind).map(|op| op.operands[0])
}

impl Pass for LowerAttention {
    fn name(&self) -> &'static str {
        "seq-lower-attention"
    }

    fn summary(&self) -> &'static str {
        "Lower each attention layer to its chosen strategy's collectives"
    }

    fn run(&self, g: &mut Graph) -> Result<(), PassError> {
        let pre = |m: String| PassError::Precondition { pass: self.name(), message: m };
        let devices = g.module_attrs.get(crate::partition::shard_sequence::DEVICES).and_then(Attr::as_int).unwrap_or(1) as usize;
        let layers: Vec<i64> = {
            let mut l: Vec<i64> = g.ops_of(OpKind::AttentionPartial).filter_map(|(_, op)| op.int("layer")).collect();
            l.dedup();
            l
        };
        for layer in layers {
            let region: Vec<(usize, OpId)> =
                g.body.iter().copied().enumerate().filter(|(_, id)| g.op(*id).int("layer") == Some(layer)).collect();
            let Some(&(_, pid)) = region.iter().find(|(_, id)| g.op(*id).kind == OpKind::AttentionPartial) else { continue };
            let p = g.op(pid).clone();
            let strategy = strategy_of(&p).ok_or_else(|| pre(format!("layer {layer} has no strategy")))?;
            if strategy == Strategy::Replicate {
                continue;
            }
            let shape_err = || pre(format!("layer {layer} is not in the form seq-shard-sequence emits"));
            let q = through(g, p.operands[0], OpKind::AllGather).ok_or_else(shape_err)?;
            let kv = through(g, p.operands[1], OpKind::Slice).and_then(|x| through(g, x, OpKind::AllGather)).ok_or_else(shape_err)?;
            let kv_op = g.producer(kv).filter(|op| op.kind == OpKind::Concat).ok_or_else(shape_err)?;
            let (k, v) = (kv_op.operands[0], kv_op.operands[1]);
            let index = through(g, p.operands[3], OpKind::AllGather).ok_or_else(shape_err)?;
            let segments = p.operands.get(5).map(|s| through(g, *s, OpKind::AllGather).ok_or_else(shape_err)).transpose()?;
            let (_, out_id) = *region.iter().find(|(_, id)| g.op(*id).kind == OpKind::Shard).ok_or_else(shape_err)?;
            let old_out = g.op(out_id).results[0];
            let cfg = AttentionConfig::from_attrs(&p.attrs).ok_or_else(shape_err)?;
            let dtype = g.ty(old_out).tensor().map(|t| t.dtype).ok_or_else(shape_err)?;

            let first_new = g.body.len();
            let mut b = Builder::new(g);
            b.loc = p.loc.clone();
            let inputs = AttnInputs { q, k, v, index, segments, cfg, dtype };
            let groups = p.int("head_groups").map_or(1, |n| n.max(1) as usize);
            let new_out = emit(&mut b, strategy, &inputs, devices, groups).map_err(|e| pre(e.to_string()))?;
            let new_ops: Vec<OpId> = g.body.split_off(first_new);
            if matches!(strategy, Strategy::Ring | Strategy::Hybrid { .. }) {
                mutate(g, &new_ops);
            }
            for &id in &new_ops {
                let op = g.op_mut(id);
                op.attrs.insert("layer".into(), Attr::Int(layer));
                if op.kind == OpKind::AttentionPartial {
                    for key in ["strategy", "ulysses", "ring", "fallback", "head_groups"] {
                        if let Some(v) = p.attrs.get(key) {
                            op.attrs.insert(key.into(), v.clone());
                        }
                    }
                }
            }
            let at = region[0].0;
            let old: std::collections::BTreeSet<OpId> = region.iter().map(|(_, id)| *id).collect();
            g.replace_all_uses(old_out, new_out);
            let mut body: Vec<OpId> = g.body[..at].to_vec();
            body.extend(new_ops);
            body.extend(g.body[at..].iter().copied().filter(|id| !old.contains(id)));
            g.body = body;
        }
        Ok(())
    }
}
