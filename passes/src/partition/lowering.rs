//! How each strategy computes one attention layer on a rank, written with the typed builders.
//! Inputs are the rank's local rows; every emitter returns the local output rows. Used by
//! `seq-lower-attention` and, on one-layer programs, by the chooser to price strategies.

use crate::config::Strategy;
use seq_ir::{
    Attr, AttentionConfig, BuildError, Builder, DType, OpKind, TensorType, Type, ValueId,
    builder::attrs,
    verify::SEGMENT_SIZES,
};
use std::collections::BTreeMap;

/// The axis spanning every device.
pub const ALL: &str = "sp";

/// Marks a halo exchange's attention (and its backward): its keys are its queries' windows.
pub const HALO: &str = "halo";

/// One attention layer's local operands.
#[derive(Clone, Debug)]
pub struct AttnInputs {
    pub q: ValueId,
    pub k: ValueId,
    pub v: ValueId,
    /// Global token index of each local row (-1 for padding).
    pub index: ValueId,
    pub segments: Option<ValueId>,
    pub cfg: AttentionConfig,
    pub dtype: DType,
}

/// Why a strategy cannot split a layer over `degree` ranks, if it cannot.
pub fn ulysses_illegal(cfg: &AttentionConfig, degree: usize) -> Option<String> {
    let g = degree as i64;
    if cfg.num_heads % g != 0 {
        return Some(format!("{} query heads do not split over {g} ranks", cfg.num_heads));
    }
    if cfg.num_kv_heads % g != 0 && g % cfg.num_kv_heads != 0 {
        return Some(format!("{} KV heads neither split over nor replicate onto {g} ranks", cfg.num_kv_heads));
    }
    None
}

/// Why Ulysses over `degree` ranks cannot move `cfg`'s heads in `groups` groups, if it cannot:
/// each group needs whole KV heads (with the query heads that use them) that Ulysses can split.
pub fn head_groups_illegal(cfg: &AttentionConfig, degree: usize, groups: usize) -> Option<String> {
    let n = groups as i64;
    if n < 1 || cfg.num_kv_heads % n != 0 || cfg.num_heads % n != 0 {
        return Some(format!("{} KV heads do not form {groups} head groups", cfg.num_kv_heads));
    }
    ulysses_illegal(&group_heads(cfg, groups), degree).map(|why| format!("{groups} head groups: {why}"))
}

/// The heads of one of `groups` head groups.
fn group_heads(cfg: &AttentionConfig, groups: usize) -> AttentionConfig {
    let n = groups as i64;
    AttentionConfig { num_heads: cfg.num_heads / n, num_kv_heads: cfg.num_kv_heads / n, ..*cfg }
}

pub fn illegal(strategy: Strategy, cfg: &AttentionConfig, devices: usize) -> Option<String> {
    match strategy {
        Strategy::Ulysses => ulysses_illegal(cfg, devices),
        Strategy::Halo if !cfg.causal || cfg.window.is_none() => Some("halo exchange needs a causal sliding window".into()),
        Strategy::Hybrid { ulysses, ring } => {
            if ulysses * ring != devices {
                return Some(format!("{ulysses} x {ring} is not {devices} devices"));
            }
            ulysses_illegal(cfg, ulysses)
        }
        _ => None,
    }
}

fn collective(b: &mut Builder, kind: OpKind, x: ValueId, axis: &str, group: usize, extra: &[(&str, Attr)]) -> Result<ValueId, BuildError> {
    let mut a: BTreeMap<String, Attr> = attrs([("axis", Attr::Str(axis.into())), ("group_size", Attr::Int(group as i64))]);
    for (k, v) in extra {
        a.insert((*k).into(), v.clone());
    }
    b.one(kind, &[x], a)
}

fn all_gather(b: &mut Builder, x: ValueId, axis: &str, group: usize) -> Result<ValueId, BuildError> {
    collective(b, OpKind::AllGather, x, axis, group, &[("dim", Attr::Int(0))])
}

fn all_to_all(b: &mut Builder, x: ValueId, split: i64, concat: i64, axis: &str, group: usize) -> Result<ValueId, BuildError> {
    collective(b, OpKind::AllToAll, x, axis, group, &[("split_dim", Attr::Int(split)), ("concat_dim", Attr::Int(concat))])
}

fn permute(b: &mut Builder, x: ValueId, axis: &str, group: usize) -> Result<ValueId, BuildError> {
    collective(b, OpKind::CollectivePermute, x, axis, group, &[("shift", Attr::Int(1))])
}

fn cols(b: &Builder, x: ValueId) -> i64 {
    b.graph.ty(x).tensor().map_or(0, |t| t.shape[1])
}

fn slice(b: &mut Builder, x: ValueId, dim: i64, start: i64, size: i64) -> Result<ValueId, BuildError> {
    b.one(OpKind::Slice, &[x], attrs([("dim", Attr::Int(dim)), ("start", Attr::Int(start)), ("size", Attr::Int(size))]))
}

fn concat(b: &mut Builder, xs: &[ValueId], dim: i64) -> Result<ValueId, BuildError> {
    if xs.len() == 1 {
        return Ok(xs[0]);
    }
    b.one(OpKind::Concat, xs, attrs([("dim", Attr::Int(dim))]))
}

/// `seq.attention_partial` over one key block; returns (output, lse f32). The output is f32 when
/// it will be merged with other blocks, else `out` (the layer's type: the partial is the whole
/// result, written without an f32 copy and a convert).
#[allow(clippy::too_many_arguments)]
fn partial(
    b: &mut Builder,
    q: ValueId,
    k: ValueId,
    v: ValueId,
    (qi, ki): (ValueId, ValueId),
    segs: Option<(ValueId, ValueId)>,
    cfg: &AttentionConfig,
    out: DType,
) -> Result<(ValueId, ValueId), BuildError> {
    let mut ops = vec![q, k, v, qi, ki];
    let s = i64::from(segs.is_some());
    if let Some((qs, ks)) = segs {
        ops.extend([qs, ks]);
    }
    let mut a = cfg.to_attrs();
    a.insert(SEGMENT_SIZES.into(), Attr::Ints { values: vec![1, 1, 1, 1, 1, s, s], width: 32 });
    let rows = b.graph.ty(q).tensor().map_or(0, |t| t.shape[0]);
    let types = vec![
        Type::Tensor(TensorType::new([rows, cfg.num_heads * cfg.head_dim], out)),
        Type::Tensor(TensorType::new([rows, cfg.num_heads], DType::F32)),
    ];
    let id = b.build(OpKind::AttentionPartial, &ops, a, Some(types))?;
    let r = &b.graph.op(id).results;
    Ok((r[0], r[1]))
}

fn convert(b: &mut Builder, x: ValueId, dtype: DType) -> Result<ValueId, BuildError> {
    if b.graph.ty(x).tensor().is_some_and(|t| t.dtype == dtype) {
        return Ok(x);
    }
    let t = b.graph.ty(x).tensor().map(|t| t.with_dtype(dtype)).ok_or_else(|| BuildError {
        op: "seq.convert".into(),
        message: "operand is not a tensor".into(),
    })?;
    let id = b.build(OpKind::Convert, &[x], BTreeMap::new(), Some(vec![Type::Tensor(t)]))?;
    Ok(b.graph.op(id).results[0])
}

/// K and V for `degree` head groups: when there are fewer KV heads than ranks, each KV head is
/// repeated so that every rank receives the one its query heads use.
fn kv_for_heads(b: &mut Builder, x: ValueId, cfg: &AttentionConfig, degree: usize) -> Result<ValueId, BuildError> {
    let g = degree as i64;
    if cfg.num_kv_heads % g == 0 {
        return Ok(x);
    }
    let rep = g / cfg.num_kv_heads;
    let mut parts = Vec::new();
    for h in 0..cfg.num_kv_heads {
        let head = slice(b, x, 1, h * cfg.head_dim, cfg.head_dim)?;
        parts.extend(std::iter::repeat_n(head, rep as usize));
    }
    concat(b, &parts, 1)
}

/// Attention heads a rank holds after splitting `cfg`'s heads over `degree` ranks.
fn split_heads(cfg: &AttentionConfig, degree: usize) -> AttentionConfig {
    let g = degree as i64;
    AttentionConfig { num_heads: cfg.num_heads / g, num_kv_heads: (cfg.num_kv_heads / g).max(1), ..*cfg }
}

/// Ring attention over `axis`: K/V (packed in one buffer) and their token indices rotate one
/// rank per step; each step's partial result merges into the running one in fp32.
fn ring(b: &mut Builder, inp: &AttnInputs, axis: &str, degree: usize) -> Result<(ValueId, ValueId), BuildError> {
    let kv_cols = cols(b, inp.k);
    let (mut o, mut l) =
        partial(b, inp.q, inp.k, inp.v, (inp.index, inp.index), inp.segments.map(|s| (s, s)), &inp.cfg, DType::F32)?;
    if degree == 1 {
        return Ok((o, l));
    }
    let mut kv = concat(b, &[inp.k, inp.v], 1)?;
    let mut idx = inp.index;
    let mut seg = inp.segments;
    for _ in 1..degree {
        kv = permute(b, kv, axis, degree)?;
        idx = permute(b, idx, axis, degree)?;
        seg = seg.map(|s| permute(b, s, axis, degree)).transpose()?;
        let k = slice(b, kv, 1, 0, kv_cols)?;
        let v = slice(b, kv, 1, kv_cols, kv_cols)?;
        let (ot, lt) = partial(b, inp.q, k, v, (inp.index, idx), inp.segments.zip(seg), &inp.cfg, DType::F32)?;
        let id = b.build(OpKind::LseMerge, &[o, l, ot, lt], BTreeMap::new(), None)?;
        (o, l) = (b.graph.op(id).results[0], b.graph.op(id).results[1]);
    }
    Ok((o, l))
}

/// Ulysses over `axis`: heads move, the whole (group's) sequence becomes local; `inner` runs the
/// attention on the head-sharded operands (plain partial attention, or a ring for hybrids).
/// With `groups` > 1 the heads move in head groups: every group's column slices come first, so
/// each group's all-to-alls start at once and group g's attention waits only for its own, while
/// the later groups' transfers (and the earlier groups' results) overlap it.
fn ulysses(
    b: &mut Builder,
    inp: &AttnInputs,
    axis: &str,
    degree: usize,
    groups: usize,
    inner: impl Fn(&mut Builder, &AttnInputs) -> Result<(ValueId, ValueId), BuildError>,
) -> Result<ValueId, BuildError> {
    let cfg = group_heads(&inp.cfg, groups);
    let (qc, kc) = (cfg.num_heads * cfg.head_dim, cfg.num_kv_heads * cfg.head_dim);
    let mut parts = Vec::with_capacity(groups);
    for g in 0..groups as i64 {
        parts.push(match groups {
            1 => (inp.q, inp.k, inp.v),
            _ => (slice(b, inp.q, 1, g * qc, qc)?, slice(b, inp.k, 1, g * kc, kc)?, slice(b, inp.v, 1, g * kc, kc)?),
        });
    }
    let mut outs = Vec::with_capacity(groups);
    let mut gathered = None;
    for (q, k, v) in parts {
        let q = all_to_all(b, q, 1, 0, axis, degree)?;
        let k = kv_for_heads(b, k, &cfg, degree)?;
        let v = kv_for_heads(b, v, &cfg, degree)?;
        let k = all_to_all(b, k, 1, 0, axis, degree)?;
        let v = all_to_all(b, v, 1, 0, axis, degree)?;
        // The token indices (and segments) are gathered once, for every group.
        let (index, segments) = match gathered {
            Some(g) => g,
            None => *gathered.insert((
                all_gather(b, inp.index, axis, degree)?,
                inp.segments.map(|s| all_gather(b, s, axis, degree)).transpose()?,
            )),
        };
        let heads = AttnInputs { q, k, v, index, segments, cfg: split_heads(&cfg, degree), dtype: inp.dtype };
        let (o, _) = inner(b, &heads)?;
        let o = convert(b, o, inp.dtype)?;
        outs.push(all_to_all(b, o, 0, 1, axis, degree)?);
    }
    if outs.len() == 1 { Ok(outs[0]) } else { concat(b, &outs, 1) }
}

/// Every rank's K, V (packed into one buffer so one collective moves both), token indices and
/// segments, gathered over all devices.
#[allow(clippy::type_complexity)]
fn gather_kv(b: &mut Builder, inp: &AttnInputs, devices: usize) -> Result<(ValueId, ValueId, ValueId, Option<ValueId>), BuildError> {
    let kv_cols = cols(b, inp.k);
    let kv = concat(b, &[inp.k, inp.v], 1)?;
    let kv = all_gather(b, kv, ALL, devices)?;
    let k = slice(b, kv, 1, 0, kv_cols)?;
    let v = slice(b, kv, 1, kv_cols, kv_cols)?;
    let index = all_gather(b, inp.index, ALL, devices)?;
    let seg = inp.segments.map(|s| all_gather(b, s, ALL, devices)).transpose()?;
    Ok((k, v, index, seg))
}

/// Halo exchange for a causal sliding window of `w` tokens: a query sees keys at most `w − 1`
/// tokens back, so a rank attends its own rows' keys plus the key rows of the chunks that end
/// within that reach before its own chunks, moved by collective permutes, instead of every
/// rank's K/V. Under the zigzag layout rank r holds chunks r and 2N−1−r. Where the reach fits
/// one chunk (of C rows), chunk r−1's last w − 1 rows come from rank r−1 (its first chunk,
/// shift +1) and chunk 2N−2−r's from rank r+1 (its second, shift −1). Reaching K = ⌈(w − 1)/C⌉
/// chunks back, whole chunks move: first chunks by +1..+K and −1..−(K−1) (a middle rank's second
/// chunk reaches back into other ranks' first chunks), second chunks by −1..−K; every rank then
/// holds each chunk within the reach once, provided 2K ≤ N. (A causal program is always split
/// zigzag.) Chunks that wrap around lie after the queries or outside the window, and the masks
/// drop them.
fn halo(b: &mut Builder, inp: &AttnInputs, devices: usize) -> Result<ValueId, BuildError> {
    let err = |message: String| BuildError { op: "seq.attention_partial".into(), message };
    let w = inp.cfg.window.filter(|_| inp.cfg.causal).ok_or_else(|| err("halo exchange needs a causal sliding window".into()))?;
    let rows = b.graph.ty(inp.q).tensor().map_or(0, |t| t.shape[0]);
    let layout = b.graph.producer(inp.index).filter(|op| op.kind == OpKind::TokenIndex).and_then(|op| op.str("layout").map(String::from));
    if layout.as_deref() != Some("zigzag") {
        return Err(err("halo exchange needs the token indices of a zigzag split".into()));
    }
    let (n, chunk, reach) = (devices as i64, rows / 2, w - 1);
    if chunk < 1 {
        return Err(err(format!("{rows} local rows hold no zigzag chunk")));
    }
    let hops = if reach > 0 { (reach + chunk - 1) / chunk } else { 0 };
    if 2 * hops > n {
        return Err(err(format!(
            "a window of {w} tokens reaches {hops} chunks of {chunk} rows back, more than half of {n} ranks' (halo exchange would bring some chunk twice)"
        )));
    }
    // (first row of the local chunk whose tail moves, shift): its last `size` rows go to the rank
    // `shift` later.
    let size = reach.min(chunk);
    let mut chunks: Vec<(i64, i64)> = (1..=hops).flat_map(|k| [(0, k), (chunk, n - k)]).collect();
    chunks.extend((1..hops).map(|s| (0, n - s)));
    let kv = concat(b, &[inp.k, inp.v], 1)?;
    let (mut keys, mut index, mut segs) = (vec![kv], vec![inp.index], inp.segments.map(|s| vec![s]));
    for &(start, shift) in &chunks {
        let send = |b: &mut Builder, x: ValueId| -> Result<ValueId, BuildError> {
            let tail = slice(b, x, 0, start + chunk - size, size)?;
            collective(b, OpKind::CollectivePermute, tail, ALL, devices, &[("shift", Attr::Int(shift))])
        };
        keys.push(send(b, kv)?);
        index.push(send(b, inp.index)?);
        if let (Some(s), Some(all)) = (inp.segments, segs.as_mut()) {
            all.push(send(b, s)?);
        }
    }
    let kv_cols = cols(b, inp.k);
    let kv = concat(b, &keys, 0)?;
    let k = slice(b, kv, 1, 0, kv_cols)?;
    let v = slice(b, kv, 1, kv_cols, kv_cols)?;
    let index = concat(b, &index, 0)?;
    let seg = segs.map(|s| concat(b, &s, 0)).transpose()?;
    let (o, _) = partial(b, inp.q, k, v, (inp.index, index), inp.segments.zip(seg), &inp.cfg, inp.dtype)?;
    // Its keys are the queries' own windows, not a sample of the sequence: the cost model counts
    // about one window of keys per query (`cost_model::attention_density`).
    if let Some(&id) = b.graph.body.last() {
        b.graph.op_mut(id).attrs.insert(HALO.into(), Attr::Bool(true));
    }
    Ok(o)
}

/// Emits `strategy` for one layer on `devices` ranks (Ulysses in `head_groups` head groups);
/// returns the local output rows.
pub fn emit(b: &mut Builder, strategy: Strategy, inp: &AttnInputs, devices: usize, head_groups: usize) -> Result<ValueId, BuildError> {
    let segs = |s: Option<ValueId>, t: Option<ValueId>| s.zip(t);
    match strategy {
        Strategy::Replicate => {
            let rows = b.graph.ty(inp.q).tensor().map_or(0, |t| t.shape[0]);
            let q = all_gather(b, inp.q, ALL, devices)?;
            let (k, v, index, seg) = gather_kv(b, inp, devices)?;
            let (o, _) = partial(b, q, k, v, (index, index), segs(seg, seg), &inp.cfg, inp.dtype)?;
            let total = rows * devices as i64;
            b.one(
                OpKind::Shard,
                &[o],
                attrs([
                    ("dim", Attr::Int(0)),
                    ("layout", Attr::Str("block".into())),
                    ("num_shards", Attr::Int(devices as i64)),
                    ("global_size", Attr::Int(total)),
                    ("axis", Attr::Str(ALL.into())),
                ]),
            )
        }
        Strategy::AllGatherKv => {
            let (k, v, index, seg) = gather_kv(b, inp, devices)?;
            let (o, _) = partial(b, inp.q, k, v, (inp.index, index), segs(inp.segments, seg), &inp.cfg, inp.dtype)?;
            Ok(o)
        }
        Strategy::Ring => {
            let (o, _) = ring(b, inp, ALL, devices)?;
            convert(b, o, inp.dtype)
        }
        Strategy::Halo => halo(b, inp, devices),
        Strategy::Ulysses => ulysses(b, inp, ALL, devices, head_groups.max(1), |b, h| {
            partial(b, h.q, h.k, h.v, (h.index, h.index), h.segments.map(|s| (s, s)), &h.cfg, h.dtype)
        }),
        Strategy::Hybrid { ulysses: u, ring: r } => ulysses(b, inp, "ulysses", u, 1, |b, h| ring(b, h, "ring", r)),
    }
}
