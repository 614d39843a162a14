//! `seq-choose-strategy`: decides, for every attention layer, how it is split over the devices,
//! and records the decision as attributes (`layer`, `strategy`, and for hybrids `ulysses`/`ring`)
//! plus module attributes (`seq.devices`, `seq.split`, `seq.mesh`).
//!
//! Each candidate split of a layer is priced by lowering that one layer exactly as
//! `seq-lower-attention` would, overlapping its collectives and simulating it on the target
//! (`crate::simulate`), so the chooser, the report and the trace share one cost model.

use crate::{
    Pass, PassError,
    config::{BackwardStrategy, Chooser, Config, Strategy, StrategyRequest},
    partition::lowering::{ALL, AttnInputs, emit, illegal},
    schedule::{OverlapCollectives, PlanMemory, plan_memory::ARENA_BYTES},
    simulate::simulate,
    strategy::{
        cost_model::{CostContext, Target},
        egraph, naive,
    },
};
use seq_ir::{AttentionConfig, Attr, Builder, DType, Graph, OpKind, TensorType, builder::attrs, verify::shard_rows};
use std::collections::BTreeMap;

/// What a chooser decided for one layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerChoice {
    /// Replicate form on sharded rows: gather q, k and v, attend over the whole sequence, keep
    /// the local rows.
    Full,
    /// Candidate `k` of `Costs::candidates`, on sharded rows.
    Split(usize),
    /// Kept whole: q, k and v are already whole on every rank (the segment before the layer runs
    /// whole), so the layer attends with no collective and hands on whole rows.
    Whole,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// Whether the program is split at all (false: every rank runs the whole model).
    pub split: bool,
    pub layers: Vec<LayerChoice>,
    /// `whole_segments[i]`: token-wise segment i (before layer i; index = layers: after the
    /// last) runs on whole rows rather than on the rank's rows.
    pub whole_segments: Vec<bool>,
    pub predicted: f64,
}

impl Decision {
    /// The program run whole on every device.
    pub fn unsplit(layers: usize, predicted: f64) -> Self {
        Self {
            split: false,
            layers: vec![LayerChoice::Full; layers],
            whole_segments: vec![false; layers + 1],
            predicted,
        }
    }
}

/// The price of moving the residual stream between layouts (sharded rows and whole), in
/// seconds on one rank. Segment i is the token-wise work before layer i (index = layers: after
/// the last). Indexed by segment, `layers + 1` entries each.
#[derive(Clone, Debug, Default)]
pub struct LayoutCosts {
    /// Gathering whole (`seq.unshard`) the per-token values segment i reads from before it.
    pub gather_in: Vec<f64>,
    /// Cutting those values to the rank's rows (`seq.shard`).
    pub cut_in: Vec<f64>,
    /// Gathering what segment i hands on whole: layer i's q, k, v (and segments), or for the
    /// last segment the program's per-token results.
    pub gather_out: Vec<f64>,
    /// Cutting those to the rank's rows.
    pub cut_out: Vec<f64>,
    /// Arguments arrive, and results leave, as each rank's rows (`--sharded-io`).
    pub sharded_io: bool,
    /// Whether segment i, and layer i, fit the memory budget run whole: the weights plus the
    /// largest op's whole operands and results (an estimate below the arena's peak; a program
    /// over budget is still refused after lowering).
    pub segment_fits: Vec<bool>,
    pub layer_fits: Vec<bool>,
}

/// Everything a chooser needs, in seconds on one rank.
#[derive(Clone, Debug, Default)]
pub struct Costs {
    pub candidates: Vec<Strategy>,
    /// `backward[k]`: how candidate k's backward runs in a training step. A ring layer is two
    /// candidates there, its backward around the ring and as Ulysses, each priced with its own
    /// backward and held to the memory budget on its own, so the extraction (not a pre-folded
    /// minimum) picks the pair; empty outside training (every backward as its forward).
    pub backward: Vec<BackwardStrategy>,
    /// `split[layer][k]`: time of layer's attention under candidate k (infinite when illegal
    /// or over the memory budget).
    pub split: Vec<Vec<f64>>,
    /// Why candidate k is not allowed for a layer, when it is not.
    pub excluded: Vec<Vec<Option<String>>>,
    /// `peak[layer][k]`: bytes per device of weights and the layer's peak under candidate k
    /// (None: illegal), what the memory budget is held against.
    pub peak: Vec<Vec<Option<u64>>>,
    /// `replicate[layer]`: the layer in replicate form inside a split program (gather q/k/v,
    /// attend over the whole sequence, keep the local rows).
    pub replicate: Vec<f64>,
    /// Attention over the whole sequence on one device, in the unsplit program.
    pub full_attention: Vec<f64>,
    /// Token-wise work before layer i (index = layers: after the last), whole and sharded.
    pub tok_full: Vec<f64>,
    pub tok_sharded: Vec<f64>,
    /// Moving between layouts at segment boundaries.
    pub layout: LayoutCosts,
}

fn at(v: &[f64], i: usize) -> f64 {
    v.get(i).copied().unwrap_or(0.0)
}

impl Costs {
    /// How candidate k's backward runs.
    pub fn backward_of(&self, k: usize) -> BackwardStrategy {
        self.backward.get(k).copied().unwrap_or(BackwardStrategy::AsForward)
    }

    /// Candidate k by name: its strategy, and its backward where that is not the forward's.
    pub fn name(&self, k: usize) -> String {
        match self.backward_of(k) {
            BackwardStrategy::Ulysses => format!("{} (ulysses backward)", self.candidates[k]),
            _ => self.candidates[k].to_string(),
        }
    }

    /// The program run whole on every device.
    pub fn whole(&self) -> f64 {
        self.tok_full.iter().sum::<f64>() + self.full_attention.iter().sum::<f64>()
    }

    /// Cutting the arguments to the rank's rows at entry (nothing when they arrive so).
    pub fn entry(&self) -> f64 {
        if self.layout.sharded_io { 0.0 } else { at(&self.layout.cut_in, 0) }
    }

    /// Assembling sharded results at exit (nothing when they leave as the rank's rows).
    pub fn exit(&self) -> f64 {
        if self.layout.sharded_io { 0.0 } else { at(&self.layout.gather_out, self.tok_sharded.len().saturating_sub(1)) }
    }

    /// A program that keeps every segment on sharded rows, each layer as `layers` says (a layer
    /// kept whole is not possible there: infinite).
    pub fn sharded_program(&self, layers: &[LayerChoice]) -> f64 {
        let attention: f64 = layers
            .iter()
            .enumerate()
            .map(|(i, c)| match c {
                LayerChoice::Full => at(&self.replicate, i),
                LayerChoice::Split(k) => self.split.get(i).and_then(|l| l.get(*k)).copied().unwrap_or(f64::INFINITY),
                LayerChoice::Whole => f64::INFINITY,
            })
            .sum();
        self.entry() + self.tok_sharded.iter().sum::<f64>() + attention + self.exit()
    }
}

/// One attention layer as the chooser sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    pub cfg: AttentionConfig,
    pub dtype: DType,
    pub segments: bool,
}

/// Time and memory of one layer's attention under one strategy.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LayerPrice {
    pub seconds: f64,
    pub peak_bytes: u64,
}

/// Candidate splits for the target: the fixed strategies, then every hybrid with both degrees
/// above 1 whose Ulysses groups (consecutive ranks) each sit inside one node. A hybrid whose
/// groups would straddle two nodes (12 devices at 8 per node, ulysses 6: ranks 6-11) is not
/// offered; plain Ulysses over more than a node is offered and priced at the inter-node rate.
pub fn candidates(target: &Target) -> Vec<Strategy> {
    let devices = target.devices;
    let mut out = vec![Strategy::Ulysses, Strategy::Ring, Strategy::AllGatherKv, Strategy::Halo];
    for u in 2..devices {
        if devices.is_multiple_of(u) && !target.axis_crosses_nodes("ulysses", u) {
            out.push(Strategy::Hybrid { ulysses: u, ring: devices / u });
        }
    }
    out
}

fn layout(cfg: &AttentionConfig) -> &'static str {
    if cfg.causal { "zigzag" } else { "block" }
}

/// The backward forms a training step may give a layer split by `strategy`: a ring layer's both
/// ways when the chooser decides (`--backward-strategy auto`), else the one asked for.
pub fn backward_modes(config: &Config, strategy: Strategy) -> Vec<BackwardStrategy> {
    match (config.train, strategy, config.backward) {
        (true, Strategy::Ring, BackwardStrategy::Auto) => vec![BackwardStrategy::AsForward, BackwardStrategy::Ulysses],
        (true, Strategy::Ring, BackwardStrategy::Ulysses) => vec![BackwardStrategy::Ulysses],
        _ => vec![BackwardStrategy::AsForward],
    }
}

/// Prices one layer under `strategy` with its backward as `mode` (in a training step) by
/// lowering it alone and simulating the result.
pub fn price_layer(
    layer: &Layer,
    seq: i64,
    strategy: Strategy,
    config: &Config,
    mode: BackwardStrategy,
) -> Result<LayerPrice, String> {
    let n = config.target.devices;
    let rows = if n == 1 { seq } else { shard_rows(layout(&layer.cfg), seq, n as i64) };
    let c = &layer.cfg;
    let mut g = Graph::new("layer");
    let q = g.add_arg(TensorType::new([rows, c.num_heads * c.head_dim], layer.dtype).into());
    let k = g.add_arg(TensorType::new([rows, c.num_kv_heads * c.head_dim], layer.dtype).into());
    let v = g.add_arg(TensorType::new([rows, c.num_kv_heads * c.head_dim], layer.dtype).into());
    let seg = layer.segments.then(|| g.add_arg(TensorType::new([rows], DType::I32).into()));
    let mut b = Builder::new(&mut g);
    let index = b
        .one(
            OpKind::TokenIndex,
            &[],
            attrs([
                ("layout", Attr::Str(layout(c).into())),
                ("num_shards", Attr::Int(n as i64)),
                ("global_size", Attr::Int(seq)),
                ("axis", Attr::Str(ALL.into())),
            ]),
        )
        .map_err(|e| e.to_string())?;
    let out = if n == 1 {
        b.attention(q, k, v, seg, c).map_err(|e| e.to_string())?
    } else {
        emit(&mut b, strategy, &AttnInputs { q, k, v, index, segments: seg, cfg: *c, dtype: layer.dtype }, n, 1)
            .map_err(|e| e.to_string())?
    };
    g.results = vec![out];
    // A training step's layer is priced with its backward: the transposed transfers and the
    // attention backward decide between strategies as much as the forward's do.
    if config.train {
        g.module_attrs.insert("seq.devices".into(), Attr::Int(n as i64));
        g.module_attrs.insert("seq.split".into(), Attr::Bool(n > 1));
        crate::partition::autodiff::append_backward(&mut g, mode).map_err(|e| e.to_string())?;
    }
    OverlapCollectives.run(&mut g).map_err(|e| e.to_string())?;
    PlanMemory.run(&mut g).map_err(|e| e.to_string())?;
    let ulysses = match strategy {
        Strategy::Hybrid { ulysses, .. } => ulysses,
        _ => 1,
    };
    let share = if n == 1 || strategy == Strategy::Replicate { 1 } else { n };
    let schedule = simulate(&g, &config.target, &CostContext { seq_len: seq, ulysses, attention_share: share });
    let peak = g.module_attrs.get(ARENA_BYTES).and_then(Attr::as_int).unwrap_or(0) as u64;
    Ok(LayerPrice { seconds: schedule.makespan, peak_bytes: peak })
}

fn layers_of(g: &Graph) -> Result<Vec<Layer>, String> {
    g.ops_of(OpKind::Attention)
        .map(|(_, op)| {
            let cfg = AttentionConfig::from_attrs(&op.attrs).ok_or("attention without its attributes")?;
            let dtype = g.ty(op.operands[0]).tensor().map(|t| t.dtype).ok_or("attention q is not a tensor")?;
            Ok(Layer { cfg, dtype, segments: op.operands.len() == 4 })
        })
        .collect()
}

/// Time of the token-wise ops before each attention layer and after the last, whole.
fn tokenwise_segments(g: &Graph, config: &Config, seq: i64) -> Vec<(f64, usize)> {
    let ctx = CostContext { seq_len: seq, ulysses: 1, attention_share: 1 };
    let mut segs = vec![(0.0, 0usize)];
    for (_, op) in g.body_ops() {
        if op.kind == OpKind::Attention {
            segs.push((0.0, 0));
            continue;
        }
        let (_, cost) = config.target.op_cost(g, op, &ctx);
        if let Some(last) = segs.last_mut() {
            last.0 += cost.seconds;
            last.1 += usize::from(cost.seconds > 0.0);
        }
    }
    segs
}

/// Per-token values: the arguments split with the sequence and everything computed from them.
fn per_token_values(g: &Graph, seq: i64) -> Vec<bool> {
    let mut tok = vec![false; g.values.len()];
    for a in &g.args {
        tok[a.0 as usize] = crate::partition::shard_sequence::per_token(g.ty(*a), seq);
    }
    for (_, op) in g.body_ops() {
        if op.operands.iter().any(|v| tok[v.0 as usize]) {
            for r in &op.results {
                tok[r.0 as usize] = true;
            }
        }
    }
    tok
}

/// Prices the layout changes at every boundary: segment i's entry (position 2i) and its exit
/// into layer i (2i + 1; after the last segment, the results). Every per-token value live
/// across the boundary is gathered whole (`seq.unshard`, an all-gather of the local rows) or cut
/// to the rank's rows (`seq.shard`, a copy), as `seq-shard-sequence` emits them. The lowering
/// converts a value only where a unit in the other layout reads it, and once: pricing every live
/// value is an upper bound, so the e-graph never counts on a saving the program does not realise.
fn layout_costs(g: &Graph, config: &Config, seq: i64) -> LayoutCosts {
    let t = &config.target;
    let n = t.devices;
    let causal = g.ops_of(OpKind::Attention).any(|(_, op)| op.bool("causal") == Some(true));
    let local = shard_rows(if causal { "zigzag" } else { "block" }, seq, n as i64);
    let tok = per_token_values(g, seq);
    let layers = g.ops_of(OpKind::Attention).count();
    // Positions: arguments 0, segment i 2i + 1, layer i 2i + 2, the results 2 layers + 2; the
    // boundary before position p is crossed by values defined before p and read at p or later.
    let mut def = vec![0usize; g.values.len()];
    let mut last = vec![0usize; g.values.len()];
    let mut seg = 0;
    for (_, op) in g.body_ops() {
        let position = if op.kind == OpKind::Attention { 2 * seg + 2 } else { 2 * seg + 1 };
        for v in &op.operands {
            last[v.0 as usize] = last[v.0 as usize].max(position);
        }
        for r in &op.results {
            def[r.0 as usize] = position;
        }
        seg += usize::from(op.kind == OpKind::Attention);
    }
    for r in &g.results {
        last[r.0 as usize] = 2 * layers + 2;
    }
    // The largest op run whole at each position.
    let mut peak = vec![0u64; 2 * layers + 3];
    let mut seg = 0;
    for (_, op) in g.body_ops() {
        let position = if op.kind == OpKind::Attention { 2 * seg + 2 } else { 2 * seg + 1 };
        let bytes: u64 =
            op.operands.iter().chain(&op.results).filter_map(|v| g.ty(*v).tensor()).map(|t| t.size_bytes()).sum();
        peak[position] = peak[position].max(bytes);
        seg += usize::from(op.kind == OpKind::Attention);
    }
    let params = crate::analysis::ModelSummary::of(g).param_bytes;
    let fits = |p: usize| peak[p] + params <= t.memory_budget;
    let args: Vec<bool> = (0..g.values.len()).map(|i| g.args.iter().any(|a| a.0 as usize == i)).collect();
    let live = |p: usize, gather: bool| -> Vec<usize> {
        // Arguments arrive whole, or as rows under --sharded-io: that form costs nothing.
        let free = |i: usize| args[i] && gather != config.sharded_io;
        (0..g.values.len()).filter(|&i| tok[i] && def[i] < p && last[i] >= p && !free(i)).collect()
    };
    let whole_bytes = |i: usize| g.values[i].ty.tensor().map_or(0.0, |t| t.size_bytes() as f64);
    let local_bytes = |i: usize| whole_bytes(i) * local as f64 / seq.max(1) as f64;
    let gather = |p: usize| -> f64 {
        live(p, true).into_iter().map(|i| t.collective_cost(OpKind::AllGather, local_bytes(i), n, ALL, 1).seconds).sum()
    };
    let cut =
        |p: usize| -> f64 { live(p, false).into_iter().map(|i| t.memory_bound(whole_bytes(i) + local_bytes(i))).sum() };
    LayoutCosts {
        gather_in: (0..=layers).map(|i| gather(2 * i + 1)).collect(),
        cut_in: (0..=layers).map(|i| cut(2 * i + 1)).collect(),
        gather_out: (0..=layers).map(|i| gather(2 * i + 2)).collect(),
        cut_out: (0..=layers).map(|i| cut(2 * i + 2)).collect(),
        sharded_io: config.sharded_io,
        segment_fits: (0..=layers).map(|i| fits(2 * i + 1)).collect(),
        layer_fits: (0..layers).map(|i| fits(2 * i + 2)).collect(),
    }
}

/// Prices every candidate for every layer, within the memory budget.
pub fn costs(g: &Graph, config: &Config) -> Result<Costs, String> {
    let layers = layers_of(g)?;
    let seq = crate::partition::shard_sequence::sequence_length(g)?.unwrap_or(1);
    let n = config.target.devices;
    // Each strategy with each backward it may take (a training ring layer: two candidates).
    let (all, modes): (Vec<Strategy>, Vec<BackwardStrategy>) =
        candidates(&config.target).into_iter().flat_map(|s| backward_modes(config, s).into_iter().map(move |m| (s, m))).unzip();
    let wanted = |s: &Strategy| match config.strategy {
        StrategyRequest::Auto | StrategyRequest::Replicate => true,
        StrategyRequest::Ulysses => *s == Strategy::Ulysses,
        StrategyRequest::Ring => *s == Strategy::Ring,
        StrategyRequest::AllGatherKv => *s == Strategy::AllGatherKv,
        StrategyRequest::Halo => *s == Strategy::Halo,
        StrategyRequest::Hybrid => matches!(s, Strategy::Hybrid { .. }),
    };
    let params = crate::analysis::ModelSummary::of(g).param_bytes;
    let mut out = Costs { candidates: all.clone(), backward: modes.clone(), ..Costs::default() };
    // Per distinct layer: candidate prices, exclusion reasons, whole attention, replicate form.
    type Priced = (Vec<f64>, Vec<Option<String>>, Vec<Option<u64>>, f64, f64);
    let mut cache: BTreeMap<String, Priced> = BTreeMap::new();
    let single = Config {
        target: crate::strategy::cost_model::Target { devices: 1, ..config.target.clone() },
        ..config.clone()
    };
    for layer in &layers {
        let key = format!("{layer:?}");
        if !cache.contains_key(&key) {
            let mut prices = Vec::new();
            let mut why = Vec::new();
            let priced: Vec<Result<LayerPrice, String>> = all
                .iter()
                .zip(&modes)
                .map(|(s, mode)| match illegal(*s, &layer.cfg, n) {
                    Some(r) => Err(r),
                    None => price_layer(layer, seq, *s, config, *mode),
                })
                .collect();
            // A split over the budget is excluded while another one fits; when none fits, none
            // is excluded for memory (a training step's recompute planner may still fit the
            // cheapest, and keeping the layer whole would need more memory than any of them).
            let over = |p: &LayerPrice| p.peak_bytes + params > config.target.memory_budget;
            let some_fit = priced.iter().flatten().any(|p| !over(p));
            let peaks: Vec<Option<u64>> = priced.iter().map(|p| p.as_ref().ok().map(|p| p.peak_bytes + params)).collect();
            for price in priced {
                let price = price.and_then(|p| {
                    if some_fit && over(&p) {
                        Err(format!(
                            "needs {:.1} GiB per device, over the {:.1} GiB budget",
                            gib(p.peak_bytes + params),
                            gib(config.target.memory_budget)
                        ))
                    } else {
                        Ok(p.seconds)
                    }
                });
                prices.push(price.as_ref().copied().unwrap_or(f64::INFINITY));
                why.push(price.err());
            }
            // A forced strategy applies where it can; elsewhere the layer falls back to auto.
            if all.iter().zip(&prices).any(|(s, p)| wanted(s) && p.is_finite()) {
                for (k, s) in all.iter().enumerate() {
                    if !wanted(s) {
                        prices[k] = f64::INFINITY;
                        why[k] = Some("--strategy asks for another strategy".into());
                    }
                }
            }
            let as_forward = BackwardStrategy::AsForward;
            let full = price_layer(layer, seq, Strategy::Replicate, &single, as_forward)?.seconds;
            let replicate = price_layer(layer, seq, Strategy::Replicate, config, as_forward)?.seconds;
            cache.insert(key.clone(), (prices, why, peaks, full, replicate));
        }
        let (prices, why, peaks, full, replicate) = &cache[&key];
        out.split.push(prices.clone());
        out.excluded.push(why.clone());
        out.peak.push(peaks.clone());
        out.full_attention.push(*full);
        out.replicate.push(*replicate);
    }
    for (seconds, kernels) in tokenwise_segments(g, config, seq) {
        let launches = kernels as f64 * config.target.profile.kernel_launch_us * 1e-6;
        out.tok_full.push(seconds);
        out.tok_sharded.push((seconds - launches).max(0.0) / n as f64 + launches);
    }
    out.layout = layout_costs(g, config, seq);
    Ok(out)
}

pub fn gib(bytes: u64) -> f64 {
    bytes as f64 / (1u64 << 30) as f64
}

/// Decides every layer's strategy for `g` on `config.target`.
pub fn decide(g: &Graph, config: &Config) -> Result<(Costs, Decision), String> {
    let layers = layers_of(g)?.len();
    if config.target.devices == 1 || layers == 0 || config.strategy == StrategyRequest::Replicate {
        return Ok((Costs::default(), Decision::unsplit(layers, 0.0)));
    }
    let costs = costs(g, config)?;
    let decision = match (config.strategy, config.chooser) {
        (StrategyRequest::Auto, Chooser::EGraph) => egraph::choose(&costs),
        (StrategyRequest::Auto, Chooser::Naive) => naive::choose(&costs),
        _ => forced(&costs),
    };
    Ok((costs, decision))
}

/// A forced strategy splits every layer: `costs` already allows only the forced strategy where it
/// is legal, and every split elsewhere (the fallback).
fn forced(costs: &Costs) -> Decision {
    let layers: Vec<LayerChoice> = costs
        .split
        .iter()
        .map(|prices| {
            prices
                .iter()
                .enumerate()
                .filter(|(_, p)| p.is_finite())
                .min_by(|a, b| a.1.total_cmp(b.1))
                .map_or(LayerChoice::Full, |(k, _)| LayerChoice::Split(k))
        })
        .collect();
    let predicted = if layers.contains(&LayerChoice::Full) { f64::INFINITY } else { costs.sharded_program(&layers) };
    let whole_segments = vec![false; layers.len() + 1];
    Decision { split: layers.iter().any(|c| matches!(c, LayerChoice::Split(_))), layers, whole_segments, predicted }
}

/// Module attribute: the token-wise segments kept whole (see `Decision::whole_segments`).
pub const WHOLE_SEGMENTS: &str = "seq.whole_segments";

/// The `strategy` of a layer kept whole.
pub const WHOLE: &str = "whole";

pub struct ChooseStrategy {
    pub config: Config,
}

impl Pass for ChooseStrategy {
    fn name(&self) -> &'static str {
        "seq-choose-strategy"
    }

    fn summary(&self) -> &'static str {
        "Choose each attention layer's split with the cost model and the e-graph"
    }

    fn run(&self, g: &mut Graph) -> Result<(), PassError> {
        let (costs, decision) =
            decide(g, &self.config).map_err(|m| PassError::Precondition { pass: self.name(), message: m })?;
        let n = self.config.target.devices;
        // One mesh per program: hybrids must agree on their degrees; the most common wins.
        let mut hybrids: BTreeMap<Strategy, usize> = BTreeMap::new();
        for c in &decision.layers {
            if let LayerChoice::Split(k) = c
                && let s @ Strategy::Hybrid { .. } = costs.candidates[*k]
            {
                *hybrids.entry(s).or_default() += 1;
            }
        }
        let mesh = hybrids.iter().max_by_key(|(_, count)| **count).map(|(s, _)| *s);
        g.module_attrs.insert("seq.devices".into(), Attr::Int(n as i64));
        g.module_attrs.insert("seq.split".into(), Attr::Bool(decision.split));
        let whole: Vec<i64> = (0..decision.whole_segments.len())
            .filter(|&i| decision.split && decision.whole_segments[i])
            .map(|i| i as i64)
            .collect();
        if whole.is_empty() {
            g.module_attrs.remove(WHOLE_SEGMENTS);
        } else {
            g.module_attrs.insert(WHOLE_SEGMENTS.into(), Attr::Ints { values: whole, width: 64 });
        }
        if let Some(Strategy::Hybrid { ulysses, ring }) = mesh {
            g.module_attrs.insert("seq.mesh".into(), Attr::Str(format!("ring={ring},ulysses={ulysses}")));
        }
        let mut ulysses_backward = Vec::new();
        let ids: Vec<_> = g.ops_of(OpKind::Attention).map(|(id, _)| id).collect();
        for (i, id) in ids.into_iter().enumerate() {
            if decision.split && decision.layers.get(i) == Some(&LayerChoice::Whole) {
                let op = g.op_mut(id);
                op.attrs.insert("layer".into(), Attr::Int(i as i64));
                op.attrs.insert("strategy".into(), Attr::Str(WHOLE.into()));
                continue;
            }
            let (mut strategy, backward) = match decision.layers.get(i) {
                Some(LayerChoice::Split(k)) if decision.split => (costs.candidates[*k], costs.backward_of(*k)),
                _ => (Strategy::Replicate, BackwardStrategy::AsForward),
            };
            if let (Strategy::Hybrid { .. }, Some(m)) = (strategy, mesh) {
                strategy = m;
            }
            // A training step's ring layer extracted with its Ulysses backward.
            if strategy == Strategy::Ring && backward == BackwardStrategy::Ulysses {
                ulysses_backward.push(i as i64);
            }
            let op = g.op_mut(id);
            op.attrs.insert("layer".into(), Attr::Int(i as i64));
            op.attrs.insert("strategy".into(), Attr::Str(strategy.name().into()));
            if let Strategy::Hybrid { ulysses, ring } = strategy {
                op.attrs.insert("ulysses".into(), Attr::Int(ulysses as i64));
                op.attrs.insert("ring".into(), Attr::Int(ring as i64));
            }
            let mut fallback = forced_fallback(&self.config, &costs, i, strategy);
            let groups = self.config.head_groups;
            if strategy == Strategy::Ulysses && groups > 1 {
                let why = match AttentionConfig::from_attrs(&op.attrs) {
                    Some(c) => crate::partition::lowering::head_groups_illegal(&c, n, groups),
                    None => Some("no attention config".into()),
                };
                match why {
                    None => {
                        op.attrs.insert("head_groups".into(), Attr::Int(groups as i64));
                    }
                    Some(why) => fallback = fallback.or(Some(why + "; one group")),
                }
            }
            if let Some(reason) = fallback {
                op.attrs.insert("fallback".into(), Attr::Str(reason));
            }
        }
        if ulysses_backward.is_empty() {
            g.module_attrs.remove(crate::partition::autodiff::ULYSSES_BACKWARD);
        } else {
            let values = ulysses_backward;
            g.module_attrs.insert(crate::partition::autodiff::ULYSSES_BACKWARD.into(), Attr::Ints { values, width: 64 });
        }
        Ok(())
    }
}

/// When `--strategy X` could not be honoured for layer `i`, why.
fn forced_fallback(config: &Config, costs: &Costs, i: usize, chosen: Strategy) -> Option<String> {
    let asked = match config.strategy {
        StrategyRequest::Auto | StrategyRequest::Replicate => return None,
        StrategyRequest::Ulysses => Strategy::Ulysses,
        StrategyRequest::Ring => Strategy::Ring,
        StrategyRequest::AllGatherKv => Strategy::AllGatherKv,
        StrategyRequest::Halo => Strategy::Halo,
        StrategyRequest::Hybrid => {
            if matches!(chosen, Strategy::Hybrid { .. }) {
                return None;
            }
            let excluded = costs.excluded.get(i)?;
            let reasons = costs.candidates.iter().zip(excluded).filter(|(s, _)| matches!(s, Strategy::Hybrid { .. }));
            let why: Vec<String> = reasons.filter_map(|(s, r)| r.as_ref().map(|r| format!("{s}: {r}"))).collect();
            return Some(if why.is_empty() {
                format!("no hybrid mesh fits {} devices", config.target.devices)
            } else {
                why.join("; ")
            });
        }
    };
    if chosen == asked {
        return None;
    }
    let k = costs.candidates.iter().position(|s| *s == asked)?;
    costs.excluded.get(i).and_then(|e| e[k].clone()).map(|r| format!("{asked} not used: {r}"))
}
