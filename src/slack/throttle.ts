/**
 * Keeps only the newest pending update and sends at most one every `intervalMs`: chat.update is rate-limited
 * (Tier 3, about 50 a minute per channel), and a diagnosis finishes eleven steps in a second or two. `flush()` sends
 * whatever is pending now and waits for every send to finish.
 */
export class LatestOnlyThrottle<T> {
  private pending: T | undefined;
  private hasPending = false;
  private lastSent = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: (value: T) => Promise<void>,
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(value: T): void {
    this.pending = value;
    this.hasPending = true;
    const wait = this.lastSent + this.intervalMs - this.now();
    if (wait <= 0) this.fire();
    else this.timer ??= setTimeout(() => this.fire(), wait);
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.hasPending) this.fire();
    await this.chain;
  }

  /** Drops anything pending (the final message replaces it). */
  async cancel(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.hasPending = false;
    await this.chain;
  }

  private fire(): void {
    this.timer = undefined;
    if (!this.hasPending) return;
    const value = this.pending as T;
    this.hasPending = false;
    this.lastSent = this.now();
    // Sends run one after another in order; a failed progress update is not worth failing the diagnosis for.
    this.chain = this.chain.then(() => this.send(value)).catch(() => undefined);
  }
}
