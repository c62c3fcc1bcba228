/**
 * The ops: one file per family, the same family names as the backends' kernels
 * (src/backend/cpu/kernels/<family>.ts, src/backend/webgpu/kernels/<family>.ts):
 *   <family>.ts        the op functions (argument checks, then the engine runs the op)
 *   defs/<family>.ts   each op's output shape and backward; defs/index.ts registers them all
 * Importing this module registers every op. package.json lists it and defs/index.ts under
 * "sideEffects": a bundler keeps a module it takes for side-effect free only when one of its
 * exports is used, and nothing but tests reads opTable, so without both entries Vite's app, Worker
 * and kit bundles dropped the registration and every op failed as "not registered".
 */

export * from './channel';
export * from './conv';
export { opTable } from './defs/index';
export * from './elementwise';
export * from './fused';
export * from './layout';
export * from './nn';
export * from './optimizer';
export * from './reduce';
export * from './util';
