// seqc-test: from=examples/tiny.mlir devices=4 strategy=ring before=seq-choose-strategy
