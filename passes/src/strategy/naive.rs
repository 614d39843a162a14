//! The naive reference chooser: each layer independently takes its cheapest form (a legal split,
//! or replicate), then the split program is compared with running everything whole. Kept beside
//! the e-graph chooser so tests can compare them and users can fall back to it (`--chooser naive`).

use crate::strategy::choose_strategy::{Costs, Decision, LayerChoice};

pub fn choose(c: &Costs) -> Decision {
    let mut split = c.tok_sharded.iter().sum::<f64>();
    let mut layers = Vec::with_capacity(c.replicate.len());
    for (i, replicate) in c.replicate.iter().enumerate() {
        let best = c.split[i].iter().enumerate().filter(|(_, p)| p.is_finite()).min_by(|a, b| a.1.total_cmp(b.1));
        match best {
            Some((k, &p)) if p < *replicate => {
                split += p;
                layers.push(LayerChoice::Split(k));
            }
            _ => {
                split += replicate;
                layers.push(LayerChoice::Full);
            }
        }
    }
    if c.whole() <= split {
        Decision { split: false, layers: vec![LayerChoice::Full; layers.len()], predicted: c.whole() }
    } else {
        Decision { split: true, layers, predicted: split }
    }
}
