import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeEachPlatform } from '../testing/describe-platforms.js';
import { retrying } from './fixtures/basic-pipelines.js';
import { chatty } from './fixtures/log-pipelines.js';

describeEachPlatform('following a step\'s logs', (t) => {
  it('long-polls a running step: lines arrive in order, without gaps or repeats, until it is done', async () => {
    const { platform, dir } = t();
    const q = platform.pipelines.queries;
    const handle = await platform.pipelines.start(chatty, { overrides: { dir } });
    const seen: string[] = [];
    let cursor: string | undefined;
    // Waits for lines instead of answering empty: a follower is told as soon as there are some.
    while (seen.length < 5) {
      const page = await q.followStepLogs(handle.runId, 'talk', { after: cursor, waitMs: 20_000 });
      expect(page.done).toBe(false);
      expect(page.lines.length).toBeGreaterThan(0);
      seen.push(...page.lines.map((l) => l.text));
      cursor = page.cursor ?? undefined;
    }
    writeFileSync(join(dir, 'release'), '');
    for (;;) {
      const page = await q.followStepLogs(handle.runId, 'talk', { after: cursor, waitMs: 20_000, maxLines: 3 });
      seen.push(...page.lines.map((l) => l.text));
      cursor = page.cursor ?? cursor;
      if (page.done) {
        expect(page.stepStatus).toBe('COMPLETED');
        break;
      }
    }
    await handle.done;
    expect(seen.at(-1)).toBe('done');
    expect(seen.slice(0, -1)).toEqual(seen.slice(0, -1).map((_, i) => `line ${i + 1}`));
    // Nothing after the last cursor; a finished step answers at once even with a wait.
    expect(await q.followStepLogs(handle.runId, 'talk', { after: cursor, waitMs: 25_000 })).toMatchObject({ lines: [], cursor, done: true });
  });

  it('reads every attempt in order, and refuses a bad cursor or limits', async () => {
    const { platform } = t();
    const q = platform.pipelines.queries;
    const { run } = await platform.pipelines.run(retrying, { overrides: { failTimes: '1' } });
    const page = await q.followStepLogs(run.runId, 'flaky');
    expect(page.lines.map((l) => l.attempt)).toEqual([...page.lines.map((l) => l.attempt)].sort());
    expect(page.lines.map((l) => l.text)).toContain('[cairn] attempt 1 of 3 failed: flaky failure on attempt 1 (retrying)');
    expect(page.done).toBe(true);
    const firstOnly = await q.followStepLogs(run.runId, 'flaky', { maxLines: 1 });
    expect(firstOnly).toMatchObject({ cursor: `${page.lines[0]!.attempt}:${page.lines[0]!.seq}`, done: false });
    const rest = await q.followStepLogs(run.runId, 'flaky', { after: firstOnly.cursor! });
    expect([...firstOnly.lines, ...rest.lines]).toEqual(page.lines);
    await expect(q.followStepLogs(run.runId, 'flaky', { after: 'x:1' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(q.followStepLogs(run.runId, 'flaky', { waitMs: 60_000 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(q.followStepLogs(run.runId, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
