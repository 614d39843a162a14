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
    /// A training step over the memory budget with every recomputation tried: its predicted
    /// peak (weights + arena) per device, its weights, the budget, and the least any plan needs.
    #[error(
        "{pass}: the training step's predicted peak is {} per device ({} weights + {} activations), over the memory \
         budget of {}; recomputing activations brings it down to {} at best: a budget of at least {} fits (or use more \
         devices)",
        human_bytes(*.peak), human_bytes(*.params), human_bytes(.peak.saturating_sub(*.params)), human_bytes(*.budget),
        human_bytes(*.smallest), human_bytes(*.smallest)
    )]
    OverBudget { pass: &'static str, peak: u64, params: u64, budget: u64, smallest: u64 },
    #[error("unknown pass '{0}' (run `seqc opt --list-passes` to see them)")]
    Unknown(String),
    #[error("cannot write IR dump '{path}': {reason}")]
    Dump { path: String, reason: String },
}

/// Bytes for people: `1.50 GiB (1610612736 bytes)`.
pub fn human_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    let unit = [(1u64 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")].into_iter().find(|(u, _)| bytes >= *u);
    match unit {
        Some((u, name)) => format!("{:.2} {name} ({bytes} bytes)", b / u as f64),
        None => format!("{bytes} bytes"),
    }
}

fn render(d: &[Diagnostic]) -> String {
    d.iter().map(|d| d.render(None)).collect()
}
