/**
 * The compiled step's call of elementwise.wat's broadcasting `binary` for one node: indexing.ts's
 * rowPlan read as the module's three nested levels (a row, the rows of a block, the blocks), and
 * any axes outside those walked here, once per block, with the blocks' offsets found at compile
 * rather than per step. A same-shape op is one row; a bias add [m, n] + [n] is m rows; a
 * per-channel scale of NCHW [b, c, h, w] by [c, 1, 1] is b blocks of c rows of h w.
 */
import type { CpuTensor } from '../types';
import { rowPlan } from './indexing';

type BinaryExport = (...args: number[]) => void;

/** A call of `binary` with op `code` on the operands' byte offsets (`at`), or null where it does not apply. */
export function binaryCall(
  binary: BinaryExport,
  code: number,
  at: (t: CpuTensor) => number,
  [a, b]: readonly CpuTensor[],
  out: CpuTensor,
): (() => void) | null {
  const total = out.data.length;
  if (total === 0) return () => {};
  const {
    dims,
    strides: [sA, sB],
  } = rowPlan([a.shape, b.shape], out.shape);
  const r = dims.length;
  const level = (i: number) => (i >= 0 ? [dims[i], sA[i], sB[i]] : [1, 0, 0]);
  const [len, sa, sb] = level(r - 1);
  // rowPlan's innermost strides are 0 or 1; the module's rows take nothing else.
  if (!(sa === 0 || sa === 1) || !(sb === 0 || sb === 1)) return null;
  const [rows, ra, rb] = level(r - 2);
  const [outer, oa, ob] = level(r - 3);
  const perBlock = len * rows * outer;
  const blocks = total / perBlock;
  const [offA, offB] = [new Int32Array(blocks), new Int32Array(blocks)];
  const axes = Math.max(r - 3, 0);
  const counter = new Array<number>(axes).fill(0);
  for (let q = 0, ia = 0, ib = 0; q < blocks; q++) {
    offA[q] = ia;
    offB[q] = ib;
    for (let axis = axes - 1; axis >= 0; axis--) {
      ia += sA[axis];
      ib += sB[axis];
      if (++counter[axis] < dims[axis]) break;
      ia -= sA[axis] * dims[axis];
      ib -= sB[axis] * dims[axis];
      counter[axis] = 0;
    }
  }
  const [pa, pb, po] = [at(a), at(b), at(out)];
  return () => {
    for (let q = 0; q < blocks; q++)
      binary(
        code,
        po + q * perBlock * 4,
        pa + offA[q] * 4,
        pb + offB[q] * 4,
        len,
        sa,
        sb,
        rows,
        ra,
        rb,
        outer,
        oa,
        ob,
      );
  };
}
