"""Runs a model saved by webgpu-trainer in NumPy, from the file alone, to check the file's conventions.

  python3 model_reference.py MODEL.safetensors INPUT.json   prints {"names", "shapes", "predictions"}

INPUT.json is {"shape": [...], "data": [...]} (batch first, NHWC images). The architecture comes
from the `model_config` metadata (json.loads of a string), the weights from the tensors, read with
the independent reader in safetensors_reference.py. Layouts as docs/weights-format.md states them:
Dense kernel [in, out], Conv2D kernel [kh, kw, in, out] (HWIO), BatchNormalization over the last
axis with gamma, beta, moving_mean, moving_variance. Inference only (Dropout is the identity).
Computed in float64; the caller compares with a tolerance.
"""
import json
import math
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_reference import DTYPES  # noqa: E402


def load(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n :]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[begin:end], dtype=DTYPES[info["dtype"]]).astype(np.float64)
        tensors[name] = arr.reshape(info["shape"])
    return metadata, tensors


ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "leakyRelu": lambda x: np.where(x > 0, x, 0.2 * x),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "softmax": lambda x: softmax(x, -1),
}


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def windows(x, kernel, strides, padding, fill):
    """NHWC patches [batch, outH, outW, kh, kw, channels], padded as TensorFlow pads ('same': extra at the end)."""
    (kh, kw), (sh, sw) = kernel, strides
    _, h, w, _ = x.shape
    if padding == "same":
        oh, ow = math.ceil(h / sh), math.ceil(w / sw)
        ph, pw = max((oh - 1) * sh + kh - h, 0), max((ow - 1) * sw + kw - w, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)), constant_values=fill)
    else:
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.empty((x.shape[0], oh, ow, kh, kw, x.shape[3]))
    for i in range(oh):
        for j in range(ow):
            out[:, i, j] = x[:, i * sh : i * sh + kh, j * sw : j * sw + kw, :]
    return out


def run_layer(kind, config, name, weights, x):
    w = lambda key: weights[f"{name}.{key}"]  # noqa: E731
    act = ACTIVATIONS[config.get("activation", "linear")]
    if kind == "Dense":
        y = x @ w("kernel")
        return act(y + w("bias") if config.get("useBias", True) else y)
    if kind == "Conv2D":
        k = pair(config["kernelSize"])
        patches = windows(x, k, pair(config.get("strides", 1)), config.get("padding", "valid"), 0.0)
        y = np.tensordot(patches, w("kernel"), axes=([3, 4, 5], [0, 1, 2]))
        return act(y + w("bias") if config.get("useBias", True) else y)
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        size = pair(config.get("poolSize", 2))
        fill = -np.inf if kind == "MaxPooling2D" else np.nan
        patches = windows(x, size, pair(config.get("strides", size)), config.get("padding", "valid"), fill)
        return patches.max(axis=(3, 4)) if kind == "MaxPooling2D" else np.nanmean(patches, axis=(3, 4))
    if kind == "BatchNormalization":
        assert config.get("axis", -1) in (-1, x.ndim - 1), "the reference handles the last axis only"
        y = (x - w("moving_mean")) / np.sqrt(w("moving_variance") + config.get("epsilon", 1e-3))
        if config.get("scale", True):
            y = y * w("gamma")
        return y + w("beta") if config.get("center", True) else y
    if kind == "Flatten":
        return x.reshape(x.shape[0], -1)
    if kind == "Reshape":
        return x.reshape([x.shape[0], *config["targetShape"]])
    if kind == "Dropout":
        return x
    if kind == "Activation":
        return act(x)
    if kind == "Softmax":
        return softmax(x, config.get("axis", -1))
    raise ValueError(f"layer class {kind} is not in this reference")


def main(model_path, input_path):
    metadata, weights = load(model_path)
    config = json.loads(metadata["model_config"])
    sample = json.load(open(input_path))
    x = np.array(sample["data"], dtype=np.float64).reshape(sample["shape"])
    for layer in config["layers"]:
        x = run_layer(layer["className"], layer["config"], layer["config"]["name"], weights, x)
    print(
        json.dumps(
            {
                "names": sorted(weights),
                "shapes": {k: list(v.shape) for k, v in weights.items()},
                "predictions": x.ravel().tolist(),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
