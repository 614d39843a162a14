//! Untrusted `.mlir` text cannot crash the compiler: mutations of the example programs' text
//! (numbers changed, tokens dropped or repeated, lines removed, duplicated or swapped, op names
//! and types replaced) go through parsing, raising, verification and compilation for 2 devices,
//! and must end in a program or a located error, never a panic. `SEQC_FUZZ_CASES` runs more by
//! hand (default 1000 — each accepted program compiles, about 15 ms a case; seed fixed;
//! `SEQC_FUZZ_SEED` picks another).

use seqc::{CompileOptions, Source, compile_graph, load};

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

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
    let cases: usize = std::env::var("SEQC_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let seed: u64 = std::env::var("SEQC_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(29);
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let (mut accepted, mut refused) = (0, 0);
    let start = std::time::Instant::now();
    for case in 0..cases {
        let mut text = seeds[case % seeds.len()].clone();
        for _ in 0..=rng.below(3) {
            text = mutate(&text, &mut rng);
        }
        match std::panic::catch_unwind(|| parse_and_compile(&text)) {
            Ok(Ok(())) => accepted += 1,
            Ok(Err(_)) => refused += 1,
            Err(p) => {
                let what = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()));
                let file = std::env::temp_dir().join(format!("seqc-fuzz-crash-{seed}-{case}.mlir"));
                let _ = std::fs::write(&file, &text);
                panic!("case {case} (seed {seed}) panicked: {what:?}; the program is in {}", file.display());
            }
        }
    }
    eprintln!(
        "mlir fuzz: {cases} cases (seed {seed}) in {:.1} s: {accepted} compiled, {refused} refused with an error, 0 panics",
        start.elapsed().as_secs_f64()
    );
}
