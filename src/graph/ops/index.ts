/**
 * Every primitive op, gathered in one table. The type annotation is the completeness check: an op
 * named in OpParams without a definition here fails to compile.
 */
import type { OpTable } from '../op-def';
import { binaryOps } from './binary';
import { channelOps } from './channel';
import { convOps } from './conv';
import { fusedOps } from './fused';
import { layoutOps } from './layout';
import { nnOps } from './nn';
import { optimizerOps } from './optimizer';
import { reduceOps } from './reduce';
import { unaryOps } from './unary';

export const opTable: OpTable = {
  ...unaryOps,
  ...binaryOps,
  ...reduceOps,
  ...layoutOps,
  ...nnOps,
  ...convOps,
  ...optimizerOps,
  ...fusedOps,
  ...channelOps,
};

export * from './binary';
export * from './channel';
export * from './conv';
export * from './fused';
export * from './layout';
export * from './nn';
export * from './optimizer';
export * from './reduce';
export * from './unary';
export * from './util';
