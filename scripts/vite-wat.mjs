// Vite plugin: `import bytes from './kernel.wat'` assembles the WebAssembly text with wabt (the
// WebAssembly Binary Toolkit, compiled to JS: nothing native, nothing downloaded) when the module
// is built or tested, and yields the binary as a Uint8Array. The .wat source is the only form kept.
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';

let wabt;

export function wat() {
  return {
    name: 'webgpu-trainer:wat',
    async load(id) {
      if (!id.endsWith('.wat')) return null;
      wabt ??= await wabtInit();
      const module = wabt.parseWat(id, readFileSync(id, 'utf8'), { simd: true });
      try {
        module.validate();
        const { buffer } = module.toBinary({});
        const base64 = Buffer.from(buffer).toString('base64');
        return `export default Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));`;
      } finally {
        module.destroy();
      }
    },
  };
}
