"""NumPy stand-in for the subset of torch an exported webgpu-trainer module uses (see ../README.md)."""
import contextlib

import numpy as np


class dtype:
    def __init__(self, name, np_type):
        self.name, self.np_type = name, np_type

    def __repr__(self):
        return f"torch.{self.name}"


float32 = dtype("float32", np.float64)  # computed in float64: the reference is at least as exact
float64 = dtype("float64", np.float64)
float16 = dtype("float16", np.float64)
bfloat16 = dtype("bfloat16", np.float64)
int64 = long = dtype("int64", np.int64)


def _np(v):
    return v.a if isinstance(v, Tensor) else v


class Tensor:
    def __init__(self, a):
        self.a = np.asarray(a)

    shape = property(lambda self: tuple(self.a.shape))
    dtype = property(lambda self: int64 if self.a.dtype.kind in "iub" else float32)

    def dim(self):
        return self.a.ndim

    def numel(self):
        return int(self.a.size)

    def to(self, d):
        return Tensor(self.a.astype(d.np_type))

    def float(self):
        return Tensor(self.a.astype(np.float64))

    def long(self):
        return Tensor(self.a.astype(np.int64))

    def detach(self):
        return self

    def contiguous(self):
        return Tensor(np.ascontiguousarray(self.a))

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = tuple(shape[0])
        return Tensor(self.a.reshape(shape))

    def t(self):
        assert self.a.ndim == 2, "t() expects a matrix"
        return Tensor(self.a.T)

    def permute(self, *dims):
        return Tensor(np.transpose(self.a, dims))

    def tolist(self):
        return self.a.tolist()

    def item(self):
        return self.a.item()

    def sum(self, dim=None, keepdim=False):
        return Tensor(self.a.sum(axis=dim, keepdims=keepdim))

    def mean(self, dim=None):
        return Tensor(self.a.mean(axis=dim))

    def abs(self):
        return Tensor(np.abs(self.a))

    def argmax(self, dim):
        return Tensor(self.a.argmax(axis=dim))

    def requires_grad_(self, flag=True):
        return self

    def __getitem__(self, key):
        return Tensor(self.a[key])

    def __len__(self):
        return len(self.a)

    def __add__(self, o):
        return Tensor(self.a + _np(o))

    __radd__ = __add__

    def __sub__(self, o):
        return Tensor(self.a - _np(o))

    def __rsub__(self, o):
        return Tensor(_np(o) - self.a)

    def __mul__(self, o):
        return Tensor(self.a * _np(o))

    __rmul__ = __mul__

    def __truediv__(self, o):
        return Tensor(self.a / _np(o))

    def __pow__(self, o):
        return Tensor(self.a ** _np(o))

    def __neg__(self):
        return Tensor(-self.a)

    def __eq__(self, o):
        return Tensor(self.a == _np(o))

    def __gt__(self, o):
        return Tensor(self.a > _np(o))

    __hash__ = object.__hash__


def _bfloat16(buffer):
    bits = np.frombuffer(buffer, dtype="<u2").astype(np.uint32) << 16
    return bits.view(np.float32)


def frombuffer(buffer, dtype):
    kinds = {"float32": "<f4", "float16": "<f2", "float64": "<f8"}
    a = _bfloat16(buffer) if dtype.name == "bfloat16" else np.frombuffer(buffer, dtype=kinds[dtype.name])
    return Tensor(a.astype(np.float64))


def tensor(data, dtype=float32):
    return Tensor(np.asarray(data, dtype=dtype.np_type))


def zeros(*shape):
    return Tensor(np.zeros(shape))


def ones_like(x):
    return Tensor(np.ones_like(x.a, dtype=np.float64))


def cat(tensors):
    return Tensor(np.concatenate([t.a for t in tensors]))


def flatten(x, start_dim):
    return Tensor(x.a.reshape(x.a.shape[:start_dim] + (-1,)))


def sigmoid(x):
    return Tensor(1 / (1 + np.exp(-x.a)))


def tanh(x):
    return Tensor(np.tanh(x.a))


def log(x):
    return Tensor(np.log(x.a))


def clamp(x, lo, hi):
    return Tensor(np.clip(x.a, lo, hi))


def softmax(x, dim):
    e = np.exp(x.a - x.a.max(axis=dim, keepdims=True))
    return Tensor(e / e.sum(axis=dim, keepdims=True))


def log_softmax(x, dim):
    z = x.a - x.a.max(axis=dim, keepdims=True)
    return Tensor(z - np.log(np.exp(z).sum(axis=dim, keepdims=True)))


@contextlib.contextmanager
def no_grad():
    yield


from . import nn  # noqa: E402,F401
