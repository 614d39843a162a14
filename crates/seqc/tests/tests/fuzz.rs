//! What the fuzz targets share: a seeded generator and the driver that runs the cases, catches
//! panics, saves the input that caused one, and reports the counts.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// Runs `SEQC_FUZZ_CASES` (default `cases`) inputs from `make` through `run` with seed
/// `SEQC_FUZZ_SEED` (default `seed`). Each must end in Ok or Err; a panic fails the test and
/// leaves the input (`save`) in /tmp/seqc-fuzz-crash-SEED-CASE.EXT.
pub fn drive<T>(
    what: &str,
    ext: &str,
    (cases, seed): (usize, u64),
    mut make: impl FnMut(usize, &mut Rng) -> T,
    run: impl Fn(&T) -> Result<(), String>,
    save: impl Fn(&T) -> Vec<u8>,
) {
    let cases: usize = std::env::var("SEQC_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(cases);
    let seed: u64 = std::env::var("SEQC_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(seed);
    let mut rng = Rng::new(seed);
    let (mut accepted, mut refused) = (0, 0);
    let start = std::time::Instant::now();
    // SEQC_FUZZ_PROGRESS: name each case before running it, so a case that never ends is found.
    let progress = std::env::var_os("SEQC_FUZZ_PROGRESS").is_some();
    for case in 0..cases {
        let input = make(case, &mut rng);
        if progress {
            eprintln!("{what} case {case}");
        }
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&input))) {
            Ok(Ok(())) => accepted += 1,
            Ok(Err(_)) => refused += 1,
            Err(p) => {
                let why = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()));
                let file = std::env::temp_dir().join(format!("seqc-fuzz-crash-{seed}-{case}.{ext}"));
                let _ = std::fs::write(&file, save(&input));
                panic!("{what} case {case} (seed {seed}) panicked: {why:?}; the input is in {}", file.display());
            }
        }
    }
    eprintln!(
        "{what} fuzz: {cases} cases (seed {seed}) in {:.1} s: {accepted} compiled, {refused} refused with an error, 0 panics",
        start.elapsed().as_secs_f64()
    );
}
