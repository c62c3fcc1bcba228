/** The README of a "Continue in PyTorch" bundle: what is inside and the commands, for this run. */
import type { TrainingStateJSON } from './training-bundle';

export function bundleReadme(
  name: string,
  state: TrainingStateJSON,
  hasPreprocessing: boolean,
  hasSplit: boolean,
): string {
  const { fit } = state;
  const data = hasPreprocessing ? 'your-table.csv' : 'encoded.csv';
  return `# ${name}: continue this training run in PyTorch

Exported after epoch ${state.epoch} of ${fit.epochs} (optimizer ${state.optimizer.serialized.className},
step ${state.optimizer.iterations}, batch size ${fit.batchSize}, seed ${fit.seed}).

| file | what |
| --- | --- |
| model.py | the model as a torch.nn.Module, its loss, the optimizer's exact update rules, and \`train\` |
| weights.safetensors | the weights (model and training config in its metadata) |
| optimizer.safetensors | the optimizer's slots (moments), named \`<weight>.<slot>\` |
| training_state.json | epoch, optimizer step and settings, schedule, fit settings, callbacks' counters, history |
${hasPreprocessing ? '| preprocessing.json | the fitted preprocessing: raw CSV in, the same features as the page out |\n' : ''}${hasSplit ? '| split.json | the table rows the run trained and validated on, in order |\n' : ''}
Needs Python 3 and PyTorch (\`pip install torch\`, or Debian's python3-torch); nothing else.

## Continue on this machine (GPU when available, else CPU)

    python3 model.py train --data ${data} --epochs 5

${hasPreprocessing ? `\`--data\` takes the raw CSV the page trained on (encoded here exactly as the page encodes it${hasSplit ? "; the page's training and validation rows are used when the table has the same rows" : ''}), or an already-encoded CSV (the page's "Download encoded CSV").` : '`--data` takes a CSV of encoded features with the target column (`--target NAME`).'}
Without \`--epochs\` it trains to the ${fit.epochs} epochs the run planned. Batches are drawn in the
library's order (its generator is reproduced in Python), so the losses continue as the browser's would.

## Continue on several processes or machines (DistributedDataParallel)

    torchrun --nproc_per_node=4 model.py train --data ${data}
    torchrun --nnodes=2 --node_rank=0 --nproc_per_node=8 --rdzv_backend=c10d --rdzv_endpoint=HOST:29500 model.py train --data ${data}

gloo on CPU, nccl on CUDA. The batch size stays the run's in all (${fit.batchSize}, split over the
processes) and the learning rate is not scaled; the log states both. \`--batch-size\` changes it.

## Back into the browser

The script writes \`continued/continued.zip\` (and \`continued/checkpoints/epoch-N.zip\` after each epoch):
the same layout as this bundle. Load it in the page (Models, "Load a file"), or in code:

    const { state } = readTrainingBundle(bytes);
    const { model, initialEpoch, history } = restoreTrainingState(state);
    await model.fit(x, y, { epochs, initialEpoch, history });
`;
}
