func.func @forward(%q: tensor<8x96xf32>, %k: tensor<8x64xf32>) -> tensor<8x96xf32> {
  %a = "seq.attention"(%q, %k, %k) {causal = true, num_heads = 6 : i64, num_kv_heads = 4 : i64, head_dim = 16 : i64, scale = 0.25 : f64} : (tensor<8x96xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x96xf32>
  return %a : tensor<8x96xf32>
}
