//! Attribute values. Only the kinds the seq dialect uses are modelled; anything else is kept as
//! its MLIR text so a round trip never loses it.

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum Attr {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    /// `array<i64: ...>` / `array<i32: ...>` (e.g. `operandSegmentSizes`).
    Ints {
        values: Vec<i64>,
        width: u8,
    },
    /// `array<f64: ...>` (e.g. longrope's per-frequency factors).
    Floats(Vec<f64>),
    /// Any other attribute, as MLIR printed it.
    Raw(String),
}

impl Attr {
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Self::Int(v) => Some(*v),
            _ => None,
        }
    }

    pub fn as_float(&self) -> Option<f64> {
        match self {
            Self::Float(v) => Some(*v),
            Self::Int(v) => Some(*v as f64),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(v) => Some(*v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(v) => Some(v),
            _ => None,
        }
    }

    /// What kind of attribute this is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Int(_) => "integer",
            Self::Float(_) => "float",
            Self::Bool(_) => "bool",
            Self::Str(_) => "string",
            Self::Ints { .. } => "integer array",
            Self::Floats(_) => "float array",
            Self::Raw(_) => "attribute",
        }
    }
}

/// Formats a float so that MLIR parses it back to the same value: Rust's shortest round-trip
/// digits, with a decimal point added where MLIR's float literal needs one (`1e-5` → `1.0e-5`).
pub fn format_float(v: f64) -> String {
    let s = format!("{v:?}");
    match s.split_once('e') {
        Some((m, e)) if !m.contains('.') => format!("{m}.0e{e}"),
        _ => s,
    }
}

impl fmt::Display for Attr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(v) => write!(f, "{v} : i64"),
            Self::Float(v) => write!(f, "{} : f64", format_float(*v)),
            Self::Bool(v) => write!(f, "{v}"),
            Self::Str(v) => {
                f.write_str("\"")?;
                for c in v.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"")
            }
            Self::Ints { values, width } => {
                write!(f, "array<i{width}")?;
                for (i, v) in values.iter().enumerate() {
                    write!(f, "{}{v}", if i == 0 { ": " } else { ", " })?;
                }
                f.write_str(">")
            }
            Self::Floats(values) => {
                f.write_str("array<f64")?;
                for (i, v) in values.iter().enumerate() {
                    write!(f, "{}{}", if i == 0 { ": " } else { ", " }, format_float(*v))?;
                }
                f.write_str(">")
            }
            Self::Raw(s) => f.write_str(s),
        }
    }
}
