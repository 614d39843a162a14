//! Pure layout logic of the CUDA backend (no GPU needed, unit-tested on the host): element types,
//! value sizes and lifetimes, the activation arena (the plan's offsets when they are safe, else
//! our own first-fit placement), shard row maps, and the strided copies behind slice, concat and
//! the pack/unpack steps of collectives whose split or concat dimension is not the outermost.

use crate::plan::{Plan, ValueDesc};

/// A value's element type on the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    F32,
    BF16,
    F16,
    F64,
    I32,
    I64,
    /// Masks: one byte per element.
    I1,
    /// `!seq.token`: no storage (an async collective's handle).
    Token,
}

impl DType {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "f32" => Self::F32,
            "bf16" => Self::BF16,
            "f16" => Self::F16,
            "f64" => Self::F64,
            "i32" => Self::I32,
            "i64" => Self::I64,
            "i1" => Self::I1,
            "token" => Self::Token,
            _ => return None,
        })
    }

    pub fn size(self) -> usize {
        match self {
            Self::F64 | Self::I64 => 8,
            Self::F32 | Self::I32 => 4,
            Self::BF16 | Self::F16 => 2,
            Self::I1 => 1,
            Self::Token => 0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::F32 => "f32",
            Self::BF16 => "bf16",
            Self::F16 => "f16",
            Self::F64 => "f64",
            Self::I32 => "i32",
            Self::I64 => "i64",
            Self::I1 => "i1",
            Self::Token => "token",
        }
    }

    /// The kernels' float type code (kernels.cu): f64 has none, the device computes in f32.
    pub fn float_code(self) -> Option<i32> {
        match self {
            Self::F32 => Some(0),
            Self::BF16 => Some(1),
            Self::F16 => Some(2),
            _ => None,
        }
    }

    /// The kernels' integer type code (kernels.cu).
    pub fn int_code(self) -> Option<i32> {
        match self {
            Self::I32 => Some(0),
            Self::I64 => Some(1),
            _ => None,
        }
    }

    /// 16-bit floats: a plan holding them is checked with bf16 tolerances.
    pub fn is_low_precision(self) -> bool {
        matches!(self, Self::BF16 | Self::F16)
    }
}

/// A value's type and size as declared by the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueInfo {
    pub dtype: DType,
    pub shape: Vec<usize>,
    pub numel: usize,
    pub bytes: usize,
}

impl ValueInfo {
    pub fn new(desc: &ValueDesc) -> Result<Self, String> {
        let dtype =
            DType::parse(&desc.dtype).ok_or_else(|| format!("element type '{}' is not supported", desc.dtype))?;
        let shape = desc
            .shape
            .iter()
            .map(|&d| usize::try_from(d).map_err(|_| format!("shape {:?} has a negative extent", desc.shape)))
            .collect::<Result<Vec<_>, _>>()?;
        let numel: usize = shape.iter().product();
        Ok(Self { dtype, numel, bytes: numel * dtype.size(), shape })
    }
}

pub fn value_infos(plan: &Plan) -> Result<Vec<ValueInfo>, String> {
    plan.values.iter().enumerate().map(|(i, d)| ValueInfo::new(d).map_err(|e| format!("value %{i}: {e}"))).collect()
}

/// `shape` viewed as `[outer, shape[dim], inner]`.
pub fn around(shape: &[usize], dim: usize) -> (usize, usize, usize) {
    (shape[..dim].iter().product(), shape[dim], shape[dim + 1..].iter().product())
}

/// Closed interval of steps `[def, last]` during which a value's memory must stay untouched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Live {
    pub def: usize,
    pub last: usize,
}

impl Live {
    pub fn overlaps(&self, other: &Live) -> bool {
        self.def <= other.last && other.def <= self.last
    }
}

/// Adds the lowering folds into the command before them (`Builder::fold_add`): `add` steps one
/// of whose operands the step just before makes (a projection or a norm's backward) and nothing
/// else reads, of the same length as the result. (add step, that operand.) Their results are
/// written at the step before, so they live from there (`liveness`).
pub fn foldable_adds(plan: &Plan, infos: &[ValueInfo]) -> Vec<(usize, u32)> {
    let mut reads = vec![0u32; plan.values.len()];
    for &v in plan.steps.iter().flat_map(|s| &s.operands).chain(&plan.outputs) {
        if let Some(r) = reads.get_mut(v as usize) {
            *r += 1;
        }
    }
    let bytes = |v: u32| infos.get(v as usize).map(|i| i.bytes);
    (1..plan.steps.len())
        .filter_map(|s| {
            let (step, before) = (&plan.steps[s], &plan.steps[s - 1]);
            let folds_into = matches!(before.op.as_str(), "linear" | "linear_grad_input" | "rms_norm_grad" | "layer_norm_grad");
            if step.op != "add" || !folds_into || step.operands.len() != 2 || step.results.len() != 1 {
                return None;
            }
            let out = bytes(step.results[0]);
            if step.operands.iter().any(|&v| bytes(v) != out) {
                return None;
            }
            let made = step.operands.iter().copied().find(|&v| before.results.first() == Some(&v) && reads[v as usize] == 1)?;
            Some((s, made))
        })
        .collect()
}

/// Which values need activation memory (not parameters, not tokens) and when.
///
/// Inputs are defined at step 0, outputs live past the last step. An `async_start`'s input must
/// survive until the matching `async_wait` (the communication stream reads it until then), and
/// the wait's result is written by the communication stream from the start on, so its lifetime
/// begins at the `async_start`.
/// A folded add's result (`folds`, from `foldable_adds`) is written with its operand, at the
/// step before, so its lifetime begins there.
pub fn liveness(plan: &Plan, infos: &[ValueInfo], folds: &[(usize, u32)]) -> Result<Vec<Option<Live>>, String> {
    let n = plan.values.len();
    let mut def: Vec<Option<usize>> = vec![None; n];
    let mut last: Vec<Option<usize>> = vec![None; n];
    for &v in &plan.inputs {
        def[v as usize] = Some(0);
    }
    for (s, step) in plan.steps.iter().enumerate() {
        for &r in &step.results {
            def[r as usize] = Some(s);
        }
        for &o in &step.operands {
            last[o as usize] = Some(s);
        }
    }
    for &o in &plan.outputs {
        last[o as usize] = Some(plan.steps.len());
    }
    for (start, wait) in async_pairs(plan)? {
        let x = plan.steps[start]
            .operands
            .first()
            .copied()
            .ok_or_else(|| format!("step {start} ('async_start') has no operand"))?;
        let r = plan.steps[wait]
            .results
            .first()
            .copied()
            .ok_or_else(|| format!("step {wait} ('async_wait') has no result"))?;
        last[x as usize] = Some(last[x as usize].map_or(wait, |l| l.max(wait)));
        def[r as usize] = Some(def[r as usize].map_or(start, |d| d.min(start)));
    }
    for &(s, _) in folds {
        let r = plan.steps[s].results[0] as usize;
        def[r] = Some(def[r].map_or(s - 1, |d| d.min(s - 1)));
    }
    // Weights have their own region, offloaded activations live in host memory (`host_places`).
    let params: Vec<bool> = {
        let mut p = vec![false; n];
        for step in plan.steps.iter().filter(|s| s.op == "param" || s.op == "offload") {
            for &r in &step.results {
                p[r as usize] = true;
            }
        }
        p
    };
    Ok((0..n)
        .map(|v| {
            let d = def[v]?;
            if params[v] || infos[v].dtype == DType::Token || infos[v].bytes == 0 {
                return None;
            }
            Some(Live { def: d, last: last[v].unwrap_or(d).max(d) })
        })
        .collect())
}

/// Places in host memory of offloaded activations (`offload` results, from their offload to
/// their last reload), first fit: offsets by value and the region's size.
pub fn host_places(plan: &Plan, infos: &[ValueInfo]) -> (Vec<(u32, usize)>, usize) {
    let mut values = Vec::new();
    for (s, step) in plan.steps.iter().enumerate().filter(|(_, st)| st.op == "offload") {
        let Some(&r) = step.results.first() else { continue };
        let last = plan.steps.iter().enumerate().filter(|(_, st)| st.operands.contains(&r)).map(|(k, _)| k).max();
        values.push((r, infos[r as usize].bytes, Live { def: s, last: last.unwrap_or(s).max(s) }));
    }
    let items: Vec<(usize, Live)> = values.iter().map(|&(_, b, l)| (b, l)).collect();
    let (offsets, bytes) = first_fit(&items);
    (values.iter().zip(offsets).map(|(&(v, _, _), off)| (v, off)).collect(), bytes)
}

/// (async_start step, async_wait step) pairs, matched through the token.
pub fn async_pairs(plan: &Plan) -> Result<Vec<(usize, usize)>, String> {
    let mut start_of = std::collections::HashMap::new();
    let mut pairs = Vec::new();
    for (s, step) in plan.steps.iter().enumerate() {
        match step.op.as_str() {
            "async_start" => {
                let t = step.results.first().ok_or_else(|| format!("step {s} ('async_start') has no result"))?;
                start_of.insert(*t, s);
            }
            "async_wait" => {
                let t = step.operands.first().ok_or_else(|| format!("step {s} ('async_wait') has no operand"))?;
                let start = start_of
                    .remove(t)
                    .ok_or_else(|| format!("step {s} ('async_wait'): %{t} is not a pending async_start token"))?;
                pairs.push((start, s));
            }
            _ => {}
        }
    }
    if let Some((t, s)) = start_of.into_iter().next() {
        return Err(format!("step {s} ('async_start'): its token %{t} is never waited on"));
    }
    Ok(pairs)
}

pub const ALIGN: usize = 256;

pub fn align_up(x: usize, a: usize) -> usize {
    x.div_ceil(a) * a
}

/// Places `items` (bytes, lifetime) first-fit in one region so that values live at the same time
/// never share bytes; every offset is a multiple of ALIGN. Returns the offsets and region size.
pub fn first_fit(items: &[(usize, Live)]) -> (Vec<usize>, usize) {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| (items[i].1.def, std::cmp::Reverse(items[i].0)));
    let mut offsets = vec![0; items.len()];
    // Placed items still alive, sorted by offset.
    let mut active: Vec<(usize, usize, usize)> = Vec::new(); // (offset, end, last)
    let mut total = 0;
    for i in order {
        let (bytes, live) = items[i];
        active.retain(|&(_, _, last)| last >= live.def);
        let mut at = 0;
        for &(off, end, _) in &active {
            if at + bytes <= off {
                break;
            }
            at = at.max(align_up(end, ALIGN));
        }
        offsets[i] = at;
        let pos = active.partition_point(|&(off, _, _)| off < at);
        active.insert(pos, (at, at + bytes, live.last));
        total = total.max(at + bytes);
    }
    (offsets, align_up(total, ALIGN))
}

/// Where each activation lives: `Plan` means the plan's own offset in the arena; `Own` an offset
/// in the arena too, placed by us. `None`: no memory (parameters, tokens, unused).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arena {
    pub offsets: Vec<Option<usize>>,
    pub bytes: usize,
    /// Whether the plan's offsets were used (for the ones it gave).
    pub plan_offsets: bool,
    /// Why the plan's offsets were not used, if they were not.
    pub note: Option<String>,
}

/// The arena layout: the plan's offsets when no two values that are live at the same time (with
/// the async lifetimes of `liveness`) overlap, with offset-less values placed after them;
/// otherwise our own placement of everything.
pub fn arena(plan: &Plan, infos: &[ValueInfo], live: &[Option<Live>]) -> Arena {
    let needs: Vec<usize> = (0..infos.len()).filter(|&v| live[v].is_some()).collect();
    match check_plan_offsets(plan, infos, live) {
        Ok(()) => {
            let mut offsets = vec![None; infos.len()];
            let mut end = plan.memory.arena_bytes as usize;
            for &v in &needs {
                if let Some(off) = plan.values[v].offset {
                    offsets[v] = Some(off as usize);
                    end = end.max(off as usize + infos[v].bytes);
                }
            }
            let base = align_up(end, ALIGN);
            let rest: Vec<usize> = needs.iter().copied().filter(|&v| offsets[v].is_none()).collect();
            let items: Vec<(usize, Live)> =
                rest.iter().map(|&v| (infos[v].bytes, live[v].unwrap_or(Live { def: 0, last: 0 }))).collect();
            let (own, size) = first_fit(&items);
            for (&v, off) in rest.iter().zip(own) {
                offsets[v] = Some(base + off);
            }
            Arena { offsets, bytes: base + size, plan_offsets: true, note: None }
        }
        Err(note) => {
            let items: Vec<(usize, Live)> =
                needs.iter().map(|&v| (infos[v].bytes, live[v].unwrap_or(Live { def: 0, last: 0 }))).collect();
            let (own, size) = first_fit(&items);
            let mut offsets = vec![None; infos.len()];
            for (&v, off) in needs.iter().zip(own) {
                offsets[v] = Some(off);
            }
            Arena { offsets, bytes: size, plan_offsets: false, note: Some(note) }
        }
    }
}

/// Checks that the plan's arena offsets are safe for this backend's schedule.
pub fn check_plan_offsets(plan: &Plan, infos: &[ValueInfo], live: &[Option<Live>]) -> Result<(), String> {
    let placed: Vec<(usize, usize, usize, Live)> = (0..infos.len())
        .filter_map(|v| {
            let l = live[v]?;
            let off = plan.values[v].offset? as usize;
            Some((v, off, off + infos[v].bytes, l))
        })
        .collect();
    if placed.is_empty() {
        return Err("the plan gives no arena offsets".into());
    }
    // Sweep by offset: only values whose byte ranges overlap need their lifetimes compared.
    let mut by_off = placed.clone();
    by_off.sort_by_key(|p| p.1);
    for (i, a) in by_off.iter().enumerate() {
        for b in &by_off[i + 1..] {
            if b.1 >= a.2 {
                break;
            }
            if a.3.overlaps(&b.3) {
                return Err(format!(
                    "values %{} (bytes {}..{}, steps {}..={}) and %{} (bytes {}..{}, steps {}..={}) share memory while both are live",
                    a.0, a.1, a.2, a.3.def, a.3.last, b.0, b.1, b.2, b.3.def, b.3.last
                ));
            }
        }
    }
    Ok(())
}

pub use crate::plan::ShardSpec;

/// A run of consecutive rows whose global token indices are consecutive too: rows
/// `row .. row + len` hold tokens `first .. first + len`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub row: usize,
    pub len: usize,
    pub first: i64,
}

impl Run {
    pub fn last(&self) -> i64 {
        self.first + self.len as i64 - 1
    }
}

/// Splits an index vector into maximal runs; rows with a negative index (padding) are left out.
/// (Used for the key and query runs of `attention_partial` and the row runs of `unshard`.)
pub fn runs(idx: &[i64]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for (row, &t) in idx.iter().enumerate() {
        if t < 0 {
            continue;
        }
        match out.last_mut() {
            Some(r) if r.row + r.len == row && r.first + r.len as i64 == t => r.len += 1,
            _ => out.push(Run { row, len: 1, first: t }),
        }
    }
    out
}

/// A strided copy: `rows` rows of `width` bytes, from `src + i·src_pitch` to `dst + i·dst_pitch`.
/// Offsets are relative to the source and destination buffers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Copy2d {
    pub dst: usize,
    pub dst_pitch: usize,
    pub src: usize,
    pub src_pitch: usize,
    pub rows: usize,
    pub width: usize,
}

impl Copy2d {
    /// The widest access (16, 8, 4, 2 or 1 bytes) that divides every address, pitch and width,
    /// given the buffers' base addresses.
    pub fn unit(&self, dst_base: u64, src_base: u64) -> u32 {
        let mut all = (dst_base + self.dst as u64) | (src_base + self.src as u64) | self.width as u64;
        if self.rows > 1 {
            all |= self.dst_pitch as u64 | self.src_pitch as u64;
        }
        [16u32, 8, 4, 2].into_iter().find(|&u| all.is_multiple_of(u as u64)).unwrap_or(1)
    }

    /// Runs the copy on host buffers (for tests and as the reference semantics).
    pub fn apply_host(&self, dst: &mut [u8], src: &[u8]) {
        for r in 0..self.rows {
            let d = self.dst + r * self.dst_pitch;
            let s = self.src + r * self.src_pitch;
            dst[d..d + self.width].copy_from_slice(&src[s..s + self.width]);
        }
    }
}

/// `size` entries along `dim` from `start`, into a contiguous result.
pub fn slice_copy(shape: &[usize], es: usize, dim: usize, start: usize, size: usize) -> Copy2d {
    let (outer, extent, inner) = around(shape, dim);
    Copy2d {
        dst: 0,
        dst_pitch: size * inner * es,
        src: start * inner * es,
        src_pitch: extent * inner * es,
        rows: outer,
        width: size * inner * es,
    }
}

/// Concatenation along `dim`: one copy per part, from that part's buffer into the result.
pub fn concat_copies(shapes: &[&[usize]], es: usize, dim: usize) -> Vec<Copy2d> {
    let Some(first) = shapes.first() else { return Vec::new() };
    let (outer, _, inner) = around(first, dim);
    let total: usize = shapes.iter().map(|s| s[dim]).sum();
    let mut at = 0;
    shapes
        .iter()
        .map(|s| {
            let c = Copy2d {
                dst: at * inner * es,
                dst_pitch: total * inner * es,
                src: 0,
                src_pitch: s[dim] * inner * es,
                rows: outer,
                width: s[dim] * inner * es,
            };
            at += s[dim];
            c
        })
        .collect()
}

/// Pack for a split along `dim` into `g` parts: part p of `shape` becomes the p-th contiguous
/// block of the packed buffer (what NCCL sends to peer p, or reduce-scatters to rank p).
pub fn split_pack(shape: &[usize], es: usize, dim: usize, g: usize) -> Vec<Copy2d> {
    let (outer, extent, inner) = around(shape, dim);
    let part = extent / g;
    let part_bytes = outer * part * inner * es;
    (0..g)
        .map(|p| Copy2d {
            dst: p * part_bytes,
            dst_pitch: part * inner * es,
            src: p * part * inner * es,
            src_pitch: extent * inner * es,
            rows: outer,
            width: part * inner * es,
        })
        .collect()
}

/// Unpack of `g` contiguous blocks of `part_shape` (block p from rank p) into their
/// concatenation along `dim`.
pub fn concat_unpack(part_shape: &[usize], es: usize, dim: usize, g: usize) -> Vec<Copy2d> {
    let (outer, part, inner) = around(part_shape, dim);
    let part_bytes = outer * part * inner * es;
    (0..g)
        .map(|p| Copy2d {
            dst: p * part * inner * es,
            dst_pitch: g * part * inner * es,
            src: p * part_bytes,
            src_pitch: part * inner * es,
            rows: outer,
            width: part * inner * es,
        })
        .collect()
}

/// 64-bit FNV-1a, for cache keys and plan fingerprints (stable across Rust releases).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}
