//! Typed access to a step's attributes, with messages that say which attribute is wrong.

use crate::plan::AttrValue;
use std::collections::BTreeMap;

pub struct Attrs<'a>(pub &'a BTreeMap<String, AttrValue>);

impl Attrs<'_> {
    fn get(&self, name: &str) -> Result<&AttrValue, String> {
        self.0.get(name).ok_or_else(|| format!("missing attribute '{name}'"))
    }

    pub fn int(&self, name: &str) -> Result<i64, String> {
        let v = self.get(name)?;
        v.as_int().ok_or_else(|| format!("attribute '{name}' must be an integer, got {v:?}"))
    }

    /// A non-negative integer (dimensions, sizes, counts).
    pub fn index(&self, name: &str) -> Result<usize, String> {
        let v = self.int(name)?;
        usize::try_from(v).map_err(|_| format!("attribute '{name}' must be non-negative, got {v}"))
    }

    /// A positive integer.
    pub fn count(&self, name: &str) -> Result<usize, String> {
        match self.index(name)? {
            0 => Err(format!("attribute '{name}' must be positive, got 0")),
            v => Ok(v),
        }
    }

    pub fn opt_count(&self, name: &str) -> Result<Option<usize>, String> {
        if self.0.contains_key(name) { self.count(name).map(Some) } else { Ok(None) }
    }

    pub fn float(&self, name: &str) -> Result<f64, String> {
        let v = self.get(name)?;
        v.as_float().ok_or_else(|| format!("attribute '{name}' must be a number, got {v:?}"))
    }

    pub fn bool(&self, name: &str) -> Result<bool, String> {
        let v = self.get(name)?;
        v.as_bool().ok_or_else(|| format!("attribute '{name}' must be true or false, got {v:?}"))
    }

    pub fn str(&self, name: &str) -> Result<&str, String> {
        let v = self.get(name)?;
        v.as_str().ok_or_else(|| format!("attribute '{name}' must be a string, got {v:?}"))
    }
}
