// One rank's view of a 2-way zigzag ring step: partial attention on the local block, an async
// rotation of K/V, partial attention on the received block, and an fp32 log-sum-exp merge.
module attributes {seq.devices = 2 : i64, seq.mesh = "ring=2"} {
  func.func @forward(%ids: tensor<10xi32>, %emb: tensor<100x32xbf16>) -> tensor<10x100xbf16> {
    %idl = "seq.shard"(%ids) {dim = 0 : i64, layout = "zigzag", num_shards = 2 : i64, global_size = 10 : i64, axis = "ring"} : (tensor<10xi32>) -> tensor<6xi32>
    %ti = "seq.token_index"() {layout = "zigzag", num_shards = 2 : i64, global_size = 10 : i64, axis = "ring"} : () -> tensor<6xi32>
    %x = "seq.embedding"(%idl, %emb) : (tensor<6xi32>, tensor<100x32xbf16>) -> tensor<6x32xbf16>
    %k = "seq.slice"(%x) {dim = 1 : i64, start = 0 : i64, size = 16 : i64} : (tensor<6x32xbf16>) -> tensor<6x16xbf16>
    %p0:2 = "seq.attention_partial"(%x, %k, %k, %ti, %ti) {causal = true, num_heads = 2 : i64, num_kv_heads = 1 : i64, head_dim = 16 : i64, scale = 0.25 : f64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>} : (tensor<6x32xbf16>, tensor<6x16xbf16>, tensor<6x16xbf16>, tensor<6xi32>, tensor<6xi32>) -> (tensor<6x32xf32>, tensor<6x2xf32>)
    %t = "seq.async_start"(%k) {collective = "seq.collective_permute", shift = 1 : i64, axis = "ring", group_size = 2 : i64, stream = 1 : i64} : (tensor<6x16xbf16>) -> !seq.token
    %ti2 = "seq.collective_permute"(%ti) {shift = 1 : i64, axis = "ring", group_size = 2 : i64} : (tensor<6xi32>) -> tensor<6xi32>
    %k2 = "seq.async_wait"(%t) : (!seq.token) -> tensor<6x16xbf16>
    %p1:2 = "seq.attention_partial"(%x, %k2, %k2, %ti, %ti2, %ti, %ti2) {causal = true, num_heads = 2 : i64, num_kv_heads = 1 : i64, head_dim = 16 : i64, scale = 0.25 : f64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1>} : (tensor<6x32xbf16>, tensor<6x16xbf16>, tensor<6x16xbf16>, tensor<6xi32>, tensor<6xi32>, tensor<6xi32>, tensor<6xi32>) -> (tensor<6x32xf32>, tensor<6x2xf32>)
    %m:2 = "seq.lse_merge"(%p0#0, %p0#1, %p1#0, %p1#1) : (tensor<6x32xf32>, tensor<6x2xf32>, tensor<6x32xf32>, tensor<6x2xf32>) -> (tensor<6x32xf32>, tensor<6x2xf32>)
    %o = "seq.convert"(%m#0) : (tensor<6x32xf32>) -> tensor<6x32xbf16>
    %a2a = "seq.all_to_all"(%o) {split_dim = 1 : i64, concat_dim = 0 : i64, axis = "ring", group_size = 2 : i64} : (tensor<6x32xbf16>) -> tensor<12x16xbf16>
    %ag = "seq.all_gather"(%a2a) {dim = 1 : i64, axis = "ring", group_size = 2 : i64} : (tensor<12x16xbf16>) -> tensor<12x32xbf16>
    %rs = "seq.reduce_scatter"(%ag) {dim = 0 : i64, reduction = "sum", axis = "ring", group_size = 2 : i64} : (tensor<12x32xbf16>) -> tensor<6x32xbf16>
    %ar = "seq.all_reduce"(%rs) {reduction = "sum", axis = "ring", group_size = 2 : i64} : (tensor<6x32xbf16>) -> tensor<6x32xbf16>
    %c = "seq.concat"(%ar, %ar) {dim = 1 : i64} : (tensor<6x32xbf16>, tensor<6x32xbf16>) -> tensor<6x64xbf16>
    %w = "seq.slice"(%c) {dim = 1 : i64, start = 32 : i64, size = 32 : i64} : (tensor<6x64xbf16>) -> tensor<6x32xbf16>
    %l = "seq.logits"(%w, %emb) : (tensor<6x32xbf16>, tensor<100x32xbf16>) -> tensor<6x100xbf16>
    %g = "seq.unshard"(%l) {dim = 0 : i64, layout = "zigzag", num_shards = 2 : i64, global_size = 10 : i64, axis = "ring"} : (tensor<6x100xbf16>) -> tensor<10x100xbf16>
    return %g : tensor<10x100xbf16>
  }
}
