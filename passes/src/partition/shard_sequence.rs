//! `seq-shard-sequence`: splits the token dimension over the devices. Sequence-shaped arguments
//! (token ids, positions, segment ids, hidden states) become each rank's rows through `seq.shard`;
//! token-wise ops then run on local rows unchanged; each attention layer becomes the
//! `replicate` form (gather q/k/v and token indices, attend, keep the local rows), which is
//! correct for any layout and which `seq-lower-attention` rewrites into the chosen strategy.
//! Results are assembled by `seq.unshard`. Causal programs use the zigzag layout so that every
//! rank does the same causal work.
//!
//! With `sharded_io` (`seqc compile --sharded-io`) the function boundary is per rank instead:
//! sequence-shaped arguments arrive as the rank's rows and sequence-shaped results leave as them,
//! with no `shard` or `unshard`. The module records which (`seq.sharded_args`,
//! `seq.sharded_results`, positions) and the global length (`seq.global_tokens`); the layout is
//! `seq.layout`.
//!
//! Token-wise segments listed in `seq.whole_segments`, and layers whose strategy is `whole`, run on
//! every row instead (as in the unsplit program, a layer as a plain `seq.attention`); a value is
//! moved between the two layouts with `seq.unshard` or `seq.shard` where an op in the other
//! layout first reads it, once.
//!
//! Needs the module attributes set by `seq-choose-strategy`; a program it marks unsplit
//! (`seq.split = false`) is left as it is.

use crate::{
    Pass, PassError,
    config::Strategy,
    partition::lowering::{ALL, AttnInputs, emit},
    strategy::choose_strategy::{WHOLE, WHOLE_SEGMENTS},
};
use seq_ir::{
    AttentionConfig, Attr, Builder, Graph, OpKind, Type, ValueId,
    builder::attrs,
    verify::{Inferred, infer, shard_rows},
};

pub struct ShardSequence {
    pub sharded_io: bool,
}

pub const DEVICES: &str = "seq.devices";
pub const SPLIT: &str = "seq.split";
pub const SHARDED_ARGS: &str = "seq.sharded_args";
pub const SHARDED_RESULTS: &str = "seq.sharded_results";
pub const GLOBAL_TOKENS: &str = "seq.global_tokens";

/// The program's sequence length: every attention layer must attend over the same tokens.
pub fn sequence_length(g: &Graph) -> Result<Option<i64>, String> {
    let mut len = None;
    for (_, op) in g.ops_of(OpKind::Attention) {
        let rows = g.ty(op.operands[0]).tensor().map_or(0, |t| t.shape[0]);
        match len {
            None => len = Some(rows),
            Some(l) if l != rows => {
                return Err(format!(
                    "attention layers attend over {l} and {rows} tokens: one sequence length per program"
                ));
            }
            _ => {}
        }
    }
    Ok(len)
}

fn shard_attrs(layout: &str, n: usize, global: i64) -> std::collections::BTreeMap<String, Attr> {
    attrs([
        ("layout", Attr::Str(layout.into())),
        ("num_shards", Attr::Int(n as i64)),
        ("global_size", Attr::Int(global)),
        ("axis", Attr::Str(ALL.into())),
    ])
}

/// Whether an argument holds one row per token (and so is split with the sequence).
pub fn per_token(ty: &Type, seq: i64) -> bool {
    ty.tensor().is_some_and(|t| {
        t.shape.first() == Some(&seq) && ((t.rank() == 1 && t.dtype.is_int()) || (t.rank() == 2 && t.dtype.is_float()))
    })
}

impl Pass for ShardSequence {
    fn name(&self) -> &'static str {
        "seq-shard-sequence"
    }

    fn summary(&self) -> &'static str {
        "Split the token dimension over the devices; attention layers gather (replicate form)"
    }

    fn run(&self, g: &mut Graph) -> Result<(), PassError> {
        let pre = |m: String| PassError::Precondition { pass: self.name(), message: m };
        // This pass alone says what is sharded: an input that carries these says nothing.
        for key in [SHARDED_ARGS, SHARDED_RESULTS, GLOBAL_TOKENS] {
            g.module_attrs.remove(key);
        }
        let n = g
            .module_attrs
            .get(DEVICES)
            .and_then(Attr::as_int)
            .ok_or_else(|| pre("no seq.devices: run seq-choose-strategy first".into()))? as usize;
        if g.module_attrs.get(SPLIT).and_then(Attr::as_bool) != Some(true) || n == 1 {
            return Ok(());
        }
        if let Some((_, op)) = g.body_ops().find(|(_, op)| {
            matches!(op.kind.class(), seq_ir::OpClass::Collective | seq_ir::OpClass::Layout | seq_ir::OpClass::Async)
                || op.kind == OpKind::AttentionPartial
        }) {
            return Err(pre(format!("the program is already partitioned ({} found)", op.kind.name())));
        }
        let Some(seq) = sequence_length(g).map_err(pre)? else {
            return Ok(());
        };
        let causal = g.ops_of(OpKind::Attention).any(|(_, op)| op.bool("causal") == Some(true));
        let layout = if causal { "zigzag" } else { "block" };
        let local = shard_rows(layout, seq, n as i64);

        let whole_segments: Vec<i64> = match g.module_attrs.get(WHOLE_SEGMENTS) {
            Some(Attr::Ints { values, .. }) => values.clone(),
            _ => Vec::new(),
        };
        let mut out = Graph::new(g.name.clone());
        out.module_attrs = g.module_attrs.clone();
        out.loc = g.loc.clone();
        let mut lay = Layouts { map: vec![None; g.values.len()], attrs: shard_attrs(layout, n, seq) };
        // Sequence-shaped arguments are split here (`seq.shard`) or arrive split (`sharded_io`).
        let split_arg: Vec<bool> = g.args.iter().map(|a| per_token(g.ty(*a), seq)).collect();
        let sharded_args: Vec<i64> =
            (0..g.args.len()).filter(|&i| self.sharded_io && split_arg[i]).map(|i| i as i64).collect();
        let args: Vec<ValueId> = g
            .args
            .iter()
            .zip(&split_arg)
            .map(|(a, &split)| match g.ty(*a).tensor() {
                Some(t) if self.sharded_io && split => {
                    let mut shape = t.shape.clone();
                    shape[0] = local;
                    out.add_arg(seq_ir::TensorType::new(shape, t.dtype).into())
                }
                _ => out.add_arg(g.ty(*a).clone()),
            })
            .collect();
        let mut b = Builder::new(&mut out);
        let err = |e: seq_ir::BuildError| pre(e.to_string());
        let index = b.one(OpKind::TokenIndex, &[], shard_attrs(layout, n, seq)).map_err(err)?;
        for ((old, new), split) in g.args.iter().zip(args).zip(split_arg) {
            lay.map[old.0 as usize] = Some(match (split, self.sharded_io) {
                (false, _) => Mapped::Same(new),
                (true, true) => Mapped::Tokens { rows: Some(new), whole: None },
                (true, false) => Mapped::Tokens { rows: None, whole: Some(new) },
            });
            // A program that starts sharded cuts every argument at entry; one that starts whole
            // cuts each where a sharded op first reads it.
            if split && !self.sharded_io && !whole_segments.contains(&0) {
                lay.rows(&mut b, *old).map_err(err)?;
            }
        }
        let mut segment = 0i64;
        for (_, op) in g.body_ops() {
            let attention = op.kind == OpKind::Attention;
            let whole = if attention { op.str("strategy") == Some(WHOLE) } else { whole_segments.contains(&segment) };
            segment += i64::from(attention);
            let tokens = op.operands.iter().any(|o| matches!(lay.map[o.0 as usize], Some(Mapped::Tokens { .. })));
            let mut operands = Vec::with_capacity(op.operands.len());
            for o in &op.operands {
                operands.push(if whole { lay.whole(&mut b, *o) } else { lay.rows(&mut b, *o) }.map_err(err)?);
            }
            b.loc = op.loc.clone();
            let made = |v: ValueId| match (tokens, whole) {
                (false, _) => Mapped::Same(v),
                (true, true) => Mapped::Tokens { rows: None, whole: Some(v) },
                (true, false) => Mapped::Tokens { rows: Some(v), whole: None },
            };
            if attention && !whole {
                let cfg = AttentionConfig::from_attrs(&op.attrs)
                    .ok_or_else(|| pre("attention without its attributes".into()))?;
                let dtype = b
                    .graph
                    .ty(operands[0])
                    .tensor()
                    .map(|t| t.dtype)
                    .ok_or_else(|| pre("attention q is not a tensor".into()))?;
                let inputs = AttnInputs {
                    q: operands[0],
                    k: operands[1],
                    v: operands[2],
                    index,
                    segments: operands.get(3).copied(),
                    cfg,
                    dtype,
                };
                let first = b.graph.body.len();
                let result = emit(&mut b, Strategy::Replicate, &inputs, n, 1).map_err(err)?;
                // Tag the layer's ops so seq-lower-attention can find and replace them.
                for i in first..b.graph.body.len() {
                    let id = b.graph.body[i];
                    let new = b.graph.op_mut(id);
                    for key in ["layer", "strategy", "ulysses", "ring", "fallback", "head_groups"] {
                        if let Some(v) = op.attrs.get(key) {
                            new.attrs.insert(key.into(), v.clone());
                        }
                    }
                    new.loc = op.loc.clone();
                }
                lay.map[op.results[0].0 as usize] = Some(made(result));
                continue;
            }
            // A layer kept whole, and every token-wise op, is the input op on its operands.
            let types: Vec<&Type> = operands.iter().map(|v| b.graph.ty(*v)).collect();
            let declared = match infer(op.kind, &types, &op.attrs) {
                Ok(Inferred::Declared) => Some(match op.kind {
                    OpKind::Convert => vec![Type::Tensor(
                        b.graph
                            .ty(operands[0])
                            .tensor()
                            .map(|t| t.with_dtype(g.ty(op.results[0]).tensor().map_or(t.dtype, |r| r.dtype)))
                            .ok_or_else(|| pre("convert of a token".into()))?,
                    )],
                    _ => op.results.iter().map(|r| g.ty(*r).clone()).collect(),
                }),
                _ => None,
            };
            let id = b.build(op.kind, &operands, op.attrs.clone(), declared).map_err(err)?;
            for (old, new) in op.results.iter().zip(b.graph.op(id).results.clone()) {
                lay.map[old.0 as usize] = Some(made(new));
            }
        }
        b.loc = None;
        let mut results = Vec::new();
        let mut sharded_results = Vec::new();
        for (i, r) in g.results.iter().enumerate() {
            let per_token = g.ty(*r).tensor().is_some_and(|t| t.shape.first() == Some(&seq));
            let v = match lay.map[r.0 as usize] {
                Some(Mapped::Tokens { .. }) if per_token && self.sharded_io => {
                    sharded_results.push(i as i64);
                    lay.rows(&mut b, *r).map_err(err)?
                }
                // Assembled from the ranks' rows, unless some segment left it whole already.
                Some(Mapped::Tokens { .. }) if per_token => lay.whole(&mut b, *r).map_err(err)?,
                Some(
                    Mapped::Tokens { rows: Some(v), .. } | Mapped::Tokens { whole: Some(v), .. } | Mapped::Same(v),
                ) => v,
                _ => *r,
            };
            results.push(v);
        }
        out.results = results;
        out.module_attrs.insert("seq.layout".into(), Attr::Str(layout.into()));
        if self.sharded_io {
            out.module_attrs.insert(SHARDED_ARGS.into(), Attr::Ints { values: sharded_args, width: 64 });
            out.module_attrs.insert(SHARDED_RESULTS.into(), Attr::Ints { values: sharded_results, width: 64 });
            out.module_attrs.insert(GLOBAL_TOKENS.into(), Attr::Int(seq));
        }
        *g = out;
        Ok(())
    }
}

/// A value of the input program in the output program: layout-free (weights, and what only
/// weights feed), or per-token, as the rank's rows and/or whole on every rank, each made from the
/// other on first use.
#[derive(Clone, Copy, Debug)]
enum Mapped {
    Same(ValueId),
    Tokens { rows: Option<ValueId>, whole: Option<ValueId> },
}

struct Layouts {
    map: Vec<Option<Mapped>>,
    /// `seq.shard`/`seq.unshard` attributes of the program's placement (without `dim`).
    attrs: std::collections::BTreeMap<String, Attr>,
}

impl Layouts {
    fn convert(&mut self, b: &mut Builder, old: ValueId, to_whole: bool) -> Result<ValueId, seq_ir::BuildError> {
        let missing =
            || seq_ir::BuildError { op: "seq.shard".into(), message: format!("value %{} has no counterpart", old.0) };
        let (rows, whole) = match self.map.get(old.0 as usize).copied().flatten().ok_or_else(missing)? {
            Mapped::Same(v) => return Ok(v),
            Mapped::Tokens { rows, whole } => (rows, whole),
        };
        let (have, want) = if to_whole { (rows, whole) } else { (whole, rows) };
        if let Some(v) = want {
            return Ok(v);
        }
        let source = have.ok_or_else(missing)?;
        let mut a = self.attrs.clone();
        a.insert("dim".into(), Attr::Int(0));
        // Whole rows come back in sequence order (the global row order), whatever the placement.
        let v = b.one(if to_whole { OpKind::Unshard } else { OpKind::Shard }, &[source], a)?;
        let (rows, whole) = if to_whole { (Some(source), Some(v)) } else { (Some(v), Some(source)) };
        self.map[old.0 as usize] = Some(Mapped::Tokens { rows, whole });
        Ok(v)
    }

    /// The rank's rows of `old`.
    fn rows(&mut self, b: &mut Builder, old: ValueId) -> Result<ValueId, seq_ir::BuildError> {
        self.convert(b, old, false)
    }

    /// `old` whole on every rank, in sequence order.
    fn whole(&mut self, b: &mut Builder, old: ValueId) -> Result<ValueId, seq_ir::BuildError> {
        self.convert(b, old, true)
    }
}
