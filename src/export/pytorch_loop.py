class Callbacks:
    """EarlyStopping (restore-best) and ReduceLROnPlateau with the browser's semantics and counters."""

    def __init__(self, saved):
        self.es = dict(saved.get("earlyStopping") or {}) or None
        self.rlr = dict(saved.get("reduceLROnPlateau") or {}) or None
        self.best_state = None
        self.warned = False

    @staticmethod
    def improves(c, value, reference, min_delta):
        if value is None or not math.isfinite(value):
            return False
        if reference is None:
            return True
        return value < reference - min_delta if c["mode"] == "min" else value > reference + min_delta

    def epoch_end(self, epoch, logs, optimizer, model):
        """Returns True when EarlyStopping stops the run (monitor.ts, early-stopping.ts, learning-rate.ts)."""
        r = self.rlr
        if r:
            logs["lr"] = optimizer.learning_rate
            current = logs.get(r["monitor"])
            if current is not None:
                if r["cooldownLeft"] > 0:
                    r["cooldownLeft"] -= 1
                    r["wait"] = 0
                if self.improves(r, current, r.get("best"), r["minDelta"]):
                    r["best"], r["wait"] = current, 0
                elif r["cooldownLeft"] == 0:
                    r["wait"] += 1
                    if r["wait"] >= r["patience"]:
                        old = optimizer.learning_rate
                        new = max(old * r["factor"], r["minLr"])
                        if new < old:
                            optimizer.set_learning_rate(new)
                            log(f"ReduceLROnPlateau: epoch {epoch + 1}: learning rate {old} -> {new}")
                            r["cooldownLeft"], r["wait"] = r["cooldown"], 0
        e = self.es
        if not e or epoch < e.get("startFromEpoch", 0):
            return False
        current = logs.get(e["monitor"])
        if current is None:
            if not self.warned:
                self.warned = True
                log(f"EarlyStopping: {e['monitor']!r} is not in the epoch logs (available: {', '.join(logs)}); it does nothing")
            return False
        e["monitoredEpochs"] = e.get("monitoredEpochs", 0) + 1
        if self.improves(e, current, e.get("best"), e["minDelta"]):
            e["best"], e["bestEpoch"], e["wait"] = current, epoch, 0
            if e["restoreBestWeights"]:
                self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            return False
        e["wait"] += 1
        if e["wait"] >= e["patience"]:
            e["stoppedEpoch"] = epoch
            log(f"EarlyStopping: epoch {epoch + 1}: no {e['monitor']} improvement in {e['wait']} epochs; stopping")
            return True
        return False

    def train_end(self, model):
        e = self.es
        if e and e["restoreBestWeights"] and e.get("monitoredEpochs", 0) > 0 and self.best_state is not None:
            model.load_state_dict(self.best_state)
            log(f"EarlyStopping: restored the weights of epoch {e['bestEpoch'] + 1} ({e['monitor']} {e['best']})")

    def state(self):
        return {"earlyStopping": self.es, "reduceLROnPlateau": self.rlr}


def history_append(history, epoch, logs):
    """history.ts onEpochEnd: series stay aligned with `epoch`, a key an epoch lacks is NaN (null)."""
    history["epoch"].append(epoch)
    series = history["history"]
    for k, v in logs.items():
        s = series.setdefault(k, [])
        while len(s) < len(history["epoch"]) - 1:
            s.append(None)
        s.append(v)
    for s in series.values():
        if len(s) < len(history["epoch"]):
            s.append(None)


def write_result(path, bundle, model, optimizer, epoch, history, callbacks, extra_state):
    """A bundle of the same layout: what the page's file input, readTrainingBundle and this script read."""
    metadata = dict(bundle.metadata)
    if "training_config" in metadata:
        config = json.loads(metadata["training_config"])
        config["optimizer"] = optimizer.serialize()
        metadata["training_config"] = json.dumps(config)
    weights = {k: v.cpu() for k, v in model.webgpu_trainer_weights().items()}
    state = {
        **bundle.state,
        "epoch": epoch,
        "optimizer": {"serialized": optimizer.serialize(), "iterations": optimizer.iterations},
        "history": history,
        "callbacks": callbacks.state(),
        **extra_state,
    }
    files = dict(bundle.files)
    files["weights.safetensors"] = safetensors_bytes(weights, metadata)
    files["optimizer.safetensors"] = safetensors_bytes(optimizer.state_tensors())
    files["training_state.json"] = json.dumps(state, indent=1, allow_nan=False).encode("utf-8")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with zipfile.ZipFile(path + ".part", "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            z.writestr(name, files[name])
    os.replace(path + ".part", path)


def finite_or_none(logs):
    return {k: (v if v is not None and math.isfinite(v) else None) for k, v in logs.items()}


def parse_train_args(argv):
    import argparse

    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(prog="model.py train", description="Continue the browser's training run in PyTorch.")
    parser.add_argument("bundle", nargs="?", default=here, help="the bundle zip or folder (default: this file's folder)")
    parser.add_argument("--data", required=True, help="CSV: the raw table (encoded with the bundle's preprocessing) or already-encoded features")
    parser.add_argument("--validation-data", default=None, help="a validation CSV (default: the page's validation rows, when --data is its table)")
    parser.add_argument("--validation-split", type=float, default=0.0, help="hold out the last fraction of --data (when the page's split does not apply)")
    parser.add_argument("--ignore-split", action="store_true", help="train on every row of --data, not the page's training rows")
    parser.add_argument("--target", default=None, help="the target column (default: the preprocessing's)")
    parser.add_argument("--epochs", type=int, default=None, help="epochs to train now (default: what the run planned, less what it trained)")
    parser.add_argument("--batch-size", type=int, default=None, help="the global batch size (default: the run's); it is stated in the log when changed")
    parser.add_argument("--out", default="continued", help="output folder: continued.zip and checkpoints/epoch-N.zip (default: ./continued)")
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1 (default: cuda when available)")
    return parser.parse_args(argv)


class Run:
    """Everything one continued run needs: model, optimizer, data, callbacks, history."""

    def __init__(self, args):
        self.args = args
        self.device = setup_distributed(args.device)
        self.bundle = bundle = Bundle(args.bundle)
        s, self.fit = bundle.state, bundle.state["fit"]
        self.model = Model()
        self.model.load_webgpu_trainer_weights(bundle.weights)
        self.model.to(self.device)
        use_exact_layers(self.model)
        params = dict(self.model.named_parameters())
        trainable = [(ours, params[p], layout) for ours, p, layout in self.model.WEIGHT_MAP if p in params and params[p].requires_grad]
        self.optimizer = ExactOptimizer(s["optimizer"]["serialized"], s["optimizer"]["iterations"], trainable, bundle.slots)
        (x, y), validation = load_data(args, bundle, math.prod(INPUT_SHAPE))
        self.x, self.y = x.reshape(x.shape[0], *INPUT_SHAPE), labels_for(y, OUTPUT_SHAPE)
        self.validation = (validation[0].reshape(validation[0].shape[0], *INPUT_SHAPE), validation[1]) if validation else None
        self.metrics = bundle.training_config.get("metrics", [])
        unknown = [m for m in self.metrics if m not in ("accuracy", "acc", "f1", "auc", "mae", "mse")]
        if unknown:
            log(f"metrics {unknown} are not computed here; their history entries stay empty")
        self.seed = int(self.fit["seed"])
        self.batch_size = args.batch_size or int(self.fit["batchSize"])
        class_weight = self.fit.get("classWeight")
        self.weights = None
        if class_weight:
            self.weights = torch.tensor([float(class_weight.get(str(int(c)), 1.0)) for c in sample_classes(self.y, LOSS).tolist()])
        self.start_epoch = int(s["epoch"])
        remaining = max(int(self.fit.get("epochs", self.start_epoch)) - self.start_epoch, 0)
        self.end_epoch = self.start_epoch + (args.epochs if args.epochs is not None else remaining)
        self.net = self.model
        if DIST["world"] > 1:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.net = nn.parallel.DistributedDataParallel(self.model, device_ids=ids, broadcast_buffers=False)
        self.sampler = make_batch_sampler(self.x.shape[0], self.batch_size, self.seed, self.fit.get("shuffle", True))
        self.callbacks = Callbacks(s.get("callbacks") or {})
        if "best_weights.safetensors" in bundle.files and self.callbacks.es:
            best = Model()
            best.load_webgpu_trainer_weights(parse_safetensors(bundle.files["best_weights.safetensors"], "best_weights.safetensors")[0])
            self.callbacks.best_state = {k: v.to(self.device) for k, v in best.state_dict().items()}
        self.history = s["history"]
        self.history.setdefault("epoch", [])
        self.history.setdefault("history", {})
        self.history["error"] = None

    def describe(self):
        fit, o, world = self.fit, self.optimizer, DIST["world"]
        changed = f" (the run used {fit['batchSize']})" if self.batch_size != int(fit["batchSize"]) else ""
        schedule = " schedule" if isinstance(o.rate, dict) else ""
        n_val = self.validation[0].shape[0] if self.validation else 0
        log(
            f"webgpu-trainer: epochs {self.start_epoch + 1}..{self.end_epoch} on {self.x.shape[0]} rows ({n_val} validation), "
            f"{world} process(es) on {self.device.type}; batch size {self.batch_size} in all{changed}, "
            f"about {math.ceil(self.batch_size / world)} per process; learning rate {o.learning_rate} "
            f"(the run's {o.kind}{schedule}, not scaled by the number of processes); "
            f"shuffle: the library's generator, seed {self.seed}"
        )

    def train_epoch(self, epoch):
        """fit.ts runEpoch: the epoch's logs, or None when a loss was not finite (history.error says where)."""
        self.sampler.set_epoch(epoch)
        self.model.train()
        loss_sum, seen, outs, labels = 0.0, 0, [], []
        for batch in self.sampler:
            start, size = batch[0][0], batch[0][1]
            real = [b for b in batch if b[2] >= 0]
            rows = torch.tensor([b[3] for b in batch], dtype=torch.long)
            xb, yb = self.x[rows].to(self.device), self.y[rows].to(self.device)
            wb = self.weights[rows].to(self.device) if self.weights is not None else torch.ones(len(batch), device=self.device)
            if not real:
                wb = wb * 0
            positions = torch.tensor([max(b[2], 0) for b in batch])
            TRAIN_CONTEXT.update(active=True, seed=self.seed, step=self.optimizer.iterations, rows=positions)
            out = self.net(xb)
            # This process's rows summed over the whole batch's row count; DDP averages over processes.
            local = (per_sample(out, yb) * wb).sum() / size
            loss_value = all_sum(local.item(), self.device)
            TRAIN_CONTEXT["active"] = False
            if not math.isfinite(loss_value):
                self.history["error"] = (
                    f"the loss became {loss_value} at epoch {epoch + 1}, batch {start // self.batch_size + 1}; "
                    "the weights from before that step were kept"
                )
                return None
            for p in self.model.parameters():
                p.grad = None
            (local * DIST["world"]).backward()
            self.optimizer.step()
            loss_sum += loss_value * size
            seen += size
            if real:
                outs.append(out.detach()[: len(real)].cpu())
                labels.append(yb[: len(real)].cpu())
        y_true, y_pred = gather_rows(torch.cat(labels)), gather_rows(torch.cat(outs))
        logs = {"loss": loss_sum / seen, **metric_values(self.metrics, y_true, y_pred, LOSS)}
        if self.validation:
            logs.update(evaluate(self.model, *self.validation, self.batch_size, self.metrics, "val_", self.device))
        return logs

    def write(self, path, completed, extra=None):
        if DIST["rank"] == 0:
            write_result(path, self.bundle, self.model, self.optimizer, completed, self.history, self.callbacks, extra or {})


def train_command(argv):
    """python3 model.py train [BUNDLE] --data CSV [--epochs N] [--out DIR] ... (see --help)."""
    args = parse_train_args(argv)
    run = Run(args)
    run.describe()
    completed = run.start_epoch
    for epoch in range(run.start_epoch, run.end_epoch):
        logs = run.train_epoch(epoch)
        if logs is None:
            break
        stop = run.callbacks.epoch_end(epoch, logs, run.optimizer, run.model)
        history_append(run.history, epoch, finite_or_none(logs))
        completed = epoch + 1
        log(f"epoch {completed}: " + ", ".join(f"{k} {v:.6g}" for k, v in logs.items()))
        run.write(os.path.join(args.out, "checkpoints", f"epoch-{completed}.zip"), completed)
        if stop:
            break
    run.callbacks.train_end(run.model)
    path = os.path.join(args.out, "continued.zip")
    device = run.device.type
    run.write(path, completed, {"continuedWith": {"framework": f"torch {torch.__version__}", "processes": DIST["world"], "device": device, "batchSize": run.batch_size}})
    log(f"wrote {path}: load it in the page (Models, load a weights file or a PyTorch bundle) or with readTrainingBundle + restoreTrainingState")
    if DIST["world"] > 1:
        import torch.distributed as dist

        dist.barrier()
        dist.destroy_process_group()


def launch_command(argv):
    """python3 model.py launch [torchrun options] train ...: torchrun on this file.

    The same as `torchrun [options] model.py train ...`, and also where plain torchrun fails:
    torch < 2.0 on Python 3.11 reads its default `--redirects 0` as None (IntFlag iteration
    skips the zero member), which is mended here before torchrun's own main runs.
    """
    from torch.distributed import run
    from torch.distributed.elastic.multiprocessing import api

    if api.Std.from_str("0") is None:

        def from_str(cls, vm):
            if re.fullmatch(r"\d", vm):
                return cls(int(vm))
            return {int(i): cls(int(v)) for i, v in (m.split(":") for m in vm.split(","))}

        api.Std.from_str = classmethod(from_str)
    if "train" not in argv:
        raise ValueError("launch: give torchrun's options, then `train` and its arguments")
    cut = argv.index("train")
    run.main([*argv[:cut], os.path.abspath(__file__), *argv[cut:]])
