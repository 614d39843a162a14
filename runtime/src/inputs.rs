//! Default run inputs, shared by every way of running a plan (`seqc run`, `seqc-run`, both
//! backends), so the same plan and seed always get the same token ids.

use crate::cpu::HostTensor;
use crate::plan::Plan;

const LCG_A: u64 = 6364136223846793005;
const LCG_C: u64 = 1442695040888963407;

fn lcg(state: &mut u64) -> u64 {
    *state = state.wrapping_mul(LCG_A).wrapping_add(LCG_C);
    *state >> 33
}

/// The next default float input value: k/1000 in [−1, 1] (f32 halves the host memory of long
/// sequences; the values are those of f64 to 1e-7).
fn uniform(state: &mut u64) -> f32 {
    (lcg(state) % 2001) as f32 / 1000.0 - 1.0
}

/// The state `n` steps of `lcg` after `state`, in O(log n): the step is the affine map
/// x -> A·x + C, and its n-th power is found by squaring.
fn lcg_skip(state: u64, mut n: u64) -> u64 {
    let (mut a, mut c) = (LCG_A, LCG_C);
    let (mut acc_a, mut acc_c) = (1u64, 0u64);
    while n > 0 {
        if n & 1 == 1 {
            acc_a = acc_a.wrapping_mul(a);
            acc_c = acc_c.wrapping_mul(a).wrapping_add(c);
        }
        c = c.wrapping_mul(a).wrapping_add(c);
        a = a.wrapping_mul(a);
        n >>= 1;
    }
    state.wrapping_mul(acc_a).wrapping_add(acc_c)
}

/// Rows `rows` of a `[_, cols]` tensor of `uniform` values whose stream starts at `start`, row g
/// being values g·cols.. of the stream (zero rows for `None`: the layout's padding). Each row
/// jumps to its place, so threads share the rows (a 1M-token q is 4G values) and a rank can
/// draw only its own.
fn uniform_rows(start: u64, cols: usize, rows: &[Option<usize>]) -> Vec<f32> {
    let mut out = vec![0f32; rows.len() * cols];
    if cols == 0 {
        return out;
    }
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(32);
    let per = rows.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        for (c, part) in out.chunks_mut(per * cols).enumerate() {
            let rows = &rows[c * per..];
            scope.spawn(move || {
                for (row, g) in part.chunks_mut(cols).zip(rows) {
                    let Some(g) = g else { continue };
                    let mut s = lcg_skip(start, (g * cols) as u64);
                    row.iter_mut().for_each(|x| *x = uniform(&mut s));
                }
            });
        }
    });
    out
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
/// then segment ids (`segments`, or 0) — without the token ids when the program starts from
/// hidden states; float matrices are hidden states (`ids` when it is the
/// first argument and a float tensor of its shape, else deterministic values in [−1, 1]).
pub fn make_inputs(
    plan: &Plan,
    ids: Option<&HostTensor>,
    segments: Option<&HostTensor>,
    seed: u64,
) -> Result<Vec<HostTensor>, String> {
    build_inputs(plan, ids, segments, seed, None)
}

/// What `rank` runs on: `shards::local_inputs` of `make_inputs`, without making the global
/// tensors of sharded hidden states (a 1M-token q is 16 GiB): each of the rank's rows is drawn
/// straight from its place in the same random stream.
pub fn make_rank_inputs(
    plan: &Plan,
    ids: Option<&HostTensor>,
    segments: Option<&HostTensor>,
    seed: u64,
    rank: usize,
) -> Result<Vec<HostTensor>, String> {
    build_inputs(plan, ids, segments, seed, Some(rank))
}

/// The labels of a training step, shifted before any split: token i's label is token i + 1.
/// The sequence's last token, and the last token of each packed document (where the next token
/// starts another document), have no label (-1: ignored by the loss).
pub fn next_token_labels(ids: &[i64], segments: Option<&[i64]>) -> Vec<i32> {
    (0..ids.len())
        .map(|i| match (ids.get(i + 1), segments) {
            (None, _) => -1,
            (Some(_), Some(s)) if s[i] != s[i + 1] => -1,
            (Some(&next), _) => next as i32,
        })
        .collect()
}

fn build_inputs(
    plan: &Plan,
    ids: Option<&HostTensor>,
    segments: Option<&HostTensor>,
    seed: u64,
    rank: Option<usize>,
) -> Result<Vec<HostTensor>, String> {
    let spec = plan.io_spec();
    // Inputs already made as the rank's rows.
    let mut local = vec![false; plan.inputs.len()];
    let mut ints = 0;
    let mut out = Vec::new();
    let mut state = seed ^ 0x5eed;
    let mut segs: Option<Vec<i32>> = None;
    let mut segments_taken = false;
    let ids_first = plan
        .inputs
        .first()
        .and_then(|&v| plan.values.get(v as usize))
        .is_none_or(|d| matches!(d.dtype.as_str(), "i32" | "i64"));
    // A training step's last argument is its labels, made from the token ids.
    let labels_at = (plan.step_kind() == Some(seq_plan::StepKind::Loss)).then(|| plan.inputs.len().checked_sub(1)).flatten();
    for (i, &v) in plan.inputs.iter().enumerate() {
        let desc = plan.values.get(v as usize).ok_or_else(|| format!("input {i} is not a value of the plan"))?;
        if labels_at == Some(i) && ids_first {
            let ids = out.first().and_then(HostTensor::to_i64).ok_or("a training step starts from token ids")?;
            let segs: Option<Vec<i64>> = segs.as_ref().map(|s| s.iter().map(|&x| x as i64).collect());
            let labels = next_token_labels(&ids, segs.as_deref());
            out.push(HostTensor::from_i32(vec![labels.len()], labels)?);
            continue;
        }
        // The caller's view: global tensors, also for inputs each rank holds a shard of.
        let global = plan.global_input_shape(i).unwrap_or_else(|| desc.shape.clone());
        let shape: Vec<usize> = global.iter().map(|&d| d.max(0) as usize).collect();
        let len = shape.first().copied().unwrap_or(1);
        let t = match (desc.dtype.as_str(), shape.len()) {
            ("i32" | "i64", 1) => {
                ints += 1;
                // A program that starts from hidden states takes no token ids: its integer
                // arguments are positions, then segment ids.
                let role = if ids_first { ints } else { ints + 1 };
                match role {
                    1 => match ids {
                        Some(x) if x.to_i64().is_none() => {
                            return Err(format!(
                                "--input holds floats; the model's first argument is {:?} token ids (int32 or int64)",
                                shape
                            ));
                        }
                        Some(ids) if ids.shape == shape => ids.clone(),
                        // A batch of one sequence, as tokenizers and exporters write it.
                        Some(ids) if ids.shape.len() == 2 && ids.shape[0] == 1 && ids.shape[1..] == shape[..] => {
                            HostTensor { shape: shape.clone(), data: ids.data.clone() }
                        }
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
                    _ => {
                        segments_taken = true;
                        HostTensor::from_i32(shape, segs.clone().unwrap_or_else(|| vec![0; len]))?
                    }
                }
            }
            ("f32" | "bf16" | "f16" | "f64", 2) => match ids.filter(|_| i == 0) {
                // The first argument is hidden states: `--input` gives them.
                Some(x) if x.shape == shape && x.to_f64().is_some() => x.clone(),
                Some(x) => {
                    return Err(format!(
                        "--input holds {:?} {}, the model's first argument is {:?} {} hidden states",
                        x.shape,
                        if x.to_f64().is_some() { "floats" } else { "integers" },
                        shape,
                        desc.dtype
                    ));
                }
                None => {
                    let rows = match (rank, &spec) {
                        (Some(r), Some(spec)) if plan.input_sharded(i) => {
                            local[i] = true;
                            spec.rows(r)
                        }
                        _ => (0..shape[0]).map(Some).collect(),
                    };
                    let values = uniform_rows(state, shape[1], &rows);
                    state = lcg_skip(state, (shape[0] * shape[1]) as u64);
                    HostTensor::from_f32(vec![rows.len(), shape[1]], values)?
                }
            },
            (d, r) => {
                return Err(format!(
                    "input {i} is a rank-{r} {d} tensor; the runtime supplies token ids, positions, segment ids and hidden states"
                ));
            }
        };
        out.push(t);
    }
    if segments.is_some() && !segments_taken {
        // Positions would restart per document while attention still saw across them.
        return Err("segment ids were given (--segments, or documents packed with --eos), but the plan's program takes none, so its attention would see across documents: compile it for packed documents (`seqc compile MODEL --packed`; `seqc train --eos` does)".into());
    }
    if let (Some(r), Some(spec)) = (rank, &spec) {
        let rows = spec.rows(r);
        for (i, t) in out.iter_mut().enumerate() {
            if plan.input_sharded(i) && !local[i] {
                *t = t.take(0, &rows).map_err(|m| format!("input {i}: {m}"))?;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jumping_ahead_lands_where_stepping_does() {
        let mut s = 0x5eed_u64;
        for n in [0u64, 1, 2, 3, 7, 64, 1000] {
            let mut t = s;
            for _ in 0..n {
                lcg(&mut t);
            }
            assert_eq!(lcg_skip(s, n), t, "n = {n}");
            s = t ^ n;
        }
    }

    #[test]
    fn parallel_rows_equal_one_sequential_stream() {
        let (rows, cols) = (3001, 10); // every row after the first jumps, whatever the core count
        let all: Vec<Option<usize>> = (0..rows).map(Some).collect();
        let got = uniform_rows(42, cols, &all);
        let mut b = 42;
        let want: Vec<f32> = (0..rows * cols).map(|_| uniform(&mut b)).collect();
        assert_eq!(got, want);
        assert_eq!(lcg_skip(42, (rows * cols) as u64), b, "the state moves on by rows · cols steps");
    }

    /// Each rank's inputs drawn directly are its rows of the global inputs: hidden states (made
    /// row by row) and positions (made whole, then cut), under both layouts with padding.
    #[test]
    fn rank_inputs_are_the_rows_of_the_global_inputs() {
        use crate::plan::{MemoryPlan, Plan, ShardedIo, ValueDesc};
        for (layout, devices) in [("zigzag", 2usize), ("zigzag", 3), ("block", 4)] {
            let global = 19;
            let spec = crate::plan::ShardSpec { zigzag: layout == "zigzag", shards: devices, global };
            let local = spec.local_rows() as i64;
            let value = |shape: Vec<i64>, dtype: &str| ValueDesc { shape, dtype: dtype.into(), offset: None };
            let plan = Plan {
                version: crate::PLAN_VERSION,
                devices,
                mesh: Vec::new(),
                inputs: vec![0, 1, 2],
                outputs: Vec::new(),
                values: vec![value(vec![local, 8], "bf16"), value(vec![local], "i32"), value(vec![3, 8], "f32")],
                steps: Vec::new(),
                memory: MemoryPlan::default(),
                sharded_io: Some(ShardedIo { layout: layout.into(), global_size: global, inputs: vec![0, 1], outputs: Vec::new() }),
                output_names: Vec::new(),
                owned_outputs: Vec::new(),
            };
            plan.check().expect("a valid plan");
            let whole = make_inputs(&plan, None, None, 9).expect("inputs");
            for r in 0..devices {
                let want = crate::shards::local_inputs(&plan, &whole, r).expect("rows");
                let got = make_rank_inputs(&plan, None, None, 9, r).expect("rank inputs");
                assert_eq!(got.len(), want.len());
                for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                    assert_eq!(g, &**w, "{layout} over {devices}, rank {r}, input {i}");
                }
            }
        }
    }
}
