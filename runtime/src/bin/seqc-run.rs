//! seqc-run: the runtime binary for GPU machines (no MLIR). Work in progress: see runtime/src/cuda.
fn main() -> std::process::ExitCode {
    eprintln!("seqc-run: the CUDA backend is not built yet");
    std::process::ExitCode::FAILURE
}
