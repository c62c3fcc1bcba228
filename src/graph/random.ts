/**
 * Counter-based random numbers. Every value is a pure function of (seed, stream, index), so the
 * same integer hash in WGSL (shaders/dropout.wgsl) produces bit-for-bit the same dropout masks,
 * and a run is reproducible from its seed whatever order elements are computed in.
 */

/** lowbias32 (C. Wellons): a 32-bit integer bijection with strong avalanche. u32 math only. */
export function hash32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x;
}

/** One key per (seed, stream): the stream is the training step for dropout. */
export function streamKey(seed: number, stream: number): number {
  return hash32((hash32(seed >>> 0) ^ Math.imul(stream >>> 0, 0x9e3779b9)) >>> 0);
}

/** 32 random bits for element `index` of the stream keyed by `key`. */
export function randomBits(key: number, index: number): number {
  return hash32((hash32((index ^ key) >>> 0) + key) >>> 0);
}

/**
 * Dropout keeps an element when its top 24 random bits reach this threshold. Comparing integers
 * (not floats) keeps the decision identical on every backend.
 */
export function dropoutThreshold(rate: number): number {
  return Math.floor(rate * 2 ** 24);
}

export function dropoutKeeps(key: number, index: number, threshold: number): boolean {
  return randomBits(key, index) >>> 8 >= threshold;
}

/** A seeded generator for initialisers and shuffling (not for dropout, which is per element). */
export class Random {
  private readonly key: number;
  private counter = 0;

  constructor(seed: number) {
    this.key = streamKey(seed, 0x5eed);
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return randomBits(this.key, this.counter++) / 2 ** 32;
  }

  /** Standard normal by Box-Muller (one value per call; the pair's twin is dropped for simplicity). */
  normal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]: log stays finite
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Fisher-Yates shuffle of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
