// seqc-test: from=examples/tiny.mlir devices=3 strategy=ulysses
