//! The GPU of one rank: library probes (cudarc loads every CUDA library at run time and panics
//! when one is missing, so we look first and report), the context, and plain device buffers.

use super::error::CudaError;
use cudarc::driver::{CudaContext, CudaStream, DriverError, result, sys};
use std::sync::Arc;

/// The libraries a run needs, probed before any cudarc call could panic on a missing one.
pub fn probe_libraries(nccl: bool) -> Result<(), CudaError> {
    // SAFETY: each probe only tries to dlopen the library's candidate names.
    let present = unsafe {
        [
            (
                "libcuda.so",
                "the NVIDIA driver",
                cudarc::driver::sys::is_culib_present(),
                "is this a GPU machine with an NVIDIA driver installed?",
            ),
            (
                "libnvrtc.so",
                "the CUDA run-time compiler",
                cudarc::nvrtc::sys::is_culib_present(),
                "install the CUDA toolkit or put its lib directory on LD_LIBRARY_PATH",
            ),
            (
                "libcublasLt.so",
                "cuBLASLt",
                cudarc::cublaslt::sys::is_culib_present(),
                "install the CUDA toolkit or put its lib directory on LD_LIBRARY_PATH",
            ),
            (
                "libnccl.so",
                "NCCL",
                !nccl || cudarc::nccl::sys::is_culib_present(),
                "install NCCL, or put a directory holding a libnccl.so link first on LD_LIBRARY_PATH",
            ),
        ]
    };
    for (library, what, ok, hint) in present {
        if !ok {
            return Err(CudaError::MissingLibrary {
                library,
                detail: format!("{what}; searched the loader path"),
                hint,
            });
        }
    }
    Ok(())
}

/// Opens device `ordinal` for `rank`, with cudarc's per-buffer event tracking disabled: the
/// executor orders its streams with its own events, and tracking would add syncs and events to
/// every launch.
pub fn open(rank: usize, ordinal: usize) -> Result<Arc<CudaContext>, CudaError> {
    let count = CudaContext::device_count().map_err(|e| CudaError::setup(rank, "CUDA driver", describe(e)))?;
    if count <= 0 {
        return Err(CudaError::setup(rank, "CUDA driver", "no CUDA device is visible (check CUDA_VISIBLE_DEVICES)"));
    }
    if ordinal >= count as usize {
        return Err(CudaError::setup(
            rank,
            format!("device {ordinal}"),
            format!("only {count} CUDA device(s) are visible; a run of N ranks per node needs N GPUs"),
        ));
    }
    let ctx =
        CudaContext::new(ordinal).map_err(|e| CudaError::setup(rank, format!("device {ordinal}"), describe(e)))?;
    // SAFETY: no buffer or stream exists yet; from here on the executor orders all streams with
    // explicit events and frees buffers only after synchronising.
    unsafe { ctx.disable_event_tracking() };
    Ok(ctx)
}

/// A driver error with its name and description.
pub fn describe(e: DriverError) -> String {
    let name = e.error_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|_| format!("{:?}", e.0));
    let text = e.error_string().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    format!("{name}: {text}")
}

/// Device memory from cuMemAlloc (not a stream-ordered pool, not managed memory), freed on drop.
/// Executors hand out raw addresses into these buffers and order all uses with events.
pub struct DeviceBuffer {
    ptr: sys::CUdeviceptr,
    bytes: usize,
    ctx: Arc<CudaContext>,
}

impl DeviceBuffer {
    pub fn alloc(ctx: &Arc<CudaContext>, bytes: usize) -> Result<Self, DriverError> {
        ctx.bind_to_thread()?;
        // Zero-sized regions still get a distinct, valid address: one aligned block.
        let ptr = unsafe { result::malloc_sync(bytes.max(256)) }?;
        Ok(Self { ptr, bytes, ctx: ctx.clone() })
    }

    pub fn ptr(&self) -> u64 {
        self.ptr
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl Drop for DeviceBuffer {
    fn drop(&mut self) {
        // Errors cannot be reported from drop; the context records them.
        self.ctx.record_err(self.ctx.bind_to_thread());
        self.ctx.record_err(unsafe { result::free_sync(self.ptr) });
    }
}

/// Pinned host memory that device copies reach (cuMemHostAlloc, mapped), freed on drop: where
/// offloaded activations wait for their backward.
pub struct HostBuffer {
    host: *mut std::ffi::c_void,
    ptr: sys::CUdeviceptr,
    ctx: Arc<CudaContext>,
}

impl HostBuffer {
    pub fn alloc(ctx: &Arc<CudaContext>, bytes: usize) -> Result<Self, DriverError> {
        ctx.bind_to_thread()?;
        let flags = sys::CU_MEMHOSTALLOC_PORTABLE | sys::CU_MEMHOSTALLOC_DEVICEMAP;
        let host = unsafe { result::malloc_host(bytes.max(256), flags) }?;
        let mut ptr = 0;
        if let Err(e) = unsafe { sys::cuMemHostGetDevicePointer_v2(&mut ptr, host, 0) }.result() {
            ctx.record_err(unsafe { result::free_host(host) });
            return Err(e);
        }
        Ok(Self { host, ptr, ctx: ctx.clone() })
    }

    /// The address copies use (the same as the host's under unified addressing).
    pub fn ptr(&self) -> u64 {
        self.ptr
    }
}

impl Drop for HostBuffer {
    fn drop(&mut self) {
        self.ctx.record_err(self.ctx.bind_to_thread());
        self.ctx.record_err(unsafe { result::free_host(self.host) });
    }
}

/// Copies `bytes` between any two addresses (device or pinned host memory: unified addressing
/// tells which) in stream order.
pub fn copy_async(stream: &CudaStream, dst: u64, src: u64, bytes: usize) -> Result<(), DriverError> {
    unsafe { sys::cuMemcpyAsync(dst, src, bytes, stream.cu_stream()) }.result()
}

/// Copies `bytes` to device address `dst` in stream order and waits, so the host buffer can go.
pub fn upload(stream: &CudaStream, dst: u64, bytes: &[u8]) -> Result<(), DriverError> {
    if bytes.is_empty() {
        return Ok(());
    }
    stream.context().bind_to_thread()?;
    unsafe { result::memcpy_htod_async(dst, bytes, stream.cu_stream()) }?;
    stream.synchronize()
}

/// Copies `out.len()` bytes from device address `src` after the stream's prior work.
pub fn download(stream: &CudaStream, src: u64, out: &mut [u8]) -> Result<(), DriverError> {
    if out.is_empty() {
        return Ok(());
    }
    stream.context().bind_to_thread()?;
    unsafe { result::memcpy_dtoh_async(out, src, stream.cu_stream()) }?;
    stream.synchronize()
}
