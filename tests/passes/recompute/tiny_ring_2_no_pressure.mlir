// seqc-test: from=examples/tiny.mlir devices=2 strategy=ring before=seq-choose-strategy,seq-shard-sequence,seq-lower-attention,seq-simplify-collectives,seq-cse,seq-autodiff
