// seqc-test: from=examples/tiny.mlir devices=4 strategy=ulysses before=seq-choose-strategy,seq-shard-sequence
