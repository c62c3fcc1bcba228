"""torch.nn in NumPy: Module with parameters, buffers and state dicts, and the layers an exported
module builds. Inference only: a module in training mode refuses to run."""
from collections import OrderedDict

import numpy as np

from .. import Tensor
from . import functional as F


class Parameter(Tensor):
    def __init__(self, a):
        super().__init__(np.asarray(a, dtype=np.float64))


class Module:
    def __init__(self):
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_params", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if isinstance(value, Module):
            self._modules[name] = value
        elif isinstance(value, Parameter):
            self._params[name] = value
        object.__setattr__(self, name, value)

    def register_buffer(self, name, value):
        self._buffers[name] = value
        object.__setattr__(self, name, value)

    def __call__(self, *args):
        return self.forward(*args)

    def eval(self):
        return self.train(False)

    def train(self, mode=True):
        object.__setattr__(self, "training", mode)
        for m in self._modules.values():
            m.train(mode)
        return self

    def state_dict(self, prefix=""):
        out = OrderedDict()
        for k, v in list(self._params.items()) + list(self._buffers.items()):
            out[prefix + k] = Tensor(v.a.copy())
        for name, m in self._modules.items():
            out.update(m.state_dict(prefix + name + "."))
        return out

    def load_state_dict(self, state):
        """strict=True: the keys must be exactly the module's, each with the module's shape."""
        own = self.state_dict()
        if set(own) != set(state):
            raise RuntimeError(f"Error(s) in loading state_dict: missing {set(own) - set(state)}, unexpected {set(state) - set(own)}")
        for key, value in state.items():
            if value.shape != own[key].shape:
                raise RuntimeError(f"size mismatch for {key}: copying a param with shape {value.shape}, the model has {own[key].shape}")
            *path, leaf = key.split(".")
            m = self
            for p in path:
                m = m._modules[p]
            target = m._params if leaf in m._params else m._buffers
            target[leaf].a = np.array(value.a, dtype=target[leaf].a.dtype)

    def parameters(self):
        yield from self._params.values()
        for m in self._modules.values():
            yield from m.parameters()

    def _inference_only(self):
        if self.training:
            raise RuntimeError(f"{type(self).__name__}: the NumPy stand-in runs modules in eval() mode only")


class Linear(Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.weight = Parameter(np.zeros((out_features, in_features)))
        self.bias = Parameter(np.zeros(out_features)) if bias else None

    def forward(self, x):
        y = x.a @ self.weight.a.T
        return Tensor(y if self.bias is None else y + self.bias.a)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


class Conv2d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        kh, kw = _pair(kernel_size)
        self.stride, self.padding = _pair(stride), _pair(padding)
        self.weight = Parameter(np.zeros((out_channels, in_channels, kh, kw)))
        self.bias = Parameter(np.zeros(out_channels)) if bias else None

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)


class MaxPool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0, count_include_pad=True):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.count_include_pad = count_include_pad

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.count_include_pad)


class _BatchNorm(Module):
    rank = None

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        if affine:
            self.weight = Parameter(np.ones(num_features))
            self.bias = Parameter(np.zeros(num_features))
        else:
            self.weight = self.bias = None
        self.register_buffer("running_mean", Tensor(np.zeros(num_features)))
        self.register_buffer("running_var", Tensor(np.ones(num_features)))
        self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))

    def forward(self, x):
        self._inference_only()
        if x.a.ndim not in self.ranks:
            raise ValueError(f"{type(self).__name__}: expected {self.ranks}-D input, received {x.a.ndim}-D")
        shape = (1, -1) + (1,) * (x.a.ndim - 2)
        y = (x.a - self.running_mean.a.reshape(shape)) / np.sqrt(self.running_var.a.reshape(shape) + self.eps)
        if self.weight is not None:
            y = y * self.weight.a.reshape(shape) + self.bias.a.reshape(shape)
        return Tensor(y)


class BatchNorm1d(_BatchNorm):
    ranks = (2, 3)


class BatchNorm2d(_BatchNorm):
    ranks = (4,)


class BatchNorm3d(_BatchNorm):
    ranks = (5,)


class Dropout(Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        self._inference_only()
        return x
