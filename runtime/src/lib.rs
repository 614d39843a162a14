//! seq-runtime: executes `plan.json`. It never links MLIR, so GPU machines get a small binary.

pub mod cpu;
pub mod cuda;
pub mod inputs;
pub mod shards;
pub mod train;

// The plan format and the op table are seq-plan's, shared with the compiler.
pub use plan::{AttrValue, MemoryPlan, MeshAxis, PLAN_VERSION, Plan, PlanError, ShardedIo, Step, ValueDesc};
pub use seq_plan::{self, plan, relerr, rules};
