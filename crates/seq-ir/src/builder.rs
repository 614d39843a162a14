//! Typed op builders: each method checks its operands with the verifier's inference and appends
//! one op, so a program built here is well-typed by construction (or the build fails with the
//! verifier's message).

use crate::{
    attr::Attr,
    diag::Loc,
    graph::{Graph, OpId, ValueId},
    ops::OpKind,
    types::{TensorType, Type},
    verify::{Inferred, infer},
};
use std::collections::BTreeMap;

/// An op could not be built: the operands or attributes break the op's rules.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cannot build '{op}': {message}")]
pub struct BuildError {
    pub op: String,
    pub message: String,
}

/// Attribute list helper: `attrs![("eps", Attr::Float(1e-5))]`.
pub fn attrs<const N: usize>(items: [(&str, Attr); N]) -> BTreeMap<String, Attr> {
    items.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Attention head configuration shared by `seq.attention` and `seq.attention_partial`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AttentionConfig {
    pub causal: bool,
    pub num_heads: i64,
    pub num_kv_heads: i64,
    pub head_dim: i64,
    pub scale: f64,
    pub window: Option<i64>,
    /// Scores capped as `softcap · tanh(s / softcap)` before the mask (Gemma 2).
    pub softcap: Option<f64>,
}

impl AttentionConfig {
    pub fn to_attrs(&self) -> BTreeMap<String, Attr> {
        let mut a = attrs([
            ("causal", Attr::Bool(self.causal)),
            ("num_heads", Attr::Int(self.num_heads)),
            ("num_kv_heads", Attr::Int(self.num_kv_heads)),
            ("head_dim", Attr::Int(self.head_dim)),
            ("scale", Attr::Float(self.scale)),
        ]);
        if let Some(w) = self.window {
            a.insert("window".into(), Attr::Int(w));
        }
        if let Some(c) = self.softcap {
            a.insert("softcap".into(), Attr::Float(c));
        }
        a
    }

    /// Reads the configuration back from an op's attributes (after verification).
    pub fn from_attrs(a: &BTreeMap<String, Attr>) -> Option<Self> {
        Some(Self {
            causal: a.get("causal")?.as_bool()?,
            num_heads: a.get("num_heads")?.as_int()?,
            num_kv_heads: a.get("num_kv_heads")?.as_int()?,
            head_dim: a.get("head_dim")?.as_int()?,
            scale: a.get("scale")?.as_float()?,
            window: a.get("window").and_then(Attr::as_int),
            softcap: a.get("softcap").and_then(Attr::as_float),
        })
    }
}

/// Appends ops to a graph, inferring result types.
pub struct Builder<'g> {
    pub graph: &'g mut Graph,
    pub loc: Option<Loc>,
}

impl<'g> Builder<'g> {
    pub fn new(graph: &'g mut Graph) -> Self {
        Self { graph, loc: None }
    }

    /// Builds any op; `declared` gives result types for ops whose types are not inferred.
    pub fn build(
        &mut self,
        kind: OpKind,
        operands: &[ValueId],
        attrs: BTreeMap<String, Attr>,
        declared: Option<Vec<Type>>,
    ) -> Result<OpId, BuildError> {
        let types: Vec<&Type> = operands.iter().map(|v| self.graph.ty(*v)).collect();
        let err = |message: String| BuildError { op: kind.name(), message };
        let results = match (infer(kind, &types, &attrs).map_err(err)?, declared) {
            (Inferred::Types(t), _) => t,
            (Inferred::Declared, Some(t)) => t,
            (Inferred::Declared, None) => return Err(err("needs declared result types".into())),
        };
        Ok(self.graph.push_op(kind, operands.to_vec(), results, attrs, self.loc.clone()))
    }

    /// Builds a single-result op and returns its value.
    pub fn one(&mut self, kind: OpKind, operands: &[ValueId], attrs: BTreeMap<String, Attr>) -> Result<ValueId, BuildError> {
        let id = self.build(kind, operands, attrs, None)?;
        Ok(self.graph.op(id).results[0])
    }

    pub fn param(&mut self, name: &str, ty: TensorType) -> Result<ValueId, BuildError> {
        let id = self.build(OpKind::Param, &[], attrs([("name", Attr::Str(name.into()))]), Some(vec![ty.into()]))?;
        Ok(self.graph.op(id).results[0])
    }

    pub fn embedding(&mut self, ids: ValueId, table: ValueId) -> Result<ValueId, BuildError> {
        self.one(OpKind::Embedding, &[ids, table], BTreeMap::new())
    }

    pub fn rms_norm(&mut self, x: ValueId, w: ValueId, eps: f64) -> Result<ValueId, BuildError> {
        self.one(OpKind::RmsNorm, &[x, w], attrs([("eps", Attr::Float(eps))]))
    }

    pub fn layer_norm(&mut self, x: ValueId, w: ValueId, b: ValueId, eps: f64) -> Result<ValueId, BuildError> {
        self.one(OpKind::LayerNorm, &[x, w, b], attrs([("eps", Attr::Float(eps))]))
    }

    pub fn linear(&mut self, x: ValueId, w: ValueId, bias: Option<ValueId>) -> Result<ValueId, BuildError> {
        let mut ops = vec![x, w];
        ops.extend(bias);
        self.one(OpKind::Linear, &ops, BTreeMap::new())
    }

    pub fn rope(&mut self, x: ValueId, positions: ValueId, head_dim: i64, theta: f64) -> Result<ValueId, BuildError> {
        self.one(
            OpKind::Rope,
            &[x, positions],
            attrs([("head_dim", Attr::Int(head_dim)), ("theta", Attr::Float(theta))]),
        )
    }

    pub fn attention(
        &mut self,
        q: ValueId,
        k: ValueId,
        v: ValueId,
        segment_ids: Option<ValueId>,
        cfg: &AttentionConfig,
    ) -> Result<ValueId, BuildError> {
        let mut ops = vec![q, k, v];
        ops.extend(segment_ids);
        self.one(OpKind::Attention, &ops, cfg.to_attrs())
    }

    pub fn unary(&mut self, kind: OpKind, x: ValueId) -> Result<ValueId, BuildError> {
        let a = if kind == OpKind::Gelu { attrs([("approximate", Attr::Str("tanh".into()))]) } else { BTreeMap::new() };
        self.one(kind, &[x], a)
    }

    pub fn binary(&mut self, kind: OpKind, a: ValueId, b: ValueId) -> Result<ValueId, BuildError> {
        self.one(kind, &[a, b], BTreeMap::new())
    }

    pub fn logits(&mut self, x: ValueId, w: ValueId) -> Result<ValueId, BuildError> {
        self.one(OpKind::Logits, &[x, w], BTreeMap::new())
    }
}
