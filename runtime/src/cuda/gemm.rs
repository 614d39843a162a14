//! `linear` and `logits` through cuBLASLt's result layer: descriptors, layouts and the chosen
//! algorithm are built once per shape (GemmKey) at setup and reused by every run. (cudarc's safe
//! `matmul` re-creates them and re-runs the heuristic on every call.)
//!
//! Row-major `y[rows, out] = x[rows, inp] · w[out, inp]ᵀ` is the column-major product
//! `yᵀ[out, rows] = op(W)[out, inp] · xᵀ[inp, rows]` where W is w read column-major
//! (`[inp, out]`, ld = inp) and transposed. The backward's forms (`GemmForm`) only change which
//! operand is read transposed: a row-major `[a, b]` matrix is a column-major `[b, a]` one.
//! bf16 and f16 accumulate in fp32 (and may write f32: weight gradients); f32 plans use plain
//! fp32 compute (not TF32) so they meet the f32 accuracy bar.

use super::device::DeviceBuffer;
use super::layout::DType;
use super::program::{GemmForm, GemmKey};
use cudarc::cublaslt::{result, sys};
use cudarc::driver::{CudaContext, CudaStream};
use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::Arc;

/// cuBLASLt's recommended workspace on Hopper.
const WORKSPACE: usize = 32 << 20;

struct Prepared {
    desc: sys::cublasLtMatmulDesc_t,
    layouts: [sys::cublasLtMatrixLayout_t; 3],
    algo: sys::cublasLtMatmulAlgo_t,
}

pub struct Gemm {
    handle: sys::cublasLtHandle_t,
    workspace: DeviceBuffer,
    prepared: HashMap<GemmKey, Prepared>,
}

fn err(what: &str, e: result::CublasError) -> String {
    format!("{what}: {:?}", e.0)
}

fn matrix_type(dt: DType) -> Result<sys::cudaDataType, String> {
    Ok(match dt {
        DType::F32 => sys::cudaDataType_t::CUDA_R_32F,
        DType::BF16 => sys::cudaDataType_t::CUDA_R_16BF,
        DType::F16 => sys::cudaDataType_t::CUDA_R_16F,
        other => return Err(format!("GEMM on {} is not supported", other.name())),
    })
}

impl Gemm {
    pub fn new(ctx: &Arc<CudaContext>) -> Result<Self, String> {
        ctx.bind_to_thread().map_err(super::device::describe)?;
        let handle = result::create_handle().map_err(|e| err("cublasLtCreate", e))?;
        let workspace = match DeviceBuffer::alloc(ctx, WORKSPACE) {
            Ok(w) => w,
            Err(e) => {
                let _ = unsafe { result::destroy_handle(handle) };
                return Err(format!("cuBLASLt workspace of {WORKSPACE} bytes: {}", super::device::describe(e)));
            }
        };
        Ok(Self { handle, workspace, prepared: HashMap::new() })
    }

    pub fn workspace_bytes(&self) -> usize {
        self.workspace.bytes()
    }

    /// Builds the descriptors for `key` and asks the heuristic for one algorithm.
    pub fn prepare(&mut self, key: &GemmKey) -> Result<(), String> {
        if self.prepared.contains_key(key) {
            return Ok(());
        }
        let (ty, yty) = (matrix_type(key.dtype)?, matrix_type(key.ydt)?);
        let (m, n, k) = (key.out as u64, key.rows as u64, key.inp as u64);
        let desc =
            result::create_matmul_desc(sys::cublasComputeType_t::CUBLAS_COMPUTE_32F, sys::cudaDataType_t::CUDA_R_32F)
                .map_err(|e| err("cublasLtMatmulDescCreate", e))?;
        // Owned from here: dropped on any failure below.
        let mut prepared =
            Prepared { desc, layouts: [std::ptr::null_mut(); 3], algo: sys::cublasLtMatmulAlgo_t { data: [0; 8] } };
        // A is w, B is x (column-major). Stored shapes (rows, cols, ld) before the op:
        let (ta, tb, a_layout, b_layout) = match key.form {
            // w row-major [out, inp] is column-major [inp, out]: transposed to [out, inp].
            GemmForm::Nt => (1, 0, (k, m, k as i64), (k, n, k as i64)),
            // w row-major [inp, out] is column-major [out, inp] already.
            GemmForm::Nn => (0, 0, (m, k, m as i64), (k, n, k as i64)),
            // x row-major [inp, rows] is column-major [rows, inp]: transposed to [inp, rows].
            GemmForm::Tn => (0, 1, (m, k, m as i64), (n, k, n as i64)),
        };
        for (attr, value) in [
            (sys::cublasLtMatmulDescAttributes_t::CUBLASLT_MATMUL_DESC_TRANSA, ta),
            (sys::cublasLtMatmulDescAttributes_t::CUBLASLT_MATMUL_DESC_TRANSB, tb),
        ] {
            let value: i32 = value; // CUBLAS_OP_N = 0, CUBLAS_OP_T = 1
            unsafe {
                result::set_matmul_desc_attribute(
                    desc,
                    attr,
                    (&value) as *const i32 as *const c_void,
                    std::mem::size_of::<i32>(),
                )
            }
            .map_err(|e| err("TRANSA/TRANSB", e))
            .inspect_err(|_| destroy(&prepared))?;
        }
        // D: y as [out, rows] column-major.
        for (i, (t, (rows, cols, ld))) in [(ty, a_layout), (ty, b_layout), (yty, (m, n, m as i64))].into_iter().enumerate() {
            prepared.layouts[i] = result::create_matrix_layout(t, rows, cols, ld)
                .map_err(|e| err("cublasLtMatrixLayoutCreate", e))
                .inspect_err(|_| destroy(&prepared))?;
        }
        let pref = result::create_matmul_pref()
            .map_err(|e| err("cublasLtMatmulPreferenceCreate", e))
            .inspect_err(|_| destroy(&prepared))?;
        // Attribute values are passed as bytes: u64 for the workspace size, u32 for alignments.
        let set_pref = |attr: sys::cublasLtMatmulPreferenceAttributes_t, value: &[u8]| unsafe {
            result::set_matmul_pref_attribute(pref, attr, value.as_ptr() as *const c_void, value.len())
        };
        use sys::cublasLtMatmulPreferenceAttributes_t as P;
        let [ax, aw, ay] = key.align;
        let outcome = set_pref(P::CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &(WORKSPACE as u64).to_ne_bytes())
            // The algorithm may assume these alignments of w (A), x (B) and y (C, D).
            .and_then(|()| set_pref(P::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &aw.to_ne_bytes()))
            .and_then(|()| set_pref(P::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, &ax.to_ne_bytes()))
            .and_then(|()| set_pref(P::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, &ay.to_ne_bytes()))
            .and_then(|()| set_pref(P::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, &ay.to_ne_bytes()))
            .map_err(|e| err("cublasLtMatmulPreferenceSetAttribute", e))
            .and_then(|()| {
                let [a, b, d] = prepared.layouts;
                unsafe { result::get_matmul_algo_heuristic(self.handle, desc, a, b, d, d, pref) }
                    .map_err(|e| err("no cuBLASLt algorithm for this shape (cublasLtMatmulAlgoGetHeuristic)", e))
            });
        let _ = unsafe { result::destroy_matmul_pref(pref) };
        match outcome {
            Ok(heuristic) => {
                prepared.algo = heuristic.algo;
                self.prepared.insert(*key, prepared);
                Ok(())
            }
            Err(e) => {
                destroy(&prepared);
                Err(e)
            }
        }
    }

    /// Enqueues `y = x · wᵀ` (`y += x · wᵀ` where `key.accumulate`) for a prepared key on
    /// `stream`.
    pub fn run(&self, stream: &CudaStream, key: &GemmKey, y: u64, x: u64, w: u64) -> Result<(), String> {
        self.run_c(stream, key, y, y, x, w)
    }

    /// Enqueues `y = c + x · wᵀ` where `key.accumulate` (c may be y), else `y = x · wᵀ`.
    pub fn run_c(&self, stream: &CudaStream, key: &GemmKey, y: u64, c: u64, x: u64, w: u64) -> Result<(), String> {
        if key.rows == 0 || key.out == 0 {
            return Ok(());
        }
        if key.inp == 0 {
            // An empty sum: cuBLASLt rejects k = 0, the result is zeros (plus c).
            let bytes = key.rows * key.out * key.ydt.size();
            return match (key.accumulate, c == y) {
                (true, true) => Ok(()),
                (true, false) => unsafe { cudarc::driver::result::memcpy_dtod_async(y, c, bytes, stream.cu_stream()) },
                (false, _) => unsafe { cudarc::driver::result::memset_d8_async(y, 0, bytes, stream.cu_stream()) },
            }
            .map_err(super::device::describe);
        }
        let p = self.prepared.get(key).ok_or("internal: GEMM shape was not prepared")?;
        let (alpha, beta) = (1.0f32, if key.accumulate { 1.0f32 } else { 0.0 });
        let [a, b, d] = p.layouts;
        unsafe {
            result::matmul(
                self.handle,
                p.desc,
                (&alpha) as *const f32 as *const c_void,
                (&beta) as *const f32 as *const c_void,
                w as *const c_void,
                a,
                x as *const c_void,
                b,
                c as *const c_void,
                d,
                y as *mut c_void,
                d,
                &p.algo,
                self.workspace.ptr() as *mut c_void,
                self.workspace.bytes(),
                stream.cu_stream() as sys::cudaStream_t,
            )
        }
        .map_err(|e| err("cublasLtMatmul", e))
    }
}

fn destroy(p: &Prepared) {
    // Failures here would only leak a descriptor.
    unsafe {
        for &l in &p.layouts {
            if !l.is_null() {
                let _ = result::destroy_matrix_layout(l);
            }
        }
        let _ = result::destroy_matmul_desc(p.desc);
    }
}

impl Drop for Gemm {
    fn drop(&mut self) {
        for p in self.prepared.values() {
            destroy(p);
        }
        let _ = unsafe { result::destroy_handle(self.handle) };
    }
}
