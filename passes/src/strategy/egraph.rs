//! The e-graph chooser. The program is written as its residual stream through the layers:
//! every layer starts in the safe form `(shard (attn-full i (tok-f i (gather h))))` — gather the
//! sequence, run the layer whole, keep the local rows. Rewrites (each an identity on values)
//! move sharding through token-wise work, cancel a gather of a shard, and replace a whole
//! attention between a gather and a shard by each legal split. Extraction with the cost model
//! picks, per layer, the split (or none) that makes the whole program cheapest.

use crate::strategy::choose_strategy::{Costs, Decision, LayerChoice};
use egg::{CostFunction, Extractor, Id, Language, RecExpr, Rewrite, Runner, Subst, define_language, rewrite};
use std::time::Duration;

define_language! {
    pub enum Term {
        "shard" = Shard(Id),
        "gather" = Gather(Id),
        "out" = Out(Id),
        "collect" = Collect(Id),
        "tok-f" = TokFull([Id; 2]),
        "tok-s" = TokSharded([Id; 2]),
        "attn-full" = AttnFull([Id; 2]),
        "attn" = Attn([Id; 3]),
        Num(i64),
        Symbol(egg::Symbol),
    }
}

/// Named runner limits: the graph is a chain, so a few iterations reach a fixed point.
pub const ITER_LIMIT: usize = 12;
pub const NODE_LIMIT: usize = 200_000;
pub const TIME_LIMIT: Duration = Duration::from_secs(5);

type EGraph = egg::EGraph<Term, ()>;

fn num(egraph: &EGraph, id: Id) -> Option<i64> {
    egraph[id].nodes.iter().find_map(|n| if let Term::Num(v) = n { Some(*v) } else { None })
}

#[rustfmt::skip]
fn rules(costs: &Costs) -> Vec<Rewrite<Term, ()>> {
    let mut rules = vec![
        // all_gather(shard(x)) = x: gathering every rank's local rows rebuilds the tensor.
        rewrite!("gather-of-shard"; "(gather (shard ?x))" => "?x"),
        // shard(f(x)) = f(shard(x)) for token-wise f: rows are independent.
        rewrite!("shard-through-tokenwise"; "(shard (tok-f ?i ?x))" => "(tok-s ?i (shard ?x))"),
        // f(gather(x)) = gather(f(x)) for token-wise f, by the same identity.
        rewrite!("tokenwise-through-gather"; "(tok-f ?i (gather ?x))" => "(gather (tok-s ?i ?x))"),
        // A program result gathered on device equals the host assembling every rank's rows.
        rewrite!("collect-output"; "(out (gather ?x))" => "(collect ?x)"),
    ];
    for k in 0..costs.candidates.len() {
        let legal: Vec<bool> = costs.split.iter().map(|layer| layer[k].is_finite()).collect();
        let target: egg::Pattern<Term> = format!("(attn ?i {k} ?x)").parse().unwrap_or_else(|e| unreachable!("{e}"));
        let name = format!("split-attention-{}", costs.candidates[k]);
        // shard(attention(gather(x))) = split_attention(x): each split strategy computes the
        // local rows of full attention over the whole sequence (proved by the CPU runtime tests).
        let cond = move |eg: &mut EGraph, _: Id, s: &Subst| {
            let var: egg::Var = "?i".parse().unwrap_or_else(|e| unreachable!("{e:?}"));
            num(eg, s[var]).is_some_and(|i| legal.get(i as usize).copied().unwrap_or(false))
        };
        rules.push(
            Rewrite::new(name, "(shard (attn-full ?i (gather ?x)))".parse::<egg::Pattern<Term>>().unwrap_or_else(|e| unreachable!("{e}")), egg::ConditionalApplier { condition: cond, applier: target })
                .unwrap_or_else(|e| unreachable!("{e}")),
        );
    }
    rules
}

/// The program in its safe form: every layer gathers, runs whole, and shards.
pub fn initial(layers: usize) -> RecExpr<Term> {
    let mut e = RecExpr::default();
    let input = e.add(Term::Symbol("input".into()));
    let mut h = e.add(Term::Shard(input));
    for i in 0..layers {
        let n = e.add(Term::Num(i as i64));
        let g = e.add(Term::Gather(h));
        let t = e.add(Term::TokFull([n, g]));
        let a = e.add(Term::AttnFull([n, t]));
        h = e.add(Term::Shard(a));
    }
    let n = e.add(Term::Num(layers as i64));
    let g = e.add(Term::Gather(h));
    let t = e.add(Term::TokFull([n, g]));
    e.add(Term::Out(t));
    e
}

/// Prices terms with the cost model; an illegal split would be infinite, but rules never add one.
pub struct ModelCost<'a> {
    pub costs: &'a Costs,
    pub layer: Vec<Option<i64>>,
}

impl CostFunction<Term> for ModelCost<'_> {
    type Cost = f64;

    fn cost<C: FnMut(Id) -> f64>(&mut self, enode: &Term, mut costs: C) -> f64 {
        let c = self.costs;
        let at = |v: &[f64], i: Option<i64>| i.and_then(|i| v.get(i as usize).copied()).unwrap_or(f64::INFINITY);
        let own = match enode {
            Term::Gather(_) => c.gather,
            Term::TokFull([i, _]) => at(&c.tok_full, self.layer[usize::from(*i)]),
            Term::TokSharded([i, _]) => at(&c.tok_sharded, self.layer[usize::from(*i)]),
            Term::AttnFull([i, _]) => at(&c.full_attention, self.layer[usize::from(*i)]),
            Term::Attn([i, k, _]) => match (self.layer[usize::from(*i)], self.layer[usize::from(*k)]) {
                (Some(i), Some(k)) => c.split.get(i as usize).and_then(|l| l.get(k as usize)).copied().unwrap_or(f64::INFINITY),
                _ => f64::INFINITY,
            },
            _ => 0.0,
        };
        enode.fold(own, |sum, id| sum + costs(id))
    }
}

pub fn choose(c: &Costs) -> Decision {
    let layers = c.full_attention.len();
    let start = initial(layers);
    let runner = Runner::<Term, ()>::default()
        .with_iter_limit(ITER_LIMIT)
        .with_node_limit(NODE_LIMIT)
        .with_time_limit(TIME_LIMIT)
        .with_expr(&start)
        .run(&rules(c));
    let egraph = &runner.egraph;
    // Numbers are leaves; read them once per e-class for the cost function.
    let mut by_class = vec![None; egraph.classes().map(|cl| usize::from(cl.id) + 1).max().unwrap_or(0)];
    for class in egraph.classes() {
        by_class[usize::from(class.id)] = num(egraph, class.id);
    }
    let extractor = Extractor::new(egraph, ModelCost { costs: c, layer: by_class });
    let (predicted, best) = extractor.find_best(runner.roots[0]);
    let decision = read_decision(&best, layers, predicted);
    if decision.split {
        decision
    } else {
        // The lowering splits a program only around split attention layers; without one the
        // program runs whole (a cheaper mixed form, such as sharding only the output head,
        // is not lowered), so price it as such.
        let whole = c.tok_full.iter().sum::<f64>() + c.full_attention.iter().sum::<f64>();
        Decision { predicted: whole, ..decision }
    }
}

/// Reads per-layer choices off the extracted program. It is split when any attention is.
fn read_decision(best: &RecExpr<Term>, layers: usize, predicted: f64) -> Decision {
    let nodes = best.as_ref();
    let num = |id: Id| if let Term::Num(v) = nodes[usize::from(id)] { Some(v as usize) } else { None };
    let mut choices = vec![LayerChoice::Full; layers];
    let mut split = false;
    for node in nodes {
        match node {
            Term::Attn([i, k, _]) => {
                if let (Some(i), Some(k)) = (num(*i), num(*k)) {
                    choices[i] = LayerChoice::Split(k);
                    split = true;
                }
            }
            _ => {}
        }
    }
    Decision { split, layers: choices, predicted }
}
