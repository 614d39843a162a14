//! `seqc calibrate`: a cost-model profile from measurements of the machine (`seqc-run
//! --calibrate`, which runs where the GPUs are: GPU machines get only the runtime).

use seq_passes::strategy::cost_model::{LinkCost, Profile};
use seq_runtime::cuda::calibrate::{Calibration, LinkFit};

/// The attention rate the profile quotes as its single figure: at 32K keys when measured there,
/// else the measurement nearest to it.
const REFERENCE_KEYS: f64 = 32768.0;

/// `base` with the measured figures in place: GEMM, attention (and its curve by length),
/// memory bandwidth, launch cost, device memory and, when measured over several GPUs, the
/// intra-node links. What one machine cannot show (links between nodes; links at all with one
/// GPU) stays as in `base`, and the description says so.
pub fn profile_from_calibration(c: &Calibration, base: &Profile, name: &str) -> Profile {
    let mut p = base.clone();
    p.name = name.to_string();
    p.gemm_tflops = c.gemm_tflops;
    p.memory_gbs = c.memory_gbs;
    p.memory_gib = c.memory_gib;
    p.kernel_launch_us = c.kernel_launch_us;
    let mut curve: Vec<[f64; 2]> = c.attention.iter().map(|a| [a.keys as f64, a.tflops]).collect();
    curve.sort_by(|a, b| a[0].total_cmp(&b[0]));
    if let Some(nearest) = curve.iter().min_by(|a, b| {
        (a[0].ln() - REFERENCE_KEYS.ln()).abs().total_cmp(&(b[0].ln() - REFERENCE_KEYS.ln()).abs())
    }) {
        p.attention_tflops = nearest[1];
    }
    p.attention_curve = curve;
    let link = |f: &LinkFit| LinkCost { alpha_us: f.alpha_us, bus_gbs: f.bus_gbs };
    let kept = match &c.links {
        Some(l) => {
            p.intra_node.all_to_all = link(&l.all_to_all);
            p.intra_node.all_gather = link(&l.all_gather);
            p.intra_node.send_recv = link(&l.send_recv);
            p.gpus_per_node = p.gpus_per_node.max(c.devices);
            format!("inter-node links from the '{}' profile", base.name)
        }
        None => format!("links (intra- and inter-node) from the '{}' profile: measured on one GPU", base.name),
    };
    p.description = format!(
        "Calibrated with seqc-run --calibrate on {} ({} GPU(s); {}): bf16 GEMM, cuDNN causal attention by length, memory bandwidth, kernel launches{}; {kept}.",
        c.gpu,
        c.devices,
        c.versions,
        if c.links.is_some() { ", NCCL all-gather, all-to-all and send/recv fitted at 16 and 256 MiB" } else { "" },
    );
    p
}
