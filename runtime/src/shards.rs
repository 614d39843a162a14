//! Plans with sharded inputs and outputs (`seqc compile --sharded-io`): each rank's rows of the
//! caller's global inputs, and the global outputs from every rank's rows. Both backends go
//! through these two functions, so they cannot disagree on the layout.

use crate::cpu::HostTensor;
use crate::plan::Plan;
use std::borrow::Cow;

#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    #[error("input {index} has shape {shape:?}; its first dim must be the sequence ({rows} rows)")]
    NotSequence { index: usize, shape: Vec<usize>, rows: usize },
    #[error("output {index}: {got} rank copies for {shards} shards")]
    Copies { index: usize, got: usize, shards: usize },
    #[error("output {index}: {shape:?} gathered rows do not make {shards} shards")]
    Gathered { index: usize, shape: Vec<usize>, shards: usize },
    #[error("{what} {index}: {message}")]
    Rows { what: &'static str, index: usize, message: String },
}

/// The inputs `rank` runs on: its rows of each sharded input (zero rows where the layout pads),
/// the others whole. `inputs` are the global tensors, in plan order.
pub fn local_inputs<'a>(plan: &Plan, inputs: &'a [HostTensor], rank: usize) -> Result<Vec<Cow<'a, HostTensor>>, ShardError> {
    let Some(spec) = plan.io_spec() else { return Ok(inputs.iter().map(Cow::Borrowed).collect()) };
    let rows = spec.rows(rank);
    inputs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if !plan.input_sharded(i) {
                return Ok(Cow::Borrowed(t));
            }
            if t.shape.first() != Some(&spec.global) {
                return Err(ShardError::NotSequence { index: i, shape: t.shape.clone(), rows: spec.global });
            }
            t.take(0, &rows).map(Cow::Owned).map_err(|message| ShardError::Rows { what: "input", index: i, message })
        })
        .collect()
}

/// Output `i` as the caller sees it: `ranks` holds every rank's copy of the output, in rank
/// order; a sharded output is assembled from their rows, a whole one is rank 0's.
pub fn global_output(plan: &Plan, i: usize, ranks: &[&HostTensor]) -> Result<HostTensor, ShardError> {
    let first = ranks.first().ok_or(ShardError::Copies { index: i, got: 0, shards: plan.devices })?;
    if plan.owned_rows(i).is_some() {
        if ranks.len() != plan.devices {
            return Err(ShardError::Copies { index: i, got: ranks.len(), shards: plan.devices });
        }
        let whole = HostTensor::concat(ranks, 0).map_err(|message| ShardError::Rows { what: "output", index: i, message })?;
        return global_from_gathered(plan, i, &whole);
    }
    let Some(spec) = plan.io_spec().filter(|_| plan.output_sharded(i)) else { return Ok((*first).clone()) };
    if ranks.len() != spec.shards {
        return Err(ShardError::Copies { index: i, got: ranks.len(), shards: spec.shards });
    }
    let gathered = HostTensor::concat(ranks, 0).map_err(|message| ShardError::Rows { what: "output", index: i, message })?;
    global_from_gathered(plan, i, &gathered)
}

/// Every output as the caller sees it, from `per_rank[r]`: rank r's copies of the plan outputs.
pub fn global_outputs(plan: &Plan, per_rank: &[Vec<HostTensor>]) -> Result<Vec<HostTensor>, ShardError> {
    (0..plan.outputs.len())
        .map(|i| {
            let copies: Vec<&HostTensor> = per_rank.iter().filter_map(|o| o.get(i)).collect();
            global_output(plan, i, &copies)
        })
        .collect()
}

/// Output `i` from every rank's rows concatenated in rank order (what an all-gather leaves).
pub fn global_from_gathered(plan: &Plan, i: usize, gathered: &HostTensor) -> Result<HostTensor, ShardError> {
    if let Some(rows) = plan.owned_rows(i) {
        // Each rank's slice of rows, in rank order; the padding past `rows` is dropped.
        return gathered.slice(0, 0, rows).map_err(|message| ShardError::Rows { what: "output", index: i, message });
    }
    let Some(spec) = plan.io_spec().filter(|_| plan.output_sharded(i)) else { return Ok(gathered.clone()) };
    if gathered.shape.first() != Some(&(spec.shards * spec.local_rows())) {
        return Err(ShardError::Gathered { index: i, shape: gathered.shape.clone(), shards: spec.shards });
    }
    let order: Vec<Option<usize>> = spec.gather_order().into_iter().map(Some).collect();
    gathered.take(0, &order).map_err(|message| ShardError::Rows { what: "output", index: i, message })
}
