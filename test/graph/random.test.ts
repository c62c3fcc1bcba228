/**
 * The counter-based generator. The hash values below were computed independently (a Python
 * transcription of lowbias32), so the WGSL port has reference values to match bit for bit.
 */
import { describe, expect, it } from 'vitest';
import {
  dropoutKeeps,
  dropoutThreshold,
  hash32,
  Random,
  randomBits,
  streamKey,
} from '../../src/graph/random';

describe('hash32, streamKey, randomBits', () => {
  it('match an independent implementation of lowbias32', () => {
    expect([0, 1, 2, 0xdeadbeef, 0xffffffff].map(hash32)).toEqual([
      0, 1753845952, 3507691905, 3861431939, 1734902346,
    ]);
    const key = streamKey(42, 7);
    expect(key).toBe(4019784701);
    expect([0, 1, 2, 3].map((i) => randomBits(key, i))).toEqual([
      409283891, 1031896966, 3074310728, 2121855250,
    ]);
    // Negative seeds wrap to u32 as they will in WGSL.
    expect(streamKey(-1, 3)).toBe(3507146446);
  });

  it('dropout keeps an element when its top 24 bits reach the threshold', () => {
    expect(dropoutThreshold(0)).toBe(0);
    expect(dropoutThreshold(0.5)).toBe(2 ** 23);
    const key = streamKey(42, 7);
    // randomBits(key, 0) >>> 8 = 1598765, below 2^23: dropped at rate 0.5, kept at rate 0.05.
    expect(randomBits(key, 0) >>> 8).toBe(1598765);
    expect(dropoutKeeps(key, 0, dropoutThreshold(0.5))).toBe(false);
    expect(dropoutKeeps(key, 0, dropoutThreshold(0.05))).toBe(true);
  });
});

describe('Random', () => {
  it('is reproducible from its seed, and differs across seeds', () => {
    const draw = (seed: number) => {
      const r = new Random(seed);
      return Array.from({ length: 5 }, () => r.uniform());
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });

  it('uniform lies in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new Random(5);
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      s += u;
      s2 += u * u;
    }
    const mean = s / n;
    // Standard errors: 0.0009 for the mean, 0.0003 for the variance; allow about 4 of them.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(s2 / n - mean * mean - 1 / 12)).toBeLessThan(0.0012);
  });

  it('normal has mean 0 and variance 1', () => {
    const r = new Random(6);
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      expect(Number.isFinite(z)).toBe(true);
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.013);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
  });

  it('int covers [0, n) evenly and permutation is a permutation', () => {
    const r = new Random(7);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[r.int(6)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    const p = Array.from(r.permutation(1000));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(p).not.toEqual([...p].sort((a, b) => a - b));
  });
});
