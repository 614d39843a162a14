//! `seq-bucket-gradients`: weight gradients that a training step all-reduces over the devices
//! travel in buckets of at most `bytes`: the gradients of a bucket are concatenated (they agree
//! outside their first axis: the norm weights of a model, its `[*, hidden]` projections), summed
//! by one `seq.all_reduce`, and sliced apart again. Each collective pays NCCL's latency once, so a
//! model's many small gradients cost a few latencies instead of one each.
//!
//! A bucket is filled in the order the backward produces its gradients, and its concat sits right
//! after the last of them, so `seq-overlap-collectives` starts the bucket's all-reduce as soon as
//! that gradient exists; the slices stay where the results are read (the end of the step), so the
//! transfer overlaps the rest of the backward. Reduce-scattered gradients (each rank owning rows
//! of every gradient) are left alone: bucketing them would change which rows a rank owns.
//!
//! ```mlir
//! %g1 = "seq.all_reduce"(%dw1) {axis = "sp", group_size = 2 : i64, reduction = "sum"} : (tensor<64xf32>) -> tensor<64xf32>
//! %g2 = "seq.all_reduce"(%dw2) {...} : (tensor<64xf32>) -> tensor<64xf32>
//! // becomes
//! %b = "seq.concat"(%dw1, %dw2) {dim = 0 : i64} : (tensor<64xf32>, tensor<64xf32>) -> tensor<128xf32>
//! %s = "seq.all_reduce"(%b) {axis = "sp", bucket = 2 : i64, group_size = 2 : i64, reduction = "sum"} : ...
//! %g1 = "seq.slice"(%s) {dim = 0 : i64, size = 64 : i64, start = 0 : i64} : ...
//! %g2 = "seq.slice"(%s) {dim = 0 : i64, size = 64 : i64, start = 64 : i64} : ...
//! ```

use crate::{Pass, PassError};
use seq_ir::builder::attrs;
use seq_ir::{Attr, Def, Graph, OpId, OpKind, TensorType, Type};
use std::collections::BTreeMap;

pub struct BucketGradients {
    /// The most bytes one bucket carries (0: no buckets).
    pub bytes: u64,
}

/// The default bucket size (PyTorch DDP's default, 25 MiB).
pub const DEFAULT_BUCKET_BYTES: u64 = 25 << 20;

/// One all-reduced weight gradient: the all-reduce, its input, where the input is made (body
/// position), and its type.
struct Grad {
    op: OpId,
    input: seq_ir::ValueId,
    made_at: usize,
    ty: TensorType,
}

impl Pass for BucketGradients {
    fn name(&self) -> &'static str {
        "seq-bucket-gradients"
    }

    fn summary(&self) -> &'static str {
        "All-reduce weight gradients in buckets: concat, one all-reduce, slices"
    }

    fn run(&self, g: &mut Graph) -> Result<(), PassError> {
        if self.bytes == 0 {
            return Ok(());
        }
        let position: BTreeMap<OpId, usize> = g.body.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let mut used = std::collections::HashSet::new();
        for (_, op) in g.body_ops() {
            used.extend(op.operands.iter().copied());
        }
        // The all-reduces whose result is a step result read by nothing else: weight gradients
        // (the loss and the token count are summed for the loss's own ops).
        let mut grads: Vec<Grad> = Vec::new();
        for (i, &id) in g.body.iter().enumerate() {
            let op = g.op(id);
            let result = op.results[0];
            if op.kind != OpKind::AllReduce || !g.results.contains(&result) || used.contains(&result) {
                continue;
            }
            let Some(ty) = g.ty(op.operands[0]).tensor().cloned() else { continue };
            let made_at = match g.def(op.operands[0]) {
                Def::Op(p, _) => position.get(&p).copied().unwrap_or(i),
                Def::Arg(_) => 0,
            };
            grads.push(Grad { op: id, input: op.operands[0], made_at, ty });
        }
        grads.sort_by_key(|x| x.made_at);
        // Buckets per kind (the all-reduce's attributes, the dtype and the shape past axis 0),
        // filled in production order up to `bytes`.
        let kind_of = |g: &Graph, x: &Grad| {
            let attrs: Vec<String> = g.op(x.op).attrs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            (attrs.join(","), format!("{:?}", x.ty.dtype), x.ty.shape[1..].to_vec())
        };
        let mut open: BTreeMap<(String, String, Vec<i64>), Vec<usize>> = BTreeMap::new();
        let mut buckets: Vec<Vec<usize>> = Vec::new();
        for (i, x) in grads.iter().enumerate() {
            let key = kind_of(g, x);
            let bytes = x.ty.size_bytes();
            let bucket = open.entry(key).or_default();
            let held: u64 = bucket.iter().map(|&j| grads[j].ty.size_bytes()).sum();
            if !bucket.is_empty() && held + bytes > self.bytes {
                buckets.push(std::mem::take(bucket));
            }
            bucket.push(i);
        }
        buckets.extend(open.into_values());
        buckets.retain(|b| b.len() > 1);
        if buckets.is_empty() {
            return Ok(());
        }
        // New ops: each bucket's concat and all-reduce after its last gradient's producer, its
        // slices at the end; the gradients' own all-reduces go.
        let mut after: BTreeMap<usize, Vec<OpId>> = BTreeMap::new();
        let mut tail: Vec<OpId> = Vec::new();
        let mut gone = std::collections::HashSet::new();
        for bucket in &buckets {
            let members: Vec<&Grad> = bucket.iter().map(|&j| &grads[j]).collect();
            let first = &members[0].ty;
            let rows: i64 = members.iter().map(|m| m.ty.shape[0]).sum();
            let mut shape = first.shape.clone();
            shape[0] = rows;
            let joined = TensorType::new(shape, first.dtype);
            let loc = g.op(members[0].op).loc.clone();
            let cat_attrs = attrs([("dim", Attr::Int(0))]);
            let inputs: Vec<_> = members.iter().map(|m| m.input).collect();
            let cat = g.create_op(OpKind::Concat, inputs, vec![Type::Tensor(joined.clone())], cat_attrs, loc.clone());
            let mut ar_attrs = g.op(members[0].op).attrs.clone();
            ar_attrs.insert("bucket".into(), Attr::Int(members.len() as i64));
            let cat_v = g.op(cat).results[0];
            let ar = g.create_op(OpKind::AllReduce, vec![cat_v], vec![Type::Tensor(joined)], ar_attrs, loc.clone());
            let summed = g.op(ar).results[0];
            let last = members.iter().map(|m| m.made_at).max().unwrap_or(0);
            after.entry(last).or_default().extend([cat, ar]);
            let mut start = 0;
            for m in &members {
                let a = attrs([("dim", Attr::Int(0)), ("start", Attr::Int(start)), ("size", Attr::Int(m.ty.shape[0]))]);
                start += m.ty.shape[0];
                let s = g.create_op(OpKind::Slice, vec![summed], vec![Type::Tensor(m.ty.clone())], a, loc.clone());
                let old = g.op(m.op).results[0];
                let new = g.op(s).results[0];
                g.replace_all_uses(old, new);
                tail.push(s);
                gone.insert(m.op);
            }
        }
        let mut body = Vec::with_capacity(g.body.len() + tail.len());
        for (i, &id) in g.body.iter().enumerate() {
            if !gone.contains(&id) {
                body.push(id);
            }
            if let Some(ops) = after.get(&i) {
                body.extend(ops);
            }
        }
        body.extend(tail);
        g.body = body;
        Ok(())
    }
}
