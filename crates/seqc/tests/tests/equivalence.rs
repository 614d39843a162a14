//! The proof: a partitioned program computes the unsplit model, and is really partitioned. Every
//! case states the split it expects in the plan (per attention layer: strategy and degree, e.g.
//! ulysses over 4, ring over 4, hybrid 4 x 2, or the whole model on every rank) and fails unless
//! the plan holds it (`split_plan`); then it runs the plan on CPU ranks in f32 against the unsplit
//! model in f64 (max relative error <= 1e-5, relative to the largest reference value).
//!
//! Every strategy at 1, 2, 3, 4 and 8 ranks; MHA, GQA and MQA; causal, windowed and packed
//! documents; sequences and head counts that do not divide the rank count; random small shapes
//! under proptest. Plans with sharded inputs and outputs (`--sharded-io`) are held to the same
//! bar: every rank's rows, assembled by the plan's recorded layout, must be the unsplit model's
//! output, on the CPU backend and through the CUDA backend's lowering on emulated ranks.
//!
//! Attention is peaked, not near-uniform: with the runtime's random weights (uniform in
//! ±1/sqrt(in)) and inputs (uniform in ±1), q and k entries have variance 1/3, so scores
//! q·k/sqrt(d) have a standard deviation of 1/3 and softmax is almost flat: a split that merges
//! blocks with the wrong weights, or masks the wrong keys, would move the output little. The
//! suite scales the query projections (`q_proj.weight`, or the q input of attention alone) by
//! `Q_GAIN`, which puts that deviation near 2.7 (checked by `the_suite_feeds_peaked_attention`).
//!
//! `auto` on the shipped profiles keeps these small models whole (nothing to compare), so auto
//! cases run on test profiles whose arithmetic is slow next to their links, where splitting pays
//! at a few dozen tokens. There auto may also keep a layer whole inside a split program (a plain
//! attention over every row on every rank, between gathers and cuts of the rank's rows): those
//! cases assert the whole layer from the plan, and the per-layer argmin (`--chooser naive`) keeps
//! auto's choice of split under test on the same profile. `replicate` is by definition unsplit
//! attention: its cases assert the whole model on every rank. A deliberately broken ring lowering
//! (a test-only switch in `seq-lower-attention`) must make the check fail
//! (`a_broken_ring_lowering_fails_the_check`).

use super::split_plan::{Expect, Shape, Split, check_plan};
use proptest::prelude::*;
use seq_frontends::DecoderConfig;
use seq_ir::Graph;
use seq_passes::partition::lower_attention::mutation::{self, Mutation};
use seq_runtime::Plan;
use seq_runtime::cpu::{HostTensor, ParamRole, RunOptions, WeightSource, param_specs, random_values};
use seqc::run::{RunInputs, make_inputs, max_relative_error, owner_of, precision, run_cpu};
use seqc::{ChooserKind, CompileOptions, StrategyKind, compile_graph};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const TOLERANCE: f64 = 1e-5;

/// How much the query projection is scaled so that softmax is peaked (see the module docs).
const Q_GAIN: f64 = 8.0;

const WEIGHT_SEED: u64 = 3;

/// The forced strategies (on the shipped h200 profile).
const FORCED: [StrategyKind; 5] =
    [StrategyKind::Replicate, StrategyKind::Ulysses, StrategyKind::Ring, StrategyKind::AllGatherKv, StrategyKind::Hybrid];

/// Why a case failed.
#[derive(Debug)]
enum Failure {
    /// Compiling or running failed.
    Error(String),
    /// The plan does not hold the split the case expects.
    Plan(String),
    /// The split program's output is further than `TOLERANCE` from the unsplit model's.
    Numerics { worst: f64, message: String },
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Error(m) => write!(f, "{m}"),
            Self::Plan(m) => write!(f, "the plan does not hold the expected split: {m}"),
            Self::Numerics { message, .. } => write!(f, "{message}"),
        }
    }
}

fn error(e: impl ToString) -> Failure {
    Failure::Error(e.to_string())
}

/// A profile file for the auto cases: the h200's links, with arithmetic at `tflops` and memory
/// at `memory_gbs`, written once per test process.
fn test_profile(name: &str, tflops: f64, memory_gbs: f64) -> String {
    let link = r#"{ "alpha_us": 1.0, "bus_gbs": 300.0 }"#;
    let links = format!(r#"{{ "all_to_all": {link}, "all_gather": {link}, "send_recv": {link} }}"#);
    let text = format!(
        r#"{{ "name": "{name}", "description": "equivalence tests: slow arithmetic next to fast links",
  "gemm_tflops": {tflops}, "attention_tflops": {tflops}, "memory_gbs": {memory_gbs}, "memory_gib": 141.0,
  "kernel_launch_us": 0.0, "gpus_per_node": 8, "intra_node": {links}, "inter_node": {links} }}"#
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(format!("{name}.json"));
    // Written under a private name and renamed, so another test process never reads half a file.
    let tmp = dir.join(format!("{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text).expect("write the test profile");
    std::fs::rename(&tmp, &path).expect("place the test profile");
    path.display().to_string()
}

/// Arithmetic 10^4 times slower than an H200's, memory and links as fast: ring's transfers hide
/// under its block attention, so auto splits every layer with ring over every rank.
fn compute_bound() -> String {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| test_profile("equivalence-compute-bound", 1e-4, 4100.0)).clone()
}

/// Arithmetic and memory both slow next to the links: auto's choice then varies with the degree
/// and the model (`auto_memory_bound`).
pub(super) fn memory_bound() -> String {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| test_profile("equivalence-memory-bound", 1e-4, 1e-3)).clone()
}

/// What a forced strategy gives the suite's fixed models (4 or 8 query heads, 1 to 4 KV heads) on
/// the h200 profile. Where the heads do not allow the strategy, each layer falls back to the
/// cheapest legal split, which for these shapes is allgather-kv, and says why.
fn forced(shape: &Shape, n: usize, s: StrategyKind) -> Expect {
    if n == 1 || s == StrategyKind::Replicate {
        return Expect::exactly(Split::Whole);
    }
    match s {
        StrategyKind::Ulysses if shape.ulysses_fits(n) => Expect::exactly(Split::Ulysses { degree: n, groups: 1 }),
        StrategyKind::Ulysses => Expect::fallback("ulysses", Split::AllGatherKv(n)),
        StrategyKind::Ring => Expect::exactly(Split::Ring(n)),
        StrategyKind::AllGatherKv => Expect::exactly(Split::AllGatherKv(n)),
        // Both degrees above 1 and Ulysses inside the node: 4 ranks are 2 x 2; of 8's meshes the
        // cost model prefers 4-way Ulysses by a 2-way ring. 2 and 3 ranks have no such mesh.
        StrategyKind::Hybrid => match n {
            4 => Expect::exactly(Split::Hybrid { ulysses: 2, ring: 2 }),
            8 => Expect::exactly(Split::Hybrid { ulysses: 4, ring: 2 }),
            _ => Expect::fallback("hybrid", Split::AllGatherKv(n)),
        },
        StrategyKind::Halo if shape.halo(n).is_some() => Expect::exactly(Split::Halo(n)),
        StrategyKind::Halo => Expect::fallback("halo", Split::AnyOver(n)),
        StrategyKind::Auto | StrategyKind::Replicate => unreachable!("not a forced split"),
    }
}

/// Auto on the compute-bound profile: ring over every rank.
fn auto_compute_bound(n: usize) -> Expect {
    Expect::exactly(if n == 1 { Split::Whole } else { Split::Ring(n) })
}

/// Auto on the memory-bound profile, for `model` (the tiny model's heads: 4 query heads, 2 or 4
/// KV heads). The per-layer argmin splits every layer, by degree: Ulysses where the heads split,
/// allgather-kv on 3 ranks, 4-way Ulysses by a 2-way ring on 8. The e-graph (the default) keeps
/// a layer whole where gathering its q, k and v once for a plain attention costs less than that
/// split: this is a cost comparison that depends on the model, so the cases name them.
fn auto_memory_bound(model: &str, n: usize, chooser: ChooserKind) -> Expect {
    let argmin = match n {
        1 => Split::Whole,
        2 | 4 => Split::Ulysses { degree: n, groups: 1 },
        8 => Split::Hybrid { ulysses: 4, ring: 2 },
        _ => Split::AllGatherKv(n),
    };
    let whole = chooser == ChooserKind::EGraph
        && match model {
            // Decoders, on 3 ranks (no Ulysses there).
            "gqa" => n == 3,
            // Packed documents with a window are causal: their split blocks run on cuDNN
            // (one-document rectangles and ragged squares), priced as the unmasked ones; 37
            // tokens padded to 40 leave 5 a rank on 8, where the layers stay whole too.
            "packed" => n == 3 || n == 8,
            // A lone layer with sharded io: every degree above 2.
            "layer" => n > 2,
            _ => panic!("no memory-bound expectation for {model}"),
        };
    Expect::exactly(if whole { Split::WholeLayer } else { argmin })
}

/// The auto cases on the memory-bound profile for `model` at `n` ranks: the e-graph's choice,
/// with whole layers, and the argmin's, which splits every layer. Both, because whole layers are
/// new behaviour to hold to the unsplit model (decoders, a sharded-io layer through the CUDA
/// lowering, padded packed documents), while the splits the e-graph gave up here (allgather-kv on
/// 3 ranks, the 4 x 2 hybrid with sharded io) stay under test through auto's argmin; changing the
/// profile instead would have kept the splits and left whole layers untested.
fn memory_bound_cases(model: &str, n: usize, sharded_io: bool) -> Vec<(CompileOptions, Expect)> {
    [ChooserKind::EGraph, ChooserKind::Naive]
        .into_iter()
        .map(|chooser| {
            let opts = CompileOptions { devices: n, profile: memory_bound(), sharded_io, chooser, ..Default::default() };
            (opts, auto_memory_bound(model, n, chooser))
        })
        .collect()
}

/// Every strategy request at `n` ranks with the plan it must give: the forced ones on h200, and
/// auto where it splits.
/// `masked`: the model's attention blocks carry segment ids or a window, which change what
/// each block costs: auto's choice is shape-dependent, and the plan must hold the one the
/// report names.
fn requests(shape: &Shape, n: usize, sharded_io: bool, masked: bool) -> Vec<(CompileOptions, Expect)> {
    let opts = |strategy, profile: String| CompileOptions { devices: n, strategy, profile, sharded_io, ..Default::default() };
    let mut out: Vec<(CompileOptions, Expect)> = FORCED.iter().map(|&s| (opts(s, "h200".into()), forced(shape, n, s))).collect();
    let auto = if masked { Expect::exactly(Split::AnyOverOrWhole(n)) } else { auto_compute_bound(n) };
    out.push((opts(StrategyKind::Auto, compute_bound()), auto));
    out
}

/// Random weights as the runtime makes them, with every query projection scaled by `Q_GAIN`,
/// read from a checkpoint written for the parameters of `plans`.
fn peaked_weights(plans: &[&Plan]) -> Result<WeightSource, Failure> {
    let mut params: BTreeMap<String, (Vec<usize>, ParamRole)> = BTreeMap::new();
    for plan in plans {
        for p in param_specs(plan).map_err(|e| error(&e))? {
            params.insert(p.name, (p.shape, p.role));
        }
    }
    if params.is_empty() {
        return Ok(WeightSource::random(WEIGHT_SEED));
    }
    // safetensors: an 8-byte header length, a JSON header of names, dtypes, shapes and offsets,
    // then the data.
    let mut header = serde_json::Map::new();
    let mut data: Vec<u8> = Vec::new();
    for (name, (shape, role)) in &params {
        let gain = if name.ends_with("q_proj.weight") { Q_GAIN } else { 1.0 };
        let start = data.len();
        for x in random_values(name, shape, *role, WEIGHT_SEED) {
            data.extend_from_slice(&(x * gain).to_le_bytes());
        }
        header.insert(name.clone(), serde_json::json!({ "dtype": "F64", "shape": shape, "data_offsets": [start, data.len()] }));
    }
    let mut head = serde_json::Value::Object(header).to_string().into_bytes();
    head.resize(head.len().div_ceil(8) * 8, b' ');
    static FILES: AtomicUsize = AtomicUsize::new(0);
    let path: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("peaked-{}-{}.safetensors", std::process::id(), FILES.fetch_add(1, Ordering::Relaxed)));
    let mut bytes = (head.len() as u64).to_le_bytes().to_vec();
    bytes.extend(head);
    bytes.extend(data);
    std::fs::write(&path, bytes).map_err(error)?;
    let source = WeightSource::safetensors(&path).map_err(error);
    let _ = std::fs::remove_file(&path);
    source
}

/// The plan's inputs, with the query of attention alone (its first three arguments are q, k and
/// v) scaled by `Q_GAIN`.
fn peaked_inputs(plan: &Plan, segments: Option<&[i32]>) -> Result<Vec<HostTensor>, Failure> {
    let segs = segments.map(|s| HostTensor::from_i32(vec![s.len()], s.to_vec())).transpose().map_err(error)?;
    let mut inputs = make_inputs(plan, &RunInputs { segments: segs, seed: 7, ..Default::default() }).map_err(error)?;
    if inputs.len() >= 3 && inputs[..3].iter().all(|t| t.data.is_float() && t.shape.len() == 2) {
        let q = inputs[0].to_f64().ok_or_else(|| error("q is not float"))?;
        inputs[0] = HostTensor::from_f32(inputs[0].shape.clone(), q.iter().map(|x| (x * Q_GAIN) as f32).collect()).map_err(error)?;
    }
    Ok(inputs)
}

/// Compiles `g` with `opts`, checks that the plan holds `expect`, runs it in f32 and the unsplit
/// program in f64, and returns the largest relative error.
fn check(g: &Graph, shape: &Shape, opts: &CompileOptions, segments: Option<&[i32]>, expect: &Expect) -> Result<f64, Failure> {
    let (devices, sharded_io) = (opts.devices, opts.sharded_io);
    let split = compile_graph(g.clone(), opts).map_err(error)?;
    check_plan(&split, shape, devices, expect).map_err(Failure::Plan)?;
    // The reference: the model on one rank, compiled without any of the case's choices.
    let whole = compile_graph(g.clone(), &CompileOptions { devices: 1, ..Default::default() }).map_err(error)?;
    check_plan(&whole, shape, 1, &Expect::exactly(Split::Whole)).map_err(|m| Failure::Plan(format!("the reference: {m}")))?;
    if sharded_io && devices > 1 && !split.report.split && split.report.notes.is_empty() {
        return Err(error("--sharded-io was dropped without a note"));
    }
    if sharded_io && split.report.split {
        // The plan really is per rank: no scatter of the arguments, no gather of the results.
        // (Layers kept whole switch layouts inside the plan; `check_plan` holds those to their
        // layer.)
        let plan = &split.plan;
        let io = plan.sharded_io.as_ref().ok_or_else(|| error("no sharded_io in the plan"))?;
        if io.inputs.is_empty() || io.outputs.is_empty() {
            return Err(error(format!("nothing sharded: {io:?}")));
        }
        let scatters = |s: &seq_runtime::Step| s.op == "shard" && s.operands.iter().any(|v| plan.inputs.contains(v));
        let gathers = |s: &seq_runtime::Step| s.op == "unshard" && s.results.iter().any(|v| plan.outputs.contains(v));
        if let Some(op) = plan.steps.iter().find(|s| scatters(s) || gathers(s)) {
            return Err(error(format!("a sharded-IO plan still has '{}' at its boundary", op.op)));
        }
    }
    let inputs = peaked_inputs(&split.plan, segments)?;
    let weights = peaked_weights(&[&split.plan, &whole.plan])?;
    let run = |plan, f64| run_cpu(plan, &inputs, &weights, &RunOptions { precision: precision(f64), timeout: Duration::from_secs(20) });
    let got = run(&split.plan, false).map_err(error)?;
    let reference = run(&whole.plan, true).map_err(error)?;
    if sharded_io && split.report.split {
        // The CUDA backend's lowering of the compiled plan, on emulated ranks (no GPU needed).
        let mut emu = seq_runtime::cuda::emulate::Emulator::new(&split.plan, &inputs, &weights).map_err(error)?;
        emu.run().map_err(error)?;
        let emulated = emu.global_outputs(&split.plan).map_err(error)?;
        let (worst, bad) = max_relative_error(&emulated[0], &reference.outputs[0], TOLERANCE);
        if bad.is_some() {
            return Err(Failure::Numerics { worst, message: format!("the CUDA lowering (emulated) is {worst:.3e} from the unsplit model") });
        }
    }
    let (worst, bad) = max_relative_error(&got.outputs[0], &reference.outputs[0], TOLERANCE);
    match bad {
        None => Ok(worst),
        Some(row) => {
            let layout = split.program.module_attrs.get("seq.layout").and_then(|a| a.as_str()).unwrap_or("block");
            let rank = owner_of(row, layout, devices, got.outputs[0].shape[0]);
            let strategies: Vec<&str> = split.report.layers.iter().map(|l| l.strategy.as_str()).collect();
            let message = format!("max relative error {worst:.3e} > {TOLERANCE:e}; row {row} (rank {rank}) diverges first; strategies {strategies:?}");
            Err(Failure::Numerics { worst, message })
        }
    }
}

/// Runs `cases` of one model, panicking on the first failure; returns (cases, worst error).
fn check_all(name: &str, g: &Graph, shape: &Shape, segments: Option<&[i32]>, cases: &[(CompileOptions, Expect)]) -> (usize, f64) {
    let mut worst = 0.0f64;
    for (opts, expect) in cases {
        let e = check(g, shape, opts, segments, expect).unwrap_or_else(|f| {
            panic!("{name}, {:?} on {} ranks ({}), sharded io {}: {f}", opts.strategy, opts.devices, opts.profile, opts.sharded_io)
        });
        worst = worst.max(e);
    }
    (cases.len(), worst)
}

/// Every strategy at 1, 2, 3, 4 and 8 ranks, on GQA (the tiny model), MHA and MQA decoders.
#[test]
fn every_strategy_matches_the_unsplit_model() {
    let tiny = DecoderConfig::tiny();
    let models = [("gqa", tiny.clone()), ("mha", DecoderConfig { kv_heads: 4, ..tiny.clone() }), ("mqa", DecoderConfig { kv_heads: 1, ..tiny })];
    let (mut count, mut worst) = (0, 0.0f64);
    for (name, cfg) in &models {
        let g = cfg.build().expect("builds");
        let shape = Shape::of(cfg, cfg.layers);
        for devices in [1, 2, 3, 4, 8] {
            let mut cases = requests(&shape, devices, false, false);
            if *name == "gqa" {
                cases.extend(memory_bound_cases(name, devices, false));
            }
            let (n, e) = check_all(name, &g, &shape, None, &cases);
            count += n;
            worst = worst.max(e);
        }
    }
    println!("largest relative error over {count} runs: {worst:.3e}");
}

#[test]
fn every_strategy_with_sharded_io_matches_the_unsplit_model() {
    let tiny = DecoderConfig::tiny();
    let packed = DecoderConfig { packed: true, window: Some(9), seq_len: 37, ..tiny.clone() };
    let segs: Vec<i32> = (0..37).map(|i| if i < 10 { 0 } else if i < 25 { 1 } else { 2 }).collect();
    // Token ids in, logits out; hidden states in and out (a layer); q, k, v in (attention alone);
    // packed documents with an uneven length.
    let layers = tiny.layers;
    let models = [
        ("decoder", tiny.build().expect("builds"), Shape::of(&tiny, layers), None),
        ("layer", tiny.build_layer().expect("builds"), Shape::of(&tiny, 1), None),
        ("attention", tiny.build_attention().expect("builds"), Shape::of(&tiny, 1), None),
        ("packed", packed.build().expect("builds"), Shape::of(&packed, layers), Some(segs)),
    ];
    let (mut count, mut worst) = (0, 0.0f64);
    for (name, g, shape, segs) in &models {
        for devices in [2, 3, 4, 8] {
            let mut cases = requests(shape, devices, true, *name == "packed");
            if *name == "layer" {
                cases.extend(memory_bound_cases(name, devices, true));
            }
            let (n, e) = check_all(name, g, shape, segs.as_deref(), &cases);
            count += n;
            worst = worst.max(e);
        }
    }
    println!("largest relative error over {count} sharded-io runs: {worst:.3e}");
}

/// Ulysses in head groups (`--head-groups`): each group's all-to-alls and attention, the
/// groups' outputs joined by columns, equal the unsplit model on the CPU backend and through the
/// CUDA lowering (sharded io); a grouping the heads do not allow keeps one group and says why.
#[test]
fn ulysses_head_groups_match_the_unsplit_model() {
    let tiny = DecoderConfig::tiny();
    let gqa = DecoderConfig { heads: 8, kv_heads: 4, head_dim: 8, ..tiny.clone() };
    let packed = DecoderConfig { packed: true, window: Some(9), seq_len: 37, ..gqa.clone() };
    let segs: Vec<i32> = (0..37).map(|i| if i < 10 { 0 } else if i < 25 { 1 } else { 2 }).collect();
    let models = [("tiny", &tiny, None), ("gqa", &gqa, None), ("packed", &packed, Some(segs))];
    let mut grouped = 0;
    for (name, cfg, segs) in &models {
        let g = cfg.build().expect("builds");
        let shape = Shape::of(cfg, cfg.layers);
        for devices in [2, 4] {
            for groups in [2, 4] {
                // Whole KV heads per group, and query heads per group that split over the ranks.
                let legal = shape.kv_heads.is_multiple_of(groups) && (shape.heads / groups).is_multiple_of(devices);
                let expect = if legal {
                    Expect::exactly(Split::Ulysses { degree: devices, groups })
                } else {
                    Expect::fallback("one group", Split::Ulysses { degree: devices, groups: 1 })
                };
                for sharded_io in [false, true] {
                    let opts = CompileOptions { devices, strategy: StrategyKind::Ulysses, sharded_io, head_groups: groups, ..Default::default() };
                    check(&g, &shape, &opts, segs.as_deref(), &expect)
                        .unwrap_or_else(|m| panic!("{name}, {groups} groups on {devices} ranks, sharded io {sharded_io}: {m}"));
                    grouped += usize::from(legal);
                }
            }
        }
    }
    assert!(grouped >= 8, "too few grouped cases: {grouped}");
}

#[test]
fn packed_documents_with_a_window_match() {
    let cfg = DecoderConfig { packed: true, window: Some(9), seq_len: 37, ..DecoderConfig::tiny() };
    let g = cfg.build().expect("builds");
    let shape = Shape::of(&cfg, cfg.layers);
    // Three documents of 10, 15 and 12 tokens.
    let segs: Vec<i32> = (0..37).map(|i| if i < 10 { 0 } else if i < 25 { 1 } else { 2 }).collect();
    for devices in [2, 3, 4, 8] {
        // Also auto on the memory-bound profile, which keeps layers whole over the padded,
        // windowed documents on 3 and 8 ranks.
        let mut cases = requests(&shape, devices, false, true);
        cases.extend(memory_bound_cases("packed", devices, false));
        check_all("packed", &g, &shape, Some(&segs), &cases);
    }
}

/// Halo exchange (`--strategy halo`) on causal sliding windows, with and without packed
/// documents, over 2, 3, 4 and 8 ranks: the plan moves only the chunk tails the window reaches
/// (K/V, token indices and segment ids: two tails within one chunk, 3K − 1 whole chunks
/// reaching K chunks back) and matches the unsplit model; where the window reaches back over
/// more than half the ranks' chunks, or there is no window, the layer falls back with a note
/// naming halo.
#[test]
fn halo_exchange_matches_the_unsplit_model() {
    let tiny = DecoderConfig::tiny();
    let docs: Vec<i32> = (0..37).map(|i| if i < 10 { 0 } else if i < 25 { 1 } else { 2 }).collect();
    // Windows within one chunk, reaching 2 and 3 chunks back (whole chunks move), and past half
    // the ranks' chunks (falls back).
    let cases = [
        ("window", DecoderConfig { window: Some(4), seq_len: 48, ..tiny.clone() }, None),
        ("packed", DecoderConfig { packed: true, window: Some(3), seq_len: 37, ..tiny.clone() }, Some(docs)),
        ("wide", DecoderConfig { window: Some(9), seq_len: 40, ..tiny.clone() }, None),
        ("wider", DecoderConfig { window: Some(12), seq_len: 64, ..tiny.clone() }, None),
        ("no-window", DecoderConfig { seq_len: 40, ..tiny }, None),
    ];
    let (mut halos, mut hops) = (0, 0);
    for (name, cfg, segs) in cases {
        let g = cfg.build().expect("builds");
        let shape = Shape::of(&cfg, cfg.layers);
        for devices in [2, 3, 4, 8] {
            let fits = shape.halo(devices).is_some();
            halos += usize::from(fits);
            hops += usize::from(shape.halo(devices).is_some_and(|(sends, _)| sends > 2));
            let expect = if fits { Expect::exactly(Split::Halo(devices)) } else { Expect::fallback("halo", Split::AnyOver(devices)) };
            let opts = CompileOptions { devices, strategy: StrategyKind::Halo, ..Default::default() };
            check_all(name, &g, &shape, segs.as_deref(), &[(opts, expect)]);
        }
    }
    assert!(halos >= 10 && hops >= 3, "too few halo cases: {halos} ({hops} reaching several chunks back)");
}

/// What a request gives a random shape at `n` ranks: the forced strategy where the heads allow
/// it; elsewhere some other split over all `n` ranks, with a note. Auto on the compute-bound
/// profile splits over all `n` ranks (mostly ring; on the shortest sequences another strategy
/// can be cheaper), or keeps the layer whole (causal sequences of a few tokens, which zigzag
/// pads to 2n rows or more): a shape-dependent choice, so either is accepted, and the plan must
/// show the one the report names.
fn expected_for_random(shape: &Shape, n: usize, s: StrategyKind) -> Expect {
    let hybrid_fits = (2..n).any(|u| n.is_multiple_of(u) && shape.ulysses_fits(u));
    match s {
        StrategyKind::Auto => Expect::exactly(Split::AnyOverOrWhole(n)),
        StrategyKind::Replicate => Expect::exactly(Split::Whole),
        StrategyKind::Ulysses if !shape.ulysses_fits(n) => Expect::fallback("ulysses", Split::AnyOver(n)),
        StrategyKind::Hybrid if hybrid_fits => Expect::exactly(Split::AnyHybrid(n)),
        StrategyKind::Hybrid => Expect::fallback("hybrid", Split::AnyOver(n)),
        _ => forced(shape, n, s),
    }
}

/// Every strategy request, auto first.
pub(super) const ALL: [StrategyKind; 7] = [
    StrategyKind::Auto,
    StrategyKind::Replicate,
    StrategyKind::Ulysses,
    StrategyKind::Ring,
    StrategyKind::AllGatherKv,
    StrategyKind::Halo,
    StrategyKind::Hybrid,
];

fn arb_model() -> impl Strategy<Value = (DecoderConfig, usize, StrategyKind, Option<Vec<i32>>)> {
    let heads = prop_oneof![Just((4i64, 4i64)), Just((4, 2)), Just((6, 3)), Just((6, 1)), Just((3, 1)), Just((2, 2))];
    (heads, prop_oneof![Just(4i64), Just(8)], 3i64..40, any::<bool>(), proptest::option::of(2i64..12), any::<bool>(), 2usize..6, 0usize..7, any::<u64>())
        .prop_map(|((h, kv), hd, seq, causal, window, packed, devices, s, seg_seed)| {
            let cfg = DecoderConfig {
                layers: 1,
                hidden: 16,
                heads: h,
                kv_heads: kv,
                head_dim: hd,
                ffn: 32,
                vocab: 50,
                seq_len: seq,
                causal,
                window,
                packed,
                ..DecoderConfig::tiny()
            };
            // Documents start where a seeded coin says so.
            let segs = packed.then(|| {
                let mut id = 0;
                (0..seq).map(|i| {
                    if i > 0 && (seg_seed >> (i % 64)) & 1 == 1 && (seg_seed >> ((i * 7) % 64)) & 1 == 1 {
                        id += 1;
                    }
                    id
                }).collect()
            });
            (cfg, devices, ALL[s], segs)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// MHA, GQA and MQA; causal or not; sliding windows; sequences and head counts that do not
    /// divide the rank count; packed documents. Each run also holds the split it asked for.
    #[test]
    fn random_shapes_match_the_unsplit_model((cfg, devices, strategy, segs) in arb_model()) {
        let g = cfg.build().expect("builds");
        let shape = Shape::of(&cfg, 1);
        let profile = if strategy == StrategyKind::Auto { compute_bound() } else { "h200".into() };
        let opts = CompileOptions { devices, strategy, profile, ..Default::default() };
        let expect = expected_for_random(&shape, devices, strategy);
        let result = check(&g, &shape, &opts, segs.as_deref(), &expect);
        prop_assert!(result.is_ok(), "{cfg:?} on {devices} ranks, {strategy:?}: {}", result.err().map(|f| f.to_string()).unwrap_or_default());
    }
}

/// bf16 attention, where a partial that is its layer's whole result is written in bf16 (no f32
/// copy, no convert) and merged partials stay f32: the CUDA lowering of every split strategy on
/// emulated ranks against the unsplit model in f64, within bf16 rounding (max relative error
/// 1e-2, the GPU checks' bar).
#[test]
fn bf16_attention_through_the_cuda_lowering_matches() {
    let cfg = DecoderConfig { layers: 1, seq_len: 61, dtype: seq_ir::DType::BF16, ..DecoderConfig::tiny() };
    let g = cfg.build_attention().expect("builds");
    let shape = Shape::of(&cfg, 1);
    let whole = compile_graph(g.clone(), &CompileOptions { devices: 1, ..Default::default() }).expect("compiles");
    let weights = WeightSource::random(WEIGHT_SEED);
    for devices in [2, 4] {
        for s in [StrategyKind::Ulysses, StrategyKind::Ring, StrategyKind::AllGatherKv, StrategyKind::Hybrid] {
            let opts = CompileOptions { devices, strategy: s, sharded_io: true, ..Default::default() };
            let split = compile_graph(g.clone(), &opts).unwrap_or_else(|e| panic!("{s:?} x {devices}: {e}"));
            check_plan(&split, &shape, devices, &forced(&shape, devices, s)).unwrap_or_else(|m| panic!("{s:?} x {devices}: {m}"));
            let inputs = peaked_inputs(&split.plan, None).expect("inputs");
            let reference = run_cpu(&whole.plan, &inputs, &weights, &RunOptions { precision: precision(true), timeout: Duration::from_secs(20) })
                .expect("unsplit runs");
            let mut emu = seq_runtime::cuda::emulate::Emulator::new(&split.plan, &inputs, &weights).expect("lowers");
            emu.run().expect("emulated run");
            let emulated = emu.global_outputs(&split.plan).expect("outputs");
            let (e, bad) = max_relative_error(&emulated[0], &reference.outputs[0], 1e-2);
            assert!(bad.is_none(), "{s:?} x {devices}: max relative error {e:.3e}");
        }
    }
}

/// The mean, over query rows that see at least 16 keys and over heads, of the largest causal
/// softmax weight of attention alone on `inputs` (q, k, v).
fn mean_largest_weight(cfg: &DecoderConfig, inputs: &[HostTensor]) -> f64 {
    let (h, kv, d) = (cfg.heads as usize, cfg.kv_heads as usize, cfg.head_dim as usize);
    let (q, k) = (inputs[0].to_f64().expect("q"), inputs[1].to_f64().expect("k"));
    let (s, scale) = (cfg.seq_len as usize, 1.0 / (d as f64).sqrt());
    let (mut sum, mut count) = (0.0, 0);
    for i in 15..s {
        for head in 0..h {
            let kh = head / (h / kv);
            let scores: Vec<f64> = (0..=i)
                .map(|j| (0..d).map(|c| q[i * h * d + head * d + c] * k[j * kv * d + kh * d + c]).sum::<f64>() * scale)
                .collect();
            let m = scores.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            sum += 1.0 / scores.iter().map(|x| (x - m).exp()).sum::<f64>();
            count += 1;
        }
    }
    sum / count as f64
}

/// With the runtime's inputs as they come, softmax over 16 to 64 keys is almost flat; with the
/// suite's query gain it is peaked. The decoders' first layers see the same statistics: their q
/// and k entries, projected from RMS-normalised rows by weights uniform in ±1/sqrt(in), also
/// have variance 1/3, and their `q_proj.weight` carries the same gain.
#[test]
fn the_suite_feeds_peaked_attention() {
    let cfg = DecoderConfig::tiny();
    let c = compile_graph(cfg.build_attention().expect("builds"), &CompileOptions::default()).expect("compiles");
    let plain = make_inputs(&c.plan, &RunInputs { seed: 7, ..Default::default() }).expect("inputs");
    let peaked = peaked_inputs(&c.plan, None).expect("inputs");
    let (flat, sharp) = (mean_largest_weight(&cfg, &plain), mean_largest_weight(&cfg, &peaked));
    println!("mean largest softmax weight: {flat:.3} as generated, {sharp:.3} with the query gain");
    assert!(flat < 0.1, "the generated inputs already give peaked attention ({flat:.3}); the gain may be unneeded");
    assert!(sharp > 0.3, "attention with the query gain is not peaked: mean largest weight {sharp:.3}");
}

/// Turns a lowering mutation on for this thread until dropped, then restores the previous one.
struct Mutated(Mutation);

impl Mutated {
    fn on(m: Mutation) -> Self {
        Self(mutation::set(m))
    }
}

impl Drop for Mutated {
    fn drop(&mut self) {
        mutation::set(self.0);
    }
}

/// The switch is read on the thread that compiles: a compile on another thread (another test)
/// is untouched by it.
#[test]
fn the_mutation_switch_is_thread_local() {
    let g = DecoderConfig::tiny().build().expect("builds");
    let opts = CompileOptions { devices: 4, strategy: StrategyKind::Ring, ..Default::default() };
    let plan = || compile_graph(g.clone(), &opts).expect("compiles").plan.to_json();
    let clean = plan();
    for m in [Mutation::RingMask, Mutation::DropLseTerm] {
        let _on = Mutated::on(m);
        let here = plan();
        let elsewhere = std::thread::scope(|s| s.spawn(plan).join().expect("compile thread"));
        assert_ne!(here, clean, "{m:?} did not change the plan compiled on its thread");
        assert_eq!(elsewhere, clean, "{m:?} changed a plan compiled on another thread");
    }
    assert_eq!(plan(), clean, "the switch stayed on");
}

/// A wrong ring mask or a dropped LSE term in the ring lowering (of ring and of hybrids' inner
/// ring) makes the check fail on the numbers, with the plan still the expected split; with the
/// switch off the same cases pass. Ulysses, which has no ring, is untouched by the switch.
#[test]
fn a_broken_ring_lowering_fails_the_check() {
    let cfg = DecoderConfig::tiny();
    let g = cfg.build().expect("builds");
    let shape = Shape::of(&cfg, cfg.layers);
    let cases = [(StrategyKind::Ring, 2), (StrategyKind::Ring, 4), (StrategyKind::Ring, 8), (StrategyKind::Hybrid, 4), (StrategyKind::Hybrid, 8)];
    for m in [Mutation::RingMask, Mutation::DropLseTerm] {
        for (s, devices) in cases {
            let opts = CompileOptions { devices, strategy: s, ..Default::default() };
            let expect = forced(&shape, devices, s);
            let broken = {
                let _on = Mutated::on(m);
                check(&g, &shape, &opts, None, &expect)
            };
            match broken {
                Err(Failure::Numerics { worst, message }) => {
                    assert!(worst > TOLERANCE, "{m:?}, {s:?} on {devices}: {message}");
                    println!("{m:?}, {s:?} on {devices} ranks caught: {message}");
                }
                other => panic!("{m:?}, {s:?} on {devices} ranks: expected a numerical failure, got {other:?}"),
            }
            check(&g, &shape, &opts, None, &expect).unwrap_or_else(|f| panic!("{s:?} on {devices} ranks without {m:?}: {f}"));
        }
        let _on = Mutated::on(m);
        let opts = CompileOptions { devices: 4, strategy: StrategyKind::Ulysses, ..Default::default() };
        check(&g, &shape, &opts, None, &forced(&shape, 4, StrategyKind::Ulysses)).unwrap_or_else(|f| panic!("ulysses under {m:?}: {f}"));
    }
}
