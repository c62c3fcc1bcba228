"""torch.nn.functional in NumPy: the functions an exported module calls (PyTorch semantics)."""
import numpy as np

from .. import Tensor


def relu(x):
    return Tensor(np.maximum(x.a, 0))


def leaky_relu(x, negative_slope=0.01):
    return Tensor(np.where(x.a > 0, x.a, negative_slope * x.a))


def elu(x, alpha=1.0):
    return Tensor(np.where(x.a > 0, x.a, alpha * np.expm1(np.minimum(x.a, 0))))


def pad(x, pads, value=0.0):
    """pads = (left, right, top, bottom): the last axis first, as F.pad takes them."""
    widths = [(0, 0)] * x.a.ndim
    for i in range(len(pads) // 2):
        widths[x.a.ndim - 1 - i] = (pads[2 * i], pads[2 * i + 1])
    return Tensor(np.pad(x.a, widths, constant_values=value))


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def windows(a, kernel, stride):
    """NCHW patches [n, c, out_h, out_w, kh, kw] of an already padded input (floor mode)."""
    (kh, kw), (sh, sw) = _pair(kernel), _pair(stride)
    n, c, h, w = a.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.empty((n, c, oh, ow, kh, kw), dtype=a.dtype)
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = a[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
    return out


def avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    ph, pw = _pair(padding)
    stride = kernel_size if stride is None else stride
    a = np.pad(x.a, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    total = windows(a, kernel_size, stride).sum(axis=(4, 5))
    if count_include_pad:
        kh, kw = _pair(kernel_size)
        return Tensor(total / (kh * kw))
    mask = np.pad(np.ones((1, 1) + x.a.shape[2:]), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    return Tensor(total / windows(mask, kernel_size, stride).sum(axis=(4, 5)))


def max_pool2d(x, kernel_size, stride=None, padding=0):
    ph, pw = _pair(padding)
    kh, kw = _pair(kernel_size)
    assert ph <= kh // 2 and pw <= kw // 2, "pad should be at most half of the kernel size"
    stride = kernel_size if stride is None else stride
    a = np.pad(x.a, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    return Tensor(windows(a, kernel_size, stride).max(axis=(4, 5)))


def conv2d(x, weight, bias, stride, padding):
    ph, pw = _pair(padding)
    _, _, kh, kw = weight.a.shape
    a = np.pad(x.a, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    patches = windows(a, (kh, kw), stride)  # [n, c, oh, ow, kh, kw]
    y = np.einsum("ncijhw,ochw->noij", patches, weight.a)
    return Tensor(y if bias is None else y + bias.a[None, :, None, None])


def one_hot(labels, classes):
    return Tensor(np.eye(classes, dtype=np.int64)[labels.a])


def binary_cross_entropy_with_logits(z, y, reduction="none"):
    assert reduction == "none"
    return Tensor(np.maximum(z.a, 0) - z.a * y.a + np.log1p(np.exp(-np.abs(z.a))))


def huber_loss(p, y, reduction="none", delta=1.0):
    assert reduction == "none"
    e = np.abs(p.a - y.a)
    return Tensor(np.where(e < delta, 0.5 * e * e, delta * (e - 0.5 * delta)))
