//! Every op is in every place `docs/adding-an-op.md` lists: the IRDL file, the op table (the
//! `match` in `seq_plan::rules::infer` does not compile without it), the dialect README, the
//! CPU backend's kernels and the CUDA backend's lowering. `example` below is an exhaustive match
//! on `OpKind`: a new op does not compile here until it has an example, and the example must
//! then pass `Plan::check`, run on the CPU backend over 2 ranks, and lower for the CUDA backend
//! with the emulated device agreeing with the CPU result.

use super::common::{Builder, Rng, float, int, string};
use seq_runtime::cpu::{self, HostTensor, Precision, RunOptions, WeightSource};
use seq_runtime::cuda::emulate::Emulator;
use seq_runtime::plan::AttrValue;
use seq_runtime::seq_plan::ops::OpKind;
use std::path::PathBuf;
use std::time::Duration;

const ROWS: usize = 6;
const HIDDEN: usize = 8;
/// Zigzag rows of rank 0 when 6 rows are split over 2 ranks (2 · ⌈6/4⌉).
const LOCAL: usize = 4;
const DEVICES: usize = 2;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn group() -> Vec<(&'static str, AttrValue)> {
    vec![("axis", string("sp")), ("group_size", int(DEVICES as i64))]
}

fn layout() -> Vec<(&'static str, AttrValue)> {
    vec![
        ("axis", string("sp")),
        ("layout", string("zigzag")),
        ("num_shards", int(DEVICES as i64)),
        ("global_size", int(ROWS as i64)),
    ]
}

fn with(mut a: Vec<(&'static str, AttrValue)>, more: &[(&'static str, AttrValue)]) -> Vec<(&'static str, AttrValue)> {
    a.extend_from_slice(more);
    a
}

fn attention_attrs() -> Vec<(&'static str, AttrValue)> {
    vec![
        ("num_heads", int(2)),
        ("num_kv_heads", int(1)),
        ("head_dim", int(4)),
        ("scale", float(0.5)),
        ("causal", AttrValue::Bool(true)),
    ]
}

/// Llama 3.1's frequency scaling, with an original length so short that of the two frequencies
/// one is kept and the other divided by the factor.
fn rope_attrs() -> Vec<(&'static str, AttrValue)> {
    vec![
        ("head_dim", int(4)),
        ("theta", float(10000.0)),
        ("scaling", string("llama3")),
        ("factor", float(8.0)),
        ("low_freq_factor", float(1.0)),
        ("high_freq_factor", float(4.0)),
        ("original_max_position", float(64.0)),
    ]
}

/// A smallest program whose outputs exercise `kind`, over 2 ranks.
fn example(kind: OpKind, b: &mut Builder) -> Vec<u32> {
    use OpKind::*;
    let x = |b: &mut Builder| b.input(&[ROWS, HIDDEN], "f32");
    let idx = |b: &mut Builder| b.input(&[ROWS], "i32");
    let op = kind.short_name();
    match kind {
        Param => vec![b.param("w", &[3, HIDDEN], "f32")],
        Embedding => {
            let ids = idx(b);
            let table = b.param("table", &[ROWS, HIDDEN], "f32");
            vec![b.op(op, &[ids, table], &[], &[ROWS, HIDDEN], "f32")]
        }
        RmsNorm => {
            let (x, w) = (x(b), b.param("w", &[HIDDEN], "f32"));
            vec![b.op(op, &[x, w], &[("eps", float(1e-5))], &[ROWS, HIDDEN], "f32")]
        }
        LayerNorm => {
            let (x, w, c) = (x(b), b.param("w", &[HIDDEN], "f32"), b.param("b", &[HIDDEN], "f32"));
            vec![b.op(op, &[x, w, c], &[("eps", float(1e-5))], &[ROWS, HIDDEN], "f32")]
        }
        Linear => {
            let (x, w, c) = (x(b), b.param("w", &[3, HIDDEN], "f32"), b.param("b", &[3], "f32"));
            vec![b.op(op, &[x, w, c], &[], &[ROWS, 3], "f32")]
        }
        Logits => {
            let (x, w) = (x(b), b.param("w", &[5, HIDDEN], "f32"));
            vec![b.op(op, &[x, w], &[], &[ROWS, 5], "f32")]
        }
        Rope => {
            let (x, pos) = (x(b), idx(b));
            vec![b.op(op, &[x, pos], &rope_attrs(), &[ROWS, HIDDEN], "f32")]
        }
        Attention => {
            let (q, k) = (x(b), b.input(&[ROWS, 4], "f32"));
            let v = b.input(&[ROWS, 4], "f32");
            vec![b.op(op, &[q, k, v], &attention_attrs(), &[ROWS, HIDDEN], "f32")]
        }
        AttentionPartial => {
            let (q, k) = (x(b), b.input(&[ROWS, 4], "f32"));
            let (v, qi, ki) = (b.input(&[ROWS, 4], "f32"), idx(b), idx(b));
            b.ops(op, &[q, k, v, qi, ki], &attention_attrs(), &[(&[ROWS, HIDDEN], "f32"), (&[ROWS, 2], "f32")])
        }
        LseMerge => {
            let (oa, la) = (x(b), b.input(&[ROWS, 2], "f32"));
            let (ob, lb) = (x(b), b.input(&[ROWS, 2], "f32"));
            b.ops(op, &[oa, la, ob, lb], &[], &[(&[ROWS, HIDDEN], "f32"), (&[ROWS, 2], "f32")])
        }
        Silu => {
            let x = x(b);
            vec![b.op(op, &[x], &[], &[ROWS, HIDDEN], "f32")]
        }
        Gelu => {
            let x = x(b);
            vec![b.op(op, &[x], &[("approximate", string("tanh"))], &[ROWS, HIDDEN], "f32")]
        }
        Mul | Add | Swiglu => {
            let (x, y) = (x(b), x(b));
            vec![b.op(op, &[x, y], &[], &[ROWS, HIDDEN], "f32")]
        }
        Convert => {
            let x = x(b);
            vec![b.op(op, &[x], &[], &[ROWS, HIDDEN], "bf16")]
        }
        Shard => {
            let x = x(b);
            vec![b.op(op, &[x], &with(layout(), &[("dim", int(0))]), &[LOCAL, HIDDEN], "f32")]
        }
        Unshard => {
            let x = b.input(&[LOCAL, HIDDEN], "f32");
            vec![b.op(op, &[x], &with(layout(), &[("dim", int(0))]), &[ROWS, HIDDEN], "f32")]
        }
        TokenIndex => vec![b.op(op, &[], &layout(), &[LOCAL], "i32")],
        Slice => {
            let x = x(b);
            vec![b.op(op, &[x], &[("dim", int(1)), ("start", int(2)), ("size", int(4))], &[ROWS, 4], "f32")]
        }
        Concat => {
            let (x, y) = (x(b), b.input(&[ROWS, 2], "f32"));
            vec![b.op(op, &[x, y], &[("dim", int(1))], &[ROWS, HIDDEN + 2], "f32")]
        }
        AllToAll => {
            let a = with(group(), &[("split_dim", int(1)), ("concat_dim", int(0))]);
            let x = x(b);
            vec![b.op(op, &[x], &a, &[ROWS * 2, HIDDEN / 2], "f32")]
        }
        AllGather => {
            let x = x(b);
            vec![b.op(op, &[x], &with(group(), &[("dim", int(0))]), &[ROWS * 2, HIDDEN], "f32")]
        }
        ReduceScatter => {
            let a = with(group(), &[("dim", int(0)), ("reduction", string("sum"))]);
            let x = x(b);
            vec![b.op(op, &[x], &a, &[ROWS / 2, HIDDEN], "f32")]
        }
        AllReduce => {
            let x = x(b);
            vec![b.op(op, &[x], &with(group(), &[("reduction", string("max"))]), &[ROWS, HIDDEN], "f32")]
        }
        CollectivePermute => {
            let x = x(b);
            vec![b.op(op, &[x], &with(group(), &[("shift", int(1))]), &[ROWS, HIDDEN], "f32")]
        }
        Pad => {
            let x = x(b);
            vec![b.op(op, &[x], &[("dim", int(1)), ("before", int(1)), ("after", int(2))], &[ROWS, HIDDEN + 3], "f32")]
        }
        Offload | Reload => {
            let x = x(b);
            vec![b.op(op, &[x], &[], &[ROWS, HIDDEN], "f32")]
        }
        ShardGrad => {
            let x = b.input(&[LOCAL, HIDDEN], "f32");
            vec![b.op(op, &[x], &with(layout(), &[("dim", int(0))]), &[ROWS, HIDDEN], "f32")]
        }
        LabelCount => {
            let labels = idx(b);
            vec![b.op(op, &[labels], &[], &[1], "f32")]
        }
        CrossEntropy | CrossEntropyGrad => {
            let (x, labels) = (x(b), idx(b));
            let w = b.param("w", &[ROWS, HIDDEN], "f32");
            let count = b.op("label_count", &[labels], &[], &[1], "f32");
            if kind == CrossEntropy {
                vec![b.op(op, &[x, w, labels, count], &[], &[1], "f32")]
            } else {
                b.ops(op, &[x, w, labels, count], &[], &[(&[ROWS, HIDDEN], "f32"), (&[ROWS, HIDDEN], "f32")])
            }
        }
        EmbeddingGrad => {
            let (ids, dy) = (idx(b), x(b));
            vec![b.op(op, &[ids, dy], &[("vocab", int(ROWS as i64 + 2))], &[ROWS + 2, HIDDEN], "f32")]
        }
        RmsNormGrad => {
            let (x_, w, dy) = (x(b), b.param("w", &[HIDDEN], "f32"), x(b));
            b.ops(op, &[x_, w, dy], &[("eps", float(1e-5))], &[(&[ROWS, HIDDEN], "f32"), (&[HIDDEN], "f32")])
        }
        LayerNormGrad => {
            let (x_, w, c, dy) = (x(b), b.param("w", &[HIDDEN], "f32"), b.param("b", &[HIDDEN], "f32"), x(b));
            let results: [(&[usize], &str); 3] = [(&[ROWS, HIDDEN], "f32"), (&[HIDDEN], "f32"), (&[HIDDEN], "f32")];
            b.ops(op, &[x_, w, c, dy], &[("eps", float(1e-5))], &results)
        }
        LinearGradInput => {
            let (dy, w) = (b.input(&[ROWS, 3], "f32"), b.param("w", &[3, HIDDEN], "f32"));
            vec![b.op(op, &[dy, w], &[], &[ROWS, HIDDEN], "f32")]
        }
        LinearGradWeight => {
            let (dy, x_) = (b.input(&[ROWS, 3], "f32"), x(b));
            vec![b.op(op, &[dy, x_], &[], &[3, HIDDEN], "f32")]
        }
        BiasGrad => {
            let dy = x(b);
            vec![b.op(op, &[dy], &[], &[HIDDEN], "f32")]
        }
        RopeGrad => {
            let (dy, pos) = (x(b), idx(b));
            vec![b.op(op, &[dy, pos], &rope_attrs(), &[ROWS, HIDDEN], "f32")]
        }
        SiluGrad | GeluGrad => {
            let (x_, dy) = (x(b), x(b));
            let a = if kind == GeluGrad { vec![("approximate", string("none"))] } else { Vec::new() };
            vec![b.op(op, &[x_, dy], &a, &[ROWS, HIDDEN], "f32")]
        }
        SwigluGrad => {
            let (g, u, dy) = (x(b), x(b), x(b));
            b.ops(op, &[g, u, dy], &[], &[(&[ROWS, HIDDEN], "f32"), (&[ROWS, HIDDEN], "f32")])
        }
        AttentionGrad => {
            let (q, k) = (x(b), b.input(&[ROWS, 4], "f32"));
            let (v, dy) = (b.input(&[ROWS, 4], "f32"), x(b));
            let results: [(&[usize], &str); 3] = [(&[ROWS, HIDDEN], "f32"), (&[ROWS, 4], "f32"), (&[ROWS, 4], "f32")];
            b.ops(op, &[q, k, v, dy], &attention_attrs(), &results)
        }
        AttentionPartialGrad => {
            let (q, k) = (x(b), b.input(&[ROWS, 4], "f32"));
            let (v, qi, ki) = (b.input(&[ROWS, 4], "f32"), idx(b), idx(b));
            let outs = b.ops("attention_partial", &[q, k, v, qi, ki], &attention_attrs(), &[(&[ROWS, HIDDEN], "f32"), (&[ROWS, 2], "f32")]);
            let dy = x(b);
            let results: [(&[usize], &str); 3] = [(&[ROWS, HIDDEN], "f32"), (&[ROWS, 4], "f32"), (&[ROWS, 4], "f32")];
            b.ops(op, &[q, k, v, outs[0], outs[1], dy, qi, ki], &attention_attrs(), &results)
        }
        AsyncStart | AsyncWait => {
            let a = with(group(), &[("collective", string("seq.all_gather")), ("dim", int(0)), ("stream", int(1))]);
            let x = x(b);
            let token = b.op("async_start", &[x], &a, &[], "token");
            vec![b.op("async_wait", &[token], &[], &[ROWS * 2, HIDDEN], "f32")]
        }
    }
}

/// Inputs for `plan`: index vectors count 0..n; floats are random, so collectives and merges
/// see different values in different rows.
fn inputs(plan: &seq_runtime::Plan, rng: &mut Rng) -> Vec<HostTensor> {
    plan.inputs
        .iter()
        .map(|&v| {
            let d = &plan.values[v as usize];
            let shape: Vec<usize> = d.shape.iter().map(|&s| s as usize).collect();
            let n = shape.iter().product::<usize>();
            if d.dtype == "i32" {
                HostTensor::from_i32(shape, (0..n as i32).collect()).expect("index input")
            } else {
                let values = rng.vec(n, 2.0).into_iter().map(|x| x as f32 - 1.0).collect();
                HostTensor::from_f32(shape, values).expect("float input")
            }
        })
        .collect()
}

#[test]
fn every_op_runs_on_both_backends() {
    let weights = WeightSource::random(5);
    let opts = RunOptions { precision: Precision::F32, timeout: Duration::from_secs(20) };
    for (i, &kind) in OpKind::ALL.iter().enumerate() {
        let mut b = Builder::default();
        let outputs = example(kind, &mut b);
        let plan = b.finish_unchecked(DEVICES, &[], &outputs);
        plan.check().unwrap_or_else(|e| panic!("{}: the op table refuses its example: {e}", kind.name()));
        assert!(plan.steps.iter().any(|s| s.kind() == Some(kind)), "{}: the example does not use it", kind.name());
        let inputs = inputs(&plan, &mut Rng::new(11 + i as u64));
        let cpu = cpu::run(&plan, &inputs, &weights, &opts)
            .unwrap_or_else(|e| panic!("{}: the CPU backend cannot run it: {e}", kind.name()));
        let mut emu = Emulator::new(&plan, &inputs, &weights)
            .unwrap_or_else(|e| panic!("{}: the CUDA backend cannot lower it: {e}", kind.name()));
        emu.run().unwrap_or_else(|e| panic!("{}: the CUDA lowering fails: {e}", kind.name()));
        let cuda = emu.outputs(0).unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        // bf16 storage (convert) rounds to 8 bits of mantissa; everything else is f32.
        let tolerance = if kind == OpKind::Convert { 1e-2 } else { 1e-5 };
        for (got, want) in cuda.iter().zip(&cpu.outputs) {
            let s = seq_runtime::cuda::inputs::compare(got, want).expect("comparable");
            assert!(s.max_rel <= tolerance, "{}: CUDA lowering vs CPU backend: {:.2e}", kind.name(), s.max_rel);
        }
    }
}

#[test]
fn every_op_is_in_the_dialect_and_documented() {
    let read = |p: &str| std::fs::read_to_string(root().join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let (irdl, readme, guide) =
        (read("dialects/seq/seq.irdl.mlir"), read("dialects/seq/README.md"), read("docs/adding-an-op.md"));
    for kind in OpKind::ALL {
        let name = kind.short_name();
        assert!(irdl.contains(&format!("irdl.operation @{name} {{")), "{name} is missing from seq.irdl.mlir");
        assert!(readme.contains(&format!("### `seq.{name}`")), "{name} has no section in dialects/seq/README.md");
    }
    // The guide's file list must name files that exist, so it cannot drift from the tree.
    let named: Vec<&str> = guide.split('`').skip(1).step_by(2).filter(|s| s.contains('/') && s.ends_with(".rs")).collect();
    assert!(named.len() >= 5, "docs/adding-an-op.md names too few files: {named:?}");
    for path in named {
        assert!(root().join(path).exists(), "docs/adding-an-op.md names {path}, which does not exist");
    }
}
