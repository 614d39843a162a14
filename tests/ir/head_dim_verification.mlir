func.func @forward(%q: tensor<8x64xf32>, %k: tensor<8x32xf32>) -> tensor<8x64xf32> {
  %a = "seq.attention"(%q, %k, %k) {causal = true, num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 32 : i64, scale = 0.25 : f64} : (tensor<8x64xf32>, tensor<8x32xf32>, tensor<8x32xf32>) -> tensor<8x64xf32>
  return %a : tensor<8x64xf32>
}
