//! AdamW on the GPU for `seqc-run --steps`: f32 master weights and moments beside the plan's
//! own weights, the step's gradients read where the plan leaves them, one global norm per step
//! (read back: the log and the clip factor need it). Every rank holds whole gradients (one
//! device, or a plan compiled with `--grad-reduce all-reduce`) and takes the same update.

use super::device::{self, DeviceBuffer, describe};
use super::error::CudaError;
use super::exec::{Executor, encode_floats};
use super::kernels::{AdamwStep, AdamwTensor, Kernels};
use super::layout::DType;
use crate::cpu::{WeightSource, write_safetensors_f32_bytes};
use crate::plan::Plan;
use crate::train::{CheckpointInfo, Optimizer, replace_dir};
use cudarc::driver::{CudaEvent, CudaStream, result};
use std::path::Path;

/// One weight the optimizer updates.
struct Tensor {
    name: String,
    shape: Vec<usize>,
    role: crate::cpu::ParamRole,
    /// What this rank updates: the whole weight, or its own rows (`shard`).
    a: AdamwTensor,
    /// The whole weight the plan reads, and its length in values.
    whole: u64,
    whole_n: usize,
    /// This rank's rows of it where the plan reduce-scatters its gradient.
    shard: Option<Shard>,
    /// Further places of the same weight (several `param` steps of one name), refreshed from the
    /// first after each update.
    copies: Vec<u64>,
    /// Where this tensor's partial sums of squares start in `partial` (in f64s).
    partial_at: usize,
}

/// A rank's rows of a `[rows, cols]` weight whose gradient the plan reduce-scatters, in values:
/// rows r·c .. (r + 1)·c with c = ⌈rows / devices⌉, cut at `rows` (`Plan::owned_outputs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// The first value this rank owns.
    pub first: usize,
    /// Values it owns (rows past the weight's end are the gradient's padding).
    pub owned: usize,
    /// Values per rank, padding included: the all-gather's count.
    pub per_rank: usize,
    /// Values of the whole weight.
    pub whole: usize,
}

impl Shard {
    pub fn of(rows: usize, cols: usize, devices: usize, rank: usize) -> Self {
        let c = rows.div_ceil(devices.max(1));
        let first = (rank * c).min(rows);
        Self { first: first * cols, owned: c.min(rows - first) * cols, per_rank: c * cols, whole: rows * cols }
    }

    /// Whether the ranks' rows overrun the weight: the all-gather then goes through a buffer
    /// (`DeviceOptimizer::gather`) instead of landing in place.
    pub fn padded(&self, devices: usize) -> bool {
        self.per_rank * devices != self.whole
    }
}

impl Tensor {
    /// Copies the whole weight the plan reads to the weight's further places, after the
    /// stream's prior work.
    fn refresh_copies(&self, s: &cudarc::driver::CudaStream) -> Result<(), cudarc::driver::DriverError> {
        for &to in &self.copies {
            // SAFETY: both are places of this weight in the executor's parameter buffer.
            unsafe { result::memcpy_dtod_async(to, self.whole, self.whole_n * self.a.param_dtype.size(), s.cu_stream()) }?;
        }
        Ok(())
    }

    /// (first, count) of the values this rank updates.
    fn span(&self) -> (usize, usize) {
        self.shard.map_or((0, self.whole_n), |s| (s.first, s.owned))
    }
}

pub struct DeviceOptimizer {
    tensors: Vec<Tensor>,
    /// Master weights (bf16/f16 plans), first and second moments, 256-byte aligned.
    state: DeviceBuffer,
    partial: DeviceBuffer,
    partials: usize,
    /// Where a padded shard's all-gather lands (every rank's `per_rank` values, then this
    /// rank's own as the send buffer), sized for the widest; None when no shard is padded.
    gather: Option<DeviceBuffer>,
    devices: usize,
    /// Whether the plan reduce-scatters the gradients (ZeRO).
    sharded: bool,
    /// The update (and under ZeRO the weights' all-gathers) off the compute stream, in the
    /// order the next run needs the weights (None: on it, before the next run;
    /// SEQC_UPDATE_OVERLAP=0, and under ZeRO unless SEQC_UPDATE_OVERLAP=1).
    overlap: Option<Overlap>,
    /// Optimizer steps taken.
    pub step: usize,
}

/// The optimizer step overlapped with the next run's first layers: a stream of its own that
/// starts after the run, one group of weights per command of the next run that first needs
/// them (`first_needed`), each group updated (AdamW, then under ZeRO its all-gathers) with its
/// further places, and an event after each group that the run waits for before that command.
struct Overlap {
    stream: std::sync::Arc<CudaStream>,
    /// After the run, on the compute stream: where the update starts.
    ran: CudaEvent,
    /// (command index, tensors, event after their update), in command order.
    groups: Vec<(usize, Vec<usize>, CudaEvent)>,
}

impl Overlap {
    /// Groups `tensors` by the command that first needs them (`first`: `first_needed`).
    fn new(exec: &Executor, tensors: &[Tensor], first: &std::collections::BTreeMap<String, usize>) -> Result<Self, CudaError> {
        let rank = exec.program().rank;
        let fail = |e: cudarc::driver::DriverError| CudaError::setup(rank, "the weights' all-gather stream", describe(e));
        let ctx = exec.context();
        let mut at: std::collections::BTreeMap<usize, Vec<usize>> = std::collections::BTreeMap::new();
        for (i, t) in tensors.iter().enumerate() {
            at.entry(first.get(&t.name).copied().unwrap_or(usize::MAX)).or_default().push(i);
        }
        let groups = at
            .into_iter()
            .map(|(cmd, members)| Ok((cmd, members, ctx.new_event(None).map_err(fail)?)))
            .collect::<Result<_, CudaError>>()?;
        Ok(Self { stream: ctx.new_stream().map_err(fail)?, ran: ctx.new_event(None).map_err(fail)?, groups })
    }
}

/// For each weight of `program`, the index into `program.cmds` of the first command of a run
/// that needs its update done, or `cmds.len()` where none does: the first that reads any of
/// its places (any value at those bytes: views of a weight share them), or writes over the
/// bytes of its gradient (the arena reuses them within the run; the update reads them; the
/// inputs, uploaded before the first command, count as written by it). A command counts as
/// reading the operands of every step since the previous command's up to the step after its
/// own (steps without commands; an add folded into a command reads the next step's operand),
/// and as writing its step's results (an `async_start`'s: its `async_wait`'s), so a weight is
/// never wanted later than this says.
pub fn first_needed(plan: &Plan, program: &super::program::Program) -> std::collections::BTreeMap<String, usize> {
    use super::program::Addr;
    let span = |v: u32| program.addrs.get(v as usize).copied().flatten().map(|a| (a, program.infos[v as usize].bytes));
    let overlaps = |(a, n): (Addr, usize), (b, m): (Addr, usize)| a.region == b.region && a.off < b.off + m && b.off < a.off + n;
    // (name, bytes) of every place of every weight, and of every gradient.
    let places: Vec<(&str, (Addr, usize))> = program.params.iter().filter_map(|p| Some((p.name.as_str(), span(p.value)?))).collect();
    let grads: Vec<(&str, (Addr, usize))> = plan
        .output_names
        .iter()
        .zip(&program.outputs)
        .skip(1)
        .filter_map(|(name, &(v, _))| Some((name.as_str(), span(v)?)))
        .collect();
    let mut first = std::collections::BTreeMap::new();
    let mark = |first: &mut std::collections::BTreeMap<String, usize>, of: &[(&str, (Addr, usize))], w: (Addr, usize), i: usize| {
        for (name, b) in of {
            if overlaps(w, *b) {
                first.entry(name.to_string()).or_insert(i);
            }
        }
    };
    for w in program.inputs.iter().filter_map(|&(v, _)| span(v)) {
        mark(&mut first, &grads, w, 0);
    }
    // An async_start's command writes its async_wait's results (live from the start).
    let mut writes: Vec<Vec<u32>> = program.step_results.clone();
    for (k, st) in plan.steps.iter().enumerate().filter(|(_, st)| st.op == "async_start") {
        let Some(&token) = st.results.first() else { continue };
        let waited = plan.steps.iter().filter(|w| w.op == "async_wait" && w.operands.contains(&token));
        let results: Vec<u32> = waited.flat_map(|w| w.results.iter().copied()).collect();
        if let Some(w) = writes.get_mut(k) {
            w.extend(results);
        }
    }
    let mut covered = 0;
    for (i, (s, _)) in program.cmds.iter().enumerate() {
        let upto = (*s + 2).min(plan.steps.len());
        for v in plan.steps[covered.min(upto)..upto].iter().flat_map(|st| &st.operands) {
            if let Some(w) = span(*v) {
                mark(&mut first, &places, w, i);
            }
        }
        covered = covered.max(upto);
        for w in writes.get(*s).into_iter().flatten().filter_map(|&r| span(r)) {
            mark(&mut first, &grads, w, i);
        }
    }
    for p in &program.params {
        first.entry(p.name.clone()).or_insert(program.cmds.len());
    }
    first
}

/// Bytes of one weight's state: an f32 master copy when the weight is not f32, and the two
/// moments, each 256-byte aligned (`DeviceOptimizer::new` lays them out in this order).
pub fn state_bytes(numel: usize, dtype: DType) -> usize {
    let one = align(numel * 4);
    if dtype == DType::F32 { 2 * one } else { 3 * one }
}

/// The plan's devices where it reduce-scatters the gradients over several (ZeRO: each rank
/// keeps the optimizer state of its rows), else None.
pub fn zero_devices(plan: &Plan) -> Option<usize> {
    (!plan.owned_outputs.is_empty() && plan.devices > 1).then_some(plan.devices)
}

/// The values of a weight of `shape` rank `rank` keeps state for: all of them, or under ZeRO
/// (`sharded`: the plan's devices) its own rows.
pub fn owned_values(shape: &[usize], sharded: Option<usize>, rank: usize) -> usize {
    let n: usize = shape.iter().product();
    match (sharded, shape.first()) {
        (Some(devices), Some(&rows)) if rows > 0 && devices > 1 => Shard::of(rows, n / rows, devices, rank).owned,
        _ => n,
    }
}

fn align(bytes: usize) -> usize {
    bytes.div_ceil(256) * 256
}

impl DeviceOptimizer {
    /// The state for `exec`'s weights (`weights`: where they came from; the master copies start
    /// from them exactly), or from a checkpoint folder `resume` wrote by `save` (or by
    /// `seqc train --save`: the same names).
    pub fn new(exec: &Executor, plan: &Plan, weights: &WeightSource, resume: Option<&Path>) -> Result<Self, CudaError> {
        let program = exec.program();
        let rank = program.rank;
        let refuse = |m: String| CudaError::Usage(m);
        if plan.step_kind() != Some(seq_plan::StepKind::Loss) {
            return Err(refuse(
                "--steps trains a step with a loss: compile the whole model (token ids to logits) with --train".into(),
            ));
        }
        let sharded = zero_devices(plan).is_some();
        if sharded && exec.world().is_none() {
            return Err(CudaError::setup(rank, "the optimizer", "ZeRO gathers the weights over every rank, and this rank has no communicator of all ranks"));
        }
        // The plan's weights by name: the first place, then any further ones.
        let mut places: Vec<(String, usize, Vec<u64>)> = Vec::new();
        for (i, p) in program.params.iter().enumerate() {
            let at = exec.addr(super::program::Addr { region: super::program::Region::Params, off: p.off });
            match places.iter_mut().find(|(n, _, _)| *n == p.name) {
                Some((_, _, copies)) => copies.push(at),
                None => places.push((p.name.clone(), i, Vec::new())),
            }
        }
        let mut tensors = Vec::new();
        let mut bytes = 0usize;
        let mut partials = 0usize;
        let mut gather = 0usize;
        for (name, i, copies) in places {
            let slot = &program.params[i];
            let n = slot.info.numel;
            let rows = slot.info.shape.first().copied().unwrap_or(1).max(1);
            let grads: Vec<(u64, Option<Shard>)> = plan
                .output_names
                .iter()
                .enumerate()
                .skip(1)
                .filter(|(_, o)| **o == name)
                .map(|(j, _)| {
                    let (v, addr) = program.outputs[j];
                    let info = &program.infos[v as usize];
                    let shard = match plan.owned_rows(j) {
                        Some(r) if r == rows && sharded => Some(Shard::of(rows, n / rows, plan.devices, rank)),
                        Some(r) if r != rows => {
                            return Err(refuse(format!("the gradient of '{name}' is split over {r} rows; the weight has {rows}")));
                        }
                        _ => None,
                    };
                    let want = shard.map_or(n, |s| s.per_rank);
                    if info.dtype != DType::F32 || info.numel != want {
                        return Err(refuse(format!(
                            "the gradient of '{name}' is {:?} {:?}; the optimizer reads f32 gradients of {want} values",
                            info.dtype, info.shape
                        )));
                    }
                    Ok((exec.addr(addr), shard))
                })
                .collect::<Result<_, _>>()?;
            // A weight the loss does not reach has no gradient: as PyTorch, it is not updated.
            let ((grad, shard), grad2) = match grads[..] {
                [] => continue,
                [g] => (g, 0),
                [g, (g2, s2)] if s2 == g.1 => (g, g2),
                [_, _] => return Err(refuse(format!("'{name}' has one whole and one split gradient"))),
                _ => return Err(refuse(format!("'{name}' has {} gradients; the optimizer sums at most two", grads.len()))),
            };
            let whole = exec.addr(super::program::Addr { region: super::program::Region::Params, off: slot.off });
            let (first, count) = shard.map_or((0, n), |s| (s.first, s.owned));
            let es = slot.info.dtype.size();
            let param = whole + (first * es) as u64;
            let own_master = slot.info.dtype != DType::F32;
            // Offsets into `state` for now; made addresses below.
            let master = if own_master { Some(bytes) } else { None };
            bytes += if own_master { align(count * 4) } else { 0 };
            let m = bytes;
            bytes += align(count * 4);
            let v = bytes;
            bytes += align(count * 4);
            if let Some(s) = shard.filter(|s| s.padded(plan.devices)) {
                gather = gather.max((plan.devices + 1) * s.per_rank * es.max(4));
            }
            let a = AdamwTensor {
                master: master.map_or(param, |o| o as u64),
                m: m as u64,
                v: v as u64,
                grad,
                grad2,
                param: if own_master { param } else { 0 },
                param_dtype: slot.info.dtype,
                n: count,
            };
            tensors.push(Tensor {
                name,
                shape: slot.info.shape.clone(),
                role: slot.role,
                a,
                whole,
                whole_n: n,
                shard,
                copies,
                partial_at: partials,
            });
            partials += Kernels::sq_sum_blocks(count);
        }
        let ctx = exec.context();
        let alloc = |b: usize, what: &str| {
            DeviceBuffer::alloc(ctx, b.max(8)).map_err(|e| CudaError::setup(rank, format!("allocating {b} bytes for {what}"), describe(e)))
        };
        let state = alloc(bytes, "the optimizer's master weights and moments")?;
        let partial = alloc(partials * 8, "the gradient norm's partial sums")?;
        let gather = match gather {
            0 => None,
            b => Some(alloc(b, "gathering the weights' rows from every rank")?),
        };
        let base = state.ptr();
        for t in &mut tensors {
            t.a.m += base;
            t.a.v += base;
            if t.a.param != 0 {
                t.a.master += base;
            }
        }
        // Under ZeRO the side stream also runs NCCL all-gathers next to the plan's collectives,
        // which no multi-GPU machine has run yet: there it is asked for (=1) until one has.
        let overlap = match std::env::var("SEQC_UPDATE_OVERLAP").ok().as_deref() {
            Some("0") => false,
            Some("1") => true,
            _ => !sharded,
        };
        let overlap = match overlap {
            true => {
                // Under ZeRO every rank issues the same all-gathers in the same order: each
                // weight is wanted where the first rank needs it.
                let mut need = first_needed(plan, program);
                if sharded {
                    let mine: Vec<f64> = tensors.iter().map(|t| need.get(&t.name).map_or(f64::MAX, |&i| i as f64)).collect();
                    let all = exec.gather_f64s(&mine)?;
                    for (k, t) in tensors.iter().enumerate() {
                        let first = all.iter().map(|r| r[k]).fold(f64::MAX, f64::min);
                        need.insert(t.name.clone(), if first < f64::MAX { first as usize } else { usize::MAX });
                    }
                }
                Some(Overlap::new(exec, &tensors, &need)?)
            }
            false => None,
        };
        let mut opt = Self { tensors, state, partial, partials, gather, devices: plan.devices, sharded, overlap, step: 0 };
        match resume {
            Some(dir) => opt.load(exec, dir)?,
            None => opt.start(exec, weights)?,
        }
        Ok(opt)
    }

    /// Zero moments; master copies from the weights' source (random weights: from the plan's
    /// own rounded values, which is what step 1 computes with).
    fn start(&mut self, exec: &Executor, weights: &WeightSource) -> Result<(), CudaError> {
        let rank = exec.program().rank;
        let s = exec.compute_stream();
        let fail = |what: &'static str| move |e: cudarc::driver::DriverError| CudaError::setup(rank, what, describe(e));
        for t in &self.tensors {
            unsafe {
                result::memset_d8_async(t.a.m, 0, t.a.n * 4, s.cu_stream()).map_err(fail("clearing the moments"))?;
                result::memset_d8_async(t.a.v, 0, t.a.n * 4, s.cu_stream()).map_err(fail("clearing the moments"))?;
            }
            if t.a.param == 0 {
                continue;
            }
            match weights {
                WeightSource::Random { .. } => exec
                    .kernels()
                    .convert(s, t.a.param, t.a.param_dtype, t.a.master, DType::F32, t.a.n)
                    .map_err(fail("the master weights"))?,
                _ => {
                    let values = weights
                        .load(&t.name, &t.shape, t.role)
                        .map_err(|m| CudaError::setup(rank, format!("weight '{}'", t.name), m))?;
                    let (first, count) = t.span();
                    let bytes = encode_floats(values.into_iter().skip(first).take(count), DType::F32)
                        .map_err(|m| CudaError::setup(rank, format!("weight '{}'", t.name), m))?;
                    device::upload(s, t.a.master, &bytes).map_err(fail("uploading the master weights"))?;
                }
            }
        }
        s.synchronize().map_err(fail("setting up the optimizer"))
    }

    /// Device bytes the optimizer holds.
    pub fn bytes(&self) -> usize {
        self.state.bytes() + self.partial.bytes() + self.gather.as_ref().map_or(0, |g| g.bytes())
    }

    /// Parameters it updates (on this rank).
    pub fn parameters(&self) -> usize {
        self.tensors.iter().map(|t| t.a.n).sum()
    }

    /// The global norm of the gradients `exec`'s last run left (all of them, f64 sum; under ZeRO
    /// every rank's part, added in rank order so that every rank gets the same norm).
    pub fn grad_norm(&self, exec: &Executor) -> Result<f64, CudaError> {
        let rank = exec.program().rank;
        let s = exec.compute_stream();
        let fail = |e: cudarc::driver::DriverError| CudaError::setup(rank, "the gradient norm", describe(e));
        for t in &self.tensors {
            exec.kernels().sq_sum(s, t.a.grad, t.a.grad2, t.a.n, self.partial.ptr() + 8 * t.partial_at as u64).map_err(fail)?;
        }
        let mut raw = vec![0u8; self.partials * 8];
        device::download(s, self.partial.ptr(), &mut raw).map_err(fail)?;
        let sum: f64 = raw.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).sum();
        let sum = if self.sharded { exec.gather_f64(sum)?.iter().sum() } else { sum };
        Ok(sum.sqrt())
    }

    /// One AdamW step at learning rate `lr` with the gradients of the last run, clipped as `o`
    /// says for their global norm `norm` (under ZeRO with the weights' all-gathers). Queued
    /// on the compute stream before the next run, or overlapped with it (`Overlap`).
    pub fn update(&mut self, exec: &Executor, o: &Optimizer, lr: f64, norm: f64) -> Result<(), CudaError> {
        let rank = exec.program().rank;
        if !norm.is_finite() {
            return Err(CudaError::setup(
                rank,
                format!("optimizer step {}", self.step + 1),
                format!("the gradient norm is {norm}: the loss diverged (try a lower --lr, --grad-clip, or an f32 model)"),
            ));
        }
        let s = exec.compute_stream();
        let fail = |e: cudarc::driver::DriverError| CudaError::setup(rank, "the optimizer step", describe(e));
        self.step += 1;
        let (c1, c2) = o.corrections(self.step);
        let h = AdamwStep {
            lr: lr as f32,
            weight_decay: o.weight_decay as f32,
            b1: o.betas.0 as f32,
            b2: o.betas.1 as f32,
            eps: o.eps as f32,
            c1: c1 as f32,
            sqrt_c2: c2.sqrt() as f32,
            coef: o.clip_coef(norm) as f32,
        };
        let Some(o) = &self.overlap else {
            return self.update_on(exec, s, self.tensors.iter(), &h);
        };
        o.ran.record(s).map_err(fail)?;
        o.stream.wait(&o.ran).map_err(fail)?;
        for (_, members, done) in &o.groups {
            self.update_on(exec, &o.stream, members.iter().map(|&i| &self.tensors[i]), &h)?;
            done.record(&o.stream).map_err(fail)?;
        }
        Ok(())
    }

    /// AdamW on `tensors`, then their all-gathers and further places (`gather_on`), on `s`.
    fn update_on<'a>(&self, exec: &Executor, s: &CudaStream, tensors: impl Iterator<Item = &'a Tensor> + Clone, h: &AdamwStep) -> Result<(), CudaError> {
        for t in tensors.clone() {
            exec.kernels()
                .adamw(s, &t.a, h)
                .map_err(|e| CudaError::setup(exec.program().rank, "the optimizer step", describe(e)))?;
        }
        self.gather_on(exec, s, tensors)
    }

    /// What the next run waits for before a command (its index in the program, and the event
    /// after the update of the weights it is the first to need): empty unless the update is
    /// overlapped. An event not yet recorded (the first run) is no wait.
    pub fn waits(&self) -> Vec<(usize, &CudaEvent)> {
        self.overlap.iter().flat_map(|o| o.groups.iter().map(|(i, _, e)| (*i, e))).collect()
    }

    /// The compute stream waits for the whole overlapped update (before reading the weights or
    /// the optimizer state outside a run: a checkpoint).
    pub fn settle(&self, exec: &Executor) -> Result<(), CudaError> {
        let s = exec.compute_stream();
        for (_, e) in self.waits() {
            s.wait(e).map_err(|e| CudaError::setup(exec.program().rank, "waiting for the weights' all-gathers", describe(e)))?;
        }
        Ok(())
    }

    /// The gathers of `tensors` on stream `s`: one NCCL group of in-place all-gathers for the
    /// weights whose rows the ranks tile exactly, then one gather each through `gather` for the
    /// rest; then their further places.
    fn gather_on<'a>(&self, exec: &Executor, s: &CudaStream, tensors: impl Iterator<Item = &'a Tensor> + Clone) -> Result<(), CudaError> {
        let rank = exec.program().rank;
        let fail = |m: String| CudaError::setup(rank, "gathering the updated weights", m);
        let sharded = tensors.clone().filter_map(|t| t.shard.map(|sh| (t, sh)));
        let (tiled, padded): (Vec<_>, Vec<_>) = sharded.partition(|(_, sh)| !sh.padded(self.devices));
        if !tiled.is_empty() {
            let comm = exec.world().ok_or_else(|| fail("no communicator of all ranks".into()))?;
            let parts: Vec<(u64, usize)> = tiled.iter().map(|(t, sh)| (t.whole, sh.per_rank * t.a.param_dtype.size())).collect();
            comm.all_gather_in_place(s, &parts).map_err(fail)?;
        }
        if !padded.is_empty() {
            let g = self.gather.as_ref().ok_or_else(|| fail("internal: no buffer for a padded all-gather".into()))?;
            for (t, sh) in padded {
                let es = t.a.param_dtype.size();
                self.gather_rows(exec, s, g, sh, es, t.whole + (sh.first * es) as u64).map_err(fail)?;
                // SAFETY: the gathered rows, then the whole weight in the parameter buffer.
                unsafe { result::memcpy_dtod_async(t.whole, g.ptr(), sh.whole * es, s.cu_stream()) }.map_err(|e| fail(describe(e)))?;
            }
        }
        for t in tensors {
            t.refresh_copies(s).map_err(|e| fail(describe(e)))?;
        }
        Ok(())
    }

    /// Every rank's `shard.per_rank` values of `es` bytes (this rank's `shard.owned` at `mine`)
    /// into the start of `buf`, in rank order, on stream `s`; `buf` holds them all and then
    /// this rank's own, which it sends from.
    fn gather_rows(&self, exec: &Executor, s: &CudaStream, buf: &DeviceBuffer, sh: Shard, es: usize, mine: u64) -> Result<(), String> {
        let comm = exec.world().ok_or("no communicator of all ranks")?;
        let send = buf.ptr() + (self.devices * sh.per_rank * es) as u64;
        if send + (sh.per_rank * es) as u64 > buf.ptr() + buf.bytes() as u64 {
            return Err("internal: the gather buffer is too small".into());
        }
        // SAFETY: `mine` holds this rank's values; `send` lies in `buf` (checked above).
        unsafe { result::memcpy_dtod_async(send, mine, sh.owned * es, s.cu_stream()) }.map_err(describe)?;
        comm.all_gather(s, send, buf.ptr(), sh.per_rank * es)
    }

    fn download_f32(exec: &Executor, at: u64, n: usize) -> Result<Vec<u8>, CudaError> {
        let mut b = vec![0u8; n * 4];
        device::download(exec.compute_stream(), at, &mut b)
            .map_err(|e| CudaError::setup(exec.program().rank, "reading the optimizer state", describe(e)))?;
        Ok(b)
    }

    /// The whole of `t`'s f32 state at `at` (this rank's part of it under ZeRO) on rank 0, None
    /// on the others; under ZeRO every rank takes part (an all-gather through `via`).
    fn whole_f32(&self, exec: &Executor, t: &Tensor, at: u64, via: Option<&DeviceBuffer>) -> Result<Option<Vec<u8>>, CudaError> {
        let rank = exec.program().rank;
        let (Some(sh), Some(buf)) = (t.shard, via) else {
            return if rank == 0 { Self::download_f32(exec, at, t.whole_n).map(Some) } else { Ok(None) };
        };
        self.gather_rows(exec, exec.compute_stream(), buf, sh, 4, at)
            .map_err(|m| CudaError::setup(rank, format!("gathering the optimizer state of '{}'", t.name), m))?;
        if rank == 0 { Self::download_f32(exec, buf.ptr(), sh.whole).map(Some) } else { Ok(None) }
    }

    /// Writes folder `dir` (atomically): `state.safetensors` with every weight's f32 master
    /// value, `NAME.exp_avg` and `NAME.exp_avg_sq` (what `seqc train --resume` and `--resume`
    /// here read), `weights.safetensors` with the weights under the plan's names (for
    /// `seqc-run --weights`), and `state.json` with the step. Every rank calls it: under ZeRO the
    /// ranks gather each tensor's rows to rank 0, which writes whole tensors (a checkpoint does
    /// not depend on the device count); otherwise rank 0 alone writes.
    pub fn save(&self, exec: &Executor, dir: &Path) -> Result<(), CudaError> {
        let rank = exec.program().rank;
        self.settle(exec)?;
        if !self.sharded && rank != 0 {
            return Ok(());
        }
        let widest = self.tensors.iter().filter_map(|t| t.shard).map(|s| s.per_rank).max();
        let via = match widest {
            Some(w) if self.sharded => Some(
                DeviceBuffer::alloc(exec.context(), (self.devices + 1) * w * 4)
                    .map_err(|e| CudaError::setup(rank, "allocating the buffer that gathers the optimizer state to save it", describe(e)))?,
            ),
            _ => None,
        };
        let mut state = Vec::new();
        let mut weights = Vec::new();
        for t in &self.tensors {
            let parts = [
                (t.name.clone(), self.whole_f32(exec, t, t.a.master, via.as_ref())?),
                (format!("{}.exp_avg", t.name), self.whole_f32(exec, t, t.a.m, via.as_ref())?),
                (format!("{}.exp_avg_sq", t.name), self.whole_f32(exec, t, t.a.v, via.as_ref())?),
            ];
            for (i, (name, bytes)) in parts.into_iter().enumerate() {
                let Some(bytes) = bytes else { continue };
                if i == 0 {
                    weights.push((t.name.clone(), t.shape.clone(), bytes.clone()));
                }
                state.push((name, t.shape.clone(), bytes));
            }
        }
        if rank != 0 {
            return Ok(());
        }
        replace_dir(dir, |tmp| {
            write_safetensors_f32_bytes(&tmp.join("state.safetensors"), &state).map_err(|e| e.to_string())?;
            write_safetensors_f32_bytes(&tmp.join("weights.safetensors"), &weights).map_err(|e| e.to_string())?;
            CheckpointInfo::at(self.step).write(tmp)
        })
        .map_err(|e| CudaError::File { path: dir.display().to_string(), reason: e.to_string() })
    }

    /// Reads what `save` wrote: master weights (also into the plan's weights), moments, step.
    /// Under ZeRO each rank takes its rows of every tensor, then the weights are gathered.
    fn load(&mut self, exec: &Executor, dir: &Path) -> Result<(), CudaError> {
        let rank = exec.program().rank;
        let bad = |e: String| CudaError::File { path: dir.display().to_string(), reason: format!("cannot resume: {e}") };
        let info = CheckpointInfo::read(dir).map_err(|e| bad(e.to_string()))?;
        let source = WeightSource::safetensors(&dir.join("state.safetensors")).map_err(|e| bad(e.to_string()))?;
        let s = exec.compute_stream();
        let fail = |e: cudarc::driver::DriverError| CudaError::setup(rank, "uploading the optimizer state", describe(e));
        for t in &self.tensors {
            let (first, count) = t.span();
            for (name, at) in [(t.name.clone(), t.a.master), (format!("{}.exp_avg", t.name), t.a.m), (format!("{}.exp_avg_sq", t.name), t.a.v)] {
                let values = source.load(&name, &t.shape, crate::cpu::ParamRole::Vector).map_err(bad)?;
                let bytes = encode_floats(values.into_iter().skip(first).take(count), DType::F32).map_err(bad)?;
                device::upload(s, at, &bytes).map_err(fail)?;
            }
            if t.a.param != 0 {
                exec.kernels().convert(s, t.a.master, DType::F32, t.a.param, t.a.param_dtype, t.a.n).map_err(fail)?;
            }
        }
        self.gather_on(exec, s, self.tensors.iter())?;
        s.synchronize().map_err(fail)?;
        self.step = info.step;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rank's rows tile the weight once, in rank order, and the gather's count covers the
    /// longest; the buffer is needed exactly where the rows do not divide.
    #[test]
    fn ranks_own_each_row_once() {
        for rows in 1..13 {
            for devices in 1..9 {
                let cols = 3;
                let mut next = 0;
                for rank in 0..devices {
                    let s = Shard::of(rows, cols, devices, rank);
                    assert_eq!(s.first, next.min(rows * cols), "rows {rows}, {devices} ranks, rank {rank}");
                    assert!(s.owned <= s.per_rank && s.per_rank * devices >= s.whole);
                    assert_eq!(s.padded(devices), !rows.is_multiple_of(devices), "rows {rows}, {devices}");
                    next = s.first + s.owned;
                    assert_eq!(owned_values(&[rows, cols], Some(devices), rank), if devices > 1 { s.owned } else { rows * cols });
                }
                assert_eq!(next, rows * cols, "rows {rows}, {devices} ranks: the last rank ends the weight");
            }
        }
        assert_eq!(owned_values(&[10, 4], None, 3), 40, "whole gradients: whole state");
    }
}
