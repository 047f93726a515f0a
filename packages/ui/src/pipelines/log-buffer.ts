import type { LogLine } from '@cairn/core';

/**
 * The lines of a followed log, growing as pages arrive, with an incremental search: a query scans
 * each line once, so typing or 10,000 new lines a second never rescans what was already searched.
 */
export class LogBuffer {
  readonly lines: LogLine[] = [];
  private query = '';
  private matches: number[] = [];
  private scanned = 0;

  get length(): number {
    return this.lines.length;
  }

  append(lines: readonly LogLine[]): void {
    for (const l of lines) this.lines.push(l);
  }

  /** Indices of the lines containing `query` (case-insensitive), in order. */
  search(query: string): readonly number[] {
    const q = query.toLowerCase();
    if (q !== this.query) {
      this.query = q;
      this.matches = [];
      this.scanned = 0;
    }
    for (; this.scanned < this.lines.length; this.scanned++) if (this.lines[this.scanned]!.text.toLowerCase().includes(q)) this.matches.push(this.scanned);
    return this.matches;
  }
}
