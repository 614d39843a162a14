// A 2-layer Llama-style decoder (hidden 64, 4 heads, 2 KV heads, 64 tokens, f32): small enough
// to run on the CPU backend in tests. Generated from DecoderConfig::tiny().
module {
  func.func @forward(%arg0: tensor<64xi32>, %arg1: tensor<64xi32>) -> (tensor<64x256xf32>) {
    %0 = "seq.param"() {name = "model.embed_tokens.weight"} : () -> tensor<256x64xf32>
    %1 = "seq.embedding"(%arg0, %0) : (tensor<64xi32>, tensor<256x64xf32>) -> tensor<64x64xf32>
    %2 = "seq.param"() {name = "model.layers.0.input_layernorm.weight"} : () -> tensor<64xf32>
    %3 = "seq.rms_norm"(%1, %2) {eps = 1.0e-5 : f64} : (tensor<64x64xf32>, tensor<64xf32>) -> tensor<64x64xf32>
    %4 = "seq.param"() {name = "model.layers.0.self_attn.q_proj.weight"} : () -> tensor<64x64xf32>
    %5 = "seq.linear"(%3, %4) : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
    %6 = "seq.param"() {name = "model.layers.0.self_attn.k_proj.weight"} : () -> tensor<32x64xf32>
    %7 = "seq.linear"(%3, %6) : (tensor<64x64xf32>, tensor<32x64xf32>) -> tensor<64x32xf32>
    %8 = "seq.param"() {name = "model.layers.0.self_attn.v_proj.weight"} : () -> tensor<32x64xf32>
    %9 = "seq.linear"(%3, %8) : (tensor<64x64xf32>, tensor<32x64xf32>) -> tensor<64x32xf32>
    %10 = "seq.rope"(%5, %arg1) {head_dim = 16 : i64, theta = 10000.0 : f64} : (tensor<64x64xf32>, tensor<64xi32>) -> tensor<64x64xf32>
    %11 = "seq.rope"(%7, %arg1) {head_dim = 16 : i64, theta = 10000.0 : f64} : (tensor<64x32xf32>, tensor<64xi32>) -> tensor<64x32xf32>
    %12 = "seq.attention"(%10, %11, %9) {causal = true, head_dim = 16 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 0.25 : f64} : (tensor<64x64xf32>, tensor<64x32xf32>, tensor<64x32xf32>) -> tensor<64x64xf32>
    %13 = "seq.param"() {name = "model.layers.0.self_attn.o_proj.weight"} : () -> tensor<64x64xf32>
    %14 = "seq.linear"(%12, %13) : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
    %15 = "seq.add"(%1, %14) : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
    %16 = "seq.param"() {name = "model.layers.0.post_attention_layernorm.weight"} : () -> tensor<64xf32>
    %17 = "seq.rms_norm"(%15, %16) {eps = 1.0e-5 : f64} : (tensor<64x64xf32>, tensor<64xf32>) -> tensor<64x64xf32>
    %18 = "seq.param"() {name = "model.layers.0.mlp.gate_proj.weight"} : () -> tensor<128x64xf32>
    %19 = "seq.linear"(%17, %18) : (tensor<64x64xf32>, tensor<128x64xf32>) -> tensor<64x128xf32>
    %20 = "seq.param"() {name = "model.layers.0.mlp.up_proj.weight"} : () -> tensor<128x64xf32>
    %21 = "seq.linear"(%17, %20) : (tensor<64x64xf32>, tensor<128x64xf32>) -> tensor<64x128xf32>
    %22 = "seq.swiglu"(%19, %21) : (tensor<64x128xf32>, tensor<64x128xf32>) -> tensor<64x128xf32>
    %23 = "seq.param"() {name = "model.layers.0.mlp.down_proj.weight"} : () -> tensor<64x128xf32>
    %24 = "seq.linear"(%22, %23) : (tensor<64x128xf32>, tensor<64x128xf32>) -> tensor<64x64xf32>
    %25 = "seq.add"(%15, %24) : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
    %26 = "seq.param"() {name = "model.layers.1.input_layernorm.weight"} : () -> tensor<64xf32>
    %27 = "seq.rms_norm"(%25, %26) {eps = 1.0e-5 : f64} : (tensor<64x64xf32>, tensor<64xf32>) -> tensor<64x64xf32>
    %28 = "seq.param"() {name = "model.layers.1.self_attn.q_proj.weight"} : () -> tensor<64x64xf32>
    %29 = "seq.linear"(%27, %28) : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
    %30 = "seq.param"() {name = "model.layers.1.self_attn.k_proj.weight"} : () -> tensor<32x64xf32>
    %31 = "seq.linear"(%27, %30) : (tensor<64x64xf32>, tensor<32x64xf32>) -> tensor<64x32xf32>
    %32 = "seq.param"() {name = "model.layers.1.self_attn.v_proj.weight"} : () -> tensor<32x64xf32>
    %33 = "seq.linear"(%27, %32) : (tensor<64x64xf32>, tensor<32x64xf32>) -> tensor<64x32xf32>
    %34 = "seq.rope"(%29, %arg1) {head_dim = 16 : i64, theta = 10000.0 : f64} : (tensor<64x64xf32>, tensor<64xi32>) -> tensor<64x64xf32>
    %35 = "seq.rope"(%31, %arg1) {head_dim = 16 : i64, theta = 10000.0 : f64} : (tensor<64x32xf32>, tensor<64xi32>) -> tensor<64x32xf32>
    %36 = "seq.attention"(%34, %35, %33) {causal = true, head_dim = 16 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 0.25 : f64} : (tensor<64x64xf32>, tensor<64x32xf32>, tensor<64x32xf32>) -> tensor<64x64xf32>
    %37 = "seq.param"() {name = "model.layers.1.self_attn.o_proj.weight"} : () -> tensor<64x64xf32>
    %38 = "seq.linear"(%36, %37) : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
    %39 = "seq.add"(%25, %38) : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
    %40 = "seq.param"() {name = "model.layers.1.post_attention_layernorm.weight"} : () -> tensor<64xf32>
    %41 = "seq.rms_norm"(%39, %40) {eps = 1.0e-5 : f64} : (tensor<64x64xf32>, tensor<64xf32>) -> tensor<64x64xf32>
    %42 = "seq.param"() {name = "model.layers.1.mlp.gate_proj.weight"} : () -> tensor<128x64xf32>
    %43 = "seq.linear"(%41, %42) : (tensor<64x64xf32>, tensor<128x64xf32>) -> tensor<64x128xf32>
    %44 = "seq.param"() {name = "model.layers.1.mlp.up_proj.weight"} : () -> tensor<128x64xf32>
    %45 = "seq.linear"(%41, %44) : (tensor<64x64xf32>, tensor<128x64xf32>) -> tensor<64x128xf32>
    %46 = "seq.swiglu"(%43, %45) : (tensor<64x128xf32>, tensor<64x128xf32>) -> tensor<64x128xf32>
    %47 = "seq.param"() {name = "model.layers.1.mlp.down_proj.weight"} : () -> tensor<64x128xf32>
    %48 = "seq.linear"(%46, %47) : (tensor<64x128xf32>, tensor<64x128xf32>) -> tensor<64x64xf32>
    %49 = "seq.add"(%39, %48) : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
    %50 = "seq.param"() {name = "model.norm.weight"} : () -> tensor<64xf32>
    %51 = "seq.rms_norm"(%49, %50) {eps = 1.0e-5 : f64} : (tensor<64x64xf32>, tensor<64xf32>) -> tensor<64x64xf32>
    %52 = "seq.param"() {name = "lm_head.weight"} : () -> tensor<256x64xf32>
    %53 = "seq.logits"(%51, %52) : (tensor<64x64xf32>, tensor<256x64xf32>) -> tensor<64x256xf32>
    return %53 : tensor<64x256xf32>
  }
}
