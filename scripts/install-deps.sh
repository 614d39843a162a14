#!/usr/bin/env bash
# Installs what seqc needs on Debian 12 (as root, or with sudo): LLVM/MLIR 22 from Debian's own
# archive. Installs nothing that is already there; prints what it does.
set -euo pipefail

packages=(llvm-22-dev libmlir-22-dev mlir-22-tools libclang-22-dev libpolly-22-dev
          zlib1g-dev libzstd-dev libz3-dev libxml2-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "seqc: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "seqc: cargo not found: install a Rust toolchain (1.90 or newer) first" >&2
  exit 1
fi
[ -x /usr/lib/llvm-22/bin/llvm-config ] || { echo "seqc: /usr/lib/llvm-22/bin/llvm-config missing after install" >&2; exit 1; }
