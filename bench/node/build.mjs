// Bundles the Node bench (bench/node/main.ts) into one ESM file, bench/node/dist/bench-node.mjs:
// everything but Dawn's `webgpu` package, which carries a native binary and is loaded beside it.
// Used by `npm run bench:node` and by the GPU kit (scripts/gpu-kit.mjs).
import { build } from 'vite';
import { wat } from '../../scripts/vite-wat.mjs';

export const BUNDLE = 'bench/node/dist/bench-node.mjs';

export async function buildBench() {
  await build({
    configFile: false,
    publicDir: false,
    plugins: [wat()],
    logLevel: 'warn',
    build: {
      ssr: 'bench/node/main.ts',
      outDir: 'bench/node/dist',
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rollupOptions: { output: { entryFileNames: 'bench-node.mjs', format: 'es', codeSplitting: false } },
    },
    ssr: { noExternal: true, external: ['webgpu'], target: 'node' },
  });
  return BUNDLE;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  console.log(`bundled ${await buildBench()}`);
}
