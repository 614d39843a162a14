#!/usr/bin/env bash
# Here (development machine, repository root): seqc-run built from an earlier commit, as
# .device/seqc-run-base, for train_loop.sh's part `base` (before and after in one device call).
#   bash bench/cuda/build_base.sh REV        (e.g. 6f17e97)
set -eu
REV=${1:?usage: bash bench/cuda/build_base.sh REV}
WT=$(mktemp -d)/base
git worktree add -f "$WT" "$REV" -q
(cd "$WT" && CARGO_TARGET_DIR=${CARGO_TARGET_DIR_BASE:-/tmp/cuda-target-base} cargo build -q --release -p seq-runtime --bin seqc-run)
mkdir -p .device
cp "${CARGO_TARGET_DIR_BASE:-/tmp/cuda-target-base}/release/seqc-run" .device/seqc-run-base
git worktree remove --force "$WT"
echo "built .device/seqc-run-base from $(git rev-parse --short "$REV")"
