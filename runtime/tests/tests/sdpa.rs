//! The cuDNN attention block planner (`cuda::sdpa`), on the host: every query/key pair is
//! attended exactly once, merge modes and query groups are consistent, and cuDNN only gets the
//! block shapes its engines take, for hand-picked and random layouts under every cut setting.

use seq_runtime::cuda::kernels::MergeMode;
use seq_runtime::cuda::layout::{Run, runs};
use seq_runtime::cuda::sdpa::{Cut, MIN_CHUNK, PIECE_CHUNKS, PartialPlan, partial_plan, query_groups, unsorted_plan, window_plan};

/// No query chunks; diagonal blocks always or never whole.
fn plain(diagonal: bool) -> Cut {
    Cut { diagonal_rows: if diagonal { usize::MAX } else { 0 }, chunk: 0, piece: 0 }
}

/// A xorshift generator, seeded per test.
struct Rng(u64);

impl Rng {
    fn below(&mut self, m: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % m
    }

    /// `count` query and key token sets over up to `tokens` tokens (each token kept 2 times in
    /// 3), in random row orders, each with fewer than `pad` padding rows (−1) after: what any
    /// shard layout gives.
    fn layouts(&mut self, count: usize, tokens: u64, pad: u64) -> Vec<(Vec<i64>, Vec<i64>)> {
        (0..count)
            .map(|_| {
                let total = 1 + self.below(tokens) as i64;
                let mut pick = || {
                    let mut v: Vec<i64> = (0..total).filter(|_| self.below(3) > 0).collect();
                    for i in (1..v.len()).rev() {
                        v.swap(i, self.below(i as u64 + 1) as usize);
                    }
                    v.extend((0..self.below(pad)).map(|_| -1));
                    v
                };
                (pick(), pick())
            })
            .collect()
    }
}

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
                if b.mask.is_some_and(|o| j as i64 > i as i64 + o) || b.band.is_some_and(|lo| j as i64 + lo <= i as i64) {
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
    expect_exact_window(qi, ki, causal, 0, plan);
}

/// As `expect_exact`, under a sliding window of `window` tokens (0: none).
fn expect_exact_window(qi: &[i64], ki: &[i64], causal: bool, window: i64, plan: &PartialPlan) {
    let seen = visible(plan, qi.len(), ki.len()).expect("a pair in two blocks");
    for (r, &qt) in qi.iter().enumerate() {
        for (c, &kt) in ki.iter().enumerate() {
            let want = qt >= 0 && kt >= 0 && (!causal || kt <= qt) && (window == 0 || qt - kt < window);
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
    let whole = partial_plan(&q, &k, true, plain(true)).expect("expressible");
    assert_eq!(whole.key_order, Some(vec![0, 1, 4, 5, 6, 7, 2, 3]));
    // Chunk 0: keys 0..2 top-left causal; chunk 3: keys 0..8 with the diagonal at +6.
    assert_eq!(shapes(&whole), vec![(0, 2, 0, 2, Some(0)), (2, 2, 0, 8, Some(6))]);
    assert_eq!((whole.modes.clone(), whole.reset), (vec![MergeMode::Assign; 2], false));
    let split = partial_plan(&q, &k, true, plain(false)).expect("expressible");
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
    assert_eq!(partial_plan(&[2, 3], &[0, 1, 2, 3], true, plain(false)).map(|p| p.key_order), Some(None));
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
    assert_eq!(partial_plan(&t, &t, true, plain(false)).map(|p| p.blocks.len()), Some(1));
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
    assert_eq!(partial_plan(&[0, 1], &[0, 0], true, plain(false)), None, "repeated key tokens");
}

#[test]
fn random_layouts_are_exact() {
    // Random token sets (with padding) in random row orders, as any shard layout gives.
    for (q, k) in Rng(0x9e37_79b9_7f4a_7c15).layouts(400, 24, 3) {
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

/// Every plain attention has exactly one of: a cuDNN key, a packed-documents key (segment ids in
/// one buffer: cuDNN's ragged graph), or a reason it runs on the kernel (the run's report
/// prints the reason).
#[test]
fn attention_without_a_key_says_why() {
    use seq_runtime::cuda::layout::DType;
    use seq_runtime::cuda::program::{Addr, AttentionCmd, Region};
    use seq_runtime::cuda::sdpa::SdpaKey;
    let at = |off| Addr { region: Region::Arena, off };
    let base = bf16_attention(256, 256);
    let cases: Vec<(AttentionCmd, Option<&str>)> = vec![
        (base.clone(), None),
        (AttentionCmd { window: 32, ..base.clone() }, None),
        (AttentionCmd { q: (at(0), DType::F32), ..base.clone() }, Some("16-bit")),
        (AttentionCmd { q_segment: Some((at(4 << 20), DType::I32)), k_segment: Some((at(5 << 20), DType::I32)), ..base.clone() }, Some("different buffers")),
        (AttentionCmd { window: 32, causal: false, ..base.clone() }, Some("without the causal mask")),
        (AttentionCmd { head_dim: 256, ..base.clone() }, Some("head dim")),
        (AttentionCmd { heads: 6, kv_heads: 4, ..base.clone() }, Some("KV heads")),
    ];
    for (i, (a, want)) in cases.into_iter().enumerate() {
        let (key, why) = (SdpaKey::of(&a), SdpaKey::why_not(&a));
        assert!(SdpaKey::packed(&a).is_none(), "case {i}: no segments in one buffer, yet packed");
        assert_eq!(key.is_some(), why.is_none(), "case {i}: a key and a reason at once, or neither ({why:?})");
        match want {
            None => assert!(key.is_some_and(|k| k.window == a.window.max(0) as usize), "case {i}: {why:?}"),
            Some(w) => assert!(why.is_some_and(|r| r.contains(w)), "case {i}: {why:?} should mention {w}"),
        }
    }
    // Packed documents: segment ids in one buffer, with or without a window.
    let seg = Some((at(4 << 20), DType::I32));
    for (i, a) in [AttentionCmd { q_segment: seg, k_segment: seg, ..base.clone() }, AttentionCmd { q_segment: seg, k_segment: seg, window: 32, ..base.clone() }]
        .into_iter()
        .enumerate()
    {
        assert!(SdpaKey::of(&a).is_none() && SdpaKey::why_not(&a).is_none(), "packed case {i}");
        let key = SdpaKey::packed(&a).expect("a packed key");
        let k = key.with_docs(3, 100);
        assert_eq!((k.docs, k.sq, k.sk, k.window, k.heads, k.kv_heads), (3, 128, 128, a.window as usize, 8, 2), "packed case {i}");
    }
}

/// The document table's host mirror (what `k_doc_table` computes): a document starts where the
/// id changes; ids that come back after another's are not packed documents.
#[test]
fn segment_ids_become_a_document_table() {
    use seq_runtime::cuda::sdpa::{Documents, padded_count, padded_len};
    let d = Documents::of(&[0, 0, 0, 1, 1, 4, 4, 4, 4, 9]);
    assert_eq!(d, Documents { starts: vec![0, 3, 5, 9], longest: 4, rising: true });
    let one = Documents::of(&[7; 5]);
    assert_eq!((one.starts, one.longest, one.rising), (vec![0], 5, true));
    let back = Documents::of(&[0, 0, 1, 1, 0]);
    assert_eq!((back.starts, back.rising), (vec![0, 2, 4], false));
    assert_eq!(Documents::of(&[]).starts.len(), 0);
    // Graph lengths: a power of two, at least 64, never shorter than the longest document.
    for (longest, want) in [(1, 64), (64, 64), (65, 128), (14954, 16384), (16384, 16384)] {
        assert_eq!(padded_len(longest), want, "{longest}");
    }
    // Table counts: a power of two of empty documents more, unless the table cannot hold it.
    for (count, tokens, want) in [(1, 10, 1), (3, 1024, 4), (8, 32768, 8), (9, 32768, 16), (600, 1000, 600), (1000, 1000, 1000)] {
        assert_eq!(padded_count(count, tokens), want, "{count} of {tokens}");
    }
}

/// The block backward's keys (`BwdKey::partial`): an `attention_partial_grad` in bf16 with its
/// f32 output, lse and gradients runs as cuDNN block backwards of each block's shape, mask and
/// band; what the forward's blocks cannot take (f32 data, a window without the causal mask,
/// segments, capped scores) and the
/// whole form (which recomputes) do not, and the whole form's key never takes a block command.
#[test]
fn block_backward_keys() {
    use seq_runtime::cuda::layout::DType;
    use seq_runtime::cuda::program::{Addr, AttentionCmd, AttentionGradCmd, Region};
    use seq_runtime::cuda::sdpa::{BwdKey, MaskKind};
    let at = |off| Addr { region: Region::Arena, off };
    let ix = Some((at(8 << 20), DType::I32));
    let fwd = AttentionCmd {
        q_index: ix,
        k_index: ix,
        out: (at(3 << 20), DType::F32),
        lse: Some(at(4 << 20)),
        static_index: true,
        ..bf16_attention(256, 512)
    };
    let f32_at = |off| (at(off), DType::F32);
    let g = AttentionGradCmd {
        fwd: fwd.clone(),
        recompute: false,
        dout: f32_at(5 << 20),
        dq: f32_at(6 << 20),
        dk: f32_at(7 << 20),
        dv: f32_at(9 << 20),
        delta: at(10 << 20),
        acc: [None; 3],
        saved: None,
    };
    for (mask, kind) in [(None, MaskKind::None), (Some(0), MaskKind::Causal), (Some(64), MaskKind::Diagonal)] {
        let key = BwdKey::partial(&g, 128, 192, mask, None).expect("a block backward key");
        assert_eq!((key.sq, key.sk, key.heads, key.kv_heads, key.d, key.mask, key.dt), (128, 192, 8, 2, 64, kind, DType::BF16));
        assert_eq!(key.forward(0.125).sk, 192, "the block's forward has the block's keys");
    }
    // The output and its gradient may be io-typed (a partial that is the layer's whole result).
    let io = AttentionGradCmd { fwd: AttentionCmd { out: (at(3 << 20), DType::BF16), ..fwd.clone() }, dout: (at(5 << 20), DType::BF16), ..g.clone() };
    assert!(BwdKey::partial(&io, 64, 64, Some(0), None).is_some());
    // A sliding window: the block's band bound becomes its graph's window.
    let windowed = AttentionGradCmd { fwd: AttentionCmd { window: 16, ..fwd.clone() }, ..g.clone() };
    let key = BwdKey::partial(&windowed, 64, 80, Some(16), Some(1)).expect("a windowed block");
    assert_eq!((key.window, key.mask), (1, MaskKind::Diagonal));
    assert!(BwdKey::partial(&windowed, 64, 64, None, Some(0)).is_none(), "a band bound below 1 keeps no key");
    let refused: Vec<(&str, AttentionGradCmd)> = vec![
        ("f32 data", AttentionGradCmd { fwd: AttentionCmd { q: (at(0), DType::F32), ..fwd.clone() }, ..g.clone() }),
        ("window without the causal mask", AttentionGradCmd { fwd: AttentionCmd { window: 16, causal: false, ..fwd.clone() }, ..g.clone() }),
        ("segments", AttentionGradCmd { fwd: AttentionCmd { q_segment: ix, k_segment: ix, ..fwd.clone() }, ..g.clone() }),
        ("softcap", AttentionGradCmd { fwd: AttentionCmd { softcap: 30.0, ..fwd.clone() }, ..g.clone() }),
        ("bf16 gradients", AttentionGradCmd { dk: (at(7 << 20), DType::BF16), ..g.clone() }),
        ("the whole form", AttentionGradCmd { recompute: true, ..g.clone() }),
        ("head dim 256", AttentionGradCmd { fwd: AttentionCmd { head_dim: 256, ..fwd.clone() }, ..g.clone() }),
    ];
    for (why, c) in &refused {
        assert!(BwdKey::partial(c, 128, 128, None, None).is_none(), "{why}: should run on the kernel");
    }
    assert!(BwdKey::of(&g).is_none(), "a block backward is not the whole form");
}

/// Sliding windows on split attention (`window_plan`): every pair inside the window is attended
/// exactly once and none outside, keys start at each block's window (no block keeps a key no
/// query of it can see), bands stay in the blocks' rows (a key row visible at all), and the
/// shapes cuDNN gets are unchanged, on the hand-picked and random layouts under every cut.
#[test]
fn windowed_plans_are_exact() {
    let mut layouts: Vec<(Vec<i64>, Vec<i64>)> = vec![
        // Zigzag over 2 ranks after a Ulysses all-to-all: chunks 0, 3, 1, 2 of 4 tokens each.
        ((0..4).chain(12..16).chain(4..12).collect(), (0..4).chain(12..16).chain(4..12).collect()),
        (vec![8, 9, 10, 11], vec![0, 1, 2, 3, 4, 5, 6, 7]),
        (vec![0, 1, 6, 7], vec![2, 3, 4, 5]),
    ];
    layouts.extend(Rng(0x2545_f491_4f6c_dd1d).layouts(300, 28, 2));
    let mut banded = 0;
    for (q, k) in &layouts {
        for window in [1i64, 2, 3, 5, 8] {
            for cut in CUTS {
                let plan = window_plan(partial_plan(q, k, true, cut).expect("distinct keys"), window as usize, q.len());
                expect_exact_window(q, k, true, window, &plan);
                expect_modes_consistent(&plan, q.len());
                expect_cudnn_shapes(&plan);
                for b in &plan.blocks {
                    assert!(b.k.first > b.q.first - window, "a key before the first query's window: {b:?}");
                    assert!(b.band.is_none_or(|lo| lo >= 1), "{b:?}");
                    banded += b.band.is_some() as usize;
                }
            }
        }
    }
    assert!(banded > 1000, "the layouts should need bands ({banded})");
}

/// A causal bf16 attention of `sq` queries against `sk` keys (8 query and 2 KV heads of 64) at
/// fixed arena offsets: q, k, v at 0, 1 and 2 MiB, the output at 3 MiB.
fn bf16_attention(sq: usize, sk: usize) -> seq_runtime::cuda::program::AttentionCmd {
    use seq_runtime::cuda::layout::DType;
    use seq_runtime::cuda::program::{Addr, AttentionCmd, Region};
    let at = |off| Addr { region: Region::Arena, off };
    AttentionCmd {
        q: (at(0), DType::BF16),
        k: (at(1 << 20), DType::BF16),
        v: (at(2 << 20), DType::BF16),
        q_index: None,
        k_index: None,
        q_segment: None,
        k_segment: None,
        out: (at(3 << 20), DType::BF16),
        lse: None,
        sq,
        sk,
        heads: 8,
        kv_heads: 2,
        head_dim: 64,
        scale: 0.125,
        causal: true,
        window: 0,
        softcap: 0.0,
        static_index: false,
        save: None,
    }
}

/// Packed documents on split attention (`doc_blocks`, `doc_rect`, `rect_part`): with whole
/// diagonals cut away, every block of a causal plan (windowed or not) is a rectangle (one
/// document at most, its query prefix against its key suffix, the band moved with the keys) or
/// a square (its documents, each causal, under the band); together they attend each pair of one
/// document with the key at or before the query (and inside the window) exactly once and no
/// other pair, on zigzag, ring and random layouts with documents shorter than a block, spanning
/// several, and of one token. Ids that come back are refused.
#[test]
fn documents_on_split_blocks_are_exact() {
    use seq_runtime::cuda::sdpa::{DocBlock, Documents, doc_blocks, doc_rect, rect_part};
    let mut rng = Rng(0x51_7cc1_b727_220a);
    let mut layouts: Vec<(Vec<i64>, Vec<i64>)> = vec![
        // Zigzag over 2 ranks: rank 0 holds chunks 0 and 3, rank 1 chunks 1 and 2 (a ring step).
        ((0..4).chain(12..16).collect(), (4..12).collect()),
        ((0..4).chain(12..16).collect(), (0..4).chain(12..16).collect()),
        // All-gather-KV: the whole sequence in zigzag order.
        ((4..12).collect(), (0..4).chain(12..16).chain(4..12).collect()),
    ];
    layouts.extend(rng.layouts(300, 28, 2));
    let (mut rects, mut squares, mut spans, mut banded) = (0, 0, 0, 0);
    for (qi, ki) in &layouts {
        // Document ids rising over the tokens: one token, short, long, one document.
        for spread in [1u64, 2, 4, 40] {
            let mut doc = vec![0i64; 32];
            for t in 1..32 {
                doc[t] = doc[t - 1] + i64::from(rng.below(spread) == 0);
            }
            let id = |t: i64| doc[t.max(0) as usize];
            for (cut, window) in CUTS.into_iter().flat_map(|c| [0i64, 1, 3, 8].map(|w| (c, w))) {
                let cut = Cut { diagonal_rows: 0, ..cut };
                let mut plan = partial_plan(qi, ki, true, cut).expect("distinct keys");
                if window > 0 {
                    plan = window_plan(plan, window as usize, qi.len());
                }
                let kinds = doc_blocks(&plan).expect("rectangles and squares only");
                let order: Vec<usize> = match &plan.key_order {
                    Some(o) => o.iter().map(|&r| r as usize).collect(),
                    None => (0..ki.len()).collect(),
                };
                let ktok = |row: usize| ki[order[row]];
                let mut seen = vec![vec![false; ki.len()]; qi.len()];
                let mut see = |qr: usize, kr: usize| assert!(!std::mem::replace(&mut seen[qr][order[kr]], true), "a pair twice");
                for (blk, kind) in plan.blocks.iter().zip(&kinds) {
                    let qs: Vec<i64> = (0..blk.q.len).map(|i| id(qi[blk.q.row + i])).collect();
                    let ks: Vec<i64> = (0..blk.k.len).map(|j| id(ktok(blk.k.row + j))).collect();
                    match kind {
                        DocBlock::Rect => {
                            rects += 1;
                            let (a, b) = doc_rect(&qs, &ks).expect("rising ids");
                            spans += usize::from(a > 0);
                            let part = rect_part(blk, a, b);
                            banded += usize::from(a > 0 && part.band.is_some());
                            for i in 0..part.q.len {
                                for j in 0..part.k.len {
                                    if part.band.is_none_or(|lo| j as i64 + lo > i as i64) {
                                        see(part.q.row + i, part.k.row + j);
                                    }
                                }
                            }
                        }
                        DocBlock::Square => {
                            squares += 1;
                            let d = Documents::of(&qs);
                            assert!(d.rising);
                            for (n, &s) in d.starts.iter().enumerate() {
                                let e = d.starts.get(n + 1).copied().unwrap_or(blk.q.len);
                                for i in s..e {
                                    for j in s..=i {
                                        if blk.band.is_none_or(|lo| j as i64 + lo > i as i64) {
                                            see(blk.q.row + i, blk.k.row + j);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                for (r, &qt) in qi.iter().enumerate() {
                    for (c, &kt) in ki.iter().enumerate() {
                        let want = qt >= 0 && kt >= 0 && kt <= qt && id(qt) == id(kt) && (window == 0 || qt - kt < window);
                        assert_eq!(seen[r][c], want, "q row {r} (token {qt}) × k row {c} (token {kt}), docs {doc:?}, plan {plan:?}");
                    }
                }
            }
        }
    }
    assert!(rects > 1000 && squares > 1000 && spans > 500 && banded > 100, "{rects} rectangles ({spans} spanned, {banded} banded), {squares} squares");
    // Ids that come back after another's are not packed documents.
    assert_eq!(doc_rect(&[3, 3, 4], &[1, 3, 3]), Some((2, 2)));
    assert_eq!(doc_rect(&[3, 3, 4], &[1, 2, 2]), Some((0, 0)));
    assert_eq!(doc_rect(&[3, 2], &[1]), None, "falling query ids");
    assert_eq!(doc_rect(&[3], &[3, 1]), None, "falling key ids");
    assert_eq!(doc_rect(&[3], &[4]), None, "a key's id past the query's");
    // Whole diagonals (bottom-right) are not document blocks.
    let whole = partial_plan(&[4, 5, 6, 7], &[0, 1, 2, 3, 4, 5, 6, 7], true, plain(true)).expect("plan");
    assert_eq!(doc_blocks(&whole), None);
}

/// `--deterministic`'s query chunks (`det_chunk`): a backward whose one call's dP workspace
/// passes the limit is cut into the largest power-of-two chunks whose calls stay within
/// `DET_CALL_DP`; what fits stays one call.
#[test]
fn deterministic_backward_chunks_bound_the_workspace() {
    use seq_runtime::cuda::sdpa::{DET_CALL_DP, det_chunk};
    let gib = 1usize << 30;
    // Llama-3-8B shape (32 query heads): 32K in one call (64 GiB, measured whole), 128K (one
    // call per KV head: 4 heads, 128 GiB) in chunks of 2048 rows over 16K-key pieces (4 GiB).
    assert_eq!(det_chunk(32, 1, 32768, 32768, 64 * gib), None);
    assert_eq!(det_chunk(32, 8, 131072, 131072, 64 * gib), Some(2048));
    assert_eq!(det_chunk(32, 1, 32768, 32768, 16 * gib), Some(2048));
    for (heads, split, s) in [(32, 1, 65536), (8, 1, 1 << 20), (64, 8, 262144), (128, 1, 8192)] {
        let Some(c) = det_chunk(heads, split, s, s, 0) else { panic!("{heads} heads at {s}: no chunks") };
        assert!(c.is_power_of_two() && c >= MIN_CHUNK && c < s, "{c}");
        let call = |c: usize| heads * c * s.min(c * PIECE_CHUNKS) * 2;
        assert!(call(c) <= DET_CALL_DP || c == MIN_CHUNK, "{heads} heads at {s}: {c} rows take {} B", call(c));
        assert!(2 * c >= s || call(2 * c) > DET_CALL_DP, "{heads} heads at {s}: {c} rows is not the most");
    }
}
