//! seq-runtime: executes `plan.json`. It never links MLIR, so GPU machines get a small binary.

pub mod cpu;
pub mod inputs;
pub mod cuda;
pub mod plan;
pub mod shards;

pub use plan::{AttrValue, MemoryPlan, MeshAxis, Plan, PlanError, ShardedIo, Step, ValueDesc, PLAN_VERSION};
