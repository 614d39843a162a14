//! Running a compiled plan on the CPU reference backend, and comparing it with the unsplit model.

use crate::Error;
use seq_runtime::{
    Plan,
    cpu::{self, HostTensor, Precision, RunOptions, RunOutput, WeightSource},
};

/// What the caller supplies; everything missing is made up deterministically.
#[derive(Clone, Debug, Default)]
pub struct RunInputs {
    /// Token ids, one per position of the sequence.
    pub ids: Option<HostTensor>,
    /// Segment ids for packed documents; positions then restart at each new segment.
    pub segments: Option<HostTensor>,
    /// Seed for token ids made up when none are given.
    pub seed: u64,
}

/// The program's arguments, by the runtime's convention (`seq_runtime::inputs`): integer vectors
/// are token ids, positions, then segment ids; float matrices are hidden states (random).
/// Positions count from 0 and restart where the segment id changes.
pub fn make_inputs(plan: &Plan, given: &RunInputs) -> Result<Vec<HostTensor>, Error> {
    seq_runtime::inputs::make_inputs(plan, given.ids.as_ref(), given.segments.as_ref(), given.seed)
        .map_err(Error::Input)
}

/// Runs a plan on CPU threads, one per rank.
pub fn run_cpu(
    plan: &Plan,
    inputs: &[HostTensor],
    weights: &WeightSource,
    opts: &RunOptions,
) -> Result<RunOutput, Error> {
    cpu::run(plan, inputs, weights, opts).map_err(Error::Run)
}

/// Largest elementwise difference over the largest reference magnitude (`seq_plan::relerr`), and
/// the first row (of the first output) whose difference exceeds `tolerance` times that magnitude.
pub fn max_relative_error(got: &HostTensor, reference: &HostTensor, tolerance: f64) -> (f64, Option<usize>) {
    let (Some(a), Some(b)) = (got.to_f64(), reference.to_f64()) else {
        return (f64::INFINITY, Some(0));
    };
    let Some(stats) = seq_runtime::relerr::compare(&a, &b, tolerance) else {
        return (f64::INFINITY, Some(0));
    };
    let cols = got.shape.iter().skip(1).product::<usize>().max(1);
    (stats.max_rel, stats.first_over.map(|i| i / cols))
}

/// The rank that owns global row `row` of a sequence of `global` rows split `n` ways.
pub fn owner_of(row: usize, layout: &str, n: usize, global: usize) -> usize {
    let spec = seq_runtime::plan::ShardSpec { zigzag: layout == "zigzag", shards: n, global };
    (0..n).find(|&r| spec.rows(r).contains(&Some(row))).unwrap_or(0)
}

pub fn precision(f64: bool) -> Precision {
    if f64 { Precision::F64 } else { Precision::F32 }
}

pub use seq_runtime::inputs::next_token_labels;

/// What a compiled training step (`CompileOptions::train`) computes (the plan crate's reading).
pub use seq_runtime::seq_plan::StepKind;

/// The kind of a training step, or the error a forward plan gets.
fn training_step_kind(plan: &Plan) -> Result<StepKind, Error> {
    plan.step_kind().ok_or_else(|| Error::Input("the plan is not a training step (compile with --train)".into()))
}

/// A training step's arguments. With a loss: the forward's (token ids, positions, segments; see
/// `make_inputs`), then the labels made from the token ids. A vector-Jacobian step: the
/// forward's, then `output_grad` (random values in [-1, 1], as any float input).
pub fn make_train_inputs(plan: &Plan, given: &RunInputs) -> Result<Vec<HostTensor>, Error> {
    let kind = training_step_kind(plan)?;
    if kind == StepKind::Loss && plan.inputs.len() < 2 {
        return Err(Error::Input("the plan is not a training step (compile with --train)".into()));
    }
    let tokens = plan.global_input_shape(0).and_then(|s| s.first().copied()).unwrap_or(0) as usize;
    if let Some(s) = &given.segments {
        let s = s.to_i64().ok_or_else(|| Error::Input("--segments must hold integers".into()))?;
        if s.len() != tokens {
            return Err(Error::Input(format!("--segments holds {} ids for {tokens} tokens", s.len())));
        }
        // Labels follow documents: the segment ids must never decrease.
        if kind == StepKind::Loss
            && let Some(i) = (1..s.len()).find(|&i| s[i] < s[i - 1])
        {
            return Err(Error::Input(format!(
                "--segments must not decrease (packed documents follow each other): id {} at token {i} follows {}",
                s[i],
                s[i - 1]
            )));
        }
    }
    if kind == StepKind::Loss
        && plan.values.get(plan.inputs[0] as usize).is_none_or(|d| !matches!(d.dtype.as_str(), "i32" | "i64"))
    {
        return Err(Error::Input("a training step starts from token ids (an integer first argument)".into()));
    }
    // The runtime's inputs end with the labels made from the ids (and documents), or with a
    // random output_grad.
    make_inputs(plan, given)
}

/// A training step's results by name (`step_outputs`).
#[derive(Clone, Debug)]
pub struct StepOutputs {
    pub kind: StepKind,
    /// The loss; NaN for a vector-Jacobian step, which has none.
    pub loss: f64,
    /// (Vjp) The program's own result.
    pub output: Option<HostTensor>,
    /// (Vjp) The gradient of each float argument, by the argument's index (f32).
    pub input_grads: Vec<(usize, HostTensor)>,
    /// Each parameter's gradient, in the program's parameter order; a parameter used under one
    /// name twice (tied embeddings) has its gradients summed into one entry.
    pub grads: Vec<(String, HostTensor)>,
}

/// One training step's results, and the run's figures.
#[derive(Clone, Debug)]
pub struct TrainOutput {
    pub kind: StepKind,
    /// The loss; NaN for a vector-Jacobian step, which has none.
    pub loss: f64,
    /// (Vjp) The program's own result.
    pub output: Option<HostTensor>,
    /// (Vjp) The gradient of each float argument, by the argument's index (f32).
    pub input_grads: Vec<(usize, HostTensor)>,
    /// In the program's parameter order; a parameter used under one name twice (tied
    /// embeddings) has its gradients summed into one entry.
    pub grads: Vec<(String, HostTensor)>,
    pub run: RunOutput,
}

/// Runs a compiled training step (`CompileOptions::train`), with a loss or a vector-Jacobian
/// one, on CPU ranks.
pub fn train_step(plan: &Plan, inputs: &[HostTensor], weights: &WeightSource, opts: &RunOptions) -> Result<TrainOutput, Error> {
    training_step_kind(plan)?;
    let run = run_cpu(plan, inputs, weights, opts)?;
    let StepOutputs { kind, loss, output, input_grads, grads } = step_outputs(plan, &run.outputs)?;
    Ok(TrainOutput { kind, loss, output, input_grads, grads, run })
}

/// A training step's loss (NaN for a vector-Jacobian step) and its parameters' gradients by
/// name (see `step_outputs`).
pub fn loss_and_gradients(plan: &Plan, outputs: &[HostTensor]) -> Result<(f64, Vec<(String, HostTensor)>), Error> {
    let o = step_outputs(plan, outputs)?;
    Ok((o.loss, o.grads))
}

/// A training step's results from the plan's global outputs (any backend's), by name: the loss,
/// or a vector-Jacobian step's output and argument gradients; then every parameter's gradient,
/// those of a parameter used twice (tied embeddings) summed.
pub fn step_outputs(plan: &Plan, outputs: &[HostTensor]) -> Result<StepOutputs, Error> {
    use seq_passes::partition::autodiff::INPUT_GRAD;
    let kind = training_step_kind(plan)?;
    let as_f64 = |t: &HostTensor| t.to_f64().ok_or_else(|| Error::Input("a training step's outputs are floats".into()));
    let first = outputs.first().ok_or_else(|| Error::Input("the step returned nothing".into()))?;
    let (loss, output) = match kind {
        StepKind::Loss => (as_f64(first)?.first().copied().unwrap_or(f64::NAN), None),
        StepKind::Vjp => (f64::NAN, Some(first.clone())),
    };
    let mut input_grads = Vec::new();
    let mut grads: Vec<(String, HostTensor)> = Vec::new();
    for (name, g) in plan.output_names.iter().zip(outputs).skip(1) {
        if kind == StepKind::Vjp
            && let Some(i) = name.strip_prefix(INPUT_GRAD).and_then(|i| i.parse::<usize>().ok())
        {
            input_grads.push((i, g.clone()));
            continue;
        }
        match grads.iter_mut().find(|(n, _)| n == name) {
            Some((_, sum)) => {
                let (a, b) = (as_f64(sum)?, as_f64(g)?);
                *sum = HostTensor::from_f64(g.shape.clone(), a.iter().zip(&b).map(|(x, y)| x + y).collect())
                    .map_err(Error::Input)?;
            }
            None => grads.push((name.clone(), g.clone())),
        }
    }
    Ok(StepOutputs { kind, loss, output, input_grads, grads })
}

/// The weights of `model` (a Hugging Face `config.json` built for `seq_len` tokens, or any other
/// model) from the checkpoint `path`, in the built program's layout: parameters a checkpoint
/// holds fused or transposed (GPT-2's `c_attn`, `Conv1D` projections) are cut out of their
/// source tensors. Returns the layout too, to write gradients back in the checkpoint's own.
pub fn checkpoint_weights(
    model: &std::path::Path,
    seq_len: i64,
    plan: &Plan,
    path: &std::path::Path,
) -> Result<(WeightSource, Vec<seq_frontends::hf::CheckpointSlice>), Error> {
    let rt = |e: cpu::RuntimeError| Error::Input(e.to_string());
    let source = WeightSource::safetensors(path).map_err(rt)?;
    let layout = if model.extension().is_some_and(|e| e == "json") {
        let cfg = seq_frontends::hf::read_config(model, seq_len).map_err(|e| Error::Input(e.to_string()))?;
        seq_frontends::hf::checkpoint_layout(&cfg)
    } else {
        Vec::new()
    };
    let WeightSource::Safetensors(checkpoint) = &source else { return Ok((source, layout)) };
    if layout.is_empty() {
        return Ok((source, layout));
    }
    let mut values = std::collections::BTreeMap::new();
    for cpu::ParamSpec { name, shape, role, .. } in cpu::param_specs(plan).map_err(Error::Input)? {
        let v = match layout.iter().find(|s| s.param == name) {
            Some(slice) => {
                let (src_shape, src) = checkpoint.tensor(&slice.source).map_err(Error::Input)?;
                seq_frontends::hf::from_checkpoint(slice, &src_shape, &src).map_err(Error::Input)?
            }
            None => source.load(&name, &shape, role).map_err(Error::Input)?,
        };
        values.insert(name, v);
    }
    Ok((WeightSource::Values(values), layout))
}

/// Gradients by name in the checkpoint's own layout (see `checkpoint_weights`).
pub fn grads_in_checkpoint_layout(
    layout: &[seq_frontends::hf::CheckpointSlice],
    grads: &[(String, HostTensor)],
) -> Result<Vec<seq_frontends::hf::NamedTensor>, Error> {
    let flat = grads
        .iter()
        .map(|(n, t)| t.to_f64().map(|v| (n.clone(), t.shape.clone(), v)).ok_or_else(|| Error::Input(format!("gradient '{n}' is not float"))))
        .collect::<Result<Vec<_>, _>>()?;
    seq_frontends::hf::to_checkpoint(layout, flat).map_err(Error::Input)
}
