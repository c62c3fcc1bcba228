import { describe, expect, test } from 'vitest';
import { parseCsv } from '../../src/data/index';
import { evaluateRegression } from '../../src/ui/state/evaluation';
import { looksLikeHtml } from '../../src/ui/state/html-sniff';
import { ModelState } from '../../src/ui/state/model-state';
import { predictionTable } from '../../src/ui/state/predictions';
import { Results } from '../../src/ui/state/results';

const label = { model: 'dense_1 Dense(1, linear)', trainedOn: 'a.csv', data: 'Test split of a.csv' };

async function withEverything(results: Results) {
  results.setEvaluation(evaluateRegression(new Float32Array([1, 2]), new Float32Array([1, 2])), label);
  const table = predictionTable(await parseCsv('x\n1\n'), new Float32Array([3]), null);
  results.setPredictions({ fileName: 'p.csv', url: 'blob:x', table, notes: [], label });
}

describe('results belong to a (dataset, model) pair', () => {
  test('a new dataset clears the evaluation and the predictions', async () => {
    const r = new Results();
    const [d1, d2, m1] = [{}, {}, {}];
    r.setDataset(d1);
    r.setModel(m1);
    await withEverything(r);
    r.setDataset(d1); // the same dataset again: nothing changes
    expect(r.evaluation).not.toBeNull();
    expect(r.predictions?.table.rowCount).toBe(1);
    r.setDataset(d2);
    expect(r.evaluation).toBeNull();
    expect(r.evaluationLabel).toBeNull();
    expect(r.predictions).toBeNull();
  });

  test('a new model clears them too, and an old prediction error with them', async () => {
    const r = new Results();
    r.setModel({});
    await withEverything(r);
    r.setPredictError('row 3 has 2 fields', label);
    expect(r.predictions).toBeNull(); // an error replaces the earlier predictions
    expect(r.predictError?.message).toBe('row 3 has 2 fields');
    r.setModel({});
    expect(r.predictError).toBeNull();
    expect(r.evaluation).toBeNull();
  });
});

describe('the model follows the data', () => {
  test('a CNN chosen for image rows is replaced, with a notice, when data that is not square arrives', () => {
    const m = new ModelState();
    m.setDataset({ inputSize: 64, task: 'classification', outputs: 4 });
    m.choosePreset('cnn');
    expect(m.summary?.rows.some((r) => r.type === 'Conv2D')).toBe(true);
    m.setDataset({ inputSize: 4, task: 'classification', outputs: 3 });
    expect(m.error).toBeNull();
    expect(m.presetId).toBe('mlp');
    expect(m.notice).toMatch(/Small CNN .* does not fit this dataset .*4.*switched to the MLP/);
    // The summary is the new data's: 4 inputs, 3 classes, no convolution.
    expect(m.summary?.rows.some((r) => r.type === 'Conv2D')).toBe(false);
    expect(m.summary?.rows.at(-1)?.outputShape).toEqual([null, 3]);
  });

  test('no dataset: no summary of the last one', () => {
    const m = new ModelState();
    m.setDataset({ inputSize: 4, task: 'regression', outputs: 1 });
    expect(m.summary).not.toBeNull();
    m.setDataset(null);
    expect(m.summary).toBeNull();
  });
});

test('a web page is told from a CSV', () => {
  expect(looksLikeHtml('<!doctype html>\n<html lang="en">')).toBe(true);
  expect(looksLikeHtml('\uFEFF  <HTML><head>')).toBe(true);
  expect(looksLikeHtml('<!-- a comment -->\n<html>')).toBe(true);
  expect(looksLikeHtml('a,b\n1,2\n')).toBe(false);
  expect(looksLikeHtml('html,head\n1,2')).toBe(false);
  expect(looksLikeHtml('"<b>bold</b>",1\n')).toBe(false);
});
