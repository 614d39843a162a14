//! The IRDL file, the Rust op list and the reference page agree.

use super::root;
use seq_ir::{OpKind, SEQ_IRDL, SeqContext};

fn irdl_ops() -> Vec<String> {
    SEQ_IRDL
        .lines()
        .filter_map(|l| l.trim().strip_prefix("irdl.operation @"))
        .map(|l| l.trim_end_matches(" {").to_string())
        .collect()
}

#[test]
fn irdl_ops_match_rust_op_kinds() {
    let mut irdl = irdl_ops();
    irdl.sort();
    let mut rust: Vec<String> = OpKind::ALL.iter().map(|k| k.short_name().to_string()).collect();
    rust.sort();
    assert_eq!(irdl, rust);
}

#[test]
fn readme_documents_every_op() {
    let readme = std::fs::read_to_string(root().join("dialects/seq/README.md")).expect("dialects/seq/README.md");
    let missing: Vec<String> =
        irdl_ops().into_iter().filter(|op| !readme.contains(&format!("### `seq.{op}`"))).collect();
    assert!(missing.is_empty(), "ops without a `### `seq.<op>`` section in dialects/seq/README.md: {missing:?}");
}

#[test]
fn embedded_dialect_is_the_checked_in_file() {
    let on_disk = std::fs::read_to_string(root().join("dialects/seq/seq.irdl.mlir")).expect("irdl file");
    assert_eq!(on_disk, SEQ_IRDL);
}

#[test]
fn context_registers_every_op() {
    let ctx = SeqContext::new().expect("context");
    // A program using each op would be long; instead check IRDL rejects an unknown name and
    // accepts a known one with the same shape of text.
    let ok = "func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {\n  %y = \"seq.silu\"(%x) : (tensor<4x8xf32>) -> tensor<4x8xf32>\n  return %y : tensor<4x8xf32>\n}\n";
    assert!(ctx.parse(ok, "ok.mlir").is_ok());
    let bad = ok.replace("seq.silu", "seq.not_an_op");
    let err = ctx.parse(&bad, "bad.mlir").expect_err("unknown op must fail");
    assert_eq!(err.items[0].loc.as_ref().map(|l| (l.line, l.col)), Some((2, 8)));
}
