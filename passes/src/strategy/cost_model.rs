//! The analytical cost model (docs/cost_model.md): compute from FLOPs at achievable rates,
//! memory-bound ops from bytes at achievable bandwidth, collectives by an alpha-beta model per link
//! class. Everything here prices one op on one rank; `crate::simulate` turns prices into a schedule.

use seq_ir::{Graph, Op, OpClass, OpKind, TensorType};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkCost {
    /// Fixed cost per collective: launch, synchronisation and protocol latency.
    pub alpha_us: f64,
    /// Bus bandwidth per GPU (nccl-tests' busbw), in GB/s.
    pub bus_gbs: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub all_to_all: LinkCost,
    pub all_gather: LinkCost,
    pub send_recv: LinkCost,
}

/// One accelerator kind and its interconnect. Profiles are JSON files in `profiles/`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub description: String,
    pub gemm_tflops: f64,
    pub attention_tflops: f64,
    /// Measured causal attention rates by sequence length, [tokens, TFLOP/s], shortest first
    /// (from `seqc calibrate`): fused attention runs slower on long sequences. Between points
    /// the rate is interpolated in log(tokens); outside them the nearest point holds. Empty:
    /// `attention_tflops` at every length.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attention_curve: Vec<[f64; 2]>,
    /// Achievable HBM bandwidth for memory-bound kernels, bytes read plus written.
    pub memory_gbs: f64,
    pub memory_gib: f64,
    pub kernel_launch_us: f64,
    pub gpus_per_node: usize,
    pub intra_node: Link,
    pub inter_node: Link,
    /// Device-to-host copy bandwidth each way (PCIe), for offloaded activations.
    #[serde(default = "default_host_link_gbs")]
    pub host_link_gbs: f64,
    /// The rate of the runtime's own (NVRTC) attention kernel, as a share of the fused
    /// attention's rate at the same length: what runs where cuDNN's fused attention does not
    /// (`fused_attention`).
    #[serde(default = "default_fallback_attention_share")]
    pub fallback_attention_share: f64,
    /// Host memory of one node (GiB), which offloaded activations share with the process and
    /// the system (`Target::host_budget`).
    #[serde(default = "default_host_memory_gib")]
    pub host_memory_gib: f64,
}

/// The 8-GPU H100/H200 machines measured here have 560 GiB.
fn default_host_memory_gib() -> f64 {
    560.0
}

/// The share of a node's host memory offloaded activations may pin: the rest is the process's
/// (plans, checkpoints staged for saving, the data) and the system's.
pub const HOST_OFFLOAD_SHARE: f64 = 0.75;

/// Measured on one H200 (2026-12-03, Llama-3-8B-shaped attention at 32K, bf16, counted over the
/// pairs the mask lets through): the kernel at 1.5 TFLOP/s with a window of 4096 (1693.6 ms) and
/// 1.6 over 8 packed documents (1538.6 ms), cuDNN at 675 causal: about 1/450.
fn default_fallback_attention_share() -> f64 {
    1.0 / 450.0
}

/// PCIe Gen5 x16, one direction, as achieved (about 55 of 64 GB/s).
fn default_host_link_gbs() -> f64 {
    50.0
}

/// Profiles shipped with seqc, by name.
pub const BUILTIN_PROFILES: &[(&str, &str)] = &[
    ("h200", include_str!("../../../profiles/h200.json")),
    ("h100", include_str!("../../../profiles/h100.json")),
    ("a100", include_str!("../../../profiles/a100.json")),
];

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("unknown profile '{0}': use one of h200, h100, a100 or a path to a profile JSON file")]
    Unknown(String),
    #[error("cannot read profile '{path}': {reason}")]
    Read { path: String, reason: String },
    #[error("profile '{path}' is not a valid profile: {reason}")]
    Parse { path: String, reason: String },
}

impl Profile {
    /// A built-in profile by name, or a JSON file by path.
    pub fn load(name_or_path: &str) -> Result<Self, ProfileError> {
        if let Some((_, text)) = BUILTIN_PROFILES.iter().find(|(n, _)| *n == name_or_path) {
            return serde_json::from_str(text)
                .map_err(|e| ProfileError::Parse { path: name_or_path.into(), reason: e.to_string() });
        }
        if !name_or_path.ends_with(".json") {
            return Err(ProfileError::Unknown(name_or_path.into()));
        }
        let text = std::fs::read_to_string(name_or_path)
            .map_err(|e| ProfileError::Read { path: name_or_path.into(), reason: e.to_string() })?;
        let p: Self = serde_json::from_str(&text)
            .map_err(|e| ProfileError::Parse { path: name_or_path.into(), reason: e.to_string() })?;
        p.check().map_err(|reason| ProfileError::Parse { path: name_or_path.into(), reason })?;
        Ok(p)
    }

    /// Rates must be positive and finite, the attention curve strictly increasing in tokens.
    pub fn check(&self) -> Result<(), String> {
        let rates = [
            ("gemm_tflops", self.gemm_tflops),
            ("attention_tflops", self.attention_tflops),
            ("memory_gbs", self.memory_gbs),
            ("memory_gib", self.memory_gib),
            ("fallback_attention_share", self.fallback_attention_share),
            ("host_memory_gib", self.host_memory_gib),
        ];
        if let Some((name, v)) = rates.iter().find(|(_, v)| !(v.is_finite() && *v > 0.0)) {
            return Err(format!("{name} must be a positive number, got {v}"));
        }
        for (i, [tokens, rate]) in self.attention_curve.iter().enumerate() {
            if !(tokens.is_finite() && *tokens >= 1.0 && rate.is_finite() && *rate > 0.0) {
                return Err(format!("attention_curve[{i}] = [{tokens}, {rate}]: tokens and TFLOP/s must be positive"));
            }
            if i > 0 && *tokens <= self.attention_curve[i - 1][0] {
                return Err(format!("attention_curve must list increasing token counts; entry {i} ({tokens}) is not"));
            }
        }
        Ok(())
    }

    /// The attention rate (TFLOP/s) over `keys` keys.
    pub fn attention_rate(&self, keys: usize) -> f64 {
        let c = &self.attention_curve;
        let k = (keys.max(1) as f64).ln();
        match c.iter().position(|p| p[0].ln() >= k) {
            None => c.last().map_or(self.attention_tflops, |p| p[1]),
            Some(0) => c[0][1],
            Some(i) => {
                let (a, b) = (c[i - 1], c[i]);
                let t = (k - a[0].ln()) / (b[0].ln() - a[0].ln());
                a[1] + t * (b[1] - a[1])
            }
        }
    }

    pub fn h200() -> Self {
        Self::load("h200").unwrap_or_else(|e| unreachable!("built-in profile: {e}"))
    }
}

/// Where the devices are: how many, and how they group into nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub devices: usize,
    pub gpus_per_node: usize,
    pub profile: Profile,
    /// Bytes each device may use; defaults to the profile's device memory.
    pub memory_budget: u64,
    /// Bytes of host memory each device may fill with offloaded activations (`--host-memory`);
    /// None: `HOST_OFFLOAD_SHARE` of a node's host memory over the devices on it.
    pub host_memory_budget: Option<u64>,
}

impl Target {
    pub fn new(devices: usize, profile: Profile) -> Self {
        let memory_budget = (profile.memory_gib * (1u64 << 30) as f64) as u64;
        Self { devices, gpus_per_node: profile.gpus_per_node, profile, memory_budget, host_memory_budget: None }
    }

    /// Bytes of host memory one device's offloaded activations may take.
    pub fn host_budget(&self) -> u64 {
        self.host_memory_budget.unwrap_or_else(|| {
            let sharing = self.devices.min(self.gpus_per_node).max(1) as f64;
            (self.profile.host_memory_gib * HOST_OFFLOAD_SHARE / sharing * (1u64 << 30) as f64) as u64
        })
    }

    pub fn nodes(&self) -> usize {
        self.devices.div_ceil(self.gpus_per_node.max(1))
    }

    /// The node rank `rank` sits in: ranks fill nodes in order, `gpus_per_node` to a node.
    pub fn node_of(&self, rank: usize) -> usize {
        rank / self.gpus_per_node.max(1)
    }

    /// The rank groups of `axis` in a mesh whose minor axis has `ulysses` ranks: `sp` is every
    /// rank, `ulysses` groups are consecutive ranks, `ring` groups take one rank of each.
    pub fn axis_groups(&self, axis: &str, ulysses: usize) -> Vec<Vec<usize>> {
        let (n, u) = (self.devices, ulysses.clamp(1, self.devices.max(1)));
        match axis {
            "ulysses" => (0..n / u).map(|g| (g * u..(g + 1) * u).collect()).collect(),
            "ring" => (0..u).map(|j| (j..n).step_by(u).collect()).collect(),
            _ => vec![(0..n).collect()],
        }
    }

    /// Whether some group along `axis` (of a mesh whose minor axis has `ulysses` ranks) holds
    /// ranks of two nodes: its collectives then run at the inter-node rate.
    pub fn axis_crosses_nodes(&self, axis: &str, ulysses: usize) -> bool {
        self.nodes() > 1
            && self.axis_groups(axis, ulysses).iter().any(|g| g.iter().any(|&r| self.node_of(r) != self.node_of(g[0])))
    }
}

/// What kind of resource an op occupies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    Compute,
    Communication,
    /// A copy between device and host memory, on its own stream (`seq.offload`, `seq.reload`).
    Copy,
    /// Costs nothing on the device (weights are resident; output assembly happens on the host).
    Free,
}

/// The price of one op on one rank.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OpCost {
    pub seconds: f64,
    pub flops: f64,
    /// Bytes this rank sends, for collectives.
    pub bytes_sent: f64,
}

/// Context the cost of an attention block depends on beyond its operand shapes.
#[derive(Clone, Copy, Debug)]
pub struct CostContext {
    /// Global sequence length: masks keep the same fraction of every block under zigzag placement.
    pub seq_len: i64,
    /// Devices that share each attention layer's work (1 when every device computes all of it).
    /// The fused kernel's rate is looked up at the sequence length whose whole attention is one
    /// device's share, `seq_len / sqrt(share)`: fitted on H200 when one long call slowed with the
    /// work it held (a 4-way split of 512K ran at the 256K rate). Since the runtime caps each
    /// call at 32K query rows and 256K keys, h200's curve is nearly flat past 128K.
    pub attention_share: usize,
    /// Ranks along the minor (ulysses) mesh axis, for link classes.
    pub ulysses: usize,
}

impl CostContext {
    /// The sequence length whose unsplit attention does one device's share of the work.
    pub fn attention_tokens(&self) -> usize {
        let share = self.attention_share.max(1) as f64;
        (self.seq_len.max(1) as f64 / share.sqrt()).round() as usize
    }
}

fn tensor(g: &Graph, v: seq_ir::ValueId) -> Option<&TensorType> {
    g.ty(v).tensor()
}

/// The fraction of an attention op's query-key pairs its mask lets through, over a sequence of
/// `seq` tokens: the whole sequence's (`mask_density`; under zigzag every ring block keeps about
/// that fraction), or, for a halo exchange's attention (`lowering::HALO`), whose `keys` are its
/// queries' own windows, the keys a query sees on average over `keys`.
pub fn attention_density(op: &Op, seq: i64, keys: i64) -> f64 {
    let Some(c) = seq_ir::AttentionConfig::from_attrs(&op.attrs) else { return 1.0 };
    let global = crate::analysis::mask_density(seq, c.causal, c.window);
    match op.bool(crate::partition::lowering::HALO) {
        Some(true) => (global * seq.max(1) as f64 / keys.max(1) as f64).min(1.0),
        _ => global,
    }
}

/// Whether the CUDA runtime runs this form of attention on cuDNN's fused kernels: whole
/// attention (forward and backward, packed documents included: the ragged graph) with a window
/// only under the causal mask, and `attention_partial` blocks and their backward
/// (`attention_partial_grad`: cuDNN block backwards), where a window under the causal mask is
/// each block's band and causal packed documents are one-document rectangles and ragged
/// squares; capped scores (softcap) and non-causal documents are the kernel's in every form. What falls back
/// for every form alike (f32 data, head dims past 128) is not priced here: it moves every
/// strategy's attention together.
pub fn fused_attention(op: &Op) -> bool {
    let Some(c) = seq_ir::AttentionConfig::from_attrs(&op.attrs) else { return false };
    if c.softcap.is_some() {
        return false;
    }
    match op.kind {
        OpKind::Attention | OpKind::AttentionGrad => c.window.is_none() || c.causal,
        // Packed documents (segment ids: two more operands) run as cuDNN blocks where causal.
        OpKind::AttentionPartial => (c.window.is_none() || c.causal) && (op.operands.len() == 5 || c.causal && op.operands.len() == 7),
        OpKind::AttentionPartialGrad => (c.window.is_none() || c.causal) && (op.operands.len() == 8 || c.causal && op.operands.len() == 10),
        _ => false,
    }
}

/// The CUDA runtime keeps a whole bf16/f16 attention's output and statistics for cuDNN's fused
/// backward where cuDNN takes it (head dims up to 128), so the backward recomputes nothing.
fn backward_keeps_forward(g: &Graph, op: &Op) -> bool {
    op.kind == OpKind::AttentionGrad
        && fused_attention(op)
        && tensor(g, op.operands[0]).is_some_and(|t| matches!(t.dtype, seq_ir::DType::BF16 | seq_ir::DType::F16))
        && seq_ir::AttentionConfig::from_attrs(&op.attrs).is_some_and(|c| c.head_dim <= 128)
}

fn bytes(g: &Graph, op: &Op) -> f64 {
    op.operands.iter().chain(&op.results).filter_map(|v| tensor(g, *v)).map(|t| t.size_bytes() as f64).sum()
}

impl Target {
    fn link(&self, axis: &str, ulysses: usize) -> &Link {
        if self.axis_crosses_nodes(axis, ulysses) { &self.profile.inter_node } else { &self.profile.intra_node }
    }

    /// The rate an attention op runs at: cuDNN's over `tokens` where the runtime fuses it, else
    /// the NVRTC kernel's.
    fn attention_rate(&self, op: &Op, tokens: usize) -> f64 {
        let rate = self.profile.attention_rate(tokens);
        if fused_attention(op) { rate } else { rate * self.profile.fallback_attention_share }
    }

    /// A memory-bound kernel moving `bytes` (read plus written).
    pub fn memory_bound(&self, bytes: f64) -> f64 {
        self.profile.kernel_launch_us * 1e-6 + bytes / (self.profile.memory_gbs * 1e9)
    }

    /// Prices a collective (or the collective an async start launches) moving `input` bytes per rank.
    pub fn collective_cost(&self, kind: OpKind, input_bytes: f64, group: usize, axis: &str, ulysses: usize) -> OpCost {
        if group <= 1 {
            return OpCost::default();
        }
        let link = self.link(axis, ulysses);
        let g = group as f64;
        let (lc, moved) = match kind {
            OpKind::AllToAll => (link.all_to_all, input_bytes * (g - 1.0) / g),
            OpKind::AllGather => (link.all_gather, input_bytes * (g - 1.0)),
            OpKind::ReduceScatter => (link.all_gather, input_bytes * (g - 1.0) / g),
            OpKind::AllReduce => (link.all_gather, 2.0 * input_bytes * (g - 1.0) / g),
            _ => (link.send_recv, input_bytes),
        };
        OpCost { seconds: lc.alpha_us * 1e-6 + moved / (lc.bus_gbs * 1e9), flops: 0.0, bytes_sent: moved }
    }

    /// Prices one op. Async waits are free: their time is the collective's, on its stream.
    pub fn op_cost(&self, g: &Graph, op: &Op, ctx: &CostContext) -> (Resource, OpCost) {
        let launch = self.profile.kernel_launch_us * 1e-6;
        let shape = |i: usize| tensor(g, op.operands[i]).map(|t| t.shape.clone()).unwrap_or_default();
        match op.kind {
            OpKind::Param | OpKind::TokenIndex | OpKind::AsyncWait => (Resource::Free, OpCost::default()),
            OpKind::Unshard => {
                // Every rank receives every other shard: an all-gather of the local rows.
                let input = tensor(g, op.operands[0]).map_or(0.0, |t| t.size_bytes() as f64);
                let group = op.int("num_shards").unwrap_or(1).max(1) as usize;
                let axis = op.str("axis").unwrap_or("sp");
                (Resource::Communication, self.collective_cost(OpKind::AllGather, input, group, axis, ctx.ulysses))
            }
            OpKind::Linear | OpKind::Logits => {
                let (x, w) = (shape(0), shape(1));
                let flops = 2.0 * (x[0] * w[0] * w[1]) as f64;
                (
                    Resource::Compute,
                    OpCost { seconds: launch + flops / (self.profile.gemm_tflops * 1e12), flops, bytes_sent: 0.0 },
                )
            }
            OpKind::Attention | OpKind::AttentionPartial => {
                let (q, k) = (shape(0), shape(1));
                let density = attention_density(op, ctx.seq_len, k[0]);
                let flops = 4.0 * (q[0] * k[0] * q[1]) as f64 * density;
                // A layer left unsplit inside a split program (replicate form, or kept whole)
                // does all of the work on each device.
                let unsplit = matches!(op.str("strategy"), Some("replicate" | "whole"));
                let tokens = if unsplit { ctx.seq_len.max(1) as usize } else { ctx.attention_tokens() };
                let rate = self.attention_rate(op, tokens);
                (Resource::Compute, OpCost { seconds: launch + flops / (rate * 1e12), flops, bytes_sent: 0.0 })
            }
            OpKind::AsyncStart => {
                let inner = op.str("collective").and_then(OpKind::from_name).unwrap_or(OpKind::CollectivePermute);
                (Resource::Communication, self.collective_op_cost(g, op, inner, ctx))
            }
            k if k.class() == OpClass::Collective => (Resource::Communication, self.collective_op_cost(g, op, k, ctx)),
            OpKind::LinearGradInput | OpKind::LinearGradWeight | OpKind::CrossEntropy | OpKind::CrossEntropyGrad => {
                // dX = dY·W and dW = dYᵀ·X are each one GEMM of the forward's size; the fused
                // loss computes the logits (one GEMM) and its backward recomputes them (three).
                let (a, b) = (shape(0), shape(1));
                let gemm = 2.0 * (a[0] * a[1] * b[1]) as f64;
                let flops = match op.kind {
                    OpKind::CrossEntropy => 2.0 * (a[0] * a[1] * b[0]) as f64,
                    OpKind::CrossEntropyGrad => 6.0 * (a[0] * a[1] * b[0]) as f64,
                    _ => gemm,
                };
                (
                    Resource::Compute,
                    OpCost { seconds: launch + flops / (self.profile.gemm_tflops * 1e12), flops, bytes_sent: 0.0 },
                )
            }
            OpKind::AttentionGrad | OpKind::AttentionPartialGrad => {
                // Five matmuls of the forward's size (S, dP, dV, dQ, dK) against its two; the
                // whole form also recomputes the forward unless the runtime kept it.
                let (q, k) = (shape(0), shape(1));
                let density = attention_density(op, ctx.seq_len, k[0]);
                // Where the forward is kept (`backward_keeps_forward`) nothing is recomputed;
                // cuDNN's five matmuls run slower than the forward's two (on an H200: 2.7-3.0x
                // the forward's time at 32K-128K, 2026-12-03).
                // The block backward on cuDNN (`fused_attention`) took 2.9x its blocks' forward
                // for a Ulysses rank's zigzag attention at 128K, 3.0-3.4x for 8K-row key blocks at 32K
                // (with the conversions and f32 adds around each call; bench/cuda/
                // blocks-1xh200-2026-12-03/call3).
                let kept = backward_keeps_forward(g, op);
                let factor = match op.kind {
                    OpKind::AttentionGrad if kept => 11.5,
                    OpKind::AttentionGrad => 14.0,
                    _ if fused_attention(op) => 12.0,
                    _ => 10.0,
                };
                let flops = factor * (q[0] * k[0] * q[1]) as f64 * density;
                let rate = self.attention_rate(op, ctx.attention_tokens());
                (Resource::Compute, OpCost { seconds: launch + flops / (rate * 1e12), flops, bytes_sent: 0.0 })
            }
            OpKind::Offload | OpKind::Reload => {
                let bytes = g.ty(op.results[0]).tensor().map_or(0.0, |t| t.size_bytes() as f64);
                (Resource::Copy, OpCost { seconds: launch + bytes / (self.profile.host_link_gbs * 1e9), ..OpCost::default() })
            }
            OpKind::Embedding => {
                let out = g.ty(op.results[0]).tensor().map_or(0.0, |t| 2.0 * t.size_bytes() as f64);
                (Resource::Compute, OpCost { seconds: self.memory_bound(out), ..OpCost::default() })
            }
            _ => (Resource::Compute, OpCost { seconds: self.memory_bound(bytes(g, op)), ..OpCost::default() }),
        }
    }

    fn collective_op_cost(&self, g: &Graph, op: &Op, kind: OpKind, ctx: &CostContext) -> OpCost {
        let input = tensor(g, op.operands[0]).map_or(0.0, |t| t.size_bytes() as f64);
        let group = op.int("group_size").unwrap_or(1).max(1) as usize;
        self.collective_cost(kind, input, group, op.str("axis").unwrap_or("sp"), ctx.ulysses)
    }
}
