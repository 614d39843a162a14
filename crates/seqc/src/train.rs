//! `seqc train`: a training loop over a compiled training step on CPU ranks. It owns the
//! weights, the optimizer (AdamW as `torch.optim.AdamW` computes it), the learning-rate
//! schedule, global-norm gradient clipping (as `torch.nn.utils.clip_grad_norm_`) and the data
//! order; each step runs the compiled program (`CompileOptions::train`) on the current weights.

use crate::Error;
use crate::run::{RunInputs, StepKind, make_train_inputs, train_step};
use seq_runtime::Plan;
use seq_runtime::cpu::{HostTensor, ParamSpec, RunOptions, WeightSource, param_specs};
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
    /// Stop after this many steps in all, short of `steps` (the schedule still spans `steps`).
    pub until: Option<usize>,
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
            until: None,
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
            for (((p, m), v), &g) in slot.value.iter_mut().zip(&mut slot.m).zip(&mut slot.v).zip(g) {
                *p *= 1.0 - lr * o.weight_decay;
                *m = b1 * *m + (1.0 - b1) * g;
                *v = b2 * *v + (1.0 - b2) * g * g;
                let denom = (*v / c2).sqrt() + o.eps;
                *p -= lr / c1 * *m / denom;
            }
        }
        Ok(())
    }
}

/// One step's tokens, and their documents' segment ids when windows pack several documents.
#[derive(Clone, Debug)]
pub struct Row {
    pub ids: HostTensor,
    pub segments: Option<HostTensor>,
}

/// Windows of `seq` tokens from a flat token file (`.bin` of little-endian uint16 or uint32, as
/// nanoGPT and llm.c write them), in order; a trailing partial window is dropped. With `eos`, a
/// window packs documents: each token after an `eos` starts the next document (segment ids,
/// restarted positions, no attention or label across a boundary).
pub fn bin_rows(bytes: &[u8], token_bytes: usize, seq: usize, eos: Option<u32>) -> Result<Vec<Row>, Error> {
    if !matches!(token_bytes, 2 | 4) {
        return Err(Error::Input(format!("tokens are 2 or 4 bytes, not {token_bytes}")));
    }
    if seq == 0 {
        return Err(Error::Input("--seq-len must be positive".into()));
    }
    let tokens: Vec<u32> = bytes
        .chunks_exact(token_bytes)
        .map(|c| if token_bytes == 2 { u16::from_le_bytes([c[0], c[1]]) as u32 } else { u32::from_le_bytes([c[0], c[1], c[2], c[3]]) })
        .collect();
    if tokens.len() < seq {
        return Err(Error::Input(format!("the token file holds {} tokens, less than one window of {seq}", tokens.len())));
    }
    tokens
        .chunks_exact(seq)
        .map(|w| {
            let ids: Vec<i32> = w.iter().map(|&t| i32::try_from(t).unwrap_or(i32::MAX)).collect();
            let segments = eos.map(|e| {
                let mut doc = 0;
                w.iter()
                    .map(|&t| {
                        let s = doc;
                        doc += i32::from(t == e);
                        s
                    })
                    .collect::<Vec<i32>>()
            });
            Ok(Row {
                ids: HostTensor::from_i32(vec![seq], ids).map_err(Error::Input)?,
                segments: segments.map(|s| HostTensor::from_i32(vec![seq], s)).transpose().map_err(Error::Input)?,
            })
        })
        .collect()
}

/// The rows of a `[rows, seq]` token file as step inputs, in order.
pub fn data_rows(tokens: &HostTensor) -> Result<Vec<Row>, Error> {
    let [rows, seq] = tokens.shape[..] else {
        return Err(Error::Input(format!("--data must be [rows, seq] token ids, got shape {:?}", tokens.shape)));
    };
    let ids = tokens.to_i64().ok_or_else(|| Error::Input("--data must hold integer token ids".into()))?;
    (0..rows)
        .map(|r| {
            let row: Vec<i32> = ids[r * seq..(r + 1) * seq].iter().map(|&x| x as i32).collect();
            Ok(Row { ids: HostTensor::from_i32(vec![seq], row).map_err(Error::Input)?, segments: None })
        })
        .collect()
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
    while state.step < o.until.unwrap_or(o.steps).min(o.steps) {
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
            tokens_per_s: row.ids.numel() as f64 / seconds.max(1e-9),
            step_ms: seconds * 1e3,
            peak_bytes: out.run.ranks.iter().map(|r| r.peak_live_bytes).max().unwrap_or(0),
        };
        on_step(&log, state)?;
        logs.push(log);
    }
    Ok(logs)
}

/// What a checkpoint folder holds besides the tensors.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct CheckpointInfo {
    /// Optimizer steps taken; the next step trains on data row `step mod rows`.
    step: usize,
    /// The loop draws no random numbers (no dropout), so there is no generator state to keep.
    rng: String,
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
        let io = |what: &str, e: String| Error::Input(format!("cannot save the checkpoint {}: {what}: {e}", dir.display()));
        let tmp = dir.with_extension(format!("tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).map_err(|e| io("create", e.to_string()))?;
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
            .map_err(|e| io("state", e.to_string()))?;
        let weights = seq_frontends::hf::to_checkpoint(layout, weights).map_err(|e| io("weights", e))?;
        let weights: Vec<seq_frontends::onnx::Weight> = weights
            .into_iter()
            .map(|(name, shape, v)| seq_frontends::onnx::Weight { name, shape, data: v.into_iter().map(|x| x as f32).collect() })
            .collect();
        seq_frontends::onnx::write_safetensors(&weights, &tmp.join("weights.safetensors"))
            .map_err(|e| io("weights", e.to_string()))?;
        let info = CheckpointInfo { step: self.step, rng: "none: the loop draws no random numbers".into() };
        let json = serde_json::to_string_pretty(&info).map_err(|e| io("state.json", e.to_string()))?;
        std::fs::write(tmp.join("state.json"), json).map_err(|e| io("state.json", e.to_string()))?;
        // Replace the old checkpoint only once the new one is whole.
        let old = dir.with_extension(format!("old-{}", std::process::id()));
        if dir.exists() {
            std::fs::rename(dir, &old).map_err(|e| io("rename", e.to_string()))?;
        }
        std::fs::rename(&tmp, dir).map_err(|e| io("rename", e.to_string()))?;
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    }

    /// The state `save` wrote into `dir`, for `plan`'s parameters.
    pub fn load(dir: &std::path::Path, plan: &Plan) -> Result<Self, Error> {
        let bad = |e: String| Error::Input(format!("cannot resume from {}: {e}", dir.display()));
        let info: CheckpointInfo = serde_json::from_str(
            &std::fs::read_to_string(dir.join("state.json")).map_err(|e| bad(format!("state.json: {e}")))?,
        )
        .map_err(|e| bad(format!("state.json: {e}")))?;
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
