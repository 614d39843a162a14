//! The cuDNN layer: the handle, backend descriptors, the attention graph of one `SdpaKey` with
//! its execution plan, and the variant pack that runs it. The only part that speaks cuDNN's C API.

use super::key::{BwdKey, MaskKind, SdpaKey};
use crate::cuda::layout::DType;
use cudarc::cudnn::sys::{self as c, cudnnBackendAttributeName_t as A, cudnnBackendAttributeType_t as T};
use cudarc::driver::CudaStream;
use std::ffi::c_void;

type Desc = c::cudnnBackendDescriptor_t;

// The graph's tensors, by the unique ids a variant pack names them with.
const UID_Q: i64 = 1;
const UID_K: i64 = 2;
const UID_V: i64 = 3;
const UID_O: i64 = 4;
const UID_SCALE: i64 = 5;
const UID_NEG: i64 = 6;
const UID_STATS: i64 = 7;
const UID_SKV: i64 = 8;
const UID_SQ: i64 = 9;
const UID_DO: i64 = 10;
const UID_DQ: i64 = 11;
const UID_DK: i64 = 12;
const UID_DV: i64 = 13;
const UID_ONE: i64 = 14;
const UID_DQ_ACC: i64 = 15;
const UID_WINDOW: i64 = 16;
const UID_SWA_NEG: i64 = 17;
const UID_SEQ_Q: i64 = 18;
const UID_SEQ_KV: i64 = 19;
const UID_OFF_Q: i64 = 20;
const UID_OFF_KV: i64 = 21;
const UID_OFF_STATS: i64 = 22;
const UID_PAD_NEG: i64 = 23;
/// What the causal mask writes above the diagonal.
const MASK_NEG: f32 = -1.0e30;
/// What the sliding window's band writes outside it (cudnn-frontend's value).
const SWA_NEG: f32 = -1073741824.0;

/// The document table of a packed run (`SdpaKey::docs`), as device pointers: each document's
/// query and key lengths (int32 `[docs]`, cuDNN's sequence lengths; one array for a whole
/// attention's documents, two for a split block's rectangle) and the ragged offsets (int64
/// `[docs + 1]`, in elements) of query/output rows, key/value rows and statistics rows.
#[derive(Clone, Copy, Debug)]
pub(super) struct DocPtrs {
    pub len: u64,
    pub len_kv: u64,
    pub q: u64,
    pub kv: u64,
    pub stats: u64,
}

impl DocPtrs {
    /// The variant pack's entries for the table (the statistics' offsets only where the graph
    /// writes or reads statistics: a pack names exactly the graph's tensors).
    fn push(&self, uids: &mut Vec<i64>, data: &mut Vec<*mut c_void>, pad_neg: &f32, stats: bool) {
        uids.extend([UID_SEQ_Q, UID_SEQ_KV, UID_OFF_Q, UID_OFF_KV, UID_PAD_NEG]);
        data.extend([self.len, self.len_kv, self.q, self.kv].map(|x| x as *mut c_void));
        data.push(pad_neg as *const f32 as *mut c_void);
        if stats {
            uids.push(UID_OFF_STATS);
            data.push(self.stats as *mut c_void);
        }
    }
}

/// What the padding mask writes outside a document (cudnn-frontend's value from cuDNN 9.10 on).
const PAD_NEG: f32 = f32::NEG_INFINITY;

/// A cuDNN handle; destroyed on drop, after the plans built on it (`Sdpa`'s drop clears them).
pub(super) struct Handle(c::cudnnHandle_t);

impl Handle {
    /// Opens cuDNN; None when the library is missing.
    pub fn open() -> Result<Option<Self>, String> {
        if !unsafe { c::is_culib_present() } {
            return Ok(None);
        }
        let mut handle: c::cudnnHandle_t = std::ptr::null_mut();
        check(unsafe { c::cudnnCreate(&mut handle) }, "cudnnCreate")?;
        Ok(Some(Self(handle)))
    }

    pub fn version() -> usize {
        unsafe { c::cudnnGetVersion() }
    }

    /// The graph of `key` and its first execution plan that cuDNN finalises.
    pub fn build(&self, key: &SdpaKey) -> Result<Planned, String> {
        build(self.0, key)
    }

    /// Enqueues `plan` (built for `key`) on `stream` with the given tensors.
    #[allow(clippy::too_many_arguments)]
    pub fn execute(
        &self,
        stream: &CudaStream,
        plan: &Planned,
        key: &SdpaKey,
        ptrs: [u64; 4],
        stats: Option<u64>,
        docs: Option<DocPtrs>,
        workspace: u64,
        scale: f32,
    ) -> Result<(), String> {
        let stream = stream.cu_stream() as c::cudaStream_t;
        check(unsafe { c::cudnnSetStream(self.0, stream) }, "cudnnSetStream")?;
        let neg = MASK_NEG;
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
        let (window, swa_neg) = (key.window as f32, SWA_NEG);
        if key.window > 0 {
            uids.extend([UID_WINDOW, UID_SWA_NEG]);
            data.push(&window as *const f32 as *mut c_void);
            data.push(&swa_neg as *const f32 as *mut c_void);
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
        let pad_neg = PAD_NEG;
        if let Some(d) = docs.filter(|_| key.docs > 0) {
            d.push(&mut uids, &mut data, &pad_neg, stats.is_some());
        }
        self.launch(plan, &uids, &data, workspace, "cudnnBackendExecute")
    }

    /// Runs `plan` with the tensors `data` under their `uids` (the variant pack), on the stream
    /// set before.
    fn launch(&self, plan: &Planned, uids: &[i64], data: &[*mut c_void], workspace: u64, what: &str) -> Result<(), String> {
        let mut descs = Descs::default();
        let vp = descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR)?;
        set(vp, A::CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, T::CUDNN_TYPE_INT64, uids)?;
        set(vp, A::CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, T::CUDNN_TYPE_VOID_PTR, data)?;
        set(vp, A::CUDNN_ATTR_VARIANT_PACK_WORKSPACE, T::CUDNN_TYPE_VOID_PTR, &[workspace as *mut c_void])?;
        fin(vp, "variant pack")?;
        check(unsafe { c::cudnnBackendExecute(self.0, plan.plan, vp) }, what)
    }
}

/// The tensors of one backward call: q, k, v, o, dO, stats (f32 `[heads, sq]`), dQ, dK, dV,
/// and the f32 dQ accumulator (`[heads, sq, d]`, zeroed before the call).
pub(super) struct BwdPtrs {
    pub q: u64,
    pub k: u64,
    pub v: u64,
    pub o: u64,
    pub d_o: u64,
    pub stats: u64,
    pub dq: u64,
    pub dk: u64,
    pub dv: u64,
    pub dq_acc: u64,
}

impl Handle {
    /// The backward graph of `key` and its first execution plan that cuDNN finalises;
    /// `deterministic`: the form whose dQ is one GEMM over a dP workspace rather than f32
    /// atomics (cudnn-frontend's deterministic backward on Hopper; its workspace grows with
    /// heads × queries × keys).
    pub fn build_backward(&self, key: &BwdKey, deterministic: bool) -> Result<Planned, String> {
        build_backward(self.0, key, deterministic)
    }

    /// Enqueues a backward `plan` on `stream` (with the document table for a packed key).
    #[allow(clippy::too_many_arguments)]
    pub fn execute_backward(
        &self,
        stream: &CudaStream,
        plan: &Planned,
        key: &BwdKey,
        t: &BwdPtrs,
        docs: Option<DocPtrs>,
        workspace: u64,
        scale: f32,
    ) -> Result<(), String> {
        check(unsafe { c::cudnnSetStream(self.0, stream.cu_stream() as c::cudaStream_t) }, "cudnnSetStream")?;
        let (one, neg) = (1.0f32, MASK_NEG);
        let mut uids = vec![UID_Q, UID_K, UID_V, UID_O, UID_DO, UID_STATS, UID_DQ, UID_DK, UID_DV, UID_DQ_ACC];
        let mut data: Vec<*mut c_void> =
            [t.q, t.k, t.v, t.o, t.d_o, t.stats, t.dq, t.dk, t.dv, t.dq_acc].iter().map(|&x| x as *mut c_void).collect();
        if plan.direct_dq {
            uids.pop();
            data.pop();
        }
        uids.extend([UID_SCALE, UID_ONE]);
        data.push(&scale as *const f32 as *mut c_void);
        data.push(&one as *const f32 as *mut c_void);
        if key.mask != MaskKind::None {
            uids.push(UID_NEG);
            data.push(&neg as *const f32 as *mut c_void);
        }
        let skv = i32::try_from(key.sk).map_err(|_| "block too long for cuDNN's int32 index")?;
        let sq = i32::try_from(key.sq).map_err(|_| "block too long for cuDNN's int32 index")?;
        if key.mask == MaskKind::Diagonal {
            uids.extend([UID_SKV, UID_SQ]);
            data.push(&skv as *const i32 as *mut c_void);
            data.push(&sq as *const i32 as *mut c_void);
        }
        let (window, swa_neg) = (key.window as f32, SWA_NEG);
        if key.window > 0 {
            uids.extend([UID_WINDOW, UID_SWA_NEG]);
            data.push(&window as *const f32 as *mut c_void);
            data.push(&swa_neg as *const f32 as *mut c_void);
        }
        let pad_neg = PAD_NEG;
        if let Some(d) = docs.filter(|_| key.docs > 0) {
            d.push(&mut uids, &mut data, &pad_neg, true);
        }
        self.launch(plan, &uids, &data, workspace, "cudnnBackendExecute (attention backward)")
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        unsafe { c::cudnnDestroy(self.0) };
    }
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

/// A finalised execution plan and the descriptors it was built from.
pub(super) struct Planned {
    plan: Desc,
    pub workspace: usize,
    /// How the graph was written, where there was a choice (a packed backward's `BwdForm`).
    pub form: String,
    /// A backward that writes dQ straight from dS·K (the deterministic form): no f32 dQ
    /// accumulator to bind.
    pub direct_dq: bool,
    _descs: Descs,
}

struct Builder {
    descs: Descs,
    next_uid: i64,
}

impl Builder {
    fn tensor(
        &mut self,
        uid: Option<i64>,
        dt: c::cudnnDataType_t,
        dims: [i64; 4],
        strides: [i64; 4],
        is_virtual: bool,
        by_value: bool,
    ) -> Result<Desc, String> {
        self.tensor_with(uid, dt, (dims, strides), is_virtual, by_value, None)
    }

    /// A tensor; `ragged`: the offsets tensor whose entries place each batch (document).
    fn tensor_with(
        &mut self,
        uid: Option<i64>,
        dt: c::cudnnDataType_t,
        (dims, strides): ([i64; 4], [i64; 4]),
        is_virtual: bool,
        by_value: bool,
        ragged: Option<Desc>,
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
        if let Some(r) = ragged {
            set(t, A::CUDNN_ATTR_TENSOR_RAGGED_OFFSET_DESC, T::CUDNN_TYPE_BACKEND_DESCRIPTOR, &[r])?;
        }
        fin(t, "tensor")?;
        Ok(t)
    }

    /// The f32 dQ accumulator: a non-virtual tensor in the F16x16 reordering, which is how the
    /// backend API asks the fused backward for its dQ workspace.
    fn accumulator(&mut self, dims: [i64; 4], strides: [i64; 4], ragged: Option<Desc>, reorder: bool) -> Result<Desc, String> {
        let t = self.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_TENSOR_DESCRIPTOR)?;
        set(t, A::CUDNN_ATTR_TENSOR_DATA_TYPE, T::CUDNN_TYPE_DATA_TYPE, &[c::cudnnDataType_t::CUDNN_DATA_FLOAT])?;
        set(t, A::CUDNN_ATTR_TENSOR_DIMENSIONS, T::CUDNN_TYPE_INT64, &dims)?;
        set(t, A::CUDNN_ATTR_TENSOR_STRIDES, T::CUDNN_TYPE_INT64, &strides)?;
        set(t, A::CUDNN_ATTR_TENSOR_UNIQUE_ID, T::CUDNN_TYPE_INT64, &[UID_DQ_ACC])?;
        set(t, A::CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, T::CUDNN_TYPE_INT64, &[16i64])?;
        set(t, A::CUDNN_ATTR_TENSOR_IS_VIRTUAL, T::CUDNN_TYPE_BOOLEAN, &[false])?;
        if reorder {
            let mode = c::cudnnBackendTensorReordering_t::CUDNN_TENSOR_REORDERING_F16x16;
            set(t, A::CUDNN_ATTR_TENSOR_REORDERING_MODE, T::CUDNN_TYPE_TENSOR_REORDERING_MODE, &[mode])?;
        }
        if let Some(r) = ragged {
            set(t, A::CUDNN_ATTR_TENSOR_RAGGED_OFFSET_DESC, T::CUDNN_TYPE_BACKEND_DESCRIPTOR, &[r])?;
        }
        fin(t, "dQ accumulator")?;
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

    /// The scores under `mask` (and a window under the causal mask): the row index, shifted by
    /// s_kv − s_q for the bottom-right diagonal (the two steps cuDNN's own bottom-right causal
    /// mask takes), against the column index.
    fn masked(&mut self, ops: &mut Vec<Desc>, last: Desc, mask: MaskKind, window: usize, full: View) -> Result<Desc, String> {
        use c::cudnnDataType_t as D;
        use c::cudnnPointwiseMode_t as P;
        if mask == MaskKind::None {
            // A block of a windowed split attention wholly below the diagonal: the band alone.
            return if window > 0 { self.window(ops, last, full) } else { Ok(last) };
        }
        let (f, i32t, one) = (D::CUDNN_DATA_FLOAT, D::CUDNN_DATA_INT32, [1i64; 4]);
        let neg = self.tensor(Some(UID_NEG), f, one, one, false, true)?;
        let mut ri = self.tensor(None, i32t, full.0, full.1, true, false)?;
        ops.push(self.pointwise(P::CUDNN_POINTWISE_GEN_INDEX, f, Some(2), last, None, None, ri)?);
        if mask == MaskKind::Diagonal {
            let skv = self.tensor(Some(UID_SKV), i32t, one, one, false, true)?;
            let sq = self.tensor(Some(UID_SQ), i32t, one, one, false, true)?;
            let r1 = self.tensor(None, i32t, full.0, full.1, true, false)?;
            ops.push(self.pointwise(P::CUDNN_POINTWISE_ADD, i32t, None, ri, Some(skv), None, r1)?);
            let r2 = self.tensor(None, i32t, full.0, full.1, true, false)?;
            ops.push(self.pointwise(P::CUDNN_POINTWISE_SUB, i32t, None, r1, Some(sq), None, r2)?);
            ri = r2;
        }
        let out = self.causal(ops, last, ri, neg, full)?;
        if window > 0 { self.window(ops, out, full) } else { Ok(out) }
    }

    /// Scores where the row index `ri` (an int32 tensor, shifted for a bottom-right mask) is at
    /// least the column stay, the rest become `neg`: the causal mask as cudnn-frontend builds it.
    fn causal(&mut self, ops: &mut Vec<Desc>, last: Desc, ri: Desc, neg: Desc, full: ([i64; 4], [i64; 4])) -> Result<Desc, String> {
        use c::cudnnDataType_t as D;
        use c::cudnnPointwiseMode_t as P;
        let f = D::CUDNN_DATA_FLOAT;
        let ci = self.tensor(None, D::CUDNN_DATA_INT32, full.0, full.1, true, false)?;
        ops.push(self.pointwise(P::CUDNN_POINTWISE_GEN_INDEX, f, Some(3), last, None, None, ci)?);
        let mask = self.tensor(None, D::CUDNN_DATA_BOOLEAN, full.0, full.1, true, false)?;
        ops.push(self.pointwise(P::CUDNN_POINTWISE_CMP_GE, D::CUDNN_DATA_BOOLEAN, None, ri, Some(ci), None, mask)?);
        let out = self.tensor(None, f, full.0, full.1, true, false)?;
        ops.push(self.pointwise(P::CUDNN_POINTWISE_BINARY_SELECT, f, None, last, Some(neg), Some(mask), out)?);
        Ok(out)
    }

    /// The sliding window after the causal mask: scores where row < col + window stay, the rest
    /// become −2³⁰ — the band exactly as cudnn-frontend builds it for sliding-window attention
    /// (fresh float row and column indices, the window added in float), which the fused engine
    /// recognises.
    fn window(&mut self, ops: &mut Vec<Desc>, last: Desc, full: ([i64; 4], [i64; 4])) -> Result<Desc, String> {
        use c::cudnnDataType_t as D;
        use c::cudnnPointwiseMode_t as P;
        let f = D::CUDNN_DATA_FLOAT;
        let one = [1i64; 4];
        let row = self.tensor(None, f, full.0, full.1, true, false)?;
        ops.push(self.pointwise(P::CUDNN_POINTWISE_GEN_INDEX, f, Some(2), last, None, None, row)?);
        let col = self.tensor(None, f, full.0, full.1, true, false)?;
        ops.push(self.pointwise(P::CUDNN_POINTWISE_GEN_INDEX, f, Some(3), last, None, None, col)?);
        let w = self.tensor(Some(UID_WINDOW), f, one, one, false, true)?;
        let lower = self.tensor(None, f, full.0, full.1, true, false)?;
        ops.push(self.pointwise(P::CUDNN_POINTWISE_ADD, f, Some(3), col, Some(w), None, lower)?);
        let band = self.tensor(None, D::CUDNN_DATA_BOOLEAN, full.0, full.1, true, false)?;
        ops.push(self.pointwise(P::CUDNN_POINTWISE_CMP_GT, D::CUDNN_DATA_BOOLEAN, None, lower, Some(row), None, band)?);
        let neg = self.tensor(Some(UID_SWA_NEG), f, one, one, false, true)?;
        let out = self.tensor(None, f, full.0, full.1, true, false)?;
        ops.push(self.pointwise(P::CUDNN_POINTWISE_BINARY_SELECT, f, None, last, Some(neg), Some(band), out)?);
        Ok(out)
    }

    /// `out = xᵀ·rhs` for score-shaped `x` (through a transposed view in the io type); with fewer
    /// KV heads (`grouped`), per query head and then summed over each group by a reduction.
    /// `shapes`: the io type, the transposed view's (dims, strides), a per-head result's.
    #[allow(clippy::type_complexity, clippy::too_many_arguments)]
    fn transposed_product(
        &mut self,
        ops: &mut Vec<Desc>,
        x: Desc,
        rhs: Desc,
        out: Desc,
        shapes: (c::cudnnDataType_t, ([i64; 4], [i64; 4]), ([i64; 4], [i64; 4])),
        grouped: bool,
        over: [Option<Desc>; 3],
    ) -> Result<(), String> {
        let (io, view, per_head) = shapes;
        let xt = self.tensor(None, io, view.0, view.1, true, false)?;
        ops.push(self.reshape(x, xt)?);
        if grouped {
            let full = self.tensor(None, io, per_head.0, per_head.1, true, false)?;
            ops.push(self.matmul_over(xt, rhs, full, over)?);
            ops.push(self.reduction(c::cudnnReduceTensorOp_t::CUDNN_REDUCE_TENSOR_ADD, full, out)?);
        } else {
            ops.push(self.matmul_over(xt, rhs, out, over)?);
        }
        Ok(())
    }

    /// Scores outside each document (row or column past its length) become −∞: the padding
    /// mask as cudnn-frontend builds it (int32 indices, compared with the sequence lengths).
    fn padding(&mut self, ops: &mut Vec<Desc>, last: Desc, docs: &Ragged, full: ([i64; 4], [i64; 4])) -> Result<Desc, String> {
        use c::cudnnDataType_t as D;
        use c::cudnnPointwiseMode_t as P;
        let (i32t, bool_t) = (D::CUDNN_DATA_INT32, D::CUDNN_DATA_BOOLEAN);
        let mut inside = Vec::new();
        for (axis, len) in [(2, docs.seq_q), (3, docs.seq_kv)] {
            let idx = self.tensor(None, i32t, full.0, full.1, true, false)?;
            ops.push(self.pointwise(P::CUDNN_POINTWISE_GEN_INDEX, i32t, Some(axis), last, None, None, idx)?);
            let lt = self.tensor(None, bool_t, full.0, full.1, true, false)?;
            ops.push(self.pointwise(P::CUDNN_POINTWISE_CMP_LT, bool_t, None, idx, Some(len), None, lt)?);
            inside.push(lt);
        }
        let both = self.tensor(None, bool_t, full.0, full.1, true, false)?;
        ops.push(self.pointwise(P::CUDNN_POINTWISE_LOGICAL_AND, bool_t, None, inside[0], Some(inside[1]), None, both)?);
        let one = [1i64; 4];
        let neg = self.tensor(Some(UID_PAD_NEG), D::CUDNN_DATA_FLOAT, one, one, false, true)?;
        let out = self.tensor(None, D::CUDNN_DATA_FLOAT, full.0, full.1, true, false)?;
        ops.push(self.pointwise(P::CUDNN_POINTWISE_BINARY_SELECT, D::CUDNN_DATA_FLOAT, None, last, Some(neg), Some(both), out)?);
        Ok(out)
    }

    /// The document table's tensors (`DocPtrs`), when the key packs documents.
    fn ragged(&mut self, docs: usize) -> Result<Option<Ragged>, String> {
        if docs == 0 {
            return Ok(None);
        }
        use c::cudnnDataType_t as D;
        let b = docs as i64;
        let one = [1i64; 4];
        let len = |s: &mut Self, uid| s.tensor(Some(uid), D::CUDNN_DATA_INT32, [b, 1, 1, 1], one, false, false);
        let seq_q = len(self, UID_SEQ_Q)?;
        let seq_kv = len(self, UID_SEQ_KV)?;
        let off = |s: &mut Self, uid| s.tensor(Some(uid), D::CUDNN_DATA_INT64, [b + 1, 1, 1, 1], one, false, false);
        Ok(Some(Ragged { seq_q, seq_kv, q: off(self, UID_OFF_Q)?, kv: off(self, UID_OFF_KV)?, stats: off(self, UID_OFF_STATS)? }))
    }

    /// y: x's elements under y's dims and strides (a transposed view here).
    fn reshape(&mut self, x: Desc, y: Desc) -> Result<Desc, String> {
        let op = self.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_OPERATION_RESHAPE_DESCRIPTOR)?;
        let bd = T::CUDNN_TYPE_BACKEND_DESCRIPTOR;
        set(op, A::CUDNN_ATTR_OPERATION_RESHAPE_XDESC, bd, &[x])?;
        set(op, A::CUDNN_ATTR_OPERATION_RESHAPE_YDESC, bd, &[y])?;
        fin(op, "reshape")?;
        Ok(op)
    }

    /// A matmul whose M, N and K may be overridden per batch by int32 `[batch]` tensors (each
    /// document's length: the rows past it are not computed).
    fn matmul_over(&mut self, a: Desc, b: Desc, cc: Desc, over: [Option<Desc>; 3]) -> Result<Desc, String> {
        let m = self.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_MATMUL_DESCRIPTOR)?;
        set(m, A::CUDNN_ATTR_MATMUL_COMP_TYPE, T::CUDNN_TYPE_DATA_TYPE, &[c::cudnnDataType_t::CUDNN_DATA_FLOAT])?;
        fin(m, "matmul descriptor")?;
        let op = self.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_OPERATION_MATMUL_DESCRIPTOR)?;
        let bd = T::CUDNN_TYPE_BACKEND_DESCRIPTOR;
        set(op, A::CUDNN_ATTR_OPERATION_MATMUL_ADESC, bd, &[a])?;
        set(op, A::CUDNN_ATTR_OPERATION_MATMUL_BDESC, bd, &[b])?;
        set(op, A::CUDNN_ATTR_OPERATION_MATMUL_CDESC, bd, &[cc])?;
        set(op, A::CUDNN_ATTR_OPERATION_MATMUL_DESC, bd, &[m])?;
        let names = [
            A::CUDNN_ATTR_OPERATION_MATMUL_GEMM_M_OVERRIDE_DESC,
            A::CUDNN_ATTR_OPERATION_MATMUL_GEMM_N_OVERRIDE_DESC,
            A::CUDNN_ATTR_OPERATION_MATMUL_GEMM_K_OVERRIDE_DESC,
        ];
        for (name, t) in names.into_iter().zip(over) {
            if let Some(t) = t {
                set(op, name, bd, &[t])?;
            }
        }
        fin(op, "matmul")?;
        Ok(op)
    }
}


/// The document table's tensor descriptors in a graph: sequence lengths (for queries and for
/// keys) and the ragged offsets of query rows, key rows and statistics rows.
struct Ragged {
    seq_q: Desc,
    seq_kv: Desc,
    q: Desc,
    kv: Desc,
    stats: Desc,
}

/// The 4-D views of a graph: `b` batches (documents, or 1) of `s` tokens over `h` query heads
/// and `hk` key heads of `d`; rows are token-major as in the plan's buffers, whose rows hold
/// `wq` query heads and `wk` key heads (more than the graph's when one call takes a group).
struct Views {
    b: i64,
    h: i64,
    hk: i64,
    s: i64,
    d: i64,
    wq: i64,
    wk: i64,
}

type View = ([i64; 4], [i64; 4]);

impl Views {
    /// Query-side rows (q, o, dO, dQ).
    fn q_rows(&self) -> View {
        let (b, s, d, h, w) = (self.b, self.s, self.d, self.h, self.wq);
        ([b, h, s, d], [s * w * d, d, w * d, 1])
    }
    /// Key-side rows (v, dK, dV).
    fn kv_rows(&self) -> View {
        let (b, s, d, h, w) = (self.b, self.s, self.d, self.hk, self.wk);
        ([b, h, s, d], [s * w * d, d, w * d, 1])
    }
    /// Keys (or values) as the transposed [d, s] operand of a product.
    fn cols(&self) -> View {
        let (b, hk, s, d, w) = (self.b, self.hk, self.s, self.d, self.wk);
        ([b, hk, d, s], [s * w * d, d, 1, w * d])
    }
    /// The scores of these queries against `sk` keys.
    fn scores(&self, sk: i64) -> View {
        let (b, h, s) = (self.b, self.h, self.s);
        ([b, h, s, sk], [h * s * sk, s * sk, sk, 1])
    }
    /// The same scores as the transposed [sk, s] operand of a product.
    fn scores_t(&self, sk: i64) -> View {
        let (b, h, s) = (self.b, self.h, self.s);
        ([b, h, sk, s], [h * s * sk, s * sk, 1, sk])
    }
    /// One value per query row, head-major (virtual tensors).
    fn row(&self) -> View {
        let (b, h, s) = (self.b, self.h, self.s);
        ([b, h, s, 1], [h * s, s, 1, 1])
    }
    /// The statistics: head-major [heads, s] for one sequence, token-major [tokens, heads]
    /// (ragged) for documents.
    fn stats(&self, docs: bool) -> View {
        let (b, h, s) = (self.b, self.h, self.s);
        if docs { ([b, h, s, 1], [s * h, 1, h, 1]) } else { self.row() }
    }
    fn per_head(&self) -> View {
        let (b, h, s, d) = (self.b, self.h, self.s, self.d);
        ([b, h, s, d], [h * s * d, s * d, d, 1])
    }
}

fn build(handle: c::cudnnHandle_t, k: &SdpaKey) -> Result<Planned, String> {
    use c::cudnnDataType_t as D;
    use c::cudnnPointwiseMode_t as P;
    let io = if k.dt == DType::BF16 { D::CUDNN_DATA_BFLOAT16 } else { D::CUDNN_DATA_HALF };
    let (h, hk, sq, sk, d) = (k.heads as i64, k.kv_heads as i64, k.sq as i64, k.sk as i64, k.d as i64);
    let mut b = Builder { descs: Descs::default(), next_uid: 100 };
    let docs = b.ragged(k.docs)?;
    // The plan's [tokens, heads·d] buffers as [batch, heads, tokens, d]: one batch, or (packed
    // documents, sq = sk) one per document placed by the ragged offsets.
    let vq = Views { b: k.docs.max(1) as i64, h, hk, s: sq, d, wq: h, wk: hk };
    let vk = Views { s: sk, ..vq };
    let (off_q, off_kv, off_st) = (docs.as_ref().map(|r| r.q), docs.as_ref().map(|r| r.kv), docs.as_ref().map(|r| r.stats));
    let q = b.tensor_with(Some(UID_Q), io, vq.q_rows(), false, false, off_q)?;
    let kt = b.tensor_with(Some(UID_K), io, vk.cols(), false, false, off_kv)?;
    let v = b.tensor_with(Some(UID_V), io, vk.kv_rows(), false, false, off_kv)?;
    let o = b.tensor_with(Some(UID_O), io, vq.q_rows(), false, false, off_q)?;
    let one = ([1i64; 4], [1i64; 4]);
    let scale = b.tensor(Some(UID_SCALE), D::CUDNN_DATA_FLOAT, one.0, one.1, false, true)?;
    let full = ([vq.b, h, sq, sk], [h * sq * sk, sq * sk, sk, 1]);
    let row = vq.row();
    let f = D::CUDNN_DATA_FLOAT;
    let mut ops = Vec::new();
    let (seq_q, seq_kv) = (docs.as_ref().map(|r| r.seq_q), docs.as_ref().map(|r| r.seq_kv));

    let s = b.tensor(None, f, full.0, full.1, true, false)?;
    ops.push(b.matmul_over(q, kt, s, [seq_q, seq_kv, None])?);
    let s1 = b.tensor(None, f, full.0, full.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_MUL, f, None, s, Some(scale), None, s1)?);
    let mut last = s1;
    if let Some(r) = &docs {
        last = b.padding(&mut ops, last, r, full)?;
    }
    last = b.masked(&mut ops, last, k.mask, k.window, full)?;
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
        b.tensor_with(Some(UID_STATS), f, vq.stats(docs.is_some()), false, false, off_st)?
    } else {
        b.tensor(None, f, row.0, row.1, true, false)?
    };
    ops.push(b.pointwise(P::CUDNN_POINTWISE_ADD, f, None, m, Some(lg), None, stats)?);
    let p = b.tensor(None, io, full.0, full.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_DIV, f, None, e, Some(sum), None, p)?);
    ops.push(b.matmul_over(p, v, o, [seq_q, None, seq_kv])?);

    finish(handle, b, &ops, 0)
}

/// Which of the backward's finalisable execution plans to take (SEQC_SDPA_BWD_PLAN, default 0:
/// the heuristics' first), to measure the others.
fn backward_pick() -> usize {
    std::env::var("SEQC_SDPA_BWD_PLAN").ok().and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// The operation graph of `ops`, and the execution plan of the heuristics' list that cuDNN
/// finalises `pick`-th (or the last one it finalises, when fewer).
fn finish(handle: c::cudnnHandle_t, mut b: Builder, ops: &[Desc], pick: usize) -> Result<Planned, String> {
    let bd = T::CUDNN_TYPE_BACKEND_DESCRIPTOR;
    let graph = b.descs.create(c::cudnnBackendDescriptorType_t::CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR)?;
    set(graph, A::CUDNN_ATTR_OPERATIONGRAPH_HANDLE, T::CUDNN_TYPE_HANDLE, &[handle])?;
    set(graph, A::CUDNN_ATTR_OPERATIONGRAPH_OPS, bd, ops)?;
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
    let mut finalised = None;
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
                let last = finalised.as_ref().map_or(0, |(i, _, _)| i + 1);
                finalised = Some((last, plan, ws.max(0) as usize));
                if last >= pick {
                    break;
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if let Some((_, plan, workspace)) = finalised {
        return Ok(Planned { plan, workspace, form: String::new(), direct_dq: false, _descs: b.descs });
    }
    if got <= 0 {
        return Err("cuDNN's heuristics offer no engine for this graph (the fused attention engines do not take it)".into());
    }
    Err(format!("no engine config could be finalised ({} tried): {}", got, errors.join("; ")))
}

/// How a backward graph over packed documents is written; the engines take some forms and not
/// others, so `build_backward` tries them in turn (the first that finalises is kept).
#[derive(Clone, Copy, Debug)]
struct BwdForm {
    /// The dQ accumulator in the F16x16 reordering (the whole-sequence graph's form).
    reorder: bool,
    /// dQ = dS·K written straight into dQ, no accumulator (the deterministic form).
    direct_dq: bool,
    /// The causal mask before the statistics are subtracted (else after, as cudnn-frontend
    /// orders its backward today).
    mask_first: bool,
}

const BWD_FORMS: [BwdForm; 4] = [
    BwdForm { reorder: true, mask_first: true, direct_dq: false },
    BwdForm { reorder: false, mask_first: true, direct_dq: false },
    BwdForm { reorder: true, mask_first: false, direct_dq: false },
    BwdForm { reorder: false, mask_first: false, direct_dq: false },
];

/// The fused flash-attention backward, as the graph cudnn-frontend builds for it (cuDNN 9):
/// softmax_sum = Σ_d dO·O; P = exp(scale·Q·Kᵀ [masked] − stats); dV = Pᵀ·dO;
/// dS = scale·P·(dO·Vᵀ − softmax_sum); dK = dSᵀ·Q; dQ = dS·K through the f32 accumulator.
/// Fewer KV heads: dV and dK are computed per query head and summed over each group by a
/// reduction. Tensors are the plan's [tokens, heads·d] buffers as strided 4-D views; packed
/// documents (`docs`) add the ragged offsets, the sequence-length overrides and the padding mask.
fn build_backward(handle: c::cudnnHandle_t, k: &BwdKey, deterministic: bool) -> Result<Planned, String> {
    if k.docs == 0 {
        return build_backward_as(handle, k, BwdForm { direct_dq: deterministic, ..BWD_FORMS[0] });
    }
    // SEQC_DOCS_BWD_FORM=i starts from form i (to measure them).
    let first = std::env::var("SEQC_DOCS_BWD_FORM").ok().and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
    let mut errors = Vec::new();
    for form in BWD_FORMS.iter().cycle().skip(first % BWD_FORMS.len()).take(BWD_FORMS.len()) {
        let form = BwdForm { direct_dq: deterministic, ..*form };
        match build_backward_as(handle, k, form) {
            Ok(p) => return Ok(Planned { form: format!("{form:?}"), ..p }),
            Err(e) => errors.push(format!("{form:?}: {e}")),
        }
    }
    Err(errors.join("; "))
}

fn build_backward_as(handle: c::cudnnHandle_t, k: &BwdKey, form: BwdForm) -> Result<Planned, String> {
    use c::cudnnDataType_t as D;
    use c::cudnnPointwiseMode_t as P;
    use c::cudnnReduceTensorOp_t as R;
    let io = if k.dt == DType::BF16 { D::CUDNN_DATA_BFLOAT16 } else { D::CUDNN_DATA_HALF };
    let f = D::CUDNN_DATA_FLOAT;
    let mut b = Builder { descs: Descs::default(), next_uid: 100 };
    let docs = b.ragged(k.docs)?;
    // Queries and keys as [batch, heads, tokens, d] views (sq = sk for a whole attention).
    // One call per group of KV heads (`split`): the graph's heads are the group's, its rows
    // the plan's whole ones.
    let split = k.split.max(1) as i64;
    let (wq, wk) = (k.heads as i64, k.kv_heads as i64);
    let vw = Views { b: k.docs.max(1) as i64, h: wq / split, hk: wk / split, s: k.sq as i64, d: k.d as i64, wq, wk };
    let vk = Views { s: k.sk as i64, ..vw };
    let (off_q, off_kv, off_st) = (docs.as_ref().map(|r| r.q), docs.as_ref().map(|r| r.kv), docs.as_ref().map(|r| r.stats));
    let (seq_q, seq_kv) = (docs.as_ref().map(|r| r.seq_q), docs.as_ref().map(|r| r.seq_kv));
    let (rows_q, rows_kv, cols_kv) = (vw.q_rows(), vk.kv_rows(), vk.cols());
    let q = b.tensor_with(Some(UID_Q), io, rows_q, false, false, off_q)?;
    let kt = b.tensor_with(Some(UID_K), io, cols_kv, false, false, off_kv)?;
    let vt = b.tensor_with(Some(UID_V), io, cols_kv, false, false, off_kv)?;
    let o = b.tensor_with(Some(UID_O), io, rows_q, false, false, off_q)?;
    let d_o = b.tensor_with(Some(UID_DO), io, rows_q, false, false, off_q)?;
    let row = vw.row();
    let stats = b.tensor_with(Some(UID_STATS), f, vw.stats(docs.is_some()), false, false, off_st)?;
    let dq = b.tensor_with(Some(UID_DQ), io, rows_q, false, false, off_q)?;
    let dk = b.tensor_with(Some(UID_DK), io, rows_kv, false, false, off_kv)?;
    let dv = b.tensor_with(Some(UID_DV), io, rows_kv, false, false, off_kv)?;
    let one = ([1i64; 4], [1i64; 4]);
    let scale = b.tensor(Some(UID_SCALE), f, one.0, one.1, false, true)?;
    let unit = b.tensor(Some(UID_ONE), f, one.0, one.1, false, true)?;
    let (full, full_t, per_head) = (vw.scores(vk.s), vw.scores_t(vk.s), vk.per_head());
    let mut ops = Vec::new();

    // softmax_sum = Σ_d dO·O (times 1: no dropout).
    let prod = b.tensor(None, f, rows_q.0, rows_q.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_MUL, f, None, d_o, Some(o), None, prod)?);
    let red = b.tensor(None, f, row.0, row.1, true, false)?;
    ops.push(b.reduction(R::CUDNN_REDUCE_TENSOR_ADD, prod, red)?);
    let softmax_sum = b.tensor(None, f, row.0, row.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_MUL, f, None, red, Some(unit), None, softmax_sum)?);

    // P = exp(scale·Q·Kᵀ [masked] − stats).
    let s0 = b.tensor(None, f, full.0, full.1, true, false)?;
    ops.push(b.matmul_over(q, kt, s0, [seq_q, seq_kv, None])?);
    let s1 = b.tensor(None, f, full.0, full.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_MUL, f, None, s0, Some(scale), None, s1)?);
    let mut last = s1;
    if let Some(r) = &docs {
        last = b.padding(&mut ops, last, r, full)?;
    }
    let mask = |b: &mut Builder, ops: &mut Vec<Desc>, last: Desc| b.masked(ops, last, k.mask, k.window, full);
    if form.mask_first {
        last = mask(&mut b, &mut ops, last)?;
    }
    let s3 = b.tensor(None, f, full.0, full.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_SUB, f, None, last, Some(stats), None, s3)?);
    last = s3;
    if !form.mask_first {
        last = mask(&mut b, &mut ops, last)?;
    }
    let p = b.tensor(None, f, full.0, full.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_EXP, f, None, last, None, None, p)?);

    // dV = Pᵀ·dO, summed over each KV group.
    let grouped = vw.h != vw.hk;
    b.transposed_product(&mut ops, p, d_o, dv, (io, full_t, per_head), grouped, [seq_kv, None, seq_q])?;

    // dS = scale·P·(dO·Vᵀ − softmax_sum).
    let dp0 = b.tensor(None, f, full.0, full.1, true, false)?;
    ops.push(b.matmul_over(d_o, vt, dp0, [seq_q, seq_kv, None])?);
    let dp1 = b.tensor(None, f, full.0, full.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_MUL, f, None, dp0, Some(unit), None, dp1)?);
    let dp2 = b.tensor(None, f, full.0, full.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_SUB, f, None, dp1, Some(softmax_sum), None, dp2)?);
    let dp3 = b.tensor(None, f, full.0, full.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_MUL, f, None, dp2, Some(p), None, dp3)?);
    let ds = b.tensor(None, f, full.0, full.1, true, false)?;
    ops.push(b.pointwise(P::CUDNN_POINTWISE_MUL, f, None, dp3, Some(scale), None, ds)?);

    // dK = dSᵀ·Q, summed over each KV group.
    b.transposed_product(&mut ops, ds, q, dk, (io, full_t, per_head), grouped, [seq_kv, None, seq_q])?;

    // dQ = dS·K, through the f32 accumulator (token-major and ragged for documents), or
    // straight into dQ in the deterministic form.
    let kk = b.tensor_with(None, io, rows_kv, true, false, off_kv)?;
    ops.push(b.reshape(kt, kk)?);
    if form.direct_dq {
        ops.push(b.matmul_over(ds, kk, dq, [seq_q, None, seq_kv])?);
        return finish(handle, b, &ops, backward_pick()).map(|p| Planned { direct_dq: true, ..p });
    }
    let acc = match docs {
        Some(_) => b.accumulator(rows_q.0, rows_q.1, off_q, form.reorder)?,
        None => {
            let dq_head = vw.per_head();
            b.accumulator(dq_head.0, dq_head.1, None, form.reorder)?
        }
    };
    ops.push(b.matmul_over(ds, kk, acc, [seq_q, None, seq_kv])?);
    ops.push(b.pointwise(P::CUDNN_POINTWISE_IDENTITY, f, None, acc, None, None, dq)?);
    finish(handle, b, &ops, backward_pick())
}
