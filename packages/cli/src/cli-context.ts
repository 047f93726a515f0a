import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { CairnConfig, Platform } from '@cairn/core';
import { CairnError } from '@cairn/core/errors';
import type { Cairn } from './sdk/cairn.js';
import { isServerUri } from './sdk/server-uri.js';

// The SDK and core are imported when a command runs, so `--help`, `--version` and usage errors stay fast.

/** The global options every command may use. */
export interface GlobalOptions {
  config?: string;
  uri?: string;
  token?: string;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** Connects the SDK as the global options say, runs `fn`, and always closes the connection. */
export async function withCairn<T>(cmd: Command, fn: (cairn: Cairn) => Promise<T>): Promise<T> {
  const g = globalOptions(cmd);
  const { Cairn } = await import('./sdk/cairn.js');
  const cairn = await Cairn.connect({ uri: g.uri, token: g.token, configFile: g.config, captureSource: false });
  try {
    return await fn(cairn);
  } finally {
    await cairn.close();
  }
}

/** The project's config, with a store URI from `--uri` applied (server URIs are refused). */
export async function storeConfig(cmd: Command, what: string, overrides: Record<string, unknown> = {}): Promise<CairnConfig> {
  const g = globalOptions(cmd);
  if (g.uri && isServerUri(g.uri)) {
    throw new CairnError('INVALID_ARGUMENT', `${what} works on the database directly, not through a server. Run it where the store is (with --config, or a store URI such as --uri sqlite:.cairn/cairn.db), not with --uri ${g.uri}.`);
  }
  const { loadConfig } = await import('@cairn/core');
  const store = g.uri ? { store: { uri: g.uri } } : {};
  return loadConfig({ file: g.config, overrides: { ...store, ...overrides } });
}

/** Opens the platform on the project's store for admin work (tokens), and always closes it. */
export async function withPlatform<T>(cmd: Command, what: string, fn: (platform: Platform) => Promise<T>): Promise<T> {
  const config = await storeConfig(cmd, what);
  const { openPlatform } = await import('@cairn/core');
  const platform = await openPlatform(config);
  try {
    return await fn(platform);
  } finally {
    await platform.close();
  }
}

/** Hides a password in a store URI before it is printed. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/**
 * Thrown when the user interrupted a command (Ctrl-C) and it stopped as asked: `main` prints the
 * message as it is (no `error:`) and exits 130. Not a CairnError: nothing failed.
 */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

/** Writes to stdout. */
export function out(text: string): void {
  process.stdout.write(text);
}

// Option parsers: a bad value is a usage error (exit 2), reported by commander with the option named.

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('Expected a whole number of 1 or more.');
  return n;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`Expected KEY=VALUE, e.g. --tag team=risk.`);
  return { ...previous, [value.slice(0, i)]: value.slice(i + 1) };
}
