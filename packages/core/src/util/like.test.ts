import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sqlLike } from './like.js';

describe('sqlLike', () => {
  it('matches % and _ with no escape character, case-sensitively unless asked', () => {
    expect(sqlLike('churn-v2', 'churn-%')).toBe(true);
    expect(sqlLike('a.b(c)[d]{e}|f^g$h*i+j?k\\l/m-n', 'a.b(c)[d]{e}|f^g$h*i+j?k\\l/m-n')).toBe(true);
    expect(sqlLike('abc', 'a_c')).toBe(true);
    expect(sqlLike('a🚀c', 'a_c')).toBe(true);
    expect(sqlLike('ABC', 'abc')).toBe(false);
    expect(sqlLike('ABC', 'abc', true)).toBe(true);
    expect(sqlLike('a\\%', 'a\\%')).toBe(true);
    expect(sqlLike('a\\x', 'a\\%')).toBe(true);
  });

  it('any string without wildcards matches itself and never throws', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      const literal = s.replaceAll('%', '').replaceAll('_', '');
      expect(sqlLike(literal, literal)).toBe(true);
      sqlLike(s, s, true);
    }));
  });
});
