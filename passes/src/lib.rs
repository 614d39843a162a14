//! seqc's passes. One pass per file, grouped by pipeline phase; the flag, the file, the struct
//! and the test folder share one name (`seq-fuse-swiglu` ↔ `import/fuse_swiglu.rs` ↔
//! `FuseSwiglu` ↔ `tests/passes/fuse_swiglu/`).

pub mod analysis;
pub mod config;
pub mod export;
pub mod import;
pub mod partition;
pub mod pipeline;
pub mod registry;
pub mod schedule;
pub mod simulate;
pub mod strategy;

use seq_ir::{Diagnostic, Graph};

/// What every pass is.
pub trait Pass {
    /// The flag name, `seq-...`.
    fn name(&self) -> &'static str;
    /// One line for `seqc opt --list-passes` and the docs.
    fn summary(&self) -> &'static str;
    fn run(&self, graph: &mut Graph) -> Result<(), PassError>;
}

#[derive(Debug, thiserror::Error)]
pub enum PassError {
    /// A pass left the program ill-typed: a bug in seqc, reported with what broke.
    #[error("pass '{pass}' produced an invalid program:\n{}", render(.diagnostics))]
    Invalid { pass: &'static str, diagnostics: Vec<Diagnostic> },
    /// The program is not in the state this pass needs, or cannot be compiled as asked.
    #[error("{pass}: {message}")]
    Precondition { pass: &'static str, message: String },
    #[error("unknown pass '{0}' (run `seqc opt --list-passes` to see them)")]
    Unknown(String),
    #[error("cannot write IR dump '{path}': {reason}")]
    Dump { path: String, reason: String },
}

fn render(d: &[Diagnostic]) -> String {
    d.iter().map(|d| d.render(None)).collect()
}
