import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { registerFiles, registerJsonModel } from '@cairn/core/testing/serving';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli-process.js';
import { parseLabelFile } from './monitor.js';

describe('cairn models serve and cairn monitor (errors a user meets first)', () => {
  let t: TestPlatform;
  const cli = (...args: string[]) => runCli(args, { cwd: t.dir, env: { CAIRN_STORE_URI: t.storeUri, CAIRN_ARTIFACT_URI: join(t.dir, 'artifacts') } });

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    await registerFiles(t.platform, 'pickled', { 'model.pkl': Buffer.from('x') }, { format: 'sklearn-pickle' });
    await registerJsonModel(t.platform, 'plain');
  });
  afterAll(async () => t?.cleanup());

  it('refuses an unsafe format without --allow-unsafe, saying why and which flag', async () => {
    const r = await cli('models', 'serve', 'pickled/1', '--port', '0');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: pickled\/1 is sklearn-pickle, a format whose loading runs arbitrary code \(pickle\)\. .*--allow-unsafe/);
  });

  it('names a model that does not exist, and a bad --workers value is a usage error', async () => {
    const missing = await cli('models', 'serve', 'nope@champion', '--port', '0');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Registered model 'nope' does not exist/);
    const usage = await cli('models', 'serve', 'plain/1', '--workers', 'many');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/'auto'/);
  });

  it('monitor run without traffic says why nothing is judged and exits 0; report needs a run first', async () => {
    const none = await cli('monitor', 'report', '--model', 'plain');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/No monitoring run of 'plain' yet\. Run `cairn monitor run --model plain@champion` first\./);
    const run = await cli('monitor', 'run', '--model', 'plain/1', '--window', '1h');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/plain version 1: 0 logged rows/);
    expect(run.stdout).toMatch(/note: version 1 was not registered from a feature-store training set/);
    const bad = await cli('monitor', 'run', '--model', 'plain', '--window', '1h');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Invalid model URI|NAME@ALIAS or NAME\/VERSION/);
    const window = await cli('monitor', 'run', '--model', 'plain/1', '--window', '10');
    expect(window.code).toBe(1);
    expect(window.stderr).toMatch(/'window' '10' is not a duration: use a duration string/);
  });

  it('monitor label reads CSV and JSON files and attaches the labels', async () => {
    const csv = join(t.dir, 'labels.csv');
    writeFileSync(csv, 'request_id,label\nr-1,1\nr-2,0\n');
    const r = await cli('monitor', 'label', '--model', 'plain', '--file', csv);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Attached 2 labels to 'plain'\./);
    const bad = join(t.dir, 'bad.csv');
    writeFileSync(bad, 'request_id,outcome\nr-1,1\n');
    const refused = await cli('monitor', 'label', '--model', 'plain', '--file', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no 'label' column/);
  });

  it('parses entity labels from CSV and JSON lines', () => {
    expect(parseLabelFile('customer_id,label,time\n10019,1,2025-01-20T00:00:00Z\n', 'f.csv')).toEqual([{ requestId: undefined, row: undefined, entity: { customer_id: 10019 }, time: '2025-01-20T00:00:00Z', label: 1 }]);
    expect(parseLabelFile('{"request_id": "a", "label": true}\n{"entity": {"id": 2}, "label": false}\n', 'f.jsonl')).toEqual([
      { requestId: 'a', row: undefined, entity: null, time: undefined, label: true },
      { requestId: undefined, row: undefined, entity: { id: 2 }, time: undefined, label: false },
    ]);
  });
});

describe('cairn models serve --workers 2', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    await registerJsonModel(t.platform, 'clustered');
    await t.platform.registry.aliases.set('clustered', 'champion', 1);
  });
  afterAll(async () => t?.cleanup());

  it('shares one port between two processes, adds their metrics up, and stops on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const { CAIRN_BIN } = await import('../testing/cli-process.js');
    const env: NodeJS.ProcessEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CAIRN_'))), CAIRN_STORE_URI: t.storeUri, CAIRN_ARTIFACT_URI: join(t.dir, 'artifacts'), CAIRN_SERVING_INFERENCE_LOG_ENABLED: 'false' };
    const child = spawn(process.execPath, [CAIRN_BIN, 'models', 'serve', 'clustered@champion', '--port', '0', '--workers', '2'], { cwd: t.dir, env });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (d: Buffer) => {
        output += d.toString('utf8');
        const m = /with 2 workers on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (m) resolve(m[1]!);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ dataframe_records: [{ x: 1 }] }) });
      expect(res.status).toBe(200);
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    // Summed over the workers: every /invocations request counted once, whichever process answered it.
    expect(metrics).toMatch(/cairn_http_requests_total\{[^}]*route="\/invocations"[^}]*status="200"[^}]*\} 40/);
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
