//! `*_verification.mlir`: each file breaks one rule; the rendered diagnostic is pinned.

use super::{cases, read, settings};
use seq_ir::SeqContext;

#[test]
fn verification_failures_are_located() {
    let ctx = SeqContext::new().expect("context");
    for case in cases("ir", "_verification.mlir") {
        let err = ctx.load(&read(&case), &case).expect_err(&case);
        let first = &err.items[0];
        let loc = first.loc.as_ref().unwrap_or_else(|| panic!("{case}: diagnostic without location"));
        assert_eq!(loc.file, case);
        let name = case.trim_start_matches("tests/ir/").trim_end_matches(".mlir").to_string();
        settings("ir").bind(|| insta::assert_snapshot!(name, err.render()));
    }
}
