//! `seqc-run --calibrate OUT.json`: measures what the cost model needs on this machine: the
//! bf16 GEMM rate (cuBLASLt), the causal attention rate (cuDNN SDPA) at several sequence
//! lengths, memory bandwidth (a device-to-device copy, bytes read plus written), the cost of a
//! kernel launch, and, with two or more ranks, NCCL's all-gather, all-to-all and point-to-point
//! transfers at two sizes, fitted to the model's time = alpha + bytes moved / bus bandwidth.
//! `seqc calibrate` turns the file into a cost-model profile.
//!
//! Every figure is the median of several timed repetitions (CUDA events) after warm-ups, on
//! random (never zero) data. Collectives start after a barrier so no rank times its wait for
//! another.

use super::device::{self, DeviceBuffer, describe};
use super::error::CudaError;
use super::gemm::Gemm;
use super::kernels::Kernels;
use super::layout::DType;
use super::nccl::{Communicator, UniqueId};
use super::program::{Addr, AttentionCmd, GemmKey, Region};
use super::sdpa::Sdpa;
use cudarc::driver::{CudaContext, CudaStream, sys};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Fitted cost of one collective kind.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkFit {
    pub alpha_us: f64,
    pub bus_gbs: f64,
    /// The two measurements it was fitted to: (bytes moved per rank, microseconds).
    pub points: [(f64, f64); 2],
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Links {
    pub all_to_all: LinkFit,
    pub all_gather: LinkFit,
    pub send_recv: LinkFit,
}

/// Causal attention at one sequence length.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttentionPoint {
    pub keys: usize,
    pub tflops: f64,
    pub ms: f64,
}

/// What `--calibrate` writes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub gpu: String,
    /// Ranks (GPUs) the links were measured over; 1: no link figures.
    pub devices: usize,
    pub memory_gib: f64,
    pub gemm_tflops: f64,
    /// Rank 0's attention figures, shortest sequence first.
    pub attention: Vec<AttentionPoint>,
    pub memory_gbs: f64,
    pub kernel_launch_us: f64,
    pub links: Option<Links>,
    pub versions: String,
}

/// Fits alpha + moved / bw through two (bytes moved, seconds) points.
pub fn fit_link(small: (f64, f64), large: (f64, f64)) -> Option<(f64, f64)> {
    let (db, dt) = (large.0 - small.0, large.1 - small.1);
    if db <= 0.0 || dt <= 0.0 {
        return None;
    }
    let bw = db / dt;
    Some(((small.1 - small.0 / bw).max(0.0), bw))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() { 0.0 } else { v[v.len() / 2] }
}

/// Random bf16 bit patterns of values in [-1, 1).
fn random_bf16(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(2 * n);
    for _ in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let f = ((x >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0;
        out.extend_from_slice(&half::bf16::from_f32(f).to_le_bytes());
    }
    out
}

struct Timer {
    ctx: Arc<CudaContext>,
    stream: Arc<CudaStream>,
}

impl Timer {
    /// Median milliseconds of `reps` runs of `f` after `warm` untimed ones.
    fn time(&self, warm: usize, reps: usize, mut f: impl FnMut(&CudaStream) -> Result<(), String>) -> Result<f64, String> {
        let flags = Some(sys::CUevent_flags::CU_EVENT_DEFAULT);
        for _ in 0..warm {
            f(&self.stream)?;
        }
        let mut ms = Vec::with_capacity(reps);
        let (a, b) = (self.ctx.new_event(flags).map_err(describe)?, self.ctx.new_event(flags).map_err(describe)?);
        for _ in 0..reps {
            a.record(&self.stream).map_err(describe)?;
            f(&self.stream)?;
            b.record(&self.stream).map_err(describe)?;
            b.synchronize().map_err(describe)?;
            ms.push(a.elapsed_ms(&b).map_err(describe)? as f64);
        }
        Ok(median(ms))
    }
}

fn buffer(ctx: &Arc<CudaContext>, s: &CudaStream, bytes: usize, seed: u64) -> Result<DeviceBuffer, String> {
    let b = DeviceBuffer::alloc(ctx, bytes).map_err(describe)?;
    device::upload(s, b.ptr(), &random_bf16(bytes / 2, seed)).map_err(describe)?;
    Ok(b)
}

/// Sequence lengths of the attention measurement.
pub const ATTENTION_LENGTHS: [usize; 3] = [8192, 32768, 131072];

/// One rank's measurements; `comm` (all ranks) adds the link figures. Rank 0's are written.
pub fn measure(ctx: &Arc<CudaContext>, rank: usize, comm: Option<&Communicator>) -> Result<Calibration, CudaError> {
    let fail = |what: &'static str| move |m: String| CudaError::setup(rank, format!("calibrating {what}"), m);
    let stream = ctx.new_stream().map_err(|e| fail("streams")(describe(e)))?;
    let t = Timer { ctx: ctx.clone(), stream: stream.clone() };

    // GEMM: [8192 x 8192] · [8192 x 8192]ᵀ, bf16 in, fp32 accumulate.
    let n = 8192;
    let key = GemmKey::linear(DType::BF16, n, n, n, [256; 3]);
    let mut gemm = Gemm::new(ctx).map_err(fail("cuBLASLt"))?;
    gemm.prepare(&key).map_err(fail("cuBLASLt"))?;
    let (x, w, y) = (
        buffer(ctx, &stream, 2 * n * n, 1).map_err(fail("GEMM buffers"))?,
        buffer(ctx, &stream, 2 * n * n, 2).map_err(fail("GEMM buffers"))?,
        DeviceBuffer::alloc(ctx, 2 * n * n).map_err(|e| fail("GEMM buffers")(describe(e)))?,
    );
    // Warm the GPU up first (clocks and power settle): measured on 2 x H200, a cold first
    // measurement timed cuDNN attention 12% slower than the same graph a minute later.
    let warm_until = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while std::time::Instant::now() < warm_until {
        for _ in 0..20 {
            gemm.run(&stream, &key, y.ptr(), x.ptr(), w.ptr()).map_err(fail("GEMM"))?;
        }
        stream.synchronize().map_err(|e| fail("GEMM")(describe(e)))?;
    }
    let ms = t.time(3, 10, |s| gemm.run(s, &key, y.ptr(), x.ptr(), w.ptr())).map_err(fail("GEMM"))?;
    let gemm_tflops = 2.0 * (n as f64).powi(3) / (ms * 1e-3) / 1e12;
    drop((x, w, y));

    // Memory: a 1 GiB device-to-device copy moves 2 GiB.
    let bytes = 1usize << 30;
    let (a, b) = (
        DeviceBuffer::alloc(ctx, bytes).map_err(|e| fail("copy buffers")(describe(e)))?,
        DeviceBuffer::alloc(ctx, bytes).map_err(|e| fail("copy buffers")(describe(e)))?,
    );
    let ms = t
        .time(2, 10, |s| unsafe { cudarc::driver::result::memcpy_dtod_async(b.ptr(), a.ptr(), bytes, s.cu_stream()) }.map_err(describe))
        .map_err(fail("memory bandwidth"))?;
    let memory_gbs = 2.0 * bytes as f64 / (ms * 1e-3) / 1e9;
    drop((a, b));

    // Launch cost: back-to-back launches of a one-element kernel.
    let kernels = Kernels::load(ctx, rank)?;
    let tiny = DeviceBuffer::alloc(ctx, 256).map_err(|e| fail("launch buffers")(describe(e)))?;
    let launches = 2000;
    let ms = t
        .time(1, 5, |s| {
            for _ in 0..launches {
                kernels.convert(s, tiny.ptr(), DType::F32, tiny.ptr() + 128, DType::F32, 1).map_err(describe)?;
            }
            Ok(())
        })
        .map_err(fail("kernel launches"))?;
    let kernel_launch_us = ms * 1e3 / launches as f64;

    // Attention: causal, Llama-3-8B heads (32 query, 8 key/value, head dim 128), bf16.
    let mut attention = Vec::new();
    if let Some(mut sdpa) = Sdpa::open().map_err(fail("cuDNN"))? {
        let (h, hk, d) = (32, 8, 128);
        for &sq in &ATTENTION_LENGTHS {
            let at = |off| Addr { region: Region::Arena, off };
            let cmd = AttentionCmd {
                q: (at(0), DType::BF16),
                k: (at(1), DType::BF16),
                v: (at(2), DType::BF16),
                q_index: None,
                k_index: None,
                q_segment: None,
                k_segment: None,
                out: (at(3), DType::BF16),
                lse: None,
                sq,
                sk: sq,
                heads: h,
                kv_heads: hk,
                head_dim: d,
                scale: 1.0 / (d as f32).sqrt(),
                causal: true,
                window: 0,
                softcap: 0.0,
                static_index: false,
                save: None,
            };
            // The path the runtime takes: long shapes run as query chunks (sdpa::Cut).
            if !sdpa.prepare_attention(ctx, &cmd).map_err(fail("cuDNN"))? {
                continue;
            }
            let ws_bytes = sdpa.needed_workspace();
            let ws = DeviceBuffer::alloc(ctx, ws_bytes.max(256)).map_err(|e| fail("attention buffers")(describe(e)))?;
            sdpa.set_workspace(ws.ptr(), ws_bytes);
            let bufs = [h, hk, hk, h]
                .iter()
                .enumerate()
                .map(|(i, &heads)| buffer(ctx, &stream, 2 * sq * heads * d, 10 + i as u64))
                .collect::<Result<Vec<_>, _>>()
                .map_err(fail("attention buffers"))?;
            let p = |a: Addr| bufs[a.off].ptr();
            let reps = if sq >= 131072 { 3 } else { 8 };
            let ms = t
                .time(1, reps, |s| {
                    if sdpa.run(ctx, s, &kernels, &cmd, p, None)? {
                        Ok(())
                    } else {
                        Err("cuDNN did not take the attention shape".into())
                    }
                })
                .map_err(fail("attention"))?;
            // Causal: half the score matrix (the cost model's convention).
            let flops = 2.0 * (sq as f64).powi(2) * (h * d) as f64;
            attention.push(AttentionPoint { keys: sq, tflops: flops / (ms * 1e-3) / 1e12, ms });
        }
    }

    let links = match comm {
        Some(c) if c.size > 1 => Some(measure_links(ctx, &t, c).map_err(fail("NCCL"))?),
        _ => None,
    };
    let (_, total) = cudarc::driver::result::mem_get_info().map_err(|e| fail("memory")(describe(e)))?;
    Ok(Calibration {
        gpu: ctx.name().unwrap_or_else(|_| "unknown GPU".into()),
        devices: comm.map_or(1, |c| c.size),
        memory_gib: total as f64 / (1u64 << 30) as f64,
        gemm_tflops,
        attention,
        memory_gbs,
        kernel_launch_us,
        links,
        versions: format!(
            "cuDNN {}, NCCL {}",
            if unsafe { cudarc::cudnn::sys::is_culib_present() } { Sdpa::version().to_string() } else { "absent".into() },
            super::nccl::version().map_or("absent".into(), |v| v.to_string())
        ),
    })
}

/// All-gather, all-to-all and a ring shift at 16 MiB and 256 MiB per rank.
fn measure_links(ctx: &Arc<CudaContext>, t: &Timer, c: &Communicator) -> Result<Links, String> {
    let g = c.size;
    let (me, next, prev) = (c.rank, (c.rank + 1) % g, (c.rank + g - 1) % g);
    let big = 256usize << 20;
    let send = buffer(ctx, &t.stream, big, 20 + me as u64)?;
    let recv = DeviceBuffer::alloc(ctx, big * g).map_err(describe)?;
    let barrier = DeviceBuffer::alloc(ctx, 4 * (g + 1)).map_err(describe)?;
    let sync = |s: &CudaStream| -> Result<(), String> {
        c.all_gather(s, barrier.ptr(), barrier.ptr() + 4, 4)?;
        s.synchronize().map_err(describe)
    };
    let gf = g as f64;
    let fit = |kind: &str| -> Result<LinkFit, String> {
        let mut pts = [(0.0, 0.0); 2];
        for (i, bytes) in [16usize << 20, big].into_iter().enumerate() {
            sync(&t.stream)?;
            let ms = t.time(2, 7, |s| match kind {
                "all_gather" => c.all_gather(s, send.ptr(), recv.ptr(), bytes),
                "all_to_all" => {
                    let part = bytes / g;
                    let sends: Vec<_> = (0..g).map(|p| (send.ptr() + (p * part) as u64, part, p)).collect();
                    let recvs: Vec<_> = (0..g).map(|p| (recv.ptr() + (p * part) as u64, part, p)).collect();
                    c.send_recv(s, &sends, &recvs)
                }
                _ => c.send_recv(s, &[(send.ptr(), bytes, next)], &[(recv.ptr(), bytes, prev)]),
            })?;
            // Bytes moved per rank, as the cost model counts them.
            let moved = match kind {
                "all_gather" => bytes as f64 * (gf - 1.0),
                "all_to_all" => bytes as f64 * (gf - 1.0) / gf,
                _ => bytes as f64,
            };
            pts[i] = (moved, ms * 1e-3);
        }
        let (alpha, bw) = fit_link(pts[0], pts[1]).ok_or_else(|| format!("{kind}: the larger transfer was not slower"))?;
        Ok(LinkFit { alpha_us: alpha * 1e6, bus_gbs: bw / 1e9, points: [(pts[0].0, pts[0].1 * 1e6), (pts[1].0, pts[1].1 * 1e6)] })
    };
    Ok(Links { all_gather: fit("all_gather")?, all_to_all: fit("all_to_all")?, send_recv: fit("send_recv")? })
}

/// The communicator of a calibration run over `world` ranks.
pub fn communicator(rank: usize, world: usize, id: &UniqueId) -> Result<Communicator, CudaError> {
    Communicator::init(rank, world, id).map_err(|m| CudaError::setup(rank, "NCCL communicator for calibration", m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_fit_recovers_alpha_and_bandwidth() {
        // 20 us + bytes / 250 GB/s.
        let t = |b: f64| 20e-6 + b / 250e9;
        let (a, bw) = fit_link((16e6, t(16e6)), (256e6, t(256e6))).expect("fits");
        assert!((a - 20e-6).abs() < 1e-9 && (bw - 250e9).abs() / 250e9 < 1e-9, "{a} {bw}");
        assert_eq!(fit_link((1e6, 2.0), (2e6, 1.0)), None, "a faster large transfer is no fit");
    }

    #[test]
    fn random_data_is_never_all_zero() {
        let b = random_bf16(1024, 7);
        assert_eq!(b.len(), 2048);
        assert!(b.chunks(2).filter(|c| c != &[0, 0]).count() > 1000);
    }
}
