import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POINT_BYTES, decodeSegments, encodeSegment, normalizePoints, packMetrics, toSeries } from './metric-segments.js';

type Triple = [step: number, timestamp: number, value: number];

// The reference: sort by (step, timestamp, value) with NaN lowest, keep the first of equal points.
function reference(points: Triple[]): Triple[] {
  const rank = (v: number) => (Number.isNaN(v) ? -Infinity : v);
  const sorted = points
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p[0] - b.p[0] || a.p[1] - b.p[1] || (Number.isNaN(a.p[2]) && !Number.isNaN(b.p[2]) ? -1 : !Number.isNaN(a.p[2]) && Number.isNaN(b.p[2]) ? 1 : rank(a.p[2]) < rank(b.p[2]) ? -1 : rank(a.p[2]) > rank(b.p[2]) ? 1 : 0) || a.i - b.i)
    .map((x) => x.p);
  const same = (a: Triple, b: Triple) => a[0] === b[0] && a[1] === b[1] && (a[2] === b[2] || (Number.isNaN(a[2]) && Number.isNaN(b[2])));
  return sorted.filter((p, i) => i === 0 || !same(sorted[i - 1]!, p));
}

const pack = (points: Triple[]) => packMetrics(points.map(([step, timestamp, value]) => ({ key: 'k', step, timestamp, value })));
const triples = (p: Float64Array): Triple[] => Array.from({ length: p.length / 3 }, (_, i) => [p[i * 3]!, p[i * 3 + 1]!, p[i * 3 + 2]!]);

const point: fc.Arbitrary<Triple> = fc.tuple(
  fc.integer({ min: -2, max: 4 }),
  fc.integer({ min: 0, max: 2 }),
  fc.constantFrom(Number.NaN, -Infinity, Infinity, -1, 0, -0, 0.5, 1, 2.5),
);

describe('metric segments', () => {
  it('normalizePoints orders by (step, timestamp, value), NaN lowest, and drops exact duplicates', () => {
    fc.assert(
      fc.property(fc.array(point, { maxLength: 60 }), (points) => {
        expect(triples(normalizePoints(pack(points)))).toEqual(reference(points));
      }),
      { numRuns: 500 },
    );
  });

  it('already-ordered points come back as the same array (no copy, no sort)', () => {
    const p = pack([[0, 1, 1], [0, 1, 2], [1, 0, Number.NaN], [1, 0, 0], [2, 0, Infinity]]);
    expect(normalizePoints(p)).toBe(p);
    const dup = pack([[0, 1, 1], [0, 1, 1]]);
    expect(normalizePoints(dup)).not.toBe(dup);
  });

  it('segments round-trip every double bit-exact, from Buffers at any byte offset', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer(), fc.integer(), fc.double()), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 7 }), (points, pad) => {
        const p = pack(points as Triple[]);
        const mid = Math.floor(points.length / 2);
        const blobs = [encodeSegment(p, 0, mid), encodeSegment(p, mid, points.length)].map((b) => {
          const shifted = Buffer.alloc(b.byteLength + pad);
          b.copy(shifted, pad);
          return { n: b.byteLength / POINT_BYTES, data: shifted.subarray(pad) };
        });
        expect(Buffer.from(decodeSegments(blobs).buffer)).toEqual(Buffer.from(p.buffer));
      }),
    );
  });

  it('refuses a segment whose size does not match its point count', () => {
    expect(() => decodeSegments([{ n: 2, data: Buffer.alloc(POINT_BYTES) }])).toThrow(/damaged/);
  });

  it('toSeries cuts columns at offset and limit', () => {
    const p = pack([[0, 1, 10], [1, 2, 11], [2, 3, 12]]);
    const columns = (s: ReturnType<typeof toSeries>) => [s.key, [...s.steps], [...s.timestamps], [...s.values]];
    expect(columns(toSeries('k', p, 1, 5))).toEqual(['k', [1, 2], [2, 3], [11, 12]]);
    expect(columns(toSeries('k', p, 3, 5))).toEqual(['k', [], [], []]);
    expect(columns(toSeries('k', p, 5, 5))).toEqual(['k', [], [], []]);
    expect(columns(toSeries('k', p, 0, 1))).toEqual(['k', [0], [1], [10]]);
  });
});
