import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '@cairn/core';
import { headlineAlias, lastMoves } from './home-summary.js';

const ev = (id: number, model: string, action = 'alias.moved'): AuditEvent => ({ id, time: id, actor: 'a', action, model, version: id, alias: 'champion', key: null, before: null, after: null, reason: null });

describe('home summary', () => {
  it('shows champion first, then production, then any alias', () => {
    expect(headlineAlias({ aliases: [{ alias: 'a', version: 1 }, { alias: 'champion', version: 2 }] })).toEqual({ alias: 'champion', version: 2 });
    expect(headlineAlias({ aliases: [{ alias: 'a', version: 1 }, { alias: 'production', version: 3 }] })).toEqual({ alias: 'production', version: 3 });
    expect(headlineAlias({ aliases: [] })).toBeNull();
  });

  it("keeps each model's newest move", () => {
    const moves = lastMoves([ev(9, 'churn'), ev(8, 'fraud', 'promotion.passed'), ev(7, 'churn'), ev(6, 'fraud')]);
    expect([...moves].map(([m, e]) => [m, e.id])).toEqual([['churn', 9], ['fraud', 6]]);
  });
});
