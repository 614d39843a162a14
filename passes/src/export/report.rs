//! The compile report: per layer the strategy, bytes each device sends, predicted compute,
//! communication and exposed communication; totals against one device. JSON for tools, a table
//! for people.

use crate::simulate::Schedule;
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LayerReport {
    pub layer: i64,
    pub strategy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    pub mb_sent_per_device: f64,
    pub compute_ms: f64,
    pub comm_ms: f64,
    pub exposed_comm_ms: f64,
    /// The layer's backward in a training step (`--train`); the figures above are its forward.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backward: Option<PhaseFigures>,
}

/// One phase of a layer: bytes each device sends, compute, communication and exposed
/// communication.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PhaseFigures {
    pub mb_sent_per_device: f64,
    pub compute_ms: f64,
    pub comm_ms: f64,
    pub exposed_comm_ms: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Report {
    pub profile: String,
    pub devices: usize,
    /// Whether the program is split across devices (false: each device runs the whole model).
    pub split: bool,
    /// Arguments and results (by position) each rank takes and returns as its own rows
    /// (`--sharded-io`).
    pub sharded_args: Vec<usize>,
    pub sharded_results: Vec<usize>,
    /// What the reader should know that the figures do not say.
    pub notes: Vec<String>,
    pub layout: String,
    pub mesh: String,
    pub layers: Vec<LayerReport>,
    pub predicted_step_ms: f64,
    pub compute_ms: f64,
    pub comm_ms: f64,
    pub exposed_comm_ms: f64,
    pub single_device_step_ms: f64,
    /// single-device time / (devices x predicted time).
    pub scaling_efficiency: f64,
    pub param_gib_per_device: f64,
    pub activation_gib_per_device: f64,
    pub memory_gib_per_device: f64,
    pub single_device_memory_gib: f64,
    pub memory_budget_gib: f64,
    /// The longest chain of dependent work (no schedule finishes sooner), by the cost model.
    pub critical_path_ms: f64,
    /// A training step's gradients (`--train`): how many, and the bytes each device all-reduces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gradients: Option<GradientReport>,
    /// What `seq-recompute` recomputes in the backward to meet the memory budget (training only;
    /// None when nothing is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recompute: Option<RecomputeReport>,
    /// What `seq-fill-stalls` moved into the compute stream's waits (None when nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filled_stalls: Option<crate::schedule::fill_stalls::Filled>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RecomputeReport {
    pub budget_gib: f64,
    /// Predicted weights + activations per device without and with recomputation.
    pub predicted_gib_before: f64,
    pub predicted_gib_after: f64,
    /// Forward activations the backward still reads from the forward.
    pub saved_mb: f64,
    pub recomputed_mb: f64,
    pub recomputed_ops: usize,
    /// Predicted time of the recomputation (cost model).
    pub recompute_ms: f64,
    /// Activations offloaded to host memory (`--offload`), whose copies the cost model hides.
    pub offloaded: usize,
    pub offloaded_mb: f64,
    /// Host memory the device's offloads could take (`--host-memory`).
    pub host_budget_gib: f64,
    pub layers: Vec<RecomputeLayer>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RecomputeLayer {
    /// None: before the first layer or after the last (embedding, final norm).
    pub layer: Option<i64>,
    pub saved_mb: f64,
    pub recomputed_mb: f64,
    /// The recomputed ops' kinds, in forward order.
    pub recomputed: Vec<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct GradientReport {
    pub tensors: usize,
    pub mb_per_device: f64,
    /// A training loop's AdamW state on each device (`seqc train`, `seqc-run --steps`): f32 moments,
    /// and f32 master copies of bf16/f16 weights, for the gradient each device holds (its rows
    /// under a reduce-scatter, ZeRO).
    #[serde(default)]
    pub optimizer_gib_per_device: f64,
    /// `reduce-scatter` (each rank owns a slice of every gradient), `all-reduce`, or none.
    pub reduction: String,
    /// Gradients of the arguments of a vector-Jacobian step (a program whose result is not
    /// logits: `output_grad` in, no loss), each whole on every device; `None` for a step with a loss.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_gradients: Option<usize>,
}

/// Per-layer figures from a simulated schedule, keyed by the ops' `layer` tags: (bytes sent,
/// compute, communication, exposed communication) of the layer's forward, or of its backward.
pub fn layer_figures(schedule: &Schedule, layer: i64, backward: bool) -> (f64, f64, f64, f64) {
    let (mut bytes, mut compute, mut comm, mut exposed) = (0.0, 0.0, 0.0, 0.0);
    for e in schedule.events.iter().filter(|e| e.layer == Some(layer) && e.backward == backward) {
        bytes += e.bytes_sent;
        match (e.stream, e.name.as_str()) {
            (0, "wait") => exposed += e.seconds,
            (0, _) => compute += e.seconds,
            _ => comm += e.seconds,
        }
    }
    (bytes, compute, comm, exposed)
}

impl Report {
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} devices ({}), {}, profile {}",
            self.devices,
            if self.split {
                format!(
                    "sequence split, {} layout{}{}",
                    self.layout,
                    if self.mesh.is_empty() { String::new() } else { format!(", mesh {}", self.mesh) },
                    if self.sharded_args.is_empty() && self.sharded_results.is_empty() {
                        String::new()
                    } else {
                        format!(", sharded arguments {:?} and results {:?}", self.sharded_args, self.sharded_results)
                    }
                )
            } else { "not split: every device runs the whole model".into() },
            if self.layers.is_empty() { "no attention layers".to_string() } else { format!("{} attention layers", self.layers.len()) },
            self.profile
        );
        let _ = writeln!(out, "{:>5}  {:<13} {:>10}  {:>10}  {:>9}  {:>10}", "layer", "strategy", "MB sent", "compute ms", "comm ms", "exposed ms");
        for l in &self.layers {
            let _ = writeln!(
                out,
                "{:>5}  {:<13} {:>10.1}  {:>10.3}  {:>9.3}  {:>10.3}{}",
                l.layer,
                l.strategy,
                l.mb_sent_per_device,
                l.compute_ms,
                l.comm_ms,
                l.exposed_comm_ms,
                l.fallback.as_ref().map(|f| format!("  ({f})")).unwrap_or_default()
            );
            if let Some(b) = &l.backward {
                let _ = writeln!(
                    out,
                    "{:>5}  {:<13} {:>10.1}  {:>10.3}  {:>9.3}  {:>10.3}",
                    "",
                    "  backward",
                    b.mb_sent_per_device,
                    b.compute_ms,
                    b.comm_ms,
                    b.exposed_comm_ms
                );
            }
        }
        let _ = writeln!(
            out,
            "predicted step: {:.2} ms per device ({:.2} ms compute, {:.2} ms communication of which {:.2} ms exposed); one device: {:.2} ms; scaling efficiency {:.1}%",
            self.predicted_step_ms, self.compute_ms, self.comm_ms, self.exposed_comm_ms, self.single_device_step_ms, self.scaling_efficiency * 100.0
        );
        let _ = writeln!(
            out,
            "critical path: {:.2} ms of dependent work ({:.0}% of the predicted step: the rest is waiting for a stream)",
            self.critical_path_ms,
            if self.predicted_step_ms > 0.0 { 100.0 * self.critical_path_ms / self.predicted_step_ms } else { 100.0 }
        );
        if let Some(f) = &self.filled_stalls {
            let _ = writeln!(
                out,
                "filled stalls: {} op(s) off the critical path moved into {} wait(s) for collectives, {:.2} ms sooner (seq-fill-stalls)",
                f.ops_moved, f.waits, f.saved_ms
            );
        }
        let _ = writeln!(
            out,
            "memory per device: {:.2} GiB ({:.2} weights + {:.2} activations) vs {:.2} GiB on one device; budget {:.1} GiB",
            self.memory_gib_per_device, self.param_gib_per_device, self.activation_gib_per_device, self.single_device_memory_gib, self.memory_budget_gib
        );
        if let Some(g) = &self.gradients {
            let head = match g.input_gradients {
                Some(n) => format!(
                    "vector-Jacobian step (the result is not logits: output_grad in, no loss): forward and backward of \
                     every layer, {n} input gradients"
                ),
                None => "training step: forward, loss and backward of every layer".to_string(),
            };
            let _ = writeln!(
                out,
                "{head}; {} weight gradients summed over the devices by {}, {:.1} MB sent per device",
                g.tensors, g.reduction, g.mb_per_device
            );
            if g.input_gradients.is_none() {
                let _ = writeln!(
                    out,
                    "optimizer state for a training loop: {:.2} GiB per device (AdamW's f32 moments, and master copies of bf16/f16 weights{})",
                    g.optimizer_gib_per_device,
                    if g.reduction == "reduce-scatter" { ", of each device's rows of every weight: ZeRO" } else { ", whole on every device" }
                );
            }
        }
        if let Some(r) = self.recompute.as_ref().filter(|r| r.offloaded > 0) {
            let _ = writeln!(
                out,
                "offload: {} activations ({:.1} MB, of {:.1} GiB of host memory per device) to host memory and back, the copies hidden under compute by the cost model",
                r.offloaded, r.offloaded_mb, r.host_budget_gib
            );
        }
        if let Some(r) = self.recompute.as_ref().filter(|r| r.recomputed_ops > 0 || r.offloaded == 0) {
            let _ = writeln!(
                out,
                "recompute: {} ops ({:.1} MB) recomputed in the backward, {:.3} ms; {:.1} MB of activations saved; predicted {:.2} -> {:.2} GiB per device (budget {:.2} GiB)",
                r.recomputed_ops, r.recomputed_mb, r.recompute_ms, r.saved_mb, r.predicted_gib_before, r.predicted_gib_after, r.budget_gib
            );
            for l in &r.layers {
                let _ = writeln!(
                    out,
                    "  layer {:>5}: saved {:.1} MB, recomputed {:.1} MB ({})",
                    l.layer.map_or("-".to_string(), |l| l.to_string()),
                    l.saved_mb,
                    l.recomputed_mb,
                    if l.recomputed.is_empty() { "nothing".to_string() } else { l.recomputed.join(", ") }
                );
            }
        }
        for n in &self.notes {
            let _ = writeln!(out, "note: {n}");
        }
        out
    }
}
