//! Plans with sharded inputs and outputs (`seqc compile --sharded-io`): each rank's rows of the
//! caller's global inputs, and the global outputs from every rank's rows. Both backends go
//! through these two functions, so they cannot disagree on the layout.

use crate::cpu::HostTensor;
use crate::plan::Plan;
use std::borrow::Cow;

/// The inputs `rank` runs on: its rows of each sharded input (zero rows where the layout pads),
/// the others whole. `inputs` are the global tensors, in plan order.
pub fn local_inputs<'a>(plan: &Plan, inputs: &'a [HostTensor], rank: usize) -> Result<Vec<Cow<'a, HostTensor>>, String> {
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
                return Err(format!("input {i} has shape {:?}; its first dim must be the sequence ({} rows)", t.shape, spec.global));
            }
            t.take(0, &rows).map(Cow::Owned).map_err(|m| format!("input {i}: {m}"))
        })
        .collect()
}

/// Output `i` as the caller sees it: `ranks` holds every rank's copy of the output, in rank
/// order; a sharded output is assembled from their rows, a whole one is rank 0's.
pub fn global_output(plan: &Plan, i: usize, ranks: &[&HostTensor]) -> Result<HostTensor, String> {
    let first = ranks.first().ok_or_else(|| format!("no rank returned output {i}"))?;
    let Some(spec) = plan.io_spec().filter(|_| plan.output_sharded(i)) else { return Ok((*first).clone()) };
    if ranks.len() != spec.shards {
        return Err(format!("output {i}: {} rank copies for {} shards", ranks.len(), spec.shards));
    }
    global_from_gathered(plan, i, &HostTensor::concat(ranks, 0).map_err(|m| format!("output {i}: {m}"))?)
}

/// Output `i` from every rank's rows concatenated in rank order (what an all-gather leaves).
pub fn global_from_gathered(plan: &Plan, i: usize, gathered: &HostTensor) -> Result<HostTensor, String> {
    let Some(spec) = plan.io_spec().filter(|_| plan.output_sharded(i)) else { return Ok(gathered.clone()) };
    if gathered.shape.first() != Some(&(spec.shards * spec.local_rows())) {
        return Err(format!("output {i}: {:?} gathered rows do not make {} shards", gathered.shape, spec.shards));
    }
    let order: Vec<Option<usize>> = spec.gather_order().into_iter().map(Some).collect();
    gathered.take(0, &order).map_err(|m| format!("output {i}: {m}"))
}
