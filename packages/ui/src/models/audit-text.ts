import type { AuditEvent } from '@cairn/core';

const versionOf = (v: unknown): number | null => (typeof v === 'object' && v !== null && typeof (v as { version?: unknown }).version === 'number' ? (v as { version: number }).version : null);

/** An audit event as a sentence: `@champion moved from version 2 to version 3`. */
export function describeEvent(e: AuditEvent): string {
  const v = e.version === null ? '' : `version ${e.version}`;
  const before = versionOf(e.before);
  const after = versionOf(e.after);
  switch (e.action) {
    case 'alias.moved': return before === null ? `@${e.alias} set to version ${after}` : `@${e.alias} moved from version ${before} to version ${after}`;
    case 'alias.deleted': return `@${e.alias} deleted (was version ${before})`;
    case 'promotion.passed': return `${v} passed the gate of @${e.alias}`;
    case 'promotion.failed': return `${v} failed the gate of @${e.alias}`;
    case 'gate.evaluated': return `gate of @${e.alias} checked for ${v}`;
    case 'gate.set': return `gate of @${e.alias} set`;
    case 'gate.deleted': return `gate of @${e.alias} removed`;
    case 'version.created': return `${v} registered`;
    case 'version.pending': return `${v} created, waiting for its files`;
    case 'version.failed': return `${v} failed to register`;
    case 'version.deleted': return `${v} deleted`;
    case 'version.updated': return `${v} description changed`;
    case 'version.tag.set': return `${v} tag ${e.key} set`;
    case 'version.tag.deleted': return `${v} tag ${e.key} deleted`;
    case 'model.created': return 'model registered';
    case 'model.renamed': return 'model renamed';
    case 'model.updated': return 'description changed';
    case 'model.tag.set': return `tag ${e.key} set`;
    case 'model.tag.deleted': return `tag ${e.key} deleted`;
    default: return `${e.action}${v ? ` (${v})` : ''}`;
  }
}

/** Whether an event belongs on the alias history: moves, deletions, promotions and version changes. */
export function isHistoryEvent(e: AuditEvent): boolean {
  return /^(alias|promotion|version)\./.test(e.action);
}
