//! Untrusted ONNX models cannot crash the compiler: structure-aware mutations of the shared
//! exports (op types replaced; node inputs dropped, swapped, renamed or emptied; outputs
//! duplicated; attributes set to 0, −1 or extremes or removed; initializer dims and data cut or
//! changed; nodes dropped or reordered) go through raising, verification and compilation for 2
//! devices, and must end in a program or a located error, never a panic. `SEQC_FUZZ_CASES` runs
//! more by hand (default 2000, seed fixed; `SEQC_FUZZ_SEED` picks another). Skipped where
//! `../shared/models` is absent (the tests build without it).

use super::fuzz::{Rng, drive};
use prost::Message;
use seq_frontends::onnx::{proto, raise};
use seqc::{CompileOptions, compile_graph};

const OPS: [&str; 11] =
    ["MatMul", "Add", "Mul", "Slice", "Reshape", "Softmax", "Transpose", "Gather", "Concat", "Where", "Unknown"];
const INTS: [i64; 6] = [0, -1, 1, 3, i64::MAX, i64::MIN];

fn mutate(g: &mut proto::GraphProto, r: &mut Rng) {
    let nodes = g.node.len();
    let names: Vec<String> = g.node.iter().flat_map(|n| n.output.clone()).collect();
    match r.below(8) {
        0 if nodes > 0 => g.node[r.below(nodes)].op_type = Some(OPS[r.below(OPS.len())].into()),
        1 if nodes > 0 => {
            let n = &mut g.node[r.below(nodes)];
            if !n.input.is_empty() {
                let i = r.below(n.input.len());
                match r.below(4) {
                    0 => {
                        n.input.remove(i);
                    }
                    1 => {
                        let j = r.below(n.input.len());
                        n.input.swap(i, j);
                    }
                    2 if !names.is_empty() => n.input[i] = names[r.below(names.len())].clone(),
                    _ => n.input[i] = String::new(),
                }
            }
        }
        2 if nodes > 0 && !names.is_empty() => {
            let n = &mut g.node[r.below(nodes)];
            if !n.output.is_empty() {
                n.output[0] = names[r.below(names.len())].clone();
            }
        }
        3 if nodes > 0 => {
            let n = &mut g.node[r.below(nodes)];
            if !n.attribute.is_empty() {
                let k = r.below(n.attribute.len());
                let a = &mut n.attribute[k];
                match r.below(3) {
                    0 => a.i = Some(INTS[r.below(INTS.len())]),
                    1 if !a.ints.is_empty() => {
                        let j = r.below(a.ints.len());
                        a.ints[j] = INTS[r.below(INTS.len())];
                    }
                    _ => {
                        n.attribute.remove(k);
                    }
                }
            }
        }
        4 if !g.initializer.is_empty() => {
            let k = r.below(g.initializer.len());
            let t = &mut g.initializer[k];
            match r.below(3) {
                0 if !t.dims.is_empty() => {
                    let j = r.below(t.dims.len());
                    t.dims[j] = INTS[r.below(INTS.len())];
                }
                1 => t.dims.push(2),
                _ => {
                    t.dims.pop();
                }
            }
        }
        5 if !g.initializer.is_empty() => {
            let k = r.below(g.initializer.len());
            let t = &mut g.initializer[k];
            match r.below(2) {
                0 => {
                    if let Some(raw) = t.raw_data.as_mut() {
                        let keep = r.below(raw.len() + 1);
                        raw.truncate(keep);
                    }
                }
                _ => t.data_type = Some(r.below(20) as i32),
            }
        }
        6 if nodes > 1 => {
            let (i, j) = (r.below(nodes), r.below(nodes));
            if r.below(2) == 0 {
                g.node.swap(i, j);
            } else {
                g.node.remove(i);
            }
        }
        _ => {
            if !g.output.is_empty() && r.below(2) == 0 {
                g.output.clear();
            } else if !g.input.is_empty() {
                let i = r.below(g.input.len());
                g.input.remove(i);
            }
        }
    }
}

/// What `seqc compile model.onnx --devices 2` does with a model; Ok when it compiles.
fn import_and_compile(g: &proto::GraphProto) -> Result<(), String> {
    let raised = raise::raise(g).map_err(|u| u.message)?;
    if let Some(first) = seq_ir::verify::verify(&raised.graph).first() {
        return Err(first.to_string());
    }
    compile_graph(raised.graph, &CompileOptions { devices: 2, ..Default::default() }).map(|_| ()).map_err(|e| e.to_string())
}

#[test]
fn mutated_onnx_models_end_in_a_program_or_an_error() {
    let dir = super::root().join("../shared/models");
    let seeds: Vec<proto::GraphProto> = ["llama-eager", "llama-sdpa", "gpt2-eager", "gpt2-sdpa"]
        .iter()
        .filter_map(|m| std::fs::read(dir.join(m).join("model-opset18.onnx")).ok())
        .filter_map(|b| proto::ModelProto::decode(b.as_slice()).ok()?.graph)
        .collect();
    if seeds.is_empty() {
        println!("skipped: ../shared/models is not present");
        return;
    }
    drive(
        "onnx",
        "onnx",
        (2000, 23),
        |case, rng| {
            let mut g = seeds[case % seeds.len()].clone();
            for _ in 0..=rng.below(3) {
                mutate(&mut g, rng);
            }
            g
        },
        import_and_compile,
        |g| proto::ModelProto { graph: Some(g.clone()), ..Default::default() }.encode_to_vec(),
    );
}
