//! The CUDA backend's one error type. Every message names the rank and, during execution, the
//! step and op, so a failure on one GPU of many can be found from the log alone.

use crate::cpu::RuntimeError;
use crate::plan::PlanError;

#[derive(Debug, thiserror::Error)]
pub enum CudaError {
    /// A shared library that cudarc loads at run time is not there (no driver, no NCCL, ...).
    #[error("{library} could not be loaded ({detail}); {hint}")]
    MissingLibrary { library: &'static str, detail: String, hint: &'static str },
    /// Device, context, memory, library or communicator setup failed.
    #[error("rank {rank}: {what}: {message}")]
    Setup { rank: usize, what: String, message: String },
    /// A step failed while being prepared or run.
    #[error("rank {rank}, step {step} ('{op}'): {message}")]
    Step { rank: usize, step: usize, op: String, message: String },
    #[error("kernel compilation failed: {0}")]
    Compile(String),
    #[error("rank {rank}: timed out after {seconds:.0} s: {message}")]
    Timeout { rank: usize, seconds: f64, message: String },
    /// SIGTERM (from a launcher, as another rank failed, or from the job system) stopped the rank
    /// while it waited for `waiting` (to follow "while").
    #[error("rank {rank}: stopped by SIGTERM while {waiting}")]
    Stopped { rank: usize, waiting: String },
    #[error("rank bootstrap over TCP: {0}")]
    Bootstrap(String),
    #[error("invalid plan: {0}")]
    Plan(#[from] PlanError),
    /// The CPU backend (reference check) or the host-side weight and input helpers.
    #[error("{0}")]
    Host(#[from] RuntimeError),
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error("rank {rank} failed: {message}")]
    RankFailed { rank: usize, message: String },
    /// Ctrl-C in a training loop: the ranks stopped together after a step (having saved, when
    /// asked to save).
    #[error("{0}")]
    Interrupted(String),
    #[error("accuracy check failed: {0}")]
    Check(String),
}

impl CudaError {
    pub fn setup(rank: usize, what: impl Into<String>, message: impl std::fmt::Display) -> Self {
        Self::Setup { rank, what: what.into(), message: message.to_string() }
    }

    /// Process exit code: 1 for a failed accuracy check (as the brief of `--check-against-cpu`
    /// asks), 124 for timeouts (as `timeout(1)`), 143 for a stopped rank (as SIGTERM would), 2 for
    /// usage errors, 3 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Check(_) => 1,
            Self::Usage(_) => 2,
            Self::Timeout { .. } => 124,
            Self::Stopped { .. } => super::launch::STOPPED_EXIT,
            Self::Interrupted { .. } => super::launch::INTERRUPTED_EXIT,
            _ => 3,
        }
    }
}
