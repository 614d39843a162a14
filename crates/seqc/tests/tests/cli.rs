//! Bad input never panics: each case exits 1 with a located message, pinned by a snapshot.

use super::{root, seqc, settings};

#[test]
fn failure_cases_give_located_errors() {
    let mut cases: Vec<String> = std::fs::read_dir(root().join("tests/cli"))
        .expect("tests/cli")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with("_failure.mlir"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 5);
    for name in cases {
        let path = format!("tests/cli/{name}");
        let (code, stdout, stderr) = seqc(&["verify", &path]);
        assert_eq!(code, 1, "{path}: exit code\n{stderr}");
        assert!(stdout.is_empty(), "{path}: printed to stdout: {stdout}");
        assert!(stderr.starts_with(&format!("{path}:")), "{path}: message is not located:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{path}: {stderr}");
        settings("cli").bind(|| insta::assert_snapshot!(name.trim_end_matches(".mlir").to_string(), stderr));
    }
}

#[test]
fn missing_file_is_named() {
    let (code, _, stderr) = seqc(&["compile", "tests/cli/does_not_exist.mlir", "--devices", "2"]);
    assert_eq!(code, 1);
    settings("cli").bind(|| insta::assert_snapshot!("missing_file_failure", stderr));
}

#[test]
fn zero_devices_is_a_usage_error() {
    let (code, _, stderr) = seqc(&["compile", "examples/tiny.mlir", "--devices", "0"]);
    assert_eq!(code, 2, "clap's usage-error code");
    settings("cli").bind(|| insta::assert_snapshot!("zero_devices_failure", stderr));
}

#[test]
fn unknown_pass_is_reported() {
    let (code, _, stderr) = seqc(&["opt", "examples/tiny.mlir", "--pass", "seq-no-such-pass"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("unknown pass 'seq-no-such-pass'"), "{stderr}");
}

#[test]
fn compile_splits_the_8b_model_on_one_node() {
    let (code, stdout, stderr) = seqc(&["compile", "examples/llama3-8b.mlir", "--devices", "8"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("8 devices (sequence split, zigzag layout), 32 attention layers, profile h200"), "{stdout}");
    assert_eq!(stdout.matches(" ulysses ").count(), 32, "{stdout}");
}

#[test]
fn compile_writes_outputs_and_dumps() {
    let dir = std::env::temp_dir().join(format!("seqc-cli-{}", std::process::id()));
    let out = dir.join("out");
    let dumps = dir.join("dumps");
    let (code, _, stderr) = seqc(&[
        "compile", "examples/tiny.mlir", "--devices", "2", "--strategy", "ring", "-o", out.to_str().unwrap(), "--dump-ir",
        dumps.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["split"], true);
    assert_eq!(report["layers"][1]["strategy"], "ring");
    let plan = seq_runtime::Plan::read(&out.join("plan.json")).expect("plan reads back");
    assert_eq!(plan.devices, 2);
    assert!(plan.steps.iter().any(|s| s.op == "async_start" && s.attrs.get("collective").and_then(|c| c.as_str()) == Some("seq.collective_permute")));
    let trace: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("trace.json")).unwrap()).unwrap();
    let events = trace["traceEvents"].as_array().unwrap();
    assert!(events.iter().any(|e| e["cat"] == "communication"), "the trace shows transfers");
    let mut names: Vec<String> =
        std::fs::read_dir(&dumps).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names.first().map(String::as_str), Some("00-input.mlir"));
    assert_eq!(names.last().map(String::as_str), Some("09-seq-plan-memory.mlir"));
    // Every dump is itself a valid program.
    for n in names {
        let (code, _, stderr) = seqc(&["verify", dumps.join(n).to_str().unwrap()]);
        assert_eq!(code, 0, "{stderr}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_model_that_does_not_fit_says_what_would() {
    let (code, _, stderr) = seqc(&["compile", "examples/llama3-8b.mlir", "--devices", "2", "--memory-budget", "24"]);
    assert_eq!(code, 1);
    assert!(stderr.starts_with("error: the model does not fit:"), "{stderr}");
    assert!(stderr.contains("hint: it fits on 4 devices") || stderr.contains("hint: it fits on 8 devices"), "{stderr}");
}

#[test]
fn opt_runs_named_passes() {
    let (code, stdout, stderr) = seqc(&["opt", "tests/ir/layer_parse_print.mlir", "--pass", "seq-fuse-swiglu"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains("seq.silu") && !stdout.contains("seq.mul"), "{stdout}");
    assert_eq!(stdout.matches("\"seq.swiglu\"").count(), 2, "{stdout}");
}
