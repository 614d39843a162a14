// Sequence-to-heads and straight back again: both all-to-alls go.
func.func @forward(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %h = "seq.all_to_all"(%x) {split_dim = 1 : i64, concat_dim = 0 : i64, axis = "sp", group_size = 4 : i64} : (tensor<8x64xf32>) -> tensor<32x16xf32>
  %r = "seq.all_to_all"(%h) {split_dim = 0 : i64, concat_dim = 1 : i64, axis = "sp", group_size = 4 : i64} : (tensor<32x16xf32>) -> tensor<8x64xf32>
  %y = "seq.silu"(%r) : (tensor<8x64xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}
