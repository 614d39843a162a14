// seqc-test: from=examples/tiny.mlir devices=8
