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

/// The program's arguments, by the runtime's convention (`seq_runtime::inputs`): integer vectors
/// are token ids, positions, then segment ids; float matrices are hidden states (random).
/// Positions count from 0 and restart where the segment id changes.
pub fn make_inputs(plan: &Plan, given: &RunInputs) -> Result<Vec<HostTensor>, Error> {
    seq_runtime::inputs::make_inputs(plan, given.ids.as_ref(), given.segments.as_ref(), given.seed)
        .map_err(Error::Input)
}

/// Runs a plan on CPU threads, one per rank.
pub fn run_cpu(
    plan: &Plan,
    inputs: &[HostTensor],
    weights: &WeightSource,
    opts: &RunOptions,
) -> Result<RunOutput, Error> {
    cpu::run(plan, inputs, weights, opts).map_err(Error::Run)
}

/// Largest elementwise difference over the largest reference magnitude (`seq_plan::relerr`), and
/// the first row (of the first output) whose difference exceeds `tolerance` times that magnitude.
pub fn max_relative_error(got: &HostTensor, reference: &HostTensor, tolerance: f64) -> (f64, Option<usize>) {
    let (Some(a), Some(b)) = (got.to_f64(), reference.to_f64()) else {
        return (f64::INFINITY, Some(0));
    };
    let Some(stats) = seq_runtime::relerr::compare(&a, &b, tolerance) else {
        return (f64::INFINITY, Some(0));
    };
    let cols = got.shape.iter().skip(1).product::<usize>().max(1);
    (stats.max_rel, stats.first_over.map(|i| i / cols))
}

/// The rank that owns global row `row` of a sequence of `global` rows split `n` ways.
pub fn owner_of(row: usize, layout: &str, n: usize, global: usize) -> usize {
    let spec = seq_runtime::plan::ShardSpec { zigzag: layout == "zigzag", shards: n, global };
    (0..n).find(|&r| spec.rows(r).contains(&Some(row))).unwrap_or(0)
}

pub fn precision(f64: bool) -> Precision {
    if f64 { Precision::F64 } else { Precision::F32 }
}
