//! Hugging Face configs: each family's structure (GQA, windows, biases, partial rotary, tied
//! heads) lands in the program; bad configs name the file and field.

use super::{root, seqc, settings};
use seq_ir::{OpKind, PrintOptions, print_graph};
use seqc::load_file;

fn attention(g: &seq_ir::Graph) -> &seq_ir::Op {
    g.ops_of(OpKind::Attention).next().map(|(_, op)| op).expect("an attention layer")
}

#[test]
fn families_land_in_the_program() {
    let load = |f: &str| load_file(&root().join("tests/hf").join(f), Some(32)).unwrap_or_else(|e| panic!("{f}: {e}"));
    let mistral = load("mistral.json");
    assert_eq!((attention(&mistral).int("num_kv_heads"), attention(&mistral).int("window")), (Some(2), Some(16)));
    let qwen = load("qwen2.json");
    // Qwen2: q/k/v biases, MQA, no window unless use_sliding_window, the head tied to the embedding.
    let biased = qwen.ops_of(OpKind::Linear).filter(|(_, op)| op.operands.len() == 3).count();
    assert_eq!(biased, 3);
    assert_eq!((attention(&qwen).int("num_kv_heads"), attention(&qwen).int("window")), (Some(1), None));
    let names: Vec<&str> = qwen.ops_of(OpKind::Param).filter_map(|(_, op)| op.str("name")).collect();
    assert_eq!(names.iter().filter(|n| **n == "model.embed_tokens.weight").count(), 2, "tied head: {names:?}");
    assert_eq!(qwen.ty(qwen.results[0]).tensor().map(|t| t.dtype), Some(seq_ir::DType::BF16));
    let phi = load("phi3.json");
    let rope = phi.ops_of(OpKind::Rope).next().map(|(_, op)| op).expect("rope");
    assert_eq!((rope.int("head_dim"), rope.int("rotary_dim")), (Some(32), Some(16)));
    for (name, g) in [("mistral", &mistral), ("qwen2", &qwen), ("phi3", &phi)] {
        settings("hf").bind(|| insta::assert_snapshot!(name, print_graph(g, PrintOptions::default())));
    }
}

#[test]
fn shared_configs_build_like_their_exports() {
    let dir = root().join("../shared/models");
    if !dir.exists() {
        println!("skipped: ../shared/models is not present");
        return;
    }
    for (model, kv) in [("llama-eager", 2), ("gpt2-eager", 4)] {
        let g = load_file(&dir.join(model).join("config.json"), Some(48)).expect("builds");
        assert_eq!(g.ops_of(OpKind::Attention).count(), 2);
        assert_eq!(attention(&g).int("num_kv_heads"), Some(kv));
    }
}

#[test]
fn bad_configs_name_the_file_and_field() {
    for case in ["gemma_family_failure", "missing_field_failure", "activation_failure"] {
        let (code, _, stderr) = seqc(&["compile", &format!("tests/hf/{case}.json"), "--devices", "2"]);
        assert_eq!(code, 1, "{case}");
        settings("hf").bind(|| insta::assert_snapshot!(case, stderr));
    }
}

/// Llama 3.1's `llama3` frequency scaling, `linear`, NTK `dynamic` and YaRN (with its attention
/// factor): the logits transformers
/// computes for each (`tests/models/llama-rope-scaling`, `make.py` there; peaked attention, an
/// original context of 32 under 64 tokens so every band of each scaling acts), unsplit and split
/// over 2, 4 and 8 ranks, within 1e-4. The three references differ from each other by order 1, so a
/// scaling read wrongly (or ignored) fails.
#[test]
fn rope_scalings_give_transformers_logits() {
    use seq_runtime::cpu::{self, RunOptions};
    use seqc::run::{RunInputs, checkpoint_weights, make_inputs, max_relative_error, precision, run_cpu};
    let dir = root().join("tests/models/llama-rope-scaling");
    let ids = cpu::read_token_ids(&dir.join("input_ids.npy")).expect("input_ids.npy");
    let kinds = ["llama3", "linear", "dynamic", "yarn", "longrope", "longrope-short"];
    let logits: Vec<_> = kinds.iter().map(|k| super::onnx::read_f32(&dir.join(format!("logits-{k}.npy")))).collect();
    let (apart, _) = max_relative_error(&logits[0], &logits[1], 1e-4);
    assert!(apart > 0.1, "the references must tell the scalings apart ({apart:.2e})");
    for (kind, want) in kinds.iter().zip(&logits) {
        let config = dir.join(format!("config-{kind}.json"));
        let g = load_file(&config, Some(64)).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let rope = g.ops_of(OpKind::Rope).next().map(|(_, op)| op).expect("rope");
        assert_eq!(rope.str("scaling"), match *kind { "dynamic" => None, "longrope-short" => Some("longrope"), k => Some(k) }, "{kind}");
        for devices in [1, 2, 4, 8] {
            let c = seqc::compile_graph(g.clone(), &seqc::CompileOptions { devices, ..Default::default() }).expect("compiles");
            let (weights, _) = checkpoint_weights(&config, 64, &c.plan, &dir.join("weights.safetensors")).expect("weights");
            let inputs = make_inputs(&c.plan, &RunInputs { ids: Some(ids.clone()), ..Default::default() }).expect("inputs");
            let out = run_cpu(&c.plan, &inputs, &weights, &RunOptions { precision: precision(false), ..Default::default() }).expect("runs");
            let (err, bad) = max_relative_error(&out.outputs[0], want, 1e-4);
            assert!(bad.is_none(), "{kind} on {devices} ranks: max relative error {err:.3e}");
        }
    }
    // YaRN's attention factor (0.1·ln 4 + 1, squared) is in the attention's scale.
    let yarn = load_file(&dir.join("config-yarn.json"), Some(64)).expect("yarn");
    let scale = yarn.ops_of(OpKind::Attention).next().and_then(|(_, op)| op.float("scale")).expect("scale");
    let af = 0.1 * 4f64.ln() + 1.0;
    assert!((scale - af * af / 4.0).abs() < 1e-12, "yarn's attention scale {scale}");
    // LongRoPE's attention factor √(1 + ln(max / original) / ln original) is in the scale too;
    // past the original context the long factors apply, within it the short ones.
    for (kind, original, first_factors) in [("longrope", 32f64, 1.5), ("longrope-short", 64f64, 1.1)] {
        let g = load_file(&dir.join(format!("config-{kind}.json")), Some(64)).expect(kind);
        let scale = g.ops_of(OpKind::Attention).next().and_then(|(_, op)| op.float("scale")).expect("scale");
        let af2 = 1.0 + 4f64.ln() / original.ln();
        assert!((scale - af2 / 4.0).abs() < 1e-12, "{kind}'s attention scale {scale}");
        let rope = g.ops_of(OpKind::Rope).next().map(|(_, op)| op).expect("rope");
        match rope.attr("factors") {
            Some(seq_ir::Attr::Floats(f)) => assert_eq!(f.get(1), Some(&first_factors), "{kind}: {f:?}"),
            other => panic!("{kind}: factors {other:?}"),
        }
    }
    // The factors survive the plan file (a float array, not integers).
    let g = load_file(&dir.join("config-longrope.json"), Some(64)).expect("longrope");
    let c = seqc::compile_graph(g, &seqc::CompileOptions { devices: 2, ..Default::default() }).expect("compiles");
    let back = seq_runtime::Plan::from_json(&c.plan.to_json(), "plan.json").expect("reads back");
    let ropes = |p: &seq_runtime::Plan| -> Vec<String> { p.steps.iter().filter(|s| s.op == "rope").map(|s| format!("{:?}", s.attrs)).collect() };
    assert_eq!(ropes(&back), ropes(&c.plan));
    assert!(ropes(&back).iter().all(|a| a.contains("Floats([1.0, 1.5, 2.0")), "{:?}", ropes(&back));
    // Factors that do not match the rotated pairs are refused, naming the field.
    let text = std::fs::read_to_string(dir.join("config-longrope.json")).expect("config").replace("1.0,\n   1.5,", "1.5,");
    let e = seq_frontends::hf::from_config(&text, "longrope.json", 64).expect_err("refused").to_string();
    assert!(e.contains("long_factor") && e.contains("8 pairs"), "{e}");
}

/// A Hugging Face model folder (config.json beside a checkpoint cut into two shards named by
/// model.safetensors.index.json) runs as its config with its own weights: transformers' logits.
#[test]
fn a_sharded_model_folder_runs_with_its_own_weights() {
    use seq_runtime::cpu::WeightSource;
    use seqc::run::max_relative_error;
    let src = root().join("tests/models/llama-rope-scaling");
    let dir = std::env::temp_dir().join(format!("seqc-model-folder-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");
    std::fs::copy(src.join("config-llama3.json"), dir.join("config.json")).expect("config");
    let WeightSource::Safetensors(all) = WeightSource::safetensors(&src.join("weights.safetensors")).expect("weights") else {
        unreachable!("a checkpoint")
    };
    let names: Vec<String> = all.names().map(String::from).collect();
    let mut map = serde_json::Map::new();
    for (k, part) in names.chunks(names.len().div_ceil(2)).enumerate() {
        let file = format!("model-0000{}-of-00002.safetensors", k + 1);
        let tensors: Vec<seq_frontends::onnx::Weight> = part
            .iter()
            .map(|n| {
                let (shape, v) = all.tensor(n).expect("tensor");
                map.insert(n.clone(), serde_json::Value::String(file.clone()));
                seq_frontends::onnx::Weight { name: n.clone(), shape, data: v.into_iter().map(|x| x as f32).collect() }
            })
            .collect();
        seq_frontends::onnx::write_safetensors(&tensors, &dir.join(&file)).expect("shard");
    }
    let index = serde_json::json!({ "metadata": {}, "weight_map": map });
    std::fs::write(dir.join("model.safetensors.index.json"), index.to_string()).expect("index");
    let out = dir.join("logits.npy");
    let p = |x: &std::path::Path| x.to_str().expect("utf-8").to_string();
    let (code, _, err) = super::seqc(&[
        "run", &p(&dir), "--devices", "2", "--input", &p(&src.join("input_ids.npy")), "--output", &p(&out),
    ]);
    assert_eq!(code, 0, "{err}");
    let (e, bad) = max_relative_error(&super::onnx::read_f32(&out), &super::onnx::read_f32(&src.join("logits-llama3.npy")), 1e-4);
    assert!(bad.is_none(), "the folder's own weights give transformers' logits: {e:.3e}");
    // A folder without config.json says what a model folder is.
    std::fs::remove_file(dir.join("config.json")).expect("remove");
    let (code, _, err) = super::seqc(&["run", &p(&dir), "--devices", "1"]);
    assert_ne!(code, 0);
    assert!(err.contains("without config.json"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Phi-3's checkpoint fuses q, k and v (`qkv_proj`) and gate and up (`gate_up_proj`): its model
/// folder runs with those rows cut into the program's projections (transformers' logits, partial
/// rotary, on 1, 2 and 4 ranks), and a training step writes its gradients back into the fused
/// tensors.
#[test]
fn phi3_fused_checkpoints_load_and_take_gradients_back() {
    use seqc::run::max_relative_error;
    let dir = root().join("tests/models/phi3-fused");
    let tmp = std::env::temp_dir().join(format!("seqc-phi3-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp");
    let p = |x: &std::path::Path| x.to_str().expect("utf-8").to_string();
    let want = super::onnx::read_f32(&dir.join("logits.npy"));
    for devices in ["1", "2", "4"] {
        let out = tmp.join(format!("logits-{devices}.npy"));
        let (code, _, err) =
            super::seqc(&["run", &p(&dir), "--devices", devices, "--input", &p(&dir.join("input_ids.npy")), "--output", &p(&out)]);
        assert_eq!(code, 0, "{err}");
        let (e, bad) = max_relative_error(&super::onnx::read_f32(&out), &want, 1e-4);
        assert!(bad.is_none(), "{devices} rank(s): max relative error {e:.3e}");
    }
    let grads = tmp.join("grads.safetensors");
    let (code, _, err) = super::seqc(&[
        "run", &p(&dir), "--devices", "2", "--train", "--input", &p(&dir.join("input_ids.npy")), "--grads-out", &p(&grads),
    ]);
    assert_eq!(code, 0, "{err}");
    let seq_runtime::cpu::WeightSource::Safetensors(g) = seq_runtime::cpu::WeightSource::safetensors(&grads).expect("grads") else {
        unreachable!("a checkpoint")
    };
    let names: Vec<&str> = g.names().collect();
    assert!(names.contains(&"model.layers.1.self_attn.qkv_proj.weight") && names.contains(&"model.layers.0.mlp.gate_up_proj.weight"), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("q_proj") || n.contains("up_proj.weight") && !n.contains("gate_up")), "{names:?}");
    let (shape, _) = g.tensor("model.layers.0.self_attn.qkv_proj.weight").expect("qkv");
    assert_eq!(shape, vec![4 * 16 + 2 * 2 * 16, 64], "q, k and v rows over the hidden columns");
    // PyTorch's gradients of the fused tensors (make.py), relative to each tensor's largest entry.
    let seq_runtime::cpu::WeightSource::Safetensors(torch) = seq_runtime::cpu::WeightSource::safetensors(&dir.join("grads.safetensors")).expect("torch grads")
    else {
        unreachable!("a checkpoint")
    };
    for name in torch.names() {
        let ((ts, tv), (gs, gv)) = (torch.tensor(name).expect("torch"), g.tensor(name).expect("seqc"));
        assert_eq!(ts, gs, "{name}");
        let scale = tv.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let err = tv.iter().zip(&gv).fold(0.0f64, |m, (a, b)| m.max((a - b).abs())) / scale;
        assert!(err < 1e-4, "{name}: gradient differs from PyTorch's by {err:.2e} of its largest entry");
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// A model folder under tests/models (`make.py` there): transformers' logits for its
/// input_ids.npy on 1, 2 and 4 ranks, and PyTorch's gradients in its grads.st (the norm weights)
/// from a training step on 2 ranks, each within 1e-4 (gradients relative to their largest entry).
fn folder_matches_transformers(model: &str) {
    use seq_runtime::cpu::WeightSource;
    use seqc::run::max_relative_error;
    let dir = root().join("tests/models").join(model);
    let tmp = std::env::temp_dir().join(format!("seqc-{model}-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp");
    let p = |x: &std::path::Path| x.to_str().expect("utf-8").to_string();
    let ids = p(&dir.join("input_ids.npy"));
    for devices in ["1", "2", "4"] {
        let out = tmp.join(format!("logits-{devices}.npy"));
        let (code, _, err) = seqc(&["run", &p(&dir), "--devices", devices, "--input", &ids, "--output", &p(&out)]);
        assert_eq!(code, 0, "{model}: {err}");
        let (e, bad) = max_relative_error(&super::onnx::read_f32(&out), &super::onnx::read_f32(&dir.join("logits.npy")), 1e-4);
        assert!(bad.is_none(), "{model} on {devices} rank(s): max relative error {e:.3e}");
    }
    let grads = tmp.join("grads.safetensors");
    let (code, _, err) = seqc(&["run", &p(&dir), "--devices", "2", "--train", "--input", &ids, "--grads-out", &p(&grads)]);
    assert_eq!(code, 0, "{model}: {err}");
    let (WeightSource::Safetensors(ours), WeightSource::Safetensors(torch)) =
        (WeightSource::safetensors(&grads).expect("ours"), WeightSource::safetensors(&dir.join("grads.st")).expect("torch's"))
    else {
        unreachable!("checkpoints")
    };
    let names: Vec<&str> = torch.names().collect();
    assert!(!names.is_empty(), "{model}: no reference gradients");
    for name in names {
        let ((want_shape, want), (shape, got)) = (torch.tensor(name).expect("torch"), ours.tensor(name).expect("ours"));
        assert_eq!(shape, want_shape, "{model}: {name}");
        let scale = want.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let e = want.iter().zip(&got).fold(0.0f64, |m, (a, b)| m.max((a - b).abs())) / scale;
        assert!(e < 1e-4, "{model}: {name}: {e:.2e} of its largest entry");
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Qwen2 from its config and checkpoint (q/k/v biases, GQA, a tied head): the same model as the
/// folder's ONNX exports (`tests/models/qwen2-onnx`), transformers' logits at 1, 2 and 4 ranks,
/// and PyTorch's gradients of the q/k biases, the norm weights and the tied embedding.
#[test]
fn qwen2_folder_matches_transformers() {
    folder_matches_transformers("qwen2-onnx");
}

/// Qwen3: per-head RMSNorm of q and k before RoPE (`rms_norm` with `group`), head_dim apart from
/// hidden / heads; the q/k norm weights' gradients are PyTorch's (`tests/models/qwen3`).
#[test]
fn qwen3_normalises_each_head_of_q_and_k() {
    let g = load_file(&root().join("tests/models/qwen3/config.json"), Some(40)).expect("config");
    let grouped = g.ops_of(OpKind::RmsNorm).filter(|(_, op)| op.int("group") == Some(16)).count();
    assert_eq!(grouped, 2 * 2, "q_norm and k_norm in both layers");
    folder_matches_transformers("qwen3");
}

/// OLMo 2: no norm in front of attention or the MLP, their outputs normalised before the residual
/// add, q and k normalised over their whole projections; every norm weight's gradient is
/// PyTorch's (`tests/models/olmo2`).
#[test]
fn olmo2_normalises_after_each_block() {
    let g = load_file(&root().join("tests/models/olmo2/config.json"), Some(40)).expect("config");
    let names: Vec<&str> = g.ops_of(OpKind::Param).filter_map(|(_, op)| op.str("name")).collect();
    assert!(names.contains(&"model.layers.1.post_feedforward_layernorm.weight") && !names.iter().any(|n| n.contains("input_layernorm")), "{names:?}");
    folder_matches_transformers("olmo2");
}

/// Gemma 3 (text): embeddings times √hidden (`embedding`'s `scale`), RMSNorms of `1 + w`
/// (`offset`) before and after attention and the MLP, per-head q/k norms, a tanh-GELU gate,
/// sliding and global layers with their own RoPE bases, query_pre_attn_scalar's scale, a tied
/// head. transformers' logits, and the gradients of every norm weight and of the tied embedding
/// (`tests/models/gemma3`).
#[test]
fn gemma3_layers_alternate_and_normalise_around_each_block() {
    let g = load_file(&root().join("tests/models/gemma3/config.json"), Some(40)).expect("config");
    let windows: Vec<Option<i64>> = g.ops_of(OpKind::Attention).map(|(_, op)| op.int("window")).collect();
    assert_eq!(windows, vec![Some(8), Some(8), None], "two sliding layers, then a global one");
    let thetas: Vec<Option<f64>> = g.ops_of(OpKind::Rope).step_by(2).map(|(_, op)| op.float("theta")).collect();
    assert_eq!(thetas, vec![Some(10000.0), Some(10000.0), Some(1000000.0)], "each layer's RoPE base");
    assert_eq!(g.ops_of(OpKind::RmsNorm).filter(|(_, op)| op.float("offset") == Some(1.0)).count(), 3 * 6 + 1);
    folder_matches_transformers("gemma3");
}

/// Gemma 2: Gemma 3's layer without q/k norms, sliding and global layers in turn, and scores and
/// logits capped as c·tanh(x/c) (`softcap` on `seq.attention` and `seq.logits`). transformers'
/// logits at 1, 2 and 4 ranks (`tests/models/gemma2`, whose caps move the logits by 0.18 of 0.42),
/// and PyTorch's gradients of every norm weight and of the tied embedding through the capped loss
/// and scores; the forward through the CUDA lowering on emulated ranks.
#[test]
fn gemma2_caps_scores_and_logits() {
    use seqc::run::max_relative_error;
    let dir = root().join("tests/models/gemma2");
    let g = load_file(&dir.join("config.json"), Some(40)).expect("config");
    let attn: Vec<(Option<i64>, Option<f64>)> = g.ops_of(OpKind::Attention).map(|(_, op)| (op.int("window"), op.float("softcap"))).collect();
    assert_eq!(attn, vec![(Some(8), Some(2.0)), (None, Some(2.0)), (Some(8), Some(2.0))], "sliding and global in turn, capped");
    assert_eq!(g.ops_of(OpKind::Logits).next().and_then(|(_, op)| op.float("softcap")), Some(0.5));
    assert_eq!(g.ops_of(OpKind::RmsNorm).filter(|(_, op)| op.int("group").is_some()).count(), 0, "no q/k norms");
    folder_matches_transformers("gemma2");
    // The CUDA lowering (the kernel's capped scores, the capped logits) on emulated ranks.
    let ids = seq_runtime::cpu::read_token_ids(&dir.join("input_ids.npy")).expect("ids");
    let c = seqc::compile_graph(g, &seqc::CompileOptions { devices: 2, ..Default::default() }).expect("compiles");
    let config = dir.join("config.json");
    let (weights, _) = seqc::run::checkpoint_weights(&config, 40, &c.plan, &dir.join("model.safetensors")).expect("weights");
    let inputs = seqc::run::make_inputs(&c.plan, &seqc::run::RunInputs { ids: Some(ids), ..Default::default() }).expect("inputs");
    let mut emu = seq_runtime::cuda::emulate::Emulator::new(&c.plan, &inputs, &weights).expect("emulator");
    emu.run().expect("runs");
    let out = emu.global_outputs(&c.plan).expect("outputs");
    let (e, bad) = max_relative_error(&out[0], &super::onnx::read_f32(&dir.join("logits.npy")), 1e-4);
    assert!(bad.is_none(), "gemma2 lowered for CUDA: max relative error {e:.3e}");
}

/// A multimodal Gemma 3 folder (`Gemma3ForConditionalGeneration`, as transformers saves it): the
/// language model from `text_config`, its tensors read from under `language_model.` (and the
/// gradients written back there), transformers' text-only logits and gradients
/// (`tests/models/gemma3-mm`). A config without its text_config says where the model should be.
#[test]
fn a_multimodal_gemma3_folder_runs_its_language_model() {
    let dir = root().join("tests/models/gemma3-mm");
    let g = load_file(&dir.join("config.json"), Some(40)).expect("config");
    let windows: Vec<Option<i64>> = g.ops_of(OpKind::Attention).map(|(_, op)| op.int("window")).collect();
    assert_eq!(windows, vec![Some(8), Some(8), None], "the text model's layers");
    folder_matches_transformers("gemma3-mm");
    let text = std::fs::read_to_string(dir.join("config.json")).expect("config");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v.as_object_mut().expect("object").remove("text_config");
    let e = seq_frontends::hf::from_config(&v.to_string(), "mm.json", 40).expect_err("refused").to_string();
    assert!(e.contains("text_config"), "{e}");
}

/// An int32 vector as a .npy file.
fn write_ids(path: &std::path::Path, ids: &[i32]) {
    let dict = format!("{{'descr': '<i4', 'fortran_order': False, 'shape': ({},), }}", ids.len());
    let pad = 64 - (10 + dict.len() + 1) % 64;
    let header = format!("{dict}{}\n", " ".repeat(pad % 64));
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend(ids.iter().flat_map(|x| x.to_le_bytes()));
    std::fs::write(path, bytes).expect("write npy");
}

/// `seqc run CONFIG --segments` builds the model for packed documents: each document's logits
/// are those of the document run alone (positions restart, and attention stays inside it).
/// seqc-run refuses segment ids for a plan built without them (its attention would see across
/// documents while positions restarted).
#[test]
fn packed_documents_run_as_if_alone() {
    use seqc::run::max_relative_error;
    let dir = root().join("tests/models/llama-rope-scaling");
    let config = dir.join("config-linear.json");
    let ids = seq_runtime::cpu::read_token_ids(&dir.join("input_ids.npy")).expect("ids").to_i64().expect("ints");
    let ids: Vec<i32> = ids.iter().map(|&x| x as i32).collect();
    let tmp = std::env::temp_dir().join(format!("seqc-packed-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp");
    let p = |x: &std::path::Path| x.to_str().expect("utf-8").to_string();
    let cut = 30;
    let seg: Vec<i32> = (0..ids.len()).map(|i| i32::from(i >= cut)).collect();
    write_ids(&tmp.join("ids.npy"), &ids);
    write_ids(&tmp.join("seg.npy"), &seg);
    write_ids(&tmp.join("second.npy"), &ids[cut..]);
    let w = p(&dir.join("weights.safetensors"));
    let (code, _, err) = seqc(&["run", &p(&config), "--devices", "2", "--weights", &w, "--input", &p(&tmp.join("ids.npy")), "--segments", &p(&tmp.join("seg.npy")), "--output", &p(&tmp.join("packed.npy"))]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = seqc(&["run", &p(&config), "--devices", "2", "--weights", &w, "--input", &p(&tmp.join("second.npy")), "--output", &p(&tmp.join("alone.npy"))]);
    assert_eq!(code, 0, "{err}");
    let packed = super::onnx::read_f32(&tmp.join("packed.npy"));
    let alone = super::onnx::read_f32(&tmp.join("alone.npy"));
    let vocab = packed.shape[1];
    let rows = packed.to_f64().expect("floats")[cut * vocab..].to_vec();
    let rows = seq_runtime::cpu::HostTensor::from_f64(vec![ids.len() - cut, vocab], rows).expect("rows");
    let (e, bad) = max_relative_error(&rows, &alone, 1e-4);
    assert!(bad.is_none(), "the second document's logits packed and alone: {e:.3e}");
    // A plan built without segment ids refuses them.
    let g = load_file(&config, Some(64)).expect("config");
    let c = seqc::compile_graph(g, &seqc::CompileOptions::default()).expect("compiles");
    let seg_t = seq_runtime::cpu::HostTensor::from_i32(vec![seg.len()], seg).expect("seg");
    let e = seq_runtime::inputs::make_inputs(&c.plan, None, Some(&seg_t), 0).expect_err("refused");
    assert!(e.contains("--packed"), "{e}");
    let _ = std::fs::remove_dir_all(&tmp);
}
