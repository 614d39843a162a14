//! The e-graph chooser. The program is its residual stream through the layers, and the term says
//! in which layout the stream is at every point: on each rank's rows (sharded, in the program's
//! placement: zigzag when causal, contiguous otherwise) or whole on every rank. Token-wise
//! segment i runs on either (`tok`, `tok-whole`); layer i runs sharded in replicate form (`rep`)
//! or as a split strategy (`attn`), or whole with no collective (`attn-whole`); `gather-*` and
//! `cut-*` change layout at a segment's entry or exit. Because a layout change is a node with its
//! own price, one layer's choice changes what the next one costs: a run of layers kept whole pays
//! one gather at its entry instead of a gather per layer, and a whole segment feeding a split
//! layer pays a cut instead of a shard/gather pair.
//!
//! The start is the program as `seq-shard-sequence` emits it: every segment sharded, every layer
//! in replicate form. Each rule below states the identity it adds; extraction with the cost model
//! (`ModelCost`, an adapter over `Costs`) picks the cheapest program. On a chain every node has
//! one stream child, so the tree cost egg extracts is the program's cost.
//!
//! Head-sharded is a layout inside a Ulysses layer only: the token-wise ops between layers
//! (output projection, norm, MLP, q/k/v projections) need whole rows of every head, so it never
//! reaches a layer boundary, and the layer's own price already holds its two all-to-alls.
//!
//! In a training step a candidate is a strategy with its backward (`Costs::backward`): a ring
//! layer is `(attn i k x)` for k = the ring with its backward around the ring, and for k = the
//! ring with a Ulysses backward, each priced forward and backward and held to the memory budget
//! on its own, so extraction picks the pair.
//!
//! The language holds exactly the shapes `seq-shard-sequence` and `seq-lower-attention` emit, so
//! whatever is extracted is what gets lowered, at the price that was predicted.

use crate::strategy::choose_strategy::{Costs, Decision, LayerChoice};
use egg::{
    Applier, CostFunction, Extractor, Id, Language, PatternAst, RecExpr, Rewrite, Runner, Subst, Symbol,
    define_language, rewrite,
};
use std::time::Duration;

define_language! {
    pub enum Term {
        // (tok i x): token-wise segment i on the rank's rows of x.
        "tok" = Tok([Id; 2]),
        // (tok-whole i x): segment i on all rows of x.
        "tok-whole" = TokWhole([Id; 2]),
        // (rep i x): layer i in replicate form on sharded x.
        "rep" = Rep([Id; 2]),
        // (attn i k x): layer i split by candidate k on sharded x.
        "attn" = Attn([Id; 3]),
        // (attn-whole i x): layer i over whole x, no collective.
        "attn-whole" = AttnWhole([Id; 2]),
        // (gather-in i x) / (cut-in i x): the values segment i reads, made whole / cut to rows.
        "gather-in" = GatherIn([Id; 2]),
        "cut-in" = CutIn([Id; 2]),
        // (gather-out i x) / (cut-out i x): what segment i hands on (layer i's q, k, v; the
        // results after the last), made whole / cut to rows.
        "gather-out" = GatherOut([Id; 2]),
        "cut-out" = CutOut([Id; 2]),
        // (out x): the results, from sharded x; (out-whole x): from whole x.
        "out" = Out(Id),
        "out-whole" = OutWhole(Id),
        Num(i64),
        Symbol(Symbol),
    }
}

/// Named runner limits. A chain of L layers saturates in a few iterations with about 20 L
/// e-nodes; the limits guard against a future rule that does not saturate.
pub const ITER_LIMIT: usize = 16;
pub const NODE_LIMIT: usize = 100_000;
pub const TIME_LIMIT: Duration = Duration::from_secs(5);

/// The leaf standing for the program run whole on every device (no split at all).
pub const WHOLE: &str = "whole";
/// The arguments, whole on every rank.
pub const ARGS: &str = "args";
/// The arguments as each rank's rows (`--sharded-io`).
pub const ROWS: &str = "rows";

type EGraph = egg::EGraph<Term, ()>;

fn num(egraph: &EGraph, id: Id) -> Option<i64> {
    egraph[id].nodes.iter().find_map(|n| if let Term::Num(v) = n { Some(*v) } else { None })
}

fn pattern(text: &str) -> egg::Pattern<Term> {
    text.parse().unwrap_or_else(|e| unreachable!("built-in pattern {text}: {e}"))
}

fn var(name: &str) -> egg::Var {
    name.parse().unwrap_or_else(|e| unreachable!("built-in variable {name}: {e:?}"))
}

/// Applies `(rep ?i ?x) => (cut-in ?i+1 (attn-whole ?i (gather-out ?i ?x)))`: the stream after
/// layer i enters segment i + 1, whose index the pattern language cannot add.
struct ReplicateByParts;

impl Applier<Term, ()> for ReplicateByParts {
    fn apply_one(&self, eg: &mut EGraph, id: Id, s: &Subst, _: Option<&PatternAst<Term>>, _: Symbol) -> Vec<Id> {
        let (i, x) = (s[var("?i")], s[var("?x")]);
        let Some(n) = num(eg, i) else { return vec![] };
        let next = eg.add(Term::Num(n + 1));
        let gathered = eg.add(Term::GatherOut([i, x]));
        let attended = eg.add(Term::AttnWhole([i, gathered]));
        let cut = eg.add(Term::CutIn([next, attended]));
        if eg.union(id, cut) { vec![id] } else { vec![] }
    }
}

#[rustfmt::skip]
pub fn rules(costs: &Costs) -> Vec<Rewrite<Term, ()>> {
    let mut rules = vec![
        // out(x) = whole: the program computes the same result however it is split.
        rewrite!("run-whole"; "(out ?x)" => { pattern(WHOLE) }),
        // rep(i, x) = cut(attend-whole(gather(q, k, v))): the replicate form gathers q, k and v,
        // attends over the whole sequence and keeps the rank's rows.
        rewrite!("replicate-by-parts"; "(rep ?i ?x)" => { ReplicateByParts }),
        // gather(tok(x)) = tok(gather(x)): a token-wise segment computes each row alone, so
        // gathering its rows equals running it on the gathered rows.
        rewrite!("gather-through-tokenwise"; "(gather-out ?i (tok ?i ?x))" => "(tok-whole ?i (gather-in ?i ?x))"),
        // tok(cut(y)) = cut(tok(y)): likewise, the rank's rows of a token-wise result are the
        // result on the rank's rows.
        rewrite!("cut-through-tokenwise"; "(tok ?i (cut-in ?i ?y))" => "(cut-out ?i (tok-whole ?i ?y))"),
        // gather(cut(y)) = y: every rank's rows, gathered, are the whole tensor again.
        rewrite!("gather-cut-in"; "(gather-in ?i (cut-in ?i ?y))" => "?y"),
        rewrite!("gather-cut-out"; "(gather-out ?i (cut-out ?i ?y))" => "?y"),
        // x = cut(gather(x)): the rank's rows of the gathered stream are its rows. This puts a
        // whole alternative at every segment's entry; with gather-cut-in it saturates at once.
        rewrite!("cut-of-gather"; "(tok ?i ?x)" => "(tok ?i (cut-in ?i (gather-in ?i ?x)))"),
    ];
    if !costs.layout.sharded_io {
        // out(x) = out-whole(gather(x)): assembling the results from every rank's rows is
        // gathering them whole (with --sharded-io they leave as rows and are not assembled).
        let last = costs.tok_sharded.len().saturating_sub(1);
        rules.push(rewrite!("assemble-is-gather"; "(out ?x)" => { pattern(&format!("(out-whole (gather-out {last} ?x))")) }));
    }
    for k in 0..costs.candidates.len() {
        let legal: Vec<bool> = costs.split.iter().map(|layer| layer[k].is_finite()).collect();
        // rep(i, x) = attn(i, k, x): a split strategy computes the same local rows as gathering
        // and attending over the whole sequence (proved per strategy by the CPU runtime tests).
        let condition = move |eg: &mut EGraph, _: Id, s: &Subst| {
            num(eg, s[var("?i")]).is_some_and(|i| legal.get(i as usize).copied().unwrap_or(false))
        };
        let applier = egg::ConditionalApplier { condition, applier: pattern(&format!("(attn ?i {k} ?x)")) };
        let name = format!("split-attention-{}", costs.name(k));
        rules.push(Rewrite::new(name, pattern("(rep ?i ?x)"), applier).unwrap_or_else(|e| unreachable!("{e}")));
    }
    rules
}

/// The program as `seq-shard-sequence` emits it: arguments cut to rows (or arriving so), every
/// segment sharded, every layer in replicate form, results assembled.
pub fn initial(layers: usize, sharded_io: bool) -> RecExpr<Term> {
    let mut e = RecExpr::default();
    let mut h = if sharded_io {
        e.add(Term::Symbol(ROWS.into()))
    } else {
        let args = e.add(Term::Symbol(ARGS.into()));
        let zero = e.add(Term::Num(0));
        e.add(Term::CutIn([zero, args]))
    };
    for i in 0..layers {
        let n = e.add(Term::Num(i as i64));
        let t = e.add(Term::Tok([n, h]));
        h = e.add(Term::Rep([n, t]));
    }
    let n = e.add(Term::Num(layers as i64));
    let t = e.add(Term::Tok([n, h]));
    e.add(Term::Out(t));
    e
}

/// The egg adapter: prices each e-node from `Costs` (the cost model's numbers) plus its children.
pub struct ModelCost<'a> {
    pub costs: &'a Costs,
    /// The number each e-class holds, if it is a number leaf.
    pub numbers: Vec<Option<i64>>,
}

impl ModelCost<'_> {
    /// The price of `enode` alone.
    fn own(&self, enode: &Term) -> f64 {
        let c = self.costs;
        let l = &c.layout;
        let n = |id: &Id| self.numbers.get(usize::from(*id)).copied().flatten().map(|v| v as usize);
        let at = |v: &[f64], i: &Id| n(i).and_then(|i| v.get(i).copied()).unwrap_or(f64::INFINITY);
        // Whole on every rank only where it fits the memory budget.
        let fits = |v: &[bool], i: &Id| n(i).and_then(|i| v.get(i).copied()).unwrap_or(false);
        let whole = |v: &[bool], i: &Id, price: f64| if fits(v, i) { price } else { f64::INFINITY };
        match enode {
            Term::Tok([i, _]) => at(&c.tok_sharded, i),
            Term::TokWhole([i, _]) => whole(&l.segment_fits, i, at(&c.tok_full, i)),
            Term::Rep([i, _]) => at(&c.replicate, i),
            Term::Attn([i, k, _]) => match (n(i), n(k)) {
                (Some(i), Some(k)) => c.split.get(i).and_then(|l| l.get(k)).copied().unwrap_or(f64::INFINITY),
                _ => f64::INFINITY,
            },
            Term::AttnWhole([i, _]) => whole(&l.layer_fits, i, at(&c.full_attention, i)),
            Term::GatherIn([i, _]) => at(&l.gather_in, i),
            Term::CutIn([i, _]) => at(&l.cut_in, i),
            Term::GatherOut([i, _]) => at(&l.gather_out, i),
            Term::CutOut([i, _]) => at(&l.cut_out, i),
            Term::Out(_) => c.exit(),
            Term::OutWhole(_) => 0.0,
            Term::Symbol(s) if s.as_str() == WHOLE => c.whole(),
            Term::Symbol(_) | Term::Num(_) => 0.0,
        }
    }
}

impl CostFunction<Term> for ModelCost<'_> {
    type Cost = f64;

    fn cost<C: FnMut(Id) -> f64>(&mut self, enode: &Term, mut costs: C) -> f64 {
        let own = self.own(enode);
        enode.fold(own, |sum, id| sum + costs(id))
    }
}

pub fn choose(c: &Costs) -> Decision {
    let layers = c.replicate.len();
    let runner = Runner::<Term, ()>::default()
        .with_iter_limit(ITER_LIMIT)
        .with_node_limit(NODE_LIMIT)
        .with_time_limit(TIME_LIMIT)
        .with_expr(&initial(layers, c.layout.sharded_io))
        .run(&rules(c));
    let egraph = &runner.egraph;
    let mut numbers = vec![None; egraph.classes().map(|cl| usize::from(cl.id) + 1).max().unwrap_or(0)];
    for class in egraph.classes() {
        numbers[usize::from(class.id)] = num(egraph, class.id);
    }
    let extractor = Extractor::new(egraph, ModelCost { costs: c, numbers });
    let (predicted, best) = extractor.find_best(runner.roots[0]);
    read_decision(&best, layers, predicted)
}

/// Reads per-layer choices and segment layouts off the extracted program. A program with no
/// sharded segment is the unsplit one.
pub fn read_decision(best: &RecExpr<Term>, layers: usize, predicted: f64) -> Decision {
    let nodes = best.as_ref();
    let num = |id: &Id| {
        if let Term::Num(v) = nodes[usize::from(*id)] { Some(v as usize) } else { None }
    };
    let mut choices = vec![LayerChoice::Full; layers];
    let mut whole_segments = vec![false; layers + 1];
    let mut sharded = false;
    for node in nodes {
        match node {
            Term::Attn([i, k, _]) => {
                sharded = true;
                if let (Some(i), Some(k)) = (num(i), num(k))
                    && i < layers
                {
                    choices[i] = LayerChoice::Split(k);
                }
            }
            Term::AttnWhole([i, _]) => {
                if let Some(i) = num(i).filter(|i| *i < layers) {
                    choices[i] = LayerChoice::Whole;
                }
            }
            Term::TokWhole([i, _]) => {
                if let Some(i) = num(i).filter(|i| *i <= layers) {
                    whole_segments[i] = true;
                }
            }
            Term::Tok(_) | Term::Rep(_) => sharded = true,
            _ => {}
        }
    }
    let whole = nodes.iter().any(|n| matches!(n, Term::Symbol(s) if s.as_str() == WHOLE));
    if whole || !sharded {
        return Decision::unsplit(layers, predicted);
    }
    Decision { split: true, layers: choices, whole_segments, predicted }
}
