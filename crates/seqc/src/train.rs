//! `seqc train`: a training loop over a compiled training step on CPU ranks. It owns the
//! weights, the optimizer (AdamW as `torch.optim.AdamW` computes it), the learning-rate
//! schedule, global-norm gradient clipping (as `torch.nn.utils.clip_grad_norm_`) and the data
//! order; each step runs the compiled program (`CompileOptions::train`) on the current weights.

use crate::Error;
use crate::run::{RunInputs, StepKind, make_train_inputs, train_step};
use seq_runtime::Plan;
use seq_runtime::cpu::{ParamSpec, RunOptions, WeightSource, param_specs};
use seq_runtime::train::CheckpointInfo;
pub use seq_runtime::train::{Optimizer, Row, Schedule, StepLog, bin_rows, data_rows, read_rows};
use std::collections::BTreeMap;
use std::time::Instant;

#[derive(Clone, Debug, Default)]
pub struct TrainOptions {
    /// AdamW, its schedule and clipping (the steps the schedule spans are `opt.steps`).
    pub opt: Optimizer,
    /// Stop after this many steps in all, short of `opt.steps` (the schedule still spans them).
    pub until: Option<usize>,
    pub run: RunOptions,
}

/// A parameter's value and its AdamW moments.
#[derive(Clone, Debug)]
struct Slot {
    shape: Vec<usize>,
    value: Vec<f64>,
    m: Vec<f64>,
    v: Vec<f64>,
}

/// Weights and optimizer state, by parameter name.
#[derive(Clone, Debug, Default)]
pub struct TrainState {
    slots: BTreeMap<String, Slot>,
    /// Optimizer steps taken.
    pub step: usize,
}

impl TrainState {
    /// Every parameter of `plan` read from `weights` (by the plan's names and shapes), with zero
    /// moments.
    pub fn new(plan: &Plan, weights: &WeightSource) -> Result<Self, Error> {
        let mut slots = BTreeMap::new();
        for ParamSpec { name, shape, role, .. } in param_specs(plan).map_err(Error::Input)? {
            let value = weights.load(&name, &shape, role).map_err(|e| Error::Input(format!("weight '{name}': {e}")))?;
            let n = value.len();
            slots.entry(name).or_insert(Slot { shape, value, m: vec![0.0; n], v: vec![0.0; n] });
        }
        Ok(Self { slots, step: 0 })
    }

    /// The current weights, for the next step's run or for saving.
    pub fn weights(&self) -> BTreeMap<String, Vec<f64>> {
        self.slots.iter().map(|(k, s)| (k.clone(), s.value.clone())).collect()
    }

    /// One AdamW update with `grads` (by name), as `Optimizer::update`.
    fn update(&mut self, grads: &[(String, Vec<f64>)], lr: f64, o: &Optimizer) -> Result<(), Error> {
        self.step += 1;
        for (name, g) in grads {
            let slot = self.slots.get_mut(name).ok_or_else(|| Error::Input(format!("a gradient for unknown weight '{name}'")))?;
            if g.len() != slot.value.len() {
                return Err(Error::Input(format!("gradient of '{name}' has {} values for {}", g.len(), slot.value.len())));
            }
            o.update(&mut slot.value, &mut slot.m, &mut slot.v, g, lr, self.step);
        }
        Ok(())
    }
}

/// Whether the training loop can run `plan`: it needs a step with a loss to minimise. A program
/// whose result is not logits compiles to a vector-Jacobian step, which has none.
pub fn check_trainable(plan: &Plan) -> Result<(), Error> {
    match plan.step_kind() {
        Some(StepKind::Loss) => Ok(()),
        Some(StepKind::Vjp) => Err(Error::Input(
            "seqc train minimises a loss, but this program's result is not logits (seq.logits): --train compiled its \
             vector-Jacobian product (output_grad in; the output, input and weight gradients out), which has no loss. \
             Train a whole model (token ids to logits), or run the vector-Jacobian step once with `seqc run --train`"
                .into(),
        )),
        None => Err(Error::Input("the plan is not a training step (compile with --train)".into())),
    }
}

/// Runs `plan` (a compiled training step) from `state` until it has taken `o.steps` steps in
/// all (a resumed state continues where it stopped), step k on row k mod rows of `data`;
/// `on_step` sees each step's log line and the state after it (to save a checkpoint), and its
/// error stops the loop.
pub fn train(
    plan: &Plan,
    state: &mut TrainState,
    data: &[Row],
    o: &TrainOptions,
    mut on_step: impl FnMut(&StepLog, &TrainState) -> Result<(), Error>,
) -> Result<Vec<StepLog>, Error> {
    check_trainable(plan)?;
    if data.is_empty() {
        return Err(Error::Input("--data holds no rows".into()));
    }
    let mut logs = Vec::new();
    while state.step < o.until.unwrap_or(o.opt.steps).min(o.opt.steps) {
        let k = state.step;
        let start = Instant::now();
        let row = &data[k % data.len()];
        let given = RunInputs { ids: Some(row.ids.clone()), segments: row.segments.clone(), seed: 0 };
        let inputs = make_train_inputs(plan, &given)?;
        let out = train_step(plan, &inputs, &WeightSource::Values(state.weights()), &o.run)?;
        let mut grads: Vec<(String, Vec<f64>)> = out
            .grads
            .iter()
            .map(|(n, t)| t.to_f64().map(|v| (n.clone(), v)).ok_or_else(|| Error::Input(format!("gradient '{n}' is not float"))))
            .collect::<Result<_, _>>()?;
        let norm = grads.iter().flat_map(|(_, g)| g.iter()).map(|x| x * x).sum::<f64>().sqrt();
        let coef = o.opt.clip_coef(norm);
        if coef < 1.0 {
            grads.iter_mut().flat_map(|(_, g)| g.iter_mut()).for_each(|x| *x *= coef);
        }
        let lr = o.opt.lr_at(k);
        let updating = Instant::now();
        state.update(&grads, lr, &o.opt)?;
        let optimizer_ms = updating.elapsed().as_secs_f64() * 1e3;
        let seconds = start.elapsed().as_secs_f64();
        let log = StepLog {
            step: k + 1,
            loss: out.loss,
            grad_norm: norm,
            lr,
            tokens_per_s: row.ids.numel() as f64 / seconds.max(1e-9),
            step_ms: seconds * 1e3,
            optimizer_ms,
            peak_bytes: out.run.ranks.iter().map(|r| r.peak_live_bytes).max().unwrap_or(0),
        };
        on_step(&log, state)?;
        logs.push(log);
    }
    Ok(logs)
}

impl TrainState {
    /// Saves the state into folder `dir`, atomically: written beside it, then renamed over it,
    /// so a crash mid-save leaves the previous checkpoint whole. `weights.safetensors` holds the
    /// weights in f32 under the model's names and in its checkpoint's layout (`layout`), for
    /// `seqc run --weights` and the model's own library; `state.safetensors` the exact f64
    /// weights and AdamW moments by parameter (`NAME`, `NAME.exp_avg`, `NAME.exp_avg_sq`);
    /// `state.json` the step.
    pub fn save(
        &self,
        dir: &std::path::Path,
        layout: &[seq_frontends::hf::CheckpointSlice],
    ) -> Result<(), Error> {
        seq_runtime::train::replace_dir(dir, |tmp| {
            let mut exact = Vec::new();
            let mut weights = Vec::new();
            for (name, s) in &self.slots {
                let sh = s.shape.clone();
                exact.push((name.clone(), sh.clone(), s.value.clone()));
                exact.push((format!("{name}.exp_avg"), sh.clone(), s.m.clone()));
                exact.push((format!("{name}.exp_avg_sq"), sh.clone(), s.v.clone()));
                weights.push((name.clone(), sh, s.value.clone()));
            }
            seq_frontends::onnx::write_safetensors_f64(&exact, &tmp.join("state.safetensors"))
                .map_err(|e| format!("state: {e}"))?;
            let weights = seq_frontends::hf::to_checkpoint(layout, weights).map_err(|e| format!("weights: {e}"))?;
            let weights: Vec<seq_frontends::onnx::Weight> = weights
                .into_iter()
                .map(|(name, shape, v)| seq_frontends::onnx::Weight { name, shape, data: v.into_iter().map(|x| x as f32).collect() })
                .collect();
            seq_frontends::onnx::write_safetensors(&weights, &tmp.join("weights.safetensors"))
                .map_err(|e| format!("weights: {e}"))?;
            CheckpointInfo::at(self.step).write(tmp)
        })
        .map_err(|e| Error::Input(e.to_string()))
    }

    /// The state `save` wrote into `dir`, for `plan`'s parameters.
    pub fn load(dir: &std::path::Path, plan: &Plan) -> Result<Self, Error> {
        let bad = |e: String| Error::Input(format!("cannot resume from {}: {e}", dir.display()));
        let info = CheckpointInfo::read(dir).map_err(|e| Error::Input(e.to_string()))?;
        let source = WeightSource::safetensors(&dir.join("state.safetensors")).map_err(|e| bad(e.to_string()))?;
        let WeightSource::Safetensors(file) = &source else { return Err(bad("not a safetensors file".into())) };
        let mut slots = BTreeMap::new();
        for ParamSpec { name, shape, .. } in param_specs(plan).map_err(Error::Input)? {
            let read = |n: &str| file.tensor(n).map(|(_, v)| v).map_err(bad);
            let slot = Slot { value: read(&name)?, m: read(&format!("{name}.exp_avg"))?, v: read(&format!("{name}.exp_avg_sq"))?, shape };
            slots.insert(name, slot);
        }
        Ok(Self { slots, step: info.step })
    }
}
