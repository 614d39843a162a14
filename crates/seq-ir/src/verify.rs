//! The verifier that runs after IRDL's structural checks: def-before-use, tensor sizes, MLIR's
//! operand segments, and each op against the op table (`seq_plan::rules`), which the typed
//! builders and both runtimes' plan loaders read too, so the three can never disagree.

use crate::{
    attr::Attr,
    diag::Diagnostic,
    graph::{Def, Graph, Op},
    ops::OpKind,
    types::Type,
};
use seq_plan::attrs::Attrs as AttrReader;
use seq_plan::rules::{self, OpView};
use std::collections::BTreeMap;

pub use seq_plan::rules::{Inferred, MAX_TENSOR_BYTES, ceil_div, check_size, shard_rows};

type Attrs = BTreeMap<String, Attr>;

/// MLIR's attribute telling which operands fill which optional slot (seq.attention_partial has two).
pub const SEGMENT_SIZES: &str = "operandSegmentSizes";

/// Infers the result types of `kind` applied to operands of `types` with `attrs` (the op table's
/// rule, on attributes parsed from MLIR).
pub fn infer(kind: OpKind, types: &[&Type], attrs: &Attrs) -> Result<Inferred, String> {
    rules::infer(kind, types, AttrReader::of(attrs))
}

/// MLIR needs `operandSegmentSizes` on ops with optional operand groups; plans do not.
fn check_segments(op: &Op) -> Result<(), String> {
    // Operands before the two optional segment operands.
    let fixed = match op.kind {
        OpKind::AttentionPartial => 5,
        OpKind::AttentionPartialGrad => 8,
        _ => return Ok(()),
    };
    let n = op.operands.len();
    let segs = if n == fixed + 2 { 1 } else { 0 };
    let mut values = vec![1; fixed];
    values.extend([segs, segs]);
    let want = Attr::Ints { values, width: 32 };
    if op.attrs.get(SEGMENT_SIZES) != Some(&want) {
        return Err(format!("requires {SEGMENT_SIZES} = {want} for its {n} operands"));
    }
    Ok(())
}

fn op_error(op: &Op, msg: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(op.loc.clone(), format!("'{}' op {msg}", op.kind.name()))
}

/// Verifies a whole program: every op's shapes and attributes, def-before-use, and that async
/// waits return what their collective produces. Returns every problem found, in program order.
pub fn verify(g: &Graph) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut defined = vec![false; g.values.len()];
    for (i, &a) in g.args.iter().enumerate() {
        defined[a.0 as usize] = true;
        if let Some(msg) = check_size(g.ty(a)) {
            diags.push(Diagnostic::error(g.loc.clone(), format!("argument #{i}: {msg}")));
        }
    }
    if !diags.is_empty() {
        return diags;
    }
    for (_, op) in g.body_ops() {
        if let Some(msg) = op.results.iter().find_map(|r| check_size(g.ty(*r))) {
            diags.push(op_error(op, msg));
            continue;
        }
        if let Some(bad) = op.operands.iter().find(|o| !defined[o.0 as usize]) {
            diags.push(op_error(op, format!("uses value #{} before it is defined", bad.0)));
            continue;
        }
        let token_source = match (op.kind, op.operands.first().map(|&t| g.def(t))) {
            (OpKind::AsyncWait, Some(Def::Op(id, _))) => {
                let start = g.op(id);
                (start.kind == OpKind::AsyncStart)
                    .then(|| start.operands.first().map(|&x| (g.ty(x), AttrReader::of(&start.attrs))))
                    .flatten()
            }
            _ => None,
        };
        let view = OpView {
            kind: op.kind,
            operands: op.operands.iter().map(|o| g.ty(*o)).collect(),
            results: op.results.iter().map(|r| g.ty(*r)).collect(),
            attrs: AttrReader::of(&op.attrs),
            token_source,
        };
        if let Err(msg) = rules::check(&view).and_then(|()| check_segments(op)) {
            diags.push(op_error(op, msg));
        }
        for r in &op.results {
            defined[r.0 as usize] = true;
        }
    }
    diags
}
