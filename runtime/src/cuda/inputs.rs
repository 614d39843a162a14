//! The accuracy comparison with the CPU backend (default inputs: `crate::inputs`).

use crate::cpu::HostTensor;

pub use seq_plan::relerr::ErrorStats;

/// How far `got` is from `reference` (the one measure of `seq_plan::relerr`), on any element type.
pub fn compare(got: &HostTensor, reference: &HostTensor) -> Result<ErrorStats, String> {
    if got.shape != reference.shape {
        return Err(format!("shape {:?} differs from the reference's {:?}", got.shape, reference.shape));
    }
    let (Some(a), Some(b)) = (got.as_f64(), reference.as_f64()) else {
        return Err("cannot compare these element types".into());
    };
    seq_plan::relerr::compare(&a, &b, f64::INFINITY).ok_or_else(|| "sizes differ".into())
}

/// The accuracy bar of `--check-against-cpu`: (max, mean) relative error.
pub fn tolerance(low_precision: bool) -> (f64, f64) {
    if low_precision { (1e-2, 2e-3) } else { (1e-4, 1e-4) }
}
