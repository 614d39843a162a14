//! Packed documents on split attention: an `attention_partial` (or its gradient) with segment
//! ids, through cuDNN. Its causal block plan, with whole diagonals cut away, holds two kinds of
//! block (`doc_blocks`): a rectangle, whose keys all come before its queries, so that one
//! document at most holds both, as a prefix of the query rows and a suffix of the key rows
//! (one unmasked call of one ragged document, or none); and a causal square over the same
//! tokens, whose documents run as one ragged graph, as a whole packed attention does (from its
//! query ids: its keys are the same tokens, whose ids the plan takes from the same segment ids).
//! Blocks across documents are not computed. A causal window keeps each block's band (a
//! rectangle's moved with its first key row, passed by value at execution).
//!
//! Each run, the rectangles' lengths and offsets (`k_doc_rects`) and each square's document
//! table (`k_doc_table`) are made on the device from the segment ids, and their heads (32 bytes
//! a block) read back in one copy: they say whether the ids are packed documents at all, skip
//! empty rectangles, and pick each square's graph (its document count and longest length,
//! rounded up as for a whole attention). The rectangles' graphs have the block's shape, so they
//! are the same every run. The forward folds each call into the f32 output (cleared first);
//! the backward adds each call's dQ, dK and dV rows into the f32 gradients.
//!
//! On by default (SEQC_SDPA_DOC_BLOCKS=0 hands these commands to the NVRTC kernel): checked
//! against the CPU backend on an H100 (2026-12-08, `bench/cuda/blocks6_job.sh`: three document
//! sets and a window, forward and backward, bf16 max 6.5e-3), 77x the kernel's speed at 32K;
//! the block planning is checked on the host (`documents_on_split_blocks_are_exact`).

use super::super::cudnn::{BwdPtrs, DocPtrs};
use super::super::key::{BwdKey, SdpaKey};
use super::super::plan::{Block, Cut, DocBlock, PartialPlan, doc_blocks, rect_part};
use super::{Sdpa, describe, doc_layout, grown, order_table, zeroed_grads};
use crate::cuda::device::{DeviceBuffer, download, upload};
use crate::cuda::kernels::{Kernels, MergeMode};
use crate::cuda::layout::DType;
use crate::cuda::probe::Probe;
use crate::cuda::program::{Addr, AttentionCmd, AttentionGradCmd};
use cudarc::driver::{CudaContext, CudaStream};
use std::rc::Rc;
use std::sync::Arc;

/// A split attention's causal plan over packed documents: its blocks and their kinds, the
/// rectangles' rows on the device (`k_doc_rects`' input) and the key-order table.
pub(in crate::cuda::sdpa) struct DocPlan {
    plan: PartialPlan,
    kinds: Vec<DocBlock>,
    rect_rows: Option<DeviceBuffer>,
    order: Option<DeviceBuffer>,
    rows: usize,
    cols: usize,
}

/// What one block does this run.
enum Call {
    /// A rectangle no document spans.
    Skip,
    /// A rectangle's part in its document (`rect_part`), with its one-document table.
    Rect(Block, DocPtrs),
    /// A square's documents: the table, its (padded) count and longest document.
    Square(DocPtrs, usize, usize),
}

impl Call {
    /// The window bound a call executes with, given its graph's (`doc_key`): a rectangle's band
    /// moved to the first key row it reads (the bound is a by-value scalar of the graph).
    fn window(&self, graph: usize) -> usize {
        match self {
            Call::Rect(part, _) => part.band.map_or(graph, |lo| lo as usize),
            _ => graph,
        }
    }

    /// The query rows (first, count) and key rows the call reads and writes.
    fn rows(&self, blk: &Block) -> Option<(usize, usize, usize, usize)> {
        match self {
            Call::Skip => None,
            Call::Rect(part, _) => Some((part.q.row, part.q.len, part.k.row, part.k.len)),
            Call::Square(..) => Some((blk.q.row, blk.q.len, blk.k.row, blk.k.len)),
        }
    }

    fn docs(&self) -> Option<DocPtrs> {
        match self {
            Call::Skip => None,
            Call::Rect(_, d) | Call::Square(d, ..) => Some(*d),
        }
    }
}

/// Bytes of one rectangle's table (`k_doc_rects`): the int32 query and key lengths at +0 and +16,
/// then three int64 offset pairs at +32, +48, +64; cuDNN takes each tensor 16-byte aligned.
const RECT_TABLE: usize = 128;
/// Rows of the f32 dQ accumulator cleared together: a ragged call may touch whole tiles.
const ACC_TILE: usize = 128;

/// Bytes of one block's read-back head (4 int64).
const HEAD: usize = 32;

/// The command with its segment ids dropped: its blocks' keys are those of plain blocks.
fn plain(a: &AttentionCmd) -> AttentionCmd {
    AttentionCmd { q_segment: None, k_segment: None, ..a.clone() }
}

impl Sdpa {
    /// The document plan of `a` (its index vectors read back on its step's first run, kept
    /// when they are static). None: not expressible (the kernel runs it).
    fn doc_plan(&self, ctx: &Arc<CudaContext>, cs: &CudaStream, step: usize, a: &AttentionCmd, p: &impl Fn(Addr) -> u64) -> Result<Option<Rc<DocPlan>>, String> {
        if let Some(known) = self.doc_plans.borrow().get(&step) {
            return Ok(known.clone());
        }
        let plan = self.index_plan(cs, a, p, Cut { diagonal_rows: 0, ..self.cut })?;
        let made = match plan.and_then(|plan| doc_blocks(&plan).map(|kinds| (plan, kinds))) {
            Some((plan, kinds)) => {
                let rows: Vec<u8> = plan
                    .blocks
                    .iter()
                    .zip(&kinds)
                    .filter(|(_, k)| **k == DocBlock::Rect)
                    .flat_map(|(b, _)| [b.q.row, b.q.len, b.k.row, b.k.len])
                    .flat_map(|x| (x as i64).to_le_bytes())
                    .collect();
                let rect_rows = match rows.is_empty() {
                    true => None,
                    false => {
                        let buf = DeviceBuffer::alloc(ctx, rows.len()).map_err(describe)?;
                        upload(&ctx.default_stream(), buf.ptr(), &rows).map_err(describe)?;
                        Some(buf)
                    }
                };
                let order = order_table(ctx, &plan)?;
                let rows = plan.blocks.iter().map(|b| b.q.len).max().unwrap_or(0);
                let cols = plan.blocks.iter().map(|b| b.k.len).max().unwrap_or(0);
                Some(Rc::new(DocPlan { plan, kinds, rect_rows, order, rows, cols }))
            }
            None => None,
        };
        match a.static_index {
            true => drop(self.doc_plans.borrow_mut().insert(step, made.clone())),
            // Planned for this run only: kept until the next, as the kernels read its tables.
            false => *self.doc_per_run.borrow_mut() = made.clone(),
        }
        Ok(made)
    }

    /// This run's calls of `dp` from the segment ids of `a`: the rectangles' tables and each
    /// square's document table on the device, their heads read back (one synchronisation).
    /// None: the ids are not packed documents (the kernel runs the command).
    fn doc_calls(&self, ctx: &Arc<CudaContext>, cs: &CudaStream, kernels: &Kernels, a: &AttentionCmd, dp: &DocPlan, p: &impl Fn(Addr) -> u64) -> Result<Option<Vec<Call>>, String> {
        let (Some((qs, qt)), Some((ks, kt))) = (a.q_segment, a.k_segment) else { return Ok(None) };
        let blocks = &dp.plan.blocks;
        let rects = dp.kinds.iter().filter(|k| **k == DocBlock::Rect).count();
        // Rectangle tables, then each square's document table, then every block's head.
        let mut at = rects * RECT_TABLE;
        let mut squares = Vec::with_capacity(blocks.len());
        for (b, k) in blocks.iter().zip(&dp.kinds) {
            if *k == DocBlock::Square {
                let (offs, bytes) = doc_layout(b.q.len);
                squares.push((at, offs));
                at += bytes.div_ceil(256) * 256;
            }
        }
        let heads_at = at;
        let total = heads_at + HEAD * blocks.len();
        let base = grown(ctx, &mut self.temps.borrow_mut().doc_tables, total)?;
        let widths = [a.heads * a.head_dim, a.kv_heads * a.head_dim, a.heads];
        let head = |i: usize| base + (heads_at + HEAD * i) as u64;
        if let Some(rows) = &dp.rect_rows {
            let order = dp.order.as_ref().map_or(0, |o| o.ptr());
            kernels.doc_rects(cs, (p(qs), qt), (p(ks), kt), order, rows.ptr(), rects, base, widths, head(0)).map_err(describe)?;
        }
        let sq_blocks = blocks.iter().zip(&dp.kinds).filter(|(_, k)| **k == DocBlock::Square).map(|(b, _)| b);
        for (i, (b, (off, o))) in sq_blocks.zip(&squares).enumerate() {
            let seg = p(qs) + (b.q.row * qt.size()) as u64;
            let [len, q, kv, st, _] = o.map(|x| base + (off + x) as u64);
            kernels.doc_table(cs, (seg, qt), b.q.len, len, [q, kv, st], widths, self.pad_docs, head(rects + i)).map_err(describe)?;
        }
        let mut h = vec![0u8; HEAD * blocks.len()];
        download(cs, head(0), &mut h).map_err(describe)?;
        let word = |blk: usize, i: usize| {
            let at = HEAD * blk + 8 * i;
            i64::from_le_bytes(h[at..at + 8].try_into().unwrap_or([0; 8])).max(0) as usize
        };
        let (mut r, mut s) = (0, 0);
        let mut calls = Vec::with_capacity(blocks.len());
        for (b, k) in blocks.iter().zip(&dp.kinds) {
            calls.push(match k {
                DocBlock::Rect => {
                    let (valid, qa, kb) = (word(r, 0) == 1, word(r, 1), word(r, 2));
                    let t = base + (r * RECT_TABLE) as u64;
                    r += 1;
                    match (valid, qa > 0 && kb > 0) {
                        (false, _) => return Ok(None),
                        (true, false) => Call::Skip,
                        (true, true) => Call::Rect(rect_part(b, qa, kb), DocPtrs { len: t, len_kv: t + 16, q: t + 32, kv: t + 48, stats: t + 64 }),
                    }
                }
                DocBlock::Square => {
                    let i = rects + s;
                    let (count, longest, rising, padded) = (word(i, 0), word(i, 1), word(i, 2) == 1, word(i, 3));
                    if !rising || count == 0 {
                        return Ok(None);
                    }
                    let (off, o) = squares[s];
                    s += 1;
                    let [len, q, kv, st, _] = o.map(|x| base + (off + x) as u64);
                    Call::Square(DocPtrs { len, len_kv: len, q, kv, stats: st }, padded, longest)
                }
            });
        }
        Ok(Some(calls))
    }

    /// The forward key of a block's call (None: skipped).
    fn doc_key(a: &AttentionCmd, blk: &Block, call: &Call) -> Option<SdpaKey> {
        let a = plain(a);
        match call {
            Call::Skip => None,
            Call::Rect(..) => SdpaKey::block(&a, blk.q.len, blk.k.len, None, blk.band).map(|k| SdpaKey { docs: 1, ..k }),
            Call::Square(_, count, longest) => SdpaKey::block(&a, blk.q.len, blk.k.len, Some(0), blk.band).map(|k| k.with_docs(*count, *longest)),
        }
    }

    /// Whether packed documents of `a` run as cuDNN blocks (unless SEQC_SDPA_DOC_BLOCKS=0): causal
    /// (maybe windowed), segment ids on both sides, and blocks cuDNN takes.
    fn doc_blocks_take(&self, a: &AttentionCmd) -> bool {
        self.doc_blocks
            && self.partial
            && a.causal
            && a.q_segment.is_some()
            && a.k_segment.is_some()
            && SdpaKey::block(&plain(a), 1, 1, None, None).is_some()
    }

    /// `attention_partial` over packed documents (module doc). Ok(false): not handled (the
    /// caller runs the kernel).
    #[allow(clippy::too_many_arguments)]
    pub(in crate::cuda::sdpa) fn run_partial_docs(
        &self,
        ctx: &Arc<CudaContext>,
        cs: &CudaStream,
        kernels: &Kernels,
        step: usize,
        a: &AttentionCmd,
        p: &impl Fn(Addr) -> u64,
        mut probe: Option<&mut Probe>,
    ) -> Result<bool, String> {
        let Some(lse) = a.lse.filter(|_| self.doc_blocks_take(a)) else { return Ok(false) };
        let Some(dp) = self.doc_plan(ctx, cs, step, a, p)? else { return Ok(false) };
        let es = a.q.1.size();
        let (hd, kvd) = (a.heads * a.head_dim, a.kv_heads * a.head_dim);
        let (q, out) = (p(a.q.0), p(a.out.0));
        let (k, v) = self.keys_in_order(ctx, cs, kernels, a, dp.order.as_ref(), dp.plan.key_order.as_ref().map(Vec::len), p)?;
        let aligned = |x: u64| x.is_multiple_of(16);
        if !aligned(out) || !aligned((hd * es) as u64) || !aligned((kvd * es) as u64) || ![q, k, v].into_iter().all(aligned) {
            return Ok(false);
        }
        let Some(calls) = self.doc_calls(ctx, cs, kernels, a, &dp, p)? else { return Ok(false) };
        let mut keys = Vec::with_capacity(calls.len());
        for (blk, call) in dp.plan.blocks.iter().zip(&calls) {
            let key = Self::doc_key(a, blk, call);
            if key.is_some_and(|k| !self.prepare(k)) {
                return Ok(false);
            }
            keys.push(key);
        }
        let workspace = keys.iter().flatten().map(|k| self.plan_workspace(k)).max().unwrap_or(0);
        let ws = self.workspace_for(ctx, workspace)?;
        let lse = p(lse);
        let mut temps = self.temps.borrow_mut();
        let f32_out = match a.out.1 {
            DType::F32 => out,
            _ => grown(ctx, &mut temps.acc, a.sq * hd * 4)?,
        };
        let ob = grown(ctx, &mut temps.ob, dp.rows * hd * es)?;
        let sb = grown(ctx, &mut temps.sb, dp.rows * a.heads * 4)?;
        // The calls' token-major statistics, made head-major for the merge.
        let st = grown(ctx, &mut temps.acc_lse, dp.rows * a.heads * 4)?;
        drop(temps);
        kernels.sdpa_merge(cs, f32_out, lse, 0, a.q.1, 0, 0, a.sq, a.heads, a.head_dim, MergeMode::Reset).map_err(describe)?;
        let mut ran = 0;
        for ((blk, call), key) in dp.plan.blocks.iter().zip(&calls).zip(&keys) {
            let (Some((qr, qn, kr, _)), Some(key)) = (call.rows(blk), key) else { continue };
            let t0 = probe.as_deref_mut().map(|pr| pr.mark(cs)).transpose()?;
            let ptrs = [q + (qr * hd * es) as u64, k + (kr * kvd * es) as u64, v + (kr * kvd * es) as u64, ob];
            let plans = self.plans.borrow();
            let plan = plans.get(key).ok_or("internal: no cuDNN plan for a document block")?;
            let run_as = SdpaKey { window: call.window(key.window), ..*key };
            self.handle.execute(cs, plan, &run_as, ptrs, Some(st), call.docs(), ws, a.scale)?;
            drop(plans);
            kernels.stats_rows(cs, sb, st, 0, qn, a.heads, qn, true).map_err(describe)?;
            kernels.sdpa_merge(cs, f32_out, lse, ob, a.q.1, sb, qr, qn, a.heads, a.head_dim, MergeMode::Fold).map_err(describe)?;
            ran += 1;
            if let (Some(pr), Some(t0)) = (probe.as_deref_mut(), t0) {
                let t1 = pr.mark(cs)?;
                pr.span(doc_label("SDPA document block", blk, call), "sdpa block", true, 0, t0, t1);
            }
        }
        if f32_out != out {
            kernels.convert(cs, f32_out, DType::F32, out, a.out.1, a.sq * hd).map_err(describe)?;
        }
        self.count_doc_blocks(ran, calls.len(), false);
        Ok(true)
    }

    /// `attention_partial_grad` over packed documents: each call's dQ, dK and dV rows added
    /// into the zeroed f32 gradients. Ok(false): not handled (nothing but the tables enqueued;
    /// the kernel runs it).
    #[allow(clippy::too_many_arguments)]
    pub(in crate::cuda::sdpa) fn run_partial_backward_docs(
        &self,
        ctx: &Arc<CudaContext>,
        cs: &CudaStream,
        kernels: &Kernels,
        step: usize,
        g: &AttentionGradCmd,
        p: &impl Fn(Addr) -> u64,
        mut probe: Option<&mut Probe>,
    ) -> Result<bool, String> {
        let a = &g.fwd;
        let Some(lse) = a.lse.filter(|_| self.doc_blocks_take(a)) else { return Ok(false) };
        let gp = AttentionGradCmd { fwd: plain(a), ..g.clone() };
        if BwdKey::partial(&gp, 1, 1, None, None).is_none() {
            return Ok(false);
        }
        let Some(dp) = self.doc_plan(ctx, cs, step, a, p)? else { return Ok(false) };
        let (dt, es) = (a.q.1, a.q.1.size());
        let (hd, kvd) = (a.heads * a.head_dim, a.kv_heads * a.head_dim);
        let q = p(a.q.0);
        let (k, v) = self.keys_in_order(ctx, cs, kernels, a, dp.order.as_ref(), dp.plan.key_order.as_ref().map(Vec::len), p)?;
        let aligned = |x: u64| x.is_multiple_of(16);
        if !aligned((hd * es) as u64) || !aligned((kvd * es) as u64) || ![q, k, v].into_iter().all(aligned) {
            return Ok(false);
        }
        let Some(calls) = self.doc_calls(ctx, cs, kernels, a, &dp, p)? else { return Ok(false) };
        let mut keys = Vec::with_capacity(calls.len());
        for (blk, call) in dp.plan.blocks.iter().zip(&calls) {
            let key = Self::doc_key(a, blk, call).map(|f| BwdKey::of_forward(&f));
            if key.is_some_and(|k| !self.prepare_backward_with(k, None)) {
                return Ok(false);
            }
            keys.push(key);
        }
        let backward = self.backward.borrow();
        let workspace = keys.iter().flatten().filter_map(|k| backward.get(k).and_then(|p| p.as_ref())).map(|p| p.workspace).max().unwrap_or(0);
        drop(backward);
        let ws = self.workspace_for(ctx, workspace)?;
        let (o, d_o) = self.io_typed_out(ctx, cs, kernels, g, p)?;
        if !aligned(o) || !aligned(d_o) {
            return Ok(false);
        }
        // The f32 dQ accumulator is cleared in whole tiles of ACC_TILE rows past each call's.
        let acc_rows = dp.rows.next_multiple_of(ACC_TILE);
        let mut temps = self.temps.borrow_mut();
        let dq = grown(ctx, &mut temps.dq, dp.rows * hd * es)?;
        let dk = grown(ctx, &mut temps.dk, dp.cols * kvd * es)?;
        let dv = grown(ctx, &mut temps.dv, dp.cols * kvd * es)?;
        let acc = grown(ctx, &mut temps.dq_acc, acc_rows * hd * 4)?;
        // Each call's rows of the token-major lse, copied to an aligned buffer (a row offset of
        // the lse itself is 16-byte aligned only for some head counts).
        let sb = grown(ctx, &mut temps.sb, dp.rows * a.heads * 4)?;
        drop(temps);
        let grads = zeroed_grads(cs, g, p)?;
        let (lse, order) = (p(lse), dp.order.as_ref().map_or(0, |o| o.ptr()));
        let plans = self.backward.borrow();
        let mut ran = 0;
        for ((blk, call), key) in dp.plan.blocks.iter().zip(&calls).zip(&keys) {
            let (Some((qr, qn, kr, kn)), Some(key)) = (call.rows(blk), key) else { continue };
            let plan = plans.get(key).and_then(|p| p.as_ref()).ok_or("internal: no cuDNN backward plan for a document block")?;
            let t0 = probe.as_deref_mut().map(|pr| pr.mark(cs)).transpose()?;
            let cleared = qn.next_multiple_of(ACC_TILE).min(acc_rows);
            unsafe { cudarc::driver::result::memset_d8_async(acc, 0, cleared * hd * 4, cs.cu_stream()) }.map_err(describe)?;
            let rows_lse = (lse + (qr * a.heads * 4) as u64, qn * a.heads * 4);
            unsafe { cudarc::driver::result::memcpy_dtod_async(sb, rows_lse.0, rows_lse.1, cs.cu_stream()) }.map_err(describe)?;
            let (qo, ko) = ((qr * hd * es) as u64, (kr * kvd * es) as u64);
            let t = BwdPtrs {
                q: q + qo,
                k: k + ko,
                v: v + ko,
                o: o + qo,
                d_o: d_o + qo,
                // The partial's lse is token-major already, as the ragged graph reads it.
                stats: sb,
                dq,
                dk,
                dv,
                dq_acc: acc,
            };
            let run_as = BwdKey { window: call.window(key.window), ..*key };
            self.handle.execute_backward(cs, plan, &run_as, &t, call.docs(), ws, a.scale)?;
            kernels.add_rows(cs, grads[0], dq, dt, 0, qr, qn, hd).map_err(describe)?;
            for (grad, part) in [(grads[1], dk), (grads[2], dv)] {
                kernels.add_rows(cs, grad, part, dt, order, kr, kn, kvd).map_err(describe)?;
            }
            ran += 1;
            if let (Some(pr), Some(t0)) = (probe.as_deref_mut(), t0) {
                let t1 = pr.mark(cs)?;
                pr.span(doc_label("SDPA document block backward", blk, call), "sdpa block backward", true, 0, t0, t1);
            }
        }
        self.count_doc_blocks(ran, calls.len(), true);
        Ok(true)
    }

    /// Device bytes the document plans hold (rectangle rows and key-order tables).
    pub(in crate::cuda::sdpa) fn doc_plan_bytes(&self) -> usize {
        let of = |d: &DocPlan| [&d.rect_rows, &d.order].into_iter().flatten().map(|b| b.bytes()).sum::<usize>();
        self.doc_plans.borrow().values().flatten().map(|d| of(d)).sum::<usize>() + self.doc_per_run.borrow().as_ref().map_or(0, |d| of(d))
    }

    fn count_doc_blocks(&self, ran: usize, blocks: usize, backward: bool) {
        let mut c = self.split_docs.get();
        c[usize::from(backward)] += 1;
        c[2] += ran;
        c[3] += blocks - ran;
        self.split_docs.set(c);
    }

    /// The last run's split attention over packed documents on cuDNN, in words (None: none).
    pub fn split_documents_report(&self) -> Option<String> {
        let [fwd, bwd, ran, skipped] = self.split_docs.get();
        (fwd + bwd > 0).then(|| {
            format!("{fwd} split attention and {bwd} backward command(s) over packed documents as {ran} cuDNN ragged block call(s); {skipped} block(s) across documents skipped")
        })
    }
}

fn doc_label(what: &str, blk: &Block, call: &Call) -> String {
    let kind = match call {
        Call::Rect(part, _) => format!("one document, {}×{}", part.q.len, part.k.len),
        Call::Square(_, count, _) => format!("causal, {count} documents"),
        Call::Skip => "skipped".into(),
    };
    format!("{what}: queries {}..{} × keys {}..{} ({kind})", blk.q.first, blk.q.last() + 1, blk.k.first, blk.k.last() + 1)
}
