// Llama-3-8B-shaped decoder: 32 layers, hidden 4096, 32 heads, 8 KV heads, head dim 128,
// FFN 14336, vocab 128256, 131072 tokens, bf16. Generated from DecoderConfig::llama3_8b().
module {
  func.func @forward(%arg0: tensor<131072xi32>, %arg1: tensor<131072xi32>) -> (tensor<131072x128256xbf16>) {
    %0 = "seq.param"() {name = "model.embed_tokens.weight"} : () -> tensor<128256x4096xbf16>
    %1 = "seq.embedding"(%arg0, %0) : (tensor<131072xi32>, tensor<128256x4096xbf16>) -> tensor<131072x4096xbf16>
    %2 = "seq.param"() {name = "model.layers.0.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %3 = "seq.rms_norm"(%1, %2) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %4 = "seq.param"() {name = "model.layers.0.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %5 = "seq.linear"(%3, %4) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %6 = "seq.param"() {name = "model.layers.0.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %7 = "seq.linear"(%3, %6) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %8 = "seq.param"() {name = "model.layers.0.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %9 = "seq.linear"(%3, %8) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %10 = "seq.rope"(%5, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %11 = "seq.rope"(%7, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %12 = "seq.attention"(%10, %11, %9) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %13 = "seq.param"() {name = "model.layers.0.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %14 = "seq.linear"(%12, %13) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %15 = "seq.add"(%1, %14) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %16 = "seq.param"() {name = "model.layers.0.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %17 = "seq.rms_norm"(%15, %16) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %18 = "seq.param"() {name = "model.layers.0.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %19 = "seq.linear"(%17, %18) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %20 = "seq.param"() {name = "model.layers.0.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %21 = "seq.linear"(%17, %20) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %22 = "seq.swiglu"(%19, %21) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %23 = "seq.param"() {name = "model.layers.0.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %24 = "seq.linear"(%22, %23) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %25 = "seq.add"(%15, %24) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %26 = "seq.param"() {name = "model.layers.1.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %27 = "seq.rms_norm"(%25, %26) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %28 = "seq.param"() {name = "model.layers.1.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %29 = "seq.linear"(%27, %28) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %30 = "seq.param"() {name = "model.layers.1.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %31 = "seq.linear"(%27, %30) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %32 = "seq.param"() {name = "model.layers.1.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %33 = "seq.linear"(%27, %32) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %34 = "seq.rope"(%29, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %35 = "seq.rope"(%31, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %36 = "seq.attention"(%34, %35, %33) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %37 = "seq.param"() {name = "model.layers.1.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %38 = "seq.linear"(%36, %37) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %39 = "seq.add"(%25, %38) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %40 = "seq.param"() {name = "model.layers.1.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %41 = "seq.rms_norm"(%39, %40) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %42 = "seq.param"() {name = "model.layers.1.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %43 = "seq.linear"(%41, %42) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %44 = "seq.param"() {name = "model.layers.1.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %45 = "seq.linear"(%41, %44) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %46 = "seq.swiglu"(%43, %45) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %47 = "seq.param"() {name = "model.layers.1.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %48 = "seq.linear"(%46, %47) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %49 = "seq.add"(%39, %48) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %50 = "seq.param"() {name = "model.layers.2.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %51 = "seq.rms_norm"(%49, %50) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %52 = "seq.param"() {name = "model.layers.2.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %53 = "seq.linear"(%51, %52) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %54 = "seq.param"() {name = "model.layers.2.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %55 = "seq.linear"(%51, %54) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %56 = "seq.param"() {name = "model.layers.2.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %57 = "seq.linear"(%51, %56) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %58 = "seq.rope"(%53, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %59 = "seq.rope"(%55, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %60 = "seq.attention"(%58, %59, %57) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %61 = "seq.param"() {name = "model.layers.2.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %62 = "seq.linear"(%60, %61) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %63 = "seq.add"(%49, %62) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %64 = "seq.param"() {name = "model.layers.2.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %65 = "seq.rms_norm"(%63, %64) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %66 = "seq.param"() {name = "model.layers.2.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %67 = "seq.linear"(%65, %66) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %68 = "seq.param"() {name = "model.layers.2.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %69 = "seq.linear"(%65, %68) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %70 = "seq.swiglu"(%67, %69) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %71 = "seq.param"() {name = "model.layers.2.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %72 = "seq.linear"(%70, %71) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %73 = "seq.add"(%63, %72) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %74 = "seq.param"() {name = "model.layers.3.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %75 = "seq.rms_norm"(%73, %74) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %76 = "seq.param"() {name = "model.layers.3.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %77 = "seq.linear"(%75, %76) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %78 = "seq.param"() {name = "model.layers.3.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %79 = "seq.linear"(%75, %78) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %80 = "seq.param"() {name = "model.layers.3.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %81 = "seq.linear"(%75, %80) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %82 = "seq.rope"(%77, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %83 = "seq.rope"(%79, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %84 = "seq.attention"(%82, %83, %81) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %85 = "seq.param"() {name = "model.layers.3.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %86 = "seq.linear"(%84, %85) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %87 = "seq.add"(%73, %86) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %88 = "seq.param"() {name = "model.layers.3.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %89 = "seq.rms_norm"(%87, %88) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %90 = "seq.param"() {name = "model.layers.3.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %91 = "seq.linear"(%89, %90) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %92 = "seq.param"() {name = "model.layers.3.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %93 = "seq.linear"(%89, %92) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %94 = "seq.swiglu"(%91, %93) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %95 = "seq.param"() {name = "model.layers.3.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %96 = "seq.linear"(%94, %95) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %97 = "seq.add"(%87, %96) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %98 = "seq.param"() {name = "model.layers.4.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %99 = "seq.rms_norm"(%97, %98) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %100 = "seq.param"() {name = "model.layers.4.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %101 = "seq.linear"(%99, %100) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %102 = "seq.param"() {name = "model.layers.4.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %103 = "seq.linear"(%99, %102) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %104 = "seq.param"() {name = "model.layers.4.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %105 = "seq.linear"(%99, %104) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %106 = "seq.rope"(%101, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %107 = "seq.rope"(%103, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %108 = "seq.attention"(%106, %107, %105) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %109 = "seq.param"() {name = "model.layers.4.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %110 = "seq.linear"(%108, %109) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %111 = "seq.add"(%97, %110) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %112 = "seq.param"() {name = "model.layers.4.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %113 = "seq.rms_norm"(%111, %112) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %114 = "seq.param"() {name = "model.layers.4.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %115 = "seq.linear"(%113, %114) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %116 = "seq.param"() {name = "model.layers.4.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %117 = "seq.linear"(%113, %116) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %118 = "seq.swiglu"(%115, %117) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %119 = "seq.param"() {name = "model.layers.4.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %120 = "seq.linear"(%118, %119) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %121 = "seq.add"(%111, %120) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %122 = "seq.param"() {name = "model.layers.5.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %123 = "seq.rms_norm"(%121, %122) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %124 = "seq.param"() {name = "model.layers.5.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %125 = "seq.linear"(%123, %124) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %126 = "seq.param"() {name = "model.layers.5.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %127 = "seq.linear"(%123, %126) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %128 = "seq.param"() {name = "model.layers.5.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %129 = "seq.linear"(%123, %128) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %130 = "seq.rope"(%125, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %131 = "seq.rope"(%127, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %132 = "seq.attention"(%130, %131, %129) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %133 = "seq.param"() {name = "model.layers.5.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %134 = "seq.linear"(%132, %133) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %135 = "seq.add"(%121, %134) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %136 = "seq.param"() {name = "model.layers.5.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %137 = "seq.rms_norm"(%135, %136) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %138 = "seq.param"() {name = "model.layers.5.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %139 = "seq.linear"(%137, %138) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %140 = "seq.param"() {name = "model.layers.5.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %141 = "seq.linear"(%137, %140) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %142 = "seq.swiglu"(%139, %141) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %143 = "seq.param"() {name = "model.layers.5.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %144 = "seq.linear"(%142, %143) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %145 = "seq.add"(%135, %144) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %146 = "seq.param"() {name = "model.layers.6.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %147 = "seq.rms_norm"(%145, %146) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %148 = "seq.param"() {name = "model.layers.6.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %149 = "seq.linear"(%147, %148) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %150 = "seq.param"() {name = "model.layers.6.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %151 = "seq.linear"(%147, %150) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %152 = "seq.param"() {name = "model.layers.6.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %153 = "seq.linear"(%147, %152) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %154 = "seq.rope"(%149, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %155 = "seq.rope"(%151, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %156 = "seq.attention"(%154, %155, %153) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %157 = "seq.param"() {name = "model.layers.6.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %158 = "seq.linear"(%156, %157) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %159 = "seq.add"(%145, %158) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %160 = "seq.param"() {name = "model.layers.6.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %161 = "seq.rms_norm"(%159, %160) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %162 = "seq.param"() {name = "model.layers.6.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %163 = "seq.linear"(%161, %162) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %164 = "seq.param"() {name = "model.layers.6.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %165 = "seq.linear"(%161, %164) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %166 = "seq.swiglu"(%163, %165) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %167 = "seq.param"() {name = "model.layers.6.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %168 = "seq.linear"(%166, %167) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %169 = "seq.add"(%159, %168) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %170 = "seq.param"() {name = "model.layers.7.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %171 = "seq.rms_norm"(%169, %170) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %172 = "seq.param"() {name = "model.layers.7.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %173 = "seq.linear"(%171, %172) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %174 = "seq.param"() {name = "model.layers.7.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %175 = "seq.linear"(%171, %174) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %176 = "seq.param"() {name = "model.layers.7.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %177 = "seq.linear"(%171, %176) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %178 = "seq.rope"(%173, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %179 = "seq.rope"(%175, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %180 = "seq.attention"(%178, %179, %177) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %181 = "seq.param"() {name = "model.layers.7.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %182 = "seq.linear"(%180, %181) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %183 = "seq.add"(%169, %182) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %184 = "seq.param"() {name = "model.layers.7.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %185 = "seq.rms_norm"(%183, %184) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %186 = "seq.param"() {name = "model.layers.7.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %187 = "seq.linear"(%185, %186) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %188 = "seq.param"() {name = "model.layers.7.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %189 = "seq.linear"(%185, %188) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %190 = "seq.swiglu"(%187, %189) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %191 = "seq.param"() {name = "model.layers.7.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %192 = "seq.linear"(%190, %191) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %193 = "seq.add"(%183, %192) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %194 = "seq.param"() {name = "model.layers.8.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %195 = "seq.rms_norm"(%193, %194) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %196 = "seq.param"() {name = "model.layers.8.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %197 = "seq.linear"(%195, %196) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %198 = "seq.param"() {name = "model.layers.8.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %199 = "seq.linear"(%195, %198) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %200 = "seq.param"() {name = "model.layers.8.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %201 = "seq.linear"(%195, %200) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %202 = "seq.rope"(%197, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %203 = "seq.rope"(%199, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %204 = "seq.attention"(%202, %203, %201) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %205 = "seq.param"() {name = "model.layers.8.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %206 = "seq.linear"(%204, %205) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %207 = "seq.add"(%193, %206) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %208 = "seq.param"() {name = "model.layers.8.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %209 = "seq.rms_norm"(%207, %208) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %210 = "seq.param"() {name = "model.layers.8.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %211 = "seq.linear"(%209, %210) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %212 = "seq.param"() {name = "model.layers.8.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %213 = "seq.linear"(%209, %212) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %214 = "seq.swiglu"(%211, %213) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %215 = "seq.param"() {name = "model.layers.8.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %216 = "seq.linear"(%214, %215) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %217 = "seq.add"(%207, %216) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %218 = "seq.param"() {name = "model.layers.9.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %219 = "seq.rms_norm"(%217, %218) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %220 = "seq.param"() {name = "model.layers.9.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %221 = "seq.linear"(%219, %220) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %222 = "seq.param"() {name = "model.layers.9.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %223 = "seq.linear"(%219, %222) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %224 = "seq.param"() {name = "model.layers.9.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %225 = "seq.linear"(%219, %224) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %226 = "seq.rope"(%221, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %227 = "seq.rope"(%223, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %228 = "seq.attention"(%226, %227, %225) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %229 = "seq.param"() {name = "model.layers.9.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %230 = "seq.linear"(%228, %229) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %231 = "seq.add"(%217, %230) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %232 = "seq.param"() {name = "model.layers.9.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %233 = "seq.rms_norm"(%231, %232) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %234 = "seq.param"() {name = "model.layers.9.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %235 = "seq.linear"(%233, %234) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %236 = "seq.param"() {name = "model.layers.9.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %237 = "seq.linear"(%233, %236) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %238 = "seq.swiglu"(%235, %237) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %239 = "seq.param"() {name = "model.layers.9.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %240 = "seq.linear"(%238, %239) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %241 = "seq.add"(%231, %240) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %242 = "seq.param"() {name = "model.layers.10.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %243 = "seq.rms_norm"(%241, %242) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %244 = "seq.param"() {name = "model.layers.10.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %245 = "seq.linear"(%243, %244) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %246 = "seq.param"() {name = "model.layers.10.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %247 = "seq.linear"(%243, %246) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %248 = "seq.param"() {name = "model.layers.10.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %249 = "seq.linear"(%243, %248) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %250 = "seq.rope"(%245, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %251 = "seq.rope"(%247, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %252 = "seq.attention"(%250, %251, %249) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %253 = "seq.param"() {name = "model.layers.10.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %254 = "seq.linear"(%252, %253) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %255 = "seq.add"(%241, %254) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %256 = "seq.param"() {name = "model.layers.10.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %257 = "seq.rms_norm"(%255, %256) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %258 = "seq.param"() {name = "model.layers.10.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %259 = "seq.linear"(%257, %258) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %260 = "seq.param"() {name = "model.layers.10.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %261 = "seq.linear"(%257, %260) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %262 = "seq.swiglu"(%259, %261) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %263 = "seq.param"() {name = "model.layers.10.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %264 = "seq.linear"(%262, %263) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %265 = "seq.add"(%255, %264) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %266 = "seq.param"() {name = "model.layers.11.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %267 = "seq.rms_norm"(%265, %266) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %268 = "seq.param"() {name = "model.layers.11.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %269 = "seq.linear"(%267, %268) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %270 = "seq.param"() {name = "model.layers.11.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %271 = "seq.linear"(%267, %270) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %272 = "seq.param"() {name = "model.layers.11.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %273 = "seq.linear"(%267, %272) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %274 = "seq.rope"(%269, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %275 = "seq.rope"(%271, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %276 = "seq.attention"(%274, %275, %273) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %277 = "seq.param"() {name = "model.layers.11.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %278 = "seq.linear"(%276, %277) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %279 = "seq.add"(%265, %278) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %280 = "seq.param"() {name = "model.layers.11.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %281 = "seq.rms_norm"(%279, %280) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %282 = "seq.param"() {name = "model.layers.11.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %283 = "seq.linear"(%281, %282) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %284 = "seq.param"() {name = "model.layers.11.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %285 = "seq.linear"(%281, %284) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %286 = "seq.swiglu"(%283, %285) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %287 = "seq.param"() {name = "model.layers.11.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %288 = "seq.linear"(%286, %287) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %289 = "seq.add"(%279, %288) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %290 = "seq.param"() {name = "model.layers.12.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %291 = "seq.rms_norm"(%289, %290) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %292 = "seq.param"() {name = "model.layers.12.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %293 = "seq.linear"(%291, %292) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %294 = "seq.param"() {name = "model.layers.12.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %295 = "seq.linear"(%291, %294) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %296 = "seq.param"() {name = "model.layers.12.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %297 = "seq.linear"(%291, %296) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %298 = "seq.rope"(%293, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %299 = "seq.rope"(%295, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %300 = "seq.attention"(%298, %299, %297) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %301 = "seq.param"() {name = "model.layers.12.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %302 = "seq.linear"(%300, %301) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %303 = "seq.add"(%289, %302) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %304 = "seq.param"() {name = "model.layers.12.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %305 = "seq.rms_norm"(%303, %304) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %306 = "seq.param"() {name = "model.layers.12.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %307 = "seq.linear"(%305, %306) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %308 = "seq.param"() {name = "model.layers.12.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %309 = "seq.linear"(%305, %308) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %310 = "seq.swiglu"(%307, %309) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %311 = "seq.param"() {name = "model.layers.12.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %312 = "seq.linear"(%310, %311) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %313 = "seq.add"(%303, %312) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %314 = "seq.param"() {name = "model.layers.13.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %315 = "seq.rms_norm"(%313, %314) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %316 = "seq.param"() {name = "model.layers.13.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %317 = "seq.linear"(%315, %316) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %318 = "seq.param"() {name = "model.layers.13.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %319 = "seq.linear"(%315, %318) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %320 = "seq.param"() {name = "model.layers.13.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %321 = "seq.linear"(%315, %320) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %322 = "seq.rope"(%317, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %323 = "seq.rope"(%319, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %324 = "seq.attention"(%322, %323, %321) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %325 = "seq.param"() {name = "model.layers.13.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %326 = "seq.linear"(%324, %325) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %327 = "seq.add"(%313, %326) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %328 = "seq.param"() {name = "model.layers.13.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %329 = "seq.rms_norm"(%327, %328) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %330 = "seq.param"() {name = "model.layers.13.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %331 = "seq.linear"(%329, %330) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %332 = "seq.param"() {name = "model.layers.13.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %333 = "seq.linear"(%329, %332) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %334 = "seq.swiglu"(%331, %333) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %335 = "seq.param"() {name = "model.layers.13.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %336 = "seq.linear"(%334, %335) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %337 = "seq.add"(%327, %336) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %338 = "seq.param"() {name = "model.layers.14.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %339 = "seq.rms_norm"(%337, %338) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %340 = "seq.param"() {name = "model.layers.14.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %341 = "seq.linear"(%339, %340) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %342 = "seq.param"() {name = "model.layers.14.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %343 = "seq.linear"(%339, %342) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %344 = "seq.param"() {name = "model.layers.14.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %345 = "seq.linear"(%339, %344) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %346 = "seq.rope"(%341, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %347 = "seq.rope"(%343, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %348 = "seq.attention"(%346, %347, %345) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %349 = "seq.param"() {name = "model.layers.14.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %350 = "seq.linear"(%348, %349) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %351 = "seq.add"(%337, %350) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %352 = "seq.param"() {name = "model.layers.14.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %353 = "seq.rms_norm"(%351, %352) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %354 = "seq.param"() {name = "model.layers.14.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %355 = "seq.linear"(%353, %354) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %356 = "seq.param"() {name = "model.layers.14.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %357 = "seq.linear"(%353, %356) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %358 = "seq.swiglu"(%355, %357) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %359 = "seq.param"() {name = "model.layers.14.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %360 = "seq.linear"(%358, %359) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %361 = "seq.add"(%351, %360) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %362 = "seq.param"() {name = "model.layers.15.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %363 = "seq.rms_norm"(%361, %362) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %364 = "seq.param"() {name = "model.layers.15.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %365 = "seq.linear"(%363, %364) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %366 = "seq.param"() {name = "model.layers.15.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %367 = "seq.linear"(%363, %366) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %368 = "seq.param"() {name = "model.layers.15.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %369 = "seq.linear"(%363, %368) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %370 = "seq.rope"(%365, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %371 = "seq.rope"(%367, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %372 = "seq.attention"(%370, %371, %369) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %373 = "seq.param"() {name = "model.layers.15.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %374 = "seq.linear"(%372, %373) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %375 = "seq.add"(%361, %374) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %376 = "seq.param"() {name = "model.layers.15.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %377 = "seq.rms_norm"(%375, %376) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %378 = "seq.param"() {name = "model.layers.15.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %379 = "seq.linear"(%377, %378) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %380 = "seq.param"() {name = "model.layers.15.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %381 = "seq.linear"(%377, %380) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %382 = "seq.swiglu"(%379, %381) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %383 = "seq.param"() {name = "model.layers.15.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %384 = "seq.linear"(%382, %383) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %385 = "seq.add"(%375, %384) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %386 = "seq.param"() {name = "model.layers.16.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %387 = "seq.rms_norm"(%385, %386) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %388 = "seq.param"() {name = "model.layers.16.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %389 = "seq.linear"(%387, %388) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %390 = "seq.param"() {name = "model.layers.16.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %391 = "seq.linear"(%387, %390) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %392 = "seq.param"() {name = "model.layers.16.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %393 = "seq.linear"(%387, %392) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %394 = "seq.rope"(%389, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %395 = "seq.rope"(%391, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %396 = "seq.attention"(%394, %395, %393) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %397 = "seq.param"() {name = "model.layers.16.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %398 = "seq.linear"(%396, %397) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %399 = "seq.add"(%385, %398) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %400 = "seq.param"() {name = "model.layers.16.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %401 = "seq.rms_norm"(%399, %400) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %402 = "seq.param"() {name = "model.layers.16.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %403 = "seq.linear"(%401, %402) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %404 = "seq.param"() {name = "model.layers.16.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %405 = "seq.linear"(%401, %404) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %406 = "seq.swiglu"(%403, %405) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %407 = "seq.param"() {name = "model.layers.16.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %408 = "seq.linear"(%406, %407) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %409 = "seq.add"(%399, %408) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %410 = "seq.param"() {name = "model.layers.17.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %411 = "seq.rms_norm"(%409, %410) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %412 = "seq.param"() {name = "model.layers.17.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %413 = "seq.linear"(%411, %412) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %414 = "seq.param"() {name = "model.layers.17.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %415 = "seq.linear"(%411, %414) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %416 = "seq.param"() {name = "model.layers.17.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %417 = "seq.linear"(%411, %416) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %418 = "seq.rope"(%413, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %419 = "seq.rope"(%415, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %420 = "seq.attention"(%418, %419, %417) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %421 = "seq.param"() {name = "model.layers.17.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %422 = "seq.linear"(%420, %421) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %423 = "seq.add"(%409, %422) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %424 = "seq.param"() {name = "model.layers.17.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %425 = "seq.rms_norm"(%423, %424) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %426 = "seq.param"() {name = "model.layers.17.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %427 = "seq.linear"(%425, %426) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %428 = "seq.param"() {name = "model.layers.17.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %429 = "seq.linear"(%425, %428) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %430 = "seq.swiglu"(%427, %429) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %431 = "seq.param"() {name = "model.layers.17.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %432 = "seq.linear"(%430, %431) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %433 = "seq.add"(%423, %432) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %434 = "seq.param"() {name = "model.layers.18.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %435 = "seq.rms_norm"(%433, %434) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %436 = "seq.param"() {name = "model.layers.18.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %437 = "seq.linear"(%435, %436) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %438 = "seq.param"() {name = "model.layers.18.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %439 = "seq.linear"(%435, %438) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %440 = "seq.param"() {name = "model.layers.18.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %441 = "seq.linear"(%435, %440) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %442 = "seq.rope"(%437, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %443 = "seq.rope"(%439, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %444 = "seq.attention"(%442, %443, %441) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %445 = "seq.param"() {name = "model.layers.18.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %446 = "seq.linear"(%444, %445) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %447 = "seq.add"(%433, %446) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %448 = "seq.param"() {name = "model.layers.18.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %449 = "seq.rms_norm"(%447, %448) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %450 = "seq.param"() {name = "model.layers.18.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %451 = "seq.linear"(%449, %450) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %452 = "seq.param"() {name = "model.layers.18.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %453 = "seq.linear"(%449, %452) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %454 = "seq.swiglu"(%451, %453) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %455 = "seq.param"() {name = "model.layers.18.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %456 = "seq.linear"(%454, %455) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %457 = "seq.add"(%447, %456) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %458 = "seq.param"() {name = "model.layers.19.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %459 = "seq.rms_norm"(%457, %458) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %460 = "seq.param"() {name = "model.layers.19.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %461 = "seq.linear"(%459, %460) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %462 = "seq.param"() {name = "model.layers.19.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %463 = "seq.linear"(%459, %462) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %464 = "seq.param"() {name = "model.layers.19.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %465 = "seq.linear"(%459, %464) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %466 = "seq.rope"(%461, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %467 = "seq.rope"(%463, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %468 = "seq.attention"(%466, %467, %465) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %469 = "seq.param"() {name = "model.layers.19.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %470 = "seq.linear"(%468, %469) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %471 = "seq.add"(%457, %470) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %472 = "seq.param"() {name = "model.layers.19.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %473 = "seq.rms_norm"(%471, %472) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %474 = "seq.param"() {name = "model.layers.19.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %475 = "seq.linear"(%473, %474) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %476 = "seq.param"() {name = "model.layers.19.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %477 = "seq.linear"(%473, %476) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %478 = "seq.swiglu"(%475, %477) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %479 = "seq.param"() {name = "model.layers.19.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %480 = "seq.linear"(%478, %479) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %481 = "seq.add"(%471, %480) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %482 = "seq.param"() {name = "model.layers.20.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %483 = "seq.rms_norm"(%481, %482) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %484 = "seq.param"() {name = "model.layers.20.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %485 = "seq.linear"(%483, %484) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %486 = "seq.param"() {name = "model.layers.20.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %487 = "seq.linear"(%483, %486) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %488 = "seq.param"() {name = "model.layers.20.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %489 = "seq.linear"(%483, %488) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %490 = "seq.rope"(%485, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %491 = "seq.rope"(%487, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %492 = "seq.attention"(%490, %491, %489) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %493 = "seq.param"() {name = "model.layers.20.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %494 = "seq.linear"(%492, %493) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %495 = "seq.add"(%481, %494) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %496 = "seq.param"() {name = "model.layers.20.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %497 = "seq.rms_norm"(%495, %496) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %498 = "seq.param"() {name = "model.layers.20.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %499 = "seq.linear"(%497, %498) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %500 = "seq.param"() {name = "model.layers.20.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %501 = "seq.linear"(%497, %500) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %502 = "seq.swiglu"(%499, %501) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %503 = "seq.param"() {name = "model.layers.20.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %504 = "seq.linear"(%502, %503) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %505 = "seq.add"(%495, %504) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %506 = "seq.param"() {name = "model.layers.21.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %507 = "seq.rms_norm"(%505, %506) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %508 = "seq.param"() {name = "model.layers.21.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %509 = "seq.linear"(%507, %508) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %510 = "seq.param"() {name = "model.layers.21.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %511 = "seq.linear"(%507, %510) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %512 = "seq.param"() {name = "model.layers.21.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %513 = "seq.linear"(%507, %512) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %514 = "seq.rope"(%509, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %515 = "seq.rope"(%511, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %516 = "seq.attention"(%514, %515, %513) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %517 = "seq.param"() {name = "model.layers.21.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %518 = "seq.linear"(%516, %517) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %519 = "seq.add"(%505, %518) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %520 = "seq.param"() {name = "model.layers.21.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %521 = "seq.rms_norm"(%519, %520) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %522 = "seq.param"() {name = "model.layers.21.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %523 = "seq.linear"(%521, %522) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %524 = "seq.param"() {name = "model.layers.21.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %525 = "seq.linear"(%521, %524) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %526 = "seq.swiglu"(%523, %525) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %527 = "seq.param"() {name = "model.layers.21.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %528 = "seq.linear"(%526, %527) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %529 = "seq.add"(%519, %528) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %530 = "seq.param"() {name = "model.layers.22.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %531 = "seq.rms_norm"(%529, %530) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %532 = "seq.param"() {name = "model.layers.22.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %533 = "seq.linear"(%531, %532) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %534 = "seq.param"() {name = "model.layers.22.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %535 = "seq.linear"(%531, %534) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %536 = "seq.param"() {name = "model.layers.22.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %537 = "seq.linear"(%531, %536) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %538 = "seq.rope"(%533, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %539 = "seq.rope"(%535, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %540 = "seq.attention"(%538, %539, %537) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %541 = "seq.param"() {name = "model.layers.22.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %542 = "seq.linear"(%540, %541) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %543 = "seq.add"(%529, %542) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %544 = "seq.param"() {name = "model.layers.22.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %545 = "seq.rms_norm"(%543, %544) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %546 = "seq.param"() {name = "model.layers.22.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %547 = "seq.linear"(%545, %546) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %548 = "seq.param"() {name = "model.layers.22.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %549 = "seq.linear"(%545, %548) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %550 = "seq.swiglu"(%547, %549) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %551 = "seq.param"() {name = "model.layers.22.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %552 = "seq.linear"(%550, %551) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %553 = "seq.add"(%543, %552) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %554 = "seq.param"() {name = "model.layers.23.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %555 = "seq.rms_norm"(%553, %554) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %556 = "seq.param"() {name = "model.layers.23.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %557 = "seq.linear"(%555, %556) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %558 = "seq.param"() {name = "model.layers.23.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %559 = "seq.linear"(%555, %558) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %560 = "seq.param"() {name = "model.layers.23.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %561 = "seq.linear"(%555, %560) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %562 = "seq.rope"(%557, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %563 = "seq.rope"(%559, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %564 = "seq.attention"(%562, %563, %561) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %565 = "seq.param"() {name = "model.layers.23.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %566 = "seq.linear"(%564, %565) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %567 = "seq.add"(%553, %566) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %568 = "seq.param"() {name = "model.layers.23.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %569 = "seq.rms_norm"(%567, %568) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %570 = "seq.param"() {name = "model.layers.23.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %571 = "seq.linear"(%569, %570) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %572 = "seq.param"() {name = "model.layers.23.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %573 = "seq.linear"(%569, %572) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %574 = "seq.swiglu"(%571, %573) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %575 = "seq.param"() {name = "model.layers.23.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %576 = "seq.linear"(%574, %575) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %577 = "seq.add"(%567, %576) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %578 = "seq.param"() {name = "model.layers.24.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %579 = "seq.rms_norm"(%577, %578) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %580 = "seq.param"() {name = "model.layers.24.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %581 = "seq.linear"(%579, %580) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %582 = "seq.param"() {name = "model.layers.24.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %583 = "seq.linear"(%579, %582) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %584 = "seq.param"() {name = "model.layers.24.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %585 = "seq.linear"(%579, %584) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %586 = "seq.rope"(%581, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %587 = "seq.rope"(%583, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %588 = "seq.attention"(%586, %587, %585) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %589 = "seq.param"() {name = "model.layers.24.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %590 = "seq.linear"(%588, %589) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %591 = "seq.add"(%577, %590) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %592 = "seq.param"() {name = "model.layers.24.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %593 = "seq.rms_norm"(%591, %592) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %594 = "seq.param"() {name = "model.layers.24.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %595 = "seq.linear"(%593, %594) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %596 = "seq.param"() {name = "model.layers.24.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %597 = "seq.linear"(%593, %596) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %598 = "seq.swiglu"(%595, %597) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %599 = "seq.param"() {name = "model.layers.24.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %600 = "seq.linear"(%598, %599) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %601 = "seq.add"(%591, %600) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %602 = "seq.param"() {name = "model.layers.25.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %603 = "seq.rms_norm"(%601, %602) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %604 = "seq.param"() {name = "model.layers.25.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %605 = "seq.linear"(%603, %604) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %606 = "seq.param"() {name = "model.layers.25.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %607 = "seq.linear"(%603, %606) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %608 = "seq.param"() {name = "model.layers.25.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %609 = "seq.linear"(%603, %608) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %610 = "seq.rope"(%605, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %611 = "seq.rope"(%607, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %612 = "seq.attention"(%610, %611, %609) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %613 = "seq.param"() {name = "model.layers.25.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %614 = "seq.linear"(%612, %613) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %615 = "seq.add"(%601, %614) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %616 = "seq.param"() {name = "model.layers.25.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %617 = "seq.rms_norm"(%615, %616) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %618 = "seq.param"() {name = "model.layers.25.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %619 = "seq.linear"(%617, %618) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %620 = "seq.param"() {name = "model.layers.25.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %621 = "seq.linear"(%617, %620) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %622 = "seq.swiglu"(%619, %621) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %623 = "seq.param"() {name = "model.layers.25.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %624 = "seq.linear"(%622, %623) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %625 = "seq.add"(%615, %624) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %626 = "seq.param"() {name = "model.layers.26.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %627 = "seq.rms_norm"(%625, %626) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %628 = "seq.param"() {name = "model.layers.26.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %629 = "seq.linear"(%627, %628) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %630 = "seq.param"() {name = "model.layers.26.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %631 = "seq.linear"(%627, %630) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %632 = "seq.param"() {name = "model.layers.26.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %633 = "seq.linear"(%627, %632) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %634 = "seq.rope"(%629, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %635 = "seq.rope"(%631, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %636 = "seq.attention"(%634, %635, %633) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %637 = "seq.param"() {name = "model.layers.26.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %638 = "seq.linear"(%636, %637) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %639 = "seq.add"(%625, %638) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %640 = "seq.param"() {name = "model.layers.26.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %641 = "seq.rms_norm"(%639, %640) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %642 = "seq.param"() {name = "model.layers.26.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %643 = "seq.linear"(%641, %642) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %644 = "seq.param"() {name = "model.layers.26.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %645 = "seq.linear"(%641, %644) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %646 = "seq.swiglu"(%643, %645) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %647 = "seq.param"() {name = "model.layers.26.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %648 = "seq.linear"(%646, %647) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %649 = "seq.add"(%639, %648) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %650 = "seq.param"() {name = "model.layers.27.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %651 = "seq.rms_norm"(%649, %650) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %652 = "seq.param"() {name = "model.layers.27.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %653 = "seq.linear"(%651, %652) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %654 = "seq.param"() {name = "model.layers.27.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %655 = "seq.linear"(%651, %654) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %656 = "seq.param"() {name = "model.layers.27.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %657 = "seq.linear"(%651, %656) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %658 = "seq.rope"(%653, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %659 = "seq.rope"(%655, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %660 = "seq.attention"(%658, %659, %657) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %661 = "seq.param"() {name = "model.layers.27.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %662 = "seq.linear"(%660, %661) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %663 = "seq.add"(%649, %662) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %664 = "seq.param"() {name = "model.layers.27.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %665 = "seq.rms_norm"(%663, %664) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %666 = "seq.param"() {name = "model.layers.27.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %667 = "seq.linear"(%665, %666) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %668 = "seq.param"() {name = "model.layers.27.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %669 = "seq.linear"(%665, %668) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %670 = "seq.swiglu"(%667, %669) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %671 = "seq.param"() {name = "model.layers.27.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %672 = "seq.linear"(%670, %671) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %673 = "seq.add"(%663, %672) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %674 = "seq.param"() {name = "model.layers.28.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %675 = "seq.rms_norm"(%673, %674) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %676 = "seq.param"() {name = "model.layers.28.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %677 = "seq.linear"(%675, %676) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %678 = "seq.param"() {name = "model.layers.28.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %679 = "seq.linear"(%675, %678) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %680 = "seq.param"() {name = "model.layers.28.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %681 = "seq.linear"(%675, %680) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %682 = "seq.rope"(%677, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %683 = "seq.rope"(%679, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %684 = "seq.attention"(%682, %683, %681) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %685 = "seq.param"() {name = "model.layers.28.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %686 = "seq.linear"(%684, %685) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %687 = "seq.add"(%673, %686) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %688 = "seq.param"() {name = "model.layers.28.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %689 = "seq.rms_norm"(%687, %688) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %690 = "seq.param"() {name = "model.layers.28.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %691 = "seq.linear"(%689, %690) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %692 = "seq.param"() {name = "model.layers.28.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %693 = "seq.linear"(%689, %692) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %694 = "seq.swiglu"(%691, %693) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %695 = "seq.param"() {name = "model.layers.28.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %696 = "seq.linear"(%694, %695) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %697 = "seq.add"(%687, %696) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %698 = "seq.param"() {name = "model.layers.29.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %699 = "seq.rms_norm"(%697, %698) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %700 = "seq.param"() {name = "model.layers.29.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %701 = "seq.linear"(%699, %700) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %702 = "seq.param"() {name = "model.layers.29.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %703 = "seq.linear"(%699, %702) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %704 = "seq.param"() {name = "model.layers.29.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %705 = "seq.linear"(%699, %704) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %706 = "seq.rope"(%701, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %707 = "seq.rope"(%703, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %708 = "seq.attention"(%706, %707, %705) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %709 = "seq.param"() {name = "model.layers.29.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %710 = "seq.linear"(%708, %709) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %711 = "seq.add"(%697, %710) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %712 = "seq.param"() {name = "model.layers.29.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %713 = "seq.rms_norm"(%711, %712) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %714 = "seq.param"() {name = "model.layers.29.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %715 = "seq.linear"(%713, %714) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %716 = "seq.param"() {name = "model.layers.29.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %717 = "seq.linear"(%713, %716) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %718 = "seq.swiglu"(%715, %717) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %719 = "seq.param"() {name = "model.layers.29.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %720 = "seq.linear"(%718, %719) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %721 = "seq.add"(%711, %720) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %722 = "seq.param"() {name = "model.layers.30.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %723 = "seq.rms_norm"(%721, %722) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %724 = "seq.param"() {name = "model.layers.30.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %725 = "seq.linear"(%723, %724) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %726 = "seq.param"() {name = "model.layers.30.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %727 = "seq.linear"(%723, %726) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %728 = "seq.param"() {name = "model.layers.30.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %729 = "seq.linear"(%723, %728) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %730 = "seq.rope"(%725, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %731 = "seq.rope"(%727, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %732 = "seq.attention"(%730, %731, %729) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %733 = "seq.param"() {name = "model.layers.30.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %734 = "seq.linear"(%732, %733) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %735 = "seq.add"(%721, %734) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %736 = "seq.param"() {name = "model.layers.30.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %737 = "seq.rms_norm"(%735, %736) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %738 = "seq.param"() {name = "model.layers.30.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %739 = "seq.linear"(%737, %738) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %740 = "seq.param"() {name = "model.layers.30.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %741 = "seq.linear"(%737, %740) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %742 = "seq.swiglu"(%739, %741) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %743 = "seq.param"() {name = "model.layers.30.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %744 = "seq.linear"(%742, %743) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %745 = "seq.add"(%735, %744) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %746 = "seq.param"() {name = "model.layers.31.input_layernorm.weight"} : () -> tensor<4096xbf16>
    %747 = "seq.rms_norm"(%745, %746) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %748 = "seq.param"() {name = "model.layers.31.self_attn.q_proj.weight"} : () -> tensor<4096x4096xbf16>
    %749 = "seq.linear"(%747, %748) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %750 = "seq.param"() {name = "model.layers.31.self_attn.k_proj.weight"} : () -> tensor<1024x4096xbf16>
    %751 = "seq.linear"(%747, %750) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %752 = "seq.param"() {name = "model.layers.31.self_attn.v_proj.weight"} : () -> tensor<1024x4096xbf16>
    %753 = "seq.linear"(%747, %752) : (tensor<131072x4096xbf16>, tensor<1024x4096xbf16>) -> tensor<131072x1024xbf16>
    %754 = "seq.rope"(%749, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x4096xbf16>, tensor<131072xi32>) -> tensor<131072x4096xbf16>
    %755 = "seq.rope"(%751, %arg1) {head_dim = 128 : i64, theta = 500000.0 : f64} : (tensor<131072x1024xbf16>, tensor<131072xi32>) -> tensor<131072x1024xbf16>
    %756 = "seq.attention"(%754, %755, %753) {causal = true, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.08838834764831843 : f64} : (tensor<131072x4096xbf16>, tensor<131072x1024xbf16>, tensor<131072x1024xbf16>) -> tensor<131072x4096xbf16>
    %757 = "seq.param"() {name = "model.layers.31.self_attn.o_proj.weight"} : () -> tensor<4096x4096xbf16>
    %758 = "seq.linear"(%756, %757) : (tensor<131072x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<131072x4096xbf16>
    %759 = "seq.add"(%745, %758) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %760 = "seq.param"() {name = "model.layers.31.post_attention_layernorm.weight"} : () -> tensor<4096xbf16>
    %761 = "seq.rms_norm"(%759, %760) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %762 = "seq.param"() {name = "model.layers.31.mlp.gate_proj.weight"} : () -> tensor<14336x4096xbf16>
    %763 = "seq.linear"(%761, %762) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %764 = "seq.param"() {name = "model.layers.31.mlp.up_proj.weight"} : () -> tensor<14336x4096xbf16>
    %765 = "seq.linear"(%761, %764) : (tensor<131072x4096xbf16>, tensor<14336x4096xbf16>) -> tensor<131072x14336xbf16>
    %766 = "seq.swiglu"(%763, %765) : (tensor<131072x14336xbf16>, tensor<131072x14336xbf16>) -> tensor<131072x14336xbf16>
    %767 = "seq.param"() {name = "model.layers.31.mlp.down_proj.weight"} : () -> tensor<4096x14336xbf16>
    %768 = "seq.linear"(%766, %767) : (tensor<131072x14336xbf16>, tensor<4096x14336xbf16>) -> tensor<131072x4096xbf16>
    %769 = "seq.add"(%759, %768) : (tensor<131072x4096xbf16>, tensor<131072x4096xbf16>) -> tensor<131072x4096xbf16>
    %770 = "seq.param"() {name = "model.norm.weight"} : () -> tensor<4096xbf16>
    %771 = "seq.rms_norm"(%769, %770) {eps = 1.0e-5 : f64} : (tensor<131072x4096xbf16>, tensor<4096xbf16>) -> tensor<131072x4096xbf16>
    %772 = "seq.param"() {name = "lm_head.weight"} : () -> tensor<128256x4096xbf16>
    %773 = "seq.logits"(%771, %772) : (tensor<131072x4096xbf16>, tensor<128256x4096xbf16>) -> tensor<131072x128256xbf16>
    return %773 : tensor<131072x128256xbf16>
  }
}
