//! The in-memory form of one seq program: a single function (`func.func`) whose body is a list of
//! seq ops in program order. Passes work on this arena rather than on live MLIR objects: it is
//! `Send`, cheap to clone, and prints deterministically; every stage still prints as seq MLIR
//! that MLIR re-parses and verifies.

use crate::{attr::Attr, diag::Loc, ops::OpKind, types::Type};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValueId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpId(pub u32);

/// Where a value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Def {
    Arg(usize),
    Op(OpId, usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValueInfo {
    pub ty: Type,
    pub def: Def,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Op {
    pub kind: OpKind,
    pub operands: Vec<ValueId>,
    pub results: Vec<ValueId>,
    pub attrs: BTreeMap<String, Attr>,
    pub loc: Option<Loc>,
}

impl Op {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.get(name)
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.attrs.get(name).and_then(Attr::as_int)
    }

    pub fn float(&self, name: &str) -> Option<f64> {
        self.attrs.get(name).and_then(Attr::as_float)
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        self.attrs.get(name).and_then(Attr::as_bool)
    }

    pub fn str(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).and_then(Attr::as_str)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    /// The function's symbol name.
    pub name: String,
    /// Attributes of the enclosing `builtin.module` (e.g. the device mesh of a lowered program).
    pub module_attrs: BTreeMap<String, Attr>,
    pub args: Vec<ValueId>,
    pub results: Vec<ValueId>,
    /// Program order. Ops dropped by a pass stay in the arena but leave the body.
    pub body: Vec<OpId>,
    pub ops: Vec<Op>,
    pub values: Vec<ValueInfo>,
    pub loc: Option<Loc>,
}

impl Graph {
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), ..Self::default() }
    }

    pub fn op(&self, id: OpId) -> &Op {
        &self.ops[id.0 as usize]
    }

    pub fn op_mut(&mut self, id: OpId) -> &mut Op {
        &mut self.ops[id.0 as usize]
    }

    pub fn ty(&self, v: ValueId) -> &Type {
        &self.values[v.0 as usize].ty
    }

    pub fn def(&self, v: ValueId) -> Def {
        self.values[v.0 as usize].def
    }

    /// The op that defines `v`, if it is not a function argument.
    pub fn producer(&self, v: ValueId) -> Option<&Op> {
        match self.def(v) {
            Def::Op(id, _) => Some(self.op(id)),
            Def::Arg(_) => None,
        }
    }

    pub fn add_arg(&mut self, ty: Type) -> ValueId {
        let v = self.new_value(ty, Def::Arg(self.args.len()));
        self.args.push(v);
        v
    }

    fn new_value(&mut self, ty: Type, def: Def) -> ValueId {
        let id = ValueId(self.values.len() as u32);
        self.values.push(ValueInfo { ty, def });
        id
    }

    /// Creates an op (not yet placed in the body) with results of the given types.
    pub fn create_op(
        &mut self,
        kind: OpKind,
        operands: Vec<ValueId>,
        result_types: Vec<Type>,
        attrs: BTreeMap<String, Attr>,
        loc: Option<Loc>,
    ) -> OpId {
        let id = OpId(self.ops.len() as u32);
        let results = result_types
            .into_iter()
            .enumerate()
            .map(|(i, ty)| self.new_value(ty, Def::Op(id, i)))
            .collect();
        self.ops.push(Op { kind, operands, results, attrs, loc });
        id
    }

    /// Creates an op and appends it to the body.
    pub fn push_op(
        &mut self,
        kind: OpKind,
        operands: Vec<ValueId>,
        result_types: Vec<Type>,
        attrs: BTreeMap<String, Attr>,
        loc: Option<Loc>,
    ) -> OpId {
        let id = self.create_op(kind, operands, result_types, attrs, loc);
        self.body.push(id);
        id
    }

    /// Ops in program order.
    pub fn body_ops(&self) -> impl Iterator<Item = (OpId, &Op)> {
        self.body.iter().map(|&id| (id, self.op(id)))
    }

    /// Rewrites every use of `from` (operands and function results) to `to`.
    pub fn replace_all_uses(&mut self, from: ValueId, to: ValueId) {
        for &id in &self.body {
            for o in &mut self.ops[id.0 as usize].operands {
                if *o == from {
                    *o = to;
                }
            }
        }
        for r in &mut self.results {
            if *r == from {
                *r = to;
            }
        }
    }

    /// How many times each value is used by body ops and function results.
    pub fn use_counts(&self) -> Vec<u32> {
        let mut counts = vec![0u32; self.values.len()];
        for (_, op) in self.body_ops() {
            for o in &op.operands {
                counts[o.0 as usize] += 1;
            }
        }
        for r in &self.results {
            counts[r.0 as usize] += 1;
        }
        counts
    }

    /// Drops ops outside the body from the arena and renumbers, so clones stay small and
    /// printed names depend only on what the program holds.
    pub fn compact(&self) -> Graph {
        let mut out = Graph {
            name: self.name.clone(),
            module_attrs: self.module_attrs.clone(),
            loc: self.loc.clone(),
            ..Graph::default()
        };
        let mut map = vec![None; self.values.len()];
        for &a in &self.args {
            map[a.0 as usize] = Some(out.add_arg(self.ty(a).clone()));
        }
        for (_, op) in self.body_ops() {
            let operands = op.operands.iter().map(|o| map[o.0 as usize].unwrap_or(*o)).collect();
            let types = op.results.iter().map(|r| self.ty(*r).clone()).collect();
            let id = out.push_op(op.kind, operands, types, op.attrs.clone(), op.loc.clone());
            for (old, new) in op.results.iter().zip(out.op(id).results.clone()) {
                map[old.0 as usize] = Some(new);
            }
        }
        out.results = self.results.iter().map(|r| map[r.0 as usize].unwrap_or(*r)).collect();
        out
    }

    /// Ops of one kind, in program order.
    pub fn ops_of(&self, kind: OpKind) -> impl Iterator<Item = (OpId, &Op)> {
        self.body_ops().filter(move |(_, op)| op.kind == kind)
    }
}
