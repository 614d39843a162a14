//! Execution: `Sdpa` plans each attention command (at setup, or on its first run when its index
//! vectors live on the device), owns the block paths' device buffers, and enqueues the cuDNN
//! calls and the kernels that merge their results.

mod docs;

use super::cudnn::{BwdPtrs, DocPtrs, Handle, Planned};
use super::key::{BwdKey, MaskKind, SdpaKey};
use super::plan::{Block, Cut, Groups, PIECE_CHUNKS, PartialPlan, det_chunk, partial_plan, query_groups, unsorted_plan, window_plan};
use crate::cuda::device::{DeviceBuffer, describe, download};
use crate::cuda::kernels::{Kernels, MergeMode};
use crate::cuda::layout::{DType, Run};
use crate::cuda::probe::Probe;
use crate::cuda::program::{Addr, AttentionCmd, AttentionGradCmd};
use cudarc::driver::{CudaContext, CudaStream};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

/// Device buffers the block paths (`attention_partial`, chunked `attention`) allocate on first
/// use (grown, after a synchronise, when a later command needs more).
#[derive(Default)]
struct Temps {
    workspace: Option<DeviceBuffer>,
    ob: Option<DeviceBuffer>,
    sb: Option<DeviceBuffer>,
    /// K and V in token order (when a command's keys are not).
    ks: Option<DeviceBuffer>,
    vs: Option<DeviceBuffer>,
    /// One query group's f32 output and lse (blocks that fold, written in the io type), or the
    /// whole f32 output of an io-typed partial whose blocks do not group by rows.
    acc: Option<DeviceBuffer>,
    acc_lse: Option<DeviceBuffer>,
    /// A block backward's dQ, dK and dV in the io type, its f32 dQ accumulator, and (for a
    /// partial's f32 output and output gradient) both in the io type.
    dq: Option<DeviceBuffer>,
    dk: Option<DeviceBuffer>,
    dv: Option<DeviceBuffer>,
    dq_acc: Option<DeviceBuffer>,
    o: Option<DeviceBuffer>,
    d_o: Option<DeviceBuffer>,
    /// Split attention over packed documents: one run's rectangle and square tables (`docs`).
    doc_tables: Option<DeviceBuffer>,
}

impl Temps {
    fn bytes(&self) -> usize {
        [&self.workspace, &self.ob, &self.sb, &self.ks, &self.vs, &self.acc, &self.acc_lse]
            .into_iter()
            .chain([&self.dq, &self.dk, &self.dv, &self.dq_acc, &self.o, &self.d_o, &self.doc_tables])
            .map(|b| b.as_ref().map_or(0, |b| b.bytes()))
            .sum()
    }
}

fn grown(ctx: &Arc<CudaContext>, slot: &mut Option<DeviceBuffer>, bytes: usize) -> Result<u64, String> {
    if slot.as_ref().is_none_or(|b| b.bytes() < bytes) {
        if slot.is_some() {
            ctx.synchronize().map_err(describe)?; // the old buffer may still be in use
        }
        *slot = None;
        *slot = Some(DeviceBuffer::alloc(ctx, bytes.max(256)).map_err(describe)?);
    }
    Ok(slot.as_ref().map_or(0, |b| b.ptr()))
}

/// A planned `attention_partial` or chunked `attention`: its blocks and their graphs' keys, the
/// most query rows and the largest workspace a block needs, when its keys are gathered into token
/// order first, the row table on the device, and its query groups (`query_groups`).
struct Prepared {
    plan: PartialPlan,
    keys: Vec<SdpaKey>,
    rows: usize,
    workspace: usize,
    order: Option<DeviceBuffer>,
    groups: Option<Groups>,
}

/// A backward cut into cuDNN block calls (`attention_partial_grad`, or a long whole attention):
/// its blocks, their backward keys, the most query rows and keys of a block, the largest
/// workspace, and the key-order row table on the device (keys gathered into token order).
struct BwdBlocks {
    plan: PartialPlan,
    keys: Vec<BwdKey>,
    rows: usize,
    cols: usize,
    workspace: usize,
    order: Option<DeviceBuffer>,
}

/// Where one backward's blocks read and write: q, k, v (keys in token order), o and dO in the
/// io type; the statistics (token-major `[sq, heads]` lse of a partial, or head-major
/// `[heads, sq]` cuDNN statistics of a whole attention); the f32 gradients the blocks add into.
struct BwdIo {
    qkv: [u64; 3],
    o: u64,
    d_o: u64,
    stats: u64,
    token_major: bool,
    grads: [u64; 3],
}

/// The cuDNN handle, one plan per attention shape, and their shared workspace.
pub struct Sdpa {
    handle: Handle,
    plans: RefCell<HashMap<SdpaKey, Planned>>,
    /// Attention-backward plans (None: cuDNN refused the shape; the NVRTC kernel runs it).
    backward: RefCell<HashMap<BwdKey, Option<Planned>>>,
    /// Shapes that could not be planned, with the reason (they use the kernel).
    refused: RefCell<Vec<(SdpaKey, String)>>,
    workspace: u64,
    pub workspace_bytes: usize,
    /// `attention_partial` through SDPA blocks (default; SEQC_SDPA_PARTIAL=0 keeps it on the kernel).
    pub partial: bool,
    /// Gather keys into token order before planning blocks (default; SEQC_SDPA_SORT=0: blocks
    /// over the keys as they lie).
    sort_keys: bool,
    /// How causal work is cut into calls (SEQC_SDPA_DIAGONAL, SEQC_SDPA_CHUNK).
    cut: Cut,
    temps: RefCell<Temps>,
    /// Block plans of `attention_partial` steps whose index vectors depend on the plan alone
    /// (None: not expressible, the kernel runs it). Others are planned on every run.
    partials: RefCell<HashMap<usize, Option<Rc<Prepared>>>>,
    /// Plain attention shapes cut into query chunks (None: the whole call runs).
    chunked: RefCell<HashMap<SdpaKey, Option<Rc<Prepared>>>>,
    /// The last plan made for one run only: kept until the next, since the kernels enqueued
    /// with it read its row table after `run_partial` returns.
    per_run: RefCell<Option<Rc<Prepared>>>,
    /// Counts runs (`next_run`): a document table is made once per run.
    run: Cell<u64>,
    /// The document table of the latest packed attention's segment ids.
    docs: RefCell<Option<DocTable>>,
    /// This run's forward and backward calls over packed documents on cuDNN.
    doc_calls: Cell<(usize, usize)>,
    /// Pad a document table's count to a power of two with empty documents (default;
    /// SEQC_DOCS_PAD=0: the exact count), so that steps whose counts differ share graphs.
    pad_docs: bool,
    /// Block plans of `attention_partial_grad` steps with static index vectors (None: the
    /// kernel runs it), and the last one planned for one run only.
    grad_blocks: RefCell<HashMap<usize, Option<Rc<BwdBlocks>>>>,
    grad_per_run: RefCell<Option<Rc<BwdBlocks>>>,
    /// Whole attention backwards cut into query chunks (SEQC_SDPA_BWD_CHUNK rows; None: one call).
    bwd_cut: Option<Cut>,
    /// Backward graphs in their deterministic form (`seqc-run --deterministic`).
    pub deterministic: bool,
    chunked_grads: RefCell<HashMap<BwdKey, Option<Rc<BwdBlocks>>>>,
    /// This run's block backward calls on cuDNN (blocks, commands).
    block_calls: Cell<(usize, usize)>,
    /// Split attention over packed documents as cuDNN blocks (`docs`; SEQC_SDPA_DOC_BLOCKS=0
    /// hands them to the kernel), the plans of static index vectors,
    /// the last planned for one run only, and this run's counts (forward commands, backward
    /// commands, calls, blocks skipped).
    doc_blocks: bool,
    doc_plans: RefCell<HashMap<usize, Option<Rc<docs::DocPlan>>>>,
    doc_per_run: RefCell<Option<Rc<docs::DocPlan>>>,
    split_docs: Cell<[usize; 4]>,
    /// Query rows per chunk of a whole backward cut because its deterministic form would not
    /// fit one call (`det_cut`; 0: none).
    det_chunked: Cell<usize>,
}

/// The document table on the device (`k_doc_table`) for segment ids at `seg` in run `run`, with
/// its count and longest document read back (they pick the graph).
struct DocTable {
    buf: DeviceBuffer,
    seg: u64,
    run: u64,
    n: usize,
    widths: [usize; 3],
    ptrs: DocPtrs,
    /// Documents, and the table's count (with empty ones at the end: `Sdpa::pad_docs`).
    count: usize,
    padded: usize,
    longest: usize,
    rising: bool,
}

/// Byte offsets in a document table's buffer for `n` tokens: lengths, the three offset arrays
/// and the read-back head, each 256-byte aligned; and the total.
pub(super) fn doc_layout(n: usize) -> ([usize; 5], usize) {
    let up = |x: usize| x.div_ceil(256) * 256;
    let len = 0;
    let q = up(len + 4 * (n + 1));
    let kv = up(q + 8 * (n + 1));
    let st = up(kv + 8 * (n + 1));
    let head = up(st + 8 * (n + 1));
    ([len, q, kv, st, head], head + 32)
}

impl Sdpa {
    /// Opens cuDNN (None when the library is missing or the path is turned off).
    pub fn open() -> Result<Option<Self>, String> {
        if std::env::var("SEQC_ATTENTION").is_ok_and(|v| v == "kernel") {
            return Ok(None);
        }
        let Some(handle) = Handle::open()? else { return Ok(None) };
        let on = |var: &str| std::env::var(var).map_or(true, |v| v != "0");
        Ok(Some(Self {
            handle,
            plans: RefCell::new(HashMap::new()),
            backward: RefCell::new(HashMap::new()),
            refused: RefCell::new(Vec::new()),
            workspace: 0,
            workspace_bytes: 0,
            partial: on("SEQC_SDPA_PARTIAL"),
            sort_keys: on("SEQC_SDPA_SORT"),
            cut: Cut::from_env(),
            deterministic: false,
            temps: RefCell::new(Temps::default()),
            partials: RefCell::new(HashMap::new()),
            chunked: RefCell::new(HashMap::new()),
            per_run: RefCell::new(None),
            run: Cell::new(0),
            docs: RefCell::new(None),
            doc_calls: Cell::new((0, 0)),
            pad_docs: on("SEQC_DOCS_PAD"),
            grad_blocks: RefCell::new(HashMap::new()),
            grad_per_run: RefCell::new(None),
            bwd_cut: Self::bwd_cut(),
            chunked_grads: RefCell::new(HashMap::new()),
            block_calls: Cell::new((0, 0)),
            doc_blocks: std::env::var("SEQC_SDPA_DOC_BLOCKS").map_or(true, |v| v != "0"),
            doc_plans: RefCell::new(HashMap::new()),
            doc_per_run: RefCell::new(None),
            split_docs: Cell::new([0; 4]),
            det_chunked: Cell::new(0),
        }))
    }

    pub fn version() -> usize {
        Handle::version()
    }

    /// A new run begins: its segment ids may differ from the last run's.
    pub fn next_run(&self) {
        self.run.set(self.run.get() + 1);
        self.doc_calls.set((0, 0));
        self.block_calls.set((0, 0));
        self.split_docs.set([0; 4]);
    }

    /// How a whole attention backward is cut (SEQC_SDPA_BWD_CHUNK: query rows per chunk, at
    /// least MIN_CHUNK; unset or 0: one call), keys per unmasked call as the forward's pieces.
    fn bwd_cut() -> Option<Cut> {
        let rows = std::env::var("SEQC_SDPA_BWD_CHUNK").ok().and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(0);
        (rows > 0).then(|| {
            let chunk = rows.max(super::plan::MIN_CHUNK);
            Cut { diagonal_rows: 0, chunk, piece: chunk * super::plan::PIECE_CHUNKS }
        })
    }

    /// Whether whole backwards are cut into query chunks (SEQC_SDPA_BWD_CHUNK, or `det_cut`),
    /// which add into the command's f32 accumulators (`Region::Fallback`).
    pub fn chunks_backward(&self) -> bool {
        self.bwd_cut.is_some() || self.det_chunked.get() > 0
    }

    /// Whether some deterministic backward runs in query chunks (`det_cut`), in words.
    pub fn det_chunks_report(&self) -> Option<String> {
        let rows = self.det_chunked.get();
        (rows > 0).then(|| {
            format!("deterministic attention backward in query chunks of {rows} rows (one call's dP workspace would pass SEQC_SDPA_DET_DP_GIB)")
        })
    }

    /// How many calls over groups of KV heads a whole backward takes: one per KV head where one
    /// call's per-query-head dK and dV (cuDNN's workspace, heads × keys × d × 4 bytes) would pass
    /// 1 GiB, so that its workspace and f32 dQ accumulator are a KV head's; else one call.
    /// Measured on an H200 (bench/cuda/blocks-1xh200-2026-12-03/call4, Llama-3-8B shape): at
    /// 128K per KV head costs 0.8% (888.2 against 880.9 ms) and saves 3.5 GiB; at 32K one call is
    /// 2.4% faster and holds 0.45 GiB more. SEQC_SDPA_BWD_SPLIT=N sets the count.
    fn bwd_split(&self, key: &BwdKey) -> usize {
        if let Some(n) = std::env::var("SEQC_SDPA_BWD_SPLIT").ok().and_then(|v| v.trim().parse::<usize>().ok()) {
            return n;
        }
        let one_call = key.heads * key.sk * key.d * 4;
        if one_call > 1 << 30 { key.kv_heads } else { 1 }
    }

    /// The last run's block backward calls, in words (None: none ran).
    pub fn blocks_report(&self) -> Option<String> {
        let (blocks, cmds) = self.block_calls.get();
        (cmds > 0).then(|| format!("{cmds} attention backward(s) as {blocks} cuDNN block call(s) (dQ, dK, dV added in f32)"))
    }

    /// The last run's packed-document calls on cuDNN and its document table, in words.
    pub fn documents_report(&self) -> Option<String> {
        let (fwd, bwd) = self.doc_calls.get();
        let docs = self.docs.borrow();
        let t = docs.as_ref().filter(|_| fwd + bwd > 0)?;
        let forms: Vec<String> =
            self.backward.borrow().iter().filter(|(k, _)| k.docs > 0).filter_map(|(_, p)| p.as_ref().map(|p| p.form.clone())).collect();
        Some(format!(
            "{fwd} attention and {bwd} attention backward call(s) on cuDNN's ragged graph: {} documents in {} tokens (a graph of {}), the longest {} (graph length {}){}",
            t.count,
            t.n,
            t.padded,
            t.longest,
            super::key::padded_len(t.longest),
            if forms.is_empty() { String::new() } else { format!("; backward graph {}", forms.join(", ")) }
        ))
    }

    /// The document table of `a`'s segment ids this run (made by `k_doc_table` and its head read
    /// back on the first packed attention of a run: one synchronisation per run). None: the ids
    /// are not packed documents (they decrease somewhere), so the kernel runs the mask.
    fn doc_table(
        &self,
        ctx: &Arc<CudaContext>,
        cs: &CudaStream,
        kernels: &Kernels,
        a: &AttentionCmd,
        p: &impl Fn(Addr) -> u64,
    ) -> Result<Option<(DocPtrs, usize, usize)>, String> {
        let Some((seg, it)) = a.q_segment else { return Ok(None) };
        let (seg, n, run) = (p(seg), a.sq, self.run.get());
        let widths = [a.heads * a.head_dim, a.kv_heads * a.head_dim, a.heads];
        let mut slot = self.docs.borrow_mut();
        if let Some(t) = slot.as_ref().filter(|t| t.seg == seg && t.run == run && t.n == n && t.widths == widths) {
            return Ok(t.rising.then_some((t.ptrs, t.padded, t.longest)));
        }
        let (at, bytes) = doc_layout(n);
        let buf = match slot.take() {
            Some(t) if t.buf.bytes() >= bytes => t.buf,
            old => {
                if old.is_some() {
                    ctx.synchronize().map_err(describe)?; // enqueued attention may still read it
                }
                drop(old);
                DeviceBuffer::alloc(ctx, bytes).map_err(describe)?
            }
        };
        let base = buf.ptr();
        let [len, q, kv, st, head] = at.map(|o| base + o as u64);
        kernels.doc_table(cs, (seg, it), n, len, [q, kv, st], widths, self.pad_docs, head).map_err(describe)?;
        let mut h = [0u8; 32];
        download(cs, head, &mut h).map_err(describe)?;
        let word = |i: usize| i64::from_le_bytes(h[8 * i..8 * i + 8].try_into().unwrap_or([0; 8])).max(0) as usize;
        let (count, longest, rising, padded) = (word(0), word(1), word(2) == 1, word(3));
        let ptrs = DocPtrs { len, len_kv: len, q, kv, stats: st };
        *slot = Some(DocTable { buf, seg, run, n, widths, ptrs, count, padded, longest, rising });
        Ok((rising && count > 0).then_some((ptrs, padded, longest)))
    }

    /// The workspace for a plan of `need` bytes: the shared one when large enough, else the
    /// block paths' own (grown; a graph made during a run may need more than setup's).
    fn workspace_for(&self, ctx: &Arc<CudaContext>, need: usize) -> Result<u64, String> {
        if self.workspace != 0 && need <= self.workspace_bytes {
            return Ok(self.workspace);
        }
        grown(ctx, &mut self.temps.borrow_mut().workspace, need)
    }

    /// A whole attention over packed documents (`SdpaKey::packed`) through cuDNN's ragged
    /// graph: the document table of its segment ids, the graph of that many documents (made on
    /// first use), then the call; `stats`: also write the statistics (token-major). Ok(false):
    /// not handled (the kernel runs it).
    #[allow(clippy::too_many_arguments)]
    fn run_docs(
        &self,
        ctx: &Arc<CudaContext>,
        cs: &CudaStream,
        kernels: &Kernels,
        a: &AttentionCmd,
        stats: Option<u64>,
        p: &impl Fn(Addr) -> u64,
    ) -> Result<bool, String> {
        let Some(base) = SdpaKey::packed(a) else { return Ok(false) };
        let ptrs = [p(a.q.0), p(a.k.0), p(a.v.0), p(a.out.0)];
        if ptrs.iter().chain(stats.iter()).any(|x| !x.is_multiple_of(16)) {
            return Ok(false);
        }
        let Some((docs, count, longest)) = self.doc_table(ctx, cs, kernels, a, p)? else { return Ok(false) };
        let key = SdpaKey { stats: stats.is_some(), ..base.with_docs(count, longest) };
        if !self.prepare(key) {
            return Ok(false);
        }
        let ws = self.workspace_for(ctx, self.plan_workspace(&key))?;
        self.execute(cs, &key, ptrs, stats, Some(docs), ws, a.scale)?;
        let (f, b) = self.doc_calls.get();
        self.doc_calls.set((f + 1, b));
        Ok(true)
    }

    /// Builds the plan for `key` if not done yet; false when cuDNN refused it (see `refused`).
    pub fn prepare(&self, key: SdpaKey) -> bool {
        if self.plans.borrow().contains_key(&key) {
            return true;
        }
        if self.refused.borrow().iter().any(|(k, _)| *k == key) {
            return false;
        }
        match self.handle.build(&key) {
            Ok(p) => {
                self.plans.borrow_mut().insert(key, p);
                true
            }
            Err(e) => {
                self.refused.borrow_mut().push((key, e));
                false
            }
        }
    }

    pub fn refused(&self) -> Vec<(SdpaKey, String)> {
        self.refused.borrow().clone()
    }

    pub fn is_refused(&self, key: &SdpaKey) -> bool {
        self.refused.borrow().iter().any(|(k, _)| k == key)
    }

    /// The largest workspace any plan needs.
    pub fn needed_workspace(&self) -> usize {
        let fwd = self.plans.borrow().values().map(|p| p.workspace).max().unwrap_or(0);
        let bwd = self.backward.borrow().values().flatten().map(|p| p.workspace).max().unwrap_or(0);
        fwd.max(bwd)
    }

    /// Plans an attention backward at setup: the fused forward with statistics (to recompute
    /// the output) and the fused backward. False: cuDNN refused one (the NVRTC kernels run it).
    pub fn prepare_backward(&self, ctx: &Arc<CudaContext>, g: &AttentionGradCmd) -> Result<bool, String> {
        let Some(key) = BwdKey::of(g).map(|k| k.in_groups(self.bwd_split(&k))) else { return Ok(false) };
        let scale = g.fwd.scale;
        // Deterministic and too large for one call: the forward that recomputes and the query
        // chunks' graphs only, never the whole call's plan (its dP workspace would not fit).
        if let Some(cut) = self.det_cut(&key) {
            if self.prepare(key.forward(scale))
                && let Some(blocks) = self.chunk_blocks(ctx, &key, cut)?
            {
                self.det_chunked.set(cut.chunk);
                self.chunked_grads.borrow_mut().insert(key, Some(blocks));
                return Ok(true);
            }
            // No chunk graphs (a window, or cuDNN refused one): the NVRTC kernels' deterministic
            // form runs it, rather than a whole call whose workspace would not fit.
            return Ok(false);
        }
        if !self.prepare_backward_key(key, scale) {
            return Ok(false);
        }
        // A long backward cut into query chunks (SEQC_SDPA_BWD_CHUNK), when every block has a
        // graph; else the one call planned above.
        if let Some(cut) = self.bwd_cut
            && !self.chunked_grads.borrow().contains_key(&key)
        {
            let blocks = self.chunk_blocks(ctx, &key, cut)?;
            self.chunked_grads.borrow_mut().insert(key, blocks);
        }
        Ok(true)
    }

    /// A whole backward of `key` cut into query chunks (`cut`), when it is causal or unmasked
    /// without a window and every block has a graph; None otherwise.
    fn chunk_blocks(&self, ctx: &Arc<CudaContext>, key: &BwdKey, cut: Cut) -> Result<Option<Rc<BwdBlocks>>, String> {
        let causal = key.mask == MaskKind::Causal;
        if !(causal || key.mask == MaskKind::None) || key.window != 0 || key.docs != 0 || key.sq != key.sk || key.sq <= cut.chunk {
            return Ok(None);
        }
        let tokens: Vec<i64> = (0..key.sq as i64).collect();
        let Some(plan) = partial_plan(&tokens, &tokens, causal, cut) else { return Ok(None) };
        Ok(self.bwd_blocks(ctx, plan, |b| Some(key.block(b.q.len, b.k.len, b.mask)))?.map(Rc::new))
    }

    /// Under `--deterministic`, the cut of a whole backward whose one call's dP workspace would
    /// pass SEQC_SDPA_DET_DP_GIB (default 64: the Llama-3-8B shape's 32K call, measured whole):
    /// `det_chunk`'s query chunks. None: one call (or SEQC_SDPA_BWD_CHUNK's cut).
    fn det_cut(&self, key: &BwdKey) -> Option<Cut> {
        if !self.deterministic || self.bwd_cut.is_some() {
            return None;
        }
        let gib = std::env::var("SEQC_SDPA_DET_DP_GIB").ok().and_then(|v| v.trim().parse::<f64>().ok()).unwrap_or(64.0);
        let chunk = det_chunk(key.heads, key.split, key.sq, key.sk, (gib * (1u64 << 30) as f64) as usize)?;
        Some(Cut { diagonal_rows: 0, chunk, piece: chunk * PIECE_CHUNKS })
    }

    /// Builds the backward graph of every block of `plan` (`key_of` gives its key) and uploads
    /// its key-order table; None when one cannot run on cuDNN.
    fn bwd_blocks(
        &self,
        ctx: &Arc<CudaContext>,
        plan: PartialPlan,
        key_of: impl Fn(&Block) -> Option<BwdKey>,
    ) -> Result<Option<BwdBlocks>, String> {
        let mut keys = Vec::with_capacity(plan.blocks.len());
        for b in &plan.blocks {
            let Some(key) = key_of(b) else { return Ok(None) };
            if !self.prepare_backward_with(key, None) {
                return Ok(None);
            }
            keys.push(key);
        }
        let backward = self.backward.borrow();
        let workspace = keys.iter().filter_map(|k| backward.get(k).and_then(|p| p.as_ref())).map(|p| p.workspace).max().unwrap_or(0);
        drop(backward);
        let rows = plan.blocks.iter().map(|b| b.q.len).max().unwrap_or(0);
        let cols = plan.blocks.iter().map(|b| b.k.len).max().unwrap_or(0);
        let order = order_table(ctx, &plan)?;
        Ok(Some(BwdBlocks { plan, keys, rows, cols, workspace, order }))
    }

    fn prepare_backward_key(&self, key: BwdKey, scale: f32) -> bool {
        self.prepare_backward_with(key, Some(scale))
    }

    /// Builds the backward plan of `key` (and, given the scale, the forward that recomputes its
    /// output and statistics) if not done yet; false when cuDNN refused one.
    fn prepare_backward_with(&self, key: BwdKey, forward: Option<f32>) -> bool {
        if let Some(known) = self.backward.borrow().get(&key) {
            return known.is_some();
        }
        let scale = forward.unwrap_or(1.0);
        let planned = if forward.is_none_or(|s| self.prepare(key.forward(s))) {
            match self.handle.build_backward(&key, self.deterministic) {
                Ok(p) => Some(p),
                Err(e) => {
                    self.refused.borrow_mut().push((key.forward(scale), format!("attention backward {key:?}: {e}")));
                    None
                }
            }
        } else {
            None
        };
        let ok = planned.is_some();
        self.backward.borrow_mut().insert(key, planned);
        ok
    }

    /// Whether `key` has a plan whose workspace the shared one covers.
    fn fits(&self, key: &SdpaKey) -> bool {
        self.plans.borrow().get(key).is_some_and(|pl| pl.workspace <= self.workspace_bytes)
    }

    /// Runs a whole attention through the fused forward with statistics (written to `stats` as
    /// [heads, sq] f32; token-major for packed documents), for a backward that uses them.
    /// Ok(false): not planned (the caller runs the plain forward, and the backward recomputes).
    pub fn run_saving(
        &self,
        ctx: &Arc<CudaContext>,
        cs: &CudaStream,
        kernels: &Kernels,
        a: &AttentionCmd,
        stats: u64,
        p: impl Fn(Addr) -> u64,
    ) -> Result<bool, String> {
        if SdpaKey::packed(a).is_some() {
            return self.run_docs(ctx, cs, kernels, a, Some(stats), &p);
        }
        let Some(plain) = SdpaKey::of(a) else { return Ok(false) };
        let key = SdpaKey { stats: true, ..plain };
        let ptrs = [p(a.q.0), p(a.k.0), p(a.v.0), p(a.out.0)];
        if ptrs.iter().chain([&stats]).any(|x| !x.is_multiple_of(16)) {
            return Ok(false);
        }
        if !self.fits(&key) {
            return Ok(false);
        }
        self.execute(cs, &key, ptrs, Some(stats), None, self.workspace, a.scale)?;
        Ok(true)
    }

    /// Backward plans made (and refused).
    pub fn backward_planned(&self) -> (usize, usize) {
        let b = self.backward.borrow();
        (b.values().filter(|p| p.is_some()).count(), b.values().filter(|p| p.is_none()).count())
    }

    /// Runs an attention backward through cuDNN when planned: with what the forward kept
    /// (`kept`: output and statistics), or else the fused forward writes the output (into the
    /// command's output buffer) and the statistics (into its lse buffer, as [heads, sq]); the dQ
    /// accumulator is zeroed; the fused backward writes dQ, dK and dV. Over packed documents
    /// the graphs are the ragged ones of this run's document table (made on first use).
    /// Ok(false): not handled (the caller runs the kernels).
    #[allow(clippy::too_many_arguments)]
    pub fn run_backward(
        &self,
        ctx: &Arc<CudaContext>,
        cs: &CudaStream,
        kernels: &Kernels,
        g: &AttentionGradCmd,
        kept: Option<(u64, u64)>,
        p: impl Fn(Addr) -> u64,
        probe: Option<&mut Probe>,
    ) -> Result<bool, String> {
        let packed = BwdKey::packed(g);
        let Some(key) = BwdKey::of(g).map(|k| k.in_groups(self.bwd_split(&k))).or(packed) else { return Ok(false) };
        let Some(lse) = g.fwd.lse else { return Ok(false) };
        let a = &g.fwd;
        let (o, stats) = kept.unwrap_or((p(a.out.0), p(lse)));
        // The f32 dQ accumulator of one call (a group's heads, or every head).
        let acc_bytes = a.sq * a.heads / key.split.max(1) * a.head_dim * 4;
        let acc = grown(ctx, &mut self.temps.borrow_mut().dq_acc, acc_bytes)?;
        let t = BwdPtrs {
            q: p(a.q.0),
            k: p(a.k.0),
            v: p(a.v.0),
            o,
            d_o: p(g.dout.0),
            stats,
            dq: p(g.dq.0),
            dk: p(g.dk.0),
            dv: p(g.dv.0),
            dq_acc: acc,
        };
        let all = [t.q, t.k, t.v, t.o, t.d_o, t.stats, t.dq, t.dk, t.dv, t.dq_acc];
        if all.iter().any(|x| !x.is_multiple_of(16)) {
            return Ok(false);
        }
        let (key, docs) = match packed {
            Some(_) => match self.doc_table(ctx, cs, kernels, a, &p)? {
                Some((docs, count, longest)) => (key.with_docs(count, longest), Some(docs)),
                None => return Ok(false),
            },
            None => (key, None),
        };
        if docs.is_some() && !self.prepare_backward_key(key, a.scale) {
            return Ok(false);
        }
        let chunked = match docs {
            None => self.chunked_grads.borrow().get(&key).cloned().flatten(),
            Some(_) => None,
        };
        let plans = self.backward.borrow();
        // The whole call's plan; a deterministic backward in query chunks has none (`det_cut`).
        let whole = plans.get(&key).and_then(|p| p.as_ref()).map(|p| p.workspace);
        if whole.is_none() && (chunked.is_none() || docs.is_some()) {
            return Ok(false);
        }
        let fwd = key.forward(a.scale);
        let ws = match docs {
            Some(_) => self.workspace_for(ctx, self.plan_workspace(&fwd).max(whole.unwrap_or(0)))?,
            None if self.fits(&fwd) && whole.is_none_or(|w| w <= self.workspace_bytes) => self.workspace,
            None => return Ok(false),
        };
        let chunk_acc = match (&chunked, g.acc) {
            (Some(bl), [Some(aq), Some(ak), Some(av)]) => {
                let io = BwdIo { qkv: [t.q, t.k, t.v], o: t.o, d_o: t.d_o, stats: t.stats, token_major: false, grads: [p(aq), p(ak), p(av)] };
                self.blocks_aligned(bl, &io, a).then_some((bl.clone(), io))
            }
            _ => None,
        };
        drop(plans);
        if kept.is_none() {
            self.execute(cs, &fwd, [t.q, t.k, t.v, t.o], Some(t.stats), docs, ws, a.scale)?;
        }
        if let Some((bl, io)) = chunk_acc {
            // Query chunks: each block's dQ, dK, dV added into the f32 accumulators, then
            // rounded into the results once.
            let numel = [a.sq * a.heads, a.sk * a.kv_heads, a.sk * a.kv_heads].map(|n| n * a.head_dim);
            for (at, n) in io.grads.iter().zip(numel) {
                unsafe { cudarc::driver::result::memset_d8_async(*at, 0, n * 4, cs.cu_stream()) }.map_err(describe)?;
            }
            self.run_bwd_blocks(ctx, cs, kernels, g, &bl, &io, probe)?;
            for ((at, n), out) in io.grads.iter().zip(numel).zip([t.dq, t.dk, t.dv]) {
                kernels.convert(cs, *at, DType::F32, out, a.q.1, n).map_err(describe)?;
            }
            return Ok(true);
        }
        let plans = self.backward.borrow();
        let Some(Some(plan)) = plans.get(&key) else { return Ok(false) };
        // One call per group of KV heads: the group's columns of every tensor, its rows of the
        // head-major statistics.
        let es = a.q.1.size() as u64;
        let (hq, hk) = ((a.heads / key.split) as u64, (a.kv_heads / key.split) as u64);
        let d = a.head_dim as u64;
        for c in 0..key.split as u64 {
            let (qo, ko) = (c * hq * d * es, c * hk * d * es);
            let part = BwdPtrs {
                q: t.q + qo,
                k: t.k + ko,
                v: t.v + ko,
                o: t.o + qo,
                d_o: t.d_o + qo,
                stats: t.stats + c * hq * a.sq as u64 * 4,
                dq: t.dq + qo,
                dk: t.dk + ko,
                dv: t.dv + ko,
                dq_acc: t.dq_acc,
            };
            unsafe { cudarc::driver::result::memset_d8_async(t.dq_acc, 0, acc_bytes, cs.cu_stream()) }.map_err(describe)?;
            self.handle.execute_backward(cs, plan, &key, &part, docs, ws, a.scale)?;
        }
        if docs.is_some() {
            let (f, b) = self.doc_calls.get();
            self.doc_calls.set((f, b + 1));
        }
        Ok(true)
    }

    /// Whether every block of `bl` reads and writes 16-byte aligned rows of `io` (cuDNN's
    /// tensors are declared so).
    fn blocks_aligned(&self, bl: &BwdBlocks, io: &BwdIo, a: &AttentionCmd) -> bool {
        let es = a.q.1.size() as u64;
        let (hd, kvd) = ((a.heads * a.head_dim) as u64, (a.kv_heads * a.head_dim) as u64);
        // Gathered keys start at fresh buffers: only the row widths matter then.
        let (k, v) = if bl.plan.key_order.is_some() { (0, 0) } else { (io.qkv[1], io.qkv[2]) };
        bl.plan.blocks.iter().all(|b| {
            let (q, kr) = (b.q.row as u64, b.k.row as u64);
            [io.qkv[0] + q * hd * es, io.o + q * hd * es, io.d_o + q * hd * es, k + kr * kvd * es, v + kr * kvd * es]
                .iter()
                .all(|x| x.is_multiple_of(16))
        })
    }

    /// Enqueues the block backwards of `bl`: per block, its rows' statistics (head-major), the
    /// fused backward into io-typed dQ, dK, dV buffers, and those added into `io.grads` (f32;
    /// keys back to their rows through the key-order table).
    #[allow(clippy::too_many_arguments)]
    fn run_bwd_blocks(
        &self,
        ctx: &Arc<CudaContext>,
        cs: &CudaStream,
        kernels: &Kernels,
        g: &AttentionGradCmd,
        bl: &BwdBlocks,
        io: &BwdIo,
        mut probe: Option<&mut Probe>,
    ) -> Result<(), String> {
        let a = &g.fwd;
        let (dt, es) = (a.q.1, a.q.1.size());
        let (hd, kvd) = (a.heads * a.head_dim, a.kv_heads * a.head_dim);
        let mut temps = self.temps.borrow_mut();
        let dq = grown(ctx, &mut temps.dq, bl.rows * hd * es)?;
        let dk = grown(ctx, &mut temps.dk, bl.cols * kvd * es)?;
        let dv = grown(ctx, &mut temps.dv, bl.cols * kvd * es)?;
        let acc = grown(ctx, &mut temps.dq_acc, bl.rows * hd * 4)?;
        let sb = grown(ctx, &mut temps.sb, bl.rows * a.heads * 4)?;
        drop(temps);
        let ws = self.workspace_for(ctx, bl.workspace)?;
        let order = bl.order.as_ref().map_or(0, |b| b.ptr());
        let at = |base: u64, run: &Run, width: usize| base + (run.row * width * es) as u64;
        let plans = self.backward.borrow();
        for (blk, key) in bl.plan.blocks.iter().zip(&bl.keys) {
            let plan = plans.get(key).and_then(|p| p.as_ref()).ok_or("internal: no cuDNN backward plan for a block")?;
            let t0 = probe.as_deref_mut().map(|pr| pr.mark(cs)).transpose()?;
            kernels.stats_rows(cs, sb, io.stats, blk.q.row, blk.q.len, a.heads, a.sq, io.token_major).map_err(describe)?;
            unsafe { cudarc::driver::result::memset_d8_async(acc, 0, blk.q.len * hd * 4, cs.cu_stream()) }.map_err(describe)?;
            let t = BwdPtrs {
                q: at(io.qkv[0], &blk.q, hd),
                k: at(io.qkv[1], &blk.k, kvd),
                v: at(io.qkv[2], &blk.k, kvd),
                o: at(io.o, &blk.q, hd),
                d_o: at(io.d_o, &blk.q, hd),
                stats: sb,
                dq,
                dk,
                dv,
                dq_acc: acc,
            };
            self.handle.execute_backward(cs, plan, key, &t, None, ws, a.scale)?;
            kernels.add_rows(cs, io.grads[0], dq, dt, 0, blk.q.row, blk.q.len, hd).map_err(describe)?;
            for (grad, part) in [(io.grads[1], dk), (io.grads[2], dv)] {
                kernels.add_rows(cs, grad, part, dt, order, blk.k.row, blk.k.len, kvd).map_err(describe)?;
            }
            if let (Some(pr), Some(t0)) = (probe.as_deref_mut(), t0) {
                let t1 = pr.mark(cs)?;
                let label = format!(
                    "SDPA block backward: queries {}..{} × keys {}..{} ({}×{}, {:?}) + adds",
                    blk.q.first,
                    blk.q.last() + 1,
                    blk.k.first,
                    blk.k.last() + 1,
                    blk.q.len,
                    blk.k.len,
                    key.mask
                );
                pr.span(label, "sdpa block backward", true, 0, t0, t1);
            }
        }
        let (b, c) = self.block_calls.get();
        self.block_calls.set((b + bl.plan.blocks.len(), c + 1));
        Ok(())
    }

    /// `attention_partial_grad` as cuDNN block backwards over its index vectors' blocks (as
    /// `run_partial` cuts the forward), given the final output and lse: the output and its
    /// gradient in the io type (converted when f32), keys gathered into token order when they
    /// are not, each block's dQ, dK, dV added into the zeroed f32 results. The first run of a
    /// step reads the index vectors back (a synchronisation); with static index vectors later
    /// runs reuse its plan. Ok(false): not handled (nothing enqueued; the kernel runs it).
    #[allow(clippy::too_many_arguments)]
    pub fn run_partial_backward(
        &self,
        ctx: &Arc<CudaContext>,
        cs: &CudaStream,
        kernels: &Kernels,
        step: usize,
        g: &AttentionGradCmd,
        p: impl Fn(Addr) -> u64,
        probe: Option<&mut Probe>,
    ) -> Result<bool, String> {
        let a = &g.fwd;
        if a.q_segment.is_some() || a.k_segment.is_some() {
            return self.run_partial_backward_docs(ctx, cs, kernels, step, g, &p, probe);
        }
        let Some(lse) = a.lse else { return Ok(false) };
        if !self.partial || BwdKey::partial(g, 1, 1, None, None).is_none() {
            return Ok(false);
        }
        let cached = self.grad_blocks.borrow().get(&step).cloned();
        let bl = match cached {
            Some(known) => known,
            None => {
                // A bottom-right diagonal block becomes an unmasked block and a causal square:
                // cuDNN's backward runs those faster (the split attention at 32K on an H200:
                // 65.6 against 70.3 ms, bench/cuda/blocks-1xh200-2026-12-03/call2).
                // SEQC_SDPA_BWD_DIAGONAL=1 keeps the forward's cut.
                // Under a window too: cuDNN's backward skips the band's empty tiles in causal
                // squares and unmasked blocks, not in bottom-right diagonal ones (8.4 ms for an
                // 8K x 12K windowed diagonal block whose forward took 1.1; call 5's profile).
                let cut = match std::env::var("SEQC_SDPA_BWD_DIAGONAL").is_ok_and(|v| v == "1") {
                    true => self.cut,
                    false => Cut { diagonal_rows: 0, ..self.cut },
                };
                let bl = match self.index_plan(cs, a, &p, cut)? {
                    Some(plan) => self.bwd_blocks(ctx, plan, |b| BwdKey::partial(g, b.q.len, b.k.len, b.mask, b.band))?.map(Rc::new),
                    None => None,
                };
                if a.static_index {
                    self.grad_blocks.borrow_mut().insert(step, bl.clone());
                } else {
                    *self.grad_per_run.borrow_mut() = bl.clone();
                }
                bl
            }
        };
        let Some(bl) = bl else { return Ok(false) };
        let dt = a.q.1;
        let (q, k, v) = (p(a.q.0), p(a.k.0), p(a.v.0));
        // Temporaries start 256-byte aligned: only the rows' offsets matter for them.
        let (o_at, do_at) = (if a.out.1 == dt { p(a.out.0) } else { 0 }, if g.dout.1 == dt { p(g.dout.0) } else { 0 });
        let probe_io = BwdIo { qkv: [q, k, v], o: o_at, d_o: do_at, stats: 0, token_major: true, grads: [0; 3] };
        if !self.blocks_aligned(&bl, &probe_io, a) {
            return Ok(false);
        }
        let (k, v) = self.keys_in_order(ctx, cs, kernels, a, bl.order.as_ref(), bl.plan.key_order.as_ref().map(Vec::len), &p)?;
        let (o, d_o) = self.io_typed_out(ctx, cs, kernels, g, &p)?;
        let grads = zeroed_grads(cs, g, &p)?;
        let io = BwdIo { qkv: [q, k, v], o, d_o, stats: p(lse), token_major: true, grads };
        self.run_bwd_blocks(ctx, cs, kernels, g, &bl, &io, probe)?;
        Ok(true)
    }

    /// K and V of `a` in token order: gathered through `order` (the key-order table, `rows`
    /// rows) into the temporaries, or where they lie when there is none.
    #[allow(clippy::too_many_arguments)]
    fn keys_in_order(
        &self,
        ctx: &Arc<CudaContext>,
        cs: &CudaStream,
        kernels: &Kernels,
        a: &AttentionCmd,
        order: Option<&DeviceBuffer>,
        rows: Option<usize>,
        p: &impl Fn(Addr) -> u64,
    ) -> Result<(u64, u64), String> {
        let (k, v) = (p(a.k.0), p(a.v.0));
        let (Some(order), Some(rows)) = (order, rows) else { return Ok((k, v)) };
        let width = a.kv_heads * a.head_dim * a.k.1.size();
        let mut temps = self.temps.borrow_mut();
        let ks = grown(ctx, &mut temps.ks, rows * width)?;
        let vs = grown(ctx, &mut temps.vs, rows * width)?;
        for (dst, src) in [(ks, k), (vs, v)] {
            kernels.gather_rows(cs, dst, src, order.ptr(), 1, rows, a.sk, width).map_err(describe)?;
        }
        Ok((ks, vs))
    }

    /// A block backward's forward output and its gradient in the io type: where they lie, or
    /// converted into the temporaries (a partial's f32 output).
    fn io_typed_out(&self, ctx: &Arc<CudaContext>, cs: &CudaStream, kernels: &Kernels, g: &AttentionGradCmd, p: &impl Fn(Addr) -> u64) -> Result<(u64, u64), String> {
        let a = &g.fwd;
        let (dt, n) = (a.q.1, a.sq * a.heads * a.head_dim);
        let mut temps = self.temps.borrow_mut();
        let io_typed = |slot: &mut Option<DeviceBuffer>, (at, t): (Addr, DType)| -> Result<u64, String> {
            if t == dt {
                return Ok(p(at));
            }
            let buf = grown(ctx, slot, n * dt.size())?;
            kernels.convert(cs, p(at), t, buf, dt, n).map_err(describe)?;
            Ok(buf)
        };
        let t = &mut *temps;
        let o = io_typed(&mut t.o, a.out)?;
        let d_o = io_typed(&mut t.d_o, g.dout)?;
        Ok((o, d_o))
    }

    /// Sets the workspace (at least `needed_workspace` bytes).
    pub fn set_workspace(&mut self, ptr: u64, bytes: usize) {
        self.workspace = ptr;
        self.workspace_bytes = bytes;
    }

    pub fn planned(&self) -> usize {
        self.plans.borrow().len()
    }

    /// Enqueues the plan of `key` on `stream` with the given tensors (and, for a packed key, the
    /// run's document table).
    #[allow(clippy::too_many_arguments)]
    fn execute(
        &self,
        stream: &CudaStream,
        key: &SdpaKey,
        ptrs: [u64; 4],
        stats: Option<u64>,
        docs: Option<DocPtrs>,
        workspace: u64,
        scale: f32,
    ) -> Result<(), String> {
        let plans = self.plans.borrow();
        let plan = plans.get(key).ok_or("internal: no cuDNN plan for this shape")?;
        self.handle.execute(stream, plan, key, ptrs, stats, docs, workspace, scale)
    }

    /// The workspace `key`'s plan needs (0: none made).
    fn plan_workspace(&self, key: &SdpaKey) -> usize {
        self.plans.borrow().get(key).map_or(0, |p| p.workspace)
    }

    /// Plans a plain `attention` command at setup: cut into query chunks when `Cut::chunk` says
    /// so (and cuDNN takes every block), else one call. False: cuDNN refused it (the kernel runs).
    pub fn prepare_attention(&self, ctx: &Arc<CudaContext>, a: &AttentionCmd) -> Result<bool, String> {
        let Some(key) = SdpaKey::of(a) else { return Ok(false) };
        if let Some(known) = self.chunked.borrow().get(&key) {
            return Ok(known.is_some() || self.prepare(key));
        }
        let chunked = match self.chunk_plan(&key) {
            Some(plan) => {
                let block_key =
                    |b: &Block| Some(SdpaKey { sq: b.q.len, sk: b.k.len, mask: MaskKind::of_block(b.mask), stats: true, ..key });
                self.finish_partial(ctx, plan, block_key)?.filter(|p| p.groups.is_some()).map(Rc::new)
            }
            None => None,
        };
        let done = chunked.is_some() || self.prepare(key);
        self.chunked.borrow_mut().insert(key, chunked);
        Ok(done)
    }

    /// The query-chunk plan of a causal self-attention shape long enough to cut.
    fn chunk_plan(&self, key: &SdpaKey) -> Option<PartialPlan> {
        let c = self.cut.chunk;
        // A window keeps one call (its band is the graph's own mask, not the block planner's).
        if key.mask != MaskKind::Causal || key.window > 0 || key.sq != key.sk || c == 0 || key.sq <= c {
            return None;
        }
        let tokens: Vec<i64> = (0..key.sq as i64).collect();
        partial_plan(&tokens, &tokens, true, Cut { diagonal_rows: 0, ..self.cut })
    }

    /// Runs `a` (plain `attention`) on `cs` if it has a plan and its buffers are aligned: one
    /// call, or query chunks (`run_groups`: one call into its rows, or folded in f32 and
    /// converted).
    /// Ok(false): not handled (the caller runs the kernel).
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        &self,
        ctx: &Arc<CudaContext>,
        cs: &CudaStream,
        kernels: &Kernels,
        a: &AttentionCmd,
        p: impl Fn(Addr) -> u64,
        probe: Option<&mut Probe>,
    ) -> Result<bool, String> {
        if SdpaKey::packed(a).is_some() {
            return self.run_docs(ctx, cs, kernels, a, None, &p);
        }
        let Some(key) = SdpaKey::of(a) else { return Ok(false) };
        let ptrs = [p(a.q.0), p(a.k.0), p(a.v.0), p(a.out.0)];
        if ptrs.iter().any(|x| !x.is_multiple_of(16)) {
            return Ok(false);
        }
        let chunked = self.chunked.borrow().get(&key).cloned().flatten();
        if let Some(pr) = chunked {
            self.run_groups(ctx, cs, kernels, a, &pr, [ptrs[0], ptrs[1], ptrs[2]], ptrs[3], None, probe)?;
            return Ok(true);
        }
        if !self.fits(&key) {
            return Ok(false);
        }
        self.execute(cs, &key, ptrs, None, None, self.workspace, a.scale)?;
        Ok(true)
    }

    /// Device bytes the block paths hold (block outputs, gathered keys, chunk accumulators,
    /// their workspace, key-order row tables), which the plan's memory plan does not see.
    pub fn temp_bytes(&self) -> usize {
        let table = |p: &Prepared| p.order.as_ref().map_or(0, |b| b.bytes());
        let kept: usize = self.partials.borrow().values().flatten().map(|p| table(p)).sum();
        let last = self.per_run.borrow().as_ref().map_or(0, |p| table(p));
        let grad_table = |b: &BwdBlocks| b.order.as_ref().map_or(0, |o| o.bytes());
        let grads: usize = self.grad_blocks.borrow().values().flatten().map(|b| grad_table(b)).sum::<usize>()
            + self.grad_per_run.borrow().as_ref().map_or(0, |b| grad_table(b));
        self.temps.borrow().bytes() + kept + last + grads + self.doc_plan_bytes()
    }

    /// The block output (when some block folds: `fold`), statistics and workspace buffers for
    /// `pr`'s blocks, grown as needed; the workspace is the shared one (made at setup) when that
    /// is large enough.
    fn block_bufs(&self, ctx: &Arc<CudaContext>, temps: &mut Temps, pr: &Prepared, a: &AttentionCmd, fold: bool) -> Result<BlockBufs, String> {
        let hd = a.heads * a.head_dim;
        Ok(BlockBufs {
            ob: if fold { grown(ctx, &mut temps.ob, pr.rows * hd * a.q.1.size())? } else { 0 },
            sb: grown(ctx, &mut temps.sb, pr.rows * a.heads * 4)?,
            ws: match self.workspace != 0 && pr.workspace <= self.workspace_bytes {
                true => self.workspace,
                false => grown(ctx, &mut temps.workspace, pr.workspace)?,
            },
        })
    }

    /// Enqueues blocks `b.range` of a plan: each SDPA call into the block buffers, then written
    /// or folded into rows (`row − b.base`) of the f32 output and lse; with `b.direct`, each call
    /// writes its rows of the io-typed output itself and only the lse is copied.
    fn run_blocks(
        &self,
        cs: &CudaStream,
        kernels: &Kernels,
        a: &AttentionCmd,
        b: &BlockRun,
        bufs: &BlockBufs,
        mut probe: Option<&mut Probe>,
    ) -> Result<(), String> {
        let es = a.q.1.size();
        let (hd, kvd) = (a.heads * a.head_dim, a.kv_heads * a.head_dim);
        let at = |base: u64, run: &Run, width: usize| base + (run.row * width * es) as u64;
        let [q, k, v] = b.qkv;
        let plan = &b.pr.plan;
        for i in b.range.clone() {
            let (blk, mode, key) = (&plan.blocks[i], plan.modes[i], &b.pr.keys[i]);
            let row = blk.q.row - b.base;
            let (ob, mode) = match b.direct {
                true => (b.out + (row * hd * es) as u64, MergeMode::Stats),
                false => (bufs.ob, mode),
            };
            let ptrs = [at(q, &blk.q, hd), at(k, &blk.k, kvd), at(v, &blk.k, kvd), ob];
            let t0 = probe.as_deref_mut().map(|pr| pr.mark(cs)).transpose()?;
            self.execute(cs, key, ptrs, Some(bufs.sb), None, bufs.ws, a.scale)?;
            if !(b.direct && b.lse == 0) {
                kernels
                    .sdpa_merge(cs, b.out, b.lse, bufs.ob, a.q.1, bufs.sb, row, blk.q.len, a.heads, a.head_dim, mode)
                    .map_err(describe)?;
            }
            if let (Some(pr), Some(t0)) = (probe.as_deref_mut(), t0) {
                let t1 = pr.mark(cs)?;
                let mask = match blk.mask {
                    None => "unmasked".to_string(),
                    Some(0) => "causal".to_string(),
                    Some(o) => format!("causal, diagonal +{o}"),
                };
                let after = match (b.direct, b.lse) {
                    (true, 0) => "",
                    (true, _) => " + lse",
                    (false, _) => " + merge",
                };
                let label = format!(
                    "SDPA block: queries {}..{} × keys {}..{} ({}×{}, {mask}){after}",
                    blk.q.first,
                    blk.q.last() + 1,
                    blk.k.first,
                    blk.k.last() + 1,
                    blk.q.len,
                    blk.k.len
                );
                pr.span(label, "sdpa block", true, 0, t0, t1);
            }
        }
        Ok(())
    }

    /// Plans `a` as SDPA blocks from its index vectors (read back from the device: this
    /// synchronises the stream) and builds every block's graph. None: not expressible.
    fn prepare_partial(
        &self,
        ctx: &Arc<CudaContext>,
        cs: &CudaStream,
        a: &AttentionCmd,
        p: &impl Fn(Addr) -> u64,
    ) -> Result<Option<Prepared>, String> {
        match self.index_plan(cs, a, p, self.cut)? {
            Some(plan) => self.finish_partial(ctx, plan, |b| SdpaKey::block(a, b.q.len, b.k.len, b.mask, b.band)),
            None => Ok(None),
        }
    }

    /// The block plan of a split attention's index vectors (read back from the device: this
    /// synchronises the stream). None: not expressible as blocks.
    fn index_plan(&self, cs: &CudaStream, a: &AttentionCmd, p: &impl Fn(Addr) -> u64, cut: Cut) -> Result<Option<PartialPlan>, String> {
        let (Some((qi, qit)), Some((ki, kit))) = (a.q_index, a.k_index) else { return Ok(None) };
        let read = |addr: Addr, dt: DType, n: usize| -> Result<Vec<i64>, String> {
            let mut bytes = vec![0u8; n * dt.size()];
            download(cs, p(addr), &mut bytes).map_err(describe)?;
            Ok(match dt {
                DType::I32 => bytes.chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as i64).collect(),
                _ => bytes.chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect(),
            })
        };
        let (q_idx, k_idx) = (read(qi, qit, a.sq)?, read(ki, kit, a.sk)?);
        if a.window > 0 {
            // A window keeps, of each causal block, the keys and the band it reaches.
            let plan = if self.sort_keys { partial_plan(&q_idx, &k_idx, true, cut) } else { None };
            return Ok(plan.map(|p| window_plan(p, a.window as usize, a.sq)));
        }
        Ok(if self.sort_keys { partial_plan(&q_idx, &k_idx, a.causal, cut) } else { unsorted_plan(&q_idx, &k_idx, a.causal) })
    }

    /// Builds the graph of every block (`key_of` gives its key); None when one cannot run here.
    fn finish_partial(
        &self,
        ctx: &Arc<CudaContext>,
        plan: PartialPlan,
        key_of: impl Fn(&Block) -> Option<SdpaKey>,
    ) -> Result<Option<Prepared>, String> {
        let mut keys = Vec::with_capacity(plan.blocks.len());
        for b in &plan.blocks {
            let Some(key) = key_of(b) else { return Ok(None) };
            if !self.prepare(key) {
                return Ok(None);
            }
            keys.push(key);
        }
        let rows = plan.blocks.iter().map(|b| b.q.len).max().unwrap_or(0);
        let workspace = keys.iter().map(|k| self.plan_workspace(k)).max().unwrap_or(0);
        let order = order_table(ctx, &plan)?;
        let groups = query_groups(&plan);
        Ok(Some(Prepared { plan, keys, rows, workspace, order, groups }))
    }

    /// `attention_partial` as SDPA blocks (see `partial_plan`), each written into (or folded
    /// into) the f32 output and lse by `k_sdpa_merge`. The first run of a step reads the index
    /// vectors back (a synchronisation); when `a.static_index`, later runs reuse its plan.
    /// Ok(false): not handled (nothing was enqueued; the caller runs the kernel).
    #[allow(clippy::too_many_arguments)]
    pub fn run_partial(
        &self,
        ctx: &Arc<CudaContext>,
        cs: &CudaStream,
        kernels: &Kernels,
        step: usize,
        a: &AttentionCmd,
        p: impl Fn(Addr) -> u64,
        probe: Option<&mut Probe>,
    ) -> Result<bool, String> {
        if a.q_segment.is_some() || a.k_segment.is_some() {
            return self.run_partial_docs(ctx, cs, kernels, step, a, &p, probe);
        }
        if !self.partial || SdpaKey::block(a, 1, 1, None, None).is_none() {
            return Ok(false);
        }
        let Some(lse) = a.lse else { return Ok(false) };
        let cached = self.partials.borrow().get(&step).cloned();
        let prepared = match cached {
            Some(Some(pr)) => pr,
            Some(None) => return Ok(false),
            None => {
                // Planning read the index vectors back: the stream is idle here, so the previous
                // per-run plan (and the row table its kernels read) can go.
                let pr = self.prepare_partial(ctx, cs, a, &p)?.map(Rc::new);
                if a.static_index {
                    self.partials.borrow_mut().insert(step, pr.clone());
                } else {
                    *self.per_run.borrow_mut() = pr.clone();
                }
                match pr {
                    Some(pr) => pr,
                    None => return Ok(false),
                }
            }
        };
        let plan = &prepared.plan;
        let es = a.q.1.size();
        let (hd, kvd) = (a.heads * a.head_dim, a.kv_heads * a.head_dim);
        let (q, out) = (p(a.q.0), p(a.out.0));
        let (k, v) = (p(a.k.0), p(a.v.0));
        let aligned = |base: u64, run: &Run, width: usize| (base + (run.row * width * es) as u64).is_multiple_of(16);
        // Gathered keys start at fresh (256-byte aligned) buffers: only the row widths matter.
        let (kb, vb) = if plan.key_order.is_some() { (0, 0) } else { (k, v) };
        if !out.is_multiple_of(16)
            || plan.blocks.iter().any(|b| !aligned(q, &b.q, hd) || !aligned(kb, &b.k, kvd) || !aligned(vb, &b.k, kvd))
        {
            return Ok(false);
        }
        let (k, v) = self.keys_in_order(ctx, cs, kernels, a, prepared.order.as_ref(), plan.key_order.as_ref().map(Vec::len), &p)?;
        let mut temps = self.temps.borrow_mut();
        let lse = p(lse);
        if a.out.1 != DType::F32 && prepared.groups.is_some() {
            drop(temps);
            self.run_groups(ctx, cs, kernels, a, &prepared, [q, k, v], out, Some(lse), probe)?;
            return Ok(true);
        }
        // The whole output in f32: the result itself, or (io-typed result whose blocks do not
        // group by rows) a temporary converted at the end.
        let f32_out = match a.out.1 {
            DType::F32 => out,
            _ => grown(ctx, &mut temps.acc, a.sq * hd * 4)?,
        };
        let bufs = self.block_bufs(ctx, &mut temps, &prepared, a, true)?;
        if plan.reset {
            kernels
                .sdpa_merge(cs, f32_out, lse, 0, a.q.1, 0, 0, a.sq, a.heads, a.head_dim, MergeMode::Reset)
                .map_err(describe)?;
        }
        let blocks = BlockRun { pr: &prepared, range: 0..plan.blocks.len(), qkv: [q, k, v], out: f32_out, lse, base: 0, direct: false };
        self.run_blocks(cs, kernels, a, &blocks, &bufs, probe)?;
        if f32_out != out {
            kernels.convert(cs, f32_out, DType::F32, out, a.out.1, a.sq * hd).map_err(describe)?;
        }
        Ok(true)
    }

    /// Runs `pr`'s blocks group by group (`Prepared::groups`) into `out` in the io type: a group
    /// of one block writes its rows directly, the others fold in the f32 group buffers and are
    /// converted into their rows. `lse` (a partial's): the rows' log-sum-exps are written too.
    #[allow(clippy::too_many_arguments)]
    fn run_groups(
        &self,
        ctx: &Arc<CudaContext>,
        cs: &CudaStream,
        kernels: &Kernels,
        a: &AttentionCmd,
        pr: &Prepared,
        qkv: [u64; 3],
        out: u64,
        lse: Option<u64>,
        mut probe: Option<&mut Probe>,
    ) -> Result<(), String> {
        let groups = pr.groups.as_ref().ok_or("internal: attention blocks without query groups")?;
        let es = a.q.1.size();
        let hd = a.heads * a.head_dim;
        let fold = groups.iter().any(|(_, r)| r.len() > 1);
        let mut temps = self.temps.borrow_mut();
        let bufs = self.block_bufs(ctx, &mut temps, pr, a, fold)?;
        let (acc, acc_lse) = match fold {
            true => (grown(ctx, &mut temps.acc, pr.rows * hd * 4)?, grown(ctx, &mut temps.acc_lse, pr.rows * a.heads * 4)?),
            false => (0, 0),
        };
        drop(temps);
        for (rows, range) in groups {
            if range.len() == 1 {
                // cuDNN writes the rows; the lse (when wanted) comes from its statistics.
                let blocks = BlockRun { pr, range: range.clone(), qkv, out, lse: lse.unwrap_or(0), base: 0, direct: true };
                self.run_blocks(cs, kernels, a, &blocks, &bufs, probe.as_deref_mut())?;
                continue;
            }
            let blocks = BlockRun { pr, range: range.clone(), qkv, out: acc, lse: acc_lse, base: rows.row, direct: false };
            self.run_blocks(cs, kernels, a, &blocks, &bufs, probe.as_deref_mut())?;
            let dst = out + (rows.row * hd * es) as u64;
            kernels.convert(cs, acc, DType::F32, dst, a.out.1, rows.len * hd).map_err(describe)?;
            if let Some(l) = lse {
                let dst = l + (rows.row * a.heads * 4) as u64;
                kernels.convert(cs, acc_lse, DType::F32, dst, DType::F32, rows.len * a.heads).map_err(describe)?;
            }
        }
        Ok(())
    }
}

/// The f32 dQ, dK and dV of `g`, cleared on `cs` for block calls to add into.
fn zeroed_grads(cs: &CudaStream, g: &AttentionGradCmd, p: &impl Fn(Addr) -> u64) -> Result<[u64; 3], String> {
    let a = &g.fwd;
    let (hd, kvd) = (a.heads * a.head_dim, a.kv_heads * a.head_dim);
    let grads = [p(g.dq.0), p(g.dk.0), p(g.dv.0)];
    for (at, n) in grads.iter().zip([a.sq * hd, a.sk * kvd, a.sk * kvd]) {
        unsafe { cudarc::driver::result::memset_d8_async(*at, 0, n * 4, cs.cu_stream()) }.map_err(describe)?;
    }
    Ok(grads)
}

/// `plan`'s key-order row table on the device (None: its keys are in token order already).
fn order_table(ctx: &Arc<CudaContext>, plan: &PartialPlan) -> Result<Option<DeviceBuffer>, String> {
    let Some(rows) = &plan.key_order else { return Ok(None) };
    let bytes: Vec<u8> = rows.iter().flat_map(|r| r.to_le_bytes()).collect();
    let buf = DeviceBuffer::alloc(ctx, bytes.len()).map_err(describe)?;
    let s = ctx.default_stream();
    crate::cuda::device::upload(&s, buf.ptr(), &bytes).map_err(describe)?;
    Ok(Some(buf))
}

/// The block outputs, statistics and workspace every block of a plan uses in turn.
struct BlockBufs {
    ob: u64,
    sb: u64,
    ws: u64,
}

/// Blocks `range` of a prepared plan over `qkv`, merged into `out`/`lse`, whose row 0 is the
/// plan's row `base`; `direct`: each block writes its own rows of `out` (in the io type).
struct BlockRun<'a> {
    pr: &'a Prepared,
    range: std::ops::Range<usize>,
    qkv: [u64; 3],
    out: u64,
    lse: u64,
    base: usize,
    direct: bool,
}

impl Drop for Sdpa {
    /// The plans' descriptors go before the handle they were built on (the first field, dropped
    /// right after this).
    fn drop(&mut self) {
        self.plans.borrow_mut().clear();
        self.backward.borrow_mut().clear();
    }
}
