//! NCCL communicators through the raw API. cudarc's safe `Comm` ties each communicator to one
//! stream, hides its handle, has no all-to-all and panics when an abort fails on drop; here a
//! communicator is a plain handle, every call names its stream, all-to-all is grouped
//! send/recv, and errors carry NCCL's own last-error text.

use super::layout::DType;
use crate::cpu::Reduction;
use cudarc::driver::CudaStream;
use cudarc::nccl::sys;
use std::ffi::{CStr, c_char};

pub type UniqueId = [c_char; 128];

/// A fresh NCCL unique id (rank 0 creates one per communicator and shares it).
pub fn unique_id() -> Result<UniqueId, String> {
    let mut id = sys::ncclUniqueId { internal: [0; 128] };
    let r = unsafe { sys::ncclGetUniqueId(&mut id) };
    if r != sys::ncclResult_t::ncclSuccess {
        return Err(format!("ncclGetUniqueId: {}", error_text(r)));
    }
    Ok(id.internal)
}

pub fn version() -> Option<i32> {
    let mut v = 0;
    (unsafe { sys::ncclGetVersion(&mut v) } == sys::ncclResult_t::ncclSuccess).then_some(v)
}

fn error_text(r: sys::ncclResult_t) -> String {
    let s = unsafe { sys::ncclGetErrorString(r) };
    if s.is_null() { format!("{r:?}") } else { format!("{r:?} ({})", unsafe { CStr::from_ptr(s) }.to_string_lossy()) }
}

fn nccl_type(dt: DType) -> Result<sys::ncclDataType_t, String> {
    use sys::ncclDataType_t as T;
    Ok(match dt {
        DType::F32 => T::ncclFloat32,
        DType::BF16 => T::ncclBfloat16,
        DType::F16 => T::ncclFloat16,
        DType::F64 => T::ncclFloat64,
        DType::I32 => T::ncclInt32,
        DType::I64 => T::ncclInt64,
        DType::I1 => T::ncclUint8,
        DType::Token => return Err("tokens cannot be reduced".into()),
    })
}

fn nccl_op(op: Reduction) -> sys::ncclRedOp_t {
    match op {
        Reduction::Sum => sys::ncclRedOp_t::ncclSum,
        Reduction::Max => sys::ncclRedOp_t::ncclMax,
    }
}

/// One rank's handle on one communicator. Aborted on drop (aborting never waits for peers, so
/// an error exit cannot hang on a dead rank).
pub struct Communicator {
    raw: sys::ncclComm_t,
    pub rank: usize,
    pub size: usize,
}

impl Communicator {
    /// Joins the communicator `id` as `rank` of `size` on the calling thread's current device.
    /// Blocks until every member has joined.
    pub fn init(rank: usize, size: usize, id: &UniqueId) -> Result<Self, String> {
        let mut raw: sys::ncclComm_t = std::ptr::null_mut();
        let r =
            unsafe { sys::ncclCommInitRank(&mut raw, size as i32, sys::ncclUniqueId { internal: *id }, rank as i32) };
        if r != sys::ncclResult_t::ncclSuccess {
            return Err(format!("ncclCommInitRank (rank {rank} of {size}): {}", error_text(r)));
        }
        Ok(Self { raw, rank, size })
    }

    fn check(&self, what: &str, r: sys::ncclResult_t) -> Result<(), String> {
        if r == sys::ncclResult_t::ncclSuccess || r == sys::ncclResult_t::ncclInProgress {
            return Ok(());
        }
        let last = unsafe { sys::ncclGetLastError(self.raw) };
        let detail =
            if last.is_null() { String::new() } else { unsafe { CStr::from_ptr(last) }.to_string_lossy().into_owned() };
        Err(format!(
            "{what}: {}{}",
            error_text(r),
            if detail.is_empty() { String::new() } else { format!(": {detail}") }
        ))
    }

    /// An error NCCL detected in the background (a peer that disappeared, a network failure).
    pub fn async_error(&self) -> Result<(), String> {
        let mut state = sys::ncclResult_t::ncclSuccess;
        let r = unsafe { sys::ncclCommGetAsyncError(self.raw, &mut state) };
        self.check("ncclCommGetAsyncError", r)?;
        self.check("communicator failed", state)
    }

    fn stream(s: &CudaStream) -> sys::cudaStream_t {
        s.cu_stream() as sys::cudaStream_t
    }

    /// Every member receives all members' `bytes`, in rank order.
    pub fn all_gather(&self, s: &CudaStream, send: u64, recv: u64, bytes: usize) -> Result<(), String> {
        let r = unsafe {
            sys::ncclAllGather(
                send as *const _,
                recv as *mut _,
                bytes,
                sys::ncclDataType_t::ncclInt8,
                self.raw,
                Self::stream(s),
            )
        };
        self.check("ncclAllGather", r)
    }

    pub fn all_reduce(
        &self,
        s: &CudaStream,
        send: u64,
        recv: u64,
        count: usize,
        dt: DType,
        op: Reduction,
    ) -> Result<(), String> {
        let r = unsafe {
            sys::ncclAllReduce(
                send as *const _,
                recv as *mut _,
                count,
                nccl_type(dt)?,
                nccl_op(op),
                self.raw,
                Self::stream(s),
            )
        };
        self.check("ncclAllReduce", r)
    }

    /// `count` is the number of elements each member receives.
    pub fn reduce_scatter(
        &self,
        s: &CudaStream,
        send: u64,
        recv: u64,
        count: usize,
        dt: DType,
        op: Reduction,
    ) -> Result<(), String> {
        let r = unsafe {
            sys::ncclReduceScatter(
                send as *const _,
                recv as *mut _,
                count,
                nccl_type(dt)?,
                nccl_op(op),
                self.raw,
                Self::stream(s),
            )
        };
        self.check("ncclReduceScatter", r)
    }

    /// In-place all-gathers of (buffer, bytes per rank) as one NCCL group: each rank's part
    /// already sits at `buffer + rank · bytes`, and NCCL launches them together (the optimizer's
    /// gather of every weight after a ZeRO update).
    pub fn all_gather_in_place(&self, s: &CudaStream, parts: &[(u64, usize)]) -> Result<(), String> {
        if parts.is_empty() {
            return Ok(());
        }
        self.grouped(|| {
            let mut outcome = Ok(());
            for &(buf, bytes) in parts {
                outcome = outcome.and(self.all_gather(s, buf + (self.rank * bytes) as u64, buf, bytes));
            }
            outcome
        })
    }

    /// Runs `calls` (this communicator's NCCL calls) as one group, closed even after a failed
    /// call.
    fn grouped(&self, calls: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
        self.check("ncclGroupStart", unsafe { sys::ncclGroupStart() })?;
        let outcome = calls();
        let end = self.check("ncclGroupEnd", unsafe { sys::ncclGroupEnd() });
        outcome.and(end)
    }

    /// Grouped sends and receives of (address, bytes, peer): collective_permute and all-to-all.
    /// Sends to and receives from this rank itself are allowed (NCCL copies locally).
    pub fn send_recv(
        &self,
        s: &CudaStream,
        sends: &[(u64, usize, usize)],
        recvs: &[(u64, usize, usize)],
    ) -> Result<(), String> {
        self.grouped(|| {
            let mut outcome = Ok(());
            for &(ptr, bytes, peer) in sends {
                let r = unsafe {
                    sys::ncclSend(
                        ptr as *const _,
                        bytes,
                        sys::ncclDataType_t::ncclInt8,
                        peer as i32,
                        self.raw,
                        Self::stream(s),
                    )
                };
                outcome = outcome.and(self.check(&format!("ncclSend to group rank {peer}"), r));
            }
            for &(ptr, bytes, peer) in recvs {
                let r = unsafe {
                    sys::ncclRecv(
                        ptr as *mut _,
                        bytes,
                        sys::ncclDataType_t::ncclInt8,
                        peer as i32,
                        self.raw,
                        Self::stream(s),
                    )
                };
                outcome = outcome.and(self.check(&format!("ncclRecv from group rank {peer}"), r));
            }
            outcome
        })
    }
}

impl Drop for Communicator {
    fn drop(&mut self) {
        if !self.raw.is_null() {
            // Nothing to report from drop; abort frees the communicator without waiting.
            let _ = unsafe { sys::ncclCommAbort(self.raw) };
        }
    }
}
