//! `--profile`: GPU time of every command (and of every SDPA block inside an
//! `attention_partial`), from timing events recorded around them in stream order.
//!
//! Events come from a pool that grows on first use, so a profiled run after the first records
//! no new allocations. Reading the times needs the run to have finished.

use super::device::describe;
use cudarc::driver::{CudaContext, CudaEvent, CudaStream, sys};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A timed span: what it was, the op it belongs to (for totals) and its GPU milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub label: String,
    pub kind: String,
    /// Nested inside another span (an SDPA block inside its command); left out of totals.
    pub inner: bool,
    /// The stream it ran on: 0 compute, else the plan's communication stream.
    pub track: u32,
    /// Start, from the run's first mark, and duration.
    pub start_ms: f32,
    pub ms: f32,
}

pub struct Probe {
    ctx: Arc<CudaContext>,
    pool: Vec<CudaEvent>,
    used: usize,
    marks: Vec<(String, String, bool, u32, usize, usize)>,
}

impl Probe {
    pub fn new(ctx: &Arc<CudaContext>) -> Self {
        Self { ctx: ctx.clone(), pool: Vec::new(), used: 0, marks: Vec::new() }
    }

    /// Forgets the previous run's spans (the events are reused).
    pub fn begin(&mut self) {
        self.used = 0;
        self.marks.clear();
    }

    /// Records a timing event on `s` now; returns its handle for `span`.
    pub fn mark(&mut self, s: &CudaStream) -> Result<usize, String> {
        if self.used == self.pool.len() {
            let ev = self.ctx.new_event(Some(sys::CUevent_flags::CU_EVENT_DEFAULT)).map_err(describe)?;
            self.pool.push(ev);
        }
        self.pool[self.used].record(s).map_err(describe)?;
        self.used += 1;
        Ok(self.used - 1)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn span(&mut self, label: String, kind: &str, inner: bool, track: u32, from: usize, to: usize) {
        self.marks.push((label, kind.to_string(), inner, track, from, to));
    }

    /// The spans of the finished run, in the order they were enqueued.
    pub fn spans(&self) -> Result<Vec<Span>, String> {
        self.marks
            .iter()
            .map(|(label, kind, inner, track, a, b)| {
                let ms = self.pool[*a].elapsed_ms(&self.pool[*b]).map_err(describe)?;
                let start_ms = self.pool[0].elapsed_ms(&self.pool[*a]).map_err(describe)?;
                Ok(Span { label: label.clone(), kind: kind.clone(), inner: *inner, track: *track, start_ms, ms })
            })
            .collect()
    }
}

/// The profile as text: the `top` longest spans, then the total per kind (outer spans only).
pub fn report(spans: &[Span], top: usize) -> String {
    let mut out = String::new();
    let total: f32 = spans.iter().filter(|s| !s.inner).map(|s| s.ms).sum();
    let mut by_time: Vec<&Span> = spans.iter().collect();
    by_time.sort_by(|a, b| b.ms.total_cmp(&a.ms));
    out.push_str(&format!("{} spans, {total:.3} ms in commands (sum; async collectives overlap)\n", spans.len()));
    for s in by_time.iter().take(top) {
        out.push_str(&format!("  {:>10.3} ms  {}{}\n", s.ms, if s.inner { "  · " } else { "" }, s.label));
    }
    let mut kinds: BTreeMap<&str, (f32, usize)> = BTreeMap::new();
    for s in spans.iter().filter(|s| !s.inner) {
        let e = kinds.entry(&s.kind).or_default();
        e.0 += s.ms;
        e.1 += 1;
    }
    let mut kinds: Vec<_> = kinds.into_iter().collect();
    kinds.sort_by(|a, b| b.1.0.total_cmp(&a.1.0));
    out.push_str("  by op:");
    for (k, (ms, n)) in kinds {
        out.push_str(&format!(" {k} {ms:.3} ms ×{n};"));
    }
    out.push('\n');
    out
}

/// The spans of one rank as a Chrome / Perfetto trace (`chrome://tracing`, ui.perfetto.dev):
/// process = rank, one track per stream, SDPA blocks nested in their command.
pub fn chrome_trace(spans: &[Span], rank: usize, title: &str) -> serde_json::Value {
    use serde_json::json;
    let mut events = vec![json!({"name": "process_name", "ph": "M", "pid": rank, "args": {"name": format!("rank {rank}: {title}")}})];
    let mut tracks: Vec<u32> = spans.iter().map(|s| s.track).collect();
    tracks.sort_unstable();
    tracks.dedup();
    for t in tracks {
        let name = match t {
            0 => "compute stream".to_string(),
            super::program::COPY_STREAM => "host copy stream (offloads)".to_string(),
            t => format!("communication stream {t}"),
        };
        events.push(json!({"name": "thread_name", "ph": "M", "pid": rank, "tid": t, "args": {"name": name}}));
    }
    for s in spans {
        events.push(json!({
            "name": s.label,
            "cat": s.kind,
            "ph": "X",
            "ts": f64::from(s.start_ms) * 1e3,
            "dur": f64::from(s.ms) * 1e3,
            "pid": rank,
            "tid": s.track,
        }));
    }
    json!({"traceEvents": events, "displayTimeUnit": "ms"})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_orders_by_time_and_totals_outer_spans() {
        let s = |label: &str, kind: &str, inner: bool, ms: f32| Span {
            label: label.into(),
            kind: kind.into(),
            inner,
            track: 0,
            start_ms: 0.0,
            ms,
        };
        let spans = vec![
            s("step 1 linear", "linear", false, 2.0),
            s("step 2 attention_partial", "attention_partial", false, 5.0),
            s("block 0", "sdpa", true, 4.5),
            s("step 3 linear", "linear", false, 1.0),
        ];
        let r = report(&spans, 2);
        let lines: Vec<&str> = r.lines().collect();
        assert!(lines[0].contains("8.000 ms"), "{r}");
        assert!(lines[1].ends_with("step 2 attention_partial"), "{r}");
        assert!(lines[2].contains("· block 0"), "{r}");
        assert!(r.contains("attention_partial 5.000 ms ×1; linear 3.000 ms ×2;"), "{r}");
        assert!(!r.contains("sdpa"), "inner spans stay out of the totals: {r}");
    }

    #[test]
    fn trace_has_one_track_per_stream_and_microseconds() {
        let spans = vec![
            Span { label: "step 1 linear".into(), kind: "linear".into(), inner: false, track: 0, start_ms: 0.5, ms: 2.0 },
            Span { label: "step 2 async_start".into(), kind: "async_start".into(), inner: false, track: 1, start_ms: 1.0, ms: 0.25 },
        ];
        let t = chrome_trace(&spans, 3, "plan.json");
        let ev = t["traceEvents"].as_array().expect("events");
        let names: Vec<&str> =
            ev.iter().filter(|e| e["ph"] == "M" && e["name"] == "thread_name").filter_map(|e| e["args"]["name"].as_str()).collect();
        assert_eq!(names, vec!["compute stream", "communication stream 1"]);
        let x: Vec<&serde_json::Value> = ev.iter().filter(|e| e["ph"] == "X").collect();
        assert_eq!((x[0]["ts"].as_f64(), x[0]["dur"].as_f64(), x[0]["pid"].as_u64()), (Some(500.0), Some(2000.0), Some(3)));
        assert_eq!(x[1]["tid"].as_u64(), Some(1));
    }
}
