//! Shape and work analysis of a program: parameters, FLOPs by op family and attention layers.
//! The cost model prices these numbers; the compile report prints them.

use seq_ir::{AttentionConfig, Graph, Op, OpKind};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Work {
    /// Matrix-multiply FLOPs (linear layers and the output head).
    pub gemm_flops: f64,
    /// Attention FLOPs (QKᵀ and PV), counting only unmasked scores.
    pub attention_flops: f64,
    /// Bytes read and written by memory-bound ops (norms, rope, activations, residuals).
    pub elementwise_bytes: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AttentionLayer {
    pub index: usize,
    pub seq_len: i64,
    pub config: AttentionConfig,
    pub flops: f64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelSummary {
    pub params: u64,
    pub param_bytes: u64,
    pub work: Work,
    pub attention: Vec<AttentionLayer>,
}

/// Fraction of query-key pairs a mask keeps, for `s` queries over the same `s` keys.
pub fn mask_density(s: i64, causal: bool, window: Option<i64>) -> f64 {
    let s = s as f64;
    let kept = match (causal, window) {
        (false, None) => s * s,
        (true, None) => s * (s + 1.0) / 2.0,
        (causal, Some(w)) => {
            let w = (w as f64).min(s);
            // Each query sees at most w keys behind it (and w ahead when not causal).
            let one_side = w * s - w * (w - 1.0) / 2.0;
            if causal { one_side } else { 2.0 * one_side - s }
        }
    };
    kept / (s * s)
}

pub fn attention_flops(s: i64, cfg: &AttentionConfig) -> f64 {
    4.0 * (s as f64) * (s as f64) * (cfg.num_heads * cfg.head_dim) as f64 * mask_density(s, cfg.causal, cfg.window)
}

fn tensor_bytes(g: &Graph, op: &Op) -> f64 {
    op.operands.iter().chain(&op.results).filter_map(|v| g.ty(*v).tensor()).map(|t| t.size_bytes() as f64).sum()
}

impl ModelSummary {
    pub fn of(g: &Graph) -> Self {
        let mut s = Self::default();
        for (_, op) in g.body_ops() {
            let shape = |i: usize| g.ty(op.operands[i]).tensor().map(|t| t.shape.clone()).unwrap_or_default();
            match op.kind {
                OpKind::Param => {
                    if let Some(t) = g.ty(op.results[0]).tensor() {
                        s.params += t.num_elements();
                        s.param_bytes += t.size_bytes();
                    }
                }
                OpKind::Linear | OpKind::Logits => {
                    let (x, w) = (shape(0), shape(1));
                    s.work.gemm_flops += 2.0 * (x[0] * w[0] * w[1]) as f64;
                }
                OpKind::Attention => {
                    if let Some(config) = AttentionConfig::from_attrs(&op.attrs) {
                        let seq_len = shape(0)[0];
                        let flops = attention_flops(seq_len, &config);
                        s.work.attention_flops += flops;
                        s.attention.push(AttentionLayer { index: s.attention.len(), seq_len, config, flops });
                    }
                }
                OpKind::Embedding => s.work.elementwise_bytes += g.ty(op.results[0]).tensor().map_or(0, |t| t.size_bytes()) as f64,
                _ => s.work.elementwise_bytes += tensor_bytes(g, op),
            }
        }
        s
    }
}

/// The longest chain of dependent work in a program: no schedule on any number of streams can
/// finish sooner. Ops are nodes of its petgraph DAG, weighted by the cost model's time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CriticalPath {
    pub seconds: f64,
    /// The ops on it, first to last.
    pub ops: Vec<seq_ir::OpId>,
}

/// The program's dataflow as a petgraph DAG: a node per body op, an edge from each producer to
/// each user (once per pair), and each op's node by op id (None: not in the body).
pub fn dataflow(g: &Graph) -> (petgraph::graph::DiGraph<seq_ir::OpId, ()>, Vec<Option<petgraph::graph::NodeIndex>>) {
    let mut dag = petgraph::graph::DiGraph::new();
    let mut node = vec![None; g.ops.len()];
    for &id in &g.body {
        node[id.0 as usize] = Some(dag.add_node(id));
    }
    for (id, op) in g.body_ops() {
        for &o in &op.operands {
            if let (seq_ir::Def::Op(p, _), Some(to)) = (g.def(o), node[id.0 as usize])
                && let Some(from) = node[p.0 as usize]
            {
                dag.update_edge(from, to, ());
            }
        }
    }
    (dag, node)
}

/// The critical path of `g` under the cost model.
pub fn critical_path(
    g: &Graph,
    target: &crate::strategy::cost_model::Target,
    ctx: &crate::strategy::cost_model::CostContext,
) -> CriticalPath {
    let (dag, _) = dataflow(g);
    // A program's body is in dependency order, but a DAG order is what the path needs.
    let Ok(order) = petgraph::algo::toposort(&dag, None) else { return CriticalPath::default() };
    let mut finish = vec![0.0f64; dag.node_count()];
    let mut from: Vec<Option<petgraph::graph::NodeIndex>> = vec![None; dag.node_count()];
    for &n in &order {
        let (_, cost) = target.op_cost(g, g.op(dag[n]), ctx);
        let (start, pred) = dag
            .neighbors_directed(n, petgraph::Direction::Incoming)
            .map(|p| (finish[p.index()], Some(p)))
            .fold((0.0, None), |best, x| if x.0 > best.0 { x } else { best });
        finish[n.index()] = start + cost.seconds;
        from[n.index()] = pred;
    }
    let Some(end) = order.iter().copied().max_by(|a, b| finish[a.index()].total_cmp(&finish[b.index()])) else {
        return CriticalPath::default();
    };
    let mut ops = vec![dag[end]];
    let mut at = end;
    while let Some(p) = from[at.index()] {
        ops.push(dag[p]);
        at = p;
    }
    ops.reverse();
    CriticalPath { seconds: finish[end.index()], ops }
}
