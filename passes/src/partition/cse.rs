//! `seq-cse`: merges ops that compute the same thing from the same operands. After lowering,
//! every layer gathers or rotates the same token indices; one collective serves them all.

use crate::{Pass, PassError};
use seq_ir::{Graph, OpKind};
use std::collections::HashMap;

pub struct Cse;

impl Pass for Cse {
    fn name(&self) -> &'static str {
        "seq-cse"
    }

    fn summary(&self) -> &'static str {
        "Merge identical ops on identical operands (the layer tag aside)"
    }

    fn run(&self, g: &mut Graph) -> Result<(), PassError> {
        let mut seen: HashMap<String, Vec<seq_ir::ValueId>> = HashMap::new();
        for id in g.body.clone() {
            let op = g.op(id);
            // Async ops carry identity (their token); params are distinct weights even if alike.
            if matches!(op.kind, OpKind::AsyncStart | OpKind::AsyncWait | OpKind::Param) {
                continue;
            }
            let attrs: Vec<String> = op.attrs.iter().filter(|(k, _)| k.as_str() != "layer").map(|(k, v)| format!("{k}={v}")).collect();
            let types: Vec<String> = op.results.iter().map(|r| g.ty(*r).to_string()).collect();
            let key = format!("{:?}|{:?}|{}|{}", op.kind, op.operands, attrs.join(","), types.join(","));
            match seen.get(&key) {
                Some(prev) => {
                    for (old, new) in op.results.clone().into_iter().zip(prev.clone()) {
                        g.replace_all_uses(old, new);
                    }
                }
                None => {
                    seen.insert(key, op.results.clone());
                }
            }
        }
        crate::import::Dce.run(g)
    }
}
