# Sourced by the prepare scripts (development machine, repository root, no GPU): SEQC and SHARED
# name the compiler and ../shared; `prepare_start DIR` builds seqc (debug) and seqc-run (release,
# CARGO_TARGET_DIR, default /tmp/cuda-target), copies seqc-run into .device/ and empties DIR ($D).
SEQC=${SEQC:-./target/debug/seqc}
SHARED=${SEQC_SHARED:-../shared}
prepare_start() {
  D=$1
  cargo build -q -p seqc --bin seqc
  CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/cuda-target} cargo build -q --release -p seq-runtime --bin seqc-run
  rm -rf "$D"; mkdir -p "$D"
  cp "${CARGO_TARGET_DIR:-/tmp/cuda-target}/release/seqc-run" .device/seqc-run
}
