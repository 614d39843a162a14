//! The compile report: JSON for tools, a table for people.

use crate::Compiled;
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Clone, Debug, Serialize)]
pub struct LayerRow {
    pub layer: usize,
    pub seq_len: i64,
    pub heads: i64,
    pub kv_heads: i64,
    pub head_dim: i64,
    pub causal: bool,
    pub tflops: f64,
    pub strategy: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub devices: usize,
    /// Whether the emitted program is split across devices. seqc never claims a split it did not make.
    pub partitioned: bool,
    pub params: u64,
    pub param_gib: f64,
    pub gemm_tflops: f64,
    pub attention_tflops: f64,
    pub layers: Vec<LayerRow>,
}

impl Report {
    pub fn new(c: &Compiled) -> Self {
        let s = &c.summary;
        Self {
            devices: c.devices,
            partitioned: false,
            params: s.params,
            param_gib: s.param_bytes as f64 / (1u64 << 30) as f64,
            gemm_tflops: s.work.gemm_flops / 1e12,
            attention_tflops: s.work.attention_flops / 1e12,
            layers: s
                .attention
                .iter()
                .map(|a| LayerRow {
                    layer: a.index,
                    seq_len: a.seq_len,
                    heads: a.config.num_heads,
                    kv_heads: a.config.num_kv_heads,
                    head_dim: a.config.head_dim,
                    causal: a.config.causal,
                    tflops: a.flops / 1e12,
                    strategy: "replicate".into(),
                })
                .collect(),
        }
    }

    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "model: {} attention layers, {:.2} B parameters ({:.2} GiB), {:.1} TFLOP of GEMMs + {:.1} TFLOP of attention per forward",
            self.layers.len(),
            self.params as f64 / 1e9,
            self.param_gib,
            self.gemm_tflops,
            self.attention_tflops
        );
        let _ = writeln!(out, "{:>5}  {:>8}  {:>5}  {:>8}  {:>8}  {:>6}  {:>9}  strategy", "layer", "tokens", "heads", "kv_heads", "head_dim", "causal", "TFLOP");
        for r in &self.layers {
            let _ = writeln!(
                out,
                "{:>5}  {:>8}  {:>5}  {:>8}  {:>8}  {:>6}  {:>9.2}  {}",
                r.layer, r.seq_len, r.heads, r.kv_heads, r.head_dim, r.causal, r.tflops, r.strategy
            );
        }
        if !self.partitioned && self.devices > 1 {
            let _ = writeln!(
                out,
                "note: no partition was made: this build of seqc does not split programs yet, so all {} devices would run the whole model",
                self.devices
            );
        }
        out
    }
}
