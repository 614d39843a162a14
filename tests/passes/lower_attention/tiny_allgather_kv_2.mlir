// seqc-test: from=examples/tiny.mlir devices=2 strategy=allgather-kv before=seq-choose-strategy,seq-shard-sequence
