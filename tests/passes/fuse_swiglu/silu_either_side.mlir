// mul(silu(g), u) and mul(u, silu(g)) both fuse.
func.func @forward(%g: tensor<8x32xf32>, %u: tensor<8x32xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>) {
  %s = "seq.silu"(%g) : (tensor<8x32xf32>) -> tensor<8x32xf32>
  %m = "seq.mul"(%s, %u) : (tensor<8x32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
  %s2 = "seq.silu"(%u) : (tensor<8x32xf32>) -> tensor<8x32xf32>
  %m2 = "seq.mul"(%g, %s2) : (tensor<8x32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
  return %m, %m2 : tensor<8x32xf32>, tensor<8x32xf32>
}
