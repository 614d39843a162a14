//! `seq-simplify-collectives`: removes collectives that undo each other, with an e-graph over each
//! chain of collectives. Identities (each rule's comment states it):
//!
//! - an all-to-all followed by its inverse (split and concat dims swapped) is the identity;
//! - an all-gather along rows followed by keeping this rank's block is the identity;
//! - a reduce-scatter followed by an all-gather along the same dim is an all-reduce;
//! - rotating by a then by b is rotating by a + b, and rotating by a multiple of the group is
//!   the identity.
//!
//! ```mlir
//! %1 = "seq.all_to_all"(%0) {split_dim = 1, concat_dim = 0, ...}
//! %2 = "seq.all_to_all"(%1) {split_dim = 0, concat_dim = 1, ...}   // uses of %2 become %0
//! ```

use crate::{Pass, PassError};
use egg::{AstSize, CostFunction, Extractor, Id, RecExpr, Rewrite, Runner, define_language, rewrite};
use seq_ir::{Attr, Builder, Graph, OpKind, ValueId, builder::attrs};
use std::collections::{BTreeMap, HashMap};

define_language! {
    pub enum Coll {
        // (a2a axis group split concat x)
        "a2a" = AllToAll([Id; 5]),
        // (ag axis group dim x)
        "ag" = AllGather([Id; 4]),
        // (rs axis group dim x), sum
        "rs" = ReduceScatter([Id; 4]),
        // (ar axis group x), sum
        "ar" = AllReduce([Id; 3]),
        // (perm axis group shift x)
        "perm" = Permute([Id; 4]),
        // (own-block axis group x): this rank's block of rows of a gathered tensor
        "own-block" = OwnBlock([Id; 3]),
        Num(i64),
        Symbol(egg::Symbol),
    }
}

pub const ITER_LIMIT: usize = 10;
pub const NODE_LIMIT: usize = 10_000;

fn var(name: &str) -> egg::Var {
    name.parse().unwrap_or_else(|_| unreachable!("built-in variable {name}"))
}

/// Applies `(perm axis g a (perm axis g b x)) => (perm axis g (a+b mod g) x)`.
struct ComposeRotations;

impl egg::Applier<Coll, ()> for ComposeRotations {
    fn apply_one(&self, eg: &mut egg::EGraph<Coll, ()>, id: Id, s: &egg::Subst, _: Option<&egg::PatternAst<Coll>>, _: egg::Symbol) -> Vec<Id> {
        let num = |id: Id| eg[id].nodes.iter().find_map(|n| if let Coll::Num(v) = n { Some(*v) } else { None });
        let (Some(a), Some(b), Some(n)) = (num(s[var("?a")]), num(s[var("?b")]), num(s[var("?g")])) else { return vec![] };
        if n <= 0 {
            return vec![];
        }
        let shift = eg.add(Coll::Num((a + b).rem_euclid(n)));
        let new = eg.add(Coll::Permute([s[var("?axis")], s[var("?g")], shift, s[var("?x")]]));
        if eg.union(id, new) { vec![id] } else { vec![] }
    }
}

#[rustfmt::skip]
pub fn rules() -> Vec<Rewrite<Coll, ()>> {
    vec![
        // a2a(s→c) then a2a(c→s) over the same group returns every block to where it was.
        rewrite!("all-to-all-inverse"; "(a2a ?axis ?g ?c ?s (a2a ?axis ?g ?s ?c ?x))" => "?x"),
        // Concatenating every rank's rows, then keeping this rank's block, gives its own rows.
        rewrite!("gather-then-own-block"; "(own-block ?axis ?g (ag ?axis ?g 0 ?x))" => "?x"),
        // Each rank's reduced slice, gathered along the scattered dim, is the full reduction.
        rewrite!("reduce-scatter-all-gather"; "(ag ?axis ?g ?d (rs ?axis ?g ?d ?x))" => "(ar ?axis ?g ?x)"),
        // Rotating by b then by a is rotating by (a + b) mod g.
        rewrite!("permute-compose"; "(perm ?axis ?g ?a (perm ?axis ?g ?b ?x))" => { ComposeRotations }),
        // A rotation by a multiple of the group moves nothing.
        rewrite!("permute-zero"; "(perm ?axis ?g 0 ?x)" => "?x"),
    ]
}

pub struct SimplifyCollectives;

/// The term for `v`: its collective chain down to values some other op produced. Other roots are
/// leaves: their collectives are needed anyway, so rewriting through them saves nothing (a ring's
/// rotations by one each feed a step; recomputing a later step as one larger rotation would only
/// undo the double buffering).
fn term(g: &Graph, v: ValueId, top: bool, roots: &[ValueId], e: &mut RecExpr<Coll>, leaves: &mut HashMap<String, ValueId>) -> Id {
    let leaf = |e: &mut RecExpr<Coll>, leaves: &mut HashMap<String, ValueId>| {
        let name = format!("v{}", v.0);
        leaves.insert(name.clone(), v);
        e.add(Coll::Symbol(name.into()))
    };
    let Some(op) = g.producer(v).filter(|_| top || !roots.contains(&v)) else { return leaf(e, leaves) };
    let int = |e: &mut RecExpr<Coll>, k: &str| e.add(Coll::Num(op.int(k).unwrap_or(-1)));
    let axis = |e: &mut RecExpr<Coll>| e.add(Coll::Symbol(op.str("axis").unwrap_or("?").into()));
    let sum = op.str("reduction").is_none_or(|r| r == "sum");
    match op.kind {
        OpKind::AllToAll => {
            let (a, gs, s, c) = (axis(e), int(e, "group_size"), int(e, "split_dim"), int(e, "concat_dim"));
            let x = term(g, op.operands[0], false, roots, e, leaves);
            e.add(Coll::AllToAll([a, gs, s, c, x]))
        }
        OpKind::AllGather => {
            let (a, gs, d) = (axis(e), int(e, "group_size"), int(e, "dim"));
            let x = term(g, op.operands[0], false, roots, e, leaves);
            e.add(Coll::AllGather([a, gs, d, x]))
        }
        OpKind::ReduceScatter if sum => {
            let (a, gs, d) = (axis(e), int(e, "group_size"), int(e, "dim"));
            let x = term(g, op.operands[0], false, roots, e, leaves);
            e.add(Coll::ReduceScatter([a, gs, d, x]))
        }
        OpKind::AllReduce if sum => {
            let (a, gs) = (axis(e), int(e, "group_size"));
            let x = term(g, op.operands[0], false, roots, e, leaves);
            e.add(Coll::AllReduce([a, gs, x]))
        }
        OpKind::CollectivePermute => {
            let (a, gs) = (axis(e), int(e, "group_size"));
            let n = op.int("group_size").unwrap_or(1).max(1);
            let shift = e.add(Coll::Num(op.int("shift").unwrap_or(0).rem_euclid(n)));
            let x = term(g, op.operands[0], false, roots, e, leaves);
            e.add(Coll::Permute([a, gs, shift, x]))
        }
        // This rank's block of a tensor gathered along rows over the same group.
        OpKind::Shard if op.str("layout") == Some("block") && op.int("dim") == Some(0) => {
            let gs = e.add(Coll::Num(op.int("num_shards").unwrap_or(-1)));
            let a = axis(e);
            let x = term(g, op.operands[0], false, roots, e, leaves);
            e.add(Coll::OwnBlock([a, gs, x]))
        }
        _ => leaf(e, leaves),
    }
}

/// Emits the ops for node `id` of `e`, returning its value.
fn emit(b: &mut Builder, e: &RecExpr<Coll>, id: Id, leaves: &HashMap<String, ValueId>) -> Result<ValueId, String> {
    let node = &e[id];
    let num = |i: &Id| if let Coll::Num(v) = e[*i] { v } else { -1 };
    let sym = |i: &Id| if let Coll::Symbol(s) = &e[*i] { s.to_string() } else { String::new() };
    let mk = |b: &mut Builder, kind: OpKind, x: ValueId, a: BTreeMap<String, Attr>| b.one(kind, &[x], a).map_err(|err| err.to_string());
    let base = |axis: &Id, g: &Id| attrs([("axis", Attr::Str(sym(axis))), ("group_size", Attr::Int(num(g)))]);
    match node {
        Coll::Symbol(s) => leaves.get(s.as_str()).copied().ok_or_else(|| format!("unknown leaf {s}")),
        Coll::AllToAll([a, g, s, c, x]) => {
            let x = emit(b, e, *x, leaves)?;
            let mut at = base(a, g);
            at.insert("split_dim".into(), Attr::Int(num(s)));
            at.insert("concat_dim".into(), Attr::Int(num(c)));
            mk(b, OpKind::AllToAll, x, at)
        }
        Coll::AllGather([a, g, d, x]) | Coll::ReduceScatter([a, g, d, x]) => {
            let kind = if matches!(node, Coll::AllGather(_)) { OpKind::AllGather } else { OpKind::ReduceScatter };
            let x = emit(b, e, *x, leaves)?;
            let mut at = base(a, g);
            at.insert("dim".into(), Attr::Int(num(d)));
            if kind == OpKind::ReduceScatter {
                at.insert("reduction".into(), Attr::Str("sum".into()));
            }
            mk(b, kind, x, at)
        }
        Coll::AllReduce([a, g, x]) => {
            let x = emit(b, e, *x, leaves)?;
            let mut at = base(a, g);
            at.insert("reduction".into(), Attr::Str("sum".into()));
            mk(b, OpKind::AllReduce, x, at)
        }
        Coll::Permute([a, g, s, x]) => {
            let x = emit(b, e, *x, leaves)?;
            let mut at = base(a, g);
            at.insert("shift".into(), Attr::Int(num(s)));
            mk(b, OpKind::CollectivePermute, x, at)
        }
        Coll::OwnBlock(_) | Coll::Num(_) => Err("a shard survived simplification unchanged; it is kept as it was".into()),
    }
}

impl Pass for SimplifyCollectives {
    fn name(&self) -> &'static str {
        "seq-simplify-collectives"
    }

    fn summary(&self) -> &'static str {
        "Remove collectives that undo each other (e-graph over collective chains)"
    }

    fn run(&self, g: &mut Graph) -> Result<(), PassError> {
        // A value is in a chain when a collective made it, or a block shard of a collective's result.
        let in_chain = |v: ValueId| {
            g.producer(v).is_some_and(|p| {
                p.kind.is_collective() || (p.kind == OpKind::Shard && g.producer(p.operands[0]).is_some_and(|q| q.kind.is_collective()))
            })
        };
        // Roots: chain values used outside a chain (or returned); each is simplified as a whole.
        let mut roots: Vec<ValueId> = Vec::new();
        for (_, op) in g.body_ops() {
            let op_in_chain = op.results.first().is_some_and(|r| in_chain(*r));
            for o in &op.operands {
                if !op_in_chain && in_chain(*o) && !roots.contains(o) {
                    roots.push(*o);
                }
            }
        }
        for r in &g.results {
            if in_chain(*r) && !roots.contains(r) {
                roots.push(*r);
            }
        }
        for &root in &roots.clone() {
            let mut expr = RecExpr::default();
            let mut leaves = HashMap::new();
            term(g, root, true, &roots, &mut expr, &mut leaves);
            let before = AstSize.cost_rec(&expr);
            let runner = Runner::default().with_iter_limit(ITER_LIMIT).with_node_limit(NODE_LIMIT).with_expr(&expr).run(&rules());
            let (after, best) = Extractor::new(&runner.egraph, AstSize).find_best(runner.roots[0]);
            if after >= before {
                continue;
            }
            let first_use = g.body.iter().position(|id| g.op(*id).operands.contains(&root)).unwrap_or(g.body.len());
            let mark = g.body.len();
            let mut b = Builder::new(g);
            let top = Id::from(best.as_ref().len() - 1);
            let Ok(new) = emit(&mut b, &best, top, &leaves) else { continue };
            let added: Vec<_> = g.body.split_off(mark);
            g.body.splice(first_use..first_use, added);
            g.replace_all_uses(root, new);
        }
        crate::import::Dce.run(g)
    }
}
