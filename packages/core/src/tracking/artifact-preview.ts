import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CairnError } from '../errors.js';

/** How the UI shows an artifact: text (code, JSON, YAML, Markdown, HTML and SVG as source), a table, an image, or nothing. */
export type PreviewKind = 'text' | 'table' | 'image' | 'binary';

export interface ArtifactPreview {
  path: string;
  kind: PreviewKind;
  /** The file's size in bytes. */
  size: number;
  /** What the file is, for the UI to pick a renderer (`application/json`, `text/markdown`, `image/png`, …). */
  mediaType: string;
  /** Only part of the file is shown (text cut at `PREVIEW_TEXT_BYTES`, a table at its first rows). */
  truncated: boolean;
  /** `text`: the first bytes, decoded as UTF-8. */
  text?: string;
  /** `table`: column names and the first rows, every cell as display text (null for SQL NULL). */
  columns?: string[];
  rows?: Array<Array<string | null>>;
}

/** Text previews show this many bytes at most. */
export const PREVIEW_TEXT_BYTES = 256 * 1024;
/** CSV previews parse this many leading bytes at most. */
const CSV_HEAD_BYTES = 1024 * 1024;
/** Parquet needs its footer, so the whole file is read; larger files are offered for download instead. */
export const PREVIEW_PARQUET_MAX_BYTES = 512 * 1024 * 1024;
export const PREVIEW_ROWS = 100;

const TEXT_TYPES: Record<string, string> = {
  txt: 'text/plain', log: 'text/plain', md: 'text/markdown', markdown: 'text/markdown', json: 'application/json',
  yaml: 'application/yaml', yml: 'application/yaml', html: 'text/html', htm: 'text/html', svg: 'image/svg+xml',
  xml: 'application/xml', py: 'text/x-python', ts: 'text/plain', js: 'text/plain', sh: 'text/plain', toml: 'text/plain',
  ini: 'text/plain', cfg: 'text/plain', r: 'text/plain', sql: 'text/plain', jsonl: 'application/json-lines', ipynb: 'application/json',
};
const TABLE_TYPES: Record<string, string> = { csv: 'text/csv', tsv: 'text/tab-separated-values', parquet: 'application/vnd.apache.parquet' };
const IMAGE_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', bmp: 'image/bmp' };
// Files MLflow writes without an extension.
const KNOWN_TEXT_NAMES = new Set(['MLmodel', 'MLproject', 'requirements.txt', 'conda.yaml', 'LICENSE', 'README']);

/** The preview kind and media type a path gets from its name alone. */
export function previewKindOf(path: string): { kind: PreviewKind; mediaType: string } {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (TABLE_TYPES[ext]) return { kind: 'table', mediaType: TABLE_TYPES[ext] };
  if (IMAGE_TYPES[ext]) return { kind: 'image', mediaType: IMAGE_TYPES[ext] };
  if (TEXT_TYPES[ext]) return { kind: 'text', mediaType: TEXT_TYPES[ext] };
  if (KNOWN_TEXT_NAMES.has(name)) return { kind: 'text', mediaType: name === 'MLmodel' || name.endsWith('.yaml') ? 'application/yaml' : 'text/plain' };
  return { kind: 'binary', mediaType: 'application/octet-stream' };
}

/**
 * Builds a preview from an artifact's stream without reading more than it shows: text and CSV read
 * their first bytes and stop; Parquet (whose index is at the end) is copied to a temp file and read
 * by DuckDB, which returns only the first rows. Images and other files are not read at all.
 */
export async function previewArtifact(path: string, opened: { stream: Readable; size: number }): Promise<ArtifactPreview> {
  const { kind, mediaType } = previewKindOf(path);
  const base = { path, kind, size: opened.size, mediaType, truncated: false };
  if (kind === 'image' || kind === 'binary') {
    opened.stream.destroy();
    return base;
  }
  if (kind === 'text') {
    const head = await readHead(opened.stream, PREVIEW_TEXT_BYTES);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
    // A cut may split a character; the decoder shows it as U+FFFD at the very end, which is honest.
    if (text.includes('\u0000')) return { ...base, kind: 'binary', mediaType: 'application/octet-stream' };
    return { ...base, text, truncated: opened.size > head.length };
  }
  const dir = await mkdtemp(join(tmpdir(), 'cairn-preview-'));
  try {
    const file = join(dir, mediaType === 'application/vnd.apache.parquet' ? 'data.parquet' : 'data.csv');
    let truncatedBytes = false;
    if (mediaType === 'application/vnd.apache.parquet') {
      if (opened.size > PREVIEW_PARQUET_MAX_BYTES) {
        opened.stream.destroy();
        throw new CairnError('RESOURCE_EXHAUSTED', `This Parquet file is ${opened.size} bytes; previews read files up to ${PREVIEW_PARQUET_MAX_BYTES} bytes. Download it instead.`);
      }
      await pipeline(opened.stream, createWriteStream(file));
    } else {
      const head = await readHead(opened.stream, CSV_HEAD_BYTES);
      truncatedBytes = opened.size > head.length;
      // Parse whole lines only: a cut row would show as a malformed last row.
      const end = truncatedBytes ? head.lastIndexOf(0x0a) + 1 : head.length;
      await writeFile(file, head.subarray(0, end));
    }
    const table = await readTable(file, mediaType);
    return { ...base, columns: table.columns, rows: table.rows, truncated: truncatedBytes || table.more };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readHead(stream: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of stream) {
      const b = chunk as Buffer;
      chunks.push(b);
      n += b.length;
      if (n >= max) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, max);
}

async function readTable(file: string, mediaType: string): Promise<{ columns: string[]; rows: Array<Array<string | null>>; more: boolean }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  try {
    const source = mediaType === 'application/vnd.apache.parquet'
      ? `read_parquet('${file.replaceAll("'", "''")}')`
      : `read_csv('${file.replaceAll("'", "''")}', delim = '${mediaType === 'text/csv' ? ',' : '\\t'}', header = true, all_varchar = true, ignore_errors = true)`;
    const reader = await conn.runAndReadAll(`select * from ${source} limit ${PREVIEW_ROWS + 1}`);
    const columns = reader.columnNames();
    const rows = reader.getRowsJS().map((row) => row.map(cellText));
    return { columns, rows: rows.slice(0, PREVIEW_ROWS), more: rows.length > PREVIEW_ROWS };
  } catch (e) {
    throw new CairnError('INVALID_ARGUMENT', `This file cannot be read as ${mediaType === 'text/csv' ? 'CSV' : mediaType === 'text/tab-separated-values' ? 'TSV' : 'Parquet'}: ${(e as Error).message.split('\n')[0]}. Download it to inspect it.`, { cause: e });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));
}
