import type { PipelineEvent, StepStatus } from '@cairn/core';
import { formatDuration, style, table, truncate } from '../format.js';

interface Row { status: StepStatus; attempt: number; started: number | null; ended: number | null; note: string }

const SYMBOL: Partial<Record<StepStatus, string>> = { COMPLETED: '✓', CACHED: '↺', FAILED: '✗', SKIPPED: '-', CANCELLED: '⊘', RUNNING: '▶', QUEUED: '…', RETRYING: '↻' };

/**
 * Shows a run's progress: in a terminal, a step table redrawn in place (at most 10 times a second;
 * large pipelines show counts and the steps that are running or failed); elsewhere one plain line
 * per step event.
 */
export class PipelineProgress {
  private readonly rows = new Map<string, Row>();
  private drawn = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly live: boolean = Boolean(stream.isTTY) && process.env.TERM !== 'dumb',
  ) {}

  /** Registers the steps up front so the table shows what is still pending. */
  init(stepIds: string[], existing: Map<string, StepStatus> = new Map()): void {
    for (const id of stepIds) this.rows.set(id, { status: existing.get(id) ?? 'PENDING', attempt: 0, started: null, ended: null, note: '' });
    this.schedule();
  }

  readonly onEvent = (e: PipelineEvent): void => {
    if (e.type === 'run') {
      this.flush();
      if (!this.live) this.stream.write(`${stamp()} run ${e.status}${e.reason ? `: ${e.reason}` : ''}\n`);
      return;
    }
    const row = this.rows.get(e.stepId) ?? { status: 'PENDING', attempt: 0, started: null, ended: null, note: '' };
    const now = Date.now();
    if (e.status === 'RUNNING' || e.status === 'QUEUED') row.started ??= now;
    if (['COMPLETED', 'CACHED', 'FAILED', 'SKIPPED', 'CANCELLED'].includes(e.status)) row.ended = now;
    row.status = e.status;
    row.attempt = e.attempt;
    row.note = e.error?.message.split('\n')[0] ?? e.note ?? '';
    this.rows.set(e.stepId, row);
    if (this.live) this.schedule();
    else this.stream.write(`${stamp()} ${e.stepId} ${e.status}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}${row.note ? `: ${row.note}` : ''}\n`);
  };

  private schedule(): void {
    if (!this.live || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.draw();
    }, 100);
  }

  /** Draws the final state (call when the run ended). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.live) this.draw();
  }

  private draw(): void {
    const maxRows = Math.max(5, (this.stream.rows ?? 30) - 6);
    const counts = new Map<string, number>();
    for (const r of this.rows.values()) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    let entries = [...this.rows.entries()];
    let hidden = 0;
    if (entries.length > maxRows) {
      const interesting = entries.filter(([, r]) => ['RUNNING', 'QUEUED', 'RETRYING', 'FAILED'].includes(r.status));
      hidden = entries.length - Math.min(interesting.length, maxRows);
      entries = interesting.slice(0, maxRows);
    }
    const width = Math.max(20, (this.stream.columns ?? 100) - 50);
    const body = table(['STEP', 'STATUS', 'ATTEMPT', 'TIME', 'NOTE'], entries.map(([id, r]) => [
      truncate(id, 40), `${SYMBOL[r.status] ?? ' '} ${r.status}`, r.attempt ? String(r.attempt) : '-',
      r.started ? formatDuration((r.ended ?? Date.now()) - r.started) : '-', truncate(r.note, width),
    ]));
    const summary = [...counts.entries()].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ');
    const text = `${body}${style.dim(`${summary}${hidden ? ` (${hidden} more steps not shown)` : ''}`)}\n`;
    // Move to the start of the previous drawing and clear it before drawing again.
    this.stream.write(`${this.drawn ? `\x1b[${this.drawn}F\x1b[J` : ''}${text}`);
    this.drawn = text.split('\n').length - 1;
  }
}

function stamp(): string {
  return new Date().toISOString().slice(11, 19);
}
