//! Default run inputs and the accuracy comparison with the CPU backend.
//!
//! `make_inputs` follows crates/seqc/src/run.rs `make_inputs` exactly (copied, since that crate
//! links MLIR), so `seqc run` and `seqc-run` feed a plan the same token ids for the same seed.

use crate::cpu::HostTensor;
use crate::plan::Plan;

fn lcg(state: &mut u64) -> u64 {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    *state >> 33
}

/// Rows of the table the first embedding looks up with the program's first argument.
fn vocabulary(plan: &Plan) -> Option<usize> {
    let first = *plan.inputs.first()?;
    let mut seen = vec![first];
    for step in &plan.steps {
        if step.op == "shard" && step.operands.first().is_some_and(|o| seen.contains(o)) {
            seen.extend(step.results.first());
        }
        if step.op == "embedding" && step.operands.first().is_some_and(|o| seen.contains(o)) {
            return step
                .operands
                .get(1)
                .and_then(|&t| plan.values.get(t as usize))
                .and_then(|v| v.shape.first())
                .map(|&v| v as usize);
        }
    }
    None
}

/// The program's arguments, by convention: integer vectors are token ids (`ids`, or
/// deterministic ids in [0, vocab)), positions (0.., restarting where the segment id changes),
/// then segment ids (`segments`, or 0); float matrices are hidden states in [−1, 1].
pub fn make_inputs(
    plan: &Plan,
    ids: Option<&HostTensor>,
    segments: Option<&HostTensor>,
    seed: u64,
) -> Result<Vec<HostTensor>, String> {
    let mut ints = 0;
    let mut out = Vec::new();
    let mut state = seed ^ 0x5eed;
    let mut segs: Option<Vec<i32>> = None;
    for (i, &v) in plan.inputs.iter().enumerate() {
        let desc = plan.values.get(v as usize).ok_or_else(|| format!("input {i} is not a value of the plan"))?;
        let shape: Vec<usize> = desc.shape.iter().map(|&d| d.max(0) as usize).collect();
        let len = shape.first().copied().unwrap_or(1);
        let t = match (desc.dtype.as_str(), shape.len()) {
            ("i32" | "i64", 1) => {
                ints += 1;
                match ints {
                    1 => match ids {
                        Some(ids) if ids.shape == shape => ids.clone(),
                        Some(ids) => {
                            return Err(format!(
                                "--input holds {:?} token ids, the model takes {:?}",
                                ids.shape, shape
                            ));
                        }
                        None => {
                            let vocab = vocabulary(plan).unwrap_or(2).max(1) as u64;
                            HostTensor::from_i32(shape, (0..len).map(|_| (lcg(&mut state) % vocab) as i32).collect())?
                        }
                    },
                    2 => {
                        let given = segments
                            .and_then(|s| s.to_i64())
                            .map(|s| s.into_iter().map(|x| x as i32).collect::<Vec<_>>());
                        let mut pos: Vec<i32> = Vec::with_capacity(len);
                        for j in 0..len {
                            let restart = j == 0 || given.as_ref().is_some_and(|s| s.get(j) != s.get(j - 1));
                            pos.push(if restart { 0 } else { pos[j - 1] + 1 });
                        }
                        segs = given;
                        HostTensor::from_i32(shape, pos)?
                    }
                    _ => HostTensor::from_i32(shape, segs.clone().unwrap_or_else(|| vec![0; len]))?,
                }
            }
            ("f32" | "bf16" | "f16" | "f64", 2) => {
                let n: usize = shape.iter().product();
                HostTensor::from_f64(shape, (0..n).map(|_| (lcg(&mut state) % 2001) as f64 / 1000.0 - 1.0).collect())?
            }
            (d, r) => {
                return Err(format!(
                    "input {i} is a rank-{r} {d} tensor; seqc-run supplies token ids, positions, segment ids and hidden states"
                ));
            }
        };
        out.push(t);
    }
    Ok(out)
}

/// How far a result is from the reference, relative to the reference's largest magnitude.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErrorStats {
    /// max |a − b| / max |ref|
    pub max_rel: f64,
    /// mean |a − b| / max |ref|
    pub mean_rel: f64,
    pub max_abs: f64,
    pub ref_scale: f64,
    /// Elements where either side is NaN or infinite while the other is not equal.
    pub non_finite: usize,
}

pub fn compare(got: &HostTensor, reference: &HostTensor) -> Result<ErrorStats, String> {
    if got.shape != reference.shape {
        return Err(format!("shape {:?} differs from the reference's {:?}", got.shape, reference.shape));
    }
    let as_f64 = |t: &HostTensor| t.to_f64().or_else(|| t.to_i64().map(|v| v.into_iter().map(|x| x as f64).collect()));
    let (Some(a), Some(b)) = (as_f64(got), as_f64(reference)) else {
        return Err("cannot compare these element types".into());
    };
    let scale = b.iter().filter(|x| x.is_finite()).fold(0.0f64, |m, x| m.max(x.abs())).max(f64::MIN_POSITIVE);
    let (mut max_abs, mut sum, mut non_finite) = (0.0f64, 0.0f64, 0usize);
    for (x, y) in a.iter().zip(&b) {
        // Equal infinities (−∞ lse of empty rows) are no error.
        let d = if x == y { 0.0 } else { (x - y).abs() };
        if !d.is_finite() {
            non_finite += 1;
            continue;
        }
        max_abs = max_abs.max(d);
        sum += d;
    }
    let n = a.len().max(1) as f64;
    let (max_rel, mean_rel) =
        if non_finite > 0 { (f64::INFINITY, f64::INFINITY) } else { (max_abs / scale, sum / n / scale) };
    Ok(ErrorStats { max_rel, mean_rel, max_abs, ref_scale: scale, non_finite })
}

/// The accuracy bar of `--check-against-cpu`: (max, mean) relative error.
pub fn tolerance(low_precision: bool) -> (f64, f64) {
    if low_precision { (1e-2, 2e-3) } else { (1e-4, 1e-4) }
}
