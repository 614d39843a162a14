//! Whether a rank's program fits its GPU, checked before anything large is allocated: a model
//! that does not fit is refused with what it needs, part by part, and what would fit, rather
//! than failing in the middle of its set-up with CUDA's out-of-memory error.

use super::program::Program;

/// What one rank allocates up front, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Needs {
    pub weights: usize,
    /// The training loop's f32 master weights (bf16/f16 plans) and AdamW moments.
    pub optimizer: usize,
    /// Of `optimizer`, the master weights.
    pub master: usize,
    /// The plan's activation arena.
    pub activations: usize,
    /// Command temporaries, kept attention outputs and collective staging.
    pub temporaries: usize,
    /// Pinned host memory for offloaded activations (not on the GPU).
    pub host: usize,
}

const GIB: f64 = (1u64 << 30) as f64;

/// The host's available memory (`MemAvailable` in /proc/meminfo), where it can be read.
pub fn host_available() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn gib(bytes: usize) -> String {
    format!("{:.2} GiB", bytes as f64 / GIB)
}

impl Needs {
    /// The program's needs; `training`: with the optimizer's state (`optimizer::state_bytes`
    /// per weight; a weight read in several places counted once), of the rank's own rows of
    /// each weight under ZeRO (`zero`: the plan's devices, where it reduce-scatters gradients).
    pub fn of(program: &Program, training: bool, zero: Option<usize>) -> Self {
        let mut seen = std::collections::BTreeSet::new();
        let (mut optimizer, mut master) = (0, 0);
        for p in program.params.iter().filter(|p| training && seen.insert(p.name.as_str())) {
            let n = super::optimizer::owned_values(&p.info.shape, zero, program.rank);
            let state = super::optimizer::state_bytes(n, p.info.dtype);
            optimizer += state;
            // Past the two moments, the rest is the master copy (none for f32 weights).
            master += state - super::optimizer::state_bytes(n, super::layout::DType::F32);
        }
        Self {
            weights: program.params_bytes,
            optimizer,
            master,
            activations: program.arena.bytes,
            temporaries: program.work + program.saved + program.scratch.iter().sum::<usize>(),
            host: program.host,
        }
    }

    /// Each part and its size: weights, f32 master weights and AdamW moments (training),
    /// activations, command temporaries.
    pub fn parts(&self) -> Vec<String> {
        let mut parts = vec![format!("weights {}", gib(self.weights))];
        if self.optimizer > 0 {
            parts.push(format!("f32 master weights and AdamW moments {}", gib(self.optimizer)));
            if self.master > 0 {
                parts.last_mut().into_iter().for_each(|p| p.push_str(&format!(" (master {})", gib(self.master))));
            }
        }
        parts.push(format!("activations {}", gib(self.activations)));
        parts.push(format!("command temporaries {}", gib(self.temporaries)));
        if self.host > 0 {
            parts.push(format!("offloaded activations {} of pinned host memory", gib(self.host)));
        }
        parts
    }

    /// Ok when `ranks` ranks' offloads fit the host's `available` memory (MemAvailable); else
    /// what they need and the compile option that fits them.
    pub fn check_host(&self, ranks: usize, available: usize) -> Result<(), String> {
        let all = self.host * ranks.max(1);
        if all <= available {
            return Ok(());
        }
        Err(format!(
            "the offloaded activations need {} of pinned host memory on each of this host's {ranks} rank(s), {} in all, \
             and the host has {} available: compile with --host-memory {:.2} (GiB a device; seq-recompute then \
             recomputes what no longer fits), or without --offload",
            gib(self.host),
            gib(all),
            gib(available),
            (available as f64 / ranks.max(1) as f64 / GIB * 0.9 * 100.0).floor() / 100.0
        ))
    }

    pub fn total(&self) -> usize {
        self.weights + self.optimizer + self.activations + self.temporaries
    }

    /// Ok when the needs fit in `free` bytes of `gpu`; else what they are and what would fit:
    /// the activations seq-recompute must bring the step down to (`--memory-budget` counts
    /// weights and activations), or more devices. cuBLASLt's and cuDNN's workspaces are sized
    /// later and are not counted here.
    pub fn check(&self, free: usize, gpu: &str) -> Result<(), String> {
        let total = self.total();
        if total <= free {
            return Ok(());
        }
        let parts = self.parts();
        let fixed = self.weights + self.optimizer + self.temporaries;
        let advice = match free.checked_sub(fixed) {
            Some(room) if room > 0 => format!(
                "the activations would fit in {}: compile with --memory-budget {:.2} (GiB of weights and activations; \
                 seq-recompute then recomputes or offloads the rest), or split the sequence over more devices",
                gib(room),
                ((self.weights + room) as f64 / GIB * 100.0).floor() / 100.0
            ),
            _ => format!(
                "even without activations the weights, optimizer state and temporaries ({}) do not fit: \
                 split the model over more devices",
                gib(fixed)
            ),
        };
        Err(format!(
            "this rank needs {} on {gpu}, which has {} free: {}. {advice}",
            gib(total),
            gib(free),
            parts.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Offloads are checked against the host's memory for every rank on it, and the refusal
    /// names a --host-memory that fits.
    #[test]
    fn offloads_must_fit_the_host() {
        let needs = Needs { host: 40 << 30, ..Needs::default() };
        assert!(needs.check_host(2, 100 << 30).is_ok());
        let e = needs.check_host(4, 100 << 30).expect_err("160 GiB on a host with 100");
        assert!(e.contains("160.00 GiB in all") && e.contains("--host-memory 22.50"), "{e}");
        assert!(Needs::default().check_host(8, 0).is_ok(), "nothing offloaded, nothing needed");
    }
}
