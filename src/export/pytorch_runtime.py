# ---------------------------------------------------------------------------------------------
# Runtime: the same in every exported file. The standard library and torch only (no safetensors
# package, no numpy).
# ---------------------------------------------------------------------------------------------
import csv
import json
import math
import struct
import sys
import types

import torch
import torch.nn.functional as F
from torch import nn

SAFETENSORS_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}
DTYPE_SIZES = {"F32": 4, "F16": 2, "BF16": 2, "F64": 8}


def read_safetensors(path, name=None):
    """Reads a safetensors file (a path, or a binary file object): ({name: float32 tensor}, {metadata key: string}).

    Layout (docs/weights-format.md): 8-byte little-endian header length N, N bytes of JSON, then
    the little-endian data; each entry's data_offsets are relative to the end of the header.
    Lengths and offsets are checked before any tensor is made.
    """
    if hasattr(path, "read"):
        raw, path = path.read(), name or "<bytes>"
    else:
        with open(path, "rb") as f:
            raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: {len(raw)} bytes is too short for a safetensors file")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError(f"{path}: header length {n} runs past the end of the file ({len(raw)} bytes)")
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    data = raw[8 + n :]
    tensors = {}
    for name, info in header.items():
        dtype = info["dtype"]
        if dtype not in SAFETENSORS_DTYPES:
            raise ValueError(f"{path}: tensor {name} has dtype {dtype}, expected one of {sorted(SAFETENSORS_DTYPES)}")
        shape = [int(d) for d in info["shape"]]
        begin, end = info["data_offsets"]
        if not (0 <= begin <= end <= len(data)) or end - begin != math.prod(shape) * DTYPE_SIZES[dtype]:
            raise ValueError(f"{path}: tensor {name} has data_offsets {[begin, end]} that do not fit shape {shape}")
        chunk = bytearray(data[begin:end])
        flat = torch.frombuffer(chunk, dtype=SAFETENSORS_DTYPES[dtype]) if chunk else torch.zeros(0)
        tensors[name] = flat.to(torch.float32).reshape(shape)
    return tensors, metadata


def write_safetensors(tensors, path, metadata=None):
    """Writes {name: tensor} as float32 safetensors that webgpu-trainer (and the safetensors package) reads.

    `path` is a file name or a binary file object.
    """
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous().reshape(-1)
        chunk = struct.pack(f"<{t.numel()}f", *t.tolist())
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(chunk)]}
        chunks.append(chunk)
        offset += len(chunk)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)
    data = struct.pack("<Q", len(text)) + text + b"".join(chunks)
    if hasattr(path, "write"):
        path.write(data)
        return
    with open(path, "wb") as f:
        f.write(data)


def avg_pool_same(x, kernel, stride, pads):
    """Average over each window's real elements only (our AveragePooling2D), for uneven padding.

    pads is (left, right, top, bottom) as F.pad takes it. Pooling the zero-padded input and a
    padded mask of ones, then dividing, gives sum(real) / count(real) per window.
    """
    total = F.avg_pool2d(F.pad(x, pads), kernel, stride)
    count = F.avg_pool2d(F.pad(torch.ones_like(x[:, :1]), pads), kernel, stride)
    return total / count


# Our tensors -> PyTorch parameters: Dense kernel [in, out] -> Linear.weight [out, in];
# Conv2D kernel HWIO [kh, kw, in, out] -> Conv2d.weight OIHW [out, in, kh, kw]; others as they are.
TO_TORCH = {"linear": lambda t: t.t(), "conv": lambda t: t.permute(3, 2, 0, 1), "same": lambda t: t}
FROM_TORCH = {"linear": lambda t: t.t(), "conv": lambda t: t.permute(2, 3, 1, 0), "same": lambda t: t}


class WebgpuTrainerModule(nn.Module):
    """Loads and saves weights named as webgpu-trainer names them (WEIGHT_MAP in the subclass)."""

    WEIGHT_MAP = ()

    def load_webgpu_trainer_weights(self, tensors):
        """Assigns every weight from {our name: tensor}; all names and shapes are checked first."""
        ours = [entry[0] for entry in self.WEIGHT_MAP]
        missing = [name for name in ours if name not in tensors]
        extra = sorted(set(tensors) - set(ours))
        if missing or extra:
            raise ValueError(f"weights do not match the model; missing: {missing}, not in the model: {extra}")
        state = self.state_dict()
        for name, param, layout in self.WEIGHT_MAP:
            value = TO_TORCH[layout](tensors[name]).to(torch.float32).contiguous()
            if tuple(value.shape) != tuple(state[param].shape):
                raise ValueError(f"{name}: shape {list(value.shape)} gives {param} {list(value.shape)}, the model has {list(state[param].shape)}")
            state[param] = value
        self.load_state_dict(state)

    def webgpu_trainer_weights(self):
        """{our name: tensor} in our layouts, for write_safetensors and the browser's loadWeights."""
        state = self.state_dict()
        return {name: FROM_TORCH[layout](state[param]).contiguous() for name, param, layout in self.WEIGHT_MAP}


def read_csv_features(path, width, target=None):
    """Rows of an already-encoded CSV (a header, then numbers) as a float32 [rows, width] tensor.

    Every column except `target` is a feature, in file order; the target column, when named, is
    returned as a float32 [rows] tensor (class indices or values) or None.
    """
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise ValueError(f"{path}: the file is empty")
    header, body = rows[0], [r for r in rows[1:] if r]
    if target is not None and target not in header:
        raise ValueError(f"{path}: no column named {target!r}; columns: {header}")
    t = header.index(target) if target is not None else None
    features = [i for i in range(len(header)) if i != t]
    if len(features) != width:
        raise ValueError(f"{path}: {len(features)} feature columns, the model takes {width}")
    x = torch.tensor([[float(r[i]) for i in features] for r in body], dtype=torch.float32)
    y = torch.tensor([float(r[t]) for r in body], dtype=torch.float32) if t is not None else None
    return x, y
