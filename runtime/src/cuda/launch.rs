//! Process management: one process per GPU. `--nproc N` starts N children of this binary with
//! torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT); a child, or a
//! process started by torchrun or srun, finds its rank there (under srun without MASTER_ADDR,
//! rank 0 is on the first node of SLURM_STEP_NODELIST, on a port derived from SLURM_JOB_ID). A watchdog ends a rank that
//! outlives its timeout, and the parent stops the other ranks as soon as one fails, so no run
//! hangs on a dead peer. Stopping is SIGTERM first (as torchrun and srun do): a rank told to stop
//! says which step it was waiting for, on stderr and, under this launcher, in a note file whose
//! text the launcher's own error repeats; SIGKILL follows after a grace period.

use super::error::CudaError;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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

/// Set by SIGTERM: a launcher asks this rank to stop (another rank failed, or the job ended).
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn request_stop(_: libc::c_int) {
    // Only an atomic store: the one thing a signal handler may safely do here.
    STOP.store(true, Ordering::SeqCst);
}

/// Whether a launcher has asked this rank to stop; the executor's wait loop polls it so the rank
/// can say which step it was waiting for.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// Set once this rank has reported where it was stopped; the watchdog then leaves the exit to it
/// (or to the launcher's SIGKILL).
static STOP_REPORTED: AtomicBool = AtomicBool::new(false);

/// The variable naming the file where a stopped rank leaves its note for `spawn_ranks`.
pub const STOP_NOTE_VAR: &str = "SEQC_STOP_NOTE";

/// Leaves `note` (what this rank was doing when told to stop, to follow "while") for the
/// launcher, if it asked for one.
pub fn leave_note(note: &str) {
    STOP_REPORTED.store(true, Ordering::SeqCst);
    if let Some(path) = std::env::var_os(STOP_NOTE_VAR) {
        let _ = std::fs::write(path, note);
    }
}

/// How long a stopped rank's own code has to report where it was before the watchdog reports the
/// phase instead; shorter than the launcher's `STOP_GRACE`.
const RANK_STOP_GRACE: Duration = Duration::from_secs(1);

/// Exit code of a rank stopped by SIGTERM, as if the signal had ended it.
pub const STOPPED_EXIT: u8 = 128 + libc::SIGTERM as u8;

/// Exit code of a training loop stopped by Ctrl-C (SIGINT) after a step, as a shell reports an
/// interrupted command.
pub const INTERRUPTED_EXIT: u8 = 128 + libc::SIGINT as u8;

/// SIGINTs received since `catch_interrupts`.
static INTERRUPTS: AtomicU64 = AtomicU64::new(0);

extern "C" fn on_interrupt(_: libc::c_int) {
    INTERRUPTS.fetch_add(1, Ordering::SeqCst);
}

/// Ctrl-C no longer ends the process at once: a training loop finishes the step in flight, saves
/// (with --save) and stops, every rank at the same step; the launcher waits for its ranks, and
/// stops them itself on a second Ctrl-C.
pub fn catch_interrupts() {
    // SAFETY: the handler only adds to an atomic, which is async-signal-safe.
    unsafe { libc::signal(libc::SIGINT, on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t) };
}

/// How many times Ctrl-C was pressed since `catch_interrupts`.
pub fn interrupts() -> u64 {
    INTERRUPTS.load(Ordering::SeqCst)
}

/// Installs the SIGTERM handler and a watchdog thread. The watchdog ends the process with exit
/// code 124 if it is still running `limit` after it was last armed (now, or `rearm_watchdog`: a
/// training loop arms it per step; blocking calls such as NCCL initialisation
/// or a peer that never connects cannot be interrupted otherwise), and with 143 if a stop request
/// is not handled by the executor within `RANK_STOP_GRACE` (the rank was not running GPU work).
/// When the watchdog's limit was last armed, in ms after `epoch()`.
static ARMED_MS: AtomicU64 = AtomicU64::new(0);

fn epoch() -> Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Restarts the watchdog's limit from now: a training loop's limit is per step, not per run.
pub fn rearm_watchdog() {
    ARMED_MS.store(epoch().elapsed().as_millis() as u64, Ordering::SeqCst);
}

fn since_armed() -> Duration {
    Duration::from_millis((epoch().elapsed().as_millis() as u64).saturating_sub(ARMED_MS.load(Ordering::SeqCst)))
}

pub fn start_watchdog(rank: usize, limit: Duration) {
    // SAFETY: the handler only stores to an atomic.
    let handler = request_stop as extern "C" fn(libc::c_int) as libc::sighandler_t;
    if unsafe { libc::signal(libc::SIGTERM, handler) } == libc::SIG_ERR {
        eprintln!("[rank {rank}] warning: no SIGTERM handler; a stopped rank will not say where it was");
    }
    rearm_watchdog();
    let spawned = std::thread::Builder::new().name("seqc-watchdog".into()).spawn(move || {
        let mut stop_seen: Option<Instant> = None;
        loop {
            std::thread::sleep(Duration::from_millis(20));
            if stop_seen.is_none() && stop_requested() {
                stop_seen = Some(Instant::now());
            }
            if stop_seen.is_some_and(|t| t.elapsed() >= RANK_STOP_GRACE) && !STOP_REPORTED.load(Ordering::SeqCst) {
                let note = phase();
                eprintln!("[rank {rank}] error: stopped by SIGTERM while {note}");
                leave_note(&note);
                std::process::exit(STOPPED_EXIT.into());
            }
            if since_armed() >= limit {
                eprintln!("[rank {rank}] error: timed out after {:.0} s while {}; exiting", limit.as_secs_f64(), phase());
                std::process::exit(124);
            }
        }
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

/// How long the launcher waits for ranks told to stop (SIGTERM) before it kills them.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// The launcher's directory of stop notes, removed when the run ends.
struct NoteDir(PathBuf);

impl NoteDir {
    fn create() -> Option<Self> {
        let dir = std::env::temp_dir().join(format!("seqc-run-{}-notes", std::process::id()));
        std::fs::create_dir_all(&dir).ok().map(|()| Self(dir))
    }

    fn path(&self, rank: usize) -> PathBuf {
        self.0.join(format!("rank-{rank}"))
    }
}

impl Drop for NoteDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How a rank ended, in words, and the exit code the launcher passes on (a signal's is 128 + its
/// number, as a shell reports it).
fn describe_exit(status: ExitStatus) -> (String, u8) {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => (format!("exited with code {c}"), c.clamp(1, 255) as u8),
        (None, Some(sig)) => {
            let name = match sig {
                libc::SIGKILL => " (SIGKILL: killed from outside, often by the kernel's out-of-memory killer)",
                libc::SIGSEGV => " (SIGSEGV)",
                libc::SIGBUS => " (SIGBUS)",
                libc::SIGABRT => " (SIGABRT)",
                libc::SIGTERM => " (SIGTERM)",
                libc::SIGINT => " (SIGINT)",
                _ => "",
            };
            (format!("was killed by signal {sig}{name}"), (128 + sig).clamp(1, 255) as u8)
        }
        (None, None) => ("ended without an exit code".into(), 3),
    }
}

/// Starts `nproc` ranks of `exe args` on this node and waits for them. If one fails, the others
/// are stopped at once (SIGTERM, then SIGKILL after `STOP_GRACE`), and the error repeats where
/// each stopped rank was waiting; past `limit`, all are stopped. Returns the failing rank's exit
/// code with the error.
pub fn spawn_ranks(exe: &Path, args: &[String], nproc: usize, limit: Duration) -> Result<(), (u8, CudaError)> {
    let port = free_port().map_err(|e| (3, e))?;
    let notes = NoteDir::create();
    let mut children: Vec<Option<Child>> = Vec::with_capacity(nproc);
    for rank in 0..nproc {
        let mut cmd = Command::new(exe);
        cmd.args(args)
            .env("RANK", rank.to_string())
            .env("WORLD_SIZE", nproc.to_string())
            .env("LOCAL_RANK", rank.to_string())
            .env("LOCAL_WORLD_SIZE", nproc.to_string())
            .env("MASTER_ADDR", "127.0.0.1")
            .env("MASTER_PORT", port.to_string())
            .env_remove("TORCHELASTIC_RUN_ID")
            .env_remove("SEQC_BOOTSTRAP_PORT")
            .env_remove(STOP_NOTE_VAR)
            // NVLink multicast (NVLS) can take the shared GPUs of these machines out of service.
            .env("NCCL_NVLS_ENABLE", "0");
        if let Some(n) = &notes {
            cmd.env(STOP_NOTE_VAR, n.path(rank));
        }
        match cmd.spawn() {
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
    let mut interrupted = false;
    loop {
        if interrupts() >= 2 {
            let rank = children.iter().position(Option::is_some).unwrap_or(0);
            let message = stop_all(&mut children, notes.as_ref());
            return Err((INTERRUPTED_EXIT, CudaError::RankFailed { rank, message: format!("Ctrl-C pressed twice: {message}") }));
        }
        let mut running = 0;
        let mut failed: Vec<(usize, ExitStatus)> = Vec::new();
        for (rank, slot) in children.iter_mut().enumerate() {
            let Some(child) = slot.as_mut() else { continue };
            match child.try_wait() {
                Ok(Some(status)) => {
                    *slot = None;
                    if !status.success() {
                        failed.push((rank, status));
                    }
                }
                Ok(None) => running += 1,
                Err(e) => {
                    kill_all(&mut children);
                    return Err((3, CudaError::RankFailed { rank, message: format!("cannot watch its process: {e}") }));
                }
            }
        }
        // Ranks often fail together (a peer's death breaks NCCL on the others): one killed by a
        // signal is the cause, not a consequence.
        failed.sort_by_key(|(_, status)| status.code().is_some());
        // Ranks that stopped on Ctrl-C after a step said so themselves: the others follow.
        if interrupts() > 0 && !failed.is_empty() && failed.iter().all(|(_, st)| st.code() == Some(INTERRUPTED_EXIT.into())) {
            failed.clear();
            interrupted = true;
        }
        if let Some(&(rank, status)) = failed.first() {
            let (how, code) = describe_exit(status);
            let also: String =
                failed[1..].iter().map(|&(r, st)| format!("; rank {r} also {}", describe_exit(st).0)).collect();
            let stopped = stop_all(&mut children, notes.as_ref());
            return Err((code, CudaError::RankFailed { rank, message: format!("{how}{also}; {stopped}") }));
        }
        if running == 0 {
            if interrupted {
                return Err((INTERRUPTED_EXIT, CudaError::Interrupted("interrupted (Ctrl-C): every rank stopped after the same step".into())));
            }
            return Ok(());
        }
        if Instant::now() >= deadline {
            let rank = children.iter().position(Option::is_some).unwrap_or(0);
            let message = stop_all(&mut children, notes.as_ref());
            return Err((124, CudaError::Timeout { rank, seconds: limit.as_secs_f64(), message }));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Asks every running rank to stop (SIGTERM), kills those still running after `STOP_GRACE`, and
/// says where each was, from the notes the stopped ranks left.
fn stop_all(children: &mut [Option<Child>], notes: Option<&NoteDir>) -> String {
    let stopping: Vec<usize> = (0..children.len()).filter(|&r| children[r].is_some()).collect();
    if stopping.is_empty() {
        return "no other rank was running".into();
    }
    for child in children.iter().flatten() {
        if let Ok(pid) = libc::pid_t::try_from(child.id()) {
            // SAFETY: the pid is a child this launcher started and has not reaped yet.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
    }
    let until = Instant::now() + STOP_GRACE;
    while Instant::now() < until && children.iter_mut().flatten().any(|c| matches!(c.try_wait(), Ok(None))) {
        std::thread::sleep(Duration::from_millis(20));
    }
    kill_all(children);
    // Ranks waiting at the same step are named together.
    let mut wheres: Vec<(String, Vec<usize>)> = Vec::new();
    for &r in &stopping {
        let Some(note) = notes.and_then(|n| std::fs::read_to_string(n.path(r)).ok()) else { continue };
        let note = note.trim().to_string();
        match wheres.iter_mut().find(|(n, _)| *n == note) {
            Some((_, ranks)) => ranks.push(r),
            None => wheres.push((note, vec![r])),
        }
    }
    match wheres.as_slice() {
        [] => format!("ranks {stopping:?} were stopped"),
        [(note, ranks)] if *ranks == stopping => format!("ranks {stopping:?} were stopped while {note}"),
        _ => {
            let each: Vec<String> = wheres
                .iter()
                .map(|(note, ranks)| match ranks.as_slice() {
                    [r] => format!("rank {r} while {note}"),
                    _ => format!("ranks {ranks:?} while {note}"),
                })
                .collect();
            format!("ranks {stopping:?} were stopped ({})", each.join("; "))
        }
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
