// A ring: each rotation feeds its own step, so composing them would save no collective; the
// chain of rotations by one is kept.
func.func @forward(%kv: tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %kv1 = "seq.collective_permute"(%kv) {shift = 1 : i64, axis = "sp", group_size = 4 : i64} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  %s1 = "seq.silu"(%kv1) : (tensor<8x64xf32>) -> tensor<8x64xf32>
  %kv2 = "seq.collective_permute"(%kv1) {shift = 1 : i64, axis = "sp", group_size = 4 : i64} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  %s2 = "seq.silu"(%kv2) : (tensor<8x64xf32>) -> tensor<8x64xf32>
  return %s1, %s2 : tensor<8x64xf32>, tensor<8x64xf32>
}
