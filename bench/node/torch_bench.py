"""The GPU kit's PyTorch reference: the same workloads and the same data as the Node bench.

  python3 torch_bench.py DATA_DIR OUT_DIR [--quick]

DATA_DIR is what `bench-node.mjs data` wrote (raw little-endian float32 + index.json). W1 is timed
in fp32 and in TF32 (on CUDA), one product with its result copied to the host, and 20 chained
products with one copy; W2-W4 train eagerly (Adam 1e-3, cross-entropy on one-hot labels, shuffled
batches) as our fit does. CUDA when torch.cuda.is_available(), else the CPU (then named so).
"""

import json
import math
import os
import statistics
import sys
import time

import numpy as np
import torch
from torch import nn


def load(data_dir, name, shapes):
    arr = np.fromfile(os.path.join(data_dir, f"{name}.f32"), dtype="<f4")
    return torch.from_numpy(arr.reshape(shapes[name]).copy())


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def timed(fn, reps, budget_s=60.0):
    """Milliseconds per repetition: 3 to `reps`, fewer when the budget would be passed."""
    times = []
    start = time.perf_counter()
    while len(times) < reps:
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
        if len(times) >= min(3, reps) and time.perf_counter() - start + statistics.mean(times) / 1000 > budget_s:
            break
    return times


def w1(spec, data_dir, shapes, device, tf32, reps):
    n, chain = spec["size"], spec.get("chain", 1)
    torch.backends.cuda.matmul.allow_tf32 = tf32
    a = load(data_dir, f"W1-{chain}-a", shapes)[:n, :n].contiguous().to(device)
    b = load(data_dir, f"W1-{chain}-b", shapes)[:n, :n].contiguous().to(device)
    if chain > 1:
        # The data file is scaled for the largest n; rescale to this n so the chain stays finite.
        b = b * math.sqrt(shapes[f"W1-{chain}-b"][0] / n)

    def once():
        c = a
        for _ in range(chain):
            c = c @ b
        c.cpu()

    once()
    times = timed(once, reps)
    gflops = [2 * n**3 * chain / (t * 1e6) for t in times]
    return {"times": times, "metric": "GFLOP/s", "median": statistics.median(gflops)}


def model_for(workload):
    if workload == "W2":
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    if workload == "W3":
        return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    return nn.Sequential(
        nn.Conv2d(1, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 13 * 13, 10)
    )


def fit(spec, data_dir, shapes, device, reps):
    workload, batch, epochs = spec["workload"], spec["batchSize"], spec["epochs"]
    torch.manual_seed(1)
    x = load(data_dir, f"{workload}-x", shapes).to(device)
    y = load(data_dir, f"{workload}-y", shapes).to(device)
    if workload == "W4":
        x = x.permute(0, 3, 1, 2).contiguous()  # NHWC in the files, NCHW for PyTorch
    model = model_for(workload).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    rows = x.shape[0]

    def epoch():
        total = torch.zeros((), device=device)
        order = torch.randperm(rows, device=device)
        for start in range(0, rows, batch):
            idx = order[start : start + batch]
            opt.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.detach() * idx.shape[0]
        return (total / rows).item()  # one readback per epoch, as our fit's epoch logs

    # Warm-up as the Node bench's: two batches.
    for start in range(0, min(rows, 2 * batch), batch):
        opt.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(model(x[start : start + batch]), y[start : start + batch]).backward()
        opt.step()
    sync(device)
    losses = []

    def rep():
        for _ in range(epochs):
            loss = epoch()
        losses.append(loss)

    times = timed(rep, reps)
    steps = epochs * math.ceil(rows / batch)
    per = [t / steps for t in times] if workload == "W3" else [t / epochs for t in times]
    return {"times": times, "losses": losses, "metric": "ms/step" if workload == "W3" else "ms/epoch",
            "median": statistics.median(per)}


def main():
    data_dir, out_dir = sys.argv[1], sys.argv[2]
    quick = "--quick" in sys.argv
    index = json.load(open(os.path.join(data_dir, "index.json")))
    shapes = index["shapes"]
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    name = torch.cuda.get_device_name(0) if device.type == "cuda" else "CPU (no CUDA device)"
    reps = 1 if quick else 5
    rows = []
    result = {"device": name, "torch": torch.__version__, "cuda": torch.version.cuda, "rows": rows}
    write(out_dir, name, result)
    for spec in index["workloads"]:
        variants = [("fp32", False), ("tf32", True)] if spec["workload"] == "W1" and device.type == "cuda" else [("fp32", False)]
        for label, tf32 in variants:
            try:
                r = w1(spec, data_dir, shapes, device, tf32, reps) if spec["workload"] == "W1" else fit(spec, data_dir, shapes, device, reps)
                rows.append({"spec": spec, "precision": label, "status": "ok", **r})
            except Exception as e:  # a failed row is recorded, the run goes on
                rows.append({"spec": spec, "precision": label, "status": "error", "error": str(e).splitlines()[0]})
            r = rows[-1]
            chain = f" x{spec.get('chain', 1)}" if spec.get("chain", 1) > 1 else ""
            print(f"torch {device.type} {label} {spec['workload']} {spec['size']}{chain}: "
                  + (f"{r['median']:.2f} {r['metric']}" if r["status"] == "ok" else f"error: {r['error']}"), flush=True)
            # Written after every row: the kit's stage time limit may cut the run.
            write(out_dir, name, result)


def write(out_dir, name, result):
    os.makedirs(out_dir, exist_ok=True)
    # Through a temporary file: the kit's stage limit may kill this process mid-write.
    tmp = os.path.join(out_dir, ".torch.json.tmp")
    json.dump(result, open(tmp, "w"), indent=2)
    os.replace(tmp, os.path.join(out_dir, "torch.json"))
    lines = [f"# PyTorch {result['torch']} on {name}", "", "| workload | precision | median | unit | reps |", "| --- | --- | --- | --- | --- |"]
    for r in result["rows"]:
        s = r["spec"]
        what = f"{s['workload']} n={s['size']}" + (f", {s['chain']} chained" if s.get("chain", 1) > 1 else "")
        if r["status"] == "ok":
            lines.append(f"| {what} | {r['precision']} | {r['median']:.2f} | {r['metric']} | {len(r['times'])} |")
        else:
            lines.append(f"| {what} | {r['precision']} | error: {r['error']} | | |")
    open(tmp, "w").write("\n".join(lines) + "\n")
    os.replace(tmp, os.path.join(out_dir, "torch.md"))


if __name__ == "__main__":
    main()
