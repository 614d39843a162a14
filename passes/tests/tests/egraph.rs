//! The e-graph chooser: its rules keep meaning, and it agrees with the naive chooser.

use seq_passes::config::Strategy;
use seq_passes::strategy::choose_strategy::{Costs, LayerChoice};
use seq_passes::strategy::{egraph, naive};

/// Two layers and two candidates (ring, ulysses) with the given per-layer prices.
fn costs(ring: f64, ulysses: f64, replicate: f64, whole_attention: f64) -> Costs {
    Costs {
        candidates: vec![Strategy::Ring, Strategy::Ulysses],
        split: vec![vec![ring, ulysses]; 2],
        excluded: vec![vec![None, None]; 2],
        replicate: vec![replicate; 2],
        full_attention: vec![whole_attention; 2],
        tok_full: vec![4.0; 3],
        tok_sharded: vec![1.0; 3],
    }
}

#[test]
fn cheapest_split_wins_per_layer() {
    let c = costs(2.0, 1.0, 9.0, 40.0);
    let d = egraph::choose(&c);
    assert!(d.split);
    assert_eq!(d.layers, vec![LayerChoice::Split(1); 2]);
    // 3 sharded segments + 2 ulysses layers.
    assert_eq!(d.predicted, 3.0 + 2.0);
    assert_eq!(d, naive::choose(&c));
}

#[test]
fn illegal_split_is_never_chosen() {
    let mut c = costs(2.0, 1.0, 9.0, 40.0);
    c.split[0][1] = f64::INFINITY;
    let d = egraph::choose(&c);
    assert_eq!(d.layers, vec![LayerChoice::Split(0), LayerChoice::Split(1)]);
    assert_eq!(d, naive::choose(&c));
}

#[test]
fn replicate_form_when_splits_cost_more() {
    let c = costs(20.0, 30.0, 9.0, 40.0);
    let d = egraph::choose(&c);
    assert!(d.split);
    assert_eq!(d.layers, vec![LayerChoice::Full; 2]);
    assert_eq!(d, naive::choose(&c));
}

#[test]
fn whole_program_when_communication_dominates() {
    // Whole: 3 x 4 token-wise + 2 x 1 attention = 14 < split 3 + 2 x 7 = 17.
    let c = costs(7.0, 8.0, 9.0, 1.0);
    let d = egraph::choose(&c);
    assert!(!d.split, "{d:?}");
    assert_eq!(d.predicted, 14.0);
    assert_eq!(d, naive::choose(&c));
}
