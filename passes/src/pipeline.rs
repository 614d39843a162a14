//! Runs passes in order, optionally verifying after each and dumping numbered IR between them
//! (`00-input.mlir`, `01-seq-fuse-swiglu.mlir`, ...) for debugging.

use crate::{Pass, PassError, registry};
use seq_ir::{Graph, PrintOptions, print_graph, verify::verify};
use std::path::PathBuf;

#[derive(Clone, Debug, Default)]
pub struct PipelineOptions {
    /// Run the verifier after every pass (on by default in the CLI; cheap next to compiling).
    pub verify_each: bool,
    /// Write the IR before the first pass and after each one into this folder.
    pub dump_dir: Option<PathBuf>,
}

/// The whole pipeline, in order; `seq-autodiff` and `seq-recompute` only for a training step
/// (`Config::train`).
pub fn passes(config: &crate::config::Config) -> Vec<Box<dyn Pass>> {
    registry::all(config).into_iter().filter(|p| config.train || !matches!(p.name(), "seq-autodiff" | "seq-recompute")).collect()
}

pub fn run(graph: &mut Graph, passes: &[Box<dyn Pass>], opts: &PipelineOptions) -> Result<(), PassError> {
    let dump = |index: usize, name: &str, g: &Graph| -> Result<(), PassError> {
        let Some(dir) = &opts.dump_dir else { return Ok(()) };
        let path = dir.join(format!("{index:02}-{name}.mlir"));
        let err = |e: std::io::Error| PassError::Dump { path: path.display().to_string(), reason: e.to_string() };
        std::fs::create_dir_all(dir).map_err(err)?;
        std::fs::write(&path, print_graph(&g.compact(), PrintOptions { locations: true })).map_err(err)
    };
    dump(0, "input", graph)?;
    for (i, pass) in passes.iter().enumerate() {
        pass.run(graph)?;
        if opts.verify_each {
            let diagnostics = verify(graph);
            if !diagnostics.is_empty() {
                return Err(PassError::Invalid { pass: pass.name(), diagnostics });
            }
        }
        dump(i + 1, pass.name(), graph)?;
    }
    *graph = graph.compact();
    Ok(())
}
