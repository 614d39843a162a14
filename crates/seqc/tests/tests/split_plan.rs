//! What a compiled plan must hold for each attention layer: the strategy and degree the report
//! names, and the plan's own evidence that it split that way over that many ranks (the
//! collectives' groups and axes, the heads and rows each rank attends over, the ring's merges,
//! the rows token-wise work runs on), read from the plan's steps rather than from the report.
//!
//! A split program may keep a layer whole (`whole` in the report): a plain attention over every
//! row on every rank, its inputs gathered from the ranks' rows and its output cut back to them.
//! No case expects a token-wise segment kept whole (`seq.whole_segments`): token-wise work must
//! run on each rank's rows, so a plan with such a segment fails the check.

use seq_frontends::DecoderConfig;
use seq_runtime::Plan;
use seqc::Compiled;

/// How every attention layer of a program is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// Not split: every rank runs the whole model. One rank, or `--strategy replicate`, whose
    /// attention is unsplit by definition; the program then splits no token-wise work either.
    Whole,
    Ulysses { degree: usize, groups: usize },
    Ring(usize),
    AllGatherKv(usize),
    /// Halo exchange over `n` ranks (a causal sliding window).
    Halo(usize),
    Hybrid { ulysses: usize, ring: usize },
    /// A layer kept whole in a split program: every rank attends over all rows with a plain
    /// attention, no collective of its own; its q, k and v are gathered from the ranks' rows
    /// (`unshard`) unless they are whole arguments, and its output is cut back to them
    /// (`shard`) unless it is a result.
    WholeLayer,
    /// Some hybrid over `n` ranks (u x r = n, both > 1): where the test does not name the mesh.
    AnyHybrid(usize),
    /// Some split strategy over all `n` ranks: a fallback on random shapes, which the cost model
    /// picks. The plan must still show that strategy at that degree.
    AnyOver(usize),
    /// What auto may pick over `n` ranks: some split over all `n`, or a layer kept whole (on
    /// random shapes the cost model decides). The plan must show whichever the report names.
    AnyOverOrWhole(usize),
}

/// The plan a case expects: its split, and for a forced strategy that could not be honoured, a
/// phrase the layer's fallback note must contain (none: no note allowed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expect {
    pub split: Split,
    pub note: Option<&'static str>,
}

impl Expect {
    pub fn exactly(split: Split) -> Self {
        Self { split, note: None }
    }

    pub fn fallback(note: &'static str, split: Split) -> Self {
        Self { split, note: Some(note) }
    }
}

/// The model's shape as the test built it (not as the compiler read it back).
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub layers: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub seq: usize,
    pub causal: bool,
    pub window: Option<usize>,
}

impl Shape {
    pub fn of(cfg: &DecoderConfig, layers: usize) -> Self {
        Self {
            layers,
            heads: cfg.heads as usize,
            kv_heads: cfg.kv_heads as usize,
            seq: cfg.seq_len as usize,
            causal: cfg.causal,
            window: cfg.window.map(|w| w as usize),
        }
    }

    /// Rows each of `n` ranks holds: causal models are split zigzag (two chunks per rank, so
    /// every rank gets early and late rows), others in blocks; both pad the sequence.
    pub fn local_rows(&self, n: usize) -> usize {
        if self.causal { 2 * self.seq.div_ceil(2 * n) } else { self.seq.div_ceil(n) }
    }

    /// A halo exchange over `n` ranks, where the window allows one: how many chunk tails move
    /// (3K − 1 for a window reaching K chunks back) and the rows of each (the reach within one
    /// chunk, else whole chunks). None: no causal window, or it reaches back over more than
    /// half of the ranks' chunks.
    pub fn halo(&self, n: usize) -> Option<(usize, usize)> {
        let w = self.window.filter(|_| self.causal)?;
        let (chunk, reach) = (self.local_rows(n) / 2, w - 1);
        let hops = reach.div_ceil(chunk.max(1));
        (2 * hops <= n).then_some((if hops == 0 { 0 } else { 3 * hops - 1 }, reach.min(chunk)))
    }

    /// Whether Ulysses can move whole heads over `n` ranks: query heads divide, and KV heads
    /// either divide or are repeated onto the ranks.
    pub fn ulysses_fits(&self, n: usize) -> bool {
        self.heads.is_multiple_of(n) && (self.kv_heads.is_multiple_of(n) || n.is_multiple_of(self.kv_heads))
    }
}

/// A layer's split as the report labels it, at `n` ranks.
fn parse_label(label: &str, n: usize) -> Option<Split> {
    Some(match label {
        "replicate" => Split::Whole,
        "ulysses" => Split::Ulysses { degree: n, groups: 1 },
        "ring" => Split::Ring(n),
        "allgather-kv" => Split::AllGatherKv(n),
        "halo" => Split::Halo(n),
        "whole" => Split::WholeLayer,
        _ => {
            if let Some(g) = label.strip_prefix("ulysses(").and_then(|r| r.strip_suffix(" head groups)")) {
                Split::Ulysses { degree: n, groups: g.parse().ok()? }
            } else {
                let (u, r) = label.strip_prefix("hybrid(")?.strip_suffix(')')?.split_once('x')?;
                Split::Hybrid { ulysses: u.parse().ok()?, ring: r.parse().ok()? }
            }
        }
    })
}

fn label_of(split: Split) -> String {
    match split {
        Split::Whole => "replicate".into(),
        Split::Ulysses { groups: 1, .. } => "ulysses".into(),
        Split::Ulysses { groups, .. } => format!("ulysses({groups} head groups)"),
        Split::Ring(_) => "ring".into(),
        Split::AllGatherKv(_) => "allgather-kv".into(),
        Split::Halo(_) => "halo".into(),
        Split::WholeLayer => "whole".into(),
        Split::Hybrid { ulysses, ring } => format!("hybrid({ulysses}x{ring})"),
        Split::AnyHybrid(n) => format!("hybrid(u x r = {n})"),
        Split::AnyOver(n) => format!("any split over {n}"),
        Split::AnyOverOrWhole(n) => format!("any split over {n}, or whole"),
    }
}

const COLLECTIVES: [&str; 5] = ["all_to_all", "all_gather", "collective_permute", "all_reduce", "reduce_scatter"];

/// One collective of the plan: kind, axis, group size.
#[derive(Debug)]
struct Coll {
    kind: String,
    axis: String,
    group: usize,
}

fn step_str<'a>(s: &'a seq_runtime::Step, key: &str) -> Option<&'a str> {
    s.attrs().str(key).ok()
}

fn step_int(s: &seq_runtime::Step, key: &str) -> Option<i64> {
    s.attrs().int(key).ok()
}

fn collective(s: &seq_runtime::Step) -> Option<Coll> {
    let kind = if s.op == "async_start" { step_str(s, "collective")?.trim_start_matches("seq.").to_string() } else { s.op.clone() };
    COLLECTIVES.contains(&kind.as_str()).then(|| Coll {
        kind,
        axis: step_str(s, "axis").unwrap_or("").to_string(),
        group: step_int(s, "group_size").unwrap_or(0) as usize,
    })
}

fn rows(plan: &Plan, v: u32) -> usize {
    plan.values.get(v as usize).and_then(|d| d.shape.first()).map_or(0, |&r| r.max(0) as usize)
}

/// Checks that `c`, compiled for `n` ranks, holds `expect` for every attention layer of `shape`.
pub fn check_plan(c: &Compiled, shape: &Shape, n: usize, expect: &Expect) -> Result<(), String> {
    let r = &c.report;
    let plan = &c.plan;
    if r.layers.len() != shape.layers {
        return Err(format!("the report has {} attention layers, the model {}", r.layers.len(), shape.layers));
    }
    if r.devices != n || plan.devices != n {
        return Err(format!("compiled for {} devices (plan {}), asked {n}", r.devices, plan.devices));
    }
    let linear_rows: Vec<usize> = plan.steps.iter().filter(|s| s.op == "linear").map(|s| rows(plan, s.operands[0])).collect();
    if expect.split == Split::Whole {
        if r.split {
            return Err("the program is split; expected every rank to run the whole model".into());
        }
        for l in &r.layers {
            if l.strategy != "replicate" {
                return Err(format!("layer {} is {}, expected replicate", l.layer, l.strategy));
            }
        }
        // The replicate layout: no collective, no shard or unshard, each layer one attention
        // over every row, and token-wise work over every row too.
        if let Some(s) = plan.steps.iter().find(|s| collective(s).is_some() || ["shard", "unshard", "attention_partial"].contains(&s.op.as_str())) {
            return Err(format!("an unsplit plan has '{}'", s.op));
        }
        let attn: Vec<usize> = plan.steps.iter().filter(|s| s.op == "attention").map(|s| rows(plan, s.operands[0])).collect();
        if attn.len() != shape.layers || attn.iter().any(|&q| q != shape.seq) {
            return Err(format!("attention query rows {attn:?}; expected {} layers over all {} rows", shape.layers, shape.seq));
        }
        if let Some(&bad) = linear_rows.iter().find(|&&x| x != shape.seq) {
            return Err(format!("a token-wise linear runs on {bad} rows of {} in an unsplit plan", shape.seq));
        }
        return check_notes(c, expect);
    }
    if !r.split {
        return Err(format!("the program is not split; expected {}", label_of(expect.split)));
    }
    let local = shape.local_rows(n);
    // Token-wise work runs on each rank's own rows.
    if let Some(&bad) = linear_rows.iter().find(|&&x| x != local) {
        return Err(format!("a token-wise linear runs on {bad} rows; each of {n} ranks holds {local}"));
    }
    for l in &r.layers {
        let got = parse_label(&l.strategy, n).ok_or_else(|| format!("layer {}: unknown strategy '{}'", l.layer, l.strategy))?;
        let split = match expect.split {
            Split::AnyHybrid(m) if matches!(got, Split::Hybrid { ulysses, ring } if ulysses * ring == m && ulysses > 1 && ring > 1) => got,
            Split::AnyOver(m) if m == n && !matches!(got, Split::Whole | Split::WholeLayer) => got,
            Split::AnyOverOrWhole(m) if m == n && got != Split::Whole => got,
            want => want,
        };
        if got != split {
            return Err(format!("layer {} is {}, expected {} over {n}", l.layer, l.strategy, label_of(expect.split)));
        }
        check_layer(c, shape, n, l.layer, split).map_err(|m| format!("layer {} ({}): {m}", l.layer, l.strategy))?;
    }
    check_notes(c, expect)
}

fn check_notes(c: &Compiled, expect: &Expect) -> Result<(), String> {
    for l in &c.report.layers {
        match (expect.note, &l.fallback) {
            (None, Some(f)) => return Err(format!("layer {} fell back: {f}", l.layer)),
            (Some(want), None) => return Err(format!("layer {} has no fallback note; expected one naming '{want}'", l.layer)),
            (Some(want), Some(f)) if !f.contains(want) => return Err(format!("layer {}'s fallback note '{f}' does not name '{want}'", l.layer)),
            _ => {}
        }
    }
    Ok(())
}

/// The plan's evidence for one layer's split: what each strategy must and must not contain.
fn check_layer(c: &Compiled, shape: &Shape, n: usize, layer: i64, split: Split) -> Result<(), String> {
    let plan = &c.plan;
    let mine: Vec<&seq_runtime::Step> = plan.steps.iter().filter(|s| step_int(s, "layer") == Some(layer)).collect();
    if split == Split::WholeLayer {
        return check_whole_layer(plan, shape, n, &mine);
    }
    let partials: Vec<&&seq_runtime::Step> = mine.iter().filter(|s| s.op == "attention_partial").collect();
    let merges = mine.iter().filter(|s| s.op == "lse_merge").count();
    let colls: Vec<Coll> = mine.iter().filter_map(|s| collective(s)).collect();
    let count = |kind: &str, axis: &str, group: usize| colls.iter().filter(|c| c.kind == kind && c.axis == axis && c.group == group).count();
    let any = |kind: &str| colls.iter().any(|c| c.kind == kind);
    if mine.iter().any(|s| s.op == "attention") {
        return Err("an unsplit attention in a split layer".into());
    }
    let local = shape.local_rows(n);
    // (partials, query heads and KV heads per partial, query rows per partial, merges)
    let (blocks, heads, kv, q_rows, want_merges) = match split {
        Split::Ulysses { degree, groups } => {
            let g = groups * degree;
            if count("all_to_all", "sp", degree) != 4 * groups || any("collective_permute") {
                return Err(format!("expected 4 all-to-alls per head group over {degree} ranks and no permute: {colls:?}"));
            }
            (groups, shape.heads / g, (shape.kv_heads / g).max(1), degree * local, 0)
        }
        Split::Ring(n) => {
            if count("collective_permute", "sp", n) < n - 1 || any("all_to_all") {
                return Err(format!("expected K/V to rotate {} times over {n} ranks and no all-to-all: {colls:?}", n - 1));
            }
            (n, shape.heads, shape.kv_heads, local, n - 1)
        }
        Split::AllGatherKv(n) => {
            if count("all_gather", "sp", n) == 0 || any("all_to_all") || any("collective_permute") {
                return Err(format!("expected K/V gathered over {n} ranks, no all-to-all, no permute: {colls:?}"));
            }
            let k_rows: Vec<usize> = partials.iter().map(|p| rows(plan, p.operands[1])).collect();
            if k_rows != [n * local] {
                return Err(format!("keys per partial {k_rows:?}; expected all {n} x {local} rows"));
            }
            (1, shape.heads, shape.kv_heads, local, 0)
        }
        Split::Halo(n) => {
            // K/V of the chunk tails the window reaches (their token indices and segment ids
            // too, unless an earlier layer's identical permutes serve them: CSE).
            let (sends, size) = shape.halo(n).ok_or("the window allows no halo exchange")?;
            let kv_tails = mine
                .iter()
                .filter(|s| collective(s).is_some_and(|c| c.kind == "collective_permute"))
                .filter(|s| s.operands.first().and_then(|&v| plan.values.get(v as usize)).is_some_and(|d| d.shape.len() == 2))
                .count();
            let tensors = 2 + usize::from(partials.first().is_some_and(|p| p.operands.len() == 7));
            let all = count("collective_permute", "sp", n);
            if kv_tails != sends || all < kv_tails || all > sends * tensors || colls.len() != all {
                return Err(format!("expected {sends} K/V tails permuted over {n} ranks (at most {} permutes) and nothing else: {colls:?}", sends * tensors));
            }
            let k_rows: Vec<usize> = partials.iter().map(|p| rows(plan, p.operands[1])).collect();
            if k_rows != [local + sends * size] {
                return Err(format!("keys per partial {k_rows:?}; expected the {local} own rows and {sends} tails of {size}"));
            }
            (1, shape.heads, shape.kv_heads, local, 0)
        }
        Split::Hybrid { ulysses: u, ring: ring_n } => {
            if c.report.mesh != format!("ring={ring_n},ulysses={u}") {
                return Err(format!("mesh '{}', expected ring={ring_n},ulysses={u}", c.report.mesh));
            }
            if count("all_to_all", "ulysses", u) != 4 || count("collective_permute", "ring", ring_n) < ring_n - 1 {
                return Err(format!("expected 4 all-to-alls over {u} ranks and K/V rotating over {ring_n}: {colls:?}"));
            }
            (ring_n, shape.heads / u, (shape.kv_heads / u).max(1), u * local, ring_n - 1)
        }
        Split::Whole | Split::WholeLayer | Split::AnyHybrid(_) | Split::AnyOver(_) | Split::AnyOverOrWhole(_) => {
            return Err(format!("{split:?} is not a layer's split"));
        }
    };
    if partials.len() != blocks || merges != want_merges {
        return Err(format!("{} partial attentions and {merges} merges; expected {blocks} and {want_merges}", partials.len()));
    }
    for p in &partials {
        let (h, k, q) = (step_int(p, "num_heads"), step_int(p, "num_kv_heads"), rows(plan, p.operands[0]));
        if h != Some(heads as i64) || k != Some(kv as i64) || q != q_rows {
            return Err(format!("a partial attends {h:?}/{k:?} heads over {q} query rows; expected {heads}/{kv} over {q_rows}"));
        }
    }
    Ok(())
}

/// A layer kept whole in a split program: its one step is a plain attention with every head over
/// all rows (anything else tagged with the layer, a collective, a partial or a merge, means it was
/// split); each input is gathered from the ranks' rows by an `unshard` over `n` or is a whole
/// argument, and the output is a result or only read by `shard`s back to the rank's rows.
fn check_whole_layer(plan: &Plan, shape: &Shape, n: usize, mine: &[&seq_runtime::Step]) -> Result<(), String> {
    let ops: Vec<&str> = mine.iter().map(|s| s.op.as_str()).collect();
    let [a] = mine else { return Err(format!("the layer's steps are {ops:?}; expected one attention")) };
    if a.op != "attention" {
        return Err(format!("the layer's step is '{}'; expected a plain attention", a.op));
    }
    let (h, k) = (step_int(a, "num_heads"), step_int(a, "num_kv_heads"));
    if h != Some(shape.heads as i64) || k != Some(shape.kv_heads as i64) {
        return Err(format!("attends {h:?}/{k:?} heads; expected all {}/{}", shape.heads, shape.kv_heads));
    }
    let local = shape.local_rows(n);
    let on_ranks = |s: &seq_runtime::Step| step_int(s, "num_shards") == Some(n as i64) && step_str(s, "axis") == Some("sp");
    for (i, &o) in a.operands.iter().enumerate() {
        if rows(plan, o) != shape.seq {
            return Err(format!("operand {i} has {} rows; expected all {}", rows(plan, o), shape.seq));
        }
        if plan.inputs.contains(&o) {
            continue;
        }
        match plan.steps.iter().find(|s| s.results.contains(&o)) {
            Some(p) if p.op == "unshard" && on_ranks(p) && rows(plan, p.operands[0]) == local => {}
            p => {
                let by = p.map_or("nothing", |p| p.op.as_str());
                return Err(format!("operand {i} is made by '{by}', not gathered from {n} ranks' {local} rows"));
            }
        }
    }
    let out = a.results[0];
    if rows(plan, out) != shape.seq {
        return Err(format!("the output has {} rows; expected all {}", rows(plan, out), shape.seq));
    }
    let readers: Vec<&seq_runtime::Step> = plan.steps.iter().filter(|s| s.operands.contains(&out)).collect();
    if let Some(r) = readers.iter().find(|r| !(r.op == "shard" && on_ranks(r) && rows(plan, r.results[0]) == local)) {
        return Err(format!("the whole output is read by '{}', not cut to {n} ranks' {local} rows", r.op));
    }
    if readers.is_empty() && !plan.outputs.contains(&out) {
        return Err("the whole output is neither cut to the ranks' rows nor a result".into());
    }
    Ok(())
}

/// The check accepts each plan's own split and rejects every other strategy and degree, also
/// when the report is made to claim the other one: the plan's steps must show it.
#[test]
fn the_plan_check_tells_splits_apart() {
    use seqc::{CompileOptions, StrategyKind, compile_graph};
    let cfg = DecoderConfig::tiny();
    let g = cfg.build().expect("builds");
    let shape = Shape::of(&cfg, cfg.layers);
    let compile = |devices, strategy| compile_graph(g.clone(), &CompileOptions { devices, strategy, ..Default::default() }).expect("compiles");
    let splits = [
        Split::Whole,
        Split::Ulysses { degree: 4, groups: 1 },
        Split::Ring(4),
        Split::AllGatherKv(4),
        Split::Hybrid { ulysses: 2, ring: 2 },
    ];
    let requests = [StrategyKind::Replicate, StrategyKind::Ulysses, StrategyKind::Ring, StrategyKind::AllGatherKv, StrategyKind::Hybrid];
    for (request, own) in requests.into_iter().zip(splits) {
        let mut c = compile(4, request);
        let more = [Split::Ring(2), Split::Ulysses { degree: 2, groups: 1 }, Split::Ulysses { degree: 4, groups: 2 }, Split::WholeLayer];
        for other in splits.into_iter().chain(more) {
            let result = check_plan(&c, &shape, 4, &Expect::exactly(other));
            assert_eq!(result.is_ok(), other == own, "{request:?} plan checked as {other:?}: {result:?}");
        }
        assert!(check_plan(&c, &shape, 2, &Expect::exactly(own)).is_err(), "{request:?} plan passed as 2 ranks");
        assert!(check_plan(&c, &shape, 4, &Expect::fallback("ulysses", own)).is_err(), "{request:?} plan passed with a fallback note it lacks");
        // The report relabelled: the plan's steps still say what it is.
        for other in splits.into_iter().chain([Split::WholeLayer]).filter(|s| *s != own && *s != Split::Whole) {
            for l in &mut c.report.layers {
                l.strategy = label_of(other);
            }
            c.report.mesh = if let Split::Hybrid { ulysses, ring } = other { format!("ring={ring},ulysses={ulysses}") } else { String::new() };
            c.report.split = true;
            let result = check_plan(&c, &shape, 4, &Expect::exactly(other));
            assert!(result.is_err(), "a {request:?} plan relabelled {other:?} passed");
        }
    }
    // Layers kept whole: auto on the memory-bound test profile at 3 ranks, where the 4 heads do
    // not split. The plan passes as whole layers only, and not when relabelled as a split.
    let opts = CompileOptions { devices: 3, profile: super::equivalence::memory_bound(), ..Default::default() };
    let mut c = compile_graph(g.clone(), &opts).expect("compiles");
    check_plan(&c, &shape, 3, &Expect::exactly(Split::WholeLayer)).expect("the plan keeps its layers whole");
    assert!(check_plan(&c, &shape, 2, &Expect::exactly(Split::WholeLayer)).is_err(), "a 3-rank plan passed as 2 ranks");
    for other in [Split::Whole, Split::Ring(3), Split::AllGatherKv(3), Split::Ulysses { degree: 3, groups: 1 }] {
        assert!(check_plan(&c, &shape, 3, &Expect::exactly(other)).is_err(), "whole layers checked as {other:?}");
    }
    // A whole layer that attends over the rank's rows only (its q not gathered) is caught.
    let mut local = c.clone();
    let attn = local.plan.steps.iter().position(|s| s.op == "attention").expect("a plain attention");
    let q = local.plan.steps[attn].operands[0];
    let rows_of_q = local.plan.steps.iter().find(|s| s.results.contains(&q)).expect("q is made by a step").operands[0];
    local.plan.steps[attn].operands[0] = rows_of_q;
    assert!(check_plan(&local, &shape, 3, &Expect::exactly(Split::WholeLayer)).is_err(), "a whole layer over local q rows passed");
    for other in [Split::Ring(3), Split::AllGatherKv(3)] {
        for l in &mut c.report.layers {
            l.strategy = label_of(other);
        }
        assert!(check_plan(&c, &shape, 3, &Expect::exactly(other)).is_err(), "whole layers relabelled {other:?} passed");
    }
    // A forced strategy that fell back must carry its note.
    let c = compile(3, StrategyKind::Ulysses);
    assert!(check_plan(&c, &shape, 3, &Expect::fallback("ulysses", Split::AllGatherKv(3))).is_ok());
    assert!(check_plan(&c, &shape, 3, &Expect::exactly(Split::AllGatherKv(3))).is_err());
}
