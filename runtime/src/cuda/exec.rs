//! Runs one rank's `Program` on its GPU.
//!
//! Streams: one compute stream, plus one stream per communication stream id of the plan. An
//! `async_start` records an event on the compute stream, its communication stream waits for it
//! and runs the collective (pack, NCCL, unpack), then records a done event; `async_wait` makes
//! the compute stream wait for that event. Synchronous collectives and `unshard` run in line on
//! the compute stream. Every buffer is allocated once at setup, except the cuDNN block paths' own
//! (`Temps` in sdpa/exec.rs), made on their first run; runs only enqueue work.

use super::device::{self, DeviceBuffer, HostBuffer, describe};
use super::emulate::Emulator;
use super::error::CudaError;
use super::gemm::Gemm;
use super::kernels::Kernels;
use super::launch;
use super::layout::DType;
use super::nccl::{Communicator, UniqueId};
use super::program::{Addr, AttentionCmd, AttentionGradCmd, Cmd, CrossEntropyCmd, Move, Program, Region, Work};
use super::probe::{Probe, Span};
use super::sdpa::{BwdKey, Sdpa, SdpaKey};
use crate::cpu::{Data, HostTensor, WeightSource};
use crate::plan::Plan;
use cudarc::driver::{CudaContext, CudaEvent, CudaStream, result, sys};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Bytes this rank allocated, by purpose.
#[derive(Clone, Debug, Default)]
pub struct MemoryStats {
    pub arena: usize,
    pub params: usize,
    pub consts: usize,
    pub scratch: usize,
    /// Every workspace: cuBLASLt's, cuDNN's (its attention graphs'), the commands' own
    /// (`Region::Work`) and what forwards keep for their backward (`Region::Saved`); the parts in
    /// `workspaces`.
    pub workspace: usize,
    /// The workspace's parts: cuBLASLt, cuDNN, commands, saved.
    pub workspaces: [usize; 4],
    /// Buffers the cuDNN block paths grew while running (block outputs, keys gathered into
    /// token order, query-chunk accumulators): known after a run.
    pub attention_blocks: usize,
}

impl MemoryStats {
    pub fn total(&self) -> usize {
        self.arena + self.params + self.consts + self.scratch + self.workspace + self.attention_blocks
    }
}

/// Encodes f64 values at a float element type.
pub fn encode_floats(values: impl Iterator<Item = f64>, dt: DType) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match dt {
        DType::F32 => values.for_each(|v| out.extend_from_slice(&(v as f32).to_le_bytes())),
        DType::BF16 => values.for_each(|v| out.extend_from_slice(&half::bf16::from_f64(v).to_bits().to_le_bytes())),
        DType::F16 => values.for_each(|v| out.extend_from_slice(&half::f16::from_f64(v).to_bits().to_le_bytes())),
        other => return Err(format!("cannot hold floats as {}", other.name())),
    }
    Ok(out)
}

/// A host tensor as the bytes of a value declared `dt` with `numel` elements.
pub fn encode_tensor(t: &HostTensor, dt: DType, numel: usize) -> Result<Vec<u8>, String> {
    if t.numel() != numel {
        return Err(format!("holds {} values, the plan declares {numel}", t.numel()));
    }
    let ints = |v: Vec<i64>| -> Result<Vec<u8>, String> {
        let mut out = Vec::with_capacity(v.len() * dt.size());
        for x in v {
            match dt {
                DType::I32 => out.extend_from_slice(
                    &i32::try_from(x).map_err(|_| format!("value {x} does not fit in i32"))?.to_le_bytes(),
                ),
                DType::I64 => out.extend_from_slice(&x.to_le_bytes()),
                _ => unreachable!("checked by the caller"),
            }
        }
        Ok(out)
    };
    match (&t.data, dt) {
        (Data::I32(_) | Data::I64(_), DType::I32 | DType::I64) => ints(t.to_i64().unwrap_or_default()),
        (Data::F32(_) | Data::F64(_), DType::F32 | DType::BF16 | DType::F16) => {
            encode_floats(t.to_f64().unwrap_or_default().into_iter(), dt)
        }
        _ => Err(format!("is {}, the plan declares {}", t.dtype(), dt.name())),
    }
}

/// Device bytes of a value declared `dt` and `shape` as a host tensor (floats widened to f32).
pub fn decode_tensor(bytes: &[u8], dt: DType, shape: Vec<usize>) -> Result<HostTensor, String> {
    let words2 = || bytes.chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let data = match dt {
        DType::F32 => Data::F32(bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()),
        DType::BF16 => Data::F32(words2().map(|w| half::bf16::from_bits(w).to_f32()).collect()),
        DType::F16 => Data::F32(words2().map(|w| half::f16::from_bits(w).to_f32()).collect()),
        DType::I32 => Data::I32(bytes.chunks_exact(4).map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()),
        DType::I64 => {
            Data::I64(bytes.chunks_exact(8).map(|b| i64::from_le_bytes(b.try_into().unwrap_or_default())).collect())
        }
        other => return Err(format!("outputs of type {} cannot be read back", other.name())),
    };
    HostTensor::new(shape, data)
}

pub struct Executor {
    // Communicators first: they are aborted before the buffers they may still touch are freed.
    comms: HashMap<usize, Communicator>,
    /// A communicator over every rank, and its buffer: runs start together (`barrier`).
    barrier: Option<(Communicator, DeviceBuffer)>,
    gemm: Gemm,
    kernels: Kernels,
    program: Program,
    rank: usize,
    ctx: Arc<CudaContext>,
    compute: Arc<CudaStream>,
    /// Communication streams by plan stream id (0 is the compute stream and is not here).
    side: HashMap<u32, Arc<CudaStream>>,
    arena: DeviceBuffer,
    params: DeviceBuffer,
    consts: DeviceBuffer,
    scratch: Vec<DeviceBuffer>,
    /// `Region::Work`: one command's temporaries.
    work: DeviceBuffer,
    /// `Region::Fallback`: the NVRTC attention backward's temporaries, allocated when one first
    /// runs (never, while cuDNN takes every attention backward).
    fallback: RefCell<Option<DeviceBuffer>>,
    /// `Region::Saved`: what forwards keep for their backward, and which slots this run filled.
    saved: DeviceBuffer,
    /// `Region::Host`: offloaded activations (None: the plan offloads nothing).
    host: Option<HostBuffer>,
    filled: RefCell<Vec<bool>>,
    /// Attention backwards of the last run that used what their forward kept, and that
    /// recomputed the forward.
    pub backward_reuse: std::cell::Cell<(usize, usize)>,
    /// Device word where kernels report bad input (step + 1).
    flag: DeviceBuffer,
    start_events: Vec<CudaEvent>,
    done_events: Vec<CudaEvent>,
    /// One event per collective command, recorded after it: on a timeout, the first one not
    /// reached names the collective that hung.
    markers: Vec<CudaEvent>,
    timing: (CudaEvent, CudaEvent),
    pub memory: MemoryStats,
    /// cuDNN fused attention (None: every attention runs the NVRTC kernel).
    sdpa: Option<Sdpa>,
    _sdpa_workspace: Option<DeviceBuffer>,
    /// What the attention path is, for the log.
    pub attention_note: String,
    /// Synchronise after every command, so an asynchronous fault is reported at its step.
    pub sync_steps: bool,
    /// This rank's inputs at their device types (`load_inputs`), uploaded before every run.
    input_bytes: Vec<Vec<u8>>,
    /// Time every command (`--profile`); the last run's spans are in `last_profile`.
    pub profile: bool,
    probe: RefCell<Probe>,
    pub last_profile: Vec<Span>,
}

impl Executor {
    /// Allocates everything, compiles (or loads) the kernels, prepares the GEMMs and uploads the
    /// parameters and constant tables.
    pub fn new(ctx: &Arc<CudaContext>, program: Program, weights: &WeightSource) -> Result<Self, CudaError> {
        let rank = program.rank;
        let setup =
            |what: &'static str| move |e: cudarc::driver::DriverError| CudaError::setup(rank, what, describe(e));
        let compute = ctx.new_stream().map_err(setup("creating the compute stream"))?;
        let mut side = HashMap::new();
        for &s in program.streams.iter().filter(|&&s| s != 0) {
            side.insert(s, ctx.new_stream().map_err(setup("creating a communication stream"))?);
        }
        let kernels = Kernels::load(ctx, rank)?;
        let mut gemm = Gemm::new(ctx).map_err(|m| CudaError::setup(rank, "cuBLASLt", m))?;
        for key in &program.gemms {
            gemm.prepare(key).map_err(|m| CudaError::setup(rank, format!("cuBLASLt for {key:?}"), m))?;
        }
        let alloc = |bytes: usize, what: &str| {
            DeviceBuffer::alloc(ctx, bytes)
                .map_err(|e| CudaError::setup(rank, format!("allocating {bytes} bytes for {what}"), describe(e)))
        };
        let arena = alloc(program.arena.bytes, "the activation arena")?;
        let params = alloc(program.params_bytes, "parameters")?;
        let consts = alloc(program.consts.len(), "constant tables")?;
        let scratch = program.scratch.iter().map(|&b| alloc(b, "collective staging")).collect::<Result<Vec<_>, _>>()?;
        let work = alloc(program.work, "command temporaries")?;
        let saved = alloc(program.saved, "attention outputs kept for the backward")?;
        let host = match program.host {
            0 => None,
            bytes => Some(HostBuffer::alloc(ctx, bytes).map_err(|e| {
                CudaError::setup(rank, format!("pinning {bytes} bytes of host memory for offloaded activations"), describe(e))
            })?),
        };
        let flag = alloc(4, "the error flag")?;
        let event = || ctx.new_event(None).map_err(setup("creating events"));
        let start_events = (0..program.tokens).map(|_| event()).collect::<Result<Vec<_>, _>>()?;
        let done_events = (0..program.tokens).map(|_| event()).collect::<Result<Vec<_>, _>>()?;
        let collectives = program.cmds.iter().filter(|(_, c)| matches!(c, Cmd::Collective { .. })).count();
        let markers = (0..collectives).map(|_| event()).collect::<Result<Vec<_>, _>>()?;
        let (sdpa, sdpa_workspace, attention_note) = Self::open_sdpa(ctx, &program)?;
        let timed = Some(sys::CUevent_flags::CU_EVENT_DEFAULT);
        let timing = (
            ctx.new_event(timed).map_err(setup("creating events"))?,
            ctx.new_event(timed).map_err(setup("creating events"))?,
        );
        let memory = MemoryStats {
            arena: arena.bytes(),
            params: params.bytes(),
            consts: consts.bytes(),
            scratch: scratch.iter().map(|b| b.bytes()).sum(),
            workspace: gemm.workspace_bytes() + sdpa_workspace.as_ref().map_or(0, |b| b.bytes()) + work.bytes() + saved.bytes(),
            workspaces: [gemm.workspace_bytes(), sdpa_workspace.as_ref().map_or(0, |b| b.bytes()), work.bytes(), saved.bytes()],
            attention_blocks: 0,
        };
        device::upload(&compute, consts.ptr(), &program.consts).map_err(setup("uploading constant tables"))?;
        for p in &program.params {
            let values = weights
                .load(&p.name, &p.info.shape, p.role)
                .map_err(|m| CudaError::setup(rank, format!("weight '{}'", p.name), m))?;
            let bytes = encode_floats(values.into_iter(), p.info.dtype)
                .map_err(|m| CudaError::setup(rank, format!("weight '{}'", p.name), m))?;
            device::upload(&compute, params.ptr() + p.off as u64, &bytes).map_err(setup("uploading weights"))?;
        }
        Ok(Self {
            comms: HashMap::new(),
            gemm,
            kernels,
            rank,
            ctx: ctx.clone(),
            compute,
            side,
            arena,
            params,
            consts,
            scratch,
            work,
            fallback: RefCell::new(None),
            saved,
            host,
            filled: RefCell::new(Vec::new()),
            backward_reuse: std::cell::Cell::new((0, 0)),
            flag,
            start_events,
            done_events,
            markers,
            timing,
            memory,
            sdpa,
            _sdpa_workspace: sdpa_workspace,
            attention_note,
            sync_steps: false,
            profile: false,
            input_bytes: Vec::new(),
            probe: RefCell::new(Probe::new(ctx)),
            last_profile: Vec::new(),
            barrier: None,
            program,
        })
    }

    /// Opens cuDNN and plans every attention command it can run; the rest use the kernel.
    #[allow(clippy::type_complexity)]
    fn open_sdpa(
        ctx: &Arc<CudaContext>,
        program: &Program,
    ) -> Result<(Option<Sdpa>, Option<DeviceBuffer>, String), CudaError> {
        let rank = program.rank;
        let attentions: Vec<&super::program::AttentionCmd> = program
            .cmds
            .iter()
            .filter_map(|(_, c)| if let Cmd::Attention(a) = c { Some(&**a) } else { None })
            .collect();
        let backwards: Vec<&AttentionGradCmd> = program
            .cmds
            .iter()
            .filter_map(|(_, c)| if let Cmd::AttentionGrad(g) = c { Some(&**g) } else { None })
            .collect();
        if attentions.is_empty() && backwards.is_empty() {
            return Ok((None, None, "no attention".into()));
        }
        let mut sdpa = match Sdpa::open() {
            Ok(Some(s)) => s,
            Ok(None) => return Ok((None, None, format!("{} attention command(s) on the NVRTC kernel (cuDNN off or missing)", attentions.len()))),
            Err(e) => return Ok((None, None, format!("{} attention command(s) on the NVRTC kernel (cuDNN: {e})", attentions.len()))),
        };
        sdpa.deterministic = program.deterministic;
        let keys: Vec<Option<SdpaKey>> = attentions.iter().map(|a| SdpaKey::of(a)).collect();
        for a in &attentions {
            sdpa.prepare_attention(ctx, a).map_err(|e| CudaError::setup(rank, "planning cuDNN attention", e))?;
        }
        for g in &backwards {
            sdpa.prepare_backward(ctx, g).map_err(|e| CudaError::setup(rank, "planning cuDNN attention backward", e))?;
        }
        let ws_bytes = sdpa.needed_workspace();
        let ws = if ws_bytes > 0 {
            let b = DeviceBuffer::alloc(ctx, ws_bytes)
                .map_err(|e| CudaError::setup(rank, "allocating the cuDNN workspace", describe(e)))?;
            sdpa.set_workspace(b.ptr(), ws_bytes);
            Some(b)
        } else {
            None
        };
        let fused = keys.iter().filter(|k| k.is_some_and(|k| !sdpa.is_refused(&k))).count();
        let partial = attentions.iter().filter(|a| a.lse.is_some()).count();
        let packed = attentions.iter().filter(|a| SdpaKey::packed(a).is_some()).count()
            + backwards.iter().filter(|g| BwdKey::packed(g).is_some()).count();
        let mut note = format!(
            "{fused} of {} attention command(s) on cuDNN {} fused SDPA ({} graph(s), workspace {ws_bytes} B), the rest on the NVRTC kernel",
            attentions.len(),
            Sdpa::version(),
            sdpa.planned()
        );
        if partial > 0 {
            note.push_str(&format!(
                "; {partial} attention_partial command(s): {}",
                if sdpa.partial { "SDPA blocks where the index vectors allow" } else { "NVRTC kernel" }
            ));
        }
        if packed > 0 {
            note.push_str(&format!(
                "; {packed} attention (or backward) command(s) over packed documents: cuDNN's ragged graph, planned on each run from the segment ids"
            ));
        }
        if let Some(line) = sdpa.det_chunks_report() {
            note.push_str(&format!("; {line}"));
        }
        for (k, why) in sdpa.refused() {
            note.push_str(&format!("; cuDNN refused {k:?}: {why}"));
        }
        // Why the others never reached cuDNN, counted by reason.
        let mut why: Vec<(&str, usize)> = Vec::new();
        for reason in attentions.iter().filter(|a| a.lse.is_none()).filter_map(|a| SdpaKey::why_not(a)) {
            match why.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, n)) => *n += 1,
                None => why.push((reason, 1)),
            }
        }
        for (reason, n) in why {
            note.push_str(&format!("; {n} on the NVRTC kernel: {reason}"));
        }
        let (bwd, bwd_refused) = sdpa.backward_planned();
        if !backwards.is_empty() {
            note.push_str(&format!(
                "; {} attention backward command(s): {bwd} shape(s) on cuDNN's fused backward, {bwd_refused} refused, the rest on the NVRTC kernel",
                backwards.len()
            ));
        }
        if sdpa.planned() == 0 && bwd == 0 && packed == 0 && !(sdpa.partial && partial > 0) {
            return Ok((None, ws, note));
        }
        Ok((Some(sdpa), ws, note))
    }

    /// Device address of a value's place (for the optimizer, which works beside the plan).
    pub fn addr(&self, a: Addr) -> u64 {
        self.p(a)
    }

    /// The stream every command runs in order on.
    pub fn compute_stream(&self) -> &Arc<CudaStream> {
        &self.compute
    }

    pub fn kernels(&self) -> &Kernels {
        &self.kernels
    }

    pub fn context(&self) -> &Arc<CudaContext> {
        &self.ctx
    }

    /// Device bytes the cuDNN block paths hold now (0 without cuDNN), and the NVRTC attention
    /// backward's temporaries once allocated.
    pub fn attention_block_bytes(&self) -> usize {
        self.sdpa.as_ref().map_or(0, |s| s.temp_bytes()) + self.fallback.borrow().as_ref().map_or(0, |b| b.bytes())
    }

    /// How the last run's attention over packed documents ran (None: it had none on cuDNN):
    /// whole attentions, and split ones as document blocks.
    pub fn documents_report(&self) -> Vec<String> {
        self.sdpa.as_ref().map_or_else(Vec::new, |s| s.documents_report().into_iter().chain(s.split_documents_report()).collect())
    }

    /// How many attention backwards the last run cut into cuDNN block calls (None: none).
    pub fn blocks_report(&self) -> Option<String> {
        self.sdpa.as_ref().and_then(|s| s.blocks_report())
    }

    /// Attention shapes cuDNN refused (they ran on the NVRTC kernel), with the reason.
    pub fn attention_refusals(&self) -> Vec<String> {
        self.sdpa.as_ref().map_or_else(Vec::new, |s| s.refused().iter().map(|(k, why)| format!("{k:?}: {why}")).collect())
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    pub fn kernel_origin(&self) -> &str {
        &self.kernels.origin
    }

    /// Joins this rank's communicators, in the global key order every rank follows. `ids` holds
    /// one NCCL id per `Program::comm_keys` entry.
    pub fn init_comms(&mut self, ids: &[UniqueId]) -> Result<(), CudaError> {
        if ids.len() != self.program.comm_keys.len() {
            return Err(CudaError::setup(
                self.rank,
                "NCCL",
                format!("{} ids for {} communicators", ids.len(), self.program.comm_keys.len()),
            ));
        }
        self.ctx.bind_to_thread().map_err(|e| CudaError::setup(self.rank, "NCCL", describe(e)))?;
        for (i, key) in self.program.comm_keys.iter().enumerate() {
            let Some(me) = key.group.iter().position(|&r| r == self.rank) else { continue };
            let comm = Communicator::init(me, key.group.len(), &ids[i]).map_err(|m| {
                CudaError::setup(
                    self.rank,
                    format!("NCCL communicator for axis '{}' ranks {:?} (stream {})", key.axis, key.group, key.stream),
                    m,
                )
            })?;
            self.comms.insert(i, comm);
        }
        Ok(())
    }

    /// Joins the communicator of all `world` ranks that `barrier` uses.
    pub fn init_barrier(&mut self, id: &UniqueId, world: usize) -> Result<(), CudaError> {
        let fail = |m: String| CudaError::setup(self.rank, "NCCL communicator of all ranks (run barrier)", m);
        self.ctx.bind_to_thread().map_err(|e| fail(describe(e)))?;
        let comm = Communicator::init(self.rank, world, id).map_err(fail)?;
        // This rank's value, then every rank's: 8 bytes each for `gather_f64`; the barrier and
        // `any_rank` use 4 bytes each, from the start.
        let buf = DeviceBuffer::alloc(&self.ctx, 8 * (world + 1)).map_err(|e| fail(describe(e)))?;
        self.barrier = Some((comm, buf));
        Ok(())
    }

    /// Returns once every rank has reached this point with an idle GPU, so that the next run's
    /// timer starts on all ranks together (a rank that starts early would otherwise time its
    /// wait for the others at the first collective).
    pub fn barrier(&self, timeout: Duration) -> Result<(), CudaError> {
        let Some((comm, buf)) = &self.barrier else { return Ok(()) };
        let fail = |m: String| CudaError::setup(self.rank, "the barrier before a run", m);
        self.ctx.synchronize().map_err(|e| fail(describe(e)))?;
        comm.all_gather(&self.compute, buf.ptr(), buf.ptr() + 4, 4).map_err(fail)?;
        self.timing.1.record(&self.compute).map_err(|e| fail(describe(e)))?;
        self.wait(timeout, Some("the barrier before a run"))
    }

    /// The communicator of all ranks (`init_barrier`), for the optimizer's collectives; None on
    /// one rank.
    pub fn world(&self) -> Option<&Communicator> {
        self.barrier.as_ref().map(|(c, _)| c)
    }

    /// Every rank's `v`, in rank order (one rank: `[v]`): an 8-byte all-gather on the barrier's
    /// communicator and buffer.
    pub fn gather_f64(&self, v: f64) -> Result<Vec<f64>, CudaError> {
        Ok(self.gather_f64s(&[v])?.into_iter().map(|r| r[0]).collect())
    }

    /// Every rank's `v` (the same length on every rank), in rank order: one all-gather on the
    /// barrier's communicator, through its buffer for one value and a buffer of its own for
    /// more.
    pub fn gather_f64s(&self, v: &[f64]) -> Result<Vec<Vec<f64>>, CudaError> {
        let Some((comm, small)) = &self.barrier else { return Ok(vec![v.to_vec()]) };
        let fail = |m: String| CudaError::setup(self.rank, "gathering values from every rank", m);
        let (world, n) = (comm.size, v.len().max(1));
        let own;
        let buf = match n {
            1 => small,
            _ => {
                own = DeviceBuffer::alloc(&self.ctx, 8 * n * (world + 1)).map_err(|e| fail(describe(e)))?;
                &own
            }
        };
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        device::upload(&self.compute, buf.ptr(), &bytes).map_err(|e| fail(describe(e)))?;
        comm.all_gather(&self.compute, buf.ptr(), buf.ptr() + 8 * n as u64, 8 * n).map_err(fail)?;
        let mut all = vec![0u8; 8 * n * world];
        device::download(&self.compute, buf.ptr() + 8 * n as u64, &mut all).map_err(|e| fail(describe(e)))?;
        let values: Vec<f64> = all.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect();
        Ok(values.chunks(n).map(<[f64]>::to_vec).collect())
    }

    /// Whether any rank says `yes`: a 4-byte all-gather on the barrier's communicator (one rank:
    /// its own answer), so that every rank of a training loop stops at the same step.
    pub fn any_rank(&self, yes: bool) -> Result<bool, CudaError> {
        let Some((comm, buf)) = &self.barrier else { return Ok(yes) };
        let fail = |m: String| CudaError::setup(self.rank, "agreeing to stop", m);
        device::upload(&self.compute, buf.ptr(), &u32::from(yes).to_le_bytes()).map_err(|e| fail(describe(e)))?;
        comm.all_gather(&self.compute, buf.ptr(), buf.ptr() + 4, 4).map_err(fail)?;
        let world = comm.size;
        let mut all = vec![0u8; 4 * world];
        device::download(&self.compute, buf.ptr() + 4, &mut all).map_err(|e| fail(describe(e)))?;
        Ok(all.iter().any(|&b| b != 0))
    }

    fn base(&self, region: Region) -> u64 {
        match region {
            Region::Arena => self.arena.ptr(),
            Region::Params => self.params.ptr(),
            Region::Consts => self.consts.ptr(),
            Region::Scratch(i) => self.scratch.get(i).map_or(0, |b| b.ptr()),
            Region::Work => self.work.ptr(),
            Region::Saved => self.saved.ptr(),
            Region::Host => self.host.as_ref().map_or(0, |b| b.ptr()),
            Region::Fallback => self.fallback.borrow().as_ref().map_or(0, |b| b.ptr()),
        }
    }

    /// Allocates `Region::Fallback` if it is not yet (the first attention backward that needs
    /// the NVRTC kernels, or cuDNN's query chunks, which add into its accumulators).
    fn ensure_fallback(&self) -> Result<(), String> {
        let mut slot = self.fallback.borrow_mut();
        if slot.is_none() && self.program.fallback > 0 {
            *slot = Some(DeviceBuffer::alloc(&self.ctx, self.program.fallback).map_err(describe)?);
        }
        Ok(())
    }

    fn p(&self, a: Addr) -> u64 {
        self.base(a.region) + a.off as u64
    }

    fn stream(&self, id: u32) -> &Arc<CudaStream> {
        self.side.get(&id).unwrap_or(&self.compute)
    }

    /// Encodes this rank's inputs (see `shards::local_inputs`) at their device types, once: every
    /// run uploads these bytes (a 1M-token input takes seconds to convert).
    pub fn load_inputs(&mut self, inputs: &[impl Deref<Target = HostTensor>]) -> Result<(), CudaError> {
        let rank = self.rank;
        if inputs.len() != self.program.inputs.len() {
            return Err(CudaError::setup(
                rank,
                "inputs",
                format!("the plan takes {} inputs, {} were given", self.program.inputs.len(), inputs.len()),
            ));
        }
        self.input_bytes = inputs
            .iter()
            .zip(&self.program.inputs)
            .enumerate()
            .map(|(i, (t, &(v, _)))| {
                let info = &self.program.infos[v as usize];
                encode_tensor(t, info.dtype, info.numel).map_err(|m| CudaError::setup(rank, format!("input #{i} (%{v})"), m))
            })
            .collect::<Result<_, _>>()?;
        Ok(())
    }

    /// Uploads the inputs and clears the error flag before a run.
    fn start(&self) -> Result<(), CudaError> {
        let rank = self.rank;
        let setup =
            |what: &'static str| move |e: cudarc::driver::DriverError| CudaError::setup(rank, what, describe(e));
        self.ctx.bind_to_thread().map_err(setup("binding the context"))?;
        if self.input_bytes.len() != self.program.inputs.len() {
            return Err(CudaError::setup(rank, "inputs", "no inputs loaded before the run (load_inputs)"));
        }
        for (bytes, &(_, addr)) in self.input_bytes.iter().zip(&self.program.inputs) {
            device::upload(&self.compute, self.p(addr), bytes).map_err(setup("uploading inputs"))?;
        }
        if let Some(sdpa) = &self.sdpa {
            sdpa.next_run(); // the segment ids may be new
        }
        device::upload(&self.compute, self.flag.ptr(), &[0; 4]).map_err(setup("clearing the error flag"))
    }

    /// Reports a bad input a kernel flagged during the run.
    fn check_flag(&self) -> Result<(), CudaError> {
        let mut flag = [0u8; 4];
        device::download(&self.compute, self.flag.ptr(), &mut flag)
            .map_err(|e| CudaError::setup(self.rank, "reading the error flag", describe(e)))?;
        match u32::from_le_bytes(flag) {
            0 => Ok(()),
            bad => {
                let step = bad as usize - 1;
                Err(CudaError::Step {
                    rank: self.rank,
                    step,
                    op: self.program_op(step),
                    message: "a token id is outside the embedding table".into(),
                })
            }
        }
    }

    fn enqueue(&self, s: usize, cmd: &Cmd, marker: &mut usize) -> Result<(), CudaError> {
        let fail = |message: String| CudaError::Step { rank: self.rank, step: s, op: self.program_op(s), message };
        let t0 = if self.profile { Some(self.probe.borrow_mut().mark(&self.compute).map_err(fail)?) } else { None };
        self.exec(s, cmd, marker).map_err(fail)?;
        if let Some(t0) = t0 {
            // An asynchronous collective ends on its own stream.
            let track = match cmd {
                Cmd::Collective { stream, .. } => *stream,
                _ => 0,
            };
            let end = self.stream(track);
            let mut probe = self.probe.borrow_mut();
            let t1 = probe.mark(end).map_err(fail)?;
            let op = self.program_op(s);
            probe.span(format!("step {s} {op}{}", detail(cmd)), &op, false, track, t0, t1);
        }
        if self.sync_steps {
            self.ctx.synchronize().map_err(|e| CudaError::Step {
                rank: self.rank,
                step: s,
                op: self.program_op(s),
                message: format!("after this step: {}", describe(e)),
            })?;
        }
        Ok(())
    }

    /// Runs the plan once on the loaded inputs (`load_inputs`). Returns the GPU time in ms.
    pub fn run(&mut self, timeout: Duration) -> Result<f32, CudaError> {
        self.run_after(timeout, &[])
    }

    /// `run`, where work on other streams still uses some weights and gradients (the optimizer
    /// step, overlapped with the first layers): before command `i` of each `(i, event)` in
    /// `waits` (in command order; 0 also before the inputs' upload) every stream waits for
    /// `event`, and the run ends after all of them. With waits the ranks start without the
    /// barrier, which would wait for that work.
    pub fn run_after(&mut self, timeout: Duration, waits: &[(usize, &CudaEvent)]) -> Result<f32, CudaError> {
        let rank = self.rank;
        let setup =
            |what: &'static str| move |e: cudarc::driver::DriverError| CudaError::setup(rank, what, describe(e));
        let mut due = waits.iter().peekable();
        let wait_until = |due: &mut std::iter::Peekable<std::slice::Iter<(usize, &CudaEvent)>>, i: usize| {
            while let Some((_, ev)) = due.next_if(|(at, _)| *at <= i) {
                for stream in std::iter::once(&self.compute).chain(self.side.values()) {
                    stream.wait(ev).map_err(setup("waiting for the weights"))?;
                }
            }
            Ok::<_, CudaError>(())
        };
        // What the first command needs, before the inputs' upload (it may write over a
        // gradient the update still reads).
        wait_until(&mut due, 0)?;
        self.start()?;
        self.backward_reuse.set((0, 0));
        if waits.is_empty() {
            self.barrier(timeout)?;
        }
        self.probe.borrow_mut().begin();
        self.timing.0.record(&self.compute).map_err(setup("recording an event"))?;
        let mut marker = 0;
        for (i, (s, cmd)) in self.program.cmds.iter().enumerate() {
            wait_until(&mut due, i)?;
            self.enqueue(*s, cmd, &mut marker)?;
        }
        for (_, ev) in due {
            self.compute.wait(ev).map_err(setup("waiting for the weights"))?;
        }
        self.timing.1.record(&self.compute).map_err(setup("recording an event"))?;
        self.wait(timeout, None)?;
        self.check_flag()?;
        if self.profile {
            self.last_profile = self.probe.borrow().spans().map_err(|m| CudaError::setup(rank, "reading the profile", m))?;
        }
        self.timing.0.elapsed_ms(&self.timing.1).map_err(setup("reading the timer"))
    }

    /// `--check-steps`: runs the plan one command at a time, synchronising after each, and
    /// compares every step's results on this rank with `emu` (built from the same plan, inputs
    /// and weights, and run in lockstep). Returns a line for each result outside tolerance
    /// (bf16/f16 2e-2, also for f32 results of a bf16/f16 plan; f32 1e-4; integers exact; relative to
    /// the result's largest magnitude, except log-sum-exps, whose error is absolute); the first
    /// line names the step that went wrong.
    pub fn run_checked(
        &mut self,
        emu: &mut Emulator,
    ) -> Result<(usize, Vec<String>), CudaError> {
        let rank = self.rank;
        self.start()?;
        let cmds = &self.program.cmds;
        let mut marker = 0;
        let (mut checked, mut bad) = (0, Vec::new());
        for (i, (s, cmd)) in cmds.iter().enumerate() {
            let fail = |message: String| CudaError::Step { rank, step: *s, op: self.program_op(*s), message };
            self.enqueue(*s, cmd, &mut marker)?;
            self.ctx.synchronize().map_err(|e| fail(describe(e)))?;
            emu.step().map_err(|m| fail(format!("emulator: {m}")))?;
            if cmds.get(i + 1).is_some_and(|(next, _)| next == s) {
                continue; // compare once the step's last command ran
            }
            let op = self.program_op(*s);
            for (k, &v) in self.program.step_results[*s].iter().enumerate() {
                let info = &self.program.infos[v as usize];
                let Some(addr) = self.program.addrs[v as usize] else { continue };
                if info.bytes == 0 {
                    continue;
                }
                let mut dev = vec![0u8; info.bytes];
                device::download(&self.compute, self.p(addr), &mut dev).map_err(|e| fail(describe(e)))?;
                let want = emu.bytes(rank, addr, info.bytes).map_err(|m| fail(format!("emulator: {m}")))?;
                let (a, b) = (
                    decode_tensor(&dev, info.dtype, info.shape.clone()).map_err(&fail)?,
                    decode_tensor(want, info.dtype, info.shape.clone()).map_err(&fail)?,
                );
                let stats = super::inputs::compare(&a, &b).map_err(&fail)?;
                // In a bf16/f16 plan, f32 results (attention partials, merges) come from 16-bit
                // operands through cuDNN, which also rounds its probabilities to 16 bits: they
                // carry 16-bit error that the emulator's f32 math does not.
                let tol = match info.dtype {
                    DType::BF16 | DType::F16 => 2e-2,
                    DType::F32 | DType::F64 if self.program.low_precision => 2e-2,
                    DType::F32 | DType::F64 => 1e-4,
                    _ => 0.0,
                };
                // A log-sum-exp (second result of a partial or a merge) weighs merges by exp(lse):
                // its error counts in absolute terms (0.02 is a 2% weight), not relative to its
                // largest value.
                let lse = k == 1 && (op == "attention_partial" || op == "lse_merge");
                let err = if lse && stats.non_finite == 0 { stats.max_abs } else { stats.max_rel };
                checked += 1;
                // NaN errors fail too.
                if err.is_nan() || err > tol {
                    bad.push(format!(
                        "step {s} ('{op}') %{v} {:?} {}: max {} err {err:.3e}, mean rel {:.3e} (limit {tol:.0e})",
                        info.shape,
                        info.dtype.name(),
                        if lse { "abs" } else { "rel" },
                        stats.mean_rel
                    ));
                }
            }
        }
        self.check_flag()?;
        Ok((checked, bad))
    }

    fn program_op(&self, step: usize) -> String {
        self.program.op_names.get(step).cloned().unwrap_or_default()
    }

    /// Waits for the run to finish (or for `what`, a noun phrase that errors then name instead of
    /// the run's pending step), watching NCCL for asynchronous errors and for a stop request, up
    /// to `timeout`.
    fn wait(&self, timeout: Duration, what: Option<&str>) -> Result<(), CudaError> {
        let rank = self.rank;
        let deadline = Instant::now() + timeout;
        let mut polls = 0u64;
        loop {
            match self.timing.1.try_is_complete() {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(e) => {
                    return Err(CudaError::setup(
                        rank,
                        "running the plan",
                        format!("{} (rerun with --sync-steps to find the step)", describe(e)),
                    ));
                }
            }
            polls += 1;
            if polls.is_multiple_of(64) {
                if let Some((comm, _)) = &self.barrier {
                    comm.async_error().map_err(|m| CudaError::setup(rank, "NCCL communicator of all ranks (run barrier)", m))?;
                }
                for (i, comm) in &self.comms {
                    if let Err(m) = comm.async_error() {
                        let k = &self.program.comm_keys[*i];
                        return Err(CudaError::setup(
                            rank,
                            format!("NCCL on axis '{}' ranks {:?}", k.axis, k.group),
                            m,
                        ));
                    }
                }
            }
            if launch::stop_requested() {
                let waiting = self.pending(what);
                let waiting = format!("waiting for {}", waiting.as_deref().unwrap_or("the GPU work (no collective pending)"));
                // Now, not when the error reaches main: dropping the executor first takes time.
                launch::leave_note(&waiting);
                return Err(CudaError::Stopped { rank, waiting });
            }
            if Instant::now() >= deadline {
                return Err(self.timeout_error(timeout, what));
            }
            std::thread::sleep(Duration::from_micros(if polls < 1000 { 50 } else { 1000 }));
        }
    }

    /// What is being waited for: `what`, else the run's first collective that has not completed,
    /// as "step N ('op')".
    fn pending(&self, what: Option<&str>) -> Option<String> {
        if let Some(what) = what {
            return Some(what.to_string());
        }
        let collectives = self.program.cmds.iter().filter(|(_, c)| matches!(c, Cmd::Collective { .. }));
        let mut stuck = collectives.zip(&self.markers).filter(|(_, ev)| !ev.try_is_complete().unwrap_or(false));
        stuck.next().map(|((s, _), _)| format!("step {s} ('{}')", self.program_op(*s)))
    }

    /// Names what did not complete (`pending`).
    fn timeout_error(&self, timeout: Duration, what: Option<&str>) -> CudaError {
        let message = match self.pending(what) {
            // An offload or reload involves no peer: the copy between device and host stalled.
            Some(what) if what.contains("('offload')") || what.contains("('reload')") => {
                format!("{what} did not complete: the copy between the GPU and pinned host memory stalled")
            }
            Some(what) => format!("{what} did not complete: a peer rank may have died, hung or run a different plan"),
            None => "the GPU work did not complete (no collective is pending: a kernel is hung)".into(),
        };
        CudaError::Timeout { rank: self.rank, seconds: timeout.as_secs_f64(), message }
    }

    fn mv(&self, s: &CudaStream, m: &Move) -> Result<(), String> {
        match m {
            Move::Copy { dst, src, bytes } => {
                if *bytes == 0 {
                    return Ok(());
                }
                if dst.region == Region::Host || src.region == Region::Host {
                    return device::copy_async(s, self.p(*dst), self.p(*src), *bytes).map_err(describe);
                }
                unsafe { result::memcpy_dtod_async(self.p(*dst), self.p(*src), *bytes, s.cu_stream()) }
                    .map_err(describe)
            }
            Move::Copies(list) => {
                for (dst, src, c) in list {
                    self.kernels.copy2d(s, self.p(*dst), self.p(*src), c).map_err(describe)?;
                }
                Ok(())
            }
            Move::Gather { dst, src, idx, outer, nidx, extent, inner_bytes } => self
                .kernels
                .gather_rows(s, self.p(*dst), self.p(*src), self.p(*idx), *outer, *nidx, *extent, *inner_bytes)
                .map_err(describe),
        }
    }

    fn zero(&self, a: Addr, bytes: usize) -> Result<(), String> {
        if bytes == 0 {
            return Ok(());
        }
        unsafe { result::memset_d8_async(self.p(a), 0, bytes, self.compute.cu_stream()) }.map_err(describe)
    }

    /// The forward attention of `a` on cuDNN where planned, else on the NVRTC kernel.
    fn attend(&self, step: usize, a: &AttentionCmd) -> Result<(), String> {
        let (k, c, p) = (&self.kernels, &*self.compute, |x: Addr| self.p(x));
        if let (Some(sdpa), Some(save)) = (&self.sdpa, a.save) {
            // The fused forward with statistics, and a copy of the output, for the backward.
            if sdpa.run_saving(&self.ctx, c, k, a, p(save.stats), p)? {
                let bytes = a.sq * a.heads * a.head_dim * a.out.1.size();
                unsafe { result::memcpy_dtod_async(p(save.o), p(a.out.0), bytes, c.cu_stream()) }.map_err(describe)?;
                let mut filled = self.filled.borrow_mut();
                if filled.len() <= save.slot {
                    filled.resize(save.slot + 1, false);
                }
                filled[save.slot] = true;
                return Ok(());
            }
        }
        if let Some(sdpa) = &self.sdpa {
            let done = if a.lse.is_some() {
                let mut probe = self.profile.then(|| self.probe.borrow_mut());
                sdpa.run_partial(&self.ctx, c, k, step, a, p, probe.as_deref_mut())?
            } else {
                let mut probe = self.profile.then(|| self.probe.borrow_mut());
                sdpa.run(&self.ctx, c, k, a, p, probe.as_deref_mut())?
            };
            if done {
                return Ok(());
            }
        }
        k.attention(c, a, p).map_err(describe)
    }

    /// Attention backward: the forward's output and lse recomputed where the plan saved
    /// neither, then delta and the backward kernel into f32 accumulators.
    fn attention_grad(&self, step: usize, g: &AttentionGradCmd) -> Result<(), String> {
        let (k, c, p) = (&self.kernels, &*self.compute, |x: Addr| self.p(x));
        // What the forward kept, if it kept it this run (the slot is used once).
        let kept = g.saved.filter(|s| self.filled.borrow_mut().get_mut(s.slot).is_some_and(|f| std::mem::replace(f, false)));
        if g.recompute {
            let (used, again) = self.backward_reuse.get();
            self.backward_reuse.set(if kept.is_some() { (used + 1, again) } else { (used, again + 1) });
        }
        if let Some(sdpa) = &self.sdpa {
            if sdpa.chunks_backward() {
                self.ensure_fallback()?;
            }
            let mut probe = self.profile.then(|| self.probe.borrow_mut());
            let done = match g.recompute {
                true => sdpa.run_backward(&self.ctx, c, k, g, kept.map(|s| (p(s.o), p(s.stats))), p, probe.as_deref_mut())?,
                false => sdpa.run_partial_backward(&self.ctx, c, k, step, g, p, probe.as_deref_mut())?,
            };
            if done {
                return Ok(());
            }
        }
        self.ensure_fallback()?;
        let a = &g.fwd;
        if g.recompute {
            // The NVRTC kernel writes the lse of a whole attention (cuDNN's whole form does not).
            k.attention(c, a, p).map_err(describe)?;
        }
        let targets = [g.dq, g.dk, g.dv];
        let numel = [a.sq * a.heads, a.sk * a.kv_heads, a.sk * a.kv_heads].map(|n| n * a.head_dim);
        let mut acc = [0u64; 3];
        for i in 0..3 {
            let at = g.acc[i].unwrap_or(targets[i].0);
            self.zero(at, numel[i] * 4)?;
            acc[i] = p(at);
        }
        k.attention_bwd(c, a, (p(g.dout.0), g.dout.1), p(g.delta), acc, p, self.program.deterministic).map_err(describe)?;
        for i in 0..3 {
            if let Some(at) = g.acc[i] {
                k.convert(c, p(at), DType::F32, p(targets[i].0), targets[i].1, numel[i]).map_err(describe)?;
            }
        }
        Ok(())
    }

    /// The fused loss, chunk by chunk: logits GEMM, row losses (and dlogits in place of the
    /// logits), then the dx and dw GEMMs of the chunk (dw adds into the first chunk's).
    fn cross_entropy(&self, step: usize, ce: &CrossEntropyCmd) -> Result<(), String> {
        let (k, c, p) = (&self.kernels, &*self.compute, |x: Addr| self.p(x));
        let es = ce.dt.size();
        let labels = (p(ce.labels.0), ce.labels.1);
        let index = ce.index.map_or((0, DType::I32), |(a, dt)| (p(a), dt));
        if let Some((_, dw)) = ce.grads
            && ce.rows == 0
        {
            self.zero(dw, ce.vocab * ce.hidden * 4)?;
        }
        for (r0, n, keys) in ce.chunks() {
            let x = p(ce.x) + (r0 * ce.hidden * es) as u64;
            self.gemm.run(c, &keys[0], p(ce.logits), x, p(ce.w))?;
            let (lab, idx) = ((labels.0 + (r0 * labels.1.size()) as u64, labels.1), (if index.0 == 0 { 0 } else { index.0 + (r0 * index.1.size()) as u64 }, index.1));
            let dl = if ce.grads.is_some() { p(ce.logits) } else { 0 };
            let row_loss = p(ce.row_loss) + (r0 * 4) as u64;
            k.ce_rows(c, p(ce.logits), n, ce.vocab, lab, idx, p(ce.count), row_loss, (dl, ce.dt), ce.softcap, self.flag.ptr(), step)
                .map_err(describe)?;
            if let Some((dx, dw)) = ce.grads {
                let dx = p(dx) + (r0 * ce.hidden * es) as u64;
                self.gemm.run(c, &keys[1], dx, p(ce.logits), p(ce.w))?;
                self.gemm.run(c, &keys[if r0 == 0 { 2 } else { 3 }], p(dw), p(ce.logits), x)?;
            }
        }
        if let Some(loss) = ce.loss {
            k.ce_sum(c, p(ce.row_loss), ce.rows, p(ce.count), p(loss)).map_err(describe)?;
        }
        Ok(())
    }

    fn exec(&self, step: usize, cmd: &Cmd, marker: &mut usize) -> Result<(), String> {
        let k = &self.kernels;
        let c = &*self.compute;
        let p = |a: Addr| self.p(a);
        match cmd {
            Cmd::Move(m) => self.mv(c, m),
            Cmd::Embedding { out, odt, ids, it, table, tdt, rows, hidden, vocab, scale } => k
                .embedding(
                    c,
                    p(*out),
                    *odt,
                    p(*ids),
                    *it,
                    p(*table),
                    *tdt,
                    *rows,
                    *hidden,
                    *vocab,
                    self.flag.ptr(),
                    step,
                    *scale,
                )
                .map_err(describe),
            Cmd::RmsNorm { out, x, w, dt, wdt, rows, hidden, eps, offset } => {
                k.rms_norm(c, p(*out), p(*x), p(*w), *dt, *wdt, *rows, *hidden, *eps, *offset).map_err(describe)
            }
            Cmd::LayerNorm { out, x, w, b, dt, wdt, bdt, rows, hidden, eps } => {
                k.layer_norm(c, p(*out), p(*x), p(*w), p(*b), *dt, *wdt, *bdt, *rows, *hidden, *eps).map_err(describe)
            }
            Cmd::Gemm { y, x, w, key, addend } => self.gemm.run_c(c, key, p(*y), p(addend.unwrap_or(*y)), p(*x), p(*w)),
            Cmd::AddBias { y, dt, b, bdt, rows, cols } => {
                k.add_bias(c, p(*y), *dt, p(*b), *bdt, *rows, *cols).map_err(describe)
            }
            Cmd::Rope { out, x, dt, pos, it, rows, cols, head_dim, rotary, freqs, inverse } => k
                .rope(c, p(*out), p(*x), *dt, p(*pos), *it, *rows, *cols, *head_dim, *rotary, p(*freqs), *inverse)
                .map_err(describe),
            Cmd::AttentionGrad(g) => self.attention_grad(step, g),
            Cmd::CrossEntropy(ce) => self.cross_entropy(step, ce),
            Cmd::Zero { dst, bytes } => self.zero(*dst, *bytes),
            Cmd::LabelCount { out, labels, index, n } => {
                let index = index.map_or((0, DType::I32), |(a, dt)| (p(a), dt));
                k.label_count(c, p(*out), (p(labels.0), labels.1), index, *n).map_err(describe)
            }
            Cmd::ColumnSum { out, x, dt, rows, cols, work, parts } => {
                k.column_sum(c, p(*out), p(*x), *dt, *rows, *cols, p(*work), *parts).map_err(describe)
            }
            Cmd::NormGrad { dx, x, w, dy, dt, wdt, rows, hidden, eps, dw, db, work, parts, stats, offset, addend } => {
                if *rows == 0 {
                    self.zero(*dw, hidden * 4)?;
                    return db.map_or(Ok(()), |db| self.zero(db, hidden * 4));
                }
                let (layer, wk) = (db.is_some(), p(*work));
                k.norm_grad(c, p(*dx), p(*x), p(*w), p(*dy), *dt, *wdt, *rows, *hidden, (*eps, *offset), layer, p(*stats), wk, *parts, addend.map_or(0, p))
                    .and_then(|()| k.sum_parts(c, wk, *parts, *hidden, p(*dw)))
                    .and_then(|()| match db {
                        Some(db) => k.sum_parts(c, wk + (parts * hidden * 4) as u64, *parts, *hidden, p(*db)),
                        None => Ok(()),
                    })
                    .map_err(describe)
            }
            Cmd::EmbeddingGrad { out, ids, it, dy, dt, rows, hidden, vocab, scale } => {
                self.zero(*out, vocab * hidden * 4)?;
                k.embedding_grad(c, p(*out), p(*ids), *it, p(*dy), *dt, *rows, *hidden, *vocab, self.flag.ptr(), step, *scale, self.program.deterministic)
                    .map_err(describe)
            }
            Cmd::SwigluGrad { dt, g, u, dy, dg, du, n } => {
                k.swiglu_grad(c, *dt, p(*g), p(*u), p(*dy), p(*dg), p(*du), *n).map_err(describe)
            }
            Cmd::Attention(a) => self.attend(step, a),
            Cmd::LseMerge { o, l, oa, la, ob, lb, rows, heads, cols } => {
                k.lse_merge(c, p(*o), p(*l), p(*oa), p(*la), p(*ob), p(*lb), *rows, *heads, *cols).map_err(describe)
            }
            Cmd::Unary { op, dt, x, y, n } => k.unary(c, *op, *dt, p(*x), p(*y), *n).map_err(describe),
            Cmd::Softcap { y, dt, n, cap } => k.softcap(c, *dt, p(*y), *n, *cap).map_err(describe),
            Cmd::Binary { op, dt, a, b, y, n } => k.binary(c, *op, *dt, p(*a), p(*b), p(*y), *n).map_err(describe),
            Cmd::Convert { x, xdt, y, ydt, n } => k.convert(c, p(*x), *xdt, p(*y), *ydt, *n).map_err(describe),
            Cmd::Collective { stream, comm, token, work } => {
                let s = self.stream(*stream);
                let asynchronous = *stream != 0;
                if let Some(t) = token
                    && asynchronous
                {
                    // The communication stream starts where the compute stream is now.
                    let ev = &self.start_events[*t];
                    ev.record(c).map_err(describe)?;
                    s.wait(ev).map_err(describe)?;
                }
                let comm = match comm {
                    Some(i) => Some(self.comms.get(i).ok_or("internal: this rank has no communicator for the group")?),
                    None => None,
                };
                for w in work {
                    self.work(s, comm, w)?;
                }
                if let Some(t) = token {
                    self.done_events[*t].record(s).map_err(describe)?;
                }
                if let Some(ev) = self.markers.get(*marker) {
                    ev.record(s).map_err(describe)?;
                }
                *marker += 1;
                Ok(())
            }
            Cmd::Wait { token } => c.wait(&self.done_events[*token]).map_err(describe),
        }
    }

    fn work(&self, s: &CudaStream, comm: Option<&Communicator>, w: &Work) -> Result<(), String> {
        let need = || comm.ok_or_else(|| "internal: a collective of several ranks has no communicator".to_string());
        match w {
            Work::Move(m) => self.mv(s, m),
            Work::AllGather { send, recv, bytes } => need()?.all_gather(s, self.p(*send), self.p(*recv), *bytes),
            Work::AllReduce { send, recv, count, dtype, op } => {
                need()?.all_reduce(s, self.p(*send), self.p(*recv), *count, *dtype, *op)
            }
            Work::ReduceScatter { send, recv, count, dtype, op } => {
                need()?.reduce_scatter(s, self.p(*send), self.p(*recv), *count, *dtype, *op)
            }
            Work::SendRecv { sends, recvs } => {
                let sends: Vec<_> = sends.iter().map(|&(a, b, peer)| (self.p(a), b, peer)).collect();
                let recvs: Vec<_> = recvs.iter().map(|&(a, b, peer)| (self.p(a), b, peer)).collect();
                need()?.send_recv(s, &sends, &recvs)
            }
        }
    }

    /// The plan outputs as the caller sees them (after `run`). Outputs the plan keeps sharded
    /// are gathered from every rank over the all-ranks communicator and put in global row order,
    /// so every rank must call this; only a rank that `keeps` them reads them back (the others
    /// return nothing).
    pub fn outputs(&self, plan: &Plan, keep: bool, timeout: Duration) -> Result<Vec<HostTensor>, CudaError> {
        let rank = self.rank;
        let mut out = Vec::with_capacity(self.program.outputs.len());
        for (i, &(v, addr)) in self.program.outputs.iter().enumerate() {
            let info = &self.program.infos[v as usize];
            let what = format!("reading output %{v}");
            let fail = |m: String| CudaError::setup(rank, what.clone(), m);
            let (world, gathered) = match &self.barrier {
                Some((comm, _)) if plan.output_sharded(i) => {
                    let world = plan.devices;
                    let buf = DeviceBuffer::alloc(&self.ctx, info.bytes * world).map_err(|e| fail(describe(e)))?;
                    comm.all_gather(&self.compute, self.p(addr), buf.ptr(), info.bytes).map_err(&fail)?;
                    self.timing.1.record(&self.compute).map_err(|e| fail(describe(e)))?;
                    self.wait(timeout, Some(&format!("the gather of sharded output %{v}")))?;
                    (world, Some(buf))
                }
                _ => (1, None),
            };
            if !keep {
                continue;
            }
            let mut bytes = vec![0u8; info.bytes * world];
            let from = gathered.as_ref().map_or(self.p(addr), DeviceBuffer::ptr);
            device::download(&self.compute, from, &mut bytes).map_err(|e| fail(describe(e)))?;
            let mut shape = info.shape.clone();
            if let Some(rows) = shape.first_mut() {
                *rows *= world;
            }
            let t = decode_tensor(&bytes, info.dtype, shape).map_err(&fail)?;
            out.push(match gathered {
                Some(_) => crate::shards::global_from_gathered(plan, i, &t).map_err(|e| fail(e.to_string()))?,
                None => t,
            });
        }
        Ok(out)
    }

    /// Output `i` of the last run as this rank holds it (not gathered), as f64 values.
    pub fn local_output(&self, i: usize) -> Result<Vec<f64>, CudaError> {
        let fail = |m: String| CudaError::setup(self.rank, format!("reading output {i}"), m);
        let &(v, addr) = self.program.outputs.get(i).ok_or_else(|| fail("the plan has no such output".into()))?;
        let info = &self.program.infos[v as usize];
        let mut bytes = vec![0u8; info.bytes];
        device::download(&self.compute, self.p(addr), &mut bytes).map_err(|e| fail(describe(e)))?;
        decode_tensor(&bytes, info.dtype, info.shape.clone()).map_err(&fail)?.to_f64().ok_or_else(|| fail("not floats".into()))
    }

    /// (total, free) device memory as the driver reports it.
    pub fn device_memory(&self) -> Option<(usize, usize)> {
        self.ctx.bind_to_thread().ok()?;
        let (free, total) = result::mem_get_info().ok()?;
        Some((total, free))
    }

    /// Waits for all streams; used before dropping on the success path.
    pub fn synchronize(&self) -> Result<(), CudaError> {
        self.ctx.synchronize().map_err(|e| CudaError::setup(self.rank, "synchronising", describe(e)))
    }
}

/// A command's shape for profile labels.
fn detail(cmd: &Cmd) -> String {
    match cmd {
        Cmd::Gemm { key, .. } => format!(" [{}×{}]·[{}×{}]ᵀ", key.rows, key.inp, key.out, key.inp),
        Cmd::Attention(a) => format!(
            " {}×{} queries×keys, {} heads{}{}",
            a.sq,
            a.sk,
            a.heads,
            if a.causal { ", causal" } else { "" },
            if a.lse.is_some() { ", partial" } else { "" }
        ),
        Cmd::Collective { stream, work, .. } => {
            let bytes: usize = work
                .iter()
                .map(|w| match w {
                    Work::AllGather { bytes, .. } => *bytes,
                    Work::AllReduce { count, dtype, .. } | Work::ReduceScatter { count, dtype, .. } => {
                        count * dtype.size()
                    }
                    Work::SendRecv { sends, .. } => sends.iter().map(|s| s.1).sum(),
                    Work::Move(_) => 0,
                })
                .sum();
            format!(" ({bytes} B sent{})", if *stream != 0 { format!(", stream {stream}") } else { String::new() })
        }
        _ => String::new(),
    }
}
