import { expect, test, vi } from 'vitest';
import { Dense, LambdaCallback, Sequential, TerminateOnNaN, tensor } from '../../src/index';

function model() {
  const m = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
}

const x = tensor(
  Array.from({ length: 16 }, (_, i) => [i / 16, 1 - i / 16]),
  [16, 2],
);
const y = tensor(
  Array.from({ length: 16 }, (_, i) => [i / 8]),
  [16, 1],
);

test('stops after the epoch whose validation loss is not finite, and says where', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const m = model();
  const terminate = new TerminateOnNaN();
  // A callback before it makes epoch 2's val_loss NaN, as a diverging validation would.
  const poison = new LambdaCallback({
    onEpochEnd: (epoch, logs) => {
      if (epoch === 2) logs.val_loss = Number.NaN;
    },
  });
  const history = await m.fit(x, y, {
    epochs: 10,
    batchSize: 4,
    validationSplit: 0.25,
    callbacks: [poison, terminate],
  });
  expect(history.epoch).toEqual([0, 1, 2]);
  expect(terminate.terminated).toEqual({ at: 'epoch', index: 2, key: 'val_loss', value: Number.NaN });
  expect(warn).toHaveBeenCalledWith(expect.stringContaining('val_loss is NaN at epoch 2'));
  warn.mockRestore();
});

test('does nothing while every watched value is finite', async () => {
  const terminate = new TerminateOnNaN({ monitor: ['loss'] });
  const history = await model().fit(x, y, { epochs: 3, batchSize: 8, callbacks: [terminate] });
  expect(history.epoch).toEqual([0, 1, 2]);
  expect(terminate.terminated).toBeNull();
});
