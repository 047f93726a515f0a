import type { RunStatus } from '@cairn/core';
import { isServerUri } from './server-uri.js';

/**
 * The line the SDK prints when a run ends (unless quiet): what ended, how, and the command that shows
 * it, so a script's output leads to its results as MLflow's "View run …" does.
 *
 * @example
 * ```ts
 * runEndNotice({ runId: 'f3…', runName: 'baseline', experimentName: 'churn', status: 'FINISHED', location: 'sqlite:.cairn/cairn.db' });
 * // Cairn: run 'baseline' FINISHED in experiment 'churn'. View it: npx cairn runs show f3…
 * ```
 */
export function runEndNotice(r: { runId: string; runName: string; experimentName: string | null; status: RunStatus; location: string; uriGiven?: boolean }): string {
  const where = r.experimentName ? ` in experiment '${r.experimentName}'` : '';
  // The CLI finds the project's own store by itself; a server, or a store named in connect(), it must be told.
  const uri = isServerUri(r.location) || r.uriGiven ? ` --uri ${r.location.replace(/\/+$/, '')}` : '';
  return `Cairn: run '${r.runName}' ${r.status}${where}. View it: npx cairn${uri} runs show ${r.runId}\n`;
}
