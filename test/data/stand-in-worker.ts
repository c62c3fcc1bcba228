/**
 * A stand-in for a browser's Worker in Node: loads the real worker module with `self` stubbed and
 * passes messages through structured clone (transferring buffers), as a browser does.
 */
import { expect, vi } from 'vitest';

type Handler = (event: { data: unknown }) => void;

export class StandInWorker {
  static created = 0;
  onmessage: Handler | null = null;
  onerror: ((event: { message: string }) => void) | null = null;
  terminated = false;
  private readonly ready: Promise<Handler>;

  constructor(url: URL, options: { type: string }) {
    StandInWorker.created++;
    expect(options.type).toBe('module');
    const scope = {
      onmessage: null as Handler | null,
      postMessage: (msg: unknown, transfer: Transferable[] = []) => {
        if (!this.terminated) this.onmessage?.({ data: structuredClone(msg, { transfer }) });
      },
    };
    vi.stubGlobal('self', scope);
    this.ready = import(/* @vite-ignore */ `${url.href}?instance=${StandInWorker.created}`).then(
      () => scope.onmessage!,
    );
  }

  postMessage(data: unknown): void {
    void this.ready.then((handler) => handler({ data }));
  }

  terminate(): void {
    this.terminated = true;
  }
}

/** Makes `new Worker(...)` the stand-in, and the code believe it runs in a page. */
export function useStandInWorker(): void {
  vi.stubGlobal('Worker', StandInWorker);
  vi.stubGlobal('document', {});
}
