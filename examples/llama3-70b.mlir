// Llama-3-70B-shaped decoder: 80 layers, hidden 8192, 64 heads, 8 KV heads, head dim 128,
// FFN 28672, vocab 128256, 131072 tokens, bf16. Generated from DecoderConfig::llama3_70b().
module {
  func.func @forward(%arg0: tensor<131072xi32>, %arg1: tensor<131072xi32>) -> (tensor<131072x128256xbf16>) {
    %0 = "seq.param"() {name = "model.embed_tokens.weight"} : () -> tensor<128256x8192xbf16>
    %1 = "seq.embedding"(%arg0, %0) : (tensor<131072xi32>, tensor<128256x8192xbf16>) -> tensor<131072x8192xbf16>
    %2 = "seq.param"() {name = "model.layers.0.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %3 = "seq.rms_norm"(%1, %2) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %4 = "seq.param"() {name = "model.layers.0.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %5 = "seq.linear"(%3, %4) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %6 = "seq.param"() {name = "model.layers.0.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %7 = "seq.linear"(%3, %6) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %8 = "seq.param"() {name = "model.layers.0.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %9 = "seq.linear"(%3, %8) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %10 = "seq.rope"(%5, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %11 = "seq.rope"(%7, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %12 = "seq.attention"(%10, %11, %9) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %13 = "seq.param"() {name = "model.layers.0.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %14 = "seq.linear"(%12, %13) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %15 = "seq.add"(%1, %14) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %16 = "seq.param"() {name = "model.layers.0.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %17 = "seq.rms_norm"(%15, %16) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %18 = "seq.param"() {name = "model.layers.0.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %19 = "seq.linear"(%17, %18) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %20 = "seq.param"() {name = "model.layers.0.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %21 = "seq.linear"(%17, %20) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %22 = "seq.swiglu"(%19, %21) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %23 = "seq.param"() {name = "model.layers.0.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %24 = "seq.linear"(%22, %23) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %25 = "seq.add"(%15, %24) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %26 = "seq.param"() {name = "model.layers.1.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %27 = "seq.rms_norm"(%25, %26) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %28 = "seq.param"() {name = "model.layers.1.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %29 = "seq.linear"(%27, %28) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %30 = "seq.param"() {name = "model.layers.1.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %31 = "seq.linear"(%27, %30) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %32 = "seq.param"() {name = "model.layers.1.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %33 = "seq.linear"(%27, %32) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %34 = "seq.rope"(%29, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %35 = "seq.rope"(%31, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %36 = "seq.attention"(%34, %35, %33) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %37 = "seq.param"() {name = "model.layers.1.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %38 = "seq.linear"(%36, %37) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %39 = "seq.add"(%25, %38) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %40 = "seq.param"() {name = "model.layers.1.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %41 = "seq.rms_norm"(%39, %40) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %42 = "seq.param"() {name = "model.layers.1.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %43 = "seq.linear"(%41, %42) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %44 = "seq.param"() {name = "model.layers.1.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %45 = "seq.linear"(%41, %44) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %46 = "seq.swiglu"(%43, %45) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %47 = "seq.param"() {name = "model.layers.1.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %48 = "seq.linear"(%46, %47) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %49 = "seq.add"(%39, %48) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %50 = "seq.param"() {name = "model.layers.2.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %51 = "seq.rms_norm"(%49, %50) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %52 = "seq.param"() {name = "model.layers.2.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %53 = "seq.linear"(%51, %52) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %54 = "seq.param"() {name = "model.layers.2.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %55 = "seq.linear"(%51, %54) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %56 = "seq.param"() {name = "model.layers.2.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %57 = "seq.linear"(%51, %56) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %58 = "seq.rope"(%53, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %59 = "seq.rope"(%55, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %60 = "seq.attention"(%58, %59, %57) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %61 = "seq.param"() {name = "model.layers.2.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %62 = "seq.linear"(%60, %61) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %63 = "seq.add"(%49, %62) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %64 = "seq.param"() {name = "model.layers.2.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %65 = "seq.rms_norm"(%63, %64) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %66 = "seq.param"() {name = "model.layers.2.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %67 = "seq.linear"(%65, %66) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %68 = "seq.param"() {name = "model.layers.2.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %69 = "seq.linear"(%65, %68) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %70 = "seq.swiglu"(%67, %69) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %71 = "seq.param"() {name = "model.layers.2.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %72 = "seq.linear"(%70, %71) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %73 = "seq.add"(%63, %72) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %74 = "seq.param"() {name = "model.layers.3.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %75 = "seq.rms_norm"(%73, %74) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %76 = "seq.param"() {name = "model.layers.3.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %77 = "seq.linear"(%75, %76) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %78 = "seq.param"() {name = "model.layers.3.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %79 = "seq.linear"(%75, %78) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %80 = "seq.param"() {name = "model.layers.3.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %81 = "seq.linear"(%75, %80) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %82 = "seq.rope"(%77, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %83 = "seq.rope"(%79, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %84 = "seq.attention"(%82, %83, %81) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %85 = "seq.param"() {name = "model.layers.3.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %86 = "seq.linear"(%84, %85) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %87 = "seq.add"(%73, %86) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %88 = "seq.param"() {name = "model.layers.3.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %89 = "seq.rms_norm"(%87, %88) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %90 = "seq.param"() {name = "model.layers.3.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %91 = "seq.linear"(%89, %90) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %92 = "seq.param"() {name = "model.layers.3.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %93 = "seq.linear"(%89, %92) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %94 = "seq.swiglu"(%91, %93) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %95 = "seq.param"() {name = "model.layers.3.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %96 = "seq.linear"(%94, %95) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %97 = "seq.add"(%87, %96) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %98 = "seq.param"() {name = "model.layers.4.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %99 = "seq.rms_norm"(%97, %98) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %100 = "seq.param"() {name = "model.layers.4.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %101 = "seq.linear"(%99, %100) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %102 = "seq.param"() {name = "model.layers.4.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %103 = "seq.linear"(%99, %102) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %104 = "seq.param"() {name = "model.layers.4.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %105 = "seq.linear"(%99, %104) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %106 = "seq.rope"(%101, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %107 = "seq.rope"(%103, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %108 = "seq.attention"(%106, %107, %105) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %109 = "seq.param"() {name = "model.layers.4.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %110 = "seq.linear"(%108, %109) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %111 = "seq.add"(%97, %110) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %112 = "seq.param"() {name = "model.layers.4.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %113 = "seq.rms_norm"(%111, %112) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %114 = "seq.param"() {name = "model.layers.4.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %115 = "seq.linear"(%113, %114) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %116 = "seq.param"() {name = "model.layers.4.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %117 = "seq.linear"(%113, %116) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %118 = "seq.swiglu"(%115, %117) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %119 = "seq.param"() {name = "model.layers.4.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %120 = "seq.linear"(%118, %119) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %121 = "seq.add"(%111, %120) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %122 = "seq.param"() {name = "model.layers.5.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %123 = "seq.rms_norm"(%121, %122) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %124 = "seq.param"() {name = "model.layers.5.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %125 = "seq.linear"(%123, %124) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %126 = "seq.param"() {name = "model.layers.5.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %127 = "seq.linear"(%123, %126) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %128 = "seq.param"() {name = "model.layers.5.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %129 = "seq.linear"(%123, %128) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %130 = "seq.rope"(%125, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %131 = "seq.rope"(%127, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %132 = "seq.attention"(%130, %131, %129) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %133 = "seq.param"() {name = "model.layers.5.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %134 = "seq.linear"(%132, %133) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %135 = "seq.add"(%121, %134) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %136 = "seq.param"() {name = "model.layers.5.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %137 = "seq.rms_norm"(%135, %136) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %138 = "seq.param"() {name = "model.layers.5.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %139 = "seq.linear"(%137, %138) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %140 = "seq.param"() {name = "model.layers.5.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %141 = "seq.linear"(%137, %140) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %142 = "seq.swiglu"(%139, %141) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %143 = "seq.param"() {name = "model.layers.5.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %144 = "seq.linear"(%142, %143) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %145 = "seq.add"(%135, %144) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %146 = "seq.param"() {name = "model.layers.6.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %147 = "seq.rms_norm"(%145, %146) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %148 = "seq.param"() {name = "model.layers.6.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %149 = "seq.linear"(%147, %148) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %150 = "seq.param"() {name = "model.layers.6.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %151 = "seq.linear"(%147, %150) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %152 = "seq.param"() {name = "model.layers.6.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %153 = "seq.linear"(%147, %152) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %154 = "seq.rope"(%149, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %155 = "seq.rope"(%151, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %156 = "seq.attention"(%154, %155, %153) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %157 = "seq.param"() {name = "model.layers.6.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %158 = "seq.linear"(%156, %157) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %159 = "seq.add"(%145, %158) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %160 = "seq.param"() {name = "model.layers.6.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %161 = "seq.rms_norm"(%159, %160) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %162 = "seq.param"() {name = "model.layers.6.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %163 = "seq.linear"(%161, %162) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %164 = "seq.param"() {name = "model.layers.6.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %165 = "seq.linear"(%161, %164) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %166 = "seq.swiglu"(%163, %165) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %167 = "seq.param"() {name = "model.layers.6.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %168 = "seq.linear"(%166, %167) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %169 = "seq.add"(%159, %168) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %170 = "seq.param"() {name = "model.layers.7.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %171 = "seq.rms_norm"(%169, %170) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %172 = "seq.param"() {name = "model.layers.7.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %173 = "seq.linear"(%171, %172) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %174 = "seq.param"() {name = "model.layers.7.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %175 = "seq.linear"(%171, %174) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %176 = "seq.param"() {name = "model.layers.7.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %177 = "seq.linear"(%171, %176) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %178 = "seq.rope"(%173, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %179 = "seq.rope"(%175, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %180 = "seq.attention"(%178, %179, %177) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %181 = "seq.param"() {name = "model.layers.7.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %182 = "seq.linear"(%180, %181) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %183 = "seq.add"(%169, %182) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %184 = "seq.param"() {name = "model.layers.7.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %185 = "seq.rms_norm"(%183, %184) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %186 = "seq.param"() {name = "model.layers.7.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %187 = "seq.linear"(%185, %186) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %188 = "seq.param"() {name = "model.layers.7.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %189 = "seq.linear"(%185, %188) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %190 = "seq.swiglu"(%187, %189) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %191 = "seq.param"() {name = "model.layers.7.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %192 = "seq.linear"(%190, %191) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %193 = "seq.add"(%183, %192) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %194 = "seq.param"() {name = "model.layers.8.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %195 = "seq.rms_norm"(%193, %194) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %196 = "seq.param"() {name = "model.layers.8.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %197 = "seq.linear"(%195, %196) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %198 = "seq.param"() {name = "model.layers.8.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %199 = "seq.linear"(%195, %198) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %200 = "seq.param"() {name = "model.layers.8.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %201 = "seq.linear"(%195, %200) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %202 = "seq.rope"(%197, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %203 = "seq.rope"(%199, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %204 = "seq.attention"(%202, %203, %201) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %205 = "seq.param"() {name = "model.layers.8.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %206 = "seq.linear"(%204, %205) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %207 = "seq.add"(%193, %206) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %208 = "seq.param"() {name = "model.layers.8.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %209 = "seq.rms_norm"(%207, %208) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %210 = "seq.param"() {name = "model.layers.8.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %211 = "seq.linear"(%209, %210) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %212 = "seq.param"() {name = "model.layers.8.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %213 = "seq.linear"(%209, %212) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %214 = "seq.swiglu"(%211, %213) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %215 = "seq.param"() {name = "model.layers.8.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %216 = "seq.linear"(%214, %215) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %217 = "seq.add"(%207, %216) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %218 = "seq.param"() {name = "model.layers.9.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %219 = "seq.rms_norm"(%217, %218) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %220 = "seq.param"() {name = "model.layers.9.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %221 = "seq.linear"(%219, %220) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %222 = "seq.param"() {name = "model.layers.9.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %223 = "seq.linear"(%219, %222) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %224 = "seq.param"() {name = "model.layers.9.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %225 = "seq.linear"(%219, %224) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %226 = "seq.rope"(%221, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %227 = "seq.rope"(%223, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %228 = "seq.attention"(%226, %227, %225) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %229 = "seq.param"() {name = "model.layers.9.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %230 = "seq.linear"(%228, %229) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %231 = "seq.add"(%217, %230) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %232 = "seq.param"() {name = "model.layers.9.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %233 = "seq.rms_norm"(%231, %232) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %234 = "seq.param"() {name = "model.layers.9.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %235 = "seq.linear"(%233, %234) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %236 = "seq.param"() {name = "model.layers.9.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %237 = "seq.linear"(%233, %236) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %238 = "seq.swiglu"(%235, %237) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %239 = "seq.param"() {name = "model.layers.9.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %240 = "seq.linear"(%238, %239) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %241 = "seq.add"(%231, %240) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %242 = "seq.param"() {name = "model.layers.10.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %243 = "seq.rms_norm"(%241, %242) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %244 = "seq.param"() {name = "model.layers.10.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %245 = "seq.linear"(%243, %244) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %246 = "seq.param"() {name = "model.layers.10.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %247 = "seq.linear"(%243, %246) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %248 = "seq.param"() {name = "model.layers.10.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %249 = "seq.linear"(%243, %248) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %250 = "seq.rope"(%245, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %251 = "seq.rope"(%247, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %252 = "seq.attention"(%250, %251, %249) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %253 = "seq.param"() {name = "model.layers.10.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %254 = "seq.linear"(%252, %253) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %255 = "seq.add"(%241, %254) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %256 = "seq.param"() {name = "model.layers.10.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %257 = "seq.rms_norm"(%255, %256) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %258 = "seq.param"() {name = "model.layers.10.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %259 = "seq.linear"(%257, %258) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %260 = "seq.param"() {name = "model.layers.10.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %261 = "seq.linear"(%257, %260) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %262 = "seq.swiglu"(%259, %261) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %263 = "seq.param"() {name = "model.layers.10.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %264 = "seq.linear"(%262, %263) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %265 = "seq.add"(%255, %264) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %266 = "seq.param"() {name = "model.layers.11.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %267 = "seq.rms_norm"(%265, %266) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %268 = "seq.param"() {name = "model.layers.11.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %269 = "seq.linear"(%267, %268) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %270 = "seq.param"() {name = "model.layers.11.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %271 = "seq.linear"(%267, %270) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %272 = "seq.param"() {name = "model.layers.11.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %273 = "seq.linear"(%267, %272) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %274 = "seq.rope"(%269, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %275 = "seq.rope"(%271, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %276 = "seq.attention"(%274, %275, %273) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %277 = "seq.param"() {name = "model.layers.11.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %278 = "seq.linear"(%276, %277) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %279 = "seq.add"(%265, %278) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %280 = "seq.param"() {name = "model.layers.11.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %281 = "seq.rms_norm"(%279, %280) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %282 = "seq.param"() {name = "model.layers.11.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %283 = "seq.linear"(%281, %282) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %284 = "seq.param"() {name = "model.layers.11.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %285 = "seq.linear"(%281, %284) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %286 = "seq.swiglu"(%283, %285) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %287 = "seq.param"() {name = "model.layers.11.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %288 = "seq.linear"(%286, %287) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %289 = "seq.add"(%279, %288) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %290 = "seq.param"() {name = "model.layers.12.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %291 = "seq.rms_norm"(%289, %290) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %292 = "seq.param"() {name = "model.layers.12.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %293 = "seq.linear"(%291, %292) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %294 = "seq.param"() {name = "model.layers.12.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %295 = "seq.linear"(%291, %294) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %296 = "seq.param"() {name = "model.layers.12.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %297 = "seq.linear"(%291, %296) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %298 = "seq.rope"(%293, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %299 = "seq.rope"(%295, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %300 = "seq.attention"(%298, %299, %297) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %301 = "seq.param"() {name = "model.layers.12.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %302 = "seq.linear"(%300, %301) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %303 = "seq.add"(%289, %302) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %304 = "seq.param"() {name = "model.layers.12.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %305 = "seq.rms_norm"(%303, %304) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %306 = "seq.param"() {name = "model.layers.12.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %307 = "seq.linear"(%305, %306) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %308 = "seq.param"() {name = "model.layers.12.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %309 = "seq.linear"(%305, %308) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %310 = "seq.swiglu"(%307, %309) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %311 = "seq.param"() {name = "model.layers.12.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %312 = "seq.linear"(%310, %311) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %313 = "seq.add"(%303, %312) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %314 = "seq.param"() {name = "model.layers.13.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %315 = "seq.rms_norm"(%313, %314) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %316 = "seq.param"() {name = "model.layers.13.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %317 = "seq.linear"(%315, %316) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %318 = "seq.param"() {name = "model.layers.13.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %319 = "seq.linear"(%315, %318) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %320 = "seq.param"() {name = "model.layers.13.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %321 = "seq.linear"(%315, %320) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %322 = "seq.rope"(%317, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %323 = "seq.rope"(%319, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %324 = "seq.attention"(%322, %323, %321) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %325 = "seq.param"() {name = "model.layers.13.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %326 = "seq.linear"(%324, %325) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %327 = "seq.add"(%313, %326) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %328 = "seq.param"() {name = "model.layers.13.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %329 = "seq.rms_norm"(%327, %328) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %330 = "seq.param"() {name = "model.layers.13.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %331 = "seq.linear"(%329, %330) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %332 = "seq.param"() {name = "model.layers.13.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %333 = "seq.linear"(%329, %332) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %334 = "seq.swiglu"(%331, %333) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %335 = "seq.param"() {name = "model.layers.13.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %336 = "seq.linear"(%334, %335) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %337 = "seq.add"(%327, %336) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %338 = "seq.param"() {name = "model.layers.14.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %339 = "seq.rms_norm"(%337, %338) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %340 = "seq.param"() {name = "model.layers.14.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %341 = "seq.linear"(%339, %340) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %342 = "seq.param"() {name = "model.layers.14.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %343 = "seq.linear"(%339, %342) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %344 = "seq.param"() {name = "model.layers.14.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %345 = "seq.linear"(%339, %344) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %346 = "seq.rope"(%341, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %347 = "seq.rope"(%343, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %348 = "seq.attention"(%346, %347, %345) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %349 = "seq.param"() {name = "model.layers.14.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %350 = "seq.linear"(%348, %349) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %351 = "seq.add"(%337, %350) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %352 = "seq.param"() {name = "model.layers.14.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %353 = "seq.rms_norm"(%351, %352) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %354 = "seq.param"() {name = "model.layers.14.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %355 = "seq.linear"(%353, %354) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %356 = "seq.param"() {name = "model.layers.14.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %357 = "seq.linear"(%353, %356) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %358 = "seq.swiglu"(%355, %357) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %359 = "seq.param"() {name = "model.layers.14.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %360 = "seq.linear"(%358, %359) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %361 = "seq.add"(%351, %360) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %362 = "seq.param"() {name = "model.layers.15.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %363 = "seq.rms_norm"(%361, %362) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %364 = "seq.param"() {name = "model.layers.15.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %365 = "seq.linear"(%363, %364) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %366 = "seq.param"() {name = "model.layers.15.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %367 = "seq.linear"(%363, %366) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %368 = "seq.param"() {name = "model.layers.15.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %369 = "seq.linear"(%363, %368) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %370 = "seq.rope"(%365, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %371 = "seq.rope"(%367, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %372 = "seq.attention"(%370, %371, %369) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %373 = "seq.param"() {name = "model.layers.15.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %374 = "seq.linear"(%372, %373) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %375 = "seq.add"(%361, %374) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %376 = "seq.param"() {name = "model.layers.15.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %377 = "seq.rms_norm"(%375, %376) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %378 = "seq.param"() {name = "model.layers.15.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %379 = "seq.linear"(%377, %378) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %380 = "seq.param"() {name = "model.layers.15.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %381 = "seq.linear"(%377, %380) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %382 = "seq.swiglu"(%379, %381) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %383 = "seq.param"() {name = "model.layers.15.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %384 = "seq.linear"(%382, %383) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %385 = "seq.add"(%375, %384) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %386 = "seq.param"() {name = "model.layers.16.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %387 = "seq.rms_norm"(%385, %386) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %388 = "seq.param"() {name = "model.layers.16.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %389 = "seq.linear"(%387, %388) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %390 = "seq.param"() {name = "model.layers.16.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %391 = "seq.linear"(%387, %390) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %392 = "seq.param"() {name = "model.layers.16.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %393 = "seq.linear"(%387, %392) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %394 = "seq.rope"(%389, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %395 = "seq.rope"(%391, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %396 = "seq.attention"(%394, %395, %393) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %397 = "seq.param"() {name = "model.layers.16.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %398 = "seq.linear"(%396, %397) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %399 = "seq.add"(%385, %398) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %400 = "seq.param"() {name = "model.layers.16.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %401 = "seq.rms_norm"(%399, %400) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %402 = "seq.param"() {name = "model.layers.16.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %403 = "seq.linear"(%401, %402) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %404 = "seq.param"() {name = "model.layers.16.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %405 = "seq.linear"(%401, %404) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %406 = "seq.swiglu"(%403, %405) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %407 = "seq.param"() {name = "model.layers.16.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %408 = "seq.linear"(%406, %407) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %409 = "seq.add"(%399, %408) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %410 = "seq.param"() {name = "model.layers.17.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %411 = "seq.rms_norm"(%409, %410) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %412 = "seq.param"() {name = "model.layers.17.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %413 = "seq.linear"(%411, %412) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %414 = "seq.param"() {name = "model.layers.17.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %415 = "seq.linear"(%411, %414) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %416 = "seq.param"() {name = "model.layers.17.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %417 = "seq.linear"(%411, %416) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %418 = "seq.rope"(%413, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %419 = "seq.rope"(%415, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %420 = "seq.attention"(%418, %419, %417) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %421 = "seq.param"() {name = "model.layers.17.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %422 = "seq.linear"(%420, %421) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %423 = "seq.add"(%409, %422) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %424 = "seq.param"() {name = "model.layers.17.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %425 = "seq.rms_norm"(%423, %424) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %426 = "seq.param"() {name = "model.layers.17.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %427 = "seq.linear"(%425, %426) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %428 = "seq.param"() {name = "model.layers.17.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %429 = "seq.linear"(%425, %428) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %430 = "seq.swiglu"(%427, %429) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %431 = "seq.param"() {name = "model.layers.17.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %432 = "seq.linear"(%430, %431) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %433 = "seq.add"(%423, %432) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %434 = "seq.param"() {name = "model.layers.18.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %435 = "seq.rms_norm"(%433, %434) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %436 = "seq.param"() {name = "model.layers.18.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %437 = "seq.linear"(%435, %436) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %438 = "seq.param"() {name = "model.layers.18.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %439 = "seq.linear"(%435, %438) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %440 = "seq.param"() {name = "model.layers.18.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %441 = "seq.linear"(%435, %440) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %442 = "seq.rope"(%437, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %443 = "seq.rope"(%439, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %444 = "seq.attention"(%442, %443, %441) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %445 = "seq.param"() {name = "model.layers.18.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %446 = "seq.linear"(%444, %445) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %447 = "seq.add"(%433, %446) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %448 = "seq.param"() {name = "model.layers.18.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %449 = "seq.rms_norm"(%447, %448) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %450 = "seq.param"() {name = "model.layers.18.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %451 = "seq.linear"(%449, %450) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %452 = "seq.param"() {name = "model.layers.18.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %453 = "seq.linear"(%449, %452) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %454 = "seq.swiglu"(%451, %453) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %455 = "seq.param"() {name = "model.layers.18.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %456 = "seq.linear"(%454, %455) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %457 = "seq.add"(%447, %456) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %458 = "seq.param"() {name = "model.layers.19.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %459 = "seq.rms_norm"(%457, %458) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %460 = "seq.param"() {name = "model.layers.19.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %461 = "seq.linear"(%459, %460) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %462 = "seq.param"() {name = "model.layers.19.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %463 = "seq.linear"(%459, %462) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %464 = "seq.param"() {name = "model.layers.19.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %465 = "seq.linear"(%459, %464) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %466 = "seq.rope"(%461, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %467 = "seq.rope"(%463, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %468 = "seq.attention"(%466, %467, %465) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %469 = "seq.param"() {name = "model.layers.19.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %470 = "seq.linear"(%468, %469) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %471 = "seq.add"(%457, %470) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %472 = "seq.param"() {name = "model.layers.19.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %473 = "seq.rms_norm"(%471, %472) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %474 = "seq.param"() {name = "model.layers.19.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %475 = "seq.linear"(%473, %474) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %476 = "seq.param"() {name = "model.layers.19.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %477 = "seq.linear"(%473, %476) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %478 = "seq.swiglu"(%475, %477) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %479 = "seq.param"() {name = "model.layers.19.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %480 = "seq.linear"(%478, %479) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %481 = "seq.add"(%471, %480) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %482 = "seq.param"() {name = "model.layers.20.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %483 = "seq.rms_norm"(%481, %482) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %484 = "seq.param"() {name = "model.layers.20.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %485 = "seq.linear"(%483, %484) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %486 = "seq.param"() {name = "model.layers.20.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %487 = "seq.linear"(%483, %486) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %488 = "seq.param"() {name = "model.layers.20.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %489 = "seq.linear"(%483, %488) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %490 = "seq.rope"(%485, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %491 = "seq.rope"(%487, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %492 = "seq.attention"(%490, %491, %489) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %493 = "seq.param"() {name = "model.layers.20.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %494 = "seq.linear"(%492, %493) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %495 = "seq.add"(%481, %494) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %496 = "seq.param"() {name = "model.layers.20.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %497 = "seq.rms_norm"(%495, %496) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %498 = "seq.param"() {name = "model.layers.20.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %499 = "seq.linear"(%497, %498) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %500 = "seq.param"() {name = "model.layers.20.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %501 = "seq.linear"(%497, %500) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %502 = "seq.swiglu"(%499, %501) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %503 = "seq.param"() {name = "model.layers.20.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %504 = "seq.linear"(%502, %503) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %505 = "seq.add"(%495, %504) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %506 = "seq.param"() {name = "model.layers.21.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %507 = "seq.rms_norm"(%505, %506) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %508 = "seq.param"() {name = "model.layers.21.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %509 = "seq.linear"(%507, %508) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %510 = "seq.param"() {name = "model.layers.21.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %511 = "seq.linear"(%507, %510) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %512 = "seq.param"() {name = "model.layers.21.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %513 = "seq.linear"(%507, %512) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %514 = "seq.rope"(%509, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %515 = "seq.rope"(%511, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %516 = "seq.attention"(%514, %515, %513) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %517 = "seq.param"() {name = "model.layers.21.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %518 = "seq.linear"(%516, %517) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %519 = "seq.add"(%505, %518) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %520 = "seq.param"() {name = "model.layers.21.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %521 = "seq.rms_norm"(%519, %520) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %522 = "seq.param"() {name = "model.layers.21.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %523 = "seq.linear"(%521, %522) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %524 = "seq.param"() {name = "model.layers.21.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %525 = "seq.linear"(%521, %524) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %526 = "seq.swiglu"(%523, %525) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %527 = "seq.param"() {name = "model.layers.21.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %528 = "seq.linear"(%526, %527) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %529 = "seq.add"(%519, %528) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %530 = "seq.param"() {name = "model.layers.22.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %531 = "seq.rms_norm"(%529, %530) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %532 = "seq.param"() {name = "model.layers.22.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %533 = "seq.linear"(%531, %532) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %534 = "seq.param"() {name = "model.layers.22.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %535 = "seq.linear"(%531, %534) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %536 = "seq.param"() {name = "model.layers.22.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %537 = "seq.linear"(%531, %536) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %538 = "seq.rope"(%533, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %539 = "seq.rope"(%535, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %540 = "seq.attention"(%538, %539, %537) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %541 = "seq.param"() {name = "model.layers.22.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %542 = "seq.linear"(%540, %541) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %543 = "seq.add"(%529, %542) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %544 = "seq.param"() {name = "model.layers.22.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %545 = "seq.rms_norm"(%543, %544) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %546 = "seq.param"() {name = "model.layers.22.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %547 = "seq.linear"(%545, %546) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %548 = "seq.param"() {name = "model.layers.22.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %549 = "seq.linear"(%545, %548) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %550 = "seq.swiglu"(%547, %549) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %551 = "seq.param"() {name = "model.layers.22.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %552 = "seq.linear"(%550, %551) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %553 = "seq.add"(%543, %552) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %554 = "seq.param"() {name = "model.layers.23.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %555 = "seq.rms_norm"(%553, %554) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %556 = "seq.param"() {name = "model.layers.23.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %557 = "seq.linear"(%555, %556) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %558 = "seq.param"() {name = "model.layers.23.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %559 = "seq.linear"(%555, %558) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %560 = "seq.param"() {name = "model.layers.23.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %561 = "seq.linear"(%555, %560) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %562 = "seq.rope"(%557, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %563 = "seq.rope"(%559, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %564 = "seq.attention"(%562, %563, %561) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %565 = "seq.param"() {name = "model.layers.23.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %566 = "seq.linear"(%564, %565) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %567 = "seq.add"(%553, %566) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %568 = "seq.param"() {name = "model.layers.23.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %569 = "seq.rms_norm"(%567, %568) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %570 = "seq.param"() {name = "model.layers.23.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %571 = "seq.linear"(%569, %570) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %572 = "seq.param"() {name = "model.layers.23.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %573 = "seq.linear"(%569, %572) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %574 = "seq.swiglu"(%571, %573) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %575 = "seq.param"() {name = "model.layers.23.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %576 = "seq.linear"(%574, %575) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %577 = "seq.add"(%567, %576) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %578 = "seq.param"() {name = "model.layers.24.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %579 = "seq.rms_norm"(%577, %578) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %580 = "seq.param"() {name = "model.layers.24.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %581 = "seq.linear"(%579, %580) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %582 = "seq.param"() {name = "model.layers.24.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %583 = "seq.linear"(%579, %582) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %584 = "seq.param"() {name = "model.layers.24.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %585 = "seq.linear"(%579, %584) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %586 = "seq.rope"(%581, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %587 = "seq.rope"(%583, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %588 = "seq.attention"(%586, %587, %585) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %589 = "seq.param"() {name = "model.layers.24.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %590 = "seq.linear"(%588, %589) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %591 = "seq.add"(%577, %590) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %592 = "seq.param"() {name = "model.layers.24.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %593 = "seq.rms_norm"(%591, %592) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %594 = "seq.param"() {name = "model.layers.24.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %595 = "seq.linear"(%593, %594) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %596 = "seq.param"() {name = "model.layers.24.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %597 = "seq.linear"(%593, %596) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %598 = "seq.swiglu"(%595, %597) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %599 = "seq.param"() {name = "model.layers.24.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %600 = "seq.linear"(%598, %599) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %601 = "seq.add"(%591, %600) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %602 = "seq.param"() {name = "model.layers.25.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %603 = "seq.rms_norm"(%601, %602) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %604 = "seq.param"() {name = "model.layers.25.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %605 = "seq.linear"(%603, %604) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %606 = "seq.param"() {name = "model.layers.25.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %607 = "seq.linear"(%603, %606) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %608 = "seq.param"() {name = "model.layers.25.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %609 = "seq.linear"(%603, %608) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %610 = "seq.rope"(%605, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %611 = "seq.rope"(%607, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %612 = "seq.attention"(%610, %611, %609) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %613 = "seq.param"() {name = "model.layers.25.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %614 = "seq.linear"(%612, %613) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %615 = "seq.add"(%601, %614) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %616 = "seq.param"() {name = "model.layers.25.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %617 = "seq.rms_norm"(%615, %616) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %618 = "seq.param"() {name = "model.layers.25.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %619 = "seq.linear"(%617, %618) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %620 = "seq.param"() {name = "model.layers.25.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %621 = "seq.linear"(%617, %620) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %622 = "seq.swiglu"(%619, %621) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %623 = "seq.param"() {name = "model.layers.25.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %624 = "seq.linear"(%622, %623) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %625 = "seq.add"(%615, %624) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %626 = "seq.param"() {name = "model.layers.26.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %627 = "seq.rms_norm"(%625, %626) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %628 = "seq.param"() {name = "model.layers.26.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %629 = "seq.linear"(%627, %628) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %630 = "seq.param"() {name = "model.layers.26.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %631 = "seq.linear"(%627, %630) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %632 = "seq.param"() {name = "model.layers.26.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %633 = "seq.linear"(%627, %632) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %634 = "seq.rope"(%629, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %635 = "seq.rope"(%631, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %636 = "seq.attention"(%634, %635, %633) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %637 = "seq.param"() {name = "model.layers.26.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %638 = "seq.linear"(%636, %637) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %639 = "seq.add"(%625, %638) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %640 = "seq.param"() {name = "model.layers.26.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %641 = "seq.rms_norm"(%639, %640) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %642 = "seq.param"() {name = "model.layers.26.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %643 = "seq.linear"(%641, %642) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %644 = "seq.param"() {name = "model.layers.26.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %645 = "seq.linear"(%641, %644) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %646 = "seq.swiglu"(%643, %645) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %647 = "seq.param"() {name = "model.layers.26.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %648 = "seq.linear"(%646, %647) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %649 = "seq.add"(%639, %648) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %650 = "seq.param"() {name = "model.layers.27.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %651 = "seq.rms_norm"(%649, %650) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %652 = "seq.param"() {name = "model.layers.27.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %653 = "seq.linear"(%651, %652) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %654 = "seq.param"() {name = "model.layers.27.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %655 = "seq.linear"(%651, %654) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %656 = "seq.param"() {name = "model.layers.27.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %657 = "seq.linear"(%651, %656) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %658 = "seq.rope"(%653, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %659 = "seq.rope"(%655, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %660 = "seq.attention"(%658, %659, %657) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %661 = "seq.param"() {name = "model.layers.27.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %662 = "seq.linear"(%660, %661) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %663 = "seq.add"(%649, %662) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %664 = "seq.param"() {name = "model.layers.27.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %665 = "seq.rms_norm"(%663, %664) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %666 = "seq.param"() {name = "model.layers.27.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %667 = "seq.linear"(%665, %666) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %668 = "seq.param"() {name = "model.layers.27.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %669 = "seq.linear"(%665, %668) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %670 = "seq.swiglu"(%667, %669) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %671 = "seq.param"() {name = "model.layers.27.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %672 = "seq.linear"(%670, %671) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %673 = "seq.add"(%663, %672) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %674 = "seq.param"() {name = "model.layers.28.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %675 = "seq.rms_norm"(%673, %674) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %676 = "seq.param"() {name = "model.layers.28.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %677 = "seq.linear"(%675, %676) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %678 = "seq.param"() {name = "model.layers.28.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %679 = "seq.linear"(%675, %678) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %680 = "seq.param"() {name = "model.layers.28.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %681 = "seq.linear"(%675, %680) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %682 = "seq.rope"(%677, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %683 = "seq.rope"(%679, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %684 = "seq.attention"(%682, %683, %681) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %685 = "seq.param"() {name = "model.layers.28.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %686 = "seq.linear"(%684, %685) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %687 = "seq.add"(%673, %686) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %688 = "seq.param"() {name = "model.layers.28.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %689 = "seq.rms_norm"(%687, %688) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %690 = "seq.param"() {name = "model.layers.28.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %691 = "seq.linear"(%689, %690) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %692 = "seq.param"() {name = "model.layers.28.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %693 = "seq.linear"(%689, %692) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %694 = "seq.swiglu"(%691, %693) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %695 = "seq.param"() {name = "model.layers.28.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %696 = "seq.linear"(%694, %695) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %697 = "seq.add"(%687, %696) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %698 = "seq.param"() {name = "model.layers.29.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %699 = "seq.rms_norm"(%697, %698) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %700 = "seq.param"() {name = "model.layers.29.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %701 = "seq.linear"(%699, %700) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %702 = "seq.param"() {name = "model.layers.29.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %703 = "seq.linear"(%699, %702) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %704 = "seq.param"() {name = "model.layers.29.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %705 = "seq.linear"(%699, %704) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %706 = "seq.rope"(%701, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %707 = "seq.rope"(%703, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %708 = "seq.attention"(%706, %707, %705) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %709 = "seq.param"() {name = "model.layers.29.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %710 = "seq.linear"(%708, %709) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %711 = "seq.add"(%697, %710) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %712 = "seq.param"() {name = "model.layers.29.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %713 = "seq.rms_norm"(%711, %712) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %714 = "seq.param"() {name = "model.layers.29.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %715 = "seq.linear"(%713, %714) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %716 = "seq.param"() {name = "model.layers.29.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %717 = "seq.linear"(%713, %716) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %718 = "seq.swiglu"(%715, %717) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %719 = "seq.param"() {name = "model.layers.29.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %720 = "seq.linear"(%718, %719) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %721 = "seq.add"(%711, %720) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %722 = "seq.param"() {name = "model.layers.30.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %723 = "seq.rms_norm"(%721, %722) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %724 = "seq.param"() {name = "model.layers.30.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %725 = "seq.linear"(%723, %724) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %726 = "seq.param"() {name = "model.layers.30.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %727 = "seq.linear"(%723, %726) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %728 = "seq.param"() {name = "model.layers.30.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %729 = "seq.linear"(%723, %728) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %730 = "seq.rope"(%725, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %731 = "seq.rope"(%727, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %732 = "seq.attention"(%730, %731, %729) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %733 = "seq.param"() {name = "model.layers.30.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %734 = "seq.linear"(%732, %733) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %735 = "seq.add"(%721, %734) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %736 = "seq.param"() {name = "model.layers.30.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %737 = "seq.rms_norm"(%735, %736) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %738 = "seq.param"() {name = "model.layers.30.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %739 = "seq.linear"(%737, %738) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %740 = "seq.param"() {name = "model.layers.30.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %741 = "seq.linear"(%737, %740) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %742 = "seq.swiglu"(%739, %741) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %743 = "seq.param"() {name = "model.layers.30.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %744 = "seq.linear"(%742, %743) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %745 = "seq.add"(%735, %744) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %746 = "seq.param"() {name = "model.layers.31.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %747 = "seq.rms_norm"(%745, %746) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %748 = "seq.param"() {name = "model.layers.31.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %749 = "seq.linear"(%747, %748) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %750 = "seq.param"() {name = "model.layers.31.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %751 = "seq.linear"(%747, %750) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %752 = "seq.param"() {name = "model.layers.31.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %753 = "seq.linear"(%747, %752) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %754 = "seq.rope"(%749, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %755 = "seq.rope"(%751, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %756 = "seq.attention"(%754, %755, %753) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %757 = "seq.param"() {name = "model.layers.31.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %758 = "seq.linear"(%756, %757) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %759 = "seq.add"(%745, %758) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %760 = "seq.param"() {name = "model.layers.31.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %761 = "seq.rms_norm"(%759, %760) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %762 = "seq.param"() {name = "model.layers.31.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %763 = "seq.linear"(%761, %762) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %764 = "seq.param"() {name = "model.layers.31.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %765 = "seq.linear"(%761, %764) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %766 = "seq.swiglu"(%763, %765) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %767 = "seq.param"() {name = "model.layers.31.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %768 = "seq.linear"(%766, %767) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %769 = "seq.add"(%759, %768) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %770 = "seq.param"() {name = "model.layers.32.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %771 = "seq.rms_norm"(%769, %770) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %772 = "seq.param"() {name = "model.layers.32.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %773 = "seq.linear"(%771, %772) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %774 = "seq.param"() {name = "model.layers.32.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %775 = "seq.linear"(%771, %774) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %776 = "seq.param"() {name = "model.layers.32.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %777 = "seq.linear"(%771, %776) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %778 = "seq.rope"(%773, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %779 = "seq.rope"(%775, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %780 = "seq.attention"(%778, %779, %777) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %781 = "seq.param"() {name = "model.layers.32.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %782 = "seq.linear"(%780, %781) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %783 = "seq.add"(%769, %782) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %784 = "seq.param"() {name = "model.layers.32.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %785 = "seq.rms_norm"(%783, %784) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %786 = "seq.param"() {name = "model.layers.32.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %787 = "seq.linear"(%785, %786) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %788 = "seq.param"() {name = "model.layers.32.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %789 = "seq.linear"(%785, %788) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %790 = "seq.swiglu"(%787, %789) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %791 = "seq.param"() {name = "model.layers.32.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %792 = "seq.linear"(%790, %791) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %793 = "seq.add"(%783, %792) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %794 = "seq.param"() {name = "model.layers.33.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %795 = "seq.rms_norm"(%793, %794) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %796 = "seq.param"() {name = "model.layers.33.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %797 = "seq.linear"(%795, %796) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %798 = "seq.param"() {name = "model.layers.33.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %799 = "seq.linear"(%795, %798) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %800 = "seq.param"() {name = "model.layers.33.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %801 = "seq.linear"(%795, %800) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %802 = "seq.rope"(%797, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %803 = "seq.rope"(%799, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %804 = "seq.attention"(%802, %803, %801) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %805 = "seq.param"() {name = "model.layers.33.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %806 = "seq.linear"(%804, %805) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %807 = "seq.add"(%793, %806) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %808 = "seq.param"() {name = "model.layers.33.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %809 = "seq.rms_norm"(%807, %808) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %810 = "seq.param"() {name = "model.layers.33.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %811 = "seq.linear"(%809, %810) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %812 = "seq.param"() {name = "model.layers.33.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %813 = "seq.linear"(%809, %812) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %814 = "seq.swiglu"(%811, %813) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %815 = "seq.param"() {name = "model.layers.33.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %816 = "seq.linear"(%814, %815) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %817 = "seq.add"(%807, %816) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %818 = "seq.param"() {name = "model.layers.34.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %819 = "seq.rms_norm"(%817, %818) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %820 = "seq.param"() {name = "model.layers.34.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %821 = "seq.linear"(%819, %820) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %822 = "seq.param"() {name = "model.layers.34.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %823 = "seq.linear"(%819, %822) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %824 = "seq.param"() {name = "model.layers.34.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %825 = "seq.linear"(%819, %824) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %826 = "seq.rope"(%821, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %827 = "seq.rope"(%823, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %828 = "seq.attention"(%826, %827, %825) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %829 = "seq.param"() {name = "model.layers.34.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %830 = "seq.linear"(%828, %829) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %831 = "seq.add"(%817, %830) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %832 = "seq.param"() {name = "model.layers.34.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %833 = "seq.rms_norm"(%831, %832) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %834 = "seq.param"() {name = "model.layers.34.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %835 = "seq.linear"(%833, %834) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %836 = "seq.param"() {name = "model.layers.34.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %837 = "seq.linear"(%833, %836) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %838 = "seq.swiglu"(%835, %837) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %839 = "seq.param"() {name = "model.layers.34.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %840 = "seq.linear"(%838, %839) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %841 = "seq.add"(%831, %840) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %842 = "seq.param"() {name = "model.layers.35.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %843 = "seq.rms_norm"(%841, %842) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %844 = "seq.param"() {name = "model.layers.35.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %845 = "seq.linear"(%843, %844) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %846 = "seq.param"() {name = "model.layers.35.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %847 = "seq.linear"(%843, %846) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %848 = "seq.param"() {name = "model.layers.35.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %849 = "seq.linear"(%843, %848) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %850 = "seq.rope"(%845, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %851 = "seq.rope"(%847, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %852 = "seq.attention"(%850, %851, %849) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %853 = "seq.param"() {name = "model.layers.35.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %854 = "seq.linear"(%852, %853) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %855 = "seq.add"(%841, %854) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %856 = "seq.param"() {name = "model.layers.35.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %857 = "seq.rms_norm"(%855, %856) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %858 = "seq.param"() {name = "model.layers.35.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %859 = "seq.linear"(%857, %858) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %860 = "seq.param"() {name = "model.layers.35.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %861 = "seq.linear"(%857, %860) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %862 = "seq.swiglu"(%859, %861) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %863 = "seq.param"() {name = "model.layers.35.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %864 = "seq.linear"(%862, %863) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %865 = "seq.add"(%855, %864) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %866 = "seq.param"() {name = "model.layers.36.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %867 = "seq.rms_norm"(%865, %866) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %868 = "seq.param"() {name = "model.layers.36.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %869 = "seq.linear"(%867, %868) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %870 = "seq.param"() {name = "model.layers.36.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %871 = "seq.linear"(%867, %870) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %872 = "seq.param"() {name = "model.layers.36.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %873 = "seq.linear"(%867, %872) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %874 = "seq.rope"(%869, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %875 = "seq.rope"(%871, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %876 = "seq.attention"(%874, %875, %873) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %877 = "seq.param"() {name = "model.layers.36.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %878 = "seq.linear"(%876, %877) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %879 = "seq.add"(%865, %878) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %880 = "seq.param"() {name = "model.layers.36.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %881 = "seq.rms_norm"(%879, %880) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %882 = "seq.param"() {name = "model.layers.36.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %883 = "seq.linear"(%881, %882) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %884 = "seq.param"() {name = "model.layers.36.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %885 = "seq.linear"(%881, %884) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %886 = "seq.swiglu"(%883, %885) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %887 = "seq.param"() {name = "model.layers.36.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %888 = "seq.linear"(%886, %887) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %889 = "seq.add"(%879, %888) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %890 = "seq.param"() {name = "model.layers.37.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %891 = "seq.rms_norm"(%889, %890) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %892 = "seq.param"() {name = "model.layers.37.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %893 = "seq.linear"(%891, %892) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %894 = "seq.param"() {name = "model.layers.37.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %895 = "seq.linear"(%891, %894) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %896 = "seq.param"() {name = "model.layers.37.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %897 = "seq.linear"(%891, %896) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %898 = "seq.rope"(%893, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %899 = "seq.rope"(%895, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %900 = "seq.attention"(%898, %899, %897) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %901 = "seq.param"() {name = "model.layers.37.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %902 = "seq.linear"(%900, %901) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %903 = "seq.add"(%889, %902) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %904 = "seq.param"() {name = "model.layers.37.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %905 = "seq.rms_norm"(%903, %904) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %906 = "seq.param"() {name = "model.layers.37.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %907 = "seq.linear"(%905, %906) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %908 = "seq.param"() {name = "model.layers.37.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %909 = "seq.linear"(%905, %908) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %910 = "seq.swiglu"(%907, %909) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %911 = "seq.param"() {name = "model.layers.37.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %912 = "seq.linear"(%910, %911) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %913 = "seq.add"(%903, %912) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %914 = "seq.param"() {name = "model.layers.38.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %915 = "seq.rms_norm"(%913, %914) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %916 = "seq.param"() {name = "model.layers.38.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %917 = "seq.linear"(%915, %916) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %918 = "seq.param"() {name = "model.layers.38.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %919 = "seq.linear"(%915, %918) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %920 = "seq.param"() {name = "model.layers.38.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %921 = "seq.linear"(%915, %920) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %922 = "seq.rope"(%917, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %923 = "seq.rope"(%919, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %924 = "seq.attention"(%922, %923, %921) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %925 = "seq.param"() {name = "model.layers.38.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %926 = "seq.linear"(%924, %925) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %927 = "seq.add"(%913, %926) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %928 = "seq.param"() {name = "model.layers.38.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %929 = "seq.rms_norm"(%927, %928) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %930 = "seq.param"() {name = "model.layers.38.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %931 = "seq.linear"(%929, %930) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %932 = "seq.param"() {name = "model.layers.38.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %933 = "seq.linear"(%929, %932) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %934 = "seq.swiglu"(%931, %933) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %935 = "seq.param"() {name = "model.layers.38.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %936 = "seq.linear"(%934, %935) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %937 = "seq.add"(%927, %936) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %938 = "seq.param"() {name = "model.layers.39.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %939 = "seq.rms_norm"(%937, %938) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %940 = "seq.param"() {name = "model.layers.39.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %941 = "seq.linear"(%939, %940) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %942 = "seq.param"() {name = "model.layers.39.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %943 = "seq.linear"(%939, %942) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %944 = "seq.param"() {name = "model.layers.39.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %945 = "seq.linear"(%939, %944) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %946 = "seq.rope"(%941, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %947 = "seq.rope"(%943, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %948 = "seq.attention"(%946, %947, %945) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %949 = "seq.param"() {name = "model.layers.39.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %950 = "seq.linear"(%948, %949) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %951 = "seq.add"(%937, %950) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %952 = "seq.param"() {name = "model.layers.39.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %953 = "seq.rms_norm"(%951, %952) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %954 = "seq.param"() {name = "model.layers.39.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %955 = "seq.linear"(%953, %954) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %956 = "seq.param"() {name = "model.layers.39.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %957 = "seq.linear"(%953, %956) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %958 = "seq.swiglu"(%955, %957) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %959 = "seq.param"() {name = "model.layers.39.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %960 = "seq.linear"(%958, %959) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %961 = "seq.add"(%951, %960) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %962 = "seq.param"() {name = "model.layers.40.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %963 = "seq.rms_norm"(%961, %962) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %964 = "seq.param"() {name = "model.layers.40.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %965 = "seq.linear"(%963, %964) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %966 = "seq.param"() {name = "model.layers.40.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %967 = "seq.linear"(%963, %966) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %968 = "seq.param"() {name = "model.layers.40.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %969 = "seq.linear"(%963, %968) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %970 = "seq.rope"(%965, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %971 = "seq.rope"(%967, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %972 = "seq.attention"(%970, %971, %969) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %973 = "seq.param"() {name = "model.layers.40.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %974 = "seq.linear"(%972, %973) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %975 = "seq.add"(%961, %974) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %976 = "seq.param"() {name = "model.layers.40.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %977 = "seq.rms_norm"(%975, %976) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %978 = "seq.param"() {name = "model.layers.40.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %979 = "seq.linear"(%977, %978) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %980 = "seq.param"() {name = "model.layers.40.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %981 = "seq.linear"(%977, %980) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %982 = "seq.swiglu"(%979, %981) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %983 = "seq.param"() {name = "model.layers.40.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %984 = "seq.linear"(%982, %983) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %985 = "seq.add"(%975, %984) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %986 = "seq.param"() {name = "model.layers.41.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %987 = "seq.rms_norm"(%985, %986) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %988 = "seq.param"() {name = "model.layers.41.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %989 = "seq.linear"(%987, %988) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %990 = "seq.param"() {name = "model.layers.41.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %991 = "seq.linear"(%987, %990) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %992 = "seq.param"() {name = "model.layers.41.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %993 = "seq.linear"(%987, %992) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %994 = "seq.rope"(%989, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %995 = "seq.rope"(%991, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %996 = "seq.attention"(%994, %995, %993) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %997 = "seq.param"() {name = "model.layers.41.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %998 = "seq.linear"(%996, %997) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %999 = "seq.add"(%985, %998) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1000 = "seq.param"() {name = "model.layers.41.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1001 = "seq.rms_norm"(%999, %1000) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1002 = "seq.param"() {name = "model.layers.41.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1003 = "seq.linear"(%1001, %1002) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1004 = "seq.param"() {name = "model.layers.41.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1005 = "seq.linear"(%1001, %1004) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1006 = "seq.swiglu"(%1003, %1005) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1007 = "seq.param"() {name = "model.layers.41.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1008 = "seq.linear"(%1006, %1007) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1009 = "seq.add"(%999, %1008) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1010 = "seq.param"() {name = "model.layers.42.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1011 = "seq.rms_norm"(%1009, %1010) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1012 = "seq.param"() {name = "model.layers.42.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1013 = "seq.linear"(%1011, %1012) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1014 = "seq.param"() {name = "model.layers.42.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1015 = "seq.linear"(%1011, %1014) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1016 = "seq.param"() {name = "model.layers.42.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1017 = "seq.linear"(%1011, %1016) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1018 = "seq.rope"(%1013, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1019 = "seq.rope"(%1015, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1020 = "seq.attention"(%1018, %1019, %1017) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1021 = "seq.param"() {name = "model.layers.42.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1022 = "seq.linear"(%1020, %1021) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1023 = "seq.add"(%1009, %1022) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1024 = "seq.param"() {name = "model.layers.42.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1025 = "seq.rms_norm"(%1023, %1024) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1026 = "seq.param"() {name = "model.layers.42.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1027 = "seq.linear"(%1025, %1026) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1028 = "seq.param"() {name = "model.layers.42.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1029 = "seq.linear"(%1025, %1028) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1030 = "seq.swiglu"(%1027, %1029) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1031 = "seq.param"() {name = "model.layers.42.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1032 = "seq.linear"(%1030, %1031) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1033 = "seq.add"(%1023, %1032) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1034 = "seq.param"() {name = "model.layers.43.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1035 = "seq.rms_norm"(%1033, %1034) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1036 = "seq.param"() {name = "model.layers.43.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1037 = "seq.linear"(%1035, %1036) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1038 = "seq.param"() {name = "model.layers.43.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1039 = "seq.linear"(%1035, %1038) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1040 = "seq.param"() {name = "model.layers.43.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1041 = "seq.linear"(%1035, %1040) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1042 = "seq.rope"(%1037, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1043 = "seq.rope"(%1039, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1044 = "seq.attention"(%1042, %1043, %1041) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1045 = "seq.param"() {name = "model.layers.43.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1046 = "seq.linear"(%1044, %1045) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1047 = "seq.add"(%1033, %1046) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1048 = "seq.param"() {name = "model.layers.43.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1049 = "seq.rms_norm"(%1047, %1048) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1050 = "seq.param"() {name = "model.layers.43.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1051 = "seq.linear"(%1049, %1050) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1052 = "seq.param"() {name = "model.layers.43.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1053 = "seq.linear"(%1049, %1052) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1054 = "seq.swiglu"(%1051, %1053) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1055 = "seq.param"() {name = "model.layers.43.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1056 = "seq.linear"(%1054, %1055) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1057 = "seq.add"(%1047, %1056) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1058 = "seq.param"() {name = "model.layers.44.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1059 = "seq.rms_norm"(%1057, %1058) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1060 = "seq.param"() {name = "model.layers.44.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1061 = "seq.linear"(%1059, %1060) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1062 = "seq.param"() {name = "model.layers.44.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1063 = "seq.linear"(%1059, %1062) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1064 = "seq.param"() {name = "model.layers.44.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1065 = "seq.linear"(%1059, %1064) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1066 = "seq.rope"(%1061, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1067 = "seq.rope"(%1063, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1068 = "seq.attention"(%1066, %1067, %1065) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1069 = "seq.param"() {name = "model.layers.44.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1070 = "seq.linear"(%1068, %1069) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1071 = "seq.add"(%1057, %1070) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1072 = "seq.param"() {name = "model.layers.44.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1073 = "seq.rms_norm"(%1071, %1072) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1074 = "seq.param"() {name = "model.layers.44.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1075 = "seq.linear"(%1073, %1074) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1076 = "seq.param"() {name = "model.layers.44.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1077 = "seq.linear"(%1073, %1076) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1078 = "seq.swiglu"(%1075, %1077) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1079 = "seq.param"() {name = "model.layers.44.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1080 = "seq.linear"(%1078, %1079) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1081 = "seq.add"(%1071, %1080) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1082 = "seq.param"() {name = "model.layers.45.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1083 = "seq.rms_norm"(%1081, %1082) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1084 = "seq.param"() {name = "model.layers.45.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1085 = "seq.linear"(%1083, %1084) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1086 = "seq.param"() {name = "model.layers.45.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1087 = "seq.linear"(%1083, %1086) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1088 = "seq.param"() {name = "model.layers.45.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1089 = "seq.linear"(%1083, %1088) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1090 = "seq.rope"(%1085, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1091 = "seq.rope"(%1087, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1092 = "seq.attention"(%1090, %1091, %1089) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1093 = "seq.param"() {name = "model.layers.45.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1094 = "seq.linear"(%1092, %1093) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1095 = "seq.add"(%1081, %1094) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1096 = "seq.param"() {name = "model.layers.45.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1097 = "seq.rms_norm"(%1095, %1096) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1098 = "seq.param"() {name = "model.layers.45.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1099 = "seq.linear"(%1097, %1098) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1100 = "seq.param"() {name = "model.layers.45.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1101 = "seq.linear"(%1097, %1100) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1102 = "seq.swiglu"(%1099, %1101) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1103 = "seq.param"() {name = "model.layers.45.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1104 = "seq.linear"(%1102, %1103) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1105 = "seq.add"(%1095, %1104) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1106 = "seq.param"() {name = "model.layers.46.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1107 = "seq.rms_norm"(%1105, %1106) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1108 = "seq.param"() {name = "model.layers.46.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1109 = "seq.linear"(%1107, %1108) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1110 = "seq.param"() {name = "model.layers.46.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1111 = "seq.linear"(%1107, %1110) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1112 = "seq.param"() {name = "model.layers.46.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1113 = "seq.linear"(%1107, %1112) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1114 = "seq.rope"(%1109, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1115 = "seq.rope"(%1111, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1116 = "seq.attention"(%1114, %1115, %1113) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1117 = "seq.param"() {name = "model.layers.46.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1118 = "seq.linear"(%1116, %1117) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1119 = "seq.add"(%1105, %1118) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1120 = "seq.param"() {name = "model.layers.46.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1121 = "seq.rms_norm"(%1119, %1120) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1122 = "seq.param"() {name = "model.layers.46.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1123 = "seq.linear"(%1121, %1122) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1124 = "seq.param"() {name = "model.layers.46.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1125 = "seq.linear"(%1121, %1124) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1126 = "seq.swiglu"(%1123, %1125) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1127 = "seq.param"() {name = "model.layers.46.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1128 = "seq.linear"(%1126, %1127) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1129 = "seq.add"(%1119, %1128) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1130 = "seq.param"() {name = "model.layers.47.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1131 = "seq.rms_norm"(%1129, %1130) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1132 = "seq.param"() {name = "model.layers.47.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1133 = "seq.linear"(%1131, %1132) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1134 = "seq.param"() {name = "model.layers.47.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1135 = "seq.linear"(%1131, %1134) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1136 = "seq.param"() {name = "model.layers.47.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1137 = "seq.linear"(%1131, %1136) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1138 = "seq.rope"(%1133, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1139 = "seq.rope"(%1135, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1140 = "seq.attention"(%1138, %1139, %1137) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1141 = "seq.param"() {name = "model.layers.47.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1142 = "seq.linear"(%1140, %1141) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1143 = "seq.add"(%1129, %1142) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1144 = "seq.param"() {name = "model.layers.47.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1145 = "seq.rms_norm"(%1143, %1144) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1146 = "seq.param"() {name = "model.layers.47.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1147 = "seq.linear"(%1145, %1146) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1148 = "seq.param"() {name = "model.layers.47.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1149 = "seq.linear"(%1145, %1148) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1150 = "seq.swiglu"(%1147, %1149) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1151 = "seq.param"() {name = "model.layers.47.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1152 = "seq.linear"(%1150, %1151) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1153 = "seq.add"(%1143, %1152) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1154 = "seq.param"() {name = "model.layers.48.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1155 = "seq.rms_norm"(%1153, %1154) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1156 = "seq.param"() {name = "model.layers.48.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1157 = "seq.linear"(%1155, %1156) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1158 = "seq.param"() {name = "model.layers.48.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1159 = "seq.linear"(%1155, %1158) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1160 = "seq.param"() {name = "model.layers.48.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1161 = "seq.linear"(%1155, %1160) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1162 = "seq.rope"(%1157, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1163 = "seq.rope"(%1159, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1164 = "seq.attention"(%1162, %1163, %1161) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1165 = "seq.param"() {name = "model.layers.48.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1166 = "seq.linear"(%1164, %1165) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1167 = "seq.add"(%1153, %1166) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1168 = "seq.param"() {name = "model.layers.48.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1169 = "seq.rms_norm"(%1167, %1168) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1170 = "seq.param"() {name = "model.layers.48.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1171 = "seq.linear"(%1169, %1170) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1172 = "seq.param"() {name = "model.layers.48.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1173 = "seq.linear"(%1169, %1172) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1174 = "seq.swiglu"(%1171, %1173) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1175 = "seq.param"() {name = "model.layers.48.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1176 = "seq.linear"(%1174, %1175) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1177 = "seq.add"(%1167, %1176) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1178 = "seq.param"() {name = "model.layers.49.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1179 = "seq.rms_norm"(%1177, %1178) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1180 = "seq.param"() {name = "model.layers.49.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1181 = "seq.linear"(%1179, %1180) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1182 = "seq.param"() {name = "model.layers.49.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1183 = "seq.linear"(%1179, %1182) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1184 = "seq.param"() {name = "model.layers.49.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1185 = "seq.linear"(%1179, %1184) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1186 = "seq.rope"(%1181, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1187 = "seq.rope"(%1183, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1188 = "seq.attention"(%1186, %1187, %1185) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1189 = "seq.param"() {name = "model.layers.49.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1190 = "seq.linear"(%1188, %1189) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1191 = "seq.add"(%1177, %1190) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1192 = "seq.param"() {name = "model.layers.49.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1193 = "seq.rms_norm"(%1191, %1192) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1194 = "seq.param"() {name = "model.layers.49.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1195 = "seq.linear"(%1193, %1194) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1196 = "seq.param"() {name = "model.layers.49.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1197 = "seq.linear"(%1193, %1196) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1198 = "seq.swiglu"(%1195, %1197) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1199 = "seq.param"() {name = "model.layers.49.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1200 = "seq.linear"(%1198, %1199) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1201 = "seq.add"(%1191, %1200) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1202 = "seq.param"() {name = "model.layers.50.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1203 = "seq.rms_norm"(%1201, %1202) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1204 = "seq.param"() {name = "model.layers.50.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1205 = "seq.linear"(%1203, %1204) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1206 = "seq.param"() {name = "model.layers.50.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1207 = "seq.linear"(%1203, %1206) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1208 = "seq.param"() {name = "model.layers.50.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1209 = "seq.linear"(%1203, %1208) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1210 = "seq.rope"(%1205, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1211 = "seq.rope"(%1207, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1212 = "seq.attention"(%1210, %1211, %1209) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1213 = "seq.param"() {name = "model.layers.50.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1214 = "seq.linear"(%1212, %1213) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1215 = "seq.add"(%1201, %1214) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1216 = "seq.param"() {name = "model.layers.50.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1217 = "seq.rms_norm"(%1215, %1216) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1218 = "seq.param"() {name = "model.layers.50.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1219 = "seq.linear"(%1217, %1218) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1220 = "seq.param"() {name = "model.layers.50.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1221 = "seq.linear"(%1217, %1220) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1222 = "seq.swiglu"(%1219, %1221) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1223 = "seq.param"() {name = "model.layers.50.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1224 = "seq.linear"(%1222, %1223) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1225 = "seq.add"(%1215, %1224) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1226 = "seq.param"() {name = "model.layers.51.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1227 = "seq.rms_norm"(%1225, %1226) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1228 = "seq.param"() {name = "model.layers.51.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1229 = "seq.linear"(%1227, %1228) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1230 = "seq.param"() {name = "model.layers.51.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1231 = "seq.linear"(%1227, %1230) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1232 = "seq.param"() {name = "model.layers.51.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1233 = "seq.linear"(%1227, %1232) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1234 = "seq.rope"(%1229, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1235 = "seq.rope"(%1231, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1236 = "seq.attention"(%1234, %1235, %1233) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1237 = "seq.param"() {name = "model.layers.51.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1238 = "seq.linear"(%1236, %1237) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1239 = "seq.add"(%1225, %1238) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1240 = "seq.param"() {name = "model.layers.51.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1241 = "seq.rms_norm"(%1239, %1240) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1242 = "seq.param"() {name = "model.layers.51.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1243 = "seq.linear"(%1241, %1242) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1244 = "seq.param"() {name = "model.layers.51.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1245 = "seq.linear"(%1241, %1244) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1246 = "seq.swiglu"(%1243, %1245) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1247 = "seq.param"() {name = "model.layers.51.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1248 = "seq.linear"(%1246, %1247) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1249 = "seq.add"(%1239, %1248) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1250 = "seq.param"() {name = "model.layers.52.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1251 = "seq.rms_norm"(%1249, %1250) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1252 = "seq.param"() {name = "model.layers.52.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1253 = "seq.linear"(%1251, %1252) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1254 = "seq.param"() {name = "model.layers.52.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1255 = "seq.linear"(%1251, %1254) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1256 = "seq.param"() {name = "model.layers.52.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1257 = "seq.linear"(%1251, %1256) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1258 = "seq.rope"(%1253, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1259 = "seq.rope"(%1255, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1260 = "seq.attention"(%1258, %1259, %1257) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1261 = "seq.param"() {name = "model.layers.52.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1262 = "seq.linear"(%1260, %1261) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1263 = "seq.add"(%1249, %1262) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1264 = "seq.param"() {name = "model.layers.52.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1265 = "seq.rms_norm"(%1263, %1264) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1266 = "seq.param"() {name = "model.layers.52.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1267 = "seq.linear"(%1265, %1266) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1268 = "seq.param"() {name = "model.layers.52.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1269 = "seq.linear"(%1265, %1268) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1270 = "seq.swiglu"(%1267, %1269) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1271 = "seq.param"() {name = "model.layers.52.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1272 = "seq.linear"(%1270, %1271) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1273 = "seq.add"(%1263, %1272) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1274 = "seq.param"() {name = "model.layers.53.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1275 = "seq.rms_norm"(%1273, %1274) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1276 = "seq.param"() {name = "model.layers.53.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1277 = "seq.linear"(%1275, %1276) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1278 = "seq.param"() {name = "model.layers.53.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1279 = "seq.linear"(%1275, %1278) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1280 = "seq.param"() {name = "model.layers.53.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1281 = "seq.linear"(%1275, %1280) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1282 = "seq.rope"(%1277, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1283 = "seq.rope"(%1279, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1284 = "seq.attention"(%1282, %1283, %1281) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1285 = "seq.param"() {name = "model.layers.53.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1286 = "seq.linear"(%1284, %1285) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1287 = "seq.add"(%1273, %1286) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1288 = "seq.param"() {name = "model.layers.53.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1289 = "seq.rms_norm"(%1287, %1288) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1290 = "seq.param"() {name = "model.layers.53.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1291 = "seq.linear"(%1289, %1290) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1292 = "seq.param"() {name = "model.layers.53.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1293 = "seq.linear"(%1289, %1292) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1294 = "seq.swiglu"(%1291, %1293) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1295 = "seq.param"() {name = "model.layers.53.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1296 = "seq.linear"(%1294, %1295) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1297 = "seq.add"(%1287, %1296) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1298 = "seq.param"() {name = "model.layers.54.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1299 = "seq.rms_norm"(%1297, %1298) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1300 = "seq.param"() {name = "model.layers.54.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1301 = "seq.linear"(%1299, %1300) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1302 = "seq.param"() {name = "model.layers.54.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1303 = "seq.linear"(%1299, %1302) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1304 = "seq.param"() {name = "model.layers.54.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1305 = "seq.linear"(%1299, %1304) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1306 = "seq.rope"(%1301, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1307 = "seq.rope"(%1303, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1308 = "seq.attention"(%1306, %1307, %1305) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1309 = "seq.param"() {name = "model.layers.54.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1310 = "seq.linear"(%1308, %1309) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1311 = "seq.add"(%1297, %1310) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1312 = "seq.param"() {name = "model.layers.54.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1313 = "seq.rms_norm"(%1311, %1312) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1314 = "seq.param"() {name = "model.layers.54.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1315 = "seq.linear"(%1313, %1314) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1316 = "seq.param"() {name = "model.layers.54.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1317 = "seq.linear"(%1313, %1316) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1318 = "seq.swiglu"(%1315, %1317) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1319 = "seq.param"() {name = "model.layers.54.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1320 = "seq.linear"(%1318, %1319) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1321 = "seq.add"(%1311, %1320) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1322 = "seq.param"() {name = "model.layers.55.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1323 = "seq.rms_norm"(%1321, %1322) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1324 = "seq.param"() {name = "model.layers.55.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1325 = "seq.linear"(%1323, %1324) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1326 = "seq.param"() {name = "model.layers.55.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1327 = "seq.linear"(%1323, %1326) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1328 = "seq.param"() {name = "model.layers.55.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1329 = "seq.linear"(%1323, %1328) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1330 = "seq.rope"(%1325, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1331 = "seq.rope"(%1327, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1332 = "seq.attention"(%1330, %1331, %1329) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1333 = "seq.param"() {name = "model.layers.55.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1334 = "seq.linear"(%1332, %1333) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1335 = "seq.add"(%1321, %1334) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1336 = "seq.param"() {name = "model.layers.55.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1337 = "seq.rms_norm"(%1335, %1336) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1338 = "seq.param"() {name = "model.layers.55.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1339 = "seq.linear"(%1337, %1338) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1340 = "seq.param"() {name = "model.layers.55.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1341 = "seq.linear"(%1337, %1340) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1342 = "seq.swiglu"(%1339, %1341) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1343 = "seq.param"() {name = "model.layers.55.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1344 = "seq.linear"(%1342, %1343) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1345 = "seq.add"(%1335, %1344) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1346 = "seq.param"() {name = "model.layers.56.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1347 = "seq.rms_norm"(%1345, %1346) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1348 = "seq.param"() {name = "model.layers.56.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1349 = "seq.linear"(%1347, %1348) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1350 = "seq.param"() {name = "model.layers.56.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1351 = "seq.linear"(%1347, %1350) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1352 = "seq.param"() {name = "model.layers.56.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1353 = "seq.linear"(%1347, %1352) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1354 = "seq.rope"(%1349, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1355 = "seq.rope"(%1351, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1356 = "seq.attention"(%1354, %1355, %1353) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1357 = "seq.param"() {name = "model.layers.56.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1358 = "seq.linear"(%1356, %1357) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1359 = "seq.add"(%1345, %1358) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1360 = "seq.param"() {name = "model.layers.56.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1361 = "seq.rms_norm"(%1359, %1360) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1362 = "seq.param"() {name = "model.layers.56.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1363 = "seq.linear"(%1361, %1362) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1364 = "seq.param"() {name = "model.layers.56.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1365 = "seq.linear"(%1361, %1364) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1366 = "seq.swiglu"(%1363, %1365) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1367 = "seq.param"() {name = "model.layers.56.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1368 = "seq.linear"(%1366, %1367) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1369 = "seq.add"(%1359, %1368) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1370 = "seq.param"() {name = "model.layers.57.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1371 = "seq.rms_norm"(%1369, %1370) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1372 = "seq.param"() {name = "model.layers.57.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1373 = "seq.linear"(%1371, %1372) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1374 = "seq.param"() {name = "model.layers.57.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1375 = "seq.linear"(%1371, %1374) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1376 = "seq.param"() {name = "model.layers.57.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1377 = "seq.linear"(%1371, %1376) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1378 = "seq.rope"(%1373, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1379 = "seq.rope"(%1375, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1380 = "seq.attention"(%1378, %1379, %1377) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1381 = "seq.param"() {name = "model.layers.57.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1382 = "seq.linear"(%1380, %1381) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1383 = "seq.add"(%1369, %1382) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1384 = "seq.param"() {name = "model.layers.57.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1385 = "seq.rms_norm"(%1383, %1384) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1386 = "seq.param"() {name = "model.layers.57.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1387 = "seq.linear"(%1385, %1386) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1388 = "seq.param"() {name = "model.layers.57.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1389 = "seq.linear"(%1385, %1388) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1390 = "seq.swiglu"(%1387, %1389) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1391 = "seq.param"() {name = "model.layers.57.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1392 = "seq.linear"(%1390, %1391) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1393 = "seq.add"(%1383, %1392) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1394 = "seq.param"() {name = "model.layers.58.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1395 = "seq.rms_norm"(%1393, %1394) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1396 = "seq.param"() {name = "model.layers.58.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1397 = "seq.linear"(%1395, %1396) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1398 = "seq.param"() {name = "model.layers.58.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1399 = "seq.linear"(%1395, %1398) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1400 = "seq.param"() {name = "model.layers.58.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1401 = "seq.linear"(%1395, %1400) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1402 = "seq.rope"(%1397, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1403 = "seq.rope"(%1399, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1404 = "seq.attention"(%1402, %1403, %1401) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1405 = "seq.param"() {name = "model.layers.58.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1406 = "seq.linear"(%1404, %1405) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1407 = "seq.add"(%1393, %1406) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1408 = "seq.param"() {name = "model.layers.58.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1409 = "seq.rms_norm"(%1407, %1408) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1410 = "seq.param"() {name = "model.layers.58.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1411 = "seq.linear"(%1409, %1410) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1412 = "seq.param"() {name = "model.layers.58.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1413 = "seq.linear"(%1409, %1412) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1414 = "seq.swiglu"(%1411, %1413) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1415 = "seq.param"() {name = "model.layers.58.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1416 = "seq.linear"(%1414, %1415) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1417 = "seq.add"(%1407, %1416) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1418 = "seq.param"() {name = "model.layers.59.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1419 = "seq.rms_norm"(%1417, %1418) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1420 = "seq.param"() {name = "model.layers.59.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1421 = "seq.linear"(%1419, %1420) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1422 = "seq.param"() {name = "model.layers.59.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1423 = "seq.linear"(%1419, %1422) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1424 = "seq.param"() {name = "model.layers.59.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1425 = "seq.linear"(%1419, %1424) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1426 = "seq.rope"(%1421, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1427 = "seq.rope"(%1423, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1428 = "seq.attention"(%1426, %1427, %1425) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1429 = "seq.param"() {name = "model.layers.59.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1430 = "seq.linear"(%1428, %1429) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1431 = "seq.add"(%1417, %1430) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1432 = "seq.param"() {name = "model.layers.59.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1433 = "seq.rms_norm"(%1431, %1432) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1434 = "seq.param"() {name = "model.layers.59.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1435 = "seq.linear"(%1433, %1434) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1436 = "seq.param"() {name = "model.layers.59.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1437 = "seq.linear"(%1433, %1436) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1438 = "seq.swiglu"(%1435, %1437) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1439 = "seq.param"() {name = "model.layers.59.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1440 = "seq.linear"(%1438, %1439) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1441 = "seq.add"(%1431, %1440) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1442 = "seq.param"() {name = "model.layers.60.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1443 = "seq.rms_norm"(%1441, %1442) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1444 = "seq.param"() {name = "model.layers.60.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1445 = "seq.linear"(%1443, %1444) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1446 = "seq.param"() {name = "model.layers.60.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1447 = "seq.linear"(%1443, %1446) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1448 = "seq.param"() {name = "model.layers.60.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1449 = "seq.linear"(%1443, %1448) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1450 = "seq.rope"(%1445, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1451 = "seq.rope"(%1447, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1452 = "seq.attention"(%1450, %1451, %1449) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1453 = "seq.param"() {name = "model.layers.60.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1454 = "seq.linear"(%1452, %1453) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1455 = "seq.add"(%1441, %1454) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1456 = "seq.param"() {name = "model.layers.60.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1457 = "seq.rms_norm"(%1455, %1456) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1458 = "seq.param"() {name = "model.layers.60.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1459 = "seq.linear"(%1457, %1458) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1460 = "seq.param"() {name = "model.layers.60.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1461 = "seq.linear"(%1457, %1460) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1462 = "seq.swiglu"(%1459, %1461) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1463 = "seq.param"() {name = "model.layers.60.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1464 = "seq.linear"(%1462, %1463) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1465 = "seq.add"(%1455, %1464) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1466 = "seq.param"() {name = "model.layers.61.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1467 = "seq.rms_norm"(%1465, %1466) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1468 = "seq.param"() {name = "model.layers.61.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1469 = "seq.linear"(%1467, %1468) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1470 = "seq.param"() {name = "model.layers.61.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1471 = "seq.linear"(%1467, %1470) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1472 = "seq.param"() {name = "model.layers.61.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1473 = "seq.linear"(%1467, %1472) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1474 = "seq.rope"(%1469, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1475 = "seq.rope"(%1471, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1476 = "seq.attention"(%1474, %1475, %1473) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1477 = "seq.param"() {name = "model.layers.61.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1478 = "seq.linear"(%1476, %1477) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1479 = "seq.add"(%1465, %1478) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1480 = "seq.param"() {name = "model.layers.61.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1481 = "seq.rms_norm"(%1479, %1480) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1482 = "seq.param"() {name = "model.layers.61.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1483 = "seq.linear"(%1481, %1482) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1484 = "seq.param"() {name = "model.layers.61.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1485 = "seq.linear"(%1481, %1484) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1486 = "seq.swiglu"(%1483, %1485) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1487 = "seq.param"() {name = "model.layers.61.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1488 = "seq.linear"(%1486, %1487) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1489 = "seq.add"(%1479, %1488) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1490 = "seq.param"() {name = "model.layers.62.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1491 = "seq.rms_norm"(%1489, %1490) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1492 = "seq.param"() {name = "model.layers.62.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1493 = "seq.linear"(%1491, %1492) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1494 = "seq.param"() {name = "model.layers.62.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1495 = "seq.linear"(%1491, %1494) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1496 = "seq.param"() {name = "model.layers.62.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1497 = "seq.linear"(%1491, %1496) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1498 = "seq.rope"(%1493, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1499 = "seq.rope"(%1495, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1500 = "seq.attention"(%1498, %1499, %1497) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1501 = "seq.param"() {name = "model.layers.62.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1502 = "seq.linear"(%1500, %1501) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1503 = "seq.add"(%1489, %1502) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1504 = "seq.param"() {name = "model.layers.62.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1505 = "seq.rms_norm"(%1503, %1504) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1506 = "seq.param"() {name = "model.layers.62.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1507 = "seq.linear"(%1505, %1506) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1508 = "seq.param"() {name = "model.layers.62.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1509 = "seq.linear"(%1505, %1508) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1510 = "seq.swiglu"(%1507, %1509) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1511 = "seq.param"() {name = "model.layers.62.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1512 = "seq.linear"(%1510, %1511) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1513 = "seq.add"(%1503, %1512) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1514 = "seq.param"() {name = "model.layers.63.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1515 = "seq.rms_norm"(%1513, %1514) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1516 = "seq.param"() {name = "model.layers.63.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1517 = "seq.linear"(%1515, %1516) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1518 = "seq.param"() {name = "model.layers.63.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1519 = "seq.linear"(%1515, %1518) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1520 = "seq.param"() {name = "model.layers.63.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1521 = "seq.linear"(%1515, %1520) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1522 = "seq.rope"(%1517, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1523 = "seq.rope"(%1519, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1524 = "seq.attention"(%1522, %1523, %1521) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1525 = "seq.param"() {name = "model.layers.63.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1526 = "seq.linear"(%1524, %1525) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1527 = "seq.add"(%1513, %1526) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1528 = "seq.param"() {name = "model.layers.63.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1529 = "seq.rms_norm"(%1527, %1528) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1530 = "seq.param"() {name = "model.layers.63.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1531 = "seq.linear"(%1529, %1530) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1532 = "seq.param"() {name = "model.layers.63.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1533 = "seq.linear"(%1529, %1532) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1534 = "seq.swiglu"(%1531, %1533) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1535 = "seq.param"() {name = "model.layers.63.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1536 = "seq.linear"(%1534, %1535) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1537 = "seq.add"(%1527, %1536) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1538 = "seq.param"() {name = "model.layers.64.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1539 = "seq.rms_norm"(%1537, %1538) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1540 = "seq.param"() {name = "model.layers.64.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1541 = "seq.linear"(%1539, %1540) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1542 = "seq.param"() {name = "model.layers.64.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1543 = "seq.linear"(%1539, %1542) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1544 = "seq.param"() {name = "model.layers.64.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1545 = "seq.linear"(%1539, %1544) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1546 = "seq.rope"(%1541, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1547 = "seq.rope"(%1543, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1548 = "seq.attention"(%1546, %1547, %1545) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1549 = "seq.param"() {name = "model.layers.64.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1550 = "seq.linear"(%1548, %1549) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1551 = "seq.add"(%1537, %1550) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1552 = "seq.param"() {name = "model.layers.64.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1553 = "seq.rms_norm"(%1551, %1552) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1554 = "seq.param"() {name = "model.layers.64.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1555 = "seq.linear"(%1553, %1554) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1556 = "seq.param"() {name = "model.layers.64.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1557 = "seq.linear"(%1553, %1556) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1558 = "seq.swiglu"(%1555, %1557) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1559 = "seq.param"() {name = "model.layers.64.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1560 = "seq.linear"(%1558, %1559) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1561 = "seq.add"(%1551, %1560) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1562 = "seq.param"() {name = "model.layers.65.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1563 = "seq.rms_norm"(%1561, %1562) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1564 = "seq.param"() {name = "model.layers.65.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1565 = "seq.linear"(%1563, %1564) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1566 = "seq.param"() {name = "model.layers.65.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1567 = "seq.linear"(%1563, %1566) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1568 = "seq.param"() {name = "model.layers.65.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1569 = "seq.linear"(%1563, %1568) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1570 = "seq.rope"(%1565, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1571 = "seq.rope"(%1567, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1572 = "seq.attention"(%1570, %1571, %1569) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1573 = "seq.param"() {name = "model.layers.65.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1574 = "seq.linear"(%1572, %1573) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1575 = "seq.add"(%1561, %1574) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1576 = "seq.param"() {name = "model.layers.65.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1577 = "seq.rms_norm"(%1575, %1576) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1578 = "seq.param"() {name = "model.layers.65.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1579 = "seq.linear"(%1577, %1578) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1580 = "seq.param"() {name = "model.layers.65.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1581 = "seq.linear"(%1577, %1580) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1582 = "seq.swiglu"(%1579, %1581) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1583 = "seq.param"() {name = "model.layers.65.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1584 = "seq.linear"(%1582, %1583) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1585 = "seq.add"(%1575, %1584) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1586 = "seq.param"() {name = "model.layers.66.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1587 = "seq.rms_norm"(%1585, %1586) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1588 = "seq.param"() {name = "model.layers.66.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1589 = "seq.linear"(%1587, %1588) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1590 = "seq.param"() {name = "model.layers.66.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1591 = "seq.linear"(%1587, %1590) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1592 = "seq.param"() {name = "model.layers.66.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1593 = "seq.linear"(%1587, %1592) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1594 = "seq.rope"(%1589, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1595 = "seq.rope"(%1591, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1596 = "seq.attention"(%1594, %1595, %1593) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1597 = "seq.param"() {name = "model.layers.66.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1598 = "seq.linear"(%1596, %1597) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1599 = "seq.add"(%1585, %1598) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1600 = "seq.param"() {name = "model.layers.66.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1601 = "seq.rms_norm"(%1599, %1600) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1602 = "seq.param"() {name = "model.layers.66.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1603 = "seq.linear"(%1601, %1602) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1604 = "seq.param"() {name = "model.layers.66.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1605 = "seq.linear"(%1601, %1604) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1606 = "seq.swiglu"(%1603, %1605) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1607 = "seq.param"() {name = "model.layers.66.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1608 = "seq.linear"(%1606, %1607) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1609 = "seq.add"(%1599, %1608) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1610 = "seq.param"() {name = "model.layers.67.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1611 = "seq.rms_norm"(%1609, %1610) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1612 = "seq.param"() {name = "model.layers.67.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1613 = "seq.linear"(%1611, %1612) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1614 = "seq.param"() {name = "model.layers.67.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1615 = "seq.linear"(%1611, %1614) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1616 = "seq.param"() {name = "model.layers.67.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1617 = "seq.linear"(%1611, %1616) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1618 = "seq.rope"(%1613, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1619 = "seq.rope"(%1615, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1620 = "seq.attention"(%1618, %1619, %1617) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1621 = "seq.param"() {name = "model.layers.67.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1622 = "seq.linear"(%1620, %1621) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1623 = "seq.add"(%1609, %1622) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1624 = "seq.param"() {name = "model.layers.67.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1625 = "seq.rms_norm"(%1623, %1624) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1626 = "seq.param"() {name = "model.layers.67.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1627 = "seq.linear"(%1625, %1626) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1628 = "seq.param"() {name = "model.layers.67.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1629 = "seq.linear"(%1625, %1628) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1630 = "seq.swiglu"(%1627, %1629) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1631 = "seq.param"() {name = "model.layers.67.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1632 = "seq.linear"(%1630, %1631) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1633 = "seq.add"(%1623, %1632) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1634 = "seq.param"() {name = "model.layers.68.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1635 = "seq.rms_norm"(%1633, %1634) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1636 = "seq.param"() {name = "model.layers.68.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1637 = "seq.linear"(%1635, %1636) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1638 = "seq.param"() {name = "model.layers.68.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1639 = "seq.linear"(%1635, %1638) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1640 = "seq.param"() {name = "model.layers.68.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1641 = "seq.linear"(%1635, %1640) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1642 = "seq.rope"(%1637, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1643 = "seq.rope"(%1639, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1644 = "seq.attention"(%1642, %1643, %1641) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1645 = "seq.param"() {name = "model.layers.68.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1646 = "seq.linear"(%1644, %1645) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1647 = "seq.add"(%1633, %1646) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1648 = "seq.param"() {name = "model.layers.68.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1649 = "seq.rms_norm"(%1647, %1648) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1650 = "seq.param"() {name = "model.layers.68.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1651 = "seq.linear"(%1649, %1650) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1652 = "seq.param"() {name = "model.layers.68.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1653 = "seq.linear"(%1649, %1652) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1654 = "seq.swiglu"(%1651, %1653) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1655 = "seq.param"() {name = "model.layers.68.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1656 = "seq.linear"(%1654, %1655) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1657 = "seq.add"(%1647, %1656) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1658 = "seq.param"() {name = "model.layers.69.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1659 = "seq.rms_norm"(%1657, %1658) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1660 = "seq.param"() {name = "model.layers.69.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1661 = "seq.linear"(%1659, %1660) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1662 = "seq.param"() {name = "model.layers.69.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1663 = "seq.linear"(%1659, %1662) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1664 = "seq.param"() {name = "model.layers.69.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1665 = "seq.linear"(%1659, %1664) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1666 = "seq.rope"(%1661, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1667 = "seq.rope"(%1663, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1668 = "seq.attention"(%1666, %1667, %1665) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1669 = "seq.param"() {name = "model.layers.69.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1670 = "seq.linear"(%1668, %1669) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1671 = "seq.add"(%1657, %1670) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1672 = "seq.param"() {name = "model.layers.69.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1673 = "seq.rms_norm"(%1671, %1672) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1674 = "seq.param"() {name = "model.layers.69.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1675 = "seq.linear"(%1673, %1674) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1676 = "seq.param"() {name = "model.layers.69.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1677 = "seq.linear"(%1673, %1676) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1678 = "seq.swiglu"(%1675, %1677) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1679 = "seq.param"() {name = "model.layers.69.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1680 = "seq.linear"(%1678, %1679) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1681 = "seq.add"(%1671, %1680) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1682 = "seq.param"() {name = "model.layers.70.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1683 = "seq.rms_norm"(%1681, %1682) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1684 = "seq.param"() {name = "model.layers.70.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1685 = "seq.linear"(%1683, %1684) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1686 = "seq.param"() {name = "model.layers.70.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1687 = "seq.linear"(%1683, %1686) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1688 = "seq.param"() {name = "model.layers.70.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1689 = "seq.linear"(%1683, %1688) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1690 = "seq.rope"(%1685, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1691 = "seq.rope"(%1687, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1692 = "seq.attention"(%1690, %1691, %1689) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1693 = "seq.param"() {name = "model.layers.70.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1694 = "seq.linear"(%1692, %1693) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1695 = "seq.add"(%1681, %1694) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1696 = "seq.param"() {name = "model.layers.70.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1697 = "seq.rms_norm"(%1695, %1696) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1698 = "seq.param"() {name = "model.layers.70.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1699 = "seq.linear"(%1697, %1698) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1700 = "seq.param"() {name = "model.layers.70.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1701 = "seq.linear"(%1697, %1700) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1702 = "seq.swiglu"(%1699, %1701) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1703 = "seq.param"() {name = "model.layers.70.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1704 = "seq.linear"(%1702, %1703) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1705 = "seq.add"(%1695, %1704) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1706 = "seq.param"() {name = "model.layers.71.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1707 = "seq.rms_norm"(%1705, %1706) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1708 = "seq.param"() {name = "model.layers.71.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1709 = "seq.linear"(%1707, %1708) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1710 = "seq.param"() {name = "model.layers.71.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1711 = "seq.linear"(%1707, %1710) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1712 = "seq.param"() {name = "model.layers.71.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1713 = "seq.linear"(%1707, %1712) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1714 = "seq.rope"(%1709, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1715 = "seq.rope"(%1711, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1716 = "seq.attention"(%1714, %1715, %1713) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1717 = "seq.param"() {name = "model.layers.71.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1718 = "seq.linear"(%1716, %1717) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1719 = "seq.add"(%1705, %1718) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1720 = "seq.param"() {name = "model.layers.71.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1721 = "seq.rms_norm"(%1719, %1720) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1722 = "seq.param"() {name = "model.layers.71.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1723 = "seq.linear"(%1721, %1722) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1724 = "seq.param"() {name = "model.layers.71.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1725 = "seq.linear"(%1721, %1724) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1726 = "seq.swiglu"(%1723, %1725) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1727 = "seq.param"() {name = "model.layers.71.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1728 = "seq.linear"(%1726, %1727) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1729 = "seq.add"(%1719, %1728) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1730 = "seq.param"() {name = "model.layers.72.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1731 = "seq.rms_norm"(%1729, %1730) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1732 = "seq.param"() {name = "model.layers.72.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1733 = "seq.linear"(%1731, %1732) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1734 = "seq.param"() {name = "model.layers.72.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1735 = "seq.linear"(%1731, %1734) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1736 = "seq.param"() {name = "model.layers.72.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1737 = "seq.linear"(%1731, %1736) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1738 = "seq.rope"(%1733, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1739 = "seq.rope"(%1735, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1740 = "seq.attention"(%1738, %1739, %1737) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1741 = "seq.param"() {name = "model.layers.72.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1742 = "seq.linear"(%1740, %1741) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1743 = "seq.add"(%1729, %1742) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1744 = "seq.param"() {name = "model.layers.72.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1745 = "seq.rms_norm"(%1743, %1744) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1746 = "seq.param"() {name = "model.layers.72.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1747 = "seq.linear"(%1745, %1746) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1748 = "seq.param"() {name = "model.layers.72.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1749 = "seq.linear"(%1745, %1748) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1750 = "seq.swiglu"(%1747, %1749) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1751 = "seq.param"() {name = "model.layers.72.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1752 = "seq.linear"(%1750, %1751) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1753 = "seq.add"(%1743, %1752) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1754 = "seq.param"() {name = "model.layers.73.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1755 = "seq.rms_norm"(%1753, %1754) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1756 = "seq.param"() {name = "model.layers.73.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1757 = "seq.linear"(%1755, %1756) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1758 = "seq.param"() {name = "model.layers.73.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1759 = "seq.linear"(%1755, %1758) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1760 = "seq.param"() {name = "model.layers.73.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1761 = "seq.linear"(%1755, %1760) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1762 = "seq.rope"(%1757, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1763 = "seq.rope"(%1759, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1764 = "seq.attention"(%1762, %1763, %1761) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1765 = "seq.param"() {name = "model.layers.73.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1766 = "seq.linear"(%1764, %1765) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1767 = "seq.add"(%1753, %1766) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1768 = "seq.param"() {name = "model.layers.73.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1769 = "seq.rms_norm"(%1767, %1768) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1770 = "seq.param"() {name = "model.layers.73.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1771 = "seq.linear"(%1769, %1770) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1772 = "seq.param"() {name = "model.layers.73.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1773 = "seq.linear"(%1769, %1772) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1774 = "seq.swiglu"(%1771, %1773) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1775 = "seq.param"() {name = "model.layers.73.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1776 = "seq.linear"(%1774, %1775) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1777 = "seq.add"(%1767, %1776) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1778 = "seq.param"() {name = "model.layers.74.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1779 = "seq.rms_norm"(%1777, %1778) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1780 = "seq.param"() {name = "model.layers.74.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1781 = "seq.linear"(%1779, %1780) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1782 = "seq.param"() {name = "model.layers.74.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1783 = "seq.linear"(%1779, %1782) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1784 = "seq.param"() {name = "model.layers.74.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1785 = "seq.linear"(%1779, %1784) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1786 = "seq.rope"(%1781, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1787 = "seq.rope"(%1783, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1788 = "seq.attention"(%1786, %1787, %1785) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1789 = "seq.param"() {name = "model.layers.74.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1790 = "seq.linear"(%1788, %1789) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1791 = "seq.add"(%1777, %1790) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1792 = "seq.param"() {name = "model.layers.74.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1793 = "seq.rms_norm"(%1791, %1792) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1794 = "seq.param"() {name = "model.layers.74.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1795 = "seq.linear"(%1793, %1794) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1796 = "seq.param"() {name = "model.layers.74.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1797 = "seq.linear"(%1793, %1796) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1798 = "seq.swiglu"(%1795, %1797) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1799 = "seq.param"() {name = "model.layers.74.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1800 = "seq.linear"(%1798, %1799) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1801 = "seq.add"(%1791, %1800) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1802 = "seq.param"() {name = "model.layers.75.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1803 = "seq.rms_norm"(%1801, %1802) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1804 = "seq.param"() {name = "model.layers.75.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1805 = "seq.linear"(%1803, %1804) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1806 = "seq.param"() {name = "model.layers.75.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1807 = "seq.linear"(%1803, %1806) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1808 = "seq.param"() {name = "model.layers.75.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1809 = "seq.linear"(%1803, %1808) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1810 = "seq.rope"(%1805, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1811 = "seq.rope"(%1807, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1812 = "seq.attention"(%1810, %1811, %1809) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1813 = "seq.param"() {name = "model.layers.75.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1814 = "seq.linear"(%1812, %1813) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1815 = "seq.add"(%1801, %1814) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1816 = "seq.param"() {name = "model.layers.75.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1817 = "seq.rms_norm"(%1815, %1816) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1818 = "seq.param"() {name = "model.layers.75.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1819 = "seq.linear"(%1817, %1818) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1820 = "seq.param"() {name = "model.layers.75.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1821 = "seq.linear"(%1817, %1820) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1822 = "seq.swiglu"(%1819, %1821) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1823 = "seq.param"() {name = "model.layers.75.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1824 = "seq.linear"(%1822, %1823) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1825 = "seq.add"(%1815, %1824) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1826 = "seq.param"() {name = "model.layers.76.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1827 = "seq.rms_norm"(%1825, %1826) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1828 = "seq.param"() {name = "model.layers.76.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1829 = "seq.linear"(%1827, %1828) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1830 = "seq.param"() {name = "model.layers.76.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1831 = "seq.linear"(%1827, %1830) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1832 = "seq.param"() {name = "model.layers.76.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1833 = "seq.linear"(%1827, %1832) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1834 = "seq.rope"(%1829, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1835 = "seq.rope"(%1831, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1836 = "seq.attention"(%1834, %1835, %1833) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1837 = "seq.param"() {name = "model.layers.76.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1838 = "seq.linear"(%1836, %1837) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1839 = "seq.add"(%1825, %1838) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1840 = "seq.param"() {name = "model.layers.76.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1841 = "seq.rms_norm"(%1839, %1840) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1842 = "seq.param"() {name = "model.layers.76.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1843 = "seq.linear"(%1841, %1842) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1844 = "seq.param"() {name = "model.layers.76.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1845 = "seq.linear"(%1841, %1844) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1846 = "seq.swiglu"(%1843, %1845) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1847 = "seq.param"() {name = "model.layers.76.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1848 = "seq.linear"(%1846, %1847) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1849 = "seq.add"(%1839, %1848) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1850 = "seq.param"() {name = "model.layers.77.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1851 = "seq.rms_norm"(%1849, %1850) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1852 = "seq.param"() {name = "model.layers.77.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1853 = "seq.linear"(%1851, %1852) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1854 = "seq.param"() {name = "model.layers.77.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1855 = "seq.linear"(%1851, %1854) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1856 = "seq.param"() {name = "model.layers.77.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1857 = "seq.linear"(%1851, %1856) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1858 = "seq.rope"(%1853, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1859 = "seq.rope"(%1855, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1860 = "seq.attention"(%1858, %1859, %1857) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1861 = "seq.param"() {name = "model.layers.77.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1862 = "seq.linear"(%1860, %1861) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1863 = "seq.add"(%1849, %1862) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1864 = "seq.param"() {name = "model.layers.77.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1865 = "seq.rms_norm"(%1863, %1864) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1866 = "seq.param"() {name = "model.layers.77.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1867 = "seq.linear"(%1865, %1866) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1868 = "seq.param"() {name = "model.layers.77.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1869 = "seq.linear"(%1865, %1868) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1870 = "seq.swiglu"(%1867, %1869) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1871 = "seq.param"() {name = "model.layers.77.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1872 = "seq.linear"(%1870, %1871) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1873 = "seq.add"(%1863, %1872) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1874 = "seq.param"() {name = "model.layers.78.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1875 = "seq.rms_norm"(%1873, %1874) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1876 = "seq.param"() {name = "model.layers.78.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1877 = "seq.linear"(%1875, %1876) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1878 = "seq.param"() {name = "model.layers.78.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1879 = "seq.linear"(%1875, %1878) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1880 = "seq.param"() {name = "model.layers.78.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1881 = "seq.linear"(%1875, %1880) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1882 = "seq.rope"(%1877, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1883 = "seq.rope"(%1879, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1884 = "seq.attention"(%1882, %1883, %1881) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1885 = "seq.param"() {name = "model.layers.78.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1886 = "seq.linear"(%1884, %1885) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1887 = "seq.add"(%1873, %1886) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1888 = "seq.param"() {name = "model.layers.78.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1889 = "seq.rms_norm"(%1887, %1888) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1890 = "seq.param"() {name = "model.layers.78.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1891 = "seq.linear"(%1889, %1890) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1892 = "seq.param"() {name = "model.layers.78.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1893 = "seq.linear"(%1889, %1892) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1894 = "seq.swiglu"(%1891, %1893) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1895 = "seq.param"() {name = "model.layers.78.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1896 = "seq.linear"(%1894, %1895) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1897 = "seq.add"(%1887, %1896) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1898 = "seq.param"() {name = "model.layers.79.input_layernorm.weight"} : () -> tensor<8192xbf16>
    %1899 = "seq.rms_norm"(%1897, %1898) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1900 = "seq.param"() {name = "model.layers.79.self_attn.q_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1901 = "seq.linear"(%1899, %1900) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1902 = "seq.param"() {name = "model.layers.79.self_attn.k_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1903 = "seq.linear"(%1899, %1902) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1904 = "seq.param"() {name = "model.layers.79.self_attn.v_proj.weight"} : () -> tensor<1024x8192xbf16>
    %1905 = "seq.linear"(%1899, %1904) : (tensor<131072x8192xbf16>, tensor<1024x8192xbf16>) -> tensor<131072x1024xbf16>
    %1906 = "seq.rope"(%1901, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x8192xbf16>, tensor<131072xi32>) -> tensor<131072x8192xbf16>
    %1907 = "seq.rope"(%1903, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %1908 = "seq.attention"(%1906, %1907, %1905) {causal = true, head_dim = 128 : i64, num_heads = 64 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x8192xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x8192xbf16>
    %1909 = "seq.param"() {name = "model.layers.79.self_attn.o_proj.weight"} : () -> tensor<8192x8192xbf16>
    %1910 = "seq.linear"(%1908, %1909) : (tensor<131072x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<131072x8192xbf16>
    %1911 = "seq.add"(%1897, %1910) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1912 = "seq.param"() {name = "model.layers.79.post_attention_layernorm.weight"} : () -> tensor<8192xbf16>
    %1913 = "seq.rms_norm"(%1911, %1912) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1914 = "seq.param"() {name = "model.layers.79.mlp.gate_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1915 = "seq.linear"(%1913, %1914) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1916 = "seq.param"() {name = "model.layers.79.mlp.up_proj.weight"} : () -> tensor<28672x8192xbf16>
    %1917 = "seq.linear"(%1913, %1916) : (tensor<131072x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<131072x28672xbf16>
    %1918 = "seq.swiglu"(%1915, %1917) : (tensor<131072x28672xbf16>, tensor<131072x28672xbf16>) -> tensor<131072x28672xbf16>
    %1919 = "seq.param"() {name = "model.layers.79.mlp.down_proj.weight"} : () -> tensor<8192x28672xbf16>
    %1920 = "seq.linear"(%1918, %1919) : (tensor<131072x28672xbf16>, tensor<8192x28672xbf16>) -> tensor<131072x8192xbf16>
    %1921 = "seq.add"(%1911, %1920) : (tensor<131072x8192xbf16>, tensor<131072x8192xbf16>) -> tensor<131072x8192xbf16>
    %1922 = "seq.param"() {name = "model.norm.weight"} : () -> tensor<8192xbf16>
    %1923 = "seq.rms_norm"(%1921, %1922) {eps = 1.0e-5 : f64} : (tensor<131072x8192xbf16>, tensor<8192xbf16>) -> tensor<131072x8192xbf16>
    %1924 = "seq.param"() {name = "lm_head.weight"} : () -> tensor<128256x8192xbf16>
    %1925 = "seq.logits"(%1923, %1924) : (tensor<131072x8192xbf16>, tensor<128256x8192xbf16>) -> tensor<131072x128256xbf16>
    return %1925 : tensor<131072x128256xbf16>
  }
}
