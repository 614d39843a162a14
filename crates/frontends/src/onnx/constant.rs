//! Constant tensors: initializers, `Constant` nodes, and what constant folding makes of them.

use super::proto::{AttributeProto, TensorProto, tensor_proto::DataType};

/// A constant, kept in f64 (and exactly as i64 when integral) with where it came from, so the
/// same initializer used twice (tied embeddings, shared norm weights) becomes one parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Const {
    pub shape: Vec<usize>,
    pub data: Vec<f64>,
    pub ints: Option<Vec<i64>>,
    /// (initializer name, transposed)
    pub origin: Option<(String, bool)>,
}

impl Const {
    pub fn scalar(&self) -> Option<f64> {
        (self.data.len() == 1).then(|| self.data[0])
    }

    pub fn ints(&self) -> Vec<i64> {
        self.ints.clone().unwrap_or_else(|| self.data.iter().map(|v| *v as i64).collect())
    }

    /// 2-D transpose.
    pub fn transposed(&self) -> Option<Const> {
        let [r, c] = self.shape[..] else { return None };
        let mut data = vec![0.0; r * c];
        for i in 0..r {
            for j in 0..c {
                data[j * r + i] = self.data[i * c + j];
            }
        }
        Some(Const { shape: vec![c, r], data, ints: None, origin: self.origin.clone().map(|(n, t)| (n, !t)) })
    }

    pub fn reshaped(&self, shape: Vec<usize>) -> Const {
        Const { shape, ..self.clone() }
    }
}

fn le_f32(b: &[u8]) -> Vec<f64> {
    b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64).collect()
}

/// Decodes an initializer or a `Constant` value.
pub fn decode(t: &TensorProto, name: &str) -> Result<Const, String> {
    let shape: Vec<usize> = t.dims.iter().map(|&d| d.max(0) as usize).collect();
    // Dims come from the file: a product that overflows is a corrupt tensor, not a size.
    let n: usize = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| format!("initializer '{name}' has dims {:?}, whose product overflows", t.dims))?;
    if t.data_location == Some(1) || !t.external_data.is_empty() {
        return Err(format!("initializer '{name}' keeps its data in an external file; re-export with the weights inside the model"));
    }
    let raw = t.raw_data.as_deref().unwrap_or(&[]);
    let dt = DataType::try_from(t.data_type.unwrap_or(0)).unwrap_or(DataType::Undefined);
    let (data, ints): (Vec<f64>, Option<Vec<i64>>) = match dt {
        DataType::Float => (if raw.is_empty() { t.float_data.iter().map(|&v| v as f64).collect() } else { le_f32(raw) }, None),
        DataType::Double => (
            if raw.is_empty() { t.double_data.clone() } else { raw.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect() },
            None,
        ),
        DataType::Float16 | DataType::Bfloat16 => {
            let bits: Vec<u16> = if raw.is_empty() {
                t.int32_data.iter().map(|&v| v as u16).collect()
            } else {
                raw.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect()
            };
            let f = |b: u16| if dt == DataType::Float16 { half::f16::from_bits(b).to_f64() } else { half::bf16::from_bits(b).to_f64() };
            (bits.into_iter().map(f).collect(), None)
        }
        DataType::Int64 => {
            let v: Vec<i64> = if raw.is_empty() { t.int64_data.clone() } else { raw.chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect() };
            (v.iter().map(|&x| x as f64).collect(), Some(v))
        }
        DataType::Int32 => {
            let v: Vec<i64> = if raw.is_empty() { t.int32_data.iter().map(|&x| x as i64).collect() } else { raw.chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as i64).collect() };
            (v.iter().map(|&x| x as f64).collect(), Some(v))
        }
        DataType::Bool | DataType::Uint8 | DataType::Int8 => {
            let v: Vec<i64> = if raw.is_empty() { t.int32_data.iter().map(|&x| x as i64).collect() } else { raw.iter().map(|&b| b as i8 as i64).collect() };
            (v.iter().map(|&x| x as f64).collect(), Some(v))
        }
        other => return Err(format!("initializer '{name}' has element type {other:?}, which seqc does not read")),
    };
    if data.len() != n {
        return Err(format!("initializer '{name}' holds {} values for shape {shape:?}", data.len()));
    }
    Ok(Const { shape, data, ints, origin: Some((name.to_string(), false)) })
}

/// An attribute's value, the few kinds seqc reads.
pub fn attr_int(attrs: &[AttributeProto], name: &str) -> Option<i64> {
    attrs.iter().find(|a| a.name.as_deref() == Some(name)).and_then(|a| a.i)
}

pub fn attr_float(attrs: &[AttributeProto], name: &str) -> Option<f64> {
    attrs.iter().find(|a| a.name.as_deref() == Some(name)).and_then(|a| a.f).map(|f| f as f64)
}

pub fn attr_ints(attrs: &[AttributeProto], name: &str) -> Option<Vec<i64>> {
    attrs.iter().find(|a| a.name.as_deref() == Some(name)).map(|a| a.ints.clone())
}

pub fn attr_tensor<'a>(attrs: &'a [AttributeProto], name: &str) -> Option<&'a TensorProto> {
    attrs.iter().find(|a| a.name.as_deref() == Some(name)).and_then(|a| a.t.as_ref())
}
