#!/bin/sh
# Builds the kernels' PTX from src/main/cuda/vigil_stats.cu into the classpath resource that CudaStats loads.
# The PTX is committed: the Java build needs no CUDA toolkit, and PtxUpToDateTest fails when it is stale.
#
#   kernels/build-ptx.sh [OUTPUT.ptx]      (default: the committed resource)
#
# compute_75: CUDA 13 dropped older GPUs; the driver JITs this PTX for the GPU it runs on (T4, A100, L4, H100...).
# The PTX ISA version follows the nvcc that builds it (nvcc 13.0 writes .version 9.0, which needs a driver for CUDA
# 13.0 or later: 580+).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/src/main/resources/io/vigil/kernels/cuda/vigil_stats.ptx"}
nvcc=${NVCC:-nvcc}
if ! command -v "$nvcc" >/dev/null 2>&1 && [ -x /usr/local/bin/nvcc ]; then
    nvcc=/usr/local/bin/nvcc
fi
mkdir -p "$(dirname "$out")"
exec "$nvcc" -ptx -arch=compute_75 -O3 -o "$out" "$here/src/main/cuda/vigil_stats.cu"
