//! Every pass by flag name, in pipeline order.

use crate::{Pass, PassError, config::Config, import, partition, schedule, strategy};

pub fn all(config: &Config) -> Vec<Box<dyn Pass>> {
    vec![
        Box::new(import::FuseSwiglu),
        Box::new(import::Dce),
        Box::new(strategy::ChooseStrategy { config: config.clone() }),
        Box::new(partition::ShardSequence { sharded_io: config.sharded_io }),
        Box::new(partition::LowerAttention),
        Box::new(partition::SimplifyCollectives),
        Box::new(partition::Cse),
        Box::new(partition::Autodiff { grad_reduce: config.grad_reduce, backward: config.backward }),
        Box::new(partition::Recompute { target: config.target.clone(), offload: config.offload }),
        Box::new(schedule::BucketGradients { bytes: config.grad_bucket_bytes }),
        Box::new(schedule::OverlapCollectives),
        Box::new(schedule::FillStalls { target: config.target.clone() }),
        Box::new(schedule::PlanMemory),
    ]
}

pub fn lookup(name: &str, config: &Config) -> Result<Box<dyn Pass>, PassError> {
    all(config).into_iter().find(|p| p.name() == name).ok_or_else(|| PassError::Unknown(name.to_string()))
}
