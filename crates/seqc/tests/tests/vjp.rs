//! `--train` for a program whose result is not logits (a decoder layer, a pipeline stage): the
//! step is the program's vector-Jacobian product, `(args..., output_grad) -> (output,
//! input_grad.i..., gradients...)`, as PyTorch's `y = layer(x); y.backward(output_grad)`.
//! Checked against central differences of <output_grad, output> in f64, and every strategy on 2,
//! 3 and 4 CPU ranks against the unsplit step in f64, each asserting that the plan really split.

use super::train::{check_strategies_by, compile, inputs, peaked_weights, run};
use seq_frontends::{DecoderConfig, decoder::Norm};
use seq_runtime::cpu::{HostTensor, Precision, WeightSource};
use seqc::run::{RunInputs, StepKind, StepOutputs, TrainOutput, make_train_inputs};
use seqc::{CompileOptions, Compiled, StrategyKind, compile_graph};
use std::collections::BTreeMap;

/// Split step (f32) against the unsplit step (f64), per tensor: max |a − b| / max |b|.
const TOLERANCE: f64 = 1e-5;
/// Finite differences in f64, relative to the gradient tensor's largest entry.
const FD_TOLERANCE: f64 = 1e-6;

/// A one-layer program, small: hidden 16, 4 query heads of 4 over 2 KV heads, f32.
fn layer(family: Norm, seq_len: i64) -> DecoderConfig {
    DecoderConfig {
        family,
        layers: 1,
        hidden: 16,
        heads: 4,
        kv_heads: 2,
        head_dim: 4,
        ffn: 24,
        vocab: 32,
        seq_len,
        dtype: seq_ir::DType::F32,
        ..DecoderConfig::tiny()
    }
}

fn floats(t: &HostTensor) -> Vec<f64> {
    t.to_f64().expect("floats")
}

/// A step's results without the run's figures.
fn parts(o: &TrainOutput) -> StepOutputs {
    StepOutputs {
        kind: o.kind,
        loss: o.loss,
        output: o.output.clone(),
        input_grads: o.input_grads.clone(),
        grads: o.grads.clone(),
    }
}

/// Every result of a vector-Jacobian step by name: the output, the argument gradients, then
/// the weight gradients.
fn named(o: &StepOutputs) -> Vec<(String, HostTensor)> {
    assert_eq!(o.kind, StepKind::Vjp);
    assert!(o.loss.is_nan(), "a vector-Jacobian step has no loss");
    let output = o.output.clone().map(|t| ("output".to_string(), t));
    let inputs = o.input_grads.iter().map(|(i, t)| (format!("input_grad.{i}"), t.clone()));
    output.into_iter().chain(inputs).chain(o.grads.iter().cloned()).collect()
}

/// <output_grad, output>: the scalar whose gradient the step computes.
fn objective(step: &TrainOutput, output_grad: &[f64]) -> f64 {
    let y = floats(step.output.as_ref().expect("the output"));
    y.iter().zip(output_grad).map(|(a, b)| a * b).sum()
}

/// The largest entry and two others spread over a tensor of `n` entries.
fn samples(grad: &[f64]) -> [usize; 3] {
    let largest = grad.iter().enumerate().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).map_or(0, |(i, _)| i);
    [largest, grad.len() / 3, grad.len() - 1]
}

/// Central differences of <output_grad, output> with respect to the layer's input (every entry
/// sampled below) and to sampled entries of every weight, for a Llama-style layer (RMSNorm,
/// RoPE, SwiGLU, GQA, packed documents with a window) and a GPT-2-style one (LayerNorm, GELU,
/// biases), unsplit and split over 3 ranks with ring.
#[test]
fn finite_differences_check_the_vector_jacobian_product() {
    let llama = DecoderConfig { packed: true, window: Some(5), ..layer(Norm::Llama, 11) };
    let gpt2 = DecoderConfig { kv_heads: 4, ..layer(Norm::Gpt2, 11) };
    let segments: Vec<i32> = (0..11).map(|i| if i < 6 { 0 } else { 1 }).collect();
    let h = 1e-5;
    let mut worst = 0.0f64;
    for (name, cfg, segs) in [("llama", &llama, Some(segments)), ("gpt2", &gpt2, None)] {
        let g = cfg.build_layer().expect("builds");
        for (devices, strategy) in [(1, StrategyKind::Replicate), (3, StrategyKind::Ring)] {
            let c = compile(&g, devices, strategy);
            assert_eq!(c.report.split, devices > 1, "{name}: split over {devices}");
            let mut ins = inputs(&c, segs.clone());
            // The hidden states in f64, so that a step of 1e-5 is not rounded away.
            ins[0] = HostTensor::from_f64(ins[0].shape.clone(), floats(&ins[0])).expect("f64 input");
            let output_grad = floats(ins.last().expect("output_grad"));
            let weights = peaked_weights(&c, 9);
            let step = run(&c, &ins, &weights, Precision::F64);
            let f = |ins: &[HostTensor], w: &BTreeMap<String, Vec<f64>>| {
                objective(&run(&c, ins, w, Precision::F64), &output_grad)
            };
            assert_eq!(step.input_grads.len(), 1, "{name}: one float argument");
            let (arg, dx) = &step.input_grads[0];
            assert_eq!(*arg, 0);
            assert_eq!(dx.shape, ins[0].shape, "{name}: the input gradient is whole");
            let dx = floats(dx);
            let scale = dx.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            let x = floats(&ins[0]);
            // Every row's first entry (each rank's rows, the padding's neighbours) and the samples.
            let cols = ins[0].shape[1];
            let rows = (0..ins[0].shape[0]).map(|r| r * cols + r % cols);
            for i in rows.chain(samples(&dx)) {
                let (mut plus, mut minus) = (ins.clone(), ins.clone());
                let mut xp = x.clone();
                xp[i] += h;
                plus[0] = HostTensor::from_f64(ins[0].shape.clone(), xp).expect("tensor");
                let mut xm = x.clone();
                xm[i] -= h;
                minus[0] = HostTensor::from_f64(ins[0].shape.clone(), xm).expect("tensor");
                let fd = (f(&plus, &weights) - f(&minus, &weights)) / (2.0 * h);
                let e = (fd - dx[i]).abs() / scale;
                worst = worst.max(e);
                assert!(
                    e <= FD_TOLERANCE,
                    "{name} on {devices} ranks: d/d x[{i}] = {} by the step, {fd} by differences ({e:.2e})",
                    dx[i]
                );
            }
            assert!(step.grads.len() >= 9, "{name}: {} weight gradients", step.grads.len());
            let largest = |v: &[f64]| v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            let floor = step.grads.iter().map(|(_, g)| largest(&floats(g))).fold(0.0f64, f64::max);
            for (pname, grad) in &step.grads {
                let grad = floats(grad);
                // GPT-2's key bias has an exactly zero gradient (softmax ignores a shift shared
                // by every key): it is held to the step's largest gradient entry, as differences
                // meet it as rounding noise.
                let own = largest(&grad);
                let scale = if own < 1e-9 * floor { floor } else { own };
                for i in samples(&grad) {
                    let (mut plus, mut minus) = (weights.clone(), weights.clone());
                    plus.get_mut(pname).expect("weight")[i] += h;
                    minus.get_mut(pname).expect("weight")[i] -= h;
                    let fd = (f(&ins, &plus) - f(&ins, &minus)) / (2.0 * h);
                    let e = (fd - grad[i]).abs() / scale;
                    worst = worst.max(e);
                    assert!(
                        e <= FD_TOLERANCE,
                        "{name} on {devices} ranks: d/d {pname}[{i}] = {} by the step, {fd} by differences ({e:.2e})",
                        grad[i]
                    );
                }
            }
        }
    }
    eprintln!("finite differences: worst relative error {worst:.2e}");
}

/// What the plan of a split vector-Jacobian step must hold: the results named in order, the
/// forward split as named, output_grad split like the result, the input's gradient assembled
/// from the ranks' rows, and the weight gradients summed as asked.
fn assert_split(c: &Compiled, devices: usize, strategy: StrategyKind, what: &str) {
    let names = &c.plan.output_names;
    assert_eq!(names.get(..2).map(|n| n.join(",")), Some("output,input_grad.0".into()), "{what}: {names:?}");
    let params = names.len() - 2;
    let count = |op: &str| {
        c.plan
            .steps
            .iter()
            .filter(|s| {
                s.op == op || (s.op == "async_start" && s.attrs().str("collective").ok() == Some(&format!("seq.{op}")))
            })
            .count()
    };
    let backward =
        |op: &str| c.plan.steps.iter().filter(|s| s.op == op && s.attrs().bool("backward") == Ok(true)).count();
    let gradients = c.report.gradients.as_ref().expect("a training step's report");
    assert_eq!((gradients.tensors, gradients.input_gradients), (params, Some(1)), "{what}: the report's gradients");
    if devices == 1 || strategy == StrategyKind::Replicate {
        assert!(!c.report.split, "{what}: must not split");
        assert_eq!(count("all_reduce") + count("unshard") + count("shard"), 0, "{what}: an unsplit step moves nothing");
        return;
    }
    assert!(c.report.split, "{what}: the plan does not split");
    let want = match strategy {
        StrategyKind::Ulysses => "ulysses",
        StrategyKind::Ring => "ring",
        StrategyKind::AllGatherKv => "allgather-kv",
        StrategyKind::Hybrid => "hybrid",
        _ => "",
    };
    assert!(!c.report.layers.is_empty(), "{what}: no attention layer in the report");
    if c.report.layers.iter().any(|l| l.strategy == "whole") {
        // Auto may keep a layer whole (every rank runs it over all rows, where the split forms
        // of its attention would run on the runtime's slower kernel): nothing of the split
        // plan's transfers to count.
        assert!(strategy == StrategyKind::Auto, "{what}: only auto keeps a layer whole");
        return;
    }
    for l in &c.report.layers {
        assert!(l.strategy.starts_with(want) || l.fallback.is_some(), "{what}: layer {} is {}", l.layer, l.strategy);
        assert!(l.strategy != "replicate" || l.fallback.is_some(), "{what}: layer {} is not split", l.layer);
    }
    assert_eq!(backward("shard"), 1, "{what}: output_grad split like the result");
    assert_eq!(backward("unshard"), 1, "{what}: the input's gradient assembled from the ranks' rows");
    if c.plan.owned_outputs.is_empty() {
        let all_reduced = super::train::all_reduced_tensors(c);
        assert_eq!(all_reduced, params, "{what}: weight gradients all-reduced, nothing else");
        assert!(count("all_reduce") < params, "{what}: in buckets");
    } else {
        assert_eq!(count("all_reduce"), 0, "{what}: no loss, nothing all-reduced");
        assert_eq!(c.plan.owned_outputs.len(), params, "{what}: every weight gradient reduce-scattered");
        assert!(c.plan.owned_outputs.iter().all(|o| o.output >= 2), "{what}: the output and input gradient are whole");
    }
}

/// Worst relative difference over every result (the output, the input's gradient, every weight
/// gradient), relative to each tensor's largest entry, with the worst one's name.
fn compare(got: &TrainOutput, want: &TrainOutput) -> (f64, String) {
    compare_parts(&parts(got), &parts(want))
}

fn compare_parts(got: &StepOutputs, want: &StepOutputs) -> (f64, String) {
    let (got, want) = (named(got), named(want));
    assert_eq!(got.len(), want.len(), "result count");
    let largest = |v: &[f64]| v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let floor = want.iter().map(|(_, t)| largest(&floats(t))).fold(0.0f64, f64::max);
    let mut worst = (0.0f64, String::new());
    for ((name, a), (want_name, b)) in got.iter().zip(&want) {
        assert_eq!(name, want_name, "results in the same order");
        assert_eq!(a.shape, b.shape, "{name}: shape");
        let (a, b) = (floats(a), floats(b));
        // A gradient that is exactly zero (GPT-2's key bias) is held to the step's largest entry.
        let own = largest(&b);
        let scale = if own < 1e-9 * floor { floor } else { own };
        let e = a.iter().zip(&b).fold(0.0f64, |m, (x, y)| m.max((x - y).abs())) / scale;
        if e >= worst.0 {
            worst = (e, name.clone());
        }
    }
    worst
}


/// Every strategy (auto on a compute-bound profile, replicate, ulysses, ring, all-gather-KV,
/// hybrid) on 2, 3 and 4 CPU ranks, gradients reduce-scattered or all-reduced: the output, the
/// input's gradient and every weight gradient equal the unsplit step's in f64.
#[test]
fn every_strategy_takes_the_vector_jacobian_product_of_the_unsplit_layer() {
    let cases = [
        ("gqa", layer(Norm::Llama, 48), None),
        ("mha", DecoderConfig { hidden: 32, heads: 4, kv_heads: 4, head_dim: 8, ..layer(Norm::Llama, 40) }, None),
        // 37 tokens: no device count divides them; a window; three packed documents.
        (
            "packed",
            DecoderConfig { packed: true, window: Some(9), ..layer(Norm::Llama, 37) },
            Some((0..37).map(|i| i32::from(i >= 10) + i32::from(i >= 25)).collect()),
        ),
        ("gpt2", DecoderConfig { kv_heads: 4, ..layer(Norm::Gpt2, 40) }, None),
    ];
    for (name, cfg, segs) in cases {
        let worst = check_strategies_by(name, &cfg.build_layer().expect("builds"), segs, &[2, 3, 4], (assert_split, compare));
        eprintln!("{name}: worst relative error {worst:.2e}");
    }
}

/// A bf16 layer (as the benchmark's) keeps its type: output_grad and the output are bf16, the
/// gradients f32; on CPU ranks (which compute in f32 or f64 whatever the declared type) a split
/// step equals the unsplit one to rounding.
#[test]
fn a_bf16_layer_keeps_its_types() {
    let g = DecoderConfig { dtype: seq_ir::DType::BF16, ..layer(Norm::Llama, 32) }.build_layer().expect("builds");
    let c = compile(&g, 2, StrategyKind::Ulysses);
    let dtype = |v: u32| c.plan.values[v as usize].dtype.clone();
    let out_grad = *c.plan.inputs.last().expect("output_grad");
    assert_eq!((c.plan.inputs.len(), dtype(out_grad)), (3, "bf16".to_string()), "(x, positions, output_grad)");
    assert_eq!(c.plan.values[out_grad as usize].shape, vec![32, 16], "output_grad has the result's global shape");
    assert_eq!(dtype(c.plan.outputs[0]), "bf16", "the output in the program's type");
    assert!(c.plan.outputs[1..].iter().all(|&v| dtype(v) == "f32"), "gradients in f32");
    let unsplit = compile(&g, 1, StrategyKind::Replicate);
    let ins = inputs(&unsplit, None);
    let weights = peaked_weights(&unsplit, 3);
    let (e, name) = compare(&run(&c, &ins, &weights, Precision::F32), &run(&unsplit, &ins, &weights, Precision::F64));
    assert!(e <= TOLERANCE, "{name} differs by {e:.2e}");
    eprintln!("bf16 layer on 2 ranks: worst relative error {e:.2e} ({name})");
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("seqc-vjp-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// On the command line: the benchmark's Llama-3-8B layer at 32K tokens compiles with --train
/// (its plan takes output_grad and returns the output and gradients); `seqc run --train` runs a
/// small layer's step and checks it against the unsplit one; `seqc train` and --loss-out refuse a
/// step without a loss, saying why.
#[test]
fn the_command_line_compiles_and_runs_a_vector_jacobian_step() {
    let dir = temp_dir("cli");
    let p = |x: &std::path::Path| x.to_str().expect("utf-8").to_string();
    let out = dir.join("bench");
    let (code, stdout, err) = super::seqc(&[
        "compile",
        "examples/bench/llama3-8b-layer-32k.mlir",
        "--devices",
        "1",
        "--train",
        "-o",
        &p(&out),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("vector-Jacobian step") && stdout.contains("1 input gradients; 9 weight gradients"),
        "{stdout}"
    );
    let plan = seq_runtime::Plan::read(&out.join("plan.json")).expect("plan");
    assert_eq!(&plan.output_names[..2], ["output", "input_grad.0"]);
    assert_eq!(plan.output_names.len(), 11, "{:?}", plan.output_names);
    let arg = |i: usize| &plan.values[plan.inputs[i] as usize];
    assert_eq!((arg(2).shape.clone(), arg(2).dtype.as_str()), (vec![32768, 4096], "bf16"), "output_grad");
    let grad = &plan.values[plan.outputs[1] as usize];
    assert_eq!((grad.shape.clone(), grad.dtype.as_str()), (vec![32768, 4096], "f32"), "input_grad.0");

    // A small layer, written as seq IR.
    let g = layer(Norm::Llama, 24).build_layer().expect("builds");
    let model = dir.join("layer.mlir");
    std::fs::write(&model, seq_ir::print_graph(&g, seq_ir::PrintOptions::default())).expect("write");
    let grads = dir.join("grads.safetensors");
    let (code, stdout, err) = super::seqc(&[
        "run",
        &p(&model),
        "--devices",
        "3",
        "--strategy",
        "ring",
        "--train",
        "--backend",
        "cpu",
        "--check",
        "--grads-out",
        &p(&grads),
        "--output",
        &p(&dir.join("y.npy")),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("ran one vector-Jacobian step on 3 ranks") && stdout.contains("1 input gradients, 9 gradients"),
        "{stdout}"
    );
    assert!(stdout.contains("max relative error vs the unsplit step in f64"), "{stdout}");
    let WeightSource::Safetensors(saved) = WeightSource::safetensors(&grads).expect("gradients") else {
        unreachable!("a file")
    };
    let (shape, _) = saved.tensor("input_grad.0").expect("the input's gradient");
    assert_eq!(shape, vec![24, 16]);
    saved.tensor("model.layers.0.mlp.down_proj.weight").expect("a weight's gradient");
    let y = seq_runtime::cpu::read_input(&dir.join("y.npy")).expect("the output");
    assert_eq!(y.shape, vec![24, 16]);

    let (code, _, err) =
        super::seqc(&["run", &p(&model), "--devices", "2", "--train", "--loss-out", &p(&dir.join("l.json"))]);
    assert_ne!(code, 0);
    assert!(err.contains("no loss") && err.contains("--loss-out"), "{err}");

    let data = dir.join("tokens.npy");
    use npyz::WriterBuilder;
    let file = std::fs::File::create(&data).expect("create");
    let mut w = npyz::WriteOptions::new().default_dtype().shape(&[2, 24]).writer(file).begin_nd().expect("npy");
    w.extend((0..48).map(|i| i % 32)).expect("write");
    w.finish().expect("finish");
    let (code, _, err) = super::seqc(&["train", &p(&model), "--devices", "2", "--data", &p(&data), "--steps", "2"]);
    assert_ne!(code, 0, "seqc train needs a loss");
    assert!(
        err.contains("seqc train minimises a loss") && err.contains("not logits") && err.contains("vector-Jacobian"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The library refuses too: the training loop, and make_train_inputs for a forward plan.
#[test]
fn the_training_loop_refuses_a_vector_jacobian_step() {
    use seqc::train::{TrainOptions, TrainState, data_rows, train};
    let g = layer(Norm::Llama, 16).build_layer().expect("builds");
    let c = compile(&g, 2, StrategyKind::Ring);
    assert_eq!(c.plan.step_kind(), Some(StepKind::Vjp));
    let data = data_rows(&HostTensor::from_i32(vec![1, 16], (0..16).collect()).expect("tokens")).expect("rows");
    let mut state = TrainState::new(&c.plan, &WeightSource::random(1)).expect("state");
    let e =
        train(&c.plan, &mut state, &data, &TrainOptions::default(), |_, _| Ok(())).expect_err("no loss").to_string();
    assert!(e.contains("not logits") && e.contains("vector-Jacobian"), "{e}");
    let forward = compile_graph(g, &CompileOptions { devices: 2, ..Default::default() }).expect("forward");
    assert_eq!(forward.plan.step_kind(), None);
    let e = make_train_inputs(&forward.plan, &RunInputs::default()).expect_err("a forward pass").to_string();
    assert!(e.contains("not a training step"), "{e}");
    // The logits of a whole model keep the loss.
    let whole = compile(&layer(Norm::Llama, 16).build().expect("builds"), 2, StrategyKind::Ring);
    assert_eq!(whole.plan.step_kind(), Some(StepKind::Loss));
}

/// The CUDA backend's lowering of the vector-Jacobian step (`cuda::program`), run on emulated
/// ranks against the unsplit step in f64: f32 plans to rounding, bf16 plans within bf16 error.
#[test]
fn every_strategy_lowers_its_vector_jacobian_step_for_the_gpu() {
    for (dtype, tolerance) in [(seq_ir::DType::F32, TOLERANCE), (seq_ir::DType::BF16, 3e-2)] {
        let g = DecoderConfig { dtype, ..layer(Norm::Llama, 24) }.build_layer().expect("builds");
        let unsplit = compile(&g, 1, StrategyKind::Replicate);
        let ins = inputs(&unsplit, None);
        let weights = peaked_weights(&unsplit, 3);
        let reference = parts(&run(&unsplit, &ins, &weights, Precision::F64));
        for (n, s) in super::train::EMULATED {
            let what = format!("{dtype:?}, {s:?} on {n} ranks, lowered for CUDA");
            let c = compile(&g, n, s);
            assert_split(&c, n, s, &what);
            let (_, outputs) = super::train::emulate(&c, &ins, &weights, &what);
            let got = seqc::run::step_outputs(&c.plan, &outputs).unwrap_or_else(|e| panic!("{what}: {e}"));
            let (e, tensor) = compare_parts(&got, &reference);
            assert!(e <= tolerance, "{what}: {tensor} differs from the unsplit step in f64 by {e:.3e}");
            eprintln!("{what}: {e:.2e} ({tensor})");
        }
    }
}
