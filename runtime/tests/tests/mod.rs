mod collectives;
mod common;
mod io;
mod kernels;
mod plans;
mod props;
mod cuda;
mod cuda_emulator;
