//! In-process collectives between rank threads, with NCCL's semantics and matching rules.
//!
//! As with NCCL, the k-th collective a rank issues on a group is matched with the k-th collective
//! every other member issues on that group. Where NCCL would hang or corrupt memory, the hub
//! reports an error instead: members issuing different collectives (or different shapes) at the
//! same position, a member that does not arrive within the timeout, or a rank that failed
//! elsewhere (the hub is then poisoned and every waiter returns promptly).

use super::RuntimeError;
use super::tensor::HostTensor;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub use seq_plan::rules::Collective;

/// What member `me` of a group receives from collective `op`, given every member's input in
/// group order: the CPU kernel of each collective in the op table.
pub fn apply(op: &Collective, inputs: &[&HostTensor], me: usize) -> Result<HostTensor, String> {
    let g = inputs.len();
    let part = |x: &HostTensor, dim: usize| -> Result<HostTensor, String> {
        let extent = *x.shape.get(dim).ok_or_else(|| format!("dim {dim} is out of range for {x}"))?;
        if extent % g != 0 {
            return Err(format!("dim {dim} of {x} does not divide into {g} parts"));
        }
        x.slice(dim, me * (extent / g), extent / g)
    };
    match *op {
        Collective::AllGather { dim } => HostTensor::concat(inputs, dim),
        Collective::AllToAll { split_dim, concat_dim } => {
            let parts = inputs.iter().map(|x| part(x, split_dim)).collect::<Result<Vec<_>, _>>()?;
            HostTensor::concat(&parts.iter().collect::<Vec<_>>(), concat_dim)
        }
        Collective::ReduceScatter { dim, reduction } => {
            let parts = inputs.iter().map(|x| part(x, dim)).collect::<Result<Vec<_>, _>>()?;
            HostTensor::reduce(&parts.iter().collect::<Vec<_>>(), reduction)
        }
        Collective::AllReduce { reduction } => HostTensor::reduce(inputs, reduction),
        Collective::Permute { shift } => {
            let from = (me as i64 - shift.rem_euclid(g as i64)).rem_euclid(g as i64) as usize;
            Ok(inputs[from].clone())
        }
    }
}

/// Where a rank is in the plan: named in every error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    pub rank: usize,
    pub step: usize,
    pub op: String,
}

impl Site {
    pub fn error(&self, message: impl Into<String>) -> RuntimeError {
        RuntimeError::Step { rank: self.rank, step: self.step, op: self.op.clone(), message: message.into() }
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rank {} at step {} ('{}')", self.rank, self.step, self.op)
    }
}

struct Entry {
    site: Site,
    op: Collective,
    input: Arc<HostTensor>,
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} of {}", self.site, self.op, self.input)
    }
}

/// One collective call of one group: each member's contribution, by position in the group.
struct Slot {
    entries: Vec<Option<Entry>>,
    /// Members that have collected their result; the slot is dropped when all have.
    taken: usize,
}

#[derive(Clone)]
enum Progress {
    NotStarted,
    At(usize, String),
    Finished,
}

struct State {
    /// Next call number of each (group, rank).
    next_call: HashMap<(Vec<usize>, usize), u64>,
    slots: HashMap<(Vec<usize>, u64), Slot>,
    progress: Vec<Progress>,
    /// The first failure of any rank; once set, every wait ends with it.
    failure: Option<String>,
}

/// The meeting point of all rank threads of one run.
pub struct Hub {
    state: Mutex<State>,
    arrived: Condvar,
    timeout: Duration,
}

impl Hub {
    pub fn new(world: usize, timeout: Duration) -> Self {
        Self {
            state: Mutex::new(State {
                next_call: HashMap::new(),
                slots: HashMap::new(),
                progress: vec![Progress::NotStarted; world],
                failure: None,
            }),
            arrived: Condvar::new(),
            timeout,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A rank that panicked never panics while holding this lock (no user code runs under
        // it), so the state is consistent even if the mutex reports poisoning.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that `site.rank` is about to run `site.step`, for timeout messages.
    pub fn at(&self, site: &Site) {
        if let Some(p) = self.lock().progress.get_mut(site.rank) {
            *p = Progress::At(site.step, site.op.clone());
        }
    }

    /// Records that `rank` has run its whole program.
    pub fn finished(&self, rank: usize) {
        if let Some(p) = self.lock().progress.get_mut(rank) {
            *p = Progress::Finished;
        }
    }

    /// Poisons the hub: every rank waiting now or later stops with `cause`.
    pub fn fail(&self, cause: &str) {
        let mut st = self.lock();
        st.failure.get_or_insert_with(|| cause.to_string());
        self.arrived.notify_all();
    }

    /// Runs `op` on `group` (ranks in group order, including `site.rank`) with this rank's
    /// `input`, and returns what this rank receives.
    pub fn exchange(
        &self,
        site: &Site,
        group: &[usize],
        op: &Collective,
        input: HostTensor,
    ) -> Result<HostTensor, RuntimeError> {
        let me = group
            .iter()
            .position(|&r| r == site.rank)
            .ok_or_else(|| site.error(format!("{op}: rank {} is not in group {group:?}", site.rank)))?;
        let inputs = self.meet(site, group, me, op, input)?;
        let refs: Vec<&HostTensor> = inputs.iter().map(|x| x.as_ref()).collect();
        apply(op, &refs, me).map_err(|m| site.error(format!("{op} on group {group:?}: {m}")))
    }

    /// Deposits this rank's input and waits for every member's; returns them in group order.
    fn meet(
        &self,
        site: &Site,
        group: &[usize],
        me: usize,
        op: &Collective,
        input: HostTensor,
    ) -> Result<Vec<Arc<HostTensor>>, RuntimeError> {
        let aborted = |cause: &String| RuntimeError::Aborted {
            rank: site.rank,
            step: site.step,
            op: site.op.clone(),
            cause: cause.clone(),
        };
        let mut st = self.lock();
        if let Some(cause) = &st.failure {
            return Err(aborted(cause));
        }
        let counter = st.next_call.entry((group.to_vec(), site.rank)).or_insert(0);
        let call = *counter;
        *counter += 1;
        let key = (group.to_vec(), call);
        let entry = Entry { site: site.clone(), op: op.clone(), input: Arc::new(input) };
        let slot = st
            .slots
            .entry(key.clone())
            .or_insert_with(|| Slot { entries: (0..group.len()).map(|_| None).collect(), taken: 0 });
        if let Some(other) = slot.entries.iter().flatten().next()
            && (other.op != entry.op
                || other.input.shape != entry.input.shape
                || other.input.dtype() != entry.input.dtype())
        {
            let message = format!("call #{call} on group {group:?} does not match: {entry}, but {other}");
            st.failure = Some(format!("collective mismatch: {message}"));
            self.arrived.notify_all();
            return Err(RuntimeError::Mismatch { rank: site.rank, step: site.step, op: site.op.clone(), message });
        }
        slot.entries[me] = Some(entry);
        if slot.entries.iter().all(Option::is_some) {
            self.arrived.notify_all();
        }
        let deadline = Instant::now() + self.timeout;
        loop {
            if let Some(cause) = &st.failure {
                return Err(aborted(cause));
            }
            // A slot is removed only once every member, this one included, has taken its inputs.
            let Some(slot) = st.slots.get_mut(&key) else {
                return Err(site.error(format!("internal: call #{call} on group {group:?} was removed early")));
            };
            if slot.entries.iter().all(Option::is_some) {
                let inputs = slot.entries.iter().flatten().map(|e| e.input.clone()).collect();
                slot.taken += 1;
                if slot.taken == group.len() {
                    st.slots.remove(&key);
                }
                return Ok(inputs);
            }
            let now = Instant::now();
            if now >= deadline {
                let message = timeout_message(&st, st.slots.get(&key), group, call, self.timeout);
                st.failure = Some(format!("{site} timed out: {message}"));
                self.arrived.notify_all();
                return Err(RuntimeError::Timeout { rank: site.rank, step: site.step, op: site.op.clone(), message });
            }
            st = self.arrived.wait_timeout(st, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

/// Who arrived at a call and what the members that did not are doing.
fn timeout_message(st: &State, slot: Option<&Slot>, group: &[usize], call: u64, timeout: Duration) -> String {
    let mut arrived = Vec::new();
    let mut missing = Vec::new();
    for (p, &rank) in group.iter().enumerate() {
        match slot.and_then(|s| s.entries[p].as_ref()) {
            Some(e) => arrived.push(e.to_string()),
            None => missing.push(match st.progress.get(rank) {
                Some(Progress::At(step, op)) => {
                    format!("rank {rank} (last seen at step {step} ('{op}'))")
                }
                Some(Progress::Finished) => format!("rank {rank} (finished its program)"),
                _ => format!("rank {rank} (not started)"),
            }),
        }
    }
    format!(
        "call #{call} on group {group:?} did not complete within {timeout:?}; arrived: [{}]; missing: [{}]",
        arrived.join("; "),
        missing.join("; ")
    )
}
