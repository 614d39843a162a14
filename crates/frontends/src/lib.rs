//! Frontends: every way a model enters seqc ends as a verified [`seq_ir::Graph`].

pub mod decoder;
pub mod hf;
pub mod mlir;
pub mod onnx;

pub use decoder::{DecoderConfig, Norm};
pub use mlir::{LoadError, load_mlir_file, load_mlir_source};
