import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from './wire.js';

describe('metric value wire encoding', () => {
  it('round-trips every double through JSON, NaN and ±Infinity as strings', () => {
    fc.assert(fc.property(fc.double(), (v) => {
      const wire = JSON.parse(JSON.stringify(encodeValue(v))) as number | string;
      expect(typeof wire === 'string').toBe(!Number.isFinite(v));
      const back = decodeValue(wire);
      // JSON itself has no -0, so -0 comes back as 0; every other value is restored exactly.
      expect(Object.is(back, v) || (v === 0 && back === 0)).toBe(true);
    }));
  });

  it('accepts quoted numbers and refuses anything else', () => {
    expect(decodeValue('1.5')).toBe(1.5);
    expect(() => decodeValue('')).toThrow(/not a number/);
    expect(() => decodeValue('nan')).toThrow(/not a number/);
  });
});
