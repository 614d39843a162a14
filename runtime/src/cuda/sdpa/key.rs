//! What determines a cuDNN attention graph, and which commands (or blocks of one) this path can
//! run at all. Pure: no cudarc types.

use crate::cuda::layout::DType;
use crate::cuda::program::AttentionCmd;

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
    pub(super) fn of_block(mask: Option<i64>) -> Self {
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
    /// Sliding window under the causal mask: key j is visible to query i when i − j < window
    /// (0: no window).
    pub window: usize,
    /// Packed documents (0: none): the graph's batch is this many documents of at most `sq`
    /// tokens each, laid out as cuDNN's ragged (THD) tensors over the plan's token-major
    /// buffers, each document's length its sequence length (`DocTable`). Statistics are then
    /// token-major ([tokens, heads]).
    pub docs: usize,
}

/// What makes a whole attention with segment ids a run of packed documents cuDNN can take.
fn packable(a: &AttentionCmd) -> Result<(), &'static str> {
    match (a.q_segment, a.k_segment) {
        (Some(qs), Some(ks)) if qs.0 == ks.0 => Ok(()),
        (Some(_), Some(_)) => Err("query and key segment ids in different buffers"),
        _ => Err("segment ids on one side only"),
    }
}

impl SdpaKey {
    /// Why a plain `attention` command has no key (it then runs on the NVRTC kernel), in words
    /// for the run's report; None when it has one.
    pub fn why_not(a: &AttentionCmd) -> Option<&'static str> {
        let dt = a.q.1;
        Some(if !matches!(dt, DType::BF16 | DType::F16) || [a.k.1, a.v.1, a.out.1].iter().any(|&t| t != dt) {
            "not bf16/f16 throughout (cuDNN's fused attention takes 16-bit data)"
        } else if a.softcap > 0.0 {
            "scores capped (softcap: the graphs built here have no tanh)"
        } else if (a.q_segment.is_some() || a.k_segment.is_some()) && let Err(why) = packable(a) {
            why
        } else if a.q_index.is_some() || a.k_index.is_some() || a.lse.is_some() {
            "a block of split attention (index vectors and log-sum-exp)"
        } else if a.window != 0 && !a.causal {
            "a window without the causal mask"
        } else if !a.head_dim.is_multiple_of(8) || a.head_dim > 128 {
            "head dim not a multiple of 8 up to 128"
        } else if a.kv_heads == 0 || !a.heads.is_multiple_of(a.kv_heads) {
            "heads not a multiple of KV heads"
        } else if a.sq != a.sk || a.sq == 0 {
            "queries and keys over different (or no) tokens"
        } else {
            return None;
        })
    }

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
            && a.softcap == 0.0
            && (a.window == 0 || a.causal)
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
            window: a.window.max(0) as usize,
            docs: 0,
        })
    }

    /// The key of a whole attention over packed documents (segment ids, one buffer for queries
    /// and keys) before its documents are known: `with_docs` completes it per run.
    pub fn packed(a: &AttentionCmd) -> Option<Self> {
        packable(a).ok()?;
        Self::of(&AttentionCmd { q_segment: None, k_segment: None, ..a.clone() })
    }

    /// This (packed) key for `count` documents, the longest `longest` tokens: the graph's
    /// sequence length is that rounded up to a power of two (at least 64), so that steps whose
    /// documents differ share graphs.
    pub fn with_docs(self, count: usize, longest: usize) -> Self {
        let s = padded_len(longest);
        Self { sq: s, sk: s, docs: count, ..self }
    }

    /// The key of one block of an `attention_partial` this path can run (`rows` queries against
    /// `cols` keys under `mask`, and a sliding window's `band` in the block's rows: its `window`
    /// is the band's bound, `Block::band`), or None. The partial's output is f32 (to be merged)
    /// or the io type (the layer's whole result).
    pub fn block(a: &AttentionCmd, rows: usize, cols: usize, mask: Option<i64>, band: Option<i64>) -> Option<Self> {
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
            && (a.window == 0 || a.causal)
            && band.is_none_or(|lo| lo >= 1)
            && a.softcap == 0.0
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
            window: band.map_or(0, |lo| lo as usize),
            docs: 0,
        })
    }
}

/// Packed documents as segment ids describe them: where each document starts, the longest, and
/// whether the ids never decrease (else one id may come back after another's, and the
/// documents are not the mask). What `k_doc_table` computes on the device, on the host (for tests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Documents {
    pub starts: Vec<usize>,
    pub longest: usize,
    pub rising: bool,
}

impl Documents {
    pub fn of(seg: &[i64]) -> Self {
        let starts: Vec<usize> = (0..seg.len()).filter(|&i| i == 0 || seg[i] != seg[i - 1]).collect();
        let longest = starts.iter().zip(starts.iter().skip(1).chain([&seg.len()])).map(|(a, b)| b - a).max().unwrap_or(0);
        Self { starts, longest, rising: seg.windows(2).all(|w| w[0] <= w[1]) }
    }
}

/// A document table's count with empty documents appended (`k_doc_table` with `pad`): the next
/// power of two, where the table's `tokens + 1` entries hold it.
pub fn padded_count(count: usize, tokens: usize) -> usize {
    let p = count.next_power_of_two();
    if p <= tokens { p } else { count }
}

/// A document table's graph sequence length: the longest document rounded up to a power of
/// two, at least 64.
pub fn padded_len(longest: usize) -> usize {
    longest.max(64).next_power_of_two()
}

/// What determines a cuDNN attention-backward graph: `sq` queries of `heads` query heads over
/// `sk` keys of `kv_heads` (GQA: dK and dV are summed over each group inside the graph), under
/// `mask`: a whole self-attention (sq = sk, top-left causal or none, maybe a window or packed
/// documents), or one block of a split or chunked attention (`Block`'s masks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BwdKey {
    pub sq: usize,
    pub sk: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub d: usize,
    pub mask: MaskKind,
    /// As `SdpaKey::window`.
    pub window: usize,
    pub dt: DType,
    /// As `SdpaKey::docs` (`sq` is then the padded document length).
    pub docs: usize,
    /// Calls over groups of KV heads (1: one call over every head): each call takes
    /// `kv_heads / split` KV heads and their query heads, so cuDNN's per-query-head dK/dV
    /// workspace and the f32 dQ accumulator are `split` times smaller.
    pub split: usize,
}

impl BwdKey {
    /// The key of an attention backward this path can run: the whole form (no index vectors or
    /// segments; a window only under the causal mask) in bf16 or f16, where the forward's output and statistics are
    /// recomputed by the fused forward (`SdpaKey::of` with statistics).
    pub fn of(g: &crate::cuda::program::AttentionGradCmd) -> Option<Self> {
        Self::from(g, SdpaKey::of)
    }

    /// The key of a backward over packed documents before its documents are known (see
    /// `SdpaKey::packed`); `with_docs` completes it per run.
    pub fn packed(g: &crate::cuda::program::AttentionGradCmd) -> Option<Self> {
        Self::from(g, SdpaKey::packed)
    }

    /// As `SdpaKey::with_docs`.
    pub fn with_docs(self, count: usize, longest: usize) -> Self {
        let s = padded_len(longest);
        Self { sq: s, sk: s, docs: count, ..self }
    }

    fn from(g: &crate::cuda::program::AttentionGradCmd, key: impl Fn(&AttentionCmd) -> Option<SdpaKey>) -> Option<Self> {
        let a = &g.fwd;
        let dt = a.q.1;
        let fwd = key(&AttentionCmd { out: (a.out.0, dt), lse: None, ..a.clone() })?;
        let ok = g.recompute && g.dout.1 == dt && [g.dq.1, g.dk.1, g.dv.1].iter().all(|&t| t == dt) && g.acc[0].is_some();
        ok.then_some(Self {
            sq: fwd.sq,
            sk: fwd.sk,
            heads: fwd.heads,
            kv_heads: fwd.kv_heads,
            d: fwd.d,
            mask: fwd.mask,
            window: fwd.window,
            dt,
            docs: 0,
            split: 1,
        })
    }

    /// The key of a block backward of `g` (`attention_partial_grad`: given the final output and
    /// lse, results in f32): as `SdpaKey::block` for its forward, with `rows` queries against
    /// `cols` keys under `mask`. None: the NVRTC kernel runs it.
    pub fn partial(g: &crate::cuda::program::AttentionGradCmd, rows: usize, cols: usize, mask: Option<i64>, band: Option<i64>) -> Option<Self> {
        let fwd = SdpaKey::block(&g.fwd, rows, cols, mask, band)?;
        let float = |t: DType| t == DType::F32 || t == fwd.dt;
        let ok = !g.recompute && float(g.fwd.out.1) && float(g.dout.1) && [g.dq.1, g.dk.1, g.dv.1].iter().all(|&t| t == DType::F32);
        ok.then_some(Self::of_forward(&fwd))
    }

    /// The key of one block of a whole attention cut into calls (`Block`), from the whole key.
    pub fn block(&self, rows: usize, cols: usize, mask: Option<i64>) -> Self {
        Self { sq: rows, sk: cols, mask: MaskKind::of_block(mask), split: 1, ..*self }
    }

    pub(super) fn of_forward(f: &SdpaKey) -> Self {
        Self { sq: f.sq, sk: f.sk, heads: f.heads, kv_heads: f.kv_heads, d: f.d, mask: f.mask, window: f.window, dt: f.dt, docs: f.docs, split: 1 }
    }

    /// This key in `split` calls over groups of KV heads (a divisor of `kv_heads`; else 1).
    pub fn in_groups(self, split: usize) -> Self {
        let split = if split > 0 && self.kv_heads.is_multiple_of(split) { split } else { 1 };
        Self { split, ..self }
    }

    /// The forward that recomputes the output and statistics.
    pub fn forward(&self, scale: f32) -> SdpaKey {
        SdpaKey {
            sq: self.sq,
            sk: self.sk,
            heads: self.heads,
            kv_heads: self.kv_heads,
            d: self.d,
            mask: self.mask,
            dt: self.dt,
            scale_bits: scale.to_bits(),
            stats: true,
            window: self.window,
            docs: self.docs,
        }
    }
}
