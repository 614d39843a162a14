//! Every export in ../shared/models (llama and gpt2; opset 18 and 23; eager and sdpa): the
//! imported IR is pinned, and the imported model reproduces the exporter's logits (max relative
//! error <= 1e-4 in f32), unsplit and split over 2 and 4 CPU ranks. Skipped, with a printed
//! reason, when ../shared/models is absent.

use super::{root, settings};
use prost::Message;
use seq_frontends::onnx::{proto, write_safetensors};
use seq_ir::{OpKind, PrintOptions, print_graph};
use seq_runtime::cpu::{self, RunOptions, WeightSource};
use seqc::run::{RunInputs, make_inputs, max_relative_error, precision, run_cpu};
use seqc::{CompileOptions, compile_graph, import};
use std::path::PathBuf;

fn models() -> Option<PathBuf> {
    let dir = root().join("../shared/models");
    if dir.join("input_ids.npy").exists() {
        Some(dir)
    } else {
        println!("skipped: ../shared/models is not present");
        None
    }
}

const EXPORTS: [&str; 4] = ["llama-eager", "llama-sdpa", "gpt2-eager", "gpt2-sdpa"];

#[test]
fn imported_ir_is_pinned() {
    let Some(dir) = models() else { return };
    for model in EXPORTS {
        for opset in [18, 23] {
            let imported = import(&dir.join(model).join(format!("model-opset{opset}.onnx"))).unwrap_or_else(|e| panic!("{model} {opset}: {e}"));
            let name = format!("{}_opset{opset}", model.replace('-', "_"));
            settings("onnx").bind(|| insta::assert_snapshot!(name, print_graph(&imported.graph, PrintOptions::default())));
        }
    }
}

#[test]
fn gqa_becomes_kv_heads_not_copies() {
    let Some(dir) = models() else { return };
    let imported = import(&dir.join("llama-sdpa/model-opset18.onnx")).expect("imports");
    let g = &imported.graph;
    for (_, op) in g.ops_of(OpKind::Attention) {
        assert_eq!((op.int("num_heads"), op.int("num_kv_heads")), (Some(4), Some(2)));
        assert_eq!(g.ty(op.operands[1]).tensor().map(|t| t.shape.clone()), Some(vec![48, 32]), "K keeps 2 heads of 16");
    }
    // Shared initializers (tied or deduplicated by the exporter) stay one weight.
    let names: std::collections::BTreeSet<_> = imported.weights.iter().map(|w| w.name.clone()).collect();
    assert_eq!(names.len(), imported.weights.len());
}

#[test]
fn imported_models_reproduce_the_exported_logits() {
    let Some(dir) = models() else { return };
    let ids = cpu::read_token_ids(&dir.join("input_ids.npy")).expect("input_ids.npy");
    let mut worst = 0.0f64;
    for model in EXPORTS {
        let logits = read_f32(&dir.join(model).join("logits.npy"));
        for opset in [18, 23] {
            let imported = import(&dir.join(model).join(format!("model-opset{opset}.onnx"))).expect("imports");
            worst = worst.max(logits_match(&imported, &ids, &logits, &format!("{model} opset {opset}")));
        }
    }
    println!("largest relative error vs the exported logits: {worst:.3e}");
}

/// The largest relative error of `imported`'s logits for `ids` against `logits` (transformers'),
/// run on 1, 2 and 4 CPU ranks, each asserted within 1e-4; `what` names the case.
fn logits_match(imported: &seq_frontends::onnx::Imported, ids: &cpu::HostTensor, logits: &cpu::HostTensor, what: &str) -> f64 {
    let name: String = what.chars().filter(char::is_ascii_alphanumeric).collect();
    let weights_path = std::env::temp_dir().join(format!("seqc-test-{name}-{}.safetensors", std::process::id()));
    write_safetensors(&imported.weights, &weights_path).expect("weights");
    let weights = WeightSource::safetensors(&weights_path).expect("reads back");
    let mut worst = 0.0f64;
    for devices in [1, 2, 4] {
        let c = compile_graph(imported.graph.clone(), &CompileOptions { devices, ..Default::default() }).expect("compiles");
        let inputs = make_inputs(&c.plan, &RunInputs { ids: Some(ids.clone()), ..Default::default() }).expect("inputs");
        let out = run_cpu(&c.plan, &inputs, &weights, &RunOptions { precision: precision(false), ..Default::default() }).expect("runs");
        let (err, bad) = max_relative_error(&out.outputs[0], logits, 1e-4);
        assert!(bad.is_none(), "{what} on {devices} ranks: max relative error {err:.3e}");
        worst = worst.max(err);
    }
    let _ = std::fs::remove_file(weights_path);
    worst
}

/// A float `.npy` (logits.npy) as a [rows, cols] tensor (its last two dims).
pub fn read_f32(path: &std::path::Path) -> cpu::HostTensor {
    let bytes = std::fs::read(path).expect("read");
    let npy = npyz::NpyFile::new(&bytes[..]).expect("npy");
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    let data: Vec<f32> = npy.into_vec().expect("f32 data");
    let s = shape.len();
    cpu::HostTensor::from_f32(vec![shape[s - 2], shape[s - 1]], data).expect("tensor")
}

#[test]
fn an_unsupported_op_names_the_node_and_the_nearest_pattern() {
    let Some(dir) = models() else { return };
    let bytes = std::fs::read(dir.join("llama-eager/model-opset18.onnx")).expect("read");
    let mut model = proto::ModelProto::decode(bytes.as_slice()).expect("decode");
    let graph = model.graph.as_mut().expect("graph");
    let node = graph.node.iter_mut().find(|n| n.op_type.as_deref() == Some("Sigmoid")).expect("a Sigmoid");
    node.op_type = Some("HardSigmoid".into());
    let path = std::env::temp_dir().join(format!("seqc-unsupported-{}.onnx", std::process::id()));
    std::fs::write(&path, model.encode_to_vec()).expect("write");
    let err = import(&path).err().expect("must fail").to_string();
    let _ = std::fs::remove_file(&path);
    let message = err.replace(&path.display().to_string(), "model.onnx");
    settings("onnx").bind(|| insta::assert_snapshot!("unsupported_op_failure", message));
}

/// Qwen2 as `torch.onnx.export(dynamo=True)` writes it: weights in a `.onnx.data` file beside the
/// model, and q/k/v biases whose Add comes after later nodes (the bias `param` must still be
/// defined before the linear that reads it). Both exports give transformers' logits unsplit and
/// over 2 and 4 ranks (`tests/models/qwen2-onnx`, `make.py` there).
#[test]
fn qwen2_exports_with_external_weights_reproduce_their_logits() {
    let dir = root().join("tests/models/qwen2-onnx");
    let ids = cpu::read_token_ids(&dir.join("input_ids.npy")).expect("input_ids.npy");
    for (attn, opset) in [("sdpa", 18), ("eager", 23)] {
        let imported = import(&dir.join(format!("qwen2-{attn}-opset{opset}.onnx"))).unwrap_or_else(|e| panic!("{attn}: {e}"));
        let biased = imported.graph.ops_of(OpKind::Linear).filter(|(_, op)| op.operands.len() == 3).count();
        assert_eq!(biased, 2 * 3, "{attn}: q, k and v keep their biases in both layers");
        logits_match(&imported, &ids, &read_f32(&dir.join(format!("logits-{attn}.npy"))), &format!("qwen2 {attn} opset {opset}"));
    }
}

/// External data outside the model's folder is refused, by initializer and location.
#[test]
fn external_data_outside_the_model_folder_is_refused() {
    let dir = root().join("tests/models/qwen2-onnx");
    let bytes = std::fs::read(dir.join("qwen2-sdpa-opset18.onnx")).expect("read");
    let mut model = proto::ModelProto::decode(bytes.as_slice()).expect("decode");
    let graph = model.graph.as_mut().expect("graph");
    let t = graph.initializer.iter_mut().find(|t| !t.external_data.is_empty()).expect("an external initializer");
    for e in &mut t.external_data {
        if e.key.as_deref() == Some("location") {
            e.value = Some("../../etc/passwd".into());
        }
    }
    let path = std::env::temp_dir().join(format!("seqc-escape-{}.onnx", std::process::id()));
    std::fs::write(&path, model.encode_to_vec()).expect("write");
    let e = import(&path).err().expect("refused").to_string();
    assert!(e.contains("outside the model's folder") && e.contains("../../etc/passwd"), "{e}");
    let _ = std::fs::remove_file(path);
}

/// Phi-3 as `torch.onnx.export(dynamo=True)` writes it: q, k and v (and gate, up) are Slices of
/// one fused projection's output, and the partial rotary embedding slices each head into the
/// rotated dims and the rest. It raises into column slices and one `rope` with `rotary_dim`, and
/// gives transformers' logits unsplit and over 2 and 4 ranks (`tests/models/phi3-fused`).
#[test]
fn phi3_exports_with_fused_projections_and_partial_rotary() {
    let dir = root().join("tests/models/phi3-fused");
    let imported = import(&dir.join("phi3-sdpa-opset18.onnx")).unwrap_or_else(|e| panic!("{e}"));
    let ropes: Vec<_> = imported.graph.ops_of(OpKind::Rope).map(|(_, op)| (op.int("head_dim"), op.int("rotary_dim"))).collect();
    assert_eq!(ropes, vec![(Some(16), Some(8)); 4], "q and k of 2 layers, half of each head rotated");
    assert_eq!(imported.graph.ops_of(OpKind::Slice).count(), 2 * 5, "q, k, v, gate and up cut from 2 fused outputs a layer");
    let ids = cpu::read_token_ids(&dir.join("input_ids.npy")).expect("input_ids.npy");
    logits_match(&imported, &ids, &read_f32(&dir.join("logits.npy")), "phi3 export");
}

/// Gemma 3 (text) as `torch.onnx.export(dynamo=True)` writes it: the embedding times a constant
/// raises to `embedding` with `scale`, the per-head q/k norms run on [1, heads, S, dim] views (after
/// the transpose), the tanh-GELU gate is 0.5·(1 + tanh(...)) times x, and the 1 + w norm weights
/// are the exporter's folded constants. transformers' logits (`tests/models/gemma3`).
#[test]
fn gemma3_export_reproduces_its_logits() {
    let dir = root().join("tests/models/gemma3");
    let imported = import(&dir.join("gemma3-sdpa-opset18.onnx")).expect("imports");
    let g = &imported.graph;
    let scale = g.ops_of(OpKind::Embedding).next().and_then(|(_, op)| op.float("scale")).expect("an embedding scale");
    assert!((scale - 8.0).abs() < 1e-6, "√64: {scale}");
    assert_eq!(g.ops_of(OpKind::RmsNorm).filter(|(_, op)| op.int("group") == Some(16)).count(), 6, "q and k norms of 3 layers");
    assert_eq!(g.ops_of(OpKind::Gelu).count(), 3, "a tanh-GELU gate a layer");
    let windows: Vec<Option<i64>> = g.ops_of(OpKind::Attention).map(|(_, op)| op.int("window")).collect();
    assert_eq!(windows, vec![Some(8), Some(8), None], "two sliding layers, then a global one");
    let ids = cpu::read_token_ids(&dir.join("input_ids.npy")).expect("input_ids.npy");
    logits_match(&imported, &ids, &read_f32(&dir.join("logits.npy")), "gemma3 export");
}

/// Gemma 2 as `torch.onnx.export(dynamo=True)` writes it (eager attention, where transformers caps
/// the scores): Div → Tanh → Mul by the same constant raises to `softcap` on the attention, and on
/// the output head for the capped logits. transformers' logits (`tests/models/gemma2`).
#[test]
fn gemma2_export_reproduces_its_capped_logits() {
    let dir = root().join("tests/models/gemma2");
    let imported = import(&dir.join("gemma2-eager-opset18.onnx")).expect("imports");
    let g = &imported.graph;
    let caps: Vec<Option<f64>> = g.ops_of(OpKind::Attention).map(|(_, op)| op.float("softcap")).collect();
    assert_eq!(caps, vec![Some(2.0); 3], "every layer's scores capped");
    assert_eq!(g.ops_of(OpKind::Logits).next().and_then(|(_, op)| op.float("softcap")), Some(0.5), "the logits capped");
    let ids = cpu::read_token_ids(&dir.join("input_ids.npy")).expect("input_ids.npy");
    logits_match(&imported, &ids, &read_f32(&dir.join("logits.npy")), "gemma2 export");
}

/// Qwen3 and OLMo 2 as `torch.onnx.export(dynamo=True)` writes them: Qwen3's q/k RMSNorm runs on
/// each head's view ([1, S, heads, dim], reduced over the last axis) and raises to `rms_norm` with
/// `group`; OLMo 2's norms follow attention and the MLP. Both give transformers' logits
/// (`tests/models/{qwen3,olmo2}`, the same models as their config + checkpoint tests).
#[test]
fn qwen3_and_olmo2_exports_reproduce_their_logits() {
    for model in ["qwen3", "olmo2"] {
        let dir = root().join("tests/models").join(model);
        let imported = import(&dir.join(format!("{model}-sdpa-opset18.onnx"))).unwrap_or_else(|e| panic!("{model}: {e}"));
        let grouped = imported.graph.ops_of(OpKind::RmsNorm).filter(|(_, op)| op.int("group").is_some()).count();
        assert_eq!(grouped, if model == "qwen3" { 4 } else { 0 }, "{model}: per-head norms");
        let ids = cpu::read_token_ids(&dir.join("input_ids.npy")).expect("input_ids.npy");
        logits_match(&imported, &ids, &read_f32(&dir.join("logits.npy")), &format!("{model} export"));
    }
}
