//! Tensor and token types, parsed from and printed as ordinary MLIR type syntax.

use std::fmt;

/// Element types seqc understands. `I1` exists for masks; `F64` for reference runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    F64,
    F32,
    BF16,
    F16,
    I64,
    I32,
    I1,
}

impl DType {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "f64" => Self::F64,
            "f32" => Self::F32,
            "bf16" => Self::BF16,
            "f16" => Self::F16,
            "i64" => Self::I64,
            "i32" => Self::I32,
            "i1" => Self::I1,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::F64 => "f64",
            Self::F32 => "f32",
            Self::BF16 => "bf16",
            Self::F16 => "f16",
            Self::I64 => "i64",
            Self::I32 => "i32",
            Self::I1 => "i1",
        }
    }

    /// Storage size in bytes (i1 is stored as a byte).
    pub fn bytes(self) -> u64 {
        match self {
            Self::F64 | Self::I64 => 8,
            Self::F32 | Self::I32 => 4,
            Self::BF16 | Self::F16 => 2,
            Self::I1 => 1,
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, Self::F64 | Self::F32 | Self::BF16 | Self::F16)
    }

    pub fn is_int(self) -> bool {
        matches!(self, Self::I64 | Self::I32)
    }
}

/// A statically shaped tensor type. seqc needs static shapes to plan memory and communication.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TensorType {
    pub shape: Vec<i64>,
    pub dtype: DType,
}

impl TensorType {
    pub fn new(shape: impl Into<Vec<i64>>, dtype: DType) -> Self {
        Self { shape: shape.into(), dtype }
    }

    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    pub fn num_elements(&self) -> u64 {
        self.shape.iter().map(|&d| d as u64).product()
    }

    pub fn size_bytes(&self) -> u64 {
        self.num_elements() * self.dtype.bytes()
    }

    pub fn with_dim(&self, dim: usize, size: i64) -> Self {
        let mut t = self.clone();
        t.shape[dim] = size;
        t
    }

    pub fn with_dtype(&self, dtype: DType) -> Self {
        Self { shape: self.shape.clone(), dtype }
    }
}

/// Every SSA value in a seq program is a tensor or an async token.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Tensor(TensorType),
    Token,
}

/// Why a type could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypeError {
    #[error("dynamic dimension in '{0}': seqc needs static shapes (write the sequence length)")]
    Dynamic(String),
    #[error("unsupported element type in '{0}' (use f32, bf16, f16, f64, i32, i64 or i1)")]
    Element(String),
    #[error("unsupported type '{0}': seq values are ranked tensors or !seq.token")]
    Unsupported(String),
}

impl Type {
    pub fn tensor(&self) -> Option<&TensorType> {
        match self {
            Self::Tensor(t) => Some(t),
            Self::Token => None,
        }
    }

    /// Parses MLIR type syntax as printed by MLIR: `tensor<4x8xbf16>`, `tensor<f32>`, `!seq.token`.
    pub fn parse(s: &str) -> Result<Self, TypeError> {
        let s = s.trim();
        if s == "!seq.token" {
            return Ok(Self::Token);
        }
        let inner = s
            .strip_prefix("tensor<")
            .and_then(|r| r.strip_suffix('>'))
            .ok_or_else(|| TypeError::Unsupported(s.to_string()))?;
        if inner.contains(',') || inner.starts_with('*') {
            return Err(TypeError::Unsupported(s.to_string()));
        }
        let mut parts: Vec<&str> = inner.split('x').collect();
        let elem = parts.pop().unwrap_or_default();
        let dtype = DType::parse(elem).ok_or_else(|| TypeError::Element(s.to_string()))?;
        let shape = parts
            .iter()
            .map(|p| {
                if *p == "?" {
                    Err(TypeError::Dynamic(s.to_string()))
                } else {
                    p.parse::<i64>().map_err(|_| TypeError::Unsupported(s.to_string()))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::Tensor(TensorType { shape, dtype }))
    }
}

impl fmt::Display for TensorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tensor<")?;
        for d in &self.shape {
            write!(f, "{d}x")?;
        }
        write!(f, "{}>", self.dtype.name())
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tensor(t) => t.fmt(f),
            Self::Token => f.write_str("!seq.token"),
        }
    }
}

impl From<TensorType> for Type {
    fn from(t: TensorType) -> Self {
        Self::Tensor(t)
    }
}
