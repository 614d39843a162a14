//! NVRTC compilation of kernels.cu (once per process, CUBIN for the device's own architecture,
//! cached on disk by source hash) and typed launch wrappers.

use super::device::describe;
use super::error::CudaError;
use super::layout::{Copy2d, DType, fnv1a};
use cudarc::driver::{CudaContext, CudaFunction, CudaModule, CudaStream, DriverError, LaunchConfig, PushKernelArg};
use cudarc::nvrtc::{Ptx, result as nvrtc, sys as nvrtc_sys};
use std::ffi::{CStr, CString};
use std::path::PathBuf;
use std::sync::Arc;

pub const SOURCE: &str = include_str!("kernels.cu");

/// Threads per block of the elementwise kernels, and the cap on their (grid-stride) grids.
const THREADS: u32 = 256;
const MAX_BLOCKS: usize = 1 << 16;
/// kernels.cu's ROW_VECS: 16-byte loads per thread of a row held in registers.
const ROW_VECS: usize = 4;

/// Attention tiling, as in kernels.cu.
const ATT_BK: usize = 32;
const ATT_ROWS: usize = 16;
const ATT_THREADS: u32 = 128;

/// What `sdpa_merge` does with its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeMode {
    /// Clear them (out 0, lse −inf); `ob` and `sb` are not read.
    Reset = 0,
    /// Write the block's result: it is the rows' only block.
    Assign = 1,
    /// Fold the block into what the rows hold (online softmax).
    Fold = 2,
    /// Write only the rows' lse (the block's output is already in place); `out`, `ob` unused.
    Stats = 3,
}

pub struct Kernels {
    _module: Arc<CudaModule>,
    copy2d: CudaFunction,
    gather_rows: CudaFunction,
    add_rows: CudaFunction,
    stats_rows: CudaFunction,
    doc_table: CudaFunction,
    doc_rects: CudaFunction,
    softcap: CudaFunction,
    embedding: CudaFunction,
    rms_norm: CudaFunction,
    rms_norm_v: CudaFunction,
    layer_norm: CudaFunction,
    rope: CudaFunction,
    rope_v: CudaFunction,
    unary: CudaFunction,
    binary: CudaFunction,
    convert: CudaFunction,
    add_bias: CudaFunction,
    lse_merge: CudaFunction,
    sdpa_merge: CudaFunction,
    attention: CudaFunction,
    swiglu_grad: CudaFunction,
    label_count: CudaFunction,
    col_partial: CudaFunction,
    col_sum: CudaFunction,
    norm_grad: CudaFunction,
    norm_grad_v: CudaFunction,
    norm_wgrad: CudaFunction,
    norm_wgrad_v: CudaFunction,
    embedding_grad: CudaFunction,
    ce_rows: CudaFunction,
    ce_sum: CudaFunction,
    attention_delta: CudaFunction,
    attention_bwd: CudaFunction,
    sq_sum: CudaFunction,
    adamw: CudaFunction,
    /// How the module was obtained, for the log: "compiled", or "cached" with the file.
    pub origin: String,
}

fn nvrtc_version() -> Result<(i32, i32), String> {
    let (mut major, mut minor) = (0, 0);
    unsafe { nvrtc_sys::nvrtcVersion(&mut major, &mut minor) }.result().map_err(|e| format!("nvrtcVersion: {e:?}"))?;
    Ok((major, minor))
}

/// Where compiled kernels are cached: $SEQC_KERNEL_CACHE, else the user's cache directory.
fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SEQC_KERNEL_CACHE") {
        return (!dir.is_empty()).then(|| PathBuf::from(dir));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("seqc").join("kernels"))
}

/// NVRTC options for a CUBIN of `arch` (e.g. "sm_90").
fn options(arch: &str) -> Vec<String> {
    vec![format!("--gpu-architecture={arch}"), "--std=c++17".to_string()]
}

/// Compiles the kernels to CUBIN for `arch` with the machine's NVRTC (no GPU needed): what
/// `Kernels::load` does when its cache misses. Tests use it where NVRTC is installed.
pub fn compile_for(arch: &str) -> Result<Vec<u8>, CudaError> {
    compile(&options(arch))
}

/// Compiles SOURCE with `options` with the machine's NVRTC.
fn compile(options: &[String]) -> Result<Vec<u8>, CudaError> {
    let src = CString::new(SOURCE).map_err(|e| CudaError::Compile(format!("kernel source: {e}")))?;
    let prog = nvrtc::create_program(&src, Some(c"seqc_kernels.cu"))
        .map_err(|e| CudaError::Compile(format!("nvrtcCreateProgram: {e:?}")))?;
    let compiled = unsafe { nvrtc::compile_program(prog, options) };
    let result = match compiled {
        Err(e) => {
            let log = unsafe { nvrtc::get_program_log(prog) }
                .map(|raw| unsafe { CStr::from_ptr(raw.as_ptr()) }.to_string_lossy().into_owned())
                .unwrap_or_default();
            Err(CudaError::Compile(format!("{e:?} with options {options:?}:\n{log}")))
        }
        Ok(()) => {
            let mut size = 0usize;
            unsafe { nvrtc_sys::nvrtcGetCUBINSize(prog, &mut size) }
                .result()
                .map_err(|e| CudaError::Compile(format!("nvrtcGetCUBINSize: {e:?}")))
                .and_then(|()| {
                    let mut cubin = vec![0u8; size];
                    unsafe { nvrtc_sys::nvrtcGetCUBIN(prog, cubin.as_mut_ptr().cast()) }
                        .result()
                        .map_err(|e| CudaError::Compile(format!("nvrtcGetCUBIN: {e:?}")))?;
                    Ok(cubin)
                })
        }
    };
    // A failed destroy leaks one program; nothing to do about it.
    let _ = unsafe { nvrtc::destroy_program(prog) };
    result
}

impl Kernels {
    pub fn load(ctx: &Arc<CudaContext>, rank: usize) -> Result<Self, CudaError> {
        let (major, minor) =
            ctx.compute_capability().map_err(|e| CudaError::setup(rank, "compute capability", describe(e)))?;
        let arch = format!("sm_{major}{minor}");
        let (nv_major, nv_minor) = nvrtc_version().map_err(CudaError::Compile)?;
        let options = options(&arch);
        let key = fnv1a(format!("{SOURCE}\u{0}{options:?}\u{0}{nv_major}.{nv_minor}").as_bytes());
        let file = cache_dir().map(|d| d.join(format!("seqc-{key:016x}-{arch}.cubin")));
        let cached = file.as_ref().and_then(|f| std::fs::read(f).ok()).filter(|b| !b.is_empty());
        let (cubin, origin) = match cached {
            Some(bytes) => {
                (bytes, format!("cached {}", file.as_ref().map(|f| f.display().to_string()).unwrap_or_default()))
            }
            None => {
                let bytes = compile(&options)?;
                // Best effort: write to a private name, then rename, so concurrent ranks never
                // read a half-written file.
                if let Some(f) = &file
                    && let Some(dir) = f.parent()
                    && std::fs::create_dir_all(dir).is_ok()
                {
                    let tmp = f.with_extension(format!("tmp{}", std::process::id()));
                    if std::fs::write(&tmp, &bytes).is_ok() {
                        let _ = std::fs::rename(&tmp, f);
                    }
                }
                (bytes, format!("compiled with NVRTC {nv_major}.{nv_minor} for {arch}"))
            }
        };
        let module = ctx
            .load_module(Ptx::from_binary(cubin))
            .map_err(|e| CudaError::setup(rank, "loading the kernel module", describe(e)))?;
        let f = |name: &str| {
            module.load_function(name).map_err(|e| CudaError::setup(rank, format!("kernel {name}"), describe(e)))
        };
        let kernels = Self {
            copy2d: f("k_copy2d")?,
            gather_rows: f("k_gather_rows")?,
            add_rows: f("k_add_rows")?,
            stats_rows: f("k_stats_rows")?,
            doc_table: f("k_doc_table")?,
            doc_rects: f("k_doc_rects")?,
            softcap: f("k_softcap")?,
            embedding: f("k_embedding")?,
            rms_norm: f("k_rms_norm")?,
            rms_norm_v: f("k_rms_norm_v")?,
            layer_norm: f("k_layer_norm")?,
            rope: f("k_rope")?,
            rope_v: f("k_rope_v")?,
            unary: f("k_unary")?,
            binary: f("k_binary")?,
            convert: f("k_convert")?,
            add_bias: f("k_add_bias")?,
            lse_merge: f("k_lse_merge")?,
            sdpa_merge: f("k_sdpa_merge")?,
            attention: f("k_attention")?,
            swiglu_grad: f("k_swiglu_grad")?,
            label_count: f("k_label_count")?,
            col_partial: f("k_col_partial")?,
            col_sum: f("k_col_sum")?,
            norm_grad: f("k_norm_grad")?,
            norm_grad_v: f("k_norm_grad_v")?,
            norm_wgrad: f("k_norm_wgrad")?,
            norm_wgrad_v: f("k_norm_wgrad_v")?,
            embedding_grad: f("k_embedding_grad")?,
            ce_rows: f("k_ce_rows")?,
            ce_sum: f("k_ce_sum")?,
            attention_delta: f("k_attention_delta")?,
            attention_bwd: f("k_attention_bwd")?,
            sq_sum: f("k_sq_sum")?,
            adamw: f("k_adamw")?,
            _module: module.clone(),
            origin,
        };
        // Head dims above 128 need more than the default 48 KiB of dynamic shared memory.
        for (f, most) in [(&kernels.attention, attention_smem(256)), (&kernels.attention_bwd, attention_bwd_smem(256))] {
            unsafe {
                cudarc::driver::result::function::set_function_attribute(
                    f.cu_function(),
                    cudarc::driver::sys::CUfunction_attribute::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                    most as i32,
                )
            }
            .map_err(|e| CudaError::setup(rank, "attention kernel shared memory", describe(e)))?;
        }
        Ok(kernels)
    }
}

fn grid(n: usize) -> LaunchConfig {
    let blocks = n.div_ceil(THREADS as usize).clamp(1, MAX_BLOCKS) as u32;
    LaunchConfig { grid_dim: (blocks, 1, 1), block_dim: (THREADS, 1, 1), shared_mem_bytes: 0 }
}

/// Dynamic shared memory of the attention kernel for `d`: K tile (padded), V tile, query rows.
pub fn attention_smem(d: usize) -> usize {
    (ATT_BK * (d + 1) + ATT_BK * d + ATT_ROWS * d) * 4
}

/// Dynamic shared memory of the attention backward: K and V tiles (padded), dK and dV tiles,
/// one query and one output-gradient row per warp.
pub fn attention_bwd_smem(d: usize) -> usize {
    (2 * ATT_BK * (d + 1) + 2 * ATT_BK * d + 2 * (ATT_THREADS as usize / 32) * d) * 4
}

/// The arguments both attention kernels take: q, k, v and the masks' vectors (a missing one is a
/// null pointer), then the shape and mask parameters.
struct AttentionArgs {
    ptrs: [(u64, i32); 7],
    strides: [i64; 2],
    dims: [i32; 5],
    scale: f32,
    causal: i32,
    window: i64,
    softcap: f32,
}

impl AttentionArgs {
    fn of(a: &super::program::AttentionCmd, p: &impl Fn(super::program::Addr) -> u64) -> Self {
        let opt = |x: Option<(super::program::Addr, DType)>| x.map_or((0u64, 0i32), |(addr, dt)| (p(addr), code(dt)));
        Self {
            ptrs: [
                (p(a.q.0), code(a.q.1)),
                (p(a.k.0), code(a.k.1)),
                (p(a.v.0), code(a.v.1)),
                opt(a.q_index),
                opt(a.k_index),
                opt(a.q_segment),
                opt(a.k_segment),
            ],
            strides: [(a.heads * a.head_dim) as i64, (a.kv_heads * a.head_dim) as i64],
            dims: [a.sq as i32, a.sk as i32, a.heads as i32, a.kv_heads as i32, a.head_dim as i32],
            scale: a.scale,
            causal: a.causal as i32,
            window: a.window,
            softcap: a.softcap,
        }
    }

    /// q, k, v (with their type codes), the two row strides, the index and segment vectors.
    fn inputs<'a>(&'a self, b: &mut cudarc::driver::LaunchArgs<'a>) {
        for (ptr, code) in &self.ptrs[..3] {
            b.arg(ptr).arg(code);
        }
        b.arg(&self.strides[0]).arg(&self.strides[1]);
        for (ptr, code) in &self.ptrs[3..] {
            b.arg(ptr).arg(code);
        }
    }

    /// sq, sk, heads, kv_heads, d, scale, causal, window, softcap (0: none).
    fn shape<'a>(&'a self, b: &mut cudarc::driver::LaunchArgs<'a>) {
        for d in &self.dims {
            b.arg(d);
        }
        b.arg(&self.scale).arg(&self.causal).arg(&self.window).arg(&self.softcap);
    }
}

fn code(dt: DType) -> i32 {
    dt.float_code().or(dt.int_code()).unwrap_or(0)
}

/// Kernel launches. Addresses are raw device pointers into the executor's buffers; kernels take
/// them as pointer-sized integers.
impl Kernels {
    pub fn copy2d(&self, s: &CudaStream, dst: u64, src: u64, c: &Copy2d) -> Result<(), DriverError> {
        if c.rows == 0 || c.width == 0 {
            return Ok(());
        }
        let unit = c.unit(dst, src);
        let (d, sp) = (dst + c.dst as u64, src + c.src as u64);
        let (dp, spp, rows, width, unit_i) =
            (c.dst_pitch as i64, c.src_pitch as i64, c.rows as i64, c.width as i64, unit as i32);
        let mut b = s.launch_builder(&self.copy2d);
        b.arg(&d).arg(&dp).arg(&sp).arg(&spp).arg(&rows).arg(&width).arg(&unit_i);
        unsafe { b.launch(grid(c.rows * c.width / unit as usize)) }.map(|_| ())
    }

    #[allow(clippy::too_many_arguments)]
    pub fn gather_rows(
        &self,
        s: &CudaStream,
        dst: u64,
        src: u64,
        idx: u64,
        outer: usize,
        nidx: usize,
        extent: usize,
        inner_bytes: usize,
    ) -> Result<(), DriverError> {
        let n = outer * nidx * inner_bytes;
        if n == 0 {
            return Ok(());
        }
        let all = dst | src | inner_bytes as u64;
        let unit = [16u64, 8, 4, 2].into_iter().find(|&u| all.is_multiple_of(u)).unwrap_or(1);
        let (o, ni, e, ib, u) = (outer as i64, nidx as i64, extent as i64, inner_bytes as i64, unit as i32);
        let mut b = s.launch_builder(&self.gather_rows);
        b.arg(&dst).arg(&src).arg(&idx).arg(&o).arg(&ni).arg(&e).arg(&ib).arg(&u);
        unsafe { b.launch(grid(n / unit as usize)) }.map(|_| ())
    }

    /// `dst[to(r)] += src[r]` for `rows` rows of `width` (`k_add_rows`): f32 `dst`, `src` in
    /// `sdt`; `to(r)` is `order[row0 + r]` with an `order` table (int32, non-zero pointer), else
    /// `row0 + r`.
    #[allow(clippy::too_many_arguments)]
    pub fn add_rows(&self, s: &CudaStream, dst: u64, src: u64, sdt: DType, order: u64, row0: usize, rows: usize, width: usize) -> Result<(), DriverError> {
        let n = rows * width;
        if n == 0 {
            return Ok(());
        }
        let (dt, r0, r, w) = (code(sdt), row0 as i64, rows as i64, width as i64);
        let mut b = s.launch_builder(&self.add_rows);
        b.arg(&dst).arg(&src).arg(&dt).arg(&order).arg(&r0).arg(&r).arg(&w);
        unsafe { b.launch(grid(n)) }.map(|_| ())
    }

    /// Statistics of rows `row0..row0 + rows` as head-major `[heads, rows]` f32 at `dst`
    /// (`k_stats_rows`), from token-major `[tokens, heads]` (`token_major`) or head-major
    /// `[heads, total]` statistics at `src`.
    #[allow(clippy::too_many_arguments)]
    pub fn stats_rows(&self, s: &CudaStream, dst: u64, src: u64, row0: usize, rows: usize, heads: usize, total: usize, token_major: bool) -> Result<(), DriverError> {
        let n = rows * heads;
        if n == 0 {
            return Ok(());
        }
        let (r0, r, h, t, tm) = (row0 as i64, rows as i64, heads as i32, total as i64, token_major as i32);
        let mut b = s.launch_builder(&self.stats_rows);
        b.arg(&dst).arg(&src).arg(&r0).arg(&r).arg(&h).arg(&t).arg(&tm);
        unsafe { b.launch(grid(n)) }.map(|_| ())
    }

    /// The document table of `n` segment ids (`k_doc_table`): lengths at `len`, ragged offsets
    /// at `off` (query, key and statistics rows: `[n + 1]` int64 each), and at `head` the
    /// count, longest length, monotonicity and (with `pad`: padded to a power of two with
    /// empty documents) the table's count.
    #[allow(clippy::too_many_arguments)]
    pub fn doc_table(
        &self,
        s: &CudaStream,
        seg: (u64, DType),
        n: usize,
        len: u64,
        off: [u64; 3],
        widths: [usize; 3],
        pad: bool,
        head: u64,
    ) -> Result<(), DriverError> {
        let (it, n, pad) = (code(seg.1), n as i64, pad as i32);
        let [wq, wkv, heads] = widths.map(|w| w as i64);
        let mut b = s.launch_builder(&self.doc_table);
        b.arg(&seg.0).arg(&it).arg(&n).arg(&len).arg(&off[0]).arg(&off[1]).arg(&off[2]);
        b.arg(&wq).arg(&wkv).arg(&heads).arg(&pad).arg(&head);
        let cfg = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (1024, 1, 1), shared_mem_bytes: 0 };
        unsafe { b.launch(cfg) }.map(|_| ())
    }

    /// The rectangles one document holds in `n` unmasked blocks of a split attention
    /// (`k_doc_rects`, the host's `doc_rect`): `blocks` holds [query row, rows, key row, rows] as
    /// int64 per block, keys in token order (`order`: their rows in `kseg`, or 0); per block 128
    /// bytes of `table` (lengths and ragged offsets, each 16-byte aligned) and 4 int64 of `head` (valid, a, b).
    #[allow(clippy::too_many_arguments)]
    pub fn doc_rects(
        &self,
        s: &CudaStream,
        qseg: (u64, DType),
        kseg: (u64, DType),
        order: u64,
        blocks: u64,
        n: usize,
        table: u64,
        widths: [usize; 3],
        head: u64,
    ) -> Result<(), DriverError> {
        if n == 0 {
            return Ok(());
        }
        let (qc, kc) = (code(qseg.1), code(kseg.1));
        let [wq, wkv, heads] = widths.map(|w| w as i64);
        let mut b = s.launch_builder(&self.doc_rects);
        b.arg(&qseg.0).arg(&qc).arg(&kseg.0).arg(&kc).arg(&order).arg(&blocks).arg(&table);
        b.arg(&wq).arg(&wkv).arg(&heads).arg(&head);
        let cfg = LaunchConfig { grid_dim: (n as u32, 1, 1), block_dim: (256, 1, 1), shared_mem_bytes: 0 };
        unsafe { b.launch(cfg) }.map(|_| ())
    }

    #[allow(clippy::too_many_arguments)]
    pub fn embedding(
        &self,
        s: &CudaStream,
        out: u64,
        odt: DType,
        ids: u64,
        it: DType,
        table: u64,
        tdt: DType,
        rows: usize,
        hidden: usize,
        vocab: usize,
        err: u64,
        step: usize,
        scale: f32,
    ) -> Result<(), DriverError> {
        let (oc, ic, tc) = (code(odt), code(it), code(tdt));
        let (r, h, v, st) = (rows as i64, hidden as i64, vocab as i64, step as u32);
        let mut b = s.launch_builder(&self.embedding);
        b.arg(&out).arg(&oc).arg(&ids).arg(&ic).arg(&table).arg(&tc).arg(&r).arg(&h).arg(&v).arg(&err).arg(&st).arg(&scale);
        unsafe { b.launch(grid(rows * hidden)) }.map(|_| ())
    }

    /// Whether the norms can hold a row in registers (`k_*_v`: ROW_VECS 16-byte loads of 8
    /// values per thread): the width is a multiple of 8 that fits, every pointer 16-byte aligned.
    fn row_vectors(hidden: usize, ptrs: &[u64]) -> bool {
        hidden.is_multiple_of(8) && hidden <= ROW_VECS * 8 * THREADS as usize && ptrs.iter().all(|p| p.is_multiple_of(16))
    }

    fn row_config(rows: usize) -> LaunchConfig {
        LaunchConfig {
            grid_dim: (rows.clamp(1, MAX_BLOCKS) as u32, 1, 1),
            block_dim: (THREADS, 1, 1),
            shared_mem_bytes: 0,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn rms_norm(
        &self,
        s: &CudaStream,
        out: u64,
        x: u64,
        w: u64,
        dt: DType,
        wdt: DType,
        rows: usize,
        hidden: usize,
        eps: f32,
        offset: f32,
    ) -> Result<(), DriverError> {
        if rows == 0 {
            return Ok(());
        }
        let (dc, wc, r, h) = (code(dt), code(wdt), rows as i64, hidden as i32);
        let f = if Self::row_vectors(hidden, &[out, x, w]) { &self.rms_norm_v } else { &self.rms_norm };
        let mut b = s.launch_builder(f);
        b.arg(&out).arg(&x).arg(&w).arg(&dc).arg(&wc).arg(&r).arg(&h).arg(&eps).arg(&offset);
        unsafe { b.launch(Self::row_config(rows)) }.map(|_| ())
    }

    #[allow(clippy::too_many_arguments)]
    pub fn layer_norm(
        &self,
        s: &CudaStream,
        out: u64,
        x: u64,
        w: u64,
        bias: u64,
        dt: DType,
        wdt: DType,
        bdt: DType,
        rows: usize,
        hidden: usize,
        eps: f32,
    ) -> Result<(), DriverError> {
        if rows == 0 {
            return Ok(());
        }
        let (dc, wc, bc, r, h) = (code(dt), code(wdt), code(bdt), rows as i64, hidden as i32);
        let mut b = s.launch_builder(&self.layer_norm);
        b.arg(&out).arg(&x).arg(&w).arg(&bias).arg(&dc).arg(&wc).arg(&bc).arg(&r).arg(&h).arg(&eps);
        unsafe { b.launch(Self::row_config(rows)) }.map(|_| ())
    }

    #[allow(clippy::too_many_arguments)]
    pub fn rope(
        &self,
        s: &CudaStream,
        out: u64,
        x: u64,
        dt: DType,
        pos: u64,
        it: DType,
        rows: usize,
        cols: usize,
        head_dim: usize,
        rotary: usize,
        freqs: u64,
        inverse: bool,
    ) -> Result<(), DriverError> {
        if rows * cols == 0 {
            return Ok(());
        }
        let (dc, ic, r, c, hd, rd) = (code(dt), code(it), rows as i64, cols as i64, head_dim as i32, rotary as i32);
        let dir: f32 = if inverse { -1.0 } else { 1.0 };
        if rotary == head_dim && head_dim.is_multiple_of(16) && cols.is_multiple_of(head_dim) && [out, x].iter().all(|p| p.is_multiple_of(16)) {
            let mut b = s.launch_builder(&self.rope_v);
            b.arg(&out).arg(&x).arg(&dc).arg(&pos).arg(&ic).arg(&r).arg(&c).arg(&hd).arg(&freqs).arg(&dir);
            return unsafe { b.launch(grid(rows * head_dim / 16)) }.map(|_| ());
        }
        let mut b = s.launch_builder(&self.rope);
        b.arg(&out).arg(&x).arg(&dc).arg(&pos).arg(&ic).arg(&r).arg(&c).arg(&hd).arg(&rd).arg(&freqs).arg(&dir);
        unsafe { b.launch(grid(rows * (rotary / 2).max(1))) }.map(|_| ())
    }

    /// `y = cap · tanh(y / cap)` in place.
    pub fn softcap(&self, s: &CudaStream, dt: DType, y: u64, n: usize, cap: f32) -> Result<(), DriverError> {
        if n == 0 {
            return Ok(());
        }
        let (dc, nn) = (code(dt), n as i64);
        let mut b = s.launch_builder(&self.softcap);
        b.arg(&dc).arg(&y).arg(&nn).arg(&cap);
        unsafe { b.launch(grid(n)) }.map(|_| ())
    }

    pub fn unary(&self, s: &CudaStream, op: i32, dt: DType, x: u64, y: u64, n: usize) -> Result<(), DriverError> {
        if n == 0 {
            return Ok(());
        }
        let (dc, nn) = (code(dt), n as i64);
        let mut b = s.launch_builder(&self.unary);
        b.arg(&op).arg(&dc).arg(&x).arg(&y).arg(&nn);
        unsafe { b.launch(grid(n)) }.map(|_| ())
    }

    #[allow(clippy::too_many_arguments)]
    pub fn binary(
        &self,
        s: &CudaStream,
        op: i32,
        dt: DType,
        a: u64,
        bb: u64,
        y: u64,
        n: usize,
    ) -> Result<(), DriverError> {
        if n == 0 {
            return Ok(());
        }
        let (dc, nn) = (code(dt), n as i64);
        let vec = i32::from(dt.size() == 2 && n.is_multiple_of(8) && (a | bb | y).is_multiple_of(16));
        let mut b = s.launch_builder(&self.binary);
        b.arg(&op).arg(&dc).arg(&a).arg(&bb).arg(&y).arg(&nn).arg(&vec);
        unsafe { b.launch(grid(if vec == 1 { n / 8 } else { n })) }.map(|_| ())
    }

    pub fn convert(&self, s: &CudaStream, x: u64, xdt: DType, y: u64, ydt: DType, n: usize) -> Result<(), DriverError> {
        if n == 0 {
            return Ok(());
        }
        let (xc, yc, nn) = (code(xdt), code(ydt), n as i64);
        let mut b = s.launch_builder(&self.convert);
        b.arg(&x).arg(&xc).arg(&y).arg(&yc).arg(&nn);
        unsafe { b.launch(grid(n)) }.map(|_| ())
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_bias(
        &self,
        s: &CudaStream,
        y: u64,
        dt: DType,
        bias: u64,
        bdt: DType,
        rows: usize,
        cols: usize,
    ) -> Result<(), DriverError> {
        if rows * cols == 0 {
            return Ok(());
        }
        let (dc, bc, r, c) = (code(dt), code(bdt), rows as i64, cols as i64);
        let mut b = s.launch_builder(&self.add_bias);
        b.arg(&y).arg(&dc).arg(&bias).arg(&bc).arg(&r).arg(&c);
        unsafe { b.launch(grid(rows * cols)) }.map(|_| ())
    }

    #[allow(clippy::too_many_arguments)]
    pub fn lse_merge(
        &self,
        s: &CudaStream,
        o: u64,
        l: u64,
        oa: u64,
        la: u64,
        ob: u64,
        lb: u64,
        rows: usize,
        heads: usize,
        cols: usize,
    ) -> Result<(), DriverError> {
        if rows * cols == 0 {
            return Ok(());
        }
        let (r, h, c) = (rows as i64, heads as i32, cols as i32);
        let mut b = s.launch_builder(&self.lse_merge);
        b.arg(&o).arg(&l).arg(&oa).arg(&la).arg(&ob).arg(&lb).arg(&r).arg(&h).arg(&c);
        unsafe { b.launch(grid(rows * cols)) }.map(|_| ())
    }

    /// Folds (or writes) one SDPA block's output `ob` (`odt`, [rows, heads·d]) and statistics
    /// `sb` (f32 [heads, rows]) into rows `row0..` of the f32 output and lse (k_sdpa_merge).
    #[allow(clippy::too_many_arguments)]
    pub fn sdpa_merge(
        &self,
        s: &CudaStream,
        out: u64,
        lse: u64,
        ob: u64,
        odt: DType,
        sb: u64,
        row0: usize,
        rows: usize,
        heads: usize,
        d: usize,
        mode: MergeMode,
    ) -> Result<(), DriverError> {
        if rows * heads == 0 {
            return Ok(());
        }
        let (oc, r0, r, h, dd, mode) = (code(odt), row0 as i64, rows as i64, heads as i32, d as i32, mode as i32);
        let mut b = s.launch_builder(&self.sdpa_merge);
        b.arg(&out).arg(&lse).arg(&ob).arg(&oc).arg(&sb).arg(&r0).arg(&r).arg(&h).arg(&dd).arg(&mode);
        unsafe { b.launch(grid(rows * heads * 32)) }.map(|_| ())
    }

    /// `p` resolves the command's addresses; a missing optional operand is a null pointer.
    pub fn attention(
        &self,
        s: &CudaStream,
        a: &super::program::AttentionCmd,
        p: impl Fn(super::program::Addr) -> u64,
    ) -> Result<(), DriverError> {
        if a.sq == 0 {
            return Ok(());
        }
        let t = AttentionArgs::of(a, &p);
        let (out, oc) = (p(a.out.0), code(a.out.1));
        let lse = a.lse.map_or(0u64, &p);
        let mut b = s.launch_builder(&self.attention);
        t.inputs(&mut b);
        b.arg(&out).arg(&oc).arg(&lse);
        t.shape(&mut b);
        let cfg = LaunchConfig {
            grid_dim: (a.sq.div_ceil(ATT_ROWS) as u32, a.heads as u32, 1),
            block_dim: (ATT_THREADS, 1, 1),
            shared_mem_bytes: attention_smem(a.head_dim) as u32,
        };
        unsafe { b.launch(cfg) }.map(|_| ())
    }

    #[allow(clippy::too_many_arguments)]
    pub fn swiglu_grad(
        &self,
        s: &CudaStream,
        dt: DType,
        g: u64,
        u: u64,
        dy: u64,
        dg: u64,
        du: u64,
        n: usize,
    ) -> Result<(), DriverError> {
        if n == 0 {
            return Ok(());
        }
        let (dc, nn) = (code(dt), n as i64);
        let vec = i32::from(dt.size() == 2 && n.is_multiple_of(8) && (g | u | dy | dg | du).is_multiple_of(16));
        let mut b = s.launch_builder(&self.swiglu_grad);
        b.arg(&dc).arg(&g).arg(&u).arg(&dy).arg(&dg).arg(&du).arg(&nn).arg(&vec);
        unsafe { b.launch(grid(if vec == 1 { n / 8 } else { n })) }.map(|_| ())
    }

    /// `index` 0: none.
    pub fn label_count(
        &self,
        s: &CudaStream,
        out: u64,
        labels: (u64, DType),
        index: (u64, DType),
        n: usize,
    ) -> Result<(), DriverError> {
        let (lc, ic, nn) = (code(labels.1), code(index.1), n as i64);
        let mut b = s.launch_builder(&self.label_count);
        b.arg(&out).arg(&labels.0).arg(&lc).arg(&index.0).arg(&ic).arg(&nn);
        let cfg = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (THREADS, 1, 1), shared_mem_bytes: 0 };
        unsafe { b.launch(cfg) }.map(|_| ())
    }

    /// `out[cols]` (f32) = Σ rows of x, through `parts` partial sums in `work`.
    #[allow(clippy::too_many_arguments)]
    pub fn column_sum(
        &self,
        s: &CudaStream,
        out: u64,
        x: u64,
        dt: DType,
        rows: usize,
        cols: usize,
        work: u64,
        parts: usize,
    ) -> Result<(), DriverError> {
        if cols == 0 {
            return Ok(());
        }
        let (dc, r, c, pp) = (code(dt), rows as i64, cols as i64, parts as i32);
        let mut b = s.launch_builder(&self.col_partial);
        b.arg(&x).arg(&dc).arg(&r).arg(&c).arg(&work).arg(&pp);
        let cfg = LaunchConfig {
            grid_dim: (parts as u32, cols.div_ceil(THREADS as usize) as u32, 1),
            block_dim: (THREADS, 1, 1),
            shared_mem_bytes: 0,
        };
        unsafe { b.launch(cfg) }?;
        self.sum_parts(s, work, parts, cols, out)
    }

    /// `out[cols] = Σ_p work[p, cols]`.
    pub fn sum_parts(&self, s: &CudaStream, work: u64, parts: usize, cols: usize, out: u64) -> Result<(), DriverError> {
        let (pp, c) = (parts as i32, cols as i64);
        let mut b = s.launch_builder(&self.col_sum);
        b.arg(&work).arg(&pp).arg(&c).arg(&out);
        let cfg = LaunchConfig { grid_dim: (cols.div_ceil(32) as u32, 1, 1), block_dim: (32, 8, 1), shared_mem_bytes: 0 };
        unsafe { b.launch(cfg) }.map(|_| ())
    }

    /// dx (a block per row, whose mean and 1/σ go to `stats`; plus `addend` where not 0), then
    /// the partial dw (and db: `layer`) per part of the rows into `work`.
    #[allow(clippy::too_many_arguments)]
    pub fn norm_grad(
        &self,
        s: &CudaStream,
        dx: u64,
        x: u64,
        w: u64,
        dy: u64,
        dt: DType,
        wdt: DType,
        rows: usize,
        hidden: usize,
        (eps, offset): (f32, f32),
        layer: bool,
        stats: u64,
        work: u64,
        parts: usize,
        addend: u64,
    ) -> Result<(), DriverError> {
        let (dc, wc, r, h, l) = (code(dt), code(wdt), rows as i64, hidden as i32, layer as i32);
        let f = if Self::row_vectors(hidden, &[dx, x, w, dy, addend]) { &self.norm_grad_v } else { &self.norm_grad };
        let mut b = s.launch_builder(f);
        b.arg(&dx).arg(&x).arg(&w).arg(&dy).arg(&dc).arg(&wc).arg(&r).arg(&h).arg(&eps).arg(&l).arg(&stats).arg(&offset).arg(&addend);
        let cfg = LaunchConfig { grid_dim: (rows.clamp(1, MAX_BLOCKS) as u32, 1, 1), block_dim: (THREADS, 1, 1), shared_mem_bytes: 0 };
        unsafe { b.launch(cfg) }?;
        let h = hidden as i64;
        let vectors = Self::row_vectors(hidden, &[x, dy, work]);
        let mut b = s.launch_builder(if vectors { &self.norm_wgrad_v } else { &self.norm_wgrad });
        b.arg(&x).arg(&dy).arg(&dc).arg(&stats).arg(&r).arg(&h).arg(&l).arg(&work);
        let cfg = LaunchConfig {
            grid_dim: (parts as u32, hidden.div_ceil(if vectors { 8 * THREADS as usize } else { THREADS as usize }) as u32, 1),
            block_dim: (THREADS, 1, 1),
            shared_mem_bytes: 0,
        };
        unsafe { b.launch(cfg) }.map(|_| ())
    }

    #[allow(clippy::too_many_arguments)]
    pub fn embedding_grad(
        &self,
        s: &CudaStream,
        out: u64,
        ids: u64,
        it: DType,
        dy: u64,
        dt: DType,
        rows: usize,
        hidden: usize,
        vocab: usize,
        err: u64,
        step: usize,
        scale: f32,
        deterministic: bool,
    ) -> Result<(), DriverError> {
        if rows * hidden == 0 {
            return Ok(());
        }
        let (ic, dc, r, h, v, st) = (code(it), code(dt), rows as i64, hidden as i64, vocab as i64, step as u32);
        let det = deterministic as i32;
        let mut b = s.launch_builder(&self.embedding_grad);
        b.arg(&out).arg(&ids).arg(&ic).arg(&dy).arg(&dc).arg(&r).arg(&h).arg(&v).arg(&err).arg(&st).arg(&scale).arg(&det);
        // Deterministic: a thread per column, every token in order.
        unsafe { b.launch(grid(if deterministic { hidden } else { rows * hidden })) }.map(|_| ())
    }

    /// Row losses (and dlogits when not 0, in place of the logits or not) of a logits chunk of
    /// `n` rows; the logits are in dlogits' dtype.
    #[allow(clippy::too_many_arguments)]
    pub fn ce_rows(
        &self,
        s: &CudaStream,
        logits: u64,
        n: usize,
        vocab: usize,
        labels: (u64, DType),
        index: (u64, DType),
        count: u64,
        row_loss: u64,
        dlogits: (u64, DType),
        softcap: f32,
        err: u64,
        step: usize,
    ) -> Result<(), DriverError> {
        if n == 0 {
            return Ok(());
        }
        let (nn, v, lc, ic, dc, st) =
            (n as i64, vocab as i64, code(labels.1), code(index.1), code(dlogits.1), step as u32);
        let mut b = s.launch_builder(&self.ce_rows);
        b.arg(&logits).arg(&nn).arg(&v).arg(&labels.0).arg(&lc).arg(&index.0).arg(&ic).arg(&count).arg(&row_loss);
        b.arg(&dlogits.0).arg(&dc).arg(&softcap).arg(&err).arg(&st);
        let cfg = LaunchConfig {
            grid_dim: (n.min(MAX_BLOCKS) as u32, 1, 1),
            block_dim: (4 * THREADS, 1, 1),
            shared_mem_bytes: 0,
        };
        unsafe { b.launch(cfg) }.map(|_| ())
    }

    pub fn ce_sum(&self, s: &CudaStream, row_loss: u64, rows: usize, count: u64, out: u64) -> Result<(), DriverError> {
        let r = rows as i64;
        let mut b = s.launch_builder(&self.ce_sum);
        b.arg(&row_loss).arg(&r).arg(&count).arg(&out);
        let cfg = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (4 * THREADS, 1, 1), shared_mem_bytes: 0 };
        unsafe { b.launch(cfg) }.map(|_| ())
    }

    /// delta = Σ dout·out per (row, head), then the backward kernel into the f32 accumulators
    /// `dq`, `dk`, `dv` (zeroed by the caller); `deterministic`: every sum in a fixed order (one
    /// block per KV group, one warp: far slower).
    #[allow(clippy::too_many_arguments)]
    pub fn attention_bwd(
        &self,
        s: &CudaStream,
        a: &super::program::AttentionCmd,
        dout: (u64, DType),
        delta: u64,
        acc: [u64; 3],
        p: impl Fn(super::program::Addr) -> u64,
        deterministic: bool,
    ) -> Result<(), DriverError> {
        if a.sq == 0 || a.sk == 0 {
            return Ok(());
        }
        let Some(lse) = a.lse.map(&p) else { return Ok(()) };
        let (out, oc) = (p(a.out.0), code(a.out.1));
        let (dd, rows, heads, d) = (code(dout.1), a.sq as i64, a.heads as i32, a.head_dim as i32);
        let mut b = s.launch_builder(&self.attention_delta);
        b.arg(&out).arg(&oc).arg(&dout.0).arg(&dd).arg(&delta).arg(&rows).arg(&heads).arg(&d);
        unsafe { b.launch(grid(a.sq * a.heads * 32)) }?;
        let t = AttentionArgs::of(a, &p);
        let [dq, dk, dv] = acc;
        let mut b = s.launch_builder(&self.attention_bwd);
        t.inputs(&mut b);
        b.arg(&dout.0).arg(&dd).arg(&lse).arg(&delta).arg(&dq).arg(&dk).arg(&dv);
        t.shape(&mut b);
        let det = deterministic as i32;
        b.arg(&det);
        let grid_dim = match deterministic {
            true => (1, a.kv_heads as u32, 1),
            false => (a.sk.div_ceil(ATT_BK) as u32, a.heads as u32, 1),
        };
        let cfg = LaunchConfig { grid_dim, block_dim: (ATT_THREADS, 1, 1), shared_mem_bytes: attention_bwd_smem(a.head_dim) as u32 };
        unsafe { b.launch(cfg) }.map(|_| ())
    }

    /// Blocks `sq_sum` writes a partial sum for, for `n` elements.
    pub fn sq_sum_blocks(n: usize) -> usize {
        n.div_ceil(THREADS as usize).clamp(1, SQ_SUM_BLOCKS)
    }

    /// `out[b]` (f64) = Σ (g + g2)² per block b of `sq_sum_blocks(n)`; `g2` 0 when absent.
    pub fn sq_sum(&self, s: &CudaStream, g: u64, g2: u64, n: usize, out: u64) -> Result<(), DriverError> {
        let nn = n as i64;
        let mut b = s.launch_builder(&self.sq_sum);
        b.arg(&g).arg(&g2).arg(&nn).arg(&out);
        let cfg = LaunchConfig { grid_dim: (Self::sq_sum_blocks(n) as u32, 1, 1), block_dim: (THREADS, 1, 1), shared_mem_bytes: 0 };
        unsafe { b.launch(cfg) }.map(|_| ())
    }

    /// One AdamW step of a tensor (see k_adamw); `param` 0 when the master copy is the weights.
    pub fn adamw(&self, s: &CudaStream, t: &AdamwTensor, h: &AdamwStep) -> Result<(), DriverError> {
        if t.n == 0 {
            return Ok(());
        }
        let (pdt, nn) = (code(t.param_dtype), t.n as i64);
        let aligned = [t.master, t.m, t.v, t.grad, t.grad2, t.param].iter().all(|p| p.is_multiple_of(16));
        let vec = i32::from(aligned && t.n.is_multiple_of(4));
        let mut b = s.launch_builder(&self.adamw);
        b.arg(&t.master).arg(&t.m).arg(&t.v).arg(&t.grad).arg(&t.grad2).arg(&t.param).arg(&pdt).arg(&nn);
        b.arg(&h.lr).arg(&h.weight_decay).arg(&h.b1).arg(&h.b2).arg(&h.eps).arg(&h.c1).arg(&h.sqrt_c2).arg(&h.coef);
        b.arg(&vec);
        unsafe { b.launch(grid(if vec == 1 { t.n / 4 } else { t.n })) }.map(|_| ())
    }
}

/// Cap on `sq_sum`'s grid: enough blocks to fill the GPU, few partial sums to read back.
const SQ_SUM_BLOCKS: usize = 1024;

/// Device addresses of one tensor's optimizer state (see k_adamw).
#[derive(Clone, Copy, Debug)]
pub struct AdamwTensor {
    pub master: u64,
    pub m: u64,
    pub v: u64,
    pub grad: u64,
    /// 0: none.
    pub grad2: u64,
    /// 0: the master copy is the weights.
    pub param: u64,
    pub param_dtype: DType,
    pub n: usize,
}

/// One optimizer step's scalars, in f32 as the kernel computes.
#[derive(Clone, Copy, Debug)]
pub struct AdamwStep {
    pub lr: f32,
    pub weight_decay: f32,
    pub b1: f32,
    pub b2: f32,
    pub eps: f32,
    /// 1 − β1^t.
    pub c1: f32,
    /// √(1 − β2^t).
    pub sqrt_c2: f32,
    /// The clip factor.
    pub coef: f32,
}
