//! seq-plan: what the compiler and the runtimes share, with neither MLIR nor CUDA.
//! - `ops`, `types`, `attr`: the `seq` dialect's op kinds, value types and attribute values;
//! - `rules`: the op table (operands, attributes, result-shape rules, legality), read by the
//!   verifier, the typed builders and both backends' plan loaders; `attrs`: its attribute reader;
//! - `plan`: the serde plan format the runtimes execute, with shard layouts;
//! - `relerr`: the accuracy measure of every comparison.

pub mod attr;
pub mod attrs;
pub mod ops;
pub mod plan;
pub mod relerr;
pub mod rules;
pub mod types;

pub use attr::Attr;
pub use attrs::{AttrRef, AttrSource, Attrs};
pub use ops::{OpClass, OpKind};
pub use plan::{
    AttrValue, LOSS, MemoryPlan, MeshAxis, OUTPUT, OwnedOutput, PLAN_VERSION, Plan, PlanError, ShardSpec, ShardedIo, Step,
    StepKind, ValueDesc,
};
pub use types::{DType, TensorType, Type};
