# ---------------------------------------------------------------------------------------------
# Training as the browser trains: its random generator (shuffle order, Dropout masks), its
# BatchNormalization (biased batch variance, Keras momentum), its optimizers' exact update rules
# and learning-rate schedules, its losses with class weights, and its metrics. Each function names
# the TypeScript it mirrors (src/graph/random.ts, src/nn/...).
# ---------------------------------------------------------------------------------------------
M32 = 0xFFFFFFFF


def hash32(x):
    """random.ts hash32 (lowbias32) on a Python int or an int64 tensor, in exact u32 arithmetic."""
    if isinstance(x, int):
        x = (x ^ (x >> 16)) & M32
        x = (x * 0x7FEB352D) & M32
        x = (x ^ (x >> 15)) & M32
        x = (x * 0x846CA68B) & M32
        return (x ^ (x >> 16)) & M32
    x = (x ^ (x >> 16)) & M32
    x = _mul32(x, 0x7FEB352D)
    x = (x ^ (x >> 15)) & M32
    x = _mul32(x, 0x846CA68B)
    return (x ^ (x >> 16)) & M32


def _mul32(x, c):
    """(x * c) mod 2**32 for u32 x in int64 without overflow: c split into 16-bit halves."""
    return (x * (c & 0xFFFF) + (((x * (c >> 16)) & 0xFFFF) << 16)) & M32


def stream_key(seed, stream):
    return hash32((hash32(seed & M32) ^ (((stream & M32) * 0x9E3779B9) & M32)) & M32)


def random_bits(key, index):
    """random.ts randomBits for an int64 tensor of element indices."""
    return hash32((hash32((index ^ key) & M32) + key) & M32)


def hash_string(s):
    """layer.ts hashString: FNV-1a over UTF-16 code units."""
    h = 0x811C9DC5
    units = struct.unpack(f"<{len(s.encode('utf-16-le')) // 2}H", s.encode("utf-16-le"))
    for u in units:
        h = ((h ^ u) * 0x01000193) & M32
    return h


def permutation(seed, n):
    """Random(seed).permutation(n): Fisher-Yates with the generator's uniforms, as fit shuffles."""
    key = stream_key(seed, 0x5EED)
    p = list(range(n))
    if n < 2:
        return p
    bits = random_bits(key, torch.arange(n - 1, dtype=torch.int64)).to(torch.float64) / 2**32
    bound = torch.arange(n, 1, -1, dtype=torch.float64)
    js = torch.floor(bits * bound).to(torch.int64).tolist()
    for step, i in enumerate(range(n - 1, 0, -1)):
        j = js[step]
        p[i], p[j] = p[j], p[i]
    return p


# What the Dropout masks of the step being trained derive from; None outside train().
TRAIN_CONTEXT = {"active": False, "seed": 0, "step": 0, "rows": None}


def exact_dropout_forward(self, x):
    """Dropout as ours: keep element i when randomBits(streamKey(seed, step), i) >> 8 >= rate * 2^24.

    i counts elements of the whole batch in our (NHWC) layout; `rows` are this process's rows'
    positions in the batch (all of them on one process, a strided share under torchrun).
    """
    if not self.training or self.p == 0:
        return x
    if not TRAIN_CONTEXT["active"]:
        return F.dropout(x, self.p, True)
    perm = self.webgpu_trainer_layout
    logical = x.permute(*[perm.index(a) for a in range(len(perm))]) if perm != list(range(len(perm))) else x
    row_size = logical[0].numel()
    rows = TRAIN_CONTEXT["rows"].to(x.device)
    index = rows.reshape(-1, *([1] * (logical.dim() - 1))) * row_size + torch.arange(row_size, device=x.device).reshape(1, *logical.shape[1:])
    key = stream_key(self.webgpu_trainer_seed(TRAIN_CONTEXT["seed"]), TRAIN_CONTEXT["step"])
    keep = (random_bits(key, index) >> 8) >= math.floor(self.p * 2**24)
    out = torch.where(keep, logical * (1 / (1 - self.p)), torch.zeros_like(logical))
    return out.permute(*perm) if perm != list(range(len(perm))) else out


def exact_batch_norm_forward(self, x):
    """BatchNormalization while training: biased batch variance, moving = moving*m + batch*(1-m).

    Under torchrun the batch statistics are summed over all processes (autograd flows through
    the all-reduce), so each step normalises by the whole batch's statistics as one process would.
    """
    if not self.training:
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, False, 0.0, self.eps)
    dims = [0] + list(range(2, x.dim()))
    shape = [1, -1] + [1] * (x.dim() - 2)
    count = torch.tensor(float(x.numel() // x.shape[1]), device=x.device)
    total = x.sum(dims)
    if DIST["world"] > 1:
        import torch.distributed.nn.functional as dist_fn

        count = dist_fn.all_reduce(count)
        total = dist_fn.all_reduce(total)
    mean = total / count
    sq = ((x - mean.reshape(shape)) ** 2).sum(dims)
    if DIST["world"] > 1:
        sq = dist_fn.all_reduce(sq)
    var = sq / count
    m = self.webgpu_trainer_momentum
    with torch.no_grad():
        self.running_mean.mul_(m).add_(mean.detach() * (1 - m))
        self.running_var.mul_(m).add_(var.detach() * (1 - m))
    y = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + self.eps)
    if self.weight is not None:
        y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
    return y


DIST = {"world": 1, "rank": 0}


def use_exact_layers(model):
    """Routes the module's BatchNorm and Dropout through the functions above (state_dict unchanged)."""
    for attr, (layer, perm, fixed) in DROPOUT_LAYERS.items():
        mod = getattr(model, attr)
        mod.webgpu_trainer_layout = list(perm)
        # dropout.ts: the layer's own seed, or one from fit's seed and the layer's name.
        mod.webgpu_trainer_seed = (lambda name, fixed: lambda s: fixed if fixed is not None else hash32(((s & M32) ^ hash_string(name)) & M32))(layer, fixed)
        mod.forward = types.MethodType(exact_dropout_forward, mod)
    for mod in model.modules():
        if isinstance(mod, nn.modules.batchnorm._BatchNorm):
            mod.webgpu_trainer_momentum = 1 - mod.momentum
            mod.forward = types.MethodType(exact_batch_norm_forward, mod)


def learning_rate_at(rate, step):
    """schedules.ts learningRateAt: a number, or a schedule's rate for update number `step` (from 0)."""
    if not isinstance(rate, dict):
        return float(rate)
    c, kind = rate, rate["type"]
    if kind == "step":
        return c["initialLearningRate"] * c["gamma"] ** math.floor(step / c["stepSize"])
    if kind == "exponential":
        p = step / c["decaySteps"]
        return c["initialLearningRate"] * c["decayRate"] ** (math.floor(p) if c.get("staircase") else p)
    if kind == "cosine":
        alpha = c.get("alpha", 0)
        cosine = 0.5 * (1 + math.cos(math.pi * min(step, c["decaySteps"]) / c["decaySteps"]))
        return c["initialLearningRate"] * ((1 - alpha) * cosine + alpha)
    raise ValueError(f"learning-rate schedule {kind!r} is not one of step, exponential, cosine")


class ExactOptimizer:
    """Our SGD / Adam / AdamW / RMSprop (src/nn/optimizers): Keras's update rules, clipValue then
    clipNorm, slots named `<weight>.<slot>`, the step count driving schedules and bias correction."""

    DEFAULT_LR = {"SGD": 0.01, "Adam": 0.001, "AdamW": 0.001, "RMSprop": 0.001}

    def __init__(self, serialized, iterations, trainable, slots):
        self.kind = serialized["className"]
        if self.kind not in self.DEFAULT_LR:
            raise ValueError(f"optimizer {self.kind} is not one of {sorted(self.DEFAULT_LR)}")
        self.config = dict(serialized["config"])
        self.rate = self.config.get("learningRate", self.DEFAULT_LR[self.kind])
        self.iterations = int(iterations)
        self.trainable = trainable  # [(our name, parameter, layout)]
        self.slots = {}
        for name, param, layout in trainable:
            for key in self.slot_keys():
                t = slots.get(f"{name}.{key}")
                self.slots[f"{name}.{key}"] = TO_TORCH[layout](t).to(param.device).contiguous() if t is not None else torch.zeros_like(param)

    def slot_keys(self):
        c = self.config
        if self.kind in ("Adam", "AdamW"):
            return ["m", "v"]
        if self.kind == "SGD":
            return ["momentum"] if c.get("momentum", 0) else []
        return ["velocity"] + (["average_gradient"] if c.get("centered") else []) + (["momentum"] if c.get("momentum", 0) else [])

    @property
    def learning_rate(self):
        return learning_rate_at(self.rate, self.iterations)

    def set_learning_rate(self, value):
        if isinstance(self.rate, dict):
            raise ValueError("the rate follows a schedule; ReduceLROnPlateau cannot set it")
        self.rate = float(value)

    def serialize(self):
        return {"className": self.kind, "config": {**self.config, "learningRate": self.rate}}

    def _clip(self, grads):
        c = self.config
        if c.get("clipValue") is not None:
            grads = [g.clamp(-c["clipValue"], c["clipValue"]) for g in grads]
        if c.get("clipNorm") is not None and grads:
            norm = torch.sqrt(sum((g * g).sum() for g in grads))
            scale = c["clipNorm"] / torch.where(norm > c["clipNorm"], norm, torch.full_like(norm, c["clipNorm"]))
            grads = [g * scale for g in grads]
        return grads

    @torch.no_grad()
    def step(self):
        c = self.config
        grads = self._clip([p.grad if p.grad is not None else torch.zeros_like(p) for _, p, _ in self.trainable])
        lr = self.learning_rate
        t = self.iterations + 1
        for (name, w, _), g in zip(self.trainable, grads):
            s = lambda key: self.slots[f"{name}.{key}"]
            if self.kind in ("Adam", "AdamW"):
                b1, b2, eps = c.get("beta1", 0.9), c.get("beta2", 0.999), c.get("epsilon", 1e-7)
                alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
                m = s("m").mul_(b1).add_(g * (1 - b1))
                v = s("v").mul_(b2).add_(g * g * (1 - b2))
                if self.kind == "AdamW" and c.get("weightDecay", 0.004) != 0:
                    w.sub_(w * (lr * c.get("weightDecay", 0.004)))
                w.sub_(m / (torch.sqrt(v) + eps) * alpha)
            elif self.kind == "SGD":
                mom = c.get("momentum", 0)
                if mom == 0:
                    w.sub_(g * lr)
                    continue
                vel = s("momentum")
                vel.copy_(vel * mom - g * lr)
                w.add_(vel * mom - g * lr if c.get("nesterov") else vel)
            else:
                rho, mom, eps = c.get("rho", 0.9), c.get("momentum", 0), c.get("epsilon", 1e-7)
                v = s("velocity").mul_(rho).add_(g * g * (1 - rho))
                denominator = v + eps
                if c.get("centered"):
                    mg = s("average_gradient").mul_(rho).add_(g * (1 - rho))
                    denominator = denominator - mg * mg
                increment = g * lr / torch.sqrt(denominator)
                if mom == 0:
                    w.sub_(increment)
                else:
                    w.sub_(s("momentum").mul_(mom).add_(increment))
        self.iterations = t

    def state_tensors(self):
        """Slots in our names and layouts, for optimizer.safetensors."""
        layouts = {name: layout for name, _, layout in self.trainable}
        return {k: FROM_TORCH[layouts[k.rsplit(".", 1)[0]]](v).cpu() for k, v in self.slots.items()}


def sample_classes(y, loss):
    """data.ts sampleClasses: the class of each label, for classWeight."""
    if loss["name"] == "categoricalCrossentropy":
        return y.reshape(y.shape[0], -1).argmax(dim=1)
    if loss["name"] in ("sparseCategoricalCrossentropy", "binaryCrossentropy"):
        return torch.round(y.reshape(y.shape[0], -1)[:, 0]).long()
    raise ValueError(f"classWeight needs class labels; the loss is {loss['name']}")


def metric_values(names, y_true, y_pred, loss, prefix=""):
    """The compiled metrics over an epoch's labels and outputs (src/nn/metrics), by log name.

    An undefined value (AUC with one class present) is left out, as fit leaves it out.
    """
    out = {}
    k = y_pred.shape[-1]
    pred2 = y_pred.reshape(-1, k).double()
    logits = loss.get("fromLogits", False)
    threshold = 0.0 if logits else 0.5
    if loss["name"] == "categoricalCrossentropy":
        labels = y_true.reshape(-1, k).argmax(dim=1)
    else:
        labels = y_true.reshape(-1).round().long() if k > 1 or loss["name"] == "binaryCrossentropy" else None
    predicted = pred2.argmax(dim=1) if k > 1 else (pred2[:, 0] > threshold).long()
    for name in names:
        if name in ("accuracy", "acc"):
            if labels is None:
                out[prefix + name] = (y_pred.reshape(-1) == y_true.reshape(-1)).double().mean().item()
            else:
                out[prefix + name] = (predicted == labels).double().mean().item()
        elif name == "f1":
            classes = max(k, 2)
            scores = []
            for c in ([1] if classes == 2 else range(classes)):
                tp = ((predicted == c) & (labels == c)).sum().item()
                fp = ((predicted == c) & (labels != c)).sum().item()
                fn = ((predicted != c) & (labels == c)).sum().item()
                scores.append(2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn > 0 else 0.0)
            out[prefix + name] = sum(scores) / len(scores)
        elif name == "auc":
            probs = torch.softmax(pred2, dim=1) if logits and k > 2 else pred2
            columns = [probs[:, 1 if k == 2 else 0]] if k <= 2 else [probs[:, c] for c in range(k)]
            positives = [labels == 1] if k <= 2 else [labels == c for c in range(k)]
            aucs = [_auc(s, p) for s, p in zip(columns, positives)]
            if all(a is not None for a in aucs):
                out[prefix + name] = sum(aucs) / len(aucs)
        elif name == "mae":
            out[prefix + name] = (y_pred.double() - y_true.reshape(y_pred.shape).double()).abs().mean().item()
        elif name == "mse":
            out[prefix + name] = ((y_pred.double() - y_true.reshape(y_pred.shape).double()) ** 2).mean().item()
    return out


def _auc(scores, positive):
    """ROC AUC as the Mann-Whitney statistic (ties count half); None when a class is absent."""
    n_pos = int(positive.sum().item())
    n_neg = positive.numel() - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    order = torch.argsort(scores, stable=True)
    s = scores[order]
    ranks = torch.empty_like(s)
    i, n = 0, s.numel()
    values = s.tolist()
    while i < n:
        j = i
        while j + 1 < n and values[j + 1] == values[i]:
            j += 1
        ranks[i : j + 1] = (i + j) / 2 + 1
        i = j + 1
    rank_pos = ranks[positive[order]].sum().item()
    return (rank_pos - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
