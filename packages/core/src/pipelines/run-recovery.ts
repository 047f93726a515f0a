import type { RunService } from '../tracking/run-service.js';
import type { PipelineRun, PipelineRunStatus } from './entities.js';
import { endTrackingRuns } from './pipeline-tracking.js';
import { goneFromThisHost, killAbandonedProcesses } from './runtime/abandoned-processes.js';
import type { WorkFolders } from './runtime/work-folders.js';
import type { PipelineRunStore } from './sql/pipeline-run-store.js';
import type { StepAttemptStore } from './sql/step-attempt-store.js';
import type { StepRunStore } from './sql/step-run-store.js';

export interface RunRecoveryDeps {
  runStore: PipelineRunStore;
  steps: StepRunStore;
  attempts: StepAttemptStore;
  runs: RunService;
  workFolders: WorkFolders;
  heartbeatTimeoutSeconds: number;
  now(): number;
}

/**
 * Ends runs whose runner died and cleans up after them: their unfinished steps and running
 * attempts end at the runner's last heartbeat, their tracking runs (pipeline and steps) end too,
 * the process groups their attempts recorded are killed (on this host, when still there) and the
 * attempts' scratch folders removed.
 */
export class RunRecovery {
  constructor(private readonly d: RunRecoveryDeps) {}

  /** Ends runs whose heartbeat is older than the timeout: FAILED, or CANCELLED if a cancel was asked for. Returns their ids. */
  async reapStale(): Promise<string[]> {
    const timeout = this.d.heartbeatTimeoutSeconds;
    const now = this.d.now();
    const stopped = `no heartbeat for more than ${timeout} s: the process running the pipeline stopped (killed or crashed)`;
    const ended = await this.d.runStore.reapStale(now - timeout * 1000, now, {
      failed: `${stopped}; resume with cairn pipelines resume`,
      cancelled: `cancelled by request; ${stopped}`,
    });
    for (const e of ended) await this.closeDead(e.runId, e.status, e.status === 'CANCELLED' ? e.reason : `did not finish: ${e.reason}`, e.diedAt);
    if (ended.length) await this.d.workFolders.sweep().catch(() => 0);
    return ended.map((e) => e.runId);
  }

  /**
   * Ends a RUNNING run at once when the process running it is known to be gone (it ran on this
   * host and has exited), instead of waiting for its heartbeat to lapse. False when that cannot
   * be told from here.
   */
  async endIfRunnerGone(run: PipelineRun, status: Extract<PipelineRunStatus, 'FAILED' | 'CANCELLED'>, reason: string): Promise<boolean> {
    if (run.status !== 'RUNNING' || !run.runner || !goneFromThisHost(run.runner)) return false;
    const now = this.d.now();
    const diedAt = run.heartbeatTime ?? now;
    if (!(await this.d.runStore.endOrphan(run.runId, status, reason, 0, now, { runner: run.runner, endTime: status === 'FAILED' ? diedAt : now }))) return false;
    await this.closeDead(run.runId, status, status === 'FAILED' ? `did not finish: ${reason}` : reason, diedAt);
    await this.d.workFolders.sweep().catch(() => 0);
    return true;
  }

  /** Kills what attempts of a run left running on this host (before a resume re-runs them). */
  async killLeftovers(runId: string): Promise<number[]> {
    return killAbandonedProcesses(await this.d.attempts.processGroups(runId));
  }

  private async closeDead(runId: string, status: PipelineRunStatus, note: string, diedAt: number): Promise<void> {
    const now = this.d.now();
    const stepTracking = await this.d.steps.endUnfinished(runId, null, status, note, now, diedAt);
    // Only what dead processes left: a live worker still running a step of this run stops it itself
    // (its lease renewal sees the run ended) and records how.
    const left = (await this.d.attempts.processGroups(runId).catch(() => [])).filter((p) => goneFromThisHost(p.worker));
    killAbandonedProcesses(left);
    const run = await this.d.runStore.get(runId);
    await endTrackingRuns(this.d.runs, [...stepTracking, run?.trackingRunId ?? null], status === 'CANCELLED' ? 'KILLED' : 'FAILED', diedAt);
  }
}
