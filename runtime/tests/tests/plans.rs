//! Whole plans: split strategies against the unsplit model, mesh axes, memory statistics, and
//! the errors a bad plan or input produces.

use super::common::{
    self, Attn, Builder, Rng, Strategy, VOCAB, float, int, max_rel_err, model_plan, reference_attention, run, string,
};
use seq_runtime::cpu::{self, HostTensor, Precision, RunOptions, RuntimeError, WeightSource};
use std::time::{Duration, Instant};

/// Token ids, positions (restarting in each packed document) and segment ids for `g` tokens.
pub fn model_inputs(rng: &mut Rng, g: usize, attn: &Attn) -> Vec<HostTensor> {
    let ids: Vec<i32> = (0..g).map(|_| rng.below(VOCAB as u64) as i32).collect();
    let mut seg = vec![0i32; g];
    let mut pos = vec![0i32; g];
    for i in 1..g {
        let new_doc = attn.segments && rng.below(4) == 0;
        seg[i] = seg[i - 1] + new_doc as i32;
        pos[i] = if new_doc { 0 } else { pos[i - 1] + 1 };
    }
    let mut inputs = vec![HostTensor::from_i32(vec![g], ids).unwrap(), HostTensor::from_i32(vec![g], pos).unwrap()];
    if attn.segments {
        inputs.push(HostTensor::from_i32(vec![g], seg).unwrap());
    }
    inputs
}

fn to_f64(t: &HostTensor) -> Vec<f64> {
    t.to_f64().expect("float output")
}

/// Runs `strategy` on `n` ranks in f32 and f64 against the unsplit model in f64.
pub fn check_strategy(g: usize, n: usize, strategy: Strategy, attn: &Attn, seed: u64) {
    let inputs = model_inputs(&mut Rng::new(seed), g, attn);
    let reference = run(&model_plan(g, 1, Strategy::Unsplit, attn), &inputs, Precision::F64);
    let split = model_plan(g, n, strategy, attn);
    let split64 = run(&split, &inputs, Precision::F64);
    let split32 = run(&split, &inputs, Precision::F32);
    assert_eq!(split32[0].shape, vec![g, VOCAB]);
    let (want, e64, e32) = (
        to_f64(&reference[0]),
        max_rel_err(&to_f64(&split64[0]), &to_f64(&reference[0])),
        max_rel_err(&to_f64(&split32[0]), &to_f64(&reference[0])),
    );
    assert!(want.iter().any(|x| x.abs() > 0.1), "logits are not trivially small");
    assert!(e64 < 1e-12, "{strategy:?} G={g} n={n} {attn:?}: f64 error {e64}");
    assert!(e32 <= 1e-5, "{strategy:?} G={g} n={n} {attn:?}: f32 error {e32}");
}

fn attn(heads: usize, kv_heads: usize, causal: bool, window: Option<usize>, segments: bool) -> Attn {
    Attn { heads, kv_heads, head_dim: 8, causal, window, segments }
}

#[test]
fn single_rank_attention_matches_the_reference() {
    let (s, heads, kv_heads, hd) = (19, 4, 2, 8);
    let mut rng = Rng::new(11);
    let mut b = Builder::default();
    let q = b.input(&[s, heads * hd], "f32");
    let k = b.input(&[s, kv_heads * hd], "f32");
    let v = b.input(&[s, kv_heads * hd], "f32");
    let seg = b.input(&[s], "i32");
    let a = Attn { heads, kv_heads, head_dim: hd, causal: true, window: Some(6), segments: true };
    let out = b.op("attention", &[q, k, v, seg], &a.attrs(heads, kv_heads), &[s, heads * hd], "f32");
    let plan = b.finish(1, &[], &[out]);
    let (qv, kv, vv) = (rng.vec(s * heads * hd, 1.0), rng.vec(s * kv_heads * hd, 1.0), rng.vec(s * kv_heads * hd, 1.0));
    let segs: Vec<i64> = (0..s as i64).map(|i| i / 7).collect();
    let f = |x: &[f64], cols: usize| HostTensor::from_f64(vec![s, cols], x.to_vec()).unwrap();
    let inputs = [
        f(&qv, heads * hd),
        f(&kv, kv_heads * hd),
        f(&vv, kv_heads * hd),
        HostTensor::from_i64(vec![s], segs.clone()).unwrap(),
    ];
    let index: Vec<i64> = (0..s as i64).collect();
    let scale = 1.0 / (hd as f64).sqrt();
    let (want, _) = reference_attention(
        &qv,
        &kv,
        &vv,
        (heads, kv_heads, hd),
        scale,
        true,
        Some(6),
        &index,
        &index,
        Some((&segs, &segs)),
    );
    assert!(max_rel_err(&to_f64(&run(&plan, &inputs, Precision::F64)[0]), &want) < 1e-12);
    assert!(max_rel_err(&to_f64(&run(&plan, &inputs, Precision::F32)[0]), &want) < 1e-5);
}

#[test]
fn zigzag_ring_matches_unsplit() {
    // Lengths that do not divide into 2n chunks, so the last ranks hold padding.
    for (g, n) in [(10, 2), (11, 3), (7, 3), (13, 2), (9, 4)] {
        check_strategy(g, n, Strategy::Ring, &attn(4, 2, true, None, false), g as u64);
    }
    check_strategy(17, 3, Strategy::Ring, &attn(4, 1, true, Some(5), true), 1);
    check_strategy(14, 2, Strategy::Ring, &attn(2, 2, false, None, true), 2);
    check_strategy(11, 3, Strategy::Ring, &attn(6, 3, false, Some(4), false), 3);
}

#[test]
fn all_gather_kv_matches_unsplit() {
    for zigzag in [true, false] {
        check_strategy(10, 3, Strategy::AllGatherKv { zigzag }, &attn(4, 2, true, None, false), 4);
        check_strategy(13, 2, Strategy::AllGatherKv { zigzag }, &attn(4, 4, true, Some(3), true), 5);
    }
}

#[test]
fn ulysses_matches_unsplit() {
    check_strategy(11, 2, Strategy::Ulysses, &attn(4, 2, true, None, true), 6);
    check_strategy(10, 4, Strategy::Ulysses, &attn(8, 4, true, Some(4), false), 7);
}

#[test]
fn collectives_use_the_groups_of_their_mesh_axis() {
    // Four ranks on a 2x2 mesh (outer, inner): gather along inner, then sum along outer.
    let mut b = Builder::default();
    let x = b.input(&[4, 2], "f32");
    let attrs = |axis: &str| {
        vec![
            ("dim", int(0)),
            ("layout", string("block")),
            ("num_shards", int(4)),
            ("global_size", int(4)),
            ("axis", string(axis)),
        ]
    };
    let row = b.op("shard", &[x], &attrs("sp"), &[1, 2], "f32");
    let pair = b.op(
        "all_gather",
        &[row],
        &[("dim", int(0)), ("axis", string("inner")), ("group_size", int(2))],
        &[2, 2],
        "f32",
    );
    let sum = b.op(
        "all_reduce",
        &[pair],
        &[("reduction", string("sum")), ("axis", string("outer")), ("group_size", int(2))],
        &[2, 2],
        "f32",
    );
    let plan = b.finish(4, &[("outer", 2), ("inner", 2)], &[sum]);
    let x = HostTensor::from_f32(vec![4, 2], vec![1.0, 2.0, 10.0, 20.0, 100.0, 200.0, 1000.0, 2000.0]).unwrap();
    let out = run(&plan, &[x], Precision::F32);
    // Rank 0: inner group {0, 1} gathers rows 0, 1; outer group {0, 2} adds rank 2's rows 2, 3.
    assert_eq!(out[0].view::<f32>().unwrap(), &[101.0, 202.0, 1010.0, 2020.0]);
}

#[test]
fn peak_live_bytes_follow_last_uses_at_declared_dtypes() {
    let mut b = Builder::default();
    let x = b.input(&[4, 8], "f32"); // 128 bytes
    let p = b.param("p", &[8], "f32"); // a parameter: 32 bytes, not an activation
    let y = b.op("silu", &[x], &[], &[4, 8], "f32"); // x + y = 256
    let z = b.op("add", &[x, y], &[], &[4, 8], "f32"); // x + y + z = 384, then x, y die
    let w = b.op("convert", &[z], &[], &[4, 8], "bf16"); // z + w = 128 + 64
    let plan = b.finish(1, &[], &[w, p]);
    let x = HostTensor::from_f32(vec![4, 8], vec![0.5; 32]).unwrap();
    let out = cpu::run(&plan, &[x], &WeightSource::random(0), &RunOptions::default()).unwrap();
    assert_eq!(out.ranks[0].peak_live_bytes, 384);
    assert_eq!(out.ranks[0].param_bytes, 32);
}

#[test]
fn random_weights_are_identical_on_every_rank_and_run() {
    let mut b = Builder::default();
    let w = b.param("model.layers.3.mlp.up_proj.weight", &[2, 16], "bf16");
    let norm = b.param("model.norm.weight", &[16], "f32");
    let ids = b.input(&[3], "i32");
    let _ = b.op("rms_norm", &[w, norm], &[("eps", float(1e-6))], &[2, 16], "bf16");
    let table = b.param("model.embed_tokens.weight", &[5, 16], "f32");
    let _ = b.op("embedding", &[ids, table], &[], &[3, 16], "f32");
    let all =
        b.op("all_gather", &[w], &[("dim", int(0)), ("axis", string("sp")), ("group_size", int(3))], &[6, 16], "bf16");
    let plan = b.finish(3, &[], &[all, norm, table]);
    let ids = HostTensor::from_i32(vec![3], vec![0, 1, 2]).unwrap();
    let first = run(&plan, std::slice::from_ref(&ids), Precision::F64);
    let again = run(&plan, &[ids], Precision::F64);
    assert_eq!(first, again);
    let all = to_f64(&first[0]);
    assert!(all[..32] == all[32..64] && all[..32] == all[64..], "ranks received different weights");
    // Scales by role: [out, in] matrices within 1/sqrt(in), norm scales near 1, tables O(1).
    assert!(all.iter().all(|x| x.abs() <= 0.25) && all.iter().any(|x| x.abs() > 0.1));
    assert!(to_f64(&first[1]).iter().all(|x| (0.9..=1.1).contains(x)));
    let table = to_f64(&first[2]);
    assert!(table.iter().all(|x| x.abs() <= 1.0) && table.iter().any(|x| x.abs() > 0.5));
}

#[test]
fn a_failing_rank_stops_the_others_promptly() {
    // Token 11 is out of the vocabulary and lands on rank 1 only; the others wait in the
    // unshard's gather and must stop long before the timeout.
    let a = attn(2, 1, true, None, false);
    let plan = model_plan(12, 3, Strategy::Ring, &a);
    let mut inputs = model_inputs(&mut Rng::new(3), 12, &a);
    let mut ids = inputs[0].view::<i32>().unwrap().to_vec();
    ids[3] = 1000; // zigzag chunk 1 (rows 2, 3) belongs to rank 1
    inputs[0] = HostTensor::from_i32(vec![12], ids).unwrap();
    let start = Instant::now();
    let opts = RunOptions { precision: Precision::F32, timeout: Duration::from_secs(30) };
    let err = cpu::run(&plan, &inputs, &WeightSource::random(0), &opts).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
    match &err {
        RuntimeError::Step { rank: 1, op, message, .. } if op == "embedding" => {
            assert!(message.contains("token id 1000"), "{message}")
        }
        other => panic!("expected rank 1's embedding error, got {other}"),
    }
}

#[test]
fn errors_name_the_rank_step_and_op() {
    let mut b = Builder::default();
    let x = b.input(&[2, 4], "f32");
    let y = b.op("silu", &[x], &[], &[2, 4], "f32");
    let z = b.op("softmax", &[y], &[], &[2, 4], "f32");
    let plan = b.finish_unchecked(2, &[], &[z]);
    let x = HostTensor::from_f32(vec![2, 4], vec![0.0; 8]).unwrap();
    let err =
        cpu::run(&plan, std::slice::from_ref(&x), &WeightSource::random(0), &common::opts(Precision::F32)).unwrap_err();
    assert_eq!(err.to_string(), "invalid plan: step 1 ('softmax'): unknown op 'softmax'");

    // A declared result shape that the op does not produce: the op table refuses the plan,
    // with the verifier's message, before any rank runs; the CUDA lowering refuses it alike.
    let mut b = Builder::default();
    let xin = b.input(&[2, 4], "f32");
    let w = b.param("w", &[3, 4], "f32");
    let y = b.op("linear", &[xin, w], &[], &[2, 4], "f32");
    let plan = b.finish_unchecked(1, &[], &[y]);
    let err =
        cpu::run(&plan, std::slice::from_ref(&x), &WeightSource::random(0), &common::opts(Precision::F32)).unwrap_err();
    let want = "step 1 ('linear'): result #0 is declared tensor<2x4xf32> but its operands give tensor<2x3xf32>";
    assert_eq!(err.to_string(), format!("invalid plan: {want}"));
    let err = seq_runtime::cuda::program::build(&plan, 0).map(|_| ()).unwrap_err();
    assert!(err.to_string().contains(want), "{err}");
    let mut b = Builder::default();
    let xin = b.input(&[2, 4], "f32");
    let w = b.param("w", &[3, 4], "f32");
    let y = b.op("linear", &[xin, w], &[], &[2, 3], "f32");
    let plan = b.finish(1, &[], &[y]);

    // Inputs of the wrong count or shape.
    let err = cpu::run(&plan, &[], &WeightSource::random(0), &RunOptions::default()).unwrap_err();
    assert!(matches!(err, RuntimeError::Input { .. }), "{err}");
    let bad = HostTensor::from_f32(vec![4, 2], vec![0.0; 8]).unwrap();
    let err = cpu::run(&plan, &[bad], &WeightSource::random(0), &RunOptions::default()).unwrap_err();
    assert_eq!(err.to_string(), "input #0: expected shape [2, 4] (f32), got [4, 2] f32");

    // A collective whose group_size disagrees with its axis.
    let mut b = Builder::default();
    let xin = b.input(&[2, 4], "f32");
    let y = b.op(
        "all_reduce",
        &[xin],
        &[("reduction", string("sum")), ("axis", string("sp")), ("group_size", int(3))],
        &[2, 4],
        "f32",
    );
    let plan = b.finish(2, &[], &[y]);
    let err = cpu::run(&plan, &[x], &WeightSource::random(0), &RunOptions::default()).unwrap_err();
    assert!(err.to_string().contains("step 0 ('all_reduce'): group_size is 3 but axis 'sp' has 2 ranks"), "{err}");
}

/// Every rank's shard of `0..g` and its token indices, gathered to rank 0 as [n, local] each.
fn layout_of(layout: &str, g: usize, n: usize) -> (Vec<i64>, Vec<i64>, Vec<i64>) {
    let local = if layout == "zigzag" { 2 * g.div_ceil(2 * n) } else { g.div_ceil(n) };
    let spec = |dim: bool| {
        let mut a = vec![
            ("layout", string(layout)),
            ("num_shards", int(n as i64)),
            ("global_size", int(g as i64)),
            ("axis", string("sp")),
        ];
        if dim {
            a.push(("dim", int(0)));
        }
        a
    };
    let gather = [("dim", int(0)), ("axis", string("sp")), ("group_size", int(n as i64))];
    let mut b = Builder::default();
    let x = b.input(&[g], "i64");
    let shard = b.op("shard", &[x], &spec(true), &[local], "i64");
    let ti = b.op("token_index", &[], &spec(false), &[local], "i32");
    let shards = b.op("all_gather", &[shard], &gather, &[n * local], "i64");
    let indices = b.op("all_gather", &[ti], &gather, &[n * local], "i32");
    let back = b.op("unshard", &[shard], &spec(true), &[g], "i64");
    let plan = b.finish(n, &[], &[shards, indices, back]);
    // Token t carries the value 100 + t, so padding (0) is told apart from token 0.
    let x = HostTensor::from_i64(vec![g], (0..g as i64).map(|t| 100 + t).collect()).unwrap();
    let out = run(&plan, &[x], Precision::F32);
    let ints = |t: &HostTensor| t.to_i64().unwrap();
    (ints(&out[0]), ints(&out[1]), ints(&out[2]))
}

#[test]
fn shard_token_index_and_unshard_follow_the_documented_layouts() {
    // The README's example: G = 10, n = 2, zigzag, c = 3.
    let (shards, indices, back) = layout_of("zigzag", 10, 2);
    assert_eq!(indices, vec![0, 1, 2, 9, -1, -1, 3, 4, 5, 6, 7, 8]);
    assert_eq!(shards, vec![100, 101, 102, 109, 0, 0, 103, 104, 105, 106, 107, 108]);
    assert_eq!(back, (100..110).collect::<Vec<_>>());
    // G = 11, n = 3, zigzag, c = 2: rank r holds chunks r and 5 − r.
    let (shards, indices, back) = layout_of("zigzag", 11, 3);
    assert_eq!(indices, vec![0, 1, 10, -1, 2, 3, 8, 9, 4, 5, 6, 7]);
    assert_eq!(shards[..4], [100, 101, 110, 0]);
    assert_eq!(back, (100..111).collect::<Vec<_>>());
    // Block, G = 10, n = 4, c = 3: only the last shard is padded.
    let (shards, indices, back) = layout_of("block", 10, 4);
    assert_eq!(indices, vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1]);
    assert_eq!(shards[9..], [109, 0, 0]);
    assert_eq!(back, (100..110).collect::<Vec<_>>());
}

#[test]
fn hybrid_ring_of_ulysses_groups_matches_unsplit() {
    // 2 × 2 and 3 × 2 meshes: Ulysses inside each ring step, with GQA heads split over groups.
    check_strategy(13, 4, Strategy::Hybrid { ulysses: 2 }, &attn(4, 2, true, None, true), 8);
    check_strategy(17, 6, Strategy::Hybrid { ulysses: 2 }, &attn(4, 2, true, Some(6), false), 9);
}

/// Sharded inputs and outputs: every rank runs on its rows of the caller's global inputs, and
/// the outputs assembled from every rank's rows are the unsplit model's.
#[test]
fn sharded_io_plans_match_unsplit() {
    let cases = [
        (19, 2, Strategy::Ring, attn(4, 2, true, None, false)),
        (23, 3, Strategy::Ring, attn(4, 1, true, Some(7), true)),
        (21, 3, Strategy::AllGatherKv { zigzag: false }, attn(6, 3, true, Some(4), false)),
        (17, 2, Strategy::Ulysses, attn(4, 2, false, None, true)),
        (22, 4, Strategy::Hybrid { ulysses: 2 }, attn(4, 2, true, None, true)),
    ];
    for (i, (g, n, strategy, a)) in cases.into_iter().enumerate() {
        let inputs = model_inputs(&mut Rng::new(40 + i as u64), g, &a);
        let reference = run(&model_plan(g, 1, Strategy::Unsplit, &a), &inputs, Precision::F64);
        let plan = common::with_sharded_io(&model_plan(g, n, strategy, &a));
        assert!(plan.steps.iter().all(|s| s.op != "shard" && s.op != "unshard"), "case {i}");
        let got = run(&plan, &inputs, Precision::F64);
        assert_eq!(got[0].shape, vec![g, VOCAB], "case {i}");
        let e = max_rel_err(&to_f64(&got[0]), &to_f64(&reference[0]));
        assert!(e < 1e-12, "case {i}: {strategy:?} on {n} ranks, sharded IO: error {e}");
    }
}

/// A plan whose `sharded_io` names a missing input or a shape that is not the rank's rows is
/// refused before anything runs.
#[test]
fn bad_sharded_io_is_refused() {
    let a = attn(4, 2, true, None, false);
    let plan = common::with_sharded_io(&model_plan(19, 2, Strategy::Ring, &a));
    let refuse = |p: &seq_runtime::Plan, want: &str| {
        let e = seq_runtime::Plan::from_json(&p.to_json(), "plan.json").expect_err("refused").to_string();
        assert!(e.contains(want), "{e}");
    };
    let mut bad = plan.clone();
    bad.sharded_io.as_mut().expect("io").inputs.push(7);
    refuse(&bad, "input 7 does not exist");
    // A layout or length the program's own token indices contradict.
    let mut bad = plan.clone();
    bad.sharded_io.as_mut().expect("io").global_size = 40;
    refuse(&bad, "says 40 rows in the zigzag layout over 2 devices, but step 0 ('token_index') has 19 rows");
    let mut bad = plan.clone();
    bad.sharded_io.as_mut().expect("io").layout = "block".into();
    refuse(&bad, "'zigzag' layout");
    let mut bad = plan.clone();
    bad.sharded_io.as_mut().expect("io").layout = "striped".into();
    refuse(&bad, "unknown layout 'striped'");
    // An input that is not the rank's rows.
    let mut bad = plan.clone();
    let first = bad.inputs[0] as usize;
    bad.values[first].shape[0] = 19;
    refuse(&bad, "has Some(19) rows; each rank's shard of 19 rows over 2 devices has 10");
    let mut bad = plan.clone();
    bad.sharded_io.as_mut().expect("io").inputs = vec![1, 0];
    refuse(&bad, "must be ascending without repeats");
    let mut bad = plan.clone();
    bad.devices = 0;
    refuse(&bad, "0 devices (a plan takes 1 to");
    let mut bad = plan.clone();
    bad.devices = 20;
    refuse(&bad, "20 devices cannot split 19 rows");
    let mut bad = plan.clone();
    bad.version = 1;
    refuse(&bad, "needs plan version 2");
    // A version 1 plan (before sharded IO) still reads; an unknown future version does not.
    let old = seq_runtime::Plan { version: 1, sharded_io: None, ..model_plan(19, 2, Strategy::Ring, &a) };
    assert!(seq_runtime::Plan::from_json(&old.to_json(), "old.json").is_ok());
    let future = seq_runtime::Plan { version: 99, ..old };
    refuse(&future, "versions 1 to 2");
}
