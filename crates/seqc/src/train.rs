//! `seqc train`: a training loop over a compiled training step on CPU ranks. It owns the
//! weights, the optimizer (AdamW as `torch.optim.AdamW` computes it), the learning-rate
//! schedule, global-norm gradient clipping (as `torch.nn.utils.clip_grad_norm_`) and the data
//! order; each step runs the compiled program (`CompileOptions::train`) on the current weights.

use crate::Error;
use crate::run::{RunInputs, make_train_inputs, train_step};
use seq_runtime::Plan;
use seq_runtime::cpu::{HostTensor, ParamRole, RunOptions, WeightSource, param_roles};
use std::collections::BTreeMap;
use std::time::Instant;

/// The learning rate over the steps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Schedule {
    Constant,
    /// Cosine decay from the peak to `min_lr` over the steps after warm-up.
    Cosine,
}

#[derive(Clone, Debug)]
pub struct TrainOptions {
    pub steps: usize,
    pub lr: f64,
    pub betas: (f64, f64),
    pub eps: f64,
    pub weight_decay: f64,
    /// Largest global gradient norm (over every gradient); `None`: no clipping.
    pub grad_clip: Option<f64>,
    pub schedule: Schedule,
    /// Steps of linear warm-up from 0 to `lr`.
    pub warmup: usize,
    pub min_lr: f64,
    pub run: RunOptions,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            steps: 1,
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.01,
            grad_clip: None,
            schedule: Schedule::Constant,
            warmup: 0,
            min_lr: 0.0,
            run: RunOptions::default(),
        }
    }
}

impl TrainOptions {
    /// The learning rate of step `k` (0-based).
    pub fn lr_at(&self, k: usize) -> f64 {
        if k < self.warmup {
            return self.lr * (k + 1) as f64 / self.warmup as f64;
        }
        match self.schedule {
            Schedule::Constant => self.lr,
            Schedule::Cosine => {
                let span = self.steps.saturating_sub(self.warmup).max(1) as f64;
                let t = ((k - self.warmup) as f64 / span).min(1.0);
                self.min_lr + 0.5 * (self.lr - self.min_lr) * (1.0 + (std::f64::consts::PI * t).cos())
            }
        }
    }
}

/// One line of the log.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StepLog {
    pub step: usize,
    pub loss: f64,
    /// The global gradient norm before clipping.
    pub grad_norm: f64,
    pub lr: f64,
    pub tokens_per_s: f64,
    pub step_ms: f64,
    /// Largest activation bytes live on a rank.
    pub peak_bytes: u64,
}

/// A parameter's value and its AdamW moments.
#[derive(Clone, Debug)]
struct Slot {
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
        let roles = param_roles(plan);
        let mut slots = BTreeMap::new();
        for step in plan.steps.iter().filter(|s| s.op == "param") {
            let name = step.attrs().str("name").map_err(Error::Input)?.to_string();
            let r = step.results[0] as usize;
            let shape: Vec<usize> = plan.values[r].shape.iter().map(|&d| d as usize).collect();
            let role = roles[r].unwrap_or(if shape.len() == 2 { ParamRole::Matrix } else { ParamRole::Vector });
            let value = weights.load(&name, &shape, role).map_err(|e| Error::Input(format!("weight '{name}': {e}")))?;
            let n = value.len();
            slots.entry(name).or_insert(Slot { value, m: vec![0.0; n], v: vec![0.0; n] });
        }
        Ok(Self { slots, step: 0 })
    }

    /// The current weights, for the next step's run or for saving.
    pub fn weights(&self) -> BTreeMap<String, Vec<f64>> {
        self.slots.iter().map(|(k, s)| (k.clone(), s.value.clone())).collect()
    }

    /// One AdamW update with `grads` (by name): decoupled weight decay, bias-corrected moments.
    fn update(&mut self, grads: &[(String, Vec<f64>)], lr: f64, o: &TrainOptions) -> Result<(), Error> {
        self.step += 1;
        let t = self.step as i32;
        let (b1, b2) = o.betas;
        let (c1, c2) = (1.0 - b1.powi(t), 1.0 - b2.powi(t));
        for (name, g) in grads {
            let slot = self.slots.get_mut(name).ok_or_else(|| Error::Input(format!("a gradient for unknown weight '{name}'")))?;
            if g.len() != slot.value.len() {
                return Err(Error::Input(format!("gradient of '{name}' has {} values for {}", g.len(), slot.value.len())));
            }
            for i in 0..g.len() {
                let p = &mut slot.value[i];
                *p *= 1.0 - lr * o.weight_decay;
                slot.m[i] = b1 * slot.m[i] + (1.0 - b1) * g[i];
                slot.v[i] = b2 * slot.v[i] + (1.0 - b2) * g[i] * g[i];
                let denom = (slot.v[i] / c2).sqrt() + o.eps;
                *p -= lr / c1 * slot.m[i] / denom;
            }
        }
        Ok(())
    }
}

/// The rows of a `[rows, seq]` token file as step inputs, in order.
pub fn data_rows(tokens: &HostTensor) -> Result<Vec<HostTensor>, Error> {
    let [rows, seq] = tokens.shape[..] else {
        return Err(Error::Input(format!("--data must be [rows, seq] token ids, got shape {:?}", tokens.shape)));
    };
    let ids = tokens.to_i64().ok_or_else(|| Error::Input("--data must hold integer token ids".into()))?;
    (0..rows)
        .map(|r| {
            let row: Vec<i32> = ids[r * seq..(r + 1) * seq].iter().map(|&x| x as i32).collect();
            HostTensor::from_i32(vec![seq], row).map_err(Error::Input)
        })
        .collect()
}

/// Runs `o.steps` steps of `plan` (a compiled training step) from `state`, step k on row
/// k mod rows of `data`; `on_step` sees each step's log line as it finishes.
pub fn train(
    plan: &Plan,
    state: &mut TrainState,
    data: &[HostTensor],
    o: &TrainOptions,
    mut on_step: impl FnMut(&StepLog),
) -> Result<Vec<StepLog>, Error> {
    if data.is_empty() {
        return Err(Error::Input("--data holds no rows".into()));
    }
    let mut logs = Vec::new();
    for _ in 0..o.steps {
        let k = state.step;
        let start = Instant::now();
        let row = &data[k % data.len()];
        let inputs = make_train_inputs(plan, &RunInputs { ids: Some(row.clone()), ..Default::default() })?;
        let out = train_step(plan, &inputs, &WeightSource::Values(state.weights()), &o.run)?;
        let mut grads: Vec<(String, Vec<f64>)> = out
            .grads
            .iter()
            .map(|(n, t)| t.to_f64().map(|v| (n.clone(), v)).ok_or_else(|| Error::Input(format!("gradient '{n}' is not float"))))
            .collect::<Result<_, _>>()?;
        let norm = grads.iter().flat_map(|(_, g)| g.iter()).map(|x| x * x).sum::<f64>().sqrt();
        if let Some(max) = o.grad_clip {
            // As clip_grad_norm_: scale by max / (norm + 1e-6) when that is below 1.
            let coef = max / (norm + 1e-6);
            if coef < 1.0 {
                grads.iter_mut().flat_map(|(_, g)| g.iter_mut()).for_each(|x| *x *= coef);
            }
        }
        let lr = o.lr_at(k);
        state.update(&grads, lr, o)?;
        let seconds = start.elapsed().as_secs_f64();
        let log = StepLog {
            step: k + 1,
            loss: out.loss,
            grad_norm: norm,
            lr,
            tokens_per_s: row.numel() as f64 / seconds.max(1e-9),
            step_ms: seconds * 1e3,
            peak_bytes: out.run.ranks.iter().map(|r| r.peak_live_bytes).max().unwrap_or(0),
        };
        on_step(&log);
        logs.push(log);
    }
    Ok(logs)
}
