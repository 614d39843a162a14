//! The naive reference chooser: each layer independently takes its cheapest form on sharded rows
//! (a legal split, or replicate), then that program is compared with running everything whole.
//! It never changes layout between layers, so it is the per-layer argmin the e-graph chooser must
//! match or beat. Kept beside the e-graph chooser so tests can compare them and users can fall
//! back to it (`--chooser naive`).

use crate::strategy::choose_strategy::{Costs, Decision, LayerChoice};

pub fn choose(c: &Costs) -> Decision {
    let mut layers = Vec::with_capacity(c.replicate.len());
    for (i, replicate) in c.replicate.iter().enumerate() {
        let best = c.split[i].iter().enumerate().filter(|(_, p)| p.is_finite()).min_by(|a, b| a.1.total_cmp(b.1));
        layers.push(match best {
            Some((k, &p)) if p < *replicate => LayerChoice::Split(k),
            _ => LayerChoice::Full,
        });
    }
    let split = c.sharded_program(&layers);
    if c.whole() <= split {
        Decision::unsplit(layers.len(), c.whole())
    } else {
        let whole_segments = vec![false; layers.len() + 1];
        Decision { split: true, layers, whole_segments, predicted: split }
    }
}
