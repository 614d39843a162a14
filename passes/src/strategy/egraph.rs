//! The e-graph chooser. The program is its residual stream through the layers: token-wise
//! segment i on the local rows, then attention layer i. Each layer starts in the replicate form
//! `(rep i x)` (gather q/k/v, attend over the whole sequence, keep the local rows); rewrites add
//! every legal split of that layer to its e-class, and the program's root also holds the unsplit
//! program. Extraction with the cost model picks the cheapest program.
//!
//! The language holds exactly the shapes `seq-shard-sequence` and `seq-lower-attention` emit, so
//! whatever is extracted is what gets lowered, at the price that was predicted.

use crate::strategy::choose_strategy::{Costs, Decision, LayerChoice};
use egg::{CostFunction, Extractor, Id, Language, RecExpr, Rewrite, Runner, Subst, define_language, rewrite};
use std::time::Duration;

define_language! {
    pub enum Term {
        "tok" = Tok([Id; 2]),
        "rep" = Rep([Id; 2]),
        "attn" = Attn([Id; 3]),
        "out" = Out(Id),
        Num(i64),
        Symbol(egg::Symbol),
    }
}

/// Named runner limits. Rules only add alternatives to existing e-classes, so the graph
/// saturates after one iteration per rule family; the limits guard against a future rule that
/// does not.
pub const ITER_LIMIT: usize = 8;
pub const NODE_LIMIT: usize = 100_000;
pub const TIME_LIMIT: Duration = Duration::from_secs(5);

/// The leaf standing for the program run whole on every device.
pub const WHOLE: &str = "whole";

type EGraph = egg::EGraph<Term, ()>;

fn num(egraph: &EGraph, id: Id) -> Option<i64> {
    egraph[id].nodes.iter().find_map(|n| if let Term::Num(v) = n { Some(*v) } else { None })
}

fn pattern(text: &str) -> egg::Pattern<Term> {
    text.parse().unwrap_or_else(|e| unreachable!("built-in pattern {text}: {e}"))
}

#[rustfmt::skip]
pub fn rules(costs: &Costs) -> Vec<Rewrite<Term, ()>> {
    // out(x) = whole: the program computes the same result however it is split.
    let mut rules = vec![rewrite!("run-whole"; "(out ?x)" => { pattern(WHOLE) })];
    for k in 0..costs.candidates.len() {
        let legal: Vec<bool> = costs.split.iter().map(|layer| layer[k].is_finite()).collect();
        // rep(i, x) = attn(i, k, x): a split strategy computes the same local rows as gathering
        // and attending over the whole sequence (proved per strategy by the CPU runtime tests).
        let condition = move |eg: &mut EGraph, _: Id, s: &Subst| {
            let var: egg::Var = "?i".parse().unwrap_or_else(|e| unreachable!("{e:?}"));
            num(eg, s[var]).is_some_and(|i| legal.get(i as usize).copied().unwrap_or(false))
        };
        let applier = egg::ConditionalApplier { condition, applier: pattern(&format!("(attn ?i {k} ?x)")) };
        let name = format!("split-attention-{}", costs.candidates[k]);
        rules.push(Rewrite::new(name, pattern("(rep ?i ?x)"), applier).unwrap_or_else(|e| unreachable!("{e}")));
    }
    rules
}

/// The program with every layer in replicate form.
pub fn initial(layers: usize) -> RecExpr<Term> {
    let mut e = RecExpr::default();
    let mut h = e.add(Term::Symbol("input".into()));
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

/// Prices terms with the cost model.
pub struct ModelCost<'a> {
    pub costs: &'a Costs,
    /// The number each e-class holds, if it is a number leaf.
    pub numbers: Vec<Option<i64>>,
}

impl CostFunction<Term> for ModelCost<'_> {
    type Cost = f64;

    fn cost<C: FnMut(Id) -> f64>(&mut self, enode: &Term, mut costs: C) -> f64 {
        let c = self.costs;
        let n = |id: &Id| self.numbers.get(usize::from(*id)).copied().flatten().map(|v| v as usize);
        let at = |v: &[f64], i: Option<usize>| i.and_then(|i| v.get(i).copied()).unwrap_or(f64::INFINITY);
        let own = match enode {
            Term::Tok([i, _]) => at(&c.tok_sharded, n(i)),
            Term::Rep([i, _]) => at(&c.replicate, n(i)),
            Term::Attn([i, k, _]) => match (n(i), n(k)) {
                (Some(i), Some(k)) => c.split.get(i).and_then(|l| l.get(k)).copied().unwrap_or(f64::INFINITY),
                _ => f64::INFINITY,
            },
            Term::Symbol(s) if s.as_str() == WHOLE => c.whole(),
            _ => 0.0,
        };
        enode.fold(own, |sum, id| sum + costs(id))
    }
}

pub fn choose(c: &Costs) -> Decision {
    let layers = c.replicate.len();
    let runner = Runner::<Term, ()>::default()
        .with_iter_limit(ITER_LIMIT)
        .with_node_limit(NODE_LIMIT)
        .with_time_limit(TIME_LIMIT)
        .with_expr(&initial(layers))
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

/// Reads per-layer choices off the extracted program.
fn read_decision(best: &RecExpr<Term>, layers: usize, predicted: f64) -> Decision {
    let nodes = best.as_ref();
    let num = |id: Id| if let Term::Num(v) = nodes[usize::from(id)] { Some(v as usize) } else { None };
    let whole = nodes.iter().any(|n| matches!(n, Term::Symbol(s) if s.as_str() == WHOLE));
    let mut choices = vec![LayerChoice::Full; layers];
    for node in nodes {
        if let Term::Attn([i, k, _]) = node
            && let (Some(i), Some(k)) = (num(*i), num(*k))
        {
            choices[i] = LayerChoice::Split(k);
        }
    }
    Decision { split: !whole, layers: choices, predicted }
}
