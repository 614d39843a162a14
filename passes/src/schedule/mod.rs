//! Schedule phase: overlap communication with compute, fill the compute stream's waits with work
//! off the critical path, then place every activation in memory.

pub mod bucket_gradients;
pub mod fill_stalls;
pub mod overlap_collectives;
pub mod plan_memory;

pub use bucket_gradients::BucketGradients;
pub use fill_stalls::FillStalls;
pub use overlap_collectives::OverlapCollectives;
pub use plan_memory::PlanMemory;
