//! The math of the model ops, generic over the compute precision (f32 or f64).
//!
//! Kernels take flat row-major slices plus their dimensions. Callers check shapes first; the
//! checks here that remain are the ones `gemm`'s raw pointers need for soundness.

use super::tensor::Elem;
use gemm::Parallelism;
use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A compute precision. Sealed: `gemm` only multiplies f32 and f64 through this path.
pub trait Float:
    sealed::Sealed
    + Elem
    + Debug
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + MulAssign
{
    const ZERO: Self;
    const ONE: Self;
    const NEG_INFINITY: Self;
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn exp(self) -> Self;
    fn ln(self) -> Self;
    fn sqrt(self) -> Self;
    fn tanh(self) -> Self;
    fn erf(self) -> Self;
    fn max(self, other: Self) -> Self;
}

macro_rules! float {
    ($t:ty, $erf:path) => {
        impl Float for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const NEG_INFINITY: Self = <$t>::NEG_INFINITY;
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            fn tanh(self) -> Self {
                <$t>::tanh(self)
            }
            fn erf(self) -> Self {
                $erf(self)
            }
            fn max(self, other: Self) -> Self {
                <$t>::max(self, other)
            }
        }
    };
}
float!(f32, libm::erff);
float!(f64, libm::erf);

/// A read-only matrix operand: element (i, j) is `data[i * rs + j * cs]`.
#[derive(Clone, Copy)]
pub struct MatRef<'a, T> {
    pub data: &'a [T],
    pub rs: usize,
    pub cs: usize,
}

impl<'a, T> MatRef<'a, T> {
    /// A row-major matrix whose rows are `stride` elements apart, starting at `offset`: one
    /// head's columns of a multi-head activation, for example.
    pub fn rows(data: &'a [T], stride: usize, offset: usize) -> Self {
        Self { data: data.get(offset..).unwrap_or(&[]), rs: stride, cs: 1 }
    }

    /// The transpose of a row-major matrix given as `rows`.
    pub fn transposed(data: &'a [T], stride: usize, offset: usize) -> Self {
        Self { data: data.get(offset..).unwrap_or(&[]), rs: 1, cs: stride }
    }

    fn fits(&self, rows: usize, cols: usize) -> bool {
        fits(self.data.len(), (rows, cols), (self.rs, self.cs))
    }
}

/// Whether a `rows`×`cols` matrix with strides `(rs, cs)` lies within `len` elements.
fn fits(len: usize, (rows, cols): (usize, usize), (rs, cs): (usize, usize)) -> bool {
    let last = |n: usize, stride: usize| (n - 1).checked_mul(stride);
    rows == 0
        || cols == 0
        || last(rows, rs).zip(last(cols, cs)).and_then(|(r, c)| r.checked_add(c)).is_some_and(|end| end < len)
}

/// `dst = alpha · a · b` (or `dst += alpha · a · b` with `accumulate`), where `a` is m×k, `b` is
/// k×n and `dst` is m×n row-major with row stride `dst_rs`.
pub fn matmul<T: Float>(
    (m, n, k): (usize, usize, usize),
    dst: &mut [T],
    dst_rs: usize,
    a: MatRef<T>,
    b: MatRef<T>,
    alpha: T,
    accumulate: bool,
) {
    // gemm reads through raw pointers: these bounds are what makes the call below sound.
    assert!(a.fits(m, k) && b.fits(k, n), "matmul operands are smaller than {m}x{k} · {k}x{n}");
    assert!(fits(dst.len(), (m, n), (dst_rs, 1)), "matmul destination is smaller than {m}x{n}");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            for i in 0..m {
                dst[i * dst_rs..i * dst_rs + n].fill(T::ZERO);
            }
        }
        return;
    }
    // SAFETY: T is f32 or f64 (sealed), and every index gemm touches was bounds-checked above.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            dst_rs as isize,
            accumulate,
            a.data.as_ptr(),
            a.cs as isize,
            a.rs as isize,
            b.data.as_ptr(),
            b.cs as isize,
            b.rs as isize,
            T::ONE,
            alpha,
            false,
            false,
            false,
            // Ranks already run as parallel threads.
            Parallelism::None,
        )
    }
}

/// `y = x Wᵀ + b` with `x: [rows, in]`, `W: [out, in]`, `b: [out]`.
pub fn linear<T: Float>(x: &[T], w: &[T], bias: Option<&[T]>, rows: usize, inp: usize, out: usize) -> Vec<T> {
    let mut y = match bias {
        Some(b) => b.iter().copied().cycle().take(rows * out).collect(),
        None => vec![T::ZERO; rows * out],
    };
    matmul(
        (rows, out, inp),
        &mut y,
        out,
        MatRef::rows(x, inp, 0),
        MatRef::transposed(w, inp, 0),
        T::ONE,
        bias.is_some(),
    );
    y
}

/// `y[s] = table[ids[s]]`; every id must be in `[0, vocab)`.
pub fn embedding<T: Float>(ids: &[i64], table: &[T], hidden: usize) -> Result<Vec<T>, String> {
    let vocab = table.len().checked_div(hidden).unwrap_or(0);
    let mut y = Vec::with_capacity(ids.len() * hidden);
    for (s, &id) in ids.iter().enumerate() {
        let row = usize::try_from(id)
            .ok()
            .filter(|&r| r < vocab)
            .ok_or_else(|| format!("token id {id} at row {s} is outside the embedding table (vocab {vocab})"))?;
        y.extend_from_slice(&table[row * hidden..(row + 1) * hidden]);
    }
    Ok(y)
}

/// `y = x / sqrt(mean(x²) + eps) · w` over rows of `w.len()`.
pub fn rms_norm<T: Float>(x: &[T], w: &[T], eps: f64) -> Vec<T> {
    let eps = T::from_f64(eps);
    let width = T::from_f64(w.len() as f64);
    let mut y = Vec::with_capacity(x.len());
    for row in x.chunks_exact(w.len().max(1)) {
        let ms = row.iter().fold(T::ZERO, |acc, &v| acc + v * v) / width;
        let inv = T::ONE / (ms + eps).sqrt();
        y.extend(row.iter().zip(w).map(|(&v, &g)| v * inv * g));
    }
    y
}

/// `y = (x − mean) / sqrt(var + eps) · w + b` over rows of `w.len()` (biased variance).
pub fn layer_norm<T: Float>(x: &[T], w: &[T], b: &[T], eps: f64) -> Vec<T> {
    let eps = T::from_f64(eps);
    let width = T::from_f64(w.len() as f64);
    let mut y = Vec::with_capacity(x.len());
    for row in x.chunks_exact(w.len().max(1)) {
        let mean = row.iter().fold(T::ZERO, |acc, &v| acc + v) / width;
        let var = row.iter().fold(T::ZERO, |acc, &v| acc + (v - mean) * (v - mean)) / width;
        let inv = T::ONE / (var + eps).sqrt();
        y.extend(row.iter().zip(w).zip(b).map(|((&v, &g), &c)| (v - mean) * inv * g + c));
    }
    y
}

/// Rotary embedding, rotate-half convention, on every head of `x: [positions.len(), cols]`:
/// pair d of the first 2·`inv_freq.len()` columns of each head turns by position · `inv_freq[d]`
/// (`RopeAttrs::inv_freq`, the Hugging Face frequencies), angles in f64.
pub fn rope<T: Float>(x: &[T], cols: usize, positions: &[i64], head_dim: usize, inv_freq: &[f64]) -> Vec<T> {
    rotate_pairs(x, cols, positions, head_dim, inv_freq, false)
}

/// Rotates each head's (d, d + half) pairs by the position's angles, or by their negatives
/// (`inverse`: the transpose, which is `rope`'s derivative since rotations are orthogonal).
pub(crate) fn rotate_pairs<T: Float>(
    x: &[T],
    cols: usize,
    positions: &[i64],
    head_dim: usize,
    inv_freq: &[f64],
    inverse: bool,
) -> Vec<T> {
    let half = inv_freq.len();
    let mut y = x.to_vec();
    let (mut cos, mut sin) = (vec![T::ZERO; half], vec![T::ZERO; half]);
    for (s, &p) in positions.iter().enumerate() {
        for d in 0..half {
            let angle = p as f64 * inv_freq[d];
            cos[d] = T::from_f64(angle.cos());
            sin[d] = T::from_f64(if inverse { -angle.sin() } else { angle.sin() });
        }
        for head in (0..cols).step_by(head_dim.max(1)) {
            let base = s * cols + head;
            for d in 0..half {
                let (a, b) = (x[base + d], x[base + d + half]);
                y[base + d] = a * cos[d] - b * sin[d];
                y[base + d + half] = b * cos[d] + a * sin[d];
            }
        }
    }
    y
}

pub fn silu<T: Float>(x: T) -> T {
    x / (T::ONE + (-x).exp())
}

/// GELU: exact (`erf`) or the tanh approximation.
pub fn gelu<T: Float>(x: T, tanh: bool) -> T {
    let half = T::from_f64(0.5);
    if tanh {
        let c = T::from_f64((2.0 / std::f64::consts::PI).sqrt());
        half * x * (T::ONE + (c * (x + T::from_f64(0.044715) * x * x * x)).tanh())
    } else {
        half * x * (T::ONE + (x / T::from_f64(std::f64::consts::SQRT_2)).erf())
    }
}

/// Head geometry and masks shared by `attention` and `attention_partial`: the op table's
/// reading of their attributes.
pub use seq_plan::rules::AttentionAttrs as AttentionSpec;

/// Global token indices of the query and key rows (−1 = padding) and optional segment ids.
#[derive(Clone, Copy, Debug)]
pub struct Masking<'a> {
    pub q_index: &'a [i64],
    pub k_index: &'a [i64],
    pub segments: Option<(&'a [i64], &'a [i64])>,
}

/// Rows and columns of q and k/v that `spec` and `mask` give, after checking the tensors hold
/// them: (query rows, key rows, q columns, k/v columns). The forward and backward share it.
pub(crate) fn check_attention<T>(
    spec: &AttentionSpec,
    q: &[T],
    k: &[T],
    v: &[T],
    mask: &Masking,
) -> Result<(usize, usize, usize, usize), String> {
    let AttentionSpec { num_heads: heads, num_kv_heads: kv_heads, head_dim: hd, .. } = *spec;
    let (sq, sk) = (mask.q_index.len(), mask.k_index.len());
    let (qc, kc) = (heads * hd, kv_heads * hd);
    if kv_heads == 0 || heads % kv_heads != 0 {
        return Err(format!("num_heads ({heads}) must be a multiple of num_kv_heads ({kv_heads})"));
    }
    if q.len() != sq * qc || k.len() != sk * kc || v.len() != sk * kc {
        return Err(format!(
            "q/k/v hold {}/{}/{} values; {sq} query and {sk} key rows need {}/{}/{}",
            q.len(),
            k.len(),
            v.len(),
            sq * qc,
            sk * kc,
            sk * kc
        ));
    }
    if let Some((qs, ks)) = mask.segments
        && (qs.len() != sq || ks.len() != sk)
    {
        return Err(format!("segment ids have {}/{} entries for {sq}/{sk} rows", qs.len(), ks.len()));
    }
    Ok((sq, sk, qc, kc))
}

/// Fills `allowed[i * bk + j]` for the block of query rows `q0..q0 + bq` and key rows
/// `k0..k0 + bk`; false when the whole block is masked (then skipped).
pub(crate) fn block_mask(
    spec: &AttentionSpec,
    mask: &Masking,
    (q0, bq): (usize, usize),
    (k0, bk): (usize, usize),
    allowed: &mut [bool],
) -> bool {
    let mut any = false;
    for i in 0..bq {
        for j in 0..bk {
            let a = allows(spec, mask, q0 + i, k0 + j);
            allowed[i * bk + j] = a;
            any |= a;
        }
    }
    any
}

/// Whether query row `i` may attend to key row `j` (the forward and the backward share it).
fn allows(spec: &AttentionSpec, m: &Masking, i: usize, j: usize) -> bool {
    let (qi, kj) = (m.q_index[i], m.k_index[j]);
    qi >= 0
        && kj >= 0
        && (!spec.causal || kj <= qi)
        && spec.window.is_none_or(|w| (qi - kj).unsigned_abs() < w as u64)
        && m.segments.is_none_or(|(qs, ks)| qs[i] == ks[j])
}

/// Query and key rows per block of the online softmax.
const BLOCK_Q: usize = 64;
const BLOCK_K: usize = 64;

/// Attention of `q: [Sq, H·d]` over one block of keys `k, v: [Sk, Hkv·d]`, masked by global
/// token indices. Returns the output normalised within this block `[Sq, H·d]` and the natural
/// log-sum-exp of the scores `[Sq, H]`: 0 and −∞ for a query that sees no key.
///
/// Blocked online softmax: per (query block, key block) the scores come from one gemm per head,
/// the running max rescales the accumulator, and `P·V` is a second gemm.
pub fn attention_partial<T: Float>(
    spec: &AttentionSpec,
    q: &[T],
    k: &[T],
    v: &[T],
    mask: &Masking,
) -> Result<(Vec<T>, Vec<T>), String> {
    let AttentionSpec { num_heads: heads, num_kv_heads: kv_heads, head_dim: hd, .. } = *spec;
    let (sq, sk, qc, kc) = check_attention(spec, q, k, v, mask)?;
    let group = heads / kv_heads;
    let scale = T::from_f64(spec.scale);
    let mut out = vec![T::ZERO; sq * qc];
    let mut lse = vec![T::NEG_INFINITY; sq * heads];
    let mut allowed = vec![false; BLOCK_Q * BLOCK_K];
    let mut scores = vec![T::ZERO; BLOCK_Q * BLOCK_K];
    for q0 in (0..sq).step_by(BLOCK_Q) {
        let bq = BLOCK_Q.min(sq - q0);
        // Running max, running sum and unnormalised output, per head and query row.
        let mut row_max = vec![T::NEG_INFINITY; heads * bq];
        let mut row_sum = vec![T::ZERO; heads * bq];
        let mut acc = vec![T::ZERO; heads * bq * hd];
        for k0 in (0..sk).step_by(BLOCK_K) {
            let bk = BLOCK_K.min(sk - k0);
            if !block_mask(spec, mask, (q0, bq), (k0, bk), &mut allowed) {
                continue;
            }
            for h in 0..heads {
                let g = h / group;
                matmul(
                    (bq, bk, hd),
                    &mut scores,
                    bk,
                    MatRef::rows(q, qc, q0 * qc + h * hd),
                    MatRef::transposed(k, kc, k0 * kc + g * hd),
                    scale,
                    false,
                );
                if let Some(cap) = spec.softcap.map(T::from_f64) {
                    // Gemma 2's cap: c · tanh(s / c), before the mask.
                    scores[..bq * bk].iter_mut().for_each(|s| *s = cap * (*s / cap).tanh());
                }
                let acc_h = &mut acc[h * bq * hd..(h + 1) * bq * hd];
                for i in 0..bq {
                    let row = &mut scores[i * bk..(i + 1) * bk];
                    let ok = &allowed[i * bk..(i + 1) * bk];
                    let block_max =
                        row.iter().zip(ok).filter(|(_, a)| **a).fold(T::NEG_INFINITY, |m, (&s, _)| m.max(s));
                    let r = h * bq + i;
                    let new_max = row_max[r].max(block_max);
                    if new_max == T::NEG_INFINITY {
                        // Nothing allowed yet for this row: P is zero and the state stays empty.
                        row.fill(T::ZERO);
                        continue;
                    }
                    let mut sum = T::ZERO;
                    for (s, &a) in row.iter_mut().zip(ok) {
                        *s = if a { (*s - new_max).exp() } else { T::ZERO };
                        sum += *s;
                    }
                    // exp(−∞) = 0 discards the (zero) state of a row that had seen nothing.
                    let correction = (row_max[r] - new_max).exp();
                    row_sum[r] = row_sum[r] * correction + sum;
                    acc_h[i * hd..(i + 1) * hd].iter_mut().for_each(|o| *o *= correction);
                    row_max[r] = new_max;
                }
                matmul(
                    (bq, hd, bk),
                    acc_h,
                    hd,
                    MatRef::rows(&scores, bk, 0),
                    MatRef::rows(v, kc, k0 * kc + g * hd),
                    T::ONE,
                    true,
                );
            }
        }
        for h in 0..heads {
            for i in 0..bq {
                let r = h * bq + i;
                if row_sum[r] == T::ZERO {
                    continue;
                }
                let inv = T::ONE / row_sum[r];
                let dst = &mut out[(q0 + i) * qc + h * hd..(q0 + i) * qc + (h + 1) * hd];
                for (o, &a) in dst.iter_mut().zip(&acc[r * hd..(r + 1) * hd]) {
                    *o = a * inv;
                }
                lse[(q0 + i) * heads + h] = row_max[r] + row_sum[r].ln();
            }
        }
    }
    Ok((out, lse))
}

/// Merges two partial attention results over disjoint key blocks, per token and head, where
/// outputs are `[S, cols]` and lses `[S, heads]` (head h owns column block h of `cols / heads`):
/// `L = M + log(exp(La − M) + exp(Lb − M))`, `O = exp(La − L)·Oa + exp(Lb − L)·Ob`, `M = max`.
/// Both −∞ gives `O = 0, L = −∞`.
pub fn lse_merge<T: Float>(oa: &[T], la: &[T], ob: &[T], lb: &[T], heads: usize, cols: usize) -> (Vec<T>, Vec<T>) {
    let width = cols / heads;
    let mut out = vec![T::ZERO; oa.len()];
    let mut lse = vec![T::NEG_INFINITY; la.len()];
    for (t, (&a, &b)) in la.iter().zip(lb).enumerate() {
        let m = a.max(b);
        if m == T::NEG_INFINITY {
            continue;
        }
        let l = m + ((a - m).exp() + (b - m).exp()).ln();
        let (wa, wb) = ((a - l).exp(), (b - l).exp());
        lse[t] = l;
        let (s, h) = (t / heads, t % heads);
        let at = s * cols + h * width;
        for c in at..at + width {
            out[c] = wa * oa[c] + wb * ob[c];
        }
    }
    (out, lse)
}
