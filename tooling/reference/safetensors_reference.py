"""Reference safetensors files for @gated/lstm's reader and writer tests.

The `safetensors` package cannot be installed here (no PyPI access), so this script writes the
bytes with a small writer that follows the format specification and the reference
implementation's `serialize` exactly (safetensors/src/tensor.rs, `prepare` and `Metadata`):

- tensors are ordered by dtype, widest first (the order of the Rust `Dtype` enum, descending),
  then by name (bytewise);
- the header is compact JSON: `__metadata__` first (if any), then each tensor as
  {"dtype", "shape", "data_offsets": [begin, end]} in that order, offsets relative to the data;
- the header is padded with spaces to a multiple of 8 bytes, and preceded by its length as an
  unsigned little-endian 64-bit integer;
- the data is every tensor's little-endian, row-major bytes, back to back.

The tensor values come from PyTorch (a real nn.LSTM state dict among them), converted to bytes
with PyTorch/numpy. Writes packages/lstm/test/fixtures/safetensors-reference.json: each case has
its tensors (dtype, shape, values) and the file's bytes in base64.

Run with Debian's /usr/bin/python3 (python3-torch); deterministic.
"""

import base64
import json
import os
import struct

import numpy as np
import torch

from common import ROOT, setup

OUT = os.path.join(ROOT, "packages", "lstm", "test", "fixtures", "safetensors-reference.json")

# The Rust Dtype enum order (safetensors 0.4): wider types later; the writer sorts descending.
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
TORCH_DTYPES = {
    torch.bool: "BOOL",
    torch.uint8: "U8",
    torch.int8: "I8",
    torch.int16: "I16",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int32: "I32",
    torch.float32: "F32",
    torch.float64: "F64",
    torch.int64: "I64",
}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        # numpy has no bfloat16: take the 16-bit patterns.
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def serialize(tensors, metadata=None):
    """`safetensors.torch.save(tensors, metadata)`, written from the specification."""
    entries = sorted(tensors.items(), key=lambda kv: kv[0].encode("utf-8"))
    entries.sort(key=lambda kv: DTYPE_ORDER.index(TORCH_DTYPES[kv[1].dtype]), reverse=True)
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    data = b""
    for name, t in entries:
        raw = tensor_bytes(t)
        header[name] = {"dtype": TORCH_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def values(t):
    if t.dtype == torch.bool:
        return t.to(torch.int32).flatten().tolist()
    return t.to(torch.float64).flatten().tolist()


def case(name, tensors, metadata, writable):
    return {
        "name": name,
        "metadata": metadata,
        # Whether @gated/lstm's writer must reproduce the bytes (only float32, int32 and bool tensors).
        "writable": writable,
        "tensors": {k: {"dtype": TORCH_DTYPES[t.dtype], "shape": list(t.shape), "values": values(t)} for k, t in tensors.items()},
        "bytes_base64": base64.b64encode(serialize(tensors, metadata)).decode("ascii"),
    }


def main():
    setup()
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    state = {k: v.detach().clone() for k, v in lstm.state_dict().items()}
    mixed = {
        "zeta": torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4,
        "alpha": torch.tensor([[1, -2], [3, 2147483647]], dtype=torch.int32),
        "mask": torch.tensor([True, False, True]),
        "scalar": torch.tensor(0.5),
        "empty": torch.zeros(0, 3),
        "Beta": torch.tensor([-1.5], dtype=torch.float32),
    }
    converted = {
        "double": torch.tensor([0.1, -2.5, 1e-3], dtype=torch.float64),
        "half": torch.tensor([1.5, -0.000061035156, 65504.0, 0.333], dtype=torch.float16),
        "brain": torch.tensor([1.0, -3.140625, 1e30], dtype=torch.bfloat16),
        "long": torch.tensor([[-5, 7], [2147483647, -2147483648]], dtype=torch.int64),
        "bytes": torch.tensor([0, 200, 255], dtype=torch.uint8),
        "signed": torch.tensor([-128, 5], dtype=torch.int8),
        "short": torch.tensor([-32768, 1234], dtype=torch.int16),
        "float": torch.tensor([2.0], dtype=torch.float32),
    }
    cases = [
        case("lstm_state_dict", state, {"format": "pt"}, True),
        case("mixed_dtypes_and_names", mixed, None, True),
        case("empty", {}, None, True),
        case("converted_dtypes", converted, {"source": "gated reference"}, False),
    ]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"generator": "tooling/reference/safetensors_reference.py", "torch": torch.__version__, "cases": cases}, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT, ROOT)} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
