//! Running a compiled plan on the CPU reference backend, and comparing it with the unsplit model.

use crate::Error;
use seq_runtime::{
    Plan,
    cpu::{self, HostTensor, Precision, RunOptions, RunOutput, WeightSource},
};

/// What the caller supplies; everything missing is made up deterministically.
#[derive(Clone, Debug, Default)]
pub struct RunInputs {
    /// Token ids, one per position of the sequence.
    pub ids: Option<HostTensor>,
    /// Segment ids for packed documents; positions then restart at each new segment.
    pub segments: Option<HostTensor>,
    /// Seed for token ids made up when none are given.
    pub seed: u64,
}

fn lcg(state: &mut u64) -> u64 {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    *state >> 33
}

/// Rows of the table the first embedding looks up with the program's first argument.
fn vocabulary(plan: &Plan) -> Option<usize> {
    let first = *plan.inputs.first()?;
    let mut seen = vec![first];
    for step in &plan.steps {
        if step.op == "shard" && seen.contains(&step.operands[0]) {
            seen.push(step.results[0]);
        }
        if step.op == "embedding" && seen.contains(&step.operands[0]) {
            return plan.values.get(step.operands[1] as usize).and_then(|v| v.shape.first()).map(|&v| v as usize);
        }
    }
    None
}

/// The program's arguments, by convention: integer vectors are token ids, positions, then
/// segment ids; float matrices are hidden states (random). Positions count from 0 and restart
/// where the segment id changes.
pub fn make_inputs(plan: &Plan, given: &RunInputs) -> Result<Vec<HostTensor>, Error> {
    let bad = |m: String| Error::Input(m);
    let mut ints = 0;
    let mut out = Vec::new();
    let mut state = given.seed ^ 0x5eed;
    let mut segments: Option<Vec<i32>> = None;
    for (i, &v) in plan.inputs.iter().enumerate() {
        let desc = plan.values.get(v as usize).ok_or_else(|| bad(format!("input {i} is not a value of the plan")))?;
        let shape: Vec<usize> = desc.shape.iter().map(|&d| d as usize).collect();
        let len = shape.first().copied().unwrap_or(1);
        let t = match (desc.dtype.as_str(), shape.len()) {
            ("i32" | "i64", 1) => {
                ints += 1;
                match ints {
                    1 => match &given.ids {
                        Some(ids) if ids.shape == shape => ids.clone(),
                        // A batch of one sequence, as tokenizers and exporters write it.
                        Some(ids) if ids.shape.len() == 2 && ids.shape[0] == 1 && ids.shape[1..] == shape[..] => {
                            HostTensor { shape: shape.clone(), data: ids.data.clone() }
                        }
                        Some(ids) => return Err(bad(format!("--input holds {:?} token ids, the model takes {:?}", ids.shape, shape))),
                        None => {
                            let vocab = vocabulary(plan).unwrap_or(2).max(1) as u64;
                            HostTensor::from_i32(shape, (0..len).map(|_| (lcg(&mut state) % vocab) as i32).collect()).map_err(bad)?
                        }
                    },
                    2 => {
                        let segs = given.segments.as_ref().and_then(|s| s.to_i64()).map(|s| s.into_iter().map(|x| x as i32).collect::<Vec<_>>());
                        let mut pos = Vec::with_capacity(len);
                        for j in 0..len {
                            let restart = j == 0 || segs.as_ref().is_some_and(|s| s.get(j) != s.get(j - 1));
                            pos.push(if restart { 0 } else { pos[j - 1] + 1 });
                        }
                        segments = segs;
                        HostTensor::from_i32(shape, pos).map_err(bad)?
                    }
                    _ => HostTensor::from_i32(shape, segments.clone().unwrap_or_else(|| vec![0; len])).map_err(bad)?,
                }
            }
            ("f32" | "bf16" | "f16" | "f64", 2) => {
                let n: usize = shape.iter().product();
                HostTensor::from_f64(shape, (0..n).map(|_| (lcg(&mut state) % 2001) as f64 / 1000.0 - 1.0).collect()).map_err(bad)?
            }
            (d, r) => return Err(bad(format!("input {i} is a rank-{r} {d} tensor; seqc run supplies token ids, positions, segment ids and hidden states"))),
        };
        out.push(t);
    }
    Ok(out)
}

/// Runs a plan on CPU threads, one per rank.
pub fn run_cpu(plan: &Plan, inputs: &[HostTensor], weights: &WeightSource, opts: &RunOptions) -> Result<RunOutput, Error> {
    cpu::run(plan, inputs, weights, opts).map_err(Error::Run)
}

/// Largest elementwise difference over the largest reference magnitude, and the first row (of
/// the first output) whose difference reaches `tolerance` times that magnitude.
pub fn max_relative_error(got: &HostTensor, reference: &HostTensor, tolerance: f64) -> (f64, Option<usize>) {
    let (Some(a), Some(b)) = (got.to_f64(), reference.to_f64()) else { return (f64::INFINITY, Some(0)) };
    if a.len() != b.len() {
        return (f64::INFINITY, Some(0));
    }
    let scale = b.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(f64::MIN_POSITIVE);
    let cols = got.shape.iter().skip(1).product::<usize>().max(1);
    let mut worst = 0.0f64;
    let mut first_bad = None;
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        let e = (x - y).abs() / scale;
        if e.is_nan() || e > worst {
            worst = if e.is_nan() { f64::INFINITY } else { e };
        }
        if first_bad.is_none() && (e.is_nan() || e > tolerance) {
            first_bad = Some(i / cols);
        }
    }
    (worst, first_bad)
}

/// The rank that owns global row `row` of a sequence of `global` rows split `n` ways.
pub fn owner_of(row: usize, layout: &str, n: usize, global: usize) -> usize {
    if layout == "zigzag" {
        let chunk = global.div_ceil(2 * n).max(1);
        let c = row / chunk;
        if c < n { c } else { 2 * n - 1 - c }
    } else {
        row / global.div_ceil(n).max(1)
    }
}

pub fn precision(f64: bool) -> Precision {
    if f64 { Precision::F64 } else { Precision::F32 }
}
