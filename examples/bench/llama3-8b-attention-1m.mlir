// Llama-3-8B-shaped causal attention alone (32 heads, 8 KV heads, head dim 128) on 1048576 tokens.
// Generated from DecoderConfig::llama3_8b().build_attention().
module {
  func.func @forward(%arg0: tensor<1048576x4096xbf16>, %arg1: tensor<1048576x1024xbf16>, %arg2: tensor<1048576x1024xbf16>) -> (tensor<1048576x4096xbf16>) {
    %0 = "seq.attention"(%arg0, %arg1, %arg2) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<1048576x4096xbf16>, tensor<1048576x1024xbf16>, tensor<1048576x1024xbf16>) -> tensor<1048576x4096xbf16>
    return %0 : tensor<1048576x4096xbf16>
  }
}
