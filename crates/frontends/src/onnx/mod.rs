//! The ONNX frontend: `model.onnx` → seq program + weights. Parsing uses prost types generated
//! from the official onnx.proto; raising is in `raise`.

mod constant;
pub mod proto;
pub mod raise;

use prost::Message;
use seq_ir::Graph;
use std::path::Path;

pub use raise::Weight;

#[derive(Debug, thiserror::Error)]
pub enum OnnxError {
    #[error("error: cannot read '{path}': {reason}")]
    Read { path: String, reason: String },
    #[error("error: '{path}' is not an ONNX model: {reason}")]
    Decode { path: String, reason: String },
    #[error("{path}: error: node '{node}' ({op}): {message}\nnote: the nearest supported pattern is {nearest}")]
    Unsupported { path: String, node: String, op: String, message: String, nearest: String },
    #[error("error: cannot write '{path}': {reason}")]
    Write { path: String, reason: String },
}

/// A model raised into the seq dialect, with its weights in the program's layout.
pub struct Imported {
    pub graph: Graph,
    pub weights: Vec<Weight>,
}

pub fn import_onnx(path: &Path) -> Result<Imported, OnnxError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| OnnxError::Read { path: shown.clone(), reason: e.to_string() })?;
    let model = proto::ModelProto::decode(bytes.as_slice()).map_err(|e| OnnxError::Decode { path: shown.clone(), reason: e.to_string() })?;
    let graph = model.graph.ok_or_else(|| OnnxError::Decode { path: shown.clone(), reason: "the model has no graph".into() })?;
    let raised = raise::raise(&graph).map_err(|u| OnnxError::Unsupported {
        path: shown.clone(),
        node: u.node,
        op: u.op,
        message: u.message,
        nearest: u.nearest.into(),
    })?;
    Ok(Imported { graph: raised.graph, weights: raised.weights })
}

/// Writes weights as f32 safetensors, by parameter name.
pub fn write_safetensors(weights: &[Weight], path: &Path) -> Result<(), OnnxError> {
    let bytes = weights.iter().map(|w| (w.name.clone(), w.data.iter().flat_map(|v| v.to_le_bytes()).collect(), w.shape.clone()));
    write_views(safetensors::Dtype::F32, bytes.collect(), path)
}

/// Writes tensors as f64 safetensors, exactly (a training state that must resume bit for bit).
pub fn write_safetensors_f64(tensors: &[(String, Vec<usize>, Vec<f64>)], path: &Path) -> Result<(), OnnxError> {
    let bytes = tensors.iter().map(|(n, s, v)| (n.clone(), v.iter().flat_map(|x| x.to_le_bytes()).collect(), s.clone()));
    write_views(safetensors::Dtype::F64, bytes.collect(), path)
}

/// Writes (name, little-endian bytes, shape) tensors of one element type.
fn write_views(dtype: safetensors::Dtype, bytes: Vec<(String, Vec<u8>, Vec<usize>)>, path: &Path) -> Result<(), OnnxError> {
    let shown = path.display().to_string();
    let views = bytes
        .iter()
        .map(|(n, b, s)| safetensors::tensor::TensorView::new(dtype, s.clone(), b).map(|v| (n.clone(), v)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| OnnxError::Write { path: shown.clone(), reason: e.to_string() })?;
    safetensors::serialize_to_file(views, None, path).map_err(|e| OnnxError::Write { path: shown, reason: e.to_string() })
}
