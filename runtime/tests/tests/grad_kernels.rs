//! Backward kernels against central finite differences of the forward kernels, in f64: for a
//! random `r`, the loss `L = Σ r ∘ f(inputs)` has input gradient `f_grad(inputs, dy = r)`.

use super::common::{Rng, max_rel_err};
use seq_runtime::cpu::grad_kernels as gk;
use seq_runtime::cpu::kernels::{self, AttentionSpec, Masking};

/// Finite-difference step: rounding error ~1e-16·|L|/STEP and truncation ~STEP² both stay far
/// below the tolerance at these sizes.
const STEP: f64 = 1e-5;
const TOL: f64 = 1e-6;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "dot of different lengths");
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Central differences of `loss` at `x`, at elements `at`.
fn numeric(x: &[f64], at: &[usize], loss: &dyn Fn(&[f64]) -> f64) -> Vec<f64> {
    let mut x = x.to_vec();
    at.iter()
        .map(|&i| {
            let v = x[i];
            x[i] = v + STEP;
            let up = loss(&x);
            x[i] = v - STEP;
            let down = loss(&x);
            x[i] = v;
            (up - down) / (2.0 * STEP)
        })
        .collect()
}

/// Compares `analytic` with finite differences of `loss` at the elements `at` of `x` (every
/// element when `at` is None); returns the relative error for the report.
fn check_at(name: &str, x: &[f64], analytic: &[f64], at: Option<&[usize]>, loss: &dyn Fn(&[f64]) -> f64) -> f64 {
    assert_eq!(analytic.len(), x.len(), "{name}: gradient has the wrong size");
    let all: Vec<usize> = (0..x.len()).collect();
    let at = at.unwrap_or(&all);
    let want = numeric(x, at, loss);
    let got: Vec<f64> = at.iter().map(|&i| analytic[i]).collect();
    // A zero gradient against a zero difference would prove nothing.
    assert!(want.iter().any(|v| v.abs() > 1e-3), "{name}: the finite differences are all ~0");
    let err = max_rel_err(&got, &want);
    eprintln!("{name}: max rel err {err:.2e} over {} elements", at.len());
    assert!(err <= TOL, "{name}: analytic vs finite-difference gradient, relative error {err:.3e}");
    err
}

fn check(name: &str, x: &[f64], analytic: &[f64], loss: &dyn Fn(&[f64]) -> f64) -> f64 {
    check_at(name, x, analytic, None, loss)
}

#[test]
fn grad_kernels_linear() {
    let mut rng = Rng::new(11);
    for (rows, inp, out) in [(1, 1, 1), (3, 4, 5), (7, 2, 3)] {
        let (x, w, b, r) =
            (rng.vec(rows * inp, 1.0), rng.vec(out * inp, 1.0), rng.vec(out, 1.0), rng.vec(rows * out, 1.0));
        let name = format!("linear {rows}x{inp}->{out}");
        check(&format!("{name} dx"), &x, &gk::linear_grad_input(&r, &w, rows, inp, out), &|x| {
            dot(&r, &kernels::linear(x, &w, Some(&b), rows, inp, out))
        });
        check(&format!("{name} dw"), &w, &gk::linear_grad_weight(&r, &x, rows, inp, out), &|w| {
            dot(&r, &kernels::linear(&x, w, Some(&b), rows, inp, out))
        });
        check(&format!("{name} db"), &b, &gk::bias_grad(&r, rows, out), &|b| {
            dot(&r, &kernels::linear(&x, &w, Some(b), rows, inp, out))
        });
    }
}

#[test]
fn grad_kernels_embedding_scatter_adds_repeated_ids() {
    let mut rng = Rng::new(12);
    let (vocab, hidden) = (5, 3);
    let ids = [4i64, 0, 4, 2, 4];
    let table = rng.vec(vocab * hidden, 1.0);
    let r = rng.vec(ids.len() * hidden, 1.0);
    let dt = gk::embedding_grad(&ids, &r, vocab, hidden).expect("ids are in range");
    check("embedding dtable", &table, &dt, &|t| dot(&r, &kernels::embedding(&ids, t, hidden).expect("in range")));
    // Row 4 is used three times, rows 1 and 3 never.
    assert_eq!(&dt[hidden..2 * hidden], &[0.0; 3]);
    assert!((dt[4 * hidden] - (r[0] + r[2 * hidden] + r[4 * hidden])).abs() < 1e-15);

    let err = gk::embedding_grad(&[1, 5], &[0.0f64; 6], vocab, hidden).unwrap_err();
    assert!(err.contains("token id 5") && err.contains("row 1"), "{err}");
    let err = gk::embedding_grad(&[-2], &[0.0f64; 3], vocab, hidden).unwrap_err();
    assert!(err.contains("token id -2"), "{err}");
    assert!(gk::embedding_grad(&[1, 2], &[0.0f64; 3], vocab, hidden).is_err(), "dy of the wrong size");
}

#[test]
fn grad_kernels_norms() {
    let mut rng = Rng::new(13);
    let (rows, hidden, eps) = (4, 6, 1e-5);
    // An offset so layer norm's mean matters; x scale 2 so rms is not ~1.
    let x: Vec<f64> = rng.vec(rows * hidden, 2.0).iter().map(|v| v + 0.5).collect();
    let (w, b, r) = (rng.vec(hidden, 1.5), rng.vec(hidden, 1.0), rng.vec(rows * hidden, 1.0));

    let (dx, dw) = gk::rms_norm_grad(&x, &w, &r, eps);
    check("rms_norm dx", &x, &dx, &|x| dot(&r, &kernels::rms_norm(x, &w, eps)));
    check("rms_norm dw", &w, &dw, &|w| dot(&r, &kernels::rms_norm(&x, w, eps)));

    let (dx, dw, db) = gk::layer_norm_grad(&x, &w, &b, &r, eps);
    check("layer_norm dx", &x, &dx, &|x| dot(&r, &kernels::layer_norm(x, &w, &b, eps)));
    check("layer_norm dw", &w, &dw, &|w| dot(&r, &kernels::layer_norm(&x, w, &b, eps)));
    check("layer_norm db", &b, &db, &|b| dot(&r, &kernels::layer_norm(&x, &w, b, eps)));
    // Layer norm is invariant to a shift of a row, so each row of dx sums to 0.
    for row in dx.chunks(hidden) {
        assert!(row.iter().sum::<f64>().abs() < 1e-12, "a row of the layer norm dx does not sum to 0");
    }
}

#[test]
fn grad_kernels_rope_is_the_inverse_rotation() {
    let mut rng = Rng::new(14);
    let (heads, hd, theta) = (3, 8, 10_000.0);
    let cols = heads * hd;
    let pos = [0i64, 5, 17, 1000];
    for rd in [hd, 4] {
        let x = rng.vec(pos.len() * cols, 1.0);
        let r = rng.vec(pos.len() * cols, 1.0);
        let f = seq_runtime::rules::RopeAttrs { head_dim: hd, rotary_dim: rd, theta, scaling: seq_runtime::rules::RopeScaling::None }.inv_freq();
        let dx = gk::rope_grad(&r, cols, &pos, hd, &f);
        check(&format!("rope dx (rotary_dim {rd})"), &x, &dx, &|x| dot(&r, &kernels::rope(x, cols, &pos, hd, &f)));
        // A rotation's transpose is its inverse.
        let back = gk::rope_grad(&kernels::rope(&x, cols, &pos, hd, &f), cols, &pos, hd, &f);
        assert!(max_rel_err(&back, &x) < 1e-14, "rope_grad ∘ rope is not the identity");
        if rd < hd {
            for s in 0..pos.len() {
                for h in 0..heads {
                    let at = s * cols + h * hd;
                    assert_eq!(&dx[at + rd..at + hd], &r[at + rd..at + hd], "dims past rotary_dim pass through");
                }
            }
        }
    }
}

#[test]
fn grad_kernels_activations() {
    let mut rng = Rng::new(15);
    let n = 40;
    let x = rng.vec(n, 5.0);
    let up = rng.vec(n, 2.0);
    let r = rng.vec(n, 1.0);
    let map = |x: &[f64], f: &dyn Fn(f64) -> f64| x.iter().map(|&v| f(v)).collect::<Vec<f64>>();
    check("silu dx", &x, &gk::silu_grad(&x, &r), &|x| dot(&r, &map(x, &kernels::silu)));
    for tanh in [false, true] {
        check(&format!("gelu (tanh {tanh}) dx"), &x, &gk::gelu_grad(&x, &r, tanh), &|x| {
            dot(&r, &map(x, &|v| kernels::gelu(v, tanh)))
        });
    }
    let swiglu = |g: &[f64], u: &[f64]| g.iter().zip(u).map(|(&g, &u)| kernels::silu(g) * u).collect::<Vec<f64>>();
    let (dgate, dup) = gk::swiglu_grad(&x, &up, &r);
    check("swiglu dgate", &x, &dgate, &|g| dot(&r, &swiglu(g, &up)));
    check("swiglu dup", &up, &dup, &|u| dot(&r, &swiglu(&x, u)));
    // Far tails stay finite: silu' → 0 and 1, gelu' → 0 and 1.
    let tails = [-800.0, -40.0, 40.0, 800.0];
    let ones = [1.0; 4];
    for (name, d) in [
        ("silu", gk::silu_grad(&tails, &ones)),
        ("gelu", gk::gelu_grad(&tails, &ones, false)),
        ("gelu tanh", gk::gelu_grad(&tails, &ones, true)),
    ] {
        for (t, v) in tails.iter().zip(&d) {
            let want: f64 = if *t < 0.0 { 0.0 } else { 1.0 };
            assert!((v - want).abs() < 1e-12, "{name}'({t}) = {v}, expected {want}");
        }
    }
}

struct AttnCase {
    name: &'static str,
    heads: usize,
    kv_heads: usize,
    hd: usize,
    causal: bool,
    window: Option<usize>,
    /// Gemma 2's score cap.
    softcap: Option<f64>,
    q_index: Vec<i64>,
    k_index: Vec<i64>,
    segments: Option<(Vec<i64>, Vec<i64>)>,
    /// Finite differences at this many random elements of each of q, k, v (all when None).
    sample: Option<usize>,
}

fn attention_cases() -> Vec<AttnCase> {
    let mut rng = Rng::new(16);
    let perm = |rng: &mut Rng, n: usize, base: i64| {
        let mut idx: Vec<i64> = (0..n as i64).map(|i| base + i).collect();
        for i in (1..n).rev() {
            idx.swap(i, rng.below(i as u64 + 1) as usize);
        }
        idx
    };
    let seg = |rng: &mut Rng, n: usize| (0..n).map(|_| rng.below(2) as i64).collect::<Vec<i64>>();
    let base = || AttnCase {
        name: "",
        heads: 2,
        kv_heads: 2,
        hd: 4,
        causal: false,
        window: None,
        softcap: None,
        q_index: vec![],
        k_index: vec![],
        segments: None,
        sample: None,
    };
    let (qs, ks) = (seg(&mut rng, 6), seg(&mut rng, 7));
    vec![
        AttnCase { name: "MHA", q_index: perm(&mut rng, 5, 0), k_index: perm(&mut rng, 6, 0), ..base() },
        AttnCase {
            name: "GQA causal",
            heads: 4,
            kv_heads: 2,
            causal: true,
            q_index: perm(&mut rng, 6, 2),
            k_index: perm(&mut rng, 7, 0),
            ..base()
        },
        AttnCase {
            // A cap of 0.7 on scores of order 1: tanh bends them (and the gradient) visibly.
            name: "GQA causal softcap",
            heads: 4,
            kv_heads: 2,
            causal: true,
            softcap: Some(0.7),
            q_index: perm(&mut rng, 6, 0),
            k_index: perm(&mut rng, 7, 0),
            ..base()
        },
        AttnCase {
            name: "MQA causal window",
            heads: 3,
            kv_heads: 1,
            causal: true,
            window: Some(3),
            q_index: perm(&mut rng, 6, 0),
            k_index: perm(&mut rng, 8, 0),
            ..base()
        },
        AttnCase {
            // Query index 0 under the causal mask sees no key (keys start at 1): lse −∞.
            name: "GQA segments, padding rows, an empty row",
            heads: 4,
            kv_heads: 2,
            causal: true,
            q_index: vec![3, -1, 0, 6, 5, 4],
            k_index: vec![1, 2, -1, 3, 4, 5, 6],
            segments: Some((qs, ks)),
            ..base()
        },
        AttnCase {
            // More than one 64-row block on both sides.
            name: "several blocks, GQA causal window",
            heads: 2,
            kv_heads: 1,
            causal: true,
            window: Some(50),
            q_index: perm(&mut rng, 70, 10),
            k_index: perm(&mut rng, 80, 0),
            sample: Some(120),
            ..base()
        },
    ]
}

#[test]
fn grad_kernels_attention_matches_finite_differences_and_splits_over_key_blocks() {
    let mut rng = Rng::new(17);
    for c in attention_cases() {
        let (sq, sk) = (c.q_index.len(), c.k_index.len());
        let (qc, kc) = (c.heads * c.hd, c.kv_heads * c.hd);
        let spec = AttentionSpec {
            num_heads: c.heads,
            num_kv_heads: c.kv_heads,
            head_dim: c.hd,
            scale: 1.0 / (c.hd as f64).sqrt(),
            causal: c.causal,
            window: c.window,
            softcap: c.softcap,
        };
        let segs = c.segments.as_ref().map(|(a, b)| (&a[..], &b[..]));
        let mask = Masking { q_index: &c.q_index, k_index: &c.k_index, segments: segs };
        // q ×4 so the softmax is peaked rather than near-uniform.
        let (q, k, v) = (rng.vec(sq * qc, 4.0), rng.vec(sk * kc, 1.0), rng.vec(sk * kc, 1.0));
        let r = rng.vec(sq * qc, 1.0);
        let (o, lse) = kernels::attention_partial(&spec, &q, &k, &v, &mask).expect("valid shapes");
        let (dq, dk, dv) = gk::attention_partial_grad(&spec, &q, &k, &v, &o, &lse, &r, &mask).expect("valid shapes");
        assert!(dq.iter().chain(&dk).chain(&dv).all(|x| x.is_finite()), "{}: non-finite gradient", c.name);

        let fwd = |q: &[f64], k: &[f64], v: &[f64]| {
            dot(&r, &kernels::attention_partial(&spec, q, k, v, &mask).expect("valid shapes").0)
        };
        let mut pick = |n: usize| c.sample.map(|m| (0..m).map(|_| rng.below(n as u64) as usize).collect::<Vec<_>>());
        let (aq, ak, av) = (pick(q.len()), pick(k.len()), pick(v.len()));
        check_at(&format!("attention {} dq", c.name), &q, &dq, aq.as_deref(), &|q| fwd(q, &k, &v));
        check_at(&format!("attention {} dk", c.name), &k, &dk, ak.as_deref(), &|k| fwd(&q, k, &v));
        check_at(&format!("attention {} dv", c.name), &v, &dv, av.as_deref(), &|v| fwd(&q, &k, v));

        // Rows that see nothing (padding, or an empty causal row) get exactly zero dq, and
        // padding keys exactly zero dk/dv.
        for (i, &l) in lse.iter().enumerate() {
            if l == f64::NEG_INFINITY {
                let (s, h) = (i / c.heads, i % c.heads);
                assert!(dq[s * qc + h * c.hd..s * qc + (h + 1) * c.hd].iter().all(|&x| x == 0.0), "{}", c.name);
            }
        }
        for (j, &kj) in c.k_index.iter().enumerate() {
            if kj < 0 {
                assert!(dk[j * kc..(j + 1) * kc].iter().chain(&dv[j * kc..(j + 1) * kc]).all(|&x| x == 0.0));
            }
        }

        // Two key blocks, each fed the final o/lse: dq adds up, dk/dv concatenate.
        let split = 1 + rng.below(sk as u64 - 1) as usize;
        let block = |range: std::ops::Range<usize>| {
            let bsegs = segs.map(|(qs, ks)| (qs, &ks[range.clone()]));
            let m = Masking { q_index: &c.q_index, k_index: &c.k_index[range.clone()], segments: bsegs };
            let rows = range.start * kc..range.end * kc;
            gk::attention_partial_grad(&spec, &q, &k[rows.clone()], &v[rows], &o, &lse, &r, &m).expect("valid shapes")
        };
        let (a, b) = (block(0..split), block(split..sk));
        let dq_sum: Vec<f64> = a.0.iter().zip(&b.0).map(|(x, y)| x + y).collect();
        let err = max_rel_err(&dq_sum, &dq)
            .max(max_rel_err(&[a.1, b.1].concat(), &dk))
            .max(max_rel_err(&[a.2, b.2].concat(), &dv));
        eprintln!("attention {} split at {split}: max rel err {err:.2e}", c.name);
        assert!(err < 1e-12, "{}: blockwise grads differ from the whole by {err:.3e}", c.name);
    }
}

#[test]
fn grad_kernels_attention_rejects_bad_shapes() {
    let spec = AttentionSpec { num_heads: 2, num_kv_heads: 1, head_dim: 2, scale: 1.0, causal: false, window: None, softcap: None };
    let mask = Masking { q_index: &[0, 1], k_index: &[0], segments: None };
    let (q, kv, o, lse) = ([0.0f64; 8], [0.0f64; 2], [0.0f64; 8], [0.0f64; 4]);
    assert!(gk::attention_partial_grad(&spec, &q, &kv, &kv, &o, &lse, &o, &mask).is_ok());
    let err = gk::attention_partial_grad(&spec, &q, &kv, &kv, &o, &lse[..3], &o, &mask).unwrap_err();
    assert!(err.contains("lse"), "{err}");
    let bad = AttentionSpec { num_kv_heads: 3, ..spec };
    assert!(gk::attention_partial_grad(&bad, &q, &kv, &kv, &o, &lse, &o, &mask).is_err());
    let segs = Masking { segments: Some((&[0, 0], &[])), ..mask };
    assert!(gk::attention_partial_grad(&spec, &q, &kv, &kv, &o, &lse, &o, &segs).unwrap_err().contains("segment"));
}

/// Max-subtracted log-sum-exp of each row of the full logits, in the test's own words.
fn reference_ce(x: &[f64], w: &[f64], labels: &[i64], rows: usize, hidden: usize, vocab: usize) -> Vec<f64> {
    let logits = kernels::linear(x, w, None, rows, hidden, vocab);
    (0..rows)
        .map(|s| {
            let z = &logits[s * vocab..(s + 1) * vocab];
            if labels[s] < 0 {
                return 0.0;
            }
            let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln() - z[labels[s] as usize]
        })
        .collect()
}

#[test]
fn grad_kernels_cross_entropy() {
    let mut rng = Rng::new(18);
    let (rows, hidden, vocab) = (5, 4, 7);
    let labels = [3i64, -1, 0, 6, -100];
    let (x, w, r) = (rng.vec(rows * hidden, 1.0), rng.vec(vocab * hidden, 1.0), rng.vec(rows, 1.0));

    let loss = gk::cross_entropy(&x, &w, &labels, rows, hidden, vocab, None).expect("labels in range");
    // Small logits: the naive ln Σ exp is exact enough to check against directly.
    let logits = kernels::linear(&x, &w, None, rows, hidden, vocab);
    for s in 0..rows {
        let want = if labels[s] < 0 {
            0.0
        } else {
            let z = &logits[s * vocab..(s + 1) * vocab];
            z.iter().map(|v| v.exp()).sum::<f64>().ln() - z[labels[s] as usize]
        };
        assert!((loss[s] - want).abs() < 1e-12, "row {s}: loss {} vs {want}", loss[s]);
        if labels[s] < 0 {
            assert_eq!(loss[s], 0.0, "an ignored row has no loss");
        } else {
            assert!(loss[s] > 0.0);
        }
    }

    let (dx, dw) = gk::cross_entropy_grad(&x, &w, &labels, &r, rows, hidden, vocab, None).expect("labels in range");
    let total = |x: &[f64], w: &[f64]| dot(&r, &gk::cross_entropy(x, w, &labels, rows, hidden, vocab, None).expect("ok"));
    check("cross_entropy dx", &x, &dx, &|x| total(x, &w));
    check("cross_entropy dw", &w, &dw, &|w| total(&x, w));
    assert!(dx[hidden..2 * hidden].iter().all(|&v| v == 0.0), "an ignored row has no dx");

    // Capped logits (Gemma 2's final cap, 0.8 on logits of order 1): the loss is the capped
    // logits' cross-entropy, and the gradient carries the cap's slope.
    let cap = Some(0.8);
    let capped: Vec<f64> = logits.iter().map(|z| 0.8 * (z / 0.8).tanh()).collect();
    let loss = gk::cross_entropy(&x, &w, &labels, rows, hidden, vocab, cap).expect("ok");
    for s in (0..rows).filter(|&s| labels[s] >= 0) {
        let z = &capped[s * vocab..(s + 1) * vocab];
        let want = z.iter().map(|v| v.exp()).sum::<f64>().ln() - z[labels[s] as usize];
        assert!((loss[s] - want).abs() < 1e-12, "capped row {s}: loss {} vs {want}", loss[s]);
    }
    let (dx, dw) = gk::cross_entropy_grad(&x, &w, &labels, &r, rows, hidden, vocab, cap).expect("ok");
    let total = |x: &[f64], w: &[f64]| dot(&r, &gk::cross_entropy(x, w, &labels, rows, hidden, vocab, cap).expect("ok"));
    check("capped cross_entropy dx", &x, &dx, &|x| total(x, &w));
    check("capped cross_entropy dw", &w, &dw, &|w| total(&x, w));

    // Logits around ±1000: a naive exp would overflow; the max-subtracted form does not.
    let big: Vec<f64> = x.iter().map(|v| v * 400.0).collect();
    let loss = gk::cross_entropy(&big, &w, &labels, rows, hidden, vocab, None).expect("ok");
    let want = reference_ce(&big, &w, &labels, rows, hidden, vocab);
    assert!(loss.iter().all(|v| v.is_finite()) && max_rel_err(&loss, &want) < 1e-12, "{loss:?} vs {want:?}");
    let (dx, dw) = gk::cross_entropy_grad(&big, &w, &labels, &r, rows, hidden, vocab, None).expect("ok");
    assert!(dx.iter().chain(&dw).all(|v| v.is_finite()));

    let bad = [3i64, 7, 0, 0, 0];
    let err = gk::cross_entropy(&x, &w, &bad, rows, hidden, vocab, None).unwrap_err();
    assert!(err.contains("label 7") && err.contains("row 1"), "{err}");
    let err = gk::cross_entropy_grad(&x, &w, &bad, &r, rows, hidden, vocab, None).unwrap_err();
    assert!(err.contains("row 1"), "{err}");
    assert!(gk::cross_entropy_grad(&x, &w, &labels, &r[..4], rows, hidden, vocab, None).is_err(), "short dloss");
    assert!(gk::cross_entropy(&x[1..], &w, &labels, rows, hidden, vocab, None).is_err(), "short x");
}

/// The kernels are generic: the f32 instantiation agrees with f64 to f32 accuracy.
#[test]
fn grad_kernels_f32_agrees_with_f64() {
    let mut rng = Rng::new(19);
    let f = |x: &[f64]| x.iter().map(|&v| v as f32).collect::<Vec<f32>>();
    let wide = |x: &[f32]| x.iter().map(|&v| v as f64).collect::<Vec<f64>>();
    let close = |name: &str, a: &[f32], b: &[f64]| {
        let err = max_rel_err(&wide(a), b);
        assert!(err < 1e-4, "{name}: f32 vs f64 relative error {err:.3e}");
    };
    let (rows, hidden) = (3, 8);
    let (x, w, b, r) =
        (rng.vec(rows * hidden, 2.0), rng.vec(hidden, 1.0), rng.vec(hidden, 1.0), rng.vec(rows * hidden, 1.0));
    let (dx, dw) = gk::rms_norm_grad(&f(&x), &f(&w), &f(&r), 1e-5);
    let (dx64, dw64) = gk::rms_norm_grad(&x, &w, &r, 1e-5);
    close("rms_norm dx", &dx, &dx64);
    close("rms_norm dw", &dw, &dw64);
    let (dx, ..) = gk::layer_norm_grad(&f(&x), &f(&w), &f(&b), &f(&r), 1e-5);
    close("layer_norm dx", &dx, &gk::layer_norm_grad(&x, &w, &b, &r, 1e-5).0);
    close("gelu", &gk::gelu_grad(&f(&x), &f(&r), false), &gk::gelu_grad(&x, &r, false));

    let spec = AttentionSpec { num_heads: 4, num_kv_heads: 2, head_dim: 4, scale: 0.5, causal: true, window: None, softcap: None };
    let (qi, ki): (Vec<i64>, Vec<i64>) = ((3..9).collect(), (0..7).collect());
    let mask = Masking { q_index: &qi, k_index: &ki, segments: None };
    let (q, k, v, d_o) = (rng.vec(6 * 16, 4.0), rng.vec(7 * 8, 1.0), rng.vec(7 * 8, 1.0), rng.vec(6 * 16, 1.0));
    let (o, l) = kernels::attention_partial(&spec, &q, &k, &v, &mask).unwrap();
    let g64 = gk::attention_partial_grad(&spec, &q, &k, &v, &o, &l, &d_o, &mask).unwrap();
    let (o32, l32) = kernels::attention_partial(&spec, &f(&q), &f(&k), &f(&v), &mask).unwrap();
    let g32 = gk::attention_partial_grad(&spec, &f(&q), &f(&k), &f(&v), &o32, &l32, &f(&d_o), &mask).unwrap();
    close("attention dq", &g32.0, &g64.0);
    close("attention dk", &g32.1, &g64.1);
    close("attention dv", &g32.2, &g64.2);

    let (h, vocab) = (8, 11);
    let labels = [2i64, -1, 10];
    let (xs, ws, dl) = (rng.vec(3 * h, 1.0), rng.vec(vocab * h, 1.0), rng.vec(3, 1.0));
    let (dx, dw) = gk::cross_entropy_grad(&f(&xs), &f(&ws), &labels, &f(&dl), 3, h, vocab, None).unwrap();
    let (dx64, dw64) = gk::cross_entropy_grad(&xs, &ws, &labels, &dl, 3, h, vocab, None).unwrap();
    close("cross_entropy dx", &dx, &dx64);
    close("cross_entropy dw", &dw, &dw64);
}
