import type { ModelVersion } from './entities.js';

export interface ResolveCacheOptions {
  /** How long an entry is trusted at most: the staleness bound should invalidations be lost unseen. */
  ttlMs: number;
  /** Entries kept at most (the oldest model's entries go first). */
  maxEntries: number;
  /** Called on the first lookup: start the change feed (processes that never resolve never open one). */
  activate?: () => void;
  now?: () => number;
}

interface Entry { version: ModelVersion; expires: number }

export interface ResolveCacheStats {
  /** Serving from memory (the change feed listens). */
  active: boolean;
  entries: number;
  hits: number;
  misses: number;
}

/**
 * Resolved aliases (`NAME@alias` → version) kept in this process, for stores where a resolve is a
 * network round trip (PostgreSQL). It is correct only as long as it hears of every committed write:
 * the registry invalidates a model's entries after each of its own writes commits (before the
 * caller sees the write acknowledged), other processes' writes arrive through {@link invalidate}
 * from a change feed, and while that feed is down the cache is {@link suspend}ed (empty, bypassed).
 * A load that overlaps any invalidation is returned but not kept, so a read that started before a
 * write cannot put the old version back. Entries also expire after `ttlMs`, which bounds staleness
 * even if the feed fails silently. Every answer is a copy: callers may change what they get, as
 * with an uncached read.
 */
export class ResolveCache {
  private readonly models = new Map<string, Map<string, Entry>>();
  private size = 0;
  private generation = 0;
  private enabled = false;
  private hits = 0;
  private misses = 0;
  private activate: (() => void) | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ResolveCacheOptions) {
    this.now = options.now ?? Date.now;
    this.activate = options.activate;
  }

  /** Whether entries are served (the change feed is up). */
  get active(): boolean {
    return this.enabled;
  }

  stats(): ResolveCacheStats {
    return { active: this.enabled, entries: this.size, hits: this.hits, misses: this.misses };
  }

  /** The cached version, or `load()`'s answer (kept when found and nothing changed meanwhile). */
  async get(name: string, alias: string, load: () => Promise<ModelVersion | undefined>): Promise<ModelVersion | undefined> {
    if (!this.enabled) {
      const activate = this.activate;
      this.activate = undefined;
      activate?.();
      return load();
    }
    const entry = this.models.get(name)?.get(alias);
    if (entry && entry.expires > this.now()) {
      this.hits++;
      return structuredClone(entry.version);
    }
    this.misses++;
    const generation = this.generation;
    const version = await load();
    if (version && this.enabled && generation === this.generation) this.put(name, alias, structuredClone(version));
    return version;
  }

  /** Forgets a model's entries (a write to it committed, here or in another process). */
  invalidate(name: string): void {
    this.generation++;
    const entries = this.models.get(name);
    if (!entries) return;
    this.size -= entries.size;
    this.models.delete(name);
  }

  /** Stops serving and forgets everything: invalidations may be missed from now on. */
  suspend(): void {
    this.enabled = false;
    this.clear();
  }

  /** Serves entries again (the change feed is listening). */
  resume(): void {
    this.generation++;
    this.enabled = true;
  }

  clear(): void {
    this.generation++;
    this.models.clear();
    this.size = 0;
  }

  private put(name: string, alias: string, version: ModelVersion): void {
    let entries = this.models.get(name);
    if (!entries) {
      entries = new Map();
      this.models.set(name, entries);
    }
    if (!entries.has(alias)) this.size++;
    entries.set(alias, { version, expires: this.now() + this.options.ttlMs });
    // Map order is insertion order: evict the models cached longest ago.
    for (const [oldest, dropped] of this.models) {
      if (this.size <= this.options.maxEntries || oldest === name) break;
      this.size -= dropped.size;
      this.models.delete(oldest);
    }
  }
}
