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
use seq_passes::config::{Chooser, Config, StrategyRequest};
use seq_passes::strategy::choose_strategy::{Decision, LayerChoice, WHOLE_SEGMENTS, decide};
use seq_runtime::cpu::{RunOptions, WeightSource};
use seqc::run::{RunInputs, make_inputs, max_relative_error, precision, run_cpu};
use seqc::{ChooserKind, CompileOptions, Compiled, compile_graph};
use std::time::Duration;

fn config(opts: &CompileOptions, chooser: Chooser) -> Config {
    let target = seqc::target(opts).expect("target");
    Config {
        target,
        strategy: StrategyRequest::Auto,
        chooser,
        sharded_io: opts.sharded_io,
        head_groups: 1,
    }
}

/// Both choosers' decisions for `g` under `opts`.
fn decisions(g: &Graph, opts: &CompileOptions) -> (Decision, Decision) {
    let (_, egraph) = decide(g, &config(opts, Chooser::EGraph)).expect("e-graph decides");
    let (_, naive) = decide(g, &config(opts, Chooser::Naive)).expect("naive decides");
    (egraph, naive)
}

fn compile(g: &Graph, opts: &CompileOptions, chooser: ChooserKind) -> Compiled {
    compile_graph(
        g.clone(),
        &CompileOptions {
            chooser,
            ..opts.clone()
        },
    )
    .expect("compiles")
}

/// A narrow decoder with a wide vocabulary (Qwen2-0.5B's shape).
fn narrow(layers: usize, seq: i64) -> DecoderConfig {
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
        let opts = CompileOptions {
            devices,
            ..Default::default()
        };
        let (egraph, naive) = decisions(&g, &opts);
        // The argmin never changes layout (it splits everything or nothing); the e-graph keeps
        // the head whole.
        assert!(naive.whole_segments.iter().all(|w| !w), "{what}: {naive:?}");
        assert!(
            egraph.split && egraph.whole_segments[layers],
            "{what}: {egraph:?}"
        );
        assert!(
            egraph.predicted < naive.predicted,
            "{what}: {} vs {}",
            egraph.predicted,
            naive.predicted
        );
        // The lowered programs realise the saving: their simulated steps differ by at least
        // half the predicted difference.
        let (a, b) = (
            compile(&g, &opts, ChooserKind::EGraph),
            compile(&g, &opts, ChooserKind::Naive),
        );
        let predicted = (naive.predicted - egraph.predicted) * 1e3;
        let realised = b.report.predicted_step_ms - a.report.predicted_step_ms;
        println!(
            "{what}: e-graph {:.3} ms, argmin {:.3} ms predicted; lowered {:.3} vs {:.3} ms",
            egraph.predicted * 1e3,
            naive.predicted * 1e3,
            a.report.predicted_step_ms,
            b.report.predicted_step_ms
        );
        assert!(
            realised >= 0.5 * predicted,
            "{what}: predicted saving {predicted:.3} ms, realised {realised:.3} ms"
        );
        assert!(
            whole_segments(&a).contains(&(layers as i64)),
            "{what}: the lowered program does not keep the head whole"
        );
        // No assembly of the logits: the only results come from the whole head.
        assert!(
            !a.plan
                .steps
                .iter()
                .any(|s| s.op == "unshard" && s.results.iter().any(|r| a.plan.outputs.contains(r))),
            "{what}"
        );
    }
}

#[test]
fn wide_models_agree_with_the_argmin() {
    // Llama-3-8B-shaped layers on one NVLink node: the logits' assembly is cheaper than a whole
    // head, and no layer gains from running whole.
    for (seq, devices) in [(131072, 8), (131072, 2), (4096, 8)] {
        let g = DecoderConfig {
            layers: 2,
            seq_len: seq,
            ..DecoderConfig::llama3_8b()
        }
        .build()
        .expect("builds");
        let opts = CompileOptions {
            devices,
            ..Default::default()
        };
        let (egraph, naive) = decisions(&g, &opts);
        assert_eq!(egraph.layers, naive.layers, "{seq} tokens on {devices}");
        assert_eq!(
            egraph.whole_segments, naive.whole_segments,
            "{seq} tokens on {devices}"
        );
        assert!(
            (egraph.predicted - naive.predicted).abs() <= 1e-12 * naive.predicted,
            "{seq} tokens on {devices}"
        );
        assert!(
            egraph
                .layers
                .iter()
                .all(|c| matches!(c, LayerChoice::Split(_)))
        );
    }
}
