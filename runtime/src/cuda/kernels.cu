// Device kernels of the CUDA backend, compiled once per process with NVRTC (see kernels.rs).
//
// Correctness first: every kernel mirrors the CPU backend's arithmetic (runtime/src/cpu/kernels.rs)
// in fp32, and element types are passed as run-time codes so one kernel serves f32, bf16 and f16
// tensors (the branch is uniform across a launch). No headers are included, so NVRTC needs no
// include path: bf16 converts with bit operations, f16 with PTX `cvt`.
//
// Float type codes: 0 = f32, 1 = bf16, 2 = f16. Integer codes: 0 = i32, 1 = i64.

typedef long long i64;
typedef unsigned long long u64;

// No <math.h> without an include path: infinity from its bit pattern.
#define INFINITY __int_as_float(0x7f800000)

__device__ __forceinline__ float bf16_to_f32(unsigned short h) {
    return __uint_as_float(((unsigned)h) << 16);
}

// Round to nearest even, as half::bf16::from_f32 does; NaN stays NaN.
__device__ __forceinline__ unsigned short f32_to_bf16(float f) {
    unsigned u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((u >> 16) | 0x40u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (unsigned short)(u >> 16);
}

__device__ __forceinline__ float f16_to_f32(unsigned short h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}

__device__ __forceinline__ unsigned short f32_to_f16(float f) {
    unsigned short h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
    return h;
}

__device__ __forceinline__ float ldf(const void* p, int dt, i64 i) {
    if (dt == 0) return ((const float*)p)[i];
    if (dt == 1) return bf16_to_f32(((const unsigned short*)p)[i]);
    return f16_to_f32(((const unsigned short*)p)[i]);
}

__device__ __forceinline__ void stf(void* p, int dt, i64 i, float v) {
    if (dt == 0) ((float*)p)[i] = v;
    else if (dt == 1) ((unsigned short*)p)[i] = f32_to_bf16(v);
    else ((unsigned short*)p)[i] = f32_to_f16(v);
}

__device__ __forceinline__ i64 ldi(const void* p, int it, i64 i) {
    return it == 0 ? (i64)((const int*)p)[i] : ((const i64*)p)[i];
}

__device__ __forceinline__ i64 global_id() { return (i64)blockIdx.x * blockDim.x + threadIdx.x; }
__device__ __forceinline__ i64 global_stride() { return (i64)gridDim.x * blockDim.x; }

// ---- data movement -------------------------------------------------------------------------

// The document table of packed documents for cuDNN's ragged attention, from segment ids
// seg[n] (integer code `it`), in one block of DOC_THREADS threads: a document starts where the
// id changes. Writes, for documents 0..count: len[] (int32 lengths), and int64 ragged offsets
// (count + 1 entries, in elements) off_q[] = start · q_width, off_kv[] = start · kv_width,
// off_st[] = start · heads; head[0] = count, head[1] = the longest length, head[2] = 1 when
// the ids never decrease (so no document's id comes back after another's: equal ids are
// exactly one document; otherwise the table does not describe the mask and is not used).
// With `pad`, empty documents at the end make the count a power of two (head[3]; where that
// fits the table's n + 1 entries), so that runs whose counts differ share a graph.
// Mirrors `Documents::of` and `padded_count` (runtime/src/cuda/sdpa/key.rs).
#define DOC_THREADS 1024
extern "C" __global__ void __launch_bounds__(DOC_THREADS)
k_doc_table(const void* seg, int it, i64 n, int* len, i64* off_q, i64* off_kv, i64* off_st, i64 q_width,
            i64 kv_width, i64 heads, int pad, i64* head) {
    __shared__ int scan[DOC_THREADS];
    __shared__ int longest, rising;
    const int t = threadIdx.x;
    const i64 per = (n + DOC_THREADS - 1) / DOC_THREADS;
    const i64 lo = min(n, (i64)t * per), hi = min(n, lo + per);
    if (t == 0) { longest = 0; rising = 1; }
    int starts = 0, down = 0;
    for (i64 i = lo; i < hi; i++) {
        i64 prev = i == 0 ? 0 : ldi(seg, it, i - 1), cur = ldi(seg, it, i);
        starts += (i == 0 || cur != prev);
        down |= (i > 0 && cur < prev);
    }
    scan[t] = starts;
    __syncthreads();
    if (down) atomicAnd(&rising, 0);
    // Inclusive scan of the per-thread counts (Hillis-Steele).
    for (int o = 1; o < DOC_THREADS; o <<= 1) {
        int v = t >= o ? scan[t - o] : 0;
        __syncthreads();
        scan[t] += v;
        __syncthreads();
    }
    const int count = scan[DOC_THREADS - 1];
    int padded = count;
    if (pad) {
        int p2 = 1;
        while (p2 < count) p2 <<= 1;
        if (p2 <= n) padded = p2;
    }
    // Each document's first token, in off_st for now.
    int d = scan[t] - starts;
    for (i64 i = lo; i < hi; i++) {
        if (i == 0 || ldi(seg, it, i) != ldi(seg, it, i - 1)) off_st[d++] = i;
    }
    for (int j = count + t; j <= padded; j += DOC_THREADS) off_st[j] = n;
    __syncthreads();
    int most = 0;
    for (int j = t; j < padded; j += DOC_THREADS) {
        i64 a = off_st[j], b = off_st[j + 1];
        len[j] = (int)(b - a);
        off_q[j] = a * q_width;
        off_kv[j] = a * kv_width;
        most = max(most, (int)(b - a));
    }
    if (t == 0) {
        off_q[padded] = n * q_width;
        off_kv[padded] = n * kv_width;
    }
    atomicMax(&longest, most);
    __syncthreads();
    // Starts become statistics offsets last: every thread has read them above.
    for (int j = t; j <= padded; j += DOC_THREADS) off_st[j] = (j == padded ? n : off_q[j] / q_width) * heads;
    if (t == 0) {
        head[0] = count;
        head[1] = longest;
        head[2] = rising;
        head[3] = padded;
    }
}

// The key id of a rectangle's key row j (rows in token order; `order` maps them to kseg's rows).
__device__ __forceinline__ i64 doc_key(const void* kseg, int kit, const int* order, i64 row) {
    return ldi(kseg, kit, order ? (i64)order[row] : row);
}

// The rectangle one document holds in each unmasked block of a split attention over packed
// documents (the host's `doc_rect`), one thread block per rectangle. blocks: [n][4] int64 (query
// row, query rows, key row, key rows). Per rectangle i, at table + 128·i: the int32 query
// length a at +0 and key length b at +16, then int64 ragged offsets [0, a·q_width] at +32,
// [0, b·kv_width] at +48, [0, a·heads] at +64 (each tensor 16-byte aligned, as cuDNN takes them;
// the host points the call's keys at the block's last b rows); head[4i..]: valid, a, b, 0. Not
// valid: the ids decrease inside the rows, or the last key's id passes the first query's.
extern "C" __global__ void k_doc_rects(const void* qseg, int qit, const void* kseg, int kit, const int* order,
                                       const i64* blocks, char* table, i64 q_width, i64 kv_width, i64 heads,
                                       i64* head) {
    __shared__ int a_at, b_at, ok;
    const i64* blk = blocks + 4 * blockIdx.x;
    const i64 qr = blk[0], qn = blk[1], kr = blk[2], kn = blk[3];
    const i64 first = ldi(qseg, qit, qr), last = doc_key(kseg, kit, order, kr + kn - 1);
    if (threadIdx.x == 0) { a_at = (int)qn; b_at = -1; ok = 1; }
    __syncthreads();
    for (i64 i = threadIdx.x; i < qn; i += blockDim.x) {
        const i64 cur = ldi(qseg, qit, qr + i);
        if (i + 1 < qn && cur > ldi(qseg, qit, qr + i + 1)) atomicAnd(&ok, 0);
        if (cur != first) atomicMin(&a_at, (int)i);
    }
    for (i64 j = threadIdx.x; j < kn; j += blockDim.x) {
        const i64 cur = doc_key(kseg, kit, order, kr + j);
        if (j + 1 < kn && cur > doc_key(kseg, kit, order, kr + j + 1)) atomicAnd(&ok, 0);
        if (cur != first) atomicMax(&b_at, (int)j);
    }
    __syncthreads();
    if (threadIdx.x != 0) return;
    const int valid = ok && last <= first;
    const i64 a = valid && last == first ? a_at : 0, b = valid && last == first ? kn - 1 - b_at : 0;
    char* t = table + 128 * (i64)blockIdx.x;
    *(int*)t = (int)a;
    *(int*)(t + 16) = (int)b;
    i64* off = (i64*)(t + 32);
    off[0] = 0;
    off[1] = a * q_width;
    off[2] = 0;
    off[3] = b * kv_width;
    off[4] = 0;
    off[5] = a * heads;
    i64* h = head + 4 * (i64)blockIdx.x;
    h[0] = valid;
    h[1] = a;
    h[2] = b;
    h[3] = 0;
}


// `rows` rows of `width` bytes from src (row pitch spitch) to dst (row pitch dpitch), moved in
// units of `unit` bytes (1, 2, 4, 8 or 16), which divides every address, pitch and width.
extern "C" __global__ void k_copy2d(char* dst, i64 dpitch, const char* src, i64 spitch, i64 rows,
                                    i64 width, int unit) {
    i64 per_row = width / unit;
    i64 n = rows * per_row;
    for (i64 t = global_id(); t < n; t += global_stride()) {
        i64 r = t / per_row, c = (t % per_row) * unit;
        char* d = dst + r * dpitch + c;
        const char* s = src + r * spitch + c;
        switch (unit) {
            case 16: *(uint4*)d = *(const uint4*)s; break;
            case 8: *(u64*)d = *(const u64*)s; break;
            case 4: *(unsigned*)d = *(const unsigned*)s; break;
            case 2: *(unsigned short*)d = *(const unsigned short*)s; break;
            default: *d = *s; break;
        }
    }
}

// Take along a dimension: the source is [outer, extent, inner_bytes]; output row r of each outer
// block is source row idx[r], or zeros where idx[r] < 0 (shard padding).
extern "C" __global__ void k_gather_rows(char* dst, const char* src, const int* idx, i64 outer,
                                         i64 nidx, i64 extent, i64 inner_bytes, int unit) {
    i64 per_row = inner_bytes / unit;
    i64 n = outer * nidx * per_row;
    for (i64 t = global_id(); t < n; t += global_stride()) {
        i64 c = (t % per_row) * unit;
        i64 r = (t / per_row) % nidx;
        i64 o = t / (per_row * nidx);
        char* d = dst + (o * nidx + r) * inner_bytes + c;
        int from = idx[r];
        if (from < 0) {
            for (int b = 0; b < unit; b++) d[b] = 0;
            continue;
        }
        const char* s = src + (o * extent + from) * inner_bytes + c;
        switch (unit) {
            case 16: *(uint4*)d = *(const uint4*)s; break;
            case 8: *(u64*)d = *(const u64*)s; break;
            case 4: *(unsigned*)d = *(const unsigned*)s; break;
            case 2: *(unsigned short*)d = *(const unsigned short*)s; break;
            default: *d = *s; break;
        }
    }
}

// ---- model ops -----------------------------------------------------------------------------

// y[s, :] = table[ids[s], :]. An id outside [0, vocab) writes zeros and records step + 1 in
// *err (first failure wins), which the host reports after the run.
// Rows of the table at the ids, times `scale` (Gemma's √hidden; 1 elsewhere).
extern "C" __global__ void k_embedding(void* out, int odt, const void* ids, int it, const void* table,
                                       int tdt, i64 rows, i64 hidden, i64 vocab, unsigned* err,
                                       unsigned step, float scale) {
    i64 n = rows * hidden;
    for (i64 t = global_id(); t < n; t += global_stride()) {
        i64 s = t / hidden, c = t % hidden;
        i64 id = ldi(ids, it, s);
        float v = 0.0f;
        if (id >= 0 && id < vocab) {
            v = ldf(table, tdt, id * hidden + c) * scale;
        } else if (c == 0) {
            atomicCAS(err, 0u, step + 1u);
        }
        stf(out, odt, t, v);
    }
}

// Sum of `v` over the block (blockDim.x a multiple of 32, at most 1024); every thread gets it.
__device__ float block_sum(float v, float* scratch) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    int warps = blockDim.x >> 5;
    float total = 0.0f;
    for (int w = 0; w < warps; w++) total += scratch[w];
    return total;
}

// One block per row: y = x / sqrt(mean(x²) + eps) · w.
// `offset` is added to the weight (Gemma's 1 + w; 0 elsewhere).
extern "C" __global__ void k_rms_norm(void* out, const void* x, const void* w, int dt, int wdt,
                                      i64 rows, int hidden, float eps, float offset) {
    __shared__ float scratch[32];
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        float ss = 0.0f;
        for (int c = threadIdx.x; c < hidden; c += blockDim.x) {
            float v = ldf(x, dt, r * hidden + c);
            ss += v * v;
        }
        float ms = block_sum(ss, scratch) / (float)hidden;
        float inv = 1.0f / sqrtf(ms + eps);
        for (int c = threadIdx.x; c < hidden; c += blockDim.x) {
            float v = ldf(x, dt, r * hidden + c);
            stf(out, dt, r * hidden + c, v * inv * (ldf(w, wdt, c) + offset));
        }
    }
}

// ---- rows held in registers -----------------------------------------------------------------
// A row of up to ROW_VECS · 8 · blockDim values, 8 per 16-byte load: the norms read x (and dy)
// once instead of once per pass. The host picks these kernels when hidden % 8 == 0, the row
// fits and every pointer is 16-byte aligned (row_vectors in kernels.rs).
#define ROW_VECS 4

__device__ __forceinline__ void ld8(const void* p, int dt, i64 i, float* o) {
    if (dt == 0) {
        const float4 a = *(const float4*)((const float*)p + i), b = *(const float4*)((const float*)p + i + 4);
        o[0] = a.x; o[1] = a.y; o[2] = a.z; o[3] = a.w; o[4] = b.x; o[5] = b.y; o[6] = b.z; o[7] = b.w;
        return;
    }
    const uint4 u = *(const uint4*)((const unsigned short*)p + i);
    const unsigned w[4] = {u.x, u.y, u.z, u.w};
#pragma unroll
    for (int k = 0; k < 4; k++) {
        const unsigned short lo = (unsigned short)(w[k] & 0xffffu), hi = (unsigned short)(w[k] >> 16);
        o[2 * k] = dt == 1 ? bf16_to_f32(lo) : f16_to_f32(lo);
        o[2 * k + 1] = dt == 1 ? bf16_to_f32(hi) : f16_to_f32(hi);
    }
}

__device__ __forceinline__ void st8(void* p, int dt, i64 i, const float* v) {
    if (dt == 0) {
        *(float4*)((float*)p + i) = make_float4(v[0], v[1], v[2], v[3]);
        *(float4*)((float*)p + i + 4) = make_float4(v[4], v[5], v[6], v[7]);
        return;
    }
    unsigned w[4];
#pragma unroll
    for (int k = 0; k < 4; k++) {
        const unsigned lo = dt == 1 ? f32_to_bf16(v[2 * k]) : f32_to_f16(v[2 * k]);
        const unsigned hi = dt == 1 ? f32_to_bf16(v[2 * k + 1]) : f32_to_f16(v[2 * k + 1]);
        w[k] = lo | (hi << 16);
    }
    *(uint4*)((unsigned short*)p + i) = make_uint4(w[0], w[1], w[2], w[3]);
}

// k_rms_norm with the row in registers.
extern "C" __global__ void k_rms_norm_v(void* out, const void* x, const void* w, int dt, int wdt,
                                        i64 rows, int hidden, float eps, float offset) {
    __shared__ float scratch[32];
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        float xv[ROW_VECS][8];
        float ss = 0.0f;
#pragma unroll
        for (int j = 0; j < ROW_VECS; j++) {
            const int c = (threadIdx.x + j * blockDim.x) * 8;
            if (c < hidden) {
                ld8(x, dt, r * hidden + c, xv[j]);
#pragma unroll
                for (int k = 0; k < 8; k++) ss += xv[j][k] * xv[j][k];
            }
        }
        const float inv = 1.0f / sqrtf(block_sum(ss, scratch) / (float)hidden + eps);
#pragma unroll
        for (int j = 0; j < ROW_VECS; j++) {
            const int c = (threadIdx.x + j * blockDim.x) * 8;
            if (c < hidden) {
                float wv[8];
                ld8(w, wdt, c, wv);
#pragma unroll
                for (int k = 0; k < 8; k++) wv[k] = xv[j][k] * inv * (wv[k] + offset);
                st8(out, dt, r * hidden + c, wv);
            }
        }
    }
}

// k_norm_grad with the row (x and dy) in registers.
extern "C" __global__ void k_norm_grad_v(void* dx, const void* x, const void* w, const void* dy, int dt, int wdt,
                                         i64 rows, int hidden, float eps, int layer, float* stats, float offset,
                                         const void* addend) {
    __shared__ float scratch[32];
    const float width = (float)hidden;
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const i64 o = r * hidden;
        float xv[ROW_VECS][8], gv[ROW_VECS][8];
        float s = 0.0f;
#pragma unroll
        for (int j = 0; j < ROW_VECS; j++) {
            const int c = (threadIdx.x + j * blockDim.x) * 8;
            if (c < hidden) {
                float wv[8];
                ld8(x, dt, o + c, xv[j]);
                ld8(dy, dt, o + c, gv[j]);
                ld8(w, wdt, c, wv);
#pragma unroll
                for (int k = 0; k < 8; k++) {
                    gv[j][k] *= wv[k] + offset;
                    s += xv[j][k];
                }
            }
        }
        const float mean = layer ? block_sum(s, scratch) / width : 0.0f;
        float sq = 0.0f;
#pragma unroll
        for (int j = 0; j < ROW_VECS; j++) {
            if ((threadIdx.x + j * blockDim.x) * 8 < hidden) {
#pragma unroll
                for (int k = 0; k < 8; k++) {
                    xv[j][k] -= mean;
                    sq += xv[j][k] * xv[j][k];
                }
            }
        }
        const float inv = 1.0f / sqrtf(block_sum(sq, scratch) / width + eps);
        float gm = 0.0f, gx = 0.0f;
#pragma unroll
        for (int j = 0; j < ROW_VECS; j++) {
            if ((threadIdx.x + j * blockDim.x) * 8 < hidden) {
#pragma unroll
                for (int k = 0; k < 8; k++) {
                    gm += gv[j][k];
                    gx += gv[j][k] * xv[j][k] * inv;
                }
            }
        }
        gm = block_sum(gm, scratch) / width;
        gx = block_sum(gx, scratch) / width;
#pragma unroll
        for (int j = 0; j < ROW_VECS; j++) {
            const int c = (threadIdx.x + j * blockDim.x) * 8;
            if (c < hidden) {
                float d[8], more[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
                if (addend) ld8(addend, dt, o + c, more);
#pragma unroll
                for (int k = 0; k < 8; k++) d[k] = inv * (gv[j][k] - (layer ? gm : 0.0f) - xv[j][k] * inv * gx) + more[k];
                st8(dx, dt, o + c, d);
            }
        }
        if (threadIdx.x == 0) {
            stats[2 * r] = mean;
            stats[2 * r + 1] = inv;
        }
    }
}

// k_norm_wgrad with 8 columns a thread (16-byte loads of x and dy).
extern "C" __global__ void k_norm_wgrad_v(const void* x, const void* dy, int dt, const float* stats, i64 rows,
                                          i64 hidden, int layer, float* work) {
    const i64 c = ((i64)blockIdx.y * blockDim.x + threadIdx.x) * 8;
    if (c >= hidden) return;
    const int parts = gridDim.x;
    float dw[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f}, db[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    for (i64 r = blockIdx.x; r < rows; r += parts) {
        float d[8], xv[8];
        ld8(dy, dt, r * hidden + c, d);
        ld8(x, dt, r * hidden + c, xv);
        const float mean = stats[2 * r], inv = stats[2 * r + 1];
#pragma unroll
        for (int k = 0; k < 8; k++) {
            dw[k] += d[k] * (xv[k] - mean) * inv;
            db[k] += d[k];
        }
    }
    st8(work, 0, (i64)blockIdx.x * hidden + c, dw);
    if (layer) st8(work, 0, ((i64)parts + blockIdx.x) * hidden + c, db);
}

// One block per row: y = (x − mean) / sqrt(var + eps) · w + b, biased variance, two passes.
extern "C" __global__ void k_layer_norm(void* out, const void* x, const void* w, const void* b,
                                        int dt, int wdt, int bdt, i64 rows, int hidden, float eps) {
    __shared__ float scratch[32];
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        float s = 0.0f;
        for (int c = threadIdx.x; c < hidden; c += blockDim.x) s += ldf(x, dt, r * hidden + c);
        float mean = block_sum(s, scratch) / (float)hidden;
        float sq = 0.0f;
        for (int c = threadIdx.x; c < hidden; c += blockDim.x) {
            float d = ldf(x, dt, r * hidden + c) - mean;
            sq += d * d;
        }
        float var = block_sum(sq, scratch) / (float)hidden;
        float inv = 1.0f / sqrtf(var + eps);
        for (int c = threadIdx.x; c < hidden; c += blockDim.x) {
            float v = ldf(x, dt, r * hidden + c);
            stf(out, dt, r * hidden + c, (v - mean) * inv * ldf(w, wdt, c) + ldf(b, bdt, c));
        }
    }
}

// Rotary embedding, rotate-half, every head of x: [rows, cols], from global positions. One
// thread per (row, rotary pair k): the angle's cosine and sine are computed once, in double as
// the CPU backend does (positions reach 10^6 radians), and applied in fp32 to pair k of every
// head of the row. Columns past `rotary` (partial rotary) are copied. In place is safe: each
// thread reads what it writes.
// dir −1 rotates by minus the angle: the gradient (the rotation's transpose).
// inv_freq: f64 [rotary / 2], the angle per position of each pair (RopeAttrs::inv_freq).
extern "C" __global__ void k_rope(void* out, const void* x, int dt, const void* pos, int it, i64 rows,
                                  i64 cols, int head_dim, int rotary, const double* inv_freq, float dir) {
    const int half = rotary / 2;
    const int lanes = half > 0 ? half : 1;
    const i64 heads = cols / head_dim;
    const i64 n = rows * lanes;
    for (i64 t = global_id(); t < n; t += global_stride()) {
        const i64 s = t / lanes;
        const int k = (int)(t % lanes);
        float cs = 1.0f, sn = 0.0f;
        if (half > 0) {
            double angle = (double)ldi(pos, it, s) * inv_freq[k];
            double sd, cd;
            sincos(angle, &sd, &cd);
            cs = (float)cd;
            sn = dir * (float)sd;
        }
        for (i64 h = 0; h < heads; h++) {
            const i64 o = s * cols + h * head_dim;
            if (half > 0) {
                const float a = ldf(x, dt, o + k), b = ldf(x, dt, o + k + half);
                stf(out, dt, o + k, a * cs - b * sn);
                stf(out, dt, o + k + half, b * cs + a * sn);
            }
            for (int d = 2 * half + k; d < head_dim; d += lanes) stf(out, dt, o + d, ldf(x, dt, o + d));
        }
    }
}

// k_rope with 16-byte loads (kernels.rs picks it: rotary == head_dim, pairs a multiple of 8,
// pointers 16-byte aligned): one thread per (row, 8 consecutive pairs), the 8 angles once, then
// every head of the row. ld8/st8 are defined with the norms' row kernels above.
extern "C" __global__ void k_rope_v(void* out, const void* x, int dt, const void* pos, int it, i64 rows,
                                    i64 cols, int head_dim, const double* inv_freq, float dir) {
    const int half = head_dim / 2, groups = half / 8;
    const i64 heads = cols / head_dim;
    for (i64 t = global_id(); t < rows * groups; t += global_stride()) {
        const i64 s = t / groups;
        const int k0 = (int)(t % groups) * 8;
        float cs[8], sn[8];
        const double p = (double)ldi(pos, it, s);
#pragma unroll
        for (int k = 0; k < 8; k++) {
            double sd, cd;
            sincos(p * inv_freq[k0 + k], &sd, &cd);
            cs[k] = (float)cd;
            sn[k] = dir * (float)sd;
        }
        for (i64 h = 0; h < heads; h++) {
            const i64 o = s * cols + h * head_dim + k0;
            float a[8], b[8], ya[8], yb[8];
            ld8(x, dt, o, a);
            ld8(x, dt, o + half, b);
#pragma unroll
            for (int k = 0; k < 8; k++) {
                ya[k] = a[k] * cs[k] - b[k] * sn[k];
                yb[k] = b[k] * cs[k] + a[k] * sn[k];
            }
            st8(out, dt, o, ya);
            st8(out, dt, o + half, yb);
        }
    }
}

__device__ __forceinline__ float silu_f(float x) { return x / (1.0f + expf(-x)); }

// op: 0 silu, 1 gelu (erf), 2 gelu (tanh approximation).
extern "C" __global__ void k_unary(int op, int dt, const void* x, void* y, i64 n) {
    for (i64 t = global_id(); t < n; t += global_stride()) {
        float v = ldf(x, dt, t), r;
        if (op == 0) {
            r = silu_f(v);
        } else if (op == 1) {
            r = 0.5f * v * (1.0f + erff(v / 1.41421356237309504880f));
        } else {
            const float c = 0.79788456080286535588f;  // sqrt(2/pi)
            r = 0.5f * v * (1.0f + tanhf(c * (v + 0.044715f * v * v * v)));
        }
        stf(y, dt, t, r);
    }
}

// y = cap · tanh(y / cap) in place (Gemma 2's capped logits).
extern "C" __global__ void k_softcap(int dt, void* y, i64 n, float cap) {
    for (i64 t = global_id(); t < n; t += global_stride()) stf(y, dt, t, cap * tanhf(ldf(y, dt, t) / cap));
}

__device__ __forceinline__ float sigmoid_f(float x) { return 1.0f / (1.0f + expf(-x)); }

// d/dx of gelu: exact Φ(x) + x·φ(x); tanh form ½(1 + t) + ½x(1 − t²)·c(1 + 3a·x²).
__device__ __forceinline__ float gelu_grad_f(float x, int tanh_form) {
    if (tanh_form) {
        const float c = 0.79788456080286535588f, a = 0.044715f;
        const float t = tanhf(c * (x + a * x * x * x));
        return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * c * (1.0f + 3.0f * a * x * x);
    }
    const float cdf = 0.5f * (1.0f + erff(x / 1.41421356237309504880f));
    const float pdf = expf(-0.5f * x * x) * 0.39894228040143267794f;  // 1/sqrt(2π)
    return cdf + x * pdf;
}

// op: 0 mul, 1 add, 2 swiglu (silu(a) · b); gradients of (x = a, dy = b): 3 silu, 4 gelu,
// 5 gelu (tanh).
__device__ __forceinline__ float binary_f(int op, float p, float q) {
    switch (op) {
        case 0: return p * q;
        case 1: return p + q;
        case 2: return silu_f(p) * q;
        case 3: { const float s = sigmoid_f(p); return q * s * (1.0f + p * (1.0f - s)); }
        default: return q * gelu_grad_f(p, op == 5);
    }
}

// vec: 16-bit elements, every pointer 16-byte aligned and n a multiple of 8: one 16-byte access
// per operand moves 8 elements (the scalar loop issues 2-byte accesses).
extern "C" __global__ void k_binary(int op, int dt, const void* a, const void* b, void* y, i64 n, int vec) {
    if (vec) {
        const i64 m = n / 8;
        for (i64 t = global_id(); t < m; t += global_stride()) {
            const uint4 pa = ((const uint4*)a)[t], pb = ((const uint4*)b)[t];
            uint4 py;
            const unsigned short* ea = (const unsigned short*)&pa;
            const unsigned short* eb = (const unsigned short*)&pb;
            unsigned short* ey = (unsigned short*)&py;
            #pragma unroll
            for (int j = 0; j < 8; j++) {
                const float p = dt == 1 ? bf16_to_f32(ea[j]) : f16_to_f32(ea[j]);
                const float q = dt == 1 ? bf16_to_f32(eb[j]) : f16_to_f32(eb[j]);
                const float r = binary_f(op, p, q);
                ey[j] = dt == 1 ? f32_to_bf16(r) : f32_to_f16(r);
            }
            ((uint4*)y)[t] = py;
        }
        return;
    }
    for (i64 t = global_id(); t < n; t += global_stride()) {
        stf(y, dt, t, binary_f(op, ldf(a, dt, t), ldf(b, dt, t)));
    }
}

extern "C" __global__ void k_convert(const void* x, int xdt, void* y, int ydt, i64 n) {
    for (i64 t = global_id(); t < n; t += global_stride()) stf(y, ydt, t, ldf(x, xdt, t));
}

// y[r, c] += b[c]: the bias of `linear`, after the GEMM.
extern "C" __global__ void k_add_bias(void* y, int dt, const void* b, int bdt, i64 rows, i64 cols) {
    i64 n = rows * cols;
    for (i64 t = global_id(); t < n; t += global_stride())
        stf(y, dt, t, ldf(y, dt, t) + ldf(b, bdt, t % cols));
}

// Merge of two partial attention results over disjoint key blocks, per token and head, in fp32.
// One thread per output element; the thread of each head's first column writes the lse.
extern "C" __global__ void k_lse_merge(float* o, float* l, const float* oa, const float* la,
                                       const float* ob, const float* lb, i64 rows, int heads,
                                       int cols) {
    int width = cols / heads;
    i64 n = rows * cols;
    for (i64 t = global_id(); t < n; t += global_stride()) {
        i64 s = t / cols;
        int c = (int)(t % cols), h = c / width;
        float a = la[s * heads + h], b = lb[s * heads + h];
        float m = fmaxf(a, b);
        float out = 0.0f, lse = -INFINITY;
        if (m != -INFINITY) {
            lse = m + logf(expf(a - m) + expf(b - m));
            out = expf(a - lse) * oa[t] + expf(b - lse) * ob[t];
        }
        o[t] = out;
        if (c % width == 0) l[s * heads + h] = lse;
    }
}

// Folds one block of cuDNN attention into a running partial result, per token and head, in fp32:
// out [rows_total, heads·d] f32 and lse [rows_total, heads] f32; ob [rows, heads·d] (odt) and sb
// [heads, rows] f32 (cuDNN's stats layout, natural-log LSE of the scaled scores) for rows
// row0 .. row0 + rows. mode 0: reset those rows (out 0, lse −inf; ob and sb unused); mode 1:
// write; mode 2: merge; mode 3: write the lse only (cuDNN wrote the output in place; out unused).
// One warp per (row, head); every lane reads the old lse before lane 0 writes the new one.
extern "C" __global__ void k_sdpa_merge(float* out, float* lse, const void* ob, int odt, const float* sb,
                                        i64 row0, i64 rows, int heads, int d, int mode) {
    const int lane = threadIdx.x & 31;
    const i64 nwarps = rows * heads;
    const i64 step = global_stride() >> 5;
    for (i64 w = global_id() >> 5; w < nwarps; w += step) {
        const i64 r = w / heads;
        const int h = (int)(w % heads);
        float* l = lse + (row0 + r) * heads + h;
        if (mode == 3) {
            if (lane == 0) *l = sb[(i64)h * rows + r];
            continue;
        }
        float* o = out + (row0 + r) * heads * d + (i64)h * d;
        if (mode == 0) {
            for (int c = lane; c < d; c += 32) o[c] = 0.0f;
            if (lane == 0) *l = -INFINITY;
            continue;
        }
        const float s = sb[(i64)h * rows + r];
        const i64 ob_off = r * heads * d + (i64)h * d;
        if (mode == 1) {  // the row's only block: write it
            for (int c = lane; c < d; c += 32) o[c] = ldf(ob, odt, ob_off + c);
            if (lane == 0) *l = s;
            continue;
        }
        const float old = *l;
        const float m = fmaxf(old, s);
        float L = -INFINITY, wa = 0.0f, wb = 0.0f;
        if (m != -INFINITY) {
            L = m + logf(expf(old - m) + expf(s - m));
            wa = expf(old - L);
            wb = expf(s - L);
        }
        for (int c = lane; c < d; c += 32) o[c] = wa * o[c] + wb * ldf(ob, odt, ob_off + c);
        __syncwarp();
        if (lane == 0) *l = L;
    }
}

// Adds `rows` rows of `src` (type sdt, `width` wide) into f32 rows of `dst`: row r goes to
// order[row0 + r] when `order` is given (keys gathered into token order go back to their rows),
// else to row0 + r. A cuDNN block backward's dQ/dK/dV enter the step's f32 gradients this way.
extern "C" __global__ void k_add_rows(float* dst, const void* src, int sdt, const int* order, i64 row0,
                                      i64 rows, i64 width) {
    const i64 n = rows * width;
    for (i64 t = global_id(); t < n; t += global_stride()) {
        const i64 r = t / width, c = t % width;
        const i64 to = order ? (i64)order[row0 + r] : row0 + r;
        dst[to * width + c] += ldf(src, sdt, t);
    }
}

// Statistics of query rows row0..row0+rows as a block's head-major [heads, rows] f32: from a
// token-major [tokens, heads] lse (token_major), or from head-major [heads, total] statistics.
extern "C" __global__ void k_stats_rows(float* dst, const float* src, i64 row0, i64 rows, int heads,
                                        i64 total, int token_major) {
    const i64 n = rows * heads;
    for (i64 t = global_id(); t < n; t += global_stride()) {
        const i64 h = t / rows, r = t % rows;
        dst[t] = token_major ? src[(row0 + r) * heads + h] : src[h * total + row0 + r];
    }
}

// ---- attention -----------------------------------------------------------------------------

#define ATT_BK 32    // keys per shared-memory tile: one per lane
#define ATT_WARPS 4  // warps per block
#define ATT_RPW 4    // query rows per warp
#define ATT_MAXC 8   // output columns per lane: head_dim <= 256

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

// Whether a query (global index qi, segment qs) may see a key (kj, ks): `seq.attention_partial`'s
// masks (−1: padding; causal; a window; segments when `segs`).
__device__ __forceinline__ bool att_allowed(i64 qi, i64 qs, i64 kj, i64 ks, int causal, i64 window, bool segs) {
    const i64 dq = qi - kj;
    return qi >= 0 && kj >= 0 && (!causal || kj <= qi) && (window <= 0 || (dq < 0 ? -dq : dq) < window) && (!segs || qs == ks);
}

// Attention of q: [sq, heads·d] over k, v: [sk, kv_heads·d], for query head blockIdx.y and
// ATT_WARPS·ATT_RPW query rows per block, with an online softmax in fp32.
//
// Masks come from global token indices (q_index / k_index; null means the row number) and
// optional segment ids, exactly as `seq.attention_partial` defines them; -1 marks padding.
// Output rows are normalised within this key block (zeros where no key is allowed); lse (if
// not null) is [sq, heads] in natural log, −inf where no key is allowed.
//
// Each lane owns one key of a 32-key tile for the scores (full dot product from shared memory)
// and 1/32 of the head's columns for the output accumulator, so no per-score reductions occur.
extern "C" __global__ void __launch_bounds__(ATT_WARPS * 32)
k_attention(const void* q, int qdt, const void* k, int kdt, const void* v, int vdt, i64 q_stride,
            i64 kv_stride, const void* q_index, int qi_it, const void* k_index, int ki_it,
            const void* q_seg, int qs_it, const void* k_seg, int ks_it, void* out, int odt, float* lse,
            int sq, int sk, int heads, int kv_heads, int d, float scale, int causal, i64 window, float softcap) {
    extern __shared__ float smem[];
    __shared__ i64 k_idx_s[ATT_BK];
    __shared__ i64 k_seg_s[ATT_BK];
    __shared__ int tile_live;
    float* Ks = smem;                  // ATT_BK rows of d + 1 floats (padded: no bank conflicts)
    float* Vs = Ks + ATT_BK * (d + 1);  // ATT_BK rows of d floats
    float* Qs = Vs + ATT_BK * d;        // ATT_WARPS · ATT_RPW rows of d floats

    const int h = blockIdx.y;
    const int g = h / (heads / kv_heads);
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int row0 = blockIdx.x * (ATT_WARPS * ATT_RPW) + warp * ATT_RPW;

    i64 qi[ATT_RPW], qs[ATT_RPW];
    float m[ATT_RPW], l[ATT_RPW], acc[ATT_RPW][ATT_MAXC];
#pragma unroll
    for (int r = 0; r < ATT_RPW; r++) {
        int row = row0 + r;
        bool valid = row < sq;
        qi[r] = !valid ? -1 : (q_index ? ldi(q_index, qi_it, row) : (i64)row);
        qs[r] = (valid && q_seg) ? ldi(q_seg, qs_it, row) : 0;
        float* qrow = Qs + (warp * ATT_RPW + r) * d;
        for (int c = lane; c < d; c += 32) qrow[c] = valid ? ldf(q, qdt, (i64)row * q_stride + (i64)h * d + c) : 0.0f;
        m[r] = -INFINITY;
        l[r] = 0.0f;
#pragma unroll
        for (int t = 0; t < ATT_MAXC; t++) acc[r][t] = 0.0f;
    }

    for (int k0 = 0; k0 < sk; k0 += ATT_BK) {
        __syncthreads();  // the previous tile is no longer read
        for (int j = threadIdx.x; j < ATT_BK; j += blockDim.x) {
            int kr = k0 + j;
            k_idx_s[j] = kr >= sk ? -1 : (k_index ? ldi(k_index, ki_it, kr) : (i64)kr);
            k_seg_s[j] = (kr < sk && k_seg) ? ldi(k_seg, ks_it, kr) : 0;
        }
        if (threadIdx.x == 0) tile_live = 0;
        __syncthreads();
        const i64 kj = k_idx_s[lane], ksj = k_seg_s[lane];
        // A tile no row of this block may see (causal, window, other documents) is skipped
        // before its keys and values are loaded.
        bool seen = false;
#pragma unroll
        for (int r = 0; r < ATT_RPW; r++) seen |= att_allowed(qi[r], qs[r], kj, ksj, causal, window, q_seg != nullptr);
        if (__any_sync(0xffffffffu, seen) && lane == 0) tile_live = 1;
        __syncthreads();
        if (!tile_live) continue;  // block-uniform
        for (int t = threadIdx.x; t < ATT_BK * d; t += blockDim.x) {
            int j = t / d, c = t % d, kr = k0 + j;
            float kv = 0.0f, vv = 0.0f;
            if (kr < sk) {
                i64 at = (i64)kr * kv_stride + (i64)g * d + c;
                kv = ldf(k, kdt, at);
                vv = ldf(v, vdt, at);
            }
            Ks[j * (d + 1) + c] = kv;
            Vs[j * d + c] = vv;
        }
        __syncthreads();

        const float* krow = Ks + lane * (d + 1);
#pragma unroll
        for (int r = 0; r < ATT_RPW; r++) {
            bool ok = att_allowed(qi[r], qs[r], kj, ksj, causal, window, q_seg != nullptr);
            if (!__any_sync(0xffffffffu, ok)) continue;  // warp-uniform: nothing allowed here
            float s = -INFINITY;
            if (ok) {
                const float* qrow = Qs + (warp * ATT_RPW + r) * d;
                float dot = 0.0f;
                for (int c = 0; c < d; c++) dot += qrow[c] * krow[c];
                s = scale * dot;
                if (softcap > 0.0f) s = softcap * tanhf(s / softcap);  // Gemma 2's cap
            }
            float new_m = fmaxf(m[r], warp_max(s));  // finite: some lane is allowed
            float p = ok ? expf(s - new_m) : 0.0f;
            float corr = expf(m[r] - new_m);         // 0 while the row had seen nothing
            l[r] = l[r] * corr + warp_sum(p);
#pragma unroll
            for (int t = 0; t < ATT_MAXC; t++) acc[r][t] *= corr;
            for (int j = 0; j < ATT_BK; j++) {
                float pj = __shfl_sync(0xffffffffu, p, j);
                if (pj == 0.0f) continue;  // warp-uniform: pj is broadcast
                const float* vrow = Vs + j * d;
#pragma unroll
                for (int t = 0; t < ATT_MAXC; t++) {
                    int c = t * 32 + lane;
                    if (c < d) acc[r][t] += pj * vrow[c];
                }
            }
            m[r] = new_m;
        }
    }

#pragma unroll
    for (int r = 0; r < ATT_RPW; r++) {
        int row = row0 + r;
        if (row >= sq) continue;
        float inv = l[r] > 0.0f ? 1.0f / l[r] : 0.0f;
#pragma unroll
        for (int t = 0; t < ATT_MAXC; t++) {
            int c = t * 32 + lane;
            if (c < d) stf(out, odt, (i64)row * q_stride + (i64)h * d + c, acc[r][t] * inv);
        }
        if (lse && lane == 0) lse[(i64)row * heads + h] = l[r] > 0.0f ? m[r] + logf(l[r]) : -INFINITY;
    }
}

// ---- training: backward kernels ------------------------------------------------------------
//
// Reductions that produce weight gradients sum fixed partitions of rows in a fixed order
// (partial sums per block, then one thread per column), so a run's gradients do not depend on
// scheduling. The embedding and attention backward accumulate with atomics (order-dependent in
// the last bits of f32).

// dg, du of y = silu(g) · u.
__device__ __forceinline__ void swiglu_grad_one(float gv, float uv, float d, float& dg, float& du) {
    const float s = sigmoid_f(gv);
    dg = d * uv * s * (1.0f + gv * (1.0f - s));
    du = d * gv * s;
}

// vec: as k_binary's (16-bit elements, 16-byte aligned, n a multiple of 8).
extern "C" __global__ void k_swiglu_grad(int dt, const void* g, const void* u, const void* dy, void* dg,
                                         void* du, i64 n, int vec) {
    if (vec) {
        for (i64 t = global_id(); t < n / 8; t += global_stride()) {
            const uint4 pg = ((const uint4*)g)[t], pu = ((const uint4*)u)[t], pd = ((const uint4*)dy)[t];
            uint4 qg, qu;
            const unsigned short *eg = (const unsigned short*)&pg, *eu = (const unsigned short*)&pu,
                                 *ed = (const unsigned short*)&pd;
            unsigned short *og = (unsigned short*)&qg, *ou = (unsigned short*)&qu;
#pragma unroll
            for (int j = 0; j < 8; j++) {
                const float gv = dt == 1 ? bf16_to_f32(eg[j]) : f16_to_f32(eg[j]);
                const float uv = dt == 1 ? bf16_to_f32(eu[j]) : f16_to_f32(eu[j]);
                const float d = dt == 1 ? bf16_to_f32(ed[j]) : f16_to_f32(ed[j]);
                float a, b;
                swiglu_grad_one(gv, uv, d, a, b);
                og[j] = dt == 1 ? f32_to_bf16(a) : f32_to_f16(a);
                ou[j] = dt == 1 ? f32_to_bf16(b) : f32_to_f16(b);
            }
            ((uint4*)dg)[t] = qg;
            ((uint4*)du)[t] = qu;
        }
        return;
    }
    for (i64 t = global_id(); t < n; t += global_stride()) {
        float a, b;
        swiglu_grad_one(ldf(g, dt, t), ldf(u, dt, t), ldf(dy, dt, t), a, b);
        stf(dg, dt, t, a);
        stf(du, dt, t, b);
    }
}

// out[0] = the number of labels >= 0 whose index (if given) is >= 0. One block.
extern "C" __global__ void k_label_count(float* out, const void* labels, int lt, const void* index, int it, i64 n) {
    __shared__ float scratch[32];
    float c = 0.0f;
    for (i64 t = threadIdx.x; t < n; t += blockDim.x) {
        const bool keep = ldi(labels, lt, t) >= 0 && (!index || ldi(index, it, t) >= 0);
        c += keep ? 1.0f : 0.0f;
    }
    c = block_sum(c, scratch);
    if (threadIdx.x == 0) out[0] = c;
}

// work[p, c] = Σ x[r, c] over rows r ≡ p (mod parts). Grid (parts, column blocks).
extern "C" __global__ void k_col_partial(const void* x, int dt, i64 rows, i64 cols, float* work, int parts) {
    const i64 c = (i64)blockIdx.y * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    float s = 0.0f;
    for (i64 r = blockIdx.x; r < rows; r += parts) s += ldf(x, dt, r * cols + c);
    work[(i64)blockIdx.x * cols + c] = s;
}

// out[c] = Σ_p work[p, c]. Block (32, 8): thread (x, y) sums parts y, y + 8, ... of column
// blockIdx.x·32 + x, then thread y = 0 adds the 8 sums in order (deterministic; 8 loads in
// flight per column, where one thread per column would wait on each of `parts` loads in turn).
extern "C" __global__ void k_col_sum(const float* work, int parts, i64 cols, float* out) {
    __shared__ float part[8][33];
    const i64 c = (i64)blockIdx.x * 32 + threadIdx.x;
    float s = 0.0f;
    if (c < cols)
        for (int p = threadIdx.y; p < parts; p += 8) s += work[(i64)p * cols + c];
    part[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
        float t = 0.0f;
        for (int y = 0; y < 8; y++) t += part[y][threadIdx.x];
        out[c] = t;
    }
}

// Norm backward, one block per row: dx, and the row's mean and 1/σ into stats[r, 0..2] for
// k_norm_wgrad (rows in parallel, where one block per group of rows would work through its rows
// one latency-bound reduction at a time).
//   rms:   dx = r·(dy·w − x·r²·mean(dy·w·x)),                 dw += dy·x·r
//   layer: dx = r·(dy·w − mean(dy·w) − x̂·mean(dy·w·x̂)),       dw += dy·x̂, db += dy
extern "C" __global__ void k_norm_grad(void* dx, const void* x, const void* w, const void* dy, int dt, int wdt,
                                       i64 rows, int hidden, float eps, int layer, float* stats, float offset,
                                       const void* addend) {
    __shared__ float scratch[32];
    const float width = (float)hidden;
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const i64 o = r * hidden;
        float mean = 0.0f;
        if (layer) {
            float s = 0.0f;
            for (int c = threadIdx.x; c < hidden; c += blockDim.x) s += ldf(x, dt, o + c);
            mean = block_sum(s, scratch) / width;
        }
        float sq = 0.0f;
        for (int c = threadIdx.x; c < hidden; c += blockDim.x) {
            const float v = ldf(x, dt, o + c) - mean;
            sq += v * v;
        }
        const float inv = 1.0f / sqrtf(block_sum(sq, scratch) / width + eps);
        float gm = 0.0f, gx = 0.0f;
        for (int c = threadIdx.x; c < hidden; c += blockDim.x) {
            const float g = ldf(dy, dt, o + c) * (ldf(w, wdt, c) + offset);
            gm += g;
            gx += g * (ldf(x, dt, o + c) - mean) * inv;
        }
        gm = block_sum(gm, scratch) / width;
        gx = block_sum(gx, scratch) / width;
        // rms (mean 0): r·(g − x̂·mean(g·x̂)) is r·(g − x·r²·mean(g·x)).
        for (int c = threadIdx.x; c < hidden; c += blockDim.x) {
            const float xh = (ldf(x, dt, o + c) - mean) * inv;
            const float g = ldf(dy, dt, o + c) * (ldf(w, wdt, c) + offset);
            // dx may be the addend itself (in place: each thread reads what it writes).
            const float more = addend ? ldf(addend, dt, o + c) : 0.0f;
            stf(dx, dt, o + c, inv * (g - (layer ? gm : 0.0f) - xh * gx) + more);
        }
        if (threadIdx.x == 0) {
            stats[2 * r] = mean;
            stats[2 * r + 1] = inv;
        }
    }
}

// The norm's weight (and bias) gradient partials from k_norm_grad's row statistics:
// work[p, c] = Σ dy·x̂ and, for layer norm, work[parts + p, c] = Σ dy over rows r ≡ p (mod parts).
// Grid (parts, column blocks), as k_col_partial.
extern "C" __global__ void k_norm_wgrad(const void* x, const void* dy, int dt, const float* stats, i64 rows,
                                        i64 hidden, int layer, float* work) {
    const i64 c = (i64)blockIdx.y * blockDim.x + threadIdx.x;
    if (c >= hidden) return;
    const int parts = gridDim.x;
    float dw = 0.0f, db = 0.0f;
    for (i64 r = blockIdx.x; r < rows; r += parts) {
        const float d = ldf(dy, dt, r * hidden + c);
        dw += d * (ldf(x, dt, r * hidden + c) - stats[2 * r]) * stats[2 * r + 1];
        db += d;
    }
    work[(i64)blockIdx.x * hidden + c] = dw;
    if (layer) work[((i64)parts + blockIdx.x) * hidden + c] = db;
}

// out[ids[s], :] += dy[s, :] in f32 (out zeroed before). An id outside [0, vocab) adds nothing
// and records step + 1 in *err. det (--deterministic): each thread owns columns and adds every
// token's row into them in token order, without atomics.
extern "C" __global__ void k_embedding_grad(float* out, const void* ids, int it, const void* dy, int dt,
                                            i64 rows, i64 hidden, i64 vocab, unsigned* err, unsigned step,
                                            float scale, int det) {
    if (det) {
        for (i64 c = global_id(); c < hidden; c += global_stride()) {
            for (i64 s = 0; s < rows; s++) {
                const i64 id = ldi(ids, it, s);
                if (id >= 0 && id < vocab) {
                    out[id * hidden + c] += ldf(dy, dt, s * hidden + c) * scale;
                } else if (c == 0) {
                    atomicCAS(err, 0u, step + 1u);
                }
            }
        }
        return;
    }
    const i64 n = rows * hidden;
    for (i64 t = global_id(); t < n; t += global_stride()) {
        const i64 s = t / hidden, c = t % hidden;
        const i64 id = ldi(ids, it, s);
        if (id >= 0 && id < vocab) {
            atomicAdd(out + id * hidden + c, ldf(dy, dt, t) * scale);
        } else if (c == 0) {
            atomicCAS(err, 0u, step + 1u);
        }
    }
}

// One block per row of a logits chunk [n, vocab] (in dt: bf16 logits are what an autocast
// model's head writes): the row's loss lse − z[label] into row_loss (0 for ignored rows:
// label < 0, or index < 0), and with dlogits the gradient (softmax − onehot) / count in dt. dlogits
// may be the logits themselves (in place: each thread writes only the columns it read). A
// label ≥ vocab records step + 1 in *err.
extern "C" __global__ void k_ce_rows(const void* logits, i64 n, i64 vocab, const void* labels, int lt,
                                     const void* index, int it, const float* count, float* row_loss,
                                     void* dlogits, int dt, float cap, unsigned* err, unsigned step) {
    __shared__ float scratch[32];
    // With cap > 0 each logit is read as cap · tanh(z / cap) (Gemma 2's final cap).
#define CE_Z(v) (cap > 0.0f ? cap * tanhf(ldf(logits, dt, base + (v)) / cap) : ldf(logits, dt, base + (v)))
    for (i64 r = blockIdx.x; r < n; r += gridDim.x) {
        const i64 base = r * vocab;
        i64 label = ldi(labels, lt, r);
        if (index && ldi(index, it, r) < 0) label = -1;
        if (label >= vocab) {
            if (threadIdx.x == 0) atomicCAS(err, 0u, step + 1u);
            label = -1;
        }
        // One pass for the row's max and Σ exp (online softmax), each thread over its columns,
        // then the threads' pairs combined: the row is read twice (here and for dlogits), not 3
        // times. The thread that reads the label's logit keeps it (the row may be overwritten by
        // dlogits before another thread could read it).
        float m = -INFINITY, s = 0.0f, zl = 0.0f;
        for (i64 v = threadIdx.x; v < vocab; v += blockDim.x) {
            const float x = CE_Z(v);
            if (v == label) zl = x;
            if (x > m) {
                s = s * expf(m - x) + 1.0f;
                m = x;
            } else if (x > -INFINITY) {
                s += expf(x - m);
            }
        }
        float bm = m;
        for (int o = 16; o > 0; o >>= 1) bm = fmaxf(bm, __shfl_xor_sync(0xffffffffu, bm, o));
        __syncthreads();
        if ((threadIdx.x & 31) == 0) scratch[threadIdx.x >> 5] = bm;
        __syncthreads();
        bm = -INFINITY;
        for (int w = 0; w < (int)(blockDim.x >> 5); w++) bm = fmaxf(bm, scratch[w]);
        s = m == -INFINITY ? 0.0f : s * expf(m - bm);
        m = bm;
        const float lse = m + logf(block_sum(s, scratch));
        if (label < 0) {
            if (threadIdx.x == 0) row_loss[r] = 0.0f;
        } else if (label % blockDim.x == threadIdx.x) {
            row_loss[r] = lse - zl;
        }
        if (dlogits) {
            const float seed = (label >= 0 && count[0] > 0.0f) ? 1.0f / count[0] : 0.0f;
            for (i64 v = threadIdx.x; v < vocab; v += blockDim.x) {
                const float zc = CE_Z(v), t = cap > 0.0f ? zc / cap : 0.0f;
                const float p = (expf(zc - lse) - (v == label ? 1.0f : 0.0f)) * (1.0f - t * t);
                stf(dlogits, dt, base + v, seed * p);
            }
        }
    }
#undef CE_Z
}

// out[0] = Σ row_loss / count (0 when nothing is labelled). One block, in a fixed order.
extern "C" __global__ void k_ce_sum(const float* row_loss, i64 rows, const float* count, float* out) {
    __shared__ float scratch[32];
    float s = 0.0f;
    for (i64 r = threadIdx.x; r < rows; r += blockDim.x) s += row_loss[r];
    s = block_sum(s, scratch);
    if (threadIdx.x == 0) out[0] = count[0] > 0.0f ? s / count[0] : 0.0f;
}

// delta[row, h] = Σ_c dout·out over the head's columns. One warp per (row, head).
extern "C" __global__ void k_attention_delta(const void* out, int odt, const void* dout, int ddt, float* delta,
                                             i64 rows, int heads, int d) {
    const int lane = threadIdx.x & 31;
    const i64 nwarps = rows * heads;
    for (i64 w = global_id() >> 5; w < nwarps; w += global_stride() >> 5) {
        const i64 base = w * d;  // row-major [rows, heads·d]: (row, head) w starts at w·d
        float s = 0.0f;
        for (int c = lane; c < d; c += 32) s += ldf(out, odt, base + c) * ldf(dout, ddt, base + c);
        s = warp_sum(s);
        if (lane == 0) delta[w] = s;
    }
}

// Attention backward for one 32-key tile and query head blockIdx.y, over every query row,
// given the forward's lse and delta = Σ dout·out: with p = exp(scale·q·k − lse) (0 where the
// mask forbids) and ds = p·(dout·v − delta),
//   dq[i] += scale·Σ_j ds_ij k_j   (global atomics: f32 dq, zeroed before)
//   dk[j] += scale·Σ_i ds_ij q_i,  dv[j] += Σ_i p_ij dout_i   (shared tiles, then global atomics:
//                                   the heads of one kv group add into the same rows)
// Lane j owns key j for the scores; columns are split over lanes for the products. This is the
// reference and fallback path (any head dim ≤ 256, f32, every mask); cuDNN is the fast one.
// det (--deterministic): one block per KV group (gridDim = (1, kv_heads)) walks every key tile
// and the group's query heads in order with one warp, so every sum is added in a fixed order
// (each address has one writer, issuing in program order).
extern "C" __global__ void __launch_bounds__(ATT_WARPS * 32)
k_attention_bwd(const void* q, int qdt, const void* k, int kdt, const void* v, int vdt, i64 q_stride,
                i64 kv_stride, const void* q_index, int qi_it, const void* k_index, int ki_it,
                const void* q_seg, int qs_it, const void* k_seg, int ks_it, const void* dout, int ddt,
                const float* lse, const float* delta, float* dq, float* dk, float* dv, int sq, int sk,
                int heads, int kv_heads, int d, float scale, int causal, i64 window, float softcap, int det) {
    extern __shared__ float smem[];
    __shared__ i64 k_idx_s[ATT_BK];
    __shared__ i64 k_seg_s[ATT_BK];
    float* Ks = smem;                   // ATT_BK rows of d + 1 (padded)
    float* Vs = Ks + ATT_BK * (d + 1);  // ATT_BK rows of d + 1
    float* dKs = Vs + ATT_BK * (d + 1); // ATT_BK rows of d
    float* dVs = dKs + ATT_BK * d;      // ATT_BK rows of d
    float* Qw = dVs + ATT_BK * d;       // one query row per warp
    float* Dw = Qw + ATT_WARPS * d;     // one dout row per warp

    const int per = heads / kv_heads;
    const int g = det ? (int)blockIdx.y : (int)blockIdx.y / per;
    const int h0 = det ? g * per : (int)blockIdx.y, hn = det ? per : 1;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    // Rows per warp: all of them for warp 0 in det mode, else every ATT_WARPS-th.
    const int row0 = det ? (warp == 0 ? 0 : sq) : warp, row_step = det ? 1 : ATT_WARPS;
    for (int k0 = blockIdx.x * ATT_BK; k0 < sk; k0 += gridDim.x * ATT_BK) {
    __syncthreads();  // the previous tile's dK/dV are flushed before this one's are loaded
    for (int t = threadIdx.x; t < ATT_BK * d; t += blockDim.x) {
        const int j = t / d, c = t % d, kr = k0 + j;
        float kv = 0.0f, vv = 0.0f;
        if (kr < sk) {
            const i64 at = (i64)kr * kv_stride + (i64)g * d + c;
            kv = ldf(k, kdt, at);
            vv = ldf(v, vdt, at);
        }
        Ks[j * (d + 1) + c] = kv;
        Vs[j * (d + 1) + c] = vv;
        dKs[j * d + c] = 0.0f;
        dVs[j * d + c] = 0.0f;
    }
    for (int j = threadIdx.x; j < ATT_BK; j += blockDim.x) {
        const int kr = k0 + j;
        k_idx_s[j] = kr >= sk ? -1 : (k_index ? ldi(k_index, ki_it, kr) : (i64)kr);
        k_seg_s[j] = (kr < sk && k_seg) ? ldi(k_seg, ks_it, kr) : 0;
    }
    __syncthreads();
    const i64 kj = k_idx_s[lane], ksj = k_seg_s[lane];
    const float* krow = Ks + lane * (d + 1);
    const float* vrow = Vs + lane * (d + 1);
    float* qrow = Qw + warp * d;
    float* drow = Dw + warp * d;
    for (int h = h0; h < h0 + hn; h++)
    for (int i = row0; i < sq; i += row_step) {
        const i64 qi = q_index ? ldi(q_index, qi_it, i) : (i64)i;
        const i64 qs = q_seg ? ldi(q_seg, qs_it, i) : 0;
        const bool ok = att_allowed(qi, qs, kj, ksj, causal, window, q_seg != nullptr);
        const float L = lse[(i64)i * heads + h];
        if (!__any_sync(0xffffffffu, ok) || L == -INFINITY) continue;  // warp-uniform
        __syncwarp();
        for (int c = lane; c < d; c += 32) {
            const i64 at = (i64)i * q_stride + (i64)h * d + c;
            qrow[c] = ldf(q, qdt, at);
            drow[c] = ldf(dout, ddt, at);
        }
        __syncwarp();
        float p = 0.0f, ds = 0.0f;
        if (ok) {
            float s = 0.0f, dp = 0.0f;
            for (int c = 0; c < d; c++) {
                s += qrow[c] * krow[c];
                dp += drow[c] * vrow[c];
            }
            float sc = scale * s, dcap = 1.0f;
            if (softcap > 0.0f) {  // d(c·tanh(s/c))/ds = 1 − tanh²
                const float t = tanhf(sc / softcap);
                sc = softcap * t;
                dcap = 1.0f - t * t;
            }
            p = expf(sc - L);
            ds = p * (dp - delta[(i64)i * heads + h]) * dcap;
        }
        // Every lane takes part in the shuffles (no lane may leave the loop early).
        float acc[ATT_MAXC];
#pragma unroll
        for (int t = 0; t < ATT_MAXC; t++) acc[t] = 0.0f;
        for (int j = 0; j < ATT_BK; j++) {
            const float pj = __shfl_sync(0xffffffffu, p, j);
            const float dsj = __shfl_sync(0xffffffffu, ds, j);
            if (pj == 0.0f && dsj == 0.0f) continue;  // warp-uniform: broadcast values
#pragma unroll
            for (int t = 0; t < ATT_MAXC; t++) {
                const int c = t * 32 + lane;
                if (c < d) {
                    acc[t] += dsj * Ks[j * (d + 1) + c];
                    atomicAdd(dVs + j * d + c, pj * drow[c]);
                    atomicAdd(dKs + j * d + c, dsj * qrow[c] * scale);
                }
            }
        }
#pragma unroll
        for (int t = 0; t < ATT_MAXC; t++) {
            const int c = t * 32 + lane;
            if (c < d && acc[t] != 0.0f) atomicAdd(dq + (i64)i * q_stride + (i64)h * d + c, acc[t] * scale);
        }
    }
    __syncthreads();
    for (int t = threadIdx.x; t < ATT_BK * d; t += blockDim.x) {
        const int j = t / d, c = t % d, kr = k0 + j;
        if (kr >= sk) continue;
        const i64 at = (i64)kr * kv_stride + (i64)g * d + c;
        atomicAdd(dk + at, dKs[j * d + c]);
        atomicAdd(dv + at, dVs[j * d + c]);
    }
    }
}

// ---- optimizer (seqc-run --steps) -----------------------------------------------------------

// out[blockIdx.x] = Σ (g + g2)² over the elements this block visits (a fixed grid-stride order,
// summed in double: the global norm is the same run to run). g2 is the second gradient of a
// weight used twice (tied embeddings), or null.
extern "C" __global__ void k_sq_sum(const float* g, const float* g2, i64 n, double* out) {
    __shared__ double sh[256];
    double s = 0.0;
    for (i64 t = global_id(); t < n; t += global_stride()) {
        const float x = g[t] + (g2 ? g2[t] : 0.0f);
        s += (double)x * (double)x;
    }
    sh[threadIdx.x] = s;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) sh[threadIdx.x] += sh[threadIdx.x + w];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[blockIdx.x] = sh[0];
}

// One AdamW step on one tensor, as torch.optim.AdamW: g = (g + g2) * coef (the clip factor);
// master *= 1 - lr * wd; m, v the moments; master -= lr / c1 * m / (sqrt(v) / sqrt_c2 + eps).
// The weights the next step reads (`param`, type pdt) are rounded from the f32 master copy; a
// null `param` means the master copy is the weights (f32 plans).
__device__ __forceinline__ float adamw_one(float& master, float& m, float& v, float g, float lr, float wd, float b1,
                                           float b2, float eps, float c1, float sqrt_c2) {
    float p = master * (1.0f - lr * wd);
    m = b1 * m + (1.0f - b1) * g;
    v = b2 * v + (1.0f - b2) * g * g;
    p -= (lr / c1) * m / (sqrtf(v) / sqrt_c2 + eps);
    master = p;
    return p;
}

// `vec`: n is a multiple of 4 and every pointer 16-byte aligned, so each thread moves float4s
// (the update is bound by memory: 30 bytes a parameter).
extern "C" __global__ void k_adamw(float* master, float* m, float* v, const float* g, const float* g2, void* param,
                                   int pdt, i64 n, float lr, float wd, float b1, float b2, float eps, float c1,
                                   float sqrt_c2, float coef, int vec) {
    if (vec) {
        for (i64 t = global_id(); t < n / 4; t += global_stride()) {
            float4 gt = ((const float4*)g)[t];
            if (g2) {
                const float4 h = ((const float4*)g2)[t];
                gt.x += h.x; gt.y += h.y; gt.z += h.z; gt.w += h.w;
            }
            float4 pm = ((float4*)master)[t], mm = ((float4*)m)[t], vv = ((float4*)v)[t];
            const float a = adamw_one(pm.x, mm.x, vv.x, gt.x * coef, lr, wd, b1, b2, eps, c1, sqrt_c2);
            const float b = adamw_one(pm.y, mm.y, vv.y, gt.y * coef, lr, wd, b1, b2, eps, c1, sqrt_c2);
            const float c = adamw_one(pm.z, mm.z, vv.z, gt.z * coef, lr, wd, b1, b2, eps, c1, sqrt_c2);
            const float d = adamw_one(pm.w, mm.w, vv.w, gt.w * coef, lr, wd, b1, b2, eps, c1, sqrt_c2);
            ((float4*)master)[t] = pm;
            ((float4*)m)[t] = mm;
            ((float4*)v)[t] = vv;
            if (param) {
                if (pdt == 0) {
                    ((float4*)param)[t] = pm;
                } else {
                    ushort4 h;
                    h.x = pdt == 1 ? f32_to_bf16(a) : f32_to_f16(a);
                    h.y = pdt == 1 ? f32_to_bf16(b) : f32_to_f16(b);
                    h.z = pdt == 1 ? f32_to_bf16(c) : f32_to_f16(c);
                    h.w = pdt == 1 ? f32_to_bf16(d) : f32_to_f16(d);
                    ((ushort4*)param)[t] = h;
                }
            }
        }
        return;
    }
    for (i64 t = global_id(); t < n; t += global_stride()) {
        const float gt = (g[t] + (g2 ? g2[t] : 0.0f)) * coef;
        const float p = adamw_one(master[t], m[t], v[t], gt, lr, wd, b1, b2, eps, c1, sqrt_c2);
        if (param) stf(param, pdt, t, p);
    }
}
