mod chooser;
mod cli;
mod examples;
mod decisions;
mod equivalence;
mod hf;
mod library;
mod lowering;
mod onnx;
mod simplify;
mod split_plan;

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// Runs the seqc binary from the workspace root, so paths in messages are workspace-relative.
pub fn seqc(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_seqc")).args(args).current_dir(root()).output().expect("run seqc");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn settings(dir: &str) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(root().join("tests").join(dir).join("snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}
mod recompute;
mod train;
mod vjp;
mod fuzz_onnx;
mod fuzz_mlir;
mod fuzz;
