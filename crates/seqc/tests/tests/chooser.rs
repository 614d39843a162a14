//! The e-graph chooser against the per-layer argmin (`naive`), and node placement.
//!
//! The layout between layers is part of the e-graph's term, so one layer's choice changes what
//! the next costs. For narrow models with a wide vocabulary the e-graph keeps the first layer
//! whole (the arguments are whole on every rank) and gathers the hidden state once before the
//! output head instead of assembling the wider logits: strictly cheaper than the argmin by the
//! model's own cost, and the lowered program realises it (simulated step, CPU equivalence and
//! a lowering snapshot). Where layouts cannot help, the two agree.

use super::settings;
use seq_frontends::DecoderConfig;
use seq_ir::{Attr, Graph, PrintOptions, print_graph};
use seq_passes::config::{Chooser, Config, Strategy};
use seq_passes::strategy::choose_strategy::{Decision, LayerChoice, WHOLE_SEGMENTS, candidates, decide};
use seq_passes::strategy::cost_model::{Profile, Target};
use seq_runtime::cpu::{RunOptions, WeightSource};
use seqc::run::{RunInputs, make_inputs, max_relative_error, precision, run_cpu};
use seqc::{ChooserKind, CompileOptions, Compiled, compile_graph};
use std::time::Duration;

fn config(opts: &CompileOptions, chooser: Chooser) -> Config {
    let target = seqc::target(opts).expect("target");
    Config { chooser, sharded_io: opts.sharded_io, ..Config::new(target) }
}

/// Both choosers' decisions for `g` under `opts`.
fn decisions(g: &Graph, opts: &CompileOptions) -> (Decision, Decision) {
    let (_, egraph) = decide(g, &config(opts, Chooser::EGraph)).expect("e-graph decides");
    let (_, naive) = decide(g, &config(opts, Chooser::Naive)).expect("naive decides");
    (egraph, naive)
}

fn compile(g: &Graph, opts: &CompileOptions, chooser: ChooserKind) -> Compiled {
    compile_graph(g.clone(), &CompileOptions { chooser, ..opts.clone() }).expect("compiles")
}

/// A narrow decoder with a wide vocabulary (Qwen2-0.5B's shape).
pub(super) fn narrow(layers: usize, seq: i64) -> DecoderConfig {
    DecoderConfig {
        layers,
        hidden: 896,
        heads: 14,
        kv_heads: 2,
        head_dim: 64,
        ffn: 4864,
        vocab: 151936,
        seq_len: seq,
        ..DecoderConfig::llama3_8b()
    }
}

fn whole_segments(c: &Compiled) -> Vec<i64> {
    match c.program.module_attrs.get(WHOLE_SEGMENTS) {
        Some(Attr::Ints { values, .. }) => values.clone(),
        _ => Vec::new(),
    }
}

#[test]
fn narrow_models_beat_the_per_layer_argmin() {
    for (layers, seq, devices) in [(24, 4096, 8), (24, 16384, 8), (4, 32768, 8)] {
        let what = format!("{layers} layers, {seq} tokens, {devices} devices");
        let g = narrow(layers, seq).build().expect("builds");
        let opts = CompileOptions { devices, ..Default::default() };
        let (egraph, naive) = decisions(&g, &opts);
        // The argmin never changes layout (it splits everything or nothing); the e-graph keeps
        // the head whole.
        assert!(naive.whole_segments.iter().all(|w| !w), "{what}: {naive:?}");
        assert!(egraph.split && egraph.whole_segments[layers], "{what}: {egraph:?}");
        assert!(egraph.predicted < naive.predicted, "{what}: {} vs {}", egraph.predicted, naive.predicted);
        // The lowered programs realise the saving: their simulated steps differ by at least
        // half the predicted difference.
        let (a, b) = (compile(&g, &opts, ChooserKind::EGraph), compile(&g, &opts, ChooserKind::Naive));
        let predicted = (naive.predicted - egraph.predicted) * 1e3;
        let realised = b.report.predicted_step_ms - a.report.predicted_step_ms;
        println!(
            "{what}: e-graph {:.3} ms, argmin {:.3} ms predicted; lowered {:.3} vs {:.3} ms",
            egraph.predicted * 1e3,
            naive.predicted * 1e3,
            a.report.predicted_step_ms,
            b.report.predicted_step_ms
        );
        assert!(realised >= 0.5 * predicted, "{what}: predicted saving {predicted:.3} ms, realised {realised:.3} ms");
        assert!(
            whole_segments(&a).contains(&(layers as i64)),
            "{what}: the lowered program does not keep the head whole"
        );
        // No assembly of the logits: the only results come from the whole head.
        assert!(
            !a.plan.steps.iter().any(|s| s.op == "unshard" && s.results.iter().any(|r| a.plan.outputs.contains(r))),
            "{what}"
        );
    }
}

#[test]
fn wide_models_agree_with_the_argmin() {
    // Llama-3-8B-shaped layers on one NVLink node: the logits' assembly is cheaper than a whole
    // head, and no layer gains from running whole.
    for (seq, devices) in [(131072, 8), (131072, 2), (4096, 8)] {
        let g = DecoderConfig { layers: 2, seq_len: seq, ..DecoderConfig::llama3_8b() }.build().expect("builds");
        let opts = CompileOptions { devices, ..Default::default() };
        let (egraph, naive) = decisions(&g, &opts);
        assert_eq!(egraph.layers, naive.layers, "{seq} tokens on {devices}");
        assert_eq!(egraph.whole_segments, naive.whole_segments, "{seq} tokens on {devices}");
        assert!((egraph.predicted - naive.predicted).abs() <= 1e-12 * naive.predicted, "{seq} tokens on {devices}");
        assert!(egraph.layers.iter().all(|c| matches!(c, LayerChoice::Split(_))));
    }
}

/// The tiny model with a wide vocabulary on the slow-links test profile: the e-graph keeps the
/// head whole where the argmin assembles the logits.
fn tiny_wide() -> (Graph, CompileOptions) {
    let g = DecoderConfig { layers: 4, vocab: 8192, ..DecoderConfig::tiny() }.build().expect("builds");
    let profile = super::root().join("tests/passes/choose_strategy/slow_links.json").display().to_string();
    (g, CompileOptions { devices: 4, profile, ..Default::default() })
}

#[test]
fn the_whole_head_computes_the_unsplit_model() {
    let (g, opts) = tiny_wide();
    let (egraph, naive) = decisions(&g, &opts);
    // As for Qwen2-0.5B on H200: the first layer whole (the arguments are whole on every rank),
    // cut to rows, three split layers, the stream gathered once, the head whole; the argmin
    // runs everything whole.
    assert!(egraph.split, "{egraph:?}");
    assert_eq!(egraph.whole_segments, vec![true, false, false, false, true]);
    assert_eq!(egraph.layers[0], LayerChoice::Whole);
    assert!(egraph.layers[1..].iter().all(|c| matches!(c, LayerChoice::Split(_))), "{egraph:?}");
    assert!(egraph.predicted < naive.predicted, "{} vs {}", egraph.predicted, naive.predicted);
    let split = compile(&g, &opts, ChooserKind::EGraph);
    let argmin = compile(&g, &opts, ChooserKind::Naive);
    assert!(split.report.predicted_step_ms < argmin.report.predicted_step_ms);
    settings("lowering").bind(|| {
        insta::assert_snapshot!("tiny_wide_whole_head_4", print_graph(&split.program, PrintOptions::default()))
    });
    let whole = compile_graph(g.clone(), &CompileOptions { devices: 1, ..opts.clone() }).expect("compiles unsplit");
    let inputs = make_inputs(&split.plan, &RunInputs { seed: 11, ..Default::default() }).expect("inputs");
    let weights = WeightSource::random(5);
    let run = |plan, f64| {
        run_cpu(plan, &inputs, &weights, &RunOptions { precision: precision(f64), timeout: Duration::from_secs(20) })
    };
    let got = run(&split.plan, true).expect("split plan runs");
    let reference = run(&whole.plan, true).expect("unsplit plan runs");
    let (err, bad) = max_relative_error(&got.outputs[0], &reference.outputs[0], 1e-5);
    assert!(bad.is_none(), "max relative error {err:e}");
}

/// Every all-to-all group of `c`'s plan, per rank.
fn all_to_all_groups(c: &Compiled) -> Vec<Vec<usize>> {
    let mut groups = Vec::new();
    for s in &c.plan.steps {
        let collective = s.attrs().str("collective").ok();
        if s.op == "all_to_all" || collective == Some("seq.all_to_all") {
            let axis = s.attrs().str("axis").expect("a collective names its axis");
            for r in 0..c.plan.devices {
                let g = c.plan.axis_group(axis, r).expect("the axis exists");
                if !groups.contains(&g) {
                    groups.push(g);
                }
            }
        }
    }
    groups
}

#[test]
fn nodes_decide_which_ranks_share_fast_links() {
    let g = DecoderConfig { layers: 2, seq_len: 131072, ..DecoderConfig::llama3_8b() }.build().expect("builds");
    let on = |nodes: usize, per_node: usize| {
        let opts =
            CompileOptions { devices: 16, nodes: Some(nodes), gpus_per_node: Some(per_node), ..Default::default() };
        compile(&g, &opts, ChooserKind::EGraph)
    };
    let (two, one) = (on(2, 8), on(1, 16));
    let strategies = |c: &Compiled| c.report.layers.iter().map(|l| l.strategy.clone()).collect::<Vec<_>>();
    assert_ne!(strategies(&two), strategies(&one), "2 nodes of 8 and 1 node of 16 get the same plan");
    assert_ne!(two.plan.mesh, one.plan.mesh);
    for (c, per_node) in [(&two, 8), (&one, 16)] {
        let groups = all_to_all_groups(c);
        assert!(!groups.is_empty(), "{:?}: no Ulysses group at all", strategies(c));
        for group in groups {
            let node = group[0] / per_node;
            assert!(group.iter().all(|r| r / per_node == node), "Ulysses group {group:?} crosses nodes of {per_node}");
        }
    }
}

#[test]
fn hybrid_groups_never_straddle_nodes() {
    // 12 devices at 8 per node: Ulysses over 3 or 6 consecutive ranks would put ranks 6-8 or
    // 6-11 in two nodes; only 2 and 4 are offered, and both nodes' links are priced right.
    let target = |devices: usize, per_node: usize| {
        let mut t = Target::new(devices, Profile::h200());
        t.gpus_per_node = per_node;
        t
    };
    let hybrids = |t: &Target| -> Vec<usize> {
        candidates(t)
            .into_iter()
            .filter_map(|s| if let Strategy::Hybrid { ulysses, .. } = s { Some(ulysses) } else { None })
            .collect()
    };
    assert_eq!(hybrids(&target(12, 8)), vec![2, 4]);
    assert_eq!(hybrids(&target(12, 12)), vec![2, 3, 4, 6]);
    assert_eq!(hybrids(&target(16, 8)), vec![2, 4, 8]);
    let t = target(12, 8);
    assert!(!t.axis_crosses_nodes("ulysses", 4));
    assert!(t.axis_crosses_nodes("ulysses", 6));
    assert!(t.axis_crosses_nodes("ring", 4));
    assert!(!target(8, 8).axis_crosses_nodes("sp", 1));
    assert!(target(16, 8).axis_crosses_nodes("sp", 1));
    // The compiled 12-device plan keeps every all-to-all inside a node.
    let g = DecoderConfig { layers: 2, seq_len: 131072, ..DecoderConfig::llama3_8b() }.build().expect("builds");
    let c =
        compile(&g, &CompileOptions { devices: 12, gpus_per_node: Some(8), ..Default::default() }, ChooserKind::EGraph);
    for group in all_to_all_groups(&c) {
        assert!(
            group.iter().all(|r| r / 8 == group[0] / 8),
            "{group:?} crosses nodes ({:?})",
            c.report.layers[0].strategy
        );
    }
}

/// A halo exchange's attention is priced by the pairs its window lets through, as every other
/// split's is: its keys are the queries' own windows, so each query sees about one window of
/// them, not the sequence's average share. Its attention then costs what Ulysses' does (the
/// same pairs, Ulysses' at a rate over longer rows), while it moves a fraction of the bytes.
#[test]
fn halo_attention_is_priced_by_its_window() {
    let cfg = DecoderConfig { layers: 1, window: Some(4096), seq_len: 131072, ..DecoderConfig::llama3_8b() };
    let g = cfg.build().expect("builds");
    let layer = |strategy, name: &str| {
        let c = compile_graph(g.clone(), &CompileOptions { devices: 8, strategy, ..Default::default() }).expect("compiles");
        let l = c.report.layers[0].clone();
        assert_eq!(l.strategy, name, "{l:?}");
        l
    };
    let (halo, ulysses) = (layer(seqc::StrategyKind::Halo, "halo"), layer(seqc::StrategyKind::Ulysses, "ulysses"));
    let ratio = halo.compute_ms / ulysses.compute_ms;
    assert!((0.5..2.0).contains(&ratio), "halo attention {} ms, Ulysses' {} ms", halo.compute_ms, ulysses.compute_ms);
    assert!(halo.mb_sent_per_device * 5.0 < ulysses.mb_sent_per_device, "{halo:?} against {ulysses:?}");
}
