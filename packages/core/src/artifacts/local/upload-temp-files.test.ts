import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ABANDONED_AFTER_MS, sweepUploadTempFiles, uploadTempName } from './upload-temp-files.js';

/** A real process: `exited` resolves once it is gone (its pid then names no process). */
function child(seconds: number) {
  const p = spawn(process.execPath, ['-e', `setTimeout(() => {}, ${seconds * 1000})`], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  return { pid: p.pid!, exited, kill: () => p.kill('SIGKILL') };
}

describe('upload temp files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-upload-tmp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("removes files of this host's dead processes and old unattributable files, and nothing a live upload may own", async () => {
    const temp = join(dir, '.cairn-tmp');
    mkdirSync(temp);
    const [host] = /^\d+-([0-9a-f]{8})-/.exec(uploadTempName())!.slice(1);
    const dead = child(0);
    await dead.exited;
    const live = child(60);
    const uuid = () => crypto.randomUUID();
    const old = (Date.now() - ABANDONED_AFTER_MS - 60_000) / 1000;
    const files = {
      deadProcess: `${dead.pid}-${host}-${uuid()}.part`,
      liveProcess: `${live.pid}-${host}-${uuid()}.part`,
      liveProcessIdle: `${live.pid}-${host}-${uuid()}.part`,
      thisProcess: uploadTempName(),
      otherHostFresh: `${dead.pid}-00000000-${uuid()}.part`,
      otherHostIdle: `${live.pid}-00000000-${uuid()}.part`,
      olderNameFresh: `${uuid()}.part`,
      olderNameIdle: `${uuid()}.part`,
    };
    for (const name of Object.values(files)) writeFileSync(join(temp, name), 'partial upload');
    for (const key of ['liveProcessIdle', 'otherHostIdle', 'olderNameIdle'] as const) utimesSync(join(temp, files[key]), old, old);
    try {
      expect(await sweepUploadTempFiles(temp)).toBe(3);
      expect(readdirSync(temp).sort()).toEqual([files.liveProcess, files.liveProcessIdle, files.thisProcess, files.otherHostFresh, files.olderNameFresh].sort());
      expect(await sweepUploadTempFiles(join(dir, 'missing'))).toBe(0);
    } finally {
      live.kill();
    }
  });
});
