import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepAttemptStore } from '../sql/step-attempt-store.js';

const NAME = /^([0-9a-f]{32})-(\d+)-[0-9a-f]{6}$/;

/**
 * The scratch folders of attempts, `<cache>/work/<step run>-<attempt>-<claim>`. An attempt removes
 * its own when it ends; the folders of attempts whose process died are removed by `sweep`, which
 * keeps those of attempts still running (in any process on this machine).
 */
export class WorkFolders {
  private swept = false;

  constructor(readonly root: string, private readonly steps: Pick<StepAttemptStore, 'runningAttempts'>) {}

  path(stepRunId: string, attempt: number, claimToken: string): string {
    return join(this.root, `${stepRunId}-${attempt}-${claimToken.slice(0, 6)}`);
  }

  /** Sweeps in the background, once per process (when its first attempt starts). */
  sweepOnce(): void {
    if (this.swept) return;
    this.swept = true;
    void this.sweep().catch(() => {});
  }

  /** Removes the folders of attempts that are no longer running. Returns how many. */
  async sweep(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return 0;
    }
    const found = names.map((name) => ({ name, m: NAME.exec(name) })).filter((f): f is { name: string; m: RegExpExecArray } => f.m !== null);
    if (!found.length) return 0;
    const running = await this.steps.runningAttempts([...new Set(found.map((f) => f.m[1]!))]);
    const stale = found.filter((f) => !running.has(`${f.m[1]}:${Number(f.m[2])}`));
    await Promise.all(stale.map((f) => rm(join(this.root, f.name), { recursive: true, force: true }).catch(() => {})));
    return stale.length;
  }
}
