//! Prints a program as MLIR: `func.func` in its usual form, seq ops in generic form (IRDL ops
//! have no custom syntax). Output depends only on the program: values are numbered in program
//! order and attributes sorted by name, so snapshots are stable.

use crate::{attr::Attr, graph::Graph, types::Type};
use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, Default)]
pub struct PrintOptions {
    /// Append `loc("file":line:col)` to ops that carry one.
    pub locations: bool,
}

fn is_bare_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '$'))
}

fn write_attrs<'a>(out: &mut String, attrs: impl Iterator<Item = (&'a String, &'a Attr)>) {
    let items: Vec<String> = attrs
        .map(|(k, v)| if is_bare_id(k) { format!("{k} = {v}") } else { format!("\"{k}\" = {v}") })
        .collect();
    if !items.is_empty() {
        let _ = write!(out, "{{{}}}", items.join(", "));
    }
}

fn type_list(types: &[&Type]) -> String {
    types.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
}

pub fn print_graph(g: &Graph, opts: PrintOptions) -> String {
    let mut names = vec![String::new(); g.values.len()];
    for (i, a) in g.args.iter().enumerate() {
        names[a.0 as usize] = format!("%arg{i}");
    }
    let mut out = String::new();
    if g.module_attrs.is_empty() {
        out.push_str("module {\n");
    } else {
        out.push_str("module attributes ");
        write_attrs(&mut out, g.module_attrs.iter());
        out.push_str(" {\n");
    }
    let args: Vec<String> = g.args.iter().map(|a| format!("{}: {}", names[a.0 as usize], g.ty(*a))).collect();
    let results: Vec<&Type> = g.results.iter().map(|r| g.ty(*r)).collect();
    let _ = writeln!(out, "  func.func @{}({}) -> ({}) {{", g.name, args.join(", "), type_list(&results));
    let mut next = 0;
    for (_, op) in g.body_ops() {
        out.push_str("    ");
        match op.results.len() {
            0 => {}
            1 => {
                names[op.results[0].0 as usize] = format!("%{next}");
                let _ = write!(out, "%{next} = ");
                next += 1;
            }
            n => {
                for (i, r) in op.results.iter().enumerate() {
                    names[r.0 as usize] = format!("%{next}#{i}");
                }
                let _ = write!(out, "%{next}:{n} = ");
                next += 1;
            }
        }
        let operands: Vec<&str> = op.operands.iter().map(|o| names[o.0 as usize].as_str()).collect();
        let _ = write!(out, "\"{}\"({}) ", op.kind.name(), operands.join(", "));
        write_attrs(&mut out, op.attrs.iter());
        if !op.attrs.is_empty() {
            out.push(' ');
        }
        let ins: Vec<&Type> = op.operands.iter().map(|o| g.ty(*o)).collect();
        let outs: Vec<&Type> = op.results.iter().map(|r| g.ty(*r)).collect();
        let outs = if outs.len() == 1 { outs[0].to_string() } else { format!("({})", type_list(&outs)) };
        let _ = write!(out, ": ({}) -> {outs}", type_list(&ins));
        if opts.locations
            && let Some(loc) = &op.loc
        {
            let _ = write!(out, " loc({:?}:{}:{})", loc.file, loc.line, loc.col);
        }
        out.push('\n');
    }
    let rets: Vec<&str> = g.results.iter().map(|r| names[r.0 as usize].as_str()).collect();
    if rets.is_empty() {
        out.push_str("    return\n");
    } else {
        let _ = writeln!(out, "    return {} : {}", rets.join(", "), type_list(&results));
    }
    out.push_str("  }\n}\n");
    out
}
