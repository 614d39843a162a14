//! One folder per pass under `tests/passes/<pass_file_name>/`: each `.mlir` input is run through
//! that pass alone, the result must verify, and the printed IR is pinned by a snapshot.

use seq_ir::{PrintOptions, SeqContext, print_graph, verify::verify};
use seq_passes::{
    config::{Config, StrategyRequest},
    registry,
    strategy::cost_model::{Profile, Target},
};
use std::path::{Path, PathBuf};

mod analysis;
mod egraph;
mod fill_stalls;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().expect("workspace root")
}

/// `seq-fuse-swiglu` → `fuse_swiglu`: the pass's file and test-folder name.
fn folder_of(flag: &str) -> String {
    flag.trim_start_matches("seq-").replace('-', "_")
}

/// An input's first line may set the target and passes to run first:
/// `// seqc-test: devices=4 strategy=ring before=seq-choose-strategy,seq-shard-sequence`
/// (and `sharded_io=true` for `--sharded-io`, `budget=BYTES` for `--memory-budget`,
/// `grad_reduce=all-reduce` for `--grad-reduce all-reduce`).
struct Header {
    config: Config,
    before: Vec<String>,
    /// Read the program from this workspace file instead (the input holds only the header).
    from: Option<String>,
}

fn header(text: &str) -> Header {
    let mut devices = 1;
    let mut strategy = StrategyRequest::Auto;
    let mut before = Vec::new();
    let mut from = None;
    let mut sharded_io = false;
    let mut budget = None;
    let mut all_reduce = false;
    if let Some(line) = text.lines().next().and_then(|l| l.strip_prefix("// seqc-test:")) {
        for item in line.split_whitespace() {
            match item.split_once('=') {
                Some(("devices", v)) => devices = v.parse().expect("devices"),
                Some(("strategy", v)) => strategy = StrategyRequest::parse(v).expect("strategy"),
                Some(("before", v)) => before = v.split(',').map(String::from).collect(),
                Some(("from", v)) => from = Some(v.to_string()),
                Some(("sharded_io", v)) => sharded_io = v.parse().expect("sharded_io"),
                Some(("budget", v)) => budget = Some(v.parse().expect("budget in bytes")),
                Some(("grad_reduce", "all-reduce")) => all_reduce = true,
                _ => panic!("unknown seqc-test item '{item}'"),
            }
        }
    }
    let mut config = Config::new(Target::new(devices, Profile::h200()));
    if let Some(b) = budget {
        config.target.memory_budget = b;
    }
    config.strategy = strategy;
    config.sharded_io = sharded_io;
    if all_reduce {
        config.grad_reduce = seq_passes::config::GradReduce::AllReduce;
    }
    Header { config, before, from }
}

fn default_config() -> Config {
    Config::new(Target::new(1, Profile::h200()))
}

#[test]
fn every_pass_has_a_source_file_and_test_folder() {
    for pass in registry::all(&default_config()) {
        let folder = folder_of(pass.name());
        let dir = root().join("tests/passes").join(&folder);
        let inputs = std::fs::read_dir(&dir).map(|d| d.filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "mlir"))).count());
        assert!(inputs.unwrap_or(0) > 0, "{}: no inputs in {}", pass.name(), dir.display());
        let sources = glob_pass_file(&folder);
        assert_eq!(sources.len(), 1, "{}: expected exactly one passes/src/<phase>/{folder}.rs, found {sources:?}", pass.name());
    }
}

fn glob_pass_file(stem: &str) -> Vec<PathBuf> {
    let src = root().join("passes/src");
    std::fs::read_dir(&src)
        .expect("passes/src")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.path().join(format!("{stem}.rs")))
        .filter(|p| p.exists())
        .collect()
}

#[test]
fn pass_snapshots() {
    let ctx = SeqContext::new().expect("context");
    for pass in registry::all(&default_config()) {
        let folder = folder_of(pass.name());
        let dir = root().join("tests/passes").join(&folder);
        let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("test folder")
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "mlir"))
            .collect();
        inputs.sort();
        for input in inputs {
            let rel = input.strip_prefix(root()).expect("inside root").display().to_string();
            let text = std::fs::read_to_string(&input).expect("read");
            let h = header(&text);
            let (text, rel) = match &h.from {
                Some(f) => (std::fs::read_to_string(root().join(f)).expect("from= file"), f.clone()),
                None => (text, rel),
            };
            let mut g = ctx.load(&text, &rel).unwrap_or_else(|d| panic!("{}", d.render()));
            for name in &h.before {
                let p = registry::lookup(name, &h.config).unwrap_or_else(|e| panic!("{rel}: {e}"));
                p.run(&mut g).unwrap_or_else(|e| panic!("{rel}: {name}: {e}"));
            }
            let pass = registry::lookup(pass.name(), &h.config).expect("registered");
            pass.run(&mut g).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let problems = verify(&g);
            assert!(problems.is_empty(), "{rel}: {} left an invalid program: {problems:?}", pass.name());
            let printed = print_graph(&g.compact(), PrintOptions::default());
            let mut s = insta::Settings::clone_current();
            s.set_snapshot_path(dir.join("snapshots"));
            s.set_prepend_module_to_snapshot(false);
            s.set_input_file(&input);
            let name = input.file_stem().unwrap().to_string_lossy().into_owned();
            s.bind(|| insta::assert_snapshot!(name, printed));
        }
    }
}
