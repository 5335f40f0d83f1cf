#!/usr/bin/env python3
"""Writes the first N Fashion-MNIST training and first M test images as .npy files for `nngp predict`,
preprocessed as `nngp evaluate` does (each image to mean 0 and variance 1; one-hot targets minus 0.1),
so that the distributed benchmark compares per-point means and variances. Standard library only.

usage: export-fashion.py N M OUTDIR   (reads /usr/share/datasets/fashion-mnist)"""
import gzip, math, struct, sys

def images(path, count):
    with gzip.open(path, 'rb') as f:
        _, n, rows, cols = struct.unpack('>IIII', f.read(16))
        d = rows * cols
        return [list(f.read(d)) for _ in range(min(count, n))], d

def labels(path, count):
    with gzip.open(path, 'rb') as f:
        _, n = struct.unpack('>II', f.read(8))
        return list(f.read(min(count, n)))

def standardised(row):
    mean = sum(row) / len(row)
    var = sum((v - mean) ** 2 for v in row) / len(row)
    scale = 1 / math.sqrt(var) if var > 0 else 1
    return [(v - mean) * scale for v in row]

def save(path, rows):
    shape = f"({len(rows)}, {len(rows[0])})"
    header = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}"
    header += ' ' * (63 - (10 + len(header)) % 64) + '\n'
    with open(path, 'wb') as f:
        f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(header)) + header.encode())
        for row in rows:
            f.write(struct.pack(f'<{len(row)}d', *row))

n, m, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
root = '/usr/share/datasets/fashion-mnist'
for name, prefix, count in (('train', 'train', n), ('test', 't10k', m)):
    x, _ = images(f'{root}/{prefix}-images-idx3-ubyte.gz', count)
    y = labels(f'{root}/{prefix}-labels-idx1-ubyte.gz', count)
    save(f'{out}/{name}-x.npy', [standardised(r) for r in x])
    save(f'{out}/{name}-y.npy', [[0.9 if c == label else -0.1 for c in range(10)] for label in y])
