//! `seq-overlap-collectives`: turns each collective into `seq.async_start` on the communication
//! stream, placed right after its input is produced, and `seq.async_wait`, placed right before
//! its result is first used. Compute between the two overlaps the transfer; for a ring this
//! double-buffers: step t+1's K/V transfer starts before step t's attention.
//!
//! ```mlir
//! %kv1 = "seq.collective_permute"(%kv0) {...} : (tensor<..>) -> tensor<..>
//! // becomes
//! %t = "seq.async_start"(%kv0) {collective = "seq.collective_permute", stream = 1 : i64, ...} : (tensor<..>) -> !seq.token
//! ...                                   // compute that does not need %kv1
//! %kv1 = "seq.async_wait"(%t) : (!seq.token) -> tensor<..>
//! ```

use crate::{Pass, PassError};
use seq_ir::{Attr, Def, Graph, OpId, OpKind, Type};

pub struct OverlapCollectives;

/// Every collective goes to one communication stream: NCCL needs the same order of collectives on
/// every rank per communicator, which one stream in program order gives.
pub const COMM_STREAM: i64 = 1;

impl Pass for OverlapCollectives {
    fn name(&self) -> &'static str {
        "seq-overlap-collectives"
    }

    fn summary(&self) -> &'static str {
        "Start collectives as early and wait as late as dataflow allows, on a communication stream"
    }

    fn run(&self, g: &mut Graph) -> Result<(), PassError> {
        // Sort keys: original op i sits at 2i + 2; a start right after its input's producer
        // (key + 1, or 1 for arguments); a wait right before its first user (2u + 1).
        // Sort key of every op placed so far (waits included: a collective may consume a wait).
        let mut key_of: std::collections::HashMap<OpId, usize> =
            g.body.iter().enumerate().map(|(i, id)| (*id, 2 * i + 2)).collect();
        let mut keyed: Vec<(usize, usize, OpId)> = Vec::new();
        let body = g.body.clone();
        let end_key = 2 * body.len() + 2;
        for (i, id) in body.iter().copied().enumerate() {
            let op = g.op(id).clone();
            if !op.kind.is_collective() {
                keyed.push((2 * i + 2, keyed.len(), id));
                continue;
            }
            let input = op.operands[0];
            let start_key = match g.def(input) {
                // Ties keep insertion order, so a start keyed like its input's wait follows it.
                Def::Op(d, _) => key_of.get(&d).map_or(1, |k| if k % 2 == 0 { k + 1 } else { *k }),
                Def::Arg(_) => 1,
            };
            // A collective recomputed for the backward starts where the backward put it, not
            // when its (forward) input was made: earlier it would hold its result through the
            // forward, which is what recomputing it was to avoid.
            let start_key = if op.bool(crate::partition::recompute::RECOMPUTE) == Some(true) { start_key.max(2 * i + 1) } else { start_key };
            let result = op.results[0];
            let first_use = body[i + 1..].iter().position(|u| g.op(*u).operands.contains(&result)).map(|p| 2 * (i + 1 + p) + 1);
            let wait_key = first_use.unwrap_or(end_key);
            let mut attrs = op.attrs.clone();
            attrs.insert("collective".into(), Attr::Str(op.kind.name()));
            attrs.insert("stream".into(), Attr::Int(COMM_STREAM));
            let start = g.create_op(OpKind::AsyncStart, vec![input], vec![Type::Token], attrs, op.loc.clone());
            let token = g.op(start).results[0];
            let mut wait_attrs = std::collections::BTreeMap::new();
            for key in ["layer", crate::partition::autodiff::BACKWARD] {
                if let Some(v) = op.attrs.get(key) {
                    wait_attrs.insert(key.into(), v.clone());
                }
            }
            let wait = g.create_op(OpKind::AsyncWait, vec![token], vec![g.ty(result).clone()], wait_attrs, op.loc.clone());
            let new_result = g.op(wait).results[0];
            g.replace_all_uses(result, new_result);
            key_of.insert(wait, wait_key);
            keyed.push((start_key, keyed.len(), start));
            keyed.push((wait_key, keyed.len(), wait));
        }
        keyed.sort();
        g.body = keyed.into_iter().map(|(_, _, id)| id).collect();
        Ok(())
    }
}
