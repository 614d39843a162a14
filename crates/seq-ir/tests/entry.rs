//! The one integration-test binary of seq-ir (each binary links MLIR statically).
mod tests;
