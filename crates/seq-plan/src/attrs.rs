//! Typed reading of an op's attributes, with messages that name the attribute. One reader for
//! the verifier (attributes parsed from MLIR, `Attr`) and both runtimes (attributes read from a
//! plan, `AttrValue`): the op table (`rules`) and the backends' lowerings read through it.

use crate::attr::Attr;
use crate::plan::AttrValue;
use std::collections::BTreeMap;

/// A borrowed view of one attribute, whatever map it lives in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AttrRef<'a> {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(&'a str),
    Ints(&'a [i64]),
    Floats(&'a [f64]),
    /// An attribute the op table has no use for (MLIR text kept verbatim).
    Other,
}

impl AttrRef<'_> {
    /// What kind of attribute this is, for error messages.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Int(_) => "integer",
            Self::Float(_) => "float",
            Self::Bool(_) => "bool",
            Self::Str(_) => "string",
            Self::Ints(_) => "integer array",
            Self::Floats(_) => "float array",
            Self::Other => "attribute",
        }
    }
}

/// A map of named attributes.
pub trait AttrSource {
    fn attr(&self, name: &str) -> Option<AttrRef<'_>>;
}

impl AttrSource for BTreeMap<String, Attr> {
    fn attr(&self, name: &str) -> Option<AttrRef<'_>> {
        Some(match self.get(name)? {
            Attr::Int(v) => AttrRef::Int(*v),
            Attr::Float(v) => AttrRef::Float(*v),
            Attr::Bool(v) => AttrRef::Bool(*v),
            Attr::Str(v) => AttrRef::Str(v),
            Attr::Ints { values, .. } => AttrRef::Ints(values),
            Attr::Floats(values) => AttrRef::Floats(values),
            Attr::Raw(_) => AttrRef::Other,
        })
    }
}

impl AttrSource for BTreeMap<String, AttrValue> {
    fn attr(&self, name: &str) -> Option<AttrRef<'_>> {
        Some(match self.get(name)? {
            AttrValue::Int(v) => AttrRef::Int(*v),
            AttrValue::Float(v) => AttrRef::Float(*v),
            AttrValue::Bool(v) => AttrRef::Bool(*v),
            AttrValue::Str(v) => AttrRef::Str(v),
            AttrValue::Ints(v) => AttrRef::Ints(v),
            AttrValue::Floats(v) => AttrRef::Floats(v),
        })
    }
}

/// Typed access to one op's attributes.
#[derive(Clone, Copy)]
pub struct Attrs<'a>(pub &'a dyn AttrSource);

impl<'a> Attrs<'a> {
    pub fn of(source: &'a dyn AttrSource) -> Self {
        Self(source)
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.attr(name).is_some()
    }

    pub fn get(&self, name: &str) -> Option<AttrRef<'a>> {
        self.0.attr(name)
    }

    pub fn int(&self, name: &str) -> Result<i64, String> {
        match self.0.attr(name) {
            Some(AttrRef::Int(v)) => Ok(v),
            Some(other) => Err(format!("attribute '{name}' must be an integer, got {}", other.kind())),
            None => Err(format!("requires integer attribute '{name}'")),
        }
    }

    /// A positive integer (sizes, counts, head numbers).
    pub fn count(&self, name: &str) -> Result<usize, String> {
        let v = self.int(name)?;
        if v <= 0 {
            return Err(format!("attribute '{name}' must be positive, got {v}"));
        }
        usize::try_from(v).map_err(|_| format!("attribute '{name}' is too large, got {v}"))
    }

    /// A non-negative integer (dimensions, offsets).
    pub fn index(&self, name: &str) -> Result<usize, String> {
        let v = self.int(name)?;
        usize::try_from(v).map_err(|_| format!("attribute '{name}' must be non-negative, got {v}"))
    }

    pub fn opt_count(&self, name: &str) -> Result<Option<usize>, String> {
        if self.has(name) { self.count(name).map(Some) } else { Ok(None) }
    }

    /// A float; an integer is accepted where a float is asked (hand-written plans write `1`).
    pub fn float(&self, name: &str) -> Result<f64, String> {
        match self.0.attr(name) {
            Some(AttrRef::Float(v)) => Ok(v),
            Some(AttrRef::Int(v)) => Ok(v as f64),
            Some(other) => Err(format!("attribute '{name}' must be a float, got {}", other.kind())),
            None => Err(format!("requires float attribute '{name}'")),
        }
    }

    pub fn bool(&self, name: &str) -> Result<bool, String> {
        match self.0.attr(name) {
            Some(AttrRef::Bool(v)) => Ok(v),
            Some(other) => Err(format!("attribute '{name}' must be true or false, got {}", other.kind())),
            None => Err(format!("requires bool attribute '{name}'")),
        }
    }

    pub fn str(&self, name: &str) -> Result<&'a str, String> {
        match self.0.attr(name) {
            Some(AttrRef::Str(v)) => Ok(v),
            Some(other) => Err(format!("attribute '{name}' must be a string, got {}", other.kind())),
            None => Err(format!("requires string attribute '{name}'")),
        }
    }

    /// A string from a fixed set.
    pub fn one_of(&self, name: &str, allowed: &[&str]) -> Result<&'a str, String> {
        let v = self.str(name)?;
        if !allowed.contains(&v) {
            return Err(format!("attribute '{name}' must be one of {allowed:?}, got \"{v}\""));
        }
        Ok(v)
    }

    pub fn floats(&self, name: &str) -> Result<&'a [f64], String> {
        match self.0.attr(name) {
            Some(AttrRef::Floats(v)) => Ok(v),
            Some(other) => Err(format!("attribute '{name}' must be a float array, got {}", other.kind())),
            None => Err(format!("requires float array attribute '{name}'")),
        }
    }

    pub fn ints(&self, name: &str) -> Result<&'a [i64], String> {
        match self.0.attr(name) {
            Some(AttrRef::Ints(v)) => Ok(v),
            Some(other) => Err(format!("attribute '{name}' must be an integer array, got {}", other.kind())),
            None => Err(format!("requires integer array attribute '{name}'")),
        }
    }
}
