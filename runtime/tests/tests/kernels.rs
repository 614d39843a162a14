//! Kernels against straightforward formulas written here.

use super::common::{Rng, max_rel_err, reference_attention};
use seq_runtime::cpu::kernels::{self, AttentionSpec, Masking};

struct Case {
    heads: usize,
    kv_heads: usize,
    hd: usize,
    sq: usize,
    sk: usize,
    causal: bool,
    window: Option<i64>,
    segments: bool,
    padding: bool,
}

/// Global indices for `n` rows: a random permutation of a random range (so masks must come
/// from the indices, not the row numbers), with some −1 padding rows when asked.
fn indices(rng: &mut Rng, n: usize, padding: bool) -> Vec<i64> {
    let base = rng.below(5) as i64;
    let mut idx: Vec<i64> = (0..n as i64).map(|i| base + 2 * i).collect();
    for i in (1..n).rev() {
        idx.swap(i, rng.below(i as u64 + 1) as usize);
    }
    if padding {
        for x in idx.iter_mut() {
            if rng.below(5) == 0 {
                *x = -1;
            }
        }
    }
    idx
}

fn check_case(rng: &mut Rng, c: &Case) {
    let (qc, kc) = (c.heads * c.hd, c.kv_heads * c.hd);
    let (q, k, v) = (rng.vec(c.sq * qc, 1.0), rng.vec(c.sk * kc, 1.0), rng.vec(c.sk * kc, 1.0));
    let (qi, ki) = (indices(rng, c.sq, c.padding), indices(rng, c.sk, c.padding));
    let (qs, ks): (Vec<i64>, Vec<i64>) =
        ((0..c.sq).map(|_| rng.below(2) as i64).collect(), (0..c.sk).map(|_| rng.below(2) as i64).collect());
    let segs = c.segments.then_some((&qs[..], &ks[..]));
    let scale = 1.0 / (c.hd as f64).sqrt();
    let (ro, rl) =
        reference_attention(&q, &k, &v, (c.heads, c.kv_heads, c.hd), scale, c.causal, c.window, &qi, &ki, segs);
    let spec = AttentionSpec {
        num_heads: c.heads,
        num_kv_heads: c.kv_heads,
        head_dim: c.hd,
        scale,
        causal: c.causal,
        window: c.window.map(|w| w as usize),
        softcap: None,
    };
    let mask = Masking { q_index: &qi, k_index: &ki, segments: segs };
    let (o, l) = kernels::attention_partial(&spec, &q, &k, &v, &mask).expect("valid shapes");
    assert!(max_rel_err(&o, &ro) < 1e-12, "f64 output differs");
    for (a, b) in l.iter().zip(&rl) {
        assert!(a == b || (a - b).abs() < 1e-12, "f64 lse {a} vs {b}");
    }
    let f = |x: &[f64]| x.iter().map(|&v| v as f32).collect::<Vec<f32>>();
    let (o32, l32) = kernels::attention_partial(&spec, &f(&q), &f(&k), &f(&v), &mask).expect("valid shapes");
    let wide = |x: &[f32]| x.iter().map(|&v| v as f64).collect::<Vec<f64>>();
    assert!(max_rel_err(&wide(&o32), &ro) < 1e-5, "f32 output differs");
    for (a, b) in wide(&l32).iter().zip(&rl) {
        assert!(a == b || (a - b).abs() < 1e-5, "f32 lse {a} vs {b}");
    }
    // Rows that see nothing: zero output and −∞ lse.
    let empty = rl.iter().filter(|x| x.is_infinite()).count();
    assert_eq!(empty, l.iter().filter(|x| **x == f64::NEG_INFINITY).count());
}

#[test]
fn attention_partial_matches_reference() {
    let mut rng = Rng::new(1);
    let mut cases = 0;
    for (heads, kv_heads) in [(4, 4), (4, 2), (6, 1), (1, 1)] {
        for causal in [false, true] {
            for window in [None, Some(5)] {
                for segments in [false, true] {
                    let (sq, sk) = (1 + rng.below(20) as usize, 1 + rng.below(20) as usize);
                    let padding = rng.below(2) == 0;
                    check_case(&mut rng, &Case { heads, kv_heads, hd: 8, sq, sk, causal, window, segments, padding });
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 32);
}

#[test]
fn attention_partial_spans_several_blocks() {
    // More than one 64-row block on both sides, GQA, causal + window: some blocks are fully
    // masked and skipped, others partly.
    let mut rng = Rng::new(2);
    check_case(
        &mut rng,
        &Case {
            heads: 4,
            kv_heads: 2,
            hd: 16,
            sq: 70,
            sk: 150,
            causal: true,
            window: Some(40),
            segments: true,
            padding: true,
        },
    );
    check_case(
        &mut rng,
        &Case {
            heads: 2,
            kv_heads: 1,
            hd: 8,
            sq: 129,
            sk: 65,
            causal: false,
            window: None,
            segments: false,
            padding: false,
        },
    );
}

#[test]
fn attention_partial_all_masked_rows_are_zero_with_neg_inf_lse() {
    let spec = AttentionSpec { num_heads: 2, num_kv_heads: 1, head_dim: 2, scale: 1.0, causal: true, window: None, softcap: None };
    let q = [1.0f64; 3 * 4];
    let k = [1.0f64; 2 * 2];
    // Query 0 precedes every key; query 1 is padding; query 2 sees key index 4.
    let mask = Masking { q_index: &[1, -1, 7], k_index: &[4, 9], segments: None };
    let (o, l) = kernels::attention_partial(&spec, &q, &k, &[3.0; 4], &mask).unwrap();
    assert_eq!(&o[..8], &[0.0; 8]);
    assert_eq!(&l[..4], &[f64::NEG_INFINITY; 4]);
    assert_eq!(&o[8..], &[3.0; 4]);
    assert_eq!(&l[4..], &[2.0, 2.0]); // one key with score 1·1 + 1·1
}

#[test]
fn lse_merge_of_two_key_halves_equals_attention_over_all_keys() {
    let mut rng = Rng::new(3);
    for (heads, kv_heads, causal) in [(4, 2, true), (3, 3, false), (2, 1, true)] {
        let (hd, sq, sk) = (4, 9, 13);
        let spec =
            AttentionSpec { num_heads: heads, num_kv_heads: kv_heads, head_dim: hd, scale: 0.5, causal, window: None, softcap: None };
        let (q, k, v) =
            (rng.vec(sq * heads * hd, 1.0), rng.vec(sk * kv_heads * hd, 1.0), rng.vec(sk * kv_heads * hd, 1.0));
        // Query 0 is padding (both halves empty); keys 0..split are early tokens, so under the
        // causal mask some queries see only one half.
        let qi: Vec<i64> = (0..sq as i64).map(|i| if i == 0 { -1 } else { 2 * i }).collect();
        let ki: Vec<i64> = (0..sk as i64).collect();
        let all =
            kernels::attention_partial(&spec, &q, &k, &v, &Masking { q_index: &qi, k_index: &ki, segments: None })
                .unwrap();
        let split = 1 + rng.below(sk as u64 - 1) as usize;
        let kc = kv_heads * hd;
        let half = |r: std::ops::Range<usize>| {
            let m = Masking { q_index: &qi, k_index: &ki[r.clone()], segments: None };
            kernels::attention_partial(&spec, &q, &k[r.start * kc..r.end * kc], &v[r.start * kc..r.end * kc], &m)
                .unwrap()
        };
        let (a, b) = (half(0..split), half(split..sk));
        let (o, l) = kernels::lse_merge(&a.0, &a.1, &b.0, &b.1, heads, heads * hd);
        assert!(max_rel_err(&o, &all.0) < 1e-12);
        for (x, y) in l.iter().zip(&all.1) {
            assert!(x == y || (x - y).abs() < 1e-12, "lse {x} vs {y}");
        }
        // The merge is commutative.
        let (o2, l2) = kernels::lse_merge(&b.0, &b.1, &a.0, &a.1, heads, heads * hd);
        assert!(max_rel_err(&o2, &o) < 1e-14 && l2.iter().zip(&l).all(|(x, y)| x == y || (x - y).abs() < 1e-14));
        assert_eq!(&o[..heads * hd], &vec![0.0; heads * hd][..]);
        assert!(l[..heads].iter().all(|x| *x == f64::NEG_INFINITY));
    }
}

#[test]
fn linear_and_logits_match_naive_products() {
    let mut rng = Rng::new(4);
    for (rows, inp, out) in [(1, 1, 1), (5, 7, 3), (17, 33, 65), (3, 0, 4)] {
        let (x, w, b) = (rng.vec(rows * inp, 1.0), rng.vec(out * inp, 1.0), rng.vec(out, 1.0));
        for bias in [None, Some(&b[..])] {
            let y = kernels::linear(&x, &w, bias, rows, inp, out);
            let mut want = vec![0.0; rows * out];
            for s in 0..rows {
                for o in 0..out {
                    want[s * out + o] =
                        (0..inp).map(|i| x[s * inp + i] * w[o * inp + i]).sum::<f64>() + bias.map_or(0.0, |b| b[o]);
                }
            }
            let err = y.iter().zip(&want).fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
            assert!(err < 1e-12, "{rows}x{inp} -> {out}: error {err}");
        }
    }
}

#[test]
fn rope_rotates_pairs_by_position_times_hf_frequencies() {
    let mut rng = Rng::new(5);
    let (rows, heads, hd, rd, theta) = (5, 3, 8, 4, 500.0);
    let cols = heads * hd;
    let x = rng.vec(rows * cols, 1.0);
    let pos = [0i64, 3, 17, 2, 1000];
    let f = seq_runtime::rules::RopeAttrs { head_dim: hd, rotary_dim: rd, theta, scaling: seq_runtime::rules::RopeScaling::None }.inv_freq();
    let y = kernels::rope(&x, cols, &pos, hd, &f);
    for (s, &p) in pos.iter().enumerate().take(rows) {
        for h in 0..heads {
            let at = s * cols + h * hd;
            for d in 0..rd / 2 {
                // (x[d] + i·x[d + rd/2]) · e^{iθ}
                let angle = p as f64 / theta.powf(2.0 * d as f64 / rd as f64);
                let (re, im) = (x[at + d], x[at + d + rd / 2]);
                assert!((y[at + d] - (re * angle.cos() - im * angle.sin())).abs() < 1e-12);
                assert!((y[at + d + rd / 2] - (im * angle.cos() + re * angle.sin())).abs() < 1e-12);
            }
            assert_eq!(&y[at + rd..at + hd], &x[at + rd..at + hd], "dims past rotary_dim pass through");
        }
    }
}

#[test]
fn norms_match_their_formulas() {
    let mut rng = Rng::new(6);
    let (rows, hidden, eps) = (4, 10, 1e-5);
    let (x, w, b) = (rng.vec(rows * hidden, 3.0), rng.vec(hidden, 1.0), rng.vec(hidden, 1.0));
    let rms = kernels::rms_norm(&x, &w, eps);
    let ln = kernels::layer_norm(&x, &w, &b, eps);
    for s in 0..rows {
        let row = &x[s * hidden..(s + 1) * hidden];
        let ms = row.iter().map(|v| v * v).sum::<f64>() / hidden as f64;
        let mean = row.iter().sum::<f64>() / hidden as f64;
        let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / hidden as f64;
        for i in 0..hidden {
            assert!((rms[s * hidden + i] - row[i] / (ms + eps).sqrt() * w[i]).abs() < 1e-12);
            assert!((ln[s * hidden + i] - ((row[i] - mean) / (var + eps).sqrt() * w[i] + b[i])).abs() < 1e-12);
        }
    }
}

#[test]
fn activations_match_known_values() {
    // x·Φ(x) at 1 and −2, the tanh form at 1, and 1/(1 + e^−1).
    assert!((kernels::gelu(1.0f64, false) - 0.841_344_746_068_542_9).abs() < 1e-15);
    assert!((kernels::gelu(-2.0f64, false) - -0.045_500_263_896_358_4).abs() < 1e-15);
    assert!((kernels::gelu(1.0f64, true) - 0.841_191_990_608_276_8).abs() < 1e-15);
    assert!((kernels::silu(1.0f64) - 0.731_058_578_630_004_9).abs() < 1e-15);
    assert!((kernels::gelu(1.0f32, false) - 0.841_344_7).abs() < 1e-6);
}

#[test]
fn embedding_rejects_ids_outside_the_table() {
    let table = [0.0f32, 1.0, 2.0, 3.0, 4.0, 5.0];
    assert_eq!(kernels::embedding(&[2, 0], &table, 2).unwrap(), vec![4.0, 5.0, 0.0, 1.0]);
    let err = kernels::embedding(&[1, 3], &table, 2).unwrap_err();
    assert!(err.contains("token id 3") && err.contains("vocab 3"), "{err}");
    assert!(kernels::embedding(&[-1], &table, 2).is_err());
}
