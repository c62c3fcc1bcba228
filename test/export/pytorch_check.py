"""Runs an exported PyTorch module file on our weights file, as a user would.

  python3 pytorch_check.py MODEL.py WEIGHTS.safetensors INPUT.json ROUNDTRIP.safetensors

Loads the weights with the file's own reader and mapping, evaluates the module on INPUT.json
({"shape", "data"}, NHWC, batch first), writes the weights back with webgpu_trainer_weights() and
write_safetensors, and prints {"backend", "predictions", "state_keys"} as JSON. With the real
torch missing, test/export/numpy_torch on PYTHONPATH stands in for it.
"""
import importlib.util
import json
import sys


def load_module(path):
    spec = importlib.util.spec_from_file_location("exported_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(module_path, weights_path, input_path, roundtrip_path):
    m = load_module(module_path)
    torch = m.torch
    tensors, metadata = m.read_safetensors(weights_path)
    model = m.Model()
    model.load_webgpu_trainer_weights(tensors)
    model.eval()
    sample = json.load(open(input_path))
    x = torch.tensor(sample["data"], dtype=torch.float32).reshape(sample["shape"])
    with torch.no_grad():
        y = model(x)
    m.write_safetensors(model.webgpu_trainer_weights(), roundtrip_path, {"written_by": "pytorch_check.py"})
    backend = "numpy" if "numpy_torch" in getattr(torch, "__file__", "") else "torch"
    print(json.dumps({
        "backend": backend,
        "predictions": y.reshape(-1).tolist(),
        "state_keys": list(model.state_dict().keys()),
        "metadata_keys": sorted(metadata),
    }))


if __name__ == "__main__":
    main(*sys.argv[1:5])
