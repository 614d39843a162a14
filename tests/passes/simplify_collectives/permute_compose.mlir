// Rotations compose (1 + 2 = 3 over 4 ranks); a rotation by its group size (2 on "ring") vanishes,
// and the "ulysses" rotation after it then applies to %x: rotations on different axes never compose.
func.func @forward(%x: tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) {
  %a = "seq.collective_permute"(%x) {shift = 1 : i64, axis = "sp", group_size = 4 : i64} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  %b = "seq.collective_permute"(%a) {shift = 2 : i64, axis = "sp", group_size = 4 : i64} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  %c = "seq.collective_permute"(%x) {shift = 2 : i64, axis = "ring", group_size = 2 : i64} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  %d = "seq.collective_permute"(%c) {shift = 1 : i64, axis = "ulysses", group_size = 2 : i64} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  return %b, %c, %d : tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>
}
