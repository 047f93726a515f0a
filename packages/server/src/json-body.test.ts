import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, jsonNestsDeeperThan } from './json-body.js';

// The depth JSON.parse would build, computed recursively on small values (the reference).
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('jsonNestsDeeperThan', () => {
  it('agrees with the depth of the parsed value, for any JSON and any limit', () => {
    fc.assert(
      fc.property(fc.json({ depthSize: 'large', maxDepth: 12 }), fc.nat({ max: 12 }), (text, max) => {
        expect(jsonNestsDeeperThan(text, max)).toBe(depthOf(JSON.parse(text)) > max);
      }),
      { numRuns: 1000 },
    );
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const brackets = '['.repeat(500);
    expect(jsonNestsDeeperThan(JSON.stringify({ name: brackets }))).toBe(false);
    expect(jsonNestsDeeperThan(JSON.stringify({ name: `a"${brackets}` }))).toBe(false);
    expect(jsonNestsDeeperThan(JSON.stringify({ name: `a\\`, b: brackets }))).toBe(false);
    expect(jsonNestsDeeperThan(JSON.stringify({ [`k"${brackets}`]: 1 }))).toBe(false);
  });

  it('stops at the limit on deep or unterminated text', () => {
    expect(jsonNestsDeeperThan('['.repeat(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonNestsDeeperThan('['.repeat(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonNestsDeeperThan(`${'['.repeat(10_000_000)}`)).toBe(true);
    expect(jsonNestsDeeperThan('{"a":"unterminated [[[[')).toBe(false);
  });
});
