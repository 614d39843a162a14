//! The accuracy comparison with the CPU backend (default inputs: `crate::inputs`).

use crate::cpu::HostTensor;

/// How far a result is from the reference, relative to the reference's largest magnitude.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErrorStats {
    /// max |a − b| / max |ref|
    pub max_rel: f64,
    /// mean |a − b| / max |ref|
    pub mean_rel: f64,
    pub max_abs: f64,
    pub ref_scale: f64,
    /// Elements where either side is NaN or infinite while the other is not equal.
    pub non_finite: usize,
}

pub fn compare(got: &HostTensor, reference: &HostTensor) -> Result<ErrorStats, String> {
    if got.shape != reference.shape {
        return Err(format!("shape {:?} differs from the reference's {:?}", got.shape, reference.shape));
    }
    let as_f64 = |t: &HostTensor| t.to_f64().or_else(|| t.to_i64().map(|v| v.into_iter().map(|x| x as f64).collect()));
    let (Some(a), Some(b)) = (as_f64(got), as_f64(reference)) else {
        return Err("cannot compare these element types".into());
    };
    let scale = b.iter().filter(|x| x.is_finite()).fold(0.0f64, |m, x| m.max(x.abs())).max(f64::MIN_POSITIVE);
    let (mut max_abs, mut sum, mut non_finite) = (0.0f64, 0.0f64, 0usize);
    for (x, y) in a.iter().zip(&b) {
        // Equal infinities (−∞ lse of empty rows) are no error.
        let d = if x == y { 0.0 } else { (x - y).abs() };
        if !d.is_finite() {
            non_finite += 1;
            continue;
        }
        max_abs = max_abs.max(d);
        sum += d;
    }
    let n = a.len().max(1) as f64;
    let (max_rel, mean_rel) =
        if non_finite > 0 { (f64::INFINITY, f64::INFINITY) } else { (max_abs / scale, sum / n / scale) };
    Ok(ErrorStats { max_rel, mean_rel, max_abs, ref_scale: scale, non_finite })
}

/// The accuracy bar of `--check-against-cpu`: (max, mean) relative error.
pub fn tolerance(low_precision: bool) -> (f64, f64) {
    if low_precision { (1e-2, 2e-3) } else { (1e-4, 1e-4) }
}
