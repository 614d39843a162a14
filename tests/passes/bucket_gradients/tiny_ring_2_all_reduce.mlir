// seqc-test: from=examples/tiny.mlir devices=2 strategy=ring grad_reduce=all-reduce before=seq-choose-strategy,seq-shard-sequence,seq-lower-attention,seq-simplify-collectives,seq-cse,seq-autodiff
