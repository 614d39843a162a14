//! Located diagnostics, rendered like MLIR's: `file:line:col: error: message`, then the source
//! line and a caret. Both MLIR's own diagnostics and seqc's verifier produce these.

use std::fmt::{self, Write as _};

/// A position in a named source file (1-based line and column, as MLIR counts them).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    pub file: String,
    pub line: u32,
    pub col: u32,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Note,
    Remark,
}

impl Severity {
    fn label(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Note => "note",
            Self::Remark => "remark",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub loc: Option<Loc>,
    pub message: String,
    pub notes: Vec<Diagnostic>,
}

impl Diagnostic {
    pub fn error(loc: Option<Loc>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Error, loc, message: message.into(), notes: Vec::new() }
    }

    pub fn with_note(mut self, loc: Option<Loc>, message: impl Into<String>) -> Self {
        self.notes.push(Self { severity: Severity::Note, loc, message: message.into(), notes: Vec::new() });
        self
    }

    /// Renders with the offending source line and a caret when `source` is the located file's text.
    pub fn render(&self, source: Option<(&str, &str)>) -> String {
        let mut out = String::new();
        self.render_into(&mut out, source);
        out
    }

    fn render_into(&self, out: &mut String, source: Option<(&str, &str)>) {
        match &self.loc {
            // MLIR reports whole-file problems at line 0.
            Some(loc) if loc.line == 0 => {
                let _ = writeln!(out, "{}: {}: {}", loc.file, self.severity.label(), self.message);
            }
            Some(loc) => {
                let _ = writeln!(out, "{loc}: {}: {}", self.severity.label(), self.message);
                if let Some((name, text)) = source
                    && name == loc.file
                    && let Some(line) = text.lines().nth(loc.line.saturating_sub(1) as usize)
                {
                    let _ = writeln!(out, "{line}");
                    let pad: String = line
                        .chars()
                        .take(loc.col.saturating_sub(1) as usize)
                        .map(|c| if c == '\t' { '\t' } else { ' ' })
                        .collect();
                    let _ = writeln!(out, "{pad}^");
                }
            }
            None => {
                let _ = writeln!(out, "{}: {}", self.severity.label(), self.message);
            }
        }
        for note in &self.notes {
            note.render_into(out, source);
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render(None).trim_end())
    }
}

/// A batch of diagnostics with the source they point into, so they can be rendered with snippets.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostics {
    pub file: String,
    pub source: String,
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn render(&self) -> String {
        self.items.iter().map(|d| d.render(Some((&self.file, &self.source)))).collect()
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render().trim_end())
    }
}

impl std::error::Error for Diagnostics {}
