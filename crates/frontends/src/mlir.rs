//! The `.mlir` frontend: a seq program written by hand or by another tool.

use seq_ir::{Diagnostic, Diagnostics, Graph, SeqContext};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("error: cannot read '{path}': {reason}")]
    Read { path: String, reason: String },
    #[error("{0}")]
    Invalid(Diagnostics),
}

impl LoadError {
    /// The diagnostics, rendered with source lines, for printing to a terminal.
    pub fn render(&self) -> String {
        match self {
            Self::Invalid(d) => d.render(),
            other => format!("{other}\n"),
        }
    }
}

/// Reads, parses and verifies a seq program. Locations in diagnostics use `path` as written.
pub fn load_mlir_file(ctx: &SeqContext, path: &Path) -> Result<Graph, LoadError> {
    let shown = path.display().to_string();
    let source = std::fs::read(path).map_err(|e| LoadError::Read {
        path: shown.clone(),
        reason: match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            _ => e.to_string(),
        },
    })?;
    let source = String::from_utf8(source).map_err(|e| {
        let (line, col) = line_col(&e.as_bytes()[..e.utf8_error().valid_up_to()]);
        LoadError::Invalid(Diagnostics {
            file: shown.clone(),
            source: String::new(),
            items: vec![Diagnostic::error(
                Some(seq_ir::Loc { file: shown.clone(), line, col }),
                "file is not valid UTF-8 text (MLIR bytecode is not accepted; pass the textual form)",
            )],
        })
    })?;
    load_mlir_source(ctx, &source, &shown)
}

pub fn load_mlir_source(ctx: &SeqContext, source: &str, name: &str) -> Result<Graph, LoadError> {
    ctx.load(source, name).map_err(LoadError::Invalid)
}

fn line_col(prefix: &[u8]) -> (u32, u32) {
    let line = prefix.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let col = prefix.iter().rev().take_while(|&&b| b != b'\n').count() as u32 + 1;
    (line, col)
}
