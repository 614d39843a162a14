//! Sharing rank 0's NCCL unique ids with the other ranks over TCP (plain std, no GPU).
//!
//! Rank 0 listens on MASTER_ADDR:port and serves one payload (the ids of every communicator, in
//! `all_comm_keys` order) to each other rank. A client sends a magic word, its rank and a
//! fingerprint of the plan it runs; rank 0 refuses ranks that run a different plan, so a
//! mismatch is an error message and not an NCCL hang. Everything has a deadline.

use super::error::CudaError;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

const MAGIC: u32 = 0x5345_5143; // "SEQC"

fn fail(m: impl Into<String>) -> CudaError {
    CudaError::Bootstrap(m.into())
}

fn resolve(addr: &str) -> Result<Vec<SocketAddr>, CudaError> {
    let list: Vec<SocketAddr> =
        addr.to_socket_addrs().map_err(|e| fail(format!("cannot resolve '{addr}': {e}")))?.collect();
    if list.is_empty() {
        return Err(fail(format!("'{addr}' resolves to no address")));
    }
    Ok(list)
}

/// Binds the rank-0 listener (`host:port`; port 0 picks a free one).
pub fn listen(addr: &str) -> Result<TcpListener, CudaError> {
    let mut last = None;
    for a in resolve(addr)? {
        match TcpListener::bind(a) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(fail(format!("rank 0 cannot listen on {addr}: {}", last.map(|e| e.to_string()).unwrap_or_default())))
}

/// Rank 0: serves `payload` to ranks 1..world, each once, then returns.
pub fn serve(
    listener: &TcpListener,
    world: usize,
    fingerprint: u64,
    payload: &[u8],
    timeout: Duration,
) -> Result<(), CudaError> {
    let deadline = Instant::now() + timeout;
    listener.set_nonblocking(true).map_err(|e| fail(e.to_string()))?;
    let mut served = vec![false; world];
    served[0] = true;
    while served.iter().any(|s| !s) {
        match listener.accept() {
            Ok((mut conn, peer)) => {
                conn.set_nonblocking(false).map_err(|e| fail(e.to_string()))?;
                conn.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| fail(e.to_string()))?;
                let mut hello = [0u8; 16];
                if conn.read_exact(&mut hello).is_err() {
                    continue; // not one of ours (a port scanner, a stale client): ignore it
                }
                let magic = u32::from_le_bytes([hello[0], hello[1], hello[2], hello[3]]);
                let rank = u32::from_le_bytes([hello[4], hello[5], hello[6], hello[7]]) as usize;
                let theirs = u64::from_le_bytes(hello[8..16].try_into().unwrap_or_default());
                if magic != MAGIC {
                    continue;
                }
                let refuse = |conn: &mut TcpStream, why: String| -> CudaError {
                    let _ = conn.write_all(&[1]);
                    let _ = conn.write_all(why.as_bytes());
                    fail(why)
                };
                if rank == 0 || rank >= world || served[rank] {
                    return Err(refuse(
                        &mut conn,
                        format!("rank {rank} from {peer} is out of range or connected twice (world size {world})"),
                    ));
                }
                if theirs != fingerprint {
                    return Err(refuse(
                        &mut conn,
                        format!(
                            "rank {rank} runs a different plan or options than rank 0 (fingerprint {theirs:016x} vs {fingerprint:016x})"
                        ),
                    ));
                }
                conn.write_all(&[0])
                    .and_then(|()| conn.write_all(&(payload.len() as u64).to_le_bytes()))
                    .and_then(|()| conn.write_all(payload))
                    .map_err(|e| fail(format!("sending the ids to rank {rank}: {e}")))?;
                served[rank] = true;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    let missing: Vec<usize> = (0..world).filter(|&r| !served[r]).collect();
                    return Err(fail(format!("ranks {missing:?} did not connect to rank 0 within {timeout:?}")));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(fail(format!("accept: {e}"))),
        }
    }
    Ok(())
}

/// Ranks 1..: connects to rank 0 (retrying until the deadline, since rank 0 may start later)
/// and returns the payload.
pub fn fetch(addr: &str, rank: usize, fingerprint: u64, timeout: Duration) -> Result<Vec<u8>, CudaError> {
    let deadline = Instant::now() + timeout;
    let targets = resolve(addr)?;
    let mut conn = loop {
        let attempt = targets.iter().find_map(|a| TcpStream::connect_timeout(a, Duration::from_secs(2)).ok());
        if let Some(c) = attempt {
            break c;
        }
        if Instant::now() >= deadline {
            return Err(fail(format!("rank {rank} could not reach rank 0 at {addr} within {timeout:?}")));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_secs(1));
    conn.set_read_timeout(Some(left)).map_err(|e| fail(e.to_string()))?;
    let mut hello = Vec::with_capacity(16);
    hello.extend_from_slice(&MAGIC.to_le_bytes());
    hello.extend_from_slice(&(rank as u32).to_le_bytes());
    hello.extend_from_slice(&fingerprint.to_le_bytes());
    conn.write_all(&hello).map_err(|e| fail(format!("rank {rank} → rank 0: {e}")))?;
    let mut status = [0u8; 1];
    conn.read_exact(&mut status).map_err(|e| fail(format!("rank {rank}: no answer from rank 0: {e}")))?;
    if status[0] != 0 {
        let mut why = String::new();
        let _ = conn.read_to_string(&mut why);
        return Err(fail(format!("rank 0 refused rank {rank}: {why}")));
    }
    let mut len = [0u8; 8];
    conn.read_exact(&mut len).map_err(|e| fail(format!("rank {rank}: {e}")))?;
    let mut payload = vec![0u8; u64::from_le_bytes(len) as usize];
    conn.read_exact(&mut payload).map_err(|e| fail(format!("rank {rank}: reading the ids: {e}")))?;
    Ok(payload)
}
