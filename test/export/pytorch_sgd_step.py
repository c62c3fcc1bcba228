"""One SGD step in PyTorch with the exported module and its loss_fn (needs the real torch).

  python3 pytorch_sgd_step.py MODEL.py WEIGHTS.safetensors BATCH.json LR OUT.safetensors

BATCH.json is {"x": {"shape", "data"}, "y": {"shape", "data"}}. The module trains in train()
mode (BatchNorm on batch statistics, as our fit does), and the updated weights are written in
our names and layouts for the test to compare with our own step.
"""
import sys

from pytorch_check import load_module


def main(module_path, weights_path, batch_path, lr, out_path):
    import json

    m = load_module(module_path)
    torch = m.torch
    tensors, _ = m.read_safetensors(weights_path)
    model = m.Model()
    model.load_webgpu_trainer_weights(tensors)
    model.train()
    batch = json.load(open(batch_path))
    x = torch.tensor(batch["x"]["data"], dtype=torch.float32).reshape(batch["x"]["shape"])
    y = torch.tensor(batch["y"]["data"], dtype=torch.float32).reshape(batch["y"]["shape"])
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=float(lr))
    optimizer.zero_grad()
    m.loss_fn(model(x), y).backward()
    optimizer.step()
    m.write_safetensors(model.webgpu_trainer_weights(), out_path)


if __name__ == "__main__":
    main(*sys.argv[1:6])
