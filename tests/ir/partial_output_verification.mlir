func.func @forward(%q: tensor<6x32xbf16>, %k: tensor<6x16xbf16>, %ti: tensor<6xi32>) -> tensor<6x32xf16> {
  %o:2 = "seq.attention_partial"(%q, %k, %k, %ti, %ti) {causal = true, num_heads = 2 : i64, num_kv_heads = 1 : i64, head_dim = 16 : i64, scale = 0.25 : f64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>} : (tensor<6x32xbf16>, tensor<6x16xbf16>, tensor<6x16xbf16>, tensor<6xi32>, tensor<6xi32>) -> (tensor<6x32xf16>, tensor<6x2xf32>)
  return %o#0 : tensor<6x32xf16>
}
