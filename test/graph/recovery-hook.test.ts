import { describe, expect, it } from 'vitest';
import { getBackendInfo } from '../../src/backend/index';
import { DeviceLostError } from '../../src/errors';
import { currentBackend, recoverBackend } from '../../src/graph/engine';
import { tensor } from '../../src/index';

describe('recoverBackend (the hook fit uses after a device loss)', () => {
  it('replaces the failed backend with a working one and records why', async () => {
    const failed = currentBackend();
    const cause = new DeviceLostError('test: the device went away');
    const next = await recoverBackend(failed, cause);
    expect(next).not.toBe(failed);
    expect(currentBackend()).toBe(next);
    expect(await tensor([1, 2, 3]).data()).toEqual(new Float32Array([1, 2, 3]));
    const info = getBackendInfo();
    expect(info.recovered?.cause).toBe('test: the device went away');
    expect(info.recovered?.from).toBe(failed.description);
    expect(info.recovered?.to).toBe(next.description);
  });
});
