//! The proof: a partitioned program computes the unsplit model. Every strategy at 1, 2, 3, 4 and
//! 8 CPU ranks in f32 against the unsplit model in f64 (max relative error <= 1e-5, relative to the
//! largest reference value), and random small shapes under proptest. Plans with sharded inputs
//! and outputs (`--sharded-io`) are held to the same bar: every rank's rows, assembled by the
//! plan's recorded layout, must be the unsplit model's output, on the CPU backend and through the
//! CUDA backend's lowering on emulated ranks.

use proptest::prelude::*;
use seq_frontends::DecoderConfig;
use seq_ir::Graph;
use seq_runtime::cpu::{RunOptions, WeightSource};
use seqc::run::{RunInputs, make_inputs, max_relative_error, owner_of, precision, run_cpu};
use seqc::{CompileOptions, StrategyKind, compile_graph};
use std::time::Duration;

const TOLERANCE: f64 = 1e-5;

const STRATEGIES: [StrategyKind; 6] = [
    StrategyKind::Auto,
    StrategyKind::Replicate,
    StrategyKind::Ulysses,
    StrategyKind::Ring,
    StrategyKind::AllGatherKv,
    StrategyKind::Hybrid,
];

/// Compiles `g` for `devices` with `strategy`, runs it in f32, runs the unsplit program in f64,
/// and returns the largest relative error, or a message naming the first diverging row's rank.
fn check(g: &Graph, devices: usize, strategy: StrategyKind, segments: Option<Vec<i32>>) -> Result<f64, String> {
    check_io(g, devices, strategy, segments, false)
}

fn check_io(
    g: &Graph,
    devices: usize,
    strategy: StrategyKind,
    segments: Option<Vec<i32>>,
    sharded_io: bool,
) -> Result<f64, String> {
    check_with(g, CompileOptions { devices, strategy, sharded_io, ..Default::default() }, segments)
}

fn check_with(g: &Graph, opts: CompileOptions, segments: Option<Vec<i32>>) -> Result<f64, String> {
    let (devices, strategy, sharded_io) = (opts.devices, opts.strategy, opts.sharded_io);
    let split = compile_graph(g.clone(), &opts).map_err(|e| e.to_string())?;
    let whole = compile_graph(g.clone(), &CompileOptions { devices: 1, sharded_io: false, ..opts })
        .map_err(|e| e.to_string())?;
    // A forced split strategy must split; what auto or replicate leaves unsplit has nothing to
    // shard and says so.
    let forced = !matches!(strategy, StrategyKind::Auto | StrategyKind::Replicate);
    if sharded_io && devices > 1 && forced && !split.report.split {
        return Err("a forced strategy left the program unsplit".into());
    }
    if sharded_io && devices > 1 && !split.report.split && split.report.notes.is_empty() {
        return Err("--sharded-io was dropped without a note".into());
    }
    if sharded_io && split.report.split {
        // The plan really is per rank: no scatter of the arguments, no gather of the results.
        let io = split.plan.sharded_io.as_ref().ok_or("no sharded_io in the plan")?;
        if io.inputs.is_empty() || io.outputs.is_empty() {
            return Err(format!("nothing sharded: {io:?}"));
        }
        if let Some(op) = split.plan.steps.iter().find(|s| s.op == "shard" || s.op == "unshard") {
            return Err(format!("a sharded-IO plan still has '{}'", op.op));
        }
    }
    let segs = segments.map(|s| seq_runtime::cpu::HostTensor::from_i32(vec![s.len()], s).expect("segments"));
    let inputs = make_inputs(&split.plan, &RunInputs { segments: segs, seed: 7, ..Default::default() })
        .map_err(|e| e.to_string())?;
    let weights = WeightSource::random(3);
    let run = |plan, f64| {
        run_cpu(plan, &inputs, &weights, &RunOptions { precision: precision(f64), timeout: Duration::from_secs(20) })
    };
    let got = run(&split.plan, false).map_err(|e| e.to_string())?;
    let reference = run(&whole.plan, true).map_err(|e| e.to_string())?;
    if sharded_io && split.report.split {
        // The CUDA backend's lowering of the compiled plan, on emulated ranks (no GPU needed).
        let mut emu = seq_runtime::cuda::emulate::Emulator::new(&split.plan, &inputs, &weights)?;
        emu.run()?;
        let emulated = emu.global_outputs(&split.plan)?;
        let (e, bad) = max_relative_error(&emulated[0], &reference.outputs[0], TOLERANCE);
        if bad.is_some() {
            return Err(format!("the CUDA lowering (emulated) is {e:.3e} from the unsplit model"));
        }
    }
    let (worst, bad) = max_relative_error(&got.outputs[0], &reference.outputs[0], TOLERANCE);
    match bad {
        None => Ok(worst),
        Some(row) => {
            let layout = split.program.module_attrs.get("seq.layout").and_then(|a| a.as_str()).unwrap_or("block");
            let rank = owner_of(row, layout, devices, got.outputs[0].shape[0]);
            let strategies: Vec<&str> = split.report.layers.iter().map(|l| l.strategy.as_str()).collect();
            Err(format!(
                "max relative error {worst:.3e} > {TOLERANCE:e}; row {row} (rank {rank}) diverges first; strategies {strategies:?}"
            ))
        }
    }
}

#[test]
fn every_strategy_matches_the_unsplit_model() {
    let g = DecoderConfig::tiny().build().expect("tiny builds");
    let mut worst = 0.0f64;
    for devices in [1, 2, 3, 4, 8] {
        for s in STRATEGIES {
            let e = check(&g, devices, s, None).unwrap_or_else(|m| panic!("{s:?} on {devices} ranks: {m}"));
            worst = worst.max(e);
        }
    }
    println!("largest relative error over 30 runs: {worst:.3e}");
}

#[test]
fn every_strategy_with_sharded_io_matches_the_unsplit_model() {
    let tiny = DecoderConfig::tiny();
    let packed = DecoderConfig { packed: true, window: Some(9), seq_len: 37, ..tiny.clone() };
    let segs: Vec<i32> = (0..37)
        .map(|i| {
            if i < 10 {
                0
            } else if i < 25 {
                1
            } else {
                2
            }
        })
        .collect();
    // Token ids in, logits out; hidden states in and out (a layer); q, k, v in (attention alone);
    // packed documents with an uneven length.
    let models = [
        ("decoder", tiny.build().expect("builds"), None),
        ("layer", tiny.build_layer().expect("builds"), None),
        ("attention", tiny.build_attention().expect("builds"), None),
        ("packed", packed.build().expect("builds"), Some(segs)),
    ];
    for (name, g, segs) in &models {
        for devices in [2, 3, 4, 8] {
            for s in STRATEGIES {
                check_io(g, devices, s, segs.clone(), true)
                    .unwrap_or_else(|m| panic!("{name}, {s:?} on {devices} ranks: {m}"));
            }
        }
    }
}

/// Ulysses in head groups (`--head-groups`): each group's all-to-alls and attention, the
/// groups' outputs joined by columns, equal the unsplit model on the CPU backend and through the
/// CUDA lowering (sharded io); a grouping the heads do not allow keeps one group and says why.
#[test]
fn ulysses_head_groups_match_the_unsplit_model() {
    let tiny = DecoderConfig::tiny();
    let gqa = DecoderConfig { heads: 8, kv_heads: 4, head_dim: 8, ..tiny.clone() };
    let packed = DecoderConfig { packed: true, window: Some(9), seq_len: 37, ..gqa.clone() };
    let segs: Vec<i32> = (0..37)
        .map(|i| {
            if i < 10 {
                0
            } else if i < 25 {
                1
            } else {
                2
            }
        })
        .collect();
    let models = [
        ("tiny", tiny.build().expect("builds"), None),
        ("gqa", gqa.build().expect("builds"), None),
        ("packed", packed.build().expect("builds"), Some(segs)),
    ];
    let mut grouped = 0;
    for (name, g, segs) in &models {
        for devices in [2, 4] {
            for groups in [2, 4] {
                for sharded_io in [false, true] {
                    let opts = CompileOptions {
                        devices,
                        strategy: StrategyKind::Ulysses,
                        sharded_io,
                        head_groups: groups,
                        ..Default::default()
                    };
                    let what = format!("{name}, {groups} groups on {devices} ranks, sharded io {sharded_io}");
                    check_with(g, opts.clone(), segs.clone()).unwrap_or_else(|m| panic!("{what}: {m}"));
                    let c = compile_graph(g.clone(), &opts).expect("compiles");
                    let (kv, heads) = match *name {
                        "tiny" => (2, 4),
                        _ => (4, 8),
                    };
                    // Whole KV heads per group, and query heads per group that split over the ranks.
                    let legal = kv % groups == 0 && (heads / groups) % devices == 0;
                    let a2a = c
                        .plan
                        .steps
                        .iter()
                        .filter(|s| {
                            s.op == "async_start"
                                && s.attrs.get("collective").and_then(|c| c.as_str()) == Some("seq.all_to_all")
                        })
                        .count();
                    for l in &c.report.layers {
                        if legal {
                            assert_eq!(l.strategy, format!("ulysses({groups} head groups)"), "{what}");
                        } else {
                            assert_eq!(l.strategy, "ulysses", "{what}");
                            assert!(
                                l.fallback.as_deref().is_some_and(|f| f.contains("one group")),
                                "{what}: {:?}",
                                l.fallback
                            );
                        }
                    }
                    // q, k, v in and the result out, per group and layer.
                    let per_layer = if legal { 4 * groups } else { 4 };
                    assert_eq!(a2a, per_layer * c.report.layers.len(), "{what}");
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
    // Three documents of 10, 15 and 12 tokens.
    let segs: Vec<i32> = (0..37)
        .map(|i| {
            if i < 10 {
                0
            } else if i < 25 {
                1
            } else {
                2
            }
        })
        .collect();
    for devices in [2, 3, 4] {
        for s in STRATEGIES {
            check(&g, devices, s, Some(segs.clone())).unwrap_or_else(|m| panic!("{s:?} on {devices} ranks: {m}"));
        }
    }
}

fn arb_model() -> impl Strategy<Value = (DecoderConfig, usize, StrategyKind, Option<Vec<i32>>)> {
    let heads = prop_oneof![Just((4i64, 4i64)), Just((4, 2)), Just((6, 3)), Just((6, 1)), Just((3, 1)), Just((2, 2))];
    (
        heads,
        prop_oneof![Just(4i64), Just(8)],
        3i64..40,
        any::<bool>(),
        proptest::option::of(2i64..12),
        any::<bool>(),
        2usize..6,
        0usize..6,
        any::<u64>(),
    )
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
                (0..seq)
                    .map(|i| {
                        if i > 0 && (seg_seed >> (i % 64)) & 1 == 1 && (seg_seed >> ((i * 7) % 64)) & 1 == 1 {
                            id += 1;
                        }
                        id
                    })
                    .collect()
            });
            (cfg, devices, STRATEGIES[s], segs)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// MHA, GQA and MQA; causal or not; sliding windows; sequences and head counts that do not
    /// divide the rank count; packed documents.
    #[test]
    fn random_shapes_match_the_unsplit_model((cfg, devices, strategy, segs) in arb_model()) {
        let g = cfg.build().expect("builds");
        let result = check(&g, devices, strategy, segs);
        prop_assert!(result.is_ok(), "{cfg:?} on {devices} ranks, {strategy:?}: {}", result.err().unwrap_or_default());
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
    let whole = compile_graph(g.clone(), &CompileOptions { devices: 1, ..Default::default() }).expect("compiles");
    let weights = WeightSource::random(3);
    for devices in [2, 4] {
        for s in [StrategyKind::Ulysses, StrategyKind::Ring, StrategyKind::AllGatherKv, StrategyKind::Hybrid] {
            let opts = CompileOptions { devices, strategy: s, sharded_io: true, ..Default::default() };
            let split = compile_graph(g.clone(), &opts).unwrap_or_else(|e| panic!("{s:?} x {devices}: {e}"));
            let inputs = make_inputs(&split.plan, &RunInputs { seed: 7, ..Default::default() }).expect("inputs");
            let reference = run_cpu(
                &whole.plan,
                &inputs,
                &weights,
                &RunOptions { precision: precision(true), timeout: Duration::from_secs(20) },
            )
            .expect("unsplit runs");
            let mut emu = seq_runtime::cuda::emulate::Emulator::new(&split.plan, &inputs, &weights).expect("lowers");
            emu.run().expect("emulated run");
            let emulated = emu.global_outputs(&split.plan).expect("outputs");
            let (e, bad) = max_relative_error(&emulated[0], &reference.outputs[0], 1e-2);
            assert!(bad.is_none(), "{s:?} x {devices}: max relative error {e:.3e}");
        }
    }
}
