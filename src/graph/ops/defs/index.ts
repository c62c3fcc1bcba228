/**
 * Every primitive op's definition (its output shape and backward), gathered in one table and
 * registered with the engine when this module loads; src/graph/ops/index.ts imports it, so any
 * import of the ops registers them all. The type annotation is the completeness check: an op
 * named in OpParams without a definition here fails to compile.
 *
 * The definitions live apart from the op functions (src/graph/ops/<family>.ts) because a backward
 * is written with other families' op functions: this folder imports those, and they import no
 * definition, so the modules form no cycle.
 */
import { registerOps } from '../../engine';
import type { OpTable } from '../../op-def';
import { channelOps } from './channel';
import { convOps } from './conv';
import { elementwiseOps } from './elementwise';
import { fusedOps } from './fused';
import { layoutOps } from './layout';
import { nnOps } from './nn';
import { optimizerOps } from './optimizer';
import { reduceOps } from './reduce';

export const opTable: OpTable = registerOps({
  ...elementwiseOps,
  ...reduceOps,
  ...layoutOps,
  ...nnOps,
  ...convOps,
  ...optimizerOps,
  ...fusedOps,
  ...channelOps,
});
