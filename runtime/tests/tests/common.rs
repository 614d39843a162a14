//! Helpers shared by the runtime tests: a seeded generator, a naive attention reference, a small
//! plan builder and the model/strategy plans used by the end-to-end tests.

use seq_runtime::cpu::{HostTensor, Precision, RunOptions, WeightSource};
use seq_runtime::{AttrValue, MeshAxis, PLAN_VERSION, Plan, Step, ValueDesc};
use std::collections::BTreeMap;
use std::time::Duration;

/// A deterministic test generator (xorshift64*), independent of the runtime's weight generator.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x2545_f491_4f6c_dd1d) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [−1, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn vec(&mut self, n: usize, scale: f64) -> Vec<f64> {
        (0..n).map(|_| scale * self.uniform()).collect()
    }
}

/// max |a − b| / max |b| (`seq_plan::relerr`, the measure every comparison uses).
pub fn max_rel_err(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "compared tensors differ in size");
    seq_runtime::relerr::max_relative(a, b)
}

pub fn opts(precision: Precision) -> RunOptions {
    RunOptions { precision, timeout: Duration::from_secs(10) }
}

pub fn run(plan: &Plan, inputs: &[HostTensor], precision: Precision) -> Vec<HostTensor> {
    seq_runtime::cpu::run(plan, inputs, &WeightSource::random(7), &opts(precision))
        .unwrap_or_else(|e| panic!("run failed: {e}"))
        .outputs
}

/// Naive attention over explicit global indices, in f64: (output [Sq, H·d], lse [Sq, H]).
#[allow(clippy::too_many_arguments)]
pub fn reference_attention(
    q: &[f64],
    k: &[f64],
    v: &[f64],
    (heads, kv_heads, hd): (usize, usize, usize),
    scale: f64,
    causal: bool,
    window: Option<i64>,
    qi: &[i64],
    ki: &[i64],
    segs: Option<(&[i64], &[i64])>,
) -> (Vec<f64>, Vec<f64>) {
    let (sq, sk) = (qi.len(), ki.len());
    let mut out = vec![0.0; sq * heads * hd];
    let mut lse = vec![f64::NEG_INFINITY; sq * heads];
    for i in 0..sq {
        for h in 0..heads {
            let g = h / (heads / kv_heads);
            let mut scores = Vec::new();
            for j in 0..sk {
                let mut ok = qi[i] >= 0 && ki[j] >= 0;
                ok &= !causal || ki[j] <= qi[i];
                if let Some(w) = window {
                    ok &= (qi[i] - ki[j]).abs() < w;
                }
                if let Some((qs, ks)) = segs {
                    ok &= qs[i] == ks[j];
                }
                if ok {
                    let dot: f64 =
                        (0..hd).map(|d| q[i * heads * hd + h * hd + d] * k[j * kv_heads * hd + g * hd + d]).sum();
                    scores.push((j, scale * dot));
                }
            }
            if scores.is_empty() {
                continue;
            }
            let m = scores.iter().fold(f64::NEG_INFINITY, |m, s| m.max(s.1));
            let total: f64 = scores.iter().map(|s| (s.1 - m).exp()).sum();
            lse[i * heads + h] = m + total.ln();
            for &(j, s) in &scores {
                let p = (s - m).exp() / total;
                for d in 0..hd {
                    out[i * heads * hd + h * hd + d] += p * v[j * kv_heads * hd + g * hd + d];
                }
            }
        }
    }
    (out, lse)
}

pub fn int(v: i64) -> AttrValue {
    AttrValue::Int(v)
}

pub fn float(v: f64) -> AttrValue {
    AttrValue::Float(v)
}

pub fn string(v: &str) -> AttrValue {
    AttrValue::Str(v.into())
}

/// Builds plans step by step.
#[derive(Default)]
pub struct Builder {
    values: Vec<ValueDesc>,
    inputs: Vec<u32>,
    steps: Vec<Step>,
}

impl Builder {
    fn value(&mut self, shape: &[usize], dtype: &str) -> u32 {
        self.values.push(ValueDesc {
            shape: shape.iter().map(|&d| d as i64).collect(),
            dtype: dtype.into(),
            offset: None,
        });
        (self.values.len() - 1) as u32
    }

    pub fn input(&mut self, shape: &[usize], dtype: &str) -> u32 {
        let v = self.value(shape, dtype);
        self.inputs.push(v);
        v
    }

    pub fn shape(&self, v: u32) -> Vec<usize> {
        self.values[v as usize].shape.iter().map(|&d| d as usize).collect()
    }

    /// Adds a step; `results` are (shape, dtype) pairs.
    pub fn ops(
        &mut self,
        op: &str,
        operands: &[u32],
        attrs: &[(&str, AttrValue)],
        results: &[(&[usize], &str)],
    ) -> Vec<u32> {
        let results: Vec<u32> = results.iter().map(|(s, d)| self.value(s, d)).collect();
        let attrs: BTreeMap<String, AttrValue> = attrs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let stream = seq_runtime::seq_plan::Attrs::of(&attrs).int("stream").ok().unwrap_or(0) as u32;
        self.steps.push(Step { op: op.into(), operands: operands.to_vec(), results: results.clone(), attrs, stream });
        results
    }

    pub fn op(&mut self, op: &str, operands: &[u32], attrs: &[(&str, AttrValue)], shape: &[usize], dtype: &str) -> u32 {
        self.ops(op, operands, attrs, &[(shape, dtype)])[0]
    }

    pub fn param(&mut self, name: &str, shape: &[usize], dtype: &str) -> u32 {
        self.op("param", &[], &[("name", string(name))], shape, dtype)
    }

    pub fn finish(self, devices: usize, mesh: &[(&str, usize)], outputs: &[u32]) -> Plan {
        let plan = self.finish_unchecked(devices, mesh, outputs);
        plan.check().expect("test plan is well formed");
        plan
    }

    /// The plan as built, for tests of what `Plan::check` refuses.
    pub fn finish_unchecked(self, devices: usize, mesh: &[(&str, usize)], outputs: &[u32]) -> Plan {
        Plan {
            version: PLAN_VERSION,
            devices,
            mesh: mesh.iter().map(|(n, s)| MeshAxis { name: n.to_string(), size: *s }).collect(),
            inputs: self.inputs,
            outputs: outputs.to_vec(),
            values: self.values,
            steps: self.steps,
            memory: Default::default(),
            sharded_io: None,
            output_names: Vec::new(),
            owned_outputs: Vec::new(),
        }
    }
}

/// The attention layer's shape and masks.
#[derive(Clone, Debug)]
pub struct Attn {
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub causal: bool,
    pub window: Option<usize>,
    pub segments: bool,
}

impl Attn {
    pub fn attrs(&self, heads: usize, kv_heads: usize) -> Vec<(&'static str, AttrValue)> {
        let mut a = vec![
            ("causal", AttrValue::Bool(self.causal)),
            ("num_heads", int(heads as i64)),
            ("num_kv_heads", int(kv_heads as i64)),
            ("head_dim", int(self.head_dim as i64)),
            ("scale", float(1.0 / (self.head_dim as f64).sqrt())),
        ];
        if let Some(w) = self.window {
            a.push(("window", int(w as i64)));
        }
        a
    }
}

/// How the attention layer is split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// One rank, `seq.attention` over the whole sequence.
    Unsplit,
    /// Ring attention over a zigzag layout: K/V/indices rotate n − 1 times, merged by lse.
    Ring,
    /// Every rank gathers all K/V (and their indices) and attends its local queries.
    AllGatherKv { zigzag: bool },
    /// Ulysses: all-to-all from sequence shards to head shards and back (block layout).
    Ulysses,
    /// Ulysses over the minor mesh axis inside ring attention over the major one, zigzag
    /// layout: mesh `ring = n / ulysses, ulysses`.
    Hybrid { ulysses: usize },
}

pub const VOCAB: usize = 37;
pub const HIDDEN: usize = 24;
pub const FFN: usize = 40;
/// Declared activation dtype: held in compute precision by the CPU backend.
const ACT: &str = "bf16";

/// A one-layer decoder (embedding, rms_norm, q/k/v with bias, rope, attention, o-proj,
/// swiglu MLP, final norm, logits) over `global` tokens, split over `n` ranks by `strategy`.
/// Inputs: ids, positions, and segment ids when `attn.segments`.
pub fn model_plan(global: usize, n: usize, strategy: Strategy, attn: &Attn) -> Plan {
    let mut b = Builder::default();
    let (h, kvh, hd) = (attn.heads, attn.kv_heads, attn.head_dim);
    let ids = b.input(&[global], "i32");
    let pos = b.input(&[global], "i32");
    let seg = attn.segments.then(|| b.input(&[global], "i32"));
    let sp = || ("axis", string("sp"));
    let (layout, local) = match strategy {
        Strategy::Unsplit => ("none", global),
        Strategy::Ring | Strategy::AllGatherKv { zigzag: true } | Strategy::Hybrid { .. } => {
            ("zigzag", 2 * global.div_ceil(2 * n))
        }
        Strategy::AllGatherKv { zigzag: false } | Strategy::Ulysses => ("block", global.div_ceil(n)),
    };
    let shard_attrs = |dim: i64| {
        vec![
            ("dim", int(dim)),
            ("layout", string(layout)),
            ("num_shards", int(n as i64)),
            ("global_size", int(global as i64)),
            sp(),
        ]
    };
    let shard = |b: &mut Builder, v: u32| b.op("shard", &[v], &shard_attrs(0), &[local], "i32");
    let (ids, pos, seg, ti) = if strategy == Strategy::Unsplit {
        (ids, pos, seg, None)
    } else {
        let ti_attrs: Vec<_> = shard_attrs(0).into_iter().filter(|(k, _)| *k != "dim").collect();
        let ti = b.op("token_index", &[], &ti_attrs, &[local], "i32");
        (shard(&mut b, ids), shard(&mut b, pos), seg.map(|s| shard(&mut b, s)), Some(ti))
    };
    let emb = b.param("model.embed_tokens.weight", &[VOCAB, HIDDEN], ACT);
    let x = b.op("embedding", &[ids, emb], &[], &[local, HIDDEN], ACT);
    let ln1 = b.param("model.layers.0.input_layernorm.weight", &[HIDDEN], ACT);
    let hn = b.op("rms_norm", &[x, ln1], &[("eps", float(1e-5))], &[local, HIDDEN], ACT);
    let proj = |b: &mut Builder, name: &str, out: usize| {
        let w = b.param(&format!("model.layers.0.self_attn.{name}.weight"), &[out, HIDDEN], ACT);
        let bias = b.param(&format!("model.layers.0.self_attn.{name}.bias"), &[out], ACT);
        b.op("linear", &[hn, w, bias], &[], &[local, out], ACT)
    };
    let q = proj(&mut b, "q_proj", h * hd);
    let k = proj(&mut b, "k_proj", kvh * hd);
    let v = proj(&mut b, "v_proj", kvh * hd);
    let rope = [("head_dim", int(hd as i64)), ("theta", float(10000.0))];
    let q = b.op("rope", &[q, pos], &rope, &[local, h * hd], ACT);
    let k = b.op("rope", &[k, pos], &rope, &[local, kvh * hd], ACT);
    let a = attention(&mut b, strategy, attn, n, local, (q, k, v), ti, seg);
    let wo = b.param("model.layers.0.self_attn.o_proj.weight", &[HIDDEN, h * hd], ACT);
    let o = b.op("linear", &[a, wo], &[], &[local, HIDDEN], ACT);
    let r = b.op("add", &[x, o], &[], &[local, HIDDEN], ACT);
    let ln2 = b.param("model.layers.0.post_attention_layernorm.weight", &[HIDDEN], ACT);
    let hn2 = b.op("rms_norm", &[r, ln2], &[("eps", float(1e-5))], &[local, HIDDEN], ACT);
    let wg = b.param("model.layers.0.mlp.gate_proj.weight", &[FFN, HIDDEN], ACT);
    let wu = b.param("model.layers.0.mlp.up_proj.weight", &[FFN, HIDDEN], ACT);
    let wd = b.param("model.layers.0.mlp.down_proj.weight", &[HIDDEN, FFN], ACT);
    let gate = b.op("linear", &[hn2, wg], &[], &[local, FFN], ACT);
    let up = b.op("linear", &[hn2, wu], &[], &[local, FFN], ACT);
    let act = b.op("swiglu", &[gate, up], &[], &[local, FFN], ACT);
    let down = b.op("linear", &[act, wd], &[], &[local, HIDDEN], ACT);
    let r2 = b.op("add", &[r, down], &[], &[local, HIDDEN], ACT);
    let lnf = b.param("model.norm.weight", &[HIDDEN], ACT);
    let hf = b.op("rms_norm", &[r2, lnf], &[("eps", float(1e-5))], &[local, HIDDEN], ACT);
    let head = b.param("lm_head.weight", &[VOCAB, HIDDEN], ACT);
    let logits = b.op("logits", &[hf, head], &[], &[local, VOCAB], ACT);
    let out = if strategy == Strategy::Unsplit {
        logits
    } else {
        b.op("unshard", &[logits], &shard_attrs(0), &[global, VOCAB], ACT)
    };
    match strategy {
        Strategy::Unsplit => b.finish(1, &[], &[out]),
        Strategy::Hybrid { ulysses } => b.finish(n, &[("ring", n / ulysses), ("ulysses", ulysses)], &[out]),
        _ => b.finish(n, &[], &[out]),
    }
}

/// Attributes naming a collective's group.
fn group(axis: &str, size: usize, extra: &[(&'static str, AttrValue)]) -> Vec<(&'static str, AttrValue)> {
    let mut a = vec![("axis", string(axis)), ("group_size", int(size as i64))];
    a.extend_from_slice(extra);
    a
}

/// Partial attention of `q` over `k, v`; query and key segment ids travel with their rows.
fn partial(
    b: &mut Builder,
    attn: &Attn,
    (q, k, v): (u32, u32, u32),
    (qi, ki): (u32, u32),
    segs: Option<(u32, u32)>,
    (heads, kv_heads): (usize, usize),
) -> (u32, u32) {
    let rows = b.shape(q)[0];
    let s = segs.is_some() as i64;
    let mut attrs = attn.attrs(heads, kv_heads);
    attrs.push(("operandSegmentSizes", AttrValue::Ints(vec![1, 1, 1, 1, 1, s, s])));
    let mut operands = vec![q, k, v, qi, ki];
    operands.extend(segs.map(|(a, b)| [a, b]).into_iter().flatten());
    let r = b.ops(
        "attention_partial",
        &operands,
        &attrs,
        &[(&[rows, heads * attn.head_dim], "f32"), (&[rows, heads], "f32")],
    );
    (r[0], r[1])
}

/// The ring: `size − 1` times, rotate K/V (async, on streams 1 and 2) with their token indices
/// and segments along `axis`, attend to the received block and merge it into `(o, l)`.
#[allow(clippy::too_many_arguments)]
fn ring_steps(
    b: &mut Builder,
    attn: &Attn,
    (axis, size): (&str, usize),
    (q, k, v): (u32, u32, u32),
    (qi, ki): (u32, u32),
    segs: Option<(u32, u32)>,
    heads: (usize, usize),
    (mut o, mut l): (u32, u32),
) -> (u32, u32) {
    let (mut k, mut v, mut ki, mut ks) = (k, v, ki, segs.map(|s| s.1));
    let (rows, cols) = (b.shape(o)[0], b.shape(o)[1]);
    for _ in 1..size {
        let start = |b: &mut Builder, x: u32, stream: i64| {
            let extra = [("collective", string("seq.collective_permute")), ("shift", int(1)), ("stream", int(stream))];
            b.op("async_start", &[x], &group(axis, size, &extra), &[], "token")
        };
        let (tk, tv) = (start(b, k, 1), start(b, v, 2));
        let permute = |b: &mut Builder, x: u32| {
            let shape = b.shape(x);
            b.op("collective_permute", &[x], &group(axis, size, &[("shift", int(1))]), &shape, "i32")
        };
        ki = permute(b, ki);
        ks = ks.map(|s| permute(b, s));
        let kv_shape = b.shape(k);
        k = b.op("async_wait", &[tk], &[], &kv_shape, ACT);
        v = b.op("async_wait", &[tv], &[], &kv_shape, ACT);
        let (po, pl) = partial(b, attn, (q, k, v), (qi, ki), segs.map(|s| s.0).zip(ks), heads);
        let m = b.ops("lse_merge", &[o, l, po, pl], &[], &[(&[rows, cols], "f32"), (&[rows, heads.0], "f32")]);
        (o, l) = (m[0], m[1]);
    }
    (o, l)
}

/// The attention layer under `strategy`; returns the attention output `[local, H·d]`.
#[allow(clippy::too_many_arguments)]
fn attention(
    b: &mut Builder,
    strategy: Strategy,
    attn: &Attn,
    n: usize,
    local: usize,
    (q, k, v): (u32, u32, u32),
    ti: Option<u32>,
    seg: Option<u32>,
) -> u32 {
    let (h, kvh, hd) = (attn.heads, attn.kv_heads, attn.head_dim);
    let Some(ti) = ti else {
        let mut operands = vec![q, k, v];
        operands.extend(seg);
        return b.op("attention", &operands, &attn.attrs(h, kvh), &[local, h * hd], ACT);
    };
    let gather = |b: &mut Builder, x: u32, (axis, size): (&str, usize)| {
        let mut shape = b.shape(x);
        shape[0] *= size;
        let dtype = if shape.len() == 1 { "i32" } else { ACT };
        b.op("all_gather", &[x], &group(axis, size, &[("dim", int(0))]), &shape, dtype)
    };
    // Ulysses over `(axis, size)`: tokens of the group in, heads split; every rank then holds
    // the group's (padded) tokens in rank order, labelled by the gathered token indices.
    let to_heads = |b: &mut Builder, x: u32, (axis, size): (&str, usize)| {
        let [rows, cols] = b.shape(x)[..] else { unreachable!("activations are rank 2") };
        let attrs = group(axis, size, &[("split_dim", int(1)), ("concat_dim", int(0))]);
        b.op("all_to_all", &[x], &attrs, &[rows * size, cols / size], ACT)
    };
    let to_tokens = |b: &mut Builder, x: u32, (axis, size): (&str, usize)| {
        let [rows, cols] = b.shape(x)[..] else { unreachable!("activations are rank 2") };
        let x = b.op("convert", &[x], &[], &[rows, cols], ACT);
        let attrs = group(axis, size, &[("split_dim", int(0)), ("concat_dim", int(1))]);
        b.op("all_to_all", &[x], &attrs, &[rows / size, cols * size], ACT)
    };
    match strategy {
        Strategy::Unsplit => unreachable!("the unsplit plan has no token indices"),
        Strategy::Ring => {
            let first = partial(b, attn, (q, k, v), (ti, ti), seg.map(|s| (s, s)), (h, kvh));
            let (o, _) = ring_steps(b, attn, ("sp", n), (q, k, v), (ti, ti), seg.map(|s| (s, s)), (h, kvh), first);
            b.op("convert", &[o], &[], &[local, h * hd], ACT)
        }
        Strategy::AllGatherKv { .. } => {
            let (ka, va, tia) = (gather(b, k, ("sp", n)), gather(b, v, ("sp", n)), gather(b, ti, ("sp", n)));
            let sega = seg.map(|s| gather(b, s, ("sp", n)));
            let (o, _) = partial(b, attn, (q, ka, va), (ti, tia), seg.zip(sega), (h, kvh));
            b.op("convert", &[o], &[], &[local, h * hd], ACT)
        }
        Strategy::Ulysses => {
            let sp = ("sp", n);
            let (qh, kh, vh) = (to_heads(b, q, sp), to_heads(b, k, sp), to_heads(b, v, sp));
            let tia = gather(b, ti, sp);
            let sega = seg.map(|s| gather(b, s, sp));
            let (oh, _) = partial(b, attn, (qh, kh, vh), (tia, tia), sega.map(|s| (s, s)), (h / n, kvh / n));
            to_tokens(b, oh, sp)
        }
        Strategy::Hybrid { ulysses } => {
            let (uly, ring) = (("ulysses", ulysses), ("ring", n / ulysses));
            let (qh, kh, vh) = (to_heads(b, q, uly), to_heads(b, k, uly), to_heads(b, v, uly));
            let tia = gather(b, ti, uly);
            let sega = seg.map(|s| gather(b, s, uly)).map(|s| (s, s));
            let heads = (h / ulysses, kvh / ulysses);
            let first = partial(b, attn, (qh, kh, vh), (tia, tia), sega, heads);
            let (oh, _) = ring_steps(b, attn, ring, (qh, kh, vh), (tia, tia), sega, heads, first);
            to_tokens(b, oh, uly)
        }
    }
}

/// `plan` as `seqc compile --sharded-io` would emit it: each input that `shard` splits becomes
/// the rank's rows (the `shard` steps go), and each output `unshard` assembles becomes its
/// operand (the `unshard` goes). The plan records the layout in `sharded_io`.
pub fn with_sharded_io(plan: &Plan) -> Plan {
    let mut p = plan.clone();
    let mut rename: BTreeMap<u32, u32> = BTreeMap::new();
    let (mut layout, mut global) = (String::new(), 0usize);
    let (mut sharded_in, mut sharded_out) = (Vec::new(), Vec::new());
    let mut steps = Vec::new();
    for step in plan.steps.iter().cloned() {
        let a = step.attrs();
        let mut note_layout = || {
            layout = a.str("layout").unwrap_or_default().to_string();
            global = a.int("global_size").unwrap_or(0) as usize;
        };
        match step.op.as_str() {
            "shard" if plan.inputs.contains(&step.operands[0]) => {
                note_layout();
                let input = step.operands[0];
                let pos = plan.inputs.iter().position(|&v| v == input).expect("an input");
                if !sharded_in.contains(&pos) {
                    sharded_in.push(pos);
                }
                p.values[input as usize].shape = plan.values[step.results[0] as usize].shape.clone();
                rename.insert(step.results[0], input);
            }
            "unshard" if plan.outputs.contains(&step.results[0]) => {
                note_layout();
                for (i, o) in p.outputs.iter_mut().enumerate() {
                    if *o == step.results[0] {
                        *o = step.operands[0];
                        sharded_out.push(i);
                    }
                }
            }
            _ => steps.push(step),
        }
    }
    for step in &mut steps {
        for o in &mut step.operands {
            *o = *rename.get(o).unwrap_or(o);
        }
    }
    sharded_in.sort_unstable();
    sharded_out.sort_unstable();
    p.steps = steps;
    p.version = PLAN_VERSION;
    p.sharded_io =
        Some(seq_runtime::ShardedIo { layout, global_size: global, inputs: sharded_in, outputs: sharded_out });
    p.check().expect("a valid sharded-IO plan");
    p
}
