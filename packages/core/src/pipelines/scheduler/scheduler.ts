import type { Schedule } from '../entities.js';
import type { ScheduleStore } from '../sql/schedule-store.js';
import { latestTick } from './cron.js';

export interface SchedulerDeps {
  store: ScheduleStore;
  /** Starts a run for a fired tick and returns its id (not waiting for it to end). */
  fire(schedule: Schedule, tickTime: number): Promise<string>;
  /** Periodic housekeeping (ending runs whose runner died). */
  housekeeping?: () => Promise<unknown>;
  now?: () => number;
  /** How often to look for due ticks; default 1 s. */
  pollMs?: number;
  onError?: (e: unknown) => void;
}

export interface FiredTick { schedule: string; tickTime: number; runId: string | null; error: string | null }

/**
 * Fires due cron ticks. Each tick is claimed with an insert keyed by (schedule, tick time), so
 * any number of schedulers can run at once and a tick still fires once. After downtime only the
 * latest missed tick fires (older ones are skipped, not replayed).
 */
export class PipelineScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<FiredTick[]> | null = null;
  private readonly now: () => number;

  constructor(private readonly d: SchedulerDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Looks for due ticks once and fires them. */
  async tick(): Promise<FiredTick[]> {
    const fired: FiredTick[] = [];
    const now = this.now();
    await this.d.housekeeping?.().catch((e: unknown) => this.d.onError?.(e));
    for (const s of await this.d.store.list()) {
      if (!s.enabled) continue;
      let due: number | null;
      try {
        due = latestTick(s.cron, s.timezone, Math.max(s.lastTickTime ?? -1, s.createdTime - 1), now);
      } catch (e) {
        this.d.onError?.(e);
        continue;
      }
      if (due === null || !(await this.d.store.claimTick(s.scheduleId, due, now))) continue;
      try {
        const runId = await this.d.fire(s, due);
        await this.d.store.recordTick(s.scheduleId, due, { runId });
        fired.push({ schedule: s.name, tickTime: due, runId, error: null });
      } catch (e) {
        const error = (e as Error).message ?? String(e);
        await this.d.store.recordTick(s.scheduleId, due, { error }).catch(() => {});
        fired.push({ schedule: s.name, tickTime: due, runId: null, error });
        this.d.onError?.(e);
      }
    }
    return fired;
  }

  start(onFired?: (t: FiredTick) => void): void {
    if (this.timer) return;
    const loop = () => {
      if (this.running) return;
      this.running = this.tick();
      this.running.then((ticks) => ticks.forEach((t) => onFired?.(t)), (e: unknown) => this.d.onError?.(e)).finally(() => {
        this.running = null;
      });
    };
    this.timer = setInterval(loop, this.d.pollMs ?? 1000);
    loop();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }
}
