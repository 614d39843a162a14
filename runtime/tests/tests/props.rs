//! Property: for small random shapes and masks, the zigzag ring plan computes the unsplit model.

use super::common::{Attn, Strategy as Split};
use super::plans::check_strategy;
use proptest::prelude::*;

fn attn() -> impl Strategy<Value = Attn> {
    (1usize..=3, prop_oneof![Just(1usize), Just(2)], any::<bool>(), prop::option::of(1usize..8), any::<bool>())
        .prop_map(|(kv_heads, group, causal, window, segments)| Attn {
            heads: kv_heads * group,
            kv_heads,
            head_dim: 4,
            causal,
            window,
            segments,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn ring_plan_equals_unsplit(g in 1usize..24, n in 1usize..=4, a in attn(), seed in any::<u64>()) {
        check_strategy(g, n, Split::Ring, &a, seed);
    }
}
