import type { RunStatus } from '@cairn/core';

/** A run status as a colored word (color is never the only signal: the word is always there). */
export function StatusBadge({ status, reason }: { status: RunStatus; reason?: string | null }) {
  return <span className={`status status-${status.toLowerCase()}`} title={reason ?? undefined}>{status === 'RUNNING' ? '● ' : ''}{status}</span>;
}
