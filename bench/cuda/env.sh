# Sourced by the device scripts: the GPU machine's environment for seqc-run.
# NVLink multicast stays off (it can take a shared machine's GPUs out of service).
export NCCL_NVLS_ENABLE=0
# Compiled NVRTC kernels are cached here across runs of one job.
export SEQC_KERNEL_CACHE=${SEQC_KERNEL_CACHE:-/tmp/seqc-kernel-cache}
# cudarc dlopens libnvrtc/libcublasLt by name: make the toolkit's own copies findable.
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/targets/x86_64-linux/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
BIN=.device/seqc-run
# job_start NAME DEFAULT_BUDGET: the work folder $W=$OUT/NAME, its summary $S (UTC date, GPU),
# the job's clock (left: seconds of $SEQC_JOB_BUDGET, else the default, still to go), and the
# PyTorch that torchrun belongs to ($TORCHRUN, $PY).
job_start() {
  W=$OUT/$1
  BUDGET=${SEQC_JOB_BUDGET:-$2}
  mkdir -p "$W"
  S=$W/summary.txt
  { date -u; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1; } > "$S"
  t0=$SECONDS
  TORCHRUN=${TORCHRUN:-$(command -v torchrun || echo /opt/torch/.venv/bin/torchrun)}
  PY=$(dirname "$TORCHRUN")/python3; [ -x "$PY" ] || PY=python3
}
left() { echo $((BUDGET - (SECONDS - t0))); }
