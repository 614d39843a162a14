//! Lowering of a plan, for one rank, to a flat list of device commands (pure logic, no GPU).
//!
//! Shapes and attributes are held to the op table by `Plan::check` (the rule the verifier
//! applies); this lowering reads attributes through the table's typed readers and checks only
//! what is the CUDA backend's own. The executor then only walks `cmds` and launches.
//! Addresses are (region, offset) pairs resolved against the buffers the executor allocates, so
//! this module can be tested (and `seqc-run --dry-run` can check a plan) on a machine without a
//! GPU. A later speed session can fuse or reorder commands, or capture
//! them in a CUDA graph, without touching plan parsing.

use super::error::CudaError;
use super::layout::{
    self, ALIGN, Arena, Copy2d, DType, ShardSpec, ValueInfo, align_up, around, concat_copies, concat_unpack,
    slice_copy, split_pack,
};
use crate::cpu::ParamRole;
use crate::plan::{Plan, Step};
use seq_plan::attrs::Attrs;
use seq_plan::ops::OpKind;
use seq_plan::rules::{AttentionAttrs, Collective, Reduction, RopeAttrs, embedding_scale, gelu_tanh, norm_offset};
use std::collections::{BTreeSet, HashMap};

/// Device memory regions of one rank.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Region {
    /// Activations (plan offsets or our own placement).
    Arena,
    /// Weights, uploaded once.
    Params,
    /// Rank-dependent constant tables (shard row maps, token indices), uploaded once.
    Consts,
    /// Collective staging buffers of one stream (index into `Program::streams`). Work on one
    /// stream runs in order, so one buffer per stream, sized for its largest collective, is safe.
    Scratch(usize),
    /// Temporaries of one compute command (loss logits, partial sums, f32 accumulators,
    /// recomputed attention): the compute stream runs in order, so commands share it.
    Work,
    /// What a forward keeps for its backward beyond the plan's values (`Saved`).
    Saved,
    /// Offloaded activations, in pinned host memory the copy engines reach (`layout::host_places`).
    Host,
    /// Temporaries only the NVRTC kernels of an attention backward use (each row's Σ dout·out,
    /// f32 accumulators), allocated when a backward first falls back to them: a step whose
    /// attention backwards all run on cuDNN never holds them (3 GiB for a Llama-3-8B layer at
    /// 128K tokens).
    Fallback,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Addr {
    pub region: Region,
    pub off: usize,
}

impl Addr {
    pub fn at(self, bytes: usize) -> Addr {
        Addr { region: self.region, off: self.off + bytes }
    }
}

/// How a GEMM reads its operands. Every form computes row-major `y[rows, out]` contracted over
/// `inp`: `Nt` (forward `linear`): x `[rows, inp]`, w `[out, inp]`; `Nn` (input gradient): x
/// `[rows, inp]`, w `[inp, out]`; `Tn` (weight gradient): x `[inp, rows]`, w `[inp, out]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GemmForm {
    Nt,
    Nn,
    Tn,
}

/// A GEMM shape: `y[rows, out] (+)= op(x)[rows, inp] · op(w)[inp, out]`, with the pointer
/// alignments the cuBLASLt algorithm may assume. Executors cache one descriptor set and
/// algorithm per key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GemmKey {
    /// x's and w's type (bf16 and f16 accumulate in fp32).
    pub dtype: DType,
    /// y's type: the operands' type, or f32 (weight gradients, logits of the loss).
    pub ydt: DType,
    pub rows: usize,
    pub inp: usize,
    pub out: usize,
    pub form: GemmForm,
    /// Adds to what y holds (beta = 1): weight gradients summed over chunks.
    pub accumulate: bool,
    /// Alignment in bytes (at most 256) of x, w and y.
    pub align: [u32; 3],
}

impl GemmKey {
    /// The forward `linear`: `y = x · wᵀ`, all in `dtype`.
    pub fn linear(dtype: DType, rows: usize, inp: usize, out: usize, align: [u32; 3]) -> Self {
        Self { dtype, ydt: dtype, rows, inp, out, form: GemmForm::Nt, accumulate: false, align }
    }

    /// Elements of x, w and y.
    pub fn sizes(&self) -> [usize; 3] {
        [self.rows * self.inp, self.inp * self.out, self.rows * self.out]
    }
}

/// Data movement on one stream.
#[derive(Clone, Debug, PartialEq)]
pub enum Move {
    Copy {
        dst: Addr,
        src: Addr,
        bytes: usize,
    },
    /// Strided copies, each between a destination and a source buffer.
    Copies(Vec<(Addr, Addr, Copy2d)>),
    /// Take along a dimension: `src` is `[outer, extent, inner_bytes]`, `idx` holds `nidx` i32
    /// row numbers (−1: zeros).
    Gather {
        dst: Addr,
        src: Addr,
        idx: Addr,
        outer: usize,
        nidx: usize,
        extent: usize,
        inner_bytes: usize,
    },
}

/// One piece of a collective, run in order on the collective's stream.
#[derive(Clone, Debug, PartialEq)]
pub enum Work {
    Move(Move),
    AllGather {
        send: Addr,
        recv: Addr,
        bytes: usize,
    },
    AllReduce {
        send: Addr,
        recv: Addr,
        count: usize,
        dtype: DType,
        op: Reduction,
    },
    ReduceScatter {
        send: Addr,
        recv: Addr,
        count: usize,
        dtype: DType,
        op: Reduction,
    },
    /// Grouped point-to-point transfers: (buffer, bytes, peer's position in the group).
    SendRecv {
        sends: Vec<(Addr, usize, usize)>,
        recvs: Vec<(Addr, usize, usize)>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct AttentionCmd {
    pub q: (Addr, DType),
    pub k: (Addr, DType),
    pub v: (Addr, DType),
    pub q_index: Option<(Addr, DType)>,
    pub k_index: Option<(Addr, DType)>,
    pub q_segment: Option<(Addr, DType)>,
    pub k_segment: Option<(Addr, DType)>,
    pub out: (Addr, DType),
    pub lse: Option<Addr>,
    pub sq: usize,
    pub sk: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub scale: f32,
    pub causal: bool,
    /// 0: no window.
    pub window: i64,
    /// Scores capped as `softcap · tanh(s / softcap)`; 0: none.
    pub softcap: f32,
    /// The index vectors depend on the plan alone (token_index tables moved by collectives,
    /// slices and concats), never on run inputs: what is derived from them can be kept.
    pub static_index: bool,
    /// Keep the output and the softmax statistics for the backward (`Saved`), where the
    /// attention's backward runs on cuDNN; None: the backward recomputes them.
    pub save: Option<Saved>,
}

/// Where a whole attention's output (a copy, in the io type) and statistics (f32 `[heads, sq]`,
/// cuDNN's layout) are kept from the forward for the backward, in `Region::Saved`. `slot`
/// numbers the pair: the executor records which slots a run's forward filled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Saved {
    pub o: Addr,
    pub stats: Addr,
    pub slot: usize,
}

/// Attention backward: dq, dk, dv from the forward's inputs, output and log-sum-exp.
#[derive(Clone, Debug, PartialEq)]
pub struct AttentionGradCmd {
    /// q, k, v, masks and geometry as the forward's; `out` and `lse` are the forward's output
    /// and log-sum-exp: given (block form) or, with `recompute`, computed first (in q's type,
    /// into the `Saved` slots where the forward keeps them, else into the workspace) unless the
    /// forward kept them this run.
    pub fwd: AttentionCmd,
    pub recompute: bool,
    pub dout: (Addr, DType),
    pub dq: (Addr, DType),
    pub dk: (Addr, DType),
    pub dv: (Addr, DType),
    /// f32 `[sq, heads]`: each row's Σ dout·out.
    pub delta: Addr,
    /// f32 accumulators of dq, dk, dv where the result is not f32 (else they accumulate in place).
    pub acc: [Option<Addr>; 3],
    /// What the forward kept (used when it was filled; else the forward is recomputed).
    pub saved: Option<Saved>,
}

/// The fused loss over `logits = x · wᵀ`, in row chunks whose logits live in the workspace.
#[derive(Clone, Debug, PartialEq)]
pub struct CrossEntropyCmd {
    pub x: Addr,
    pub w: Addr,
    pub dt: DType,
    pub labels: (Addr, DType),
    pub index: Option<(Addr, DType)>,
    /// f32 `[1]`: the step's labelled tokens (the mean's denominator).
    pub count: Addr,
    pub rows: usize,
    pub hidden: usize,
    pub vocab: usize,
    pub chunk: usize,
    /// The loss (f32 `[1]`) for `cross_entropy`; dx (dt) and dw (f32) for its gradient.
    pub loss: Option<Addr>,
    pub grads: Option<(Addr, Addr)>,
    /// `[chunk, vocab]` logits in dt, which become the dlogits in place; f32 `[rows]` row losses.
    pub logits: Addr,
    pub row_loss: Addr,
    /// (logits, dx, dw of the first chunk, dw adding into it) GEMMs of a full chunk and of the
    /// last, shorter one.
    pub keys: [GemmKey; 4],
    pub tail: Option<[GemmKey; 4]>,
    /// The logits capped as `c · tanh(z / c)` before the softmax; 0: none.
    pub softcap: f32,
}

impl CrossEntropyCmd {
    /// (first row, rows, GEMM keys) of every chunk.
    pub fn chunks(&self) -> impl Iterator<Item = (usize, usize, &[GemmKey; 4])> + '_ {
        (0..self.rows).step_by(self.chunk.max(1)).map(move |r0| {
            let n = self.chunk.min(self.rows - r0);
            (r0, n, if n == self.chunk { &self.keys } else { self.tail.as_ref().unwrap_or(&self.keys) })
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Cmd {
    Move(Move),
    Embedding {
        out: Addr,
        odt: DType,
        ids: Addr,
        it: DType,
        table: Addr,
        tdt: DType,
        rows: usize,
        hidden: usize,
        vocab: usize,
        /// The rows are multiplied by it (`embedding_scale`).
        scale: f32,
    },
    RmsNorm {
        out: Addr,
        x: Addr,
        w: Addr,
        dt: DType,
        wdt: DType,
        rows: usize,
        hidden: usize,
        eps: f32,
        /// Added to the weight (`norm_offset`).
        offset: f32,
    },
    LayerNorm {
        out: Addr,
        x: Addr,
        w: Addr,
        b: Addr,
        dt: DType,
        wdt: DType,
        bdt: DType,
        rows: usize,
        hidden: usize,
        eps: f32,
    },
    /// `y = x · wᵀ` (in `key`'s form), plus `addend` when there is one (an `add` of the
    /// product folded into the GEMM: `key.accumulate`, C = addend, D = y).
    Gemm {
        y: Addr,
        x: Addr,
        w: Addr,
        key: GemmKey,
        addend: Option<Addr>,
    },
    AddBias {
        y: Addr,
        dt: DType,
        b: Addr,
        bdt: DType,
        rows: usize,
        cols: usize,
    },
    Rope {
        out: Addr,
        x: Addr,
        dt: DType,
        pos: Addr,
        it: DType,
        rows: usize,
        cols: usize,
        head_dim: usize,
        rotary: usize,
        /// f64 [rotary / 2] in `Region::Consts`: `RopeAttrs::inv_freq`.
        freqs: Addr,
        /// Rotates by minus the angle: the gradient of `rope`.
        inverse: bool,
    },
    Attention(Box<AttentionCmd>),
    AttentionGrad(Box<AttentionGradCmd>),
    CrossEntropy(Box<CrossEntropyCmd>),
    /// Zeros `bytes` bytes.
    Zero {
        dst: Addr,
        bytes: usize,
    },
    /// f32 `out[0]` = the labels ≥ 0 whose index (if given) is ≥ 0.
    LabelCount {
        out: Addr,
        labels: (Addr, DType),
        index: Option<(Addr, DType)>,
        n: usize,
    },
    /// f32 `out[cols]` = the sum of x's rows, through `parts` partial sums in `work`.
    ColumnSum {
        out: Addr,
        x: Addr,
        dt: DType,
        rows: usize,
        cols: usize,
        work: Addr,
        parts: usize,
    },
    /// dx, and the f32 weight (and bias) gradients through `parts` partial sums in `work`
    /// (`[params, parts, hidden]`). `b` (layer norm): `Some(db)`.
    NormGrad {
        dx: Addr,
        x: Addr,
        w: Addr,
        dy: Addr,
        dt: DType,
        wdt: DType,
        rows: usize,
        hidden: usize,
        eps: f32,
        dw: Addr,
        db: Option<Addr>,
        work: Addr,
        parts: usize,
        /// f32 [rows, 2]: each row's mean and 1/σ, from dx's pass to the weight gradient's.
        stats: Addr,
        /// Added to the weight (`norm_offset`; rms only).
        offset: f32,
        /// Added to dx (an `add` of dx and the residual's gradient folded in).
        addend: Option<Addr>,
    },
    /// f32 `out[vocab, hidden]` = the rows of dy summed at their ids.
    EmbeddingGrad {
        out: Addr,
        ids: Addr,
        it: DType,
        dy: Addr,
        dt: DType,
        rows: usize,
        hidden: usize,
        vocab: usize,
        /// The forward's `scale`: each row of dy counts this many times.
        scale: f32,
    },
    /// dg, du of `silu(g) · u`.
    SwigluGrad {
        dt: DType,
        g: Addr,
        u: Addr,
        dy: Addr,
        dg: Addr,
        du: Addr,
        n: usize,
    },
    LseMerge {
        o: Addr,
        l: Addr,
        oa: Addr,
        la: Addr,
        ob: Addr,
        lb: Addr,
        rows: usize,
        heads: usize,
        cols: usize,
    },
    /// `y = cap · tanh(y / cap)` in place over `n` elements (Gemma 2's capped logits).
    Softcap {
        y: Addr,
        dt: DType,
        n: usize,
        cap: f32,
    },
    /// op: 0 silu, 1 gelu, 2 gelu-tanh.
    Unary {
        op: i32,
        dt: DType,
        x: Addr,
        y: Addr,
        n: usize,
    },
    /// op: 0 mul, 1 add, 2 swiglu; gradients `(x, dy)`: 3 silu, 4 gelu, 5 gelu-tanh.
    Binary {
        op: i32,
        dt: DType,
        a: Addr,
        b: Addr,
        y: Addr,
        n: usize,
    },
    Convert {
        x: Addr,
        xdt: DType,
        y: Addr,
        ydt: DType,
        n: usize,
    },
    /// A collective (or unshard). `stream` 0 runs it in line on the compute stream; another
    /// stream makes it asynchronous: it waits for the compute stream's progress at this point,
    /// and `token` names the event its `async_wait` waits for. `comm`: index in
    /// `Program::comm_keys`; `None` when the group is this rank alone.
    Collective {
        stream: u32,
        comm: Option<usize>,
        token: Option<usize>,
        work: Vec<Work>,
    },
    /// The compute stream waits for the collective behind `token`.
    Wait {
        token: usize,
    },
}

/// One NCCL communicator: the ranks of one axis group, used on one stream.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommKey {
    pub stream: u32,
    pub axis: String,
    pub group: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParamSlot {
    pub value: u32,
    pub name: String,
    pub info: ValueInfo,
    pub role: ParamRole,
    pub off: usize,
}

/// A plan lowered for one rank.
#[derive(Clone, Debug)]
pub struct Program {
    pub rank: usize,
    pub infos: Vec<ValueInfo>,
    pub addrs: Vec<Option<Addr>>,
    pub arena: Arena,
    pub params: Vec<ParamSlot>,
    pub params_bytes: usize,
    pub consts: Vec<u8>,
    /// Stream ids that run collectives (0 is the compute stream); `Region::Scratch(i)` is the
    /// staging buffer of `streams[i]`.
    pub streams: Vec<u32>,
    pub scratch: Vec<usize>,
    /// Bytes of `Region::Work`: the largest any one command needs.
    pub work: usize,
    /// Bytes of `Region::Fallback`: the largest any attention backward's kernels need.
    pub fallback: usize,
    /// Bytes of `Region::Saved`.
    pub saved: usize,
    /// Bytes of `Region::Host`.
    pub host: usize,
    /// (step, command), in program order.
    pub cmds: Vec<(usize, Cmd)>,
    /// Every communicator any rank needs, in the order all ranks create them.
    pub comm_keys: Vec<CommKey>,
    /// Number of async collectives (events).
    pub tokens: usize,
    pub gemms: Vec<GemmKey>,
    /// Plan inputs and where each is uploaded.
    pub inputs: Vec<(u32, Addr)>,
    pub outputs: Vec<(u32, Addr)>,
    /// Whether any value is bf16 or f16 (the accuracy check then uses bf16 tolerances).
    pub low_precision: bool,
    /// Each step's op name, for messages.
    pub op_names: Vec<String>,
    /// Each step's result values.
    pub step_results: Vec<Vec<u32>>,
    /// Every sum in a fixed order (`seqc-run --deterministic`): the attention backward and the
    /// embedding gradient without atomics, cuDNN's backward in its deterministic form.
    pub deterministic: bool,
}

/// Rows per chunk of the fused loss. A chunk's logits (in the model's dtype, as an autocast
/// head writes them) become its dlogits in place in the workspace, and its dx and dw GEMMs run
/// over the whole chunk: every chunk after the first reads and writes the whole f32 weight
/// gradient again, so chunks are as long as 4 GiB of logits allow, and at least 4096 rows. At a
/// 128K vocabulary in bf16 that is 16K rows: two chunks at 32K tokens took 707.4 ms a step of
/// the Llama-3-8B shape (4 layers) against 717.1 ms for one 8 GiB chunk, with 4 GiB less memory
/// (one H100, bench/cuda/train-loop-1xh200-2026-12-07/call2-h100). SEQC_CE_CHUNK (logits per
/// chunk) overrides it, to measure.
fn ce_chunk_rows(rows: usize, vocab: usize, es: usize) -> usize {
    let vocab = vocab.max(1);
    let chunk = match std::env::var("SEQC_CE_CHUNK").ok().and_then(|v| v.parse::<usize>().ok()).filter(|&n| n > 0) {
        Some(logits) => logits / vocab,
        None => ((4usize << 30) / (vocab * es.max(1))).max(4096),
    };
    chunk.clamp(1, rows.max(1))
}

const COLLECTIVES: [&str; 5] = ["all_to_all", "all_gather", "reduce_scatter", "all_reduce", "collective_permute"];

/// The stream a collective-like step runs on: its `stream` attribute for `async_start`, else the
/// compute stream.
fn collective_stream(step: &Step) -> Option<u32> {
    match step.op.as_str() {
        "async_start" => Some(step.attrs().int("stream").ok().unwrap_or(1).max(0) as u32),
        "unshard" => Some(0),
        op if COLLECTIVES.contains(&op) => Some(0),
        _ => None,
    }
}

/// Every communicator any rank needs, sorted: all ranks create theirs in this order, so
/// communicator initialisation (collective over each group) cannot deadlock.
pub fn all_comm_keys(plan: &Plan) -> Result<Vec<CommKey>, String> {
    let mut keys = BTreeSet::new();
    for (s, step) in plan.steps.iter().enumerate() {
        let Some(stream) = collective_stream(step) else {
            continue;
        };
        let axis = step.attrs().str("axis").map_err(|e| format!("step {s} ('{}'): {e}", step.op))?;
        for r in 0..plan.devices {
            let group = plan
                .axis_group(axis, r)
                .ok_or_else(|| format!("step {s} ('{}'): unknown mesh axis '{axis}'", step.op))?;
            if group.len() > 1 {
                keys.insert(CommKey { stream, axis: axis.to_string(), group });
            }
        }
    }
    Ok(keys.into_iter().collect())
}

/// Largest power of two (up to 256) dividing `off`: the alignment cuBLASLt may assume for an
/// address at this offset of a 256-byte-aligned buffer.
fn alignment(off: usize) -> u32 {
    if off == 0 { 256 } else { (1u32 << off.trailing_zeros().min(8)).min(256) }
}

struct Builder<'a> {
    plan: &'a Plan,
    rank: usize,
    infos: Vec<ValueInfo>,
    addrs: Vec<Option<Addr>>,
    consts: Vec<u8>,
    streams: Vec<u32>,
    scratch: Vec<usize>,
    work: usize,
    fallback: usize,
    /// Forward attention step → what it keeps for its backward; backward step → the same.
    saves: HashMap<usize, Saved>,
    /// `cross_entropy_grad` step → the `cross_entropy` of the same operands whose loss it also
    /// computes (`pair_losses`); those forwards lower to nothing.
    losses: HashMap<usize, usize>,
    saved: usize,
    comm_index: HashMap<CommKey, usize>,
    /// async_start step → its async_wait's result value.
    wait_result: HashMap<usize, u32>,
    /// token value → token number.
    token_of: HashMap<u32, usize>,
    tokens: usize,
    gemms: Vec<GemmKey>,
    cmds: Vec<(usize, Cmd)>,
    /// Values that depend on the plan alone (see `fixed_values`).
    fixed: Vec<bool>,
    /// `layout::foldable_adds`: add step → the operand the step before makes.
    folds: HashMap<usize, u32>,
    /// The adds folded (add step, the operand no longer written).
    folded: Vec<(usize, u32)>,
    /// Offloads and reloads: (step, command, token).
    copies: Vec<(usize, usize, usize)>,
    lowering: Lowering,
}

/// Which values depend on the plan alone: `token_index` results, and what data movement
/// (collectives, async start/wait, slices, concats, shards) makes of such values only.
pub fn fixed_values(plan: &Plan) -> Vec<bool> {
    let n = plan.steps.iter().flat_map(|s| s.operands.iter().chain(&s.results)).map(|&v| v as usize + 1).max();
    let mut fixed = vec![false; n.unwrap_or(0).max(plan.values.len())];
    for step in &plan.steps {
        let moves = COLLECTIVES.contains(&step.op.as_str())
            || matches!(step.op.as_str(), "async_start" | "async_wait" | "slice" | "concat" | "shard" | "unshard");
        let from_plan = step.op == "token_index"
            || (moves && !step.operands.is_empty() && step.operands.iter().all(|&v| fixed[v as usize]));
        if from_plan {
            for &r in &step.results {
                fixed[r as usize] = true;
            }
        }
    }
    fixed
}

/// Choices of the lowering a caller may make instead of the defaults (tests, measurements).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lowering {
    /// Rows per chunk of the fused loss (None: `ce_chunk_rows`, or SEQC_CE_CHUNK).
    pub loss_chunk_rows: Option<usize>,
}

/// Lowers `plan` for `rank`.
pub fn build(plan: &Plan, rank: usize) -> Result<Program, CudaError> {
    build_with(plan, rank, Lowering::default())
}

/// Lowers `plan` for `rank` with `lowering`'s choices.
pub fn build_with(plan: &Plan, rank: usize, lowering: Lowering) -> Result<Program, CudaError> {
    let plan_error = |m: String| CudaError::setup(rank, "plan", m);
    if plan.devices == 0 || rank >= plan.devices {
        return Err(plan_error(format!("rank {rank} is outside the plan's {} devices", plan.devices)));
    }
    plan.check()?;
    let infos = layout::value_infos(plan).map_err(plan_error)?;
    let folds = layout::foldable_adds(plan, &infos);
    let live = layout::liveness(plan, &infos, &folds).map_err(plan_error)?;
    let arena = layout::arena(plan, &infos, &live);
    let mut addrs: Vec<Option<Addr>> =
        arena.offsets.iter().map(|o| o.map(|off| Addr { region: Region::Arena, off })).collect();

    // Parameters: one region, each at a 256-byte boundary.
    // Roles exactly as the CPU backend derives them, so random weights match.
    let mut roles = vec![None; plan.values.len()];
    for p in crate::cpu::param_specs(plan).map_err(plan_error)? {
        roles[p.value as usize] = Some(p.role);
    }
    let mut params = Vec::new();
    let mut params_bytes = 0;
    for (s, step) in plan.steps.iter().enumerate().filter(|(_, s)| s.op == "param") {
        let fail = |m: String| CudaError::Step { rank, step: s, op: step.op.clone(), message: m };
        let name = step.attrs().str("name").map_err(fail)?.to_string();
        let &r = step.results.first().ok_or_else(|| fail("has no result".into()))?;
        let info = infos[r as usize].clone();
        if info.dtype.float_code().is_none() {
            return Err(fail(format!(
                "parameter '{name}' is {}; the CUDA backend holds f32, bf16 and f16 parameters",
                info.dtype.name()
            )));
        }
        let role = roles[r as usize].ok_or_else(|| fail(format!("parameter '{name}' has no role")))?;
        addrs[r as usize] = Some(Addr { region: Region::Params, off: params_bytes });
        params.push(ParamSlot { value: r, name, role, off: params_bytes, info: info.clone() });
        params_bytes = align_up(params_bytes + info.bytes, ALIGN);
    }

    let comm_keys = all_comm_keys(plan).map_err(plan_error)?;
    let comm_index = comm_keys.iter().enumerate().map(|(i, k)| (k.clone(), i)).collect();
    let (host_places, host) = layout::host_places(plan, &infos);
    for &(v, off) in &host_places {
        addrs[v as usize] = Some(Addr { region: Region::Host, off });
    }
    let mut streams: BTreeSet<u32> = plan.steps.iter().filter_map(collective_stream).collect();
    if !host_places.is_empty() {
        streams.insert(COPY_STREAM);
    }
    let streams: Vec<u32> = streams.into_iter().collect();
    let mut wait_result = HashMap::new();
    for (start, wait) in layout::async_pairs(plan).map_err(plan_error)? {
        if let Some(&r) = plan.steps[wait].results.first() {
            wait_result.insert(start, r);
        }
    }
    let mut b = Builder {
        plan,
        rank,
        scratch: vec![0; streams.len()],
        work: 0,
        fallback: 0,
        saves: HashMap::new(),
        losses: HashMap::new(),
        saved: 0,
        streams,
        infos,
        addrs,
        consts: Vec::new(),
        comm_index,
        wait_result,
        token_of: HashMap::new(),
        tokens: 0,
        gemms: Vec::new(),
        cmds: Vec::new(),
        fixed: fixed_values(plan),
        folds: folds.into_iter().collect(),
        folded: Vec::new(),
        copies: Vec::new(),
        lowering,
    };
    b.plan_saves();
    b.pair_losses();
    for (s, step) in plan.steps.iter().enumerate() {
        b.step(s, step).map_err(|message| CudaError::Step { rank, step: s, op: step.op.clone(), message })?;
    }
    b.wait_for_copies(&live);
    let place = |v: &u32, what: &str| {
        b.addrs[*v as usize]
            .map(|a| (*v, a))
            .ok_or_else(|| plan_error(format!("{what} %{v} has no device memory (is it a token or unused?)")))
    };
    let inputs = plan.inputs.iter().map(|v| place(v, "input")).collect::<Result<Vec<_>, _>>()?;
    let outputs = plan.outputs.iter().map(|v| place(v, "output")).collect::<Result<Vec<_>, _>>()?;
    let low_precision = b.infos.iter().any(|i| i.dtype.is_low_precision());
    Ok(Program {
        rank,
        addrs: b.addrs,
        arena,
        params,
        params_bytes,
        consts: b.consts,
        scratch: b.scratch,
        work: b.work,
        fallback: b.fallback,
        saved: b.saved,
        host,
        streams: b.streams,
        cmds: b.cmds,
        comm_keys,
        tokens: b.tokens,
        gemms: b.gemms,
        inputs,
        outputs,
        low_precision,
        infos: b.infos,
        op_names: plan.steps.iter().map(|s| s.op.clone()).collect(),
        step_results: {
            // A folded add's result is written by the step before, in place of the operand
            // that step no longer writes (what `--check-steps` compares after it).
            let mut r: Vec<Vec<u32>> = plan.steps.iter().map(|s| s.results.clone()).collect();
            for &(s, made) in &b.folded {
                if let Some(v) = r[s - 1].iter_mut().find(|v| **v == made) {
                    *v = plan.steps[s].results[0];
                }
            }
            r
        },
        deterministic: false,
    })
}

/// The stream of offloads and reloads (a copy engine's, beside the compute and NCCL streams).
pub const COPY_STREAM: u32 = 1 << 16;

impl Builder<'_> {
    /// Where the compute stream waits for each offload and reload (inserted `Cmd::Wait`s). An
    /// offload's source is read by its copy until the first command after the source's last
    /// use, where its bytes may be written again (the arena frees them at that use, as
    /// `seq-recompute` prices it). A reload's result is waited for before the first command
    /// that may read it (a command reads the operands of the step after its own where it
    /// folds an add). With none, the wait ends the run.
    fn wait_for_copies(&mut self, live: &[Option<layout::Live>]) {
        let mut waits: Vec<(usize, usize)> = Vec::new(); // (before command, token)
        for &(s, at, token) in &self.copies {
            let step = &self.plan.steps[s];
            let ready = if step.op == "offload" {
                let last = step.operands.first().and_then(|&x| live[x as usize]).map_or(s, |l| l.last.max(s));
                (at + 1..self.cmds.len()).find(|&i| self.cmds[i].0 > last)
            } else {
                let r = step.results.first().copied();
                let first = self.plan.steps.iter().enumerate().skip(s + 1).find(|(_, st)| r.is_some_and(|r| st.operands.contains(&r)));
                first.and_then(|(k, _)| (at + 1..self.cmds.len()).find(|&i| self.cmds[i].0 + 1 >= k))
            };
            waits.push((ready.unwrap_or(self.cmds.len()), token));
        }
        if waits.is_empty() {
            return;
        }
        waits.sort_unstable();
        let last_step = self.cmds.last().map_or(0, |c| c.0);
        let mut out = Vec::with_capacity(self.cmds.len() + waits.len());
        let mut due = waits.into_iter().peekable();
        for (i, cmd) in std::mem::take(&mut self.cmds).into_iter().enumerate() {
            while let Some((_, token)) = due.next_if(|(at, _)| *at <= i) {
                out.push((cmd.0, Cmd::Wait { token }));
            }
            out.push(cmd);
        }
        out.extend(due.map(|(_, token)| (last_step, Cmd::Wait { token })));
        self.cmds = out;
    }

    fn info(&self, step: &Step, i: usize) -> Result<(u32, &ValueInfo), String> {
        let v = *step.operands.get(i).ok_or_else(|| format!("missing operand #{i}"))?;
        Ok((v, &self.infos[v as usize]))
    }

    fn addr(&self, v: u32) -> Result<Addr, String> {
        self.addrs[v as usize].ok_or_else(|| format!("%{v} has no device memory"))
    }

    /// Operand `i`: address and info.
    fn operand(&self, step: &Step, i: usize) -> Result<(Addr, ValueInfo), String> {
        let (v, info) = self.info(step, i)?;
        Ok((self.addr(v)?, info.clone()))
    }

    fn result(&self, step: &Step, i: usize) -> Result<(Addr, ValueInfo), String> {
        let v = *step.results.get(i).ok_or_else(|| format!("missing result #{i}"))?;
        Ok((self.addr(v)?, self.infos[v as usize].clone()))
    }

    fn float(info: &ValueInfo, what: &str) -> Result<DType, String> {
        match info.dtype.float_code() {
            Some(_) => Ok(info.dtype),
            None if info.dtype == DType::F64 => Err(format!(
                "{what} is f64; the CUDA backend computes f32, bf16 and f16 (f64 is for CPU reference runs)"
            )),
            None => Err(format!("{what} must be a float tensor, got {}", info.dtype.name())),
        }
    }

    fn int(info: &ValueInfo, what: &str) -> Result<DType, String> {
        match info.dtype.int_code() {
            Some(_) => Ok(info.dtype),
            None => Err(format!("{what} must be an i32 or i64 tensor, got {}", info.dtype.name())),
        }
    }

    /// Appends a constant table; returns its address.
    fn constant(&mut self, bytes: &[u8]) -> Addr {
        let off = align_up(self.consts.len(), ALIGN);
        self.consts.resize(off, 0);
        self.consts.extend_from_slice(bytes);
        Addr { region: Region::Consts, off }
    }

    fn rows_table(&mut self, rows: &[Option<usize>]) -> Result<Addr, String> {
        let mut bytes = Vec::with_capacity(rows.len() * 4);
        for r in rows {
            let v = match r {
                Some(r) => i32::try_from(*r).map_err(|_| format!("row {r} does not fit in i32"))?,
                None => -1,
            };
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        Ok(self.constant(&bytes))
    }

    fn push(&mut self, s: usize, cmd: Cmd) {
        self.cmds.push((s, cmd));
    }

    /// Temporaries of one command, laid out from the start of `Region::Work`.
    fn work(&mut self, bytes: &[usize]) -> Vec<Addr> {
        let (addrs, end) = Self::laid_out(Region::Work, bytes);
        self.work = self.work.max(end);
        addrs
    }

    /// Temporaries of an attention backward's NVRTC kernels, laid out from the start of
    /// `Region::Fallback`.
    fn fallback(&mut self, bytes: &[usize]) -> Vec<Addr> {
        let (addrs, end) = Self::laid_out(Region::Fallback, bytes);
        self.fallback = self.fallback.max(end);
        addrs
    }

    fn laid_out(region: Region, bytes: &[usize]) -> (Vec<Addr>, usize) {
        let mut off = 0;
        let addrs = bytes
            .iter()
            .map(|&b| {
                let a = Addr { region, off };
                off = align_up(off + b, ALIGN);
                a
            })
            .collect();
        (addrs, off)
    }

    fn gemm(&mut self, s: usize, y: Addr, x: Addr, w: Addr, key: GemmKey) {
        self.prepare(key);
        self.push(s, Cmd::Gemm { y, x, w, key, addend: None });
    }

    /// Folds `y = a + b` into the command just before it (`layout::foldable_adds`, whose
    /// result lives from that step on): a GEMM then adds the other operand in its epilogue (C),
    /// a norm's backward adds it to dx, and either writes y; the add's own pass over memory
    /// goes. Kept as an add where the step before lowered to something else (a bias after the
    /// GEMM, several commands), or where y would overlap what that command reads.
    fn fold_add(&mut self, s: usize, step: &Step, y: Addr) -> bool {
        let (Some(&made_v), Some(&(p, _))) = (self.folds.get(&s), self.cmds.last()) else { return false };
        let bytes = self.infos[step.results[0] as usize].bytes;
        let Some(&other) = step.operands.iter().find(|&&v| v != made_v) else { return false };
        let (Some(made_at), Some(c)) = (self.addrs[made_v as usize], self.addrs[other as usize]) else { return false };
        let overlaps = |u: Addr, ub: usize| u.region == y.region && u.off < y.off + bytes && y.off < u.off + ub;
        if p + 1 != s || overlaps(c, bytes) {
            return false;
        }
        let Some((_, cmd)) = self.cmds.last_mut() else { return false };
        match cmd {
            Cmd::Gemm { y: gy, x, w, key, addend: None } if *gy == made_at && !key.accumulate && key.ydt.size() * key.rows * key.out == bytes => {
                let [nx, nw, _] = key.sizes();
                if overlaps(*x, nx * key.dtype.size()) || overlaps(*w, nw * key.dtype.size()) {
                    return false;
                }
                let [ax, aw, ay] = key.align;
                let key = GemmKey { accumulate: true, align: [ax, aw, ay.min(alignment(y.off)).min(alignment(c.off))], ..*key };
                *cmd = Cmd::Gemm { y, x: *x, w: *w, key, addend: Some(c) };
                self.prepare(key);
                self.folded.push((s, made_v));
                true
            }
            Cmd::NormGrad { dx, x, w, dy, dt, rows, hidden, wdt, addend: addend @ None, .. } if *dx == made_at => {
                let n = *rows * *hidden * dt.size();
                if overlaps(*x, n) || overlaps(*dy, n) || overlaps(*w, *hidden * wdt.size()) {
                    return false;
                }
                *dx = y;
                *addend = Some(c);
                self.folded.push((s, made_v));
                true
            }
            _ => false,
        }
    }

    /// Registers a GEMM shape for the executor to plan at setup.
    fn prepare(&mut self, key: GemmKey) {
        if !self.gemms.contains(&key) {
            self.gemms.push(key);
        }
    }

    /// Lowers one step. `Plan::check` has held it to the op table (operand count, shapes,
    /// element types, attributes); what is checked here is this backend's own (f64 is not
    /// computed, results keep their operands' element type where a kernel needs it).
    fn step(&mut self, s: usize, step: &Step) -> Result<(), String> {
        use OpKind::*;
        let a = step.attrs();
        let kind = step.kind().ok_or_else(|| format!("unknown op '{}'", step.op))?;
        match kind {
            Param => Ok(()),
            Embedding => {
                let ((ids, ii), (table, ti)) = (self.operand(step, 0)?, self.operand(step, 1)?);
                let (out, oi) = self.result(step, 0)?;
                let cmd = Cmd::Embedding {
                    out,
                    odt: Self::float(&oi, "result")?,
                    ids,
                    it: Self::int(&ii, "ids")?,
                    table,
                    tdt: Self::float(&ti, "table")?,
                    rows: ii.numel,
                    hidden: ti.shape[1],
                    vocab: ti.shape[0],
                    scale: embedding_scale(a)? as f32,
                };
                self.push(s, cmd);
                Ok(())
            }
            RmsNorm | LayerNorm => {
                let (x, xi) = self.operand(step, 0)?;
                let (out, _) = self.result(step, 0)?;
                // Groups of `group` columns are rows of that width (they are contiguous).
                let hidden = self.operand(step, 1)?.1.numel;
                let dt = Self::float(&xi, "input")?;
                let mut params = Vec::new();
                for i in 1..step.operands.len() {
                    let (p, pi) = self.operand(step, i)?;
                    params.push((p, Self::float(&pi, "weight")?));
                }
                let eps = a.float("eps")? as f32;
                let rows = xi.numel.checked_div(hidden).unwrap_or(0);
                let cmd = if kind == LayerNorm {
                    Cmd::LayerNorm {
                        out,
                        x,
                        w: params[0].0,
                        b: params[1].0,
                        dt,
                        wdt: params[0].1,
                        bdt: params[1].1,
                        rows,
                        hidden,
                        eps,
                    }
                } else {
                    Cmd::RmsNorm { out, x, w: params[0].0, dt, wdt: params[0].1, rows, hidden, eps, offset: norm_offset(a, true)? as f32 }
                };
                self.push(s, cmd);
                Ok(())
            }
            Linear | Logits => {
                let ((x, xi), (w, wi)) = (self.operand(step, 0)?, self.operand(step, 1)?);
                let (y, _) = self.result(step, 0)?;
                let ((rows, inp), out) = ((xi.shape[0], xi.shape[1]), wi.shape[0]);
                let dt = Self::float(&xi, "input")?;
                let key = GemmKey::linear(dt, rows, inp, out, [alignment(x.off), alignment(w.off), alignment(y.off)]);
                self.gemm(s, y, x, w, key);
                if step.operands.len() == 3 {
                    let (bias, bi) = self.operand(step, 2)?;
                    let bdt = Self::float(&bi, "bias")?;
                    self.push(s, Cmd::AddBias { y, dt, b: bias, bdt, rows, cols: out });
                }
                if kind == Logits && a.has("softcap") {
                    let cap = a.float("softcap")? as f32;
                    self.push(s, Cmd::Softcap { y, dt, n: rows * out, cap });
                }
                Ok(())
            }
            Rope | RopeGrad => {
                let ((x, xi), (pos, pi)) = (self.operand(step, 0)?, self.operand(step, 1)?);
                let (out, _) = self.result(step, 0)?;
                let r = RopeAttrs::read(a)?;
                let (dt, it) = (Self::float(&xi, "input")?, Self::int(&pi, "positions")?);
                let (rows, cols) = (xi.shape[0], xi.shape[1]);
                let (head_dim, rotary) = (r.head_dim, r.rotary_dim);
                let freqs: Vec<u8> = r.inv_freq().iter().flat_map(|f| f.to_le_bytes()).collect();
                let freqs = self.constant(&freqs);
                let inverse = kind == RopeGrad;
                self.push(s, Cmd::Rope { out, x, dt, pos, it, rows, cols, head_dim, rotary, freqs, inverse });
                Ok(())
            }
            Attention | AttentionPartial => self.attention(s, step, a, kind == AttentionPartial),
            LseMerge => {
                let ops: Vec<Addr> = (0..4).map(|i| self.operand(step, i).map(|o| o.0)).collect::<Result<_, _>>()?;
                let ((o, oi), (l, li)) = (self.result(step, 0)?, self.result(step, 1)?);
                let ((rows, cols), heads) = ((oi.shape[0], oi.shape[1]), li.shape[1]);
                let cmd = Cmd::LseMerge { o, l, oa: ops[0], la: ops[1], ob: ops[2], lb: ops[3], rows, heads, cols };
                self.push(s, cmd);
                Ok(())
            }
            Silu | Gelu => {
                let (x, xi) = self.operand(step, 0)?;
                let (y, _) = self.result(step, 0)?;
                let dt = Self::float(&xi, "input")?;
                let op = match kind {
                    Silu => 0,
                    _ if gelu_tanh(a)? => 2,
                    _ => 1,
                };
                self.push(s, Cmd::Unary { op, dt, x, y, n: xi.numel });
                Ok(())
            }
            Mul | Add | Swiglu => {
                let ((x, xi), (z, _)) = (self.operand(step, 0)?, self.operand(step, 1)?);
                let (y, _) = self.result(step, 0)?;
                let dt = Self::float(&xi, "lhs")?;
                let op = match kind {
                    Mul => 0,
                    Add => 1,
                    _ => 2,
                };
                if kind == Add && self.fold_add(s, step, y) {
                    return Ok(());
                }
                self.push(s, Cmd::Binary { op, dt, a: x, b: z, y, n: xi.numel });
                Ok(())
            }
            Convert => {
                let (x, xi) = self.operand(step, 0)?;
                let (y, yi) = self.result(step, 0)?;
                let (xdt, ydt) = (Self::float(&xi, "input")?, Self::float(&yi, "result")?);
                let cmd = if xdt == ydt {
                    Cmd::Move(Move::Copy { dst: y, src: x, bytes: xi.bytes })
                } else {
                    Cmd::Convert { x, xdt, y, ydt, n: xi.numel }
                };
                self.push(s, cmd);
                Ok(())
            }
            Shard => {
                let (x, xi) = self.operand(step, 0)?;
                let (y, _) = self.result(step, 0)?;
                let spec = ShardSpec::read(a)?;
                let dim = a.index("dim")?;
                let r = self.coord(&a, spec.shards, "num_shards")?;
                let idx = self.rows_table(&spec.rows(r))?;
                let (outer, extent, inner) = around(&xi.shape, dim);
                let gather = Move::Gather {
                    dst: y,
                    src: x,
                    idx,
                    outer,
                    nidx: spec.local_rows(),
                    extent,
                    inner_bytes: inner * xi.dtype.size(),
                };
                self.push(s, Cmd::Move(gather));
                Ok(())
            }
            TokenIndex => {
                let (y, yi) = self.result(step, 0)?;
                let spec = ShardSpec::read(a)?;
                let r = self.coord(&a, spec.shards, "num_shards")?;
                let mut bytes = Vec::new();
                for g in spec.rows(r) {
                    let v = g.map_or(-1, |g| g as i64);
                    let v = i32::try_from(v).map_err(|_| format!("index {v} does not fit in i32"))?;
                    bytes.extend_from_slice(&v.to_le_bytes());
                }
                let src = self.constant(&bytes);
                self.push(s, Cmd::Move(Move::Copy { dst: y, src, bytes: yi.bytes }));
                Ok(())
            }
            Slice => {
                let (x, xi) = self.operand(step, 0)?;
                let (y, _) = self.result(step, 0)?;
                let (dim, start, size) = (a.index("dim")?, a.index("start")?, a.count("size")?);
                let c = slice_copy(&xi.shape, xi.dtype.size(), dim, start, size);
                self.push(s, Cmd::Move(Move::Copies(vec![(y, x, c)])));
                Ok(())
            }
            Concat => {
                let dim = a.index("dim")?;
                let parts: Vec<(Addr, ValueInfo)> =
                    (0..step.operands.len()).map(|i| self.operand(step, i)).collect::<Result<_, _>>()?;
                let (y, _) = self.result(step, 0)?;
                let shapes: Vec<&[usize]> = parts.iter().map(|p| &p.1.shape[..]).collect();
                let copies = concat_copies(&shapes, parts[0].1.dtype.size(), dim);
                let list = parts.iter().zip(copies).map(|((src, _), c)| (y, *src, c)).collect();
                self.push(s, Cmd::Move(Move::Copies(list)));
                Ok(())
            }
            Unshard => self.unshard(s, step, &a),
            AllToAll | AllGather | ReduceScatter | AllReduce | CollectivePermute => {
                let result = step.results[0];
                self.collective(s, step, &a, Collective::read(kind, a)?, 0, result, None)
            }
            AsyncStart => {
                let (_, op) = Collective::started(a)?;
                let stream = collective_stream(step).unwrap_or(1);
                let result = *self.wait_result.get(&s).ok_or("its token is never waited on")?;
                let token = self.tokens;
                self.tokens += 1;
                self.token_of.insert(step.results[0], token);
                self.collective(s, step, &a, op, stream, result, Some(token))
            }
            Pad | ShardGrad => {
                // Rows move to their new places, zeros elsewhere: one gather over a row table.
                let (x, xi) = self.operand(step, 0)?;
                let (y, yi) = self.result(step, 0)?;
                let dim = a.index("dim")?;
                let rows: Vec<Option<usize>> = if kind == Pad {
                    let (before, extent) = (a.index("before")?, xi.shape[dim]);
                    (0..yi.shape[dim]).map(|i| (before..before + extent).contains(&i).then(|| i - before)).collect()
                } else {
                    let spec = ShardSpec::read(a)?;
                    spec.place_of(self.coord(&a, spec.shards, "num_shards")?)
                };
                let idx = self.rows_table(&rows)?;
                let (outer, extent, inner) = around(&xi.shape, dim);
                let inner_bytes = inner * xi.dtype.size();
                self.push(s, Cmd::Move(Move::Gather { dst: y, src: x, idx, outer, nidx: rows.len(), extent, inner_bytes }));
                Ok(())
            }
            // A copy between device and host memory on the copy stream, which starts where the
            // compute stream is; the compute stream waits for it where `wait_for_copies` says.
            Offload | Reload => {
                let (x, xi) = self.operand(step, 0)?;
                let (y, _) = self.result(step, 0)?;
                let token = self.tokens;
                self.tokens += 1;
                self.copies.push((s, self.cmds.len(), token));
                let work = vec![Work::Move(Move::Copy { dst: y, src: x, bytes: xi.bytes })];
                self.push(s, Cmd::Collective { stream: COPY_STREAM, comm: None, token: Some(token), work });
                Ok(())
            }
            LabelCount => {
                let (labels, li) = self.operand(step, 0)?;
                let index = self.int_operand(step, 1)?;
                let (out, _) = self.result(step, 0)?;
                let cmd = Cmd::LabelCount { out, labels: (labels, Self::int(&li, "labels")?), index, n: li.numel };
                self.push(s, cmd);
                Ok(())
            }
            CrossEntropy | CrossEntropyGrad => self.cross_entropy(s, step, kind == CrossEntropyGrad),
            EmbeddingGrad => {
                let ((ids, ii), (dy, di)) = (self.operand(step, 0)?, self.operand(step, 1)?);
                let (out, oi) = self.result(step, 0)?;
                let cmd = Cmd::EmbeddingGrad {
                    out,
                    ids,
                    it: Self::int(&ii, "ids")?,
                    dy,
                    dt: Self::float(&di, "output_grad")?,
                    rows: ii.numel,
                    hidden: oi.shape[1],
                    vocab: oi.shape[0],
                    scale: embedding_scale(a)? as f32,
                };
                self.push(s, cmd);
                Ok(())
            }
            RmsNormGrad | LayerNormGrad => {
                let layer = kind == LayerNormGrad;
                let ((x, xi), (w, wi)) = (self.operand(step, 0)?, self.operand(step, 1)?);
                let (dy, _) = self.operand(step, if layer { 3 } else { 2 })?;
                let ((dx, _), (dw, _)) = (self.result(step, 0)?, self.result(step, 1)?);
                let db = if layer { Some(self.result(step, 2)?.0) } else { None };
                // The weight's length: the normalised width (`group`, or the last dim).
                let hidden = wi.numel;
                let rows = xi.numel.checked_div(hidden).unwrap_or(0);
                let parts = Self::parts(rows);
                let [work, stats] = self.work(&[(1 + layer as usize) * parts * hidden * 4, rows.max(1) * 8])[..] else {
                    unreachable!("two work buffers were asked for")
                };
                let cmd = Cmd::NormGrad {
                    dx,
                    x,
                    w,
                    dy,
                    dt: Self::float(&xi, "input")?,
                    wdt: Self::float(&wi, "weight")?,
                    rows,
                    hidden,
                    eps: a.float("eps")? as f32,
                    dw,
                    db,
                    work,
                    parts,
                    stats,
                    offset: norm_offset(a, !layer)? as f32,
                    addend: None,
                };
                self.push(s, cmd);
                Ok(())
            }
            LinearGradInput | LinearGradWeight => {
                // dx[rows, in] = dy[rows, out] · w[out, in]; dw[out, in] = dyᵀ · x, in f32.
                let ((dy, di), (m, mi)) = (self.operand(step, 0)?, self.operand(step, 1)?);
                let (y, yi) = self.result(step, 0)?;
                let dt = Self::float(&di, "output_grad")?;
                if mi.dtype != dt {
                    return Err(format!("{} is {} but output_grad is {}", if kind == LinearGradInput { "weight" } else { "input" }, mi.dtype.name(), dt.name()));
                }
                let align = [alignment(dy.off), alignment(m.off), alignment(y.off)];
                let (rows, out) = (di.shape[0], di.shape[1]);
                let key = if kind == LinearGradInput {
                    GemmKey { ydt: yi.dtype, form: GemmForm::Nn, ..GemmKey::linear(dt, rows, out, mi.shape[1], align) }
                } else {
                    GemmKey { ydt: yi.dtype, form: GemmForm::Tn, ..GemmKey::linear(dt, out, rows, mi.shape[1], align) }
                };
                self.gemm(s, y, dy, m, key);
                Ok(())
            }
            BiasGrad => {
                let (dy, di) = self.operand(step, 0)?;
                let (out, _) = self.result(step, 0)?;
                let (rows, cols) = (di.shape[0], di.shape[1]);
                let parts = Self::parts(rows);
                let work = self.work(&[parts * cols * 4])[0];
                let dt = Self::float(&di, "output_grad")?;
                self.push(s, Cmd::ColumnSum { out, x: dy, dt, rows, cols, work, parts });
                Ok(())
            }
            SiluGrad | GeluGrad => {
                let ((x, xi), (dy, _)) = (self.operand(step, 0)?, self.operand(step, 1)?);
                let (y, _) = self.result(step, 0)?;
                let op = match kind {
                    SiluGrad => 3,
                    _ if gelu_tanh(a)? => 5,
                    _ => 4,
                };
                self.push(s, Cmd::Binary { op, dt: Self::float(&xi, "input")?, a: x, b: dy, y, n: xi.numel });
                Ok(())
            }
            SwigluGrad => {
                let ((g, gi), (u, _), (dy, _)) = (self.operand(step, 0)?, self.operand(step, 1)?, self.operand(step, 2)?);
                let ((dg, _), (du, _)) = (self.result(step, 0)?, self.result(step, 1)?);
                let dt = Self::float(&gi, "gate")?;
                self.push(s, Cmd::SwigluGrad { dt, g, u, dy, dg, du, n: gi.numel });
                Ok(())
            }
            AttentionGrad | AttentionPartialGrad => self.attention_grad(s, step, a, kind == AttentionPartialGrad),
            AsyncWait => {
                let t = step.operands[0];
                let token =
                    *self.token_of.get(&t).ok_or_else(|| format!("operand %{t} is not a token from async_start"))?;
                self.push(s, Cmd::Wait { token });
                Ok(())
            }
        }
    }

    /// This rank's coordinate on the step's `axis`; the axis size must equal `count`.
    fn coord(&self, a: &Attrs, count: usize, what: &str) -> Result<usize, String> {
        let axis = a.str("axis")?;
        let (coord, size) =
            self.plan.axis_coord(axis, self.rank).ok_or_else(|| format!("unknown mesh axis '{axis}'"))?;
        if size != count {
            return Err(format!("{what} is {count} but axis '{axis}' has {size} ranks"));
        }
        Ok(coord)
    }

    /// This rank's group on the step's axis, its position in it, and the communicator.
    fn group(&self, a: &Attrs, stream: u32) -> Result<(Vec<usize>, usize, Option<usize>), String> {
        let axis = a.str("axis")?;
        let group = self.plan.axis_group(axis, self.rank).ok_or_else(|| format!("unknown mesh axis '{axis}'"))?;
        let me = group.iter().position(|&r| r == self.rank).ok_or("this rank is not in its own axis group")?;
        let comm = if group.len() > 1 {
            let key = CommKey { stream, axis: axis.to_string(), group: group.clone() };
            Some(*self.comm_index.get(&key).ok_or("internal: no communicator for this group")?)
        } else {
            None
        };
        Ok((group, me, comm))
    }

    fn scratch(&mut self, stream: u32, bytes: usize) -> Result<Region, String> {
        let i = self.streams.binary_search(&stream).map_err(|_| format!("internal: stream {stream} has no scratch"))?;
        self.scratch[i] = self.scratch[i].max(bytes);
        Ok(Region::Scratch(i))
    }

    /// Lowers collective `name` of operand 0 into `result` (the async_wait's value for async).
    #[allow(clippy::too_many_arguments)]
    fn collective(
        &mut self,
        s: usize,
        step: &Step,
        a: &Attrs,
        op: Collective,
        stream: u32,
        result: u32,
        token: Option<usize>,
    ) -> Result<(), String> {
        let (group, me, comm) = self.group(a, stream)?;
        let g = group.len();
        if a.count("group_size")? != g {
            return Err(format!(
                "group_size is {} but axis '{}' has {g} ranks",
                a.count("group_size")?,
                a.str("axis")?
            ));
        }
        let (x, xi) = self.operand(step, 0)?;
        let y = self.addr(result)?;
        let es = xi.dtype.size();
        if xi.dtype == DType::Token {
            return Err("cannot move a token".into());
        }
        // The op table has checked the dims against the shape.
        let dim_of = |d: usize| around(&xi.shape, d);
        let work = if g == 1 {
            // A group of one: every collective is the identity.
            vec![Work::Move(Move::Copy { dst: y, src: x, bytes: xi.bytes })]
        } else {
            match op {
                Collective::AllGather { dim } => {
                    let (outer, _, _) = dim_of(dim);
                    if outer == 1 {
                        vec![Work::AllGather { send: x, recv: y, bytes: xi.bytes }]
                    } else {
                        let buf = Addr { region: self.scratch(stream, g * xi.bytes)?, off: 0 };
                        let copies = concat_unpack(&xi.shape, es, dim, g).into_iter().map(|c| (y, buf, c)).collect();
                        vec![Work::AllGather { send: x, recv: buf, bytes: xi.bytes }, Work::Move(Move::Copies(copies))]
                    }
                }
                Collective::ReduceScatter { dim, reduction } => {
                    let (outer, _, _) = dim_of(dim);
                    let count = xi.numel / g;
                    if outer == 1 {
                        vec![Work::ReduceScatter { send: x, recv: y, count, dtype: xi.dtype, op: reduction }]
                    } else {
                        let buf = Addr { region: self.scratch(stream, xi.bytes)?, off: 0 };
                        let copies = split_pack(&xi.shape, es, dim, g).into_iter().map(|c| (buf, x, c)).collect();
                        vec![
                            Work::Move(Move::Copies(copies)),
                            Work::ReduceScatter { send: buf, recv: y, count, dtype: xi.dtype, op: reduction },
                        ]
                    }
                }
                Collective::AllReduce { reduction } => {
                    vec![Work::AllReduce { send: x, recv: y, count: xi.numel, dtype: xi.dtype, op: reduction }]
                }
                Collective::Permute { shift } => {
                    // The shift modulo the group first: any i64 shift is a rotation.
                    let shift = shift.rem_euclid(g as i64) as usize;
                    let (to, from) = ((me + shift) % g, (me + g - shift) % g);
                    if to == me {
                        vec![Work::Move(Move::Copy { dst: y, src: x, bytes: xi.bytes })]
                    } else {
                        vec![Work::SendRecv { sends: vec![(x, xi.bytes, to)], recvs: vec![(y, xi.bytes, from)] }]
                    }
                }
                Collective::AllToAll { split_dim, concat_dim } => {
                    let part = xi.bytes / g;
                    let pack = dim_of(split_dim).0 != 1;
                    let unpack = dim_of(concat_dim).0 != 1;
                    let need = if pack { xi.bytes } else { 0 } + if unpack { xi.bytes } else { 0 };
                    let region = if need > 0 { Some(self.scratch(stream, need)?) } else { None };
                    let mut work = Vec::new();
                    let send_base = match (pack, region) {
                        (true, Some(region)) => {
                            let buf = Addr { region, off: 0 };
                            let copies =
                                split_pack(&xi.shape, es, split_dim, g).into_iter().map(|c| (buf, x, c)).collect();
                            work.push(Work::Move(Move::Copies(copies)));
                            buf
                        }
                        _ => x,
                    };
                    let recv_base = match (unpack, region) {
                        (true, Some(region)) => Addr { region, off: if pack { xi.bytes } else { 0 } },
                        _ => y,
                    };
                    let sends = (0..g).map(|p| (send_base.at(p * part), part, p)).collect();
                    let recvs = (0..g).map(|p| (recv_base.at(p * part), part, p)).collect();
                    work.push(Work::SendRecv { sends, recvs });
                    if unpack {
                        let mut part_shape = xi.shape.clone();
                        part_shape[split_dim] /= g;
                        let copies = concat_unpack(&part_shape, es, concat_dim, g)
                            .into_iter()
                            .map(|c| (y, recv_base, c))
                            .collect();
                        work.push(Work::Move(Move::Copies(copies)));
                    }
                    work
                }
            }
        };
        self.push(s, Cmd::Collective { stream, comm, token, work });
        Ok(())
    }

    /// Gathers every shard along `dim` over the axis group (an NCCL all-gather on the compute
    /// stream) and puts rows back in global order, dropping padding.
    fn unshard(&mut self, s: usize, step: &Step, a: &Attrs) -> Result<(), String> {
        let (x, xi) = self.operand(step, 0)?;
        let (y, _) = self.result(step, 0)?;
        let spec = ShardSpec::read(*a)?;
        let dim = a.index("dim")?;
        self.coord(a, spec.shards, "num_shards")?;
        let local = spec.local_rows();
        let (group, _, comm) = self.group(a, 0)?;
        let g = group.len();
        if g != spec.shards {
            return Err(format!("num_shards is {} but the axis group has {g} ranks", spec.shards));
        }
        let es = xi.dtype.size();
        let (outer, _, inner) = around(&xi.shape, dim);
        let mut work = Vec::new();
        if g > 1 && outer == 1 {
            // Rows go straight to their global place: every shard's runs of consecutive global
            // rows are sent to every other rank and copied locally, with no staging buffer and
            // no reordering pass (zigzag chunks, padding).
            let me = self.coord(a, spec.shards, "num_shards")?;
            let rb = inner * es;
            // (local row, global row, length) of each run of shard r.
            let runs = |r: usize| -> Vec<(usize, usize, usize)> {
                let rows: Vec<i64> = spec.rows(r).into_iter().map(|g| g.map_or(-1, |g| g as i64)).collect();
                layout::runs(&rows).into_iter().map(|run| (run.row, run.first as usize, run.len)).collect()
            };
            let mine = runs(me);
            let others = (0..g).filter(|&p| p != me);
            let sends =
                others.clone().flat_map(|p| mine.iter().map(move |&(l, _, n)| (x.at(l * rb), n * rb, p))).collect();
            let recvs =
                others.flat_map(|p| runs(p).into_iter().map(move |(_, gl, n)| (y.at(gl * rb), n * rb, p))).collect();
            work.push(Work::SendRecv { sends, recvs });
            // One work item on every rank (ranks hold different numbers of runs).
            let copies = mine
                .into_iter()
                .map(|(l, gl, n)| {
                    let c = Copy2d {
                        dst: gl * rb,
                        dst_pitch: n * rb,
                        src: l * rb,
                        src_pitch: n * rb,
                        rows: 1,
                        width: n * rb,
                    };
                    (y, x, c)
                })
                .collect();
            work.push(Work::Move(Move::Copies(copies)));
            self.push(s, Cmd::Collective { stream: 0, comm, token: None, work });
            return Ok(());
        }
        let order: Vec<Option<usize>> = spec.gather_order().into_iter().map(Some).collect();
        let idx = self.rows_table(&order)?;
        let source = if g == 1 {
            x
        } else {
            let need = if outer == 1 { g * xi.bytes } else { 2 * g * xi.bytes };
            let region = self.scratch(0, need)?;
            let gathered = Addr { region, off: 0 };
            work.push(Work::AllGather { send: x, recv: gathered, bytes: xi.bytes });
            if outer == 1 {
                gathered
            } else {
                let joined = Addr { region, off: g * xi.bytes };
                let copies = concat_unpack(&xi.shape, es, dim, g).into_iter().map(|c| (joined, gathered, c)).collect();
                work.push(Work::Move(Move::Copies(copies)));
                joined
            }
        };
        work.push(Work::Move(Move::Gather {
            dst: y,
            src: source,
            idx,
            outer,
            nidx: spec.global,
            extent: g * local,
            inner_bytes: inner * es,
        }));
        self.push(s, Cmd::Collective { stream: 0, comm, token: None, work });
        Ok(())
    }

    fn attention(&mut self, s: usize, step: &Step, a: Attrs, partial: bool) -> Result<(), String> {
        let (out, oi) = self.result(step, 0)?;
        let out = (out, Self::float(&oi, "result")?);
        let cmd = if partial {
            // f32 output: merged with other partials later.
            let lse = self.result(step, 1)?.0;
            let segs = (step.operands.len() == 7).then_some((5, 6));
            self.attention_cmd(step, a, Some((3, 4)), segs, out, Some(lse))?
        } else {
            let segs = (step.operands.len() == 4).then_some((3, 3));
            self.attention_cmd(step, a, None, segs, out, None)?
        };
        let cmd = AttentionCmd { save: self.saves.get(&s).copied(), ..cmd };
        self.push(s, Cmd::Attention(Box::new(cmd)));
        Ok(())
    }

    /// Pairs each whole `attention_grad` with the forward `attention` of the same q, k, v (and
    /// segment ids: packed documents run cuDNN's ragged graphs) and attributes, where both fit
    /// cuDNN's fused paths (bf16/f16, no index vectors, a window only under the causal mask): the
    /// forward then keeps its output and statistics in `Region::Saved`, so the backward need not
    /// recompute them (the whole form's operands do not carry them).
    fn plan_saves(&mut self) {
        let plan = self.plan;
        for (sb, grad) in plan.steps.iter().enumerate().filter(|(_, s)| s.op == "attention_grad") {
            // q, k, v, dout[, segment ids]
            let segs = match grad.operands.len() {
                4 => None,
                5 => Some(grad.operands[4]),
                _ => continue,
            };
            let same = |f: &Step| {
                f.op == "attention" && f.operands[..] == [&grad.operands[..3], segs.as_slice()].concat()[..]
            };
            let Some((sf, fwd)) = plan.steps[..sb].iter().enumerate().rev().find(|(_, f)| same(f)) else { continue };
            let (Ok(attrs), Ok(grad_attrs)) = (AttentionAttrs::read(fwd.attrs()), AttentionAttrs::read(grad.attrs())) else {
                continue;
            };
            // cuDNN's window is a band under the causal mask.
            if attrs != grad_attrs || (attrs.window.is_some() && !attrs.causal) {
                continue;
            }
            let AttentionAttrs { num_heads, head_dim, .. } = attrs;
            let q = &self.infos[fwd.operands[0] as usize];
            let out = fwd.results.first().map(|&r| &self.infos[r as usize]);
            let io = matches!(q.dtype, DType::BF16 | DType::F16);
            if !io || out.is_none_or(|o| o.dtype != q.dtype) || !head_dim.is_multiple_of(8) || head_dim > 128 {
                continue;
            }
            let sq = q.shape[0];
            let o = Addr { region: Region::Saved, off: self.saved };
            self.saved = align_up(self.saved + q.bytes, ALIGN);
            let stats = Addr { region: Region::Saved, off: self.saved };
            self.saved = align_up(self.saved + sq * num_heads * 4, ALIGN);
            let saved = Saved { o, stats, slot: self.saves.len() / 2 };
            self.saves.insert(sf, saved);
            self.saves.insert(sb, saved);
        }
    }

    /// Pairs each `cross_entropy_grad` with the `cross_entropy` of the same operands before it,
    /// where the loss is a plan output (live to the end, so writing it later overwrites nothing)
    /// and nothing between the two reads it: the gradient's pass over the logits then also sums
    /// the loss, so the logits GEMM (the largest of a long-context step with a wide vocabulary)
    /// runs once instead of twice.
    fn pair_losses(&mut self) {
        let plan = self.plan;
        for (g, grad) in plan.steps.iter().enumerate().filter(|(_, s)| s.op == "cross_entropy_grad") {
            let Some((f, fwd)) =
                plan.steps[..g].iter().enumerate().rev().find(|(_, f)| f.op == "cross_entropy" && f.operands == grad.operands)
            else {
                continue;
            };
            let Some(&loss) = fwd.results.first() else { continue };
            let read_between = plan.steps[f + 1..g].iter().any(|s| s.operands.contains(&loss));
            if plan.outputs.contains(&loss) && !read_between {
                self.losses.insert(g, f);
            }
        }
    }

    /// The attention command of q, k, v (operands 0..3) with index vectors and segment ids at
    /// the given operand positions (`None`: row numbers, no segments).
    fn attention_cmd(
        &self,
        step: &Step,
        a: Attrs,
        index: Option<(usize, usize)>,
        segments: Option<(usize, usize)>,
        out: (Addr, DType),
        lse: Option<Addr>,
    ) -> Result<AttentionCmd, String> {
        let AttentionAttrs { num_heads: heads, num_kv_heads: kv_heads, head_dim, scale, causal, window, softcap } =
            AttentionAttrs::read(a)?;
        let window = window.map_or(0, |w| w as i64);
        if head_dim > 256 {
            return Err(format!("head_dim {head_dim} > 256 is not supported by the CUDA attention kernel"));
        }
        let ((q, qi), (k, ki), (v, vi)) = (self.operand(step, 0)?, self.operand(step, 1)?, self.operand(step, 2)?);
        let (sq, sk) = (qi.shape[0], ki.shape[0]);
        let int = |i: usize| self.int_operand(step, i);
        let (q_index, k_index) = match index {
            Some((qx, kx)) => (int(qx)?, int(kx)?),
            None => (None, None),
        };
        let (q_segment, k_segment) = match segments {
            Some((qs, ks)) => (int(qs)?, int(ks)?),
            None => (None, None),
        };
        Ok(AttentionCmd {
            q: (q, Self::float(&qi, "q")?),
            k: (k, Self::float(&ki, "k")?),
            v: (v, Self::float(&vi, "v")?),
            q_index,
            k_index,
            q_segment,
            k_segment,
            out,
            lse,
            sq,
            sk,
            heads,
            kv_heads,
            head_dim,
            scale: scale as f32,
            causal,
            window,
            softcap: softcap.map_or(0.0, |c| c as f32),
            save: None,
            static_index: index
                .is_some_and(|(qx, kx)| [qx, kx].iter().all(|&i| step.operands.get(i).is_some_and(|&v| self.fixed[v as usize]))),
        })
    }

    /// Integer operand `i` (an index vector, labels, segment ids), if the step has it.
    fn int_operand(&self, step: &Step, i: usize) -> Result<Option<(Addr, DType)>, String> {
        if i >= step.operands.len() {
            return Ok(None);
        }
        let (addr, info) = self.operand(step, i)?;
        Ok(Some((addr, Self::int(&info, "index operand")?)))
    }

    /// Partial sums of a column reduction over `rows`: enough blocks to fill the GPU, each
    /// summing its rows in order (deterministic).
    fn parts(rows: usize) -> usize {
        rows.clamp(1, 264)
    }

    fn attention_grad(&mut self, s: usize, step: &Step, a: Attrs, partial: bool) -> Result<(), String> {
        let grads = [self.result(step, 0)?, self.result(step, 1)?, self.result(step, 2)?];
        let (dq, dk, dv) = (grads[0].clone(), grads[1].clone(), grads[2].clone());
        let (q_bytes, heads) = (dq.1.numel, AttentionAttrs::read(a)?.num_heads);
        let sq = self.operand(step, 0)?.1.shape[0];
        // What the NVRTC kernels use (each row's Σ dout·out, f32 accumulators of results that
        // are not f32) goes to `Region::Fallback`; what cuDNN's path also uses (a recomputed
        // output and statistics) to `Region::Work`.
        let (fwd, dout, recompute) = if partial {
            let (o, oi) = self.operand(step, 3)?;
            let lse = self.operand(step, 4)?.0;
            let (dout, di) = self.operand(step, 5)?;
            let segs = (step.operands.len() == 10).then_some((8, 9));
            let out = (o, Self::float(&oi, "output")?);
            let fwd = self.attention_cmd(step, a, Some((6, 7)), segs, out, Some(lse))?;
            (fwd, (dout, Self::float(&di, "output_grad")?), false)
        } else {
            // The whole form's operands carry neither output nor lse: the backward takes what
            // the forward kept (`Saved`) or recomputes both, in q's type, into the same place.
            let (dout, di) = self.operand(step, 3)?;
            let segs = (step.operands.len() == 5).then_some((4, 4));
            let placeholder = (Addr { region: Region::Work, off: 0 }, Self::float(&self.operand(step, 0)?.1, "q")?);
            let fwd = self.attention_cmd(step, a, None, segs, placeholder, None)?;
            (fwd, (dout, Self::float(&di, "output_grad")?), true)
        };
        let mut fwd = fwd;
        let saved = self.saves.get(&s).copied();
        if recompute {
            let (out, lse) = match saved {
                Some(kept) => (kept.o, kept.stats),
                None => {
                    let qdt = fwd.q.1;
                    let [o, l] = self.work(&[q_bytes * qdt.size(), sq * heads * 4])[..] else {
                        unreachable!("two work buffers were asked for")
                    };
                    (o, l)
                }
            };
            fwd.out = (out, fwd.out.1);
            fwd.lse = Some(lse);
        }
        // f32 accumulators for results that are not f32.
        let need: Vec<bool> = grads.iter().map(|(_, i)| i.dtype != DType::F32).collect();
        let mut sizes = vec![sq * heads * 4];
        sizes.extend(grads.iter().zip(&need).filter(|(_, n)| **n).map(|(g, _)| g.1.numel * 4));
        let addrs = self.fallback(&sizes);
        let mut next = 1;
        let mut acc = [None; 3];
        for (slot, &n) in acc.iter_mut().zip(&need) {
            if n {
                *slot = Some(addrs[next]);
                next += 1;
            }
        }
        let float = |g: &(Addr, ValueInfo), what: &str| Self::float(&g.1, what).map(|dt| (g.0, dt));
        let cmd = AttentionGradCmd {
            fwd,
            recompute,
            dout,
            dq: float(&dq, "dq")?,
            dk: float(&dk, "dk")?,
            dv: float(&dv, "dv")?,
            delta: addrs[0],
            acc,
            saved,
        };
        self.push(s, Cmd::AttentionGrad(Box::new(cmd)));
        Ok(())
    }

    /// The fused loss: logits of `chunk` rows at a time in the workspace (`ce_chunk_rows`), never
    /// the whole `[rows, vocab]` matrix.
    fn cross_entropy(&mut self, s: usize, step: &Step, grad: bool) -> Result<(), String> {
        let ((x, xi), (w, wi), (labels, li), (count, _)) =
            (self.operand(step, 0)?, self.operand(step, 1)?, self.operand(step, 2)?, self.operand(step, 3)?);
        let index = self.int_operand(step, 4)?;
        let dt = Self::float(&xi, "input")?;
        let (rows, hidden, vocab) = (xi.shape[0], xi.shape[1], wi.shape[0]);
        let es = dt.size();
        let chunk = match self.lowering.loss_chunk_rows {
            Some(r) => r.clamp(1, rows.max(1)),
            None => ce_chunk_rows(rows, vocab, es),
        };
        let [logits, row_loss] = self.work(&[chunk * vocab * es, rows.max(1) * 4])[..] else {
            unreachable!("two work buffers were asked for")
        };
        let (loss, grads) = if grad {
            // The paired forward's loss (`pair_losses`), computed in this same pass.
            let loss = match self.losses.get(&s) {
                Some(&f) => Some(self.result(&self.plan.steps[f], 0)?.0),
                None => None,
            };
            (loss, Some((self.result(step, 0)?.0, self.result(step, 1)?.0)))
        } else if self.losses.values().any(|&f| f == s) {
            return Ok(());
        } else {
            (Some(self.result(step, 0)?.0), None)
        };
        // Chunk starts are multiples of chunk·hidden·es bytes from x and dx.
        let stride = |base: usize, row_bytes: usize| alignment(base | (chunk * row_bytes));
        let (dx_off, dw_off) = grads.map_or((0, 0), |(dx, dw)| (dx.off, dw.off));
        let keys = |n: usize| -> [GemmKey; 4] {
            let xa = stride(x.off, hidden * es);
            let dw = GemmKey {
                ydt: DType::F32,
                form: GemmForm::Tn,
                ..GemmKey::linear(dt, vocab, n, hidden, [alignment(logits.off), xa, alignment(dw_off)])
            };
            [
                GemmKey::linear(dt, n, hidden, vocab, [xa, alignment(w.off), alignment(logits.off)]),
                GemmKey {
                    form: GemmForm::Nn,
                    ..GemmKey::linear(dt, n, vocab, hidden, [alignment(logits.off), alignment(w.off), stride(dx_off, hidden * es)])
                },
                dw,
                GemmKey { accumulate: true, ..dw },
            ]
        };
        let tail = (rows % chunk != 0).then(|| keys(rows % chunk));
        let cmd = CrossEntropyCmd {
            x,
            w,
            dt,
            labels: (labels, Self::int(&li, "labels")?),
            index,
            count,
            rows,
            hidden,
            vocab,
            chunk,
            loss,
            grads,
            logits,
            row_loss,
            keys: keys(chunk),
            tail,
            softcap: match step.attrs().has("softcap") {
                true => step.attrs().float("softcap")? as f32,
                false => 0.0,
            },
        };
        // The logits GEMM runs in both forms (the gradient needs the softmax); the first chunk's
        // dw GEMM writes (key 2), later chunks' add into it (key 3): a second full chunk's, and
        // the shorter last one's.
        let (first, later): (&[usize], &[usize]) = if grad { (&[0, 1, 2], &[0, 1, 3]) } else { (&[0], &[0]) };
        let mut sets = vec![(cmd.keys, first)];
        if rows / chunk > 1 {
            sets.push((cmd.keys, later));
        }
        sets.extend(cmd.tail.map(|t| (t, later)));
        for (set, used) in sets {
            for &i in used {
                self.prepare(set[i]);
            }
        }
        self.push(s, Cmd::CrossEntropy(Box::new(cmd)));
        Ok(())
    }
}
