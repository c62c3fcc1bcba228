// Vite's `?raw` suffix imports a file's text; vitest and the library build both honour it.
declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}
