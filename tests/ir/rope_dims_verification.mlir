func.func @forward(%x: tensor<8x60xf32>, %pos: tensor<8xi32>) -> tensor<8x60xf32> {
  %y = "seq.rope"(%x, %pos) {head_dim = 15 : i64, theta = 10000.0 : f64} : (tensor<8x60xf32>, tensor<8xi32>) -> tensor<8x60xf32>
  return %y : tensor<8x60xf32>
}
