// The Chromium that e2e tests, browser kernel tests and benchmarks launch: Debian's, with WebGPU on
// its SwiftShader adapter (see shared/WEBGPU-TESTING.md). Plain .mjs so `node bench/run.mjs` can
// import it as well as the TypeScript configs and tests (types in chromium.d.mts).

/** The executable: CHROMIUM_PATH, else Debian's package. Playwright cannot download its own here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless, as root, no network chatter; `--enable-unsafe-webgpu` because CPU adapters are
 * blocklisted otherwise and requestAdapter() returns null.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--enable-unsafe-webgpu',
];

/**
 * Adds llvmpipe through OpenGL ES for requestAdapter({ featureLevel: 'compatibility' }); a plain
 * requestAdapter() still gets SwiftShader unless `--force-webgpu-compat` is added too.
 */
export const OPENGLES_ARGS = ['--use-angle=gl-egl', '--use-webgpu-adapter=opengles'];
