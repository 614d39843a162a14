//! Every pass by flag name, in pipeline order.

use crate::{Pass, PassError, import};

pub fn all() -> Vec<Box<dyn Pass>> {
    vec![Box::new(import::FuseSwiglu), Box::new(import::Dce)]
}

pub fn lookup(name: &str) -> Result<Box<dyn Pass>, PassError> {
    all().into_iter().find(|p| p.name() == name).ok_or_else(|| PassError::Unknown(name.to_string()))
}
