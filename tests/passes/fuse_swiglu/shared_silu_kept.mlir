// A silu with another user is not fused: fusing would compute it twice.
func.func @forward(%g: tensor<8x32xf32>, %u: tensor<8x32xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>) {
  %s = "seq.silu"(%g) : (tensor<8x32xf32>) -> tensor<8x32xf32>
  %m = "seq.mul"(%s, %u) : (tensor<8x32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
  return %m, %s : tensor<8x32xf32>, tensor<8x32xf32>
}
