//! Typed builders infer result types and refuse ill-formed ops with the verifier's message.

use seq_ir::{AttentionConfig, Builder, DType, Graph, TensorType, verify::verify};

fn t(shape: &[i64]) -> TensorType {
    TensorType::new(shape, DType::F32)
}

#[test]
fn builders_infer_shapes_the_verifier_accepts() {
    let mut g = Graph::new("forward");
    let x = g.add_arg(t(&[8, 64]).into());
    let mut b = Builder::new(&mut g);
    let w = b.param("w", t(&[48, 64])).unwrap();
    let y = b.linear(x, w, None).unwrap();
    assert_eq!(b.graph.ty(y).tensor().unwrap().shape, vec![8, 48]);
    g.results = vec![y];
    assert!(verify(&g).is_empty());
}

#[test]
fn attention_builder_rejects_uneven_gqa_groups() {
    let mut g = Graph::new("forward");
    let q = g.add_arg(t(&[8, 96]).into());
    let k = g.add_arg(t(&[8, 64]).into());
    let cfg = AttentionConfig { causal: true, num_heads: 6, num_kv_heads: 4, head_dim: 16, scale: 0.25, window: None, softcap: None };
    let err = Builder::new(&mut g).attention(q, k, k, None, &cfg).expect_err("6 heads over 4 kv heads");
    assert!(err.message.contains("multiple of num_kv_heads"), "{err}");
}

#[test]
fn verifier_catches_a_builder_bypass() {
    // A pass that edits types by hand must not slip past verification.
    let mut g = Graph::new("forward");
    let x = g.add_arg(t(&[8, 64]).into());
    let y = Builder::new(&mut g).unary(seq_ir::OpKind::Silu, x).unwrap();
    g.values[y.0 as usize].ty = t(&[8, 32]).into();
    g.results = vec![y];
    let d = verify(&g);
    assert_eq!(d.len(), 1);
    assert!(d[0].message.contains("declared tensor<8x32xf32>"), "{}", d[0]);
}
