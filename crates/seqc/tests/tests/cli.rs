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
    assert!(plan.steps.iter().any(|s| s.op == "async_start" && s.attrs().str("collective").ok() == Some("seq.collective_permute")));
    let trace: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("trace.json")).unwrap()).unwrap();
    let events = trace["traceEvents"].as_array().unwrap();
    assert!(events.iter().any(|e| e["cat"] == "communication"), "the trace shows transfers");
    let mut names: Vec<String> =
        std::fs::read_dir(&dumps).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names.first().map(String::as_str), Some("00-input.mlir"));
    assert_eq!(names.last().map(String::as_str), Some("11-seq-plan-memory.mlir"));
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

/// `seqc calibrate --from`: the measured figures land in the profile, the rest comes from the
/// base, and the compiler prices with the new figures.
#[test]
fn calibrate_writes_a_profile_the_compiler_uses() {
    use seq_passes::strategy::cost_model::Profile;
    use seq_runtime::cuda::calibrate::{AttentionPoint, Calibration, LinkFit, Links};
    let dir = std::env::temp_dir().join(format!("seqc-calibrate-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let fit = |alpha_us: f64, bus_gbs: f64| LinkFit { alpha_us, bus_gbs, points: [(0.0, 0.0); 2] };
    let point = |keys: usize, tflops: f64| AttentionPoint { keys, tflops, ms: 1.0 };
    let slow = Calibration {
        gpu: "Test GPU".into(),
        devices: 2,
        memory_gib: 80.0,
        gemm_tflops: 100.0,
        attention: vec![point(131072, 40.0), point(8192, 60.0), point(32768, 50.0)],
        memory_gbs: 1000.0,
        kernel_launch_us: 7.0,
        links: Some(Links { all_to_all: fit(30.0, 50.0), all_gather: fit(20.0, 60.0), send_recv: fit(10.0, 40.0) }),
        versions: "cuDNN 91400, NCCL 22803".into(),
    };
    let measured = dir.join("m.json");
    std::fs::write(&measured, serde_json::to_string(&slow).expect("json")).expect("write");
    let out = dir.join("slow.json");
    let (m, o) = (measured.to_str().expect("utf-8"), out.to_str().expect("utf-8"));
    let (code, stdout, stderr) = seqc(&["calibrate", "--from", m, "-o", o, "--base", "h200"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("use it with --profile"), "{stdout}");
    let p = Profile::load(o).expect("a valid profile");
    let base = Profile::h200();
    assert_eq!((p.name.as_str(), p.gemm_tflops, p.memory_gbs, p.memory_gib), ("slow", 100.0, 1000.0, 80.0));
    // Sorted by length; the single figure is the one at 32K; the curve interpolates in log(keys).
    assert_eq!(p.attention_curve, vec![[8192.0, 60.0], [32768.0, 50.0], [131072.0, 40.0]]);
    assert_eq!(p.attention_tflops, 50.0);
    assert!((p.attention_rate(65536) - 45.0).abs() < 1e-9 && p.attention_rate(1 << 20) == 40.0);
    assert_eq!((p.intra_node.all_gather.alpha_us, p.intra_node.all_gather.bus_gbs), (20.0, 60.0));
    assert_eq!(p.inter_node, base.inter_node, "links between nodes are not measured on one machine");
    assert!(p.description.contains("Test GPU") && p.description.contains("inter-node links from the 'h200'"));
    // A slower machine predicts a slower step.
    let predicted = |profile: &str| -> f64 {
        let (code, json, err) =
            seqc(&["compile", "examples/bench/llama3-8b-layer-32k.mlir", "--devices", "2", "--profile", profile, "--emit", "json"]);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&json).expect("report")["predicted_step_ms"].as_f64().expect("ms")
    };
    assert!(predicted(o) > 3.0 * predicted("h200"), "{} vs {}", predicted(o), predicted("h200"));
    // A hand-edited curve out of order is refused with the entry named.
    let mut bad = serde_json::to_value(&p).expect("json");
    bad["attention_curve"] = serde_json::json!([[32768.0, 50.0], [8192.0, 60.0]]);
    let bad_path = dir.join("bad.json");
    std::fs::write(&bad_path, bad.to_string()).expect("write");
    let (code, _, stderr) = seqc(&["compile", "examples/tiny.mlir", "--devices", "2", "--profile", bad_path.to_str().expect("utf-8")]);
    assert!(code != 0 && stderr.contains("attention_curve must list increasing token counts; entry 1"), "{stderr}");
    // Not a measurement file: a clear error.
    let (code, _, stderr) = seqc(&["calibrate", "--from", "examples/tiny.mlir", "-o", o]);
    assert!(code != 0 && stderr.contains("is not a seqc-run --calibrate file"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every command's --help works (clap checks the argument definitions when a command parses),
/// and GPU-only run options are refused on the CPU backend with a reason.
#[test]
fn every_command_explains_itself() {
    for cmd in ["compile", "run", "import", "verify", "opt", "calibrate"] {
        let (code, stdout, stderr) = seqc(&[cmd, "--help"]);
        assert_eq!(code, 0, "{cmd} --help: {stderr}");
        assert!(stdout.contains("Usage: seqc"), "{cmd}: {stdout}");
    }
    let (code, _, stderr) = seqc(&["run", "examples/tiny.mlir", "--devices", "2", "--gpu-profile"]);
    assert!(code != 0 && stderr.contains("use them with --backend cuda"), "{stderr}");
}

/// `seqc run --backend cuda` compiles, then hands the plan and the run options to seqc-run
/// (here a shell script named by SEQC_RUN that records what it got), and reports its failure.
#[test]
fn cuda_runs_go_through_seqc_run() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("seqc-cuda-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let stub = dir.join("seqc-run");
    let log = dir.join("args.txt");
    // Records its arguments and whether the plan it was given is a plan; exits with STUB_EXIT.
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > {log}\ngrep -q '\"steps\"' \"$1\" && echo plan-ok >> {log}\nexit ${{STUB_EXIT:-0}}\n",
        log = log.display()
    );
    std::fs::write(&stub, script).expect("stub");
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let run = |exit: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_seqc"))
            .args(["run", "examples/tiny.mlir", "--backend", "cuda", "--devices", "2", "--check", "--iters", "3", "--gpu-profile"])
            .current_dir(super::root())
            .env("SEQC_RUN", &stub)
            .env("STUB_EXIT", exit)
            .output()
            .expect("run seqc");
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, stderr) = run("0");
    assert_eq!(code, Some(0), "{stderr}");
    let got = std::fs::read_to_string(&log).expect("the stub ran");
    let lines: Vec<&str> = got.lines().collect();
    assert!(lines[0].ends_with(".json") && lines.contains(&"plan-ok"), "{got}");
    for want in [["--nproc", "2"], ["--iters", "3"]] {
        assert!(lines.windows(2).any(|w| w == want), "{want:?} in {got}");
    }
    assert!(lines.contains(&"--check-against-cpu") && lines.contains(&"--profile"), "{got}");
    assert!(!std::path::Path::new(lines[0]).exists(), "the temporary plan is removed: {got}");
    // seqc-run's failure is seqc's.
    let (code, stderr) = run("3");
    assert!(code != Some(0) && stderr.contains("seqc-run failed"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_reads_as_text_and_the_input_sets_the_length() {
    let (code, out, _) = seqc(&["--help"]);
    assert_eq!(code, 0);
    assert!(!out.contains("\\n") && !out.contains(" \\\n"), "escape sequences in --help:\n{out}");
    assert!(out.contains("seqc train"), "{out}");
    let (_, out, _) = seqc(&["compile", "--help"]);
    assert!(out.contains("an ONNX export (.onnx), a Hugging Face config.json") && out.contains("model folder"), "{out}");
    // A config.json model is built for the length of --input when --seq-len is not given.
    let models = root().join("../shared/models");
    if models.exists() {
        let (config, ids) = (models.join("llama-eager/config.json"), models.join("input_ids.npy"));
        let (code, out, err) =
            seqc(&["run", config.to_str().expect("utf-8"), "--devices", "1", "--input", ids.to_str().expect("utf-8")]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("output [48, 256]"), "{out}");
    }
}

#[test]
fn nodes_alone_spread_the_devices_evenly() {
    // 8 devices on 2 nodes: 4 per node (the profile's 8 per node would not add up).
    let (code, out, err) = seqc(&["compile", "examples/llama3-8b.mlir", "--devices", "8", "--nodes", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("8 devices"), "{out}");
    let (code, _, err) = seqc(&["compile", "examples/llama3-8b.mlir", "--devices", "8", "--nodes", "3"]);
    assert_ne!(code, 0);
    assert!(err.contains("do not spread evenly over --nodes 3"), "{err}");
}

/// `--dtype` builds a Hugging Face config in the type asked for (the plan's activations and
/// parameters carry it), and is refused, naming the file, where the model's types are written in it.
#[test]
fn dtype_sets_a_config_models_type() {
    let dir = std::env::temp_dir().join(format!("seqc-dtype-{}", std::process::id()));
    let out = dir.display().to_string();
    for (dtype, want) in [("bf16", "bf16"), ("f32", "f32")] {
        let (code, _, stderr) =
            seqc(&["compile", "tests/hf/mistral.json", "--seq-len", "32", "--devices", "1", "--dtype", dtype, "-o", &out]);
        assert_eq!(code, 0, "{stderr}");
        let plan = seq_runtime::Plan::read(&dir.join("plan.json")).expect("plan");
        let params: Vec<&str> = plan.steps.iter().filter(|s| s.op == "param").map(|s| plan.values[s.results[0] as usize].dtype.as_str()).collect();
        assert!(!params.is_empty() && params.iter().all(|&d| d == want), "--dtype {dtype}: parameters {params:?}");
    }
    let (code, _, stderr) = seqc(&["compile", "examples/tiny.mlir", "--devices", "1", "--dtype", "bf16", "-o", &out]);
    assert_eq!(code, 1);
    assert!(stderr.contains("--dtype bf16") && stderr.contains("examples/tiny.mlir"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `seqc import config.json --weights ckpt` writes the checkpoint in the program's own layout
/// (GPT-2's fused `c_attn` and `Conv1D` projections cut and transposed), which a plan run loads
/// by name without the frontend: the step's loss is PyTorch's. Skipped without ../shared/models.
#[test]
fn import_writes_a_checkpoint_in_the_programs_layout() {
    let dir = super::root().join("../shared/models/gpt2-sdpa");
    if !dir.join("weights.safetensors").exists() {
        println!("skipped: ../shared/models is not present");
        return;
    }
    let out = std::env::temp_dir().join(format!("seqc-import-weights-{}", std::process::id()));
    let (config, ckpt) = (dir.join("config.json"), dir.join("weights.safetensors"));
    let args = ["import", config.to_str().expect("path"), "--seq-len", "48", "--weights", ckpt.to_str().expect("path"), "-o"];
    let (code, stdout, stderr) = seqc(&[&args[..], &[out.to_str().expect("path")]].concat());
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("in the program's layout"), "{stdout}");
    let g = seqc::load_file(&config, Some(48)).expect("config");
    let c = seqc::compile_graph(g, &seqc::CompileOptions { devices: 1, train: true, ..Default::default() }).expect("compiles");
    let ids = seq_runtime::cpu::read_input(&super::root().join("../shared/models/input_ids.npy")).expect("ids");
    let inputs = seqc::run::make_train_inputs(&c.plan, &seqc::run::RunInputs { ids: Some(ids), ..Default::default() }).expect("inputs");
    let weights = seq_runtime::cpu::WeightSource::safetensors(&out.join("weights.safetensors")).expect("weights");
    let opts = seq_runtime::cpu::RunOptions { precision: seq_runtime::cpu::Precision::F64, timeout: std::time::Duration::from_secs(30) };
    let step = seqc::run::train_step(&c.plan, &inputs, &weights, &opts).expect("step");
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("train_ref.json")).expect("ref")).expect("json");
    let want = reference["loss"].as_f64().expect("loss");
    assert!((step.loss - want).abs() / want < 1e-5, "loss {} vs PyTorch's {want}", step.loss);
    let _ = std::fs::remove_dir_all(&out);
}
