//! What a training loop needs besides the step, shared by `seqc train` (CPU ranks) and
//! `seqc-run --steps` (GPUs): AdamW's hyperparameters and arithmetic (as `torch.optim.AdamW`),
//! the learning-rate schedule, global-norm clipping (as `torch.nn.utils.clip_grad_norm_`), the
//! data rows, and the log line of a step.

use crate::cpu::HostTensor;
use std::path::Path;

/// Why the loop cannot start or go on.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("{0}")]
    Data(String),
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
}

/// The learning rate over the steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    Constant,
    /// Cosine decay from the peak to `min_lr` over the steps after warm-up.
    Cosine,
}

impl std::str::FromStr for Schedule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "constant" => Ok(Self::Constant),
            "cosine" => Ok(Self::Cosine),
            other => Err(format!("the schedule is constant or cosine, not '{other}'")),
        }
    }
}

/// AdamW and its schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct Optimizer {
    /// Steps the schedule spans (and the loop takes).
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
}

impl Default for Optimizer {
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
        }
    }
}

impl Optimizer {
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

    /// The factor gradients are scaled by for a global norm `norm`: as clip_grad_norm_,
    /// max / (norm + 1e-6) when that is below 1, else 1.
    pub fn clip_coef(&self, norm: f64) -> f64 {
        match self.grad_clip {
            Some(max) => (max / (norm + 1e-6)).min(1.0),
            None => 1.0,
        }
    }

    /// The bias corrections (1 − β1^t, 1 − β2^t) of optimizer step `t` (1-based).
    pub fn corrections(&self, t: usize) -> (f64, f64) {
        let t = t.min(i32::MAX as usize) as i32;
        (1.0 - self.betas.0.powi(t), 1.0 - self.betas.1.powi(t))
    }

    /// One AdamW update of a tensor at optimizer step `t` (1-based) with gradient `g` already
    /// clipped: decoupled weight decay, then the bias-corrected step. The GPU's `k_adamw` does
    /// the same arithmetic in f32.
    pub fn update(&self, value: &mut [f64], m: &mut [f64], v: &mut [f64], g: &[f64], lr: f64, t: usize) {
        let (b1, b2) = self.betas;
        let (c1, c2) = self.corrections(t);
        for (((p, m), v), &g) in value.iter_mut().zip(m.iter_mut()).zip(v.iter_mut()).zip(g) {
            *p *= 1.0 - lr * self.weight_decay;
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            let denom = (*v / c2).sqrt() + self.eps;
            *p -= lr / c1 * *m / denom;
        }
    }

    /// Checks the hyperparameters a user gave.
    pub fn check(&self) -> Result<(), TrainError> {
        let bad = |m: String| Err(TrainError::Data(m));
        if self.steps == 0 {
            return bad("--steps must be at least 1".into());
        }
        if !(self.lr.is_finite() && self.lr >= 0.0) {
            return bad(format!("--lr must be a finite number ≥ 0, got {}", self.lr));
        }
        let (b1, b2) = self.betas;
        if !((0.0..1.0).contains(&b1) && (0.0..1.0).contains(&b2)) {
            return bad(format!("--betas must both be in [0, 1), got {b1},{b2}"));
        }
        if !(self.eps.is_finite() && self.eps > 0.0) {
            return bad(format!("--eps must be > 0, got {}", self.eps));
        }
        if let Some(c) = self.grad_clip
            && !(c.is_finite() && c > 0.0)
        {
            return bad(format!("--grad-clip must be > 0, got {c}"));
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
pub fn bin_rows(bytes: &[u8], token_bytes: usize, seq: usize, eos: Option<u32>) -> Result<Vec<Row>, TrainError> {
    let data = |m: String| TrainError::Data(m);
    if !matches!(token_bytes, 2 | 4) {
        return Err(data(format!("tokens are 2 or 4 bytes, not {token_bytes}")));
    }
    if seq == 0 {
        return Err(data("--seq-len must be positive".into()));
    }
    let tokens: Vec<u32> = bytes
        .chunks_exact(token_bytes)
        .map(|c| if token_bytes == 2 { u16::from_le_bytes([c[0], c[1]]) as u32 } else { u32::from_le_bytes([c[0], c[1], c[2], c[3]]) })
        .collect();
    if tokens.len() < seq {
        return Err(data(format!("the token file holds {} tokens, less than one window of {seq}", tokens.len())));
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
                ids: HostTensor::from_i32(vec![seq], ids).map_err(data)?,
                segments: segments.map(|s| HostTensor::from_i32(vec![seq], s)).transpose().map_err(data)?,
            })
        })
        .collect()
}

/// The rows of a `[rows, seq]` token file as step inputs, in order.
pub fn data_rows(tokens: &HostTensor) -> Result<Vec<Row>, TrainError> {
    let [rows, seq] = tokens.shape[..] else {
        return Err(TrainError::Data(format!("--data must be [rows, seq] token ids, got shape {:?}", tokens.shape)));
    };
    let ids = tokens.to_i64().ok_or_else(|| TrainError::Data("--data must hold integer token ids".into()))?;
    (0..rows)
        .map(|r| {
            let row: Vec<i32> = ids[r * seq..(r + 1) * seq].iter().map(|&x| x as i32).collect();
            Ok(Row { ids: HostTensor::from_i32(vec![seq], row).map_err(TrainError::Data)?, segments: None })
        })
        .collect()
}

/// The rows of `--data`: a `.bin` token file cut into windows of `seq` tokens (`token_bytes` per
/// token; `eos` packs documents), or a `.npy` of shape [rows, seq].
pub fn read_rows(path: &Path, token_bytes: usize, seq: Option<usize>, eos: Option<u32>) -> Result<Vec<Row>, TrainError> {
    let file = |reason: String| TrainError::File { path: path.display().to_string(), reason };
    if path.extension().is_some_and(|e| e == "bin") {
        let seq = seq.ok_or_else(|| TrainError::Data("a .bin token file needs the window each step trains on (--seq-len)".into()))?;
        let bytes = std::fs::read(path).map_err(|e| file(e.to_string()))?;
        return bin_rows(&bytes, token_bytes, seq, eos);
    }
    if eos.is_some() {
        return Err(TrainError::Data(
            "--eos packs documents into the windows of a .bin token file; a .npy holds its rows as they are".into(),
        ));
    }
    let tokens = crate::cpu::read_token_ids(path).map_err(|e| file(e.to_string()))?;
    data_rows(&tokens)
}

/// One line of the log.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct StepLog {
    pub step: usize,
    pub loss: f64,
    /// The global gradient norm before clipping.
    pub grad_norm: f64,
    pub lr: f64,
    pub tokens_per_s: f64,
    pub step_ms: f64,
    /// Of `step_ms`, the optimizer's (the global norm, clipping and the AdamW update; on GPUs
    /// the update runs under the next step's first layers, and only its queueing counts here).
    pub optimizer_ms: f64,
    /// Largest bytes live on a rank: activations on CPU ranks, everything seqc-run allocated
    /// (arena, weights, optimizer state, workspaces) on a GPU.
    pub peak_bytes: u64,
}

impl StepLog {
    /// The progress line of this step, with the time left at the pace so far (`elapsed_s` over
    /// `done` steps of this run).
    pub fn progress(&self, steps: usize, done: usize, elapsed_s: f64) -> String {
        let eta = elapsed_s / done.max(1) as f64 * steps.saturating_sub(self.step) as f64;
        format!(
            "step {:>5}/{steps}  loss {:.6}  grad norm {:.3}  lr {:.2e}  {:.0} tokens/s  {:.1} ms  ETA {eta:.0} s",
            self.step, self.loss, self.grad_norm, self.lr, self.tokens_per_s, self.step_ms
        )
    }
}

/// What a checkpoint folder holds besides the tensors (`state.json`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct CheckpointInfo {
    /// Optimizer steps taken; the next step trains on data row `step mod rows`.
    pub step: usize,
    /// The loop draws no random numbers (no dropout), so there is no generator state to keep.
    pub rng: String,
}

impl CheckpointInfo {
    pub fn at(step: usize) -> Self {
        Self { step, rng: "none: the loop draws no random numbers".into() }
    }

    pub fn write(&self, dir: &Path) -> Result<(), String> {
        let json = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("state.json"), json).map_err(|e| format!("state.json: {e}"))
    }

    pub fn read(dir: &Path) -> Result<Self, TrainError> {
        let bad = |e: String| TrainError::File { path: dir.display().to_string(), reason: format!("state.json: {e}") };
        serde_json::from_str(&std::fs::read_to_string(dir.join("state.json")).map_err(|e| bad(e.to_string()))?)
            .map_err(|e| bad(e.to_string()))
    }
}

/// Replaces folder `dir` by what `fill` writes into a fresh folder beside it, then renamed over
/// it: a crash mid-save leaves the previous checkpoint whole.
pub fn replace_dir(dir: &Path, fill: impl FnOnce(&Path) -> Result<(), String>) -> Result<(), TrainError> {
    let io = |what: &str, e: String| TrainError::File {
        path: dir.display().to_string(),
        reason: format!("cannot save the checkpoint: {what}: {e}"),
    };
    let tmp = dir.with_extension(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| io("create", e.to_string()))?;
    fill(&tmp).map_err(|e| io("write", e))?;
    let old = dir.with_extension(format!("old-{}", std::process::id()));
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(|e| io("rename", e.to_string()))?;
    }
    std::fs::rename(&tmp, dir).map_err(|e| io("rename", e.to_string()))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_reaches_min_lr_and_warmup_is_linear() {
        let o = Optimizer { steps: 10, lr: 1.0, warmup: 2, min_lr: 0.1, schedule: Schedule::Cosine, ..Default::default() };
        assert_eq!(o.lr_at(0), 0.5);
        assert_eq!(o.lr_at(1), 1.0);
        assert!((o.lr_at(2) - 1.0).abs() < 1e-12);
        assert!((o.lr_at(10) - 0.1).abs() < 1e-12);
    }

    #[test]
    fn clipping_scales_only_above_the_limit() {
        let o = Optimizer { grad_clip: Some(1.0), ..Default::default() };
        assert_eq!(o.clip_coef(0.5), 1.0);
        assert!((o.clip_coef(4.0) - 0.25).abs() < 1e-6);
        assert_eq!(Optimizer::default().clip_coef(1e9), 1.0);
    }
}
