//! The bundled examples are exactly what the decoder builder produces for their configurations.
//! Regenerate them with `SEQC_BLESS_EXAMPLES=1 cargo test -p seqc examples`.

use super::root;
use seq_frontends::DecoderConfig;
use seq_ir::{PrintOptions, SeqContext, print_graph};

fn check(file: &str, header: &str, cfg: DecoderConfig) {
    check_graph(file, header, cfg.build().expect("builds"));
}

fn check_graph(file: &str, header: &str, g: seq_ir::Graph) {
    let built = print_graph(&g, PrintOptions::default());
    let path = root().join("examples").join(file);
    if std::env::var_os("SEQC_BLESS_EXAMPLES").is_some() {
        std::fs::write(&path, format!("{header}{built}")).expect("write example");
    }
    let text = std::fs::read_to_string(&path).expect("example file");
    let ctx = SeqContext::new().expect("context");
    let parsed = ctx.load(&text, file).unwrap_or_else(|d| panic!("{}", d.render()));
    assert_eq!(
        print_graph(&parsed, PrintOptions::default()),
        built,
        "{file} is stale: rerun with SEQC_BLESS_EXAMPLES=1"
    );
}

#[test]
fn tiny_example_matches_builder() {
    check(
        "tiny.mlir",
        "// A 2-layer Llama-style decoder (hidden 64, 4 heads, 2 KV heads, 64 tokens, f32): small enough\n// to run on the CPU backend in tests. Generated from DecoderConfig::tiny().\n",
        DecoderConfig::tiny(),
    );
}

#[test]
fn llama3_8b_example_matches_builder() {
    check(
        "llama3-8b.mlir",
        "// Llama-3-8B-shaped decoder: 32 layers, hidden 4096, 32 heads, 8 KV heads, head dim 128,\n// FFN 14336, vocab 128256, 131072 tokens, bf16. Generated from DecoderConfig::llama3_8b().\n",
        DecoderConfig::llama3_8b(),
    );
}

#[test]
fn llama3_70b_example_matches_builder() {
    check(
        "llama3-70b.mlir",
        "// Llama-3-70B-shaped decoder: 80 layers, hidden 8192, 64 heads, 8 KV heads, head dim 128,\n// FFN 28672, vocab 128256, 131072 tokens, bf16. Generated from DecoderConfig::llama3_70b().\n",
        DecoderConfig::llama3_70b(),
    );
}

/// The benchmark's workloads (bench/): a Llama-3-8B-shaped layer and its attention alone.
#[test]
fn benchmark_programs_match_builder() {
    for (tokens, tag) in [(32768, "32k"), (131072, "128k"), (524288, "512k"), (1048576, "1m")] {
        let cfg = DecoderConfig { seq_len: tokens, ..DecoderConfig::llama3_8b() };
        check_graph(
            &format!("bench/llama3-8b-layer-{tag}.mlir"),
            &format!(
                "// One Llama-3-8B-shaped decoder layer on {tokens} tokens (bf16): the benchmark's layer workload.\n// Generated from DecoderConfig::llama3_8b().build_layer().\n"
            ),
            cfg.build_layer().expect("builds"),
        );
        check_graph(
            &format!("bench/llama3-8b-attention-{tag}.mlir"),
            &format!(
                "// Llama-3-8B-shaped causal attention alone (32 heads, 8 KV heads, head dim 128) on {tokens} tokens.\n// Generated from DecoderConfig::llama3_8b().build_attention().\n"
            ),
            cfg.build_attention().expect("builds"),
        );
    }
}
