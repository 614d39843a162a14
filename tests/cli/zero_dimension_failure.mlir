func.func @forward(%q: tensor<0x64xf32>) -> tensor<0x64xf32> {
  %a = "seq.attention"(%q, %q, %q) {causal = true, num_heads = 4 : i64, num_kv_heads = 4 : i64, head_dim = 16 : i64, scale = 0.25 : f64} : (tensor<0x64xf32>, tensor<0x64xf32>, tensor<0x64xf32>) -> tensor<0x64xf32>
  return %a : tensor<0x64xf32>
}
