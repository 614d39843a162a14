//! The runtime's plan from a lowered program: the same ops and attributes, without MLIR.

use crate::partition::shard_sequence::{GLOBAL_TOKENS, SHARDED_ARGS, SHARDED_RESULTS};
use seq_ir::{Attr, Graph, Type};
use seq_plan::plan::{AttrValue, MemoryPlan, MeshAxis, OwnedOutput, PLAN_VERSION, Plan, ShardedIo, Step, ValueDesc};

fn attr_value(a: &Attr) -> AttrValue {
    match a {
        Attr::Int(v) => AttrValue::Int(*v),
        Attr::Float(v) => AttrValue::Float(*v),
        Attr::Bool(v) => AttrValue::Bool(*v),
        Attr::Str(v) => AttrValue::Str(v.clone()),
        Attr::Ints { values, .. } => AttrValue::Ints(values.clone()),
        Attr::Floats(values) => AttrValue::Floats(values.clone()),
        Attr::Raw(v) => AttrValue::Str(v.clone()),
    }
}

/// `ring=4,ulysses=2` → mesh axes, major first.
pub fn parse_mesh(text: &str) -> Vec<MeshAxis> {
    text.split(',')
        .filter_map(|part| {
            let (name, size) = part.split_once('=')?;
            Some(MeshAxis { name: name.trim().into(), size: size.trim().parse().ok()? })
        })
        .collect()
}

pub fn to_plan(g: &Graph) -> Plan {
    let g = g.compact();
    let mut values: Vec<ValueDesc> = g
        .values
        .iter()
        .map(|v| match &v.ty {
            Type::Tensor(t) => ValueDesc { shape: t.shape.clone(), dtype: t.dtype.name().into(), offset: None },
            Type::Token => ValueDesc { shape: vec![], dtype: "token".into(), offset: None },
        })
        .collect();
    if let Some(Attr::Ints { values: offs, .. }) = g.module_attrs.get(crate::schedule::plan_memory::ARG_OFFSETS) {
        for (a, &off) in g.args.iter().zip(offs) {
            values[a.0 as usize].offset = u64::try_from(off).ok();
        }
    }
    let mut steps = Vec::new();
    for (_, op) in g.body_ops() {
        if let Some(Attr::Ints { values: offs, .. }) = op.attr("offsets") {
            let tensors = op.results.iter().filter(|r| g.ty(**r).tensor().is_some());
            for (r, off) in tensors.zip(offs) {
                values[r.0 as usize].offset = Some(*off as u64);
            }
        }
        steps.push(Step {
            op: op.kind.short_name().into(),
            operands: op.operands.iter().map(|v| v.0).collect(),
            results: op.results.iter().map(|v| v.0).collect(),
            attrs: op
                .attrs
                .iter()
                .filter(|(k, _)| k.as_str() != "offsets")
                .map(|(k, v)| (k.clone(), attr_value(v)))
                .collect(),
            stream: op.int("stream").unwrap_or(0) as u32,
        });
    }
    let int = |k: &str| g.module_attrs.get(k).and_then(Attr::as_int);
    let positions = |k: &str| match g.module_attrs.get(k) {
        Some(Attr::Ints { values, .. }) => values.iter().map(|&p| p as usize).collect(),
        _ => Vec::new(),
    };
    let sharded_io = int(GLOBAL_TOKENS).map(|global| ShardedIo {
        layout: g.module_attrs.get("seq.layout").and_then(Attr::as_str).unwrap_or("block").into(),
        global_size: global as usize,
        inputs: positions(SHARDED_ARGS),
        outputs: positions(SHARDED_RESULTS),
    });
    Plan {
        version: PLAN_VERSION,
        devices: int("seq.devices").unwrap_or(1) as usize,
        mesh: g.module_attrs.get("seq.mesh").and_then(Attr::as_str).map(parse_mesh).unwrap_or_default(),
        inputs: g.args.iter().map(|v| v.0).collect(),
        outputs: g.results.iter().map(|v| v.0).collect(),
        values,
        steps,
        memory: MemoryPlan {
            arena_bytes: int(crate::schedule::plan_memory::ARENA_BYTES).unwrap_or(0) as u64,
            param_bytes: int(crate::schedule::plan_memory::PARAM_BYTES).unwrap_or(0) as u64,
        },
        sharded_io,
        output_names: match g.module_attrs.get(crate::partition::autodiff::RESULT_NAMES) {
            Some(Attr::Str(names)) => names.split(',').map(String::from).collect(),
            _ => Vec::new(),
        },
        owned_outputs: match g.module_attrs.get(crate::partition::autodiff::OWNED_RESULTS) {
            Some(Attr::Str(list)) => list
                .split(',')
                .filter_map(|p| {
                    let (at, rows) = p.split_once(':')?;
                    Some(OwnedOutput { output: at.parse().ok()?, rows: rows.parse().ok()? })
                })
                .collect(),
            _ => Vec::new(),
        },
    }
}
