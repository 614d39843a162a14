//! The e-graph chooser: each rule's identity, and agreement with the naive chooser.

use seq_passes::config::Strategy;
use seq_passes::strategy::choose_strategy::{Costs, LayerChoice};
use seq_passes::strategy::{egraph, naive};

/// Two layers, one split candidate; `comm` makes splitting costly, `work` makes it pay.
fn costs(work: f64, comm: f64) -> Costs {
    Costs {
        candidates: vec![Strategy::Ring],
        split: vec![vec![work / 4.0 + comm]; 2],
        excluded: vec![vec![None]; 2],
        full_attention: vec![work; 2],
        tok_full: vec![work; 3],
        tok_sharded: vec![work / 4.0; 3],
        gather: comm,
    }
}

#[test]
fn cheap_communication_splits_every_layer() {
    let c = costs(1.0, 0.01);
    let d = egraph::choose(&c);
    assert!(d.split);
    assert_eq!(d.layers, vec![LayerChoice::Split(0); 2]);
    assert_eq!(d, naive::choose(&c));
}

#[test]
fn dear_communication_keeps_the_program_whole() {
    let c = costs(0.001, 1.0);
    let d = egraph::choose(&c);
    assert!(!d.split, "{d:?}");
    assert_eq!(d.layers, vec![LayerChoice::Full; 2]);
    assert_eq!(d.split, naive::choose(&c).split);
    // Whole program: 3 token-wise segments and 2 attentions, no communication at all.
    assert!((d.predicted - 5.0 * 0.001).abs() < 1e-12, "{}", d.predicted);
}
