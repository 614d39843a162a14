//! The `seqc` command line.

use clap::{Parser, Subcommand, ValueEnum};
use seq_ir::{PrintOptions, print_graph};
use seq_passes::{pipeline, registry};
use seqc::{CompileOptions, Error, Source};
use std::{path::PathBuf, process::ExitCode};

#[derive(Parser)]
#[command(
    name = "seqc",
    version,
    about = "Split long-context transformers across GPUs along the sequence",
    long_about = "seqc reads a transformer written in the `seq` MLIR dialect, verifies it, and compiles it \
for N devices: it chooses how each attention layer splits the sequence, inserts the collectives, and \
emits a per-rank program and a plan for the runtime.\n\nExamples:\n  seqc compile examples/llama3-8b.mlir --devices 8\n  seqc verify model.mlir\n  seqc opt model.mlir --pass seq-fuse-swiglu --pass seq-dce"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Emit {
    /// The human table on stdout.
    Report,
    /// The compiled program (seq dialect) on stdout.
    Ir,
    /// The report as JSON on stdout.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Verify and compile a model for N devices; print the report.
    Compile {
        /// A model in the seq dialect (.mlir).
        file: PathBuf,
        /// How many devices to split across (at least 1).
        #[arg(long, short = 'n', value_name = "N", value_parser = parse_devices)]
        devices: usize,
        /// Write program.mlir and report.json into this folder.
        #[arg(long, short = 'o', value_name = "DIR")]
        output: Option<PathBuf>,
        /// What to print on stdout.
        #[arg(long, value_enum, default_value = "report")]
        emit: Emit,
        /// Dump the IR before and after every pass into this folder (00-input.mlir, 01-...).
        #[arg(long, value_name = "DIR")]
        dump_ir: Option<PathBuf>,
    },
    /// Check a model: syntax, dialect, shapes, head counts. Exit 1 with located errors if wrong.
    Verify {
        file: PathBuf,
    },
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
        /// Print `loc(...)` after each op.
        #[arg(long)]
        print_locations: bool,
        /// Dump the IR before and after every pass into this folder.
        #[arg(long, value_name = "DIR")]
        dump_ir: Option<PathBuf>,
    },
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

fn run(cli: Cli) -> Result<(), String> {
    let err = |e: Error| e.to_string();
    match cli.command {
        Command::Compile { file, devices, output, emit, dump_ir } => {
            let opts = CompileOptions { devices, dump_dir: dump_ir, ..Default::default() };
            let compiled = seqc::compile(&Source::File(file), &opts).map_err(err)?;
            let report = compiled.report();
            let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
            let ir = print_graph(&compiled.program, PrintOptions::default());
            if let Some(dir) = output {
                std::fs::create_dir_all(&dir).map_err(|e| format!("error: cannot create '{}': {e}", dir.display()))?;
                write(&dir.join("program.mlir"), &ir)?;
                write(&dir.join("report.json"), &json)?;
            }
            match emit {
                Emit::Report => print!("{}", report.table()),
                Emit::Ir => print!("{ir}"),
                Emit::Json => println!("{json}"),
            }
        }
        Command::Verify { file } => {
            let g = seqc::load(&Source::File(file.clone())).map_err(err)?;
            println!("{}: ok ({} ops)", file.display(), g.body.len());
        }
        Command::Opt { file, passes, list_passes, print_locations, dump_ir } => {
            if list_passes {
                for p in registry::all() {
                    println!("{:<24} {}", p.name(), p.summary());
                }
                return Ok(());
            }
            let Some(file) = file else { return Err("error: no input file".into()) };
            let mut g = seqc::load(&Source::File(file)).map_err(err)?;
            let passes = passes.iter().map(|n| registry::lookup(n)).collect::<Result<Vec<_>, _>>().map_err(|e| format!("error: {e}"))?;
            let popts = pipeline::PipelineOptions { verify_each: true, dump_dir: dump_ir };
            pipeline::run(&mut g, &passes, &popts).map_err(|e| format!("error: {e}"))?;
            print!("{}", print_graph(&g, PrintOptions { locations: print_locations }));
        }
    }
    Ok(())
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
