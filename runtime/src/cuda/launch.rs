//! Process management: one process per GPU. `--nproc N` starts N children of this binary with
//! torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT); a child, or a
//! process started by torchrun or srun, finds its rank there (under srun without MASTER_ADDR,
//! rank 0 is on the first node of SLURM_STEP_NODELIST, on a port derived from SLURM_JOB_ID). A watchdog ends a rank that
//! outlives its timeout, and the parent ends the other ranks as soon as one fails, so no run
//! hangs on a dead peer.

use super::error::CudaError;
use std::process::{Child, Command};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where this process sits in a multi-process run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerEnv {
    pub rank: usize,
    pub world: usize,
    /// The GPU ordinal on this node.
    pub local_rank: usize,
    /// Rank 0's bootstrap address, `host:port`.
    pub bootstrap: String,
}

const DEFAULT_PORT: u16 = 29511;

/// Reads the launcher's variables through `var`. `None`: not started by a launcher.
pub fn worker_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<WorkerEnv>, CudaError> {
    let num = |name: &str| -> Result<Option<usize>, CudaError> {
        match var(name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| CudaError::Usage(format!("{name}='{v}' is not a non-negative integer"))),
        }
    };
    // Slurm's names, when srun starts the ranks without torchrun.
    let rank = match num("RANK")? {
        Some(r) => r,
        None => match num("SLURM_PROCID")? {
            Some(r) if var("SLURM_NTASKS").is_some() => r,
            _ => return Ok(None),
        },
    };
    let world = num("WORLD_SIZE")?
        .or(num("SLURM_NTASKS")?)
        .ok_or_else(|| CudaError::Usage("RANK is set but WORLD_SIZE is not".into()))?;
    if world == 0 || rank >= world {
        return Err(CudaError::Usage(format!("RANK {rank} is outside WORLD_SIZE {world}")));
    }
    let local_rank = num("LOCAL_RANK")?.or(num("SLURM_LOCALID")?).unwrap_or(rank);
    // Under srun without MASTER_ADDR, task 0 runs on the step's first node (block distribution).
    let slurm_host = || {
        var("SLURM_STEP_NODELIST").or_else(|| var("SLURM_JOB_NODELIST")).and_then(|l| first_host(&l))
    };
    let host = var("MASTER_ADDR")
        .filter(|h| !h.is_empty())
        .or_else(slurm_host)
        .unwrap_or_else(|| "127.0.0.1".into());
    let port = match var("SEQC_BOOTSTRAP_PORT") {
        Some(p) => {
            p.trim().parse::<u16>().map_err(|_| CudaError::Usage(format!("SEQC_BOOTSTRAP_PORT='{p}' is not a port")))?
        }
        None => match var("MASTER_PORT") {
            Some(p) => {
                let p = p
                    .trim()
                    .parse::<u16>()
                    .map_err(|_| CudaError::Usage(format!("MASTER_PORT='{p}' is not a port")))?;
                // Under torchrun, its own store already listens on MASTER_PORT.
                if var("TORCHELASTIC_RUN_ID").is_some() { p.wrapping_add(1) } else { p }
            }
            // Two jobs sharing a node get different ports.
            None => match num("SLURM_JOB_ID")? {
                Some(job) => DEFAULT_PORT + (job % 10_000) as u16,
                None => DEFAULT_PORT,
            },
        },
    };
    let bootstrap = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    Ok(Some(WorkerEnv { rank, world, local_rank, bootstrap }))
}

/// The first host of a Slurm host list: `gpu[03-05,9],cpu1` → `gpu03`, `rack2-n[7,9]-ib` →
/// `rack2-n7-ib`. `None` for an empty or malformed list.
pub fn first_host(list: &str) -> Option<String> {
    let mut host = String::new();
    let mut chars = list.trim().chars();
    while let Some(c) = chars.next() {
        match c {
            ',' => break,
            '[' => {
                // The range's first number, zero padding kept; the rest of the brackets skipped.
                let inner: String = chars.by_ref().take_while(|&c| c != ']').collect();
                let first = inner.split([',', '-']).next().filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))?;
                host.push_str(first);
            }
            ']' => return None,
            c => host.push(c),
        }
    }
    (!host.is_empty()).then_some(host)
}

/// What the process is doing now, for the watchdog's message.
static PHASE: Mutex<String> = Mutex::new(String::new());

pub fn set_phase(phase: impl Into<String>) {
    let mut p = PHASE.lock().unwrap_or_else(|e| e.into_inner());
    *p = phase.into();
}

pub fn phase() -> String {
    PHASE.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Ends the process with exit code 124 if it is still running `limit` from now: blocking calls
/// (NCCL initialisation, a peer that never connects) cannot be interrupted otherwise.
pub fn start_watchdog(rank: usize, limit: Duration) {
    let spawned = std::thread::Builder::new().name("seqc-watchdog".into()).spawn(move || {
        std::thread::sleep(limit);
        eprintln!("[rank {rank}] error: timed out after {:.0} s while {}; exiting", limit.as_secs_f64(), phase());
        std::process::exit(124);
    });
    if let Err(e) = spawned {
        eprintln!("[rank {rank}] warning: no watchdog thread ({e}); a hung peer may hang this rank");
    }
}

/// A free TCP port on the loopback interface for rank 0's bootstrap listener.
pub fn free_port() -> Result<u16, CudaError> {
    let l =
        std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| CudaError::Bootstrap(format!("no free port: {e}")))?;
    l.local_addr().map(|a| a.port()).map_err(|e| CudaError::Bootstrap(e.to_string()))
}

/// Starts `nproc` ranks of `exe args` on this node and waits for them. If one fails, the others
/// are killed at once; past `limit`, all are. Returns the failing rank's exit code as the error.
pub fn spawn_ranks(
    exe: &std::path::Path,
    args: &[String],
    nproc: usize,
    limit: Duration,
) -> Result<(), (u8, CudaError)> {
    let port = free_port().map_err(|e| (3, e))?;
    let mut children: Vec<Option<Child>> = Vec::with_capacity(nproc);
    for rank in 0..nproc {
        let spawned = Command::new(exe)
            .args(args)
            .env("RANK", rank.to_string())
            .env("WORLD_SIZE", nproc.to_string())
            .env("LOCAL_RANK", rank.to_string())
            .env("LOCAL_WORLD_SIZE", nproc.to_string())
            .env("MASTER_ADDR", "127.0.0.1")
            .env("MASTER_PORT", port.to_string())
            .env_remove("TORCHELASTIC_RUN_ID")
            .env_remove("SEQC_BOOTSTRAP_PORT")
            // NVLink multicast (NVLS) can take the shared GPUs of these machines out of service.
            .env("NCCL_NVLS_ENABLE", "0")
            .spawn();
        match spawned {
            Ok(c) => children.push(Some(c)),
            Err(e) => {
                kill_all(&mut children);
                return Err((
                    3,
                    CudaError::RankFailed { rank, message: format!("could not start {}: {e}", exe.display()) },
                ));
            }
        }
    }
    let deadline = Instant::now() + limit;
    loop {
        let mut running = 0;
        for rank in 0..children.len() {
            let Some(child) = children[rank].as_mut() else { continue };
            match child.try_wait() {
                Ok(Some(status)) => {
                    children[rank] = None;
                    if !status.success() {
                        kill_all(&mut children);
                        let code = status.code().map_or(3, |c| c.clamp(1, 255) as u8);
                        let how = match status.code() {
                            Some(c) => format!("exited with code {c}"),
                            None => "was killed by a signal".into(),
                        };
                        return Err((
                            code,
                            CudaError::RankFailed { rank, message: format!("{how}; the other ranks were stopped") },
                        ));
                    }
                }
                Ok(None) => running += 1,
                Err(e) => {
                    kill_all(&mut children);
                    return Err((3, CudaError::RankFailed { rank, message: format!("cannot watch its process: {e}") }));
                }
            }
        }
        if running == 0 {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let alive: Vec<usize> = (0..children.len()).filter(|&r| children[r].is_some()).collect();
            kill_all(&mut children);
            return Err((
                124,
                CudaError::Timeout {
                    rank: alive.first().copied().unwrap_or(0),
                    seconds: limit.as_secs_f64(),
                    message: format!("ranks {alive:?} were still running and were killed"),
                },
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Kills and reaps every child still running (only the processes this launcher started).
fn kill_all(children: &mut [Option<Child>]) {
    for child in children.iter_mut().filter_map(Option::as_mut) {
        let _ = child.kill();
    }
    for slot in children.iter_mut() {
        if let Some(mut child) = slot.take() {
            let _ = child.wait();
        }
    }
}
