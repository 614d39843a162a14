//! The work analysis counts what the program does, checked against closed forms.

use seq_ir::AttentionConfig;
use seq_passes::analysis::{ModelSummary, attention_flops, mask_density};

#[test]
fn causal_density_counts_the_lower_triangle() {
    assert_eq!(mask_density(4, true, None), 10.0 / 16.0);
    assert_eq!(mask_density(4, false, None), 1.0);
    // Window 2 over 4 causal queries keeps 1 + 2 + 2 + 2 = 7 pairs.
    assert_eq!(mask_density(4, true, Some(2)), 7.0 / 16.0);
    // Non-causal window 2: query i sees i-1..i+1 within bounds: 2 + 3 + 3 + 2 = 10.
    assert_eq!(mask_density(4, false, Some(2)), 10.0 / 16.0);
}

#[test]
fn tiny_model_flops_match_hand_count() {
    let cfg = seq_frontends::DecoderConfig::tiny();
    let s = ModelSummary::of(&cfg.build().unwrap());
    let (t, d, f, v) = (64.0, 64.0, 128.0, 256.0);
    let per_layer = 2.0 * t * d * (64.0 + 32.0 + 32.0 + 64.0) + 2.0 * t * d * f * 3.0;
    assert_eq!(s.work.gemm_flops, 2.0 * per_layer + 2.0 * t * d * v);
    let attn = AttentionConfig { causal: true, num_heads: 4, num_kv_heads: 2, head_dim: 16, scale: 0.25, window: None, softcap: None };
    assert_eq!(s.work.attention_flops, 2.0 * attention_flops(64, &attn));
    assert_eq!(attention_flops(64, &attn), 4.0 * 64.0 * 64.0 * 64.0 * (65.0 / 128.0));
}

/// The attention rate is looked up at one device's share of the work: a 4-way split of 512K
/// tokens does the work of a 256K attention, an unsplit layer all of it.
#[test]
fn attention_rate_follows_the_work_per_device() {
    use seq_passes::strategy::cost_model::{CostContext, Profile};
    let ctx = |share| CostContext { seq_len: 524288, ulysses: 1, attention_share: share };
    assert_eq!(ctx(4).attention_tokens(), 262144);
    assert_eq!(ctx(1).attention_tokens(), 524288);
    assert_eq!(ctx(0).attention_tokens(), 524288, "no share counts as one device");
    let p = Profile { attention_curve: vec![[131072.0, 600.0], [524288.0, 480.0]], ..Profile::h200() };
    // Halfway between the points in log(tokens).
    assert!((p.attention_rate(ctx(4).attention_tokens()) - 540.0).abs() < 1e-9);
    assert_eq!(p.attention_rate(ctx(1).attention_tokens()), 480.0);
}

/// The same attention op priced through the cost model: shared 4 ways it runs at the rate of
/// its share's length; tagged as a replicate layer it is priced whole whatever the share.
#[test]
fn attention_ops_are_priced_at_their_share() {
    use seq_passes::strategy::cost_model::{CostContext, Profile, Target};
    let g = seq_frontends::DecoderConfig::tiny().build_attention().unwrap();
    let (_, op) = g.ops_of(seq_ir::OpKind::Attention).next().expect("an attention op");
    let profile = Profile { attention_curve: vec![[16.0, 100.0], [64.0, 400.0]], kernel_launch_us: 0.0, ..Profile::h200() };
    let target = Target::new(4, profile.clone());
    let ctx = |share| CostContext { seq_len: 64, ulysses: 1, attention_share: share };
    let seconds = |op: &seq_ir::Op, share| target.op_cost(&g, op, &ctx(share)).1.seconds;
    // 64 tokens shared 4 ways: the 32-token rate, halfway between the points in log(tokens).
    let ratio = seconds(op, 4) / seconds(op, 1);
    assert!((ratio - 400.0 / 250.0).abs() < 1e-9, "{ratio}");
    let mut replicated = op.clone();
    replicated.attrs.insert("strategy".into(), seq_ir::Attr::Str("replicate".into()));
    assert_eq!(seconds(&replicated, 4), seconds(op, 1));
}
