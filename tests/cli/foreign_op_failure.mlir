func.func @forward(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %y = "tosa.tanh"(%x) : (tensor<8x64xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}
