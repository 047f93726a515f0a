import { describe, expect, it } from 'vitest';
import { isCairnError } from '../errors.js';
import { coerceValue, parseDuration, parseTimestamp, valueFromText } from './value-types.js';

const error = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (e) {
    expect(isCairnError(e, 'INVALID_ARGUMENT')).toBe(true);
    return e as Error;
  }
  throw new Error('expected an error');
};

describe('value types', () => {
  it('reads durations with units only, and says how to write one', () => {
    expect(parseDuration('1d12h', 'ttl')).toBe(36 * 3_600_000);
    expect(parseDuration('90s', 'ttl')).toBe(90_000);
    expect(error(() => parseDuration(14, "View 'v' ttl")).message).toMatch(/View 'v' ttl must be a duration string.*'1d12h'.*bare number 14, which has no unit \(write e\.g\. '14d' or '14h'\)/);
    expect(error(() => parseDuration('14 days', 'ttl')).message).toMatch(/ttl '14 days' is not a duration: use a duration string: a whole number and a unit \(ms, s, m, h, d or w\)/);
    expect(() => parseDuration('0s', 'ttl')).toThrow(/longer than zero/);
  });

  it('keeps int64 beyond 2^53 exact (BigInt), from BigInts and digit strings; refuses rounded numbers', () => {
    expect(coerceValue(9007199254740993n, 'int64', 'k')).toBe(9007199254740993n);
    expect(coerceValue('9007199254740993', 'int64', 'k')).toBe(9007199254740993n);
    expect(coerceValue('-42', 'int64', 'k')).toBe(-42);
    expect(coerceValue(42n, 'int64', 'k')).toBe(42);
    expect(error(() => coerceValue(9007199254740993, 'int64', "'k'")).message).toMatch(/beyond 2\^53.*send it as a string of digits/);
    expect(() => coerceValue('9223372036854775808', 'int64', 'k')).toThrow(/int64/);
    expect(() => coerceValue('7', 'int32', 'k')).toThrow(/int32/);
  });

  it('keeps microseconds of ISO-8601 timestamps', () => {
    expect(parseTimestamp('2024-01-01T10:00:00.000001Z', 'end')).toBe(1704103200000.001);
    expect(parseTimestamp('2024-01-01 10:00:00.5', 'end')).toBe(1704103200500);
    expect(parseTimestamp(1704103200000.001, 'end')).toBe(1704103200000.001);
  });

  it('reads text by the type it names: "7" is a string for a string key', () => {
    expect(valueFromText('7', 'string', 'k')).toBe('7');
    expect(valueFromText('007', 'int64', 'k')).toBe(7);
    expect(valueFromText('9007199254740993', 'int64', 'k')).toBe(9007199254740993n);
    expect(valueFromText('0.5', 'float64', 'k')).toBe(0.5);
    expect(valueFromText('TRUE', 'bool', 'k')).toBe(true);
    expect(valueFromText('null', 'int64', 'k')).toBeNull();
    expect(valueFromText('2024-01-01T00:00:00.000001Z', 'timestamp', 'k')).toBe(1704067200000.001);
    expect(error(() => valueFromText('x7', 'int64', '--entity id=x7')).message).toBe('--entity id=x7 is int64, so it must be a whole number; got "x7".');
  });
});
