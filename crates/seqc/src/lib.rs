//! seqc as a library: read a model, choose how to split it, lower it, and get the per-rank
//! program, the runtime's plan, the predicted schedule and the report.
//!
//! ```no_run
//! use seqc::{CompileOptions, Source, compile};
//!
//! let source = Source::File("examples/tiny.mlir".into());
//! let compiled = compile(&source, &CompileOptions { devices: 4, ..Default::default() })?;
//! println!("{}", compiled.report.table());
//! std::fs::write("plan.json", compiled.plan.to_json()).unwrap();
//! # Ok::<(), seqc::Error>(())
//! ```

pub mod calibrate;
pub mod run;
pub mod train;

use seq_frontends::LoadError;
use seq_ir::{Attr, Graph, SeqContext};
use seq_passes::{
    PassError,
    analysis::ModelSummary,
    config::{Chooser, Config, StrategyRequest},
    export::{
        plan::to_plan,
        report::{LayerReport, PhaseFigures, Report, layer_figures},
    },
    pipeline,
    schedule::plan_memory::{ARENA_BYTES, PARAM_BYTES},
    simulate::{Schedule, context_of, simulate},
    strategy::{
        choose_strategy::gib,
        cost_model::{Profile, ProfileError, Target},
    },
};
use seq_runtime::Plan;
use std::path::PathBuf;

pub use seq_passes::config::{BackwardStrategy, Chooser as ChooserKind, GradReduce, StrategyRequest as StrategyKind};

/// Where a model comes from.
#[derive(Clone, Debug)]
pub enum Source {
    File(PathBuf),
    /// In-memory text with the name diagnostics should use for it.
    Text { name: String, text: String },
}

#[derive(Clone, Debug)]
pub struct CompileOptions {
    pub devices: usize,
    /// A built-in profile name (h200, h100, a100) or a profile JSON file.
    pub profile: String,
    /// Devices per node; defaults to the profile's.
    pub gpus_per_node: Option<usize>,
    /// Nodes; when given, `devices` must equal nodes x gpus_per_node.
    pub nodes: Option<usize>,
    /// Memory each device may use, in GiB; defaults to the profile's device memory.
    pub memory_budget_gib: Option<f64>,
    pub strategy: StrategyRequest,
    pub chooser: Chooser,
    pub verify_each: bool,
    pub dump_dir: Option<PathBuf>,
    /// Each rank's program takes and returns its rows of the sequence (see `Config::sharded_io`).
    pub sharded_io: bool,
    /// Ulysses head groups (see `Config::head_groups`).
    pub head_groups: usize,
    /// Compile one training step: `(ids, positions[, segments], labels) -> (loss, gradients)`
    /// for a program of logits; for any other, its vector-Jacobian product, `(args...,
    /// output_grad) -> (output, input_grad.i..., gradients)` (`run::StepKind`).
    pub train: bool,
    /// How the step sums weight gradients over the devices (default: reduce-scatter, ZeRO-2).
    pub grad_reduce: GradReduce,
    /// All-reduced weight gradients travel in buckets of at most this many bytes (0: one
    /// collective each; default 25 MiB).
    pub grad_bucket_bytes: u64,
    /// How ring layers run their backward (default: the chooser's).
    pub backward: BackwardStrategy,
    /// Under `memory_budget_gib`, offload activations to host memory where the copies hide.
    pub offload: bool,
    /// Host memory each device's offloads may take, in GiB (default: a share of the profile's
    /// host memory per node, `Target::host_budget`).
    pub host_memory_gib: Option<f64>,
}

impl Default for CompileOptions {
    fn default() -> Self {
        Self {
            devices: 1,
            profile: "h200".into(),
            gpus_per_node: None,
            nodes: None,
            memory_budget_gib: None,
            strategy: StrategyRequest::Auto,
            chooser: Chooser::EGraph,
            verify_each: true,
            dump_dir: None,
            sharded_io: false,
            head_groups: 1,
            train: false,
            grad_reduce: GradReduce::default(),
            grad_bucket_bytes: seq_passes::schedule::bucket_gradients::DEFAULT_BUCKET_BYTES,
            backward: BackwardStrategy::default(),
            offload: false,
            host_memory_gib: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", .0.render().trim_end())]
    Load(#[from] LoadError),
    #[error("error: {0}")]
    Pass(#[from] PassError),
    #[error("error: --devices must be at least 1")]
    NoDevices,
    #[error("error: {0}")]
    Profile(#[from] ProfileError),
    #[error("error: {0}")]
    Topology(String),
    #[error("error: {0}")]
    Context(#[from] seq_ir::ContextError),
    #[error("error: {0}")]
    Run(seq_runtime::cpu::RuntimeError),
    #[error("error: {0}")]
    Input(String),
    #[error("{0}")]
    Onnx(#[from] seq_frontends::onnx::OnnxError),
    #[error(
        "error: the model does not fit: {needed_gib:.1} GiB per device ({param_gib:.1} GiB weights + {activation_gib:.1} GiB activations) on {devices} devices, over the {budget_gib:.1} GiB budget\n{suggestion}"
    )]
    DoesNotFit { devices: usize, needed_gib: f64, param_gib: f64, activation_gib: f64, budget_gib: f64, suggestion: String },
}

/// The result of compiling one model.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The per-rank SPMD program (the lowered IR).
    pub program: Graph,
    pub plan: Plan,
    pub schedule: Schedule,
    pub report: Report,
    /// Work in the model as written (before splitting).
    pub summary: ModelSummary,
}

/// Sequence length for models read from a Hugging Face config, unless given.
pub const DEFAULT_SEQ_LEN: i64 = 4096;

/// Reads a model from `source`: `.onnx` files are imported (their weights dropped; see
/// [`import`]), `.json` files are Hugging Face configs (built for [`DEFAULT_SEQ_LEN`] tokens),
/// anything else is seq MLIR.
pub fn load(source: &Source) -> Result<Graph, Error> {
    match source {
        Source::File(path) => load_file(path, None),
        Source::Text { .. } => load_text(source),
    }
}

/// Reads a model file; `seq_len` sets the sequence length of a Hugging Face config.
pub fn load_file(path: &std::path::Path, seq_len: Option<i64>) -> Result<Graph, Error> {
    load_file_packed(path, seq_len, false)
}

/// `load_file`, with a Hugging Face config built for packed documents (a segment ids argument:
/// no attention across a document boundary) when `packed`.
pub fn load_file_packed(path: &std::path::Path, seq_len: Option<i64>, packed: bool) -> Result<Graph, Error> {
    load_file_as(path, seq_len, packed, None)
}

/// `load_file_packed`, with a Hugging Face config built in `dtype` instead of its `torch_dtype`
/// (a config without one is f32). Other formats keep their own types: `dtype` is refused there.
pub fn load_file_as(
    path: &std::path::Path,
    seq_len: Option<i64>,
    packed: bool,
    dtype: Option<seq_ir::DType>,
) -> Result<Graph, Error> {
    let is_config = path.extension().is_some_and(|e| e == "json");
    if let (Some(d), false) = (dtype, is_config) {
        return Err(Error::Input(format!(
            "--dtype {} sets the element type of a Hugging Face config.json model; {} keeps the types written in it",
            d.name(),
            path.display()
        )));
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some("onnx") => Ok(import(path)?.graph),
        Some("json") => {
            let mut cfg = seq_frontends::hf::read_config(path, seq_len.unwrap_or(DEFAULT_SEQ_LEN)).map_err(|e| Error::Input(e.to_string().trim_start_matches("error: ").to_string()))?;
            cfg.packed |= packed;
            if let Some(d) = dtype {
                cfg.dtype = d;
            }
            cfg.build().map_err(|e| Error::Input(format!("{}: {e}", path.display())))
        }
        _ => load_text(&Source::File(path.to_path_buf())),
    }
}

fn load_text(source: &Source) -> Result<Graph, Error> {
    let ctx = SeqContext::new()?;
    Ok(match source {
        Source::File(path) => seq_frontends::load_mlir_file(&ctx, path)?,
        Source::Text { name, text } => seq_frontends::load_mlir_source(&ctx, text, name)?,
    })
}

/// Imports a model from another format with its weights, verified like any seq program.
pub fn import(path: &std::path::Path) -> Result<seq_frontends::onnx::Imported, Error> {
    let imported = seq_frontends::onnx::import_onnx(path)?;
    let problems = seq_ir::verify::verify(&imported.graph);
    if let Some(first) = problems.first() {
        return Err(Error::Input(format!("the model imported from {} does not verify (a seqc bug): {first}", path.display())));
    }
    Ok(imported)
}

/// The target these options describe.
pub fn target(opts: &CompileOptions) -> Result<Target, Error> {
    if opts.devices == 0 {
        return Err(Error::NoDevices);
    }
    let mut t = Target::new(opts.devices, Profile::load(&opts.profile)?);
    if let Some(g) = opts.gpus_per_node {
        if g == 0 {
            return Err(Error::Topology("--gpus-per-node must be at least 1".into()));
        }
        t.gpus_per_node = g;
    }
    // --nodes alone: the devices are spread evenly over the nodes.
    if let (Some(n), None) = (opts.nodes, opts.gpus_per_node) {
        if n == 0 || !opts.devices.is_multiple_of(n) {
            return Err(Error::Topology(format!(
                "--devices {} do not spread evenly over --nodes {n}: give --gpus-per-node too",
                opts.devices
            )));
        }
        t.gpus_per_node = opts.devices / n;
    }
    if let Some(n) = opts.nodes
        && n * t.gpus_per_node != opts.devices
    {
        return Err(Error::Topology(format!(
            "--nodes {n} x {} GPUs per node is {} devices, not --devices {}",
            t.gpus_per_node,
            n * t.gpus_per_node,
            opts.devices
        )));
    }
    if let Some(b) = opts.memory_budget_gib {
        if b.is_nan() || b <= 0.0 {
            return Err(Error::Topology("--memory-budget must be a positive number of GiB".into()));
        }
        t.memory_budget = (b * (1u64 << 30) as f64) as u64;
    }
    if let Some(b) = opts.host_memory_gib {
        if b.is_nan() || b < 0.0 {
            return Err(Error::Topology("--host-memory must be a number of GiB, 0 or more".into()));
        }
        t.host_memory_budget = Some((b * (1u64 << 30) as f64) as u64);
    }
    Ok(t)
}

fn run_pipeline(mut g: Graph, config: &Config, opts: &CompileOptions, dump: bool) -> Result<Graph, Error> {
    let popts = pipeline::PipelineOptions { verify_each: opts.verify_each, dump_dir: if dump { opts.dump_dir.clone() } else { None } };
    pipeline::run(&mut g, &pipeline::passes(config), &popts)?;
    Ok(g)
}

fn memory(g: &Graph) -> (u64, u64) {
    let int = |k: &str| g.module_attrs.get(k).and_then(Attr::as_int).unwrap_or(0) as u64;
    (int(PARAM_BYTES), int(ARENA_BYTES))
}

/// The cost context the program's schedule is priced in.
fn schedule_of(g: &Graph, target: &Target, seq: i64) -> Schedule {
    simulate(g, target, &context_of(g, target, seq))
}

/// Reads, verifies and compiles a model for `opts.devices` devices.
pub fn compile(source: &Source, opts: &CompileOptions) -> Result<Compiled, Error> {
    target(opts)?;
    compile_graph(load(source)?, opts)
}

/// The passes' configuration for `target` with the options' choices.
fn pipeline_config(target: Target, opts: &CompileOptions) -> Config {
    Config {
        target,
        strategy: opts.strategy,
        chooser: opts.chooser,
        sharded_io: opts.sharded_io,
        head_groups: opts.head_groups,
        train: opts.train,
        grad_reduce: opts.grad_reduce,
        grad_bucket_bytes: opts.grad_bucket_bytes,
        backward: opts.backward,
        offload: opts.offload,
    }
}

/// Compiles an already loaded program.
pub fn compile_graph(input: Graph, opts: &CompileOptions) -> Result<Compiled, Error> {
    let first = compile_once(input.clone(), opts);
    let Err(Error::Pass(PassError::OverBudget { pass, peak, params, budget, smallest })) = first else { return first };
    // The strategies chosen depend on the budget, so the least budget one plan needs may not fit
    // the plan chosen under it: compile with it (raising it to what that plan needs) so that the
    // error names a budget that compiles.
    let mut named = smallest;
    for _ in 0..4 {
        let at = CompileOptions { memory_budget_gib: Some(named as f64 / (1u64 << 30) as f64), ..opts.clone() };
        match compile_once(input.clone(), &at) {
            Ok(_) => return Err(Error::Pass(PassError::OverBudget { pass, peak, params, budget, smallest: named })),
            Err(Error::Pass(PassError::OverBudget { smallest: more, .. })) if more > named => named = more,
            Err(_) => break,
        }
    }
    Err(Error::Pass(PassError::OverBudget { pass, peak, params, budget, smallest }))
}

fn compile_once(input: Graph, opts: &CompileOptions) -> Result<Compiled, Error> {
    let target = target(opts)?;
    if opts.train && opts.sharded_io {
        return Err(Error::Input("--train takes whole inputs for now: drop --sharded-io".into()));
    }
    let config = pipeline_config(target.clone(), opts);
    let summary = ModelSummary::of(&input);
    let seq = seq_passes::partition::shard_sequence::sequence_length(&input).ok().flatten().unwrap_or(1);
    let program = run_pipeline(input.clone(), &config, opts, true)?;
    let single_target = Target { devices: 1, memory_budget: u64::MAX, ..target.clone() };
    let single = run_pipeline(input.clone(), &Config { target: single_target.clone(), ..config.clone() }, opts, false)?;

    let schedule = schedule_of(&program, &target, seq);
    let single_schedule = schedule_of(&single, &single_target, seq);
    let (params, arena) = memory(&program);
    let (single_params, single_arena) = memory(&single);
    let budget = target.memory_budget;
    if params + arena > budget {
        return Err(does_not_fit(&input, params, arena, opts, budget));
    }
    let attn: Vec<&seq_ir::Op> = program
        .body_ops()
        .filter(|(_, op)| matches!(op.kind, seq_ir::OpKind::Attention | seq_ir::OpKind::AttentionPartial))
        .map(|(_, op)| op)
        .collect();
    let mut layers: Vec<LayerReport> = Vec::new();
    for op in attn {
        let Some(layer) = op.int("layer") else { continue };
        if layers.last().is_some_and(|l| l.layer == layer) {
            continue;
        }
        let (bytes, compute, comm, exposed) = layer_figures(&schedule, layer, false);
        let backward = opts.train.then(|| {
            let (bytes, compute, comm, exposed) = layer_figures(&schedule, layer, true);
            PhaseFigures {
                mb_sent_per_device: bytes / 1e6,
                compute_ms: compute * 1e3,
                comm_ms: comm * 1e3,
                exposed_comm_ms: exposed * 1e3,
            }
        });
        let strategy = match (op.str("strategy").unwrap_or("replicate"), op.int("ulysses"), op.int("ring"), op.int("head_groups")) {
            ("hybrid", Some(u), Some(r), _) => format!("hybrid({u}x{r})"),
            ("ulysses", _, _, Some(g)) if g > 1 => format!("ulysses({g} head groups)"),
            (s, ..) => s.to_string(),
        };
        layers.push(LayerReport {
            layer,
            strategy,
            fallback: op.str("fallback").map(String::from),
            mb_sent_per_device: bytes / 1e6,
            compute_ms: compute * 1e3,
            comm_ms: comm * 1e3,
            exposed_comm_ms: exposed * 1e3,
            backward,
        });
    }
    let attr_str = |k: &str| program.module_attrs.get(k).and_then(Attr::as_str).unwrap_or("").to_string();
    let plan = to_plan(&program);
    let io = plan.sharded_io.as_ref();
    let mut notes = Vec::new();
    if opts.sharded_io && io.is_none() && target.devices > 1 {
        notes.push(
            "--sharded-io has no effect: the program is not split, so every device takes and returns whole tensors".into(),
        );
    }
    if let Some(n) = slow_attention_note(&program) {
        notes.push(n);
    }
    let gradients = opts.train.then(|| gradient_report(&program, target.devices, opts.grad_reduce));
    // A training loop (`seqc train`, `seqc-run --steps`) also holds AdamW's state, which the
    // budget (weights and activations) leaves out: say so where the three pass the device.
    if let Some(g) = gradients.as_ref().filter(|g| g.input_gradients.is_none()) {
        let device = target.profile.memory_gib;
        let need = gib(params + arena) + g.optimizer_gib_per_device;
        if need > device {
            let room = device - g.optimizer_gib_per_device;
            notes.push(if room > gib(params) {
                format!(
                    "a training loop also holds {:.2} GiB of AdamW state per device: with the weights and activations that is \
                     {need:.2} GiB, more than the device's {device:.1} GiB; compile with --memory-budget {:.2} (or less: the \
                     GPU also needs workspaces) or split over more devices",
                    g.optimizer_gib_per_device,
                    (room * 100.0).floor() / 100.0
                )
            } else {
                format!(
                    "a training loop also holds {:.2} GiB of AdamW state per device: with the weights that passes the \
                     device's {device:.1} GiB; split over more devices (the state is 1/N of it on N devices under ZeRO)",
                    g.optimizer_gib_per_device
                )
            });
        }
    }
    let step = schedule.makespan;
    let report = Report {
        profile: target.profile.name.clone(),
        devices: target.devices,
        split: program.module_attrs.get("seq.split").and_then(Attr::as_bool).unwrap_or(false),
        sharded_args: io.map(|io| io.inputs.clone()).unwrap_or_default(),
        sharded_results: io.map(|io| io.outputs.clone()).unwrap_or_default(),
        notes,
        layout: attr_str("seq.layout"),
        mesh: attr_str("seq.mesh"),
        layers,
        predicted_step_ms: step * 1e3,
        compute_ms: schedule.compute_busy * 1e3,
        comm_ms: schedule.comm_busy * 1e3,
        exposed_comm_ms: schedule.exposed_comm() * 1e3,
        single_device_step_ms: single_schedule.makespan * 1e3,
        scaling_efficiency: if step > 0.0 { single_schedule.makespan / (target.devices as f64 * step) } else { 1.0 },
        param_gib_per_device: gib(params),
        activation_gib_per_device: gib(arena),
        memory_gib_per_device: gib(params + arena),
        single_device_memory_gib: gib(single_params + single_arena),
        memory_budget_gib: gib(budget),
        gradients,
        critical_path_ms: seq_passes::analysis::critical_path(&program, &target, &context_of(&program, &target, seq)).seconds
            * 1e3,
        recompute: seq_passes::partition::recompute::report(&program),
        filled_stalls: seq_passes::schedule::fill_stalls::filled(&program),
    };
    Ok(Compiled { program, plan, schedule, report, summary })
}

/// A training step's weight gradients (every result after the loss, or after a vector-Jacobian
/// step's output and argument gradients) and what each device sends to sum them: (n - 1) / n of
/// their bytes for a reduce-scatter, twice that for an all-reduce.
fn gradient_report(g: &Graph, devices: usize, mode: GradReduce) -> seq_passes::export::report::GradientReport {
    use seq_passes::partition::autodiff::{INPUT_GRAD, OUTPUT, OWNED_RESULTS, RESULT_NAMES};
    let owned = g.module_attrs.contains_key(OWNED_RESULTS);
    let names: Vec<&str> =
        g.module_attrs.get(RESULT_NAMES).and_then(Attr::as_str).map_or(Vec::new(), |n| n.split(',').collect());
    // (name, result) of each weight gradient.
    let weights: Vec<(&str, seq_ir::ValueId)> = g
        .results
        .iter()
        .enumerate()
        .skip(1)
        .filter(|&(i, _)| names.get(i).is_none_or(|n| *n != OUTPUT && !n.starts_with(INPUT_GRAD)))
        .map(|(i, &r)| (names.get(i).copied().unwrap_or(""), r))
        .collect();
    // Reduce-scattered results are each rank's slice: the whole gradient is n of them.
    let n = devices as f64;
    let per_result = if owned { n } else { 1.0 };
    // A fold from +0 (an empty f64 sum is -0, which prints as "-0.0").
    let bytes: f64 = weights.iter().filter_map(|(_, r)| g.ty(*r).tensor()).map(|t| t.size_bytes() as f64 * per_result).fold(0.0, |a, b| a + b);
    let split = g.module_attrs.get("seq.split").and_then(Attr::as_bool).unwrap_or(false) && devices > 1;
    // AdamW's state for what each device holds of each gradient (f32): two moments, and a master
    // copy where the weight itself is not f32.
    let low_precision: std::collections::BTreeSet<&str> = g
        .body
        .iter()
        .map(|&id| g.op(id))
        .filter(|op| op.kind == seq_ir::OpKind::Param)
        .filter(|op| op.results.first().and_then(|r| g.ty(*r).tensor()).is_some_and(|t| t.dtype != seq_ir::DType::F32))
        .filter_map(|op| op.str("name"))
        .collect();
    let optimizer: f64 = weights
        .iter()
        .filter_map(|(n, r)| Some(g.ty(*r).tensor()?.size_bytes() as f64 * if low_precision.contains(n) { 3.0 } else { 2.0 }))
        .fold(0.0, |a, b| a + b);
    let factor = if mode == GradReduce::AllReduce { 2.0 } else { 1.0 };
    let moved = if split { factor * bytes * (n - 1.0) / n } else { 0.0 };
    seq_passes::export::report::GradientReport {
        tensors: weights.len(),
        input_gradients: (names.first() == Some(&OUTPUT))
            .then(|| names.iter().filter(|n| n.starts_with(INPUT_GRAD)).count()),
        mb_per_device: moved / 1e6,
        optimizer_gib_per_device: optimizer / (1u64 << 30) as f64,
        reduction: if split { mode.name().into() } else { "none (not split)".into() },
    }
}

/// Explains a model that does not fit, and what would: the smallest power-of-two multiple of the
/// device count that fits, found by compiling again.
fn does_not_fit(input: &Graph, params: u64, arena: u64, opts: &CompileOptions, budget: u64) -> Error {
    let suggestion = if params > budget {
        "hint: the weights alone exceed the budget; sequence parallelism splits activations, not weights: shard the weights or use devices with more memory".to_string()
    } else {
        let mut found = None;
        let mut n = opts.devices * 2;
        while n <= 4096 && found.is_none() {
            let trial = CompileOptions { devices: n, nodes: None, dump_dir: None, ..opts.clone() };
            if let Ok(t) = target(&trial)
                && let Ok(g) = run_pipeline(input.clone(), &pipeline_config(t, opts), &trial, false)
            {
                let (p, a) = memory(&g);
                if p + a <= budget {
                    found = Some((n, p + a));
                }
            }
            n *= 2;
        }
        match found {
            Some((n, bytes)) => format!(
                "hint: it fits on {n} devices ({:.1} GiB per device), or keep {} devices with --memory-budget {:.1}",
                gib(bytes),
                opts.devices,
                gib(params + arena).ceil()
            ),
            None => "hint: no device count up to 4096 fits this budget; shorten the sequence or raise --memory-budget".into(),
        }
    };
    Error::DoesNotFit {
        devices: opts.devices,
        needed_gib: gib(params + arena),
        param_gib: gib(params),
        activation_gib: gib(arena),
        budget_gib: gib(budget),
        suggestion,
    }
}

/// A note naming the layers whose split attention the CUDA runtime runs on its NVRTC kernel
/// (`cost_model::fused_attention`: capped scores, packed documents or a window without the
/// causal mask), which a user who forced a strategy should hear about before a GPU run; None
/// when there are none.
fn slow_attention_note(program: &Graph) -> Option<String> {
    use seq_ir::OpKind::{AttentionPartial, AttentionPartialGrad};
    let layers: Vec<i64> = program
        .body_ops()
        .filter(|(_, op)| matches!(op.kind, AttentionPartial | AttentionPartialGrad))
        .filter(|(_, op)| !seq_passes::strategy::cost_model::fused_attention(op))
        .filter_map(|(_, op)| op.int("layer"))
        .collect::<std::collections::BTreeSet<i64>>()
        .into_iter()
        .collect();
    let (&first, &last) = (layers.first()?, layers.last()?);
    let list = match layers.len() {
        1 => format!("layer {first}"),
        n if last - first + 1 == n as i64 => format!("layers {first}-{last}"),
        n if n <= 8 => format!("layers {}", layers.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")),
        n => format!("{n} layers ({first} to {last})"),
    };
    Some(format!(
        "{list}: split attention with capped scores, over packed documents without the causal mask, or with a \
         window without it runs on the CUDA runtime's NVRTC kernel, priced at 1/450 of cuDNN's rate (auto keeps \
         such layers whole where that is faster)"
    ))
}
