import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '@cairn/core';
import { describeEvent, isHistoryEvent } from './audit-text.js';

const event = (e: Partial<AuditEvent>): AuditEvent => ({ id: 1, time: 0, actor: 'ana', action: 'x', model: 'churn', version: null, alias: null, key: null, before: null, after: null, reason: null, ...e });

describe('describeEvent', () => {
  it('says what happened to an alias and a version', () => {
    expect(describeEvent(event({ action: 'alias.moved', alias: 'champion', version: 3, before: { version: 2 }, after: { version: 3 } }))).toBe('@champion moved from version 2 to version 3');
    expect(describeEvent(event({ action: 'alias.moved', alias: 'champion', version: 1, after: { version: 1 } }))).toBe('@champion set to version 1');
    expect(describeEvent(event({ action: 'promotion.failed', alias: 'champion', version: 4 }))).toBe('version 4 failed the gate of @champion');
    expect(describeEvent(event({ action: 'version.created', version: 4 }))).toBe('version 4 registered');
    expect(describeEvent(event({ action: 'model.tag.set', key: 'team' }))).toBe('tag team set');
    expect(describeEvent(event({ action: 'webhook.unknown', version: 2 }))).toBe('webhook.unknown (version 2)');
  });

  it('keeps alias moves, promotions and version changes on the history', () => {
    expect(['alias.moved', 'promotion.passed', 'version.created', 'model.tag.set', 'gate.evaluated'].map((a) => isHistoryEvent(event({ action: a })))).toEqual([true, true, true, false, false]);
  });
});
