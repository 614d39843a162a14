mod builder;
mod dialect;
mod parse_print;
mod verification;

use std::path::{Path, PathBuf};

/// The workspace root: test data lives in its `tests/` folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// Files under `tests/<dir>` whose names end with `suffix`, sorted, as workspace-relative paths.
pub fn cases(dir: &str, suffix: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join("tests").join(dir))
        .expect("test folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(suffix))
        .map(|n| format!("tests/{dir}/{n}"))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no *{suffix} cases in tests/{dir}");
    out
}

pub fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).expect("test input")
}

/// Snapshots of workspace test data sit beside it, in `tests/<dir>/snapshots`.
pub fn settings(dir: &str) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(root().join("tests").join(dir).join("snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}
