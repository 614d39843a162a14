# Sourced by the device scripts: the GPU machine's environment for seqc-run.
# NVLink multicast stays off (it can take a shared machine's GPUs out of service).
export NCCL_NVLS_ENABLE=0
# Compiled NVRTC kernels are cached here across runs of one job.
export SEQC_KERNEL_CACHE=${SEQC_KERNEL_CACHE:-/tmp/seqc-kernel-cache}
# cudarc dlopens libnvrtc/libcublasLt by name: make the toolkit's own copies findable.
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/targets/x86_64-linux/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
BIN=.device/seqc-run
