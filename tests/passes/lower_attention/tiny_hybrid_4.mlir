// seqc-test: from=examples/tiny.mlir devices=4 strategy=hybrid before=seq-choose-strategy,seq-shard-sequence
