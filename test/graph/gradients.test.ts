/**
 * Every primitive op's backward, checked against central finite differences in float64 (see
 * gradcheck.ts for the error measure). The cases live in gradient-cases/ by family; they run in
 * this one file so that the coverage test at the end sees every op they exercised.
 */
import { describe, expect, it } from 'vitest';
import type { OpName } from '../../src/graph/op-params';
import { mul, opTable, sub, tanh } from '../../src/graph/ops';
import { checkGradients, Draw, exercisedOps } from './gradcheck';
import { channelGradientCases } from './gradient-cases/channel';
import { convGradientCases } from './gradient-cases/conv';
import { elementwiseGradientCases } from './gradient-cases/elementwise';
import { fusedGradientCases } from './gradient-cases/fused';
import { layoutGradientCases } from './gradient-cases/layout';
import { nnGradientCases } from './gradient-cases/nn';
import { optimizerGradientCases } from './gradient-cases/optimizer';

elementwiseGradientCases();
layoutGradientCases();
nnGradientCases();
convGradientCases();
optimizerGradientCases();
fusedGradientCases();
channelGradientCases();

// Runs last (vitest runs a file's tests in order). Filtering tests with -t makes it fail by design.
describe('coverage', () => {
  it('every op in opTable ran inside a gradient-checked function', () => {
    const all = Object.keys(opTable) as OpName[];
    const missing = all.filter((op) => !exercisedOps.has(op));
    expect(missing, `ops never gradient-checked: ${missing.join(', ')}`).toEqual([]);
  });
});

describe('the checker itself', () => {
  it('fails on a wrong backward rule', () => {
    const def = opTable.tanh as { backward: (typeof opTable.tanh)['backward'] };
    const right = def.backward;
    // d tanh = 1 - y^2; dropping the square is the kind of slip the suite exists to catch.
    def.backward = ({ dy, output }) => [mul(dy, sub(1, output))];
    try {
      const d = new Draw(1);
      expect(() => checkGradients(tanh, [d.uniform([3])], { seed: 1 })).toThrow(
        /gradient check failed, seed 1/,
      );
    } finally {
      def.backward = right;
    }
  });
});
