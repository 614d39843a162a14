//! A host interpreter of the lowered command lists of every rank: the reference that checks the
//! CUDA backend's lowering without a GPU (tests), and each device step on one (`--check-steps`).
//!
//! Memory is laid out exactly as on the device (arena offsets, parameter, constant and staging
//! regions); the math is the CPU backend's kernels in f32 with the device's storage rounding;
//! collectives follow NCCL's semantics, run for all ranks at once at their position in program
//! order. Stream concurrency is not modelled, except for offloads and reloads: each copy reads
//! its source only where the compute stream waits for it, and poisons its destination where it
//! starts, so a command that writes over a source or reads a destination in between (a wait
//! placed too late, or bytes given out too early) computes garbage.

use super::exec::{decode_tensor, encode_floats, encode_tensor};
use super::layout::{Copy2d, DType};
use super::program::{self, Addr, AttentionCmd, Cmd, GemmForm, GemmKey, Move, Program, Region, Work};
use crate::cpu::{AttentionSpec, HostTensor, Masking, Reduction, WeightSource, grad_kernels, kernels};
use crate::plan::Plan;
use std::collections::HashMap;

/// One rank's memory.
struct Mem {
    regions: HashMap<Region, Vec<u8>>,
}

type R<T> = Result<T, String>;

impl Mem {
    fn new(p: &Program) -> Self {
        let mut regions = HashMap::new();
        // Poisoned: a read of memory nothing wrote gives garbage, not plausible zeros.
        regions.insert(Region::Arena, vec![0xA5; p.arena.bytes]);
        regions.insert(Region::Params, vec![0xA5; p.params_bytes]);
        regions.insert(Region::Consts, p.consts.clone());
        regions.insert(Region::Work, vec![0xA5; p.work]);
        regions.insert(Region::Fallback, vec![0xA5; p.fallback]);
        regions.insert(Region::Saved, vec![0xA5; p.saved]);
        regions.insert(Region::Host, vec![0xA5; p.host]);
        for (i, &b) in p.scratch.iter().enumerate() {
            regions.insert(Region::Scratch(i), vec![0xA5; b]);
        }
        Self { regions }
    }

    fn bytes(&self, a: Addr, n: usize) -> R<&[u8]> {
        self.regions
            .get(&a.region)
            .and_then(|r| r.get(a.off..a.off + n))
            .ok_or_else(|| format!("{n} bytes at {a:?} lie outside the region"))
    }

    fn bytes_mut(&mut self, a: Addr, n: usize) -> R<&mut [u8]> {
        self.regions
            .get_mut(&a.region)
            .and_then(|r| r.get_mut(a.off..a.off + n))
            .ok_or_else(|| format!("{n} bytes at {a:?} lie outside the region"))
    }

    fn write(&mut self, a: Addr, data: &[u8]) -> R<()> {
        self.bytes_mut(a, data.len())?.copy_from_slice(data);
        Ok(())
    }

    fn floats(&self, a: Addr, dt: DType, n: usize) -> R<Vec<f32>> {
        let t = decode_tensor(self.bytes(a, n * dt.size())?, dt, vec![n])?;
        t.view::<f32>().map(|v| v.to_vec()).ok_or_else(|| format!("{} is not a float type", dt.name()))
    }

    fn put_floats(&mut self, a: Addr, dt: DType, v: &[f32]) -> R<()> {
        let bytes = encode_floats(v.iter().map(|&x| x as f64), dt)?;
        self.write(a, &bytes)
    }

    fn ints(&self, a: Addr, dt: DType, n: usize) -> R<Vec<i64>> {
        decode_tensor(self.bytes(a, n * dt.size())?, dt, vec![n])?
            .to_i64()
            .ok_or_else(|| format!("{} is not an integer type", dt.name()))
    }

    fn copy2d(&mut self, dst: Addr, src: Addr, c: &Copy2d) -> R<()> {
        if c.rows == 0 || c.width == 0 {
            return Ok(());
        }
        let from = self.bytes(src, c.src + (c.rows - 1) * c.src_pitch + c.width)?.to_vec();
        c.apply_host(self.bytes_mut(dst, c.dst + (c.rows - 1) * c.dst_pitch + c.width)?, &from);
        Ok(())
    }

    fn mv(&mut self, m: &Move) -> R<()> {
        match m {
            Move::Copy { dst, src, bytes } => {
                let from = self.bytes(*src, *bytes)?.to_vec();
                self.write(*dst, &from)
            }
            Move::Copies(list) => list.iter().try_for_each(|(d, s, c)| self.copy2d(*d, *s, c)),
            Move::Gather { dst, src, idx, outer, nidx, extent, inner_bytes } => {
                let rows = self.ints(*idx, DType::I32, *nidx)?;
                let from = self.bytes(*src, outer * extent * inner_bytes)?.to_vec();
                let out = self.bytes_mut(*dst, outer * nidx * inner_bytes)?;
                for o in 0..*outer {
                    for (r, &row) in rows.iter().enumerate() {
                        let d = &mut out[(o * nidx + r) * inner_bytes..(o * nidx + r + 1) * inner_bytes];
                        if row < 0 {
                            d.fill(0);
                        } else {
                            let s = (o * extent + row as usize) * inner_bytes;
                            d.copy_from_slice(from.get(s..s + inner_bytes).ok_or("gather row out of range")?);
                        }
                    }
                }
                Ok(())
            }
        }
    }

    /// `y = op(x) · op(w)`, plus `c` where `key.accumulate` (c may be y), in f32, by the CPU
    /// backend's kernels (see `GemmForm`).
    fn gemm(&mut self, y: Addr, c: Addr, x: Addr, w: Addr, key: &GemmKey) -> R<()> {
        let [nx, nw, ny] = key.sizes();
        let (x, w) = (self.floats(x, key.dtype, nx)?, self.floats(w, key.dtype, nw)?);
        let (rows, inp, out) = (key.rows, key.inp, key.out);
        let mut v = match key.form {
            GemmForm::Nt => kernels::linear(&x, &w, None, rows, inp, out),
            // x [rows, inp] · w [inp, out]: the input gradient's product.
            GemmForm::Nn => grad_kernels::linear_grad_input(&x, &w, rows, out, inp),
            // xᵀ · w with x [inp, rows]: the weight gradient's product.
            GemmForm::Tn => grad_kernels::linear_grad_weight(&x, &w, inp, out, rows),
        };
        if key.accumulate {
            v.iter_mut().zip(self.floats(c, key.ydt, ny)?).for_each(|(a, b)| *a += b);
        }
        self.put_floats(y, key.ydt, &v)
    }

    /// Reads an attention command's q, k, v and masks and hands them to `f`.
    fn with_attention<T>(
        &self,
        a: &AttentionCmd,
        f: impl FnOnce(&AttentionSpec, &[f32], &[f32], &[f32], &Masking) -> T,
    ) -> R<T> {
        let (qc, kc) = (a.heads * a.head_dim, a.kv_heads * a.head_dim);
        let q = self.floats(a.q.0, a.q.1, a.sq * qc)?;
        let k = self.floats(a.k.0, a.k.1, a.sk * kc)?;
        let v = self.floats(a.v.0, a.v.1, a.sk * kc)?;
        let read = |x: Option<(Addr, DType)>, n: usize| -> R<Vec<i64>> {
            match x {
                Some((addr, dt)) => self.ints(addr, dt, n),
                None => Ok((0..n as i64).collect()),
            }
        };
        let (qi, ki) = (read(a.q_index, a.sq)?, read(a.k_index, a.sk)?);
        let segs = match (a.q_segment, a.k_segment) {
            (Some(qs), Some(ks)) => Some((read(Some(qs), a.sq)?, read(Some(ks), a.sk)?)),
            _ => None,
        };
        let spec = AttentionSpec {
            num_heads: a.heads,
            num_kv_heads: a.kv_heads,
            head_dim: a.head_dim,
            scale: a.scale as f64,
            causal: a.causal,
            window: (a.window > 0).then_some(a.window as usize),
            softcap: (a.softcap > 0.0).then_some(a.softcap as f64),
        };
        let mask = Masking { q_index: &qi, k_index: &ki, segments: segs.as_ref().map(|(q, k)| (&q[..], &k[..])) };
        Ok(f(&spec, &q, &k, &v, &mask))
    }

    fn run(&mut self, cmd: &Cmd) -> R<()> {
        match cmd {
            Cmd::Move(m) => self.mv(m),
            Cmd::Embedding { out, odt, ids, it, table, tdt, rows, hidden, vocab, scale } => {
                let ids = self.ints(*ids, *it, *rows)?;
                let table = self.floats(*table, *tdt, vocab * hidden)?;
                let y: Vec<f32> = kernels::embedding(&ids, &table, *hidden)?.iter().map(|v| v * scale).collect();
                self.put_floats(*out, *odt, &y)
            }
            Cmd::RmsNorm { out, x, w, dt, wdt, rows, hidden, eps, offset } => {
                let x = self.floats(*x, *dt, rows * hidden)?;
                let w: Vec<f32> = self.floats(*w, *wdt, *hidden)?.iter().map(|v| v + offset).collect();
                self.put_floats(*out, *dt, &kernels::rms_norm(&x, &w, *eps as f64))
            }
            Cmd::LayerNorm { out, x, w, b, dt, wdt, bdt, rows, hidden, eps } => {
                let x = self.floats(*x, *dt, rows * hidden)?;
                let (w, b) = (self.floats(*w, *wdt, *hidden)?, self.floats(*b, *bdt, *hidden)?);
                self.put_floats(*out, *dt, &kernels::layer_norm(&x, &w, &b, *eps as f64))
            }
            Cmd::Gemm { y, x, w, key, addend } => self.gemm(*y, addend.unwrap_or(*y), *x, *w, key),
            Cmd::AddBias { y, dt, b, bdt, rows, cols } => {
                let (mut v, b) = (self.floats(*y, *dt, rows * cols)?, self.floats(*b, *bdt, *cols)?);
                v.iter_mut().enumerate().for_each(|(i, x)| *x += b[i % cols]);
                self.put_floats(*y, *dt, &v)
            }
            Cmd::Rope { out, x, dt, pos, it, rows, cols, head_dim, rotary, freqs, inverse } => {
                let (x, pos) = (self.floats(*x, *dt, rows * cols)?, self.ints(*pos, *it, *rows)?);
                // The table the device reads, as the device would read it.
                let freqs: Vec<f64> = self
                    .bytes(*freqs, rotary / 2 * 8)?
                    .chunks_exact(8)
                    .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
                    .collect();
                let y = if *inverse {
                    grad_kernels::rope_grad(&x, *cols, &pos, *head_dim, &freqs)
                } else {
                    kernels::rope(&x, *cols, &pos, *head_dim, &freqs)
                };
                self.put_floats(*out, *dt, &y)
            }
            Cmd::Attention(a) => {
                let (o, l) = self.with_attention(a, kernels::attention_partial)??;
                self.put_floats(a.out.0, a.out.1, &o)?;
                match a.lse {
                    Some(lse) => self.put_floats(lse, DType::F32, &l),
                    None => Ok(()),
                }
            }
            Cmd::AttentionGrad(g) => {
                let a = &g.fwd;
                if g.recompute {
                    self.run(&Cmd::Attention(Box::new(a.clone())))?;
                }
                let lse = a.lse.ok_or("internal: attention backward without the forward's lse")?;
                let o = self.floats(a.out.0, a.out.1, a.sq * a.heads * a.head_dim)?;
                let l = self.floats(lse, DType::F32, a.sq * a.heads)?;
                let dout = self.floats(g.dout.0, g.dout.1, a.sq * a.heads * a.head_dim)?;
                let (dq, dk, dv) = self.with_attention(a, |spec, q, k, v, mask| {
                    grad_kernels::attention_partial_grad(spec, q, k, v, &o, &l, &dout, mask)
                })??;
                for (t, x) in [(g.dq, dq), (g.dk, dk), (g.dv, dv)] {
                    self.put_floats(t.0, t.1, &x)?;
                }
                Ok(())
            }
            Cmd::CrossEntropy(ce) => {
                let x = self.floats(ce.x, ce.dt, ce.rows * ce.hidden)?;
                let w = self.floats(ce.w, ce.dt, ce.vocab * ce.hidden)?;
                let mut labels = self.ints(ce.labels.0, ce.labels.1, ce.rows)?;
                if let Some((idx, dt)) = ce.index {
                    for (l, i) in labels.iter_mut().zip(self.ints(idx, dt, ce.rows)?) {
                        if i < 0 {
                            *l = -1;
                        }
                    }
                }
                let count = self.floats(ce.count, DType::F32, 1)?[0];
                let (hidden, vocab, cap) = (ce.hidden, ce.vocab, (ce.softcap > 0.0).then_some(ce.softcap));
                // Chunk by chunk as the device runs it: the weight gradient is the first chunk's
                // GEMM (keys[2]) and the others add into it where their key accumulates (keys[3]).
                let (mut sum, mut dx, mut dw) = (0.0f32, Vec::new(), vec![0.0f32; vocab * hidden]);
                for (r0, n, keys) in ce.chunks() {
                    let (xs, ls) = (&x[r0 * hidden..(r0 + n) * hidden], &labels[r0..r0 + n]);
                    if ce.loss.is_some() {
                        sum += grad_kernels::cross_entropy(xs, &w, ls, n, hidden, vocab, cap)?.iter().sum::<f32>();
                    }
                    if ce.grads.is_some() {
                        let seed = vec![if count > 0.0 { 1.0 / count } else { 0.0 }; n];
                        let (dxc, dwc) = grad_kernels::cross_entropy_grad(xs, &w, ls, &seed, n, hidden, vocab, cap)?;
                        dx.extend(dxc);
                        match keys[if r0 == 0 { 2 } else { 3 }].accumulate {
                            true => dw.iter_mut().zip(dwc).for_each(|(a, b)| *a += b),
                            false => dw = dwc,
                        }
                    }
                }
                if let Some(loss) = ce.loss {
                    self.put_floats(loss, DType::F32, &[if count > 0.0 { sum / count } else { 0.0 }])?;
                }
                if let Some((dx_at, dw_at)) = ce.grads {
                    self.put_floats(dx_at, ce.dt, &dx)?;
                    self.put_floats(dw_at, DType::F32, &dw)?;
                }
                Ok(())
            }
            Cmd::Zero { dst, bytes } => self.write(*dst, &vec![0; *bytes]),
            Cmd::LabelCount { out, labels, index, n } => {
                let labels = self.ints(labels.0, labels.1, *n)?;
                let index = match index {
                    Some((a, dt)) => self.ints(*a, *dt, *n)?,
                    None => vec![0; *n],
                };
                let count = labels.iter().zip(&index).filter(|&(&l, &i)| l >= 0 && i >= 0).count();
                self.put_floats(*out, DType::F32, &[count as f32])
            }
            Cmd::ColumnSum { out, x, dt, rows, cols, .. } => {
                let x = self.floats(*x, *dt, rows * cols)?;
                self.put_floats(*out, DType::F32, &grad_kernels::bias_grad(&x, *rows, *cols))
            }
            Cmd::NormGrad { dx, x, w, dy, dt, wdt, rows, hidden, eps, dw, db, offset, addend, .. } => {
                let (xs, dys) = (self.floats(*x, *dt, rows * hidden)?, self.floats(*dy, *dt, rows * hidden)?);
                let ws: Vec<f32> = self.floats(*w, *wdt, *hidden)?.iter().map(|v| v + offset).collect();
                let eps = *eps as f64;
                let (gx, gw, gb) = match db {
                    // The bias's value does not enter the gradient.
                    Some(_) => grad_kernels::layer_norm_grad(&xs, &ws, &vec![0.0; *hidden], &dys, eps),
                    None => {
                        let (gx, gw) = grad_kernels::rms_norm_grad(&xs, &ws, &dys, eps);
                        (gx, gw, Vec::new())
                    }
                };
                let gx = match addend {
                    Some(c) => gx.iter().zip(self.floats(*c, *dt, rows * hidden)?).map(|(g, c)| g + c).collect(),
                    None => gx,
                };
                self.put_floats(*dx, *dt, &gx)?;
                self.put_floats(*dw, DType::F32, &gw)?;
                match db {
                    Some(db) => self.put_floats(*db, DType::F32, &gb),
                    None => Ok(()),
                }
            }
            Cmd::EmbeddingGrad { out, ids, it, dy, dt, rows, hidden, vocab, scale } => {
                let ids = self.ints(*ids, *it, *rows)?;
                let dy: Vec<f32> = self.floats(*dy, *dt, rows * hidden)?.iter().map(|v| v * scale).collect();
                self.put_floats(*out, DType::F32, &grad_kernels::embedding_grad(&ids, &dy, *vocab, *hidden)?)
            }
            Cmd::SwigluGrad { dt, g, u, dy, dg, du, n } => {
                let (g, u, dy) = (self.floats(*g, *dt, *n)?, self.floats(*u, *dt, *n)?, self.floats(*dy, *dt, *n)?);
                let (gg, gu) = grad_kernels::swiglu_grad(&g, &u, &dy);
                self.put_floats(*dg, *dt, &gg)?;
                self.put_floats(*du, *dt, &gu)
            }
            Cmd::LseMerge { o, l, oa, la, ob, lb, rows, heads, cols } => {
                let f = |a: Addr, n: usize| self.floats(a, DType::F32, n);
                let (out, lse) = kernels::lse_merge(
                    &f(*oa, rows * cols)?,
                    &f(*la, rows * heads)?,
                    &f(*ob, rows * cols)?,
                    &f(*lb, rows * heads)?,
                    *heads,
                    *cols,
                );
                self.put_floats(*o, DType::F32, &out)?;
                self.put_floats(*l, DType::F32, &lse)
            }
            Cmd::Softcap { y, dt, n, cap } => {
                let v: Vec<f32> = self.floats(*y, *dt, *n)?.iter().map(|&x| cap * (x / cap).tanh()).collect();
                self.put_floats(*y, *dt, &v)
            }
            Cmd::Unary { op, dt, x, y, n } => {
                let x = self.floats(*x, *dt, *n)?;
                let out: Vec<f32> =
                    x.iter().map(|&v| if *op == 0 { kernels::silu(v) } else { kernels::gelu(v, *op == 2) }).collect();
                self.put_floats(*y, *dt, &out)
            }
            Cmd::Binary { op, dt, a, b, y, n } => {
                let (a, b) = (self.floats(*a, *dt, *n)?, self.floats(*b, *dt, *n)?);
                let out: Vec<f32> = a
                    .iter()
                    .zip(&b)
                    .map(|(&p, &q)| match op {
                        0 => p * q,
                        1 => p + q,
                        2 => kernels::silu(p) * q,
                        3 => grad_kernels::silu_grad(&[p], &[q])[0],
                        _ => grad_kernels::gelu_grad(&[p], &[q], *op == 5)[0],
                    })
                    .collect();
                self.put_floats(*y, *dt, &out)
            }
            Cmd::Convert { x, xdt, y, ydt, n } => {
                let v = self.floats(*x, *xdt, *n)?;
                self.put_floats(*y, *ydt, &v)
            }
            Cmd::Collective { .. } | Cmd::Wait { .. } => Err("internal: collectives run on all ranks at once".into()),
        }
    }
}

fn numbers(bytes: &[u8], dt: DType) -> R<Vec<f64>> {
    let t = decode_tensor(bytes, dt, vec![bytes.len() / dt.size().max(1)])?;
    t.to_f64()
        .or_else(|| t.to_i64().map(|v| v.into_iter().map(|x| x as f64).collect()))
        .ok_or_else(|| "not numbers".into())
}

fn encode_numbers(v: &[f64], dt: DType) -> R<Vec<u8>> {
    match dt {
        DType::I32 => Ok(v.iter().flat_map(|&x| (x as i32).to_le_bytes()).collect()),
        DType::I64 => Ok(v.iter().flat_map(|&x| (x as i64).to_le_bytes()).collect()),
        _ => encode_floats(v.iter().copied(), dt),
    }
}

/// Every rank's program and memory, run command by command in lockstep.
pub struct Emulator {
    programs: Vec<Program>,
    mems: Vec<Mem>,
    next: usize,
    /// Offloads and reloads started and not yet waited for: token -> each rank's copy.
    copies: HashMap<usize, Vec<(usize, Move)>>,
    /// Copies run where they start (`--check-steps` compares a reload's result after its step).
    eager_copies: bool,
}

impl Emulator {
    /// Lowers `plan` for every rank and loads weights and inputs (global: each rank takes its
    /// rows of sharded ones) as the executor does.
    pub fn new(plan: &Plan, inputs: &[HostTensor], weights: &WeightSource) -> R<Self> {
        Self::lowered(plan, program::Lowering::default(), inputs, weights)
    }

    /// As `new`, with `lowering`'s choices for every rank's program.
    pub fn lowered(plan: &Plan, lowering: program::Lowering, inputs: &[HostTensor], weights: &WeightSource) -> R<Self> {
        let programs = (0..plan.devices)
            .map(|r| program::build_with(plan, r, lowering).map_err(|e| e.to_string()))
            .collect::<R<Vec<Program>>>()?;
        let n = programs.first().map_or(0, |p| p.cmds.len());
        if programs.iter().any(|p| p.cmds.len() != n) {
            return Err("ranks have different command counts".into());
        }
        let mut mems: Vec<Mem> = programs.iter().map(Mem::new).collect();
        for (rank, (p, mem)) in programs.iter().zip(&mut mems).enumerate() {
            for slot in &p.params {
                let values = weights.load(&slot.name, &slot.info.shape, slot.role)?;
                mem.write(
                    Addr { region: Region::Params, off: slot.off },
                    &encode_floats(values.into_iter(), slot.info.dtype)?,
                )?;
            }
            if inputs.len() != p.inputs.len() {
                return Err(format!("the plan takes {} inputs, {} were given", p.inputs.len(), inputs.len()));
            }
            for (t, &(v, addr)) in
                crate::shards::local_inputs(plan, inputs, rank).map_err(|e| e.to_string())?.iter().zip(&p.inputs)
            {
                let info = &p.infos[v as usize];
                mem.write(addr, &encode_tensor(t, info.dtype, info.numel).map_err(|m| format!("input %{v}: {m}"))?)?;
            }
        }
        Ok(Self { programs, mems, next: 0, copies: HashMap::new(), eager_copies: false })
    }

    /// Offloads and reloads complete where they start, as on a device synchronised after every
    /// command (`--check-steps`).
    pub fn eager_copies(&mut self) {
        self.eager_copies = true;
    }

    pub fn programs(&self) -> &[Program] {
        &self.programs
    }

    pub fn done(&self) -> bool {
        self.next >= self.programs.first().map_or(0, |p| p.cmds.len())
    }

    /// Runs the next command on every rank.
    pub fn step(&mut self) -> R<()> {
        let i = self.next;
        let first = &self.programs.first().ok_or("no ranks")?.cmds.get(i).ok_or("no command left")?.1;
        match first {
            Cmd::Collective { stream: program::COPY_STREAM, token: Some(t), .. } if !self.eager_copies => {
                let t = *t;
                let mut moves = Vec::new();
                for (rank, (p, mem)) in self.programs.iter().zip(&mut self.mems).enumerate() {
                    let Cmd::Collective { work, .. } = &p.cmds[i].1 else { return Err(format!("ranks disagree at command {i}")) };
                    for w in work {
                        let Work::Move(m @ Move::Copy { dst, bytes, .. }) = w else {
                            return Err("a copy-stream command that is not a copy".into());
                        };
                        mem.bytes_mut(*dst, *bytes)?.fill(0xA5);
                        moves.push((rank, m.clone()));
                    }
                }
                self.copies.insert(t, moves);
            }
            Cmd::Collective { .. } => self.collective(i)?,
            Cmd::Wait { token } => {
                for (rank, m) in self.copies.remove(token).unwrap_or_default() {
                    self.mems[rank].mv(&m)?;
                }
            }
            _ => {
                for (p, mem) in self.programs.iter().zip(&mut self.mems) {
                    mem.run(&p.cmds[i].1)
                        .map_err(|m| format!("step {} ('{}'): {m}", p.cmds[i].0, p.op_names[p.cmds[i].0]))?;
                }
            }
        }
        self.next += 1;
        Ok(())
    }

    pub fn run(&mut self) -> R<()> {
        while !self.done() {
            self.step()?;
        }
        // Every offload and reload is waited for by the end of the run.
        match self.copies.keys().min() {
            Some(t) => Err(format!("copy {t} (an offload or reload) is never waited for")),
            None => Ok(()),
        }
    }

    pub fn bytes(&self, rank: usize, a: Addr, n: usize) -> R<&[u8]> {
        self.mems.get(rank).ok_or("no such rank")?.bytes(a, n)
    }

    /// The plan outputs as the caller sees them: rank 0's, or assembled from every rank's rows
    /// where `plan` keeps an output sharded.
    pub fn global_outputs(&self, plan: &Plan) -> R<Vec<HostTensor>> {
        let ranks = (0..self.programs.len()).map(|r| self.outputs(r)).collect::<R<Vec<_>>>()?;
        crate::shards::global_outputs(plan, &ranks).map_err(|e| e.to_string())
    }

    pub fn outputs(&self, rank: usize) -> R<Vec<HostTensor>> {
        let p = self.programs.get(rank).ok_or("no such rank")?;
        p.outputs
            .iter()
            .map(|&(v, addr)| {
                let info = &p.infos[v as usize];
                decode_tensor(self.bytes(rank, addr, info.bytes)?, info.dtype, info.shape.clone())
            })
            .collect()
    }

    /// Runs collective command `i` on every rank at once, with NCCL's semantics. Every
    /// member's contribution is read before any result is written.
    fn collective(&mut self, i: usize) -> R<()> {
        let mut works = Vec::new();
        for p in &self.programs {
            match &p.cmds[i].1 {
                Cmd::Collective { work, comm, .. } => works.push((work.clone(), *comm)),
                other => return Err(format!("ranks disagree at command {i}: {other:?}")),
            }
        }
        let groups: Vec<Vec<usize>> = (0..self.programs.len())
            .map(|r| works[r].1.map_or(vec![r], |c| self.programs[r].comm_keys[c].group.clone()))
            .collect();
        for j in 0..works[0].0.len() {
            let mut results: Vec<Vec<(Addr, Vec<u8>)>> = vec![Vec::new(); self.programs.len()];
            for r in 0..self.programs.len() {
                let g = &groups[r];
                let me = g.iter().position(|&x| x == r).ok_or("rank outside its group")?;
                let work = works[r].0.get(j).ok_or("ranks disagree on a collective's work")?;
                let peer_work =
                    |p: usize| works[p].0.get(j).ok_or_else(|| format!("rank {p} disagrees on a collective's work"));
                match work {
                    Work::Move(m) => self.mems[r].mv(m)?,
                    Work::AllGather { recv, bytes, .. } => {
                        let mut data = Vec::new();
                        for &p in g {
                            let Work::AllGather { send, .. } = peer_work(p)? else {
                                return Err(format!("rank {p} is not in all_gather"));
                            };
                            data.extend_from_slice(self.mems[p].bytes(*send, *bytes)?);
                        }
                        results[r].push((*recv, data));
                    }
                    Work::AllReduce { recv, count, dtype, op, .. }
                    | Work::ReduceScatter { recv, count, dtype, op, .. } => {
                        let scatter = matches!(work, Work::ReduceScatter { .. });
                        let n = if scatter { count * g.len() } else { *count };
                        let mut total: Option<Vec<f64>> = None;
                        for &p in g {
                            let (Work::AllReduce { send, .. } | Work::ReduceScatter { send, .. }) = peer_work(p)?
                            else {
                                return Err(format!("rank {p} is not in the reduction"));
                            };
                            let part = numbers(self.mems[p].bytes(*send, n * dtype.size())?, *dtype)?;
                            total = Some(match total {
                                None => part,
                                Some(t) => t
                                    .iter()
                                    .zip(&part)
                                    .map(|(a, b)| match op {
                                        Reduction::Sum => a + b,
                                        Reduction::Max => a.max(*b),
                                    })
                                    .collect(),
                            });
                        }
                        let all = total.unwrap_or_default();
                        let mine = if scatter { all[me * count..(me + 1) * count].to_vec() } else { all };
                        results[r].push((*recv, encode_numbers(&mine, *dtype)?));
                    }
                    Work::SendRecv { recvs, .. } => {
                        // As in NCCL, the k-th receive from a peer matches its k-th send here.
                        let mut taken: HashMap<usize, usize> = HashMap::new();
                        for &(addr, bytes, peer) in recvs {
                            let from = g[peer];
                            let Work::SendRecv { sends, .. } = peer_work(from)? else {
                                return Err(format!("rank {from} is not in send/recv"));
                            };
                            let k = taken.entry(peer).or_insert(0);
                            let (src, n, _) = sends.iter().filter(|s| s.2 == me).nth(*k).copied().ok_or_else(|| {
                                format!("rank {from} sends {k} message(s) to rank {r}, fewer than it receives")
                            })?;
                            *k += 1;
                            if n != bytes {
                                return Err(format!("rank {from} sends {n} bytes, rank {r} receives {bytes}"));
                            }
                            results[r].push((addr, self.mems[from].bytes(src, n)?.to_vec()));
                        }
                    }
                }
            }
            for (r, list) in results.into_iter().enumerate() {
                for (addr, data) in list {
                    self.mems[r].write(addr, &data)?;
                }
            }
        }
        Ok(())
    }
}
