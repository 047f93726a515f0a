import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../testing/cli-process.js';

describe('cairn tokens (project with cairn.yaml)', () => {
  let t: TestPlatform;
  const cli = (...args: string[]) => runCli(args, { cwd: t.dir });

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    // The CLI finds the store through the project's cairn.yaml here, not through the environment.
    writeFileSync(join(t.dir, 'cairn.yaml'), `store:\n  uri: ${JSON.stringify(t.storeUri)}\n`);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('creates a token, prints the secret once with a warning, lists and revokes it', async () => {
    const created = await cli('tokens', 'create', '--name', 'ci', '--role', 'editor', '--expires-in-days', '30');
    expect(created.code).toBe(0);
    const secret = /^\s+(cairn_\S+)$/m.exec(created.stdout)?.[1];
    expect(secret).toBeTruthy();
    expect(created.stderr).toContain('will not be shown again');
    const caller = await t.platform.tokens.verify(secret!);
    expect(caller).toMatchObject({ name: 'ci', role: 'editor' });

    const list = await cli('tokens', 'list');
    expect(list.stdout).toMatch(new RegExp(`^${caller!.tokenId}\\s+ci\\s+editor\\s+active`, 'm'));
    const json = await cli('tokens', 'list', '--json');
    expect(json.stdout).not.toContain(secret!);
    expect(JSON.parse(json.stdout).tokens).toEqual([expect.objectContaining({ tokenId: caller!.tokenId, revokedTime: null })]);

    expect((await cli('tokens', 'revoke', caller!.tokenId)).stdout).toContain("Revoked token 'ci'");
    expect(await t.platform.tokens.verify(secret!)).toBeNull();
    expect((await cli('tokens', 'list')).stdout).toMatch(/ci\s+editor\s+revoked/);
  });

  it('rejects bad roles (exit 2), unknown ids (exit 1) and server URIs (exit 1)', async () => {
    const badRole = await cli('tokens', 'create', '--name', 'x', '--role', 'root');
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('Allowed choices are reader, editor, admin');
    const unknown = await cli('tokens', 'revoke', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: /);
    const remote = await cli('--uri', 'http://127.0.0.1:1', 'tokens', 'list');
    expect(remote.code).toBe(1);
    expect(remote.stderr).toContain('works on the database directly');
  });
});
