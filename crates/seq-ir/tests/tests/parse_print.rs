//! `*_parse_print.mlir`: parse, print, snapshot; the printed form parses back to the same program.

use super::{cases, read, settings};
use seq_ir::{PrintOptions, SeqContext, print_graph};

#[test]
fn parse_print_round_trips() {
    let ctx = SeqContext::new().expect("context");
    for case in cases("ir", "_parse_print.mlir") {
        let g = ctx.load(&read(&case), &case).unwrap_or_else(|d| panic!("{case}:\n{}", d.render()));
        let printed = print_graph(&g, PrintOptions::default());
        let again = ctx.load(&printed, "printed.mlir").unwrap_or_else(|d| panic!("reparse of {case}:\n{}", d.render()));
        assert_eq!(printed, print_graph(&again, PrintOptions::default()), "{case}: print is not a fixed point");
        let name = case.trim_start_matches("tests/ir/").trim_end_matches(".mlir").to_string();
        settings("ir").bind(|| insta::assert_snapshot!(name, printed));
    }
}

#[test]
fn locations_print_and_parse_back() {
    let ctx = SeqContext::new().expect("context");
    let case = "tests/ir/layer_parse_print.mlir";
    let g = ctx.load(&read(case), case).expect("valid");
    let printed = print_graph(&g, PrintOptions { locations: true });
    let again = ctx.load(&printed, "other.mlir").expect("valid");
    // The original file's locations survive a trip through printed text.
    let first = again.body_ops().next().and_then(|(_, op)| op.loc.clone()).expect("loc");
    assert_eq!((first.file.as_str(), first.line, first.col), (case, 3, 9));
}
