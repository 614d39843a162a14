//! The training step (`--train`, `seq-autodiff`) against independent references:
//! - central finite differences of the loss on tiny f64 models (the derivatives themselves);
//! - PyTorch's loss and gradients for the shared Llama checkpoints (`../shared/models`);
//! - every strategy on 1, 2, 3, 4 and 8 CPU ranks against the unsplit step in f64, each case
//!   asserting that the plan really split its forward and its backward with the strategy named.
//!
//! Attention is made peaked (query projections scaled up) so that a wrong mask or block
//! cannot hide behind near-uniform softmax weights.

use proptest::prelude::*;
use seq_frontends::{DecoderConfig, decoder::Norm};
use seq_ir::Graph;
use seq_runtime::cpu::{HostTensor, ParamSpec, Precision, RunOptions, WeightSource, param_specs, random_values};
use seqc::run::{RunInputs, TrainOutput, make_train_inputs, next_token_labels, train_step};
use seqc::{CompileOptions, Compiled, GradReduce, StrategyKind, compile_graph};
use std::collections::BTreeMap;
use std::time::Duration;

/// Split step (f32) against the unsplit step (f64), per tensor: max |a − b| / max |b|.
const TOLERANCE: f64 = 1e-5;
/// Finite differences in f64, relative to the gradient tensor's largest entry.
const FD_TOLERANCE: f64 = 1e-6;
/// Query projections are scaled by this so softmax weights are peaked.
const Q_GAIN: f64 = 6.0;

pub(super) fn options(devices: usize, strategy: StrategyKind) -> CompileOptions {
    // Auto keeps these small models whole on an H200's profile; on one with slow arithmetic it
    // splits them, which is what the auto cases are for.
    let profile = if strategy == StrategyKind::Auto { compute_bound() } else { "h200".into() };
    CompileOptions { devices, strategy, train: true, profile, ..Default::default() }
}

/// The H200's links with arithmetic 10^4 times slower: transfers hide under the attention, so
/// auto splits every layer.
pub(super) fn compute_bound() -> String {
    static PATH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let link = r#"{ "alpha_us": 1.0, "bus_gbs": 300.0 }"#;
        let links = format!(r#"{{ "all_to_all": {link}, "all_gather": {link}, "send_recv": {link} }}"#);
        let text = format!(
            r#"{{ "name": "train-compute-bound", "description": "training tests: slow arithmetic next to fast links",
  "gemm_tflops": 1e-4, "attention_tflops": 1e-4, "memory_gbs": 4100.0, "memory_gib": 141.0,
  "kernel_launch_us": 0.0, "gpus_per_node": 8, "intra_node": {links}, "inter_node": {links} }}"#
        );
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        let (path, tmp) = (dir.join("train-compute-bound.json"), dir.join(format!("train.{}.tmp", std::process::id())));
        std::fs::write(&tmp, text).expect("write the test profile");
        std::fs::rename(&tmp, &path).expect("place the test profile");
        path.display().to_string()
    })
    .clone()
}

pub(super) fn compile(g: &Graph, devices: usize, strategy: StrategyKind) -> Compiled {
    compile_graph(g.clone(), &options(devices, strategy)).unwrap_or_else(|e| panic!("{strategy:?} x {devices}: {e}"))
}

/// The runtime's seeded random weights, held in memory, with the query projections scaled.
pub(super) fn peaked_weights(c: &Compiled, seed: u64) -> BTreeMap<String, Vec<f64>> {
    let mut out = BTreeMap::new();
    for ParamSpec { name, shape, role, .. } in param_specs(&c.plan).expect("parameters") {
        let mut v = random_values(&name, &shape, role, seed);
        if name.contains("q_proj") {
            v.iter_mut().for_each(|x| *x *= Q_GAIN);
        }
        out.insert(name, v);
    }
    out
}

pub(super) fn run(c: &Compiled, inputs: &[HostTensor], weights: &BTreeMap<String, Vec<f64>>, precision: Precision) -> TrainOutput {
    let opts = RunOptions { precision, timeout: Duration::from_secs(30) };
    train_step(&c.plan, inputs, &WeightSource::Values(weights.clone()), &opts).unwrap_or_else(|e| panic!("step: {e}"))
}

pub(super) fn inputs(c: &Compiled, segments: Option<Vec<i32>>) -> Vec<HostTensor> {
    let segments = segments.map(|s| HostTensor::from_i32(vec![s.len()], s).expect("segments"));
    make_train_inputs(&c.plan, &RunInputs { segments, seed: 5, ..Default::default() }).expect("inputs")
}

/// Worst relative difference of the loss and of every gradient, with the worst one's name.
fn compare(got: &TrainOutput, want: &TrainOutput) -> (f64, String) {
    compare_parts(got.loss, &got.grads, want)
}

fn compare_parts(loss: f64, grads: &[(String, HostTensor)], want: &TrainOutput) -> (f64, String) {
    let got = (loss, grads);
    assert_eq!(got.1.len(), want.grads.len(), "gradient count");
    let mut worst = ((got.0 - want.loss).abs() / want.loss.abs(), "loss".to_string());
    let largest = |t: &HostTensor| t.to_f64().expect("floats").iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let floor = want.grads.iter().map(|(_, t)| largest(t)).fold(0.0f64, f64::max);
    for ((name, a), (want_name, b)) in got.1.iter().zip(&want.grads) {
        assert_eq!(name, want_name, "gradients in the same order");
        // Relative to the tensor's largest entry; a gradient that is exactly zero (GPT-2's key
        // bias: softmax ignores a shift shared by every key) is held to the step's largest
        // gradient entry instead, as f32 meets it as rounding noise.
        let (a, b) = (a.to_f64().expect("floats"), b.to_f64().expect("floats"));
        let own = b.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let scale = if own < 1e-9 * floor { floor } else { own };
        let e = a.iter().zip(&b).fold(0.0f64, |m, (x, y)| m.max((x - y).abs())) / scale;
        if e > worst.0 {
            worst = (e, name.clone());
        }
    }
    worst
}

fn small(family: Norm) -> DecoderConfig {
    DecoderConfig {
        family,
        layers: 2,
        hidden: 16,
        heads: 4,
        kv_heads: 2,
        head_dim: 4,
        ffn: 24,
        vocab: 32,
        seq_len: 11,
        dtype: seq_ir::DType::F32,
        ..DecoderConfig::tiny()
    }
}

/// Central differences on a sample of every parameter's entries, for a Llama-style model (RMSNorm,
/// RoPE, SwiGLU, GQA, packed documents with a window) and a GPT-2-style one (LayerNorm, learned
/// positions, GELU, biases, tied embeddings), both unsplit and split over 3 ranks with ring.
/// Gemma 3's pieces on `base`: scaled embeddings, 1 + w norms around each block, per-head q/k
/// norms, a tanh-GELU gate, a tied head.
fn gemma_like(base: DecoderConfig) -> DecoderConfig {
    DecoderConfig { embed_scale: Some(2.0), norm_offset: 1.0, sandwich: true, qk_norm: true, geglu: true, tie_embeddings: true, ..base }
}

/// Gemma 2's layer: Gemma's without q/k norms, with scores and logits capped (caps of the
/// scores' and logits' own order, so that tanh bends them).
fn gemma2_like(base: DecoderConfig) -> DecoderConfig {
    DecoderConfig { qk_norm: false, attn_softcap: Some(1.5), final_softcap: Some(0.7), ..gemma_like(base) }
}

#[test]
fn finite_differences_check_the_derivatives() {
    let llama = DecoderConfig { packed: true, window: Some(5), ..small(Norm::Llama) };
    let gpt2 = DecoderConfig { tie_embeddings: true, ..small(Norm::Gpt2) };
    let gemma = gemma_like(small(Norm::Llama));
    let gemma2 = gemma2_like(small(Norm::Llama));
    let segments: Vec<i32> = (0..11).map(|i| if i < 6 { 0 } else { 1 }).collect();
    for (name, cfg, segs) in [("llama", &llama, Some(segments)), ("gpt2", &gpt2, None), ("gemma", &gemma, None), ("gemma2", &gemma2, None)] {
        let g = cfg.build().expect("builds");
        for (devices, strategy) in [(1, StrategyKind::Replicate), (3, StrategyKind::Ring)] {
            let c = compile(&g, devices, strategy);
            let ins = inputs(&c, segs.clone());
            let weights = peaked_weights(&c, 9);
            let step = run(&c, &ins, &weights, Precision::F64);
            let loss = |w: &BTreeMap<String, Vec<f64>>| run(&c, &ins, w, Precision::F64).loss;
            let h = 1e-5;
            for (pname, grad) in &step.grads {
                let grad = grad.to_f64().expect("float gradient");
                // Relative to the tensor's largest entry, with a floor: the key bias's gradient is
                // exactly zero (softmax ignores a shift shared by every key), and differences of
                // zero are rounding.
                let scale = grad.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-4);
                // The largest entry and two others spread over the tensor.
                let largest = grad.iter().enumerate().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).map_or(0, |(i, _)| i);
                for i in [largest, grad.len() / 3, grad.len() - 1] {
                    let (mut plus, mut minus) = (weights.clone(), weights.clone());
                    plus.get_mut(pname).expect("weight")[i] += h;
                    minus.get_mut(pname).expect("weight")[i] -= h;
                    let fd = (loss(&plus) - loss(&minus)) / (2.0 * h);
                    let e = (fd - grad[i]).abs() / scale;
                    assert!(e <= FD_TOLERANCE, "{name} on {devices} ranks: d loss / d {pname}[{i}] = {} by the step, {fd} by differences ({e:.2e})", grad[i]);
                }
            }
        }
    }
}

/// Tensors a plan all-reduces: a bucket (`seq-bucket-gradients`) carries several gradients.
pub(super) fn all_reduced_tensors(c: &Compiled) -> usize {
    c.plan
        .steps
        .iter()
        .filter(|s| s.op == "all_reduce" || (s.op == "async_start" && s.attrs().str("collective").ok() == Some("seq.all_reduce")))
        .map(|s| s.attrs().opt_count("bucket").ok().flatten().unwrap_or(1))
        .sum()
}

/// What the plan of a split training step must hold: its forward split as named, and the
/// backward's own transfers (the transposes of the forward's).
pub(super) fn assert_split(c: &Compiled, devices: usize, strategy: StrategyKind, what: &str) {
    let count = |op: &str| {
        c.plan
            .steps
            .iter()
            .filter(|s| s.op == op || (s.op == "async_start" && s.attrs().str("collective").ok() == Some(&format!("seq.{op}"))))
            .count()
    };
    let grads = c.plan.output_names.len() - 1;
    let all_reduced = all_reduced_tensors(c);
    if devices == 1 || strategy == StrategyKind::Replicate {
        assert!(!c.report.split, "{what}: must not split");
        assert_eq!(count("all_reduce"), 0, "{what}: an unsplit step sums nothing over ranks");
        return;
    }
    assert!(c.report.split, "{what}: the plan does not split");
    let want = match strategy {
        StrategyKind::Ulysses => "ulysses",
        StrategyKind::Ring => "ring",
        StrategyKind::AllGatherKv => "allgather-kv",
        StrategyKind::Halo => "halo",
        StrategyKind::Hybrid => "hybrid",
        _ => "",
    };
    for l in &c.report.layers {
        assert!(l.strategy.starts_with(want) || l.fallback.is_some(), "{what}: layer {} is {}", l.layer, l.strategy);
    }
    // The loss and the token count are all-reduced; every gradient is reduce-scattered (each
    // rank owning a slice of it), or all-reduced when asked. A layer auto keeps whole (every
    // rank runs it over all rows) sums its own gradients too: the counts are the split plan's.
    let whole = c.report.layers.iter().any(|l| l.strategy == "whole");
    if whole {
        assert!(strategy == StrategyKind::Auto, "{what}: only auto keeps a layer whole in a split step");
        assert!(count("all_reduce") >= 2, "{what}: the loss and the count all-reduced");
    } else if c.plan.owned_outputs.is_empty() {
        assert_eq!(all_reduced, grads + 2, "{what}: weight gradients all-reduced");
        assert!(count("all_reduce") < grads + 2, "{what}: weight gradients all-reduced in buckets");
    } else {
        assert_eq!(count("all_reduce"), 2, "{what}: the loss and the count all-reduced");
        assert_eq!(c.plan.owned_outputs.len(), grads, "{what}: every gradient reduce-scattered");
        assert!(count("reduce_scatter") >= grads, "{what}: weight gradients reduce-scattered");
    }
    let used = |s: &str| c.report.layers.iter().any(|l| l.strategy.starts_with(s));
    // Forward and backward each move what the strategy moves: the backward's transfers are at
    // least as many as the forward's (all-to-alls go both ways; permutes carry dK/dV back;
    // gathers of K/V become reduce-scatters of dK/dV).
    if used("ulysses") || used("hybrid") {
        assert!(count("all_to_all") >= 2 * 4 * c.report.layers.len(), "{what}: all-to-alls of the backward");
    }
    if used("ring") || used("hybrid") {
        assert!(count("collective_permute") >= 2, "{what}: dK/dV travel back around the ring");
    }
    if used("halo") {
        // Two chunk tails forward (K/V, indices), their dK/dV tails back.
        assert!(count("collective_permute") >= 4, "{what}: the halo's dK/dV tails travel back");
    }
    if used("allgather-kv") {
        assert!(count("reduce_scatter") >= c.report.layers.len(), "{what}: dK/dV reduce-scattered to their owners");
    }
}

fn check_strategies(name: &str, g: &Graph, segments: Option<Vec<i32>>, devices: &[usize]) -> f64 {
    check_strategies_by(name, g, segments, devices, (assert_split, compare))
}

/// What a kind of step is checked by: that a plan split as asked, and how far two runs' results
/// are apart (the worst relative error and the tensor it is in).
pub(super) type StepChecks =
    (fn(&Compiled, usize, StrategyKind, &str), fn(&TrainOutput, &TrainOutput) -> (f64, String));

/// Every strategy's step of `g` on each of `devices` ranks against the unsplit step in f64,
/// each plan's split asserted and the results compared by `checks`, within TOLERANCE; the worst.
pub(super) fn check_strategies_by(
    name: &str,
    g: &Graph,
    segments: Option<Vec<i32>>,
    devices: &[usize],
    (assert_split, compare): StepChecks,
) -> f64 {
    let unsplit = compile(g, 1, StrategyKind::Replicate);
    assert_split(&unsplit, 1, StrategyKind::Replicate, name);
    let ins = inputs(&unsplit, segments);
    let weights = peaked_weights(&unsplit, 3);
    let reference = run(&unsplit, &ins, &weights, Precision::F64);
    let mut worst = 0.0f64;
    for &n in devices {
        for (c, s, what) in splits(name, g, n) {
            assert_split(&c, n, s, &what);
            let got = run(&c, &ins, &weights, Precision::F32);
            let (e, tensor) = compare(&got, &reference);
            assert!(e <= TOLERANCE, "{what}: {tensor} differs from the unsplit step in f64 by {e:.3e}");
            worst = worst.max(e);
        }
    }
    worst
}

/// `g` compiled for `n` ranks under every strategy and both gradient reductions: the step, the
/// strategy asked for and a name for messages.
fn splits<'a>(name: &'a str, g: &'a Graph, n: usize) -> impl Iterator<Item = (Compiled, StrategyKind, String)> + 'a {
    super::equivalence::ALL.into_iter().flat_map(move |s| {
        [GradReduce::ReduceScatter, GradReduce::AllReduce].into_iter().map(move |grad_reduce| {
            let what = format!("{name}, {s:?} on {n} ranks, gradients by {}", grad_reduce.name());
            let c = compile_graph(g.clone(), &CompileOptions { grad_reduce, ..options(n, s) })
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            (c, s, what)
        })
    })
}

#[test]
fn every_strategy_trains_like_the_unsplit_step() {
    let tiny = DecoderConfig::tiny();
    let cases = [
        ("gqa", DecoderConfig { seq_len: 48, ..tiny.clone() }, None),
        ("mha", DecoderConfig { kv_heads: 4, seq_len: 40, ..tiny.clone() }, None),
        ("mqa", DecoderConfig { heads: 8, kv_heads: 1, head_dim: 8, seq_len: 40, ..tiny.clone() }, None),
        // 37 tokens: no device count divides them; a window; three packed documents.
        (
            "packed",
            DecoderConfig { packed: true, window: Some(9), seq_len: 37, ..tiny.clone() },
            Some((0..37).map(|i| i32::from(i >= 10) + i32::from(i >= 25)).collect()),
        ),
        // 6 heads do not divide over 4 or 8 ranks.
        ("odd_heads", DecoderConfig { heads: 6, kv_heads: 2, head_dim: 8, hidden: 48, seq_len: 40, ..tiny.clone() }, None),
        ("gpt2", DecoderConfig { family: Norm::Gpt2, kv_heads: 4, seq_len: 40, tie_embeddings: true, ..tiny }, None),
    ];
    for (name, cfg, segs) in cases {
        let worst = check_strategies(name, &cfg.build().expect("builds"), segs, &[1, 2, 3, 4, 8]);
        eprintln!("{name}: worst relative error {worst:.2e}");
    }
}

/// The strategies and rank counts whose CUDA lowering the emulator checks.
pub(super) const EMULATED: [(usize, StrategyKind); 7] = [
    (1, StrategyKind::Replicate),
    (2, StrategyKind::Ulysses),
    (2, StrategyKind::Ring),
    (4, StrategyKind::Ring),
    (2, StrategyKind::AllGatherKv),
    (2, StrategyKind::Halo),
    (4, StrategyKind::Hybrid),
];

/// Runs `c`'s plan through the CUDA lowering on emulated ranks; the emulator and the global
/// outputs.
pub(super) fn emulate(
    c: &Compiled,
    ins: &[HostTensor],
    weights: &BTreeMap<String, Vec<f64>>,
    what: &str,
) -> (seq_runtime::cuda::emulate::Emulator, Vec<HostTensor>) {
    let source = WeightSource::Values(weights.clone());
    let mut emu = seq_runtime::cuda::emulate::Emulator::new(&c.plan, ins, &source).unwrap_or_else(|e| panic!("{what}: {e}"));
    emu.run().unwrap_or_else(|e| panic!("{what}: {e}"));
    let outputs = emu.global_outputs(&c.plan).unwrap_or_else(|e| panic!("{what}: {e}"));
    (emu, outputs)
}

/// The CUDA backend's lowering of every strategy's training step (`cuda::program`: the
/// backward's commands, f32 accumulators, loss chunks, gradient collectives, shard tables), run
/// on emulated ranks against the unsplit step in f64: f32 plans to rounding, bf16 plans within
/// bf16 error. The GPU run (`seqc-run --check-against-cpu`) then only tests the kernels.
#[test]
fn every_strategy_lowers_its_training_step_for_the_gpu() {
    let tiny = DecoderConfig::tiny();
    let cases = [
        ("gqa", DecoderConfig { seq_len: 24, ..tiny.clone() }, None),
        ("window", DecoderConfig { window: Some(7), seq_len: 24, ..tiny.clone() }, None),
        (
            "packed",
            DecoderConfig { packed: true, window: Some(7), seq_len: 23, ..tiny.clone() },
            Some((0..23).map(|i| i32::from(i >= 8) + i32::from(i >= 16)).collect()),
        ),
        // Per-head q/k norms (Qwen3): `rms_norm` with `group` lowers as rows of one head.
        ("qk-norm", DecoderConfig { qk_norm: true, seq_len: 24, ..tiny.clone() }, None),
        // OLMo 2's norms after each block, and over the whole q and k.
        ("post-norm", DecoderConfig { post_norm: true, seq_len: 24, ..tiny.clone() }, None),
        // Gemma 3's scaled embeddings and 1 + w norms (the lowering's scale and offset).
        ("gemma", gemma_like(DecoderConfig { seq_len: 24, ..tiny.clone() }), None),
        // Gemma 2's capped scores (the kernel's forward and backward) and capped logits (the loss).
        ("gemma2", gemma2_like(DecoderConfig { seq_len: 24, ..tiny.clone() }), None),
        ("gpt2", DecoderConfig { family: Norm::Gpt2, kv_heads: 4, seq_len: 20, tie_embeddings: true, ..tiny }, None),
    ];
    for (name, cfg, segs) in cases {
        for (dtype, tolerance) in [(seq_ir::DType::F32, TOLERANCE), (seq_ir::DType::BF16, 3e-2)] {
            // Gemma's norms around every block and on q and k compound bf16 rounding past the
            // bar (0.13 on a q_proj gradient); f32 checks its lowering.
            if name.starts_with("gemma") && dtype == seq_ir::DType::BF16 {
                continue;
            }
            let g = DecoderConfig { dtype, ..cfg.clone() }.build().expect("builds");
            let unsplit = compile(&g, 1, StrategyKind::Replicate);
            let ins = inputs(&unsplit, segs.clone());
            let weights = peaked_weights(&unsplit, 3);
            let reference = run(&unsplit, &ins, &weights, Precision::F64);
            for (n, s) in EMULATED {
                let what = format!("{name} ({dtype:?}), {s:?} on {n} ranks, lowered for CUDA");
                let c = compile(&g, n, s);
                assert_split(&c, n, s, &what);
                let (emu, outputs) = emulate(&c, &ins, &weights, &what);
                let (loss, grads) = seqc::run::loss_and_gradients(&c.plan, &outputs).expect("a training step");
                let (e, tensor) = compare_parts(loss, &grads, &reference);
                assert!(e <= tolerance, "{what}: {tensor} differs from the unsplit step in f64 by {e:.3e}");
                // Whole bf16 attention (a window under the causal mask and packed documents
                // included) keeps its output and statistics for cuDNN's fused backward.
                if n == 1 {
                    use seq_runtime::cuda::program::Cmd;
                    let p = &emu.programs()[0];
                    let grads: Vec<_> = p.cmds.iter().filter_map(|(_, c)| if let Cmd::AttentionGrad(g) = c { Some(g) } else { None }).collect();
                    assert!(!grads.is_empty(), "{what}: no attention backward");
                    let fused = dtype == seq_ir::DType::BF16;
                    for g in grads {
                        use seq_runtime::cuda::sdpa::BwdKey;
                        assert_eq!(g.saved.is_some(), fused, "{what}: attention output kept for the backward");
                        let key = if cfg.packed { BwdKey::packed(g) } else { BwdKey::of(g) };
                        assert_eq!(key.is_some(), fused, "{what}: cuDNN backward key");
                    }
                    // One pass over the logits gives the loss and its gradient (the loss above
                    // comes from it).
                    let losses: Vec<_> = p.cmds.iter().filter_map(|(_, c)| if let Cmd::CrossEntropy(l) = c { Some(l) } else { None }).collect();
                    assert_eq!(losses.len(), 1, "{what}: one pass over the logits");
                    assert!(losses[0].loss.is_some() && losses[0].grads.is_some(), "{what}: the pass gives the loss and its gradient");
                    // A residual add right after the projection (without a bias) or norm backward
                    // that makes one of its operands lowers to nothing: that command writes the sum.
                    let steps = &c.plan.steps;
                    let folded: Vec<usize> = (1..steps.len())
                        .filter(|&s| {
                            let before = &steps[s - 1];
                            let folds = match before.op.as_str() {
                                "linear" => before.operands.len() == 2,
                                op => ["linear_grad_input", "rms_norm_grad", "layer_norm_grad"].contains(&op),
                            };
                            steps[s].op == "add" && folds && steps[s].operands.iter().any(|v| before.results.contains(v))
                        })
                        .collect();
                    assert!(folded.len() >= 4, "{what}: only {} residual adds to fold", folded.len());
                    for s in folded {
                        assert!(p.cmds.iter().all(|(t, _)| *t != s), "{what}: the add at step {s} still has a command");
                        // --check-steps compares the sum after the step before, not the operand
                        // that step no longer writes.
                        assert!(p.step_results[s - 1].contains(&steps[s].results[0]), "{what}: step {} results {:?}", s - 1, p.step_results[s - 1]);
                    }
                    let addends = p.cmds.iter().filter(|(_, c)| matches!(c, Cmd::Gemm { addend: Some(_), .. } | Cmd::NormGrad { addend: Some(_), .. })).count();
                    assert!(addends >= 4, "{what}: {addends} commands add an addend");
                }
                eprintln!("{what}: {e:.2e} ({tensor}, {} commands)", emu.programs()[0].cmds.len());
            }
        }
    }
}

/// The fused loss in chunks of 5 rows over 23 tokens (four full chunks, a shorter last one; the
/// weight gradient written by the first chunk's GEMM and added into by the others'), f32 and
/// bf16, on 1 and 2 emulated ranks, against the unsplit step in f64.
#[test]
fn the_loss_in_chunks_equals_the_unsplit_step() {
    use seq_runtime::cuda::program::{Cmd, Lowering};
    for (dtype, tolerance) in [(seq_ir::DType::F32, TOLERANCE), (seq_ir::DType::BF16, 3e-2)] {
        let g = DecoderConfig { dtype, seq_len: 23, ..DecoderConfig::tiny() }.build().expect("builds");
        let unsplit = compile(&g, 1, StrategyKind::Replicate);
        let ins = inputs(&unsplit, None);
        let weights = peaked_weights(&unsplit, 5);
        let reference = run(&unsplit, &ins, &weights, Precision::F64);
        // (In bf16 the tiny Ulysses step fits its smallest budget without moving q, k, v again.)
        let cases: &[(usize, StrategyKind)] = match dtype {
            seq_ir::DType::F32 => &[(1, StrategyKind::Replicate), (2, StrategyKind::Ulysses)],
            _ => &[(1, StrategyKind::Replicate)],
        };
        for &(n, s) in cases {
            let what = format!("{dtype:?}, {s:?} on {n} ranks, loss chunks of 5 rows");
            let c = compile(&g, n, s);
            let source = WeightSource::Values(weights.clone());
            let lowering = Lowering { loss_chunk_rows: Some(5) };
            let mut emu = seq_runtime::cuda::emulate::Emulator::lowered(&c.plan, lowering, &ins, &source).unwrap_or_else(|e| panic!("{what}: {e}"));
            let p = &emu.programs()[0];
            let ce = p.cmds.iter().find_map(|(_, c)| if let Cmd::CrossEntropy(l) = c { l.grads.is_some().then_some(l) } else { None }).expect("a loss gradient");
            assert!(ce.chunk == 5 && ce.rows > 10 && ce.tail.is_some(), "{what}: {} rows in chunks of {}", ce.rows, ce.chunk);
            // Every GEMM a chunk runs is planned at setup (the executor refuses any other).
            for (r0, _, keys) in ce.chunks() {
                for key in [keys[0], keys[1], keys[if r0 == 0 { 2 } else { 3 }]] {
                    assert!(p.gemms.contains(&key), "{what}: chunk at row {r0}: {key:?} not prepared");
                }
            }
            emu.run().unwrap_or_else(|e| panic!("{what}: {e}"));
            let outputs = emu.global_outputs(&c.plan).unwrap_or_else(|e| panic!("{what}: {e}"));
            let (loss, grads) = seqc::run::loss_and_gradients(&c.plan, &outputs).expect("a training step");
            let (e, tensor) = compare_parts(loss, &grads, &reference);
            assert!(e <= tolerance, "{what}: {tensor} differs from the unsplit step in f64 by {e:.3e}");
        }
    }
}

/// Gradients all-reduced in buckets (`seq-bucket-gradients`: concat, one all-reduce, slices)
/// through the CUDA lowering on emulated ranks, against the unsplit step in f64.
#[test]
fn bucketed_gradients_lower_for_the_gpu() {
    let g = DecoderConfig { seq_len: 24, ..DecoderConfig::tiny() }.build().expect("builds");
    let unsplit = compile(&g, 1, StrategyKind::Replicate);
    let ins = inputs(&unsplit, None);
    let weights = peaked_weights(&unsplit, 3);
    let reference = run(&unsplit, &ins, &weights, Precision::F64);
    for (n, s) in [(2, StrategyKind::Ring), (4, StrategyKind::Ulysses)] {
        let opts = CompileOptions { grad_reduce: seqc::GradReduce::AllReduce, ..options(n, s) };
        let c = compile_graph(g.clone(), &opts).expect("compiles");
        let buckets = c.plan.steps.iter().filter(|st| st.attrs().opt_count("bucket").ok().flatten().is_some()).count();
        assert!(buckets > 0, "{s:?} on {n}: no bucket");
        let what = format!("buckets, {s:?} on {n} ranks, lowered for CUDA");
        let (_, outputs) = emulate(&c, &ins, &weights, &what);
        let (loss, grads) = seqc::run::loss_and_gradients(&c.plan, &outputs).expect("a training step");
        let (e, tensor) = compare_parts(loss, &grads, &reference);
        assert!(e <= TOLERANCE, "{what}: {tensor} differs from the unsplit step in f64 by {e:.3e}");
    }
}

/// The optimizer step (AdamW, and under ZeRO the weights' all-gathers) overlaps the next run:
/// each weight's update is waited for just before the first GPU command that reads any of its
/// places or writes over the bytes of its gradient, which the update reads (the arena reuses
/// them; the inputs' upload counts as command 0) — never after, and at most one step early —
/// and a quarter of the weights or more are needed only after the first attention, so their
/// update runs under it. Checked on every rank of a one-device plan, a 4-rank Ulysses plan and a
/// 2-rank ring plan (both asserted to split and to reduce-scatter their gradients).
#[test]
fn the_update_is_waited_for_where_the_run_needs_it() {
    let g = DecoderConfig { layers: 3, seq_len: 32, ..DecoderConfig::tiny() }.build().expect("builds");
    for (n, s) in [(1, StrategyKind::Replicate), (4, StrategyKind::Ulysses), (2, StrategyKind::Ring)] {
        let c = compile(&g, n, s);
        if n > 1 {
            assert_split(&c, n, s, &format!("{s:?} x {n}"));
            assert!(seq_runtime::cuda::optimizer::zero_devices(&c.plan) == Some(n), "{s:?} x {n}: not ZeRO");
        }
        for rank in 0..n {
            let program = seq_runtime::cuda::program::build(&c.plan, rank).expect("lowers");
            let need = seq_runtime::cuda::optimizer::first_needed(&c.plan, &program);
            // Independently: (region, first byte, end) of a value.
            let bytes = |v: u32| program.addrs[v as usize].map(|a| (a.region, a.off, a.off + program.infos[v as usize].bytes));
            let clash = |a: Option<(_, usize, usize)>, b: Option<(_, usize, usize)>| match (a, b) {
                (Some((ra, a0, a1)), Some((rb, b0, b1))) => ra == rb && a0 < b1 && b0 < a1,
                _ => false,
            };
            let grads: Vec<(&String, u32)> = c.plan.output_names.iter().zip(&program.outputs).skip(1).map(|(nm, o)| (nm, o.0)).collect();
            // What each step's commands write: its results, and an async_start's the results of
            // the async_wait that takes its token (the collective lands there).
            let written = |k: usize| -> Vec<u32> {
                let st = &c.plan.steps[k];
                let mut w = program.step_results[k].clone();
                if st.op == "async_start" {
                    for wait in c.plan.steps.iter().filter(|x| x.op == "async_wait" && x.operands.contains(&st.results[0])) {
                        w.extend(&wait.results);
                    }
                }
                w
            };
            let starts = c.plan.steps.iter().filter(|st| st.op == "async_start").count();
            assert!(n == 1 || starts > 0, "{s:?} x {n}: no async collective to check");
            let mut wanted: BTreeMap<String, usize> = BTreeMap::new();
            // The first step (with a command or not) that reads a place of the weight or writes
            // over its gradient.
            let mut step_wanted: BTreeMap<String, usize> = BTreeMap::new();
            for (k, st) in c.plan.steps.iter().enumerate() {
                for p in &program.params {
                    if st.operands.iter().any(|&v| clash(bytes(v), bytes(p.value))) {
                        step_wanted.entry(p.name.clone()).or_insert(k);
                    }
                }
                for r in written(k) {
                    for &(name, gv) in &grads {
                        if clash(bytes(r), bytes(gv)) {
                            step_wanted.entry(name.clone()).or_insert(k);
                        }
                    }
                }
            }
            for &(v, _) in &program.inputs {
                for &(name, gv) in &grads {
                    if clash(bytes(v), bytes(gv)) {
                        wanted.entry(name.clone()).or_insert(0);
                    }
                }
            }
            for (i, (step, _)) in program.cmds.iter().enumerate() {
                for p in &program.params {
                    if c.plan.steps[*step].operands.iter().any(|&v| clash(bytes(v), bytes(p.value))) {
                        wanted.entry(p.name.clone()).or_insert(i);
                    }
                }
                for r in written(*step) {
                    for &(name, gv) in &grads {
                        if clash(bytes(r), bytes(gv)) {
                            wanted.entry(name.clone()).or_insert(i);
                        }
                    }
                }
            }
            let what = format!("{s:?} x {n}, rank {rank}");
            assert_eq!(need.keys().collect::<Vec<_>>(), wanted.keys().collect::<Vec<_>>(), "{what}: every weight is needed");
            for (name, &first) in &wanted {
                let at = need[name];
                assert!(at <= first, "{what}: '{name}' waited for at command {at}, needed at {first}");
                // At most one step early (an add folded into the command before).
                let (step_at, step_first) = (program.cmds[at].0, step_wanted.get(name).copied().unwrap_or(usize::MAX));
                assert!(step_at + 1 >= step_first.min(program.cmds[first].0), "{what}: '{name}' waited for at step {step_at}, needed at step {step_first}");
            }
            // Something to overlap: some weights' updates are first needed past the first layer.
            let first_attention = program.cmds.iter().position(|(st, _)| c.plan.steps[*st].op.starts_with("attention")).expect("attention");
            let late = need.values().filter(|&&i| i > first_attention).count();
            assert!(late * 4 >= need.len(), "{what}: {late} of {} weights needed after the first attention: {need:?}", need.len());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]
    /// Random shapes: heads, KV groups, length, window and device count.
    #[test]
    fn random_shapes_train_like_the_unsplit_step(
        kv in 1i64..=3, group in 1i64..=3, head_dim in prop::sample::select(vec![4i64, 8]),
        len in 9i64..40, window in prop::option::of(3i64..12), devices in 2usize..=5,
    ) {
        let heads = kv * group;
        let cfg = DecoderConfig {
            layers: 1, heads, kv_heads: kv, head_dim, hidden: heads * head_dim, ffn: 32, vocab: 64,
            seq_len: len, window, ..DecoderConfig::tiny()
        };
        check_strategies("random", &cfg.build().expect("builds"), None, &[devices]);
    }
}

/// PyTorch's loss and gradients (`../shared/models/*/grads.safetensors`, of the mean
/// next-token cross-entropy over `input_ids.npy`) from the Hugging Face config and weights, at
/// 1, 2 and 4 CPU ranks. Skipped where the shared folder is absent (tests build without it).
#[test]
fn pytorch_gradients_match() {
    let models = super::root().join("../shared/models");
    if !models.exists() {
        eprintln!("skipped: {} is absent", models.display());
        return;
    }
    let ids = seq_runtime::cpu::read_input(&models.join("input_ids.npy")).expect("input ids");
    let tokens = ids.shape.iter().product::<usize>() as i64;
    // GPT-2's checkpoint keeps q, k and v fused in Conv1D layout and ties the output head to the
    // token embeddings: its gradients are compared in that layout, under its names.
    for model in ["llama-eager", "llama-sdpa", "gpt2-eager", "gpt2-sdpa"] {
        let dir = models.join(model);
        let reference: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("train_ref.json")).expect("train_ref.json")).expect("json");
        let want_loss = reference["loss"].as_f64().expect("loss");
        let config = dir.join("config.json");
        let g = seqc::load_file(&config, Some(tokens)).expect("config");
        let torch = WeightSource::safetensors(&dir.join("grads.safetensors")).expect("grads");
        let WeightSource::Safetensors(torch) = &torch else { unreachable!("a checkpoint") };
        for devices in [1, 2, 4] {
            let c = compile(&g, devices, StrategyKind::Auto);
            let (weights, layout) =
                seqc::run::checkpoint_weights(&config, tokens, &c.plan, &dir.join("weights.safetensors")).expect("weights");
            let ins = make_train_inputs(&c.plan, &RunInputs { ids: Some(ids.clone()), ..Default::default() }).expect("inputs");
            let opts = RunOptions { precision: Precision::F64, timeout: Duration::from_secs(30) };
            let step = train_step(&c.plan, &ins, &weights, &opts).expect("step");
            let e = (step.loss - want_loss).abs() / want_loss;
            assert!(e < 1e-4, "{model} on {devices} ranks: loss {} vs PyTorch's {want_loss}", step.loss);
            let grads = seqc::run::grads_in_checkpoint_layout(&layout, &step.grads).expect("layout");
            assert!(grads.len() >= 21, "{model}: {} gradients", grads.len());
            for (name, shape, got) in &grads {
                let (want_shape, want) = torch.tensor(name).unwrap_or_else(|e| panic!("{model}: {e}"));
                assert_eq!(&want_shape, shape, "{model}: {name}");
                let err = seq_runtime::relerr::max_relative(got, &want);
                assert!(err < 1e-4, "{model} on {devices} ranks: {name} differs from PyTorch's by {err:.2e}");
            }
        }
    }
}

#[test]
fn labels_are_shifted_and_stop_at_document_ends() {
    assert_eq!(next_token_labels(&[5, 6, 7, 8], None), vec![6, 7, 8, -1]);
    assert_eq!(next_token_labels(&[5, 6, 7, 8], Some(&[0, 0, 1, 1])), vec![6, -1, 8, -1]);
    // A split step gets the same labels at a shard's edge as the unsplit one: the loss is equal
    // (checked above); here the count of labelled tokens is the global one.
    let c = compile(&DecoderConfig::tiny().build().expect("builds"), 1, StrategyKind::Replicate);
    let ins = inputs(&c, None);
    let labels = ins.last().and_then(HostTensor::to_i64).expect("labels");
    assert_eq!(labels.iter().filter(|&&l| l >= 0).count(), labels.len() - 1);
}

#[test]
fn bad_segments_are_refused() {
    let cfg = DecoderConfig { packed: true, ..DecoderConfig::tiny() };
    let c = compile(&cfg.build().expect("builds"), 2, StrategyKind::Ring);
    let bad = |s: Vec<i32>| {
        let segments = Some(HostTensor::from_i32(vec![s.len()], s).expect("tensor"));
        make_train_inputs(&c.plan, &RunInputs { segments, ..Default::default() }).expect_err("refused").to_string()
    };
    let e = bad(vec![0; 10]);
    assert!(e.contains("--segments holds 10 ids for 64 tokens"), "{e}");
    let e = bad((0..64).map(|i| if i == 30 { 0 } else { i32::from(i > 20) }).collect());
    assert!(e.contains("must not decrease") && e.contains("id 0 at token 30 follows 1"), "{e}");
}

/// A forward op the autodiff has no rule for stops the compile with the op and its location.
#[test]
fn an_op_without_a_derivative_rule_is_a_located_error() {
    let text = r#"func.func @forward(%ids: tensor<8xi32>) -> tensor<8x16xf32> {
  %t = "seq.param"() {name = "table"} : () -> tensor<16x4xf32>
  %x = "seq.embedding"(%ids, %t) : (tensor<8xi32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  %m = "seq.all_reduce"(%x) {axis = "sp", group_size = 1 : i64, reduction = "max"} : (tensor<8x4xf32>) -> tensor<8x4xf32>
  %w = "seq.param"() {name = "head"} : () -> tensor<16x4xf32>
  %l = "seq.logits"(%m, %w) : (tensor<8x4xf32>, tensor<16x4xf32>) -> tensor<8x16xf32>
  return %l : tensor<8x16xf32>
}
"#;
    let ctx = seq_ir::SeqContext::new().expect("context");
    let mut g = seq_frontends::load_mlir_source(&ctx, text, "max.mlir").expect("parses");
    let e = seq_passes::Pass::run(&seq_passes::partition::Autodiff { grad_reduce: Default::default(), backward: Default::default() }, &mut g).expect_err("no rule").to_string();
    assert!(e.contains("seq.all_reduce at max.mlir:4:8") && e.contains("only sum reductions"), "{e}");
}


/// From the ONNX exports (weights taken from the export itself), the training step's loss is
/// PyTorch's, for Llama and GPT-2, eager and SDPA, opset 18 and 23.
#[test]
fn onnx_exports_train_to_pytorchs_loss() {
    let models = super::root().join("../shared/models");
    if !models.exists() {
        eprintln!("skipped: {} is absent", models.display());
        return;
    }
    let ids = seq_runtime::cpu::read_input(&models.join("input_ids.npy")).expect("input ids");
    for model in ["llama-eager", "llama-sdpa", "gpt2-eager", "gpt2-sdpa"] {
        let dir = models.join(model);
        let reference: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("train_ref.json")).expect("train_ref.json")).expect("json");
        let want = reference["loss"].as_f64().expect("loss");
        for opset in [18, 23] {
            let imported = seqc::import(&dir.join(format!("model-opset{opset}.onnx"))).expect("imports");
            let weights: BTreeMap<String, Vec<f64>> =
                imported.weights.iter().map(|w| (w.name.clone(), w.data.iter().map(|&v| v as f64).collect())).collect();
            // Auto: the GPT-2 exports slice their fused qkv projection, which the sequence split
            // does not take yet (the frontends issue), so a forced split would be refused.
            let c = compile_graph(imported.graph.clone(), &CompileOptions { devices: 2, train: true, ..Default::default() })
                .unwrap_or_else(|e| panic!("{model} opset {opset}: {e}"));
            let ins = make_train_inputs(&c.plan, &RunInputs { ids: Some(ids.clone()), ..Default::default() }).expect("inputs");
            let step = run(&c, &ins, &weights, Precision::F64);
            let e = (step.loss - want).abs() / want;
            assert!(e < 1e-4, "{model} opset {opset} on 2 ranks: loss {} vs PyTorch's {want} ({e:.2e})", step.loss);
        }
    }
}

/// `seqc train`'s loop (AdamW, global-norm clipping, constant learning rate) follows PyTorch's
/// 30-step loss curve (`train_ref.json`: lr 1e-3, betas 0.9/0.95, eps 1e-8, weight decay 0.1,
/// clip 1.0, step k on row k mod 8 of `train_tokens.npy`) within 1e-4 relative at every step,
/// on 1, 2 and 4 CPU ranks, for Llama and GPT-2 from their Hugging Face checkpoints.
#[test]
fn the_training_loop_follows_pytorchs_loss_curve() {
    use seqc::train::{Optimizer, Schedule, TrainOptions, TrainState, data_rows, train};
    let models = super::root().join("../shared/models");
    if !models.exists() {
        eprintln!("skipped: {} is absent", models.display());
        return;
    }
    let tokens = seq_runtime::cpu::read_token_ids(&models.join("train_tokens.npy")).expect("train tokens");
    let data = data_rows(&tokens).expect("rows");
    for model in ["llama-eager", "llama-sdpa", "gpt2-eager", "gpt2-sdpa"] {
        let dir = models.join(model);
        let reference: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("train_ref.json")).expect("train_ref.json")).expect("json");
        let want: Vec<f64> = reference["losses"].as_array().expect("losses").iter().filter_map(|l| l.as_f64()).collect();
        let (config, tokens) = (dir.join("config.json"), data[0].ids.numel() as i64);
        let g = seqc::load_file(&config, Some(tokens)).expect("config");
        for devices in [1, 2, 4] {
            let c = compile(&g, devices, StrategyKind::Ring);
            let (weights, _) =
                seqc::run::checkpoint_weights(&config, tokens, &c.plan, &dir.join("weights.safetensors")).expect("weights");
            let mut state = TrainState::new(&c.plan, &weights).expect("weights load");
            let o = TrainOptions {
                opt: Optimizer {
                    steps: want.len(),
                    lr: 1e-3,
                    betas: (0.9, 0.95),
                    eps: 1e-8,
                    weight_decay: 0.1,
                    grad_clip: Some(1.0),
                    schedule: Schedule::Constant,
                    ..Optimizer::default()
                },
                run: RunOptions { precision: Precision::F32, timeout: Duration::from_secs(30) },
                ..TrainOptions::default()
            };
            let logs = train(&c.plan, &mut state, &data, &o, |_, _| Ok(())).expect("trains");
            for (log, &w) in logs.iter().zip(&want) {
                let e = (log.loss - w).abs() / w;
                assert!(e < 1e-4, "{model} on {devices} ranks, step {}: loss {} vs PyTorch's {w} ({e:.2e})", log.step, log.loss);
            }
            let last = logs.last().expect("steps");
            eprintln!("{model} on {devices} ranks: step 30 loss {:.6} (PyTorch {:.6})", last.loss, want[want.len() - 1]);
        }
    }
}

/// `seqc train` on the command line: a progress line and a JSON log line per step, the final
/// weights loadable by `seqc run`, and clear errors for bad data.
#[test]
fn seqc_train_logs_every_step_and_saves_weights() {
    let dir = std::env::temp_dir().join(format!("seqc-train-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // Four rows of the tiny model's 64 tokens.
    let data = dir.join("tokens.npy");
    let ids: Vec<i32> = (0..4 * 64).map(|i| i * 37 % 256).collect();
    npyz::to_file_1d(&data, ids).expect("write");
    let rows = dir.join("rows.npy");
    let ids: Vec<i32> = (0..4 * 64).map(|i| i * 37 % 256).collect();
    use npyz::WriterBuilder;
    let file = std::fs::File::create(&rows).expect("create");
    let mut w = npyz::WriteOptions::new().default_dtype().shape(&[4, 64]).writer(file).begin_nd().expect("npy");
    w.extend(ids).expect("write");
    w.finish().expect("finish");
    let (log, save) = (dir.join("log.jsonl"), dir.join("ck"));
    let p = |x: &std::path::Path| x.to_str().expect("utf-8").to_string();
    let (code, out, err) = super::seqc(&[
        "train", "examples/tiny.mlir", "--devices", "2", "--strategy", "ring", "--data", &p(&rows), "--steps", "5",
        "--schedule", "cosine", "--warmup", "2", "--log", &p(&log), "--save", &p(&save),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("trained steps 1..5 on 2 ranks"), "{out}");
    assert_eq!(err.lines().filter(|l| l.starts_with("step ")).count(), 5, "{err}");
    assert!(err.contains("per rank") && err.contains("optimizer") && err.contains("parameters"), "the memory line: {err}");
    assert!(err.lines().any(|l| l.contains("attention layer(s):") && l.contains("predicted step")), "the plan's strategies: {err}");
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&log).expect("log").lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(lines.len(), 5);
    // Warm-up, then cosine decay: 0.5e-3, 1e-3, then falling.
    let lrs: Vec<f64> = lines.iter().map(|l| l["lr"].as_f64().expect("lr")).collect();
    assert!((lrs[0] - 5e-4).abs() < 1e-12 && (lrs[1] - 1e-3).abs() < 1e-12 && lrs[4] < lrs[2], "{lrs:?}");
    assert!(lines.iter().all(|l| l["loss"].as_f64().is_some_and(f64::is_finite)));
    let (code, _, err) = super::seqc(&["run", "examples/tiny.mlir", "--devices", "1", "--weights", &p(&save.join("weights.safetensors"))]);
    assert_eq!(code, 0, "the saved weights load: {err}");
    // Resumed to 8 steps in all: the log goes on from step 6.
    let (code, _, err) = super::seqc(&[
        "train", "examples/tiny.mlir", "--devices", "2", "--strategy", "ring", "--data", &p(&rows), "--steps", "8",
        "--schedule", "cosine", "--warmup", "2", "--log", &p(&log), "--resume", &p(&save), "--save", &p(&save),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("resuming from") && err.contains("at step 5"), "{err}");
    let steps: Vec<u64> = std::fs::read_to_string(&log)
        .expect("log")
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json")["step"].as_u64().expect("step"))
        .collect();
    assert_eq!(steps, (1..=8).collect::<Vec<_>>());
    // A flat file is not [rows, seq].
    let (code, _, err) = super::seqc(&["train", "examples/tiny.mlir", "--devices", "1", "--data", &p(&data)]);
    assert_ne!(code, 0);
    assert!(err.contains("--data must be [rows, seq] token ids"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `seqc train --backend cuda` compiles the step (reduce-scattering the gradients: the GPU
/// optimizer keeps each rank's rows, ZeRO) and hands the loop to seqc-run with every option; here
/// a stand-in seqc-run (SEQC_RUN) records what it was given.
#[test]
fn seqc_train_on_gpus_hands_the_loop_to_seqc_run() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("seqc-train-cuda-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let rows = dir.join("rows.npy");
    use npyz::WriterBuilder;
    let file = std::fs::File::create(&rows).expect("create");
    let mut w = npyz::WriteOptions::new().default_dtype().shape(&[2, 64]).writer(file).begin_nd().expect("npy");
    w.extend((0..128).map(|i: i32| i * 7 % 256)).expect("write");
    w.finish().expect("finish");
    let fake = dir.join("seqc-run");
    let (args, plan) = (dir.join("args.txt"), dir.join("plan.json"));
    let script = format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\ncp \"$1\" '{}'\nexit ${{FAKE_EXIT:-0}}\n", args.display(), plan.display());
    std::fs::write(&fake, script).expect("script");
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let p = |x: &std::path::Path| x.to_str().expect("utf-8").to_string();
    let train = |exit: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_seqc"))
            .args(["train", "examples/tiny.mlir", "--devices", "2", "--strategy", "ulysses", "--backend", "cuda", "--data", &p(&rows), "--deterministic"])
            .args(["--steps", "3", "--lr", "0.002", "--grad-clip", "1", "--schedule", "cosine", "--log", &p(&dir.join("l.jsonl"))])
            .env("SEQC_RUN", &fake)
            .env("FAKE_EXIT", exit)
            .current_dir(super::root())
            .output()
            .expect("run seqc")
    };
    let out = train("0");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let given: Vec<String> = std::fs::read_to_string(&args).expect("args").lines().map(String::from).collect();
    let after = |flag: &str| given.iter().position(|a| a == flag).and_then(|i| given.get(i + 1)).cloned();
    assert_eq!(after("--nproc").as_deref(), Some("2"), "{given:?}");
    assert_eq!(after("--steps").as_deref(), Some("3"), "{given:?}");
    assert_eq!(after("--lr").as_deref(), Some("0.002"), "{given:?}");
    assert_eq!(after("--grad-clip").as_deref(), Some("1"), "{given:?}");
    assert_eq!(after("--schedule").as_deref(), Some("cosine"), "{given:?}");
    assert_eq!(after("--data").as_deref(), Some(p(&rows).as_str()), "{given:?}");
    assert!(after("--log").is_some() && after("--weights").is_none(), "random weights need no file: {given:?}");
    assert!(given.iter().any(|a| a == "--deterministic"), "{given:?}");
    let plan = seq_runtime::Plan::read(&plan).expect("the plan seqc-run got");
    assert_eq!(plan.devices, 2);
    assert_eq!(plan.step_kind(), Some(seq_runtime::seq_plan::StepKind::Loss));
    assert!(!plan.owned_outputs.is_empty(), "each rank owns rows of the gradients (ZeRO), not whole ones");
    // seqc-run's failure is seqc's.
    let out = train("3");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("seqc-run failed"), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A run stopped after step 15 and resumed from its checkpoint takes the same steps, bit for bit,
/// as one that never stopped (CPU ranks, f32, a cosine schedule with warm-up and clipping).
#[test]
fn a_resumed_run_equals_an_uninterrupted_one() {
    use seqc::train::{Optimizer, Schedule, TrainOptions, TrainState, data_rows, train};
    let cfg = DecoderConfig { layers: 1, seq_len: 32, ..DecoderConfig::tiny() };
    let c = compile(&cfg.build().expect("builds"), 2, StrategyKind::Ring);
    let ids: Vec<i32> = (0..4 * 32).map(|i| i * 53 % 256).collect();
    let data = data_rows(&HostTensor::from_i32(vec![4, 32], ids).expect("tokens")).expect("rows");
    let o = TrainOptions {
        opt: Optimizer {
            steps: 30,
            lr: 3e-3,
            grad_clip: Some(0.5),
            schedule: Schedule::Cosine,
            warmup: 3,
            min_lr: 1e-4,
            ..Optimizer::default()
        },
        run: RunOptions { precision: Precision::F32, timeout: Duration::from_secs(30) },
        ..TrainOptions::default()
    };
    let weights = WeightSource::random(11);
    let mut straight = TrainState::new(&c.plan, &weights).expect("state");
    let all = train(&c.plan, &mut straight, &data, &o, |_, _| Ok(())).expect("trains");
    let dir = std::env::temp_dir().join(format!("seqc-resume-{}", std::process::id()));
    let mut first = TrainState::new(&c.plan, &weights).expect("state");
    let half = train(&c.plan, &mut first, &data, &TrainOptions { until: Some(15), ..o.clone() }, |_, _| Ok(())).expect("trains");
    first.save(&dir, &[]).expect("saves");
    let mut resumed = TrainState::load(&dir, &c.plan).expect("loads");
    assert_eq!(resumed.step, 15);
    let rest = train(&c.plan, &mut resumed, &data, &o, |_, _| Ok(())).expect("trains");
    let losses: Vec<u64> = half.iter().chain(&rest).map(|l| l.loss.to_bits()).collect();
    assert_eq!(losses, all.iter().map(|l| l.loss.to_bits()).collect::<Vec<_>>(), "the same losses, bit for bit");
    assert_eq!(resumed.weights(), straight.weights(), "the same final weights");
    let _ = std::fs::remove_dir_all(&dir);
}

/// For a training step the chooser prices each candidate with its backward (the transposed
/// transfers and the attention backward): every candidate costs more than its forward alone,
/// and the backward roughly doubles the forward's attention time or more.
#[test]
fn the_chooser_prices_the_backward() {
    use seq_passes::config::{BackwardStrategy::AsForward, Config, Strategy};
    use seq_passes::strategy::choose_strategy::{Layer, price_layer};
    use seq_passes::strategy::cost_model::{Profile, Target};
    let cfg = DecoderConfig::llama3_8b().attention_config();
    let layer = Layer { cfg, dtype: seq_ir::DType::BF16, segments: false };
    let seq = 32768;
    for strategy in [Strategy::Ulysses, Strategy::Ring, Strategy::AllGatherKv, Strategy::Hybrid { ulysses: 4, ring: 2 }] {
        let fwd = Config::new(Target::new(8, Profile::h200()));
        let train = Config { train: true, ..fwd.clone() };
        let f = price_layer(&layer, seq, strategy, &fwd, AsForward).expect("forward prices");
        let t = price_layer(&layer, seq, strategy, &train, AsForward).expect("training step prices");
        assert!(t.seconds > 2.0 * f.seconds, "{strategy}: step {:.3} ms vs forward {:.3} ms", t.seconds * 1e3, f.seconds * 1e3);
        assert!(t.peak_bytes > f.peak_bytes, "{strategy}: the backward holds more");
    }
}

/// A flat token file cut into windows, with an end-of-document token: each window packs
/// documents (segment ids restart the positions; no label crosses a boundary), and a packed
/// step equals the unsplit one on every strategy.
#[test]
fn packed_windows_from_a_token_file() {
    use seqc::train::bin_rows;
    let eos = 7u16;
    let tokens: Vec<u16> = (0..70u16).map(|i| if i % 11 == 10 { eos } else { 20 + i % 200 }).collect();
    let bytes: Vec<u8> = tokens.iter().flat_map(|t| t.to_le_bytes()).collect();
    let rows = bin_rows(&bytes, 2, 32, Some(eos.into())).expect("windows");
    assert_eq!(rows.len(), 2, "70 tokens make two windows of 32 (the rest is dropped)");
    let segs = rows[0].segments.as_ref().and_then(HostTensor::to_i64).expect("segments");
    // Token 10 is the first document's end: the next token starts document 1.
    assert_eq!((segs[10], segs[11], segs[21], segs[22]), (0, 1, 1, 2));
    let ids = rows[0].ids.to_i64().expect("ids");
    let labels = next_token_labels(&ids, Some(&segs));
    assert_eq!((labels[9], labels[10], labels[11]), (ids[10] as i32, -1, ids[12] as i32));
    let err = bin_rows(&bytes[..20], 2, 32, None).expect_err("too short").to_string();
    assert!(err.contains("less than one window"), "{err}");
    let cfg = DecoderConfig { packed: true, seq_len: 32, layers: 1, ..DecoderConfig::tiny() };
    let segments: Vec<i32> = segs.iter().map(|&s| s as i32).collect();
    check_strategies("token-file", &cfg.build().expect("builds"), Some(segments), &[2, 3]);
}

/// A mixed pair: ring forward, Ulysses backward (`--backward-strategy ulysses`). The forward's
/// K/V go around the ring; the backward moves dO, O, LSE, q, k, v to head groups and dq, dk, dv
/// back by all-to-all, with no permute; the step equals the unsplit one. Where the KV heads do
/// not divide over the devices the backward stays the ring's, and is still right.
#[test]
fn a_ring_forward_with_a_ulysses_backward() {
    let tiny = DecoderConfig::tiny();
    let cases = [
        ("mha", DecoderConfig { kv_heads: 4, seq_len: 40, ..tiny.clone() }, None, vec![2, 4]),
        ("gqa", DecoderConfig { seq_len: 37, ..tiny.clone() }, None, vec![2]),
        (
            "packed",
            DecoderConfig { packed: true, window: Some(9), seq_len: 37, ..tiny.clone() },
            Some((0..37).map(|i| i32::from(i >= 10) + i32::from(i >= 25)).collect::<Vec<i32>>()),
            vec![2],
        ),
        ("gqa_falls_back", DecoderConfig { seq_len: 40, ..tiny }, None, vec![4]),
    ];
    for (name, cfg, segs, devices) in cases {
        let g = cfg.build().expect("builds");
        let unsplit = compile(&g, 1, StrategyKind::Replicate);
        let ins = inputs(&unsplit, segs);
        let weights = peaked_weights(&unsplit, 4);
        let reference = run(&unsplit, &ins, &weights, Precision::F64);
        for n in devices {
            let o = CompileOptions { backward: seqc::BackwardStrategy::Ulysses, ..options(n, StrategyKind::Ring) };
            let c = compile_graph(g.clone(), &o).unwrap_or_else(|e| panic!("{name} x {n}: {e}"));
            let is = |s: &seq_runtime::Step, op: &str| s.op == op || s.attrs().str("collective").ok() == Some(&format!("seq.{op}"));
            let backward = |s: &&seq_runtime::Step| s.attrs().bool("backward") == Ok(true);
            let fwd_permutes = c.plan.steps.iter().filter(|s| !backward(s) && is(s, "collective_permute")).count();
            let bwd_permutes = c.plan.steps.iter().filter(|s| backward(s) && is(s, "collective_permute")).count();
            let bwd_a2a = c.plan.steps.iter().filter(|s| backward(s) && is(s, "all_to_all")).count();
            assert!(fwd_permutes >= 2 * (n - 1), "{name} x {n}: the forward is a ring ({fwd_permutes} permutes)");
            if name == "gqa_falls_back" {
                assert!(bwd_permutes > 0 && bwd_a2a == 0, "{name} x {n}: 2 KV heads over 4 ranks keep the ring backward");
            } else {
                assert_eq!(bwd_permutes, 0, "{name} x {n}: no permute in a Ulysses backward");
                assert_eq!(bwd_a2a, 2 * 9, "{name} x {n}: six all-to-alls out and three back per layer");
            }
            let got = run(&c, &ins, &weights, Precision::F32);
            let (e, tensor) = compare(&got, &reference);
            assert!(e <= TOLERANCE, "{name} x {n}: {tensor} differs from the unsplit step by {e:.3e}");
        }
    }
}

/// The chooser gives a ring layer a Ulysses backward where the cost model prices the pair below
/// ring forward and ring backward (Llama-3-8B at 128K on 8 H200s), and the step it predicts is
/// no slower than the forced alternatives'.
#[test]
fn the_chooser_picks_a_backward_per_layer() {
    use seqc::BackwardStrategy;
    let source = seqc::Source::File(super::root().join("examples/llama3-8b.mlir"));
    let step = |backward: BackwardStrategy| {
        let o = CompileOptions { devices: 8, strategy: StrategyKind::Ring, train: true, backward, ..Default::default() };
        seqc::compile(&source, &o).unwrap_or_else(|e| panic!("{backward:?}: {e}"))
    };
    let auto = step(BackwardStrategy::Auto);
    let chosen = match auto.program.module_attrs.get(seq_passes::partition::autodiff::ULYSSES_BACKWARD) {
        Some(seq_ir::Attr::Ints { values, .. }) => values.len(),
        _ => 0,
    };
    assert!(chosen > 0, "some ring layer takes a Ulysses backward");
    for forced in [BackwardStrategy::AsForward, BackwardStrategy::Ulysses] {
        let other = step(forced).report.predicted_step_ms;
        assert!(auto.report.predicted_step_ms <= other * 1.001, "auto {} ms vs {forced:?} {other} ms", auto.report.predicted_step_ms);
    }
}

/// A ring layer's two backwards are two e-graph candidates, each priced with its own backward
/// and held to the memory budget on its own: under a budget that only one of them fits, the
/// ring stays a choice, with that backward (a minimum folded before the budget check would
/// drop the ring when its faster backward did not fit); under one that none fits, none is
/// dropped.
#[test]
fn each_backward_is_a_candidate_of_its_own() {
    use seq_passes::config::{BackwardStrategy, Config, Strategy};
    use seq_passes::strategy::choose_strategy::costs;
    use seq_passes::strategy::cost_model::{Profile, Target};
    let g = seqc::load(&seqc::Source::File(super::root().join("examples/bench/llama3-8b-layer-32k.mlir"))).expect("loads");
    let config = Config { train: true, ..Config::new(Target::new(8, Profile::h200())) };
    let c = costs(&g, &config).expect("prices");
    let ring: Vec<usize> = (0..c.candidates.len()).filter(|&k| c.candidates[k] == Strategy::Ring).collect();
    let modes: Vec<BackwardStrategy> = ring.iter().map(|&k| c.backward_of(k)).collect();
    assert_eq!(modes, [BackwardStrategy::AsForward, BackwardStrategy::Ulysses], "{:?}", c.candidates);
    assert!(ring.iter().all(|&k| c.split[0][k].is_finite()), "both fit the device: {:?}", c.split[0]);
    assert_ne!(c.split[0][ring[0]], c.split[0][ring[1]], "each priced with its own backward");
    assert!(c.name(ring[1]).contains("ulysses backward"));
    // Where no split fits the budget, none is dropped for memory: the recompute planner may
    // still fit the fastest, and keeping the layer whole would need more than any of them.
    let tight = Config { target: Target { memory_budget: 1, ..config.target.clone() }, ..config.clone() };
    let t = costs(&g, &tight).expect("prices");
    for (k, price) in t.split[0].iter().enumerate() {
        assert_eq!(price.is_finite(), c.split[0][k].is_finite(), "{}: {:?}", c.name(k), t.excluded[0][k]);
    }
    // A budget between the two's peaks keeps the one under it.
    let needs: Vec<u64> = ring.iter().map(|&k| c.peak[0][k].expect("a legal candidate's peak")).collect();
    assert_ne!(needs[0], needs[1], "the two backwards hold different memory: {needs:?}");
    let (small, large) = if needs[0] < needs[1] { (0, 1) } else { (1, 0) };
    let budget = (needs[small] + needs[large]) / 2;
    let between = Config { target: Target { memory_budget: budget, ..config.target.clone() }, ..config };
    let b = costs(&g, &between).expect("prices");
    assert!(b.split[0][ring[small]].is_finite(), "{:?}", b.excluded[0]);
    assert!(b.split[0][ring[large]].is_infinite(), "{:?}", b.excluded[0]);
}

/// `--offload`: under a budget, activations whose copy to host memory and back hides under the
/// compute (by the cost model) are offloaded before anything is recomputed, within the host
/// memory a device may pin; the step is unchanged (in f64, and lowered for CUDA on the emulator,
/// which catches a copy waited for too late), its arena is smaller, its predicted time is not
/// longer, and the report says so.
#[test]
fn offloading_activations_keeps_the_step() {
    let g = DecoderConfig { seq_len: 128, ..DecoderConfig::tiny() }.build().expect("builds");
    // Arithmetic slow next to the host link: the copies hide.
    let opts = |budget: Option<f64>, offload: bool| CompileOptions {
        memory_budget_gib: budget,
        offload,
        profile: compute_bound(),
        ..options(2, StrategyKind::Ring)
    };
    let base = compile_graph(g.clone(), &opts(None, true)).expect("compiles");
    assert!(!base.plan.steps.iter().any(|s| s.op == "offload"), "nothing offloaded without a budget");
    let (params, arena) = (base.plan.memory.param_bytes, base.plan.memory.arena_bytes);
    let budget = (params + arena * 9 / 10) as f64 / (1u64 << 30) as f64;
    let c = compile_graph(g.clone(), &opts(Some(budget), true)).expect("fits with offloads");
    let offloads = c.plan.steps.iter().filter(|s| s.op == "offload").count();
    assert!(offloads > 0 && offloads == c.plan.steps.iter().filter(|s| s.op == "reload").count());
    assert!(c.plan.memory.arena_bytes < arena, "arena {} vs {arena}", c.plan.memory.arena_bytes);
    assert!(c.report.predicted_step_ms <= base.report.predicted_step_ms * 1.001, "the copies hide");
    let r = c.report.recompute.as_ref().expect("the report lists the offloads");
    assert_eq!(r.offloaded, offloads);
    // The offloads fit the host memory a device may pin: with room for part of them, fewer are
    // offloaded (the budget is then met with recomputation, or named as not met); with none,
    // nothing is.
    let host = |gib: f64| CompileOptions { host_memory_gib: Some(gib), ..opts(Some(budget), true) };
    let gib = |mb: f64| mb * 1e6 / (1u64 << 30) as f64;
    for share in [1.0, 0.6] {
        let room = gib(r.offloaded_mb) * share * (1.0 + 1e-9);
        match compile_graph(g.clone(), &host(room)) {
            Ok(capped) => {
                let rc = capped.report.recompute.as_ref().expect("a report");
                assert!(gib(rc.offloaded_mb) <= room, "{} MB in {room} GiB", rc.offloaded_mb);
                assert!(share < 1.0 || rc.offloaded == offloads, "room for every offload: {} of {offloads}", rc.offloaded);
                assert!((rc.host_budget_gib - room).abs() < 1e-6, "the report names the host budget: {}", rc.host_budget_gib);
            }
            Err(seqc::Error::Pass(seq_passes::PassError::OverBudget { .. })) if share < 1.0 => {}
            Err(e) => panic!("{share} of the host memory: {e}"),
        }
    }
    let none = compile_graph(g.clone(), &host(0.0));
    assert!(none.iter().all(|c| !c.plan.steps.iter().any(|s| s.op == "offload")), "no host memory, no offloads");
    // Where neither fits alone (recomputation cannot reach 95% of the arena, the host takes
    // half the offloads), the step recomputes to a looser budget and offloads what it keeps:
    // its recomputed ops then read reloaded values.
    let tight = (params + arena * 95 / 100) as f64 / (1u64 << 30) as f64;
    let alone = compile_graph(g.clone(), &CompileOptions { offload: false, ..opts(Some(tight), false) });
    assert!(matches!(alone, Err(seqc::Error::Pass(seq_passes::PassError::OverBudget { .. }))), "recomputation alone fits 95%");
    // A looser budget than the 90% that fits with offloads alone fits too (offloads stop only
    // once the planned arena, not just the estimate, fits).
    let looser = compile_graph(g.clone(), &opts(Some(tight), true)).expect("95% fits with offloads");
    assert!(looser.report.recompute.as_ref().is_some_and(|r| r.offloaded > 0), "95%: offloads");
    let room = gib(r.offloaded_mb) / 2.0;
    let both = compile_graph(g.clone(), &CompileOptions { host_memory_gib: Some(room), ..opts(Some(tight), true) }).expect("fits with both");
    let rb = both.report.recompute.as_ref().expect("a report");
    assert!(rb.offloaded > 0 && rb.recomputed_ops > 0 && gib(rb.offloaded_mb) <= room, "{} offloads ({} MB), {} recomputed", rb.offloaded, rb.offloaded_mb, rb.recomputed_ops);
    let ins = inputs(&base, None);
    let weights = peaked_weights(&base, 8);
    let reference = run(&base, &ins, &weights, Precision::F64);
    for (plan, what) in [(&c, "offloads"), (&both, "offloads and recomputation")] {
        let (e, name) = compare(&run(plan, &ins, &weights, Precision::F64), &reference);
        assert!(e <= 1e-12, "{what}: {name} differs by {e:e}");
        let (_, outputs) = emulate(plan, &ins, &weights, what);
        let (loss, grads) = seqc::run::loss_and_gradients(&plan.plan, &outputs).expect("a training step");
        let (e, tensor) = compare_parts(loss, &grads, &reference);
        assert!(e <= TOLERANCE, "{what}, lowered for CUDA: {tensor} differs from the step in f64 by {e:.3e}");
    }
    // On the GPU: offloaded values in pinned host memory, the arena smaller than the step
    // without offloads, each copy on the copy stream and waited for once. The emulator reads
    // each copy's source where the compute stream waits for it and poisons its destination
    // where it starts, so a wait placed after a write over the source, or after a read of the
    // reloaded value, gives garbage here.
    use seq_runtime::cuda::program::{COPY_STREAM, Cmd, Region};
    let (emu, _) = emulate(&c, &ins, &weights, "offloaded step, lowered for CUDA");
    let (base_emu, _) = emulate(&base, &ins, &weights, "the step without offloads, lowered for CUDA");
    for (p, b) in emu.programs().iter().zip(base_emu.programs()) {
        let host: Vec<u32> = c.plan.steps.iter().filter(|s| s.op == "offload").map(|s| s.results[0]).collect();
        assert!(host.iter().all(|&v| p.addrs[v as usize].is_some_and(|a| a.region == Region::Host)), "offloads in host memory");
        assert!(p.host > 0 && p.arena.bytes < b.arena.bytes, "arena {} vs {} without offloads", p.arena.bytes, b.arena.bytes);
        let copies: Vec<usize> = p.cmds.iter().filter_map(|(_, c)| match c {
            Cmd::Collective { stream: COPY_STREAM, token: Some(t), comm: None, .. } => Some(*t),
            _ => None,
        }).collect();
        assert_eq!(copies.len(), 2 * offloads, "an offload and a reload each");
        for t in copies {
            assert_eq!(p.cmds.iter().filter(|(_, c)| matches!(c, Cmd::Wait { token } if *token == t)).count(), 1, "copy {t} waited for once");
        }
    }
}

/// The critical path (petgraph, over the step's DAG) bounds the schedule: no simulated step is
/// shorter, and a training step's path runs through its backward.
#[test]
fn the_critical_path_bounds_the_step() {
    let g = DecoderConfig { seq_len: 64, ..DecoderConfig::tiny() }.build().expect("builds");
    for s in [StrategyKind::Ring, StrategyKind::Ulysses, StrategyKind::AllGatherKv] {
        let c = compile(&g, 2, s);
        let (cp, step) = (c.report.critical_path_ms, c.report.predicted_step_ms);
        assert!(cp > 0.0 && cp <= step * (1.0 + 1e-9), "{s:?}: critical path {cp} ms, step {step} ms");
        let target = seqc::target(&options(2, s)).expect("target");
        let ctx = seq_passes::strategy::cost_model::CostContext { seq_len: 64, ulysses: 1, attention_share: 2 };
        let path = seq_passes::analysis::critical_path(&c.program, &target, &ctx);
        let backward = path.ops.iter().filter(|&&id| c.program.op(id).kind.class() == seq_ir::OpClass::Gradient).count();
        assert!(backward > 0, "{s:?}: the path runs through the backward");
        assert!(path.ops.windows(2).all(|w| c.program.op(w[1]).operands.iter().any(|&o| c.program.producer(o).is_some_and(|p| std::ptr::eq(p, c.program.op(w[0]))))), "{s:?}: each op on the path feeds the next");
    }
}

/// `seq-fill-stalls` reorders the step: on links slow enough that waits stall (the test profile
/// of the chooser's tests), every split strategy's step moves work into those waits and still
/// equals the unsplit step in f64.
#[test]
fn filling_stalls_keeps_the_step() {
    let g = DecoderConfig { seq_len: 48, ..small(Norm::Llama) }.build().expect("builds");
    let profile = super::root().join("tests/passes/choose_strategy/slow_links.json").display().to_string();
    let unsplit = compile(&g, 1, StrategyKind::Replicate);
    let ins = inputs(&unsplit, None);
    let weights = peaked_weights(&unsplit, 3);
    let reference = run(&unsplit, &ins, &weights, Precision::F64);
    for n in [2, 4] {
        for s in [StrategyKind::Ulysses, StrategyKind::Ring, StrategyKind::AllGatherKv, StrategyKind::Hybrid] {
            let what = format!("{s:?} on {n} ranks, slow links");
            let c = compile_graph(g.clone(), &CompileOptions { profile: profile.clone(), ..options(n, s) })
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_split(&c, n, s, &what);
            let filled = c.report.filled_stalls.unwrap_or_else(|| panic!("{what}: no stall filled"));
            assert!(filled.ops_moved > 0 && filled.saved_ms > 0.0, "{what}: {filled:?}");
            let got = run(&c, &ins, &weights, Precision::F32);
            let (e, tensor) = compare(&got, &reference);
            assert!(e <= TOLERANCE, "{what}: {tensor} differs from the unsplit step in f64 by {e:.3e}");
        }
    }
}

/// Under the smallest memory budget a long one-device step with wide attention recomputes the
/// attention itself in the backward (its output outweighs the rest); the CUDA backend's lowering
/// of that step (a recomputed attention beside the forward's, each keeping its output for
/// cuDNN's backward in bf16) gives the unsplit step's loss and gradients on the emulator, f32 to
/// rounding and bf16 within its error.
#[test]
fn recomputed_attention_lowers_for_the_gpu() {
    for (dtype, tolerance) in [(seq_ir::DType::F32, TOLERANCE), (seq_ir::DType::BF16, 3e-2)] {
        let what = format!("{dtype:?}");
        let g = DecoderConfig { seq_len: 2048, heads: 8, kv_heads: 2, head_dim: 32, ffn: 64, dtype, ..DecoderConfig::tiny() }
            .build()
            .expect("builds");
        let base = compile(&g, 1, StrategyKind::Replicate);
        let ins = inputs(&base, None);
        let weights = peaked_weights(&base, 3);
        let reference = run(&base, &ins, &weights, Precision::F64);
        let (params, arena) = (base.plan.memory.param_bytes, base.plan.memory.arena_bytes);
        let opts = |b: u64| CompileOptions { memory_budget_gib: Some(b as f64 / (1u64 << 30) as f64), ..options(1, StrategyKind::Replicate) };
        let smallest = match compile_graph(g.clone(), &opts(params + arena / 4)) {
            Err(seqc::Error::Pass(seq_passes::PassError::OverBudget { smallest, .. })) => smallest,
            other => panic!("{what}: a quarter of the activations must be refused as over the budget: {:?}", other.map(|_| ())),
        };
        let c = compile_graph(g.clone(), &opts(smallest)).unwrap_or_else(|e| panic!("{what}: {e}"));
        let again = c.plan.steps.iter().filter(|st| st.attrs().bool("recompute") == Ok(true) && st.op == "attention").count();
        assert!(again > 0, "{what}: no attention recomputed under {smallest} bytes");
        let (_, outputs) = emulate(&c, &ins, &weights, &what);
        let (loss, grads) = seqc::run::loss_and_gradients(&c.plan, &outputs).expect("a training step");
        let (e, tensor) = compare_parts(loss, &grads, &reference);
        assert!(e <= tolerance, "{what}: {tensor} differs from the unsplit step in f64 by {e:.3e}");
    }
}
