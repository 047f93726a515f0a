import { describe, expect, it } from 'vitest';
import { PipelineProgress } from './pipeline-progress.js';

function fakeStream(isTTY: boolean) {
  let text = '';
  const stream = { isTTY, rows: 40, columns: 120, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

describe('pipeline progress', () => {
  it('prints one plain line per step event when not in a terminal', () => {
    const s = fakeStream(false);
    const p = new PipelineProgress(s.stream);
    p.init(['load', 'train']);
    p.onEvent({ type: 'step', runId: 'r', stepId: 'load', status: 'RUNNING', attempt: 1 });
    p.onEvent({ type: 'step', runId: 'r', stepId: 'load', status: 'FAILED', attempt: 2, error: { message: 'boom\nstack', stack: null } });
    p.onEvent({ type: 'run', runId: 'r', status: 'FAILED', reason: "step 'load' failed: boom" });
    expect(s.text().replace(/\d\d:\d\d:\d\d/g, 'T')).toBe("T load RUNNING\nT load FAILED (attempt 2): boom\nT run FAILED: step 'load' failed: boom\n");
  });

  it('redraws a step table in place in a terminal', () => {
    const s = fakeStream(true);
    const p = new PipelineProgress(s.stream, true);
    p.init(['load', 'train']);
    p.flush();
    p.onEvent({ type: 'step', runId: 'r', stepId: 'load', status: 'COMPLETED', attempt: 1 });
    p.flush();
    const frames = s.text().split('\x1b[');
    expect(s.text()).toContain('\x1b[4F\x1b[J');
    expect(frames.at(-1)).toMatch(/load\s+✓ COMPLETED\s+1/);
    expect(s.text()).toMatch(/1 completed, 1 pending/);
  });
});
