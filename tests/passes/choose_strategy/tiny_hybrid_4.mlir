// seqc-test: from=examples/tiny.mlir devices=4 strategy=hybrid
