import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** State that tells its views when it changed. Views subscribe with `ObserveController`. */
export class Observable extends EventTarget {
  protected changed(): void {
    this.dispatchEvent(new Event('change'));
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
