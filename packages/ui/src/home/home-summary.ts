import type { AuditEvent, RegisteredModel } from '@cairn/core';

/** Which alias a model's row on the home page shows: champion if it has one, else production, else its first. */
export function headlineAlias(model: Pick<RegisteredModel, 'aliases'>): { alias: string; version: number } | null {
  return model.aliases.find((a) => a.alias === 'champion') ?? model.aliases.find((a) => a.alias === 'production') ?? model.aliases[0] ?? null;
}

/** The newest alias move of each model, from events listed newest first. */
export function lastMoves(events: readonly AuditEvent[]): Map<string, AuditEvent> {
  const out = new Map<string, AuditEvent>();
  for (const e of events) if (e.action === 'alias.moved' && !out.has(e.model)) out.set(e.model, e);
  return out;
}
