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
use cudarc::driver::result;
use std::path::Path;

/// One weight the optimizer updates.
struct Tensor {
    name: String,
    shape: Vec<usize>,
    role: crate::cpu::ParamRole,
    a: AdamwTensor,
    /// Further places of the same weight (several `param` steps of one name), refreshed from the
    /// first after each update.
    copies: Vec<u64>,
    /// Where this tensor's partial sums of squares start in `partial` (in f64s).
    partial_at: usize,
}

impl Tensor {
    /// Copies the weights the plan reads (the master copy itself in f32 plans) to the weight's
    /// further places, after the stream's prior work.
    fn refresh_copies(&self, s: &cudarc::driver::CudaStream) -> Result<(), cudarc::driver::DriverError> {
        let from = if self.a.param != 0 { self.a.param } else { self.a.master };
        for &to in &self.copies {
            // SAFETY: both are places of this weight in the executor's parameter buffer.
            unsafe { result::memcpy_dtod_async(to, from, self.a.n * self.a.param_dtype.size(), s.cu_stream()) }?;
        }
        Ok(())
    }
}

pub struct DeviceOptimizer {
    tensors: Vec<Tensor>,
    /// Master weights (bf16/f16 plans), first and second moments, 256-byte aligned.
    state: DeviceBuffer,
    partial: DeviceBuffer,
    partials: usize,
    /// Optimizer steps taken.
    pub step: usize,
}

/// Bytes of one weight's state: an f32 master copy when the weight is not f32, and the two
/// moments, each 256-byte aligned (`DeviceOptimizer::new` lays them out in this order).
pub fn state_bytes(numel: usize, dtype: DType) -> usize {
    let one = align(numel * 4);
    if dtype == DType::F32 { 2 * one } else { 3 * one }
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
        if !plan.owned_outputs.is_empty() {
            return Err(refuse(format!(
                "this plan leaves each of its {} ranks 1/{} of every gradient (ZeRO, the default of --train on several devices); \
                 the GPU optimizer updates whole weights on every rank for now: compile with --grad-reduce all-reduce",
                plan.devices, plan.devices
            )));
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
        for (name, i, copies) in places {
            let slot = &program.params[i];
            let n = slot.info.numel;
            let grads: Vec<u64> = plan
                .output_names
                .iter()
                .enumerate()
                .skip(1)
                .filter(|(_, o)| **o == name)
                .map(|(j, _)| {
                    let (v, addr) = program.outputs[j];
                    let info = &program.infos[v as usize];
                    if info.dtype != DType::F32 || info.numel != n {
                        return Err(refuse(format!(
                            "the gradient of '{name}' is {:?} {:?}; the optimizer reads f32 gradients of the weight's {n} values",
                            info.dtype, info.shape
                        )));
                    }
                    Ok(exec.addr(addr))
                })
                .collect::<Result<_, _>>()?;
            // A weight the loss does not reach has no gradient: as PyTorch, it is not updated.
            let (grad, grad2) = match grads[..] {
                [] => continue,
                [g] => (g, 0),
                [g, g2] => (g, g2),
                _ => return Err(refuse(format!("'{name}' has {} gradients; the optimizer sums at most two", grads.len()))),
            };
            let param = exec.addr(super::program::Addr { region: super::program::Region::Params, off: slot.off });
            let own_master = slot.info.dtype != DType::F32;
            // Offsets into `state` for now; made addresses below.
            let master = if own_master { Some(bytes) } else { None };
            bytes += if own_master { align(n * 4) } else { 0 };
            let m = bytes;
            bytes += align(n * 4);
            let v = bytes;
            bytes += align(n * 4);
            let a = AdamwTensor {
                master: master.map_or(param, |o| o as u64),
                m: m as u64,
                v: v as u64,
                grad,
                grad2,
                param: if own_master { param } else { 0 },
                param_dtype: slot.info.dtype,
                n,
            };
            tensors.push(Tensor { name, shape: slot.info.shape.clone(), role: slot.role, a, copies, partial_at: partials });
            partials += Kernels::sq_sum_blocks(n);
        }
        let ctx = exec.context();
        let alloc = |b: usize, what: &str| {
            DeviceBuffer::alloc(ctx, b).map_err(|e| CudaError::setup(rank, format!("allocating {b} bytes for {what}"), describe(e)))
        };
        let state = alloc(bytes, "the optimizer's master weights and moments")?;
        let partial = alloc(partials * 8, "the gradient norm's partial sums")?;
        let base = state.ptr();
        for t in &mut tensors {
            t.a.m += base;
            t.a.v += base;
            if t.a.param != 0 {
                t.a.master += base;
            }
        }
        let mut opt = Self { tensors, state, partial, partials, step: 0 };
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
                    let bytes = encode_floats(values.into_iter(), DType::F32)
                        .map_err(|m| CudaError::setup(rank, format!("weight '{}'", t.name), m))?;
                    device::upload(s, t.a.master, &bytes).map_err(fail("uploading the master weights"))?;
                }
            }
        }
        s.synchronize().map_err(fail("setting up the optimizer"))
    }

    /// Device bytes the optimizer holds.
    pub fn bytes(&self) -> usize {
        self.state.bytes() + self.partial.bytes()
    }

    /// Parameters it updates.
    pub fn parameters(&self) -> usize {
        self.tensors.iter().map(|t| t.a.n).sum()
    }

    /// The global norm of the gradients `exec`'s last run left (all of them, f64 sum).
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
        Ok(sum.sqrt())
    }

    /// One AdamW step at learning rate `lr` with the gradients of the last run, clipped as `o`
    /// says for their global norm `norm`. Queued on the compute stream, before the next run.
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
        for t in &self.tensors {
            exec.kernels().adamw(s, &t.a, &h).map_err(fail)?;
            t.refresh_copies(s).map_err(fail)?;
        }
        Ok(())
    }

    fn download_f32(exec: &Executor, at: u64, n: usize) -> Result<Vec<u8>, CudaError> {
        let mut b = vec![0u8; n * 4];
        device::download(exec.compute_stream(), at, &mut b)
            .map_err(|e| CudaError::setup(exec.program().rank, "reading the optimizer state", describe(e)))?;
        Ok(b)
    }

    /// Writes folder `dir` (atomically): `state.safetensors` with every weight's f32 master
    /// value, `NAME.exp_avg` and `NAME.exp_avg_sq` (what `seqc train --resume` and `--resume`
    /// here read), `weights.safetensors` with the weights under the plan's names (for
    /// `seqc-run --weights`), and `state.json` with the step.
    pub fn save(&self, exec: &Executor, dir: &Path) -> Result<(), CudaError> {
        let mut state = Vec::new();
        let mut weights = Vec::new();
        for t in &self.tensors {
            let master = Self::download_f32(exec, t.a.master, t.a.n)?;
            weights.push((t.name.clone(), t.shape.clone(), master.clone()));
            state.push((t.name.clone(), t.shape.clone(), master));
            state.push((format!("{}.exp_avg", t.name), t.shape.clone(), Self::download_f32(exec, t.a.m, t.a.n)?));
            state.push((format!("{}.exp_avg_sq", t.name), t.shape.clone(), Self::download_f32(exec, t.a.v, t.a.n)?));
        }
        replace_dir(dir, |tmp| {
            write_safetensors_f32_bytes(&tmp.join("state.safetensors"), &state).map_err(|e| e.to_string())?;
            write_safetensors_f32_bytes(&tmp.join("weights.safetensors"), &weights).map_err(|e| e.to_string())?;
            CheckpointInfo::at(self.step).write(tmp)
        })
        .map_err(|e| CudaError::File { path: dir.display().to_string(), reason: e.to_string() })
    }

    /// Reads what `save` wrote: master weights (also into the plan's weights), moments, step.
    fn load(&mut self, exec: &Executor, dir: &Path) -> Result<(), CudaError> {
        let rank = exec.program().rank;
        let bad = |e: String| CudaError::File { path: dir.display().to_string(), reason: format!("cannot resume: {e}") };
        let info = CheckpointInfo::read(dir).map_err(|e| bad(e.to_string()))?;
        let source = WeightSource::safetensors(&dir.join("state.safetensors")).map_err(|e| bad(e.to_string()))?;
        let s = exec.compute_stream();
        let fail = |e: cudarc::driver::DriverError| CudaError::setup(rank, "uploading the optimizer state", describe(e));
        for t in &self.tensors {
            for (name, at) in [(t.name.clone(), t.a.master), (format!("{}.exp_avg", t.name), t.a.m), (format!("{}.exp_avg_sq", t.name), t.a.v)] {
                let values = source.load(&name, &t.shape, crate::cpu::ParamRole::Vector).map_err(bad)?;
                let bytes = encode_floats(values.into_iter(), DType::F32).map_err(bad)?;
                device::upload(s, at, &bytes).map_err(fail)?;
            }
            if t.a.param != 0 {
                exec.kernels().convert(s, t.a.master, DType::F32, t.a.param, t.a.param_dtype, t.a.n).map_err(fail)?;
            }
            t.refresh_copies(s).map_err(fail)?;
        }
        s.synchronize().map_err(fail)?;
        self.step = info.step;
        Ok(())
    }
}
