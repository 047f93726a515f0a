import { Command, Option } from 'commander';
import type { ApiToken, Role } from '@cairn/core';
import { out, positiveInt, withPlatform } from '../cli-context.js';
import { formatTime, json, style, table } from '../format.js';

const WHAT = 'Token management';
// Spelled out (checked against core's Role type) so `--help` does not load the platform.
const ROLES = ['reader', 'editor', 'admin'] as const satisfies readonly Role[];

function tokenState(t: ApiToken, now: number): string {
  if (t.revokedTime != null) return 'revoked';
  if (t.expiresTime != null && t.expiresTime <= now) return 'expired';
  return 'active';
}

export function tokensCommand(): Command {
  const cmd = new Command('tokens')
    .summary('create, list and revoke API tokens (admin)')
    .description('API tokens let clients call a server that has `auth: enabled`. These commands work on the\n' +
      "project's database directly (run them where the store is), so they need no token themselves.");

  cmd
    .command('create')
    .description('Create a token and print its secret (shown only once).')
    .requiredOption('--name <name>', 'what the token is for, e.g. "ci" or "ana-laptop"')
    .addOption(new Option('--role <role>', 'what it may do').choices(ROLES).makeOptionMandatory())
    .option('--expires-in-days <n>', 'days until it stops working (default: never)', positiveInt)
    .option('--json', 'print {token, secret} as JSON')
    .addHelpText('after', `
Roles: reader (read everything), editor (also log runs and artifacts), admin (also manage tokens).

Examples:
  $ cairn tokens create --name ci --role editor --expires-in-days 90
  $ export CAIRN_TRACKING_TOKEN=$(cairn tokens create --name ci --role editor --json | jq -r .secret)`)
    .action(async (opts: { name: string; role: Role; expiresInDays?: number; json?: boolean }, self: Command) => {
      await withPlatform(self, WHAT, async (platform) => {
        const { token, secret } = await platform.tokens.create({ name: opts.name, role: opts.role, expiresInDays: opts.expiresInDays });
        if (opts.json) return out(json({ token, secret }));
        out(`Created ${token.role} token '${token.name}' (id ${token.tokenId})${token.expiresTime ? `, expires ${formatTime(token.expiresTime)}` : ''}.\n\n`);
        out(`  ${secret}\n\n`);
        process.stderr.write(style.warn('Copy this secret now: it is not stored and will not be shown again.\n') +
          'Use it as CAIRN_TRACKING_TOKEN, with --token, or as "Authorization: Bearer <secret>".\n');
      });
    });

  cmd
    .command('list')
    .alias('ls')
    .description('List tokens (never their secrets).')
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', `
Example:
  $ cairn tokens list`)
    .action(async (opts: { json?: boolean }, self: Command) => {
      await withPlatform(self, WHAT, async (platform) => {
        const tokens = await platform.tokens.list();
        if (opts.json) return out(json({ tokens }));
        if (!tokens.length) return out('No tokens yet. Create one with `cairn tokens create --name NAME --role editor`.\n');
        const now = Date.now();
        out(table(
          ['ID', 'NAME', 'ROLE', 'STATE', 'CREATED', 'EXPIRES', 'LAST USED'],
          tokens.map((t) => [t.tokenId, t.name, t.role, tokenState(t, now), formatTime(t.createdTime), t.expiresTime ? formatTime(t.expiresTime) : 'never', formatTime(t.lastUsedTime)]),
        ));
      });
    });

  cmd
    .command('revoke')
    .description('Revoke a token: requests using it are refused from now on.')
    .argument('<token-id>', 'the token id (see `cairn tokens list`)')
    .addHelpText('after', `
Example:
  $ cairn tokens revoke 9f8e7d6c5b4a3921`)
    .action(async (tokenId: string, _opts: unknown, self: Command) => {
      await withPlatform(self, WHAT, async (platform) => {
        const token = await platform.tokens.revoke(tokenId);
        out(`Revoked token '${token.name}' (id ${token.tokenId}).\n`);
      });
    });

  return cmd;
}
