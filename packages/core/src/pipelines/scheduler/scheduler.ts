import { randomBytes } from 'node:crypto';
import { isCairnError } from '../../errors.js';
import type { Schedule } from '../entities.js';
import type { ScheduleStore, TickClaim } from '../sql/schedule-store.js';
import { latestTick } from './cron.js';

export interface SchedulerDeps {
  store: ScheduleStore;
  /**
   * Starts a run for a claimed tick and returns its id (not waiting for it to end). The run must be
   * recorded on the tick in the transaction that creates it (`start(…, { tick })`).
   */
  fire(schedule: Schedule, claim: TickClaim): Promise<string>;
  /** Periodic housekeeping (ending runs whose runner died). */
  housekeeping?: () => Promise<unknown>;
  now?: () => number;
  /** How often to look for due ticks; default 1 s. */
  pollMs?: number;
  /** How long a claim holds without renewal before another scheduler may take it over; default 30 s. */
  leaseMs?: number;
  onError?: (e: unknown) => void;
}

export interface FiredTick { schedule: string; tickTime: number; runId: string | null; error: string | null; recovered?: boolean }

/**
 * Fires due cron ticks. Each tick is claimed with an insert keyed by (schedule, tick time), so any
 * number of schedulers can run at once and a tick still fires once; after downtime only the latest
 * missed tick fires (older ones are skipped, not replayed). The claim is held under a lease,
 * renewed while the pipeline file loads, until the run exists (recorded on the tick in the run's
 * own transaction); a claim whose scheduler died in between is taken over once its lease lapsed.
 */
export class PipelineScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<FiredTick[]> | null = null;
  private readonly now: () => number;
  private readonly leaseMs: number;

  constructor(private readonly d: SchedulerDeps) {
    this.now = d.now ?? Date.now;
    this.leaseMs = d.leaseMs ?? 30_000;
  }

  /** Looks for due ticks (and claims left half-done) once and fires them. */
  async tick(): Promise<FiredTick[]> {
    const fired: FiredTick[] = [];
    const now = this.now();
    await this.d.housekeeping?.().catch((e: unknown) => this.d.onError?.(e));
    const schedules = await this.d.store.list();
    for (const s of schedules) {
      if (!s.enabled) continue;
      let due: number | null;
      try {
        due = latestTick(s.cron, s.timezone, Math.max(s.lastTickTime ?? -1, s.createdTime - 1), now);
      } catch (e) {
        this.d.onError?.(e);
        continue;
      }
      const claim = due === null ? null : { scheduleId: s.scheduleId, tickTime: due, claimToken: randomBytes(12).toString('hex') };
      if (!claim || !(await this.d.store.claimTick(claim.scheduleId, claim.tickTime, now, claim.claimToken))) continue;
      const f = await this.fire(s, claim);
      if (f) fired.push(f);
    }
    const byId = new Map(schedules.map((s) => [s.scheduleId, s]));
    for (const t of await this.d.store.abandonedTicks(now - this.leaseMs)) {
      const s = byId.get(t.scheduleId);
      const claim = { ...t, claimToken: randomBytes(12).toString('hex') };
      if (!s || !(await this.d.store.takeOverTick(claim, this.now(), now - this.leaseMs))) continue;
      const f = await this.fire(s, claim);
      if (f) fired.push({ ...f, recovered: true });
    }
    return fired;
  }

  private async fire(s: Schedule, claim: TickClaim): Promise<FiredTick | null> {
    // Loading a pipeline file on a cold process takes seconds: keep the claim meanwhile.
    const renew = setInterval(() => void this.d.store.renewTick(claim, this.now()).catch(() => {}), Math.max(100, this.leaseMs / 3));
    try {
      const runId = await this.d.fire(s, claim);
      return { schedule: s.name, tickTime: claim.tickTime, runId, error: null };
    } catch (e) {
      // Another scheduler took the tick over (this one stalled past its lease): it fires it.
      if (isCairnError(e, 'CONFLICT')) return null;
      const error = (e as Error).message ?? String(e);
      await this.d.store.recordTickError(claim, error).catch(() => {});
      this.d.onError?.(e);
      return { schedule: s.name, tickTime: claim.tickTime, runId: null, error };
    } finally {
      clearInterval(renew);
    }
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
