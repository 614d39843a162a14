// seqc-test: from=examples/tiny.mlir devices=3 strategy=ring before=seq-choose-strategy,seq-shard-sequence
