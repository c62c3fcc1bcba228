import { readdirSync, readFileSync } from 'node:fs';
import MagicString from 'magic-string';
import { defineConfig, type Plugin } from 'vite';
import { wat } from './scripts/vite-wat.mjs';

/**
 * Two builds from one config:
 * - default: the app (index.html + its Lit UI bundle) into dist/app;
 * - `--mode lib`: the package's ESM into dist/lib: the library (index.js from src/index.ts, WGSL
 *   inlined, no Lit, no DOM, importable from Node without a browser) and the element (element.js
 *   from src/main.ts, `webgpu-trainer/element`), whose Workers and samples are files beside it,
 *   referenced through `new URL(..., import.meta.url)` so a consumer's bundler copies them.
 */
/** A placeholder the package build writes where a file beside the chunk is meant (see packageUrls). */
const PACKAGE_URL = '__WT_PACKAGE_URL__';
/** Each Worker by the URL its client names in the sources, and the entry it is built as in dist/lib. */
const WORKERS: Record<string, { built: string; entry: string }> = {
  './training-worker.ts': { built: './training-worker.js', entry: 'src/worker/training-worker.ts' },
  './csv-worker.ts': { built: './csv-worker.js', entry: 'src/data/csv-worker.ts' },
  './dataset-worker.ts': { built: './dataset-worker.js', entry: 'src/data/dataset-worker.ts' },
};

/**
 * The package build's Worker and sample URLs. Vite would turn `new URL('./w.ts', import.meta.url)`
 * into `new URL("/assets/w-hash.js", "" + import.meta.url)`, which neither resolves beside the
 * package's files nor is seen by a consumer's bundler. Here the Workers are entries of their own
 * (dist/lib/training-worker.js, csv-worker.js, dataset-worker.js), the samples are copied to
 * dist/lib/samples, and each reference becomes the literal `new URL("./file", import.meta.url)`
 * that Vite and webpack bundle.
 */
function packageUrls(): Plugin {
  const samples = readdirSync('public/samples').sort();
  return {
    name: 'webgpu-trainer:package-urls',
    enforce: 'pre',
    transform(code, id) {
      if (id.endsWith('/src/ui/state/bundled-samples.ts')) {
        const urls = samples.map(
          (f) => `  ${JSON.stringify(f)}: ${PACKAGE_URL}(${JSON.stringify(`./samples/${f}`)}).href,`,
        );
        const generated = [
          `const urls = {\n${urls.join('\n')}\n};`,
          'export function bundledSampleUrl(file) {',
          '  const url = urls[file];',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the generated module's own template string
          '  if (url === undefined) throw new Error(`no sample dataset named ${file} ships with the element`);',
          '  return url;',
          '}',
        ].join('\n');
        // Generated code: no source positions to map.
        return { code: generated, map: { mappings: '' } };
      }
      if (!code.includes('new Worker(new URL(')) return null;
      const out = new MagicString(code);
      for (const [source, { built }] of Object.entries(WORKERS)) {
        out.replaceAll(`new URL('${source}', import.meta.url)`, `${PACKAGE_URL}(${JSON.stringify(built)})`);
      }
      if (!out.hasChanged()) this.error(`${id}: a Worker the package build does not know; add it to WORKERS`);
      return { code: out.toString(), map: out.generateMap({ hires: true }) };
    },
    renderChunk(code, chunk) {
      if (!code.includes(PACKAGE_URL)) return null;
      // The URLs are relative to the chunk's own file, so every chunk must sit in dist/lib itself.
      if (chunk.fileName.includes('/'))
        this.error(`${chunk.fileName}: a chunk outside dist/lib's top folder`);
      const out = new MagicString(code);
      out.replaceAll(/__WT_PACKAGE_URL__\(("[^"]+")\)/g, 'new URL($1, import.meta.url)');
      return { code: out.toString(), map: out.generateMap({ hires: true }) };
    },
    generateBundle() {
      for (const f of [...samples.map((s) => `samples/${s}`), 'DATASETS.md']) {
        this.emitFile({ type: 'asset', fileName: f, source: readFileSync(`public/${f}`) });
      }
    },
  };
}

/**
 * The headers that make the app's page cross-origin isolated (`crossOriginIsolated`), which a
 * browser requires before it gives a page SharedArrayBuffer, and with it the CPU backend's worker
 * threads. require-corp holds because the app loads nothing from another origin.
 */
export const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// Error classes are told apart by `name` (CsvError, ShapeError, ...): minification must not rename them.
const output = { keepNames: true };

export default defineConfig(({ mode }) => {
  if (mode === 'lib') {
    return {
      build: {
        outDir: 'dist/lib',
        emptyOutDir: true,
        sourcemap: true,
        minify: false,
        // Only the samples (packageUrls copies them), not the app's page files.
        copyPublicDir: false,
        // One build for all entries: shared library code goes into chunks they import, so a page
        // that uses the element and the library holds one copy of the library (and one engine).
        lib: {
          entry: {
            index: 'src/index.ts',
            element: 'src/main.ts',
            ...Object.fromEntries(Object.values(WORKERS).map((w) => [w.built.slice(2, -3), w.entry])),
          },
          formats: ['es'],
          fileName: (_format, entryName) => `${entryName}.js`,
        },
        rolldownOptions: {
          // Dawn's Node bindings are loaded only in Node, at run time, when they are installed.
          external: ['webgpu', /^node:/],
          // Shared code in dist/lib itself, beside the entries (packageUrls' URLs are chunk-relative).
          output: { ...output, chunkFileNames: 'shared-[hash].js' },
        },
      },
      plugins: [wat(), packageUrls()],
    };
  }
  return {
    plugins: [wat()],
    base: './',
    server: { host: '127.0.0.1', headers: CROSS_ORIGIN_ISOLATION },
    preview: { host: '127.0.0.1', headers: CROSS_ORIGIN_ISOLATION },
    build: {
      outDir: 'dist/app',
      emptyOutDir: true,
      sourcemap: true,
      target: 'es2022',
      // The page bundle holds the library (model checks, weights files) as well as the UI: ~530 kB, 165 kB gzipped.
      chunkSizeWarningLimit: 700,
      rolldownOptions: {
        // The element also gets a stable name, so any page can embed it with one script tag:
        // <script type="module" src=".../webgpu-trainer.js"></script> <webgpu-trainer></webgpu-trainer>
        input: { index: 'index.html', 'webgpu-trainer': 'src/main.ts' },
        output: {
          ...output,
          entryFileNames: (chunk) =>
            chunk.name === 'webgpu-trainer' ? 'webgpu-trainer.js' : 'assets/[name]-[hash].js',
        },
      },
    },
    worker: { format: 'es', plugins: () => [wat()], rolldownOptions: { output } },
  };
});
