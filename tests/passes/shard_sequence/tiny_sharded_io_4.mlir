// seqc-test: from=examples/tiny.mlir devices=4 strategy=ring sharded_io=true before=seq-choose-strategy
