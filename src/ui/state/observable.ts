import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** State that tells its views when it changed. Views subscribe with `ObserveController`. */
export class Observable extends EventTarget {
  private pending = false;

  protected changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  /** Coalesces bursts (a change per training batch) into one notification per animation frame. */
  protected changedSoon(): void {
    if (this.pending) return;
    this.pending = true;
    const flush = () => {
      this.pending = false;
      this.changed();
    };
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(flush);
    else setTimeout(flush, 16);
  }
}

/** Re-renders a Lit host whenever an Observable changes, for as long as the host is connected. */
export class ObserveController implements ReactiveController {
  private readonly onChange = () => this.host.requestUpdate();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly target: () => Observable | undefined,
  ) {
    host.addController(this);
  }

  private subscribed?: Observable;

  hostConnected(): void {
    this.resubscribe();
  }

  hostUpdate(): void {
    this.resubscribe();
  }

  hostDisconnected(): void {
    this.subscribed?.removeEventListener('change', this.onChange);
    this.subscribed = undefined;
  }

  private resubscribe(): void {
    const next = this.target();
    if (next === this.subscribed) return;
    this.subscribed?.removeEventListener('change', this.onChange);
    next?.addEventListener('change', this.onChange);
    this.subscribed = next;
  }
}
