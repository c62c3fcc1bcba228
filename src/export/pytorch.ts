/**
 * PyTorch export: Python source defining the model as a torch.nn.Module, with a reader for our
 * safetensors file that needs only the standard library and torch, the compiled loss and
 * optimizer in PyTorch terms, and a __main__ that evaluates on a CSV of encoded features.
 *
 * Layout: the module takes and returns tensors as our model does (NHWC images, batch first).
 * Conv2d and the pools run NCHW between explicit `x.permute(...)` lines, and the tensor is permuted
 * back before Flatten, Reshape and Dense, so the features after a Flatten keep our (h, w, c)
 * order and every Dense kernel loads with a plain transpose.
 */
import type { Preprocessor, PreprocessorJSON } from '../data/preprocessor';
import type { LossConfig } from '../nn/losses';
import type { Sequential } from '../nn/model/sequential';
import { planExport } from './plan';
import exact from './pytorch_exact.py?raw';
import loop from './pytorch_loop.py?raw';
import preprocess from './pytorch_preprocess.py?raw';
import runtime from './pytorch_runtime.py?raw';
import train from './pytorch_train.py?raw';
import { type PythonStep, pythonStep } from './pytorch-layers';

export interface PytorchExportOptions {
  /** The generated class's name (default 'Model'). */
  className?: string;
  /**
   * The data preprocessing, written into the file, so `python3 model.py weights.safetensors
   * raw.csv` encodes a raw CSV as the page does. Without it the file uses the preprocessing in
   * the weights file's metadata, if any, and otherwise takes encoded features.
   */
  preprocessing?: Preprocessor | PreprocessorJSON;
}

/** A Python literal for JSON-like data (json.dumps output is valid Python once true/false/null map). */
function pyLiteral(value: unknown): string {
  return `json.loads(${JSON.stringify(JSON.stringify(value))})`;
}

/** Layer names may hold '-'; attributes need identifiers, unique within the module. */
function attributeNames(layers: string[]): Map<string, string> {
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const name of layers) {
    let attr = name.replace(/\W/g, '_');
    if (/^\d/.test(attr)) attr = `layer_${attr}`;
    while (taken.has(attr)) attr = `${attr}_`;
    taken.add(attr);
    out.set(name, attr);
  }
  return out;
}

/** The compiled loss per sample, averaged over the batch, as our loss computes it. */
function lossSource(loss: LossConfig): string {
  const logits = loss.fromLogits ?? false;
  const cross = logits
    ? 'log_p = torch.log_softmax(y_pred, dim=-1)'
    : 'log_p = torch.log(torch.clamp(y_pred / y_pred.sum(dim=-1, keepdim=True), EPSILON, 1 - EPSILON))';
  const bodies: Record<LossConfig['name'], string[]> = {
    categoricalCrossentropy: [cross, 'per = -(y_true * log_p).sum(dim=-1)'],
    sparseCategoricalCrossentropy: [
      cross,
      'hot = F.one_hot(y_true.long().reshape(-1), y_pred.shape[-1]).reshape(y_pred.shape).to(y_pred.dtype)',
      'per = -(hot * log_p).sum(dim=-1)',
    ],
    binaryCrossentropy: logits
      ? ['per = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")']
      : [
          'p = torch.clamp(y_pred, EPSILON, 1 - EPSILON)',
          'per = -(y_true * torch.log(p) + (1 - y_true) * torch.log(1 - p))',
        ],
    meanSquaredError: ['per = (y_pred - y_true) ** 2'],
    meanAbsoluteError: ['per = (y_pred - y_true).abs()'],
    huber: [`per = F.huber_loss(y_pred, y_true, reduction="none", delta=${loss.delta ?? 1})`],
  };
  return [
    'def per_sample_loss(y_pred, y_true):',
    `    """${loss.name}${logits ? ' (from logits)' : ''}, as compiled: each sample's loss, [batch]."""`,
    ...bodies[loss.name].map((l) => `    ${l}`),
    '    return per.reshape(per.shape[0], -1).mean(dim=1) if per.dim() > 1 else per',
    '',
    '',
    'def loss_fn(y_pred, y_true):',
    '    """The compiled loss: the mean over the batch of each sample\'s loss."""',
    '    return per_sample_loss(y_pred, y_true).mean()',
  ].join('\n');
}

const OPTIMIZER_SOURCE = `def make_optimizer(parameters, learning_rate=None):
    """The compiled optimizer with its settings (OPTIMIZER), in PyTorch.

    SGD (momentum, Nesterov) and AdamW's decoupled decay are the same updates. PyTorch's Adam adds
    epsilon to the bias-corrected root of v (ours to the uncorrected one) and its RMSprop outside
    the square root (ours inside); both differ only while that root is near epsilon. A learning-rate schedule is not
    carried over: the rate is the one the model had when exported.
    """
    c = OPTIMIZER["config"]
    lr = learning_rate if learning_rate is not None else LEARNING_RATE
    kind = OPTIMIZER["className"]
    if kind == "SGD":
        return torch.optim.SGD(parameters, lr=lr, momentum=c.get("momentum", 0.0), nesterov=c.get("nesterov", False))
    if kind in ("Adam", "AdamW"):
        betas = (c.get("beta1", 0.9), c.get("beta2", 0.999))
        if kind == "Adam":
            return torch.optim.Adam(parameters, lr=lr, betas=betas, eps=c.get("epsilon", 1e-7))
        return torch.optim.AdamW(parameters, lr=lr, betas=betas, eps=c.get("epsilon", 1e-7), weight_decay=c.get("weightDecay", 0.004))
    if kind == "RMSprop":
        return torch.optim.RMSprop(parameters, lr=lr, alpha=c.get("rho", 0.9), eps=c.get("epsilon", 1e-7), momentum=c.get("momentum", 0.0), centered=c.get("centered", False))
    raise ValueError(f"optimizer {kind} has no PyTorch counterpart here")`;

function mainSource(loss: LossConfig['name']): string {
  const classification = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy'].includes(loss);
  const target = classification
    ? loss === 'categoricalCrossentropy'
      ? 'F.one_hot(y.long(), out.shape[-1]).to(out.dtype)'
      : 'y'
    : 'y.reshape(out.shape)';
  const accuracy = classification
    ? '        metrics["accuracy"] = (out.argmax(dim=-1) == y.long()).float().mean().item()'
    : loss === 'binaryCrossentropy'
      ? '        metrics["accuracy"] = ((out > THRESHOLD).float() == y.reshape(out.shape)).float().mean().item()'
      : '';
  return `def main(argv):
    """python3 model.py MODEL.safetensors DATA.csv [--target COLUMN] [--batch-size N]
       python3 model.py train [BUNDLE] --data DATA.csv [...]   (continue training; train --help)
       python3 model.py launch --nproc_per_node=N [torchrun options] train ...   (torchrun)

    DATA.csv is the raw table (encoded here with the preprocessing this file or the weights file
    carries: imputation, standardisation, one-hot, dates, as the page encodes it) or already-encoded
    features (one column per model input, images flattened in (height, width, channel) order) and
    optionally the target column. Prints the outputs as CSV; with a target, the loss (and accuracy)
    on stderr.
    """
    if argv and argv[0] == "train":
        return train_command(argv[1:])
    if argv and argv[0] == "launch":
        return launch_command(argv[1:])
    import argparse

    parser = argparse.ArgumentParser(description="Evaluate the exported webgpu-trainer model on a CSV.")
    parser.add_argument("weights")
    parser.add_argument("csv")
    parser.add_argument("--target", default=None)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--features-out", default=None, help="also write the encoded features to this CSV")
    args = parser.parse_args(argv)
    model = Model()
    tensors, metadata = read_safetensors(args.weights)
    model.load_webgpu_trainer_weights(tensors)
    model.eval()
    preprocessing = PREPROCESSING or preprocessing_of(metadata)
    x, y = read_features(args.csv, preprocessing, math.prod(INPUT_SHAPE), args.target)
    if x.shape[0] == 0:
        raise ValueError(f"{args.csv}: no data rows")
    if args.features_out:
        names = feature_names(preprocessing) if preprocessing else [f"x{j}" for j in range(x.shape[1])]
        with open(args.features_out, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(names)
            w.writerows([[repr(v) for v in row] for row in x.tolist()])
    x = x.reshape(x.shape[0], *INPUT_SHAPE)
    with torch.no_grad():
        out = torch.cat([model(x[i : i + args.batch_size]) for i in range(0, x.shape[0], args.batch_size)])
    out = out.reshape(out.shape[0], -1)
    writer = csv.writer(sys.stdout)
    writer.writerow([f"output_{j}" for j in range(out.shape[1])])
    for row in out.tolist():
        writer.writerow([repr(v) for v in row])
    if y is not None:
        with torch.no_grad():
            metrics = {"loss": loss_fn(out, ${target}).item()}
${accuracy}
        print(json.dumps(metrics), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
`;
}

/** The Python file for `model` (built and compiled); it loads the file `exportModelWeights()` writes. */
export function exportPytorch(model: Sequential, options: PytorchExportOptions = {}): string {
  const className = options.className ?? 'Model';
  const pre = options.preprocessing;
  const preprocessing = pre && 'toJSON' in pre ? pre.toJSON() : (pre ?? null);
  const plan = planExport(model, 'PyTorch', 'exportPytorch');
  const compiled = model.requireCompiled('exportPytorch');
  const attrs = attributeNames(model.layers.map((l) => l.name));
  const steps: PythonStep[] = plan.steps.map((s) => pythonStep(s, 'layer' in s ? attrs.get(s.layer)! : ''));
  const init = steps.flatMap((s) => s.init);
  const forward = steps.flatMap((s) => s.forward);
  const weights = steps.flatMap((s) => s.weights);
  const optimizer = compiled.optimizer.serialize();
  const dropouts = plan.steps.flatMap((s) =>
    s.kind === 'dropout'
      ? [
          `    ${JSON.stringify(attrs.get(s.layer))}: (${JSON.stringify(s.layer)}, (${s.layout.join(', ')},), ${s.seed ?? 'None'}),`,
        ]
      : [],
  );
  const header = `"""${plan.modelName}: a webgpu-trainer model as a PyTorch module (generated; edit freely).

  python3 model.py MODEL.safetensors DATA.csv [--target COLUMN]

evaluates the weights file that webgpu-trainer saved (exportModelWeights / the app's download) on a
CSV, raw (encoded here as the page encodes it) or of encoded features.

  python3 model.py train [BUNDLE] --data DATA.csv [--epochs N] [--out DIR]

continues the browser's training run from its "Continue in PyTorch" bundle, on one process or
under torchrun (DistributedDataParallel). Input and output are batch-first; images are NHWC as in
the browser: the module permutes to NCHW around Conv2d and pooling itself. See
docs/pytorch-continue.md of webgpu-trainer.
"""
`;
  const model_ = [
    `INPUT_SHAPE = ${plan.inputShape.length === 1 ? `(${plan.inputShape[0]},)` : `(${plan.inputShape.join(', ')})`}`,
    `OUTPUT_SHAPE = ${plan.outputShape.length === 1 ? `(${plan.outputShape[0]},)` : `(${plan.outputShape.join(', ')})`}`,
    `LOSS = ${pyLiteral(compiled.loss.config)}`,
    `OPTIMIZER = ${pyLiteral(optimizer)}`,
    `LEARNING_RATE = ${compiled.optimizer.learningRate}`,
    '# Probabilities are clipped this far from 0 and 1 before a log, as in the browser.',
    'EPSILON = 1e-7',
    `THRESHOLD = ${compiled.loss.config.fromLogits ? '0.0' : '0.5'}`,
    "# The fitted preprocessing (raw CSV -> features), or None to use the weights file's.",
    `PREPROCESSING = ${preprocessing ? pyLiteral(preprocessing) : 'None'}`,
    '# Dropout attribute -> (our layer name, its physical layout, its own seed): masks as ours.',
    'DROPOUT_LAYERS = {',
    ...dropouts,
    '}',
    '',
    '',
    `class ${className}(WebgpuTrainerModule):`,
    `    """Sequential '${plan.modelName}': input [batch, ${plan.inputShape.join(', ')}], output [batch, ${plan.outputShape.join(', ')}]."""`,
    '',
    '    # (our tensor, state_dict key, layout): how load_webgpu_trainer_weights maps the file.',
    '    WEIGHT_MAP = (',
    ...weights.map(
      ([ours, theirs, layout]) =>
        `        (${JSON.stringify(ours)}, ${JSON.stringify(theirs)}, "${layout}"),`,
    ),
    '    )',
    '',
    '    def __init__(self):',
    '        super().__init__()',
    ...init.map((l) => `        ${l}`),
    '',
    '    def forward(self, x):',
    ...forward.map((l) => `        ${l}`),
    '        return x',
  ].join('\n');
  return [
    header,
    ...[runtime, preprocess, exact, train, loop].flatMap((part) => [part.trimEnd(), '', '']),
    '',
    '# ---------------------------------------------------------------------------------------------',
    '# This model',
    '# ---------------------------------------------------------------------------------------------',
    model_,
    '',
    '',
    lossSource(compiled.loss.config),
    '',
    '',
    OPTIMIZER_SOURCE,
    '',
    '',
    mainSource(compiled.loss.config.name),
  ].join('\n');
}
