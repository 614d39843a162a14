//! The CUDA backend's lowering, checked without a GPU: `cuda::emulate` runs every rank's
//! command list (`cuda::program`) on byte buffers laid out exactly as the device's (arena
//! offsets, parameter and constant regions, collective staging, pack/unpack copies, shard row
//! tables, NCCL semantics for the collectives), with the CPU backend's kernels for the math and
//! the device's storage rounding. Its outputs must match the CPU backend on every strategy.
//!
//! What this cannot see: the CUDA kernels themselves and stream ordering (it runs commands in
//! program order); those are checked on the GPU by `seqc-run --check-against-cpu`.

use super::common::{Attn, Rng, Strategy, model_plan, with_sharded_io};
use super::plans::model_inputs;
use seq_runtime::Plan;
use seq_runtime::cpu::{self, HostTensor, Precision, RunOptions, WeightSource};
use seq_runtime::cuda::emulate::Emulator;
use std::time::Duration;

/// Runs `plan` through the CUDA lowering on emulated ranks; returns the global outputs.
pub fn emulate(plan: &Plan, inputs: &[HostTensor], weights: &WeightSource) -> Vec<HostTensor> {
    let mut emu = Emulator::new(plan, inputs, weights).unwrap_or_else(|e| panic!("{e}"));
    emu.run().unwrap_or_else(|e| panic!("{e}"));
    emu.global_outputs(plan).unwrap_or_else(|e| panic!("{e}"))
}

/// The plan with every bf16 value declared f32.
pub fn as_f32(plan: &Plan) -> Plan {
    let mut p = plan.clone();
    for v in &mut p.values {
        if v.dtype == "bf16" {
            v.dtype = "f32".into();
        }
    }
    p
}

fn check(plan: &Plan, inputs: &[HostTensor], tolerance: f64, what: &str) {
    let weights = WeightSource::random(3);
    let reference =
        cpu::run(plan, inputs, &weights, &RunOptions { precision: Precision::F32, timeout: Duration::from_secs(20) })
            .unwrap_or_else(|e| panic!("{what}: cpu run: {e}"));
    let got = emulate(plan, inputs, &weights);
    assert_eq!(got.len(), reference.outputs.len());
    for (g, r) in got.iter().zip(&reference.outputs) {
        let s = seq_runtime::cuda::inputs::compare(g, r).expect("comparable");
        assert!(
            s.max_rel <= tolerance,
            "{what}: max rel err {:.3e} > {tolerance:.0e} (mean {:.3e})",
            s.max_rel,
            s.mean_rel
        );
    }
}

fn attn(heads: usize, kv_heads: usize, window: Option<usize>, segments: bool) -> Attn {
    Attn { heads, kv_heads, head_dim: 8, causal: true, window, segments }
}

/// Every strategy of the end-to-end tests, on the emulated device: f32 must agree with the CPU
/// backend to rounding, bf16 storage within bf16 error.
#[test]
fn lowered_strategies_match_the_cpu_backend() {
    let cases: Vec<(usize, usize, Strategy, Attn)> = vec![
        (16, 1, Strategy::Unsplit, attn(4, 2, None, false)),
        (16, 1, Strategy::Unsplit, attn(4, 4, Some(5), true)),
        (19, 2, Strategy::Ring, attn(4, 2, None, false)),
        (23, 3, Strategy::Ring, attn(4, 1, Some(7), true)),
        (19, 2, Strategy::AllGatherKv { zigzag: true }, attn(4, 2, None, true)),
        (21, 3, Strategy::AllGatherKv { zigzag: false }, attn(6, 3, Some(4), false)),
        (16, 2, Strategy::Ulysses, attn(4, 2, None, true)),
        (17, 2, Strategy::Ulysses, attn(4, 2, Some(6), false)),
        (22, 4, Strategy::Hybrid { ulysses: 2 }, attn(4, 2, None, true)),
        (18, 2, Strategy::Hybrid { ulysses: 1 }, attn(4, 2, None, false)),
        (18, 2, Strategy::Hybrid { ulysses: 2 }, attn(4, 2, Some(5), true)),
    ];
    for (i, (g, n, strategy, a)) in cases.into_iter().enumerate() {
        let plan = model_plan(g, n, strategy, &a);
        let inputs = model_inputs(&mut Rng::new(100 + i as u64), g, &a);
        let what = format!("case {i}: {strategy:?} on {n} ranks, {g} tokens, {a:?}");
        check(&as_f32(&plan), &inputs, 1e-5, &format!("{what} (f32)"));
        check(&plan, &inputs, 3e-2, &format!("{what} (bf16)"));
        if n > 1 {
            // The same plan taking and returning each rank's rows (`--sharded-io`).
            let sharded = with_sharded_io(&plan);
            check(&as_f32(&sharded), &inputs, 1e-5, &format!("{what}, sharded IO (f32)"));
            check(&sharded, &inputs, 3e-2, &format!("{what}, sharded IO (bf16)"));
        }
    }
}

/// Plans for the device run (bench/cuda): written only when SEQC_WRITE_TEST_PLANS names a
/// directory, so the GPU check covers the strategies and features the compiler's tiny model
/// does not (bias, segments, windows, mesh axes, two communication streams, uneven splits).
#[test]
fn write_device_plans() {
    let Some(dir) = std::env::var_os("SEQC_WRITE_TEST_PLANS") else { return };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("plan directory");
    let cases: Vec<(&str, usize, usize, Strategy, Attn)> = vec![
        ("unsplit-seg-window", 61, 1, Strategy::Unsplit, attn(4, 2, Some(9), true)),
        ("ring-seg-window", 61, 2, Strategy::Ring, attn(4, 2, Some(9), true)),
        ("allgather-block-seg", 61, 2, Strategy::AllGatherKv { zigzag: false }, attn(4, 2, None, true)),
        ("ulysses-seg", 62, 2, Strategy::Ulysses, attn(4, 2, None, true)),
        ("hybrid-u2-seg", 61, 2, Strategy::Hybrid { ulysses: 2 }, attn(4, 2, Some(13), true)),
        ("hybrid-u1", 61, 2, Strategy::Hybrid { ulysses: 1 }, attn(4, 1, None, false)),
        // Longer sequences (many key tiles) and the head dims the attention kernel special-cases:
        // 64 and 128 (whole warps of columns), 80 (a partial one), 256 (over 48 KiB of shared memory).
        ("ring-long-hd128-seg", 1000, 2, Strategy::Ring, Attn { head_dim: 128, ..attn(4, 2, None, true) }),
        ("ulysses-long-hd64-window", 998, 2, Strategy::Ulysses, Attn { head_dim: 64, ..attn(4, 2, Some(100), false) }),
        (
            "allgather-hd80-seg",
            515,
            2,
            Strategy::AllGatherKv { zigzag: true },
            Attn { head_dim: 80, ..attn(4, 4, None, true) },
        ),
        ("unsplit-hd256", 300, 1, Strategy::Unsplit, Attn { head_dim: 256, ..attn(2, 1, None, false) }),
    ];
    for (name, g, n, strategy, a) in cases {
        let plan = model_plan(g, n, strategy, &a);
        std::fs::write(dir.join(format!("test-{name}-bf16.json")), plan.to_json()).expect("write");
        std::fs::write(dir.join(format!("test-{name}-f32.json")), as_f32(&plan).to_json()).expect("write");
        if n > 1 && !name.contains("long") && !name.contains("hd") {
            let sharded = with_sharded_io(&plan);
            std::fs::write(dir.join(format!("test-sio-{name}-bf16.json")), sharded.to_json()).expect("write");
        }
    }
}
