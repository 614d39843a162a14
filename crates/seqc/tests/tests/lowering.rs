//! Lowered IR pinned for the examples at 1, 2, 4 and 8 devices under every strategy and auto,
//! and for the uneven cases: a sequence that does not divide, heads that do not divide, MQA;
//! and with sharded inputs and outputs (`--sharded-io`).

use super::{root, settings};
use seq_frontends::DecoderConfig;
use seq_ir::{PrintOptions, print_graph};
use seqc::{CompileOptions, Source, StrategyKind, compile, compile_graph};

const STRATEGIES: [(&str, StrategyKind); 6] = [
    ("auto", StrategyKind::Auto),
    ("replicate", StrategyKind::Replicate),
    ("ulysses", StrategyKind::Ulysses),
    ("ring", StrategyKind::Ring),
    ("allgather_kv", StrategyKind::AllGatherKv),
    ("hybrid", StrategyKind::Hybrid),
];

fn opts(devices: usize, strategy: StrategyKind) -> CompileOptions {
    CompileOptions { devices, strategy, ..Default::default() }
}

/// Checks what every lowering must satisfy, then snapshots it.
fn check(name: &str, c: &seqc::Compiled, devices: usize, strategy: StrategyKind) {
    let split = c.report.split;
    match strategy {
        StrategyKind::Replicate => assert!(!split, "{name}: replicate must not split"),
        _ if devices == 1 => assert!(!split, "{name}: one device never splits"),
        StrategyKind::Auto => {}
        _ => assert!(split, "{name}: a forced strategy splits"),
    }
    // Forced strategies are used where legal, and a fallback is explained where not.
    let wanted = match strategy {
        StrategyKind::Ulysses => Some("ulysses"),
        StrategyKind::Ring => Some("ring"),
        StrategyKind::AllGatherKv => Some("allgather-kv"),
        StrategyKind::Hybrid => Some("hybrid"),
        _ => None,
    };
    if let (Some(w), true) = (wanted, split) {
        for l in &c.report.layers {
            assert!(l.strategy.starts_with(w) || l.fallback.is_some(), "{name}: layer {} is {} without a reason", l.layer, l.strategy);
        }
    }
    assert_eq!(c.plan.devices, devices);
    settings("lowering").bind(|| insta::assert_snapshot!(name.to_string(), print_graph(&c.program, PrintOptions::default())));
}

/// The tiny model's training step (`--train`): forward, loss, backward and the gradients'
/// all-reduce, at 2 and 4 ranks under every strategy.
#[test]
fn tiny_training_step_under_every_strategy() {
    let source = Source::File(root().join("examples/tiny.mlir"));
    for devices in [2, 4] {
        for (sname, s) in STRATEGIES {
            let o = CompileOptions { train: true, ..opts(devices, s) };
            let c = compile(&source, &o).unwrap_or_else(|e| panic!("train {sname} x {devices}: {e}"));
            assert_eq!(c.plan.output_names.first().map(String::as_str), Some("loss"));
            check(&format!("tiny_train_{sname}_{devices}"), &c, devices, s);
        }
    }
    // The mixed pair: ring forward, Ulysses backward.
    let o = CompileOptions { train: true, backward: seqc::BackwardStrategy::Ulysses, ..opts(2, StrategyKind::Ring) };
    let c = compile(&source, &o).unwrap_or_else(|e| panic!("ring forward, ulysses backward: {e}"));
    check("tiny_train_ring_ulysses_backward_2", &c, 2, StrategyKind::Ring);
}

#[test]
fn tiny_example_under_every_strategy() {
    let source = Source::File(root().join("examples/tiny.mlir"));
    for devices in [1, 2, 4, 8] {
        for (sname, s) in STRATEGIES {
            let c = compile(&source, &opts(devices, s)).unwrap_or_else(|e| panic!("{sname} x {devices}: {e}"));
            check(&format!("tiny_{sname}_{devices}"), &c, devices, s);
        }
    }
}

#[test]
fn uneven_cases_under_every_strategy() {
    let one = DecoderConfig { layers: 1, ..DecoderConfig::tiny() };
    let cases = [
        ("uneven_seq", DecoderConfig { seq_len: 61, ..one.clone() }, vec![3, 8]),
        ("odd_heads", DecoderConfig { heads: 6, kv_heads: 2, ..one.clone() }, vec![4]),
        ("mqa", DecoderConfig { kv_heads: 1, ..one.clone() }, vec![4, 8]),
        ("packed_window", DecoderConfig { packed: true, window: Some(16), ..one }, vec![2]),
    ];
    for (model, cfg, device_counts) in cases {
        let g = cfg.build().expect("builds");
        for devices in device_counts {
            for (sname, s) in STRATEGIES {
                let c = compile_graph(g.clone(), &opts(devices, s)).unwrap_or_else(|e| panic!("{model} {sname} x {devices}: {e}"));
                check(&format!("{model}_{sname}_{devices}"), &c, devices, s);
            }
        }
    }
}

/// `--sharded-io`: the function takes and returns each rank's rows (no shard, no unshard), for a
/// layer and for attention alone on a sequence that does not divide.
#[test]
fn sharded_io_under_every_strategy() {
    let cfg = DecoderConfig { layers: 1, seq_len: 61, ..DecoderConfig::tiny() };
    for (model, g) in [("layer", cfg.build_layer().expect("builds")), ("attention", cfg.build_attention().expect("builds"))] {
        for devices in [2, 4] {
            for (sname, s) in STRATEGIES.into_iter().filter(|(n, _)| *n != "auto" && *n != "replicate") {
                let c = compile_graph(g.clone(), &CompileOptions { sharded_io: true, ..opts(devices, s) })
                    .unwrap_or_else(|e| panic!("{model} {sname} x {devices}: {e}"));
                let io = c.plan.sharded_io.as_ref().unwrap_or_else(|| panic!("{model} {sname} x {devices}: no sharded_io"));
                assert_eq!((io.global_size, io.outputs.as_slice()), (61, &[0usize][..]), "{model} {sname} x {devices}");
                assert!(c.plan.steps.iter().all(|s| s.op != "shard" && s.op != "unshard"), "{model} {sname} x {devices}");
                check(&format!("sharded_io_{model}_{sname}_{devices}"), &c, devices, s);
            }
        }
    }
}

/// A partial attention that is its layer's whole result is written in the model's type (no f32
/// copy of the output, no convert); partials merged by log-sum-exp stay f32 until the merge.
#[test]
fn bf16_partials_are_f32_only_when_merged() {
    let cfg = DecoderConfig { layers: 1, seq_len: 64, dtype: seq_ir::DType::BF16, ..DecoderConfig::tiny() };
    let g = cfg.build_attention().expect("builds");
    for (sname, s) in STRATEGIES.into_iter().filter(|(n, _)| *n != "auto" && *n != "replicate") {
        let name = format!("bf16_attention_{sname}_2");
        let c = compile_graph(g.clone(), &CompileOptions { sharded_io: true, ..opts(2, s) }).unwrap_or_else(|e| panic!("{name}: {e}"));
        let steps = &c.plan.steps;
        let ops = |op: &'static str| steps.iter().filter(move |st| st.op == op);
        let merged = ops("lse_merge").count() > 0;
        let types: Vec<&str> = ops("attention_partial").map(|st| c.plan.values[st.results[0] as usize].dtype.as_str()).collect();
        assert!(!types.is_empty(), "{name}: no attention_partial");
        assert!(types.iter().all(|t| *t == if merged { "f32" } else { "bf16" }), "{name}: partial outputs {types:?}");
        assert_eq!(ops("convert").count() > 0, merged, "{name}: a convert exactly when partials merge");
        check(&name, &c, 2, s);
    }
}

/// Every attention command of the bf16 plans above can take cuDNN's fused path on the GPU
/// (whole `attention`, or `attention_partial` as SDPA blocks whatever its output type): a
/// command no SDPA key fits runs on the fallback kernel, correct but tens of times slower.
#[test]
fn bf16_attention_commands_fit_the_sdpa_path() {
    use seq_runtime::cuda::{program::Cmd, sdpa::SdpaKey};
    let cfg = DecoderConfig { layers: 1, seq_len: 64, dtype: seq_ir::DType::BF16, ..DecoderConfig::tiny() };
    let g = cfg.build_attention().expect("builds");
    for (sname, s) in STRATEGIES {
        for devices in [1, 2, 4] {
            let c = compile_graph(g.clone(), &opts(devices, s)).unwrap_or_else(|e| panic!("{sname} x {devices}: {e}"));
            let program = seq_runtime::cuda::program::build(&c.plan, 0).unwrap_or_else(|e| panic!("{sname} x {devices}: {e}"));
            let attentions: Vec<_> =
                program.cmds.iter().filter_map(|(_, cmd)| if let Cmd::Attention(a) = cmd { Some(a) } else { None }).collect();
            assert!(!attentions.is_empty(), "{sname} x {devices}: no attention command");
            for a in attentions {
                let key = if a.lse.is_some() { SdpaKey::block(a, 1, 1, None, None) } else { SdpaKey::of(a) };
                assert!(key.is_some(), "{sname} x {devices}: no SDPA key for {a:?}");
            }
        }
    }
}

/// Ulysses in two head groups on the Llama-shaped attention (8 query and 2 KV heads per group
/// at 2 ranks): every group's column slices first, then per group its all-to-alls, attention and
/// result all-to-all, the results joined by columns.
#[test]
fn ulysses_in_head_groups() {
    let cfg = DecoderConfig { layers: 1, seq_len: 64, heads: 16, kv_heads: 4, head_dim: 8, hidden: 128, ..DecoderConfig::tiny() };
    let g = cfg.build_attention().expect("builds");
    let o = CompileOptions { head_groups: 2, sharded_io: true, ..opts(2, StrategyKind::Ulysses) };
    let c = compile_graph(g, &o).expect("compiles");
    assert_eq!(c.report.layers[0].strategy, "ulysses(2 head groups)");
    let ops: Vec<&str> = c.plan.steps.iter().map(|s| s.op.as_str()).collect();
    let partials: Vec<usize> = ops.iter().enumerate().filter(|(_, o)| **o == "attention_partial").map(|(i, _)| i).collect();
    assert_eq!(partials.len(), 2, "{ops:?}");
    // The second group's inputs are on their way before the first group's attention runs.
    let starts_before_first = ops[..partials[0]].iter().filter(|o| **o == "async_start").count();
    assert!(starts_before_first >= 6, "{ops:?}");
    check("ulysses_head_groups_attention_2", &c, 2, StrategyKind::Ulysses);
}

/// `seqc compile --train` reports the training loop's AdamW state per device: what the GPU
/// loop's fit check counts on one device, about 1/N of it on N devices under ZeRO, all of it
/// with whole gradients.
#[test]
fn the_report_names_the_optimizer_state_per_device() {
    use seq_runtime::cuda::fit::Needs;
    let cfg = DecoderConfig { layers: 2, seq_len: 64, dtype: seq_ir::DType::BF16, ..DecoderConfig::tiny() };
    let g = cfg.build().expect("builds");
    let state = |devices: usize, strategy: StrategyKind, grad_reduce: seqc::GradReduce| {
        let c = compile_graph(g.clone(), &CompileOptions { train: true, grad_reduce, ..opts(devices, strategy) }).expect("compiles");
        let text = c.report.table();
        assert!(text.contains("optimizer state for a training loop"), "{text}");
        (c.report.gradients.as_ref().expect("a training step").optimizer_gib_per_device * (1u64 << 30) as f64, c)
    };
    let (one, c) = state(1, StrategyKind::Replicate, seqc::GradReduce::ReduceScatter);
    let program = seq_runtime::cuda::program::build(&c.plan, 0).expect("lowers");
    let fit = Needs::of(&program, true, None).optimizer as f64;
    assert!(one <= fit && fit - one <= (3 * 256 * program.params.len()) as f64, "report {one} B, fit check {fit} B");
    let (zero, _) = state(4, StrategyKind::Ulysses, seqc::GradReduce::ReduceScatter);
    assert!(zero * 4.0 >= one && zero * 4.0 < one * 1.1, "ZeRO over 4: {zero} B of {one}");
    let (whole, _) = state(4, StrategyKind::Ulysses, seqc::GradReduce::AllReduce);
    assert_eq!(whole, one, "whole gradients: the whole state on every device");
    assert!(!c.report.notes.iter().any(|n| n.contains("AdamW")), "a tiny model fits: {:?}", c.report.notes);
    // A device too small for the weights, activations and that state together: a note with the
    // budget that leaves room for it (a model of a few hundred MB, for GiB figures).
    let g = DecoderConfig { hidden: 1024, ffn: 2048, heads: 8, kv_heads: 4, head_dim: 128, vocab: 32768, seq_len: 1024, ..cfg }.build().expect("builds");
    let c = compile_graph(g.clone(), &CompileOptions { train: true, ..opts(1, StrategyKind::Replicate) }).expect("compiles");
    let one = c.report.gradients.as_ref().expect("a training step").optimizer_gib_per_device * (1u64 << 30) as f64;
    let mut profile = seq_passes::strategy::cost_model::Profile::h200();
    // Room for the weights, the state and half the activations.
    profile.memory_gib = gib_of(&c) + one / (1u64 << 30) as f64 - 0.5 * c.report.activation_gib_per_device;
    let path = std::env::temp_dir().join(format!("seqc-small-gpu-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_string(&profile).expect("json")).expect("write the profile");
    let small = compile_graph(g.clone(), &CompileOptions { train: true, profile: path.display().to_string(), ..opts(1, StrategyKind::Replicate) });
    let _ = std::fs::remove_file(&path);
    let small = small.expect("compiles");
    let note = small.report.notes.iter().find(|n| n.contains("AdamW")).unwrap_or_else(|| panic!("no note: {:?}", small.report.notes));
    assert!(note.contains("--memory-budget") && note.contains("more devices"), "{note}");
    let budget: f64 = note.split("--memory-budget ").nth(1).and_then(|r| r.split_whitespace().next()).and_then(|v| v.parse().ok()).expect("a budget");
    let state = one / (1u64 << 30) as f64;
    assert!(budget + state <= profile.memory_gib + 0.01 && budget >= c.report.param_gib_per_device, "{note}");
}

/// Weights and activations of a compiled plan, GiB per device.
fn gib_of(c: &seqc::Compiled) -> f64 {
    c.report.param_gib_per_device + c.report.activation_gib_per_device
}

/// A rank that does not fit its GPU is refused before anything is allocated, with each part's
/// size and a --memory-budget that would fit; one that fits passes. The optimizer's state is a
/// master copy and two moments per bf16 weight, counted once for a tied weight.
#[test]
fn a_rank_that_does_not_fit_is_refused_with_what_would() {
    use seq_runtime::cuda::fit::Needs;
    let cfg = DecoderConfig { layers: 2, seq_len: 256, dtype: seq_ir::DType::BF16, tie_embeddings: true, ..DecoderConfig::tiny() };
    let g = cfg.build().expect("builds");
    let c = compile_graph(g, &CompileOptions { train: true, ..opts(1, StrategyKind::Replicate) }).expect("compiles");
    let program = seq_runtime::cuda::program::build(&c.plan, 0).expect("lowers");
    let needs = Needs::of(&program, true, None);
    let numel: usize = {
        let mut seen = std::collections::BTreeSet::new();
        program.params.iter().filter(|p| seen.insert(p.name.clone())).map(|p| p.info.numel).sum()
    };
    assert!(needs.optimizer >= 12 * numel && needs.optimizer < 12 * numel + 3 * 256 * program.params.len(), "{needs:?}");
    assert_eq!(Needs::of(&program, false, None).optimizer, 0);
    // bf16 weights: a third of the state is the f32 master copy, named with its size.
    assert!(needs.master * 3 >= needs.optimizer - 3 * 256 * program.params.len() && needs.master * 3 <= needs.optimizer, "{needs:?}");
    assert!(needs.parts().iter().any(|p| p.contains("(master ")), "{:?}", needs.parts());
    // Under ZeRO over 4 ranks a rank keeps state for about a quarter of the values (its rows).
    let zero = Needs::of(&program, true, Some(4)).optimizer;
    assert!(zero * 4 >= 12 * numel && zero * 4 < 12 * numel + 4 * 3 * 256 * program.params.len() + 4 * 12 * 256, "{zero} of {}", needs.optimizer);
    assert_eq!(needs.weights, program.params_bytes);
    assert!(needs.check(needs.total(), "test GPU").is_ok());
    // Short of the activations by half: refused, naming the parts and a budget that fits.
    let free = needs.total() - needs.activations / 2;
    let err = needs.check(free, "test GPU").expect_err("does not fit");
    for part in ["weights", "master weights and AdamW moments", "activations", "command temporaries", "--memory-budget"] {
        assert!(err.contains(part), "{err}");
    }
    let budget: f64 = err.split("--memory-budget ").nth(1).and_then(|r| r.split_whitespace().next()).and_then(|v| v.parse().ok()).expect("a budget");
    let gib = (1u64 << 30) as f64;
    let fixed = needs.weights + needs.optimizer + needs.temporaries;
    assert!(budget * gib <= (free - fixed + needs.weights) as f64, "{err}: the budget fits what is free");
    // Not even the weights and optimizer state fit: more devices, not a budget.
    let err = needs.check(fixed / 2, "test GPU").expect_err("does not fit");
    assert!(err.contains("more devices") && !err.contains("--memory-budget"), "{err}");
}

/// A plan whose split attention the CUDA runtime runs on its NVRTC kernel (capped scores) says
/// so, naming the layers; the same split without the cap, and causal packed documents (cuDNN
/// blocks), do not.
#[test]
fn the_report_names_split_attention_on_the_kernel() {
    let tiny = DecoderConfig { layers: 2, seq_len: 32, dtype: seq_ir::DType::BF16, ..DecoderConfig::tiny() };
    let note = |cfg: &DecoderConfig, strategy: StrategyKind, devices: usize| {
        let c = compile_graph(cfg.build().expect("builds"), &CompileOptions { train: true, ..opts(devices, strategy) }).expect("compiles");
        if devices > 1 {
            super::train::assert_split(&c, devices, strategy, &format!("{strategy:?}"));
        }
        c.report.notes.iter().find(|n| n.contains("NVRTC kernel")).cloned()
    };
    let capped = DecoderConfig { attn_softcap: Some(50.0), ..tiny.clone() };
    let packed = DecoderConfig { packed: true, ..tiny.clone() };
    for s in [StrategyKind::Ring, StrategyKind::AllGatherKv] {
        let n = note(&capped, s, 2).unwrap_or_else(|| panic!("{s:?} with capped scores: no note"));
        assert!(n.starts_with("layers 0-1:") && n.contains("capped scores"), "{n}");
        assert_eq!(note(&tiny, s, 2), None, "{s:?} without a cap");
        assert_eq!(note(&packed, s, 2), None, "{s:?} over causal packed documents");
    }
    assert_eq!(note(&capped, StrategyKind::Replicate, 1), None, "capped scores kept whole");
}
