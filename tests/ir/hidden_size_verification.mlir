func.func @forward(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %w = "seq.param"() {name = "norm.weight"} : () -> tensor<32xf32>
  %y = "seq.rms_norm"(%x, %w) {eps = 1.0e-5 : f64} : (tensor<8x64xf32>, tensor<32xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}
