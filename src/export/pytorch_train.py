# ---------------------------------------------------------------------------------------------
# `python3 model.py train`: continues a browser run from its bundle (docs/pytorch-continue.md).
# One process, or one per device under torchrun (DistributedDataParallel). Writes a bundle of the
# same layout back, which the page and restoreTrainingState read.
# ---------------------------------------------------------------------------------------------
import io
import os
import zipfile

BUNDLE_FORMAT = "webgpu-trainer/training-bundle"


def read_bundle(path):
    """{file name: bytes} of a bundle zip or folder."""
    if os.path.isdir(path):
        return {n: open(os.path.join(path, n), "rb").read() for n in os.listdir(path) if os.path.isfile(os.path.join(path, n))}
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if not n.endswith("/")}


def safetensors_bytes(tensors, metadata=None):
    buf = io.BytesIO()
    write_safetensors(tensors, buf, metadata)
    return buf.getvalue()


def parse_safetensors(data, name):
    return read_safetensors(io.BytesIO(data), name)


class Bundle:
    """The browser's training state as the bundle holds it (see exportTrainingBundle)."""

    def __init__(self, path):
        self.files = read_bundle(path)
        need = ["training_state.json", "weights.safetensors", "optimizer.safetensors"]
        missing = [n for n in need if n not in self.files]
        if missing:
            raise ValueError(f"{path}: not a training bundle, missing {missing}")
        self.state = json.loads(self.files["training_state.json"])
        if self.state.get("format") != BUNDLE_FORMAT:
            raise ValueError(f"{path}: training_state.json has format {self.state.get('format')!r}, expected {BUNDLE_FORMAT!r}")
        self.weights, self.metadata = parse_safetensors(self.files["weights.safetensors"], f"{path}: weights.safetensors")
        self.slots, _ = parse_safetensors(self.files["optimizer.safetensors"], f"{path}: optimizer.safetensors")
        pre = self.files.get("preprocessing.json")
        self.preprocessing = json.loads(pre) if pre else preprocessing_of(self.metadata)
        split = self.files.get("split.json")
        self.split = json.loads(split) if split else None
        self.training_config = json.loads(self.metadata["training_config"]) if "training_config" in self.metadata else {"loss": LOSS, "metrics": [], "optimizer": OPTIMIZER}


def split_applies(split, ids):
    """The page's split fits this file: the raw table it was made on, or its encoded CSV."""
    present = set(ids)
    if all(r in present for r in split["train"]) and all(r in present for r in split["validation"]):
        return len(ids) == split.get("rows") or max(ids, default=-1) < split.get("rows", 0)
    return False


def load_data(args, bundle, width):
    """(train x, y), (validation x, y) or None, from --data / --validation-data and the bundle's split."""
    ids = []
    x, y = read_features(args.data, bundle.preprocessing, width, args.target, row_ids=ids)
    if y is None:
        raise ValueError(f"{args.data}: no target column; name it with --target")
    split = bundle.split
    if args.validation_data:
        vx, vy = read_features(args.validation_data, bundle.preprocessing, width, args.target)
        train, val = (x, y), (vx, vy)
    elif split and not args.ignore_split and split_applies(split, ids):
        # The rows the page trained and validated on, in its order: the same run, continued.
        at = {r: i for i, r in enumerate(ids)}
        t = torch.tensor([at[r] for r in split["train"]], dtype=torch.long)
        v = torch.tensor([at[r] for r in split["validation"]], dtype=torch.long)
        train, val = (x[t], y[t]), ((x[v], y[v]) if len(split["validation"]) else None)
    elif split and not args.ignore_split and not args.validation_split:
        log(f"{args.data}: not the table the page split ({split.get('rows')} rows); training on all {x.shape[0]} rows, no validation (see --validation-split)")
        train, val = (x, y), None
    elif args.validation_split:
        cut = x.shape[0] - math.floor(x.shape[0] * args.validation_split)
        train, val = (x[:cut], y[:cut]), (x[cut:], y[cut:])
    else:
        train, val = (x, y), None
    for what, part in (("training", train), ("validation", val)):
        if part is None:
            continue
        bad = (~torch.isfinite(part[0].reshape(part[0].shape[0], -1))).any(dim=1).nonzero()
        if bad.numel():
            raise ValueError(f"{args.data}: {bad.numel()} {what} rows have a feature that is not a finite number (first: {what} row {int(bad[0])})")
        if bool(torch.isnan(part[1]).any()):
            raise ValueError(f"{args.data}: {int(torch.isnan(part[1]).sum())} {what} rows have a missing or unknown target")
    return train, val


def labels_for(y, out_shape):
    if LOSS["name"] == "sparseCategoricalCrossentropy":
        return y.reshape(y.shape[0], *out_shape[:-1])
    if LOSS["name"] == "categoricalCrossentropy" and y.dim() == 1:
        return F.one_hot(y.long(), out_shape[-1]).to(torch.float32)
    return y.reshape(y.shape[0], *out_shape)


def setup_distributed(device_arg):
    """Process group from torchrun's environment (gloo on CPU, nccl on CUDA); one process otherwise."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    use_cuda = torch.cuda.is_available() and device_arg != "cpu"
    if world > 1:
        import torch.distributed as dist

        dist.init_process_group(backend="nccl" if use_cuda else "gloo")
        DIST.update(world=dist.get_world_size(), rank=dist.get_rank())
        if use_cuda:
            local = int(os.environ.get("LOCAL_RANK", "0"))
            torch.cuda.set_device(local)
            return torch.device("cuda", local)
    return torch.device(device_arg or ("cuda" if use_cuda else "cpu"))


def log(message):
    if DIST["rank"] == 0:
        print(message, file=sys.stderr, flush=True)


def make_batch_sampler(n, batch_size, seed, shuffle):
    """A DistributedSampler that yields this process's share of each of our batches, in our order.

    Batch k is rows order[k*B : (k+1)*B] of the library's shuffle (Random(streamKey(seed, epoch))),
    exactly as fit draws it; process r takes the batch positions r, r + N, r + 2N, ... A process
    left without a row in a short last batch takes the batch's first row with weight 0.
    """
    from torch.utils.data.distributed import DistributedSampler

    class LibraryOrderSampler(DistributedSampler):
        def __iter__(self):
            order = permutation(stream_key(seed, self.epoch), n) if shuffle else list(range(n))
            for start in range(0, n, batch_size):
                size = min(batch_size, n - start)
                positions = list(range(self.rank, size, self.num_replicas))
                yield [(start, size, p, order[start + p]) for p in positions] or [(start, size, -1, order[start])]

        def __len__(self):
            return math.ceil(n / batch_size)

    return LibraryOrderSampler(range(n), num_replicas=DIST["world"], rank=DIST["rank"], shuffle=False)


def per_sample(model_out, y):
    return per_sample_loss(model_out, y)


def all_sum(value, device):
    t = torch.tensor(float(value), dtype=torch.float64, device=device)
    if DIST["world"] > 1:
        import torch.distributed as dist

        dist.all_reduce(t)
    return t.item()


def gather_rows(t):
    if DIST["world"] == 1:
        return t
    import torch.distributed as dist

    parts = [None] * DIST["world"]
    dist.all_gather_object(parts, t.cpu())
    return torch.cat(parts)


def evaluate(model, x, y, batch_size, metrics, prefix, device):
    """evaluation.ts evaluateHost: inference mode, the mean loss over rows (no class weights)."""
    model.eval()
    loss_sum, outs = 0.0, []
    with torch.no_grad():
        for start in range(0, x.shape[0], batch_size):
            xb, yb = x[start : start + batch_size].to(device), y[start : start + batch_size].to(device)
            out = model(xb)
            loss_sum += per_sample(out, labels_for(yb, OUTPUT_SHAPE)).mean().item() * xb.shape[0]
            outs.append(out.cpu())
    out = torch.cat(outs)
    return {f"{prefix}loss": loss_sum / x.shape[0], **metric_values(metrics, labels_for(y, OUTPUT_SHAPE), out, LOSS, prefix)}
