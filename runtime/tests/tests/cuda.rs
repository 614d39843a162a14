//! The CUDA backend's host-side logic, without a GPU: the command line, launcher variables,
//! the TCP id bootstrap, layout math (pack/unpack against the CPU collectives), arena checks,
//! default inputs, the accuracy metric, and a clean error where no CUDA driver is installed.

use super::common::{Attn, Rng, Strategy, model_plan};
use seq_runtime::cpu::{Collective, HostTensor, Reduction, collectives::apply as collective};
use seq_runtime::cuda::cli::{Args, Backend};
use seq_runtime::cuda::layout::{
    self, Copy2d, DType, Live, ShardSpec, ValueInfo, concat_copies, concat_unpack, first_fit, slice_copy, split_pack,
};
use seq_runtime::cuda::{CudaError, WorkerEnv, bootstrap, inputs, launch, program};
use seq_runtime::{Plan, ValueDesc};
use std::collections::HashMap;
use std::time::{Duration, Instant};

fn args(v: &[&str]) -> Result<Args, CudaError> {
    Args::parse(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
}

#[test]
fn command_line_parses_every_option() {
    let a = args(&[
        "p.json",
        "--nproc",
        "2",
        "--backend=cpu",
        "--input",
        "ids.npy",
        "--output=o.npy",
        "--weights",
        "w.safetensors",
        "--check-against-cpu",
        "--timeout",
        "12.5",
        "--seed",
        "9",
        "--iters",
        "3",
        "--sync-steps",
        "--profile",
        "--trace",
        "t.json",
        "--segments",
        "seg.npy",
    ])
    .expect("valid");
    assert_eq!(a.plan.to_str(), Some("p.json"));
    assert_eq!(a.nproc, Some(2));
    assert_eq!(a.backend, Backend::Cpu);
    assert_eq!(a.input.as_deref().and_then(|p| p.to_str()), Some("ids.npy"));
    assert_eq!(a.output.as_deref().and_then(|p| p.to_str()), Some("o.npy"));
    assert_eq!(a.weights.as_deref().and_then(|p| p.to_str()), Some("w.safetensors"));
    assert_eq!(a.segments.as_deref().and_then(|p| p.to_str()), Some("seg.npy"));
    assert!(a.check && a.sync_steps && a.profile && !a.dry_run);
    assert_eq!(a.trace.as_deref().and_then(|p| p.to_str()), Some("t.json"));
    assert_eq!(
        seq_runtime::cuda::rank_path(std::path::Path::new("out/t.json"), 3),
        std::path::Path::new("out/t.rank3.json")
    );
    assert_eq!((a.timeout, a.seed, a.iters), (12.5, 9, 3));
    // A child gets the same run without --nproc.
    let child = Args::parse(&a.child_args()).expect("child args parse");
    assert_eq!(child, Args { nproc: None, ..a });
}

#[test]
fn training_loop_options_parse_and_reach_every_rank() {
    use seq_runtime::train::Schedule;
    let a = args(&[
        "p.json", "--steps", "30", "--lr=3e-4", "--betas", "0.9,0.95", "--eps", "1e-6", "--weight-decay", "0.1",
        "--grad-clip", "1.0", "--schedule", "cosine", "--warmup", "3", "--min-lr", "1e-5", "--data", "t.bin",
        "--token-bytes", "4", "--eos", "50256", "--log", "l.jsonl", "--save", "ck", "--save-every", "10",
    ])
    .expect("parses");
    let t = a.train.clone().expect("a training loop");
    assert_eq!((t.opt.steps, t.opt.lr, t.opt.betas, t.opt.eps), (30, 3e-4, (0.9, 0.95), 1e-6));
    assert_eq!((t.opt.weight_decay, t.opt.grad_clip, t.opt.schedule, t.opt.warmup), (0.1, Some(1.0), Schedule::Cosine, 3));
    assert_eq!((t.token_bytes, t.eos, t.save_every), (4, Some(50256), Some(10)));
    let child = Args::parse(&a.child_args()).expect("child args parse");
    assert_eq!(child.train, a.train, "every rank runs the same loop");
    for (bad, says) in [
        (&["p.json", "--lr", "1e-3"][..], "give --steps"),
        (&["p.json", "--steps", "0"], "--steps must be at least 1"),
        (&["p.json", "--steps", "3", "--betas", "0.9"], "B1,B2"),
        (&["p.json", "--steps", "3", "--betas", "0.9,1.5"], "[0, 1)"),
        (&["p.json", "--steps", "3", "--schedule", "linear"], "constant or cosine"),
        (&["p.json", "--steps", "3", "--save-every", "2"], "needs --save"),
    ] {
        let e = args(bad).expect_err("refused").to_string();
        assert!(e.contains(says), "{bad:?}: {e}");
    }
}

#[test]
fn reported_time_is_the_median_after_the_first_run() {
    use seq_runtime::cuda::reported_time;
    assert_eq!(reported_time(&[7.0]).0, 7.0);
    // The first run (planning, caches) is left out; an even count averages the middle two.
    assert_eq!(reported_time(&[90.0, 3.0, 1.0, 2.0]).0, 2.0);
    assert_eq!(reported_time(&[90.0, 4.0, 1.0, 2.0, 3.0]).0, 2.5);
    let (_, what) = reported_time(&[90.0, 3.0, 1.0]);
    assert!(what.contains("median of runs 2..3") && what.contains("first run 90.000"), "{what}");
}

#[test]
fn command_line_errors_are_usage_errors() {
    for bad in [
        &[][..],
        &["p.json", "q.json"],
        &["p.json", "--nproc"],
        &["p.json", "--nproc", "0"],
        &["p.json", "--nproc", "two"],
        &["p.json", "--backend", "tpu"],
        &["p.json", "--timeout", "-1"],
        &["p.json", "--frobnicate"],
    ] {
        match args(bad) {
            Err(e @ CudaError::Usage(_)) => {
                assert_eq!(e.exit_code(), 2);
                assert!(e.to_string().contains("usage: seqc-run"), "{e}");
            }
            other => panic!("{bad:?} should be a usage error, got {other:?}"),
        }
    }
    assert!(args(&["--help"]).expect("help").help);
}

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |k| map.get(k).cloned()
}

#[test]
fn launcher_variables_give_rank_world_and_bootstrap_address() {
    assert_eq!(launch::worker_env(env_of(&[])).expect("ok"), None);
    let ours = launch::worker_env(env_of(&[("RANK", "1"), ("WORLD_SIZE", "2"), ("MASTER_PORT", "4000")])).expect("ok");
    assert_eq!(ours, Some(WorkerEnv { rank: 1, world: 2, local_rank: 1, bootstrap: "127.0.0.1:4000".into() }));
    // torchrun: its store holds MASTER_PORT, so the ids go over the next port.
    let torchrun = launch::worker_env(env_of(&[
        ("RANK", "3"),
        ("WORLD_SIZE", "4"),
        ("LOCAL_RANK", "1"),
        ("MASTER_ADDR", "node7"),
        ("MASTER_PORT", "29500"),
        ("TORCHELASTIC_RUN_ID", "x"),
    ]))
    .expect("ok");
    assert_eq!(torchrun, Some(WorkerEnv { rank: 3, world: 4, local_rank: 1, bootstrap: "node7:29501".into() }));
    let slurm = launch::worker_env(env_of(&[("SLURM_PROCID", "2"), ("SLURM_NTASKS", "8"), ("SLURM_LOCALID", "0")]))
        .expect("ok");
    assert_eq!(slurm.map(|e| (e.rank, e.world, e.local_rank)), Some((2, 8, 0)));
    // srun across nodes: rank 0 is on the step's first node, the port follows the job id.
    let nodes = launch::worker_env(env_of(&[
        ("SLURM_PROCID", "5"),
        ("SLURM_NTASKS", "16"),
        ("SLURM_LOCALID", "5"),
        ("SLURM_STEP_NODELIST", "gpu[07-08,12],big1"),
        ("SLURM_JOB_NODELIST", "gpu[01-12],big1"),
        ("SLURM_JOB_ID", "123456"),
    ]))
    .expect("ok");
    assert_eq!(nodes, Some(WorkerEnv { rank: 5, world: 16, local_rank: 5, bootstrap: "gpu07:32967".into() }));
    let job_list =
        launch::worker_env(env_of(&[("SLURM_PROCID", "0"), ("SLURM_NTASKS", "2"), ("SLURM_JOB_NODELIST", "n1")]));
    assert_eq!(job_list.expect("ok").map(|e| e.bootstrap), Some("n1:29511".into()));
    // MASTER_ADDR and MASTER_PORT, when set, win.
    let set = launch::worker_env(env_of(&[
        ("SLURM_PROCID", "1"),
        ("SLURM_NTASKS", "2"),
        ("SLURM_STEP_NODELIST", "gpu[1-2]"),
        ("SLURM_JOB_ID", "7"),
        ("MASTER_ADDR", "head"),
        ("MASTER_PORT", "4100"),
    ]));
    assert_eq!(set.expect("ok").map(|e| e.bootstrap), Some("head:4100".into()));
    for (list, first) in [
        ("gpu[03-05,9],cpu1", Some("gpu03")),
        ("rack2-n[7,9]-ib", Some("rack2-n7-ib")),
        ("solo", Some("solo")),
        ("", None),
        ("gpu[]", None),
        ("gpu]1", None),
        ("gpu[a-b]", None),
    ] {
        assert_eq!(launch::first_host(list).as_deref(), first, "{list}");
    }
    for bad in [&[("RANK", "2"), ("WORLD_SIZE", "2")][..], &[("RANK", "0")], &[("RANK", "x"), ("WORLD_SIZE", "2")]] {
        assert!(matches!(launch::worker_env(env_of(bad)), Err(CudaError::Usage(_))), "{bad:?}");
    }
}

/// `spawn_ranks` with a shell as each rank's program: `script` sees the launcher's variables.
fn spawn_shells(script: &str, nproc: usize, limit: Duration) -> (Result<(), (u8, CudaError)>, Duration) {
    let t0 = Instant::now();
    let result = launch::spawn_ranks(std::path::Path::new("/bin/sh"), &["-c".into(), script.into()], nproc, limit);
    (result, t0.elapsed())
}

#[test]
fn spawned_ranks_get_the_launch_variables_and_a_failure_stops_the_others() {
    // Every rank sees its rank, the world, one bootstrap address and NVLink multicast off.
    let check = r#"[ "$WORLD_SIZE" = 3 ] && [ "$LOCAL_RANK" = "$RANK" ] && [ "$MASTER_ADDR" = 127.0.0.1 ] \
        && [ -n "$MASTER_PORT" ] && [ "$NCCL_NVLS_ENABLE" = 0 ] || exit 7"#;
    let (ok, _) = spawn_shells(check, 3, Duration::from_secs(30));
    assert!(ok.is_ok(), "{ok:?}");
    // Rank 1 fails at once; ranks 0 and 2 would sleep for a minute: stopped, rank 1's code kept.
    let (failed, took) = spawn_shells(r#"[ "$RANK" = 1 ] && exit 5; sleep 60"#, 3, Duration::from_secs(50));
    match failed {
        Err((5, CudaError::RankFailed { rank: 1, message })) => {
            assert!(message.contains("exited with code 5"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert!(took < Duration::from_secs(20), "the other ranks were not stopped: {took:?}");
    // Rank 1 is killed by a signal. Rank 0 handles the launcher's SIGTERM by leaving its note
    // (as seqc-run's ranks do); rank 2 ignores SIGTERM and is killed after the grace period.
    let script = r#"case $RANK in
        0) trap 'echo "waiting for step 7 (all_to_all)" > "$SEQC_STOP_NOTE"; exit 143' TERM; sleep 30 & wait $!;;
        1) sleep 0.5; kill -9 $$;;
        *) trap '' TERM; sleep 30;;
        esac"#;
    let (killed, took) = spawn_shells(script, 3, Duration::from_secs(50));
    match killed {
        Err((137, CudaError::RankFailed { rank: 1, message })) => {
            assert!(message.contains("killed by signal 9 (SIGKILL"), "{message}");
            assert!(message.contains("rank 0 while waiting for step 7 (all_to_all)"), "{message}");
            assert!(message.contains("ranks [0, 2] were stopped"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(took < Duration::from_secs(20), "a rank ignoring SIGTERM was not killed: {took:?}");
    // Ranks stopped at the same step are named together.
    let script = r#"[ "$RANK" = 2 ] && sleep 0.5 && exit 4
        trap 'echo "waiting for step 3 (async_start)" > "$SEQC_STOP_NOTE"; exit 143' TERM; sleep 30 & wait $!"#;
    match spawn_shells(script, 3, Duration::from_secs(50)).0 {
        Err((4, CudaError::RankFailed { rank: 2, message })) => {
            assert_eq!(message, "exited with code 4; ranks [0, 1] were stopped while waiting for step 3 (async_start)")
        }
        other => panic!("{other:?}"),
    }
    // Past the limit every rank is stopped: exit code 124, a timeout error.
    let (late, took) = spawn_shells("sleep 60", 2, Duration::from_millis(300));
    assert!(matches!(late, Err((124, CudaError::Timeout { .. }))), "{late:?}");
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn bootstrap_shares_the_ids_between_threads() {
    let listener = bootstrap::listen("127.0.0.1:0").expect("listen");
    let addr = listener.local_addr().expect("addr").to_string();
    let payload: Vec<u8> = (0..=255u8).cycle().take(3 * 128).collect();
    let served = {
        let payload = payload.clone();
        std::thread::spawn(move || bootstrap::serve(&listener, 3, 42, &payload, Duration::from_secs(10)))
    };
    let clients: Vec<_> = (1..3)
        .map(|rank| {
            let addr = addr.clone();
            std::thread::spawn(move || bootstrap::fetch(&addr, rank, 42, Duration::from_secs(10)))
        })
        .collect();
    for c in clients {
        assert_eq!(c.join().expect("client thread").expect("fetch"), payload);
    }
    served.join().expect("server thread").expect("serve");
}

#[test]
fn bootstrap_refuses_a_rank_with_another_plan_and_times_out_without_hanging() {
    let listener = bootstrap::listen("127.0.0.1:0").expect("listen");
    let addr = listener.local_addr().expect("addr").to_string();
    let served = std::thread::spawn(move || bootstrap::serve(&listener, 2, 1, b"ids", Duration::from_secs(10)));
    let got = bootstrap::fetch(&addr, 1, 2, Duration::from_secs(10));
    assert!(matches!(&got, Err(CudaError::Bootstrap(m)) if m.contains("different plan")), "{got:?}");
    assert!(served.join().expect("server thread").is_err());

    let listener = bootstrap::listen("127.0.0.1:0").expect("listen");
    let started = Instant::now();
    let alone = bootstrap::serve(&listener, 2, 1, b"ids", Duration::from_millis(300));
    assert!(matches!(&alone, Err(CudaError::Bootstrap(m)) if m.contains("[1]")), "{alone:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let nobody = bootstrap::fetch(&addr, 1, 1, Duration::from_millis(300));
    assert!(nobody.is_err());
}

/// Rank r's [rows, cols] i32 input with distinct entries.
fn rank_input(r: usize, shape: &[usize]) -> HostTensor {
    let n: usize = shape.iter().product();
    HostTensor::from_i32(shape.to_vec(), (0..n).map(|i| (1000 * r + i) as i32).collect()).expect("tensor")
}

fn bytes_of(t: &HostTensor) -> Vec<u8> {
    t.view::<i32>().expect("i32").iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn from_bytes(shape: Vec<usize>, b: &[u8]) -> HostTensor {
    HostTensor::from_i32(shape, b.chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
        .expect("tensor")
}

fn apply(copies: &[Copy2d], dst: &mut [u8], srcs: &[&[u8]]) {
    for (c, s) in copies.iter().zip(srcs.iter().cycle()) {
        c.apply_host(dst, s);
    }
}

/// All-to-all as the CUDA backend does it (pack the split into contiguous blocks, exchange
/// block p with rank p, unpack the concatenation) against the CPU collective, for every pair
/// of split and concat dims, including neither being the outermost.
#[test]
fn all_to_all_pack_and_unpack_match_the_collective() {
    for (shape, g) in [(vec![4usize, 6], 2usize), (vec![6, 4], 3), (vec![2, 6, 4], 2), (vec![3, 4, 6], 2)] {
        for split in 0..shape.len() {
            for concat in 0..shape.len() {
                if shape[split] % g != 0 {
                    continue;
                }
                let ins: Vec<HostTensor> = (0..g).map(|r| rank_input(r, &shape)).collect();
                let packed: Vec<Vec<u8>> = ins
                    .iter()
                    .map(|t| {
                        let mut buf = vec![0u8; t.numel() * 4];
                        apply(&split_pack(&shape, 4, split, g), &mut buf, &[&bytes_of(t)]);
                        buf
                    })
                    .collect();
                let part = packed[0].len() / g;
                let mut part_shape = shape.clone();
                part_shape[split] /= g;
                let mut out_shape = part_shape.clone();
                out_shape[concat] *= g;
                for me in 0..g {
                    // Block p of the receive buffer comes from rank p's block `me`.
                    let recv: Vec<u8> = (0..g).flat_map(|p| packed[p][me * part..(me + 1) * part].to_vec()).collect();
                    let mut out = vec![0u8; recv.len()];
                    apply(&concat_unpack(&part_shape, 4, concat, g), &mut out, &[&recv]);
                    let want = collective(
                        &Collective::AllToAll { split_dim: split, concat_dim: concat },
                        &ins.iter().collect::<Vec<_>>(),
                        me,
                    )
                    .expect("cpu all_to_all");
                    assert_eq!(
                        from_bytes(out_shape.clone(), &out),
                        want,
                        "shape {shape:?} split {split} concat {concat} rank {me}"
                    );
                }
            }
        }
    }
}

#[test]
fn all_gather_unpack_and_reduce_scatter_pack_match_the_collectives() {
    for (shape, g) in [(vec![3usize, 4], 2usize), (vec![2, 3, 4], 4)] {
        let ins: Vec<HostTensor> = (0..g).map(|r| rank_input(r, &shape)).collect();
        let refs: Vec<&HostTensor> = ins.iter().collect();
        for dim in 0..shape.len() {
            // NCCL all-gather concatenates whole buffers; the unpack interleaves along `dim`.
            let gathered: Vec<u8> = ins.iter().flat_map(bytes_of).collect();
            let mut out = vec![0u8; gathered.len()];
            apply(&concat_unpack(&shape, 4, dim, g), &mut out, &[&gathered]);
            let want = collective(&Collective::AllGather { dim }, &refs, 0).expect("cpu all_gather");
            assert_eq!(from_bytes(want.shape.clone(), &out), want, "all_gather {shape:?} dim {dim}");
            if shape[dim] % g != 0 {
                continue;
            }
            // NCCL reduce-scatter gives rank r block r of the sum; the pack makes block r part r.
            let summed: Vec<i32> =
                (0..ins[0].numel()).map(|i| ins.iter().map(|t| t.view::<i32>().expect("i32")[i]).sum()).collect();
            let total = HostTensor::from_i32(shape.clone(), summed).expect("tensor");
            let mut packed = vec![0u8; total.numel() * 4];
            apply(&split_pack(&shape, 4, dim, g), &mut packed, &[&bytes_of(&total)]);
            let part = packed.len() / g;
            for me in 0..g {
                let want = collective(&Collective::ReduceScatter { dim, reduction: Reduction::Sum }, &refs, me)
                    .expect("cpu reduce_scatter");
                assert_eq!(from_bytes(want.shape.clone(), &packed[me * part..(me + 1) * part]), want);
            }
        }
    }
}

#[test]
fn slice_and_concat_copies_match_host_tensors() {
    let shape = vec![3usize, 5, 4];
    let t = rank_input(1, &shape);
    for dim in 0..3 {
        for (start, size) in [(0, 1), (1, 2), (0, shape[dim])] {
            let c = slice_copy(&shape, 4, dim, start, size);
            let mut out = vec![0u8; t.numel() / shape[dim] * size * 4];
            c.apply_host(&mut out, &bytes_of(&t));
            let want = t.slice(dim, start, size).expect("slice");
            assert_eq!(from_bytes(want.shape.clone(), &out), want);
        }
        let other = rank_input(2, &shape);
        let copies = concat_copies(&[&shape, &shape], 4, dim);
        let mut out = vec![0u8; 2 * t.numel() * 4];
        apply(&copies[..1], &mut out, &[&bytes_of(&t)]);
        apply(&copies[1..], &mut out, &[&bytes_of(&other)]);
        let want = HostTensor::concat(&[&t, &other], dim).expect("concat");
        assert_eq!(from_bytes(want.shape.clone(), &out), want);
    }
}

#[test]
fn copy_units_divide_every_address() {
    let c = Copy2d { dst: 0, dst_pitch: 64, src: 16, src_pitch: 128, rows: 4, width: 32 };
    assert_eq!(c.unit(0x1000, 0x2000), 16);
    assert_eq!(c.unit(0x1004, 0x2000), 4);
    assert_eq!(Copy2d { width: 6, ..c }.unit(0x1000, 0x2000), 2);
    // One row: the pitches do not matter.
    assert_eq!(Copy2d { rows: 1, dst_pitch: 3, ..c }.unit(0x1000, 0x2000), 16);
}

#[test]
fn shard_row_maps_follow_the_dialect() {
    let z = ShardSpec { zigzag: true, shards: 2, global: 10 };
    assert_eq!(z.rows(0), vec![Some(0), Some(1), Some(2), Some(9), None, None]);
    assert_eq!(z.rows(1), (3..9).map(Some).collect::<Vec<_>>());
    let order = z.gather_order();
    assert_eq!(order.len(), 10);
    for (g, &at) in order.iter().enumerate() {
        assert_eq!(z.rows(at / 6)[at % 6], Some(g));
    }
}

#[test]
fn first_fit_never_overlaps_live_values() {
    let mut rng = Rng::new(5);
    let items: Vec<(usize, Live)> = (0..300)
        .map(|_| {
            let def = rng.below(100) as usize;
            (1 + rng.below(5000) as usize, Live { def, last: def + rng.below(20) as usize })
        })
        .collect();
    let (offs, total) = first_fit(&items);
    for i in 0..items.len() {
        assert_eq!(offs[i] % layout::ALIGN, 0);
        assert!(offs[i] + items[i].0 <= total);
        for j in i + 1..items.len() {
            let overlap_mem = offs[i] < offs[j] + items[j].0 && offs[j] < offs[i] + items[i].0;
            assert!(!(overlap_mem && items[i].1.overlaps(&items[j].1)), "items {i} and {j} collide");
        }
    }
}

fn desc(shape: &[i64], dtype: &str, offset: Option<u64>) -> ValueDesc {
    ValueDesc { shape: shape.to_vec(), dtype: dtype.into(), offset }
}

/// The plan's arena offsets are used only if no async transfer can overwrite a live value.
#[test]
fn arena_offsets_are_checked_against_async_lifetimes() {
    let mut plan = model_plan(
        19,
        2,
        Strategy::Ring,
        &Attn { heads: 4, kv_heads: 2, head_dim: 8, causal: true, window: None, segments: false },
    );
    let infos = layout::value_infos(&plan).expect("infos");
    let live = layout::liveness(&plan, &infos, &layout::foldable_adds(&plan, &infos)).expect("liveness");
    // Our own placement for this plan, written back as the plan's offsets, must be accepted.
    let own = layout::arena(&plan, &infos, &live);
    assert!(!own.plan_offsets);
    for (v, off) in own.offsets.iter().enumerate() {
        plan.values[v].offset = off.map(|o| o as u64);
    }
    let accepted = layout::arena(&plan, &infos, &live);
    assert!(accepted.plan_offsets, "{:?}", accepted.note);
    // Put the async_start's input where a value defined before its async_wait lives: rejected.
    let start = plan.steps.iter().position(|s| s.op == "async_start").expect("ring has async");
    let input = plan.steps[start].operands[0] as usize;
    let wait = plan.steps.iter().position(|s| s.op == "async_wait").expect("wait");
    let between = plan.steps[start + 1..wait]
        .iter()
        .flat_map(|s| s.results.clone())
        .find(|&r| live[r as usize].is_some())
        .expect("a value");
    plan.values[between as usize].offset = plan.values[input].offset;
    let rejected = layout::arena(&plan, &infos, &live);
    assert!(!rejected.plan_offsets);
    assert!(rejected.note.as_deref().is_some_and(|n| n.contains("share memory")), "{:?}", rejected.note);
}

#[test]
fn value_infos_and_liveness_cover_declared_types() {
    let i = ValueInfo::new(&desc(&[3, 4], "bf16", None)).expect("bf16");
    assert_eq!((i.dtype, i.numel, i.bytes), (DType::BF16, 12, 24));
    assert!(ValueInfo::new(&desc(&[2], "complex64", None)).is_err());
    assert!(ValueInfo::new(&desc(&[-1], "f32", None)).is_err());
}

#[test]
fn default_inputs_follow_seqc_run() {
    let plan = model_plan(
        20,
        2,
        Strategy::Ring,
        &Attn { heads: 4, kv_heads: 2, head_dim: 8, causal: true, window: None, segments: true },
    );
    let ins = seq_runtime::inputs::make_inputs(&plan, None, None, 0).expect("inputs");
    assert_eq!(ins.len(), 3);
    let ids = ins[0].to_i64().expect("ids");
    assert!(ids.iter().all(|&i| (0..super::common::VOCAB as i64).contains(&i)));
    assert!(ids.iter().any(|&i| i != ids[0]), "ids vary");
    assert_eq!(ins[1].to_i64().expect("positions"), (0..20).collect::<Vec<i64>>());
    assert_eq!(ins[2].to_i64().expect("segments"), vec![0; 20]);
    // Same seed, same ids (every rank builds them itself).
    assert_eq!(seq_runtime::inputs::make_inputs(&plan, None, None, 0).expect("inputs"), ins);
    // Segments restart the positions.
    let seg =
        HostTensor::from_i32(vec![20], (0..20).map(|i| (i >= 7) as i32 + (i >= 15) as i32).collect()).expect("seg");
    let ins = seq_runtime::inputs::make_inputs(&plan, None, Some(&seg), 0).expect("inputs");
    let pos = ins[1].to_i64().expect("positions");
    assert_eq!((pos[6], pos[7], pos[14], pos[15], pos[19]), (6, 0, 7, 0, 4));
    assert_eq!(ins[2], seg);
}

#[test]
fn a_program_from_hidden_states_takes_them_from_input() {
    use seq_runtime::plan::MemoryPlan;
    let value = |shape: &[i64], dtype: &str| ValueDesc { shape: shape.to_vec(), dtype: dtype.into(), offset: None };
    let plan = Plan {
        version: 1,
        devices: 1,
        mesh: Vec::new(),
        inputs: vec![0, 1],
        outputs: vec![0],
        values: vec![value(&[4, 8], "bf16"), value(&[4], "i32")],
        steps: Vec::new(),
        memory: MemoryPlan::default(),
        sharded_io: None,
        output_names: Vec::new(),
        owned_outputs: Vec::new(),
    };
    // No token ids: the integer argument is the positions.
    let ins = seq_runtime::inputs::make_inputs(&plan, None, None, 0).expect("inputs");
    assert_eq!(ins[1].to_i64().expect("positions"), vec![0, 1, 2, 3]);
    let x = HostTensor::from_f32(vec![4, 8], (0..32).map(|i| i as f32 / 7.0).collect()).expect("x");
    let ins = seq_runtime::inputs::make_inputs(&plan, Some(&x), None, 0).expect("inputs");
    assert_eq!(ins[0], x);
    let wrong = HostTensor::from_f32(vec![8, 4], vec![0.5; 32]).expect("t");
    let e = seq_runtime::inputs::make_inputs(&plan, Some(&wrong), None, 0).expect_err("shape");
    assert!(e.contains("[8, 4] floats") && e.contains("[4, 8] bf16 hidden states"), "{e}");
    // Floats where token ids are expected: an error, not ids.
    let ids_plan = Plan { inputs: vec![1], outputs: vec![1], ..plan };
    let e = seq_runtime::inputs::make_inputs(&ids_plan, Some(&x), None, 0).expect_err("floats as ids");
    assert!(e.contains("holds floats"), "{e}");
}

#[test]
fn relative_errors_are_against_the_reference_scale() {
    let r = HostTensor::from_f32(vec![4], vec![1.0, -4.0, 2.0, f32::NEG_INFINITY]).expect("t");
    let g = HostTensor::from_f32(vec![4], vec![1.0, -3.96, 2.0, f32::NEG_INFINITY]).expect("t");
    let s = inputs::compare(&g, &r).expect("compare");
    assert!((s.max_rel - 0.01).abs() < 1e-6 && (s.mean_rel - 0.0025).abs() < 1e-6, "{s:?}");
    let nan = HostTensor::from_f32(vec![4], vec![f32::NAN, -4.0, 2.0, f32::NEG_INFINITY]).expect("t");
    assert!(inputs::compare(&nan, &r).expect("compare").max_rel.is_infinite());
    assert!(inputs::compare(&HostTensor::from_f32(vec![2], vec![0.0; 2]).expect("t"), &r).is_err());
}

#[test]
fn lowering_reports_unsupported_plans_by_step() {
    let mut plan: Plan = model_plan(
        8,
        1,
        Strategy::Unsplit,
        &Attn { heads: 2, kv_heads: 1, head_dim: 8, causal: true, window: None, segments: false },
    );
    for v in &mut plan.values {
        if v.dtype == "bf16" {
            v.dtype = "f64".into();
        }
    }
    let e = program::build(&plan, 0).expect_err("f64 is not a device type");
    assert!(matches!(&e, CudaError::Step { rank: 0, .. }) && e.to_string().contains("f64"), "{e}");
    assert!(program::build(&plan, 1).is_err(), "rank outside the plan");
}

#[test]
fn communicators_are_one_per_stream_and_axis_group() {
    let a = Attn { heads: 4, kv_heads: 2, head_dim: 8, causal: true, window: None, segments: false };
    let plan = model_plan(22, 4, Strategy::Hybrid { ulysses: 2 }, &a);
    let keys = program::all_comm_keys(&plan).expect("keys");
    // Mesh ring=2 × ulysses=2: ring groups {0,2},{1,3} on streams 0 (indices), 1 and 2 (K and
    // V); all ranks on "sp" for unshard; ulysses groups {0,1},{2,3} (all-to-all, all-gather).
    let key = |stream: u32, axis: &str, group: &[usize]| program::CommKey {
        stream,
        axis: axis.into(),
        group: group.to_vec(),
    };
    let want = vec![
        key(0, "ring", &[0, 2]),
        key(0, "ring", &[1, 3]),
        key(0, "sp", &[0, 1, 2, 3]),
        key(0, "ulysses", &[0, 1]),
        key(0, "ulysses", &[2, 3]),
        key(1, "ring", &[0, 2]),
        key(1, "ring", &[1, 3]),
        key(2, "ring", &[0, 2]),
        key(2, "ring", &[1, 3]),
    ];
    assert_eq!(keys, want);
    for r in 0..4 {
        let p = program::build(&plan, r).expect("lowering");
        assert_eq!(p.comm_keys, keys, "every rank sees the same key order");
    }
}

/// Without a CUDA driver (this machine, CI), a CUDA run fails with a clear error naming the
/// library, never a panic from cudarc's loader. On a GPU machine the probe passes.
#[test]
fn missing_cuda_driver_is_a_clear_error() {
    match seq_runtime::cuda::device::probe_libraries(true) {
        Err(e @ CudaError::MissingLibrary { .. }) => {
            let m = e.to_string();
            assert!(m.contains(".so") && m.contains("could not be loaded"), "{m}");
        }
        Err(other) => panic!("unexpected error kind: {other}"),
        Ok(()) => return,
    }
    let dir = std::env::temp_dir().join(format!("seqc-cuda-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("plan.json");
    let plan = model_plan(
        8,
        1,
        Strategy::Unsplit,
        &Attn { heads: 2, kv_heads: 1, head_dim: 8, causal: true, window: None, segments: false },
    );
    std::fs::write(&path, plan.to_json()).expect("write plan");
    let a = args(&[path.to_str().expect("utf-8 path")]).expect("args");
    let env = WorkerEnv { rank: 0, world: 1, local_rank: 0, bootstrap: "127.0.0.1:0".into() };
    let outcome = std::panic::catch_unwind(|| seq_runtime::cuda::run_worker(&a, &env));
    let _ = std::fs::remove_dir_all(&dir);
    match outcome {
        Ok(Err(e @ CudaError::MissingLibrary { .. })) => assert_eq!(e.exit_code(), 3),
        Ok(other) => panic!("expected a missing-library error, got {other:?}"),
        Err(_) => panic!("run_worker panicked instead of reporting the missing driver"),
    }
}

/// kernels.cu compiles with NVRTC for Hopper. Skipped where NVRTC is not installed (CI); it
/// needs no GPU, so a machine with only the NVRTC library (LD_LIBRARY_PATH) runs it.
#[test]
fn kernels_compile_with_nvrtc_where_installed() {
    if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        eprintln!("skipped: libnvrtc.so is not on the loader path");
        return;
    }
    let cubin = seq_runtime::cuda::kernels::compile_for("sm_90").unwrap_or_else(|e| panic!("{e}"));
    assert!(cubin.len() > 1000 && cubin.starts_with(b"\x7fELF"), "a CUBIN is an ELF image");
}

/// Ctrl-C in a multi-rank training loop: ranks that stop after a step (exit 130) are an
/// interruption, reported as one with the shell's code, not a rank failure; a rank failing
/// otherwise is still a failure.
#[test]
fn ranks_stopped_by_ctrl_c_are_an_interruption() {
    use seq_runtime::cuda::error::CudaError;
    use std::path::Path;
    use std::time::Duration;
    launch::catch_interrupts();
    // SAFETY: the handler installed above only counts; raising it once leaves every other test
    // alone (the launcher only acts on a second Ctrl-C, or on ranks that exit 130).
    unsafe { libc::raise(libc::SIGINT) };
    assert!(launch::interrupts() >= 1);
    let sh = Path::new("/bin/sh");
    let args = |code: &str| vec!["-c".to_string(), format!("exit {code}")];
    match launch::spawn_ranks(sh, &args("130"), 2, Duration::from_secs(20)) {
        Err((code, CudaError::Interrupted(m))) => {
            assert_eq!(code, launch::INTERRUPTED_EXIT);
            assert!(m.contains("same step"), "{m}");
        }
        other => panic!("expected an interruption, got {other:?}"),
    }
    match launch::spawn_ranks(sh, &args("3"), 2, Duration::from_secs(20)) {
        Err((3, CudaError::RankFailed { .. })) => {}
        other => panic!("expected a rank failure, got {other:?}"),
    }
}
