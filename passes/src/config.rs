//! What a compile is asked to do: the target, and which strategy to use.

use crate::strategy::cost_model::Target;
use std::fmt;

/// How one attention layer is split across devices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Strategy {
    /// No split: every rank computes the whole attention (over gathered q, k, v).
    Replicate,
    /// All-to-all from sequence-sharded to head-sharded, local attention, all-to-all back.
    Ulysses,
    /// K/V blocks rotate around the ranks; partial results merge by log-sum-exp.
    Ring,
    /// Gather K and V (small under GQA), attend with the local queries.
    AllGatherKv,
    /// A causal sliding window: only the keys the window reaches across a shard boundary move
    /// (the last window − 1 key rows of the chunks before each rank's own; whole chunks where the
    /// window is longer than a chunk: `partition::lowering`'s `halo`).
    Halo,
    /// Ulysses inside groups of `ulysses` ranks, ring across `ring` such groups.
    Hybrid { ulysses: usize, ring: usize },
}

impl Strategy {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Replicate => "replicate",
            Self::Ulysses => "ulysses",
            Self::Ring => "ring",
            Self::AllGatherKv => "allgather-kv",
            Self::Halo => "halo",
            Self::Hybrid { .. } => "hybrid",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hybrid { ulysses, ring } => write!(f, "hybrid({ulysses}x{ring})"),
            s => f.write_str(s.name()),
        }
    }
}

/// `--strategy`: auto, or one strategy forced on every layer where it is legal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategyRequest {
    Auto,
    Replicate,
    Ulysses,
    Ring,
    AllGatherKv,
    Halo,
    Hybrid,
}

impl StrategyRequest {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "auto" => Self::Auto,
            "replicate" => Self::Replicate,
            "ulysses" => Self::Ulysses,
            "ring" => Self::Ring,
            "allgather-kv" => Self::AllGatherKv,
            "halo" => Self::Halo,
            "hybrid" => Self::Hybrid,
            _ => return None,
        })
    }
}

/// Which chooser picks strategies: the e-graph, or the naive per-layer reference beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chooser {
    EGraph,
    Naive,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub target: Target,
    pub strategy: StrategyRequest,
    pub chooser: Chooser,
    /// Each rank's program takes and returns its own rows of the sequence (no `shard` of the
    /// arguments, no `unshard` of the results): for callers that already hold the sequence split,
    /// as a training loop does between layers.
    pub sharded_io: bool,
    /// Ulysses layers move their heads in this many groups, each group's all-to-alls overlapping
    /// the previous group's attention (1: one all-to-all per tensor).
    pub head_groups: usize,
    /// Compile a training step (`seq-autodiff` after partitioning): loss and weight gradients, or
    /// the vector-Jacobian product of a program whose result is not logits.
    pub train: bool,
    /// How a training step sums weight gradients over the devices.
    pub grad_reduce: GradReduce,
    /// All-reduced weight gradients travel in buckets of at most this many bytes
    /// (`seq-bucket-gradients`; 0: one collective each).
    pub grad_bucket_bytes: u64,
    /// The backward of ring layers: as their forward, or Ulysses (all-to-all of dO, O, LSE, q,
    /// k, v; one attention backward per head group; all-to-all of dq, dk, dv back).
    pub backward: BackwardStrategy,
    /// Under a memory budget, offload activations to host memory where the host link hides the
    /// copies (`seq-recompute`'s third choice; CPU backend only for now).
    pub offload: bool,
}

/// How ring layers run their backward.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BackwardStrategy {
    /// The cheaper of the two for each layer, by the cost model (priced with the forward).
    #[default]
    Auto,
    /// The transpose of the forward (dK/dV travel back around the ring).
    AsForward,
    /// Ulysses where the heads divide over the devices (else as the forward).
    Ulysses,
}

/// How weight gradients (each rank's partial sum over its tokens) are summed over the devices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GradReduce {
    /// Reduce-scatter: each rank owns 1/N of every gradient's rows (ZeRO-2), half the traffic of
    /// an all-reduce, for an optimizer that updates only what its rank owns.
    #[default]
    ReduceScatter,
    /// All-reduce: every rank holds every whole gradient.
    AllReduce,
}

impl GradReduce {
    pub fn name(self) -> &'static str {
        match self {
            Self::ReduceScatter => "reduce-scatter",
            Self::AllReduce => "all-reduce",
        }
    }
}

impl Config {
    pub fn new(target: Target) -> Self {
        Self {
            target,
            strategy: StrategyRequest::Auto,
            chooser: Chooser::EGraph,
            sharded_io: false,
            head_groups: 1,
            train: false,
            grad_reduce: GradReduce::default(),
            grad_bucket_bytes: crate::schedule::bucket_gradients::DEFAULT_BUCKET_BYTES,
            backward: BackwardStrategy::default(),
            offload: false,
        }
    }
}
