//! Import phase: clean up a freshly read program before analysis.

pub mod dce;
pub mod fuse_swiglu;

pub use dce::Dce;
pub use fuse_swiglu::FuseSwiglu;
