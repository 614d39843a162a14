//! Partition phase: shard the sequence, lower each attention layer to its strategy, and remove
//! the redundancy that leaves.

pub mod autodiff;
pub mod cse;
pub mod lower_attention;
pub mod lowering;
pub mod recompute;
pub mod shard_sequence;
pub mod simplify_collectives;

pub use autodiff::Autodiff;
pub use cse::Cse;
pub use lower_attention::LowerAttention;
pub use recompute::Recompute;
pub use shard_sequence::ShardSequence;
pub use simplify_collectives::SimplifyCollectives;
