//! The library facade compiles in-memory text and reports errors as values.

use seqc::{CompileOptions, Error, Source, compile};

#[test]
fn compile_text_and_summarise() {
    let text = seq_ir::print_graph(&seq_frontends::DecoderConfig::tiny().build().unwrap(), Default::default());
    let c = compile(&Source::Text { name: "tiny".into(), text }, &CompileOptions { devices: 4, ..Default::default() })
        .expect("compiles");
    assert_eq!(c.summary.attention.len(), 2);
    // 2 layers x (q 64x64 + k,v 32x64 + o 64x64 + 3 MLP 128x64) + norms + embeddings and head.
    let per_layer = 64 * 64 * 2 + 32 * 64 * 2 + 3 * 128 * 64 + 2 * 64;
    assert_eq!(c.summary.params, (2 * per_layer + 64 + 2 * 256 * 64) as u64);
}

#[test]
fn errors_are_values_not_panics() {
    let err =
        compile(&Source::Text { name: "x.mlir".into(), text: "func.func @f(".into() }, &CompileOptions::default())
            .expect_err("malformed");
    assert!(matches!(err, Error::Load(_)));
    assert!(err.to_string().starts_with("x.mlir:1:"), "{err}");
    let err = compile(
        &Source::Text { name: "x".into(), text: String::new() },
        &CompileOptions { devices: 0, ..Default::default() },
    )
    .expect_err("no devices");
    assert!(matches!(err, Error::NoDevices));
}
