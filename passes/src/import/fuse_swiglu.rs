//! `seq-fuse-swiglu`: `mul(silu(gate), up)` → `swiglu(gate, up)`. Exporters emit the MLP's
//! activation as two ops; one fused op is one kernel and one activation buffer fewer.
//!
//! ```mlir
//! %a = "seq.silu"(%g) : (tensor<8x32xf32>) -> tensor<8x32xf32>
//! %m = "seq.mul"(%a, %u) : (tensor<8x32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
//! // becomes
//! %m = "seq.swiglu"(%g, %u) : (tensor<8x32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
//! ```

use crate::{Pass, PassError};
use seq_ir::{Def, Graph, OpKind, ValueId};

pub struct FuseSwiglu;

impl Pass for FuseSwiglu {
    fn name(&self) -> &'static str {
        "seq-fuse-swiglu"
    }

    fn summary(&self) -> &'static str {
        "Fuse mul(silu(gate), up) into swiglu(gate, up)"
    }

    fn run(&self, g: &mut Graph) -> Result<(), PassError> {
        let uses = g.use_counts();
        // The silu's own input, when `v` is a silu result used only here.
        let silu_input = |g: &Graph, v: ValueId| match g.def(v) {
            Def::Op(id, _) if g.op(id).kind == OpKind::Silu && uses[v.0 as usize] == 1 => Some(g.op(id).operands[0]),
            _ => None,
        };
        let body = g.body.clone();
        for id in body {
            let op = g.op(id);
            if op.kind != OpKind::Mul {
                continue;
            }
            let (a, b) = (op.operands[0], op.operands[1]);
            // mul is commutative: the silu may stand on either side.
            let fused = match (silu_input(g, a), silu_input(g, b)) {
                (Some(gate), _) => Some((gate, b)),
                (None, Some(gate)) => Some((gate, a)),
                _ => None,
            };
            if let Some((gate, up)) = fused {
                let op = g.op_mut(id);
                op.kind = OpKind::Swiglu;
                op.operands = vec![gate, up];
            }
        }
        // The silu ops are now dead.
        crate::import::Dce.run(g)
    }
}
