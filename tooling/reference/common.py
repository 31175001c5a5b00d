"""Shared helpers for the reference generators (run them with Debian's /usr/bin/python3).

Numbers are written as JSON numbers: a float32 value is written as the repr of the Python float
holding it exactly (e.g. 0.10000000149011612), so Math.fround(JSON value) is the float32 value
bit for bit; float64 values are written with Python's shortest round-trip repr.
"""

import json
import os

import numpy as np
import torch

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIXTURES = os.path.join(ROOT, "packages", "backend-conformance", "fixtures")


def setup():
    """Single-threaded, deterministic torch."""
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)


def _array(x):
    if torch.is_tensor(x):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def f32(x):
    """A float32 tensor/array/scalar as nested lists of Python floats (exact float32 values)."""
    a = _array(x)
    if a.dtype != np.float32:
        raise TypeError(f"expected float32, got {a.dtype}")
    return a.astype(np.float64).tolist()


def f64(x):
    """A float64 tensor/array/scalar as nested lists of Python floats."""
    a = _array(x)
    if a.dtype != np.float64:
        raise TypeError(f"expected float64, got {a.dtype}")
    return a.tolist()


def max_abs(a, b):
    """Largest |a - b| over two tensors (computed in float64)."""
    return float(np.abs(_array(a).astype(np.float64) - _array(b).astype(np.float64)).max(initial=0.0))


def _compact(obj):
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)


def _expandable(obj):
    if isinstance(obj, dict):
        return True
    return isinstance(obj, list) and any(isinstance(v, dict) for v in obj)


def dumps(obj, expand_depth=3, _indent=0):
    """Compact but readable: dicts (and lists of dicts) are spread one entry per line down to
    `expand_depth` levels; everything below, and every numeric array, stays on one line."""
    if expand_depth <= 0 or not _expandable(obj):
        return _compact(obj)
    pad = " " * (_indent + 1)
    if isinstance(obj, dict):
        items = [f"{pad}{json.dumps(k)}:{dumps(v, expand_depth - 1, _indent + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * _indent + "}"
    items = [f"{pad}{dumps(v, expand_depth - 1, _indent + 1)}" for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + " " * _indent + "]"


def write_json(relpath, obj, expand_depth=3, compact=False):
    path = os.path.join(FIXTURES, relpath)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = _compact(obj) if compact else dumps(obj, expand_depth) + "\n"
    with open(path, "w", encoding="ascii", newline="\n") as fh:
        fh.write(text)
    print(f"wrote {os.path.relpath(path, ROOT)} ({len(text.encode())} bytes)")
    return path
