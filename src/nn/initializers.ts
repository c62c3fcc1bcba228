/**
 * Seeded weight initialisers. Every value comes from `Random` (src/graph/random.ts), so a model
 * built twice from the same seed has bit-identical weights on every backend.
 */
import { fmtShape, InvalidArgumentError } from '../errors';
import { Random } from '../graph/random';
import { type Shape, sizeOf } from '../graph/shape';

export type InitializerName = 'glorotUniform' | 'glorotNormal' | 'heNormal' | 'heUniform' | 'zeros' | 'ones';

/** A name, or a name with its own seed (which then wins over the seed the layer derives). */
export type InitializerSpec = InitializerName | { name: InitializerName; seed?: number };

/** Fan-in and fan-out as Keras computes them: a conv kernel [kh,kw,in,out] counts kh*kw per channel. */
export function fans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length < 2) return { fanIn: shape[0] ?? 1, fanOut: shape[0] ?? 1 };
  const receptive = sizeOf(shape.slice(0, -2));
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

// The standard deviation of a standard normal truncated to [-2, 2] is 0.8796...: dividing by it
// makes the truncated draws have the variance the scheme asks for (as Keras does).
const TRUNCATED_STD = 0.87962566103423978;

function truncatedNormal(rng: Random, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let z = rng.normal();
    while (Math.abs(z) > 2) z = rng.normal();
    out[i] = (z * std) / TRUNCATED_STD;
  }
  return out;
}

function uniform(rng: Random, n: number, limit: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * rng.uniform() - 1) * limit;
  return out;
}

type InitFn = (shape: Shape, rng: Random) => Float32Array;

const initializers: { readonly [K in InitializerName]: InitFn } = {
  glorotUniform: (s, rng) => {
    const { fanIn, fanOut } = fans(s);
    return uniform(rng, sizeOf(s), Math.sqrt(6 / (fanIn + fanOut)));
  },
  glorotNormal: (s, rng) => {
    const { fanIn, fanOut } = fans(s);
    return truncatedNormal(rng, sizeOf(s), Math.sqrt(2 / (fanIn + fanOut)));
  },
  heNormal: (s, rng) => truncatedNormal(rng, sizeOf(s), Math.sqrt(2 / fans(s).fanIn)),
  heUniform: (s, rng) => uniform(rng, sizeOf(s), Math.sqrt(6 / fans(s).fanIn)),
  zeros: (s) => new Float32Array(sizeOf(s)),
  ones: (s) => new Float32Array(sizeOf(s)).fill(1),
};

export function isInitializerName(name: unknown): name is InitializerName {
  return typeof name === 'string' && Object.hasOwn(initializers, name);
}

/** The initial values for a weight of `shape`; `seed` is used unless the spec carries its own. */
export function initialValues(spec: InitializerSpec, shape: Shape, seed: number): Float32Array {
  const name = typeof spec === 'string' ? spec : spec?.name;
  if (!isInitializerName(name)) {
    throw new InvalidArgumentError(
      `initializer: unknown name '${String(name)}' for a weight of shape ${fmtShape(shape)}, ` +
        `expected one of ${Object.keys(initializers).join(', ')}`,
    );
  }
  const ownSeed = typeof spec === 'object' ? spec.seed : undefined;
  return initializers[name](shape, new Random(ownSeed ?? seed));
}
