/** WebAssembly text, assembled at build time (scripts/vite-wat.mjs): the module's binary. */
declare module '*.wat' {
  const bytes: Uint8Array;
  export default bytes;
}

/** The same module with its multiply-adds as relaxed SIMD's f32x4.relaxed_madd (validates only where the engine has it). */
declare module '*.wat?relaxed' {
  const bytes: Uint8Array;
  export default bytes;
}

/** The same module with its memory import declared shared, for the worker threads (see scripts/vite-wat.mjs). */
declare module '*.wat?shared' {
  const bytes: Uint8Array;
  export default bytes;
}

/** Relaxed SIMD and a shared memory import: the worker threads' build where the engine has relaxed SIMD. */
declare module '*.wat?relaxed&shared' {
  const bytes: Uint8Array;
  export default bytes;
}
