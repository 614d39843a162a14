//! Strategy phase: price the ways to split each attention layer and choose one per layer.

pub mod choose_strategy;
pub mod cost_model;
pub mod egraph;
pub mod naive;

pub use choose_strategy::ChooseStrategy;
