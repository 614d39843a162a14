// One Llama-style decoder layer with GQA and packed documents (segment ids).
func.func @forward(%x: tensor<16x64xf32>, %pos: tensor<16xi32>, %seg: tensor<16xi32>) -> tensor<16x64xf32> {
  %ln = "seq.param"() {name = "input_layernorm.weight"} : () -> tensor<64xf32>
  %h = "seq.rms_norm"(%x, %ln) {eps = 1.0e-5 : f64} : (tensor<16x64xf32>, tensor<64xf32>) -> tensor<16x64xf32>
  %wq = "seq.param"() {name = "q_proj.weight"} : () -> tensor<64x64xf32>
  %wk = "seq.param"() {name = "k_proj.weight"} : () -> tensor<32x64xf32>
  %wv = "seq.param"() {name = "v_proj.weight"} : () -> tensor<32x64xf32>
  %bq = "seq.param"() {name = "q_proj.bias"} : () -> tensor<64xf32>
  %q0 = "seq.linear"(%h, %wq, %bq) : (tensor<16x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<16x64xf32>
  %k0 = "seq.linear"(%h, %wk) : (tensor<16x64xf32>, tensor<32x64xf32>) -> tensor<16x32xf32>
  %v = "seq.linear"(%h, %wv) : (tensor<16x64xf32>, tensor<32x64xf32>) -> tensor<16x32xf32>
  %q = "seq.rope"(%q0, %pos) {head_dim = 16 : i64, theta = 10000.0 : f64} : (tensor<16x64xf32>, tensor<16xi32>) -> tensor<16x64xf32>
  %k = "seq.rope"(%k0, %pos) {head_dim = 16 : i64, theta = 10000.0 : f64} : (tensor<16x32xf32>, tensor<16xi32>) -> tensor<16x32xf32>
  %a = "seq.attention"(%q, %k, %v, %seg) {causal = true, num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 16 : i64, scale = 0.25 : f64, window = 8 : i64} : (tensor<16x64xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<16xi32>) -> tensor<16x64xf32>
  %r = "seq.add"(%x, %a) : (tensor<16x64xf32>, tensor<16x64xf32>) -> tensor<16x64xf32>
  %wg = "seq.param"() {name = "gate_proj.weight"} : () -> tensor<128x64xf32>
  %wu = "seq.param"() {name = "up_proj.weight"} : () -> tensor<128x64xf32>
  %g = "seq.linear"(%r, %wg) : (tensor<16x64xf32>, tensor<128x64xf32>) -> tensor<16x128xf32>
  %u = "seq.linear"(%r, %wu) : (tensor<16x64xf32>, tensor<128x64xf32>) -> tensor<16x128xf32>
  %s = "seq.silu"(%g) : (tensor<16x128xf32>) -> tensor<16x128xf32>
  %m = "seq.mul"(%s, %u) : (tensor<16x128xf32>, tensor<16x128xf32>) -> tensor<16x128xf32>
  %ge = "seq.gelu"(%m) {approximate = "tanh"} : (tensor<16x128xf32>) -> tensor<16x128xf32>
  %sw = "seq.swiglu"(%ge, %u) : (tensor<16x128xf32>, tensor<16x128xf32>) -> tensor<16x128xf32>
  %wd = "seq.param"() {name = "down_proj.weight"} : () -> tensor<64x128xf32>
  %d = "seq.linear"(%sw, %wd) : (tensor<16x128xf32>, tensor<64x128xf32>) -> tensor<16x64xf32>
  %lnw = "seq.param"() {name = "ln.weight"} : () -> tensor<64xf32>
  %lnb = "seq.param"() {name = "ln.bias"} : () -> tensor<64xf32>
  %o = "seq.layer_norm"(%d, %lnw, %lnb) {eps = 1.0e-5 : f64} : (tensor<16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<16x64xf32>
  return %o : tensor<16x64xf32>
}
