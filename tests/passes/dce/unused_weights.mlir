// An unused projection and its weight disappear; the used chain stays.
func.func @forward(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %w = "seq.param"() {name = "used.weight"} : () -> tensor<64x64xf32>
  %dead_w = "seq.param"() {name = "unused.weight"} : () -> tensor<32x64xf32>
  %dead = "seq.linear"(%x, %dead_w) : (tensor<8x64xf32>, tensor<32x64xf32>) -> tensor<8x32xf32>
  %dead2 = "seq.silu"(%dead) : (tensor<8x32xf32>) -> tensor<8x32xf32>
  %y = "seq.linear"(%x, %w) : (tensor<8x64xf32>, tensor<64x64xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}
