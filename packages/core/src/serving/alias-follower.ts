export interface AliasFollowerOptions {
  /** Checks where the alias points now and swaps if it moved (never throws: it reports). */
  check: () => Promise<void>;
  pollMs: number;
  /** Subscribes to change notifications (PostgreSQL); returns an unsubscribe. A notification triggers a check. */
  subscribe?: (onChange: () => void) => { close(): Promise<void> };
}

/**
 * Keeps a served alias current: a check on every notification (PostgreSQL LISTEN/NOTIFY) and on a
 * timer (SQLite, and the fallback when notifications are lost). Checks never overlap; one asked for
 * while another runs happens right after it.
 */
export class AliasFollower {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private subscription: { close(): Promise<void> } | null = null;
  /** When the alias was last checked (epoch ms). */
  lastCheck: number | null = null;

  constructor(private readonly options: AliasFollowerOptions) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.pollMs);
    this.timer.unref();
    // A notification arrives as its transaction commits; a short delay lets other listeners (the
    // registry's resolve cache) hear it first.
    this.subscription = this.options.subscribe?.(() => setTimeout(() => this.kick(), 50).unref()) ?? null;
  }

  get mode(): 'notify' | 'poll' {
    return this.subscription ? 'notify' : 'poll';
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.options.check().finally(() => {
      this.lastCheck = Date.now();
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Waits for the check under way (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.subscription?.close();
    await this.running;
  }
}
