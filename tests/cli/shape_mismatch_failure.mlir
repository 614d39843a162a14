func.func @forward(%x: tensor<8x64xf32>, %z: tensor<8x32xf32>) -> tensor<8x64xf32> {
  %y = "seq.silu"(%x) : (tensor<8x64xf32>) -> tensor<8x64xf32>
  %s = "seq.add"(%y, %z) : (tensor<8x64xf32>, tensor<8x32xf32>) -> tensor<8x64xf32>
  return %s : tensor<8x64xf32>
}
