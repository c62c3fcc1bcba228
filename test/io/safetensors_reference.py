"""An independent safetensors reader and writer (standard library + numpy only) for cross-checks.

The Python `safetensors` package cannot be installed here, so this script re-implements the format
from its specification, following the reference Rust writer's layout: tensors sorted by dtype
(descending, in the Rust enum order) then by name, compact JSON with `__metadata__` first, header
padded with spaces to a multiple of 8 bytes.

  python3 safetensors_reference.py read FILE    prints a JSON summary of FILE
  python3 safetensors_reference.py write FILE   writes the mixed-dtype fixture
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F16": np.dtype("<f2"), "F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "BF16": np.dtype("<u2")}
RUST_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]


def read(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = raw[8 + n :]
    out = {"header_length": n, "metadata": header.pop("__metadata__", None), "tensors": {}}
    end = 0
    for name, info in header.items():
        begin, stop = info["data_offsets"]
        arr = np.frombuffer(data[begin:stop], dtype=DTYPES[info["dtype"]])
        if info["dtype"] == "BF16":
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        arr = arr.astype(np.float64).reshape(info["shape"])
        out["tensors"][name] = {"dtype": info["dtype"], "shape": info["shape"], "values": arr.ravel().tolist()}
        end = max(end, stop)
    assert end == len(data), "data section not fully covered"
    print(json.dumps(out))


def bf16(values):
    return (np.array(values, dtype="<f4").view(np.uint32) >> 16).astype("<u2")


FIXTURE = {
    "dense_1.kernel": ("F32", [2, 3], np.array([0.5, -1, 2, 3.25, -0.125, 0.001], dtype="<f4")),
    "dense_1.bias": ("F32", [3], np.array([0.1, 0.2, 0.3], dtype="<f4")),
    "scalar": ("F32", [], np.array([42], dtype="<f4")),
    "empty": ("F32", [0, 3], np.zeros([0], dtype="<f4")),
    "half": ("F16", [4], np.array([1, -2, 65504, 2.0**-24], dtype="<f2")),
    "brain": ("BF16", [2, 2], bf16([1, -2, 3.140625, 0.015625])),
    "double": ("F64", [2], np.array([0.1, -7.5], dtype="<f8")),
}


def write(path):
    items = sorted(FIXTURE.items(), key=lambda kv: (-RUST_ORDER.index(kv[1][0]), kv[0].encode("utf-8")))
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, (dtype, shape, arr) in items:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + arr.nbytes]}
        offset += arr.nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(arr.tobytes() for _, (_, _, arr) in items))


if __name__ == "__main__":
    {"read": read, "write": write}[sys.argv[1]](sys.argv[2])
