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
    let mut graph = model.graph.ok_or_else(|| OnnxError::Decode { path: shown.clone(), reason: "the model has no graph".into() })?;
    inline_external_data(&mut graph, path.parent().unwrap_or(Path::new(".")))?;
    let raised = raise::raise(&graph).map_err(|u| OnnxError::Unsupported {
        path: shown.clone(),
        node: u.node,
        op: u.op,
        message: u.message,
        nearest: u.nearest.into(),
    })?;
    Ok(Imported { graph: raised.graph, weights: raised.weights })
}

/// Reads the initializers whose bytes live in files beside the model (`torch.onnx.export` writes
/// `model.onnx.data` for all but the smallest models) into the tensors themselves. Each names a
/// `location` relative to the model's folder (no absolute path, no `..`), an `offset` and a
/// `length`; a file is read once.
fn inline_external_data(graph: &mut proto::GraphProto, dir: &Path) -> Result<(), OnnxError> {
    let mut files: std::collections::BTreeMap<String, Vec<u8>> = std::collections::BTreeMap::new();
    for t in &mut graph.initializer {
        if t.data_location != Some(1) && t.external_data.is_empty() {
            continue;
        }
        let name = t.name.clone().unwrap_or_default();
        let key = |k: &str| t.external_data.iter().find(|e| e.key.as_deref() == Some(k)).and_then(|e| e.value.clone());
        let bad = |reason: String| OnnxError::Decode { path: dir.display().to_string(), reason: format!("initializer '{name}': {reason}") };
        let location = key("location").ok_or_else(|| bad("external data without a 'location'".into()))?;
        let rel = Path::new(&location);
        if rel.is_absolute() || rel.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
            return Err(bad(format!("external data at '{location}', outside the model's folder")));
        }
        let number = |k: &str| key(k).map(|v| v.parse::<usize>().map_err(|_| bad(format!("external '{k}' is '{v}', not a byte count")))).transpose();
        let offset = number("offset")?.unwrap_or(0);
        let length = number("length")?;
        if !files.contains_key(&location) {
            let file = dir.join(rel);
            let bytes = std::fs::read(&file).map_err(|e| OnnxError::Read { path: file.display().to_string(), reason: e.to_string() })?;
            files.insert(location.clone(), bytes);
        }
        let bytes = &files[&location];
        let end = match length {
            Some(l) => offset.checked_add(l),
            None => Some(bytes.len()),
        };
        let data = end.and_then(|e| bytes.get(offset..e)).ok_or_else(|| {
            bad(format!("external data at bytes {offset}..{} of '{location}', which holds {}", end.map_or("?".into(), |e| e.to_string()), bytes.len()))
        })?;
        t.raw_data = Some(data.to_vec());
        t.external_data.clear();
        t.data_location = None;
    }
    Ok(())
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
