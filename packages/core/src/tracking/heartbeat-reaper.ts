import type { RunService } from './run-service.js';

// Ends runs whose process died: a RUNNING run that sends heartbeats (SDK runs) and fell silent for
// longer than `tracking.heartbeat_timeout_seconds` is marked KILLED with the reason. Every process
// that works on a store runs it: `cairn server`, and the SDK and CLI on an embedded store (once when
// they open it, and on a timer while an SDK run is open), so a dead run is ended with no server.

export interface HeartbeatReaper {
  /** Runs one sweep now; resolves to the ids of the runs it marked KILLED. */
  sweep(): Promise<string[]>;
  stop(): void;
}

export interface ReaperLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** How often to look for stale runs: often enough that a run is ended within a quarter timeout. */
export function reaperIntervalMs(timeoutSeconds: number): number {
  return Math.max(1000, Math.min(60_000, (timeoutSeconds * 1000) / 4));
}

/**
 * Periodically marks RUNNING runs whose heartbeat is older than `timeoutSeconds` as KILLED. The
 * timer does not keep the process alive; call `stop()` on shutdown.
 *
 * @example
 * ```ts
 * const reaper = startHeartbeatReaper(platform.runs, platform.config.tracking.heartbeat_timeout_seconds, app.log);
 * app.addHook('onClose', async () => reaper.stop());
 * ```
 */
export function startHeartbeatReaper(runs: Pick<RunService, 'killStaleRuns'>, timeoutSeconds: number, log?: ReaperLog): HeartbeatReaper {
  let running: Promise<string[]> | null = null;
  const sweep = async (): Promise<string[]> => {
    // Sweeps never overlap: a slow database must not pile up concurrent updates.
    if (running) return running;
    running = runs.killStaleRuns(timeoutSeconds).finally(() => {
      running = null;
    });
    const killed = await running;
    if (killed.length) log?.info({ runIds: killed }, `marked ${killed.length} run(s) KILLED: no heartbeat for ${timeoutSeconds} s`);
    return killed;
  };
  const timer = setInterval(() => {
    sweep().catch((err: unknown) => log?.error({ err }, 'heartbeat sweep failed'));
  }, reaperIntervalMs(timeoutSeconds));
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
