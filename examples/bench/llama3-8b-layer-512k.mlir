// One Llama-3-8B-shaped decoder layer on 524288 tokens (bf16): the benchmark's layer workload.
// Generated from DecoderConfig::llama3_8b().build_layer().
module {
  func.func @forward(%arg0: tensor<524288x4096xbf16>, %arg1: tensor<524288xi32>) -> (tensor<524288x4096xbf16>) {
    %0 = "seq.param"() {name = "model.layers.0.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %1 = "seq.rms_norm"(%arg0, %0) {eps = 1.0e-5 : f64} : (tensor<524288x4096xbf16>, tensor<4096xbf16>) -> tensor<524288x4096xbf16>
    %2 = "seq.param"() {name = "model.layers.0.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %3 = "seq.linear"(%1, %2) : (tensor<524288x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<524288x4096xbf16>
    %4 = "seq.param"() {name = "model.layers.0.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %5 = "seq.linear"(%1, %4) : (tensor<524288x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<524288x1024xbf16>
    %6 = "seq.param"() {name = "model.layers.0.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %7 = "seq.linear"(%1, %6) : (tensor<524288x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<524288x1024xbf16>
    %8 = "seq.rope"(%3, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<524288x4096xbf16>, tensor<524288xi32>) -> tensor<524288x4096xbf16>
    %9 = "seq.rope"(%5, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<524288x1024xbf16>, tensor<524288xi32>) -> tensor<524288x1024xbf16>
    %10 = "seq.attention"(%8, %9, %7) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<524288x4096xbf16>, tensor<524288x1024xbf16>, tensor<524288x1024xbf16>) -> tensor<524288x4096xbf16>
    %11 = "seq.param"() {name = "model.layers.0.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %12 = "seq.linear"(%10, %11) : (tensor<524288x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<524288x4096xbf16>
    %13 = "seq.add"(%arg0, %12) : (tensor<524288x4096xbf16>, tensor<524288x4096xbf16>) -> tensor<524288x4096xbf16>
    %14 = "seq.param"() {name = "model.layers.0.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %15 = "seq.rms_norm"(%13, %14) {eps = 1.0e-5 : f64} : (tensor<524288x4096xbf16>, tensor<4096xbf16>) -> tensor<524288x4096xbf16>
    %16 = "seq.param"() {name = "model.layers.0.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %17 = "seq.linear"(%15, %16) : (tensor<524288x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<524288x14336xbf16>
    %18 = "seq.param"() {name = "model.layers.0.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %19 = "seq.linear"(%15, %18) : (tensor<524288x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<524288x14336xbf16>
    %20 = "seq.swiglu"(%17, %19) : (tensor<524288x14336xbf16>, tensor<524288x14336xbf16>) -> tensor<524288x14336xbf16>
    %21 = "seq.param"() {name = "model.layers.0.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %22 = "seq.linear"(%20, %21) : (tensor<524288x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<524288x4096xbf16>
    %23 = "seq.add"(%13, %22) : (tensor<524288x4096xbf16>, tensor<524288x4096xbf16>) -> tensor<524288x4096xbf16>
    return %23 : tensor<524288x4096xbf16>
  }
}
