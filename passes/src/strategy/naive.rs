//! The naive reference chooser: each layer independently takes its cheapest legal split, then
//! the whole sharded program is compared with running everything unsplit. Kept beside the e-graph
//! chooser so tests can compare them and users can fall back to it (`--chooser naive`).

use crate::strategy::choose_strategy::{Costs, Decision, LayerChoice};

pub fn choose(c: &Costs) -> Decision {
    let layers = c.full_attention.len();
    let mut sharded = c.tok_sharded.iter().sum::<f64>();
    let mut choices = Vec::with_capacity(layers);
    for i in 0..layers {
        let best = c.split[i].iter().enumerate().filter(|(_, p)| p.is_finite()).min_by(|a, b| a.1.total_cmp(b.1));
        // Gathering the layer's input, running it whole and keeping the local rows.
        let replicate = c.gather + c.tok_full[i] + c.full_attention[i];
        match best {
            Some((k, &p)) if c.tok_sharded[i] + p <= replicate => {
                sharded += p;
                choices.push(LayerChoice::Split(k));
            }
            _ => {
                sharded += replicate - c.tok_sharded[i];
                choices.push(LayerChoice::Full);
            }
        }
    }
    let unsplit = c.tok_full.iter().sum::<f64>() + c.full_attention.iter().sum::<f64>();
    if unsplit <= sharded {
        Decision { split: false, layers: vec![LayerChoice::Full; layers], predicted: unsplit }
    } else {
        Decision { split: true, layers: choices, predicted: sharded }
    }
}
