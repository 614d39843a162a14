//! The block planner: how one `attention_partial` (or a long causal `attention`) runs as cuDNN
//! calls, from its index vectors alone. Pure, so that every layout and cut setting can be checked
//! exactly on the host (runtime/tests/tests/sdpa.rs).

use crate::cuda::kernels::MergeMode;
use crate::cuda::layout::{Run, runs};

/// One SDPA call of a decomposed `attention_partial`: query run `q` against key run `k` (rows
/// of the keys in token order). `mask`: None, or Some(offset): key j visible to query i when
/// j <= i + offset. `band` (a sliding window, `window_plan`): None, or Some(lo): key j visible
/// to query i only when j + lo > i.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    pub q: Run,
    pub k: Run,
    pub mask: Option<i64>,
    pub band: Option<i64>,
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

    /// `from_env` over any source of variables (tests pass their own).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Self {
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

/// `plan` (a causal `partial_plan`) under a sliding window of `window` tokens (key token t
/// visible to query token u when u − t < window): each block's keys start at its first query's
/// window (blocks left with no key go), and a block whose farthest pair is `window` or more
/// apart gets the band in its own rows (`Block::band`). A dropped block can leave rows in no
/// block, or a row's first block folded: the merge modes are made again.
pub fn window_plan(mut plan: PartialPlan, window: usize, rows: usize) -> PartialPlan {
    let w = window as i64;
    plan.blocks = plan
        .blocks
        .iter()
        .filter_map(|b| {
            let (qa, qb) = (b.q.first, b.q.last());
            let shift = (qa - w + 1 - b.k.first).max(0);
            if shift >= b.k.len as i64 {
                return None;
            }
            let k = Run { row: b.k.row + shift as usize, len: b.k.len - shift as usize, first: b.k.first + shift };
            let mask = b.mask.map(|o| o - shift);
            let band = (qb - k.first >= w).then_some(w - (qa - k.first));
            Some(Block { q: b.q, k, mask, band })
        })
        .collect();
    let (modes, reset) = merge_modes(&plan.blocks, rows);
    PartialPlan { modes, reset, ..plan }
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
        blocks.push(Block { q, k: Run { len: offset + start + len, ..k }, mask: Some((offset + start) as i64), band: None });
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
            blocks.push(Block { q: rows, k: Run { row: k.row + start, len, first: k.first + start as i64 }, mask: Some(0), band: None });
            push_unmasked(blocks, rows, Run { len: start, ..k }, cut);
        }
    } else {
        blocks.push(Block { q: Run { len: n, ..q }, k: Run { len: n, ..k }, mask: Some(0), band: None });
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
            blocks.push(Block { q, k, mask: None, band: None });
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

/// The previous decomposition, kept for comparison (SEQC_SDPA_SORT=0): key runs as they lie in
/// memory; a causal pair must be skipped, unmasked, or cover the same tokens.
pub fn unsorted_plan(qi: &[i64], ki: &[i64], causal: bool) -> Option<PartialPlan> {
    let (qr, kr) = (runs(qi), runs(ki));
    let mut blocks = Vec::new();
    for q in &qr {
        for k in &kr {
            if !causal || k.last() <= q.first {
                blocks.push(Block { q: *q, k: *k, mask: None, band: None });
            } else if k.first > q.last() {
                continue;
            } else if k.first == q.first && k.len == q.len {
                blocks.push(Block { q: *q, k: *k, mask: Some(0), band: None });
            } else {
                return None;
            }
        }
    }
    let (modes, reset) = merge_modes(&blocks, qi.len());
    Some(PartialPlan { key_order: None, blocks, modes, reset })
}

/// Query rows and the blocks over them: the first block writes the rows, the others fold in.
pub type Groups = Vec<(Run, std::ops::Range<usize>)>;

/// Groups the blocks of `plan` by query rows; None unless every group's blocks are consecutive,
/// cover exactly its rows, and write before they fold. Such a plan can write a result in the io
/// type group by group: a group of one block straight into its rows, others through a
/// group-sized f32 buffer.
pub fn query_groups(plan: &PartialPlan) -> Option<Groups> {
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

/// How one block of a causal plan runs over packed documents (segment ids that never decrease
/// along the tokens), from `doc_blocks`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocBlock {
    /// Unmasked: every key is at or before every query, so at most one document holds both, as
    /// a prefix of the query rows and a suffix of the key rows (`doc_rect`): one call over that
    /// rectangle, or none.
    Rect,
    /// A top-left causal square (queries and keys over the same tokens): the documents inside it
    /// as one ragged call, as a whole packed attention runs.
    Square,
}

/// The kind of each block of `plan` (a causal `partial_plan` cut without whole diagonals, maybe
/// under a window: `window_plan`) over packed documents; None where a block is neither (a
/// bottom-right diagonal). A block keeps its band.
pub fn doc_blocks(plan: &PartialPlan) -> Option<Vec<DocBlock>> {
    plan.blocks
        .iter()
        .map(|b| match b.mask {
            None if b.k.last() <= b.q.first => Some(DocBlock::Rect),
            Some(0) if b.q.first == b.k.first && b.q.len == b.k.len => Some(DocBlock::Square),
            _ => None,
        })
        .collect()
}

/// The rectangle one document holds in an unmasked block (`DocBlock::Rect`), from the ids of
/// its query rows and of its key rows (in token order): its first `a` query rows see its last
/// `b` key rows, (0, 0) when no document spans both. What `k_doc_rects` computes on the device.
/// None: the ids are not packed documents here (they decrease within the rows, or the last
/// key's id passes the first query's).
pub fn doc_rect(q: &[i64], k: &[i64]) -> Option<(usize, usize)> {
    let rising = |s: &[i64]| s.windows(2).all(|w| w[0] <= w[1]);
    let (&first, &last) = (q.first()?, k.last()?);
    if !rising(q) || !rising(k) || last > first {
        return None;
    }
    if last < first {
        return Some((0, 0));
    }
    let a = q.iter().take_while(|&&s| s == first).count();
    let b = k.iter().rev().take_while(|&&s| s == first).count();
    Some((a, b))
}

/// A rectangle block's part inside its one document: its first `a` query rows against its last
/// `b` key rows (unmasked; a window's band moved with the keys' first row).
pub fn rect_part(blk: &Block, a: usize, b: usize) -> Block {
    let skip = blk.k.len - b;
    Block {
        q: Run { len: a, ..blk.q },
        k: Run { row: blk.k.row + skip, len: b, first: blk.k.first + skip as i64 },
        mask: None,
        band: blk.band.map(|lo| lo + skip as i64),
    }
}

/// The most dP workspace (bytes) one call of a deterministic backward cut into query chunks
/// takes (`det_chunk`).
pub const DET_CALL_DP: usize = 4 << 30;

/// Query rows per chunk for a deterministic attention backward of `heads` query heads (in
/// `split` calls over KV groups) over `sq` queries and `sk` keys, whose one call's dP workspace
/// (heads × queries × keys × 2 bytes) would pass `limit` bytes: the most rows (a power of two, at
/// least `MIN_CHUNK`) whose calls, over keys in pieces of `PIECE_CHUNKS` chunks, stay within
/// `DET_CALL_DP`. None: one call fits.
pub fn det_chunk(heads: usize, split: usize, sq: usize, sk: usize, limit: usize) -> Option<usize> {
    if heads / split.max(1) * sq * sk * 2 <= limit {
        return None;
    }
    let fits = |c: usize| heads * c * sk.min(c * PIECE_CHUNKS) * 2 <= DET_CALL_DP;
    let mut chunk = MIN_CHUNK;
    while chunk * 2 < sq && fits(chunk * 2) {
        chunk *= 2;
    }
    Some(chunk)
}
