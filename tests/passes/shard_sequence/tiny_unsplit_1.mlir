// seqc-test: from=examples/tiny.mlir devices=1 before=seq-choose-strategy
