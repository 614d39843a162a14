// The `seq` dialect: sequence-parallel transformer programs.
// Loaded at run time through IRDL (see crates/seq-ir/src/context.rs); ops print in generic form.
// IRDL checks operand/result kinds and required attributes; shapes, head counts and optional
// attributes are checked by seq-ir's verifier. Every op here is documented in README.md beside it.
// Each constraint variable is used once: IRDL unifies every use of one variable to a single type.
irdl.dialect @seq {
  // A handle on an asynchronous collective in flight (seq.async_start -> seq.async_wait).
  irdl.type @token {
    irdl.parameters()
  }
  irdl.operation @param {
    %v1 = irdl.base "#builtin.string"
    irdl.attributes { "name" = %v1 }
    %v2 = irdl.base "!builtin.tensor"
    irdl.results(output: %v2)
  }
  irdl.operation @embedding {
    %v1 = irdl.base "!builtin.tensor"
    %v2 = irdl.base "!builtin.tensor"
    irdl.operands(ids: %v1, table: %v2)
    %v3 = irdl.base "!builtin.tensor"
    irdl.results(output: %v3)
  }
  irdl.operation @rms_norm {
    %v1 = irdl.base "#builtin.float"
    irdl.attributes { "eps" = %v1 }
    %v2 = irdl.base "!builtin.tensor"
    %v3 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v2, weight: %v3)
    %v4 = irdl.base "!builtin.tensor"
    irdl.results(output: %v4)
  }
  irdl.operation @layer_norm {
    %v1 = irdl.base "#builtin.float"
    irdl.attributes { "eps" = %v1 }
    %v2 = irdl.base "!builtin.tensor"
    %v3 = irdl.base "!builtin.tensor"
    %v4 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v2, weight: %v3, bias: %v4)
    %v5 = irdl.base "!builtin.tensor"
    irdl.results(output: %v5)
  }
  irdl.operation @linear {
    %v1 = irdl.base "!builtin.tensor"
    %v2 = irdl.base "!builtin.tensor"
    %v3 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v1, weight: %v2, bias: optional %v3)
    %v4 = irdl.base "!builtin.tensor"
    irdl.results(output: %v4)
  }
  irdl.operation @rope {
    %v1 = irdl.base "#builtin.integer"
    %v2 = irdl.base "#builtin.float"
    irdl.attributes { "head_dim" = %v1, "theta" = %v2 }
    %v3 = irdl.base "!builtin.tensor"
    %v4 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v3, positions: %v4)
    %v5 = irdl.base "!builtin.tensor"
    irdl.results(output: %v5)
  }
  irdl.operation @attention {
    %v1 = irdl.base "#builtin.integer"
    %v2 = irdl.base "#builtin.integer"
    %v3 = irdl.base "#builtin.integer"
    %v4 = irdl.base "#builtin.integer"
    %v5 = irdl.base "#builtin.float"
    irdl.attributes { "causal" = %v1, "num_heads" = %v2, "num_kv_heads" = %v3, "head_dim" = %v4, "scale" = %v5 }
    %v6 = irdl.base "!builtin.tensor"
    %v7 = irdl.base "!builtin.tensor"
    %v8 = irdl.base "!builtin.tensor"
    %v9 = irdl.base "!builtin.tensor"
    irdl.operands(q: %v6, k: %v7, v: %v8, segment_ids: optional %v9)
    %v10 = irdl.base "!builtin.tensor"
    irdl.results(output: %v10)
  }
  irdl.operation @silu {
    %v1 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v1)
    %v2 = irdl.base "!builtin.tensor"
    irdl.results(output: %v2)
  }
  irdl.operation @gelu {
    %v1 = irdl.base "#builtin.string"
    irdl.attributes { "approximate" = %v1 }
    %v2 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v2)
    %v3 = irdl.base "!builtin.tensor"
    irdl.results(output: %v3)
  }
  irdl.operation @mul {
    %v1 = irdl.base "!builtin.tensor"
    %v2 = irdl.base "!builtin.tensor"
    irdl.operands(lhs: %v1, rhs: %v2)
    %v3 = irdl.base "!builtin.tensor"
    irdl.results(output: %v3)
  }
  irdl.operation @add {
    %v1 = irdl.base "!builtin.tensor"
    %v2 = irdl.base "!builtin.tensor"
    irdl.operands(lhs: %v1, rhs: %v2)
    %v3 = irdl.base "!builtin.tensor"
    irdl.results(output: %v3)
  }
  irdl.operation @swiglu {
    %v1 = irdl.base "!builtin.tensor"
    %v2 = irdl.base "!builtin.tensor"
    irdl.operands(gate: %v1, up: %v2)
    %v3 = irdl.base "!builtin.tensor"
    irdl.results(output: %v3)
  }
  irdl.operation @logits {
    %v1 = irdl.base "!builtin.tensor"
    %v2 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v1, weight: %v2)
    %v3 = irdl.base "!builtin.tensor"
    irdl.results(output: %v3)
  }
  irdl.operation @shard {
    %v1 = irdl.base "#builtin.integer"
    %v2 = irdl.base "#builtin.string"
    %v3 = irdl.base "#builtin.integer"
    %v4 = irdl.base "#builtin.integer"
    %v5 = irdl.base "#builtin.string"
    irdl.attributes { "dim" = %v1, "layout" = %v2, "num_shards" = %v3, "global_size" = %v4, "axis" = %v5 }
    %v6 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v6)
    %v7 = irdl.base "!builtin.tensor"
    irdl.results(output: %v7)
  }
  irdl.operation @unshard {
    %v1 = irdl.base "#builtin.integer"
    %v2 = irdl.base "#builtin.string"
    %v3 = irdl.base "#builtin.integer"
    %v4 = irdl.base "#builtin.integer"
    %v5 = irdl.base "#builtin.string"
    irdl.attributes { "dim" = %v1, "layout" = %v2, "num_shards" = %v3, "global_size" = %v4, "axis" = %v5 }
    %v6 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v6)
    %v7 = irdl.base "!builtin.tensor"
    irdl.results(output: %v7)
  }
  irdl.operation @token_index {
    %v1 = irdl.base "#builtin.string"
    %v2 = irdl.base "#builtin.integer"
    %v3 = irdl.base "#builtin.integer"
    %v4 = irdl.base "#builtin.string"
    irdl.attributes { "layout" = %v1, "num_shards" = %v2, "global_size" = %v3, "axis" = %v4 }
    %v5 = irdl.base "!builtin.tensor"
    irdl.results(output: %v5)
  }
  irdl.operation @slice {
    %v1 = irdl.base "#builtin.integer"
    %v2 = irdl.base "#builtin.integer"
    %v3 = irdl.base "#builtin.integer"
    irdl.attributes { "dim" = %v1, "start" = %v2, "size" = %v3 }
    %v4 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v4)
    %v5 = irdl.base "!builtin.tensor"
    irdl.results(output: %v5)
  }
  irdl.operation @concat {
    %v1 = irdl.base "#builtin.integer"
    irdl.attributes { "dim" = %v1 }
    %v2 = irdl.base "!builtin.tensor"
    irdl.operands(inputs: variadic %v2)
    %v3 = irdl.base "!builtin.tensor"
    irdl.results(output: %v3)
  }
  irdl.operation @convert {
    %v1 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v1)
    %v2 = irdl.base "!builtin.tensor"
    irdl.results(output: %v2)
  }
  irdl.operation @all_to_all {
    %v1 = irdl.base "#builtin.integer"
    %v2 = irdl.base "#builtin.integer"
    %v3 = irdl.base "#builtin.string"
    %v4 = irdl.base "#builtin.integer"
    irdl.attributes { "split_dim" = %v1, "concat_dim" = %v2, "axis" = %v3, "group_size" = %v4 }
    %v5 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v5)
    %v6 = irdl.base "!builtin.tensor"
    irdl.results(output: %v6)
  }
  irdl.operation @all_gather {
    %v1 = irdl.base "#builtin.integer"
    %v2 = irdl.base "#builtin.string"
    %v3 = irdl.base "#builtin.integer"
    irdl.attributes { "dim" = %v1, "axis" = %v2, "group_size" = %v3 }
    %v4 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v4)
    %v5 = irdl.base "!builtin.tensor"
    irdl.results(output: %v5)
  }
  irdl.operation @reduce_scatter {
    %v1 = irdl.base "#builtin.integer"
    %v2 = irdl.base "#builtin.string"
    %v3 = irdl.base "#builtin.string"
    %v4 = irdl.base "#builtin.integer"
    irdl.attributes { "dim" = %v1, "reduction" = %v2, "axis" = %v3, "group_size" = %v4 }
    %v5 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v5)
    %v6 = irdl.base "!builtin.tensor"
    irdl.results(output: %v6)
  }
  irdl.operation @all_reduce {
    %v1 = irdl.base "#builtin.string"
    %v2 = irdl.base "#builtin.string"
    %v3 = irdl.base "#builtin.integer"
    irdl.attributes { "reduction" = %v1, "axis" = %v2, "group_size" = %v3 }
    %v4 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v4)
    %v5 = irdl.base "!builtin.tensor"
    irdl.results(output: %v5)
  }
  irdl.operation @collective_permute {
    %v1 = irdl.base "#builtin.integer"
    %v2 = irdl.base "#builtin.string"
    %v3 = irdl.base "#builtin.integer"
    irdl.attributes { "shift" = %v1, "axis" = %v2, "group_size" = %v3 }
    %v4 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v4)
    %v5 = irdl.base "!builtin.tensor"
    irdl.results(output: %v5)
  }
  irdl.operation @async_start {
    %v1 = irdl.base "#builtin.string"
    %v2 = irdl.base "#builtin.integer"
    irdl.attributes { "collective" = %v1, "stream" = %v2 }
    %v3 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v3)
    %v4 = irdl.base @seq::@token
    irdl.results(token: %v4)
  }
  irdl.operation @async_wait {
    %v1 = irdl.base @seq::@token
    irdl.operands(token: %v1)
    %v2 = irdl.base "!builtin.tensor"
    irdl.results(output: %v2)
  }
  irdl.operation @attention_partial {
    %v1 = irdl.base "#builtin.integer"
    %v2 = irdl.base "#builtin.integer"
    %v3 = irdl.base "#builtin.integer"
    %v4 = irdl.base "#builtin.integer"
    %v5 = irdl.base "#builtin.float"
    irdl.attributes { "causal" = %v1, "num_heads" = %v2, "num_kv_heads" = %v3, "head_dim" = %v4, "scale" = %v5 }
    %v6 = irdl.base "!builtin.tensor"
    %v7 = irdl.base "!builtin.tensor"
    %v8 = irdl.base "!builtin.tensor"
    %v9 = irdl.base "!builtin.tensor"
    %v10 = irdl.base "!builtin.tensor"
    %v11 = irdl.base "!builtin.tensor"
    %v12 = irdl.base "!builtin.tensor"
    irdl.operands(q: %v6, k: %v7, v: %v8, q_index: %v9, k_index: %v10, q_segment: optional %v11, k_segment: optional %v12)
    %v13 = irdl.base "!builtin.tensor"
    %v14 = irdl.base "!builtin.tensor"
    irdl.results(output: %v13, lse: %v14)
  }
  irdl.operation @lse_merge {
    %v1 = irdl.base "!builtin.tensor"
    %v2 = irdl.base "!builtin.tensor"
    %v3 = irdl.base "!builtin.tensor"
    %v4 = irdl.base "!builtin.tensor"
    irdl.operands(output_a: %v1, lse_a: %v2, output_b: %v3, lse_b: %v4)
    %v5 = irdl.base "!builtin.tensor"
    %v6 = irdl.base "!builtin.tensor"
    irdl.results(output: %v5, lse: %v6)
  }
  // The training step: loss and derivatives (emitted by seq-autodiff).
  irdl.operation @pad {
    %v1 = irdl.base "#builtin.integer"
    %v2 = irdl.base "#builtin.integer"
    %v3 = irdl.base "#builtin.integer"
    irdl.attributes { "dim" = %v1, "before" = %v2, "after" = %v3 }
    %v4 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v4)
    %v5 = irdl.base "!builtin.tensor"
    irdl.results(output: %v5)
  }
  irdl.operation @label_count {
    %v1 = irdl.base "!builtin.tensor"
    %v3 = irdl.base "!builtin.tensor"
    irdl.operands(labels: %v1, index: optional %v3)
    %v2 = irdl.base "!builtin.tensor"
    irdl.results(output: %v2)
  }
  irdl.operation @cross_entropy {
    %v1 = irdl.base "!builtin.tensor"
    %v2 = irdl.base "!builtin.tensor"
    %v3 = irdl.base "!builtin.tensor"
    %v4 = irdl.base "!builtin.tensor"
    %v9 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v1, weight: %v2, labels: %v3, count: %v4, index: optional %v9)
    %v5 = irdl.base "!builtin.tensor"
    irdl.results(output: %v5)
  }
  irdl.operation @cross_entropy_grad {
    %v1 = irdl.base "!builtin.tensor"
    %v2 = irdl.base "!builtin.tensor"
    %v3 = irdl.base "!builtin.tensor"
    %v4 = irdl.base "!builtin.tensor"
    %v9 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v1, weight: %v2, labels: %v3, count: %v4, index: optional %v9)
    %v5 = irdl.base "!builtin.tensor"
    %v6 = irdl.base "!builtin.tensor"
    irdl.results(input_grad: %v5, weight_grad: %v6)
  }
  irdl.operation @embedding_grad {
    %v1 = irdl.base "#builtin.integer"
    irdl.attributes { "vocab" = %v1 }
    %v2 = irdl.base "!builtin.tensor"
    %v3 = irdl.base "!builtin.tensor"
    irdl.operands(ids: %v2, output_grad: %v3)
    %v4 = irdl.base "!builtin.tensor"
    irdl.results(table_grad: %v4)
  }
  irdl.operation @rms_norm_grad {
    %v1 = irdl.base "#builtin.float"
    irdl.attributes { "eps" = %v1 }
    %v2 = irdl.base "!builtin.tensor"
    %v3 = irdl.base "!builtin.tensor"
    %v4 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v2, weight: %v3, output_grad: %v4)
    %v5 = irdl.base "!builtin.tensor"
    %v6 = irdl.base "!builtin.tensor"
    irdl.results(input_grad: %v5, weight_grad: %v6)
  }
  irdl.operation @layer_norm_grad {
    %v1 = irdl.base "#builtin.float"
    irdl.attributes { "eps" = %v1 }
    %v2 = irdl.base "!builtin.tensor"
    %v3 = irdl.base "!builtin.tensor"
    %v4 = irdl.base "!builtin.tensor"
    %v5 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v2, weight: %v3, bias: %v4, output_grad: %v5)
    %v6 = irdl.base "!builtin.tensor"
    %v7 = irdl.base "!builtin.tensor"
    %v8 = irdl.base "!builtin.tensor"
    irdl.results(input_grad: %v6, weight_grad: %v7, bias_grad: %v8)
  }
  irdl.operation @linear_grad_input {
    %v1 = irdl.base "!builtin.tensor"
    %v2 = irdl.base "!builtin.tensor"
    irdl.operands(output_grad: %v1, weight: %v2)
    %v3 = irdl.base "!builtin.tensor"
    irdl.results(input_grad: %v3)
  }
  irdl.operation @linear_grad_weight {
    %v1 = irdl.base "!builtin.tensor"
    %v2 = irdl.base "!builtin.tensor"
    irdl.operands(output_grad: %v1, input: %v2)
    %v3 = irdl.base "!builtin.tensor"
    irdl.results(weight_grad: %v3)
  }
  irdl.operation @bias_grad {
    %v1 = irdl.base "!builtin.tensor"
    irdl.operands(output_grad: %v1)
    %v2 = irdl.base "!builtin.tensor"
    irdl.results(bias_grad: %v2)
  }
  irdl.operation @rope_grad {
    %v1 = irdl.base "#builtin.integer"
    %v2 = irdl.base "#builtin.float"
    irdl.attributes { "head_dim" = %v1, "theta" = %v2 }
    %v3 = irdl.base "!builtin.tensor"
    %v4 = irdl.base "!builtin.tensor"
    irdl.operands(output_grad: %v3, positions: %v4)
    %v5 = irdl.base "!builtin.tensor"
    irdl.results(input_grad: %v5)
  }
  irdl.operation @silu_grad {
    %v1 = irdl.base "!builtin.tensor"
    %v2 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v1, output_grad: %v2)
    %v3 = irdl.base "!builtin.tensor"
    irdl.results(input_grad: %v3)
  }
  irdl.operation @gelu_grad {
    %v1 = irdl.base "#builtin.string"
    irdl.attributes { "approximate" = %v1 }
    %v2 = irdl.base "!builtin.tensor"
    %v3 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v2, output_grad: %v3)
    %v4 = irdl.base "!builtin.tensor"
    irdl.results(input_grad: %v4)
  }
  irdl.operation @swiglu_grad {
    %v1 = irdl.base "!builtin.tensor"
    %v2 = irdl.base "!builtin.tensor"
    %v3 = irdl.base "!builtin.tensor"
    irdl.operands(gate: %v1, up: %v2, output_grad: %v3)
    %v4 = irdl.base "!builtin.tensor"
    %v5 = irdl.base "!builtin.tensor"
    irdl.results(gate_grad: %v4, up_grad: %v5)
  }
  irdl.operation @attention_grad {
    %v1 = irdl.base "#builtin.integer"
    %v2 = irdl.base "#builtin.integer"
    %v3 = irdl.base "#builtin.integer"
    %v4 = irdl.base "#builtin.integer"
    %v5 = irdl.base "#builtin.float"
    irdl.attributes { "causal" = %v1, "num_heads" = %v2, "num_kv_heads" = %v3, "head_dim" = %v4, "scale" = %v5 }
    %v6 = irdl.base "!builtin.tensor"
    %v7 = irdl.base "!builtin.tensor"
    %v8 = irdl.base "!builtin.tensor"
    %v9 = irdl.base "!builtin.tensor"
    %v10 = irdl.base "!builtin.tensor"
    irdl.operands(q: %v6, k: %v7, v: %v8, output_grad: %v9, segment_ids: optional %v10)
    %v11 = irdl.base "!builtin.tensor"
    %v12 = irdl.base "!builtin.tensor"
    %v13 = irdl.base "!builtin.tensor"
    irdl.results(q_grad: %v11, k_grad: %v12, v_grad: %v13)
  }
  irdl.operation @attention_partial_grad {
    %v1 = irdl.base "#builtin.integer"
    %v2 = irdl.base "#builtin.integer"
    %v3 = irdl.base "#builtin.integer"
    %v4 = irdl.base "#builtin.integer"
    %v5 = irdl.base "#builtin.float"
    irdl.attributes { "causal" = %v1, "num_heads" = %v2, "num_kv_heads" = %v3, "head_dim" = %v4, "scale" = %v5 }
    %v6 = irdl.base "!builtin.tensor"
    %v7 = irdl.base "!builtin.tensor"
    %v8 = irdl.base "!builtin.tensor"
    %v9 = irdl.base "!builtin.tensor"
    %v10 = irdl.base "!builtin.tensor"
    %v11 = irdl.base "!builtin.tensor"
    %v12 = irdl.base "!builtin.tensor"
    %v13 = irdl.base "!builtin.tensor"
    %v14 = irdl.base "!builtin.tensor"
    %v15 = irdl.base "!builtin.tensor"
    irdl.operands(q: %v6, k: %v7, v: %v8, output: %v9, lse: %v10, output_grad: %v11, q_index: %v12, k_index: %v13, q_segment: optional %v14, k_segment: optional %v15)
    %v16 = irdl.base "!builtin.tensor"
    %v17 = irdl.base "!builtin.tensor"
    %v18 = irdl.base "!builtin.tensor"
    irdl.results(q_grad: %v16, k_grad: %v17, v_grad: %v18)
  }
  irdl.operation @shard_grad {
    %v1 = irdl.base "#builtin.integer"
    %v2 = irdl.base "#builtin.string"
    %v3 = irdl.base "#builtin.integer"
    %v4 = irdl.base "#builtin.integer"
    %v5 = irdl.base "#builtin.string"
    irdl.attributes { "dim" = %v1, "layout" = %v2, "num_shards" = %v3, "global_size" = %v4, "axis" = %v5 }
    %v6 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v6)
    %v7 = irdl.base "!builtin.tensor"
    irdl.results(output: %v7)
  }
  irdl.operation @offload {
    %v1 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v1)
    %v2 = irdl.base "!builtin.tensor"
    irdl.results(output: %v2)
  }
  irdl.operation @reload {
    %v1 = irdl.base "!builtin.tensor"
    irdl.operands(input: %v1)
    %v2 = irdl.base "!builtin.tensor"
    irdl.results(output: %v2)
  }
}
