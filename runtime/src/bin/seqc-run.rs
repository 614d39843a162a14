//! seqc-run: runs a seqc plan on GPUs (CUDA + NCCL, one process per GPU) or on the CPU
//! reference backend. No MLIR is linked, so this is the binary to ship to GPU machines.
//!
//! Modes: `--dry-run` (lower for every rank, no GPU), `--backend cpu`, a rank started by a
//! launcher (RANK/WORLD_SIZE set: torchrun, srun, or this binary's `--nproc`), one rank in this
//! process (a one-device plan), or the launcher itself (`--nproc N`, default the plan's devices).

use seq_runtime::cuda::{self, Args, Backend, CudaError, WorkerEnv, cli::USAGE, launch};
use std::process::ExitCode;
use std::time::Duration;

/// Runs one rank, turning a panic (a cudarc bug, a library missing a symbol) into an error.
fn worker(args: &Args, env: &WorkerEnv) -> Result<(), CudaError> {
    // Past the timeout plus a margin, the watchdog ends the process: the run's own deadline
    // (which names the step that hung) comes first.
    // A training loop's --timeout is per step; its set-up gets at least TRAIN_SETUP_SECONDS.
    let limit = if args.train.is_some() { args.timeout.max(cuda::TRAIN_SETUP_SECONDS) } else { args.timeout };
    launch::start_watchdog(env.rank, Duration::from_secs_f64(limit + 10.0));
    let work = || if args.calibrate.is_some() { cuda::run_calibration(args, env) } else { cuda::run_worker(args, env) };
    match std::panic::catch_unwind(work) {
        Ok(result) => result,
        Err(p) => {
            let message = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(CudaError::RankFailed {
                rank: env.rank,
                message: format!("panicked while {}: {message}", launch::phase()),
            })
        }
    }
}

fn run(args: &Args) -> Result<(), (u8, CudaError)> {
    let plain = |e: CudaError| (e.exit_code(), e);
    if args.dry_run {
        return cuda::dry_run(args).map_err(plain);
    }
    if args.backend == Backend::Cpu {
        return cuda::run_cpu(args).map_err(plain);
    }
    if let Some(env) = launch::worker_env(|k| std::env::var(k).ok()).map_err(plain)? {
        return worker(args, &env).map_err(|e| {
            eprintln!("[rank {}] error: {e}", env.rank);
            (e.exit_code(), CudaError::RankFailed { rank: env.rank, message: "see the error above".into() })
        });
    }
    let devices = match args.calibrate {
        Some(_) => args.nproc.unwrap_or(1),
        None => cuda::plan_devices(args).map_err(plain)?,
    };
    let nproc = args.nproc.unwrap_or(devices);
    if nproc != devices {
        return Err(plain(CudaError::Usage(format!(
            "the plan is for {devices} device(s); --nproc must be {devices}, got {nproc}"
        ))));
    }
    if nproc == 1 {
        let env = WorkerEnv { rank: 0, world: 1, local_rank: 0, bootstrap: "127.0.0.1:0".into() };
        return worker(args, &env).map_err(plain);
    }
    let exe = std::env::current_exe()
        .map_err(|e| plain(CudaError::Usage(format!("cannot find this program's path: {e}"))))?;
    // The children get the run's timeout plus time to start; the parent waits a little longer. A
    // training loop's ranks time out per step, so the parent waits for as long as they run.
    let limit = if args.train.is_some() { Duration::MAX / 4 } else { Duration::from_secs_f64(args.timeout + 30.0) };
    if args.train.is_some() {
        // The ranks stop together on Ctrl-C after a step; the launcher waits for them.
        launch::catch_interrupts();
    }
    launch::spawn_ranks(&exe, &args.child_args(), nproc, limit)
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match Args::parse(&argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("seqc-run: {e}");
            return ExitCode::from(e.exit_code());
        }
    };
    if args.help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    // NVLink multicast (NVLS) can take a shared machine's GPUs out of service: keep it off in
    // this process and in every rank it starts.
    // SAFETY: no other thread exists yet, so nothing reads the environment concurrently.
    unsafe { std::env::set_var("NCCL_NVLS_ENABLE", "0") };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, e)) => {
            match &e {
                // A rank already printed its own error.
                CudaError::RankFailed { message, .. } if message == "see the error above" => {}
                _ => eprintln!("seqc-run: error: {e}"),
            }
            ExitCode::from(code.max(1))
        }
    }
}
