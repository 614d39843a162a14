//! seq-ir: the `seq` dialect's in-memory program, its MLIR reader and printer, typed op builders,
//! shape inference and verification, and located diagnostics.

// The op kinds, value types, attributes and the op table live in seq-plan, which the runtimes
// share without MLIR; these paths keep `seq_ir::types::DType` and friends working.
pub use seq_plan::{attr, ops, rules, types};
pub mod builder;
pub mod context;
pub mod diag;
pub mod graph;
pub mod print;
pub mod verify;

pub use attr::Attr;
pub use builder::{AttentionConfig, BuildError, Builder};
pub use context::{ContextError, SEQ_IRDL, SeqContext};
pub use diag::{Diagnostic, Diagnostics, Loc, Severity};
pub use graph::{Def, Graph, Op, OpId, ValueId};
pub use ops::{OpClass, OpKind};
pub use print::{PrintOptions, print_graph};
pub use types::{DType, TensorType, Type};
