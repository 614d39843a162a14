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
