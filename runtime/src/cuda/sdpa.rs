//! Attention through cuDNN's fused flash-attention forward (the backend graph API).
//!
//! The graph is the one cudnn-frontend builds for SDPA before cuDNN 9.21 (composite softmax):
//! S = Q·Kᵀ (fp32) → ×scale → [causal: row ≥ col else −huge] → max, sub, exp, sum, div → P
//! (io type) → O = P·V, plus log/add for the (here virtual) statistics. The fused engine in
//! cuDNN recognises that pattern. Q, K, V and O are read and written in place in the plan's
//! [tokens, heads·d] layout (strided 4-D views, batch 1); fewer KV heads (GQA) are native.
//!
//! A graph and its execution plan are built once per shape at setup (`prepare`); a command
//! whose shape could not be planned, or that needs what this path does not express (index
//! vectors, segments, windows, the LSE output of `attention_partial`, f32 data), keeps the
//! NVRTC kernel. `SEQC_ATTENTION=kernel` turns this path off.

use super::layout::{DType, Run, runs};
use super::program::{Addr, AttentionCmd};
use cudarc::cudnn::sys::{self as c, cudnnBackendAttributeName_t as A, cudnnBackendAttributeType_t as T};
use super::device::{DeviceBuffer, describe, download};
use super::kernels::{Kernels, MergeMode};
use super::probe::Probe;
use cudarc::driver::{CudaContext, CudaStream};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::ffi::c_void;

type Desc = c::cudnnBackendDescriptor_t;

/// The score mask of a graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MaskKind {
    None,
    /// Key column j is visible to query row i when j <= i (top-left causal).
    Causal,
    /// Bottom-right causal: key column j is visible to query row i when j <= i + sk − sq. Built
    /// as cuDNN's bottom-right causal mask is (row index + s_kv − s_q), which the fused engine
    /// recognises.
    Diagonal,
}

impl MaskKind {
    /// The mask of a block (`Block::mask`): none, top-left causal, or a shifted diagonal.
    fn of_block(mask: Option<i64>) -> Self {
        match mask {
            None => Self::None,
            Some(0) => Self::Causal,
            Some(_) => Self::Diagonal,
        }
    }
}

/// What determines a graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SdpaKey {
    pub sq: usize,
    pub sk: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub d: usize,
    pub mask: MaskKind,
    pub dt: DType,
    pub scale_bits: u32,
    /// The graph also writes the softmax statistics (LSE) as [heads, sq] f32.
    pub stats: bool,
}

impl SdpaKey {
    /// The key of a command this path can run, or None.
    pub fn of(a: &AttentionCmd) -> Option<Self> {
        let dt = a.q.1;
        let io = matches!(dt, DType::BF16 | DType::F16);
        let ok = io
            && a.k.1 == dt
            && a.v.1 == dt
            && a.out.1 == dt
            && a.q_index.is_none()
            && a.k_index.is_none()
            && a.q_segment.is_none()
            && a.k_segment.is_none()
            && a.lse.is_none()
            && a.window == 0
            && a.sq == a.sk
            && a.sq > 0
            && a.head_dim.is_multiple_of(8)
            && a.head_dim <= 128
            && a.kv_heads > 0
            && a.heads.is_multiple_of(a.kv_heads);
        ok.then_some(Self {
            sq: a.sq,
            sk: a.sk,
            heads: a.heads,
            kv_heads: a.kv_heads,
            d: a.head_dim,
            mask: if a.causal { MaskKind::Causal } else { MaskKind::None },
            dt,
            scale_bits: a.scale.to_bits(),
            stats: false,
        })
    }

    /// The key of one block of an `attention_partial` this path can run (`rows` queries against
    /// `cols` keys under `mask`), or None. The partial's output is f32 (to be merged) or the io
    /// type (the layer's whole result).
    pub fn block(a: &AttentionCmd, rows: usize, cols: usize, mask: Option<i64>) -> Option<Self> {
        let dt = a.q.1;
        let ok = matches!(dt, DType::BF16 | DType::F16)
            && a.k.1 == dt
            && a.v.1 == dt
            && (a.out.1 == DType::F32 || a.out.1 == dt)
            && a.lse.is_some()
            && a.q_index.is_some()
            && a.k_index.is_some()
            && a.q_segment.is_none()
            && a.k_segment.is_none()
            && a.window == 0
            && a.head_dim.is_multiple_of(8)
            && a.head_dim <= 128
            && a.kv_heads > 0
            && a.heads.is_multiple_of(a.kv_heads)
            && rows > 0
            && cols > 0
            && mask.is_none_or(|o| o >= 0);
        ok.then_some(Self {
            sq: rows,
            sk: cols,
            heads: a.heads,
            kv_heads: a.kv_heads,
            d: a.head_dim,
            mask: MaskKind::of_block(mask),
            dt,
            scale_bits: a.scale.to_bits(),
            stats: true,
        })
    }
}

/// One SDPA call of a decomposed `attention_partial`: query run `q` against key run `k` (rows
/// of the keys in token order). `mask`: None, or Some(offset): key j visible to query i when
/// j <= i + offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    pub q: Run,
    pub k: Run,
    pub mask: Option<i64>,
}

/// How one `attention_partial` runs as SDPA calls.
#[derive(Clone, Debug, PartialEq)]
pub struct PartialPlan {
    /// The key rows in token order, when they are not in token order already: K and V are
    /// gathered into this order first, so that every query run meets its keys in at most two
    /// blocks (a zigzag all-gather holds chunks 0, 3, 1, 2; queries of chunk 3 then need one
    /// unmasked call over chunks 0..2 and one causal call, not three calls).
    pub key_order: Option<Vec<i32>>,
    pub blocks: Vec<Block>,
    /// How each block's result enters the output: written (the rows' first block) or folded.
    pub modes: Vec<MergeMode>,
    /// Some rows are in no block, or blocks overlap partially: clear the output first (then
    /// every block folds).
    pub reset: bool,
}

/// How `partial_plan` cuts causal work into cuDNN calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cut {
    /// A diagonal block (keys from before the queries up to the last of them) is kept whole:
    /// one bottom-right causal call per run of at most this many query rows (and at most a
    /// chunk), each over the keys up to its own last row. Every query row then has one call,
    /// written in place, with no f32 fold. 0, or keys longer than a piece: an unmasked call
    /// plus a top-left causal square instead (folded). Measured on 2 × H200
    /// (bench/cuda/diagonal-2xh200-2026-11-22.txt): all-gather-KV at 32K 7.32 ms against 7.85
    /// split, peak 0.53 against 0.91 GiB; at 128K 113.4 against 112.9 ms, 2.04 against 3.29 GiB;
    /// Ulysses at 128K 117.7 against 115.7 ms, 2.28 against 3.41 GiB; 4 or 8 heads per rank at
    /// 512K no difference. Longer runs (16K, 32K rows) were slower at 128K.
    pub diagonal_rows: usize,
    /// At most this many query rows per call (0: any): a longer causal square becomes query
    /// chunks, each its own causal square plus unmasked calls over the keys before it, and a
    /// longer unmasked block is cut by rows. Not cut: plain attention without the causal mask.
    /// One call over a long sequence
    /// runs at a lower rate (at 1M tokens on H200 the whole causal call ran at 506 TFLOP/s,
    /// 32K-row query chunks at 601: bench/cuda/attention_blocking.py), and the block output
    /// buffer holds this many rows. Each block's output is rounded to the io type before the
    /// f32 fold (one rounding more than a whole call).
    pub chunk: usize,
    /// At most this many keys per unmasked call (0: any): concurrent thread blocks of one call
    /// drift apart over a long key loop and stop sharing K and V in the L2 cache. Also bounds
    /// the number of distinct graphs (one per key count).
    pub piece: usize,
}

/// Keys per unmasked call, in chunks, unless SEQC_SDPA_PIECE says otherwise.
pub const PIECE_CHUNKS: usize = 8;

/// The fewest query rows a chunk may have: smaller chunks would plan (and launch) a call per few
/// rows, millions at 1M tokens.
pub const MIN_CHUNK: usize = 64;

impl Cut {
    /// The defaults, changed by SEQC_SDPA_DIAGONAL (1: always whole, 0: never, or a row count),
    /// SEQC_SDPA_CHUNK (rows per query chunk, at least MIN_CHUNK; 0: no chunks, nor pieces) and
    /// SEQC_SDPA_PIECE (keys per unmasked call, in chunks; 0: any).
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    fn from_vars(get: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| get(name).and_then(|v| v.trim().parse::<usize>().ok());
        let chunk = match var("SEQC_SDPA_CHUNK").unwrap_or(32768) {
            0 => 0,
            n => n.max(MIN_CHUNK),
        };
        Self {
            diagonal_rows: match var("SEQC_SDPA_DIAGONAL") {
                Some(1) => usize::MAX,
                Some(n) => n,
                None => 8192,
            },
            chunk,
            piece: chunk * var("SEQC_SDPA_PIECE").unwrap_or(PIECE_CHUNKS),
        }
    }

    /// No query chunks; diagonal blocks always or never whole.
    #[cfg(test)]
    fn plain(diagonal: bool) -> Self {
        Self { diagonal_rows: if diagonal { usize::MAX } else { 0 }, chunk: 0, piece: 0 }
    }
}

/// Plans attention of queries `qi` over keys `ki` (global token indices; negative: padding) as
/// SDPA blocks. Keys are taken in token order; for each query run and key run, without the
/// causal mask the pair is unmasked (cut by `Cut`); with it, keys after the run's last query are
/// dropped, keys at or before its first query form an unmasked block, and the rest a block
/// whose diagonal makes "key token <= query token" exact (queries before the run's first key
/// are split off: they see none of it). Such a block is kept whole with a shifted diagonal (one
/// cuDNN call, bottom-right style) for short query runs, otherwise split into its unmasked
/// columns and a top-left causal square, and long squares are cut into query chunks (`Cut`).
/// None when keys repeat a token. Rows outside every block keep no key (output 0, lse −inf), as
/// in the kernel.
pub fn partial_plan(qi: &[i64], ki: &[i64], causal: bool, cut: Cut) -> Option<PartialPlan> {
    let mut keys: Vec<(i64, usize)> = ki.iter().enumerate().filter(|(_, t)| **t >= 0).map(|(r, &t)| (t, r)).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    let in_place = keys.iter().enumerate().all(|(i, &(_, r))| i == r);
    let sorted: Vec<i64> = keys.iter().map(|k| k.0).collect();
    let (qr, kr) = (runs(qi), runs(&sorted));
    let mut blocks = Vec::new();
    for q in &qr {
        for k in &kr {
            if !causal {
                push_unmasked(&mut blocks, *q, *k, cut);
                continue;
            }
            let (a, b) = (q.first, q.last());
            if k.first > b {
                continue;
            }
            let m = k.last().min(b);
            let k = Run { row: k.row, len: (m - k.first + 1) as usize, first: k.first };
            if m <= a {
                push_unmasked(&mut blocks, *q, k, cut);
            } else if k.first <= a {
                let offset = a - k.first;
                let whole = cut.diagonal_rows > 0 && (cut.piece == 0 || k.len <= cut.piece);
                if whole && offset > 0 && offset == k.len as i64 - q.len as i64 {
                    push_diagonal(&mut blocks, *q, k, cut);
                } else {
                    // Keys before the first query are visible to every query.
                    let n = offset as usize;
                    push_unmasked(&mut blocks, *q, Run { len: n, ..k }, cut);
                    push_causal(&mut blocks, *q, Run { row: k.row + n, len: k.len - n, first: a }, cut);
                }
            } else {
                let skip = (k.first - a) as usize;
                push_causal(&mut blocks, Run { row: q.row + skip, len: q.len - skip, first: k.first }, k, cut);
            }
        }
    }
    let (modes, reset) = merge_modes(&blocks, qi.len());
    Some(PartialPlan {
        key_order: match in_place {
            true => None,
            false => Some(keys.iter().map(|&(_, r)| i32::try_from(r).ok()).collect::<Option<Vec<i32>>>()?),
        },
        blocks,
        modes,
        reset,
    })
}

/// Queries `q` against keys `k` that end with them (`k` starts earlier): per run of at most
/// `cut.diagonal_rows` (and `cut.chunk`) query rows, one call over the keys up to the run's last
/// query, which is exactly cuDNN's bottom-right causal mask.
fn push_diagonal(blocks: &mut Vec<Block>, q: Run, k: Run, cut: Cut) {
    let rows = match cut.chunk {
        0 => cut.diagonal_rows,
        c => c.min(cut.diagonal_rows),
    };
    let offset = k.len - q.len;
    for start in (0..q.len).step_by(rows) {
        let len = rows.min(q.len - start);
        let q = Run { row: q.row + start, len, first: q.first + start as i64 };
        blocks.push(Block { q, k: Run { len: offset + start + len, ..k }, mask: Some((offset + start) as i64) });
    }
}

/// Queries `q` against keys `k` that start at the same token (`k` no longer than `q`): a square
/// top-left causal block, and the queries past the last key see every key. Only square causal
/// blocks reach cuDNN, whose causal engines assume them. A square longer than a chunk becomes,
/// per query chunk, its own causal square followed by unmasked calls over the keys before it
/// (so each chunk's rows are written once and folded after).
fn push_causal(blocks: &mut Vec<Block>, q: Run, k: Run, cut: Cut) {
    let n = k.len.min(q.len);
    if cut.chunk > 0 && n > cut.chunk {
        for start in (0..n).step_by(cut.chunk) {
            let len = cut.chunk.min(n - start);
            let rows = Run { row: q.row + start, len, first: q.first + start as i64 };
            blocks.push(Block { q: rows, k: Run { row: k.row + start, len, first: k.first + start as i64 }, mask: Some(0) });
            push_unmasked(blocks, rows, Run { len: start, ..k }, cut);
        }
    } else {
        blocks.push(Block { q: Run { len: n, ..q }, k: Run { len: n, ..k }, mask: Some(0) });
    }
    if q.len > n {
        push_unmasked(blocks, Run { row: q.row + n, len: q.len - n, first: q.first + n as i64 }, k, cut);
    }
}

/// Queries `q` against every key of `k` (none: nothing), in calls of at most `cut.chunk` rows
/// and `cut.piece` keys, each row chunk's calls together.
fn push_unmasked(blocks: &mut Vec<Block>, q: Run, k: Run, cut: Cut) {
    let step = |limit: usize, len: usize| if limit == 0 { len.max(1) } else { limit };
    let (rows, keys) = (step(cut.chunk, q.len), step(cut.piece, k.len));
    for r in (0..q.len).step_by(rows) {
        let q = Run { row: q.row + r, len: rows.min(q.len - r), first: q.first + r as i64 };
        for from in (0..k.len).step_by(keys) {
            let k = Run { row: k.row + from, len: keys.min(k.len - from), first: k.first + from as i64 };
            blocks.push(Block { q, k, mask: None });
        }
    }
}

/// Each block writes its rows when none of them has a block yet and folds into them when all
/// have; anything else (and rows left in no block) needs the output cleared first.
fn merge_modes(blocks: &[Block], rows: usize) -> (Vec<MergeMode>, bool) {
    let mut seen = vec![false; rows];
    let mut modes = Vec::with_capacity(blocks.len());
    let mut reset = false;
    for b in blocks {
        let span = &mut seen[b.q.row..b.q.row + b.q.len];
        if span.iter().all(|s| !s) {
            modes.push(MergeMode::Assign);
        } else if span.iter().all(|s| *s) {
            modes.push(MergeMode::Fold);
        } else {
            reset = true;
            modes.push(MergeMode::Fold);
        }
        span.fill(true);
    }
    if reset || seen.iter().any(|s| !s) {
        return (vec![MergeMode::Fold; blocks.len()], true);
    }
    (modes, false)
}

fn check(s: c::cudnnStatus_t, what: &str) -> Result<(), String> {
    if s == c::cudnnStatus_t::CUDNN_STATUS_SUCCESS {
        Ok(())
    } else {
        Err(format!("{what}: {s:?}"))
    }
}

/// Owns every descriptor it creates; destroys them on drop.
#[derive(Default)]
struct Descs(Vec<Desc>);

impl Descs {
    fn create(&mut self, t: c::cudnnBackendDescriptorType_t) -> Result<Desc, String> {
        let mut d: Desc = std::ptr::null_mut();
        check(unsafe { c::cudnnBackendCreateDescriptor(t, &mut d) }, &format!("create {t:?}"))?;
        self.0.push(d);
        Ok(d)
    }
}

impl Drop for Descs {
    fn drop(&mut self) {
        for d in self.0.drain(..).rev() {
            unsafe { c::cudnnBackendDestroyDescriptor(d) };
        }
    }
}

fn set<V>(d: Desc, name: A, ty: T, values: &[V]) -> Result<(), String> {
    check(
        unsafe { c::cudnnBackendSetAttribute(d, name, ty, values.len() as i64, values.as_ptr() as *const c_void) },
        &format!("set {name:?}"),
    )
}

fn fin(d: Desc, what: &str) -> Result<(), String> {
    check(unsafe { c::cudnnBackendFinalize(d) }, &format!("finalize {what}"))
}

const UID_Q: i64 = 1;
const UID_K: i64 = 2;
const UID_V: i64 = 3;
const UID_O: i64 = 4;
const UID_SCALE: i64 = 5;
const UID_NEG: i64 = 6;
const UID_STATS: i64 = 7;
const UID_SKV: i64 = 8;
const UID_SQ: i64 = 9;

/// A finalised execution plan and the descriptors it was built from.
struct Planned {
    plan: Desc,
    workspace: usize,
    _descs: Descs,
}

struct Builder {
    descs: Descs,
    next_uid: i64,
}

impl Builder {
    #[allow(clippy::too_many_arguments)]
    fn tensor(
        &mut self,
        uid: Option<i64>,
        dt: c::cudnnDataType_t,
        dims: [i64; 4],
        strides: [i64; 4],
        is_virtual: bool,
        by_value: bool,
    ) -> Result<Desc, String> {
        let uid = uid.unwrap_or_else(|| {
            self.next_uid += 1;
            self.next_uid
        });
        let t = self.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_TENSOR_DESCRIPTOR)?;
        set(t, A::CUDNN_ATTR_TENSOR_DATA_TYPE, T::CUDNN_TYPE_DATA_TYPE, &[dt])?;
        set(t, A::CUDNN_ATTR_TENSOR_DIMENSIONS, T::CUDNN_TYPE_INT64, &dims)?;
        set(t, A::CUDNN_ATTR_TENSOR_STRIDES, T::CUDNN_TYPE_INT64, &strides)?;
        set(t, A::CUDNN_ATTR_TENSOR_UNIQUE_ID, T::CUDNN_TYPE_INT64, &[uid])?;
        set(t, A::CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, T::CUDNN_TYPE_INT64, &[16i64])?;
        set(t, A::CUDNN_ATTR_TENSOR_IS_VIRTUAL, T::CUDNN_TYPE_BOOLEAN, &[is_virtual])?;
        if by_value {
            set(t, A::CUDNN_ATTR_TENSOR_IS_BY_VALUE, T::CUDNN_TYPE_BOOLEAN, &[true])?;
        }
        fin(t, "tensor")?;
        Ok(t)
    }

    /// A pointwise operation: y = mode(x[, b[, t]]).
    #[allow(clippy::too_many_arguments)]
    fn pointwise(
        &mut self,
        mode: c::cudnnPointwiseMode_t,
        prec: c::cudnnDataType_t,
        axis: Option<i64>,
        x: Desc,
        b: Option<Desc>,
        t: Option<Desc>,
        y: Desc,
    ) -> Result<Desc, String> {
        let pw = self.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_POINTWISE_DESCRIPTOR)?;
        set(pw, A::CUDNN_ATTR_POINTWISE_MODE, T::CUDNN_TYPE_POINTWISE_MODE, &[mode])?;
        set(pw, A::CUDNN_ATTR_POINTWISE_MATH_PREC, T::CUDNN_TYPE_DATA_TYPE, &[prec])?;
        if let Some(axis) = axis {
            set(pw, A::CUDNN_ATTR_POINTWISE_AXIS, T::CUDNN_TYPE_INT64, &[axis])?;
        }
        fin(pw, "pointwise descriptor")?;
        let op = self.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR)?;
        let bd = T::CUDNN_TYPE_BACKEND_DESCRIPTOR;
        set(op, A::CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR, bd, &[pw])?;
        set(op, A::CUDNN_ATTR_OPERATION_POINTWISE_XDESC, bd, &[x])?;
        if let Some(b) = b {
            set(op, A::CUDNN_ATTR_OPERATION_POINTWISE_BDESC, bd, &[b])?;
        }
        if let Some(t) = t {
            set(op, A::CUDNN_ATTR_OPERATION_POINTWISE_TDESC, bd, &[t])?;
        }
        set(op, A::CUDNN_ATTR_OPERATION_POINTWISE_YDESC, bd, &[y])?;
        if b.is_some() {
            set(op, A::CUDNN_ATTR_OPERATION_POINTWISE_ALPHA1, T::CUDNN_TYPE_FLOAT, &[1.0f32])?;
            set(op, A::CUDNN_ATTR_OPERATION_POINTWISE_ALPHA2, T::CUDNN_TYPE_FLOAT, &[1.0f32])?;
        }
        fin(op, &format!("pointwise {mode:?}"))?;
        Ok(op)
    }

    fn reduction(&mut self, op_kind: c::cudnnReduceTensorOp_t, x: Desc, y: Desc) -> Result<Desc, String> {
        let r = self.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_REDUCTION_DESCRIPTOR)?;
        set(r, A::CUDNN_ATTR_REDUCTION_OPERATOR, T::CUDNN_TYPE_REDUCTION_OPERATOR_TYPE, &[op_kind])?;
        set(r, A::CUDNN_ATTR_REDUCTION_COMP_TYPE, T::CUDNN_TYPE_DATA_TYPE, &[c::cudnnDataType_t::CUDNN_DATA_FLOAT])?;
        fin(r, "reduction descriptor")?;
        let op = self.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_OPERATION_REDUCTION_DESCRIPTOR)?;
        let bd = T::CUDNN_TYPE_BACKEND_DESCRIPTOR;
        set(op, A::CUDNN_ATTR_OPERATION_REDUCTION_XDESC, bd, &[x])?;
        set(op, A::CUDNN_ATTR_OPERATION_REDUCTION_YDESC, bd, &[y])?;
        set(op, A::CUDNN_ATTR_OPERATION_REDUCTION_DESC, bd, &[r])?;
        fin(op, "reduction")?;
        Ok(op)
    }

    fn matmul(&mut self, a: Desc, b: Desc, cc: Desc) -> Result<Desc, String> {
        let m = self.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_MATMUL_DESCRIPTOR)?;
        set(m, A::CUDNN_ATTR_MATMUL_COMP_TYPE, T::CUDNN_TYPE_DATA_TYPE, &[c::cudnnDataType_t::CUDNN_DATA_FLOAT])?;
        fin(m, "matmul descriptor")?;
        let op = self.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_OPERATION_MATMUL_DESCRIPTOR)?;
        let bd = T::CUDNN_TYPE_BACKEND_DESCRIPTOR;
        set(op, A::CUDNN_ATTR_OPERATION_MATMUL_ADESC, bd, &[a])?;
        set(op, A::CUDNN_ATTR_OPERATION_MATMUL_BDESC, bd, &[b])?;
        set(op, A::CUDNN_ATTR_OPERATION_MATMUL_CDESC, bd, &[cc])?;
        set(op, A::CUDNN_ATTR_OPERATION_MATMUL_DESC, bd, &[m])?;
        fin(op, "matmul")?;
        Ok(op)
    }
}

fn build(handle: c::cudnnHandle_t, k: &SdpaKey) -> Result<Planned, String> {
    use c::cudnnDataType_t as D;
    use c::cudnnPointwiseMode_t as P;
    let io = if k.dt == DType::BF16 { D::CUDNN_DATA_BFLOAT16 } else { D::CUDNN_DATA_HALF };
    let (h, hk, sq, sk, d) = (k.heads as i64, k.kv_heads as i64, k.sq as i64, k.sk as i64, k.d as i64);
    let mut b = Builder { descs: Descs::default(), next_uid: 100 };
    // The plan's [tokens, heads·d] buffers as [batch 1, heads, tokens, d].
    let q = b.tensor(Some(UID_Q), io, [1, h, sq, d], [sq * h * d, d, h * d, 1], false, false)?;
    let kt = b.tensor(Some(UID_K), io, [1, hk, d, sk], [sk * hk * d, d, 1, hk * d], false, false)?;
    let v = b.tensor(Some(UID_V), io, [1, hk, sk, d], [sk * hk * d, d, hk * d, 1], false, false)?;
    let o = b.tensor(Some(UID_O), io, [1, h, sq, d], [sq * h * d, d, h * d, 1], false, false)?;
    let one = ([1i64; 4], [1i64; 4]);
    let scale = b.tensor(Some(UID_SCALE), D::CUDNN_DATA_FLOAT, one.0, one.1, false, true)?;
    let full = ([1, h, sq, sk], [h * sq * sk, sq * sk, sk, 1]);
    let row = ([1, h, sq, 1], [h * sq, sq, 1, 1]);
    let f = D::CUDNN_DATA_FLOAT;
    let mut ops = Vec::new();

    let s = b.tensor(None, f, full.0, full.1, true, false)?;
    ops.push(b.matmul(q, kt, s)?);
    let s1 = b.tensor(None, f, full.0, full.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_MUL, f, None, s, Some(scale), None, s1)?);
    let mut last = s1;
    if k.mask != MaskKind::None {
        let neg = b.tensor(Some(UID_NEG), f, one.0, one.1, false, true)?;
        let i32t = D::CUDNN_DATA_INT32;
        let mut ri = b.tensor(None, i32t, full.0, full.1, true, false)?;
        ops.push(b.pointwise(P::CUDNN_POINTWISE_GEN_INDEX, f, Some(2), last, None, None, ri)?);
        if k.mask == MaskKind::Diagonal {
            // row + s_kv − s_q, the two steps cuDNN's own bottom-right causal mask takes.
            let skv = b.tensor(Some(UID_SKV), i32t, one.0, one.1, false, true)?;
            let sq = b.tensor(Some(UID_SQ), i32t, one.0, one.1, false, true)?;
            let r1 = b.tensor(None, i32t, full.0, full.1, true, false)?;
            ops.push(b.pointwise(P::CUDNN_POINTWISE_ADD, i32t, None, ri, Some(skv), None, r1)?);
            let r2 = b.tensor(None, i32t, full.0, full.1, true, false)?;
            ops.push(b.pointwise(P::CUDNN_POINTWISE_SUB, i32t, None, r1, Some(sq), None, r2)?);
            ri = r2;
        }
        let ci = b.tensor(None, D::CUDNN_DATA_INT32, full.0, full.1, true, false)?;
        ops.push(b.pointwise(P::CUDNN_POINTWISE_GEN_INDEX, f, Some(3), last, None, None, ci)?);
        let mask = b.tensor(None, D::CUDNN_DATA_BOOLEAN, full.0, full.1, true, false)?;
        ops.push(b.pointwise(P::CUDNN_POINTWISE_CMP_GE, D::CUDNN_DATA_BOOLEAN, None, ri, Some(ci), None, mask)?);
        let s2 = b.tensor(None, f, full.0, full.1, true, false)?;
        ops.push(b.pointwise(P::CUDNN_POINTWISE_BINARY_SELECT, f, None, last, Some(neg), Some(mask), s2)?);
        last = s2;
    }
    let m = b.tensor(None, f, row.0, row.1, true, false)?;
    ops.push(b.reduction(c::cudnnReduceTensorOp_t::CUDNN_REDUCE_TENSOR_MAX, last, m)?);
    let z = b.tensor(None, f, full.0, full.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_SUB, f, None, last, Some(m), None, z)?);
    let e = b.tensor(None, f, full.0, full.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_EXP, f, None, z, None, None, e)?);
    let sum = b.tensor(None, f, row.0, row.1, true, false)?;
    ops.push(b.reduction(c::cudnnReduceTensorOp_t::CUDNN_REDUCE_TENSOR_ADD, e, sum)?);
    let lg = b.tensor(None, f, row.0, row.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_LOG, f, None, sum, None, None, lg)?);
    let stats = if k.stats {
        b.tensor(Some(UID_STATS), f, row.0, row.1, false, false)?
    } else {
        b.tensor(None, f, row.0, row.1, true, false)?
    };
    ops.push(b.pointwise(P::CUDNN_POINTWISE_ADD, f, None, m, Some(lg), None, stats)?);
    let p = b.tensor(None, io, full.0, full.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_DIV, f, None, e, Some(sum), None, p)?);
    ops.push(b.matmul(p, v, o)?);

    let bd = T::CUDNN_TYPE_BACKEND_DESCRIPTOR;
    let graph = b.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR)?;
    set(graph, A::CUDNN_ATTR_OPERATIONGRAPH_HANDLE, T::CUDNN_TYPE_HANDLE, &[handle])?;
    set(graph, A::CUDNN_ATTR_OPERATIONGRAPH_OPS, bd, &ops)?;
    fin(graph, "operation graph")?;

    let heur = b.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR)?;
    set(heur, A::CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, bd, &[graph])?;
    set(heur, A::CUDNN_ATTR_ENGINEHEUR_MODE, T::CUDNN_TYPE_HEUR_MODE, &[c::cudnnBackendHeurMode_t::CUDNN_HEUR_MODE_A])?;
    fin(heur, "engine heuristics")?;
    let mut count = 0i64;
    check(
        unsafe {
            c::cudnnBackendGetAttribute(heur, A::CUDNN_ATTR_ENGINEHEUR_RESULTS, bd, 0, &mut count, std::ptr::null_mut())
        },
        "engine heuristics: count",
    )?;
    if count <= 0 {
        return Err("no cuDNN engine supports this attention graph".into());
    }
    let mut cfgs = Vec::new();
    for _ in 0..count {
        cfgs.push(b.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_ENGINECFG_DESCRIPTOR)?);
    }
    let mut got = 0i64;
    check(
        unsafe {
            c::cudnnBackendGetAttribute(
                heur,
                A::CUDNN_ATTR_ENGINEHEUR_RESULTS,
                bd,
                count,
                &mut got,
                cfgs.as_mut_ptr() as *mut c_void,
            )
        },
        "engine heuristics: results",
    )?;
    let mut errors = Vec::new();
    for cfg in cfgs.iter().take(got.max(0) as usize) {
        let plan = b.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR)?;
        set(plan, A::CUDNN_ATTR_EXECUTION_PLAN_HANDLE, T::CUDNN_TYPE_HANDLE, &[handle])?;
        set(plan, A::CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, bd, &[*cfg])?;
        match fin(plan, "execution plan") {
            Ok(()) => {
                let mut ws = 0i64;
                let mut n = 0i64;
                check(
                    unsafe {
                        c::cudnnBackendGetAttribute(
                            plan,
                            A::CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE,
                            T::CUDNN_TYPE_INT64,
                            1,
                            &mut n,
                            &mut ws as *mut i64 as *mut c_void,
                        )
                    },
                    "workspace size",
                )?;
                return Ok(Planned { plan, workspace: ws.max(0) as usize, _descs: b.descs });
            }
            Err(e) => errors.push(e),
        }
    }
    Err(format!("no engine config could be finalised ({} tried): {}", got, errors.join("; ")))
}

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
}

impl Temps {
    fn bytes(&self) -> usize {
        [&self.workspace, &self.ob, &self.sb, &self.ks, &self.vs, &self.acc, &self.acc_lse]
            .iter()
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

/// Query rows and the blocks over them: the first block writes the rows, the others fold in.
type Groups = Vec<(Run, std::ops::Range<usize>)>;

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

/// Groups the blocks of `plan` by query rows; None unless every group's blocks are consecutive,
/// cover exactly its rows, and write before they fold. Such a plan can write a result in the io
/// type group by group: a group of one block straight into its rows, others through a
/// group-sized f32 buffer.
fn query_groups(plan: &PartialPlan) -> Option<Groups> {
    if plan.reset {
        return None;
    }
    let mut groups: Groups = Vec::new();
    for (i, (b, m)) in plan.blocks.iter().zip(&plan.modes).enumerate() {
        match groups.last_mut() {
            Some((rows, r)) if *rows == b.q && *m == MergeMode::Fold => r.end = i + 1,
            _ if *m == MergeMode::Assign => groups.push((b.q, i..i + 1)),
            _ => return None,
        }
    }
    Some(groups)
}

/// The cuDNN handle, one plan per attention shape, and their shared workspace.
pub struct Sdpa {
    handle: c::cudnnHandle_t,
    plans: RefCell<HashMap<SdpaKey, Planned>>,
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
}

impl Sdpa {
    /// Opens cuDNN (None when the library is missing or the path is turned off).
    pub fn open() -> Result<Option<Self>, String> {
        if std::env::var("SEQC_ATTENTION").is_ok_and(|v| v == "kernel") {
            return Ok(None);
        }
        if !unsafe { c::is_culib_present() } {
            return Ok(None);
        }
        let mut handle: c::cudnnHandle_t = std::ptr::null_mut();
        check(unsafe { c::cudnnCreate(&mut handle) }, "cudnnCreate")?;
        let on = |var: &str| std::env::var(var).map_or(true, |v| v != "0");
        Ok(Some(Self {
            handle,
            plans: RefCell::new(HashMap::new()),
            refused: RefCell::new(Vec::new()),
            workspace: 0,
            workspace_bytes: 0,
            partial: on("SEQC_SDPA_PARTIAL"),
            sort_keys: on("SEQC_SDPA_SORT"),
            cut: Cut::from_env(),
            temps: RefCell::new(Temps::default()),
            partials: RefCell::new(HashMap::new()),
            chunked: RefCell::new(HashMap::new()),
            per_run: RefCell::new(None),
        }))
    }

    pub fn version() -> usize {
        unsafe { c::cudnnGetVersion() }
    }

    /// Builds the plan for `key` if not done yet; false when cuDNN refused it (see `refused`).
    pub fn prepare(&self, key: SdpaKey) -> bool {
        if self.plans.borrow().contains_key(&key) {
            return true;
        }
        if self.refused.borrow().iter().any(|(k, _)| *k == key) {
            return false;
        }
        match build(self.handle, &key) {
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
        self.plans.borrow().values().map(|p| p.workspace).max().unwrap_or(0)
    }

    /// Sets the workspace (at least `needed_workspace` bytes).
    pub fn set_workspace(&mut self, ptr: u64, bytes: usize) {
        self.workspace = ptr;
        self.workspace_bytes = bytes;
    }

    pub fn planned(&self) -> usize {
        self.plans.borrow().len()
    }

    /// Enqueues the plan of `key` on `stream` with the given tensors.
    fn execute(
        &self,
        stream: c::cudaStream_t,
        key: &SdpaKey,
        ptrs: [u64; 4],
        stats: Option<u64>,
        workspace: u64,
        scale: f32,
    ) -> Result<(), String> {
        let plans = self.plans.borrow();
        let plan = plans.get(key).ok_or("internal: no cuDNN plan for this shape")?;
        check(unsafe { c::cudnnSetStream(self.handle, stream) }, "cudnnSetStream")?;
        let neg = -1.0e30f32;
        // The bottom-right mask's row + s_kv − s_q, by value.
        let skv = i32::try_from(key.sk).map_err(|_| "block too long for cuDNN's int32 index")?;
        let sq = i32::try_from(key.sq).map_err(|_| "block too long for cuDNN's int32 index")?;
        let mut uids = vec![UID_Q, UID_K, UID_V, UID_O, UID_SCALE];
        let mut data: Vec<*mut c_void> = ptrs.iter().map(|&x| x as *mut c_void).collect();
        data.push(&scale as *const f32 as *mut c_void);
        if key.mask != MaskKind::None {
            uids.push(UID_NEG);
            data.push(&neg as *const f32 as *mut c_void);
        }
        if key.mask == MaskKind::Diagonal {
            uids.extend([UID_SKV, UID_SQ]);
            data.push(&skv as *const i32 as *mut c_void);
            data.push(&sq as *const i32 as *mut c_void);
        }
        if let Some(st) = stats {
            uids.push(UID_STATS);
            data.push(st as *mut c_void);
        }
        let mut descs = Descs::default();
        let vp = descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR)?;
        set(vp, A::CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, T::CUDNN_TYPE_INT64, &uids)?;
        set(vp, A::CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, T::CUDNN_TYPE_VOID_PTR, &data)?;
        let ws = workspace as *mut c_void;
        set(vp, A::CUDNN_ATTR_VARIANT_PACK_WORKSPACE, T::CUDNN_TYPE_VOID_PTR, &[ws])?;
        fin(vp, "variant pack")?;
        check(unsafe { c::cudnnBackendExecute(self.handle, plan.plan, vp) }, "cudnnBackendExecute")
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
        if key.mask != MaskKind::Causal || key.sq != key.sk || c == 0 || key.sq <= c {
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
        let Some(ws) = self.plans.borrow().get(&key).map(|pl| pl.workspace) else { return Ok(false) };
        if ws > self.workspace_bytes {
            return Ok(false);
        }
        self.execute(cs.cu_stream() as c::cudaStream_t, &key, ptrs, None, self.workspace, a.scale)?;
        Ok(true)
    }

    /// Device bytes the block paths hold (block outputs, gathered keys, chunk accumulators,
    /// their workspace, key-order row tables), which the plan's memory plan does not see.
    pub fn temp_bytes(&self) -> usize {
        let table = |p: &Prepared| p.order.as_ref().map_or(0, |b| b.bytes());
        let kept: usize = self.partials.borrow().values().flatten().map(|p| table(p)).sum();
        let last = self.per_run.borrow().as_ref().map_or(0, |p| table(p));
        self.temps.borrow().bytes() + kept + last
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
            self.execute(cs.cu_stream() as c::cudaStream_t, key, ptrs, Some(bufs.sb), bufs.ws, a.scale)?;
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
        let plan = if self.sort_keys {
            partial_plan(&q_idx, &k_idx, a.causal, self.cut)
        } else {
            unsorted_plan(&q_idx, &k_idx, a.causal)
        };
        match plan {
            Some(plan) => self.finish_partial(ctx, plan, |b| SdpaKey::block(a, b.q.len, b.k.len, b.mask)),
            None => Ok(None),
        }
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
        let workspace = keys.iter().map(|k| self.plans.borrow().get(k).map_or(0, |p| p.workspace)).max().unwrap_or(0);
        let order = match &plan.key_order {
            None => None,
            Some(rows) => {
                let bytes: Vec<u8> = rows.iter().flat_map(|r| r.to_le_bytes()).collect();
                let buf = DeviceBuffer::alloc(ctx, bytes.len()).map_err(describe)?;
                let s = ctx.default_stream();
                super::device::upload(&s, buf.ptr(), &bytes).map_err(describe)?;
                Some(buf)
            }
        };
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
        if !self.partial || SdpaKey::block(a, 1, 1, None).is_none() {
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
        let (mut k, mut v) = (p(a.k.0), p(a.v.0));
        let aligned = |base: u64, run: &Run, width: usize| (base + (run.row * width * es) as u64).is_multiple_of(16);
        let mut temps = self.temps.borrow_mut();
        // Gathered keys start at fresh (256-byte aligned) buffers: only the row widths matter.
        let (kb, vb) = if plan.key_order.is_some() { (0, 0) } else { (k, v) };
        if !out.is_multiple_of(16)
            || plan.blocks.iter().any(|b| !aligned(q, &b.q, hd) || !aligned(kb, &b.k, kvd) || !aligned(vb, &b.k, kvd))
        {
            return Ok(false);
        }
        if let (Some(order), Some(rows)) = (&prepared.order, &plan.key_order) {
            let bytes = rows.len() * kvd * es;
            let ks = grown(ctx, &mut temps.ks, bytes)?;
            let vs = grown(ctx, &mut temps.vs, bytes)?;
            for (dst, src) in [(ks, k), (vs, v)] {
                kernels.gather_rows(cs, dst, src, order.ptr(), 1, rows.len(), a.sk, kvd * es).map_err(describe)?;
            }
            (k, v) = (ks, vs);
        }
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

/// The previous decomposition, kept for comparison (SEQC_SDPA_SORT=0): key runs as they lie in
/// memory; a causal pair must be skipped, unmasked, or cover the same tokens.
fn unsorted_plan(qi: &[i64], ki: &[i64], causal: bool) -> Option<PartialPlan> {
    let (qr, kr) = (runs(qi), runs(ki));
    let mut blocks = Vec::new();
    for q in &qr {
        for k in &kr {
            if !causal || k.last() <= q.first {
                blocks.push(Block { q: *q, k: *k, mask: None });
            } else if k.first > q.last() {
                continue;
            } else if k.first == q.first && k.len == q.len {
                blocks.push(Block { q: *q, k: *k, mask: Some(0) });
            } else {
                return None;
            }
        }
    }
    let (modes, reset) = merge_modes(&blocks, qi.len());
    Some(PartialPlan { key_order: None, blocks, modes, reset })
}

impl Drop for Sdpa {
    fn drop(&mut self) {
        self.plans.borrow_mut().clear();
        unsafe { c::cudnnDestroy(self.handle) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_zigzag_and_padding() {
        // Zigzag over 8 tokens, 2 ranks: rank 0 holds chunks 0 and 3.
        assert_eq!(
            runs(&[0, 1, 6, 7, -1]),
            vec![Run { row: 0, len: 2, first: 0 }, Run { row: 2, len: 2, first: 6 }]
        );
        assert!(runs(&[-1, -1]).is_empty());
    }

    /// Which (query row, key row) pairs the plan lets attend, by brute force over its blocks:
    /// each pair at most once, else None.
    fn visible(plan: &PartialPlan, nq: usize, nk: usize) -> Option<Vec<Vec<bool>>> {
        let order: Vec<usize> = match &plan.key_order {
            Some(o) => o.iter().map(|&r| r as usize).collect(),
            None => (0..nk).collect(),
        };
        let mut seen = vec![vec![false; nk]; nq];
        for b in &plan.blocks {
            for i in 0..b.q.len {
                for j in 0..b.k.len {
                    if b.mask.is_some_and(|o| j as i64 > i as i64 + o) {
                        continue;
                    }
                    let (qr, kr) = (b.q.row + i, order[b.k.row + j]);
                    if std::mem::replace(&mut seen[qr][kr], true) {
                        return None;
                    }
                }
            }
        }
        Some(seen)
    }

    fn expect_exact(qi: &[i64], ki: &[i64], causal: bool, plan: &PartialPlan) {
        let seen = visible(plan, qi.len(), ki.len()).expect("a pair in two blocks");
        for (r, &qt) in qi.iter().enumerate() {
            for (c, &kt) in ki.iter().enumerate() {
                let want = qt >= 0 && kt >= 0 && (!causal || kt <= qt);
                assert_eq!(seen[r][c], want, "q row {r} (token {qt}) × k row {c} (token {kt}), plan {plan:?}");
            }
        }
    }

    /// Replays the plan's merge modes on row coverage: a written block must be its rows'
    /// first, a folded one must come after one (unless the output was cleared).
    fn expect_modes_consistent(plan: &PartialPlan, rows: usize) {
        let mut seen = vec![false; rows];
        for (b, m) in plan.blocks.iter().zip(&plan.modes) {
            let span = &mut seen[b.q.row..b.q.row + b.q.len];
            match m {
                MergeMode::Assign => assert!(!plan.reset && span.iter().all(|s| !s), "{plan:?}"),
                MergeMode::Fold => assert!(plan.reset || span.iter().all(|s| *s), "{plan:?}"),
                MergeMode::Reset | MergeMode::Stats => panic!("a plan's block never resets nor writes stats alone"),
            }
            span.fill(true);
        }
        assert!(plan.reset || seen.iter().all(|s| *s), "uncovered rows need a reset: {plan:?}");
    }

    /// cuDNN gets square top-left causal blocks and exact bottom-right ones only.
    fn expect_cudnn_shapes(plan: &PartialPlan) {
        for b in &plan.blocks {
            match b.mask {
                Some(0) => assert_eq!(b.q.len, b.k.len, "{plan:?}"),
                Some(o) => assert_eq!(o, b.k.len as i64 - b.q.len as i64, "{plan:?}"),
                None => {}
            }
        }
    }

    /// No call has more rows than a chunk, a whole diagonal more rows than `diagonal_rows`, or
    /// an unmasked call more keys than a piece.
    fn expect_cut(plan: &PartialPlan, cut: Cut) {
        for b in &plan.blocks {
            assert!(cut.chunk == 0 || b.q.len <= cut.chunk, "{b:?} in {plan:?}");
            assert!(b.mask.is_none_or(|o| o == 0 || b.q.len <= cut.diagonal_rows), "{b:?} in {plan:?}");
            assert!(cut.piece == 0 || b.mask.is_some() || b.k.len <= cut.piece, "{b:?} in {plan:?}");
        }
    }

    #[test]
    fn zigzag_queries_meet_sorted_keys() {
        // Rank 0 of 2 (zigzag, 4 chunks of 2 tokens): chunks 0 and 3 against the all-gathered
        // keys, which lie as chunks 0, 3, 1, 2.
        let q = [0, 1, 6, 7];
        let k = [0, 1, 6, 7, 2, 3, 4, 5];
        let shapes = |p: &PartialPlan| -> Vec<(usize, usize, usize, usize, Option<i64>)> {
            p.blocks.iter().map(|b| (b.q.row, b.q.len, b.k.row, b.k.len, b.mask)).collect()
        };
        let whole = partial_plan(&q, &k, true, Cut::plain(true)).expect("expressible");
        assert_eq!(whole.key_order, Some(vec![0, 1, 4, 5, 6, 7, 2, 3]));
        // Chunk 0: keys 0..2 top-left causal; chunk 3: keys 0..8 with the diagonal at +6.
        assert_eq!(shapes(&whole), vec![(0, 2, 0, 2, Some(0)), (2, 2, 0, 8, Some(6))]);
        assert_eq!((whole.modes.clone(), whole.reset), (vec![MergeMode::Assign; 2], false));
        let split = partial_plan(&q, &k, true, Cut::plain(false)).expect("expressible");
        // Chunk 3: keys 0..6 unmasked (written), then its own chunk causal (folded).
        assert_eq!(shapes(&split), vec![(0, 2, 0, 2, Some(0)), (2, 2, 0, 6, None), (2, 2, 6, 2, Some(0))]);
        assert_eq!(split.modes, vec![MergeMode::Assign, MergeMode::Assign, MergeMode::Fold]);
        for p in [&whole, &split] {
            expect_exact(&q, &k, true, p);
            expect_modes_consistent(p, q.len());
            expect_groups(p, q.len());
        }
        // Written in the io type: each chunk of the whole plan is one call into its own rows.
        let rows = |p: &PartialPlan| query_groups(p).map(|g| g.iter().map(|(r, b)| (r.row, r.len, b.clone())).collect::<Vec<_>>());
        assert_eq!(rows(&whole), Some(vec![(0, 2, 0..1), (2, 2, 1..2)]));
        assert_eq!(rows(&split), Some(vec![(0, 2, 0..1), (2, 2, 1..3)]));
        // Keys already in order need no gather.
        assert_eq!(partial_plan(&[2, 3], &[0, 1, 2, 3], true, Cut::plain(false)).map(|p| p.key_order), Some(None));
    }

    /// When a plan groups by query rows, the groups partition the rows and the blocks, in order,
    /// each group's first block writing and the rest folding.
    fn expect_groups(plan: &PartialPlan, rows: usize) {
        let Some(groups) = query_groups(plan) else { return };
        let mut seen = vec![false; rows];
        let mut next = 0;
        for (r, range) in &groups {
            assert_eq!(range.start, next, "{plan:?}");
            next = range.end;
            assert!(seen[r.row..r.row + r.len].iter().all(|s| !s), "rows in two groups: {plan:?}");
            seen[r.row..r.row + r.len].fill(true);
            for i in range.clone() {
                assert_eq!(plan.blocks[i].q, *r, "{plan:?}");
                let want = if i == range.start { MergeMode::Assign } else { MergeMode::Fold };
                assert_eq!(plan.modes[i], want, "{plan:?}");
            }
        }
        assert_eq!(next, plan.blocks.len(), "{plan:?}");
        assert!(seen.iter().all(|s| *s), "a row in no group: {plan:?}");
    }

    #[test]
    fn settings_have_defaults_and_a_chunk_floor() {
        let cut = |vars: &[(&str, &str)]| {
            let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            Cut::from_vars(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
        };
        assert_eq!(cut(&[]), Cut { diagonal_rows: 8192, chunk: 32768, piece: 32768 * PIECE_CHUNKS });
        assert_eq!(cut(&[("SEQC_SDPA_CHUNK", "1")]).chunk, MIN_CHUNK);
        assert_eq!(cut(&[("SEQC_SDPA_CHUNK", "128"), ("SEQC_SDPA_PIECE", "2")]), Cut { diagonal_rows: 8192, chunk: 128, piece: 256 });
        assert_eq!(cut(&[("SEQC_SDPA_CHUNK", "0")]), Cut { diagonal_rows: 8192, chunk: 0, piece: 0 });
        assert_eq!(cut(&[("SEQC_SDPA_DIAGONAL", "1")]).diagonal_rows, usize::MAX);
        assert_eq!(cut(&[("SEQC_SDPA_DIAGONAL", "0"), ("SEQC_SDPA_CHUNK", "junk")]), Cut { diagonal_rows: 0, ..cut(&[]) });
    }

    #[test]
    fn benchmark_shapes_group_by_query_rows() {
        // The default cut on the benchmark's layouts: the io-typed result never needs a whole
        // f32 copy. All-gather-KV at 32K and 128K on 2 ranks (zigzag: rank 0 holds chunks 0 and
        // 3, rank 1 the contiguous 1 and 2) and Ulysses' local attention over 1M tokens.
        let cut = Cut::from_vars(|_| None);
        for tokens in [32768i64, 131072] {
            let c = tokens / 4;
            let k: Vec<i64> = (0..c).chain(3 * c..4 * c).chain(c..3 * c).collect();
            for q in [(0..c).chain(3 * c..4 * c).collect::<Vec<i64>>(), (c..3 * c).collect()] {
                let plan = partial_plan(&q, &k, true, cut).expect("expressible");
                expect_cudnn_shapes(&plan);
                expect_groups(&plan, q.len());
                expect_cut(&plan, cut);
                // Every group is one call (written in place): the causal square of chunk 0, and
                // bottom-right calls of at most `diagonal_rows` rows for the other chunks.
                let groups = query_groups(&plan).expect("groups");
                assert!(groups.iter().all(|(_, r)| r.len() == 1), "{tokens}: {groups:?}");
                let calls = (q.len() - if q[0] == 0 { c as usize } else { 0 }).div_ceil(cut.diagonal_rows);
                assert_eq!(groups.len(), calls + usize::from(q[0] == 0), "{tokens}: {groups:?}");
            }
        }
        let all: Vec<i64> = (0..1 << 20).collect();
        let plan = partial_plan(&all, &all, true, cut).expect("expressible");
        expect_groups(&plan, all.len());
        assert_eq!(query_groups(&plan).map(|g| g.len()), Some(32));
    }

    /// Whole diagonals in any run, never, in runs of 2 rows (3 but at most a chunk of 2); query
    /// chunks of 1 and 2 rows; unmasked calls of at most 1, 3 or any number of keys.
    const CUTS: [Cut; 8] = [
        Cut { diagonal_rows: usize::MAX, chunk: 0, piece: 0 },
        Cut { diagonal_rows: 0, chunk: 0, piece: 0 },
        Cut { diagonal_rows: 2, chunk: 0, piece: 3 },
        Cut { diagonal_rows: 0, chunk: 1, piece: 1 },
        Cut { diagonal_rows: 2, chunk: 2, piece: 3 },
        Cut { diagonal_rows: 0, chunk: 1, piece: 0 },
        Cut { diagonal_rows: 2, chunk: 0, piece: 0 },
        Cut { diagonal_rows: 3, chunk: 2, piece: 0 },
    ];

    #[test]
    fn long_causal_squares_become_query_chunks() {
        // 10 tokens, chunks of 2: each chunk is its causal square then unmasked calls over the
        // keys before it, at most PIECE_CHUNKS chunks of keys each.
        let t: Vec<i64> = (0..10).collect();
        let plan = partial_plan(&t, &t, true, Cut { diagonal_rows: 0, chunk: 2, piece: 2 * PIECE_CHUNKS }).expect("expressible");
        expect_exact(&t, &t, true, &plan);
        expect_modes_consistent(&plan, t.len());
        expect_cudnn_shapes(&plan);
        let groups = query_groups(&plan).expect("one group per chunk");
        let rows: Vec<(usize, usize)> = groups.iter().map(|(r, _)| (r.row, r.len)).collect();
        assert_eq!(rows, vec![(0, 2), (2, 2), (4, 2), (6, 2), (8, 2)]);
        for (r, range) in &groups {
            let first = &plan.blocks[range.start];
            assert_eq!((first.k.row, first.k.len, first.mask), (r.row, r.len, Some(0)), "the square writes first");
            for b in &plan.blocks[range.start + 1..range.end] {
                assert!(b.mask.is_none() && b.k.len <= 2 * PIECE_CHUNKS && b.k.last() < r.first, "{b:?}");
            }
        }
        // A square of one chunk stays whole; so does everything with chunks off.
        let short: Vec<i64> = (0..2).collect();
        let one = partial_plan(&short, &short, true, Cut { diagonal_rows: 0, chunk: 2, piece: 2 * PIECE_CHUNKS }).expect("expressible");
        assert_eq!(one.blocks.len(), 1);
        assert_eq!(partial_plan(&t, &t, true, Cut::plain(false)).map(|p| p.blocks.len()), Some(1));
        // A long sequence needs few distinct graphs: one per key count up to PIECE_CHUNKS.
        let long: Vec<i64> = (0..(40 * 3 + 1)).collect();
        let plan = partial_plan(&long, &long, true, Cut { diagonal_rows: 0, chunk: 3, piece: 3 * PIECE_CHUNKS }).expect("expressible");
        expect_exact(&long, &long, true, &plan);
        let mut shapes: Vec<(usize, usize, bool)> = plan.blocks.iter().map(|b| (b.q.len, b.k.len, b.mask.is_some())).collect();
        shapes.sort_unstable();
        shapes.dedup();
        assert!(shapes.len() <= 2 * (PIECE_CHUNKS + 1), "{shapes:?}");
        assert!(query_groups(&plan).is_some());
    }

    #[test]
    fn partial_plans_are_exact_on_every_layout() {
        // Ring steps, padding, key runs starting inside the query run, repeated tokens.
        let cases: Vec<(Vec<i64>, Vec<i64>)> = vec![
            (vec![0, 1, 6, 7], vec![2, 3, 4, 5]),
            (vec![2, 3, 4, 5], vec![0, 1, 6, 7]),
            (vec![2, 3, 4, 5], vec![0, 1, 6, 7, 2, 3, 4, 5]),
            (vec![0, 1, 2, -1], vec![1, 2, -1, 0]),
            (vec![3, 4, 5, 6], vec![5, 6, 7, 8]),
            (vec![10, 11, 12], vec![0, 1, 2]),
            (vec![0, 1, 2], vec![10, 11, 12]),
            (vec![4, 0, 9, 5], vec![9, 8, 0, 4, 5, 1]),
        ];
        for (q, k) in &cases {
            for causal in [true, false] {
                for cut in CUTS {
                    let plan = partial_plan(q, k, causal, cut).expect("distinct keys");
                    expect_cut(&plan, cut);
                    expect_exact(q, k, causal, &plan);
                    expect_modes_consistent(&plan, q.len());
                    expect_groups(&plan, q.len());
                    expect_cudnn_shapes(&plan);
                }
                if let Some(u) = unsorted_plan(q, k, causal) {
                    expect_exact(q, k, causal, &u);
                    expect_modes_consistent(&u, q.len());
                }
            }
        }
        assert_eq!(partial_plan(&[0, 1], &[0, 0], true, Cut::plain(false)), None, "repeated key tokens");
    }

    #[test]
    fn random_layouts_are_exact() {
        // Random token sets (with padding) in random row orders, as any shard layout gives.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        for _ in 0..400 {
            let total = 1 + next(24) as i64;
            let mut pick = |n: u64| -> Vec<i64> {
                let mut v: Vec<i64> = (0..total).filter(|_| next(3) > 0).collect();
                for i in (1..v.len()).rev() {
                    v.swap(i, next(i as u64 + 1) as usize);
                }
                v.extend((0..next(n)).map(|_| -1));
                v
            };
            let (q, k) = (pick(3), pick(3));
            for (causal, cut) in [true, false].into_iter().flat_map(|c| CUTS.map(|cut| (c, cut))) {
                let plan = partial_plan(&q, &k, causal, cut).expect("distinct keys");
                expect_cut(&plan, cut);
                expect_exact(&q, &k, causal, &plan);
                expect_modes_consistent(&plan, q.len());
                expect_groups(&plan, q.len());
                expect_cudnn_shapes(&plan);
            }
        }
    }
}
