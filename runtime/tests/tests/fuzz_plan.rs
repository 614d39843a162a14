//! Untrusted plans cannot crash the runtime: structure-aware mutations of real plans (numbers
//! nudged, zeroed, negated or made huge; keys dropped; array items removed, duplicated or swapped;
//! op names and strings replaced) go through what `seqc-run` does before it touches a device —
//! `Plan::from_json` (the op table's check) and the CUDA lowering for every rank — and must end
//! in a plan or an error, never a panic. `SEQC_FUZZ_CASES` runs more cases by hand (default 2000,
//! seed fixed; `SEQC_FUZZ_SEED` picks another).

use super::common::{Attn, Rng, Strategy, model_plan};
use seq_runtime::Plan;
use serde_json::Value;

const OPS: [&str; 8] = ["attention", "all_to_all", "shard", "unshard", "linear", "attention_grad", "concat", "nonsense"];

fn corpus() -> Vec<String> {
    let attn = |window, segments| Attn { heads: 4, kv_heads: 2, head_dim: 8, causal: true, window, segments };
    [
        (16, 1, Strategy::Unsplit, attn(None, false)),
        (19, 2, Strategy::Ring, attn(None, true)),
        (21, 3, Strategy::AllGatherKv { zigzag: false }, attn(Some(4), false)),
        (16, 2, Strategy::Ulysses, attn(None, true)),
        (22, 4, Strategy::Hybrid { ulysses: 2 }, attn(Some(5), true)),
    ]
    .into_iter()
    .map(|(g, n, s, a)| model_plan(g, n, s, &a).to_json())
    .collect()
}

/// Every node of `v` (pre-order), as paths of keys and indices.
fn paths(v: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                at.push(Step::Key(k.clone()));
                paths(c, at, out);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                at.push(Step::Index(i));
                paths(c, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn node<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, s| match s {
        Step::Key(k) => v.get_mut(k.as_str()),
        Step::Index(i) => v.get_mut(*i),
    })
}

fn mutate(v: &mut Value, rng: &mut Rng) {
    let mut all = Vec::new();
    paths(v, &mut Vec::new(), &mut all);
    let path = all[rng.below(all.len() as u64) as usize].clone();
    let Some(n) = node(v, &path) else { return };
    match n {
        Value::Number(x) => {
            let i = x.as_i64().unwrap_or(0);
            let choices = [i.saturating_add(1), i.saturating_sub(1), 0, -1, i.saturating_neg(), i.saturating_mul(1 << 20), i64::MAX, i64::MIN, 7];
            *n = Value::from(choices[rng.below(choices.len() as u64) as usize]);
        }
        Value::String(_) => {
            let choices = ["", "f64", "i32", "bf16", "token", "sp", "zigzag", OPS[rng.below(OPS.len() as u64) as usize]];
            *n = Value::from(choices[rng.below(choices.len() as u64) as usize]);
        }
        Value::Array(a) if !a.is_empty() => {
            let i = rng.below(a.len() as u64) as usize;
            match rng.below(4) {
                0 => {
                    a.remove(i);
                }
                1 => {
                    let c = a[i].clone();
                    a.insert(i, c);
                }
                2 => {
                    let j = rng.below(a.len() as u64) as usize;
                    a.swap(i, j);
                }
                _ => a.truncate(i),
            }
        }
        Value::Object(m) if !m.is_empty() => {
            let keys: Vec<String> = m.keys().cloned().collect();
            m.remove(&keys[rng.below(keys.len() as u64) as usize]);
        }
        Value::Bool(b) => *b = !*b,
        _ => *n = Value::Null,
    }
}

/// Memory the emulator may take for one mutant (larger accepted plans are lowered, not run).
const EMULATE_BYTES: usize = 64 << 20;

/// What seqc-run does with a plan before any device call; Ok when it would run it. Small
/// accepted plans then run on the host emulator, whose every access is bounds-checked against
/// the region the lowering placed it in: an access outside one is a lowering bug (a device
/// would write outside its buffers), not a refusal.
fn load_and_lower(text: &str) -> Result<(), String> {
    let plan = Plan::from_json(text, "fuzz.json").map_err(|e| e.to_string())?;
    let mut bytes = 0usize;
    for rank in 0..plan.devices.min(16) {
        let p = seq_runtime::cuda::program::build(&plan, rank).map_err(|e| e.to_string())?;
        bytes = bytes.saturating_add(p.arena.bytes + p.params_bytes + p.consts.len() + p.work + p.saved);
        bytes = p.scratch.iter().fold(bytes, |b, &s| b.saturating_add(s));
    }
    if plan.devices > 16 || bytes > EMULATE_BYTES {
        return Ok(());
    }
    let Ok(inputs) = seq_runtime::inputs::make_inputs(&plan, None, None, 1) else { return Ok(()) };
    let weights = seq_runtime::cpu::WeightSource::random(1);
    let outcome = seq_runtime::cuda::emulate::Emulator::new(&plan, &inputs, &weights).and_then(|mut e| e.run());
    match outcome {
        Err(e) if e.contains("outside the region") => panic!("the lowering addresses memory outside its buffers: {e}"),
        _ => Ok(()),
    }
}

#[test]
fn mutated_plans_end_in_a_plan_or_an_error() {
    let cases: usize = std::env::var("SEQC_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let seed: u64 = std::env::var("SEQC_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(17);
    let corpus = corpus();
    for text in &corpus {
        load_and_lower(text).unwrap_or_else(|e| panic!("a seed plan must load: {e}"));
    }
    let mut rng = Rng::new(seed);
    let (mut accepted, mut refused) = (0, 0);
    let start = std::time::Instant::now();
    for case in 0..cases {
        let mut v: Value = serde_json::from_str(&corpus[case % corpus.len()]).expect("seed JSON");
        for _ in 0..=rng.below(3) {
            mutate(&mut v, &mut rng);
        }
        let text = v.to_string();
        match std::panic::catch_unwind(|| load_and_lower(&text)) {
            Ok(Ok(())) => accepted += 1,
            Ok(Err(_)) => refused += 1,
            Err(p) => {
                let what = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()));
                let file = std::env::temp_dir().join(format!("seqc-fuzz-crash-{seed}-{case}.json"));
                let _ = std::fs::write(&file, &text);
                panic!("case {case} (seed {seed}) panicked: {what:?}; the plan is in {}", file.display());
            }
        }
    }
    eprintln!(
        "plan fuzz: {cases} cases (seed {seed}) in {:.1} s: {accepted} loaded and lowered, {refused} refused with an error, 0 panics",
        start.elapsed().as_secs_f64()
    );
}
