//! Reverse-mode derivatives of the kernels in `kernels`, plus the fused logits + cross-entropy
//! loss they end in, generic over the compute precision (f32 or f64).
//!
//! Each `*_grad` takes the forward inputs it needs and the upstream gradient `dy` (same layout
//! as the forward output) and returns new gradients for the inputs, in the forward layouts. As
//! in `kernels`, callers check shapes of the `Vec`-returning functions; those returning `Result`
//! check what their caller cannot easily know (ids, labels, attention geometry).

use super::kernels::{AttentionSpec, Float, Masking, MatRef, block_mask, check_attention, matmul, rotate_pairs};

/// `dx[rows, in] = dy[rows, out] · W[out, in]`: the input gradient of `y = x Wᵀ + b`.
pub fn linear_grad_input<T: Float>(dy: &[T], w: &[T], rows: usize, inp: usize, out: usize) -> Vec<T> {
    let mut dx = vec![T::ZERO; rows * inp];
    matmul((rows, inp, out), &mut dx, inp, MatRef::rows(dy, out, 0), MatRef::rows(w, inp, 0), T::ONE, false);
    dx
}

/// `dW[out, in] = dyᵀ · x`: the weight gradient of `y = x Wᵀ + b`.
pub fn linear_grad_weight<T: Float>(dy: &[T], x: &[T], rows: usize, inp: usize, out: usize) -> Vec<T> {
    let mut dw = vec![T::ZERO; out * inp];
    matmul((out, inp, rows), &mut dw, inp, MatRef::transposed(dy, out, 0), MatRef::rows(x, inp, 0), T::ONE, false);
    dw
}

/// `db[out]`: the column sums of `dy[rows, out]`.
pub fn bias_grad<T: Float>(dy: &[T], rows: usize, out: usize) -> Vec<T> {
    let mut db = vec![T::ZERO; out];
    for row in dy.chunks_exact(out.max(1)).take(rows) {
        for (d, &g) in db.iter_mut().zip(row) {
            *d += g;
        }
    }
    db
}

/// Scatter-adds row `s` of `dy[ids.len(), hidden]` into row `ids[s]` of the table gradient
/// `[vocab, hidden]` (a token repeated in the batch accumulates).
pub fn embedding_grad<T: Float>(ids: &[i64], dy: &[T], vocab: usize, hidden: usize) -> Result<Vec<T>, String> {
    if dy.len() != ids.len() * hidden {
        return Err(format!(
            "embedding gradient holds {} values; {} ids of width {hidden} need {}",
            dy.len(),
            ids.len(),
            ids.len() * hidden
        ));
    }
    let mut table = vec![T::ZERO; vocab * hidden];
    for (s, &id) in ids.iter().enumerate() {
        let row = usize::try_from(id)
            .ok()
            .filter(|&r| r < vocab)
            .ok_or_else(|| format!("token id {id} at row {s} is outside the embedding table (vocab {vocab})"))?;
        for (t, &g) in table[row * hidden..(row + 1) * hidden].iter_mut().zip(&dy[s * hidden..(s + 1) * hidden]) {
            *t += g;
        }
    }
    Ok(table)
}

/// Backward of `y = x · r · w` with `r = (mean(x²) + eps)^(−1/2)` per row:
/// `dx = r·(g − x · r²·mean(g∘x))` with `g = dy∘w`, and `dw = Σ_rows dy∘x·r`.
pub fn rms_norm_grad<T: Float>(x: &[T], w: &[T], dy: &[T], eps: f64) -> (Vec<T>, Vec<T>) {
    let hidden = w.len();
    let eps = T::from_f64(eps);
    let width = T::from_f64(hidden as f64);
    let mut dx = Vec::with_capacity(x.len());
    let mut dw = vec![T::ZERO; hidden];
    for (row, drow) in x.chunks_exact(hidden.max(1)).zip(dy.chunks_exact(hidden.max(1))) {
        let ms = row.iter().fold(T::ZERO, |acc, &v| acc + v * v) / width;
        let r = T::ONE / (ms + eps).sqrt();
        let gx = row.iter().zip(drow).zip(w).fold(T::ZERO, |acc, ((&v, &d), &g)| acc + d * g * v) / width;
        let k = r * r * gx;
        dx.extend(row.iter().zip(drow).zip(w).map(|((&v, &d), &g)| r * (d * g - v * k)));
        for ((acc, &v), &d) in dw.iter_mut().zip(row).zip(drow) {
            *acc += d * v * r;
        }
    }
    (dx, dw)
}

/// Backward of `y = x̂ · w + b` with `x̂ = (x − mean)·r`, `r = (var + eps)^(−1/2)` per row:
/// `dx = r·(g − mean(g) − x̂·mean(g∘x̂))` with `g = dy∘w`; `dw = Σ dy∘x̂`, `db = Σ dy`.
pub fn layer_norm_grad<T: Float>(x: &[T], w: &[T], b: &[T], dy: &[T], eps: f64) -> (Vec<T>, Vec<T>, Vec<T>) {
    let hidden = w.len();
    let eps = T::from_f64(eps);
    let width = T::from_f64(hidden as f64);
    let mut dx = Vec::with_capacity(x.len());
    let (mut dw, mut db) = (vec![T::ZERO; hidden], vec![T::ZERO; b.len()]);
    let mut xhat = vec![T::ZERO; hidden];
    for (row, drow) in x.chunks_exact(hidden.max(1)).zip(dy.chunks_exact(hidden.max(1))) {
        let mean = row.iter().fold(T::ZERO, |acc, &v| acc + v) / width;
        let var = row.iter().fold(T::ZERO, |acc, &v| acc + (v - mean) * (v - mean)) / width;
        let r = T::ONE / (var + eps).sqrt();
        for (h, &v) in xhat.iter_mut().zip(row) {
            *h = (v - mean) * r;
        }
        let (mut g_mean, mut gx_mean) = (T::ZERO, T::ZERO);
        for ((&d, &g), &h) in drow.iter().zip(w).zip(&xhat) {
            g_mean += d * g;
            gx_mean += d * g * h;
        }
        let (g_mean, gx_mean) = (g_mean / width, gx_mean / width);
        dx.extend(drow.iter().zip(w).zip(&xhat).map(|((&d, &g), &h)| r * (d * g - g_mean - h * gx_mean)));
        for (((aw, ab), &d), &h) in dw.iter_mut().zip(db.iter_mut()).zip(drow).zip(&xhat) {
            *aw += d * h;
            *ab += d;
        }
    }
    (dx, dw, db)
}

/// The transpose of `kernels::rope`: each pair is rotated by −angle (rotations are
/// orthogonal), and the columns past `rotary_dim` of each head pass through.
pub fn rope_grad<T: Float>(dy: &[T], cols: usize, positions: &[i64], head_dim: usize, inv_freq: &[f64]) -> Vec<T> {
    // The same f64 angles as the forward, negated: exactly the forward's transpose.
    rotate_pairs(dy, cols, positions, head_dim, inv_freq, true)
}

fn sigmoid<T: Float>(x: T) -> T {
    T::ONE / (T::ONE + (-x).exp())
}

/// `d silu(x)/dx = σ(x)·(1 + x·(1 − σ(x)))`.
fn silu_derivative<T: Float>(x: T) -> T {
    let s = sigmoid(x);
    s * (T::ONE + x * (T::ONE - s))
}

pub fn silu_grad<T: Float>(x: &[T], dy: &[T]) -> Vec<T> {
    x.iter().zip(dy).map(|(&v, &d)| d * silu_derivative(v)).collect()
}

/// Exact: `Φ(x) + x·φ(x)`. Tanh form: `½(1 + t) + ½x(1 − t²)·c(1 + 3a·x²)` with
/// `t = tanh(c(x + a·x³))`, `c = √(2/π)`, `a = 0.044715`.
pub fn gelu_grad<T: Float>(x: &[T], dy: &[T], tanh: bool) -> Vec<T> {
    let half = T::from_f64(0.5);
    let derivative = |x: T| {
        if tanh {
            let c = T::from_f64((2.0 / std::f64::consts::PI).sqrt());
            let a = T::from_f64(0.044715);
            let t = (c * (x + a * x * x * x)).tanh();
            half * (T::ONE + t) + half * x * (T::ONE - t * t) * c * (T::ONE + T::from_f64(3.0) * a * x * x)
        } else {
            let cdf = half * (T::ONE + (x / T::from_f64(std::f64::consts::SQRT_2)).erf());
            let pdf = (-half * x * x).exp() / T::from_f64((2.0 * std::f64::consts::PI).sqrt());
            cdf + x * pdf
        }
    };
    x.iter().zip(dy).map(|(&v, &d)| d * derivative(v)).collect()
}

/// Backward of `y = silu(gate) · up`: `(dy·up·silu'(gate), dy·silu(gate))`.
pub fn swiglu_grad<T: Float>(gate: &[T], up: &[T], dy: &[T]) -> (Vec<T>, Vec<T>) {
    let dgate = gate.iter().zip(up).zip(dy).map(|((&g, &u), &d)| d * u * silu_derivative(g)).collect();
    let dup = gate.iter().zip(dy).map(|(&g, &d)| d * super::kernels::silu(g)).collect();
    (dgate, dup)
}

/// Query and key rows per block, as in the forward.
const BLOCK_Q: usize = 64;
const BLOCK_K: usize = 64;

/// Backward of attention over one key block given the FINAL merged output `o` [Sq, H·d] and
/// log-sum-exp `lse` [Sq, H] (natural log) of the whole attention the block is part of, and dO.
/// Per head: P = exp(scale·q·kᵀ − lse) on allowed (q,k) pairs (mask as in the forward: causal,
/// window, segments, padding rows −1), D_i = Σ dO_i·O_i, dV += Pᵀ dO, dP = dO Vᵀ,
/// dS = P ∘ (dP − D), dQ += scale · dS K, dK += scale · dSᵀ Q. GQA: dk/dv summed over each group's
/// query heads. Rows whose lse is −∞ (no allowed key anywhere) contribute nothing (no NaN).
/// Returns (dq [Sq, H·d], dk [Sk, Hkv·d], dv [Sk, Hkv·d]).
///
/// Because P comes from the global lse, not a block-local softmax, the grads of disjoint key
/// blocks simply add up (dq) or concatenate (dk, dv) to the grad of the whole attention.
// The signature is the autodiff pass's contract: eight operands, three gradients.
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
pub fn attention_partial_grad<T: Float>(
    spec: &AttentionSpec,
    q: &[T],
    k: &[T],
    v: &[T],
    o: &[T],
    lse: &[T],
    d_o: &[T],
    mask: &Masking,
) -> Result<(Vec<T>, Vec<T>, Vec<T>), String> {
    let AttentionSpec { num_heads: heads, num_kv_heads: kv_heads, head_dim: hd, .. } = *spec;
    let (sq, sk, qc, kc) = check_attention(spec, q, k, v, mask)?;
    if o.len() != sq * qc || d_o.len() != sq * qc || lse.len() != sq * heads {
        return Err(format!(
            "o/dO/lse hold {}/{}/{} values; {sq} query rows need {}/{}/{}",
            o.len(),
            d_o.len(),
            lse.len(),
            sq * qc,
            sq * qc,
            sq * heads
        ));
    }
    let group = heads / kv_heads;
    let scale = T::from_f64(spec.scale);
    // D_i = dO_i · O_i per (row, head): the softmax Jacobian's correction term.
    let delta: Vec<T> = (0..sq * heads)
        .map(|t| {
            let at = (t / heads) * qc + (t % heads) * hd;
            d_o[at..at + hd].iter().zip(&o[at..at + hd]).fold(T::ZERO, |acc, (&a, &b)| acc + a * b)
        })
        .collect();
    let (mut dq, mut dk, mut dv) = (vec![T::ZERO; sq * qc], vec![T::ZERO; sk * kc], vec![T::ZERO; sk * kc]);
    let mut allowed = vec![false; BLOCK_Q * BLOCK_K];
    let mut p = vec![T::ZERO; BLOCK_Q * BLOCK_K];
    let mut ds = vec![T::ZERO; BLOCK_Q * BLOCK_K];
    // With a softcap, d(c·tanh(s/c))/ds = 1 − tanh²(s/c) per score.
    let cap = spec.softcap.map(T::from_f64);
    let mut dcap = vec![T::ONE; if cap.is_some() { BLOCK_Q * BLOCK_K } else { 0 }];
    for q0 in (0..sq).step_by(BLOCK_Q) {
        let bq = BLOCK_Q.min(sq - q0);
        for k0 in (0..sk).step_by(BLOCK_K) {
            let bk = BLOCK_K.min(sk - k0);
            if !block_mask(spec, mask, (q0, bq), (k0, bk), &mut allowed) {
                continue;
            }
            for h in 0..heads {
                let g = h / group;
                let (q_at, kv_at) = (q0 * qc + h * hd, k0 * kc + g * hd);
                // P = exp(scale·Q Kᵀ − lse), zero where masked or where the row saw nothing.
                matmul(
                    (bq, bk, hd),
                    &mut p,
                    bk,
                    MatRef::rows(q, qc, q_at),
                    MatRef::transposed(k, kc, kv_at),
                    scale,
                    false,
                );
                if let Some(c) = cap {
                    for (s, dc) in p[..bq * bk].iter_mut().zip(&mut dcap) {
                        let t = (*s / c).tanh();
                        *dc = T::ONE - t * t;
                        *s = c * t;
                    }
                }
                for i in 0..bq {
                    let l = lse[(q0 + i) * heads + h];
                    let row = &mut p[i * bk..(i + 1) * bk];
                    for (s, &a) in row.iter_mut().zip(&allowed[i * bk..(i + 1) * bk]) {
                        // A −∞ lse means no allowed key anywhere; the guard keeps an lse from
                        // another key set from turning exp(s + ∞) into ∞ and NaN.
                        *s = if a && l != T::NEG_INFINITY { (*s - l).exp() } else { T::ZERO };
                    }
                }
                // dP = dO Vᵀ, then dS = P ∘ (dP − D) in place.
                matmul(
                    (bq, bk, hd),
                    &mut ds,
                    bk,
                    MatRef::rows(d_o, qc, q_at),
                    MatRef::transposed(v, kc, kv_at),
                    T::ONE,
                    false,
                );
                for i in 0..bq {
                    let d = delta[(q0 + i) * heads + h];
                    for (s, &pv) in ds[i * bk..(i + 1) * bk].iter_mut().zip(&p[i * bk..(i + 1) * bk]) {
                        *s = pv * (*s - d);
                    }
                }
                if cap.is_some() {
                    ds[..bq * bk].iter_mut().zip(&dcap).for_each(|(s, &dc)| *s *= dc);
                }
                // dV += Pᵀ dO, dQ += scale·dS K, dK += scale·dSᵀ Q (GQA heads accumulate).
                matmul(
                    (bk, hd, bq),
                    &mut dv[kv_at..],
                    kc,
                    MatRef::transposed(&p, bk, 0),
                    MatRef::rows(d_o, qc, q_at),
                    T::ONE,
                    true,
                );
                matmul(
                    (bq, hd, bk),
                    &mut dq[q_at..],
                    qc,
                    MatRef::rows(&ds, bk, 0),
                    MatRef::rows(k, kc, kv_at),
                    scale,
                    true,
                );
                matmul(
                    (bk, hd, bq),
                    &mut dk[kv_at..],
                    kc,
                    MatRef::transposed(&ds, bk, 0),
                    MatRef::rows(q, qc, q_at),
                    scale,
                    true,
                );
            }
        }
    }
    Ok((dq, dk, dv))
}

/// Checks the shapes shared by `cross_entropy` and its grad, and reads the labels: the target
/// column per row, `None` for an ignored row (label < 0).
fn ce_targets<T: Float>(
    x: &[T],
    w: &[T],
    labels: &[i64],
    rows: usize,
    hidden: usize,
    vocab: usize,
) -> Result<Vec<Option<usize>>, String> {
    if x.len() != rows * hidden || w.len() != vocab * hidden || labels.len() != rows {
        return Err(format!(
            "x/w/labels hold {}/{}/{} values; {rows} rows, hidden {hidden} and vocab {vocab} need {}/{}/{rows}",
            x.len(),
            w.len(),
            labels.len(),
            rows * hidden,
            vocab * hidden
        ));
    }
    labels
        .iter()
        .enumerate()
        .map(|(s, &label)| match usize::try_from(label) {
            Err(_) => Ok(None),
            Ok(c) if c < vocab => Ok(Some(c)),
            Ok(_) => Err(format!("label {label} at row {s} is outside the vocabulary ({vocab})")),
        })
        .collect()
}

/// Row `s` of the logits, `x_s · Wᵀ` (capped as `c · tanh(z / c)` with `cap`), into `logits`
/// [vocab]; returns their max-subtracted log-sum-exp.
fn row_logits<T: Float>(x: &[T], w: &[T], s: usize, hidden: usize, logits: &mut [T], cap: Option<T>) -> T {
    let vocab = logits.len();
    matmul(
        (1, vocab, hidden),
        logits,
        vocab,
        MatRef::rows(x, hidden, s * hidden),
        MatRef::transposed(w, hidden, 0),
        T::ONE,
        false,
    );
    if let Some(c) = cap {
        logits.iter_mut().for_each(|z| *z = c * (*z / c).tanh());
    }
    let max = logits.iter().fold(T::NEG_INFINITY, |m, &z| m.max(z));
    let sum = logits.iter().fold(T::ZERO, |acc, &z| acc + (z - max).exp());
    max + sum.ln()
}

/// Fused logits + next-token cross-entropy per row, never holding more than one row of logits:
/// loss_i = logsumexp_v(x_i · w_v) − x_i · w_{label_i}; rows with label < 0 give 0 (ignored).
/// A label ≥ vocab is an Err naming the row. x `[rows, hidden]`, w `[vocab, hidden]`; returns `[rows]`.
/// `cap`: the logits are capped first (Gemma 2's `final_logit_softcapping`).
#[allow(clippy::too_many_arguments)]
pub fn cross_entropy<T: Float>(
    x: &[T],
    w: &[T],
    labels: &[i64],
    rows: usize,
    hidden: usize,
    vocab: usize,
    cap: Option<T>,
) -> Result<Vec<T>, String> {
    let targets = ce_targets(x, w, labels, rows, hidden, vocab)?;
    let mut logits = vec![T::ZERO; vocab];
    Ok(targets
        .iter()
        .enumerate()
        .map(|(s, target)| match *target {
            Some(c) => row_logits(x, w, s, hidden, &mut logits, cap) - logits[c],
            None => T::ZERO,
        })
        .collect())
}

/// Its backward for upstream dloss `[rows]`: dlogits_i = dloss_i·(softmax_i − onehot(label_i)) (0 for
/// ignored rows), dx = dlogits · w, dw = dlogitsᵀ · x — again one row of logits at a time.
/// Returns (dx [rows, hidden], dw [vocab, hidden]). With `cap`, dlogits carries the cap's
/// derivative 1 − (z / c)² of each capped logit z.
#[allow(clippy::too_many_arguments)]
pub fn cross_entropy_grad<T: Float>(
    x: &[T],
    w: &[T],
    labels: &[i64],
    dloss: &[T],
    rows: usize,
    hidden: usize,
    vocab: usize,
    cap: Option<T>,
) -> Result<(Vec<T>, Vec<T>), String> {
    let targets = ce_targets(x, w, labels, rows, hidden, vocab)?;
    if dloss.len() != rows {
        return Err(format!("dloss holds {} values for {rows} rows", dloss.len()));
    }
    let (mut dx, mut dw) = (vec![T::ZERO; rows * hidden], vec![T::ZERO; vocab * hidden]);
    let mut dlogits = vec![T::ZERO; vocab];
    for (s, target) in targets.iter().enumerate() {
        let Some(c) = *target else { continue };
        // The logits row becomes dlogits in place: dloss·(softmax − onehot).
        let lse = row_logits(x, w, s, hidden, &mut dlogits, cap);
        for (v, z) in dlogits.iter_mut().enumerate() {
            let slope = cap.map_or(T::ONE, |cp| T::ONE - (*z / cp) * (*z / cp));
            let onehot = if v == c { dloss[s] } else { T::ZERO };
            *z = (dloss[s] * (*z - lse).exp() - onehot) * slope;
        }
        matmul(
            (1, hidden, vocab),
            &mut dx[s * hidden..],
            hidden,
            MatRef::rows(&dlogits, vocab, 0),
            MatRef::rows(w, hidden, 0),
            T::ONE,
            false,
        );
        let xs = &x[s * hidden..(s + 1) * hidden];
        for (dw_row, &g) in dw.chunks_exact_mut(hidden.max(1)).zip(&dlogits) {
            for (a, &xv) in dw_row.iter_mut().zip(xs) {
                *a += g * xv;
            }
        }
    }
    Ok((dx, dw))
}
