//! The CUDA + NCCL backend: runs a plan with one process per GPU.
//!
//! Layers, from pure logic to the device:
//! - `layout`, `program`: value sizes, arena placement, and the lowering of each rank's copy of
//!   the plan to a flat command list (pure; tested without a GPU; `seqc-run --dry-run`).
//! - `kernels` (NVRTC, kernels.cu), `gemm` (cuBLASLt), `nccl`: the device libraries.
//! - `exec`: the per-rank executor (one arena, parameters uploaded once, a compute stream and
//!   one stream per communication stream, ordered by events).
//! - `bootstrap`, `launch`, `cli`, `inputs`: process management, NCCL id sharing over TCP,
//!   the command line, default inputs and the accuracy check against the CPU backend.
//!
//! - `sdpa`: cuDNN's fused flash attention (backend graph API) for `attention` commands it can
//!   express (bf16/f16, no index vectors, segments or window, head dim ≤ 128, multiple of 8);
//!   the NVRTC kernel runs the rest. `attention_partial` through SDPA blocks (the index vectors
//!   read back and split into contiguous runs) is the default since it passed the CPU-reference
//!   checks on 2 x H200; SEQC_SDPA_PARTIAL=0 keeps it on the kernel. SEQC_ATTENTION=kernel turns
//!   cuDNN off. Causal work is cut into calls of at most 32K query rows and 256K keys
//!   (`sdpa::Cut`; whole short diagonals and non-causal plain attention are not cut): long plain
//!   causal attention runs as query chunks too (folded per chunk in f32).
//!
//! The lowering folds a residual `add` into the command just before it when that command makes
//! one of its operands and nothing else reads it (`layout::foldable_adds`): a GEMM adds the other
//! operand in its epilogue (cuBLASLt's C), a norm's backward adds it to dx. The fused loss keeps
//! its logits in the model's dtype and turns them into dlogits in place, in chunks of at most 4
//! GiB. Norms and the rotary embedding hold rows in registers with 16-byte loads where the width
//! and alignment allow (else the general kernels run). Later speed work fits in without changing
//! the plan handling: GEMM epilogues can absorb bias and activations, and the command list can be
//! captured once into a CUDA graph.

pub mod bootstrap;
pub mod calibrate;
pub mod cli;
pub mod device;
pub mod emulate;
pub mod error;
pub mod exec;
pub mod fit;
pub mod gemm;
pub mod inputs;
pub mod kernels;
pub mod launch;
pub mod layout;
pub mod nccl;
pub mod optimizer;
pub mod program;
pub mod probe;
pub mod sdpa;

pub use cli::{Args, Backend};
pub use error::CudaError;
pub use launch::WorkerEnv;

use crate::cpu::{self, HostTensor, Precision, RunOptions, WeightSource};
use crate::train::{Row, StepLog};
use crate::plan::Plan;
use std::time::{Duration, Instant};

/// Reads the plan and a fingerprint of it and of the options every rank must share.
fn read_plan(args: &Args) -> Result<(Plan, u64), CudaError> {
    let shown = args.plan.display().to_string();
    let text = std::fs::read_to_string(&args.plan)
        .map_err(|e| CudaError::File { path: shown.clone(), reason: e.to_string() })?;
    let plan = Plan::from_json(&text, &shown)?;
    // Whether outputs are read decides whether every rank joins their gather (`wants_outputs`).
    let options = format!(
        "{}|{:?}|{:?}|{:?}|{:?}|{}|{}",
        args.seed,
        args.weights,
        args.input,
        args.output_grad,
        args.segments,
        args.iters,
        wants_outputs(args)
    );
    Ok((plan, layout::fnv1a(text.as_bytes()) ^ layout::fnv1a(options.as_bytes()).rotate_left(1)))
}

/// Whether the run reads its outputs (to write or check them); sharded outputs are then gathered
/// from every rank, so all ranks must agree on it (the fingerprint includes it).
fn wants_outputs(args: &Args) -> bool {
    args.check || args.output.is_some()
}

/// The plan's device count (what `--nproc` defaults to).
pub fn plan_devices(args: &Args) -> Result<usize, CudaError> {
    Ok(read_plan(args)?.0.devices)
}

fn weights(args: &Args) -> Result<WeightSource, CudaError> {
    match &args.weights {
        Some(p) => Ok(WeightSource::safetensors(p)?),
        None => Ok(WeightSource::random(args.seed)),
    }
}

/// The run's global inputs, or with `rank` only that rank's (`inputs::make_rank_inputs`).
fn inputs_for(plan: &Plan, args: &Args, rank: Option<usize>) -> Result<Vec<HostTensor>, CudaError> {
    let ids = args.input.as_ref().map(|p| cpu::read_input(p)).transpose()?;
    let segments = args.segments.as_ref().map(|p| cpu::read_token_ids(p)).transpose()?;
    let mut inputs = match rank {
        None => crate::inputs::make_inputs(plan, ids.as_ref(), segments.as_ref(), args.seed),
        Some(r) => crate::inputs::make_rank_inputs(plan, ids.as_ref(), segments.as_ref(), args.seed, r),
    }
    .map_err(CudaError::Usage)?;
    if let Some(path) = &args.output_grad {
        // A vector-Jacobian step's last argument: the result's gradient.
        if plan.step_kind() != Some(seq_plan::StepKind::Vjp) {
            return Err(CudaError::Usage("--output-grad is for vector-Jacobian steps (`seqc compile --train` of a program whose result is not logits)".into()));
        }
        let dy = cpu::read_input(path)?;
        let last = inputs.len().checked_sub(1).ok_or_else(|| CudaError::Usage("the plan takes no arguments".into()))?;
        let want: Vec<usize> = plan.global_input_shape(last).unwrap_or_default().iter().map(|&d| d.max(0) as usize).collect();
        if dy.shape != want || dy.to_f64().is_none() {
            return Err(CudaError::Usage(format!(
                "--output-grad holds {:?} {}, the step's output_grad is {:?} floats",
                dy.shape,
                if dy.to_f64().is_some() { "floats" } else { "integers" },
                want
            )));
        }
        inputs[last] = match (rank, plan.io_spec()) {
            (Some(r), Some(spec)) if plan.input_sharded(last) => dy.take(0, &spec.rows(r)).map_err(CudaError::Usage)?,
            _ => dy,
        };
    }
    Ok(inputs)
}

fn mib(bytes: usize) -> String {
    format!("{bytes} B ({:.2} MiB)", bytes as f64 / (1 << 20) as f64)
}

/// `--dry-run`: lowers the plan for every rank and prints what each would allocate and run.
pub fn dry_run(args: &Args) -> Result<(), CudaError> {
    let (plan, _) = read_plan(args)?;
    println!(
        "plan {}: {} device(s), {} steps, {} values",
        args.plan.display(),
        plan.devices,
        plan.steps.len(),
        plan.values.len()
    );
    for rank in 0..plan.devices {
        let p = program::build(&plan, rank)?;
        let layout = if p.arena.plan_offsets {
            "the plan's offsets".to_string()
        } else {
            format!("our own placement ({})", p.arena.note.clone().unwrap_or_default())
        };
        println!(
            "rank {rank}: arena {} by {layout}; params {}; consts {}; scratch {:?} B; command temporaries {}; attention backward kernels' temporaries {} (allocated only if one falls back from cuDNN); kept for the backward {}; {} commands; {} GEMM shapes; {} async collectives; communicators {:?}",
            mib(p.arena.bytes),
            mib(p.params_bytes),
            mib(p.consts.len()),
            p.scratch,
            mib(p.work),
            mib(p.fallback),
            mib(p.saved),
            p.cmds.len(),
            p.gemms.len(),
            p.tokens,
            p.comm_keys
                .iter()
                .filter(|k| k.group.contains(&rank))
                .map(|k| format!("stream {} axis {} {:?}", k.stream, k.axis, k.group))
                .collect::<Vec<_>>()
        );
    }
    Ok(())
}

fn write_output(args: &Args, plan: &Plan, outputs: &[HostTensor]) -> Result<(), CudaError> {
    if let Some(path) = &args.output
        && path.extension().is_some_and(|e| e == "safetensors")
    {
        // Every output by its name (a training step's loss and gradients).
        let named: Vec<(String, &HostTensor)> = outputs
            .iter()
            .enumerate()
            .map(|(i, t)| (plan.output_names.get(i).cloned().unwrap_or_else(|| format!("output{i}")), t))
            .collect();
        cpu::write_safetensors_f32(path, &named)?;
        println!("wrote {} outputs to {}", outputs.len(), path.display());
        return Ok(());
    }
    if let Some(path) = &args.output {
        let first = outputs.first().ok_or_else(|| CudaError::Usage("the plan has no output to write".into()))?;
        cpu::write_npy_f32(path, first)?;
        println!("wrote output 0 {:?} to {}", first.shape, path.display());
    }
    Ok(())
}

/// `trace.json` → `trace.rank3.json`: one file per rank process.
pub fn rank_path(path: &std::path::Path, rank: usize) -> std::path::PathBuf {
    let stem = path.file_stem().map_or("trace".into(), |s| s.to_string_lossy().into_owned());
    let ext = path.extension().map_or("json".into(), |e| e.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}.rank{rank}.{ext}"))
}

/// The time to report of a run's iterations, and what it is: the median of runs 2..N (the first
/// one plans attention blocks and fills caches), or the only run.
pub fn reported_time(times: &[f32]) -> (f32, String) {
    let all = |t: &[f32]| t.iter().map(|x| format!("{x:.3}")).collect::<Vec<_>>().join(", ");
    match times {
        [] => (0.0, "no run".into()),
        [only] => (*only, "one run".into()),
        [first, rest @ ..] => {
            let mut sorted = rest.to_vec();
            sorted.sort_by(f32::total_cmp);
            let n = sorted.len();
            let median = if n % 2 == 1 { sorted[n / 2] } else { 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]) };
            (median, format!("median of runs 2..{}: {} ms; first run {first:.3} ms", times.len(), all(rest)))
        }
    }
}

/// `--backend cpu`: the CPU reference backend, in this process.
pub fn run_cpu(args: &Args) -> Result<(), CudaError> {
    let (plan, _) = read_plan(args)?;
    let inputs = inputs_for(&plan, args, None)?;
    let started = Instant::now();
    let out = cpu::run(
        &plan,
        &inputs,
        &weights(args)?,
        &RunOptions { precision: Precision::F32, timeout: Duration::from_secs_f64(args.timeout) },
    )?;
    println!("cpu backend: {} rank thread(s) in {:.1} ms", plan.devices, started.elapsed().as_secs_f64() * 1e3);
    for (r, s) in out.ranks.iter().enumerate() {
        println!(
            "rank {r}: peak live activations {}, parameters {}",
            mib(s.peak_live_bytes as usize),
            mib(s.param_bytes as usize)
        );
    }
    write_output(args, &plan, &out.outputs)
}

/// Rank 0 makes `n` NCCL ids and serves them (from a thread, while it sets up its GPU: join the
/// handle before initialising communicators); the other ranks fetch them.
#[allow(clippy::type_complexity)]
fn share_nccl_ids(
    env: &WorkerEnv,
    n: usize,
    fingerprint: u64,
    budget: Duration,
) -> Result<(Vec<nccl::UniqueId>, Option<std::thread::JoinHandle<Result<(), CudaError>>>), CudaError> {
    let rank = env.rank;
    if n == 0 {
        return Ok((Vec::new(), None));
    }
    if rank == 0 {
        launch::set_phase("creating NCCL ids");
        let ids = (0..n)
            .map(|_| nccl::unique_id())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|m| CudaError::setup(rank, "NCCL", m))?;
        let payload: Vec<u8> = ids.iter().flat_map(|id| id.iter().map(|&c| c as u8)).collect();
        let listener = bootstrap::listen(&env.bootstrap)?;
        let world = env.world;
        let server = std::thread::spawn(move || bootstrap::serve(&listener, world, fingerprint, &payload, budget));
        return Ok((ids, Some(server)));
    }
    launch::set_phase(format!("fetching NCCL ids from rank 0 at {}", env.bootstrap));
    let payload = bootstrap::fetch(&env.bootstrap, rank, fingerprint, budget)?;
    if payload.len() != n * 128 {
        return Err(CudaError::Bootstrap(format!("rank 0 sent {} bytes of ids, this run needs {}", payload.len(), n * 128)));
    }
    Ok((payload.chunks_exact(128).map(|c| std::array::from_fn(|i| c[i] as std::ffi::c_char)).collect(), None))
}

/// Waits for rank 0's id server (see `share_nccl_ids`).
fn join_server(server: Option<std::thread::JoinHandle<Result<(), CudaError>>>) -> Result<(), CudaError> {
    match server {
        Some(s) => s.join().map_err(|_| CudaError::Bootstrap("the id server thread panicked".into()))?,
        None => Ok(()),
    }
}

/// One rank of `--calibrate`: measures this GPU (and, with several ranks, NCCL between them);
/// rank 0 writes the figures.
pub fn run_calibration(args: &Args, env: &WorkerEnv) -> Result<(), CudaError> {
    let rank = env.rank;
    let out = args.calibrate.clone().ok_or_else(|| CudaError::Usage("--calibrate needs an output path".into()))?;
    let budget = Duration::from_secs_f64(args.timeout);
    let fingerprint = layout::fnv1a(format!("calibrate {}", env.world).as_bytes());
    let (ids, server) = share_nccl_ids(env, usize::from(env.world > 1), fingerprint, budget)?;
    device::probe_libraries(env.world > 1)?;
    launch::set_phase(format!("opening GPU {}", env.local_rank));
    let ctx = device::open(rank, env.local_rank)?;
    join_server(server)?;
    launch::set_phase("initialising NCCL (waiting for every rank)");
    let comm = ids.first().map(|id| calibrate::communicator(rank, env.world, id)).transpose()?;
    launch::set_phase("measuring");
    let c = calibrate::measure(&ctx, rank, comm.as_ref())?;
    if rank != 0 {
        return Ok(());
    }
    let text = serde_json::to_string_pretty(&c).map_err(|e| CudaError::Usage(format!("calibration: {e}")))?;
    std::fs::write(&out, text + "\n")
        .map_err(|e| CudaError::File { path: out.display().to_string(), reason: e.to_string() })?;
    println!("{} ({} GPU(s), {})", c.gpu, c.devices, c.versions);
    println!("  bf16 GEMM 8192³: {:.0} TFLOP/s; memory: {:.0} GB/s; kernel launch: {:.2} us", c.gemm_tflops, c.memory_gbs, c.kernel_launch_us);
    for p in &c.attention {
        println!("  causal attention, {} tokens: {:.2} ms, {:.0} TFLOP/s", p.keys, p.ms, p.tflops);
    }
    if let Some(l) = &c.links {
        for (name, f) in [("all-gather", l.all_gather), ("all-to-all", l.all_to_all), ("send/recv", l.send_recv)] {
            println!("  NCCL {name}: alpha {:.1} us, bus {:.0} GB/s", f.alpha_us, f.bus_gbs);
        }
    }
    println!("wrote {} (make a profile of it: seqc calibrate --from {})", out.display(), out.display());
    Ok(())
}

/// Seconds a training loop's set-up may take at least, whatever --timeout (a per-step limit) says.
pub const TRAIN_SETUP_SECONDS: f64 = 600.0;

/// Says whether the last run's attention backwards used what their forwards kept, and how its
/// packed documents ran.
fn report_backward_reuse(exec: &exec::Executor, rank: usize) {
    let (used, again) = exec.backward_reuse.get();
    if used + again > 0 {
        println!("[rank {rank}] attention backward: {used} used the output and statistics their forward kept, {again} recomputed the forward");
    }
    for line in exec.documents_report() {
        println!("[rank {rank}] packed documents: {line}");
    }
    if let Some(line) = exec.blocks_report() {
        println!("[rank {rank}] attention backward blocks: {line}");
    }
}

/// One rank's executor for the plan, with its communicators up; also the plan, the weights'
/// source and the GPU's name.
fn open_rank(
    args: &Args,
    env: &WorkerEnv,
    remaining: &dyn Fn() -> Duration,
) -> Result<(Plan, exec::Executor, WeightSource, String), CudaError> {
    let rank = env.rank;
    launch::set_phase("reading the plan");
    let (plan, fingerprint) = read_plan(args)?;
    if plan.devices != env.world {
        return Err(CudaError::setup(
            rank,
            "plan",
            format!(
                "the plan is for {} device(s) but {} rank(s) were started (use --nproc {})",
                plan.devices, env.world, plan.devices
            ),
        ));
    }
    launch::set_phase("lowering the plan");
    let mut program = program::build(&plan, rank)?;
    program.deterministic = args.deterministic;
    device::probe_libraries(!program.comm_keys.is_empty())?;
    if let Some(note) = &program.arena.note {
        println!("[rank {rank}] note: not using the plan's arena offsets: {note}");
    }

    // NCCL ids: rank 0 makes one per communicator and serves them while it sets up its GPU.
    // One id per communicator of the plan, and one for the barrier over all ranks.
    let n_comms = program.comm_keys.len();
    let n_ids = if env.world > 1 { n_comms + 1 } else { n_comms };
    let (ids, server) = share_nccl_ids(env, n_ids, fingerprint, remaining())?;

    launch::set_phase(format!("opening GPU {}", env.local_rank));
    let ctx = device::open(rank, env.local_rank)?;
    let name = ctx.name().unwrap_or_else(|_| "unknown GPU".into());
    // Refused before anything large is allocated, with what would fit.
    if let Ok((free, _)) = cudarc::driver::result::mem_get_info() {
        fit::Needs::of(&program, args.train.is_some(), optimizer::zero_devices(&plan)).check(free, &name).map_err(|m| CudaError::setup(rank, "memory", m))?;
    }
    // This host's ranks (the launcher's LOCAL_WORLD_SIZE, as torchrun's; else every rank).
    let local = std::env::var("LOCAL_WORLD_SIZE").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(env.world);
    if let (true, Some(available)) = (program.host > 0, fit::host_available()) {
        fit::Needs::of(&program, false, None).check_host(local, available).map_err(|m| CudaError::setup(rank, "host memory", m))?;
    }
    launch::set_phase("compiling kernels and uploading weights");
    let weights = weights(args)?;
    let mut exec = exec::Executor::new(&ctx, program, &weights)?;
    exec.sync_steps = args.sync_steps;
    println!("[rank {rank}] attention: {}", exec.attention_note);
    launch::set_phase("sharing NCCL ids with the other ranks");
    join_server(server)?;
    if n_ids > 0 {
        launch::set_phase("initialising NCCL communicators (waiting for every rank)");
        exec.init_comms(&ids[..n_comms])?;
        if let Some(id) = ids.get(n_comms) {
            exec.init_barrier(id, env.world)?;
        }
    }
    Ok((plan, exec, weights, name))
}

/// One rank of a CUDA run (the whole run when the plan has one device).
pub fn run_worker(args: &Args, env: &WorkerEnv) -> Result<(), CudaError> {
    if args.train.is_some() {
        return run_training(args, env);
    }
    let rank = env.rank;
    let started = Instant::now();
    let limit = Duration::from_secs_f64(args.timeout);
    let remaining = move || limit.saturating_sub(started.elapsed()).max(Duration::from_millis(1));
    let (plan, mut exec, weights, name) = open_rank(args, env, &remaining)?;
    exec.profile = args.profile || args.trace.is_some();
    // The global inputs are made only for the checks that need them (at 1M tokens they are tens
    // of GiB of host memory per rank); otherwise each rank draws just its own rows.
    let inputs = if args.check_steps || (args.check && rank == 0) {
        let inputs = inputs_for(&plan, args, None)?;
        exec.load_inputs(&crate::shards::local_inputs(&plan, &inputs, rank).map_err(|e| CudaError::Usage(e.to_string()))?)?;
        inputs
    } else {
        exec.load_inputs(&inputs_for(&plan, args, Some(rank))?.iter().collect::<Vec<_>>())?;
        Vec::new()
    };
    if args.check_steps {
        launch::set_phase("checking every step against the emulator");
        let mut emu =
            emulate::Emulator::new(&plan, &inputs, &weights).map_err(|m| CudaError::setup(rank, "emulator", m))?;
        emu.eager_copies();
        let (checked, bad) = exec.run_checked(&mut emu)?;
        for line in bad.iter().take(40) {
            println!("[rank {rank}] step check: {line}");
        }
        println!("[rank {rank}] step check: {checked} results compared, {} outside tolerance", bad.len());
        if !bad.is_empty() {
            return Err(CudaError::Check(format!("rank {rank}: first mismatch at {}", bad[0])));
        }
    }
    let mut times = Vec::with_capacity(args.iters);
    for i in 0..args.iters {
        launch::set_phase(format!("running the plan (iteration {} of {})", i + 1, args.iters));
        times.push(exec.run(remaining())?);
    }
    let (gpu_ms, which) = reported_time(&times);
    report_backward_reuse(&exec, rank);
    for why in exec.attention_refusals() {
        println!("[rank {rank}] note: cuDNN refused an attention shape, which ran on the NVRTC kernel: {why}");
    }
    if args.profile {
        for line in probe::report(&exec.last_profile, 24).lines() {
            println!("[rank {rank}] profile: {line}");
        }
    }
    if let Some(path) = &args.trace {
        let path = rank_path(path, rank);
        let title = args.plan.display().to_string();
        let text = probe::chrome_trace(&exec.last_profile, rank, &title).to_string();
        std::fs::write(&path, text)
            .map_err(|e| CudaError::File { path: path.display().to_string(), reason: e.to_string() })?;
        println!("[rank {rank}] wrote the measured timeline to {} (open in ui.perfetto.dev)", path.display());
    }
    // Device memory in use before reading outputs (gathering sharded ones takes a buffer).
    let used = exec
        .device_memory()
        .map(|(total, free)| format!("; in use on the device (cuMemGetInfo): {}", mib(total - free)))
        .unwrap_or_default();
    launch::set_phase("reading outputs");
    // Every rank takes part (sharded outputs are gathered) or none does: the flags are the same.
    let outputs = if wants_outputs(args) { exec.outputs(&plan, rank == 0, remaining())? } else { Vec::new() };
    exec.synchronize()?;
    exec.memory.attention_blocks = exec.attention_block_bytes();
    let m = &exec.memory;
    println!(
        "[rank {rank}] {name} (device {}): {} steps in {gpu_ms:.3} ms GPU time ({which}); kernels {}",
        env.local_rank,
        plan.steps.len(),
        exec.kernel_origin()
    );
    println!(
        "[rank {rank}] peak device bytes allocated by seqc-run: {} = arena {} ({}) + params {} + consts {} + collective scratch {} + workspaces {} (cuBLASLt {}, cuDNN {}, commands {}, kept for the backward {}) + attention temporaries grown while running {}{used}",
        mib(m.total()),
        mib(m.arena),
        if exec.program().arena.plan_offsets { "plan offsets" } else { "own placement" },
        mib(m.params),
        mib(m.consts),
        mib(m.scratch),
        mib(m.workspace),
        mib(m.workspaces[0]),
        mib(m.workspaces[1]),
        mib(m.workspaces[2]),
        mib(m.workspaces[3]),
        mib(m.attention_blocks),
    );
    let low_precision = exec.program().low_precision;
    drop(exec);
    if rank != 0 {
        return Ok(());
    }
    write_output(args, &plan, &outputs)?;
    if args.check {
        launch::set_phase("running the CPU reference");
        let reference =
            cpu::run(&plan, &inputs, &weights, &RunOptions { precision: Precision::F32, timeout: remaining() })?;
        let (max_tol, mean_tol) = inputs::tolerance(low_precision);
        let mut failures = Vec::new();
        for (i, (got, want)) in outputs.iter().zip(&reference.outputs).enumerate() {
            let s = inputs::compare(got, want).map_err(|m| CudaError::Check(format!("output {i}: {m}")))?;
            let ok = s.max_rel <= max_tol && s.mean_rel <= mean_tol;
            println!(
                "check vs CPU (f32 reference): output {i} {:?}: max rel err {:.3e}, mean rel err {:.3e} (max |ref| {:.3e}; limits {max_tol:.0e} / {mean_tol:.0e}{}): {}",
                got.shape,
                s.max_rel,
                s.mean_rel,
                s.ref_scale,
                if low_precision { ", bf16 plan" } else { ", f32 plan" },
                if ok { "PASS" } else { "FAIL" }
            );
            if !ok {
                failures.push(format!("output {i}: max rel {:.3e}, mean rel {:.3e}", s.max_rel, s.mean_rel));
            }
        }
        if !failures.is_empty() {
            return Err(CudaError::Check(failures.join("; ")));
        }
    }
    Ok(())
}

/// The training loop (`--steps`) on one rank: each step uploads its row's tokens and labels,
/// runs the plan, and takes an AdamW step on the GPU (`optimizer`); rank 0 prints the progress
/// and writes the log and checkpoints. Every rank holds whole gradients, so all take the same step.
fn run_training(args: &Args, env: &WorkerEnv) -> Result<(), CudaError> {
    use std::io::{IsTerminal, Write};
    let rank = env.rank;
    let t = args.train.as_ref().ok_or_else(|| CudaError::Usage("no --steps".into()))?;
    // --timeout bounds each step (the watchdog is armed again per step); the set-up (random
    // weights of a large model take a while to draw) gets at least TRAIN_SETUP_SECONDS.
    let limit = Duration::from_secs_f64(args.timeout);
    let setup = Duration::from_secs_f64(args.timeout.max(TRAIN_SETUP_SECONDS));
    let started = Instant::now();
    let remaining = move || setup.saturating_sub(started.elapsed()).max(Duration::from_millis(1));
    let (plan, mut exec, weights, name) = open_rank(args, env, &remaining)?;
    let tokens = plan.global_input_shape(0).and_then(|s| s.first().copied()).unwrap_or(0).max(0) as usize;
    let rows: Vec<Row> = match &t.data {
        Some(path) => crate::train::read_rows(path, t.token_bytes, Some(tokens), t.eos)
            .map_err(|e| CudaError::Usage(e.to_string()))?,
        None => Vec::new(),
    };
    if t.data.is_some() && rows.is_empty() {
        return Err(CudaError::Usage("--data holds no rows".into()));
    }
    if let Some(bad) = rows.iter().find(|r| r.ids.numel() != tokens) {
        return Err(CudaError::Usage(format!(
            "--data rows hold {} tokens; the plan was compiled for {tokens} (compile with --seq-len {})",
            bad.ids.numel(),
            bad.ids.numel()
        )));
    }
    launch::set_phase("setting up the optimizer");
    let mut opt = optimizer::DeviceOptimizer::new(&exec, &plan, &weights, t.resume.as_deref())?;
    let o = &t.opt;
    let fixed = exec.memory.total() + opt.bytes();
    if rank == 0 {
        println!(
            "[rank 0] {name}: training {} parameters for {} steps from step {} ({tokens} tokens a step, {}); optimizer state {}; seqc-run holds {} before activations' blocks",
            opt.parameters(),
            o.steps,
            opt.step,
            match &t.data {
                Some(p) => format!("{} rows of {}", rows.len(), p.display()),
                None => format!("seeded random tokens (seed {})", args.seed),
            },
            mib(opt.bytes()),
            mib(fixed)
        );
    }
    if rank == 0 {
        let zero = optimizer::zero_devices(&plan);
        let needs = fit::Needs::of(exec.program(), true, zero);
        let how = if zero.is_some() { "optimizer state of its rows of each weight (ZeRO)" } else { "whole optimizer state" };
        println!("[rank 0] memory per rank ({how}): {}", needs.parts().join(", "));
    }
    let mut log = match (&t.log, rank) {
        (Some(p), 0) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .append(t.resume.is_some())
                .truncate(t.resume.is_none())
                .open(p)
                .map_err(|e| CudaError::File { path: p.display().to_string(), reason: e.to_string() })?,
        ),
        _ => None,
    };
    let terminal = std::io::stderr().is_terminal();
    let (start, first) = (Instant::now(), opt.step);
    // --profile: the plan's commands in the last step.
    exec.profile = args.profile;
    // Ctrl-C: finish the step in flight, save (with --save), stop.
    launch::catch_interrupts();
    let mut times = Vec::new();
    while opt.step < o.steps {
        let k = opt.step;
        launch::set_phase(format!("training step {} of {}", k + 1, o.steps));
        launch::rearm_watchdog();
        let t0 = Instant::now();
        let inputs = match rows.get(k % rows.len().max(1)) {
            Some(r) => crate::inputs::make_rank_inputs(&plan, Some(&r.ids), r.segments.as_ref(), args.seed, rank),
            // Random rows: each step draws its own tokens.
            None => crate::inputs::make_rank_inputs(&plan, None, None, args.seed.wrapping_add(k as u64), rank),
        }
        .map_err(CudaError::Usage)?;
        exec.load_inputs(&inputs.iter().collect::<Vec<_>>())?;
        // The last update (under ZeRO with its all-gathers) may still run: each weight's is
        // waited for where the run first needs it.
        exec.run_after(limit, &opt.waits())?;
        let loss = exec.local_output(0)?.first().copied().unwrap_or(f64::NAN);
        let t1 = Instant::now();
        let norm = opt.grad_norm(&exec)?;
        // Every rank stops after the same step, whichever saw Ctrl-C (the last step ends
        // anyway); agreed before the update, whose all-gathers may still run after it.
        let stop = k + 1 < o.steps && exec.any_rank(launch::interrupts() > 0)?;
        let lr = o.lr_at(k);
        opt.update(&exec, o, lr, norm)?;
        if opt.waits().is_empty() {
            exec.synchronize()?;
        }
        let seconds = t0.elapsed().as_secs_f64();
        let optimizer_ms = t1.elapsed().as_secs_f64() * 1e3;
        times.push(seconds * 1e3);
        let used = exec.device_memory().map_or(0, |(total, free)| total - free);
        let l = StepLog {
            step: k + 1,
            loss,
            grad_norm: norm,
            lr,
            tokens_per_s: tokens as f64 / seconds.max(1e-9),
            step_ms: seconds * 1e3,
            optimizer_ms,
            peak_bytes: (fixed + exec.attention_block_bytes()).max(used) as u64,
        };
        if rank == 0 {
            let line = l.progress(o.steps, l.step - first, start.elapsed().as_secs_f64());
            if terminal { eprint!("\r{line}") } else { eprintln!("{line}") }
            if let Some(f) = log.as_mut() {
                let j = serde_json::to_string(&l).map_err(|e| CudaError::Usage(e.to_string()))?;
                writeln!(f, "{j}").map_err(|e| CudaError::File { path: "the log".into(), reason: e.to_string() })?;
            }
        }
        // Every rank saves (under ZeRO each holds part of the optimizer state; rank 0 writes).
        if let (Some(dir), Some(every)) = (&t.save, t.save_every)
            && every > 0
            && l.step.is_multiple_of(every)
            && l.step < o.steps
        {
            opt.save(&exec, dir)?;
        }
        if stop {
            // The update may still run: let it end before the executor goes.
            opt.settle(&exec)?;
            exec.synchronize()?;
            if terminal && rank == 0 {
                eprintln!();
            }
            let saved = match &t.save {
                Some(dir) => {
                    opt.save(&exec, dir)?;
                    format!("; saved {} (resume with --resume {})", dir.display(), dir.display())
                }
                None => "; nothing saved (no --save)".into(),
            };
            return Err(CudaError::Interrupted(format!("interrupted (Ctrl-C) after step {}{saved}", l.step)));
        }
    }
    if terminal && rank == 0 {
        eprintln!();
    }
    opt.settle(&exec)?;
    exec.synchronize()?;
    if args.profile {
        for line in probe::report(&exec.last_profile, 24).lines() {
            println!("[rank {rank}] profile of the last step: {line}");
        }
    }
    report_backward_reuse(&exec, rank);
    if let Some(dir) = &t.save {
        opt.save(&exec, dir)?;
        if rank == 0 {
            println!("[rank 0] saved step {} to {}", opt.step, dir.display());
        }
    }
    if rank == 0 {
        let (ms, which) = reported_time(&times.iter().map(|&x| x as f32).collect::<Vec<_>>());
        println!(
            "[rank 0] {name}: {} steps; step time {ms:.2} ms ({which}); {:.0} tokens/s; peak device memory in use {}",
            times.len(),
            tokens as f64 / (ms as f64 / 1e3).max(1e-9),
            mib(exec.device_memory().map_or(0, |(total, free)| total - free).max(fixed))
        );
    }
    Ok(())
}
