import { readFileSync } from 'node:fs';

/**
 * True when process `pid` of this machine has exited or is a zombie (killed, not yet reaped by its
 * parent). This process, and a process that exists but belongs to another user, are not gone.
 */
export function processGone(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
