//! The CPU reference backend: runs a plan with one thread per rank and in-process collectives.
//!
//! It is the numerical reference for the GPU backend, so it favours clarity and determinism:
//! float values are held in one compute precision for the whole run (f32, or f64 for a
//! reference), whatever their declared dtype, and `convert` keeps values in that precision.

pub mod collectives;
pub mod grad_kernels;
mod exec;
pub mod kernels;
mod npy;
pub mod tensor;
mod weights;

pub use collectives::{Collective, Hub, Site};
pub use exec::{ParamSpec, param_specs};
pub use kernels::{AttentionSpec, Float, Masking};
pub use npy::{read_input, read_token_ids, write_npy_f32, write_safetensors_f32, write_safetensors_f32_bytes};
pub use tensor::{Data, HostTensor, Reduction};
pub use weights::{Checkpoint, ParamRole, WeightSource, random_values};

use crate::plan::{Plan, PlanError};
use std::time::Duration;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    #[default]
    F32,
    F64,
}

#[derive(Clone, Debug)]
pub struct RunOptions {
    pub precision: Precision,
    /// How long a rank waits for the other members of a collective before reporting them.
    pub timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self { precision: Precision::F32, timeout: Duration::from_secs(30) }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RankStats {
    /// Peak bytes of live activations (inputs, intermediates, pending collective results), at
    /// their declared dtypes, freeing each value after its last use.
    pub peak_live_bytes: u64,
    /// Bytes of parameters at their declared dtypes.
    pub param_bytes: u64,
}

#[derive(Clone, Debug)]
pub struct RunOutput {
    /// The plan outputs as the caller sees them: rank 0's copy, or assembled from every rank's
    /// rows where the plan keeps an output sharded.
    pub outputs: Vec<HostTensor>,
    /// One entry per rank.
    pub ranks: Vec<RankStats>,
}

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("invalid plan: {0}")]
    Plan(#[from] PlanError),
    #[error("plan: {0}")]
    Setup(String),
    #[error(transparent)]
    Shard(#[from] crate::shards::ShardError),
    #[error("input #{index}: {message}")]
    Input { index: usize, message: String },
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error("rank {rank}, step {step} ('{op}'): {message}")]
    Step { rank: usize, step: usize, op: String, message: String },
    #[error("rank {rank}, step {step} ('{op}'): collective mismatch: {message}")]
    Mismatch { rank: usize, step: usize, op: String, message: String },
    #[error("rank {rank}, step {step} ('{op}'): collective timed out: {message}")]
    Timeout { rank: usize, step: usize, op: String, message: String },
    #[error("rank {rank}, step {step} ('{op}'): stopped because another rank failed: {cause}")]
    Aborted { rank: usize, step: usize, op: String, cause: String },
    #[error("rank {rank}: output %{value} {message}")]
    Output { rank: usize, value: u32, message: String },
    #[error("rank {rank} panicked: {message}")]
    Panic { rank: usize, message: String },
}

/// Runs `plan` on `plan.devices` rank threads. `inputs` are the global tensors of
/// `plan.inputs`, in order (ints as i32/i64, floats as f32/f64).
pub fn run(
    plan: &Plan,
    inputs: &[HostTensor],
    weights: &WeightSource,
    opts: &RunOptions,
) -> Result<RunOutput, RuntimeError> {
    check(plan)?;
    match opts.precision {
        Precision::F32 => run_in::<f32>(plan, inputs, weights, opts),
        Precision::F64 => run_in::<f64>(plan, inputs, weights, opts),
    }
}

/// What `Plan::check` leaves to the runner: the device count and the input/output ids.
fn check(plan: &Plan) -> Result<(), RuntimeError> {
    plan.check()?;
    if plan.devices == 0 {
        return Err(RuntimeError::Setup("the plan has 0 devices".into()));
    }
    let mesh: usize = plan.mesh.iter().map(|a| a.size).product();
    if !plan.mesh.is_empty() && mesh != plan.devices {
        return Err(RuntimeError::Setup(format!(
            "mesh axes multiply to {mesh} ranks, the plan has {} devices",
            plan.devices
        )));
    }
    let n = plan.values.len();
    if let Some(v) = plan.inputs.iter().chain(&plan.outputs).find(|&&v| v as usize >= n) {
        return Err(RuntimeError::Setup(format!("input or output %{v} is out of range ({n} values)")));
    }
    let mut defined = vec![false; n];
    for &v in plan.inputs.iter().chain(plan.steps.iter().flat_map(|s| &s.results)) {
        defined[v as usize] = true;
    }
    if let Some(v) = plan.outputs.iter().find(|&&v| !defined[v as usize]) {
        return Err(RuntimeError::Setup(format!("output %{v} is never defined")));
    }
    Ok(())
}

/// Poisons the hub if a rank thread unwinds, so the other ranks stop instead of timing out.
struct FailOnPanic<'a> {
    hub: &'a Hub,
    rank: usize,
}

impl Drop for FailOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.hub.fail(&format!("rank {} panicked", self.rank));
        }
    }
}

fn run_in<T: Float>(
    plan: &Plan,
    inputs: &[HostTensor],
    weights: &WeightSource,
    opts: &RunOptions,
) -> Result<RunOutput, RuntimeError> {
    let program = exec::Program::new::<T>(plan, inputs, weights)?;
    let hub = Hub::new(plan.devices, opts.timeout);
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..plan.devices)
            .map(|rank| {
                let (program, hub) = (&program, &hub);
                std::thread::Builder::new().name(format!("rank-{rank}")).spawn_scoped(scope, move || {
                    let _guard = FailOnPanic { hub, rank };
                    let result = exec::Rank::<T>::new(program, hub, rank).run();
                    if let Err(e) = &result {
                        hub.fail(&e.to_string());
                    }
                    result
                })
            })
            .collect();
        handles
            .into_iter()
            .enumerate()
            .map(|(rank, h)| match h {
                Ok(h) => {
                    h.join().unwrap_or_else(|p| Err(RuntimeError::Panic { rank, message: panic_message(p.as_ref()) }))
                }
                Err(e) => Err(RuntimeError::Panic { rank, message: format!("could not start its thread: {e}") }),
            })
            .collect()
    });
    let mut per_rank = Vec::with_capacity(results.len());
    let mut ranks = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok((out, stats)) => {
                per_rank.push(out);
                ranks.push(stats);
            }
            Err(e) => errors.push(e),
        }
    }
    // Report the root cause, not the ranks that stopped because of it.
    if !errors.is_empty() {
        let root = errors.iter().position(|e| !matches!(e, RuntimeError::Aborted { .. })).unwrap_or(0);
        return Err(errors.swap_remove(root));
    }
    if per_rank.is_empty() {
        return Err(RuntimeError::Setup("no rank ran".into()));
    }
    let outputs = crate::shards::global_outputs(plan, &per_rank)?;
    Ok(RunOutput { outputs, ranks })
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}
