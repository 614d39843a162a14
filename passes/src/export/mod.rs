//! Export phase: what leaves the compiler — the runtime's plan, the predicted trace, the report.

pub mod plan;
pub mod report;
pub mod trace;
