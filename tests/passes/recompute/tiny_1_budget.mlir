// seqc-test: from=examples/tiny.mlir devices=1 strategy=replicate budget=1003468 before=seq-choose-strategy,seq-shard-sequence,seq-lower-attention,seq-simplify-collectives,seq-cse,seq-autodiff
