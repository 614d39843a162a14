//! `seqc-run`'s command line (parsed here, in the library, so it is unit-tested).

use super::error::CudaError;
use crate::train::{Optimizer, Schedule};
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
  --weights W           weights by parameter name: a .safetensors file, or a Hugging Face folder
                        of shards (or its model.safetensors.index.json); default: deterministic
                        random weights
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
  --deterministic       every sum in a fixed order, so repeated runs give identical bits: the
                        NVRTC attention backward in one block per KV group (far slower), the
                        embedding gradient without atomics, cuDNN's attention backward in its
                        deterministic form (dQ through a dP workspace of heads x queries x keys
                        x 2 bytes: more memory; past SEQC_SDPA_DET_DP_GIB, default 64, in query
                        chunks of at most 4 GiB). GEMMs and the rest are deterministic already
  --check-steps         compare every step's results with a host emulation of the lowered plan
                        (small plans only); names the first step that goes wrong
  --dry-run             lower the plan for every rank and print the layout; no GPU needed

training loop (a plan from `seqc compile --train` of a whole model): AdamW on the GPU with f32
master weights and moments, as torch.optim.AdamW; on several devices each rank keeps the state of
the rows of each weight its gradient shard holds and the weights are all-gathered after the update
(ZeRO; --grad-reduce all-reduce plans update whole weights on every rank); the same options as
`seqc train`
  --steps N             train N steps (step k on data row k mod rows)
  --data FILE           token ids: .npy [rows, seq], or a flat .bin of uint16 tokens cut into
                        windows of the plan's length; default: seeded random rows
  --token-bytes 2|4     (.bin) bytes per token (default 2)
  --eos ID              (.bin) end-of-document token: windows pack documents
  --lr X --betas B1,B2 --eps X --weight-decay X   AdamW (defaults 1e-3, 0.9,0.999, 1e-8, 0.01)
  --grad-clip NORM      clip the global gradient norm (default off)
  --schedule constant|cosine --warmup K --min-lr X
  --log FILE            one JSON line per step: step, loss, grad_norm, lr, tokens_per_s,
                        step_ms (wall time of the whole step; the AdamW update runs
                        under the next step's first layers, SEQC_UPDATE_OVERLAP=0: before
                        it; under ZeRO before it unless SEQC_UPDATE_OVERLAP=1), peak_bytes
  --save DIR            checkpoint at the end (every --save-every K steps, and on Ctrl-C):
                        weights and optimizer state in f32, the step; written beside DIR, then
                        renamed. Ctrl-C finishes the step in flight on every rank, saves, and
                        exits with 130; a second Ctrl-C stops the ranks at once
  --resume DIR          continue from a checkpoint (--save here, or `seqc train --save`)
  With --steps, --timeout bounds each step; the set-up gets at least 600 s.
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
    pub deterministic: bool,
    pub dry_run: bool,
    pub calibrate: Option<PathBuf>,
    pub help: bool,
    /// The training loop (`--steps`): its steps are `opt.steps`.
    pub train: Option<TrainArgs>,
}

/// `--steps` and what goes with it.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainArgs {
    pub opt: Optimizer,
    pub data: Option<PathBuf>,
    pub token_bytes: usize,
    pub eos: Option<u32>,
    pub log: Option<PathBuf>,
    pub save: Option<PathBuf>,
    pub save_every: Option<usize>,
    pub resume: Option<PathBuf>,
}

impl Default for TrainArgs {
    fn default() -> Self {
        Self { opt: Optimizer::default(), data: None, token_bytes: 2, eos: None, log: None, save: None, save_every: None, resume: None }
    }
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
            deterministic: false,
            dry_run: false,
            calibrate: None,
            help: false,
            train: None,
        };
        let mut train = TrainArgs::default();
        let mut train_flags: Vec<String> = Vec::new();
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
                "--deterministic" => a.deterministic = true,
                "--dry-run" => a.dry_run = true,
                "--calibrate" => a.calibrate = Some(PathBuf::from(value(flag)?)),
                "--steps" | "--data" | "--token-bytes" | "--eos" | "--lr" | "--betas" | "--eps" | "--weight-decay"
                | "--grad-clip" | "--schedule" | "--warmup" | "--min-lr" | "--log" | "--save" | "--save-every"
                | "--resume" => {
                    let v = value(flag)?;
                    train_option(&mut train, flag, &v).map_err(usage)?;
                    train_flags.push(flag.to_string());
                }
                f if f.starts_with('-') => return Err(usage(format!("unknown option '{f}'"))),
                path => {
                    if plan.replace(PathBuf::from(path)).is_some() {
                        return Err(usage(format!("more than one plan given ('{path}')")));
                    }
                }
            }
        }
        if !train_flags.is_empty() {
            if !train_flags.iter().any(|f| f == "--steps") {
                return Err(usage(format!("{} belong(s) to the training loop: give --steps N", train_flags.join(", "))));
            }
            if train.save_every.is_some() && train.save.is_none() {
                return Err(usage("--save-every needs --save DIR".into()));
            }
            train.opt.check().map_err(|e| usage(e.to_string()))?;
            a.train = Some(train);
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
        if self.deterministic {
            v.push("--deterministic".into());
        }
        if let Some(t) = &self.train {
            let o = &t.opt;
            let mut push = |flag: &str, value: String| {
                v.push(flag.to_string());
                v.push(value);
            };
            push("--steps", o.steps.to_string());
            push("--lr", o.lr.to_string());
            push("--betas", format!("{},{}", o.betas.0, o.betas.1));
            push("--eps", o.eps.to_string());
            push("--weight-decay", o.weight_decay.to_string());
            if let Some(c) = o.grad_clip {
                push("--grad-clip", c.to_string());
            }
            push("--schedule", if o.schedule == Schedule::Cosine { "cosine".into() } else { "constant".into() });
            push("--warmup", o.warmup.to_string());
            push("--min-lr", o.min_lr.to_string());
            push("--token-bytes", t.token_bytes.to_string());
            for (flag, p) in [("--data", &t.data), ("--log", &t.log), ("--save", &t.save), ("--resume", &t.resume)] {
                if let Some(p) = p {
                    push(flag, p.display().to_string());
                }
            }
            if let Some(e) = t.eos {
                push("--eos", e.to_string());
            }
            if let Some(k) = t.save_every {
                push("--save-every", k.to_string());
            }
        }
        v
    }
}

/// One training-loop option (`--steps` and the rest) into `t`.
fn train_option(t: &mut TrainArgs, flag: &str, v: &str) -> Result<(), String> {
    fn num<T: std::str::FromStr>(flag: &str, v: &str, what: &str) -> Result<T, String> {
        v.parse().map_err(|_| format!("{flag} takes {what}, got '{v}'"))
    }
    let o = &mut t.opt;
    match flag {
        "--steps" => o.steps = num(flag, v, "a positive integer")?,
        "--data" => t.data = Some(PathBuf::from(v)),
        "--token-bytes" => t.token_bytes = num(flag, v, "2 or 4")?,
        "--eos" => t.eos = Some(num(flag, v, "a token id")?),
        "--lr" => o.lr = num(flag, v, "a number")?,
        "--betas" => {
            let (b1, b2) = v.split_once(',').ok_or_else(|| format!("--betas takes B1,B2, got '{v}'"))?;
            o.betas = (num(flag, b1, "B1,B2")?, num(flag, b2, "B1,B2")?);
        }
        "--eps" => o.eps = num(flag, v, "a number")?,
        "--weight-decay" => o.weight_decay = num(flag, v, "a number")?,
        "--grad-clip" => o.grad_clip = Some(num(flag, v, "a number")?),
        "--schedule" => o.schedule = v.parse()?,
        "--warmup" => o.warmup = num(flag, v, "a number of steps")?,
        "--min-lr" => o.min_lr = num(flag, v, "a number")?,
        "--log" => t.log = Some(PathBuf::from(v)),
        "--save" => t.save = Some(PathBuf::from(v)),
        "--save-every" => t.save_every = Some(num(flag, v, "a number of steps")?),
        "--resume" => t.resume = Some(PathBuf::from(v)),
        _ => return Err(format!("unknown option '{flag}'")),
    }
    Ok(())
}
