//! `seqc-run`'s command line (parsed here, in the library, so it is unit-tested).

use super::error::CudaError;
use std::path::PathBuf;

pub const USAGE: &str = "\
usage: seqc-run PLAN.json [options]
       seqc-run --calibrate OUT.json [--nproc N]

Runs a seqc plan on GPUs (CUDA + NCCL, one process per GPU) or on the CPU reference backend.
With --calibrate, measures this machine instead (bf16 GEMM, cuDNN attention at 8K/32K/128K
tokens, memory bandwidth, kernel launches and, with N >= 2, NCCL all-gather, all-to-all and
send/recv) and writes the figures as JSON; `seqc calibrate --from OUT.json` makes a cost-model
profile of them.

options:
  --nproc N             processes (GPUs) to start on this node; default: the plan's device count.
                        Not needed when a launcher (torchrun, srun) sets RANK and WORLD_SIZE.
  --backend cuda|cpu    default cuda
  --input X.npy         token ids (int32/int64), or hidden states (float32/64, [tokens, hidden])
  --output-grad DY.npy  a vector-Jacobian step's output_grad (the result's gradient; default random)
                        for a plan that starts from them; default: deterministic values
  --segments seg.npy    segment ids of packed documents (positions restart in each); default 0
  --output out.npy      write the first output (rank 0) as float32; OUT.safetensors: every
                        output by name (a training step's loss and gradients)
  --weights W.safetensors  weights by parameter name; default: deterministic random weights
  --seed S              seed of the random weights and token ids (default 0, as `seqc run`)
  --check-against-cpu   also run the CPU backend (f32) and compare; exit 1 if the error is too large
  --timeout S           seconds before a rank gives up (default 300); no run hangs past it
  --iters N             run the plan N times (default 1); reports the median GPU time of runs
                        2..N (the first plans attention blocks and warms caches). Every run
                        starts after a barrier over all ranks
  --profile             time every command and every SDPA block of the last run (GPU events)
                        and print the longest ones and the total per op, per rank
  --trace FILE.json     write the last run's measured timeline per rank (FILE.rank0.json, ...)
                        for chrome://tracing or ui.perfetto.dev: one track per stream
  --sync-steps          synchronise after every step, so a GPU fault names its step (slow)
  --check-steps         compare every step's results with a host emulation of the lowered plan
                        (small plans only); names the first step that goes wrong
  --dry-run             lower the plan for every rank and print the layout; no GPU needed
  --calibrate OUT.json  measure this machine (see above); --nproc N GPUs, default 1
  -h, --help            this text

environment: RANK, WORLD_SIZE, LOCAL_RANK (set by torchrun or by --nproc; under srun
SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID), MASTER_ADDR, MASTER_PORT (rank 0's bootstrap
address; under srun without them, the first node of SLURM_STEP_NODELIST and a port from
SLURM_JOB_ID), SEQC_KERNEL_CACHE (compiled kernel cache directory).
NCCL_NVLS_ENABLE=0 is set for every rank.

failures: a rank that fails or dies stops the run. The launcher (--nproc, like torchrun and
srun) sends the other ranks SIGTERM, and each says which step it was waiting for (SIGKILL
follows after 3 s). The launcher's error names the rank that failed, how it ended (an exit
code, or a signal: SIGKILL is often the out-of-memory killer) and where the others were.
A signal's exit code is passed on as 128 + its number.";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Cuda,
    Cpu,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Args {
    pub plan: PathBuf,
    pub nproc: Option<usize>,
    pub backend: Backend,
    pub input: Option<PathBuf>,
    pub segments: Option<PathBuf>,
    /// A vector-Jacobian step's `output_grad` (its last argument).
    pub output_grad: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub weights: Option<PathBuf>,
    pub seed: u64,
    pub check: bool,
    pub timeout: f64,
    pub iters: usize,
    pub sync_steps: bool,
    pub profile: bool,
    pub trace: Option<PathBuf>,
    pub check_steps: bool,
    pub dry_run: bool,
    pub calibrate: Option<PathBuf>,
    pub help: bool,
}

impl Args {
    /// Parses the arguments after the program name.
    pub fn parse(args: &[String]) -> Result<Self, CudaError> {
        let usage = |m: String| CudaError::Usage(format!("{m}\n\n{USAGE}"));
        let mut plan = None;
        let mut a = Args {
            plan: PathBuf::new(),
            nproc: None,
            backend: Backend::Cuda,
            input: None,
            output_grad: None,
            segments: None,
            output: None,
            weights: None,
            seed: 0,
            check: false,
            timeout: 300.0,
            iters: 1,
            sync_steps: false,
            profile: false,
            trace: None,
            check_steps: false,
            dry_run: false,
            calibrate: None,
            help: false,
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            // Both `--flag value` and `--flag=value`.
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
                _ => (arg.as_str(), None),
            };
            let mut value = |name: &str| -> Result<String, CudaError> {
                inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| usage(format!("{name} needs a value")))
            };
            match flag {
                "-h" | "--help" => a.help = true,
                "--nproc" | "--nproc-per-node" | "--nproc_per_node" => {
                    let v = value(flag)?;
                    let n: usize =
                        v.parse().map_err(|_| usage(format!("{flag} takes a positive integer, got '{v}'")))?;
                    if n == 0 {
                        return Err(usage(format!("{flag} must be at least 1")));
                    }
                    a.nproc = Some(n);
                }
                "--backend" => {
                    a.backend = match value(flag)?.as_str() {
                        "cuda" | "gpu" => Backend::Cuda,
                        "cpu" => Backend::Cpu,
                        other => return Err(usage(format!("--backend takes cuda or cpu, got '{other}'"))),
                    }
                }
                "--input" => a.input = Some(PathBuf::from(value(flag)?)),
                "--output-grad" => a.output_grad = Some(PathBuf::from(value(flag)?)),
                "--segments" => a.segments = Some(PathBuf::from(value(flag)?)),
                "--output" | "-o" => a.output = Some(PathBuf::from(value(flag)?)),
                "--weights" => a.weights = Some(PathBuf::from(value(flag)?)),
                "--seed" => {
                    let v = value(flag)?;
                    a.seed = v.parse().map_err(|_| usage(format!("--seed takes an integer, got '{v}'")))?;
                }
                "--check-against-cpu" | "--check" => a.check = true,
                "--timeout" => {
                    let v = value(flag)?;
                    a.timeout = v
                        .parse::<f64>()
                        .ok()
                        .filter(|t| t.is_finite() && *t > 0.0)
                        .ok_or_else(|| usage(format!("--timeout takes seconds > 0, got '{v}'")))?;
                }
                "--iters" => {
                    let v = value(flag)?;
                    a.iters = v
                        .parse()
                        .ok()
                        .filter(|&n: &usize| n > 0)
                        .ok_or_else(|| usage(format!("--iters takes a positive integer, got '{v}'")))?;
                }
                "--sync-steps" => a.sync_steps = true,
                "--profile" => a.profile = true,
                "--trace" => a.trace = Some(PathBuf::from(value(flag)?)),
                "--check-steps" => a.check_steps = true,
                "--dry-run" => a.dry_run = true,
                "--calibrate" => a.calibrate = Some(PathBuf::from(value(flag)?)),
                f if f.starts_with('-') => return Err(usage(format!("unknown option '{f}'"))),
                path => {
                    if plan.replace(PathBuf::from(path)).is_some() {
                        return Err(usage(format!("more than one plan given ('{path}')")));
                    }
                }
            }
        }
        match plan {
            Some(p) => a.plan = p,
            None if a.help || a.calibrate.is_some() => {}
            None => return Err(usage("no plan given".into())),
        }
        Ok(a)
    }

    /// The arguments a child rank gets: the same run, without `--nproc` (the child learns its
    /// rank and world size from the environment).
    pub fn child_args(&self) -> Vec<String> {
        let mut v = Vec::new();
        if !self.plan.as_os_str().is_empty() {
            v.push(self.plan.display().to_string());
        }
        let mut opt = |flag: &str, value: Option<String>| {
            if let Some(value) = value {
                v.push(flag.to_string());
                v.push(value);
            }
        };
        opt(
            "--backend",
            Some(match self.backend {
                Backend::Cuda => "cuda".into(),
                Backend::Cpu => "cpu".into(),
            }),
        );
        opt("--input", self.input.as_ref().map(|p| p.display().to_string()));
        opt("--segments", self.segments.as_ref().map(|p| p.display().to_string()));
        opt("--output-grad", self.output_grad.as_ref().map(|p| p.display().to_string()));
        opt("--output", self.output.as_ref().map(|p| p.display().to_string()));
        opt("--weights", self.weights.as_ref().map(|p| p.display().to_string()));
        opt("--seed", Some(self.seed.to_string()));
        opt("--timeout", Some(self.timeout.to_string()));
        opt("--iters", Some(self.iters.to_string()));
        opt("--calibrate", self.calibrate.as_ref().map(|p| p.display().to_string()));
        opt("--trace", self.trace.as_ref().map(|p| p.display().to_string()));
        if self.check {
            v.push("--check-against-cpu".into());
        }
        if self.sync_steps {
            v.push("--sync-steps".into());
        }
        if self.profile {
            v.push("--profile".into());
        }
        if self.check_steps {
            v.push("--check-steps".into());
        }
        v
    }
}
