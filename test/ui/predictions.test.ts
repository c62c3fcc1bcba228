import { expect, test } from 'vitest';
import { parseCsv } from '../../src/data/index';
import { withPredictions } from '../../src/ui/state/predictions';

test('appends the predicted class and one probability column per class, quoting as CSV needs', async () => {
  const table = await parseCsv('name,x,prediction\n"a, b",1,old\nc,2,old\n');
  const csv = withPredictions(table, new Float32Array([0.2, 0.8, 0.9, 0.1]), ['no', 'yes']);
  expect(csv.split('\r\n')).toEqual([
    'name,x,prediction,prediction (2),probability no,probability yes',
    '"a, b",1,old,yes,0.2,0.8',
    'c,2,old,no,0.9,0.1',
  ]);
});

test('regression appends the predicted value', async () => {
  const table = await parseCsv('x\n1\n2\n');
  expect(withPredictions(table, new Float32Array([1.5, -2.25]), null).split('\r\n')).toEqual([
    'x,prediction',
    '1,1.5',
    '2,-2.25',
  ]);
});
