// A two-result op stays while either result is used.
func.func @forward(%q: tensor<4x32xf32>, %k: tensor<4x16xf32>, %i: tensor<4xi32>) -> tensor<4x2xf32> {
  %p:2 = "seq.attention_partial"(%q, %k, %k, %i, %i) {causal = true, num_heads = 2 : i64, num_kv_heads = 1 : i64, head_dim = 16 : i64, scale = 0.25 : f64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>} : (tensor<4x32xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4xi32>, tensor<4xi32>) -> (tensor<4x32xf32>, tensor<4x2xf32>)
  return %p#1 : tensor<4x2xf32>
}
