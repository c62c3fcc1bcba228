import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SHADERS } from '../../../src/backend/webgpu/shaders';

/**
 * Not shipped: generated matmul kernels for the speed measurements in matmul.measure.ts. Each thread
 * computes a BM x BN block of C held in scalar registers (the CPU emulations run one invocation per
 * SIMD lane, so a vec4 in one invocation is four registers anyway); the workgroup is WGX x WGY
 * threads covering a (WGY*BM) x (WGX*BN) tile. Rows and columns of a thread are either contiguous
 * (thread x owns columns x*BN..x*BN+BN-1) or strided (x, x+WGX, ...: neighbouring lanes read and write
 * neighbouring addresses). Optional vec4 loads: B along N (not transposed, contiguous columns, N % 4
 * == 0) or along K (transposed, K % 4 == 0); A along K (not transposed, K % 4 == 0) or along M
 * (transposed, contiguous rows, M % 4 == 0). Bindings: 0 a, 1 b, 2 c, 3 params (m, n, k, tilesX).
 */
export interface Candidate {
  bm: number;
  bn: number;
  wgx: number;
  wgy: number;
  rows: 'contig' | 'strided';
  cols: 'contig' | 'strided';
  vecA: boolean;
  vecB: boolean;
  /** k-steps per loop iteration (1 or 4); vec4 loads along K need 4. */
  unroll: number;
}

export interface Problem {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

export function label(c: Candidate): string {
  const vec = `${c.vecA ? 'vA' : ''}${c.vecB ? 'vB' : ''}`;
  return `${c.bm}x${c.bn} wg${c.wgx}x${c.wgy} ${c.rows[0]}${c.cols[0]} u${c.unroll}${vec ? ` ${vec}` : ''}`;
}

/** Whether the candidate's vec4 loads are valid for this problem. */
export function fits(c: Candidate, p: Problem): boolean {
  const vecAlongK = (c.vecA && !p.transA) || (c.vecB && p.transB);
  if (vecAlongK && (p.k % 4 !== 0 || c.unroll !== 4)) return false;
  if (c.vecA && p.transA && (p.m % 4 !== 0 || c.bm % 4 !== 0 || c.rows !== 'contig')) return false;
  if (c.vecB && !p.transB && (p.n % 4 !== 0 || c.bn % 4 !== 0 || c.cols !== 'contig')) return false;
  return true;
}

export function tileRows(c: Candidate): number {
  return c.wgy * c.bm;
}
export function tileCols(c: Candidate): number {
  return c.wgx * c.bn;
}

export function generate(c: Candidate, p: Problem): string {
  const { bm, bn, unroll } = c;
  const vecAK = c.vecA && !p.transA;
  const vecAM = c.vecA && p.transA;
  const vecBN = c.vecB && !p.transB;
  const vecBK = c.vecB && p.transB;
  const L: string[] = [];
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  L.push('struct P { m: u32, n: u32, k: u32, tilesX: u32 }');
  L.push(`@group(0) @binding(0) var<storage, read> a: array<${c.vecA ? 'vec4<f32>' : 'f32'}>;`);
  L.push(`@group(0) @binding(1) var<storage, read> b: array<${c.vecB ? 'vec4<f32>' : 'f32'}>;`);
  L.push('@group(0) @binding(2) var<storage, read_write> c: array<f32>;');
  L.push('@group(0) @binding(3) var<uniform> p: P;');
  L.push(`@compute @workgroup_size(${c.wgx}, ${c.wgy})`);
  L.push('fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {');
  L.push('  let m = p.m; let n = p.n; let kk = p.k;');
  L.push(`  let tr = (wid.x / p.tilesX) * ${tileRows(c)}u; let tc = (wid.x % p.tilesX) * ${tileCols(c)}u;`);
  for (const i of range(bm)) {
    const off = c.rows === 'contig' ? `lid.y * ${bm}u + ${i}u` : `lid.y + ${i * c.wgy}u`;
    L.push(`  let r${i} = tr + ${off}; let cr${i} = min(r${i}, m - 1u);`);
  }
  for (const j of range(bn)) {
    const off = c.cols === 'contig' ? `lid.x * ${bn}u + ${j}u` : `lid.x + ${j * c.wgx}u`;
    L.push(`  let q${j} = tc + ${off}; let cq${j} = min(q${j}, n - 1u);`);
  }
  // vec4 groups: clamp the group's first index so the whole vec4 stays in bounds.
  if (vecAM) for (const g of range(bm / 4)) L.push(`  let ga${g} = min(r${4 * g}, m - 4u) / 4u;`);
  if (vecBN) for (const g of range(bn / 4)) L.push(`  let gb${g} = min(q${4 * g}, n - 4u) / 4u;`);
  for (const i of range(bm)) for (const j of range(bn)) L.push(`  var acc${i}_${j} = 0.0;`);
  const body = (kExpr: string, steps: number) => {
    const S: string[] = [];
    const aAt: string[][] = [];
    const bAt: string[][] = [];
    for (let u = 0; u < steps; u++) {
      const ku = u === 0 ? kExpr : `(${kExpr} + ${u}u)`;
      aAt.push(
        range(bm).map((i) => {
          if (vecAK) return `va${i}[${u}]`;
          if (vecAM) return `vam${Math.floor(i / 4)}_${u}[${i % 4}]`;
          return p.transA ? `a[${ku} * m + cr${i}]` : `a[cr${i} * kk + ${ku}]`;
        }),
      );
      bAt.push(
        range(bn).map((j) => {
          if (vecBK) return `vb${j}[${u}]`;
          if (vecBN) return `vbn${Math.floor(j / 4)}_${u}[${j % 4}]`;
          return p.transB ? `b[cq${j} * kk + ${ku}]` : `b[${ku} * n + cq${j}]`;
        }),
      );
      if (vecAM)
        for (const g of range(bm / 4)) S.push(`    let vam${g}_${u} = a[${ku} * (m / 4u) + ga${g}];`);
      if (vecBN)
        for (const g of range(bn / 4)) S.push(`    let vbn${g}_${u} = b[${ku} * (n / 4u) + gb${g}];`);
    }
    if (vecAK) for (const i of range(bm)) S.push(`    let va${i} = a[cr${i} * (kk / 4u) + ${kExpr} / 4u];`);
    if (vecBK) for (const j of range(bn)) S.push(`    let vb${j} = b[cq${j} * (kk / 4u) + ${kExpr} / 4u];`);
    for (let u = 0; u < steps; u++) {
      for (const j of range(bn)) S.push(`    let b${u}_${j} = ${bAt[u][j]};`);
      for (const i of range(bm)) {
        S.push(`    let a${u}_${i} = ${aAt[u][i]};`);
        for (const j of range(bn)) S.push(`    acc${i}_${j} += a${u}_${i} * b${u}_${j};`);
      }
    }
    return S;
  };
  if (unroll === 1) {
    L.push('  for (var k = 0u; k < kk; k++) {', ...body('k', 1), '  }');
  } else {
    L.push('  let k4 = kk - kk % 4u;');
    L.push('  for (var k = 0u; k < k4; k += 4u) {', ...body('k', 4), '  }');
    if (!(vecAK || vecBK)) L.push('  for (var k = k4; k < kk; k++) {', ...body('k', 1), '  }');
  }
  for (const i of range(bm)) {
    for (const j of range(bn))
      L.push(`  if (r${i} < m && q${j} < n) { c[r${i} * n + q${j}] = acc${i}_${j}; }`);
  }
  L.push('}');
  return L.join('\n');
}

export function workgroups(c: Candidate, p: Problem): { count: number; tilesX: number } {
  const tilesX = Math.ceil(p.n / tileCols(c));
  return { count: tilesX * Math.ceil(p.m / tileRows(c)), tilesX };
}

export interface Kernel {
  name: string;
  code: string;
  constants: Record<string, number>;
  workgroups: number;
  params: Uint32Array<ArrayBuffer>;
  /** Binds b a second time as the epilogue's (unread) bias, as nn.ts does. */
  bias?: boolean;
}

/** The shipped (at 2c65b4a) 4x4 register kernel (shaders/matmul-register.wgsl with common.wgsl), as nn.ts dispatches it. */
export function shipped(p: Problem, wg = 64): Kernel {
  // As committed before the fused epilogue (the working tree's copy may be mid-edit).
  const code = ['shaders/matmul-register.wgsl', 'shaders/common.wgsl'].map((f) =>
    execSync(`git show 2c65b4a:${f}`, { encoding: 'utf8' }),
  );
  const perRow = Math.ceil(p.n / 4);
  const blocks = Math.ceil(p.m / 4) * perRow;
  const params = new Uint32Array(64);
  params.set([p.m, p.n, p.k, 0, 0, perRow, blocks]);
  return {
    name: `shipped 4x4 wg${wg}`,
    code: code.join('\n'),
    constants: { WG: wg, TRANS_A: p.transA ? 1 : 0, TRANS_B: p.transB ? 1 : 0 },
    workgroups: Math.ceil(blocks / wg),
    params,
  };
}

/**
 * A shipped matmul kernel's WGSL and params as nn.ts dispatches it: the working tree's (generated from
 * its declaration in src/backend/webgpu/shaders.ts), or the file at a commit, appended with the
 * working tree's generated part, or, for a commit from before the typed params (its file declares
 * its own bindings), with that commit's activation.wgsl and common.wgsl and the 64 untyped words.
 */
function shippedMatmul(
  kernel: typeof SHADERS.matmulVec4 | typeof SHADERS.matmulRegister,
  file: string,
  values: { m: number; n: number; k: number; blocksPerRow: number; blocks: number },
  commit?: string,
): { code: string; params: Uint32Array<ArrayBuffer> } {
  const typed = { code: kernel.code, params: new Uint32Array(kernel.layout.write(values).bytes) };
  if (!commit) return typed;
  const at = (f: string) => execSync(`git show ${commit}:${f}`, { encoding: 'utf8' });
  const text = at(`shaders/${file}.wgsl`);
  if (!text.includes('var<uniform> params')) {
    const own = readFileSync(`shaders/${file}.wgsl`, 'utf8');
    return { ...typed, code: text + kernel.code.slice(own.length) };
  }
  const params = new Uint32Array(64);
  params.set([values.m, values.n, values.k, 0, 0, values.blocksPerRow, values.blocks]);
  return { code: [text, at('shaders/activation.wgsl'), at('shaders/common.wgsl')].join('\n'), params };
}

/** shaders/matmul-register.wgsl (with the epilogue) in the working tree or at a commit, as nn.ts dispatches it. */
export function registerFile(p: Problem, commit?: string): Kernel {
  const blocksPerRow = Math.ceil(p.n / 4);
  const blocks = Math.ceil(p.m / 4) * blocksPerRow;
  const { code, params } = shippedMatmul(
    SHADERS.matmulRegister,
    'matmul-register',
    { m: p.m, n: p.n, k: p.k, blocksPerRow, blocks },
    commit,
  );
  return {
    name: `4x4 ${commit ?? 'file'}`,
    code,
    constants: { WG: 64, TRANS_A: p.transA ? 1 : 0, TRANS_B: p.transB ? 1 : 0 },
    workgroups: Math.ceil(blocks / 64),
    params,
    bias: true,
  };
}

/** shaders/matmul-vec4.wgsl as in the working tree or at a commit, with its appended parts, as nn.ts dispatches it. */
export function vec4File(p: Problem, tx = 8, ty = 4, commit?: string): Kernel {
  const blocksPerRow = Math.ceil(p.n / (8 * tx));
  const blocks = Math.ceil(p.m / (8 * ty)) * blocksPerRow;
  const { code, params } = shippedMatmul(
    SHADERS.matmulVec4,
    'matmul-vec4',
    { m: p.m, n: p.n, k: p.k, blocksPerRow, blocks },
    commit,
  );
  return {
    name: `vec4 ${commit ?? 'file'} wg${tx}x${ty}`,
    code,
    constants: { TX: tx, TY: ty, TRANS_A: p.transA ? 1 : 0, TRANS_B: p.transB ? 1 : 0 },
    workgroups: blocks,
    params,
    bias: true,
  };
}

export function candidate(c: Candidate, p: Problem): Kernel {
  const { count, tilesX } = workgroups(c, p);
  return {
    name: label(c),
    code: generate(c, p),
    constants: {},
    workgroups: count,
    params: new Uint32Array([p.m, p.n, p.k, tilesX]),
  };
}

export const W1: Problem[] = [256, 512, 1024].map((n) => ({ m: n, n, k: n, transA: false, transB: false }));
export const W2: Problem[] = [
  { m: 128, k: 784, n: 256, transA: false, transB: false },
  { m: 128, k: 256, n: 128, transA: false, transB: false },
  { m: 128, k: 128, n: 10, transA: false, transB: false },
  { m: 784, k: 128, n: 256, transA: true, transB: false },
  { m: 256, k: 128, n: 128, transA: true, transB: false },
  { m: 128, k: 128, n: 10, transA: true, transB: false },
  { m: 128, k: 256, n: 784, transA: false, transB: true },
  { m: 128, k: 128, n: 256, transA: false, transB: true },
  { m: 128, k: 10, n: 128, transA: false, transB: true },
];

const base: Candidate = {
  bm: 4,
  bn: 4,
  wgx: 8,
  wgy: 8,
  rows: 'contig',
  cols: 'contig',
  vecA: false,
  vecB: false,
  unroll: 1,
};
const variants = (s: string): Candidate[] =>
  s.split(';').map((spec) => {
    const c = { ...base };
    for (const kv of spec.split(',')) {
      const [k, v] = kv.split('=');
      if (k === 'rows' || k === 'cols') c[k] = v as 'contig' | 'strided';
      else if (k === 'vecA' || k === 'vecB') c[k] = v === '1';
      else if (k) (c as unknown as Record<string, number>)[k] = Number(v);
    }
    return c;
  });

export const vec4Fits = (p: Problem) =>
  p.k % 4 === 0 && (!p.transA || p.m % 4 === 0) && (p.transB || p.n % 4 === 0);

/** MATMUL_SET: w1 (default), w2 or all. */
export function problemsFromEnv(): Problem[] {
  const set = process.env.MATMUL_SET ?? 'w1';
  return set === 'w1' ? W1 : set === 'w2' ? W2 : [...W1, ...W2];
}

/** The kernels the environment asks for (see matmul.measure.ts), those that fit the problem. */
export function kernelsFromEnv(p: Problem): Kernel[] {
  const specs = process.env.MATMUL_VARIANTS ? variants(process.env.MATMUL_VARIANTS) : [];
  return [
    ...(process.env.MATMUL_SHIPPED === '0' ? [] : [shipped(p)]),
    ...(process.env.MATMUL_FILE === '1' && vec4Fits(p) ? [vec4File(p)] : []),
    ...(process.env.MATMUL_REF && vec4Fits(p) ? [vec4File(p, 8, 4, process.env.MATMUL_REF)] : []),
    ...(process.env.MATMUL_REGISTER === '1' ? [registerFile(p)] : []),
    ...(process.env.MATMUL_REGISTER_REF ? [registerFile(p, process.env.MATMUL_REGISTER_REF)] : []),
    ...specs.filter((c) => fits(c, p)).map((c) => candidate(c, p)),
  ];
}
