func.func @forward(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %t = "seq.async_start"(%x) {collective = "seq.all_gather", dim = 0 : i64, axis = "sp", group_size = 4 : i64, stream = 1 : i64} : (tensor<8x64xf32>) -> !seq.token
  %y = "seq.async_wait"(%t) : (!seq.token) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}
