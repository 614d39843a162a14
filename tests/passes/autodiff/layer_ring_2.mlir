// seqc-test: devices=2 strategy=ring before=seq-choose-strategy,seq-shard-sequence,seq-lower-attention,seq-simplify-collectives,seq-cse
// A program whose result is not logits (a layer's attention block): the step is its
// vector-Jacobian product, (x, positions, output_grad) -> (output, input_grad.0, gradients).
module {
  func.func @forward(%x: tensor<10x16xf32>, %pos: tensor<10xi32>) -> (tensor<10x16xf32>) {
    %nw = "seq.param"() {name = "norm.weight"} : () -> tensor<16xf32>
    %n = "seq.rms_norm"(%x, %nw) {eps = 1.0e-5 : f64} : (tensor<10x16xf32>, tensor<16xf32>) -> tensor<10x16xf32>
    %wq = "seq.param"() {name = "q.weight"} : () -> tensor<16x16xf32>
    %q = "seq.linear"(%n, %wq) : (tensor<10x16xf32>, tensor<16x16xf32>) -> tensor<10x16xf32>
    %wk = "seq.param"() {name = "k.weight"} : () -> tensor<8x16xf32>
    %k = "seq.linear"(%n, %wk) : (tensor<10x16xf32>, tensor<8x16xf32>) -> tensor<10x8xf32>
    %wv = "seq.param"() {name = "v.weight"} : () -> tensor<8x16xf32>
    %v = "seq.linear"(%n, %wv) : (tensor<10x16xf32>, tensor<8x16xf32>) -> tensor<10x8xf32>
    %qr = "seq.rope"(%q, %pos) {head_dim = 4 : i64, theta = 10000.0 : f64} : (tensor<10x16xf32>, tensor<10xi32>) -> tensor<10x16xf32>
    %kr = "seq.rope"(%k, %pos) {head_dim = 4 : i64, theta = 10000.0 : f64} : (tensor<10x8xf32>, tensor<10xi32>) -> tensor<10x8xf32>
    %a = "seq.attention"(%qr, %kr, %v) {causal = true, head_dim = 4 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 0.5 : f64} : (tensor<10x16xf32>, tensor<10x8xf32>, tensor<10x8xf32>) -> tensor<10x16xf32>
    %y = "seq.add"(%x, %a) : (tensor<10x16xf32>, tensor<10x16xf32>) -> tensor<10x16xf32>
    return %y : tensor<10x16xf32>
  }
}
