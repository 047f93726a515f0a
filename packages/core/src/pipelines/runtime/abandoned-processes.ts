import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { processGone } from '../../util/process-gone.js';

/** An attempt that started a child process, as `step_attempts` recorded it. */
export interface RecordedProcess {
  stepRunId: string;
  attempt: number;
  /** `host:pid` of the process that ran the attempt. */
  worker: string | null;
  processGroup: number;
}

const HOST = hostname();

/**
 * Kills what is left of attempts whose runner or worker died: the process group each recorded, if
 * it ran on this host and still holds a process of that very attempt (its environment names the
 * step run and the attempt: `CAIRN_STEP_RUN_ID`, `CAIRN_ATTEMPT`), so a recycled process id is
 * never hit. Linux only (it reads /proc); elsewhere it finds nothing. Returns the groups killed.
 */
export function killAbandonedProcesses(recorded: RecordedProcess[]): number[] {
  const byGroup = new Map<number, RecordedProcess[]>();
  for (const r of recorded) {
    if (!r.worker || r.worker.slice(0, r.worker.lastIndexOf(':')) !== HOST || r.processGroup <= 1) continue;
    byGroup.set(r.processGroup, [...(byGroup.get(r.processGroup) ?? []), r]);
  }
  if (!byGroup.size) return [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const killed = new Set<number>();
  for (const name of entries) {
    const pid = Number(name);
    if (!Number.isSafeInteger(pid) || pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // `pid (comm) state ppid pgrp …`: comm may hold spaces and parentheses, so split after the last ')'.
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      const owners = byGroup.get(pgrp);
      if (!owners || killed.has(pgrp)) continue;
      const env = `\0${readFileSync(`/proc/${pid}/environ`, 'utf8')}\0`;
      if (!owners.some((o) => env.includes(`\0CAIRN_STEP_RUN_ID=${o.stepRunId}\0`) && env.includes(`\0CAIRN_ATTEMPT=${o.attempt}\0`))) continue;
      process.kill(-pgrp, 'SIGKILL');
      killed.add(pgrp);
    } catch {
      // Gone, or not ours to read or kill.
    }
  }
  return [...killed];
}

/**
 * True when `worker` (`host:pid`) names a process of this host that has exited (or is a zombie).
 * Containers sharing a host name but not a process namespace would make it wrong, so a run is ended
 * on its account only when a person acts on it (resume, cancel); the automatic sweep waits for the
 * heartbeat, and uses it only to pick which leftovers to kill (checked by their environment anyway).
 */
export function goneFromThisHost(worker: string | null): boolean {
  if (!worker) return false;
  const at = worker.lastIndexOf(':');
  const pid = Number(worker.slice(at + 1));
  if (worker.slice(0, at) !== HOST || !Number.isSafeInteger(pid) || pid <= 1) return false;
  return processGone(pid);
}
