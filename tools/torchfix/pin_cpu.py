"""Imported by every fixture generator before torch: pins the CPU kernels torch, oneDNN and OpenBLAS
choose, so that a generator writes the same bytes on any x86-64 machine with AVX2. Without it, an
AVX-512 machine (this project's VMs are AMD EPYC or Intel Xeon, drawn by chance) takes other kernel
paths, and matmul-family results move by one float32 ulp: the fixtures would look stale on one
machine and fresh on the other (tools/check-fixtures-fresh.sh). These are read when the libraries
load, so this must run before `import torch`.
"""
import os

PINNED = {
    "ATEN_CPU_CAPABILITY": "avx2",  # torch's own vectorized kernels
    "DNNL_MAX_CPU_ISA": "AVX2",  # oneDNN (MKL-DNN), which runs some convolutions and matmuls
    "OPENBLAS_CORETYPE": "Haswell",  # OpenBLAS's GEMM kernels (they differ between Zen, Haswell, SkylakeX)
}
os.environ.update(PINNED)
