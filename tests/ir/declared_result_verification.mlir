func.func @forward(%x: tensor<8x64xf32>) -> tensor<8x32xf32> {
  %w = "seq.param"() {name = "proj.weight"} : () -> tensor<48x64xf32>
  %y = "seq.linear"(%x, %w) : (tensor<8x64xf32>, tensor<48x64xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}
