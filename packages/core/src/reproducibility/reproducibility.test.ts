import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { makeTestPlatform, type TestPlatform } from '../testing/platforms.js';
import { captureEnvironment, ENVIRONMENT_TAGS, redactSecrets } from './environment.js';
import { reproduceRun } from './reproduce.js';
import { readFilePipeline } from './testing/read-file-pipeline.js';

const FIXTURE = join(import.meta.dirname, 'testing', 'read-file-pipeline.ts');

describe('captureEnvironment', () => {
  let dir: string;
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-env-'));
    writeFileSync(join(dir, 'train.ts'), 'export const lr = 0.1;\n');
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion": 3}\n');
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'first');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records the commit, the lockfile and the config, and a digest of uncommitted changes only when there are some', async () => {
    const config = loadConfig({ cwd: dir, env: {}, overrides: { store: { uri: 'postgres://cairn:s3cret@db.internal/cairn' } } });
    const clean = await captureEnvironment(config);
    expect(clean.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(clean).toMatchObject({ gitDirty: false, gitDiffDigest: null, lockfile: 'package-lock.json', nodeVersion: process.version });
    expect(clean.lockfileDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(clean.config).toContain('postgres://cairn:***@db.internal/cairn');
    expect(clean.config).not.toContain('s3cret');

    writeFileSync(join(dir, 'train.ts'), 'export const lr = 0.2;\n');
    const edited = await captureEnvironment(config);
    expect(edited.gitDirty).toBe(true);
    expect(edited.gitDiffDigest).toMatch(/^sha256:/);
    expect((await captureEnvironment(config)).gitDiffDigest).toBe(edited.gitDiffDigest);
    writeFileSync(join(dir, 'notes.md'), 'an untracked file counts too\n');
    expect((await captureEnvironment(config)).gitDiffDigest).not.toBe(edited.gitDiffDigest);
    expect((await captureEnvironment(loadConfig({ cwd: dir, env: {} }))).configDigest).not.toBe(clean.configDigest);
  });

  it('records nothing about git outside a repository', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'cairn-env-'));
    try {
      expect(await captureEnvironment(loadConfig({ cwd: outside, env: {} }))).toMatchObject({ gitCommit: null, gitDirty: null, gitDiffDigest: null });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('hides passwords in URIs', () => {
    expect(redactSecrets('{"uri":"redis://:pw@host:6379","pg":"postgres://u:p@h/db","plain":"sqlite:.cairn/cairn.db"}')).toBe('{"uri":"redis://:***@host:6379","pg":"postgres://u:***@h/db","plain":"sqlite:.cairn/cairn.db"}');
  });
});

describe('reproduceRun', () => {
  let t: TestPlatform;
  let input: string;
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    input = join(t.dir, 'input.txt');
    writeFileSync(input, 'three little words');
  });
  afterAll(async () => t?.cleanup());

  it('records the environment on every pipeline run, re-runs it without the cache and compares output by output', async () => {
    const { run } = await t.platform.pipelines.run(readFilePipeline, { overrides: { path: input }, sourceFile: FIXTURE });
    expect(run.status).toBe('COMPLETED');
    const tags = (await t.platform.runs.get(run.trackingRunId!)).data.tags;
    expect(tags[ENVIRONMENT_TAGS.nodeVersion]).toBe(process.version);
    expect(tags[ENVIRONMENT_TAGS.configDigest]).toMatch(/^sha256:/);

    const same = await reproduceRun(t.platform, run.runId);
    expect(same.matched).toBe(true);
    expect(same.reproduction.steps.map((s) => s.status)).toEqual(['COMPLETED', 'COMPLETED']);
    expect(same.outputs.map((o) => [o.step, o.output, o.match])).toEqual([['read', 'text', true], ['count', 'words', true]]);
    expect(same.environment.find((e) => e.key === 'nodeVersion')).toMatchObject({ recorded: process.version, same: true });
    // By the id of its tracking run too.
    expect((await reproduceRun(t.platform, run.trackingRunId!)).original.runId).toBe(run.runId);

    writeFileSync(input, 'now four little words');
    const changed = await reproduceRun(t.platform, run.runId);
    expect(changed.matched).toBe(false);
    expect(changed.outputs.map((o) => [o.step, o.match])).toEqual([['read', false], ['count', false]]);
  });

  it('refuses what it cannot reproduce, naming why', async () => {
    await expect(reproduceRun(t.platform, '0123456789abcdef0123456789abcdef')).rejects.toThrow(/neither a pipeline run nor the tracking run of one/);
  });
});
