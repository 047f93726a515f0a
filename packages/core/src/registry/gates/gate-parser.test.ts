import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCairnError } from '../../errors.js';
import { evaluateCondition, type GateSubject } from './gate-evaluator.js';
import { parseGateCondition } from './gate-parser.js';

const subject = (version: number, metrics: Record<string, number>, tags: Record<string, string> = {}): GateSubject => ({ version, metrics, params: {}, tags, version_tags: {} });

function run(expression: string, candidate: GateSubject, champion: GateSubject | null = null) {
  return evaluateCondition(expression, parseGateCondition(expression), { candidate, subjects: new Map([['champion', champion], ['current', champion]]) });
}

function positionOf(expression: string): number | undefined {
  try {
    parseGateCondition(expression);
  } catch (e) {
    if (isCairnError(e, 'INVALID_ARGUMENT')) return e.details?.position as number;
    throw e;
  }
  return undefined;
}

describe('gate conditions', () => {
  it('evaluates metrics, tags, arithmetic and comparisons with the current holder', () => {
    const cand = subject(2, { auc: 0.9, 'val-auc': 0.8, latency_ms: 40 }, { validation: 'passed' });
    const champ = subject(1, { auc: 0.894 });
    expect(run('metrics.auc >= 0.85', cand).passed).toBe(true);
    expect(run("tags.validation = 'passed' and metrics.latency_ms < 50", cand).passed).toBe(true);
    expect(run('metrics.auc >= champion.metrics.auc + 0.005', cand, champ)).toMatchObject({ passed: true, values: { 'metrics.auc': 0.9, 'champion.metrics.auc': 0.894 } });
    expect(run('metrics.auc >= champion.metrics.auc + 0.01', cand, champ).passed).toBe(false);
    expect(run('metrics.`val-auc` > 0.7 AND NOT (metrics.latency_ms > 100 or tags.validation != \'passed\')', cand).passed).toBe(true);
    expect(run('-metrics.auc * 2 / 4 < -0.4', cand).passed).toBe(true);
    expect(run('current.metrics.auc <= metrics.auc', cand, champ).passed).toBe(true);
  });

  it('fails on missing values, skips conditions on an empty alias, and never passes NaN bounds', () => {
    const cand = subject(2, { auc: Number.NaN });
    expect(run('metrics.precision > 0.5', cand)).toMatchObject({ passed: false, note: 'metrics.precision is missing', values: { 'metrics.precision': null } });
    expect(run('metrics.auc > 0.5', cand).passed).toBe(false);
    expect(run('metrics.auc <= 0.5', cand).passed).toBe(false);
    expect(run('metrics.auc >= champion.metrics.auc', subject(2, { auc: 0.1 }), null)).toMatchObject({ passed: true, note: 'skipped: no version holds @champion' });
    expect(run('metrics.nope > 1 or metrics.auc != 0', subject(2, { auc: 1 })).passed).toBe(true);
  });

  it('names the position of the first problem', () => {
    expect(positionOf('metrics.auc >= >= 1')).toBe(16);
    expect(positionOf('metrics.auc >= 0.85 and')).toBe(24);
    expect(positionOf("metrics.auc >= 'x'")).toBe(16);
    expect(positionOf("tags.stage > 'a'")).toBe(12);
    expect(positionOf('metrics.auc')).toBe(1);
    expect(positionOf('colour.auc > 1')).toBe(1);
    expect(positionOf('metrics.auc > 1)')).toBe(16);
    expect(positionOf("tags.x = 'open")).toBe(10);
    expect(positionOf('metrics.auc > 1abc')).toBe(15);
    expect(positionOf('metrics.auc ~ 1')).toBe(13);
    expect(positionOf('')).toBe(1);
    expect(() => parseGateCondition('metrics.auc >= >= 1')).toThrow(/position 16[\s\S]*\n {2}metrics\.auc >= >= 1\n {2} {15}\^/);
  });

  it('parses every generated well-typed condition, and refuses garbage only with INVALID_ARGUMENT inside the text', () => {
    const key = fc.constantFrom('metrics.auc', 'champion.metrics.auc', 'metrics.`a b`', 'current.metrics.loss');
    const num: fc.Arbitrary<string> = fc.letrec<{ n: string }>((tie) => ({
      n: fc.oneof({ depthSize: 'small', withCrossShrink: true }, key, fc.double({ min: 0, max: 1e6, noNaN: true }).map((d) => String(d)),
        fc.tuple(tie('n'), fc.constantFrom('+', '-', '*', '/'), tie('n')).map(([a, op, b]) => `(${a} ${op} ${b})`)),
    })).n;
    const cmp = fc.tuple(num, fc.constantFrom('=', '!=', '<', '<=', '>', '>='), num).map(([a, op, b]) => `${a} ${op} ${b}`);
    const cond = fc.array(cmp, { minLength: 1, maxLength: 4 }).chain((parts) => fc.constantFrom(' and ', ' OR ').map((j) => parts.join(j)));
    fc.assert(fc.property(cond, (c) => {
      expect(parseGateCondition(c).type).toBe('boolean');
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => {
      const pos = positionOf(s);
      if (pos !== undefined) expect(pos).toBeGreaterThanOrEqual(1);
      if (pos !== undefined) expect(pos).toBeLessThanOrEqual([...s].length + 1);
    }), { numRuns: 1000 });
  });
});
