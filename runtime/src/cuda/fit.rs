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
}

const GIB: f64 = (1u64 << 30) as f64;

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
        parts
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
