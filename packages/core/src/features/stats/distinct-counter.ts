// Distinct values of one feature in bounded memory: exact while few (a Set), then a HyperLogLog
// sketch (2^12 registers, about 1.6% standard error) once the set would grow past `exactLimit`.

const P = 12;
const M = 1 << P;
// The bias constant of HyperLogLog for m >= 128 registers (Flajolet et al.).
const ALPHA = 0.7213 / (1 + 1.079 / M);

/** A 32-bit hash of a value's text (FNV-1a followed by a murmur3 finalizer for better low bits). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Counts distinct values: exact up to `exactLimit` of them, estimated past it.
 *
 * @example
 * ```ts
 * const d = new DistinctCounter();
 * for (const v of values) d.add(v);
 * const { count, exact } = d.result();
 * ```
 */
export class DistinctCounter {
  private exactSet: Set<string> | null = new Set();
  private registers: Uint8Array | null = null;

  constructor(private readonly exactLimit = 10_000) {}

  add(value: unknown): void {
    const text = typeof value === 'string' ? `s${value}` : `v${String(value)}`;
    if (this.exactSet) {
      this.exactSet.add(text);
      if (this.exactSet.size <= this.exactLimit) return;
      // Past the limit: move what was seen into the sketch and keep only the sketch.
      this.registers = new Uint8Array(M);
      for (const t of this.exactSet) this.sketch(t);
      this.exactSet = null;
      return;
    }
    this.sketch(text);
  }

  private sketch(text: string): void {
    const h = hash32(text);
    const index = h >>> (32 - P);
    const rest = (h << P) >>> 0;
    // Position of the first 1 bit in the remaining 32 - P bits (all zeros count as 32 - P + 1).
    const rank = rest === 0 ? 32 - P + 1 : Math.clz32(rest) + 1;
    const r = this.registers!;
    if (rank > r[index]!) r[index] = rank;
  }

  result(): { count: number; exact: boolean } {
    if (this.exactSet) return { count: this.exactSet.size, exact: true };
    const r = this.registers!;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      sum += 2 ** -r[i]!;
      if (r[i] === 0) zeros++;
    }
    let estimate = (ALPHA * M * M) / sum;
    // Small ranges: linear counting is more accurate while registers are still empty.
    if (estimate <= 2.5 * M && zeros > 0) estimate = M * Math.log(M / zeros);
    return { count: Math.round(estimate), exact: false };
  }
}
