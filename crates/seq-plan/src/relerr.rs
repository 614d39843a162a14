//! The one accuracy measure every comparison uses (tests, `seqc run --check`, `seqc-run
//! --check-against-cpu`): differences relative to the reference's largest finite magnitude, so
//! entries near zero do not dominate.

/// How far a result is from its reference.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErrorStats {
    /// max |a − b| / max |ref| (infinite where any difference is not finite).
    pub max_rel: f64,
    /// mean |a − b| / max |ref|.
    pub mean_rel: f64,
    pub max_abs: f64,
    pub ref_scale: f64,
    /// Elements where either side is NaN or infinite while the other is not equal.
    pub non_finite: usize,
    /// The first element whose relative difference exceeds the tolerance asked for.
    pub first_over: Option<usize>,
}

/// Compares `got` with `reference` elementwise; `None` when their lengths differ.
pub fn compare(got: &[f64], reference: &[f64], tolerance: f64) -> Option<ErrorStats> {
    if got.len() != reference.len() {
        return None;
    }
    let scale = reference.iter().filter(|x| x.is_finite()).fold(0.0f64, |m, x| m.max(x.abs())).max(f64::MIN_POSITIVE);
    let (mut max_abs, mut sum, mut non_finite, mut first_over) = (0.0f64, 0.0f64, 0usize, None);
    for (i, (x, y)) in got.iter().zip(reference).enumerate() {
        // Equal infinities (the −∞ log-sum-exp of an empty row) are no error.
        let d = if x == y { 0.0 } else { (x - y).abs() };
        if !d.is_finite() {
            non_finite += 1;
            first_over.get_or_insert(i);
            continue;
        }
        if d / scale > tolerance {
            first_over.get_or_insert(i);
        }
        max_abs = max_abs.max(d);
        sum += d;
    }
    let n = got.len().max(1) as f64;
    let (max_rel, mean_rel) =
        if non_finite > 0 { (f64::INFINITY, f64::INFINITY) } else { (max_abs / scale, sum / n / scale) };
    Some(ErrorStats { max_rel, mean_rel, max_abs, ref_scale: scale, non_finite, first_over })
}

/// max |a − b| / max |b| (infinite when the lengths differ or a difference is not finite).
pub fn max_relative(got: &[f64], reference: &[f64]) -> f64 {
    compare(got, reference, f64::INFINITY).map_or(f64::INFINITY, |s| s.max_rel)
}
