//! `seq-dce`: removes ops whose results are never used (unused weights included), so cost,
//! memory and communication are planned only for work that reaches the outputs.

use crate::{Pass, PassError};
use seq_ir::Graph;

pub struct Dce;

impl Pass for Dce {
    fn name(&self) -> &'static str {
        "seq-dce"
    }

    fn summary(&self) -> &'static str {
        "Remove ops whose results reach no function result"
    }

    fn run(&self, g: &mut Graph) -> Result<(), PassError> {
        let mut uses = g.use_counts();
        let mut keep = vec![true; g.body.len()];
        // One backward sweep suffices: an op's users all come after it in program order.
        for (i, &id) in g.body.iter().enumerate().rev() {
            let op = g.op(id);
            if op.results.iter().all(|r| uses[r.0 as usize] == 0) {
                keep[i] = false;
                for o in &op.operands {
                    uses[o.0 as usize] -= 1;
                }
            }
        }
        let mut it = keep.into_iter();
        g.body.retain(|_| it.next().unwrap_or(true));
        Ok(())
    }
}
