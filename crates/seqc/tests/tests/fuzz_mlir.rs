//! Untrusted `.mlir` text cannot crash the compiler: mutations of the example programs' text
//! (numbers changed, tokens dropped or repeated, lines removed, duplicated or swapped, op names
//! and types replaced) go through parsing, raising, verification and compilation for 2 devices,
//! and must end in a program or a located error, never a panic. `SEQC_FUZZ_CASES` runs more by
//! hand (default 1000 — each accepted program compiles, about 15 ms a case; seed fixed;
//! `SEQC_FUZZ_SEED` picks another).

use super::fuzz::{Rng, drive};
use seqc::{CompileOptions, Source, compile_graph, load};

const WORDS: [&str; 12] = [
    "0", "-1", "9223372036854775807", "xbf16", "xf32", "xi32", "\"seq.linear\"", "\"seq.attention\"", "%0", "}", "(", ",",
];

fn mutate(text: &str, r: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    if lines.is_empty() {
        return String::new();
    }
    let i = r.below(lines.len());
    match r.below(5) {
        0 => {
            lines.remove(i);
        }
        1 => {
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        2 => {
            let j = r.below(lines.len());
            lines.swap(i, j);
        }
        _ => {
            // Replace one whitespace-separated token of the line.
            let mut toks: Vec<String> = lines[i].split(' ').map(String::from).collect();
            let k = r.below(toks.len());
            toks[k] = match r.below(3) {
                0 => WORDS[r.below(WORDS.len())].to_string(),
                1 => String::new(),
                _ => toks[k].chars().map(|c| if c.is_ascii_digit() { char::from(b'0' + r.below(10) as u8) } else { c }).collect(),
            };
            lines[i] = toks.join(" ");
        }
    }
    lines.join("\n")
}

fn parse_and_compile(text: &str) -> Result<(), String> {
    let g = load(&Source::Text { name: "fuzz.mlir".into(), text: text.into() }).map_err(|e| e.to_string())?;
    compile_graph(g, &CompileOptions { devices: 2, ..Default::default() }).map(|_| ()).map_err(|e| e.to_string())
}

#[test]
fn mutated_mlir_ends_in_a_program_or_an_error() {
    let root = super::root();
    let seeds: Vec<String> = ["examples/tiny.mlir", "tests/hf/snapshots/mistral.snap"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(root.join(p)).ok())
        .map(|t| t.lines().skip_while(|l| !l.starts_with("module") && !l.trim_start().starts_with("module")).collect::<Vec<_>>().join("\n"))
        .filter(|t| !t.is_empty())
        .collect();
    assert!(!seeds.is_empty(), "the seed programs are in the repository");
    for s in &seeds {
        parse_and_compile(s).unwrap_or_else(|e| panic!("a seed program must compile: {e}"));
    }
    drive(
        "mlir",
        "mlir",
        (1000, 29),
        |case, rng| {
            let mut text = seeds[case % seeds.len()].clone();
            for _ in 0..=rng.below(3) {
                text = mutate(&text, rng);
            }
            text
        },
        |t| parse_and_compile(t),
        |t| t.clone().into_bytes(),
    );
}
