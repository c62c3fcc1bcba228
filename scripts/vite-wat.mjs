// Vite plugin: `import bytes from './kernel.wat'` assembles the WebAssembly text with wabt (the
// WebAssembly Binary Toolkit, compiled to JS: nothing native, nothing downloaded) when the module
// is built or tested, and yields the binary as a Uint8Array. The .wat source is the only form kept.
//
// Multiply-adds are written `(f32x4.relaxed_madd a b c)` (a * b + c). `./kernel.wat?relaxed` keeps
// them, for engines with relaxed SIMD (a fused multiply-add where the CPU has one); plain
// `./kernel.wat` rewrites each into `(f32x4.add (f32x4.mul a b) c)`, which every SIMD engine runs.
//
// Kernel modules import their memory, `(import "env" "memory" (memory N))`. `?shared` (alone or as
// `?relaxed&shared`) declares that import shared (a SharedArrayBuffer-backed memory, with the
// 4 GiB maximum a shared memory must declare), for the CPU backend's worker threads: a module whose
// import is not shared cannot take a shared memory, nor a shared one a plain memory.
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';

let wabt;

const MEMORY_IMPORT = /\(import "env" "memory" \(memory (\d+)\)\)/;

/** The module's memory import declared shared (max 65,536 pages: any shared memory fits under it). */
export function sharedMemoryImport(text, file) {
  if (!MEMORY_IMPORT.test(text))
    throw new Error(`${file}: ?shared needs an (import "env" "memory" (memory N))`);
  return text.replace(MEMORY_IMPORT, '(import "env" "memory" (memory $1 65536 shared))');
}

/** The end (exclusive) of the balanced s-expression or atom starting at `from` in `text`. */
function expressionEnd(text, from) {
  if (text[from] !== '(') return text.slice(from).search(/[\s()]|$/) + from;
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced parentheses from offset ${from}`);
}

/** Every `(f32x4.relaxed_madd a b c)` as `(f32x4.add (f32x4.mul a b) c)`, nested ones included. */
export function plainMultiplyAdds(text) {
  const head = '(f32x4.relaxed_madd';
  for (let at = text.lastIndexOf(head); at >= 0; at = text.lastIndexOf(head, at - 1)) {
    const operands = [];
    let i = at + head.length;
    for (let k = 0; k < 3; k++) {
      while (/\s/.test(text[i])) i++;
      const end = expressionEnd(text, i);
      operands.push(text.slice(i, end));
      i = end;
    }
    while (/\s/.test(text[i])) i++;
    if (text[i] !== ')') throw new Error(`f32x4.relaxed_madd at offset ${at} does not take three operands`);
    const [a, b, c] = operands;
    text = `${text.slice(0, at)}(f32x4.add (f32x4.mul ${a} ${b}) ${c})${text.slice(i + 1)}`;
  }
  return text;
}

export function wat() {
  return {
    name: 'webgpu-trainer:wat',
    async load(id) {
      const [file, query = ''] = id.split('?');
      if (!file.endsWith('.wat')) return null;
      const flags = new URLSearchParams(query);
      const [relaxed, shared] = [flags.has('relaxed'), flags.has('shared')];
      wabt ??= await wabtInit();
      const source = readFileSync(file, 'utf8');
      const fused = relaxed ? source : plainMultiplyAdds(source);
      const text = shared ? sharedMemoryImport(fused, file) : fused;
      const features = { simd: true, relaxed_simd: relaxed, threads: shared };
      const module = wabt.parseWat(file, text, features);
      try {
        module.validate(features);
        const { buffer } = module.toBinary({});
        const base64 = Buffer.from(buffer).toString('base64');
        return `export default Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));`;
      } finally {
        module.destroy();
      }
    },
  };
}
