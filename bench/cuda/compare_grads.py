#!/usr/bin/env python3
"""Compares a training step's loss and gradients written by `seqc-run --output X.safetensors`
with PyTorch's (../shared/models/M/grads.safetensors, train_ref.json): per tensor, the largest
|seqc - torch| over the largest |torch|. Usage: compare_grads.py OUT.safetensors MODEL_DIR"""
import json, sys
import numpy as np
from safetensors.numpy import load_file

got, model = load_file(sys.argv[1]), sys.argv[2]
ref = load_file(f"{model}/grads.safetensors")
loss = json.load(open(f"{model}/train_ref.json"))["loss"]
rows = [("loss", abs(float(got["loss"][0]) - loss) / abs(loss))]
for name, want in ref.items():
    if name in got:
        rows.append((name, float(np.abs(got[name].reshape(want.shape) - want).max() / max(np.abs(want).max(), 1e-30))))
missing = [n for n in ref if n not in got]
worst = max(rows, key=lambda r: r[1])
print(f"{sys.argv[1]}: loss {float(got['loss'][0]):.6f} vs torch {loss:.6f}; {len(rows) - 1} gradients compared, "
      f"{len(missing)} in another layout; worst {worst[0]} {worst[1]:.2e}")
