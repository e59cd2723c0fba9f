"""Tiny reader for gzip-compressed IDX files (the MNIST / Fashion-MNIST format).

IDX layout: 2 zero bytes, a type byte (0x08 = uint8), a rank byte, then `rank` big-endian
uint32 dimensions, then the data in row-major order.
"""
import gzip
import os

import numpy as np

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx_gz(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an uint8 IDX file (magic {raw[:4].hex()})")
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    offset = 4 + 4 * rank
    count = int(np.prod(dims))
    if len(raw) - offset != count:
        raise ValueError(f"{path}: expected {count} bytes of data for shape {dims}, got {len(raw) - offset}")
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(dims)


def load_fashion_mnist_train(directory=FASHION_MNIST_DIR):
    """Returns (x float32 [60000, 784] scaled to [0, 1], y int64 [60000])."""
    images = read_idx_gz(os.path.join(directory, "train-images-idx3-ubyte.gz"))
    labels = read_idx_gz(os.path.join(directory, "train-labels-idx1-ubyte.gz"))
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"images ({images.shape[0]}) and labels ({labels.shape[0]}) differ in count")
    x = images.reshape(images.shape[0], -1).astype(np.float32) / np.float32(255.0)
    return x, labels.astype(np.int64)
