/** Not a test: inputs and float64 references for the matmul measurements. */
import { readFileSync } from 'node:fs';
import type { Problem } from './matmul-candidates';

export const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** Uniform values in [-0.5, 0.5) from a fixed linear congruential sequence. */
export function random(n: number, seed: number): Float32Array<ArrayBuffer> {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

function element(p: Problem, a: Float32Array, b: Float32Array, i: number, j: number): number {
  let sum = 0;
  for (let k = 0; k < p.k; k++) {
    sum += (p.transA ? a[k * p.m + i] : a[i * p.k + k]) * (p.transB ? b[j * p.k + k] : b[k * p.n + j]);
  }
  return sum;
}

export function reference(p: Problem, a: Float32Array, b: Float32Array): Float64Array {
  const c = new Float64Array(p.m * p.n);
  for (let i = 0; i < p.m; i++) for (let j = 0; j < p.n; j++) c[i * p.n + j] = element(p, a, b, i, j);
  return c;
}

/** `count` elements of C at spread indices (the last one included), as [index, value]. */
export function sampledReference(
  p: Problem,
  a: Float32Array,
  b: Float32Array,
  count: number,
): [number, number][] {
  const size = p.m * p.n;
  return Array.from({ length: count }, (_, s) => {
    const index = Math.min(size - 1, Math.floor(((s + 1) * size) / count));
    return [index, element(p, a, b, Math.floor(index / p.n), index % p.n)];
  });
}
