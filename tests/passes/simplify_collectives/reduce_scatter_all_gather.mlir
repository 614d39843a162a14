// A weight-gradient style reduce-scatter then all-gather becomes one all-reduce.
func.func @forward(%w: tensor<64x16xf32>) -> tensor<64x16xf32> {
  %s = "seq.reduce_scatter"(%w) {dim = 0 : i64, reduction = "sum", axis = "sp", group_size = 4 : i64} : (tensor<64x16xf32>) -> tensor<16x16xf32>
  %g = "seq.all_gather"(%s) {dim = 0 : i64, axis = "sp", group_size = 4 : i64} : (tensor<16x16xf32>) -> tensor<64x16xf32>
  return %g : tensor<64x16xf32>
}
