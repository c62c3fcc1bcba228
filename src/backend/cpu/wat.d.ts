/** WebAssembly text, assembled at build time (scripts/vite-wat.mjs): the module's binary. */
declare module '*.wat' {
  const bytes: Uint8Array;
  export default bytes;
}
