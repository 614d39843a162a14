//! `seq-recompute` on the tiny model's training step, on CPU ranks: under a memory budget the
//! step recomputes activations in the backward, computes the same loss and gradients as the step
//! compiled without a budget, and needs a smaller arena; an impossible budget is refused with the
//! smallest budget that fits; and the planner's memory estimate predicts the memory plan.

use seq_frontends::DecoderConfig;
use seq_ir::{Attr, Graph};
use seq_passes::config::Config;
use seq_passes::partition::recompute::{self, RECOMPUTE};
use seq_passes::schedule::plan_memory::{ARENA_BYTES, PARAM_BYTES};
use seq_passes::strategy::cost_model::{Profile, Target};
use seq_runtime::cpu::{HostTensor, Precision, RunOptions, WeightSource};
use seqc::run::{RunInputs, TrainOutput, make_train_inputs, train_step};
use seqc::{CompileOptions, Compiled, StrategyKind, compile_graph};
use std::time::Duration;

const TOLERANCE: f64 = 1e-6;
const GIB: f64 = (1u64 << 30) as f64;

/// The tiny model (examples/tiny.mlir) over 512 tokens, so that activations outweigh the
/// weight gradients (at 64 tokens the step's peak is its gradients, which no recompute lowers).
fn tiny() -> Graph {
    tiny_over(512)
}

fn tiny_over(tokens: i64) -> Graph {
    DecoderConfig { seq_len: tokens, ..DecoderConfig::tiny() }.build().expect("the tiny model builds")
}

fn options(devices: usize, strategy: StrategyKind, budget_bytes: Option<u64>) -> CompileOptions {
    CompileOptions {
        devices,
        strategy,
        train: true,
        // Bytes / 2^30 and back is exact in f64, so the pass sees exactly these bytes.
        memory_budget_gib: budget_bytes.map(|b| b as f64 / GIB),
        ..Default::default()
    }
}

fn step(c: &Compiled) -> TrainOutput {
    let inputs = make_train_inputs(&c.plan, &RunInputs { seed: 3, ..Default::default() }).expect("inputs");
    let opts = RunOptions { precision: Precision::F64, timeout: Duration::from_secs(30) };
    train_step(&c.plan, &inputs, &WeightSource::random(11), &opts).unwrap_or_else(|e| panic!("step: {e}"))
}

/// Worst relative difference of the loss and of every gradient (to the tensor's largest entry).
fn worst(got: &TrainOutput, want: &TrainOutput) -> (f64, String) {
    assert_eq!(got.grads.len(), want.grads.len(), "gradient count");
    let mut worst = ((got.loss - want.loss).abs() / want.loss.abs(), "loss".to_string());
    let f = |t: &HostTensor| t.to_f64().expect("floats");
    for ((name, a), (want_name, b)) in got.grads.iter().zip(&want.grads) {
        assert_eq!(name, want_name, "gradients in the same order");
        let (a, b) = (f(a), f(b));
        let scale = b.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(f64::MIN_POSITIVE);
        let e = a.iter().zip(&b).fold(0.0f64, |m, (x, y)| m.max((x - y).abs())) / scale;
        if e > worst.0 {
            worst = (e, name.clone());
        }
    }
    worst
}

/// All-to-alls recomputed in the backward (started asynchronously, as every collective is).
fn all_to_alls_recomputed(c: &Compiled) -> usize {
    let a2a = |op: &seq_ir::Op| op.kind == seq_ir::OpKind::AllToAll || op.str("collective") == Some("seq.all_to_all");
    c.program.body_ops().filter(|(_, op)| op.bool(RECOMPUTE) == Some(true) && a2a(op)).count()
}

fn clones(c: &Compiled) -> usize {
    c.program.body_ops().filter(|(_, op)| op.bool(RECOMPUTE) == Some(true)).count()
}

/// The `(N bytes)` after `after` in a message.
fn bytes_after(message: &str, after: &str) -> u64 {
    let rest = &message[message.find(after).unwrap_or_else(|| panic!("'{after}' in: {message}")) + after.len()..];
    let open = rest.find('(').expect("a byte count");
    let close = rest[open..].find(" bytes)").expect("a byte count") + open;
    rest[open + 1..close].parse().expect("a number of bytes")
}

#[test]
fn a_budget_recomputes_and_keeps_every_gradient() {
    for (devices, strategy) in [(2, StrategyKind::Ring), (2, StrategyKind::Ulysses), (1, StrategyKind::Replicate)] {
        let g = tiny();
        let base = compile_graph(g.clone(), &options(devices, strategy, None)).expect("compiles without a budget");
        assert_eq!(clones(&base), 0, "{strategy:?}: nothing recomputed without memory pressure");
        assert!(recompute::report(&base.program).is_none());
        let (params, arena) = (base.plan.memory.param_bytes, base.plan.memory.arena_bytes);

        // A quarter of the activations: more than recomputation saves, yet enough for the strategy
        // chooser's own check (a smaller budget makes it pick another program).
        let impossible = params + arena / 4;
        let err = compile_graph(g.clone(), &options(devices, strategy, Some(impossible)))
            .err()
            .unwrap_or_else(|| panic!("{strategy:?}: a budget of {impossible} bytes must be refused"))
            .to_string();
        assert!(err.contains("seq-recompute") && err.contains("predicted peak"), "{err}");
        // The peak recomputation starts from; seq-fill-stalls may then grow the arena a little
        // for a shorter step (GROWTH), never past the budget.
        let peak = bytes_after(&err, "predicted peak is ");
        let growth = 1.0 + seq_passes::schedule::fill_stalls::GROWTH;
        assert!(peak <= params + arena && (params + arena) as f64 <= peak as f64 * growth, "{err}: plan {}", params + arena);
        let smallest = bytes_after(&err, "a budget of at least ");
        assert!(smallest < params + arena, "{strategy:?}: recomputation must save something: {err}");

        // The smallest budget the message names fits; so does one halfway to the baseline.
        for budget in [smallest, (smallest + params + arena) / 2] {
            let c = compile_graph(g.clone(), &options(devices, strategy, Some(budget)))
                .unwrap_or_else(|e| panic!("{strategy:?}, budget {budget}: {e}"));
            let (p, a) = (c.plan.memory.param_bytes, c.plan.memory.arena_bytes);
            assert!(clones(&c) > 0, "{strategy:?}: something recomputed under {budget}");
            assert!(a < arena, "{strategy:?}: arena {a} with the budget, {arena} without");
            assert!(p + a <= budget, "{strategy:?}: {p} + {a} over the budget {budget}");
            let report = recompute::report(&c.program).expect("the plan is recorded");
            assert!(report.recomputed_ops > 0 && report.layers.iter().any(|l| !l.recomputed.is_empty()));
            assert!(c.plan.steps.iter().any(|s| s.attrs().bool(RECOMPUTE) == Ok(true)), "the plan keeps the mark");
            let (e, name) = worst(&step(&c), &step(&base));
            assert!(e <= TOLERANCE, "{strategy:?}, budget {budget}: {name} differs by {e:e}");
            eprintln!(
                "{strategy:?} x {devices}: arena {arena} -> {a} bytes under a budget of {budget} ({} weights), {} clones",
                p,
                clones(&c)
            );
        }
    }
}

fn ring_config(devices: usize, budget: u64) -> Config {
    let mut config = Config::new(Target::new(devices, Profile::h200()));
    config.train = true;
    config.strategy = seq_passes::config::StrategyRequest::Ring;
    config.target.memory_budget = budget;
    config
}

/// Runs the training pipeline up to `seq-recompute` (included), then the remaining passes.
fn through_recompute(g: &Graph, devices: usize, budget: u64) -> (Graph, Graph) {
    let passes = seq_passes::pipeline::passes(&ring_config(devices, budget));
    let cut =
        passes.iter().position(|p| p.name() == "seq-recompute").expect("seq-recompute in the training pipeline") + 1;
    let mut before = g.clone();
    seq_passes::pipeline::run(&mut before, &passes[..cut], &Default::default()).expect("runs");
    let mut after = before.clone();
    seq_passes::pipeline::run(&mut after, &passes[cut..], &Default::default()).expect("runs");
    (before, after)
}

#[test]
fn the_estimate_predicts_the_memory_plan() {
    let g = tiny();
    // The smallest budget recomputation reaches, from the error an impossible one gives.
    let (_, base) = through_recompute(&g, 2, u64::MAX);
    let int = |k: &str| base.module_attrs.get(k).and_then(Attr::as_int).expect("planned") as u64;
    let (params, arena) = (int(PARAM_BYTES), int(ARENA_BYTES));
    let mut h = g.clone();
    let passes = seq_passes::pipeline::passes(&ring_config(2, params + arena / 4));
    let err = seq_passes::pipeline::run(&mut h, &passes, &Default::default()).expect_err("impossible").to_string();
    assert_eq!(bytes_after(&err, "predicted peak is "), params + arena, "{err}");
    let smallest = bytes_after(&err, "a budget of at least ");
    for budget in [u64::MAX, smallest] {
        let (before, after) = through_recompute(&g, 2, budget);
        let predicted = recompute::estimate(&before);
        let arena = after.module_attrs.get(ARENA_BYTES).and_then(Attr::as_int).expect("planned") as u64;
        let ratio = predicted.arena as f64 / arena as f64;
        eprintln!(
            "budget {budget}: predicted arena {} (peak live {}), planned {arena}",
            predicted.arena, predicted.peak_live
        );
        assert!((0.8..=1.2).contains(&ratio), "predicted {} bytes, planned {arena}", predicted.arena);
        assert!(predicted.peak_live <= arena, "the live peak bounds any placement from below");
        assert_eq!(budget == smallest, before.body_ops().any(|(_, op)| op.bool(RECOMPUTE) == Some(true)));
    }
}

/// All-gather-KV: with room, the backward reuses the gathered K/V and the attention's output;
/// under the smallest budget it recomputes what is cheapest per byte: here the attention from
/// its kept K/V (gathering K/V again is the other candidate, priced at the transfer), and the
/// step is unchanged.
#[test]
fn all_gather_kv_recomputes_when_memory_is_short() {
    let g = tiny();
    let strategy = StrategyKind::AllGatherKv;
    let base = compile_graph(g.clone(), &options(2, strategy, None)).expect("compiles");
    let recomputed = |c: &Compiled, what: &str| {
        c.plan
            .steps
            .iter()
            .filter(|s| s.attrs().bool(RECOMPUTE) == Ok(true))
            .filter(|s| s.op == what || s.attrs().str("collective").ok() == Some(&format!("seq.{what}")))
            .count()
    };
    assert_eq!(clones(&base), 0, "kept when memory allows");
    let (params, arena) = (base.plan.memory.param_bytes, base.plan.memory.arena_bytes);
    let err = compile_graph(g.clone(), &options(2, strategy, Some(params + arena / 4))).expect_err("refused").to_string();
    let smallest = bytes_after(&err, "a budget of at least ");
    let c = compile_graph(g, &options(2, strategy, Some(smallest))).expect("fits");
    assert!(c.report.layers.iter().all(|l| l.strategy == "allgather-kv"), "{:?}", c.report.layers);
    let (attention, gathers) = (recomputed(&c, "attention_partial"), recomputed(&c, "all_gather"));
    assert!(attention + gathers > 0, "neither the attention nor K/V's gather recomputed under {smallest} bytes");
    let (e, name) = worst(&step(&c), &step(&base));
    assert!(e <= TOLERANCE, "{name} differs by {e:e}");
}

/// Ulysses under the smallest budget: q, k and v in head groups are not kept for the backward;
/// it projects them and moves them again (every rank re-runs the same all-to-alls in the same
/// order), and the step is unchanged. At 2048 tokens, where they outweigh the rest.
#[test]
fn ulysses_moves_q_k_v_again_when_memory_is_short() {
    let g = tiny_over(2048);
    let base = compile_graph(g.clone(), &options(2, StrategyKind::Ulysses, None)).expect("compiles without a budget");
    let (params, arena) = (base.plan.memory.param_bytes, base.plan.memory.arena_bytes);
    let err = compile_graph(g.clone(), &options(2, StrategyKind::Ulysses, Some(params + arena / 4)))
        .map(|_| ())
        .expect_err("a quarter of the activations is refused")
        .to_string();
    let smallest = bytes_after(&err, "a budget of at least ");
    let c = compile_graph(g.clone(), &options(2, StrategyKind::Ulysses, Some(smallest))).expect("the smallest budget fits");
    assert!(c.report.layers.iter().all(|l| l.strategy == "ulysses"), "{:?}", c.report.layers);
    assert!(all_to_alls_recomputed(&c) > 0, "no all-to-all recomputed at the smallest budget");
    assert!(c.plan.memory.arena_bytes < arena);
    let (e, name) = worst(&step(&c), &step(&base));
    assert!(e <= TOLERANCE, "{name} differs by {e:e}");
}

/// The budget an impossible request names compiles, also where the strategies chosen change
/// with the budget (under a tight one the chooser drops splits that a looser one keeps): the
/// tiny Gemma 2 with halo exchange on 4 devices, and under auto on 2.
#[test]
fn the_named_budget_compiles() {
    let g = seqc::load_file(&super::root().join("tests/models/gemma2/config.json"), None).expect("loads");
    for (devices, strategy) in [(4, StrategyKind::Halo), (2, StrategyKind::Auto)] {
        let err = compile_graph(g.clone(), &options(devices, strategy, Some(3 << 20))).map(|_| ()).expect_err("3 MiB is refused").to_string();
        let named = bytes_after(&err, "a budget of at least ");
        compile_graph(g.clone(), &options(devices, strategy, Some(named)))
            .unwrap_or_else(|e| panic!("{strategy:?} on {devices}: the named {named} bytes do not compile: {e}"));
    }
}
