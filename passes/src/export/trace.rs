//! The predicted schedule as a Chrome trace (open in Perfetto or chrome://tracing): one row per
//! stream, so a person can see which transfers hide behind which kernels.

use crate::simulate::Schedule;
use serde_json::{Value, json};

pub fn chrome_trace(schedule: &Schedule, title: &str) -> Value {
    let mut events = vec![json!({"name": "process_name", "ph": "M", "pid": 0, "args": {"name": title}})];
    let mut streams: Vec<u32> = schedule.events.iter().map(|e| e.stream).collect();
    streams.sort_unstable();
    streams.dedup();
    for s in streams {
        let name = if s == 0 { "compute stream".to_string() } else { format!("communication stream {s}") };
        events.push(json!({"name": "thread_name", "ph": "M", "pid": 0, "tid": s, "args": {"name": name}}));
    }
    for e in &schedule.events {
        let mut args = serde_json::Map::new();
        if let Some(l) = e.layer {
            args.insert("layer".into(), json!(l));
        }
        if e.flops > 0.0 {
            args.insert("GFLOP".into(), json!((e.flops / 1e9 * 1000.0).round() / 1000.0));
        }
        if e.bytes_sent > 0.0 {
            args.insert("MB sent".into(), json!((e.bytes_sent / 1e6 * 1000.0).round() / 1000.0));
        }
        events.push(json!({
            "name": e.name,
            "cat": if e.stream == 0 { "compute" } else { "communication" },
            "ph": "X",
            "pid": 0,
            "tid": e.stream,
            "ts": (e.start * 1e9).round() / 1e3,
            "dur": (e.seconds * 1e9).round() / 1e3,
            "args": args,
        }));
    }
    json!({"displayTimeUnit": "ms", "traceEvents": events})
}
