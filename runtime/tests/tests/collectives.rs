//! The hub's collectives: NCCL semantics on 3 and 4 ranks, and errors instead of hangs.

use seq_runtime::cpu::{Collective, HostTensor, Hub, Reduction, RuntimeError, Site};
use std::time::{Duration, Instant};

fn site(rank: usize, op: &str) -> Site {
    Site { rank, step: 10 + rank, op: op.into() }
}

/// Runs `f(rank, hub)` on `world` threads sharing one hub; results in rank order.
fn on_ranks<R: Send>(world: usize, timeout: Duration, f: impl Fn(usize, &Hub) -> R + Sync) -> Vec<R> {
    let hub = Hub::new(world, timeout);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..world)
            .map(|r| {
                s.spawn({
                    let (hub, f) = (&hub, &f);
                    move || f(r, hub)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("rank thread")).collect()
    })
}

/// Rank r's input: a [rows, cols] f64 tensor whose entries encode (rank, row, col).
fn input(r: usize, rows: usize, cols: usize) -> HostTensor {
    HostTensor::from_f64(
        vec![rows, cols],
        (0..rows * cols).map(|i| (100 * r + 10 * (i / cols) + i % cols) as f64).collect(),
    )
    .unwrap()
}

fn value(r: usize, row: usize, col: usize) -> f64 {
    (100 * r + 10 * row + col) as f64
}

fn exchange_all(world: usize, op: Collective, rows: usize, cols: usize) -> Vec<HostTensor> {
    let group: Vec<usize> = (0..world).collect();
    on_ranks(world, Duration::from_secs(10), |r, hub| {
        hub.exchange(&site(r, "test"), &group, &op, input(r, rows, cols)).unwrap_or_else(|e| panic!("{e}"))
    })
}

fn at(t: &HostTensor, row: usize, col: usize) -> f64 {
    t.view::<f64>().unwrap()[row * t.shape[1] + col]
}

#[test]
fn all_gather_concatenates_in_rank_order() {
    for world in [3, 4] {
        for dim in [0, 1] {
            let out = exchange_all(world, Collective::AllGather { dim }, 2, 3);
            for t in &out {
                assert_eq!(t.shape, if dim == 0 { vec![2 * world, 3] } else { vec![2, 3 * world] });
                for p in 0..world {
                    for row in 0..2 {
                        for col in 0..3 {
                            let (i, j) = if dim == 0 { (p * 2 + row, col) } else { (row, p * 3 + col) };
                            assert_eq!(at(t, i, j), value(p, row, col));
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn all_to_all_sends_part_p_to_rank_p() {
    for world in [3, 4] {
        // Ulysses forward: split columns (heads), gather rows (tokens).
        let (rows, cols) = (2, 2 * world);
        let out = exchange_all(world, Collective::AllToAll { split_dim: 1, concat_dim: 0 }, rows, cols);
        for (p, t) in out.iter().enumerate() {
            assert_eq!(t.shape, vec![rows * world, 2]);
            for q in 0..world {
                for row in 0..rows {
                    for c in 0..2 {
                        assert_eq!(at(t, q * rows + row, c), value(q, row, p * 2 + c), "world {world} rank {p}");
                    }
                }
            }
        }
        // And back: split rows, gather columns.
        let out = exchange_all(world, Collective::AllToAll { split_dim: 0, concat_dim: 1 }, world, 3);
        for (p, t) in out.iter().enumerate() {
            assert_eq!(t.shape, vec![1, 3 * world]);
            for q in 0..world {
                for c in 0..3 {
                    assert_eq!(at(t, 0, q * 3 + c), value(q, p, c));
                }
            }
        }
    }
}

#[test]
fn reduce_scatter_and_all_reduce_reduce_elementwise() {
    for world in [3, 4] {
        let rows = world * 2;
        let sum = exchange_all(world, Collective::ReduceScatter { dim: 0, reduction: Reduction::Sum }, rows, 3);
        let max = exchange_all(world, Collective::ReduceScatter { dim: 0, reduction: Reduction::Max }, rows, 3);
        for p in 0..world {
            assert_eq!(sum[p].shape, vec![2, 3]);
            for row in 0..2 {
                for c in 0..3 {
                    let all: Vec<f64> = (0..world).map(|q| value(q, p * 2 + row, c)).collect();
                    assert_eq!(at(&sum[p], row, c), all.iter().sum::<f64>());
                    assert_eq!(at(&max[p], row, c), value(world - 1, p * 2 + row, c));
                }
            }
        }
        let group: Vec<usize> = (0..world).collect();
        let ints = on_ranks(world, Duration::from_secs(10), |r, hub| {
            let x = HostTensor::from_i32(vec![2], vec![r as i32, -(r as i32)]).unwrap();
            let s = hub
                .exchange(&site(r, "sum"), &group, &Collective::AllReduce { reduction: Reduction::Sum }, x.clone())
                .unwrap();
            let m =
                hub.exchange(&site(r, "max"), &group, &Collective::AllReduce { reduction: Reduction::Max }, x).unwrap();
            (s, m)
        });
        let total = (0..world as i32).sum::<i32>();
        for (s, m) in ints {
            assert_eq!(s.view::<i32>().unwrap(), &[total, -total]);
            assert_eq!(m.view::<i32>().unwrap(), &[world as i32 - 1, 0]);
        }
    }
}

#[test]
fn collective_permute_receives_from_rank_minus_shift() {
    for world in [3, 4] {
        for shift in [1i64, -1, 2, 5] {
            let out = exchange_all(world, Collective::Permute { shift }, 1, 2);
            for (p, t) in out.iter().enumerate() {
                let from = (p as i64 - shift).rem_euclid(world as i64) as usize;
                assert_eq!(at(t, 0, 1), value(from, 0, 1), "world {world} shift {shift} rank {p}");
            }
        }
    }
}

#[test]
fn disjoint_groups_progress_independently() {
    // Two groups of two on four ranks, each issuing several calls: matched per group.
    let out = on_ranks(4, Duration::from_secs(10), |r, hub| {
        let group = if r < 2 { vec![0, 1] } else { vec![2, 3] };
        let mut last = input(r, 1, 1);
        for _ in 0..3 {
            last = hub
                .exchange(&site(r, "sum"), &group, &Collective::AllReduce { reduction: Reduction::Sum }, last)
                .unwrap();
        }
        last
    });
    // Each round doubles the group's sum: 4 · (a + b).
    assert_eq!(at(&out[0], 0, 0), 4.0 * (value(0, 0, 0) + value(1, 0, 0)));
    assert_eq!(at(&out[3], 0, 0), 4.0 * (value(2, 0, 0) + value(3, 0, 0)));
}

fn mismatch_message(results: &[Result<HostTensor, RuntimeError>]) -> &str {
    let mismatch = results.iter().find_map(|r| match r {
        Err(RuntimeError::Mismatch { message, .. }) => Some(message.as_str()),
        _ => None,
    });
    let message = mismatch.unwrap_or_else(|| panic!("expected a mismatch, got {results:?}"));
    // The other rank stops because of it.
    assert!(
        results.iter().any(|r| matches!(r, Err(RuntimeError::Aborted { cause, .. }) if cause.contains("mismatch"))),
        "{results:?}"
    );
    message
}

#[test]
fn mismatched_collectives_fail_fast_naming_both_ranks() {
    let timeout = Duration::from_secs(10);
    let start = Instant::now();
    let results = on_ranks(2, timeout, |r, hub| {
        let op =
            if r == 0 { Collective::AllGather { dim: 0 } } else { Collective::AllReduce { reduction: Reduction::Sum } };
        hub.exchange(&site(r, if r == 0 { "all_gather" } else { "all_reduce" }), &[0, 1], &op, input(r, 2, 2))
    });
    assert!(start.elapsed() < Duration::from_secs(5), "a mismatch must not wait for the timeout");
    let message = mismatch_message(&results);
    assert!(message.contains("rank 0 at step 10 ('all_gather'): all_gather(dim=0)"), "{message}");
    assert!(message.contains("rank 1 at step 11 ('all_reduce'): all_reduce(Sum)"), "{message}");

    // Same op, different shapes.
    let results = on_ranks(2, timeout, |r, hub| {
        hub.exchange(&site(r, "collective_permute"), &[0, 1], &Collective::Permute { shift: 1 }, input(r, 1 + r, 2))
    });
    let message = mismatch_message(&results);
    assert!(message.contains("[1, 2] f64") && message.contains("[2, 2] f64"), "{message}");
}

#[test]
fn a_missing_rank_times_out_with_an_error_naming_it() {
    let timeout = Duration::from_millis(300);
    let start = Instant::now();
    let results = on_ranks(3, timeout, |r, hub| {
        hub.at(&Site { rank: r, step: 3, op: "linear".into() });
        if r == 2 {
            return None; // never joins the collective
        }
        Some(hub.exchange(&site(r, "all_gather"), &[0, 1, 2], &Collective::AllGather { dim: 0 }, input(r, 1, 1)))
    });
    let elapsed = start.elapsed();
    assert!(elapsed >= timeout && elapsed < timeout * 10, "took {elapsed:?}");
    let errors: Vec<&RuntimeError> = results.iter().flatten().map(|r| r.as_ref().expect_err("must fail")).collect();
    let timeout_error = errors.iter().find_map(|e| match e {
        RuntimeError::Timeout { message, .. } => Some(message),
        _ => None,
    });
    let message = timeout_error.expect("one rank reports the timeout");
    assert!(message.contains("missing: [rank 2 (last seen at step 3 ('linear'))]"), "{message}");
    assert!(message.contains("rank 0 at step 10") && message.contains("rank 1 at step 11"), "{message}");
}

#[test]
fn a_failed_rank_releases_the_waiters_promptly() {
    let start = Instant::now();
    let results = on_ranks(3, Duration::from_secs(20), |r, hub| {
        if r == 2 {
            std::thread::sleep(Duration::from_millis(50));
            hub.fail("rank 2, step 4 ('embedding'): token id 99 is outside the table");
            return None;
        }
        Some(hub.exchange(&site(r, "all_gather"), &[0, 1, 2], &Collective::AllGather { dim: 0 }, input(r, 1, 1)))
    });
    assert!(start.elapsed() < Duration::from_secs(5));
    for r in results.into_iter().flatten() {
        assert!(matches!(r, Err(RuntimeError::Aborted { cause, .. }) if cause.contains("token id 99")));
    }
}

#[test]
fn a_rank_outside_the_group_is_an_error() {
    let hub = Hub::new(3, Duration::from_millis(100));
    let err =
        hub.exchange(&site(2, "all_gather"), &[0, 1], &Collective::AllGather { dim: 0 }, input(2, 1, 1)).unwrap_err();
    assert!(err.to_string().contains("rank 2 is not in group [0, 1]"), "{err}");
}
