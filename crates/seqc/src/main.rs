//! The `seqc` command line.

use clap::{Args, Parser, Subcommand, ValueEnum};
use seq_ir::{PrintOptions, print_graph};
use seq_passes::{
    config::{BackwardStrategy, Chooser, Config, GradReduce, StrategyRequest},
    pipeline, registry,
};
use seqc::{CompileOptions, Error, Source};
use std::{path::PathBuf, process::ExitCode};

#[derive(Parser)]
#[command(
    name = "seqc",
    version,
    about = "Split long-context transformers across GPUs along the sequence",
    long_about = "seqc reads a transformer (the `seq` MLIR dialect, an ONNX export or a Hugging Face \
config.json), verifies it, and compiles it for N devices: a cost model and an e-graph choose how \
each attention layer splits the sequence (replicate, ulysses, ring, allgather-kv, halo, hybrid), the \
collectives are inserted and overlapped with compute, and seqc emits the per-rank program, the \
runtime's plan, a predicted trace and a report. With --train it compiles a training step (loss and \
every weight gradient; for a program whose result is not logits, its vector-Jacobian product), and \
`seqc train` runs the training loop.

Examples:
  seqc compile examples/llama3-8b.mlir --devices 8 -o out/
  seqc compile model.mlir --devices 16 --nodes 2 --strategy ring
  seqc compile examples/llama3-8b.mlir --devices 8 --train --memory-budget 60
  seqc train config.json --weights model.safetensors --data tokens.npy --devices 2 --steps 100
  seqc verify model.mlir
  seqc opt model.mlir --pass seq-fuse-swiglu --pass seq-dce"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Emit {
    /// The human table on stdout.
    Report,
    /// The lowered per-rank program (seq dialect) on stdout.
    Ir,
    /// The report as JSON on stdout.
    Json,
    /// The runtime's plan (JSON) on stdout.
    Plan,
}

#[derive(Clone, Copy, ValueEnum)]
enum DtypeArg {
    Bf16,
    F16,
    F32,
}

impl DtypeArg {
    fn dtype(self) -> seq_ir::DType {
        match self {
            Self::Bf16 => seq_ir::DType::BF16,
            Self::F16 => seq_ir::DType::F16,
            Self::F32 => seq_ir::DType::F32,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum StrategyArg {
    /// Choose per layer with the cost model (default).
    Auto,
    /// No split: every device runs the whole model.
    Replicate,
    /// All-to-all sequence <-> heads.
    Ulysses,
    /// Rotate K/V blocks, merge by log-sum-exp.
    Ring,
    /// Gather K/V, attend with local queries.
    AllgatherKv,
    /// Causal sliding-window layers: move only the keys the window reaches across a shard
    /// boundary (the last window - 1 rows of the chunks before each rank's own; whole chunks
    /// where the window is longer than a chunk, up to half the ranks' chunks back).
    Halo,
    /// Ulysses inside nodes, ring across.
    Hybrid,
}

#[derive(Clone, Copy, ValueEnum)]
enum ChooserArg {
    /// The e-graph chooser (default).
    Egraph,
    /// The naive per-layer reference chooser.
    Naive,
}

#[derive(Clone, Copy, ValueEnum)]
enum Backend {
    /// Reference ranks as CPU threads, collectives in process.
    Cpu,
    /// CUDA kernels and NCCL, one process per GPU (seqc-run).
    Cuda,
}

#[derive(Args)]
struct TargetArgs {
    /// How many devices to split across (at least 1).
    #[arg(long, short = 'n', value_name = "N", value_parser = parse_devices)]
    devices: usize,
    /// Cost-model profile: h200, h100, a100, or a profile JSON file.
    #[arg(long, default_value = "h200", value_name = "NAME|FILE")]
    profile: String,
    /// Nodes the devices sit in (devices = nodes x gpus-per-node).
    #[arg(long, value_name = "N")]
    nodes: Option<usize>,
    /// Devices per node, joined by fast links (default: the profile's).
    #[arg(long, value_name = "N")]
    gpus_per_node: Option<usize>,
    /// Memory each device may use, in GiB (default: the profile's device memory).
    #[arg(long, value_name = "GIB")]
    memory_budget: Option<f64>,
    /// Force one strategy on every layer where it is legal (others fall back to auto, reported).
    #[arg(long, value_enum, default_value = "auto")]
    strategy: StrategyArg,
    /// Which chooser picks strategies.
    #[arg(long, value_enum, default_value = "egraph")]
    chooser: ChooserArg,
    /// Tokens to compile for when the model is a Hugging Face config.json (default 4096).
    #[arg(long, value_name = "N")]
    seq_len: Option<i64>,
    /// Element type of a Hugging Face config.json model (default: its `torch_dtype`, f32 where it
    /// names none, as GPT-2's does). bf16 and f16 run attention on cuDNN's fused kernels; f32 on
    /// the NVRTC kernel. Other formats keep the types written in them.
    #[arg(long, value_enum)]
    dtype: Option<DtypeArg>,
    /// Each rank's program takes its own rows of the sequence-shaped arguments and returns its
    /// rows of the results (no scatter of the inputs, no gather of the outputs), as a training
    /// loop that keeps activations split would call it. The plan records the layout; `seqc run`
    /// still takes and writes whole tensors (it splits and assembles them).
    #[arg(long)]
    sharded_io: bool,
    /// Ulysses layers move their heads in N groups: every group's all-to-alls start at once and
    /// each group's attention waits only for its own, so later groups' transfers overlap earlier
    /// groups' attention (at the cost of column copies). Each group needs whole KV heads that
    /// split over the devices; otherwise the layer keeps one group and the report says why.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    head_groups: u16,
    /// Compile one training step instead of the forward pass: the program takes the token ids,
    /// positions (and segment ids) and the labels (token i's label is token i + 1, none at a
    /// document's end) and returns the mean next-token cross-entropy over every labelled token and
    /// the gradient of every parameter, summed over the devices (seq-autodiff differentiates the
    /// split program, so each strategy's backward is the transpose of its forward). A program
    /// whose result is not logits (one decoder layer, a pipeline stage) compiles to its
    /// vector-Jacobian product, as PyTorch's `y = f(x); y.backward(output_grad)`: it takes one
    /// more argument, output_grad (the result's shape and type), and returns the result
    /// (`output`), the gradient of every float argument (`input_grad.<index>`, f32, whole) and
    /// every parameter's gradient; there is no loss, so `seqc train` refuses it.
    #[arg(long)]
    train: bool,
    /// (--train) How weight gradients are summed over the devices: reduce-scatter (each device
    /// owns 1/N of every gradient's rows, ZeRO-2; half the traffic) or all-reduce (every device
    /// holds every gradient). `seqc run` writes whole gradients either way.
    #[arg(long, value_enum, default_value = "reduce-scatter")]
    grad_reduce: GradReduceArg,
    /// (--train, --grad-reduce all-reduce) All-reduce weight gradients in buckets of at most this
    /// many MiB, each started as soon as its last gradient exists (0: one all-reduce each).
    #[arg(long, value_name = "MIB", default_value_t = 25)]
    grad_bucket_mib: u64,
    /// (--train) The backward of ring layers: auto (the cheaper by the cost model, per layer),
    /// as-forward (dK/dV travel back around the ring), or ulysses (all-to-all to head groups, one
    /// attention backward per group over the whole sequence, all-to-all back), where the heads
    /// divide over the devices.
    #[arg(long, value_enum, default_value = "auto")]
    backward_strategy: BackwardArg,
    /// (--train, with --memory-budget) Also offload activations to host memory where the cost
    /// model says the host link hides the copy there and back (taken before recomputation, which
    /// costs time). On GPUs they wait in pinned host memory, copied on a stream of their own.
    #[arg(long)]
    offload: bool,
    /// (--offload) Host memory each device's offloaded activations may take, in GiB (default:
    /// three quarters of the profile's host memory per node, over the devices on a node).
    #[arg(long, value_name = "GIB", requires = "offload")]
    host_memory: Option<f64>,
}

#[derive(Clone, Copy, ValueEnum)]
enum BackwardArg {
    Auto,
    AsForward,
    Ulysses,
}

#[derive(Clone, Copy, ValueEnum)]
enum GradReduceArg {
    ReduceScatter,
    AllReduce,
}

impl TargetArgs {
    /// The model at `file` as these options build it (`--seq-len`, `--dtype`).
    fn load(&self, file: &std::path::Path, packed: bool) -> Result<seq_ir::Graph, Error> {
        seqc::load_file_as(file, self.seq_len, packed, self.dtype.map(DtypeArg::dtype))
    }

    fn options(&self, dump_dir: Option<PathBuf>) -> CompileOptions {
        CompileOptions {
            devices: self.devices,
            profile: self.profile.clone(),
            gpus_per_node: self.gpus_per_node,
            nodes: self.nodes,
            memory_budget_gib: self.memory_budget,
            strategy: match self.strategy {
                StrategyArg::Auto => StrategyRequest::Auto,
                StrategyArg::Replicate => StrategyRequest::Replicate,
                StrategyArg::Ulysses => StrategyRequest::Ulysses,
                StrategyArg::Ring => StrategyRequest::Ring,
                StrategyArg::AllgatherKv => StrategyRequest::AllGatherKv,
                StrategyArg::Halo => StrategyRequest::Halo,
                StrategyArg::Hybrid => StrategyRequest::Hybrid,
            },
            chooser: match self.chooser {
                ChooserArg::Egraph => Chooser::EGraph,
                ChooserArg::Naive => Chooser::Naive,
            },
            verify_each: true,
            dump_dir,
            sharded_io: self.sharded_io,
            head_groups: self.head_groups as usize,
            train: self.train,
            grad_reduce: match self.grad_reduce {
                GradReduceArg::ReduceScatter => GradReduce::ReduceScatter,
                GradReduceArg::AllReduce => GradReduce::AllReduce,
            },
            grad_bucket_bytes: self.grad_bucket_mib << 20,
            backward: match self.backward_strategy {
                BackwardArg::Auto => BackwardStrategy::Auto,
                BackwardArg::AsForward => BackwardStrategy::AsForward,
                BackwardArg::Ulysses => BackwardStrategy::Ulysses,
            },
            offload: self.offload,
            host_memory_gib: self.host_memory,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Compile a model for N devices: choose strategies, lower, schedule; print the report.
    Compile {
        /// A model: the seq dialect (.mlir), an ONNX export (.onnx), a Hugging Face config.json, or a
        /// Hugging Face model folder (config.json and its *.safetensors, sharded or not).
        file: PathBuf,
        #[command(flatten)]
        target: TargetArgs,
        /// Write lowered.mlir, plan.json, report.json and trace.json (open in Perfetto) here.
        #[arg(long, short = 'o', value_name = "DIR")]
        output: Option<PathBuf>,
        /// What to print on stdout.
        #[arg(long, value_enum, default_value = "report")]
        emit: Emit,
        /// Dump the IR before and after every pass into this folder (00-input.mlir, 01-...).
        #[arg(long, value_name = "DIR")]
        dump_ir: Option<PathBuf>,
        /// (config.json) Build for packed documents: the program takes segment ids, and attention
        /// stays within each document (`seqc-run --segments`, `seqc-run --steps --eos`).
        #[arg(long)]
        packed: bool,
    },
    /// Write a cost-model profile measured on this machine's GPUs (GEMM and attention rates,
    /// memory bandwidth, launch cost, NCCL links), for `--profile FILE`.
    ///
    /// Measures through seqc-run --calibrate (SEQC_RUN, else beside seqc, else on PATH), or reads what
    /// `seqc-run --calibrate FILE` wrote on a GPU machine (--from). What was not measured
    /// (links between nodes; all links with one GPU) comes from --base.
    Calibrate {
        /// Measurements from `seqc-run --calibrate FILE` instead of measuring here.
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        /// GPUs to measure (NCCL links need 2 or more).
        #[arg(long, default_value_t = 1)]
        devices: usize,
        /// Profile for the figures not measured: h200, h100, a100, or a profile JSON file.
        #[arg(long, default_value = "h200")]
        base: String,
        /// The new profile's name (default: the output file's name without .json).
        #[arg(long)]
        name: Option<String>,
        /// Where to write the profile (.json).
        #[arg(long, short = 'o', value_name = "FILE")]
        output: PathBuf,
    },
    /// Compile (or load a compiled plan.json) and run it: N ranks as CPU threads.
    Run {
        /// A model to compile (.mlir, .onnx, a Hugging Face config.json or model folder, whose
        /// checkpoint is the default --weights), or a compiled plan.json.
        file: PathBuf,
        #[command(flatten)]
        target: TargetArgs,
        /// Where to run: cpu (reference ranks as threads) or cuda (one process per GPU through
    /// seqc-run, the runtime binary installed beside seqc; SEQC_RUN names another).
        #[arg(long, value_enum, default_value = "cpu")]
        backend: Backend,
        /// Weights by parameter name: a .safetensors file, or a Hugging Face folder of shards (or
        /// its model.safetensors.index.json); default: a model folder's own, else seeded random.
        #[arg(long, value_name = "FILE")]
        weights: Option<PathBuf>,
        /// Token ids (.npy, int32 or int64), or hidden states (.npy, float32/64, [tokens, hidden])
        /// for a model that starts from them; default: seeded random values.
        #[arg(long, value_name = "FILE")]
        input: Option<PathBuf>,
        /// Segment ids of packed documents (.npy); positions restart at each new segment.
        #[arg(long, value_name = "FILE")]
        segments: Option<PathBuf>,
        /// Write the first output (e.g. logits; with --train, a vector-Jacobian step's result) here
        /// as .npy (f32).
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Compute in f64 instead of f32.
        #[arg(long)]
        f64: bool,
        /// Seconds a rank may wait in a collective before the run fails with the ranks involved.
        #[arg(long, default_value = "30")]
        timeout: u64,
        /// Also run the unsplit model in f64 and report the largest relative error; exit 1 above --tolerance.
        #[arg(long)]
        check: bool,
        /// Largest relative error --check accepts.
        #[arg(long, default_value = "1e-5")]
        tolerance: f64,
        /// (cuda) Runs of the plan; the median GPU time of runs 2..N is reported.
        #[arg(long, default_value = "1")]
        iters: usize,
        /// (cuda) Print each rank's longest commands and cuDNN blocks and the time per op
        /// (seqc-run --profile; --profile names the cost model's machine profile).
        #[arg(long)]
        gpu_profile: bool,
        /// (cuda) Write each rank's measured timeline (FILE.rankR.json, for ui.perfetto.dev).
        #[arg(long, value_name = "FILE")]
        trace: Option<PathBuf>,
        /// (--train) Write every parameter's gradient here (.safetensors, f32, under the
        /// parameter's name; a vector-Jacobian step's argument gradients as input_grad.<index>).
        #[arg(long, value_name = "FILE")]
        grads_out: Option<PathBuf>,
        /// (--train) Write {"loss": <f64>} here (a step with a loss: the program's result is logits).
        #[arg(long, value_name = "FILE")]
        loss_out: Option<PathBuf>,
    },
    /// Train: run the compiled training step (`--train`) for --steps steps on CPU ranks, with
    /// AdamW (as torch.optim.AdamW), global-norm clipping and a learning-rate schedule; step k
    /// trains on row k mod rows of --data. Prints a progress line per step; --log writes one JSON
    /// line per step; --save writes the final weights (.safetensors, the model's names).
    ///
    /// Example: seqc train ../shared/models/llama-eager/config.json --devices 2 --weights
    /// ../shared/models/llama-eager/weights.safetensors --data ../shared/models/train_tokens.npy
    /// --steps 30 --lr 1e-3 --betas 0.9,0.95 --weight-decay 0.1 --grad-clip 1.0 --log losses.jsonl
    Train {
        /// A model: .mlir, .onnx, a Hugging Face config.json or model folder (built for the data's
        /// row length; a folder's checkpoint is the default --weights).
        file: PathBuf,
        #[command(flatten)]
        target: TargetArgs,
        /// Token ids: .npy int32/int64 of shape [rows, seq] (one row per step, in order, wrapping),
        /// or a flat .bin of uint16 tokens (nanoGPT, llm.c; --token-bytes 4 for uint32) cut into
        /// --seq-len windows.
        #[arg(long, value_name = "FILE")]
        data: PathBuf,
        /// (.bin) Bytes per token: 2 or 4.
        #[arg(long, default_value_t = 2)]
        token_bytes: usize,
        /// The end-of-document token: a window then packs documents (segment ids, positions that
        /// restart, no attention or label across a boundary).
        #[arg(long, value_name = "ID")]
        eos: Option<u32>,
        /// Initial weights by parameter name: a .safetensors file or a Hugging Face folder of
        /// shards; default: a model folder's own, else seeded random.
        #[arg(long, value_name = "FILE")]
        weights: Option<PathBuf>,
        #[arg(long, default_value_t = 100)]
        steps: usize,
        /// Peak learning rate.
        #[arg(long, default_value_t = 1e-3)]
        lr: f64,
        /// AdamW's beta1,beta2.
        #[arg(long, default_value = "0.9,0.999", value_parser = parse_betas)]
        betas: (f64, f64),
        #[arg(long, default_value_t = 1e-8)]
        eps: f64,
        /// Decoupled weight decay (every parameter).
        #[arg(long, default_value_t = 0.01)]
        weight_decay: f64,
        /// Clip the global gradient norm to this (off when not given).
        #[arg(long, value_name = "NORM")]
        grad_clip: Option<f64>,
        /// Learning-rate schedule after warm-up.
        #[arg(long, value_enum, default_value = "constant")]
        schedule: ScheduleArg,
        /// Steps of linear warm-up.
        #[arg(long, default_value_t = 0)]
        warmup: usize,
        /// The cosine schedule's final learning rate.
        #[arg(long, default_value_t = 0.0)]
        min_lr: f64,
        /// Write one JSON line per step (step, loss, grad_norm, lr, tokens_per_s, step_ms, peak_bytes).
        #[arg(long, value_name = "FILE")]
        log: Option<PathBuf>,
        /// Save checkpoints into this folder (at the end, every --save-every steps, and on
        /// Ctrl-C): weights.safetensors (f32, the model's names and its checkpoint's layout, for
        /// `seqc run --weights`), state.safetensors (exact f64 weights and AdamW moments) and
        /// state.json (the step). Written beside the folder, then renamed over it.
        #[arg(long, value_name = "DIR")]
        save: Option<PathBuf>,
        /// Save every K steps (with --save).
        #[arg(long, value_name = "K", requires = "save")]
        save_every: Option<usize>,
        /// Continue from a folder --save wrote, up to --steps steps in all: the same losses as a
        /// run that was never stopped.
        #[arg(long, value_name = "DIR")]
        resume: Option<PathBuf>,
        /// Compute in f64 instead of f32.
        #[arg(long)]
        f64: bool,
        /// Identical losses run to run on the same devices. CPU ranks always are (every sum in
        /// a fixed order); on GPUs this runs seqc-run --deterministic: the attention backward
        /// and the embedding gradient without atomics (the NVRTC attention backward is then far
        /// slower) and cuDNN's deterministic attention backward (a dP workspace of heads x
        /// queries x keys x 2 bytes).
        #[arg(long)]
        deterministic: bool,
        /// Seconds a rank may wait in a collective before the run fails.
        #[arg(long, default_value = "30")]
        timeout: u64,
        /// Where to run: cpu (reference ranks as threads), or cuda (seqc-run: one process per GPU,
        /// AdamW on the GPU with f32 master weights; on several devices each keeps the optimizer state of its rows of every weight and the weights are all-gathered after the update, ZeRO; --grad-reduce all-reduce: whole state on every device).
        #[arg(long, value_enum, default_value = "cpu")]
        backend: Backend,
    },
    /// Import a model into the seq dialect: an ONNX export (writes DIR/model.mlir and
    /// DIR/weights.safetensors) or a Hugging Face config.json (writes DIR/model.mlir; weights come
    /// from --weights at run time, or are seeded random).
    Import {
        /// An ONNX model (.onnx) exported with a fixed sequence length, or a config.json (llama,
        /// mistral, qwen2, qwen3, olmo2, gemma2, gemma3_text, gemma3, phi3, gpt2) or the model folder
        /// holding it.
        file: PathBuf,
        /// Output folder.
        #[arg(long, short = 'o', value_name = "DIR")]
        output: PathBuf,
        /// Tokens to build a config.json model for.
        #[arg(long, value_name = "N", default_value_t = seqc::DEFAULT_SEQ_LEN)]
        seq_len: i64,
        /// (config.json) A Hugging Face checkpoint: its tensors are written to
        /// DIR/weights.safetensors in the program's own layout (GPT-2's fused `c_attn` and
        /// `Conv1D` projections cut and transposed), which `seqc-run --weights` loads directly.
        #[arg(long, value_name = "W.safetensors")]
        weights: Option<PathBuf>,
    },
    /// Check a model: syntax, dialect, shapes, head counts. Exit 1 with located errors if wrong.
    Verify { file: PathBuf },
    /// Run named passes on a model and print the resulting IR (like mlir-opt).
    Opt {
        /// A model in the seq dialect (.mlir). Not needed with --list-passes.
        #[arg(required_unless_present = "list_passes")]
        file: Option<PathBuf>,
        /// A pass to run, by flag name; repeat to run several in order.
        #[arg(long = "pass", short = 'p', value_name = "NAME")]
        passes: Vec<String>,
        /// List the passes with one line each, then exit.
        #[arg(long)]
        list_passes: bool,
        /// Devices, for passes that need a target (seq-choose-strategy).
        #[arg(long, default_value = "1", value_parser = parse_devices)]
        devices: usize,
        /// Print `loc(...)` after each op.
        #[arg(long)]
        print_locations: bool,
        /// Dump the IR before and after every pass into this folder.
        #[arg(long, value_name = "DIR")]
        dump_ir: Option<PathBuf>,
        /// seq-shard-sequence keeps sequence-shaped arguments and results as each rank's rows
        /// (as `seqc compile --sharded-io`).
        #[arg(long)]
        sharded_io: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ScheduleArg {
    Constant,
    Cosine,
}

fn parse_betas(s: &str) -> Result<(f64, f64), String> {
    let bad = || format!("'{s}' is not two betas (write B1,B2, e.g. 0.9,0.95)");
    let (a, b) = s.split_once(',').ok_or_else(bad)?;
    let (a, b) = (a.trim().parse::<f64>().map_err(|_| bad())?, b.trim().parse::<f64>().map_err(|_| bad())?);
    if !(0.0..1.0).contains(&a) || !(0.0..1.0).contains(&b) {
        return Err(format!("betas must lie in [0, 1), got {a},{b}"));
    }
    Ok((a, b))
}

fn parse_devices(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("seqc needs at least one device".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("'{s}' is not a whole number of devices")),
    }
}

fn write(path: &std::path::Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("error: cannot write '{}': {e}", path.display()))
}

/// A Hugging Face model folder (`config.json` beside its `*.safetensors`, one file or shards
/// with `model.safetensors.index.json`) as its config and, unless --weights says otherwise, its
/// checkpoint; anything else as it is.
fn model_folder(file: PathBuf, weights: Option<PathBuf>) -> Result<(PathBuf, Option<PathBuf>), String> {
    if !file.is_dir() {
        return Ok((file, weights));
    }
    let config = file.join("config.json");
    if !config.exists() {
        return Err(format!("error: {} is a folder without config.json: a model folder holds a Hugging Face config.json and its *.safetensors", file.display()));
    }
    let has_weights = std::fs::read_dir(&file)
        .map(|d| d.filter_map(Result::ok).any(|e| e.path().extension().is_some_and(|x| x == "safetensors")))
        .unwrap_or(false);
    Ok((config, weights.or(has_weights.then_some(file))))
}

fn run(cli: Cli) -> Result<(), String> {
    let err = |e: Error| e.to_string();
    let mut command = cli.command;
    match &mut command {
        Command::Compile { file, .. } => *file = model_folder(std::mem::take(file), None)?.0,
        Command::Run { file, weights, .. } | Command::Import { file, weights, .. } | Command::Train { file, weights, .. } => {
            (*file, *weights) = model_folder(std::mem::take(file), weights.take())?;
        }
        _ => {}
    }
    match command {
        Command::Compile { file, target, output, emit, dump_ir, packed } => {
            let opts = target.options(dump_ir);
            seqc::target(&opts).map_err(err)?;
            let g = target.load(&file, packed).map_err(err)?;
            let compiled = seqc::compile_graph(g, &opts).map_err(err)?;
            let json = serde_json::to_string_pretty(&compiled.report).map_err(|e| e.to_string())?;
            let ir = print_graph(&compiled.program, PrintOptions::default());
            let plan = compiled.plan.to_json();
            if let Some(dir) = output {
                std::fs::create_dir_all(&dir).map_err(|e| format!("error: cannot create '{}': {e}", dir.display()))?;
                write(&dir.join("lowered.mlir"), &ir)?;
                write(&dir.join("plan.json"), &plan)?;
                write(&dir.join("report.json"), &json)?;
                let trace = seq_passes::export::trace::chrome_trace(&compiled.schedule, "seqc predicted schedule (one rank)");
                write(&dir.join("trace.json"), &trace.to_string())?;
            }
            match emit {
                Emit::Report => print!("{}", compiled.report.table()),
                Emit::Ir => print!("{ir}"),
                Emit::Json => println!("{json}"),
                Emit::Plan => println!("{plan}"),
            }
        }
        Command::Run {
            file,
            target,
            backend,
            weights,
            input,
            segments,
            output,
            f64,
            timeout,
            check,
            tolerance,
            iters,
            gpu_profile,
            trace,
            grads_out,
            loss_out,
        } => {
            let gpu_only = iters != 1 || gpu_profile || trace.is_some();
            if matches!(backend, Backend::Cpu) && gpu_only {
                return Err("error: --iters, --gpu-profile and --trace time GPU runs: use them with --backend cuda".into());
            }
            if !target.train && (grads_out.is_some() || loss_out.is_some()) {
                return Err("error: --grads-out and --loss-out write a training step's results: add --train".into());
            }
            let train = target.train;
            let args = RunArgs { file, target, weights, input, segments, output, f64, timeout, check, tolerance, iters, gpu_profile, trace };
            match (backend, train) {
                (Backend::Cpu, false) => run_cpu(args)?,
                (Backend::Cpu, true) => run_train_cpu(args, grads_out, loss_out)?,
                (Backend::Cuda, false) => run_cuda(args)?,
                (Backend::Cuda, true) => {
                    if grads_out.is_some() || loss_out.is_some() {
                        return Err("error: with --backend cuda, --output X.safetensors writes the loss and every gradient by name (--grads-out and --loss-out are the CPU backend's)".into());
                    }
                    run_cuda(args)?
                }
            }
        }
        Command::Import { file, output, seq_len, weights } => {
            std::fs::create_dir_all(&output).map_err(|e| format!("error: cannot create '{}': {e}", output.display()))?;
            if file.extension().is_some_and(|e| e == "json") {
                let g = seqc::load_file(&file, Some(seq_len)).map_err(err)?;
                write(&output.join("model.mlir"), &print_graph(&g, PrintOptions::default()))?;
                let attention = g.ops_of(seq_ir::OpKind::Attention).count();
                println!("imported {}: {attention} attention layers at {seq_len} tokens -> {}/model.mlir", file.display(), output.display());
                if let Some(w) = weights {
                    let n = checkpoint_in_program_layout(&file, seq_len, g, &w, &output.join("weights.safetensors"))?;
                    println!("wrote {n} parameters from {} in the program's layout -> {}/weights.safetensors", w.display(), output.display());
                }
                return Ok(());
            }
            if weights.is_some() {
                return Err(format!("error: --weights reads a Hugging Face checkpoint for a config.json; {} carries its own weights", file.display()));
            }
            let imported = seqc::import(&file).map_err(err)?;
            write(&output.join("model.mlir"), &print_graph(&imported.graph, PrintOptions::default()))?;
            let weights = output.join("weights.safetensors");
            seq_frontends::onnx::write_safetensors(&imported.weights, &weights).map_err(|e| e.to_string())?;
            let attention = imported.graph.ops_of(seq_ir::OpKind::Attention).count();
            println!(
                "imported {}: {attention} attention layers, {} weights -> {}/model.mlir, weights.safetensors",
                file.display(),
                imported.weights.len(),
                output.display()
            );
        }
        Command::Calibrate { from, devices, base, name, output } => calibrate(from, devices, &base, name, &output)?,
        Command::Train {
            file,
            mut target,
            data,
            token_bytes,
            eos,
            weights,
            steps,
            lr,
            betas,
            eps,
            weight_decay,
            grad_clip,
            schedule,
            warmup,
            min_lr,
            log,
            save,
            save_every,
            resume,
            f64,
            deterministic,
            timeout,
            backend,
        } => {
            use seqc::train::{Optimizer, Schedule, TrainOptions};
            target.train = true;
            let opt = Optimizer {
                steps,
                lr,
                betas,
                eps,
                weight_decay,
                grad_clip,
                schedule: match schedule {
                    ScheduleArg::Constant => Schedule::Constant,
                    ScheduleArg::Cosine => Schedule::Cosine,
                },
                warmup,
                min_lr,
            };
            opt.check().map_err(|e| format!("error: {e}"))?;
            let o = TrainOptions {
                opt,
                until: None,
                run: seq_runtime::cpu::RunOptions {
                    precision: seqc::run::precision(f64),
                    timeout: std::time::Duration::from_secs(timeout),
                },
            };
            let ck = Checkpoints { save: save.as_deref(), every: save_every, resume: resume.as_deref() };
            let data = Data { path: &data, token_bytes, eos };
            match backend {
                Backend::Cpu => train_cpu(&file, &target, &data, weights.as_deref(), &o, log.as_deref(), ck)?,
                Backend::Cuda if f64 => return Err("error: the CUDA backend computes in the plan's types; --f64 is for --backend cpu".into()),
                Backend::Cuda => train_cuda(&file, target, &data, weights.as_deref(), &o, log.as_deref(), ck, deterministic)?,
            }
        }
        Command::Verify { file } => {
            let g = seqc::load(&Source::File(file.clone())).map_err(err)?;
            println!("{}: ok ({} ops)", file.display(), g.body.len());
        }
        Command::Opt { file, passes, list_passes, devices, print_locations, dump_ir, sharded_io } => {
            let target = seqc::target(&CompileOptions { devices, ..Default::default() }).map_err(err)?;
            let config = Config { sharded_io, ..Config::new(target) };
            if list_passes {
                for p in registry::all(&config) {
                    println!("{:<26} {}", p.name(), p.summary());
                }
                return Ok(());
            }
            let Some(file) = file else { return Err("error: no input file".into()) };
            let mut g = seqc::load(&Source::File(file)).map_err(err)?;
            let passes = passes.iter().map(|n| registry::lookup(n, &config)).collect::<Result<Vec<_>, _>>().map_err(|e| format!("error: {e}"))?;
            let popts = pipeline::PipelineOptions { verify_each: true, dump_dir: dump_ir };
            pipeline::run(&mut g, &passes, &popts).map_err(|e| format!("error: {e}"))?;
            print!("{}", print_graph(&g, PrintOptions { locations: print_locations }));
        }
    }
    Ok(())
}

struct RunArgs {
    file: PathBuf,
    target: TargetArgs,
    weights: Option<PathBuf>,
    input: Option<PathBuf>,
    segments: Option<PathBuf>,
    output: Option<PathBuf>,
    f64: bool,
    timeout: u64,
    check: bool,
    tolerance: f64,
    iters: usize,
    gpu_profile: bool,
    trace: Option<PathBuf>,
}

fn run_cpu(a: RunArgs) -> Result<(), String> {
    use seq_runtime::cpu::{self, RunOptions};
    use seqc::run::{make_inputs, max_relative_error, owner_of, precision};
    let err = |e: Error| e.to_string();
    let rt = |e: cpu::RuntimeError| format!("error: {e}");
    let is_plan = is_plan(&a.file);
    let (plan, source) = if is_plan {
        let plan = seq_runtime::Plan::read(&a.file).map_err(|e| format!("error: {e}"))?;
        if plan.devices != a.target.devices {
            return Err(format!("error: {} was compiled for {} devices, not --devices {}", a.file.display(), plan.devices, a.target.devices));
        }
        (plan, None)
    } else {
        let g = seqc::load_file_as(&a.file, seq_len_of(&a), a.segments.is_some(), a.target.dtype.map(DtypeArg::dtype)).map_err(err)?;
        eprintln!("seqc: compiling {} for {} devices", a.file.display(), a.target.devices);
        let c = seqc::compile_graph(g.clone(), &a.target.options(None)).map_err(err)?;
        (c.plan, Some(g))
    };
    let (weights, _) = weights_of(a.weights.as_deref(), &a.file, &plan)?;
    let given = given_inputs(&a)?;
    // Every rank lives in this process: refuse a plan this host cannot hold rather than be killed.
    // The CPU backend computes in f32 or f64 whatever the declared type (bf16 weights double).
    let widen = if a.f64 { 4 } else { 2 };
    let need = (plan.memory.arena_bytes + plan.memory.param_bytes) * widen * plan.devices as u64;
    if let Some(avail) = available_memory()
        && need > avail
    {
        return Err(format!(
            "error: running {} ranks on this host's CPUs needs about {:.1} GiB, {:.1} GiB is available: use a shorter --seq-len, fewer --devices, or the CUDA backend",
            plan.devices,
            need as f64 / (1u64 << 30) as f64,
            avail as f64 / (1u64 << 30) as f64
        ));
    }
    let inputs = make_inputs(&plan, &given).map_err(err)?;
    let opts = RunOptions { precision: precision(a.f64), timeout: std::time::Duration::from_secs(a.timeout) };
    eprintln!("seqc: running {} ranks on CPU threads ({})", plan.devices, if a.f64 { "f64" } else { "f32" });
    let start = std::time::Instant::now();
    let out = seqc::run::run_cpu(&plan, &inputs, &weights, &opts).map_err(err)?;
    let first = out.outputs.first().ok_or("error: the program has no outputs")?;
    let peak = out.ranks.iter().map(|r| r.peak_live_bytes).max().unwrap_or(0);
    println!(
        "ran {} ranks in {:.2} s: output {:?}, peak activations {:.1} MiB per rank",
        plan.devices,
        start.elapsed().as_secs_f64(),
        first.shape,
        peak as f64 / (1 << 20) as f64
    );
    if let Some(path) = &a.output {
        cpu::write_npy_f32(path, first).map_err(rt)?;
    }
    if a.check {
        let g = source.ok_or("error: --check needs the model (.mlir), not a plan")?;
        let single = seqc::compile_graph(g, &CompileOptions { devices: 1, ..a.target.options(None) }).map_err(err)?;
        let reference = seqc::run::run_cpu(&single.plan, &inputs, &weights, &RunOptions { precision: precision(true), ..opts }).map_err(err)?;
        let (worst, bad_row) = max_relative_error(first, &reference.outputs[0], a.tolerance);
        println!("max relative error vs the unsplit model in f64: {worst:.3e} (tolerance {:.0e})", a.tolerance);
        if let Some(row) = bad_row {
            let layout = plan
                .sharded_io
                .as_ref()
                .map(|io| io.layout.as_str())
                .or_else(|| plan.steps.iter().find(|s| s.op == "shard").and_then(|s| s.attrs().str("layout").ok()))
                .unwrap_or("block");
            return Err(format!(
                "error: row {row} diverges first; it lives on rank {}",
                owner_of(row, layout, plan.devices, first.shape[0])
            ));
        }
    }
    Ok(())
}

/// The run's weights: --weights (a Hugging Face checkpoint is read in its own layout for a
/// config.json model), else an ONNX model's own, else seeded random values; with the layout to
/// write gradients and weights back in the checkpoint's own.
fn weights_of(
    weights: Option<&std::path::Path>,
    model: &std::path::Path,
    plan: &seq_runtime::Plan,
) -> Result<(seq_runtime::cpu::WeightSource, Vec<seq_frontends::hf::CheckpointSlice>), String> {
    use seq_runtime::cpu::WeightSource;
    if let Some(p) = weights {
        let seq = plan.global_input_shape(0).and_then(|s| s.first().copied()).unwrap_or(0);
        return seqc::run::checkpoint_weights(model, seq, plan, p).map_err(|e| e.to_string());
    }
    if model.extension().is_some_and(|e| e == "onnx") {
        let imported = seqc::import(model).map_err(|e| e.to_string())?;
        let values = imported.weights.into_iter().map(|w| (w.name, w.data.into_iter().map(f64::from).collect())).collect();
        return Ok((WeightSource::Values(values), Vec::new()));
    }
    Ok((WeightSource::random(0), Vec::new()))
}

/// Every parameter of the config model `g` from the checkpoint `ckpt`, cut into the program's
/// layout (the plan's names and shapes), written to `out` as f32 safetensors. Returns the count.
fn checkpoint_in_program_layout(
    config: &std::path::Path,
    seq_len: i64,
    g: seq_ir::Graph,
    ckpt: &std::path::Path,
    out: &std::path::Path,
) -> Result<usize, String> {
    let err = |e: Error| e.to_string();
    let plan = seqc::compile_graph(g, &CompileOptions { devices: 1, ..Default::default() }).map_err(err)?.plan;
    let (source, _) = seqc::run::checkpoint_weights(config, seq_len, &plan, ckpt).map_err(err)?;
    write_program_weights(&source, &plan, out)
}

/// Every parameter of `plan` from `source`, once each (a parameter used twice, as tied
/// embeddings are, is one tensor), under the plan's names and shapes.
fn program_tensors(source: &seq_runtime::cpu::WeightSource, plan: &seq_runtime::Plan) -> Result<Vec<seq_frontends::hf::NamedTensor>, String> {
    let specs = seq_runtime::cpu::param_specs(plan).map_err(|e| format!("error: {e}"))?;
    let mut tensors: Vec<seq_frontends::hf::NamedTensor> = Vec::with_capacity(specs.len());
    for p in specs {
        if tensors.iter().any(|(n, _, _)| *n == p.name) {
            continue;
        }
        let values = source.load(&p.name, &p.shape, p.role).map_err(|e| format!("error: {e}"))?;
        tensors.push((p.name, p.shape, values));
    }
    Ok(tensors)
}

/// Every parameter of `plan` from `source`, written to `out` as f32 safetensors under the plan's
/// names and shapes (what seqc-run reads). Returns the count.
fn write_program_weights(source: &seq_runtime::cpu::WeightSource, plan: &seq_runtime::Plan, out: &std::path::Path) -> Result<usize, String> {
    let tensors = program_tensors(source, plan)?;
    let n = tensors.len();
    write_tensors(out, tensors)?;
    Ok(n)
}

/// Writes named tensors as f32 safetensors, beside the target then renamed, so a failure never
/// leaves half a file.
fn write_tensors(path: &std::path::Path, tensors: Vec<(String, Vec<usize>, Vec<f64>)>) -> Result<(), String> {
    let weights: Vec<seq_frontends::onnx::Weight> = tensors
        .into_iter()
        .map(|(name, shape, data)| seq_frontends::onnx::Weight { name, shape, data: data.into_iter().map(|v| v as f32).collect() })
        .collect();
    let tmp = path.with_extension("safetensors.tmp");
    seq_frontends::onnx::write_safetensors(&weights, &tmp).map_err(|e| format!("error: {e}"))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("error: cannot write '{}': {e}", path.display()))
}

/// What --input and --segments give (seeded values stand in for the rest).
fn given_inputs(a: &RunArgs) -> Result<seqc::run::RunInputs, String> {
    use seq_runtime::cpu;
    let rt = |e: cpu::RuntimeError| format!("error: {e}");
    Ok(seqc::run::RunInputs {
        ids: a.input.as_deref().map(cpu::read_input).transpose().map_err(rt)?,
        segments: a.segments.as_deref().map(cpu::read_token_ids).transpose().map_err(rt)?,
        seed: 0,
    })
}

/// The tokens a config.json model is built for: --seq-len, else the length of --input's ids.
fn seq_len_of(a: &RunArgs) -> Option<i64> {
    a.target.seq_len.or_else(|| {
        let ids = seq_runtime::cpu::read_token_ids(a.input.as_deref()?).ok()?;
        ids.shape.last().map(|&n| n as i64)
    })
}

/// Set by SIGINT (Ctrl-C): the training loop saves a checkpoint after the step in flight, then
/// stops.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn on_interrupt(_: libc::c_int) {
    INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// Where and how often `seqc train` saves, and where it resumes from.
struct Checkpoints<'a> {
    save: Option<&'a std::path::Path>,
    every: Option<usize>,
    resume: Option<&'a std::path::Path>,
}

/// Where `seqc train` reads its tokens.
struct Data<'a> {
    path: &'a std::path::Path,
    token_bytes: usize,
    eos: Option<u32>,
}

/// `seqc train`'s data rows, and its model compiled into a training step for their length
/// (`--seq-len` where given).
fn compile_step(file: &std::path::Path, target: &TargetArgs, data: &Data) -> Result<(Vec<seqc::train::Row>, seqc::Compiled), String> {
    let err = |e: Error| e.to_string();
    let rows = seqc::train::read_rows(data.path, data.token_bytes, target.seq_len.map(|s| s.max(0) as usize), data.eos)
        .map_err(|e| format!("error: {e}"))?;
    let seq = target.seq_len.unwrap_or(rows.first().map_or(0, |r| r.ids.numel()) as i64);
    let g = seqc::load_file_as(file, Some(seq), data.eos.is_some(), target.dtype.map(DtypeArg::dtype)).map_err(err)?;
    eprintln!("seqc: compiling a training step of {} for {} devices ({seq} tokens)", file.display(), target.devices);
    let compiled = seqc::compile_graph(g, &target.options(None)).map_err(err)?;
    seqc::train::check_trainable(&compiled.plan).map_err(err)?;
    eprintln!("seqc: {}", layer_summary(&compiled.report));
    for n in &compiled.report.notes {
        eprintln!("seqc: note: {n}");
    }
    Ok((rows, compiled))
}

/// The plan's attention layers by strategy, in the order they first appear ("2 layers: halo"),
/// with the layers that fell back from a forced strategy, and the predicted step.
fn layer_summary(r: &seq_passes::export::report::Report) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for l in &r.layers {
        match counts.iter_mut().find(|(s, _)| *s == l.strategy) {
            Some((_, n)) => *n += 1,
            None => counts.push((&l.strategy, 1)),
        }
    }
    let parts: Vec<String> = counts.iter().map(|(s, n)| if counts.len() == 1 { s.to_string() } else { format!("{s} x{n}") }).collect();
    let fell = r.layers.iter().filter(|l| l.fallback.is_some()).count();
    format!(
        "{} attention layer(s): {}{}; predicted step {:.2} ms per device on {}",
        r.layers.len(),
        if parts.is_empty() { "none".to_string() } else { parts.join(", ") },
        if fell > 0 { format!(" ({fell} fell back from the strategy asked for: `seqc compile` reports why)") } else { String::new() },
        r.predicted_step_ms,
        r.profile
    )
}

/// `seqc train --backend cuda`: compiles the step and hands it to seqc-run's training loop
/// (`--steps`: AdamW on the GPU), one process per device.
#[allow(clippy::too_many_arguments)]
fn train_cuda(
    file: &std::path::Path,
    target: TargetArgs,
    data: &Data,
    weights: Option<&std::path::Path>,
    o: &seqc::train::TrainOptions,
    log: Option<&std::path::Path>,
    ck: Checkpoints,
    deterministic: bool,
) -> Result<(), String> {
    let (_, compiled) = compile_step(file, &target, data)?;
    let dir = std::env::temp_dir().join(format!("seqc-train-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("error: cannot create '{}': {e}", dir.display()))?;
    let plan_path = dir.join("plan.json");
    write(&plan_path, &compiled.plan.to_json())?;
    let (source, layout) = weights_of(weights, file, &compiled.plan)?;
    let weights_path = match (weights, &source) {
        (None, seq_runtime::cpu::WeightSource::Random { .. }) => None,
        _ => {
            // In the program's own layout and names (a fused or transposed checkpoint is cut).
            let p = dir.join("weights.safetensors");
            write_program_weights(&source, &compiled.plan, &p)?;
            Some(p)
        }
    };
    let opt = &o.opt;
    let exe = runtime_binary();
    let mut cmd = std::process::Command::new(&exe);
    cmd.arg(&plan_path).args(["--nproc", &target.devices.to_string(), "--timeout", &o.run.timeout.as_secs().to_string()]);
    cmd.args(["--steps", &opt.steps.to_string(), "--lr", &opt.lr.to_string(), "--eps", &opt.eps.to_string()]);
    cmd.args(["--betas", &format!("{},{}", opt.betas.0, opt.betas.1), "--weight-decay", &opt.weight_decay.to_string()]);
    cmd.args(["--warmup", &opt.warmup.to_string(), "--min-lr", &opt.min_lr.to_string()]);
    cmd.args(["--schedule", if opt.schedule == seqc::train::Schedule::Cosine { "cosine" } else { "constant" }]);
    cmd.arg("--data").arg(data.path).args(["--token-bytes", &data.token_bytes.to_string()]);
    if let Some(c) = opt.grad_clip {
        cmd.args(["--grad-clip", &c.to_string()]);
    }
    if let Some(e) = data.eos {
        cmd.args(["--eos", &e.to_string()]);
    }
    for (flag, p) in [("--weights", weights_path.as_deref()), ("--log", log), ("--save", ck.save), ("--resume", ck.resume)] {
        if let Some(p) = p {
            cmd.arg(flag).arg(p);
        }
    }
    if let Some(k) = ck.every {
        cmd.args(["--save-every", &k.to_string()]);
    }
    if deterministic {
        cmd.arg("--deterministic");
    }
    // Ctrl-C reaches seqc-run too, which finishes the step in flight, saves and stops: wait for
    // it (a handler, not SIG_IGN, so that seqc-run does not inherit ignoring it).
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t);
    }
    let status = cmd.status().map_err(|e| format!("error: cannot start {}: {e} (build it with `cargo build -p seq-runtime`)", exe.display()));
    let _ = std::fs::remove_dir_all(&dir);
    let status = status?;
    let interrupted = status.code() == Some(seq_runtime::cuda::launch::INTERRUPTED_EXIT.into());
    if !status.success() && !interrupted {
        return Err(format!("error: seqc-run failed ({status})"));
    }
    // The GPU writes weights under the program's names; the model's own checkpoint layout
    // (fused, transposed tensors) is the frontend's to restore.
    if let Some(save) = ck.save
        && !layout.is_empty()
        && (!interrupted || save.join("weights.safetensors").exists())
    {
        let path = save.join("weights.safetensors");
        let saved = seq_runtime::cpu::WeightSource::safetensors(&path).map_err(|e| format!("error: {e}"))?;
        let tensors = program_tensors(&saved, &compiled.plan)?;
        let tensors = seq_frontends::hf::to_checkpoint(&layout, tensors).map_err(|e| format!("error: {e}"))?;
        write_tensors(&path, tensors)?;
    }
    if interrupted {
        return Err("error: interrupted (Ctrl-C); seqc-run said after which step, and what it saved".into());
    }
    Ok(())
}

/// `seqc train` on CPU ranks.
fn train_cpu(
    file: &std::path::Path,
    target: &TargetArgs,
    data: &Data,
    weights: Option<&std::path::Path>,
    o: &seqc::train::TrainOptions,
    log: Option<&std::path::Path>,
    ck: Checkpoints,
) -> Result<(), String> {
    use std::io::{IsTerminal, Write};
    let err = |e: Error| e.to_string();
    let (rows, compiled) = compile_step(file, target, data)?;
    // What this host holds: every rank's weights and activations in the compute precision (the
    // plan's bytes at their declared types, widened), and one copy of the weights and AdamW
    // moments in f64 for the optimizer.
    let plan = &compiled.plan;
    let widen = |bytes: u64| bytes * if o.run.precision == seq_runtime::cpu::Precision::F64 { 4 } else { 2 };
    let specs = seq_runtime::cpu::param_specs(plan).map_err(|e| format!("error: {e}"))?;
    let params: u64 = specs.iter().map(|p| p.shape.iter().product::<usize>() as u64).sum();
    let (ranks, optimizer) = (widen(plan.memory.arena_bytes + plan.memory.param_bytes) * plan.devices as u64, params * 24);
    let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
    eprintln!(
        "seqc: per rank {:.3} GiB weights + {:.3} GiB activations (declared types); optimizer {:.3} GiB (weights and two moments in f64, {params} parameters); this host holds {:.3} GiB in all",
        gib(plan.memory.param_bytes),
        gib(plan.memory.arena_bytes),
        gib(optimizer),
        gib(ranks + optimizer)
    );
    if let Some(avail) = available_memory()
        && ranks + optimizer > avail
    {
        return Err(format!(
            "error: training {} ranks on this host's CPUs needs about {:.1} GiB, {:.1} GiB is available: use a shorter --seq-len, fewer --devices, or a smaller model",
            plan.devices,
            gib(ranks + optimizer),
            gib(avail)
        ));
    }
    let (source, layout) = weights_of(weights, file, &compiled.plan)?;
    let mut state = match ck.resume {
        Some(dir) => {
            let s = seqc::train::TrainState::load(dir, &compiled.plan).map_err(err)?;
            eprintln!("seqc: resuming from {} at step {}", dir.display(), s.step);
            s
        }
        None => seqc::train::TrainState::new(&compiled.plan, &source).map_err(err)?,
    };
    let save = |s: &seqc::train::TrainState| -> Result<(), Error> {
        match ck.save {
            Some(dir) => s.save(dir, &layout),
            None => Ok(()),
        }
    };
    // Appended on resume, so one file holds the whole run.
    let mut log_file = match log {
        Some(p) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(ck.resume.is_some())
                .write(true)
                .truncate(ck.resume.is_none())
                .open(p)
                .map_err(|e| format!("error: cannot write '{}': {e}", p.display()))?,
        ),
        None => None,
    };
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t);
    }
    let terminal = std::io::stderr().is_terminal();
    let start = std::time::Instant::now();
    let first_step = state.step;
    let result = seqc::train::train(&compiled.plan, &mut state, &rows, o, |l, s| {
        let line = l.progress(o.opt.steps, l.step - first_step, start.elapsed().as_secs_f64());
        if terminal {
            eprint!("\r{line}");
        } else {
            eprintln!("{line}");
        }
        if let Some(f) = log_file.as_mut() {
            let j = serde_json::to_string(l).map_err(|e| Error::Input(e.to_string()))?;
            writeln!(f, "{j}").map_err(|e| Error::Input(format!("cannot write the log: {e}")))?;
        }
        let interrupted = INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst);
        if interrupted || ck.every.is_some_and(|k| k > 0 && l.step % k == 0) {
            save(s)?;
        }
        if interrupted {
            let saved = ck.save.map(|d| format!("; saved {}", d.display())).unwrap_or_default();
            return Err(Error::Input(format!("interrupted after step {}{saved}", l.step)));
        }
        Ok(())
    });
    if terminal {
        eprintln!();
    }
    let logs = result.map_err(err)?;
    save(&state).map_err(err)?;
    if let (Some(first), Some(last)) = (logs.first(), logs.last()) {
        println!(
            "trained steps {}..{} on {} ranks in {:.1} s: loss {:.6} -> {:.6}",
            first.step,
            last.step,
            target.devices,
            start.elapsed().as_secs_f64(),
            first.loss,
            last.loss
        );
    }
    Ok(())
}

/// One training step on CPU ranks: the loss (or, for a program whose result is not logits, the
/// vector-Jacobian step's output and argument gradients), and every parameter's gradient by name.
fn run_train_cpu(a: RunArgs, grads_out: Option<PathBuf>, loss_out: Option<PathBuf>) -> Result<(), String> {
    use seq_runtime::cpu::{self, RunOptions};
    use seqc::run::{StepKind, make_train_inputs, precision, train_step};
    let err = |e: Error| e.to_string();
    let (plan, source) = if is_plan(&a.file) {
        (seq_runtime::Plan::read(&a.file).map_err(|e| format!("error: {e}"))?, None)
    } else {
        let g = seqc::load_file_as(&a.file, seq_len_of(&a), a.segments.is_some(), a.target.dtype.map(DtypeArg::dtype)).map_err(err)?;
        eprintln!("seqc: compiling a training step of {} for {} devices", a.file.display(), a.target.devices);
        (seqc::compile_graph(g.clone(), &a.target.options(None)).map_err(err)?.plan, Some(g))
    };
    let kind = plan.step_kind().ok_or("error: the plan is not a training step (compile with --train)")?;
    match kind {
        StepKind::Loss if a.output.is_some() => {
            return Err("error: a training step writes --grads-out and --loss-out, not --output".into());
        }
        StepKind::Vjp if loss_out.is_some() => {
            return Err("error: the program's result is not logits, so --train made its vector-Jacobian step, which \
                        has no loss: drop --loss-out (--output writes the result, --grads-out the gradients)"
                .into());
        }
        _ => {}
    }
    let (weights, layout) = weights_of(a.weights.as_deref(), &a.file, &plan)?;
    let given = given_inputs(&a)?;
    let inputs = make_train_inputs(&plan, &given).map_err(err)?;
    let opts = RunOptions { precision: precision(a.f64), timeout: std::time::Duration::from_secs(a.timeout) };
    let start = std::time::Instant::now();
    let out = train_step(&plan, &inputs, &weights, &opts).map_err(err)?;
    let peak = out.run.ranks.iter().map(|r| r.peak_live_bytes).max().unwrap_or(0);
    let what = match (kind, &out.output) {
        (StepKind::Vjp, Some(y)) => format!(
            "ran one vector-Jacobian step on {} ranks in {:.2} s: output {:?}, {} input gradients, {} gradients",
            plan.devices,
            start.elapsed().as_secs_f64(),
            y.shape,
            out.input_grads.len(),
            out.grads.len()
        ),
        _ => format!(
            "ran one training step on {} ranks in {:.2} s: loss {:.6}, {} gradients",
            plan.devices,
            start.elapsed().as_secs_f64(),
            out.loss,
            out.grads.len()
        ),
    };
    println!("{what}, peak activations {:.1} MiB per rank", peak as f64 / (1 << 20) as f64);
    if let Some(path) = &loss_out {
        write(path, &format!("{}\n", serde_json::json!({ "loss": out.loss })))?;
    }
    if let (Some(path), Some(y)) = (&a.output, &out.output) {
        cpu::write_npy_f32(path, y).map_err(|e| format!("error: {e}"))?;
    }
    if let Some(path) = &grads_out {
        let named = |n: String, t: &cpu::HostTensor| {
            t.to_f64().map(|v| (n, t.shape.clone(), v)).ok_or("error: a gradient is not float")
        };
        let mut tensors = out
            .input_grads
            .iter()
            .map(|(i, t)| named(format!("{}{i}", seq_passes::partition::autodiff::INPUT_GRAD), t))
            .collect::<Result<Vec<_>, _>>()?;
        tensors.extend(seqc::run::grads_in_checkpoint_layout(&layout, &out.grads).map_err(err)?);
        write_tensors(path, tensors)?;
    }
    if a.check {
        let g = source.ok_or("error: --check needs the model, not a plan")?;
        let single = seqc::compile_graph(g, &CompileOptions { devices: 1, ..a.target.options(None) }).map_err(err)?;
        let reference = train_step(&single.plan, &inputs, &weights, &RunOptions { precision: precision(true), ..opts })
            .map_err(err)?;
        let (mut worst, mut worst_name) = match kind {
            StepKind::Loss => {
                ((out.loss - reference.loss).abs() / reference.loss.abs().max(f64::MIN_POSITIVE), "loss".to_string())
            }
            StepKind::Vjp => (0.0, String::new()),
        };
        // Every tensor result by name: a vector-Jacobian step's output and argument gradients,
        // then the weight gradients.
        let tensors = |o: &seqc::run::TrainOutput| {
            let inputs = o.input_grads.iter().map(|(i, t)| (format!("input_grad.{i}"), t.clone()));
            let output = o.output.iter().map(|t| ("output".to_string(), t.clone()));
            output.chain(inputs).chain(o.grads.iter().cloned()).collect::<Vec<_>>()
        };
        for ((name, got), (_, want)) in tensors(&out).iter().zip(&tensors(&reference)) {
            let (e, _) = seqc::run::max_relative_error(got, want, a.tolerance);
            if e > worst || worst_name.is_empty() {
                (worst, worst_name) = (e, name.clone());
            }
        }
        println!("max relative error vs the unsplit step in f64: {worst:.3e} ({worst_name}; tolerance {:.0e})", a.tolerance);
        if worst > a.tolerance {
            return Err(format!("error: {worst_name} differs from the unsplit step by {worst:.3e}"));
        }
    }
    Ok(())
}

/// Whether `path` is a compiled plan: plan.json and a Hugging Face config.json are both JSON, and
/// a plan has steps.
fn is_plan(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|x| x == "json")
        && std::fs::read_to_string(path).ok().and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok()).is_some_and(|v| v.get("steps").is_some())
}

/// Compiles (unless given a plan) and hands the plan to `seqc-run`, the GPU runtime, which
/// spawns one process per device. seqc-run is SEQC_RUN, else beside this executable, else on PATH.
fn run_cuda(a: RunArgs) -> Result<(), String> {
    let err = |e: Error| e.to_string();
    let plan_path = if is_plan(&a.file) {
        a.file.clone()
    } else {
        let g = seqc::load_file_as(&a.file, seq_len_of(&a), a.segments.is_some(), a.target.dtype.map(DtypeArg::dtype)).map_err(err)?;
        eprintln!("seqc: compiling {} for {} devices", a.file.display(), a.target.devices);
        let c = seqc::compile_graph(g, &a.target.options(None)).map_err(err)?;
        let path = std::env::temp_dir().join(format!("seqc-plan-{}.json", std::process::id()));
        write(&path, &c.plan.to_json())?;
        path
    };
    if a.f64 {
        return Err("error: the CUDA backend computes in the plan's types; --f64 is for --backend cpu".into());
    }
    let exe = runtime_binary();
    let mut cmd = std::process::Command::new(&exe);
    cmd.arg(&plan_path).args(["--nproc", &a.target.devices.to_string(), "--timeout", &a.timeout.to_string()]);
    for (flag, v) in [("--input", &a.input), ("--segments", &a.segments), ("--output", &a.output), ("--weights", &a.weights)] {
        if let Some(p) = v {
            cmd.arg(flag).arg(p);
        }
    }
    if a.check {
        cmd.arg("--check-against-cpu");
    }
    if a.iters == 0 {
        return Err("error: --iters must be at least 1".into());
    }
    cmd.args(["--iters", &a.iters.to_string()]);
    if a.gpu_profile {
        cmd.arg("--profile");
    }
    if let Some(t) = &a.trace {
        cmd.arg("--trace").arg(t);
    }
    let status = cmd.status().map_err(|e| format!("error: cannot start {}: {e} (build it with `cargo build -p seq-runtime`)", exe.display()))?;
    if plan_path != a.file {
        let _ = std::fs::remove_file(&plan_path);
    }
    if status.success() { Ok(()) } else { Err(format!("error: seqc-run failed ({status})")) }
}

/// `seqc calibrate`: measure (through seqc-run) or read measurements, and write the profile.
fn calibrate(from: Option<PathBuf>, devices: usize, base: &str, name: Option<String>, output: &std::path::Path) -> Result<(), String> {
    if output.extension().is_none_or(|e| e != "json") {
        return Err(format!("error: the profile is a .json file; got '{}'", output.display()));
    }
    let base = seq_passes::strategy::cost_model::Profile::load(base).map_err(|e| format!("error: {e}"))?;
    let (path, measured_here) = match from {
        Some(p) => (p, false),
        None => {
            if devices == 0 {
                return Err("error: --devices must be at least 1".into());
            }
            let path = std::env::temp_dir().join(format!("seqc-calibration-{}.json", std::process::id()));
            let exe = runtime_binary();
            eprintln!("seqc: measuring {devices} GPU(s) with {} --calibrate (about a minute)", exe.display());
            let status = std::process::Command::new(&exe)
                .arg("--calibrate")
                .arg(&path)
                .args(["--nproc", &devices.to_string()])
                .status()
                .map_err(|e| format!("error: cannot start {}: {e} (build it with `cargo build -p seq-runtime`)", exe.display()))?;
            if !status.success() {
                return Err(format!("error: seqc-run --calibrate failed ({status})"));
            }
            (path, true)
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("error: cannot read '{}': {e}", path.display()))?;
    let c: seq_runtime::cuda::calibrate::Calibration = serde_json::from_str(&text)
        .map_err(|e| format!("error: '{}' is not a seqc-run --calibrate file: {e}", path.display()))?;
    if measured_here {
        let _ = std::fs::remove_file(&path);
    }
    let name = name.unwrap_or_else(|| output.file_stem().map_or("calibrated".into(), |s| s.to_string_lossy().into_owned()));
    let profile = seqc::calibrate::profile_from_calibration(&c, &base, &name);
    let json = serde_json::to_string_pretty(&profile).map_err(|e| e.to_string())?;
    write(output, &(json + "\n"))?;
    println!(
        "wrote {} ({}): GEMM {:.0} TFLOP/s, attention {:.0} TFLOP/s at 32K, memory {:.0} GB/s; use it with --profile {}",
        output.display(),
        profile.description,
        profile.gemm_tflops,
        profile.attention_tflops,
        profile.memory_gbs,
        output.display()
    );
    Ok(())
}

/// seqc-run: SEQC_RUN if set, else beside this executable, else on PATH.
fn runtime_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("SEQC_RUN").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let beside = std::env::current_exe().ok().and_then(|e| e.parent().map(|d| d.join("seqc-run"))).filter(|p| p.exists());
    beside.unwrap_or_else(|| PathBuf::from("seqc-run"))
}

/// MemAvailable from /proc/meminfo, in bytes (Linux); None elsewhere.
fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{}", message.trim_end());
            ExitCode::FAILURE
        }
    }
}
