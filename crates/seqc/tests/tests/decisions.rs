//! The chooser changes its mind for the right reasons. Each scenario states the model, the
//! machine and the expected choice; `docs/decision-table.md` is generated from this list
//! (`SEQC_BLESS_DOCS=1 cargo test -p seqc decisions` rewrites it; the test fails when stale).

use super::root;
use seq_frontends::DecoderConfig;
use seq_ir::Attr;
use seq_passes::strategy::choose_strategy::WHOLE_SEGMENTS;
use seqc::{ChooserKind, CompileOptions, compile_graph};

struct Scenario {
    what: &'static str,
    model: DecoderConfig,
    devices: usize,
    gpus_per_node: Option<usize>,
    expect: &'static str,
    why: &'static str,
}

fn llama(seq: i64) -> DecoderConfig {
    DecoderConfig { layers: 2, seq_len: seq, ..DecoderConfig::llama3_8b() }
}

/// A small model with a wide vocabulary: 24 layers of hidden 896, 14 heads, 2 KV heads.
/// Qwen2-0.5B's shape: 24 layers of the chooser tests' narrow, wide-vocabulary decoder.
fn qwen(seq: i64) -> DecoderConfig {
    super::chooser::narrow(24, seq)
}

#[rustfmt::skip]
fn scenarios() -> Vec<Scenario> {
    let s = |what, model, devices, gpus_per_node, expect, why| Scenario { what, model, devices, gpus_per_node, expect, why };
    vec![
        s("Llama-3-8B layers, 128K tokens, 8 GPUs in one NVLink node", llama(131072), 8, None, "ulysses",
          "32 heads split over 8 ranks and NVLink is fast: four all-to-alls cost less than a ring's seven fp32 merges"),
        s("same, 16 GPUs in 2 nodes", llama(131072), 16, None, "hybrid(8x2) + whole head",
          "all-to-all over InfiniBand is slow: Ulysses inside each node, a ring across nodes whose K/V transfers hide behind attention. Assembling the 128K x 128256 logits over InfiniBand would take 0.70 s; gathering the hidden state (45 ms) and running the output head whole on every rank (0.27 s) costs less"),
        s("same, 64 GPUs in 8 nodes", llama(131072), 64, None, "hybrid(8x8) + whole head",
          "as above; the ring grows with the node count"),
        s("same, 16 GPUs in one 16-GPU NVLink domain", llama(131072), 16, Some(16), "ulysses",
          "the degree exceeds the 8 KV heads, so each KV head is sent to 2 ranks; on fast links that still beats ring merges"),
        s("same, 6 GPUs", llama(131072), 6, None, "hybrid(2x3)",
          "32 heads do not split over 6 ranks, so plain Ulysses is illegal; Ulysses over pairs inside a ring of 3 halves the ring's steps and merges"),
        s("same, 2 GPUs", llama(131072), 2, None, "allgather-kv",
          "with 8 KV heads K and V are a quarter of Q: one gather moves fewer bytes than Ulysses' all-to-alls and needs no merge"),
        s("MQA (1 KV head), 128K tokens, 8 GPUs", DecoderConfig { kv_heads: 1, ..llama(131072) }, 8, None, "allgather-kv",
          "one KV head is tiny to gather; Ulysses would have to send every rank its own copy"),
        s("Llama-3-8B layers, 1M tokens, 16 GPUs in 2 nodes", llama(1 << 20), 16, None, "hybrid(8x2)",
          "as at 128K: slow links between nodes call for a ring there; the whole head's 1M x 128256 logits would not fit in 141 GiB, so the logits are assembled from the ranks' rows"),
        s("Llama-3-8B layers, 4K tokens, 8 GPUs", llama(4096), 8, None, "allgather-kv",
          "short blocks: collective latency dominates, and one gather has less of it than four all-to-alls"),
        s("Llama-3-8B layers, 16 tokens, 8 GPUs", llama(16), 8, None, "not split",
          "the work a split saves is smaller than the latency of any collective: every device runs the whole model"),
        s("Llama-3-8B layers, 128K tokens, 8 GPUs one per node", llama(131072), 8, Some(1), "ring + whole head",
          "every link is InfiniBand: a ring hides each K/V step behind a step of attention, where Ulysses' all-to-alls and the K/V gather wait on the slow links"),
        s("MQA (1 KV head), 128K tokens, 8 GPUs one per node", DecoderConfig { kv_heads: 1, ..llama(131072) }, 8, Some(1), "allgather-kv + whole head",
          "one KV head is small enough to gather even over InfiniBand; the head runs whole as on 2 nodes"),
        s("Llama-3-8B layers with a sliding window of 4096 (Mistral-7B's), 128K tokens, 8 GPUs", DecoderConfig { window: Some(4096), ..llama(131072) }, 8, None, "halo",
          "a query sees at most 4095 keys back: each rank receives only the last 4095 K/V rows of the two chunks before its own (33.5 MB a layer), where Ulysses moves 294 MB and a ring 470 MB, and attends over its own rows and those tails"),
        s("Llama-3-8B layers alternating a 4096 window and global attention (Gemma 3's pattern), 128K tokens, 8 GPUs", DecoderConfig { layer_windows: vec![Some(4096), None], ..llama(131072) }, 8, None, "halo, ulysses",
          "per layer: the windowed layer moves only its chunk tails, the global one needs Ulysses' all-to-alls"),
        s("Qwen2-0.5B-shaped (hidden 896, vocab 151936), 4K tokens, 8 GPUs", qwen(4096), 8, None, "whole, allgather-kv + whole head",
          "a narrow model: the first layer runs whole (the arguments are whole on every rank, nothing to gather) and is cut to rows after it, the others split, and the stream is gathered once before the head so the 170x wider logits are never assembled."),
    ]
}

/// The choice, as the table writes it, and the predicted step in ms.
fn decide(s: &Scenario, chooser: ChooserKind) -> (String, f64) {
    let opts = CompileOptions { devices: s.devices, gpus_per_node: s.gpus_per_node, chooser, ..Default::default() };
    let c = compile_graph(s.model.build().expect("builds"), &opts).unwrap_or_else(|e| panic!("{}: {e}", s.what));
    let step = c.report.predicted_step_ms;
    if !c.report.split {
        return ("not split".into(), step);
    }
    let mut names: Vec<String> = c.report.layers.iter().map(|l| l.strategy.clone()).collect();
    names.dedup();
    let whole = match c.program.module_attrs.get(WHOLE_SEGMENTS) {
        Some(Attr::Ints { values, .. }) => values.clone(),
        _ => Vec::new(),
    };
    let head = if whole.contains(&(c.report.layers.len() as i64)) { " + whole head" } else { "" };
    (format!("{}{head}", names.join(", ")), step)
}

/// A scenario with the e-graph's and the per-layer argmin's (choice, step ms).
type Row = (Scenario, (String, f64), (String, f64));

fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "# Decision table\n\nGenerated by `crates/seqc/tests/tests/decisions.rs` (profile h200, Llama-3-8B-shaped layers: 32 heads,\n8 KV heads, head dim 128, unless the row says otherwise); the test fails when this page disagrees with what seqc chooses.\nRegenerate with `SEQC_BLESS_DOCS=1 cargo test -p seqc decisions`. See `cost_model.md` for the model.\n\nA choice lists the layers' strategies in order (repeats folded); `whole` is a layer kept whole on every rank\n(no collective: the segment before it ran whole), and `+ whole head` means the stream is gathered once\nbefore the output head, which then runs on every rank, rather than assembling the results from the ranks' rows.\nThe naive chooser (`--chooser naive`, the per-layer argmin) picks the same splits but never changes layout.\n\n| scenario | GPUs | choice | step ms | per-layer argmin | step ms | why |\n|---|---|---|---|---|---|---|\n",
    );
    for (s, (got, step), (naive, naive_step)) in rows {
        let naive = if naive == got { "same".to_string() } else { naive.clone() };
        out.push_str(&format!(
            "| {} | {} | {got} | {step:.2} | {naive} | {naive_step:.2} | {} |\n",
            s.what, s.devices, s.why
        ));
    }
    out
}

#[test]
fn chooser_changes_its_mind_for_the_right_reasons() {
    let mut rows = Vec::new();
    for s in scenarios() {
        let egraph = decide(&s, ChooserKind::EGraph);
        assert_eq!(egraph.0, s.expect, "{}", s.what);
        // The per-layer argmin picks the same splits; only layouts between layers differ, and
        // where they do, the lowered program the e-graph chose is predicted faster.
        let naive = decide(&s, ChooserKind::Naive);
        let strip = |c: &str| {
            c.trim_end_matches(" + whole head").split(", ").filter(|x| *x != "whole").collect::<Vec<_>>().join(", ")
        };
        assert_eq!(strip(&naive.0), strip(&egraph.0), "{}: the naive reference chooser splits differently", s.what);
        if naive.0 != egraph.0 {
            assert!(egraph.1 < naive.1, "{}: {} ms is not faster than the argmin's {} ms", s.what, egraph.1, naive.1);
        }
        rows.push((s, egraph, naive));
    }
    let page = table(&rows);
    let path = root().join("docs/decision-table.md");
    if std::env::var_os("SEQC_BLESS_DOCS").is_some() {
        std::fs::write(&path, &page).expect("write docs/decision-table.md");
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), page, "docs/decision-table.md is stale");
}
