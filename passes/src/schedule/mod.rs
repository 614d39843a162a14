//! Schedule phase: overlap communication with compute, then place every activation in memory.

pub mod bucket_gradients;
pub mod overlap_collectives;
pub mod plan_memory;

pub use bucket_gradients::BucketGradients;
pub use overlap_collectives::OverlapCollectives;
pub use plan_memory::PlanMemory;
