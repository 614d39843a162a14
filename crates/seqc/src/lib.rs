//! seqc as a library: read a model, run the pipeline, get the program and its report.
//!
//! ```no_run
//! use seqc::{CompileOptions, Source, compile};
//!
//! let source = Source::File("examples/tiny.mlir".into());
//! let compiled = compile(&source, &CompileOptions { devices: 4, ..Default::default() })?;
//! println!("{}", compiled.report_table());
//! # Ok::<(), seqc::Error>(())
//! ```

mod report;

use seq_frontends::LoadError;
use seq_ir::{Graph, SeqContext};
use seq_passes::{PassError, analysis::ModelSummary, pipeline};
use std::path::PathBuf;

pub use report::Report;

/// Where a model comes from.
#[derive(Clone, Debug)]
pub enum Source {
    File(PathBuf),
    /// In-memory text with the name diagnostics should use for it.
    Text { name: String, text: String },
}

#[derive(Clone, Debug)]
pub struct CompileOptions {
    pub devices: usize,
    pub verify_each: bool,
    pub dump_dir: Option<PathBuf>,
}

impl Default for CompileOptions {
    fn default() -> Self {
        Self { devices: 1, verify_each: true, dump_dir: None }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", .0.render().trim_end())]
    Load(#[from] LoadError),
    #[error("{0}")]
    Pass(#[from] PassError),
    #[error("error: --devices must be at least 1")]
    NoDevices,
    #[error("error: {0}")]
    Context(#[from] seq_ir::ContextError),
}

/// The result of compiling one model.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub program: Graph,
    pub summary: ModelSummary,
    pub devices: usize,
}

/// Reads a model from `source` with a fresh MLIR context.
pub fn load(source: &Source) -> Result<Graph, Error> {
    let ctx = SeqContext::new()?;
    Ok(match source {
        Source::File(path) => seq_frontends::load_mlir_file(&ctx, path)?,
        Source::Text { name, text } => seq_frontends::load_mlir_source(&ctx, text, name)?,
    })
}

/// Reads, verifies and compiles a model for `opts.devices` devices.
pub fn compile(source: &Source, opts: &CompileOptions) -> Result<Compiled, Error> {
    if opts.devices == 0 {
        return Err(Error::NoDevices);
    }
    let mut program = load(source)?;
    let popts = pipeline::PipelineOptions { verify_each: opts.verify_each, dump_dir: opts.dump_dir.clone() };
    pipeline::run(&mut program, &pipeline::import_passes(), &popts)?;
    let summary = ModelSummary::of(&program);
    Ok(Compiled { program, summary, devices: opts.devices })
}

impl Compiled {
    pub fn report(&self) -> Report {
        Report::new(self)
    }

    pub fn report_table(&self) -> String {
        self.report().table()
    }
}
