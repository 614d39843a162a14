//! The e-graph chooser: its rules keep meaning, it agrees with the naive chooser where layouts
//! cannot help, and it is strictly cheaper than the per-layer argmin where they can.

use seq_passes::config::Strategy;
use seq_passes::strategy::choose_strategy::{Costs, LayerChoice, LayoutCosts};
use seq_passes::strategy::{egraph, naive};

/// Two layers and two candidates (ring, ulysses) with the given per-layer prices.
fn costs(ring: f64, ulysses: f64, replicate: f64, whole_attention: f64) -> Costs {
    Costs {
        candidates: vec![Strategy::Ring, Strategy::Ulysses],
        split: vec![vec![ring, ulysses]; 2],
        excluded: vec![vec![None, None]; 2],
        peak: vec![vec![None, None]; 2],
        replicate: vec![replicate; 2],
        full_attention: vec![whole_attention; 2],
        tok_full: vec![4.0; 3],
        tok_sharded: vec![1.0; 3],
        // Layout changes too dear to pay, and free cuts and assembly: the per-layer choice alone.
        layout: LayoutCosts {
            gather_out: vec![100.0, 100.0, 0.0],
            cut_in: vec![0.0, 100.0, 100.0],
            ..layouts(2, 100.0, 100.0, 100.0, false)
        },
        backward: vec![],
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

/// Uniform layout prices for `layers` layers: gathering a segment's input `gather_in`, its
/// output (q, k, v and the stream, or the results) `gather_out`, every cut `cut`.
fn layouts(layers: usize, gather_in: f64, gather_out: f64, cut: f64, sharded_io: bool) -> LayoutCosts {
    let n = layers + 1;
    LayoutCosts {
        gather_in: vec![gather_in; n],
        cut_in: vec![cut; n],
        gather_out: vec![gather_out; n],
        cut_out: vec![cut; n],
        sharded_io,
        segment_fits: vec![true; n],
        layer_fits: vec![true; layers],
    }
}

/// Three layers that cost less whole (token-wise work 1 whole vs 0.5 sharded, attention 1 whole
/// vs 2 split) before an output head that does not (8 whole, 0.5 sharded).
fn head_heavy() -> Costs {
    Costs {
        candidates: vec![Strategy::AllGatherKv],
        split: vec![vec![2.0]; 3],
        excluded: vec![vec![None]; 3],
        peak: vec![vec![None]; 3],
        replicate: vec![3.0; 3],
        full_attention: vec![1.0; 3],
        tok_full: vec![1.0, 1.0, 1.0, 8.0],
        tok_sharded: vec![0.5; 4],
        layout: layouts(3, 0.6, 1.0, 0.1, false),
        backward: vec![],
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn layers_kept_whole_before_a_sharded_head_beat_the_argmin() {
    let c = head_heavy();
    let reference = naive::choose(&c);
    // Per layer, a split (0.5 + 2) beats replicate (0.5 + 3); split program: cut 0.1 + four
    // sharded segments 2 + three splits 6 + assembling the results 1 = 9.1 < whole 14.
    assert_eq!(reference.layers, vec![LayerChoice::Split(0); 3]);
    assert!(close(reference.predicted, 9.1), "{reference:?}");
    // Kept whole, the layers cost 3 x (1 + 1) = 6 with no gather (the arguments are whole on
    // every rank); cutting before the head 0.1, the head 0.5, assembling 1: 7.6. (A layer alone
    // whole between sharded segments pays its own gather and cut: 0.5 + 1 + 1 + 0.1 = 2.6.)
    let d = egraph::choose(&c);
    assert!(d.split);
    assert_eq!(d.layers, vec![LayerChoice::Whole; 3]);
    assert_eq!(d.whole_segments, vec![true, true, true, false]);
    assert!(close(d.predicted, 7.6), "{d:?}");
    assert!(d.predicted < reference.predicted);
}

#[test]
fn a_whole_run_in_the_middle_pays_one_gather() {
    // Layers 1 and 2 have no split and a costly replicate form; token-wise work whole is cheap.
    let mut c = head_heavy();
    c.split = vec![vec![2.0], vec![f64::INFINITY], vec![f64::INFINITY], vec![2.0]];
    c.excluded = vec![vec![None]; 4];
    c.replicate = vec![9.0; 4];
    c.full_attention = vec![1.0; 4];
    c.tok_full = vec![1.0, 1.0, 1.0, 1.0, 30.0];
    c.tok_sharded = vec![0.5; 5];
    c.layout = layouts(4, 0.6, 1.0, 0.1, true);
    let reference = naive::choose(&c);
    assert_eq!(
        reference.layers,
        vec![LayerChoice::Split(0), LayerChoice::Full, LayerChoice::Full, LayerChoice::Split(0)]
    );
    let d = egraph::choose(&c);
    assert!(d.split);
    // Layers 1-2 whole: one gather of the stream into segment 1, one cut out of segment 3.
    assert_eq!(d.layers[1..3], [LayerChoice::Whole; 2]);
    assert_eq!(d.whole_segments[1..3], [true, true]);
    assert!(!d.whole_segments[4], "the head stays sharded: {d:?}");
    assert!(d.predicted < reference.predicted, "{} vs {}", d.predicted, reference.predicted);
}

#[test]
fn a_whole_head_skips_assembling_wide_results() {
    // Results much wider than the stream: assembling them (4) costs more than gathering the
    // stream (0.6) and computing the head whole (2).
    let mut c = head_heavy();
    c.tok_full = vec![4.0, 4.0, 4.0, 2.0];
    c.full_attention = vec![5.0; 3];
    c.layout.gather_out[3] = 4.0;
    let reference = naive::choose(&c);
    let d = egraph::choose(&c);
    assert_eq!(d.layers, vec![LayerChoice::Split(0); 3]);
    assert_eq!(d.whole_segments, vec![false, false, false, true]);
    // cut 0.1 + 3 x (0.5 + 2) + gather 0.6 + head 2 = 10.2 against 0.1 + 2 + 6 + 4 = 12.1.
    assert!(close(d.predicted, 10.2), "{d:?}");
    assert!(close(reference.predicted, 12.1), "{reference:?}");
}

#[test]
fn agrees_with_the_argmin_when_layouts_do_not_pay() {
    // Token-wise work whole costs four times more: no run of whole layers pays for itself.
    let mut c = head_heavy();
    c.tok_full = vec![4.0, 4.0, 4.0, 8.0];
    c.full_attention = vec![8.0; 3];
    let d = egraph::choose(&c);
    assert_eq!(d, naive::choose(&c));
    assert_eq!(d.whole_segments, vec![false; 4]);
}

#[test]
fn sharded_arguments_must_be_gathered_before_a_whole_start() {
    // With --sharded-io the arguments arrive as rows: a whole start pays their gather, and the
    // unsplit program (whole arguments) stays the cheaper way to run everything whole.
    let mut c = head_heavy();
    c.layout.sharded_io = true;
    c.layout.gather_in[0] = 100.0;
    let d = egraph::choose(&c);
    assert!(!d.whole_segments[0], "{d:?}");
    c.layout.gather_in[0] = 0.3;
    let d = egraph::choose(&c);
    assert_eq!(d.whole_segments, vec![true, true, true, false]);
    // gather 0.3 + 6 + cut 0.1 + head 0.5; the results leave as rows.
    assert!(close(d.predicted, 6.9), "{d:?}");
}

#[test]
fn a_segment_over_the_memory_budget_stays_sharded() {
    let mut c = head_heavy();
    c.layout.segment_fits[1] = false;
    let d = egraph::choose(&c);
    assert!(!d.whole_segments[1], "{d:?}");
    // Segment 0 and layer 0 may still run whole before the cut.
    assert!(d.predicted < naive::choose(&c).predicted);
}
