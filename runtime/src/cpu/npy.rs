//! `.npy` files for run inputs (token ids) and outputs (logits).

use super::RuntimeError;
use super::tensor::HostTensor;
use npyz::WriterBuilder;
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;

/// Reads token ids (or positions, segment ids) from an int32 or int64 `.npy` file into an i32
/// tensor of the file's shape.
pub fn read_token_ids(path: &Path) -> Result<HostTensor, RuntimeError> {
    let shown = path.display().to_string();
    let error = |reason: String| RuntimeError::File { path: shown.clone(), reason };
    let file = File::open(path).map_err(|e| error(e.to_string()))?;
    let npy = npyz::NpyFile::new(BufReader::new(file)).map_err(|e| error(format!("not a .npy file: {e}")))?;
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    if shape.len() > 1 && npy.order() == npyz::Order::Fortran {
        return Err(error("Fortran-ordered arrays are not supported; save a C-ordered array".into()));
    }
    let dtype = npy.dtype();
    let values: Vec<i32> = match npy.try_data::<i32>() {
        Ok(reader) => reader.collect::<Result<_, _>>().map_err(|e| error(e.to_string()))?,
        Err(npy) => match npy.try_data::<i64>() {
            Ok(reader) => {
                let wide: Vec<i64> = reader.collect::<Result<_, _>>().map_err(|e| error(e.to_string()))?;
                wide.into_iter()
                    .map(|v| i32::try_from(v).map_err(|_| error(format!("token id {v} does not fit in int32"))))
                    .collect::<Result<_, _>>()?
            }
            Err(_) => return Err(error(format!("expected int32 or int64 values, got dtype {}", dtype.descr()))),
        },
    };
    HostTensor::from_i32(shape, values).map_err(error)
}

/// Reads the program's first argument: token ids (int32/int64, as `read_token_ids`) or hidden
/// states (float32/float64, kept as f64 and rounded to the plan's type when uploaded).
pub fn read_input(path: &Path) -> Result<HostTensor, RuntimeError> {
    let shown = path.display().to_string();
    let error = |reason: String| RuntimeError::File { path: shown.clone(), reason };
    let file = File::open(path).map_err(|e| error(e.to_string()))?;
    let npy = npyz::NpyFile::new(BufReader::new(file)).map_err(|e| error(format!("not a .npy file: {e}")))?;
    if !matches!(npy.dtype(), npyz::DType::Plain(t) if t.type_char() == npyz::TypeChar::Float) {
        return read_token_ids(path);
    }
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    if shape.len() > 1 && npy.order() == npyz::Order::Fortran {
        return Err(error("Fortran-ordered arrays are not supported; save a C-ordered array".into()));
    }
    let dtype = npy.dtype();
    let values: Vec<f64> = match npy.try_data::<f32>() {
        Ok(reader) => reader.map(|v| v.map(f64::from)).collect::<Result<_, _>>().map_err(|e| error(e.to_string()))?,
        Err(npy) => match npy.try_data::<f64>() {
            Ok(reader) => reader.collect::<Result<_, _>>().map_err(|e| error(e.to_string()))?,
            Err(_) => return Err(error(format!("expected float32 or float64 values, got dtype {}", dtype.descr()))),
        },
    };
    HostTensor::from_f64(shape, values).map_err(error)
}

/// Writes a float tensor as a C-ordered float32 `.npy` file.
pub fn write_npy_f32(path: &Path, tensor: &HostTensor) -> Result<(), RuntimeError> {
    let shown = path.display().to_string();
    let error = |reason: String| RuntimeError::File { path: shown.clone(), reason };
    let values =
        tensor.to_f64().ok_or_else(|| error(format!("only float tensors are written as f32, got {tensor}")))?;
    let shape: Vec<u64> = tensor.shape.iter().map(|&d| d as u64).collect();
    let file = File::create(path).map_err(|e| error(e.to_string()))?;
    let mut writer = npyz::WriteOptions::new()
        .default_dtype()
        .shape(&shape)
        .writer(BufWriter::new(file))
        .begin_nd()
        .map_err(|e| error(e.to_string()))?;
    writer.extend(values.into_iter().map(|v| v as f32)).map_err(|e| error(e.to_string()))?;
    writer.finish().map_err(|e| error(e.to_string()))
}

/// Writes named float tensors as one f32 safetensors file (beside the target, then renamed, so
/// a failure never leaves half a file). Tensors under one name (the gradients of a parameter a
/// program uses twice, e.g. tied embeddings) are summed.
pub fn write_safetensors_f32(path: &Path, named: &[(String, &HostTensor)]) -> Result<(), RuntimeError> {
    let shown = path.display().to_string();
    let error = |reason: String| RuntimeError::File { path: shown.clone(), reason };
    let mut merged: Vec<(String, Vec<usize>, Vec<f64>)> = Vec::new();
    for (name, t) in named {
        let values = t.to_f64().ok_or_else(|| error(format!("'{name}' is not a float tensor")))?;
        match merged.iter_mut().find(|(n, _, _)| n == name) {
            Some((_, shape, sum)) if *shape == t.shape => sum.iter_mut().zip(values).for_each(|(a, b)| *a += b),
            Some(_) => return Err(error(format!("two tensors named '{name}' differ in shape"))),
            None => merged.push((name.clone(), t.shape.clone(), values)),
        }
    }
    let tensors: Vec<(String, Vec<usize>, Vec<u8>)> = merged
        .into_iter()
        .map(|(name, shape, v)| (name, shape, v.iter().flat_map(|&x| (x as f32).to_le_bytes()).collect()))
        .collect();
    write_safetensors_f32_bytes(path, &tensors)
}

/// Writes tensors given as little-endian f32 bytes (name, shape, bytes) as one safetensors
/// file, beside the target, then renamed.
pub fn write_safetensors_f32_bytes(path: &Path, tensors: &[(String, Vec<usize>, Vec<u8>)]) -> Result<(), RuntimeError> {
    let shown = path.display().to_string();
    let error = |reason: String| RuntimeError::File { path: shown.clone(), reason };
    let views = tensors
        .iter()
        .map(|(name, shape, b)| {
            safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), b)
                .map(|v| (name.clone(), v))
                .map_err(|e| error(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let tmp = path.with_extension("safetensors.tmp");
    safetensors::serialize_to_file(views, None, &tmp).map_err(|e| error(e.to_string()))?;
    std::fs::rename(&tmp, path).map_err(|e| error(e.to_string()))
}
